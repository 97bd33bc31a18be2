"""Opening an invitation link: every refusal is a friendly page, a good link becomes a cookie."""

import re
from dataclasses import replace
from datetime import timedelta

from lab.campaigns.deployments import close_deployment
from lab.campaigns.invitations import revoke
from lab.clock import iso, utcnow
from lab.db import write
from lab.ratelimit import RateLimiter
from tests.factories import make_lab

#: What legitimately differs between two requests: the CSRF token, and the address the language
#: switch comes back to (the link itself).
VARYING = re.compile(r'(name="csrf_token" value=")[^"]+|("X-CSRF-Token": ")[^"]+|(name="next" value=")[^"]+')


def _normalised(page) -> str:
    return VARYING.sub(r"\1\2\3", page.text)


def _invitation_id(db, lab, index=0):
    return db.execute("SELECT id FROM invitations WHERE participant_id = ?", [lab.participants[index]["id"]]).fetchone()[0]


def test_a_good_link_becomes_an_httponly_cookie_and_leaves_the_address_bar(lab, citizen):
    person = citizen()
    response = person.open_link(lab.tokens[0])
    assert response.status_code == 303 and response.headers["location"] == "/take"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("lab_participant="))
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Path=/" in cookie
    assert response.headers["referrer-policy"] == "no-referrer"
    page = person.get("/take")
    assert page.status_code == 200 and lab.tokens[0] not in str(page.url) and lab.tokens[0] not in page.text
    assert "Aidez-nous à améliorer" in page.text and lab.participants[0]["code"] in page.text


def test_unknown_revoked_and_expired_links_look_exactly_the_same(db, lab, citizen, settings, users):
    shared_lab = make_lab(db, settings, users, count=1, shared_uses=5)
    with write(db):
        revoke(db, invitation_id=_invitation_id(db, lab, 1), now=utcnow())
        db.execute("UPDATE invitations SET expires_at = ? WHERE kind = 'shared'", [iso(utcnow() - timedelta(hours=1))])
    pages = {
        "unknown": citizen().open_link("A" * 32),
        "malformed": citizen().open_link("%3Cscript%3E"),
        "revoked": citizen().open_link(lab.tokens[1]),
        "expired": citizen().open_link(shared_lab.shared_token),
    }
    assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(pages, 404)
    bodies = {_normalised(page) for page in pages.values()}
    assert len(bodies) == 1
    body = bodies.pop()
    assert "Lien non valide" in body and "Traceback" not in body
    assert not any("set-cookie" in page.headers and "lab_participant" in page.headers["set-cookie"] for page in pages.values())


def test_not_open_yet_closed_exhausted_and_quota_each_get_their_page(db, settings, users, citizen, lab):
    later = make_lab(db, settings, users, count=1, opens_in=timedelta(days=3))
    page = citizen().open_link(later.tokens[0])
    assert page.status_code == 403 and "pas encore commencé" in page.text

    once = make_lab(db, settings, users, count=1, shared_uses=1)
    first = citizen()
    first.enter(once.shared_token)
    assert first.consent().status_code == 303  # consent spends the link's one use
    page = citizen().open_link(once.shared_token)
    assert page.status_code == 410 and "Lien complet" in page.text

    full = make_lab(db, settings, users, count=2, quota="1")
    first = citizen()
    first.enter(full.tokens[0])
    assert first.consent().status_code == 303
    page = citizen().open_link(full.tokens[1])
    assert page.status_code == 410 and "complet" in page.text
    assert citizen().open_link(full.tokens[0]).status_code == 303  # who took part may come back

    with write(db):
        close_deployment(db, deployment_id=lab.deployment_id, now=utcnow())
    page = citizen().open_link(lab.tokens[0])
    assert page.status_code == 410 and "Le test est terminé" in page.text
    for response in (page,):
        assert "Traceback" not in response.text


def test_a_closed_test_still_lets_a_participant_see_and_erase_their_data(db, lab, citizen):
    person = citizen()
    person.enter(lab.tokens[0])
    person.consent()
    person.step("lieu")
    with write(db):
        close_deployment(db, deployment_id=lab.deployment_id, now=utcnow())
    again = citizen()
    assert again.open_link(lab.tokens[0]).status_code == 303
    page = again.get("/take")
    assert page.status_code == 410 and "Vos données" in page.text
    assert again.get("/take/etape/nature", follow_redirects=False).headers["location"] == "/take"
    assert again.get("/take/mes-donnees").status_code == 200


def _uses(db) -> int:
    return db.execute("SELECT uses FROM invitations WHERE kind = 'shared'").fetchone()[0]


def test_a_shared_link_admits_a_browser_once_at_consent(db, settings, users, citizen):
    lab = make_lab(db, settings, users, count=0, shared_uses=10)
    person = citizen()
    assert person.open_link(lab.shared_token).status_code == 303
    welcome = person.get("/take")
    assert welcome.status_code == 200 and "J'ai lu ces informations" in welcome.text
    assert _uses(db) == 0 and db["participants"].count_where("group_id = ?", [lab.group_id]) == 0
    assert person.consent().headers["location"] == "/take/etape/lieu"
    assert person.open_link(lab.shared_token).status_code == 303  # the same browser again: not counted twice
    assert _uses(db) == 1 and db["participants"].count_where("group_id = ?", [lab.group_id]) == 1
    assert db["trials"].count_where("consent_at IS NOT NULL") == 1 and person.get("/take/etape/lieu").status_code == 200
    other = citizen()
    other.enter(lab.shared_token)
    other.consent()
    assert _uses(db) == 2 and db["participants"].count_where("group_id = ?", [lab.group_id]) == 2


def test_opening_a_shared_link_spends_nothing(db, settings, users, citizen):
    """Mail scanners and chat link previews fetch links: until someone consents, nothing is counted or created."""
    lab = make_lab(db, settings, users, count=0, shared_uses=50)
    for _ in range(25):
        visitor = citizen()  # a fresh cookie jar each time, as a scanner has
        visitor.open_link(lab.shared_token)
        visitor.get("/take")
    assert _uses(db) == 0
    assert db["participants"].count == 0 and db["participant_sessions"].count == 0 and db["trials"].count == 0


def test_a_forged_or_expired_pass_opens_nothing(db, settings, users, citizen, monkeypatch):
    lab = make_lab(db, settings, users, count=0, shared_uses=5)
    forger = citizen()
    forger.cookies.set("lab_invitation", "1.99999999999.0123456789abcdef0123456789abcdef")
    assert forger.get("/take").status_code == 403  # no session, no valid pass: the "open your link" page
    late = citizen()
    late.open_link(lab.shared_token)
    monkeypatch.setattr("feedback.routes.participant.utcnow", lambda: utcnow() + timedelta(days=2))
    assert late.get("/take").status_code == 403


def test_reopening_a_personal_link_in_the_same_browser_keeps_the_session(db, lab, citizen):
    person = citizen()
    person.open_link(lab.tokens[0])
    person.open_link(lab.tokens[0])
    assert db["participant_sessions"].count == 1


def test_links_are_rate_limited_per_client_and_per_link(app, lab, citizen):
    app.state.feedback_limiters = replace(app.state.feedback_limiters,
        link_per_client=RateLimiter(100, 600), link_per_token=RateLimiter(2, 600),
        submit_per_client=RateLimiter(100, 600), submit_per_session=RateLimiter(100, 600),
    )
    for _attempt in range(2):
        assert citizen().open_link(lab.tokens[0]).status_code == 303
    refused = citizen().open_link(lab.tokens[0])
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert citizen().open_link(lab.tokens[1]).status_code == 303

    app.state.feedback_limiters = replace(app.state.feedback_limiters,
        link_per_client=RateLimiter(3, 600), link_per_token=RateLimiter(100, 600),
        submit_per_client=RateLimiter(100, 600), submit_per_session=RateLimiter(100, 600),
    )
    guesser = citizen()
    statuses = [guesser.open_link(f"{'B' * 31}{n}").status_code for n in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_revoking_a_personal_link_also_closes_the_sessions_it_opened(db, lab, citizen):
    person = citizen()
    person.enter(lab.tokens[0])
    assert person.get("/take").status_code == 200
    with write(db):
        revoke(db, invitation_id=_invitation_id(db, lab, 0), now=utcnow())
    assert person.get("/take").status_code == 403


def test_a_token_of_any_bytes_is_just_an_invalid_link(citizen):
    for token in ("%F1%BA%A7%B4%FF%FE", "%C3%28", "%ED%A0%80", "é" * 40, "x" * 500):
        page = citizen().get(f"/t/{token}", follow_redirects=False)
        assert page.status_code == 404 and "Lien non valide" in page.text, token


def test_ids_beyond_sqlite_are_a_clear_422(login_as):
    staff = login_as("staff")
    for url in ("/lab/participants/99999999999999999999/effacer", "/lab/deployments/99999999999999999999/saisie-assistee",
                "/lab/deployments/99999999999999999999/borne"):
        assert staff.get(url).status_code in (404, 405, 422), url
        assert staff.post_form(url).status_code in (404, 405, 422), url
