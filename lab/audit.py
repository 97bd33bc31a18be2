"""Append-only record of who did what to which object, readable by admins."""

from __future__ import annotations

import json

from sqlite_utils import Database

from lab.clock import iso, utcnow


def record(
    db: Database,
    *,
    user_id: int | None,
    action: str,
    object_type: str | None = None,
    object_id: int | None = None,
    detail: dict | None = None,
) -> None:
    """Log one staff action inside the caller's transaction."""
    db["audit_log"].insert(
        {
            "at": iso(utcnow()),
            "user_id": user_id,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "detail": json.dumps(detail or {}, ensure_ascii=False),
        }
    )


def recent(db: Database, *, limit: int = 200, offset: int = 0) -> list[dict]:
    """Newest entries first, with the author's name for display."""
    return list(
        db.query(
            """
            SELECT audit_log.*, users.name AS user_name, users.email AS user_email
            FROM audit_log LEFT JOIN users ON users.id = audit_log.user_id
            ORDER BY audit_log.id DESC LIMIT :limit OFFSET :offset
            """,
            {"limit": limit, "offset": offset},
        )
    )
