"""Deny by default: every route declares who may call it, and unsafe methods need a CSRF token."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from sqlite_utils import Database

from lab.accounts import User
from lab.sessions import SESSION_COOKIE, load_session

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_COOKIE = "lab_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class LoginRequired(Exception):
    """Raised when a staff page is asked for without a valid session."""


class Forbidden(Exception):
    """Raised when the signed-in role may not use this route."""


class PasswordChangeRequired(Exception):
    """Raised when an account still holds the temporary password an admin gave it."""


class CsrfRejected(Exception):
    """Raised when an unsafe request lacks a matching token or comes from another origin."""


def get_db(request: Request) -> Iterator[Database]:
    """One connection per request, from the app's pool, given back when the response is done."""
    pool = request.app.state.db_pool
    db = pool.acquire()
    try:
        yield db
    finally:
        pool.release(db)


Db = Annotated[Database, Depends(get_db)]


def current_user(request: Request, db: Db) -> User | None:
    """The staff member behind the session cookie, if any."""
    settings = request.app.state.settings
    user = load_session(
        db,
        request.cookies.get(SESSION_COOKIE),
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_absolute_hours),
    )
    request.state.user = user
    return user


def _same_origin(request: Request, value: str) -> bool:
    parts = urlsplit(value)
    origin = f"{parts.scheme}://{parts.netloc}"
    # The address this request came to, and the configured public one when set (a proxy may rewrite the host).
    served = f"{request.url.scheme}://{request.url.netloc}"
    return origin in {served, request.app.state.settings.public_url(served)}


async def csrf_guard(request: Request) -> None:
    """Refuse state changes that lack our token or announce a foreign origin."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    referer = request.headers.get("referer")
    if origin and origin != "null" and not _same_origin(request, origin):
        raise CsrfRejected()
    if not origin and referer and not _same_origin(request, referer):
        raise CsrfRejected()
    expected = request.cookies.get(CSRF_COOKIE, "")
    supplied = request.headers.get(CSRF_HEADER, "")
    content_type = request.headers.get("content-type", "")
    if not supplied and content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        try:
            await request.body()  # cache it so a route that reads the raw body still can
        except RuntimeError:
            pass  # FastAPI already parsed the form for the route's Form parameters; it is cached
        form = await request.form()
        supplied = str(form.get(CSRF_FIELD, ""))
    if not expected or not secrets.compare_digest(expected, supplied):
        raise CsrfRejected()


@dataclass(frozen=True)
class Rule:
    """Who may call a route; `roles=None` means anyone, `csrf=False` only for key-based APIs.

    `temporary_password_ok` marks the few routes an account with a temporary password may use
    (choosing its own password, signing out): every other staff route sends it there first.
    """

    name: str
    roles: frozenset[str] | None
    csrf: bool = True
    temporary_password_ok: bool = False


PUBLIC = Rule("public", None)
STAFF = Rule("staff", frozenset({"staff", "admin"}))
READER = Rule("reader", frozenset({"staff", "manager", "admin"}))
MANAGER = Rule("manager", frozenset({"manager"}))
ADMIN = Rule("admin", frozenset({"admin"}))
#: Any signed-in account, even one that must still replace its temporary password.
ACCOUNT = Rule("account", frozenset({"staff", "manager", "admin"}), temporary_password_ok=True)
#: Anonymous senders identified by a per-deployment public key (widget, JSON API): no cookies, no CSRF.
DEPLOYMENT_KEY = Rule("deployment_key", None, csrf=False)


def requires(rule: Rule):
    """Build the dependency that enforces `rule`; routes without one fail the start-up check."""
    if not rule.csrf:

        async def check_key_route() -> None:  # async: no threadpool hop on the ingestion path
            return None  # the route authenticates its caller by a key it checks itself

        check_key_route.access_rule = rule  # type: ignore[attr-defined]
        return Depends(check_key_route)

    def check(
        request: Request,
        user: Annotated[User | None, Depends(current_user)],
        _csrf: Annotated[None, Depends(csrf_guard)],
    ) -> User | None:
        if rule.roles is None:
            return user
        if user is None:
            raise LoginRequired()
        if user.role not in rule.roles:
            raise Forbidden()
        if user.must_change_password and not rule.temporary_password_ok:
            raise PasswordChangeRequired()
        return user

    check.access_rule = rule  # type: ignore[attr-defined]
    return Depends(check)


def endpoints(app) -> Iterator:
    """Every API route of the app with its full path, looking inside included routers."""
    for route in app.routes:
        if hasattr(route, "effective_route_contexts"):
            yield from route.effective_route_contexts()
        elif hasattr(route, "dependant"):
            yield route


def route_rule(route) -> Rule | None:
    """Find the access rule a route declared, searching its dependency tree."""
    stack = list(route.dependant.dependencies)
    while stack:
        dependant = stack.pop()
        rule = getattr(dependant.call, "access_rule", None)
        if rule is not None:
            return rule
        stack.extend(dependant.dependencies)
    return None


StaffUser = Annotated[User, requires(STAFF)]
Reader = Annotated[User, requires(READER)]
Manager = Annotated[User, requires(MANAGER)]
Admin = Annotated[User, requires(ADMIN)]
Account = Annotated[User, requires(ACCOUNT)]
Visitor = Annotated[User | None, requires(PUBLIC)]
