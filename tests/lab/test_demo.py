"""The demo lab: realistic, complete, and idempotent."""

from lab.campaigns import deployments, invitations
from lab.clock import utcnow
from lab.demo.loader import load_demo
from tests.support import Browser

TABLES = ("users", "prototypes", "iterations", "test_groups", "participants", "deployments", "invitations")


def _counts(db):
    return {table: db[table].count for table in TABLES}


def test_demo_is_idempotent(db, settings):
    first = load_demo(db, settings)
    counts = _counts(db)
    second = load_demo(db, settings)
    assert _counts(db) == counts
    assert first.links == second.links and first.logins == second.logins


def test_demo_has_what_the_issue_asks(db, settings):
    info = load_demo(db, settings)
    assert {role for role, _e, _p in info.logins} == {"admin", "staff", "manager"}
    assert db["prototypes"].count == 3
    several = "SELECT COUNT(*) FROM (SELECT prototype_id FROM iterations GROUP BY prototype_id HAVING COUNT(*) >= 2)"
    assert db.execute(several).fetchone()[0] == 2
    assert db["test_groups"].count == 3
    now = utcnow()
    assert {deployments.state(d, now) for d in deployments.list_deployments(db)} == {"scheduled", "open", "closed"}
    assert info.links, "open invitation links are printed"
    for _label, url in info.links:
        token = url.rsplit("/", 1)[1]
        assert invitations.resolve(db, token, secret_key=settings.secret_key, now=now).status == "ok"


def test_demo_logins_work(app, db, settings):
    info = load_demo(db, settings)
    for _role, email, password in info.logins:
        with Browser(app, base_url="http://testserver") as browser:
            assert browser.login(email, password).status_code == 303
