"""Staff, in a real Chromium: spec → prototype → v2 with changelog and diff → deploy → print invitations."""

import re
from datetime import datetime, timedelta

from playwright.sync_api import expect

from prototypes import EXAMPLES_DIR
from tests.support import PASSWORD, assert_accessible, login

VOIRIE = (EXAMPLES_DIR / "voirie.yaml").read_text(encoding="utf-8")


def test_staff_builds_and_deploys_a_prototype(page, users):
    login(page, "staff@ville.test", PASSWORD)

    page.goto("/lab/groups")
    assert_accessible(page)
    page.get_by_label("Nom du groupe").fill("Seniors quartier Nord")
    page.get_by_role("button", name="Créer le groupe").click()
    page.get_by_label("Nombre de participant·es").fill("5")
    page.get_by_role("button", name="Créer les codes").click()
    expect(page.locator("th[scope=row] code", has_text=re.compile(r"^P-[2-9A-Z]{4}$"))).to_have_count(5)
    assert_accessible(page)

    page.goto("/lab/prototypes/new")
    assert_accessible(page)
    editor = page.get_by_label("Description du prototype (YAML)")
    editor.fill(VOIRIE.replace("type: address", "type: adresse", 1))
    status = page.locator("#spec-status")
    status.get_by_text("problème à corriger").wait_for()
    assert "champ « adresse »" in status.inner_text()
    assert_accessible(page)
    editor.fill(VOIRIE)
    status.get_by_text("Description valide").wait_for()
    page.get_by_role("button", name="Créer le prototype").click()
    page.get_by_role("heading", name="Signaler une anomalie sur la voie publique – v1").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Signaler une anomalie sur la voie publique").first.click()
    page.get_by_label("Ce qui va changer et pourquoi (facultatif)").fill("Les testeurs cherchaient la photo.")
    page.get_by_role("button", name="Créer v2 à partir de v1").click()
    editor = page.get_by_label("Description du prototype (YAML)")
    editor.fill(VOIRIE.replace("label: Photo du problème", "label: Photo (recommandée)", 1))
    page.get_by_label("Ce qui a changé et pourquoi").fill("Vous cherchiez la photo : nous l'annonçons plus clairement.")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("heading", name="Changements depuis v1").wait_for()
    assert "« Photo du problème » renommé en « Photo (recommandée) »" in page.content()
    assert "nous l'annonçons plus clairement" in page.content()
    assert_accessible(page)

    page.get_by_role("link", name="Prévisualiser").click()
    page.get_by_role("heading", name="Où se trouve le problème ?").wait_for()
    assert_accessible(page)
    page.go_back()

    page.get_by_role("link", name="Déployer").click()
    page.get_by_label("Titre de la session").fill("Test voirie v2 – quartier Nord")
    page.get_by_label("Itération à tester (variante A)").select_option(label="Signaler une anomalie sur la voie publique – v2")
    page.get_by_label("Seniors quartier Nord").check()
    now = datetime.now()
    page.get_by_label("Ouverture").fill((now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Fermeture").fill((now + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"))
    assert_accessible(page)
    page.get_by_role("button", name="Déployer").click()
    page.get_by_text("Test voirie v2 – quartier Nord").first.wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Imprimer les invitations").click()
    cards = page.locator(".sheet > li")
    expect(cards).to_have_count(5)
    assert page.locator(".sheet svg title").count() == 5
    assert "/t/" in cards.first.inner_text()
    assert_accessible(page)
