"""Domain labels written as French msgids in Python (statuses, channels, verdicts, error messages,
chart descriptions) come out in the language of the request, not in French whatever the reader chose."""

from __future__ import annotations

import re

import pytest

from tests.factories import improving_pilot

NBSP = "\u00a0"


def text_of(html: str) -> str:
    """Visible text, one space between words (no-break spaces included), for content assertions."""
    text = re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").replace("&amp;", "&").replace(NBSP, " ")
    return re.sub(r"\s+", " ", text)


# Per page: (English, French) pairs of texts built from Python labels.
REPORT = [
    ("Clear improvement: 100% vs 50% (n = 12 and 10, small sample).",
     "Amélioration nette : 100 % contre 50 % (n = 12 et 10, petit échantillon)."),
    ("Fisher's exact test", "test exact de Fisher"),
    ("Mann-Whitney test", "test de Mann-Whitney"),
    ("Completion rate", "Taux de complétion"),
    ("Satisfaction (“Yes”)", "Satisfaction (« Oui »)"),
    ("Online: 100% (12)", "En ligne : 100 % (12)"),
    ("Number of people who reached each step; in orange, those who stopped at that step. 1. ",
     "Nombre de personnes ayant atteint chaque étape ; en orange, celles qui se sont arrêtées à cette étape. 1. "),
    ("12 people, 0 stopped", "12 personnes, 0 arrêts"),
    ("12 responses. Yes: 100% (12)", "12 réponses. Oui : 100 % (12)"),
    ("5 – Very easy", "5 – Très facile"),
]
V1_REPORT = [("F, inadequate", "F, insuffisant")]
PORTFOLIO = [("Being tested", "En test"), ("Decision: scale up", "Décision : généraliser")]
ASSISTED_ENTRY = [("Paper questionnaire", "Questionnaire papier"), ("Counter or front desk", "Guichet ou accueil")]
REFUSED_ENTRY = [("<title>Error: Assisted entry – Test v2", "<title>Erreur : Saisie assistée – Test v2")]
ERROR_PAGE = [("<title>Error 404", "<title>Erreur 404"),
              ("This page does not exist or is no longer available.", "Cette page n'existe pas ou n'est plus disponible.")]


def expect(text: str, pairs: list[tuple[str, str]], lang: str) -> None:
    """Each label in the reader's language, and not in the other one."""
    shown, other = (0, 1) if lang == "en" else (1, 0)
    assert [pair[shown] for pair in pairs if pair[shown] not in text] == [], lang
    assert [pair[other] for pair in pairs if pair[other] != pair[shown] and pair[other] in text] == [], lang


@pytest.fixture
def pilot(db, users):
    return improving_pilot(db, users["staff"].id)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_report_labels_follow_the_reader_language(login_as, pilot, lang):
    manager = login_as("manager")
    manager.cookies.set("lab_lang", lang)
    expect(text_of(manager.get(f"/reports/iterations/{pilot.iterations[1]}").text), REPORT, lang)
    expect(text_of(manager.get(f"/reports/iterations/{pilot.iterations[0]}").text), V1_REPORT, lang)
    expect(text_of(manager.get("/reports").text), PORTFOLIO, lang)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_deployment_and_error_pages_follow_the_reader_language(login_as, pilot, lang):
    staff = login_as("staff")
    staff.cookies.set("lab_lang", lang)
    url = f"/lab/deployments/{pilot.deployments[1]}/saisie-assistee"
    expect(staff.get(url).text, ASSISTED_ENTRY, lang)
    refused = staff.post_form(url, {"canal": "pigeon", "personne": "x"})
    assert refused.status_code == 422
    expect(refused.text, REFUSED_ENTRY, lang)
    missing = staff.get("/lab/nowhere")
    assert missing.status_code == 404
    expect(text_of(missing.text) + missing.text, ERROR_PAGE, lang)
