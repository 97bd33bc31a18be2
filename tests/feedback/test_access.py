"""Who may call each journey route: participants only see their own trial, staff routes need staff."""

from dataclasses import replace

import pytest

from lab.access import endpoints, route_rule
from lab.ratelimit import RateLimiter
from tests.support import idem

#: Every route of the feedback package and the rule it must declare.
EXPECTED_RULES = {
    ("GET", "/t/{token}"): "invitation",
    ("GET", "/take"): "participant",
    ("POST", "/take/consentement"): "participant",
    ("GET", "/take/etape/{step_key}"): "participant",
    ("POST", "/take/etape/{step_key}"): "participant",
    ("GET", "/take/questionnaire"): "participant",
    ("POST", "/take/questionnaire"): "participant",
    ("GET", "/take/questionnaire/{page}"): "participant",
    ("POST", "/take/questionnaire/{page}"): "participant",
    ("GET", "/take/merci"): "participant",
    ("GET", "/take/mes-donnees"): "participant",
    ("GET", "/take/mes-donnees.json"): "participant",
    ("GET", "/take/effacer"): "participant",
    ("POST", "/take/effacer"): "participant",
    ("POST", "/take/terminer"): "participant",
    ("POST", "/take/actif"): "participant",
    ("GET", "/take/efface"): "public",
    ("GET", "/take/au-revoir"): "public",
    ("GET", "/kiosque"): "kiosk",
    ("POST", "/kiosque/commencer"): "kiosk",
    ("GET", "/lab/deployments/{deployment_id}/saisie-assistee"): "staff",
    ("POST", "/lab/deployments/{deployment_id}/saisie-assistee"): "staff",
    ("POST", "/lab/deployments/{deployment_id}/borne"): "staff",
    ("POST", "/lab/deployments/{deployment_id}/bornes/arret"): "staff",
    ("GET", "/lab/participants/{participant_id}/effacer"): "staff",
    ("POST", "/lab/participants/{participant_id}/effacer"): "staff",
}
PARTICIPANT_GETS = ["/take", "/take/etape/lieu", "/take/questionnaire", "/take/questionnaire/2", "/take/merci", "/take/mes-donnees",
                    "/take/mes-donnees.json", "/take/effacer"]
PARTICIPANT_POSTS = ["/take/consentement", "/take/etape/lieu", "/take/questionnaire", "/take/questionnaire/2", "/take/effacer",
                     "/take/terminer"]


def test_every_feedback_route_declares_the_expected_rule(app):
    declared = {}
    for route in endpoints(app):
        if route.endpoint.__module__ in ("feedback.routes.participant", "feedback.routes.own_data", "feedback.routes.kiosk",
                                         "feedback.routes.staff"):
            for method in route.methods - {"HEAD"}:
                declared[(method, route.path)] = route_rule(route).name
    assert declared == EXPECTED_RULES


def test_without_a_participant_cookie_every_participant_page_is_refused(lab, citizen):
    stranger = citizen()
    stranger.get("/accessibilite")
    for url in PARTICIPANT_GETS:
        response = stranger.get(url, follow_redirects=False)
        assert response.status_code == 403 and "Ouvrez votre lien de participation" in response.text, url
    for url in PARTICIPANT_POSTS:
        assert stranger.post_form(url, {}, follow_redirects=False).status_code == 403, url
    forged = citizen()
    forged.cookies.set("lab_participant", "forged-token")
    assert forged.get("/take/mes-donnees").status_code == 403


def test_participant_b_cannot_read_or_erase_participant_a(db, lab, citizen):
    alice, bruno = citizen(), citizen()
    alice.enter(lab.tokens[0])
    alice.consent()
    alice.step("lieu", {"f-adresse": "9 allée Alice", "commentaire": "secret d'Alice"})
    bruno.enter(lab.tokens[1])
    bruno.consent()
    for url in PARTICIPANT_GETS + ["/take/etape/lieu?trial=1", "/take/mes-donnees.json?participant=1"]:
        page = bruno.get(url)
        assert "9 allée Alice" not in page.text and "secret d" not in page.text, url
    assert bruno.get("/take/mes-donnees.json").json()["participant"]["code"] == lab.participants[1]["code"]
    bruno.post_form("/take/effacer")
    assert db["participants"].count_where("id = ?", [lab.participants[0]["id"]]) == 1
    assert db["comments"].count == 1 and "Alice" in alice.get("/take/mes-donnees").text


@pytest.mark.parametrize("role, expected", [("manager", 403), ("admin", 200)])
def test_staff_routes_refuse_other_roles(lab, login_as, role, expected):
    browser = login_as(role)
    for url in (f"/lab/deployments/{lab.deployment_id}/saisie-assistee",
                f"/lab/participants/{lab.participants[0]['id']}/effacer"):
        assert browser.get(url).status_code == expected


def test_staff_routes_send_anonymous_visitors_to_login(lab, client):
    client.get("/accessibilite")
    response = client.get(f"/lab/participants/{lab.participants[0]['id']}/effacer", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    response = client.post_form(f"/lab/participants/{lab.participants[0]['id']}/effacer", follow_redirects=False)
    assert response.status_code == 401


def test_unsafe_requests_without_csrf_token_are_refused(db, lab, citizen):
    person = citizen()
    person.enter(lab.tokens[0])
    page = person.get("/take")
    refused = person.post("/take/consentement", data={"consent": "oui", "idem": idem(page)})
    assert refused.status_code == 403 and "refusée par sécurité" in refused.text
    forged = person.post("/take/consentement", data={"consent": "oui", "csrf_token": "forged", "idem": idem(page)})
    assert forged.status_code == 403
    foreign = person.post_form("/take/consentement", {"consent": "oui"}, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert db["trials"].count == 0
    person.consent()
    assert person.post("/take/effacer").status_code == 403
    assert person.post("/take/etape/lieu", data={"f-adresse": "x"}).status_code == 403
    assert db["participants"].count == len(lab.participants)


def test_submissions_are_rate_limited(app, lab, citizen):
    app.state.feedback_limiters = replace(app.state.feedback_limiters,
        link_per_client=RateLimiter(100, 600), link_per_token=RateLimiter(100, 600),
        submit_per_client=RateLimiter(100, 600), submit_per_session=RateLimiter(3, 600),
    )
    person = citizen()
    person.enter(lab.tokens[0])
    person.consent()
    statuses = [person.step("lieu", {"f-adresse": ""}).status_code for _attempt in range(3)]
    assert statuses == [422, 422, 429]
    refused = person.step("lieu")
    assert refused.status_code == 429 and refused.headers["retry-after"]
    other = citizen()
    other.enter(lab.tokens[1])
    assert other.consent().status_code == 303


def test_oversized_bodies_are_refused(lab, citizen):
    person = citizen()
    person.enter(lab.tokens[0])
    person.consent()
    page = person.get("/take/etape/lieu")
    huge = person.post_form("/take/etape/lieu", {"idem": idem(page), "f-adresse": "x" * (7 * 1024 * 1024)})
    assert huge.status_code == 413


def test_overlong_comments_are_refused_with_a_message(db, lab, citizen):
    person = citizen()
    person.enter(lab.tokens[0])
    person.consent()
    refused = person.step("lieu", {"commentaire": "a" * 2001})
    assert refused.status_code == 422 and 'href="#f-_commentaire"' in refused.text and "2000 caractères" in refused.text
    assert db["comments"].count == 0
