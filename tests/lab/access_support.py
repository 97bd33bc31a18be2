"""Checking that a set of lab routes is for staff only, the same way for every router."""

from __future__ import annotations

from collections.abc import Iterable


def assert_staff_only(client, staff, manager, routes: Iterable[tuple[str, str]], tokenless: dict) -> None:
    """Anonymous visitors go to sign in (GET) or get 401, managers 403, staff are served; a POST without token is refused."""
    for method, url in routes:
        if method == "GET":
            anonymous = client.get(url, follow_redirects=False)
            assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login"), url
            assert manager.get(url).status_code == 403, url
            assert staff.get(url).status_code == 200, url
        else:
            assert client.post_form(url, follow_redirects=False).status_code == 401, url
            assert manager.post_form(url).status_code == 403, url
            refused = staff.post(url, data=tokenless)
            assert refused.status_code == 403 and "refusée par sécurité" in refused.text, url
