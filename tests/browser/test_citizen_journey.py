"""A real Chromium walks the citizen journey with JavaScript on (htmx) and off (plain forms)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import make_lab
from tests.support import assert_accessible

PHOTO = {"name": "trottoir.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"0" * 1498}


class NoScriptChecker:
    """axe-core needs timers, which a page without JavaScript does not run: check a copy of the
    page as rendered (scripts removed, same stylesheet) in a page of its own."""

    def __init__(self, browser, base_url: str):
        self.context = browser.new_context(locale="fr-FR")
        self.page = self.context.new_page()
        self.base_url = base_url

    def __call__(self, page) -> None:
        html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.S)
        html = html.replace("<head>", f'<head><base href="{self.base_url}/">', 1)
        self.page.set_content(html, wait_until="load")
        try:
            assert_accessible(self.page)
        except AssertionError as exc:
            raise AssertionError(f"{page.url} (without JavaScript): {exc}") from None

    def close(self) -> None:
        self.context.close()


def _submit(page, name: str) -> None:
    page.get_by_role("button", name=name).click()


def _refused(page, name: str):
    """Submit with the button `name` and expect the error summary, shown and focused: the summary, to read on."""
    _submit(page, name)
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    return summary


def _walk(page, token: str, *, js: bool, assert_accessible=assert_accessible) -> str:
    """Invitation → consent → every step → questionnaire with SUS → thanks; returns the participant code."""
    page.goto(f"/t/{token}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aidez-nous à améliorer")
    assert page.url.endswith("/take") and token not in page.url
    code = page.locator("dd code").inner_text()
    assert_accessible(page)

    _refused(page, "Commencer le test")
    assert_accessible(page)
    page.get_by_label("J'ai lu ces informations").check()
    _submit(page, "Commencer le test")
    expect(page.locator(".step__progress")).to_have_text("Étape 1 sur 4")
    assert_accessible(page)

    # Step 1: a validation error, then the answer and a comment.
    _refused(page, "Continuer")
    assert "Erreur" in page.title()
    assert_accessible(page)
    page.get_by_label("Adresse ou lieu").fill("12 rue de la République")
    page.get_by_label("Un commentaire sur cette étape ?").fill("Je ne savais pas quoi mettre comme repère.")
    _submit(page, "Continuer")
    expect(page.locator(".step__progress")).to_have_text("Étape 2 sur 4")
    assert page.url.endswith("/take/etape/nature")
    if js:
        expect(page.locator("#step-title")).to_be_focused()
    assert_accessible(page)

    # Step 2: show_if on "Autre", and a comment with personal data (warned, then masked).
    precision = page.get_by_label("Précisez le type d'anomalie")
    if js:
        expect(precision).to_be_hidden()
    else:
        expect(page.get_by_text("Si vous avez répondu « Autre »")).to_be_visible()
    page.locator("#f-categorie").select_option("Autre")
    expect(precision).to_be_visible()
    precision.fill("Racine d'arbre qui soulève le trottoir")
    page.get_by_label("Oui", exact=True).check()
    expect(page.get_by_text("En cas de danger grave et immédiat", exact=True)).to_be_visible()
    page.get_by_label("Un commentaire sur cette étape ?").fill("Rappelez-moi au 06 12 34 56 78 svp")
    _submit(page, "Continuer")
    expect(page.locator("#pii-warning")).to_be_visible()
    expect(page.locator("#pii-warning")).to_contain_text("un numéro de téléphone")
    if js:
        expect(page.locator("#pii-warning")).to_be_focused()
    assert_accessible(page)
    page.get_by_label("Envoyer mon commentaire tel quel").check()
    _submit(page, "Continuer")
    expect(page.locator(".step__progress")).to_have_text("Étape 3 sur 4")
    assert_accessible(page)

    # Step 3: a date and a photo (only its name and size are kept); then back and forth.
    page.get_by_label("Date du constat").fill("2026-03-02")
    page.get_by_label("Photo du problème").set_input_files(PHOTO)
    _submit(page, "Continuer")
    expect(page.locator(".step__progress")).to_have_text("Étape 4 sur 4")
    page.get_by_role("link", name="Étape précédente").click()
    expect(page.get_by_text("Fichier déjà transmis : trottoir.png")).to_be_visible()
    _submit(page, "Continuer")
    expect(page.locator(".step__progress")).to_have_text("Étape 4 sur 4")
    assert_accessible(page)
    _submit(page, "Valider")

    # Questionnaire: the core questions and the free text, then SUS on a page of its own.
    expect(page.get_by_role("heading", name="Votre avis sur cette démarche")).to_be_visible()
    assert_accessible(page)
    expect(_refused(page, "Continuer")).to_contain_text("Êtes-vous satisfait·e de cette démarche : choisissez une réponse.")
    assert_accessible(page)
    page.locator("#q-satisfaction").check()
    page.locator("#q-ease-4").check()
    page.locator("#q-clarity-5").check()
    page.locator("#q-help_needed-0").check()
    page.get_by_label("Qu'est-ce qui vous a gêné ? Que proposez-vous ?").fill("Une carte serait plus simple.")
    _submit(page, "Continuer")
    expect(page.get_by_role("heading", name="Votre expérience du service")).to_be_visible()
    assert_accessible(page)
    for item in range(1, 11):
        page.locator(f"#q-sus_{item}-{4 if item % 2 else 2}").check()
    _submit(page, "Envoyer mon avis")
    expect(page.get_by_role("heading", name="Merci pour votre participation !")).to_be_visible()
    assert_accessible(page)
    return code


def _download_and_erase(page, db, code: str, assert_accessible=assert_accessible) -> None:
    page.get_by_role("link", name="Vos données et vos droits").click()
    expect(page.get_by_role("heading", name="Vos données et vos droits")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger mes contributions").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["participant"]["code"] == code
    (trial,) = data["trials"]
    comments = {c["step"]: c["text"] for c in trial["comments"]}
    assert comments["lieu"] == "Je ne savais pas quoi mettre comme repère."
    assert "06 12" not in comments["nature"] and "[téléphone]" in comments["nature"]
    assert {a["field"]: a["value"] for a in trial["answers"]}["photo"] == {"filename": "trottoir.png", "size": 1506,
                                                                           "type": "image/png"}
    assert {q["question"] for q in trial["questionnaire"]} >= {"satisfaction", "sus_1", "sus_10"}

    participant_id = db.execute("SELECT id FROM participants WHERE code = ?", [code]).fetchone()[0]
    assert db["trials"].count_where("participant_id = ?", [participant_id]) == 1
    page.get_by_role("link", name="Effacer mes contributions").click()
    assert_accessible(page)
    _submit(page, "Oui, tout effacer")
    expect(page.get_by_role("heading", name="Vos contributions ont été effacées")).to_be_visible()
    assert_accessible(page)
    for table, where in (("participants", "id = ?"), ("trials", "participant_id = ?"),
                         ("participant_sessions", "participant_id = ?")):
        assert db[table].count_where(where, [participant_id]) == 0, table
    for table in ("answers", "comments", "responses", "step_events"):
        assert db[table].count == 0, table


@pytest.fixture
def journey_lab(db, settings, users):
    return make_lab(db, settings, users, count=2)


def test_journey_with_javascript(page, db, journey_lab):
    code = _walk(page, journey_lab.tokens[0], js=True)
    _download_and_erase(page, db, code)


def test_a_refusal_reaches_the_citizen_with_javascript_on(page, live_server, journey_lab):
    """htmx keeps 4xx/5xx answers out of the page by default: a 429 must still be read, not swallowed."""
    from dataclasses import fields

    from feedback.limits import Limiters
    from lab.ratelimit import RateLimiter

    page.goto(f"/t/{journey_lab.tokens[0]}")
    page.get_by_label("J'ai lu ces informations").check()
    _submit(page, "Commencer le test")
    expect(page.locator(".step__progress")).to_have_text("Étape 1 sur 4")
    closed = RateLimiter(0, 600)
    live_server.server.config.app.state.feedback_limiters = Limiters(**{f.name: closed for f in fields(Limiters)})
    page.get_by_label("Adresse ou lieu").fill("12 rue de la République")
    _submit(page, "Continuer")
    expect(page.get_by_role("heading", name="Trop de tentatives")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("vos réponses déjà enregistrées sont conservées")
    assert page.title().startswith("Erreur 429")
    assert_accessible(page)


def test_a_photo_over_the_request_cap_gets_an_accessible_page_with_a_way_back(page, journey_lab):
    """Over 32 MiB the step cannot even be read: the 413 page says what to do and links back to it."""
    page.goto(f"/t/{journey_lab.tokens[0]}")
    page.get_by_label("J'ai lu ces informations").check()
    _submit(page, "Commencer le test")
    page.get_by_label("Adresse ou lieu").fill("12 rue de la République")
    _submit(page, "Continuer")
    page.locator("#f-categorie").select_option("Trottoir dégradé")
    page.get_by_label("Non", exact=True).check()
    _submit(page, "Continuer")
    expect(page.locator(".step__progress")).to_have_text("Étape 3 sur 4")
    page.get_by_label("Photo du problème").set_input_files(
        {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": b"x" * (33 * 1024 * 1024)})
    _submit(page, "Continuer")
    expect(page.get_by_role("heading", name="Envoi trop volumineux")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Revenir à la page").click()
    expect(page.locator(".step__progress")).to_have_text("Étape 3 sur 4")


def test_journey_without_javascript(browser, live_server, db, journey_lab):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", java_script_enabled=False, accept_downloads=True)
    foreign: list[str] = []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live_server.url)
                  else (foreign.append(route.request.url), route.abort()))
    checker = NoScriptChecker(browser, live_server.url)
    try:
        page = context.new_page()
        code = _walk(page, journey_lab.tokens[1], js=False, assert_accessible=checker)
        _download_and_erase(page, db, code, assert_accessible=checker)
    finally:
        context.close()
        checker.close()
    assert not foreign


def test_kiosk_and_assisted_pages_are_accessible(page, db, journey_lab, users):
    from tests.support import PASSWORD, login

    login(page, users["staff"].email, PASSWORD)
    page.goto(f"/lab/deployments/{journey_lab.deployment_id}")
    assert_accessible(page)
    page.get_by_role("link", name="Commencer une saisie assistée").click()
    assert_accessible(page)
    page.get_by_label("Téléphone").check()
    page.get_by_role("button", name="Commencer la saisie").click()
    expect(page.locator(".banner--assisted")).to_contain_text("Saisie assistée pour P-")
    assert_accessible(page)
    page.get_by_role("button", name="Terminer la saisie assistée").click()
    expect(page).to_have_url(re.compile(f"/lab/deployments/{journey_lab.deployment_id}$"))

    page.locator("#kiosk-group").select_option(str(journey_lab.group_id))
    page.get_by_role("button", name="Démarrer une borne sur cet appareil").click()
    expect(page.get_by_role("button", name="Commencer")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Commencer").click()
    page.get_by_label("J'ai lu ces informations").check()
    page.get_by_role("button", name="Commencer le test").click()
    expect(page.locator(".step__progress")).to_have_text("Étape 1 sur 4")
    expect(page.locator("#kiosk-warning")).to_be_hidden()
    assert_accessible(page)
    page.get_by_label("Adresse ou lieu").fill("5 rue du Kiosque")
    page.get_by_role("button", name="J'ai fini : laisser la place").click()
    expect(page.get_by_text("Le test précédent est terminé")).to_be_visible()
    assert "5 rue du Kiosque" not in page.content()
    assert_accessible(page)


def test_an_idle_kiosk_warns_then_clears_the_screen(page, db, journey_lab, users, monkeypatch):
    from tests.support import PASSWORD, login

    monkeypatch.setattr("feedback.routes.pages.KIOSK_SCREEN_IDLE_SECONDS", 4)
    login(page, users["staff"].email, PASSWORD)
    page.goto(f"/lab/deployments/{journey_lab.deployment_id}")
    page.get_by_role("button", name="Démarrer une borne sur cet appareil").click()
    page.get_by_role("button", name="Commencer").click()
    page.get_by_label("J'ai lu ces informations").check()
    page.get_by_role("button", name="Commencer le test").click()
    page.get_by_label("Adresse ou lieu").fill("8 rue Oubliée")
    expect(page.locator("#kiosk-warning")).to_be_visible(timeout=5000)
    expect(page.locator("#kiosk-stay")).to_be_focused()
    assert_accessible(page)
    expect(page.get_by_text("fermé après une période sans activité")).to_be_visible(timeout=8000)
    assert "8 rue Oubliée" not in page.content()
    assert db["participant_sessions"].count_where("revoked_at IS NULL") == 0
