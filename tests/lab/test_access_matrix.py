"""Every route × every kind of caller, generated from the app's routes: a new route cannot slip through.

Callers: anonymous, a participant (holding a journey cookie), staff, manager, admin. Each route's
declared rule gives the expected outcome; a route with a rule or path parameter this test does not
know fails until someone decides what it should do.
"""

import re

import pytest

from lab.access import endpoints, route_rule
from lab.db import opened
from lab.demo.loader import load_demo
from tests.factories import make_lab
from tests.support import Citizen

#: A sample value for each path parameter; unknown ids and keys must be refused, never crash.
SAMPLES = {
    "prototype_id": "1", "iteration_id": "1", "group_id": "1", "participant_id": "1", "deployment_id": "1",
    "invitation_id": "1", "user_id": "1", "index": "0", "step_key": "lieu", "token": "inconnu-000000000000000000",
    "public_key": "pk_inconnue", "theme_id": "1", "analysis_id": "1", "action_id": "1", "comment_id": "1",
    "decision_id": "1", "kind": "csv", "name": "rapport", "mail_id": "1", "page": "2",
}
CALLERS = ("anonymous", "participant", "staff", "manager", "admin")
#: Requests that end or erase the caller's session run last, each with a fresh session.
RUN_LAST = ("/take/terminer", "/take/effacer", "/logout")


def _url(path: str) -> str:
    def sample(match: re.Match) -> str:
        name = match.group(1).split(":")[0]
        assert name in SAMPLES, f"add a sample value for path parameter {name!r} ({path})"
        return SAMPLES[name]

    return re.sub(r"{([^}]+)}", sample, path)


def _cases(app):
    cases = [(method, route.path, route_rule(route)) for route in endpoints(app) for method in route.methods - {"HEAD"}]
    return sorted(cases, key=lambda c: (RUN_LAST.index(c[1]) if c[1] in RUN_LAST else -1, c[1], c[0]))


def _expected(rule, caller: str) -> str:
    if rule.name == "public":
        return "allowed"
    if rule.name in ("invitation", "deployment_key", "mail_link"):
        return "refused"  # the sample token or key is unknown: a 401/404 whoever asks
    if rule.name == "participant":
        return "allowed" if caller == "participant" else "forbidden"
    if rule.name == "kiosk":
        return "refused"  # nobody here holds a kiosk device cookie: 403 or 404
    assert rule.roles is not None, f"unknown rule {rule.name!r}: decide its expected outcomes here"
    if caller in ("anonymous", "participant"):
        return "login"
    return "allowed" if caller in rule.roles else "forbidden"


def _outcome(response, rule) -> str:
    status = response.status_code
    assert status < 500, f"{response.request.method} {response.request.url}: {status}"
    if status == 403 and "refusée par sécurité" not in response.text:
        return "refused" if rule.name == "kiosk" else "forbidden"
    if rule.name == "kiosk" and status == 303 and response.headers["location"] == "/kiosque":
        return "refused"  # sent back to the kiosk page, which says this device is not a kiosk
    if status == 303 and response.headers["location"].startswith("/login?next="):
        return "login"
    if status == 401 and rule.roles is not None:
        return "login"
    if rule.name in ("invitation", "deployment_key", "mail_link") and status in (401, 404, 422):
        return "refused"
    if rule.name == "kiosk" and status == 404:
        return "refused"
    return "allowed"


@pytest.mark.parametrize("caller", CALLERS)
def test_every_route_answers_each_caller_as_declared(app, settings, users, caller):
    with opened(settings.db_path) as db:
        load_demo(db, settings)
        lab = make_lab(db, settings, users, count=len(RUN_LAST))
    checked = 0
    client = None
    for method, path, rule in _cases(app):
        if client is None or path in RUN_LAST:
            # Each fresh session uses another participant: an erasure deletes the previous one's link.
            client = _caller(app, users, lab.tokens[RUN_LAST.index(path) if path in RUN_LAST else 0], caller)
        url = _url(path)
        if method == "GET":
            response = client.get(url, follow_redirects=False)
        else:
            response = client.request(method, url, data={"csrf_token": client.cookies.get("lab_csrf")}, follow_redirects=False)
        assert _outcome(response, rule) == _expected(rule, caller), f"{caller} {method} {path} → {response.status_code}"
        checked += 1
    assert checked >= 60
    print(f"\n{caller}: {checked} routes × methods checked")


def _caller(app, users, token: str, caller: str) -> Citizen:
    client = Citizen(app, base_url="http://testserver")
    client.__enter__()
    client.csrf()
    if caller == "participant":
        client.enter(token)
        client.consent()
    elif caller != "anonymous":
        assert client.login(users[caller].email).status_code == 303
    return client
