"""A resident who scans a QR code sees which mairie asks, on the consent page itself, in Chromium."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.factories import make_lab
from tests.lab.test_organisation import _set
from tests.support import assert_accessible


def test_the_consent_page_names_the_collectivite_and_its_dpo(page, db, settings, users):
    _set(db)
    lab = make_lab(db, settings, users)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/t/{lab.tokens[0]}")
    header = page.get_by_role("banner")
    expect(header.get_by_text("Rivebelle", exact=True)).to_be_visible()
    expect(header.locator("img.org-logo")).to_be_visible()
    notice = page.locator(".privacy-notice")
    expect(notice).to_contain_text("Ville de Rivebelle, par l'intermédiaire de son laboratoire d'innovation publique.")
    expect(notice).to_contain_text("dpo@rivebelle.example")
    expect(page.get_by_role("contentinfo")).to_contain_text("Hôtel de ville")
    assert_accessible(page)
