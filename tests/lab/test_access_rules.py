"""Deny by default: the app refuses to start with a route that declares no access rule."""

import pytest
from fastapi import APIRouter

from lab import app as app_module
from lab.access import endpoints, route_rule


def test_every_mounted_route_declares_a_rule(app):
    routes = list(endpoints(app))
    assert len(routes) > 30
    assert [r.path for r in routes if route_rule(r) is None] == []


def test_a_route_without_rule_stops_the_start(settings, monkeypatch):
    rogue = APIRouter()

    @rogue.get("/rogue")
    def rogue_route() -> dict:
        return {}

    monkeypatch.setattr(app_module, "ROUTERS", (*app_module.ROUTERS, rogue))
    with pytest.raises(app_module.UndeclaredAccess, match="/rogue"):
        app_module.create_app(settings)
