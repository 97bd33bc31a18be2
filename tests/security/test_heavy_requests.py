"""A heavy or hostile request never stalls the others: patterns run in linear time, validation off the event loop.

Each test serves the app in a real process (`lab serve` on 127.0.0.1), sends the heavy request
from one thread and times `GET /healthz` from another. A health check normally answers in a few
milliseconds; the bound below is generous so that only a stalled server fails it.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx2
import pytest

from benchmarks.loopback import SECRET, ServerProcess
from lab.accounts import create_user
from lab.app import migrate_all
from lab.campaigns.deployments import DeploymentForm, create_deployment, form_time
from lab.campaigns.groups import add_participants, create_group
from lab.campaigns.invitations import generate_personal, list_invitations
from lab.clock import utcnow
from lab.db import opened, write
from prototypes.store import create_prototype
from tests.support import PASSWORD

HEALTH_BOUND = 2.0  # seconds; a stalled server takes tens of seconds (the old regex: 47 s for 30 characters)

#: A plausible format staff could write, catastrophic for a backtracking engine on a near miss.
BADGE_SPEC = """title: Demande de badge
domain: test
problem: Les badges sont demandés sur papier.
steps:
  - key: badge
    title: Votre badge
    fields:
      - {key: code, type: text, label: Code du badge, required: true, pattern: "([A-Z0-9]+-?)+"}
confirmation: Merci.
"""
IDEM = re.compile(r'name="idem" value="([^"]+)"')


@pytest.fixture
def served(tmp_path):
    """A served lab with a staff account and an open deployment of the badge prototype; (server, token)."""
    db_path = tmp_path / "lab.db"
    now = utcnow()
    with opened(db_path) as db:
        migrate_all(db)
        with write(db):
            create_user(db, email="staff@ville.test", name="Staff", role="staff", password=PASSWORD)
            _, iteration_id = create_prototype(db, spec_yaml=BADGE_SPEC, user_id=None)
            group_id = create_group(db, name="Agents", description="", user_id=None)
            add_participants(db, group_id=group_id, count=1)
            form = DeploymentForm(title="Badges", iteration_a=str(iteration_id), group_ids=(str(group_id),),
                                  opens_at=form_time(now - timedelta(days=1)), closes_at=form_time(now + timedelta(days=1)))
            deployment_id = create_deployment(db, form=form, user_id=None, now=now - timedelta(days=2))
            generate_personal(db, deployment_id=deployment_id, secret_key=SECRET, now=now)
        (link,) = list_invitations(db, deployment_id, secret_key=SECRET, base_url="http://x", now=now)
    server = ServerProcess(db_path).start()
    server.deployment_id = deployment_id
    try:
        yield server, link["url"].rsplit("/t/", 1)[1]
    finally:
        server.stop()


def _base(server: ServerProcess) -> str:
    return f"http://127.0.0.1:{server.port}"


def _while_busy(server: ServerProcess, heavy) -> tuple[float, object]:
    """Run `heavy()` in a thread; meanwhile time one health check. Returns (health seconds, heavy's result)."""
    outcome: dict = {}
    thread = threading.Thread(target=lambda: outcome.setdefault("result", heavy()), daemon=True)
    thread.start()
    time.sleep(0.3)  # let the heavy request reach the server first
    started = time.perf_counter()
    with httpx2.Client(base_url=_base(server), timeout=30) as probe:
        assert probe.get("/healthz").status_code == 200
    elapsed = time.perf_counter() - started
    thread.join(60)
    assert not thread.is_alive(), "the heavy request never finished"
    return elapsed, outcome["result"]


def test_a_catastrophic_pattern_neither_stalls_the_server_nor_the_citizen(served):
    server, token = served
    with httpx2.Client(base_url=_base(server), timeout=60, follow_redirects=True) as citizen:
        citizen.get(f"/t/{token}")  # the link is traded for the participant cookie
        welcome = citizen.get("/take")
        csrf = citizen.cookies["lab_csrf"]
        consented = citizen.post("/take/consentement", data={"csrf_token": csrf, "consent": "oui",
                                                              "idem": IDEM.search(welcome.text)[1]})
        assert consented.status_code == 200 and "Code du badge" in consented.text
        idem = IDEM.search(consented.text)[1]
        near_miss = "A" * 40 + "!"  # 2^40 backtracking paths for Python's re

        elapsed, answer = _while_busy(server, lambda: citizen.post(
            "/take/etape/badge", data={"csrf_token": csrf, "idem": idem, "f-code": near_miss}))
    assert elapsed < HEALTH_BOUND
    assert answer.status_code == 422 and "format attendu" in answer.text


@contextlib.contextmanager
def _staff(server: ServerProcess) -> Iterator[httpx2.Client]:
    """A signed-in staff member's HTTP client."""
    with httpx2.Client(base_url=_base(server), timeout=60) as staff:
        staff.get("/login")
        staff.post("/login", data={"csrf_token": staff.cookies["lab_csrf"], "email": "staff@ville.test", "password": PASSWORD})
        yield staff


def test_importing_twenty_thousand_comments_does_not_stall_the_server(served):
    server, _token = served
    rows = "".join(f"Commentaire numéro {n} sur la démarche de badge;{1 + n % 3}\n" for n in range(20_000))
    data = ("commentaire;satisfaction\n" + rows).encode()
    with _staff(server) as staff:
        elapsed, answer = _while_busy(server, lambda: staff.post(
            f"/lab/deployments/{server.deployment_id}/comments/import", data={"csrf_token": staff.cookies["lab_csrf"]},
            files={"file": ("export.csv", data, "text/csv")}))
    assert elapsed < HEALTH_BOUND
    assert answer.status_code == 200 and "20" in answer.text


def test_validating_a_huge_spec_does_not_stall_the_server(served):
    server, _token = served
    spec = "title: Beaucoup de clés\n" + "".join(f"cle_{n:05d}: valeur\n" for n in range(8000))  # 8,000 keys, ~150 KB
    with _staff(server) as staff:
        headers = {"X-CSRF-Token": staff.cookies["lab_csrf"], "Content-Type": "application/yaml"}
        elapsed, answer = _while_busy(server, lambda: staff.post("/api/v1/specs/validate", content=spec.encode(),
                                                                 headers=headers))
    assert elapsed < HEALTH_BOUND
    assert answer.status_code == 422
    issues = answer.json()["issues"]
    assert len(issues) == 100 and re.fullmatch(r"et \d+ autres problèmes : corrigez d'abord ceux-ci", issues[-1]["message"])
