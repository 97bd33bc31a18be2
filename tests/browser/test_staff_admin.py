"""Staff and admins in a real Chromium: their homes, a temporary password replaced, the audit log filtered,
the spec editor's reference panel on a phone and its live changes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from prototypes import EXAMPLES_DIR
from tests.factories import make_lab
from tests.support import PASSWORD, assert_accessible, login

pytestmark = pytest.mark.browser
VOIRIE = (EXAMPLES_DIR / "voirie.yaml").read_text(encoding="utf-8")
NEW = "une toute nouvelle phrase de passe"


def test_each_role_lands_on_its_home(page, users, db, settings):
    make_lab(db, settings, users)
    login(page, "staff@ville.test", PASSWORD)
    expect(page).to_have_url(f"{page.url.split('/lab')[0]}/lab")
    expect(page.get_by_role("heading", name="Sessions de test")).to_be_visible()
    expect(page.get_by_role("link", name="Signalement voirie")).to_be_visible()
    expect(page.get_by_role("heading", name="Analyses en attente")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Se déconnecter").click()
    login(page, "admin@ville.test", PASSWORD)
    expect(page.get_by_role("heading", name="Administration", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Se déconnecter").click()
    login(page, "manager@ville.test", PASSWORD)
    assert page.url.endswith("/reports")


def test_a_new_account_replaces_its_temporary_password_first(page, browser, live_server, users):
    login(page, "admin@ville.test", PASSWORD)
    page.goto("/admin/users")
    expect(page.get_by_label("Direction")).to_be_checked()  # least privilege preselected
    assert_accessible(page)
    page.get_by_label("Adresse électronique").fill("agent@ville.test")
    page.get_by_label("Équipe du laboratoire").check()
    page.get_by_label("Mot de passe provisoire").fill("provisoire-rivebelle")
    page.get_by_role("button", name="Créer le compte").click()
    expect(page.get_by_role("link", name="agent@ville.test")).to_be_visible()

    agent = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 390, "height": 844}).new_page()
    login(agent, "agent@ville.test", "provisoire-rivebelle")
    expect(agent.get_by_role("heading", name="Choisissez votre mot de passe")).to_be_visible()
    expect(agent.get_by_role("navigation", name="Menu principal")).to_have_count(0)
    agent.goto("/lab/prototypes")
    expect(agent.get_by_role("heading", name="Choisissez votre mot de passe")).to_be_visible()
    agent.get_by_label("Mot de passe provisoire").fill("provisoire-rivebelle")
    agent.get_by_label("Nouveau mot de passe", exact=True).fill(NEW)
    agent.get_by_label("Le nouveau mot de passe, une seconde fois").fill(NEW + "?")
    agent.get_by_role("button", name="Enregistrer mon mot de passe").click()
    summary = agent.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Les deux saisies du nouveau mot de passe sont différentes.")).to_be_visible()
    assert_accessible(agent)
    agent.get_by_label("Mot de passe provisoire").fill("provisoire-rivebelle")
    agent.get_by_label("Nouveau mot de passe", exact=True).fill(NEW)
    agent.get_by_label("Le nouveau mot de passe, une seconde fois").fill(NEW)
    agent.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(agent.get_by_role("heading", name="Bonjour agent@ville.test")).to_be_visible()
    assert agent.url.endswith("/lab")
    agent.context.close()

    page.goto("/admin/audit")
    page.get_by_label("Action").select_option(label="Changement de son propre mot de passe")
    page.get_by_role("button", name="Filtrer").click()
    entries = page.locator(".audit-log__entry")
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("agent@ville.test (agent@ville.test) a changé son mot de passe")
    assert_accessible(page)


def test_the_spec_reference_works_on_a_phone_with_a_keyboard(browser, live_server, users):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, "staff@ville.test", PASSWORD)
    page.goto("/lab/prototypes/new")
    page.get_by_role("link", name="Aide-mémoire du format : types de champ, clés, exemples").press("Enter")
    panel = page.locator("#aide-format")
    expect(panel).to_be_in_viewport()
    yesno = panel.locator("summary", has_text="yesno")
    yesno.focus()
    page.keyboard.press("Enter")
    expect(panel.get_by_text('- {key: danger, type: yesno, label: "Y a-t-il un danger immédiat ?", required: true}')).to_be_visible()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone

    editor = page.get_by_label("Description du prototype (YAML)")
    editor.fill(VOIRIE.replace("type: address", "type: ouinon", 1))
    expect(page.locator("#spec-status")).to_contain_text("vouliez-vous dire « yesno » ?")
    context.close()


def test_the_changes_since_v1_follow_the_typing(page, users, db, settings):
    lab = make_lab(db, settings, users)
    login(page, "staff@ville.test", PASSWORD)
    page.goto(f"/lab/prototypes/{lab.prototype_id}")
    page.get_by_role("button", name="Créer v2 à partir de v1").click()
    changes = page.locator("#spec-diff")
    expect(changes).to_contain_text("Aucun changement de structure")
    page.get_by_label("Description du prototype (YAML)").fill(VOIRIE.replace("label: Point de repère", "label: Repère visible", 1))
    expect(changes).to_contain_text("Champ « Point de repère » renommé en « Repère visible »")
    page.get_by_label("Description du prototype (YAML)").fill(VOIRIE.replace("type: address", "type: adresse", 1))
    expect(changes).to_contain_text("les changements s'afficheront dès qu'elle sera valide")
    assert_accessible(page)
