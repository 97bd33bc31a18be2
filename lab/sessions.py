"""Server-side staff sessions: the cookie holds a random token, the database its hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlite_utils import Database

from lab.accounts import User, get_user
from lab.clock import iso, parse, utcnow

SESSION_COOKIE = "lab_session"
_TOUCH_EVERY = timedelta(seconds=60)


def token_hash(token: str) -> str:
    """Sessions and invitations are looked up by hash so a database leak reveals no token."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: Database, user: User, *, replaces: str | None = None) -> str:
    """Open a fresh session at login, revoking the one it replaces (rotation)."""
    now = iso(utcnow())
    if replaces:
        revoke_session(db, replaces)
    token = secrets.token_urlsafe(32)
    db["sessions"].insert(
        {"id": token_hash(token), "user_id": user.id, "created_at": now, "last_seen_at": now}
    )
    return token


def load_session(
    db: Database, token: str | None, *, idle: timedelta, absolute: timedelta, now: datetime | None = None
) -> User | None:
    """The active user behind a cookie, or None when missing, revoked, idle or too old."""
    if not token:
        return None
    rows = list(db.query("SELECT * FROM sessions WHERE id = ?", [token_hash(token)]))
    if not rows or rows[0]["revoked_at"]:
        return None
    session = rows[0]
    now = now or utcnow()
    last_seen = parse(session["last_seen_at"])
    if now - last_seen > idle or now - parse(session["created_at"]) > absolute:
        return None
    user = get_user(db, session["user_id"])
    if user is None or not user.active:
        return None
    if now - last_seen > _TOUCH_EVERY:
        db["sessions"].update(session["id"], {"last_seen_at": iso(now)})
    return user


def revoke_session(db: Database, token: str) -> None:
    """End a session for good (logout, rotation)."""
    db.execute(
        "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        [iso(utcnow()), token_hash(token)],
    )
