"""Shared test helpers: a form-aware HTTP client, the test password, a clean event loop."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

from starlette.testclient import TestClient

PASSWORD = "correct horse battery staple"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser(TestClient):
    """A TestClient that knows how to find and send the page's CSRF token."""

    def csrf(self) -> str:
        page = self.get("/login")
        match = CSRF_RE.search(page.text)
        return match.group(1) if match else self.cookies.get("lab_csrf", "")

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        """Submit like a browser form: token included, same origin."""
        payload = {"csrf_token": self.cookies.get("lab_csrf") or self.csrf(), **(data or {})}
        return self.post(url, data=payload, **kwargs)

    def login(self, email: str, password: str = PASSWORD):
        self.csrf()
        return self.post_form("/login", {"email": email, "password": password}, follow_redirects=False)


def run_async(main):
    """Run a coroutine on a loop of its own thread: Playwright's sync API keeps one running in the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main).result()
