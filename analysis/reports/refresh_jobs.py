"""Refreshes of large reports, as job rows: requested by a page view, claimed by the background worker.

`report_jobs` holds at most one row per iteration: `queued` (a view found the figures stale),
`running` (the worker computes them), then `done` or `failed`. A running job older than
`JOB_TIMEOUT` is presumed dead (a crash without restart) and may be requested again; a failed
one is not requested again for `RETRY_AFTER`, so a bug cannot start a computation per view.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database

from lab.clock import iso, parse
from lab.db import write

#: A refresh that has not finished after this long is presumed dead (crash, killed process).
JOB_TIMEOUT = timedelta(minutes=15)
#: After a failed refresh, wait this long before trying again (a bug must not fork a process per view).
RETRY_AFTER = timedelta(minutes=5)


def _job(db: Database, iteration_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM report_jobs WHERE iteration_id = ?", [iteration_id]))
    return rows[0] if rows else None


def _under_way(job: dict | None, now: datetime) -> bool:
    """Queued, or running and not yet presumed dead."""
    if job is None:
        return False
    return job["status"] == "queued" or (job["status"] == "running" and parse(job["started_at"]) > now - JOB_TIMEOUT)


def _wanted(job: dict | None, now: datetime) -> bool:
    """Whether a refresh should be queued: none under way, and no failure moments ago."""
    if _under_way(job, now):
        return False
    return not (job and job["status"] == "failed" and parse(job["finished_at"]) > now - RETRY_AFTER)


def request_refresh(db: Database, iteration_id: int, *, now: datetime) -> bool:
    """Queue a refresh of an iteration's figures unless one is under way or just failed; True if queued."""
    if not _wanted(_job(db, iteration_id), now):  # the common case, a read only: the page is viewed again
        return False
    with write(db):
        if not _wanted(_job(db, iteration_id), now):
            return False
        db["report_jobs"].upsert({"iteration_id": iteration_id, "status": "queued", "requested_at": iso(now),
                                  "started_at": None, "finished_at": None, "error": None}, pk="iteration_id")
    return True


def refreshing(db: Database, iteration_id: int, *, now: datetime) -> bool:
    """Whether the worker will soon have new figures for this iteration (queued or running)."""
    return _under_way(_job(db, iteration_id), now)


def claim_next(db: Database, *, now: datetime) -> int | None:
    """Take the oldest queued refresh; its iteration id, or None when none is queued."""
    with write(db):
        row = db.execute(
            "SELECT iteration_id FROM report_jobs WHERE status = 'queued' ORDER BY requested_at, iteration_id LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        db.execute("UPDATE report_jobs SET status = 'running', started_at = ? WHERE iteration_id = ?", [iso(now), row[0]])
    return row[0]


def finish(db: Database, iteration_id: int, *, error: str | None, now: datetime) -> bool:
    """Record how a running refresh ended (`error` names what went wrong); False if it was not running."""
    with write(db):
        return db.execute(
            "UPDATE report_jobs SET status = ?, finished_at = ?, error = ? WHERE iteration_id = ? AND status = 'running'",
            ["failed" if error else "done", iso(now), error, iteration_id],
        ).rowcount == 1


def requeue_interrupted(db: Database) -> int:
    """At start-up: refreshes a previous server left running are queued again (its child process died with it)."""
    with write(db):
        return db.execute(
            "UPDATE report_jobs SET status = 'queued', started_at = NULL WHERE status = 'running'"
        ).rowcount
