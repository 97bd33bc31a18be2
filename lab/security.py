"""ASGI middleware for headers every response needs, body limits and the CSRF cookie."""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lab.access import CSRF_COOKIE
from lab.i18n import current_locale, pick_locale
from lab.settings import Settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
LOCALE_COOKIE = "lab_lang"


def request_cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:
                return {}
            return {key: morsel.value for key, morsel in jar.items()}
    return {}


class SecurityHeaders:
    """Strict CSP, no referrer, no sniffing, no caching of personal pages."""

    def __init__(self, app: ASGIApp, *, frameable_prefixes: tuple[str, ...] = ()):
        self.app = app
        self.frameable_prefixes = frameable_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", self._csp(path))
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                if not path.startswith(self.frameable_prefixes or ("\0",)):
                    headers.setdefault("X-Frame-Options", "DENY")
                if path.startswith("/static/") and message["status"] in (200, 304):  # a 404 must not be kept
                    headers.setdefault("Cache-Control", "public, max-age=31536000, immutable")
                else:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _csp(self, path: str) -> str:
        if self.frameable_prefixes and path.startswith(self.frameable_prefixes):
            return CSP.replace("frame-ancestors 'none'", "frame-ancestors *")
        return CSP


class VisitorCookies:
    """Give every visitor a CSRF token and apply their language choice."""

    def __init__(self, app: ASGIApp, *, settings: Settings, cookieless_prefixes: tuple[str, ...] = ()):
        self.app = app
        self.settings = settings
        self.cookieless_prefixes = cookieless_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = request_cookies(scope)
        token = cookies.get(CSRF_COOKIE)
        # Key-authenticated JSON clients never post forms: no CSRF cookie to hand them.
        fresh = not token and not scope["path"].startswith(self.cookieless_prefixes or ("\0",))
        if fresh:
            token = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf_token"] = token or ""
        current_locale.set(pick_locale(cookies.get(LOCALE_COOKIE), self.settings.default_locale))
        secure = self.settings.secure_cookies(scope.get("scheme", "http"))

        async def send_with_cookie(message: Message) -> None:
            if fresh and message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if CSRF_COOKIE + "=" not in " ".join(headers.getlist("set-cookie")):
                    headers.append("set-cookie", csrf_cookie_header(token, secure=secure))
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def csrf_cookie_header(token: str, *, secure: bool) -> str:
    """The CSRF cookie is HttpOnly: pages carry the token in forms and htmx headers."""
    flags = "; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
    return f"{CSRF_COOKIE}={token}{flags}"


class CompressStatic:
    """Gzip static files only: pages mix secrets (CSRF tokens) with user text, which BREACH exploits."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=1024)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/static/"):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)
