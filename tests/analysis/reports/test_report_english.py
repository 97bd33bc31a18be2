"""A report read in English writes its numbers and dates the English way: no French decimal comma anywhere.

Before: "p = 0,002" stood beside "p < 0.05", and stored verdicts kept the French "100 %" of
the day their figures were computed.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.factories import improving_pilot

#: A decimal comma ("0,002", "3,9"; not the thousands of "2,000"), or a French percent ("100 %", any space).
FRENCH_NUMBER = re.compile(r"(?<!\d)0,\d|\d,(?!\d{3}(?!\d))\d|\d[\u0020\u00a0\u202f]%")


def visible(html: str) -> str:
    """The text a reader sees (tags, attributes and scripts left out)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&nbsp;", " ")


@pytest.fixture
def english_manager(login_as, db, users):
    pilot = improving_pilot(db, users["staff"].id)
    manager = login_as("manager")
    manager.get(f"/reports/iterations/{pilot.iterations[1]}")  # the figures are computed in French first
    manager.cookies.set("lab_lang", "en")
    return manager, pilot


def test_the_report_page_writes_english_numbers(english_manager):
    manager, pilot = english_manager
    text = visible(manager.get(f"/reports/iterations/{pilot.iterations[1]}").text)
    assert "Completion rate" in text and "Clear improvement: 100% vs 50%" in text
    assert re.search(r"p = 0\.\d{3}|p < 0\.001", text) and "95% CI: 76% to 100%" in text
    assert FRENCH_NUMBER.findall(text) == [], FRENCH_NUMBER.findall(text)


def test_the_printed_report_and_its_pdf_write_english_numbers(english_manager):
    manager, pilot = english_manager
    printed = visible(manager.get(f"/reports/iterations/{pilot.iterations[1]}/print").text)
    assert "Summary" in printed and FRENCH_NUMBER.findall(printed) == []
    pdf = PdfReader(io.BytesIO(manager.get(f"/reports/iterations/{pilot.iterations[1]}.pdf").content))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "SUS score" in text and "100.0" in text
    assert FRENCH_NUMBER.findall(text) == [], FRENCH_NUMBER.findall(text)


def test_the_portfolio_writes_english_numbers(english_manager):
    manager, _pilot = english_manager
    text = visible(manager.get("/reports").text)
    assert "100%" in text and FRENCH_NUMBER.findall(text) == []
