"""Fixtures of the citizen journey tests: an open test and citizens with browsers of their own."""

from __future__ import annotations

import pytest

from tests.feedback.support import Citizen, make_lab


@pytest.fixture
def lab(db, settings):
    """An open test of the voirie prototype for three participants with personal links."""
    return make_lab(db, settings)


@pytest.fixture
def citizen(app):
    """Make citizens, each with a separate cookie jar."""
    made = []

    def make() -> Citizen:
        browser = Citizen(app, base_url="http://testserver")
        browser.__enter__()
        made.append(browser)
        return browser

    yield make
    for browser in made:
        browser.__exit__(None, None, None)
