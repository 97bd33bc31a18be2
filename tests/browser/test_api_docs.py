"""The API documentation renders in Chromium under the app's own CSP, from files the app serves."""

from __future__ import annotations

from playwright.sync_api import expect


def test_api_docs_render_with_the_apps_csp_and_no_third_party_request(page, live_server):
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    response = page.goto("/api/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", name="servicelab")).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()  # the operations, read from /api/openapi.json
    expect(page.get_by_text("/api/v1/feedback").first).to_be_visible()
    assert blocked == []
    assert requested and all(url.startswith(live_server.url) for url in requested), requested
