"""HTTP at its edges: unexpected errors, oversized and chunked bodies, HEAD, missing static files."""

from __future__ import annotations

import logging

from fastapi import APIRouter

from lab import app as app_module
from lab.access import PUBLIC, requires
from tests.support import Browser


def test_an_unexpected_error_is_a_500_page_with_every_security_header(settings, monkeypatch, caplog):
    broken = APIRouter()

    @broken.get("/boom", dependencies=[requires(PUBLIC)])
    def boom() -> dict:
        raise RuntimeError("a bug")

    monkeypatch.setattr(app_module, "ROUTERS", (*app_module.ROUTERS, broken))
    with caplog.at_level(logging.ERROR), Browser(app_module.create_app(settings)) as client:
        page = client.get("/boom")
    assert page.status_code == 500 and "Une erreur inattendue s&#39;est produite" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["cache-control"] == "no-store"
    assert "a bug" not in page.text and "unhandled error on GET /boom" in caplog.text


def test_the_413_page_links_back_only_inside_the_site(client):
    # "%2F%2F" arrives as the path "//evil.example/page", which a browser reads as another site.
    page = client.post("/%2F%2Fevil.example/page", content=b"x" * (7 * 1024 * 1024))
    assert page.status_code == 413
    assert 'href="//evil.example' not in page.text and 'href="/"' in page.text


def test_a_chunked_api_body_over_the_limit_is_413_as_documented(client):
    def chunks():
        for _ in range(80):
            yield b"x" * 1024

    response = client.post("/api/v1/feedback", content=chunks(),
                           headers={"Content-Type": "application/json", "X-Servicelab-Key": "k"})
    assert response.status_code == 413
    assert response.json() == {"detail": "Le contenu envoyé est trop volumineux."}


def test_head_answers_like_get_without_a_body(client):
    for path in ("/healthz", "/login", "/accessibilite"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"]


def test_a_missing_static_file_is_not_cached(client):
    missing = client.get("/static/nope.css")
    assert missing.status_code == 404 and missing.headers["cache-control"] == "no-store"
    present = client.get("/static/lab.css")
    assert present.status_code == 200 and "immutable" in present.headers["cache-control"]
