"""Bodies are refused past a size before they are read: 413, as a page or as the API's JSON error."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lab.i18n import DEFAULT_LOCALE, N_, current_locale, pick_locale, translations
from lab.security import LOCALE_COOKIE, request_cookies
from lab.web import local_path

TOO_LARGE = N_("Le contenu envoyé est trop volumineux.")


class BodyTooLarge(HTTPException):
    """Raised inside `receive` when a streamed body passes its limit: an HTTP error, so that a route
    parsing the body (FastAPI turns other errors into 400) lets it through as the documented 413."""

    def __init__(self) -> None:
        super().__init__(413)


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
        locale = pick_locale(request_cookies(scope).get(LOCALE_COOKIE), self.default_locale)
        if scope["path"].startswith("/api/"):
            body = json.dumps({"detail": translations(locale).gettext(TOO_LARGE)}).encode()
            content_type = b"application/json"
        else:
            current_locale.set(locale)
            page = scope["app"].state.templates.env.get_template("lab/too_large.html")
            body = page.render(lang=locale, limit_mb=max(1, limit // (1024 * 1024)), back=local_path(scope["path"])).encode()
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
