"""Login, logout, session rotation and revocation, login rate limit."""

from datetime import timedelta

from lab.app import create_app
from lab.clock import iso, utcnow
from lab.sessions import SESSION_COOKIE, token_hash
from tests.support import PASSWORD, Browser


def test_login_sets_httponly_session_and_rotates_it(client, users, db):
    client.csrf()
    first = client.login("staff@ville.test")
    assert first.status_code == 303
    cookie = first.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookie if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
    old_token = client.cookies.get(SESSION_COOKIE)
    client.login("staff@ville.test")
    new_token = client.cookies.get(SESSION_COOKIE)
    assert new_token != old_token
    old_row = db["sessions"].get(token_hash(old_token))
    assert old_row["revoked_at"] is not None, "the replaced session must be revoked at login"


def test_session_token_is_stored_hashed(client, users, db):
    client.login("staff@ville.test")
    token = client.cookies.get(SESSION_COOKIE)
    ids = [row["id"] for row in db["sessions"].rows]
    assert token not in ids and token_hash(token) in ids


def test_wrong_password_gets_422_with_message_and_keeps_email(client, users):
    client.csrf()
    response = client.post_form("/login", {"email": "staff@ville.test", "password": "wrong password!"})
    assert response.status_code == 422
    assert "Adresse électronique ou mot de passe incorrect" in response.text
    assert 'value="staff@ville.test"' in response.text


def test_disabled_account_cannot_log_in(client, users, login_as):
    admin = login_as("admin")
    admin.post_form(f"/admin/users/{users['staff'].id}/active", {"active": "0"})
    client.csrf()
    assert client.login("staff@ville.test").status_code == 422


def test_logout_revokes_session_server_side(login_as, app, db):
    staff = login_as("staff")
    token = staff.cookies.get(SESSION_COOKIE)
    assert staff.post_form("/logout", follow_redirects=False).status_code == 303
    assert db["sessions"].get(token_hash(token))["revoked_at"] is not None
    replay = Browser(app, base_url="http://testserver")
    replay.cookies.set(SESSION_COOKIE, token)
    assert replay.get("/lab/prototypes", follow_redirects=False).headers["location"].startswith("/login")


def test_idle_session_expires(login_as, db, settings):
    staff = login_as("staff")
    stale = iso(utcnow() - timedelta(minutes=settings.session_idle_minutes + 1))
    db.execute("UPDATE sessions SET last_seen_at = ?", [stale])
    assert staff.get("/lab/prototypes", follow_redirects=False).status_code == 303


def test_absolute_session_lifetime(login_as, db, settings):
    staff = login_as("staff")
    old = iso(utcnow() - timedelta(hours=settings.session_absolute_hours, minutes=1))
    db.execute("UPDATE sessions SET created_at = ?, last_seen_at = ?", [old, iso(utcnow())])
    assert staff.get("/lab/prototypes", follow_redirects=False).status_code == 303


def test_login_rate_limit_answers_429_with_retry_after(client, users, settings):
    client.csrf()
    for _ in range(settings.login_attempts):
        assert client.post_form("/login", {"email": "staff@ville.test", "password": "nope nope nope"}).status_code == 422
    blocked = client.post_form("/login", {"email": "staff@ville.test", "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert "Trop de tentatives" in blocked.text


def test_every_spelling_of_a_locked_address_is_locked_too(client, users, settings):
    """The limit keys on the address exactly as sign-in reads it: spaces, case and full-width forms included."""
    client.csrf()
    for _ in range(settings.login_attempts):
        assert client.post_form("/login", {"email": "staff@ville.test", "password": "nope nope nope"}).status_code == 422
    for spelling in (" staff@ville.test", "staff@ville.test ", "\tSTAFF@ville.test", "   staff@ville.test   ",
                     "ｓｔａｆｆ@ville.test"):
        assert client.post_form("/login", {"email": spelling, "password": PASSWORD}).status_code == 429, repr(spelling)


def test_nobody_elsewhere_can_lock_an_account(app, users, settings):
    """Failures from one address lock that address out of the account, not the account's owner at another."""
    with Browser(app, client=("203.0.113.7", 40000)) as attacker, Browser(app, client=("198.51.100.2", 40000)) as owner:
        attacker.csrf()
        for _ in range(settings.login_attempts * 3):
            attacker.post_form("/login", {"email": "staff@ville.test", "password": "guess guess guess"})
        assert attacker.post_form("/login", {"email": "staff@ville.test", "password": PASSWORD}).status_code == 429
        assert owner.login("staff@ville.test").status_code == 303


def test_next_parameter_cannot_leave_the_site(client, users):
    client.csrf()
    response = client.post_form(
        "/login", {"email": "staff@ville.test", "password": PASSWORD, "next": "//evil.example/x"}, follow_redirects=False
    )
    assert response.headers["location"] == "/"


def test_anonymous_home_redirects_to_login(client):
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_language_switch_to_english(client):
    client.csrf()
    client.post_form("/langue", {"lang": "en", "next": "/login"})
    page = client.get("/login")
    assert 'lang="en"' in page.text
    assert "Sign in" in page.text


def test_behind_a_trusted_proxy_each_citizen_keeps_an_allowance_of_their_own(settings, users):
    """Behind a reverse proxy every request comes from the proxy: its X-Forwarded-For names the citizen."""
    app = create_app(settings.with_(trusted_proxies=("10.0.0.1",)))
    with Browser(app, client=("10.0.0.1", 40000)) as via_proxy:
        via_proxy.csrf()
        for n in range(settings.login_attempts * 10):  # a guesser trying many accounts exhausts the address
            via_proxy.post_form("/login", {"email": f"nobody{n}@ville.test", "password": "x" * 12},
                                headers={"X-Forwarded-For": "203.0.113.7"})
        refused = via_proxy.post_form("/login", {"email": "staff@ville.test", "password": PASSWORD},
                                      headers={"X-Forwarded-For": "203.0.113.7"}, follow_redirects=False)
        served = via_proxy.post_form("/login", {"email": "staff@ville.test", "password": PASSWORD},
                                     headers={"X-Forwarded-For": "198.51.100.2"}, follow_redirects=False)
    assert refused.status_code == 429 and served.status_code == 303


def test_forwarded_headers_from_anyone_else_are_ignored(app, settings, users):
    """Without LAB_TRUSTED_PROXIES, a client cannot pick a fresh address by writing the header itself."""
    with Browser(app, client=("203.0.113.7", 40000)) as client:
        client.csrf()
        for n in range(settings.login_attempts * 10):
            client.post_form("/login", {"email": f"nobody{n}@ville.test", "password": "x" * 12},
                             headers={"X-Forwarded-For": f"192.0.2.{n}"})
        refused = client.post_form("/login", {"email": "staff@ville.test", "password": PASSWORD},
                                   headers={"X-Forwarded-For": "198.51.100.99"})
    assert refused.status_code == 429
