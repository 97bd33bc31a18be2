"""Retention: when a deployment's retention period is over, its personal data is purged for good."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlite_utils import Database

from feedback.erasure import ForgetHook, forget
from lab.clock import iso, parse


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


def purge_deployment(db: Database, deployment_id: int, *, now: datetime, hooks: Sequence[ForgetHook]) -> dict[str, int]:
    """Delete a deployment's contributions and what was derived from them (inside the caller's write)."""
    counts = forget(db, "deployment", deployment_id, hooks=hooks)
    db.execute("UPDATE deployments SET purged_at = ? WHERE id = ?", [iso(now), deployment_id])
    return counts


def purge_expired(db: Database, *, now: datetime, hooks: Sequence[ForgetHook]) -> dict[int, dict[str, int]]:
    """Purge every deployment that is due; returns what went, per deployment."""
    return {row["id"]: purge_deployment(db, row["id"], now=now, hooks=hooks) for row in expired(db, now)}
