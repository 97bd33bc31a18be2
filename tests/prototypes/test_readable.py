"""Answers as citizens read them back."""

from __future__ import annotations

from lab.i18n import current_locale
from prototypes.readable import readable, recap
from prototypes.spec_yaml import parse_spec
from tests.factories import VOIRIE


def test_each_kind_of_answer_reads_as_a_person_writes_it():
    assert readable("date", "2026-12-15") == "15/12/2026"
    assert readable("date", "pas une date") == "pas une date"
    assert readable("yesno", "oui") == "Oui"
    assert readable("consent", True) == "oui"
    assert readable("number", 3.5) == "3,5"
    assert readable("multichoice", ["Lundi", "Jeudi"]) == "Lundi, Jeudi"
    assert readable("file", {"filename": "trottoir.png", "size": 10}) == "fichier « trottoir.png » (non transmis)"


def test_in_english_numbers_change_and_dates_stay_day_first():
    token = current_locale.set("en")
    try:
        assert readable("number", 3.5) == "3.5" and readable("date", "2026-12-15") == "15/12/2026"
    finally:
        current_locale.reset(token)


def test_a_recap_follows_the_spec_order_and_skips_what_was_not_answered():
    spec = parse_spec(VOIRIE)
    rows = recap(spec, {"date_constat": "2026-03-02", "adresse": "12 rue Haute"})
    assert rows == [{"label": "Adresse ou lieu", "value": "12 rue Haute"}, {"label": "Date du constat", "value": "02/03/2026"}]
