"""Security headers on every page of every kind of caller, and CSRF on every state-changing route."""

import re

import pytest

from lab.access import endpoints, route_rule
from lab.db import opened
from lab.demo.loader import load_demo
from tests.factories import make_lab
from tests.lab.test_access_matrix import _url
from tests.support import Citizen

SAFE_CSP = re.compile(r"default-src 'self'")


def _check_headers(response, url):
    headers = response.headers
    csp = headers.get("content-security-policy", "")
    assert SAFE_CSP.search(csp) and "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
    assert headers.get("x-content-type-options") == "nosniff", url
    assert headers.get("referrer-policy") == "no-referrer", url
    assert "server" not in headers, url
    if url.startswith("/widget/"):
        assert "frame-ancestors *" in csp, url  # documented exception: the widget is embedded elsewhere
    else:
        assert "frame-ancestors 'none'" in csp, url
    if url.startswith("/organisation/logo"):  # documented exception: a public image whose address changes with each save
        assert "immutable" in headers.get("cache-control", ""), url
    elif not url.startswith("/static/"):
        assert headers.get("cache-control") == "no-store", url


def test_every_get_route_sends_the_security_headers(app, settings, users, login_as):
    with opened(settings.db_path) as db:
        load_demo(db, settings)
        lab = make_lab(db, settings, users)
    staff = login_as("admin")
    citizen = Citizen(app, base_url="http://testserver")
    citizen.__enter__()
    citizen.enter(lab.tokens[0])
    citizen.consent()
    checked = 0
    for route in endpoints(app):
        if "GET" not in route.methods:
            continue
        url = _url(route.path)
        for client in (staff, citizen):
            _check_headers(client.get(url, follow_redirects=False), url)
            checked += 1
    for url in ("/static/lab.css", "/static/vendor/htmx-2.0.11.min.js", "/nulle-part", "/api/openapi.json"):
        _check_headers(staff.get(url), url)
    assert checked > 80


@pytest.mark.parametrize("attack", ["missing token", "foreign origin"])
def test_every_state_changing_route_refuses_forged_requests(app, settings, users, login_as, attack):
    with opened(settings.db_path) as db:
        load_demo(db, settings)
        lab = make_lab(db, settings, users)
    callers = {"staff": login_as("staff"), "manager": login_as("manager"), "admin": login_as("admin")}
    citizen = Citizen(app, base_url="http://testserver")
    citizen.__enter__()
    citizen.enter(lab.tokens[0])
    citizen.consent()
    callers["participant"] = citizen
    refused = 0
    for route in endpoints(app):
        rule = route_rule(route)
        for method in route.methods - {"GET", "HEAD"}:
            if not rule.csrf:
                continue  # key-authenticated API and widget: no cookies, so nothing to forge
            caller = callers["participant"] if rule.name in ("participant", "kiosk", "invitation", "public") else next(
                (callers[role] for role in ("staff", "manager", "admin") if role in rule.roles), callers["admin"])
            if attack == "missing token":
                response = caller.request(method, _url(route.path), data={"x": "1"}, follow_redirects=False)
            else:
                response = caller.request(method, _url(route.path), data={"csrf_token": caller.cookies.get("lab_csrf")},
                                          headers={"Origin": "https://evil.example"}, follow_redirects=False)
            assert response.status_code == 403 and "refusée par sécurité" in response.text, (method, route.path)
            refused += 1
    print(f"\n{attack}: {refused} state-changing routes refused")
    assert refused > 40
