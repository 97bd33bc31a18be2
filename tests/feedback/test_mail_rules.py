"""Who gets which message: the one reminder, "ce qui a changé" only on opt-in, unsubscribing, erasure and purge."""

import io
import zipfile
from datetime import timedelta

import pytest

from feedback.retention import purge_deployment
from lab.app import FORGET_HOOKS
from lab.campaigns.deployments import form_time
from lab.clock import utcnow
from lab.db import write
from prototypes.store import new_iteration, update_iteration
from tests.factories import VOIRIE, give_addresses, make_lab
from tests.support import Browser

ORIGIN = "http://127.0.0.1:8000"


pytestmark = pytest.mark.mail  # every app here sends to the test relay


def _finish(person, token):
    person.enter(token)
    person.consent()
    person.walk_steps()
    assert person.questionnaire().status_code == 303


def _by_recipient(relay) -> dict[str, object]:
    return {item.recipients[0]: item for item in relay.received}


def _path(url: str) -> str:
    return url.strip().strip("<>").removeprefix(ORIGIN)


def _invited(app, db, settings, users, login_as, count: int):
    """A session of `count` people with addresses, each sent an invitation from the staff page: (lab, addresses, staff)."""
    lab = make_lab(db, settings, users, count=count)
    addresses = give_addresses(db, lab.participants)
    staff = login_as("staff")
    staff.post_form(f"/lab/deployments/{lab.deployment_id}/courriels/invitations", {"qui": "nouveaux"})
    assert app.state.worker.drain() == count
    return lab, addresses, staff


def test_one_reminder_to_those_who_have_not_finished_and_never_to_the_finished_unsubscribed_or_erased(
        app, db, settings, users, citizen, login_as, relay):
    lab, addresses, staff = _invited(app, db, settings, users, login_as, 6)
    invitations = _by_recipient(relay)
    _finish(citizen(), lab.tokens[0])                                              # finished
    one_click = Browser(app, base_url="http://testserver")                          # a mail client, no cookies
    unsubscribe = _path(invitations[addresses[1]].message["List-Unsubscribe"])
    assert one_click.post(unsubscribe, content="List-Unsubscribe=One-Click",
                          headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 200
    assert staff.post_form(f"/lab/participants/{lab.participants[2]['id']}/effacer").status_code == 200  # erased
    english = citizen()                                                             # started, in English
    english.post_form("/langue", {"lang": "en", "next": "/"})
    english.enter(lab.tokens[3])
    english.consent()
    relay.received.clear()

    saved = staff.post_form(f"/lab/deployments/{lab.deployment_id}/courriels/reglages",
                            {"reminder_days": "31", "mediator_phone": "01 23 45 67 89"}, follow_redirects=False)
    assert saved.status_code == 303
    assert app.state.worker.run_once() is True  # the reminders are queued in one unit...
    assert {row["participant_id"] for row in db.query("SELECT * FROM outbox WHERE kind = 'reminder'")} == {
        lab.participants[i]["id"] for i in (3, 4, 5)}
    _finish(citizen(), lab.tokens[5])  # ...and someone finishes before theirs goes
    assert app.state.worker.drain() == 3
    reminded = _by_recipient(relay)
    assert set(reminded) == {addresses[3], addresses[4]}
    assert reminded[addresses[3]].message["Subject"].startswith("Reminder: the test")
    assert reminded[addresses[4]].message["Subject"].startswith("Rappel : le test")
    assert "01 23 45 67 89" in reminded[addresses[4]].part("plain")
    (cancelled,) = db.query("SELECT * FROM outbox WHERE kind = 'reminder' AND status = 'cancelled'")
    assert cancelled["participant_id"] == lab.participants[5]["id"] and cancelled["last_reply"] == "finished"
    assert app.state.worker.drain() == 0 and len(relay.received) == 2  # once
    assert "Relance envoyée le" in staff.get(f"/lab/deployments/{lab.deployment_id}/courriels").text


def test_what_changed_goes_once_and_only_to_those_who_asked(app, db, settings, users, citizen, login_as, relay):
    lab = make_lab(db, settings, users, count=3, shared_uses=5)
    give_addresses(db, lab.participants[:3])
    asked, declined, silent, by_link = citizen(), citizen(), citizen(), citizen()
    for person, token in ((asked, lab.tokens[0]), (declined, lab.tokens[1]), (silent, lab.tokens[2]),
                          (by_link, lab.shared_token)):
        _finish(person, token)
    thanks = asked.get("/take/merci").text
    box = thanks.split('id="changes"')[1].split(">")[0]
    assert "checked" not in box and 'type="checkbox"' in thanks, "an explicit choice, unticked at first"
    assert f"p{lab.participants[0]['id']}@ville.test" in thanks and 'name="email"' not in thanks
    assert asked.post_form("/take/merci/courriel", {"changes": "oui"}, follow_redirects=False).status_code == 303
    assert "C'est noté : nous vous écrirons" in asked.get("/take/merci?courriel=enregistre").text
    assert declined.post_form("/take/merci/courriel", {}, follow_redirects=False).status_code == 303
    assert 'name="email"' in by_link.get("/take/merci").text  # came by a shared link: no address yet
    missing = by_link.post_form("/take/merci/courriel", {"changes": "oui"})
    assert missing.status_code == 422 and "Indiquez l&#39;adresse électronique" in missing.text
    bad = by_link.post_form("/take/merci/courriel", {"changes": "oui", "email": "pas une adresse"})
    assert bad.status_code == 422 and "pas une adresse" in bad.text
    assert by_link.post_form("/take/merci/courriel", {"changes": "oui", "email": "Lina@Exemple.fr"},
                             follow_redirects=False).status_code == 303
    opt_ins = list(db.query("SELECT * FROM mail_opt_ins ORDER BY participant_id"))
    assert [row["wording"] for row in opt_ins] == ["changes-1", "changes-1"] and all(row["opted_in_at"] for row in opt_ins)
    (own,) = asked.get("/take/mes-donnees.json").json()["mail"]["asked_to_hear_what_changed"]
    assert own["wording"] == "changes-1" and own["opted_in_at"]  # part of "download my contributions"

    with write(db):
        v2 = new_iteration(db, prototype_id=lab.prototype_id, user_id=None)
        update_iteration(db, iteration_id=v2, spec_yaml=VOIRIE, changelog="- Une carte pour situer le problème\n- Moins de champs")
    assert app.state.worker.drain() == 0, "a draft changes nothing"
    staff = login_as("staff")
    now = utcnow()
    for title in ("Test v2", "Test v2, second groupe"):
        created = staff.post_form("/lab/deployments", {"title": title, "iteration_a": str(v2), "groups": [str(lab.group_id)],
                                                       "opens_at": form_time(now), "closes_at": form_time(now + timedelta(days=9))},
                                  follow_redirects=False)
        assert created.status_code == 303
    assert app.state.worker.drain() == 2
    told = _by_recipient(relay)
    assert set(told) == {f"p{lab.participants[0]['id']}@ville.test", "lina@exemple.fr"}
    message = told["lina@exemple.fr"]
    assert message.message["Subject"] == "Ce qui a changé grâce à vous : « Signaler une anomalie sur la voie publique »"
    assert "- Une carte pour situer le problème" in message.part("plain") and "<li>Moins de champs</li>" in message.part("html")
    link = next(line for line in message.part("plain").splitlines() if "/courriels/changements/" in line).split(": ", 1)[1]
    page = citizen().get(_path(link))
    assert page.status_code == 200 and "Une carte pour situer le problème" in page.text
    assert citizen().get("/courriels/changements/1.AAAAAAAAAAAAAAAAAAAAAAAA").status_code == 404


def test_opening_the_unsubscribe_page_changes_nothing_its_button_does(app, db, settings, users, citizen, login_as, relay):
    lab, addresses, staff = _invited(app, db, settings, users, login_as, 2)
    url = _path(_by_recipient(relay)[addresses[0]].message["List-Unsubscribe"])
    person = citizen()
    page = person.get(url)
    assert page.status_code == 200 and "Me désinscrire" in page.text
    assert db.execute("SELECT COUNT(*) FROM mail_preferences WHERE unsubscribed_at IS NOT NULL").fetchone()[0] == 0
    with write(db):  # something waits for them when they unsubscribe
        db.execute("UPDATE outbox SET status = 'queued' WHERE participant_id = ?", [lab.participants[0]["id"]])
    done = person.post(url)  # the page's form: no CSRF token needed, the signed link is the credential
    assert done.status_code == 200 and "vous ne recevrez plus aucun courriel" in done.text
    assert "vous ne recevrez plus aucun courriel" in person.get(url).text
    assert db.execute("SELECT status, last_reply FROM outbox WHERE participant_id = ?",
                      [lab.participants[0]["id"]]).fetchone() == ("cancelled", "unsubscribed")
    chosen = staff.post_form(f"/lab/deployments/{lab.deployment_id}/courriels/invitations",
                             {"qui": "choix", "participants": [str(lab.participants[0]["id"])]})
    assert chosen.status_code == 422 and "Personne à inviter" in chosen.text
    for forged in (url[:-3] + "abc", "/courriels/desinscription/1.x", "/courriels/desinscription/" + "9" * 40):
        assert citizen().post(forged).status_code == 404
        assert citizen().get(forged).status_code == 404


def test_erasure_and_purge_remove_the_messages_and_keep_only_counts(app, db, settings, users, citizen, login_as, relay):
    lab, addresses, staff = _invited(app, db, settings, users, login_as, 3)
    person = citizen()
    _finish(person, lab.tokens[0])
    person.post_form("/take/merci/courriel", {"changes": "oui"})
    assert person.post_form("/take/effacer", follow_redirects=False).status_code == 303
    first = lab.participants[0]["id"]
    for table in ("outbox", "mail_opt_ins", "mail_preferences", "participant_contacts"):
        assert db.execute(f"SELECT COUNT(*) FROM {table} WHERE participant_id = ?", [first]).fetchone()[0] == 0, table
    assert db.execute("SELECT count FROM outbox_tallies WHERE status = 'sent'").fetchone()[0] == 1

    manager = login_as("manager")
    for path in (f"/reports/iterations/{lab.iteration_id}/data.json", f"/reports/iterations/{lab.iteration_id}/comments.csv",
                 f"/reports/iterations/{lab.iteration_id}/opendata.zip"):
        export = manager.get(path)
        assert export.status_code == 200, path
        if path.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
                content = b"".join(archive.read(name) for name in archive.namelist())
        else:
            content = export.content
        assert not any(address.encode() in content for address in addresses), path

    with write(db):
        counts = purge_deployment(db, lab.deployment_id, now=utcnow(), hooks=FORGET_HOOKS)
    assert counts["outbox"] == 2 and db["outbox"].count == 0
    assert db.execute("SELECT SUM(count) FROM outbox_tallies WHERE status = 'sent'").fetchone()[0] == 3
    page = staff.get("/lab/courriels").text
    assert "Dont 3 messages de personnes effacées ou de sessions purgées" in page
