"""Headers every response carries, body limits, friendly errors."""


def test_strict_headers_on_pages(client):
    response = client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert "server" not in response.headers


def test_static_files_are_cacheable_and_htmx_is_vendored(client):
    response = client.get("/static/vendor/htmx-2.0.11.min.js")
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]


def test_oversized_body_gets_413(client, settings):
    client.csrf()
    response = client.post_form("/login", {"email": "x" * (settings.max_body_bytes + 10)})
    assert response.status_code == 413


def test_unknown_page_is_a_french_404(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in response.text


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")


def test_health(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_public_pages(client):
    assert "Déclaration d'accessibilité" in client.get("/accessibilite").text
    assert "Aucune adresse IP" in client.get("/donnees-personnelles").text
