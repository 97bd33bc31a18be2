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
    assert citizen().open_link(once.shared_token).status_code == 303
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


def test_a_shared_link_admits_a_browser_once(db, settings, users, citizen):
    lab = make_lab(db, settings, users, count=0, shared_uses=10)
    person = citizen()
    assert person.open_link(lab.shared_token).status_code == 303
    assert person.open_link(lab.shared_token).status_code == 303
    assert db.execute("SELECT uses FROM invitations WHERE kind = 'shared'").fetchone()[0] == 1
    assert db["participants"].count_where("group_id = ?", [lab.group_id]) == 1
    citizen().open_link(lab.shared_token)
    assert db.execute("SELECT uses FROM invitations WHERE kind = 'shared'").fetchone()[0] == 2
    assert db["participants"].count_where("group_id = ?", [lab.group_id]) == 2


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
