"""A manager in Chromium: the comparison of any two iterations, and the printed report's summary page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import steadily_better_pilot
from tests.support import PASSWORD, assert_accessible, login

pytestmark = pytest.mark.browser


@pytest.fixture
def pilot(db, users):
    return steadily_better_pilot(db, users["staff"].id, people=60)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"])
def test_a_manager_compares_the_first_and_the_latest_iteration(browser, live_server, users, pilot, viewport):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport=viewport)
    page = context.new_page()
    try:
        login(page, users["manager"].email, PASSWORD)
        page.goto(f"/reports/iterations/{pilot.iterations[2]}")
        page.get_by_role("link", name="Comparer deux itérations").click()
        expect(page.get_by_role("table", name="Comparaison de v3 avec v2")).to_be_visible()
        assert_accessible(page)
        page.get_by_label("Itération de référence").select_option(label="v1 – v1")
        page.get_by_role("button", name="Comparer", exact=True).click()
        table = page.get_by_role("table", name="Comparaison de v3 avec v1")
        expect(table).to_be_visible()
        expect(table.get_by_role("row", name="Taux de complétion")).to_contain_text("Amélioration nette : 100 % contre 33 %")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]  # tables scroll inside
        assert_accessible(page)
        page.get_by_label("Itération comparée").select_option(label="v1 – v1")
        page.get_by_role("button", name="Comparer", exact=True).click()
        expect(page.locator(".error-summary")).to_contain_text("Choisissez deux itérations différentes.")
        assert_accessible(page)
    finally:
        context.close()


def test_the_printed_report_opens_with_its_summary(page, users, pilot):
    login(page, users["manager"].email, PASSWORD)
    page.goto(f"/reports/iterations/{pilot.iterations[2]}/print")
    summary = page.locator(".report-summary")
    expect(summary.get_by_role("heading", name="Synthèse")).to_be_visible()
    expect(summary).to_contain_text("Décision : en attente")
    expect(summary).to_contain_text("Par rapport à l'itération v2")
    assert_accessible(page)
