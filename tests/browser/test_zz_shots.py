import pytest
from lab import organisation
from lab.clock import utcnow, local_today
from lab.db import write
from lab.demo.catalogue import ORGANISATION
from pathlib import Path
from tests.factories import make_lab, make_pilot, add_trial, SATISFIED, DISSATISFIED
from tests.support import PASSWORD, login

OUT = Path("/tmp/cm/shots")
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_shots_citizen(browser, live_server, db, settings, users, size):
    with write(db):
        organisation.save(db, organisation.OrganisationForm(**ORGANISATION), now=utcnow(), user_id=None)
        organisation.set_logo(db, Path("lab/demo/data/logo-rivebelle.png").read_bytes(), now=utcnow())
    lab = make_lab(db, settings, users, count=1, sus=True, umux_lite=True)
    ctx = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport=SIZES[size])
    page = ctx.new_page()
    shot = lambda name: page.screenshot(path=str(OUT / f"{size}-{name}.png"), full_page=True)
    page.goto(f"/t/{lab.tokens[0]}")
    shot("1-welcome")
    page.get_by_label("J'ai lu ces informations").check()
    page.get_by_role("button", name="Commencer le test").click()
    page.get_by_role("button", name="Continuer").click()
    page.locator(".error-summary").wait_for()
    shot("2-step1-error")
    page.get_by_label("Adresse ou lieu").fill("parking de la salle des fêtes")
    page.get_by_role("button", name="Continuer").click()
    page.locator("#f-categorie").select_option("Trottoir dégradé")
    page.get_by_label("Non", exact=True).check()
    page.get_by_label("Un commentaire sur cette étape ?").fill("Mon voisin M. Jean Dupont au 06 12 34 56 78 a vu le trou aussi")
    page.get_by_role("button", name="Continuer").click()
    page.locator("#pii-warning").wait_for()
    shot("3-pii-warning")
    page.get_by_label("Envoyer mon commentaire tel quel").check()
    page.get_by_role("button", name="Continuer").click()
    today = local_today()
    page.get_by_label("Date du constat").fill(today.replace(year=today.year + 1).isoformat())
    page.get_by_label("Photo du problème").set_input_files({"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"})
    page.get_by_role("button", name="Continuer").click()
    page.locator(".error-summary").wait_for()
    shot("4-constat-errors")
    page.get_by_label("Date du constat").fill("2026-03-02")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url("**/take/questionnaire")
    shot("5-questionnaire-1")
    page.get_by_role("button", name="Continuer").click()
    page.locator(".error-summary").wait_for()
    shot("5b-questionnaire-1-errors")
    for group in page.locator(".question fieldset").all():
        group.locator(".scale__option").nth(1).click()
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/take/questionnaire/2")
    shot("6-questionnaire-2")
    for group in page.locator(".question fieldset").all():
        group.locator(".scale__option").nth(2).click()
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.wait_for_url("**/take/merci")
    page.goto("/take/mes-donnees")
    shot("7-my-data")
    ctx.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_shots_manager(browser, live_server, db, users, size):
    pilot = make_pilot(db, iterations=3, people=60, user_id=users["staff"].id)
    for index, finished in ((0, 4), (1, 7), (2, 12)):
        for i in range(12):
            add_trial(db, pilot, index, reached=4 if i < finished else 1, answers=SATISFIED if i < finished else DISSATISFIED)
    ctx = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport=SIZES[size])
    page = ctx.new_page()
    login(page, users["manager"].email, PASSWORD)
    page.goto(f"/reports/prototypes/{pilot.prototype_id}/comparaison?a={pilot.iterations[0]}&b={pilot.iterations[2]}")
    page.screenshot(path=str(OUT / f"{size}-8-comparison.png"), full_page=True)
    page.goto(f"/reports/iterations/{pilot.iterations[2]}/print")
    page.screenshot(path=str(OUT / f"{size}-9-print.png"), full_page=False)
    page.goto(f"/reports/iterations/{pilot.iterations[2]}")
    page.locator(".lang-switch button").click()
    page.wait_for_load_state()
    page.screenshot(path=str(OUT / f"{size}-10-report-en.png"), full_page=False)
    ctx.close()
