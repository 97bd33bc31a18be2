"""Every state-changing request needs our token and our origin."""

from tests.support import PASSWORD


def test_post_without_token_is_refused(client, users):
    client.get("/login")
    response = client.post("/login", data={"email": "staff@ville.test", "password": PASSWORD})
    assert response.status_code == 403
    assert "refusée par sécurité" in response.text


def test_post_with_wrong_token_is_refused(client, users):
    client.get("/login")
    response = client.post("/login", data={"csrf_token": "forged", "email": "staff@ville.test", "password": PASSWORD})
    assert response.status_code == 403


def test_foreign_origin_is_refused_even_with_token(client, users):
    client.csrf()
    response = client.post_form(
        "/login", {"email": "staff@ville.test", "password": PASSWORD}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403


def test_foreign_referer_is_refused_without_origin(client, users):
    client.csrf()
    response = client.post_form(
        "/login", {"email": "staff@ville.test", "password": PASSWORD}, headers={"Referer": "https://evil.example/page"}
    )
    assert response.status_code == 403


def test_header_token_is_accepted_for_htmx(login_as):
    staff = login_as("staff")
    response = staff.post(
        "/lab/specs/validate",
        data={"spec_yaml": "title: x"},
        headers={"X-CSRF-Token": staff.cookies.get("lab_csrf"), "HX-Request": "true"},
    )
    assert response.status_code == 200


def test_csrf_token_rotates_at_login(client, users):
    before = client.csrf()
    client.login("staff@ville.test")
    assert client.cookies.get("lab_csrf") != before
