"""A worker killed (SIGKILL) after the relay took a message and before the outbox marked it: never sent twice.

The sending runs in a child process, the real worker task against the real relay; the relay
records the message, holds back its "250", and the test kills the child there. At the restart
the message is `unknown` (the relay may have it: here it does), is not sent again by the worker,
and goes again only when staff ask, under the same Message-ID.
"""

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from feedback import mailings
from lab.app import create_app
from lab.clock import utcnow
from lab.db import write
from tests.factories import give_addresses
from tests.mail_server import Relay

ROOT = Path(__file__).resolve().parents[2]
#: The child: the app's own wiring, one turn of its worker (the mail task comes first).
CHILD = """
import sys
from pathlib import Path
from lab.app import create_app
from lab.settings import Settings, SmtpSettings
db_path, secret, port = sys.argv[1:]
smtp = SmtpSettings(host="127.0.0.1", port=int(port), security="none", sender="lab@ville.test", per_minute=600000)
create_app(Settings(db_path=Path(db_path), secret_key=secret, start_workers=False, smtp=smtp)).state.worker.run_once()
"""


pytestmark = pytest.mark.mail


@pytest.fixture
def relay():
    """A relay that holds back its reply to the content until the test lets it go."""
    with Relay(hold=threading.Event()) as server:
        yield server


def test_a_worker_killed_between_send_and_mark_sends_nothing_twice(db, lab, settings, relay, login_as):
    give_addresses(db, lab.participants[:1])
    with write(db):
        mailings.queue_invitations(db, deployment_id=lab.deployment_id, participant_ids=None, settings=settings, user_id=None,
                                   now=utcnow())
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(settings.db_path), settings.secret_key, str(relay.port)], cwd=ROOT)
    try:
        assert relay.arrived.wait(60), "the relay never got the message"
        os.kill(child.pid, signal.SIGKILL)  # the relay has it all; its 250 has not reached the sender
    finally:
        child.wait(30)
    relay.hold.set()
    (row,) = db.query("SELECT * FROM outbox")
    assert row["status"] == "sending" and row["attempts"] == 1

    restarted = create_app(settings)  # start-up recovery
    (row,) = db.query("SELECT * FROM outbox")
    assert row["status"] == "unknown" and row["last_reply"] == "interrupted"
    assert restarted.state.worker.drain() == 0
    assert relay.message_ids() == [row["message_id"]], "exactly one copy reached the relay"

    staff = login_as("staff")
    assert "Envoi interrompu par un redémarrage" in staff.get("/lab/courriels").text
    assert staff.post_form(f"/lab/courriels/{row['id']}/renvoyer", follow_redirects=False).status_code == 303
    relay.hold = None
    assert restarted.state.worker.drain() == 1
    assert relay.message_ids() == [row["message_id"]] * 2  # staff's choice, recognisable as the same message
