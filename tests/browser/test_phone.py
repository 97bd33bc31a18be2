"""A citizen on a phone (390 × 844) in Chromium: a short questionnaire, errors that name their field, the
formats a file field takes, dates the French way, and the collectivité named on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lab import organisation
from lab.clock import local_today, utcnow
from lab.db import write
from lab.demo.catalogue import ORGANISATION
from tests.factories import make_lab
from tests.support import assert_accessible

PHONE = {"width": 390, "height": 844}
#: A questionnaire page may be as long as three phone screens, no longer.
MAX_HEIGHT = 3 * PHONE["height"]


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized Chromium page; any request to another host fails the test."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True)
    foreign: list[str] = []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live_server.url)
                  else (foreign.append(route.request.url), route.abort()))
    page = context.new_page()
    yield page
    context.close()
    assert not foreign


def _submit(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def _start(page, token: str) -> None:
    page.goto(f"/t/{token}")
    page.get_by_label("J'ai lu ces informations").check()
    _submit(page, "Commencer le test")
    expect(page.locator(".step__progress")).to_have_text("Étape 1 sur 4")


def _to_questionnaire(page, token: str) -> None:
    _start(page, token)
    page.get_by_label("Adresse ou lieu").fill("parking de la salle des fêtes")
    _submit(page, "Continuer")
    page.locator("#f-categorie").select_option("Trottoir dégradé")
    page.get_by_label("Non", exact=True).check()
    _submit(page, "Continuer")
    page.get_by_label("Date du constat").fill("2026-03-02")
    _submit(page, "Continuer")
    _submit(page, "Valider")
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre avis sur cette démarche")


def _height(page) -> int:
    return page.evaluate("() => document.documentElement.scrollHeight")


def _check_scales(page) -> None:
    """Every answer is a box of at least 44 × 44 px, and a question's answers sit on one row."""
    for group in page.locator(".question fieldset").all():
        boxes = [option.bounding_box() for option in group.locator(".scale__option").all()]
        assert boxes and all(box["width"] >= 44 and box["height"] >= 44 for box in boxes), boxes
        assert len({round(box["y"]) for box in boxes}) == 1, boxes
        assert boxes[-1]["x"] + boxes[-1]["width"] <= PHONE["width"], boxes


def test_the_questionnaire_fits_three_phone_screens_a_page_with_thumb_sized_scales(phone, db, settings, users):
    """Before: 14 to 16 radio lists on one page, 5,926 px with SUS and 6,883 px with UMUX-Lite too, at 390 × 844."""
    lab = make_lab(db, settings, users, count=1, sus=True, umux_lite=True)
    _to_questionnaire(phone, lab.tokens[0])
    heights = [_height(phone)]
    expect(phone.locator(".step__progress")).to_have_text("Questionnaire, page 1 sur 2")
    _check_scales(phone)
    assert_accessible(phone)
    # The keyboard moves along a scale as along any radio group.
    phone.locator("#q-ease").focus()
    phone.keyboard.press("ArrowRight")
    expect(phone.locator("#q-ease-2")).to_be_checked()
    expect(phone.get_by_role("radio", name="5 – Très facile")).to_have_count(1)
    for group in phone.locator(".question fieldset").all():
        group.locator(".scale__option").last.click()
    _submit(phone, "Continuer")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Votre expérience du service")
    heights.append(_height(phone))
    _check_scales(phone)
    assert_accessible(phone)
    for group in phone.locator(".question fieldset").all():
        group.locator(".scale__option").nth(2).click()
    _submit(phone, "Envoyer mon avis")
    expect(phone.get_by_role("heading", name="Merci pour votre participation !")).to_be_visible()
    print(f"\nquestionnaire pages at 390 × 844 (SUS and UMUX-Lite): {heights} px, at most {MAX_HEIGHT}")
    assert all(height <= MAX_HEIGHT for height in heights), heights
    assert db["responses"].count == 16


def test_error_summaries_name_their_field_and_match_the_hints(phone, db, settings, users):
    lab = make_lab(db, settings, users, count=1)
    _start(phone, lab.tokens[0])
    expect(phone.get_by_text("Un lieu approximatif suffit")).to_have_count(0)  # v1's hint: an example of a place
    _submit(phone, "Continuer")
    summary = phone.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(["Adresse ou lieu : indiquez une adresse ou un lieu."])
    expect(phone.locator("#f-adresse-error")).to_have_text("Erreur : Indiquez une adresse ou un lieu.")
    assert_accessible(phone)
    phone.get_by_label("Adresse ou lieu").fill("parking de la salle des fêtes")  # the hint's own example is enough
    _submit(phone, "Continuer")
    phone.locator("#f-categorie").select_option("Trottoir dégradé")
    phone.get_by_label("Non", exact=True).check()
    _submit(phone, "Continuer")
    expect(phone.locator(".step__progress")).to_have_text("Étape 3 sur 4")

    # A date of observation in the future and a text file as the photo are refused, each named.
    today = local_today()
    date_input = phone.get_by_label("Date du constat")
    assert date_input.get_attribute("max") == today.isoformat()
    date_input.fill(today.replace(year=today.year + 1).isoformat())
    phone.get_by_label("Photo du problème").set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": "Le trottoir est abîmé.".encode()})
    expect(phone.get_by_text("Formats acceptés : JPG ou PNG. Taille maximale : 5 Mo.")).to_be_visible()
    _submit(phone, "Continuer")
    expect(summary.get_by_role("link")).to_have_text([
        f"Date du constat : saisissez une date comprise entre le 01/01/2026 et le {today:%d/%m/%Y}.",
        "Photo du problème : ce fichier n'est pas dans un format accepté. Formats acceptés : JPG ou PNG.",
    ])
    summary.get_by_role("link").last.click()
    expect(phone.locator("#f-photo")).to_be_focused()
    assert_accessible(phone)
    assert db["answers"].count_where("field_key = 'photo'") == 0


def test_the_collectivite_is_named_on_every_citizen_page(phone, db, settings, users):
    with write(db):
        organisation.save(db, ORGANISATION, now=utcnow(), user_id=None)
    lab = make_lab(db, settings, users, count=1, sus=False)
    seen = []

    def named(expected_heading: str) -> None:
        expect(phone.get_by_role("heading", level=1)).to_contain_text(expected_heading)
        expect(phone.locator(".brand__name")).to_have_text("Rivebelle")
        expect(phone.locator(".site-footer")).to_contain_text("Ville de Rivebelle")
        seen.append(re.sub(r"^https?://[^/]+", "", phone.url))

    phone.goto("/t/inconnu-000000000000000000")
    named("Lien non valide")
    phone.goto(f"/t/{lab.tokens[0]}")
    named("Aidez-nous à améliorer")
    expect(phone.locator(".privacy-notice")).to_contain_text("Ville de Rivebelle, par l'intermédiaire de son laboratoire")
    expect(phone.locator(".privacy-notice")).to_contain_text("dpo@rivebelle.example")
    phone.get_by_label("J'ai lu ces informations").check()
    _submit(phone, "Commencer le test")
    named("Où se trouve le problème ?")
    phone.get_by_label("Adresse ou lieu").fill("devant la mairie")
    _submit(phone, "Continuer")
    named("De quoi s'agit-il ?")
    phone.locator("#f-categorie").select_option("Trottoir dégradé")
    phone.get_by_label("Non", exact=True).check()
    _submit(phone, "Continuer")
    named("Quand avez-vous constaté le problème ?")
    phone.get_by_label("Date du constat").fill("2026-03-02")
    _submit(phone, "Continuer")
    named("Vos coordonnées")
    _submit(phone, "Valider")
    named("Votre avis sur cette démarche")
    for group in phone.locator(".question fieldset").all():
        group.locator(".scale__option").first.click()
    _submit(phone, "Envoyer mon avis")
    named("Merci pour votre participation")
    phone.get_by_role("link", name="Vos données et vos droits").click()
    named("Vos données et vos droits")
    phone.get_by_role("link", name="Effacer mes contributions").click()
    named("Effacer")
    _submit(phone, "Oui, tout effacer")
    named("Vos contributions ont été effacées")
    for path in ("/donnees-personnelles", "/accessibilite"):
        phone.goto(path)
        expect(phone.locator(".brand__name")).to_have_text("Rivebelle")
        expect(phone.locator("main")).to_contain_text("Ville de Rivebelle")
    assert len(seen) == 11, seen
