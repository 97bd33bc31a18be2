"""Append-only record of who did what to which object, and its search for admins."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from lab.clock import iso, utcnow

#: The `person` filter value for entries without an account (command line, demo, a participant alone).
NOBODY = 0


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


@dataclass(frozen=True)
class AuditQuery:
    """Which entries an admin asks for: one person (`NOBODY` for none), one action code, an interval [since, until)."""

    person: int | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def where(self) -> tuple[str, list]:
        """The SQL condition and its parameters (indexes on user_id, action and at serve each)."""
        clauses, params = ["1"], []
        if self.person == NOBODY:
            clauses.append("audit_log.user_id IS NULL")
        elif self.person is not None:
            clauses.append("audit_log.user_id = ?")
            params.append(self.person)
        if self.action:
            clauses.append("audit_log.action = ?")
            params.append(self.action)
        if self.since:
            clauses.append("audit_log.at >= ?")
            params.append(iso(self.since))
        if self.until:
            clauses.append("audit_log.at < ?")
            params.append(iso(self.until))
        return " AND ".join(clauses), params


def search(db: Database, query: AuditQuery, *, limit: int, offset: int) -> tuple[list[dict], int]:
    """One page of matching entries, newest first, with the author's and the target account's addresses; and the total."""
    where, params = query.where()
    total = db.execute(f"SELECT COUNT(*) FROM audit_log WHERE {where}", params).fetchone()[0]
    rows = list(db.query(
        f"""SELECT audit_log.*, author.name AS user_name, author.email AS user_email, target.email AS target_email
            FROM audit_log LEFT JOIN users author ON author.id = audit_log.user_id
            LEFT JOIN users target ON audit_log.object_type = 'user' AND target.id = audit_log.object_id
            WHERE {where} ORDER BY audit_log.id DESC LIMIT ? OFFSET ?""",
        [*params, limit, offset],
    ))
    for row in rows:
        try:
            detail = json.loads(row["detail"] or "{}")
        except ValueError:
            detail = {}
        row["detail_"] = detail if isinstance(detail, dict) else {}
    return rows, total


def authors(db: Database) -> list[dict]:
    """Every account, for the person filter (a disabled one still has a history)."""
    return list(db.query("SELECT id, name, email FROM users ORDER BY name, email"))


def recorded_actions(db: Database) -> list[str]:
    """Every action code the log holds, so the filter offers codes nobody has described yet."""
    return [row[0] for row in db.execute("SELECT DISTINCT action FROM audit_log ORDER BY action")]
