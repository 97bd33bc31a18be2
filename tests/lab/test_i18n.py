"""Numbers, dates and field-named errors in the reader's language."""

from __future__ import annotations

from datetime import date

import pytest

from lab.i18n import Message, current_locale, format_day, format_number, format_percent, named, number, percent, translate

NBSP = "\u00a0"
NNBSP = "\u202f"


@pytest.fixture
def english():
    token = current_locale.set("en")
    yield
    current_locale.reset(token)


def test_french_numbers_and_dates():
    assert format_percent(0.78) == f"78{NBSP}%"
    assert format_percent(0.7834, 1) == f"78,3{NBSP}%"
    assert format_number(4.25, 2) == "4,25"
    assert format_number(1234.5) == f"1{NNBSP}234,5"
    assert format_number(1234.5, 0) == f"1{NNBSP}234"
    assert format_day(date(2026, 12, 15)) == "15/12/2026"


def test_english_numbers_and_dates(english):
    assert format_percent(0.78) == "78%"
    assert format_percent(0.7834, 1) == "78.3%"
    assert format_number(1234.5) == "1,234.5"
    assert format_number(0.002, 3) == "0.002"
    assert format_day(date(2026, 12, 15)) == "15/12/2026"


def test_a_stored_message_writes_its_quantities_when_shown(english):
    stored = {"msgid": "{a} et {b}", "params": {"a": percent(0.5), "b": number(3.25, 2)}}
    assert translate(stored) == "50% et 3.25"
    current_locale.set("fr")
    assert translate(Message("{a} et {b}", {"a": percent(0.5), "b": number(3.25, 2)})) == f"50{NBSP}% et 3,25"


def test_an_error_summary_names_the_field():
    assert named("Date souhaitée", "Saisissez une date, par exemple 14/07/2026.") == (
        "Date souhaitée : saisissez une date, par exemple 14/07/2026.")
    assert named("Le problème présente-t-il un danger immédiat ?", "Répondez par oui ou par non.") == (
        "Le problème présente-t-il un danger immédiat : répondez par oui ou par non.")
    assert named("Pièce jointe", "PDF trop lourd.") == "Pièce jointe : PDF trop lourd."


def test_an_error_summary_names_the_field_in_english(english):
    assert named("Date souhaitée", "Enter a date.") == "Date souhaitée: enter a date."
