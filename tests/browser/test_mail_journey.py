"""E-mail end to end in a real Chromium: staff preview and send, the message arrives at a real SMTP server,
its links are followed (the invitation, "tell me what changed", unsubscribe), every page accessible."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from lab.app import create_app
from lab.campaigns.deployments import form_time
from lab.clock import utcnow
from lab.db import opened, write
from prototypes.store import new_iteration, update_iteration
from tests.browser.conftest import LiveServer
from tests.factories import VOIRIE, give_addresses, make_lab
from tests.mail_server import free_port
from tests.support import PASSWORD, STEP_ANSWERS, assert_accessible, login

#: The questionnaire's pages as a phone shows them: the core questions, then SUS on a page of its own.
QUESTIONNAIRE_PAGES = ({"q-satisfaction": "3", "q-ease": "4", "q-clarity": "5", "q-help_needed": "0"},
                       {f"q-sus_{i}": str(1 + i % 5) for i in range(1, 11)})


pytestmark = pytest.mark.mail


@pytest.fixture
def live_server(settings):
    """The app with its worker running, sending to the test relay, its links naming the port it serves on."""
    port = free_port()
    app = create_app(settings.with_(base_url=f"http://127.0.0.1:{port}", start_workers=True))
    with LiveServer(app, port=port) as server:
        yield server


def _arrived(relay, count: int) -> None:
    deadline = time.monotonic() + 20
    while len(relay.received) < count:
        assert time.monotonic() < deadline, f"{len(relay.received)} of {count} messages arrived"
        time.sleep(0.05)


def _fill(page, answers: dict) -> None:
    """Answer a form by field name: radio buttons by value, lists by option, everything else typed."""
    for name, value in answers.items():
        field = page.locator(f'[name="{name}"]').first
        if field.get_attribute("type") == "radio":
            page.locator(f'[name="{name}"][value="{value}"]').check()
        elif field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(value)
        elif value:
            field.fill(value)


def _finish_test(page) -> None:
    page.get_by_label("J'ai lu ces informations").check()
    page.get_by_role("button", name="Commencer le test").click()
    for answers in STEP_ANSWERS.values():
        page.locator(".step__progress").wait_for()
        _fill(page, answers)
        page.get_by_role("button", name=re.compile("^(Continuer|Valider)$")).click()
    page.get_by_role("heading", name="Votre avis sur cette démarche").wait_for()
    core, sus = QUESTIONNAIRE_PAGES
    _fill(page, core)
    page.get_by_role("button", name="Continuer").click()
    page.get_by_role("heading", name="Votre expérience du service").wait_for()
    _fill(page, sus)
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.get_by_role("heading", name="Merci pour votre participation !").wait_for()


def test_invitation_opt_in_what_changed_and_unsubscribe_through_real_messages(page, live_server, settings, users, relay):
    with opened(settings.db_path) as db:
        lab = make_lab(db, settings, users, count=2)
        (address, _other) = give_addresses(db, lab.participants, names=["Jeanne Martin"])

    login(page, "staff@ville.test", PASSWORD)
    page.goto(f"/lab/deployments/{lab.deployment_id}")
    page.get_by_role("link", name="Courriels de cette session").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Courriels de la session")
    assert_accessible(page)
    page.get_by_role("link", name="Aperçu de l'invitation").click()
    expect(page.locator("pre.mail-text")).to_contain_text("/t/exemple")
    assert_accessible(page)
    page.get_by_role("link", name="Ouvrir la version HTML").click()
    expect(page.get_by_role("link", name="Commencer le test")).to_be_visible()
    assert_accessible(page)  # the HTML letter itself
    page.go_back()
    page.get_by_role("button", name="M'envoyer un essai à staff@ville.test").click()
    expect(page.get_by_role("status")).to_contain_text("Un essai part vers staff@ville.test")
    _arrived(relay, 1)
    page.goto(f"/lab/deployments/{lab.deployment_id}/courriels")
    page.get_by_role("button", name="Envoyer les invitations").click()
    _arrived(relay, 3)
    page.reload()
    expect(page.locator(".recipients .badge--mail-sent")).to_have_count(2)
    page.goto("/lab/courriels")
    assert_accessible(page)

    invitation = next(item for item in relay.received if item.recipients == [address])
    citizen = page.context.browser.new_context(base_url=live_server.url, locale="fr-FR").new_page()
    citizen.set_content(invitation.part("html"))
    assert_accessible(citizen)  # the letter as a mail client shows it
    citizen.get_by_role("link", name="Commencer le test").click()
    expect(citizen.get_by_role("heading", level=1)).to_contain_text("Aidez-nous à améliorer")
    _finish_test(citizen)
    box = citizen.get_by_label("Je souhaite recevoir un courriel")
    expect(box).not_to_be_checked()
    assert_accessible(citizen)
    box.check()
    citizen.get_by_role("button", name="Enregistrer mon choix").click()
    expect(citizen.get_by_role("status").filter(has_text="C'est noté")).to_contain_text(address)
    assert_accessible(citizen)

    with opened(settings.db_path) as db, write(db):
        v2 = new_iteration(db, prototype_id=lab.prototype_id, user_id=None)
        update_iteration(db, iteration_id=v2, spec_yaml=VOIRIE, changelog="- Une carte pour situer le problème")
    page.goto(f"/lab/deployments/new?iteration={v2}&group={lab.group_id}")
    page.get_by_label("Titre de la session").fill("Test v2")
    page.get_by_label("Ouverture").fill(form_time(utcnow()))
    page.get_by_label("Fermeture").fill(form_time(utcnow() + timedelta(days=10)))
    page.get_by_role("button", name="Déployer").click()
    _arrived(relay, 4)
    told = relay.received[-1]
    assert told.recipients == [address] and told.message["Subject"].startswith("Ce qui a changé grâce à vous")
    citizen.set_content(told.part("html"))
    citizen.get_by_role("link", name="Voir ce qui a changé").click()
    expect(citizen.get_by_role("heading", name="Ce qui a changé grâce à vous")).to_be_visible()
    expect(citizen.get_by_text("Une carte pour situer le problème")).to_be_visible()
    assert_accessible(citizen)

    citizen.set_content(told.part("html"))
    citizen.get_by_role("link", name="Ne plus recevoir de courriel de notre part").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Ne plus recevoir de courriel")
    assert_accessible(citizen)
    citizen.get_by_role("button", name="Me désinscrire").click()
    expect(citizen.get_by_role("status")).to_contain_text("vous ne recevrez plus aucun courriel")
    assert_accessible(citizen)
    citizen.context.close()
