"""Retention: when a deployment's retention period is over, its personal data is purged for good."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database

from lab.clock import iso, parse

_TRIALS = "SELECT id FROM trials WHERE deployment_id = :d"
_COMMENTS = "SELECT id FROM comments WHERE deployment_id = :d"

#: Children before parents, like `feedback.erasure.ERASE_STEPS`, scoped to one deployment.
PURGE_STEPS: tuple[tuple[str, str], ...] = (
    ("theme_members", f"DELETE FROM theme_members WHERE comment_id IN ({_COMMENTS})"),
    ("comment_vectors", f"DELETE FROM comment_vectors WHERE comment_id IN ({_COMMENTS})"),
    ("comments", "DELETE FROM comments WHERE deployment_id = :d"),
    ("responses", f"DELETE FROM responses WHERE trial_id IN ({_TRIALS})"),
    ("answers", f"DELETE FROM answers WHERE trial_id IN ({_TRIALS})"),
    ("step_events", f"DELETE FROM step_events WHERE trial_id IN ({_TRIALS})"),
    ("submissions", f"DELETE FROM submissions WHERE trial_id IN ({_TRIALS})"),
    ("trials", "DELETE FROM trials WHERE deployment_id = :d"),
    ("participant_sessions", "DELETE FROM participant_sessions WHERE deployment_id = :d"),
    ("kiosks", "DELETE FROM kiosks WHERE deployment_id = :d"),
)


def purge_due(deployment: dict) -> datetime:
    """The end of the session (closing date, or manual close if earlier) plus its retention period."""
    ended = parse(deployment["closes_at"])
    if deployment["closed_at"]:
        ended = min(ended, parse(deployment["closed_at"]))
    return ended + timedelta(days=deployment["retention_days"])


def expired(db: Database, now: datetime) -> list[dict]:
    """Deployments whose retention period is over and whose data is still there."""
    rows = db.query("SELECT * FROM deployments WHERE purged_at IS NULL ORDER BY id")
    return [row for row in rows if purge_due(row) <= now]


def purge_deployment(db: Database, deployment_id: int, *, now: datetime) -> dict[str, int]:
    """Delete a deployment's contributions and what was derived from them (inside the caller's write)."""
    from analysis.themes_store import refresh_after_erasure, themes_of_comments

    comment_ids = [row[0] for row in db.execute(_COMMENTS, {"d": deployment_id})]
    themes = themes_of_comments(db, comment_ids)
    counts = {table: db.execute(sql, {"d": deployment_id}).rowcount for table, sql in PURGE_STEPS}
    if comment_ids:
        counts.update(refresh_after_erasure(db, themes, comment_ids))
    db.execute("UPDATE deployments SET purged_at = ? WHERE id = ?", [iso(now), deployment_id])
    return counts


def purge_expired(db: Database, *, now: datetime) -> dict[int, dict[str, int]]:
    """Purge every deployment that is due; returns what went, per deployment."""
    return {deployment["id"]: purge_deployment(db, deployment["id"], now=now) for deployment in expired(db, now)}
