"""XSS: hostile text through every free-text field, rendered on every page that shows it, in a real Chromium.

No payload may run script (any dialog fails) or make the browser request the probe URL (htmx
attributes, injected tags); the raw text must still be shown to staff as text.
"""

import csv
import io
import json

import pytest
import yaml

from analysis.themes.jobs import analyse_now
from feedback.pii import scan
from feedback.store import save_comment, save_responses
from lab.campaigns.groups import add_participant, create_participant
from lab.clock import utcnow
from lab.db import opened, write
from prototypes import EXAMPLES_DIR
from prototypes.store import create_prototype
from tests.factories import make_lab
from tests.security.xss_payloads import PAYLOADS, PROBE
from tests.support import PASSWORD, login


def _hostile_spec() -> str:
    """The voirie example with hostile title, labels, hints and options."""
    spec = yaml.safe_load((EXAMPLES_DIR / "voirie.yaml").read_text(encoding="utf-8"))
    spec["title"] = "Voirie " + PAYLOADS[0]
    spec["problem"] = " ".join(PAYLOADS[:10])
    spec["steps"][0]["title"] = PAYLOADS[26]
    spec["steps"][0]["fields"][0]["label"] = PAYLOADS[2]
    spec["steps"][0]["fields"][0]["hint"] = PAYLOADS[28]
    spec["steps"][1]["fields"][0]["options"][0] = PAYLOADS[5]
    spec["confirmation"] = PAYLOADS[7]
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False)


@pytest.fixture
def hostile(settings, users):
    """Every free-text field filled with payloads: spec texts, contact names, comments, questionnaire, widget."""
    now = utcnow()
    with opened(settings.db_path) as db:
        lab = make_lab(db, settings, users, count=2)
        with write(db):
            prototype_id, iteration_id = create_prototype(db, spec_yaml=_hostile_spec(), user_id=users["staff"].id)
            person = add_participant(db, group_id=lab.group_id, name=PAYLOADS[3], email="", phone="0612345678",
                                     profile={"quartier": PAYLOADS[11]})
            for index, payload in enumerate(PAYLOADS):
                participant = create_participant(db, group_id=lab.group_id)
                trial_id = db["trials"].insert({
                    "deployment_id": lab.deployment_id, "participant_id": participant["id"], "iteration_id": lab.iteration_id,
                    "variant": "A", "channel": "online", "consent_at": now.isoformat(), "started_at": now.isoformat(),
                    "completed_at": now.isoformat(), "last_step": "contact",
                }).last_pk
                trial = {"id": trial_id, "deployment_id": lab.deployment_id, "iteration_id": lab.iteration_id}
                save_comment(db, trial, step_key="lieu", comment=scan(f"commentaire {payload} adresse introuvable"), source="step",
                             now=now)
                save_comment(db, trial, step_key=None, comment=scan(f"{payload} le formulaire est trop long"), source="questionnaire",
                             now=now)
                save_responses(db, trial, [("satisfaction", 1 + index % 3, None), ("ease", 3, None)], now=now)
        analyse_now(db, iteration_id=lab.iteration_id, user_id=users["staff"].id)
    return {"lab": lab, "prototype_id": prototype_id, "iteration_id": iteration_id, "participant": person}


def test_no_payload_runs_anywhere(page, live_server, hostile, users):
    dialogs, probes = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: probes.append(request.url) if PROBE in request.url else None)
    lab = hostile["lab"]
    login(page, "staff@ville.test", PASSWORD)
    pages = [
        "/lab/prototypes",
        f"/lab/prototypes/{hostile['prototype_id']}",
        f"/lab/iterations/{hostile['iteration_id']}",
        f"/lab/iterations/{hostile['iteration_id']}/preview/0",
        f"/lab/iterations/{hostile['iteration_id']}/preview/1",
        f"/lab/groups/{lab.group_id}",
        f"/lab/groups/{lab.group_id}/participants/{hostile['participant']['id']}",
        f"/lab/deployments/{lab.deployment_id}",
        f"/lab/iterations/{lab.iteration_id}/themes",
        f"/reports/iterations/{lab.iteration_id}",
        f"/reports/iterations/{lab.iteration_id}/print",
        "/reports",
        "/admin/audit",
    ]
    shown = 0
    for url in pages:
        response = page.goto(url)
        assert response.status in (200, 403), (url, response.status)
        page.wait_for_timeout(150)  # give hx-trigger=load and onerror a chance to fire
        shown += page.content().count("xss")
    page.locator("#xss-click").first.click() if page.locator("#xss-click").count() else None
    assert dialogs == [], f"script ran: {dialogs}"
    assert probes == [], f"injected markup made requests: {probes}"
    assert shown > len(PAYLOADS), "the payloads must be displayed (as text) on these pages"


def test_exports_carry_payloads_as_inert_data(login_as, hostile):
    staff = login_as("staff")
    lab = hostile["lab"]
    data = staff.get(f"/reports/iterations/{lab.iteration_id}/data.json")
    assert data.status_code == 200
    text = json.dumps(data.json())
    assert "xss" in text
    csv_response = staff.get(f"/reports/iterations/{lab.iteration_id}/comments.csv")
    assert csv_response.status_code == 200
    rows = list(csv.reader(io.StringIO(csv_response.text)))
    assert any("xss" in cell for row in rows for cell in row)
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
