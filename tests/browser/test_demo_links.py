"""`lab demo --port P` then a server on P: every printed link opens a fresh welcome page in a real Chromium."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from playwright.sync_api import expect

from lab.cli import main
from tests.support import assert_accessible

pytestmark = pytest.mark.browser


def test_links_printed_by_the_demo_open_a_fresh_welcome_page(browser, live_server, settings):
    port = urlsplit(live_server.url).port
    env = {"LAB_DB": str(settings.db_path), "LAB_SECRET_KEY": settings.secret_key, "LAB_BASE_URL": None}
    printed = CliRunner().invoke(main, ["demo", "--port", str(port)], env=env, catch_exceptions=False).output
    links = re.findall(r"^ +(\S+/t/\S+)$", printed, re.M)
    assert len(links) >= 4 and all(link.startswith(f"http://127.0.0.1:{port}/t/") for link in links), printed
    for index, link in enumerate(links):
        context = browser.new_context(locale="fr-FR")  # a newcomer: no cookie of anyone else
        page = context.new_page()
        page.goto(link)
        expect(page.get_by_role("heading", level=1)).to_contain_text("Aidez-nous à améliorer")
        expect(page.get_by_label("J'ai lu ces informations et j'accepte de participer au test.", exact=False)).not_to_be_checked()
        expect(page.get_by_role("button", name="Commencer le test")).to_be_visible()
        assert urlsplit(page.url).path == "/take"
        if index == 0:
            expect(page.locator(".site-header")).to_contain_text("Rivebelle")
            assert_accessible(page)
        context.close()
