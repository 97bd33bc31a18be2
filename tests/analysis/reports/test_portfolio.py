"""The portfolio: every pilot with its status, current iteration, key figures and trend; GET filters."""

from __future__ import annotations

import re

import pytest

from analysis.reports.decisions import record_decision
from lab.db import write
from prototypes import EXAMPLES_DIR
from prototypes.store import create_prototype
from tests.factories import add_trial, make_pilot, sus_answers

ANSWERS = {"satisfaction": 3, "ease": 4, "clarity": 4, "help_needed": 0, **sus_answers([4, 2] * 5)}


@pytest.fixture
def pilots(db, users):
    """voirie: v1 and v2 tested, decision "itérer" on v2; cantine: v1 tested by 3 people; salle: never deployed."""
    voirie = make_pilot(db, iterations=2, people=20)
    for i in range(6):
        add_trial(db, voirie, 0, reached=4 if i < 3 else 1, answers=ANSWERS if i < 3 else None)
    for _ in range(8):
        add_trial(db, voirie, 1, answers=ANSWERS)
    cantine = make_pilot(db, people=5, group="Parents", spec=(EXAMPLES_DIR / "restauration-scolaire.yaml").read_text())
    for _ in range(3):
        add_trial(db, cantine, 0, reached=0)
    with write(db):
        salle, _v1 = create_prototype(db, spec_yaml=(EXAMPLES_DIR / "salle-municipale.yaml").read_text(), user_id=None)
        record_decision(db, iteration_id=voirie.iterations[1], kind="iterate", rationale="Encore un tour.",
                        user_id=users["manager"].id)
    return {"voirie": voirie, "cantine": cantine, "salle": salle}


def rows(html: str) -> dict[str, str]:
    """Table rows of the portfolio by prototype title, as plain text."""
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html.split("<tbody>")[1], flags=re.S):
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        title = re.search(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', row)
        found[title.group(1) if title else text] = text
    return found


def test_every_pilot_with_status_iteration_figures_and_trend(login_as, pilots):
    html = login_as("manager").get("/reports").text
    shown = rows(html)
    assert set(shown) == {"Signaler une anomalie sur la voie publique", "Inscrire son enfant à la restauration scolaire",
                          "Réserver une salle municipale"}
    voirie = shown["Signaler une anomalie sur la voie publique"]
    assert "Décision : itérer" in voirie and "sur v2" in voirie and " v2 8 100 % 100 % 75,0 " in voirie + " "
    assert "Taux de complétion par itération : v1 50\xa0%, v2 100\xa0%" in html
    assert f'href="/reports/iterations/{pilots["voirie"].iterations[1]}"' in html
    assert "En test" in shown["Inscrire son enfant à la restauration scolaire"]
    assert "moins de 5 parcours" in shown["Inscrire son enfant à la restauration scolaire"]
    salle = shown["Réserver une salle municipale"]
    assert "En préparation" in salle and "pas encore de données" in salle and "aucun parcours" in salle
    assert "3 pilote(s) sur 3." in html


@pytest.mark.parametrize("query, expected", [
    ("domain=voirie", {"Signaler une anomalie sur la voie publique"}),
    ("status=preparation", {"Réserver une salle municipale"}),
    ("status=testing", {"Inscrire son enfant à la restauration scolaire"}),
    ("status=iterate&domain=voirie", {"Signaler une anomalie sur la voie publique"}),
    ("status=stop", set()),
    ("domain=%C3%A9ducation&status=iterate", set()),
    ("domain=inconnu&status=n%27importe", {"Signaler une anomalie sur la voie publique",
                                           "Inscrire son enfant à la restauration scolaire", "Réserver une salle municipale"}),
])
def test_filters_work_as_a_plain_get_form(login_as, pilots, query, expected):
    html = login_as("staff").get(f"/reports?{query}").text
    assert set(rows(html)) - {"Aucun pilote ne correspond à ces filtres."} == expected
    assert '<form class="filters" method="get" action="/reports"' in html


def test_filter_keeps_the_chosen_values(login_as, pilots):
    html = login_as("manager").get("/reports?domain=voirie&status=iterate").text
    assert '<option value="voirie" selected>' in html and '<option value="iterate" selected>' in html
    assert '<a href="/reports">Tout afficher</a>' in html


def test_a_newer_tested_iteration_supersedes_an_older_decision(login_as, db, users):
    pilot = make_pilot(db, iterations=2, people=5)
    with write(db):
        record_decision(db, iteration_id=pilot.iterations[0], kind="iterate", rationale="On refait.", user_id=None)
    html = login_as("manager").get("/reports").text
    assert "En test" in rows(html)["Signaler une anomalie sur la voie publique"]


def test_filter_values_are_length_limited(login_as):
    assert login_as("manager").get("/reports?domain=" + "x" * 101).status_code == 422
