"""1,000 invitations through the running worker: every one delivered once, never faster than the rate limit.

The limit is checked on the relay's side (the moment each message's content arrived), so it
holds for what a mail provider would count; the relay runs in a process of its own, so the
sender is not slowed by sharing its interpreter and the limit, not the machine, sets the pace.
The rate reached is printed (`pytest -s`); the throughput without a limit is
`benchmarks/mail.py`'s to measure.
"""

import time

import pytest

from lab.app import create_app
from lab.campaigns.deployments import DeploymentForm, create_deployment, form_time
from lab.campaigns.groups import add_participants, create_group, list_participants
from lab.campaigns.invitations import generate_personal
from lab.clock import utcnow
from lab.db import write
from prototypes.store import create_prototype
from tests.factories import VOIRIE, give_addresses
from tests.mail_server import RelayProcess
from tests.support import Browser

PEOPLE = 1000
# How late a relay's timestamp may be: the SMTP exchange that follows each slot takes a varying time on a
# busy two-core machine (20 ms seen in CI). A provider counts per minute; without a limit, 101 messages
# reach a local relay in well under half a second, so this slack still catches a limiter that lets a burst through.
RELAY_JITTER = 0.05


@pytest.fixture
def relay(tmp_path):
    with RelayProcess(tmp_path / "arrivals.log") as server:
        yield server


def _session_for_everyone(db, settings, people: int) -> int:
    """A session of one group of `people`, each with a personal link and an address."""
    now = utcnow()
    with write(db):
        _prototype, iteration = create_prototype(db, spec_yaml=VOIRIE, user_id=None)
        group = create_group(db, name="Tout le quartier", description="", user_id=None)
        for start in range(0, people, 500):
            add_participants(db, group_id=group, count=min(500, people - start))
        form = DeploymentForm(title="Grand test", iteration_a=str(iteration), group_ids=(str(group),),
                              opens_at=form_time(now), closes_at=form_time(now.replace(year=now.year + 1)))
        deployment = create_deployment(db, form=form, user_id=None, now=now)
        generate_personal(db, deployment_id=deployment, secret_key=settings.secret_key, now=now)
    give_addresses(db, list_participants(db, group))
    return deployment


def _send_everything(db, settings, relay, users, per_minute: int, people: int = PEOPLE) -> list[float]:
    """Queue the invitations from the staff page and let the worker thread send them; when each arrived."""
    deployment = _session_for_everyone(db, settings, people)
    app = create_app(settings.with_(start_workers=True, smtp=relay.settings(per_minute=per_minute)))
    with Browser(app, base_url="http://testserver") as staff:
        assert staff.login(users["staff"].email).status_code == 303
        queued = staff.post_form(f"/lab/deployments/{deployment}/courriels/invitations", {"qui": "nouveaux"},
                                 follow_redirects=False)
        assert queued.status_code == 303, queued.text
        deadline = time.monotonic() + 120
        while db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'sent'").fetchone()[0] < people:
            assert time.monotonic() < deadline, "not all sent in time"
            time.sleep(0.1)
    arrivals = relay.arrivals()
    assert len(arrivals) == people
    assert sorted(message_id for _at, message_id in arrivals) == sorted(
        row[0] for row in db.execute("SELECT message_id FROM outbox")), "each one, once"
    return [at for at, _message_id in arrivals]


def test_a_thousand_invitations_all_arrive_never_faster_than_the_limit(db, settings, relay, users):
    per_minute = 6000  # one message every 10 ms
    arrivals = _send_everything(db, settings, relay, users, per_minute)
    per_second = per_minute // 60
    # Any 101 consecutive arrivals span at least a second, less the relay's timing jitter.
    tightest = min(arrivals[i + per_second] - arrivals[i] for i in range(len(arrivals) - per_second))
    assert tightest >= 1 - RELAY_JITTER, f"{per_second + 1} messages arrived within {tightest:.3f} s"
    took = arrivals[-1] - arrivals[0]
    assert took >= (PEOPLE - 1) * 60 / per_minute - RELAY_JITTER
    print(f"\n{PEOPLE} messages at a limit of {per_minute}/min: {took:.1f} s, {PEOPLE / took:.0f} messages/s, "
          f"tightest second: {per_second + 1} messages in {tightest:.3f} s")


def test_the_limit_sets_the_pace_when_the_worker_could_go_faster(db, settings, relay, users):
    per_minute = 600  # one every 100 ms: a tenth of what the worker sends to a local relay even on a busy machine
    arrivals = _send_everything(db, settings, relay, users, per_minute, people=31)
    assert arrivals[-1] - arrivals[0] >= 30 * 0.1 - RELAY_JITTER
    assert min(arrivals[i + 10] - arrivals[i] for i in range(len(arrivals) - 10)) >= 1 - RELAY_JITTER, "11 within a second"
