"""Staff's mail pages: previews, a test at one's own address, choosing whom to invite, and a server with no relay."""

import re

import pytest

from lab.app import create_app
from lab.db import write
from lab.settings import SmtpSettings
from prototypes.store import new_iteration, update_iteration
from tests.factories import VOIRIE, give_addresses, make_lab
from tests.support import Browser, Citizen, assert_staff_only

pytestmark = pytest.mark.mail  # every app here sends to the test relay


def test_without_a_relay_pages_say_so_and_nothing_is_queued(db, lab, settings, users):
    give_addresses(db, lab.participants)
    app = create_app(settings.with_(smtp=SmtpSettings()))
    staff, person = Browser(app, base_url="http://testserver"), Citizen(app, base_url="http://testserver")
    staff.login(users["staff"].email)
    page = staff.get(f"/lab/deployments/{lab.deployment_id}/courriels")
    assert page.status_code == 200 and "aucun message ne sera envoyé" in page.text
    assert "Envoyer les invitations" not in page.text
    assert "aucun message ne sera envoyé" in staff.get("/lab/courriels").text
    for url, form in ((f"/lab/deployments/{lab.deployment_id}/courriels/invitations", {"qui": "nouveaux"}),
                      (f"/lab/deployments/{lab.deployment_id}/courriels/essai", {"kind": "invitation"})):
        refused = staff.post_form(url, form)
        assert refused.status_code == 409 and "LAB_SMTP" in refused.text
    person.enter(lab.tokens[0])
    person.consent()
    person.walk_steps()
    person.questionnaire()
    assert "Être prévenu·e par courriel" not in person.get("/take/merci").text  # nothing would ever be sent
    assert person.post_form("/take/merci/courriel", {"changes": "oui"}).status_code == 409
    assert app.state.deployment_hooks == () and db["outbox"].count == 0


@pytest.mark.parametrize("kind", ["invitation", "reminder", "changes"])
def test_every_message_can_be_previewed_in_both_languages_then_tried_at_ones_own_address(app, db, kind, relay, users,
                                                                                         login_as, settings):
    lab = make_lab(db, settings, users, count=1)
    with write(db):
        v2 = new_iteration(db, prototype_id=lab.prototype_id, user_id=None)
        update_iteration(db, iteration_id=v2, spec_yaml=VOIRIE, changelog="- Une carte\n- Moins de champs")
    staff = login_as("staff")
    base = f"/lab/deployments/{lab.deployment_id}/courriels/apercu/{kind}"
    page = staff.get(base)
    assert page.status_code == 200 and "Version texte" in page.text and "staff@ville.test" in page.text
    assert "/t/exemple" in page.text or kind == "changes"
    if kind == "changes":
        assert "- Une carte" in page.text, "the next version's changelog, as it stands"
    english = staff.get(base + "?langue=en")
    assert ("Hello," in english.text) and ('lang="en"' in english.text)
    html = staff.get(base + "/html")
    csp = html.headers["content-security-policy"]
    assert html.status_code == 200 and html.text.startswith("<!doctype html>")
    assert re.search(r"style-src 'sha256-[A-Za-z0-9+/=]+'", csp) and "unsafe-inline" not in csp and "img-src 'none'" in csp
    assert staff.get(f"/lab/deployments/{lab.deployment_id}/courriels/apercu/inconnu").status_code == 404
    sent = staff.post_form(f"/lab/deployments/{lab.deployment_id}/courriels/essai", {"kind": kind, "langue": "en"},
                           follow_redirects=False)
    assert sent.status_code == 303
    assert "Un essai part vers staff@ville.test" in staff.get(sent.headers["location"]).text
    assert app.state.worker.drain() == 1
    (mail,) = relay.received
    assert mail.recipients == ["staff@ville.test"] and "Hello," in mail.part("plain")
    assert f"/t/{lab.tokens[0]}" not in mail.part("plain"), "a test never carries anyone's link"


def test_staff_choose_whom_to_invite_and_see_each_persons_state(app, db, relay, users, login_as, settings):
    lab = make_lab(db, settings, users, count=4)
    give_addresses(db, lab.participants[:3])
    staff = login_as("staff")
    url = f"/lab/deployments/{lab.deployment_id}/courriels"
    page = staff.get(url).text
    assert "3 personnes avec une adresse" in page and page.split('class="recipients"')[1].count("pas encore") == 3
    first, second = (str(p["id"]) for p in lab.participants[:2])
    assert staff.post_form(url + "/invitations", {"qui": "choix", "participants": [first, second, "999", "x"]},
                           follow_redirects=False).status_code == 303
    assert "en attente" in staff.get(url).text
    again = staff.post_form(url + "/invitations", {"qui": "choix", "participants": [first]})
    assert again.status_code == 422, "already waiting for one"
    assert app.state.worker.drain() == 2
    staff.post_form(url + "/invitations", {"qui": "nouveaux"})  # only the third has not been invited yet
    assert app.state.worker.drain() == 1
    table = staff.get(url).text.split('class="recipients"')[1]
    assert table.count("badge--mail-sent") == 3
    assert len(relay.received) == 3
    nobody = staff.post_form(url + "/invitations", {"qui": "nouveaux"})
    assert nobody.status_code == 422 and "Personne à inviter" in nobody.text
    refused = staff.post_form(url + "/reglages", {"reminder_days": "90", "mediator_phone": "pas un numéro"})
    assert refused.status_code == 422 and "entre 1 et 60" in refused.text and "Numéro de téléphone invalide" in refused.text
    assert staff.get("/lab/courriels?etat=sent").text.count("badge--mail-sent") >= 3
    assert "Aucun message." in staff.get("/lab/courriels?etat=bounced").text


def test_mail_pages_are_for_staff_only(client, login_as, lab):
    base = f"/lab/deployments/{lab.deployment_id}/courriels"
    routes = [("GET", "/lab/courriels"), ("GET", base), ("GET", base + "/apercu/invitation"),
              ("GET", base + "/apercu/invitation/html"), ("POST", base + "/invitations"), ("POST", base + "/reglages"),
              ("POST", base + "/essai"), ("POST", "/lab/courriels/1/renvoyer")]
    assert_staff_only(client, login_as("staff"), login_as("manager"), routes, {"x": "1"})
