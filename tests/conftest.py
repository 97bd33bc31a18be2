"""Fixtures: a fresh app and database per test, real HTTP through the ASGI client."""

from __future__ import annotations

import pytest

from lab.accounts import create_user
from lab.app import create_app
from lab.db import opened, write
from lab.settings import Settings
from tests.factories import Lab, make_lab
from tests.mail_server import Relay
from tests.support import PASSWORD, Browser, Citizen


@pytest.fixture
def relay():
    """A real SMTP server on 127.0.0.1 that keeps what it accepts (`tests.mail_server.Relay`)."""
    with Relay() as server:
        yield server


@pytest.fixture
def settings(tmp_path, request) -> Settings:
    """Settings pointing at a database of this test's own; tests marked `mail` send to the `relay` fixture."""
    settings = Settings(db_path=tmp_path / "lab.db", secret_key="test-secret-" + "x" * 32, start_workers=False)
    if request.node.get_closest_marker("mail"):
        settings = settings.with_(smtp=request.getfixturevalue("relay").settings())
    return settings


@pytest.fixture
def app(settings):
    return create_app(settings)


@pytest.fixture
def db(app, settings):
    """A direct connection for arranging and asserting, separate from the app's."""
    with opened(settings.db_path) as conn:
        yield conn


@pytest.fixture
def users(db) -> dict:
    """One account per role."""
    made = {}
    with write(db):
        for role in ("admin", "staff", "manager"):
            made[role] = create_user(db, email=f"{role}@ville.test", name=role.title(), role=role, password=PASSWORD)
    return made


@pytest.fixture
def client(app) -> Browser:
    with Browser(app, base_url="http://testserver") as browser:
        yield browser


@pytest.fixture
def login_as(app, users):
    """Return a signed-in client for a role."""
    clients = []

    def make(role: str) -> Browser:
        browser = Browser(app, base_url="http://testserver")
        browser.__enter__()
        clients.append(browser)
        response = browser.login(users[role].email)
        assert response.status_code == 303, response.text
        return browser

    yield make
    for browser in clients:
        browser.__exit__(None, None, None)


@pytest.fixture
def lab(db, settings) -> Lab:
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
