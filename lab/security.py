"""ASGI middleware for headers every response needs, body limits and the CSRF cookie."""

from __future__ import annotations

import json
import secrets
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lab.access import CSRF_COOKIE
from lab.i18n import DEFAULT_LOCALE, N_, current_locale, pick_locale, translations

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
LOCALE_COOKIE = "lab_lang"
TOO_LARGE = N_("Le contenu envoyé est trop volumineux.")


def _cookies(scope: Scope) -> dict[str, str]:
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
                if path.startswith("/static/"):
                    headers.setdefault("Cache-Control", "public, max-age=31536000, immutable")
                else:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _csp(self, path: str) -> str:
        if self.frameable_prefixes and path.startswith(self.frameable_prefixes):
            return CSP.replace("frame-ancestors 'none'", "frame-ancestors *")
        return CSP


class BodyTooLarge(Exception):
    """Raised inside `receive` when a streamed body passes its limit."""


class BodyLimit:
    """Answer 413 before reading more than the limit for the request's path."""

    def __init__(self, app: ASGIApp, *, default: int, limits: dict[str, int] | None = None,
                 upload_limits: dict[str, int] | None = None, default_locale: str = DEFAULT_LOCALE):
        self.app = app
        self.default = default
        self.limits = limits or {}
        self.upload_limits = upload_limits or {}  # for multipart bodies (files) only
        self.default_locale = default_locale

    def limit_for(self, path: str, content_type: bytes = b"") -> int:
        chosen = self.upload_limits if content_type.startswith(b"multipart/form-data") else {}
        for prefix, limit in {**self.limits, **chosen}.items():
            if path.startswith(prefix):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        limit = self.limit_for(scope["path"], headers.get(b"content-type", b""))
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            await self._reject(scope, send, limit)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._reject(scope, send, limit)

    async def _reject(self, scope: Scope, send: Send, limit: int) -> None:
        """A short answer in the visitor's language: JSON (the documented error shape) under /api/, else a page."""
        locale = pick_locale(_cookies(scope).get(LOCALE_COOKIE), self.default_locale)
        if scope["path"].startswith("/api/"):
            body = json.dumps({"detail": translations(locale).gettext(TOO_LARGE)}).encode()
            content_type = b"application/json"
        else:
            current_locale.set(locale)
            page = scope["app"].state.templates.env.get_template("lab/too_large.html")
            body = page.render(lang=locale, limit_mb=max(1, limit // (1024 * 1024)), back=scope["path"]).encode()
            content_type = b"text/html; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class VisitorCookies:
    """Give every visitor a CSRF token and apply their language choice."""

    def __init__(self, app: ASGIApp, *, secure: bool, default_locale: str, cookieless_prefixes: tuple[str, ...] = ()):
        self.app = app
        self.secure = secure
        self.default_locale = default_locale
        self.cookieless_prefixes = cookieless_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        token = cookies.get(CSRF_COOKIE)
        # Key-authenticated JSON clients never post forms: no CSRF cookie to hand them.
        fresh = not token and not scope["path"].startswith(self.cookieless_prefixes or ("\0",))
        if fresh:
            token = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf_token"] = token or ""
        current_locale.set(pick_locale(cookies.get(LOCALE_COOKIE), self.default_locale))

        async def send_with_cookie(message: Message) -> None:
            if fresh and message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if CSRF_COOKIE + "=" not in " ".join(headers.getlist("set-cookie")):
                    headers.append("set-cookie", csrf_cookie_header(token, secure=self.secure))
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
