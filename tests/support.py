"""Shared test drivers: HTTP clients that post like browsers, citizens, Chromium helpers, access checks."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from starlette.testclient import TestClient

from feedback.sessions import PARTICIPANT_COOKIE

PASSWORD = "correct horse battery staple"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
IDEM_RE = re.compile(r'name="idem" value="([^"]+)"')
AXE_JS = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"

#: A valid answer for each step of the voirie prototype.
STEP_ANSWERS = {
    "lieu": {"f-adresse": "12 rue de la République", "f-repere": "devant la boulangerie"},
    "nature": {"f-categorie": "Trottoir dégradé", "f-danger": "non"},
    "constat": {"f-date_constat": "2026-03-02"},
    "contact": {"f-courriel": "", "f-telephone": ""},
}


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


def idem(page) -> str:
    """The idempotency key of the form a page shows."""
    match = IDEM_RE.search(page.text)
    assert match, page.text[:2000]
    return match.group(1)


class Citizen(Browser):
    """A browser of its own: cookies, CSRF token, and the last page seen."""

    def open_link(self, token: str):
        return self.get(f"/t/{token}", follow_redirects=False)

    def enter(self, token: str):
        first = self.open_link(token)
        assert first.status_code == 303, first.text
        return self.get(first.headers["location"])

    def consent(self):
        page = self.get("/take")
        return self.post_form("/take/consentement", {"consent": "oui", "idem": idem(page)}, follow_redirects=False)

    def step(self, key: str, data: dict | None = None, *, page=None, **kwargs):
        page = page or self.get(f"/take/etape/{key}")
        payload = {"idem": idem(page), **STEP_ANSWERS[key], **(data or {})}
        return self.post_form(f"/take/etape/{key}", payload, follow_redirects=False, **kwargs)

    def walk_steps(self, comments: dict | None = None):
        for key in STEP_ANSWERS:
            response = self.step(key, {"commentaire": (comments or {}).get(key, "")})
            assert response.status_code == 303, (key, response.status_code, response.text[:3000])
        return response

    def questionnaire(self, data: dict | None = None, *, sus=True, **kwargs):
        """Send the questionnaire's first page, then its SUS page when the deployment asks it: the last response."""
        page = self.get("/take/questionnaire")
        payload = {"idem": idem(page), "q-satisfaction": "3", "q-ease": "4", "q-clarity": "5", "q-help_needed": "0"}
        response = self.post_form("/take/questionnaire", payload | (data or {}), follow_redirects=False, **kwargs)
        if not sus or response.headers.get("location", response.headers.get("hx-redirect")) != "/take/questionnaire/2":
            return response
        page = self.get("/take/questionnaire/2")
        payload = {"idem": idem(page)} | {f"q-sus_{i}": str(1 + i % 5) for i in range(1, 11)}
        return self.post_form("/take/questionnaire/2", payload | (data or {}), follow_redirects=False, **kwargs)

    def complete(self, token: str, comment: str, last_words: str):
        """Take the whole test from an invitation: a comment on the first step, free text at the end."""
        self.enter(token)
        self.consent()
        self.walk_steps({"lieu": comment})
        self.questionnaire({"q-free_text": last_words})
        return self

    @property
    def has_participant_cookie(self) -> bool:
        return PARTICIPANT_COOKIE in self.cookies


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


def run_async(main):
    """Run a coroutine on a loop of its own thread: Playwright's sync API keeps one running in the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main).result()


# --- Chromium pages ------------------------------------------------------------------------------------


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core in the page (evaluate is not subject to the page's CSP)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def assert_accessible(page) -> None:
    """Zero serious or critical axe-core violations on the current page."""
    violations = axe_violations(page)
    assert not violations, f"{page.url}: {violations}"


def login(page, email: str, password: str) -> None:
    """Sign in through the real form."""
    page.goto("/login")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
