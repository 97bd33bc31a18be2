"""Participant sessions: what an invitation link, a mediator or a kiosk hands to a browser.

The cookie holds a random token and the table its SHA-256, like staff sessions, so a database
leak gives no way in. Online sessions last long enough to come back days later; kiosk sessions
end after a few idle minutes so the next person never sees the previous one's answers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from lab.clock import iso, parse

PARTICIPANT_COOKIE = "lab_participant"
KIOSK_COOKIE = "lab_kiosk"
#: A shared link opened but not yet consented through: who came is created only at consent.
INVITATION_COOKIE = "lab_invitation"
INVITATION_PASS_LIFETIME = timedelta(days=1)
ONLINE_LIFETIME = timedelta(days=180)
ASSISTED_IDLE = timedelta(hours=2)
KIOSK_IDLE = timedelta(minutes=10)
_TOUCH_EVERY = timedelta(seconds=30)
ASSISTED_CHANNELS = ("telephone", "papier", "guichet")


def token_hash(token: str) -> str:
    """What the database keeps of a cookie token."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ParticipantSession:
    """Who is taking part, in which test, and by which channel."""

    id: str
    participant_id: int
    participant_code: str
    group_id: int
    deployment_id: int
    invitation_id: int | None
    channel: str
    assisted_by: int | None
    assisted_via: str | None
    kiosk_id: int | None
    created_at: str
    last_seen_at: str

    @property
    def assisted(self) -> bool:
        """A mediator is entering answers on the person's behalf."""
        return self.channel == "assisted"

    @property
    def kiosk(self) -> bool:
        """A shared device: nothing may outlive the person in front of it."""
        return self.channel == "kiosk"


def start(
    db: Database,
    *,
    participant_id: int,
    deployment_id: int,
    channel: str,
    now: datetime,
    invitation_id: int | None = None,
    assisted_by: int | None = None,
    assisted_via: str | None = None,
    kiosk_id: int | None = None,
) -> str:
    """Open a session inside the caller's write and return the cookie token."""
    token = secrets.token_urlsafe(32)
    db["participant_sessions"].insert(
        {
            "id": token_hash(token),
            "participant_id": participant_id,
            "deployment_id": deployment_id,
            "invitation_id": invitation_id,
            "channel": channel,
            "assisted_by": assisted_by,
            "assisted_via": assisted_via,
            "kiosk_id": kiosk_id,
            "created_at": iso(now),
            "last_seen_at": iso(now),
        }
    )
    return token


def _expired(row: dict, now: datetime) -> bool:
    if row["channel"] == "kiosk":
        return now - parse(row["last_seen_at"]) > KIOSK_IDLE
    if row["channel"] == "assisted":
        return now - parse(row["last_seen_at"]) > ASSISTED_IDLE
    return now - parse(row["created_at"]) > ONLINE_LIFETIME


def lookup(db: Database, token: str | None) -> dict | None:
    """The raw session row behind a cookie (revoked or not), or None."""
    if not token:
        return None
    rows = list(
        db.query(
            """
            SELECT s.*, p.code AS participant_code, p.group_id,
                   i.kind AS invitation_kind, i.revoked_at AS invitation_revoked_at
            FROM participant_sessions s JOIN participants p ON p.id = s.participant_id
            LEFT JOIN invitations i ON i.id = s.invitation_id WHERE s.id = ?
            """,
            [token_hash(token[:128])],
        )
    )
    return rows[0] if rows else None


def is_live(row: dict | None, now: datetime) -> bool:
    """Not revoked, not past its idle or absolute limit, and its personal link not revoked since."""
    if row is None or row["revoked_at"] or _expired(row, now):
        return False
    return not (row.get("invitation_kind") == "personal" and row.get("invitation_revoked_at"))


def load(db: Database, token: str | None, *, now: datetime) -> ParticipantSession | None:
    """The live session behind a cookie, touching it at most every half minute."""
    row = lookup(db, token)
    if not is_live(row, now):
        return None
    if now - parse(row["last_seen_at"]) > _TOUCH_EVERY:
        db.execute("UPDATE participant_sessions SET last_seen_at = ? WHERE id = ?", [iso(now), row["id"]])
        row["last_seen_at"] = iso(now)
    return ParticipantSession(**{k: row[k] for k in ParticipantSession.__dataclass_fields__})


def touch(db: Database, session_id: str, *, now: datetime) -> None:
    """Record activity (the kiosk's keep-alive while someone types a long comment)."""
    db.execute(
        "UPDATE participant_sessions SET last_seen_at = ? WHERE id = ? AND revoked_at IS NULL", [iso(now), session_id]
    )


def revoke(db: Database, session_id: str, *, now: datetime) -> None:
    """End a session for good."""
    db.execute(
        "UPDATE participant_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [iso(now), session_id]
    )


def invitation_pass(secret: str, invitation_id: int, *, now: datetime) -> str:
    """A signed, expiring note that this browser opened a shared link: no row is written for it."""
    expires = int((now + INVITATION_PASS_LIFETIME).timestamp())
    body = f"{invitation_id}.{expires}"
    return f"{body}.{_signature(secret, body)}"


def read_invitation_pass(secret: str, value: str | None, *, now: datetime) -> int | None:
    """The invitation a pass names, or None when it is missing, forged or expired."""
    parts = (value or "")[:128].split(".")
    if len(parts) != 3 or not all(part.isdigit() for part in parts[:2]):
        return None
    body = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_signature(secret, body), parts[2]) or int(parts[1]) < now.timestamp():
        return None
    return int(parts[0])


def _signature(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), b"invitation-pass\x1f" + body.encode(), hashlib.sha256).hexdigest()[:32]


def cookie_options(name: str, token: str, *, secure: bool, max_age: int | None = None) -> dict:
    """Arguments for `Response.set_cookie`: HttpOnly, SameSite=Lax, Secure over HTTPS."""
    options = {"key": name, "value": token, "httponly": True, "samesite": "lax", "secure": secure, "path": "/"}
    if max_age is not None:
        options["max_age"] = max_age
    return options


# --- kiosks ----------------------------------------------------------------------------------


def start_kiosk(db: Database, *, deployment_id: int, group_id: int, user_id: int | None, now: datetime) -> str:
    """Turn the current device into a kiosk for a deployment; return the device cookie token."""
    token = secrets.token_urlsafe(32)
    db["kiosks"].insert(
        {
            "token_hash": token_hash(token),
            "deployment_id": deployment_id,
            "group_id": group_id,
            "started_by": user_id,
            "created_at": iso(now),
        }
    )
    return token


def load_kiosk(db: Database, token: str | None) -> dict | None:
    """The kiosk behind a device cookie, ended or not."""
    if not token:
        return None
    rows = list(db.query("SELECT * FROM kiosks WHERE token_hash = ?", [token_hash(token[:128])]))
    return rows[0] if rows else None


def end_kiosks(db: Database, *, deployment_id: int, now: datetime) -> int:
    """Stop every kiosk of a deployment and close the sessions still open on them."""
    ids = [row["id"] for row in db.query("SELECT id FROM kiosks WHERE deployment_id = ? AND ended_at IS NULL", [deployment_id])]
    for kiosk_id in ids:
        db.execute("UPDATE kiosks SET ended_at = ? WHERE id = ?", [iso(now), kiosk_id])
        db.execute(
            "UPDATE participant_sessions SET revoked_at = ? WHERE kiosk_id = ? AND revoked_at IS NULL", [iso(now), kiosk_id]
        )
    return len(ids)
