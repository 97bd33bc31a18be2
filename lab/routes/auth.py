"""Login, logout and the public pages every visitor may read."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from lab import audit
from lab.access import CSRF_COOKIE, PUBLIC, Account, Db, Visitor, requires
from lab.accounts import User, authenticate, normalize_email
from lab.db import write
from lab.errors import PASSWORD_PAGE, error_response
from lab.i18n import LOCALES
from lab.i18n import gettext as _
from lab.ratelimit import RateLimiter, client_address, fingerprint
from lab.security import LOCALE_COOKIE, csrf_cookie_header
from lab.sessions import SESSION_COOKIE, revoke_session, start_session
from lab.settings import Settings
from lab.web import local_path, render, secure_cookies

router = APIRouter()


@dataclass(frozen=True)
class LoginLimits:
    """Sign-in attempts per account from one address, and per address.

    No limit counts an account's attempts from every address together: anyone who knows an
    address could then keep its owner locked out. A guesser gets a few tries per address and
    per window, against passwords of 12 characters or more.
    """

    per_account_and_client: RateLimiter
    per_client: RateLimiter

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginLimits:
        """A whole town hall may share one address: the address gets ten times an account's allowance."""
        return cls(
            per_account_and_client=RateLimiter(settings.login_attempts, settings.login_window_seconds),
            per_client=RateLimiter(settings.login_attempts * 10, settings.login_window_seconds),
        )


@router.get("/login")
def login_page(request: Request, user: Visitor, next: str = "/") -> Response:
    """The staff sign-in form."""
    if user is not None:
        return RedirectResponse(local_path(next), status_code=303)
    return render(request, "lab/login.html", {"next": local_path(next), "email": "", "errors": []})


@router.post("/login")
def login(
    request: Request,
    db: Db,
    _visitor: Visitor,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check credentials under a rate limit, then rotate the session and CSRF token."""
    settings = request.app.state.settings
    limits = request.app.state.login_limits
    client = client_address(request)
    client_key = fingerprint(settings.secret_key, "login-ip", client)
    account_key = fingerprint(settings.secret_key, "login", normalize_email(email), client)
    # The account's allowance is charged first: a refused attempt does not eat the address's.
    if not limits.per_account_and_client.hit(account_key) or not limits.per_client.hit(client_key):
        retry = max(limits.per_client.retry_after(client_key), limits.per_account_and_client.retry_after(account_key))
        return error_response(request, 429, headers={"Retry-After": str(retry)})
    with write(db):
        user = authenticate(db, email, password)
        if user is not None:
            token = start_session(db, user, replaces=request.cookies.get(SESSION_COOKIE))
            audit.record(db, user_id=user.id, action="login")
    if user is None:
        errors = [{"message": _("Adresse électronique ou mot de passe incorrect."), "anchor": "email"}]
        return render(
            request, "lab/login.html", {"next": local_path(next), "email": email, "errors": errors}, status_code=422
        )
    limits.per_account_and_client.reset(account_key)
    # A temporary password must be replaced before anything else (lab.routes.account).
    target = f"{PASSWORD_PAGE}?next={quote(local_path(next))}" if user.must_change_password else local_path(next)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, token)
    response.headers.append("set-cookie", csrf_cookie_header(secrets.token_urlsafe(32), secure=secure_cookies(request)))
    return response


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    """The staff session cookie: HttpOnly, Lax, Secure whenever the public address is HTTPS."""
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure_cookies(request), path="/")


@router.post("/logout")
def logout(request: Request, db: Db, user: Account) -> Response:
    """Revoke the session server-side, not just the cookie."""
    with write(db):
        revoke_session(db, request.cookies.get(SESSION_COOKIE, ""))
        audit.record(db, user_id=user.id, action="logout")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.post("/langue")
def switch_language(
    request: Request,
    _visitor: Visitor,
    lang: Annotated[str, Form(max_length=5)] = "fr",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Remember the visitor's language for a year; unknown codes fall back to French."""
    response = RedirectResponse(local_path(next), status_code=303)
    response.set_cookie(LOCALE_COOKIE, lang if lang in LOCALES else "fr", max_age=365 * 86400, samesite="lax", httponly=True)
    return response


@router.get("/accessibilite")
def accessibility(request: Request, _visitor: Visitor) -> Response:
    """The accessibility statement required by French law."""
    return render(request, "lab/accessibility.html")


@router.get("/donnees-personnelles")
def privacy(request: Request, _visitor: Visitor) -> Response:
    """What servicelab keeps about people and for how long."""
    return render(request, "lab/privacy.html")


@router.get("/api/docs", include_in_schema=False)
def api_docs(request: Request, _visitor: Visitor) -> Response:
    """The OpenAPI schema, readable in Swagger UI served from our own static files (the CSP allows nothing else)."""
    return render(request, "lab/api_docs.html", {"openapi_url": request.app.openapi_url})


@router.get("/healthz", include_in_schema=False)
def health(_visitor: Annotated[User | None, requires(PUBLIC)], db: Db) -> dict:
    """Liveness probe that also proves the database answers."""
    db.execute("SELECT 1")
    return {"status": "ok"}
