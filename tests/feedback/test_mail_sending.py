"""Sending for real, to an SMTP server on 127.0.0.1: what arrives, and what each fault of the relay leads to."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from feedback import mailings, outbox
from lab import organisation
from lab.app import create_app
from lab.clock import utcnow
from lab.db import write
from tests.factories import give_addresses
from tests.mail_server import SENDER, Relay, free_port

pytestmark = pytest.mark.mail  # every app here sends to the test relay


class Clock:
    """The mail task's notion of now, from the moment it is made, moved by the test (retries wait minutes)."""

    def __init__(self, app):
        self.now = utcnow()
        app.state.worker.tasks[0].clock = lambda: self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


def _invite(staff, lab, **form):
    response = staff.post_form(f"/lab/deployments/{lab.deployment_id}/courriels/invitations", {"qui": "nouveaux", **form},
                               follow_redirects=False)
    assert response.status_code == 303, response.text
    return response


def _messages(db):
    return list(db.query("SELECT * FROM outbox ORDER BY id"))


def test_an_invitation_arrives_with_its_headers_both_parts_and_links_that_work(app, db, lab, login_as, relay, citizen):
    with write(db):
        organisation.save(db, organisation.OrganisationForm(name="Ville de Rivebelle", address="1 place de la Mairie\n00000 Rivebelle",
                                                            website="https://www.rivebelle.test"), now=utcnow(), user_id=None)
    (address,) = give_addresses(db, lab.participants[:1], names=["Jeanne Martin"])
    _invite(login_as("staff"), lab)
    assert app.state.worker.drain() == 1
    (mail,) = relay.received
    (row,) = _messages(db)
    headers = mail.message
    assert headers["From"] == f"Ville de Rivebelle <{SENDER}>" and mail.sender == SENDER
    assert headers["To"] == f"Jeanne Martin <{address}>" and mail.recipients == [address]
    assert headers["Subject"] == "Invitation : aidez-nous à tester « Signaler une anomalie sur la voie publique »"
    assert headers["Message-ID"] == row["message_id"] and row["message_id"].endswith("@ville.test>")
    assert abs(parsedate_to_datetime(headers["Date"]) - datetime.now(UTC)) < timedelta(minutes=1)
    unsubscribe = headers["List-Unsubscribe"].strip().strip("<>")  # folded: the address is longer than a line
    assert unsubscribe.startswith("http://127.0.0.1:8000/courriels/desinscription/")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" and headers["Auto-Submitted"] == "auto-generated"
    text, html = mail.part("plain"), mail.part("html")
    link = f"http://127.0.0.1:8000/t/{lab.tokens[0]}"
    for part in (text, html):
        assert "Bonjour Jeanne Martin," in part and link in part and unsubscribe in part
        assert "Ville de Rivebelle" in part and "00000 Rivebelle" in part
    assert "<img" not in html and "url(" not in html  # no tracking pixel, no remote picture
    assert row["status"] == "sent" and row["last_reply"].startswith("250") and row["attempts"] == 1

    person = citizen()
    assert person.enter(lab.tokens[0]).status_code == 200  # the link in the message opens the test
    path = unsubscribe.removeprefix("http://127.0.0.1:8000")
    assert "Me désinscrire" in citizen().get(path).text
    assert db.execute("SELECT COUNT(*) FROM mail_preferences WHERE unsubscribed_at IS NOT NULL").fetchone()[0] == 0


def test_a_451_is_tried_again_later_and_delivered_once(app, db, lab, login_as, relay):
    give_addresses(db, lab.participants[:1])
    relay.rcpt_replies.append("451 4.7.1 Greylisted, please try again later")
    _invite(login_as("staff"), lab)
    clock = Clock(app)
    assert app.state.worker.drain() == 1
    (row,) = _messages(db)
    assert (row["status"], row["attempts"], row["last_reply"]) == ("queued", 1, "451 4.7.1 Greylisted, please try again later")
    clock.advance(seconds=30)
    assert app.state.worker.drain() == 0, "not before its retry delay"
    clock.advance(seconds=31)
    assert app.state.worker.drain() == 1
    (row,) = _messages(db)
    assert (row["status"], row["attempts"]) == ("sent", 2)
    assert relay.message_ids() == [row["message_id"]]


def test_a_550_fails_at_once_with_the_reply_shown_and_a_5_1_1_is_a_bounce(app, db, lab, login_as, relay):
    give_addresses(db, lab.participants[:2])
    relay.rcpt_replies.extend(["550 5.7.1 Relaying denied", "550 5.1.1 <p@ville.test>: Recipient address rejected: User unknown"])
    staff = login_as("staff")
    _invite(staff, lab)
    clock = Clock(app)
    assert app.state.worker.drain() == 2
    assert [(m["status"], m["attempts"]) for m in _messages(db)] == [("failed", 1), ("bounced", 1)]
    clock.advance(days=1)
    assert app.state.worker.drain() == 0 and relay.received == []  # never tried again by itself
    outbox_page = staff.get("/lab/courriels").text
    assert "550 5.7.1 Relaying denied" in outbox_page and "User unknown" in outbox_page
    assert "échec" in outbox_page and "adresse refusée" in outbox_page
    people = staff.get(f"/lab/deployments/{lab.deployment_id}/courriels").text.split('class="recipients"')[1]
    assert people.count("badge--mail-failed") == 1 and people.count("badge--mail-bounced") == 1


def test_an_unreachable_relay_keeps_messages_queued_then_sends_each_once(db, lab, settings):
    give_addresses(db, lab.participants)
    port = free_port()
    app = create_app(settings.with_(smtp=replace(settings.smtp, port=port)))
    with write(db):
        mailings.queue_invitations(db, deployment_id=lab.deployment_id, participant_ids=None, settings=app.state.settings,
                                   user_id=None, now=utcnow())
    clock = Clock(app)
    assert app.state.worker.drain() == 1  # one connection attempt, then sending pauses
    rows = _messages(db)
    assert [m["status"] for m in rows] == ["queued"] * 3 and [m["attempts"] for m in rows] == [1, 0, 0]
    assert "Connection refused" in rows[0]["last_reply"]
    clock.advance(seconds=30)
    assert app.state.worker.drain() == 0, "the relay is left alone during the pause"
    with Relay(port=port) as back:
        clock.advance(seconds=31)
        assert app.state.worker.drain() == 3
    assert [m["status"] for m in _messages(db)] == ["sent"] * 3
    assert sorted(back.message_ids()) == sorted(m["message_id"] for m in rows)


def test_no_reply_after_the_content_went_out_is_uncertain_and_only_staff_send_it_again(app, db, lab, login_as, relay):
    give_addresses(db, lab.participants[:1])
    app.state.worker.tasks[0].transport.settings = relay.settings(timeout_seconds=1)
    relay.data_delay = 3
    staff = login_as("staff")
    _invite(staff, lab)
    assert app.state.worker.drain() == 1
    (row,) = _messages(db)
    assert row["status"] == "unknown" and "no reply" in row["last_reply"]
    assert app.state.worker.drain() == 0, "an uncertain message is never sent again by itself"
    assert "incertain" in staff.get("/lab/courriels").text
    relay.data_delay = 0
    assert staff.post_form(f"/lab/courriels/{row['id']}/renvoyer", follow_redirects=False).status_code == 303
    assert app.state.worker.drain() == 1
    assert relay.message_ids() == [row["message_id"]] * 2  # the same Message-ID: a mailbox can tell it is a copy
    assert _messages(db)[0]["status"] == "sent"
    assert db["audit_log"].count_where("action = 'mail.resend'") == 1


def test_a_message_that_cannot_be_written_fails_alone_and_the_next_one_goes(app, db, lab, settings, relay, caplog):
    give_addresses(db, lab.participants[:2])
    with write(db):  # "what changed after v1" for a v1 with no version before it: nothing can be told
        outbox.queue(db, kind="changes", participant_id=lab.participants[0]["id"], deployment_id=lab.deployment_id,
                     iteration_id=lab.iteration_id, language="fr", domain="ville.test", now=utcnow())
        mailings.queue_invitations(db, deployment_id=lab.deployment_id, participant_ids=[lab.participants[1]["id"]],
                                   settings=settings, user_id=None, now=utcnow())
    assert app.state.worker.drain() == 2
    assert [(m["status"], m["last_reply"][:11]) for m in _messages(db)] == [("failed", "not written"), ("sent", "250 2.0.0 O")]
    assert "could not be written" in caplog.text and len(relay.received) == 1
