"""The sessions part of the staff home: open and upcoming sessions with participants, completion and today's responses."""

from __future__ import annotations

from datetime import datetime, time

from sqlite_utils import Database

from lab.campaigns.deployments import list_deployments, state
from lab.clock import LOCAL_TZ, iso


def start_of_day(now: datetime) -> datetime:
    """Midnight of today in Paris time, the day the team lives in."""
    return datetime.combine(now.astimezone(LOCAL_TZ).date(), time(), tzinfo=LOCAL_TZ)


def session_figures(db: Database, now: datetime) -> dict:
    """Open sessions (closing soonest first), then upcoming ones (opening soonest first), each with its figures so far."""
    # Journeys walked step by step (online, assisted, kiosk) make completion; a widget comment is a response too.
    figures = {row["deployment_id"]: row for row in db.query(
        """SELECT d.id AS deployment_id,
              (SELECT COUNT(*) FROM participants p JOIN deployment_groups dg ON dg.group_id = p.group_id
                 WHERE dg.deployment_id = d.id) AS participants,
              (SELECT COUNT(*) FROM trials t WHERE t.deployment_id = d.id AND t.channel IN ('online', 'assisted', 'kiosk')) AS started,
              (SELECT COUNT(*) FROM trials t WHERE t.deployment_id = d.id AND t.channel IN ('online', 'assisted', 'kiosk')
                 AND t.completed_at IS NOT NULL) AS completed,
              (SELECT COUNT(*) FROM trials t WHERE t.deployment_id = d.id AND (t.completed_at >= :today
                 OR t.channel = 'widget' AND t.started_at >= :today)) AS today
            FROM deployments d WHERE d.closed_at IS NULL AND d.closes_at > :now""",
        {"today": iso(start_of_day(now)), "now": iso(now)},
    )}
    sessions = {"open": [], "scheduled": []}
    for deployment in list_deployments(db):
        kind = state(deployment, now)
        if kind in sessions and deployment["id"] in figures:
            row = figures[deployment["id"]]
            rate = row["completed"] / row["started"] if row["started"] else None
            sessions[kind].append({**deployment, **row, "completion": rate})
    sessions["open"].sort(key=lambda row: row["closes_at"])
    sessions["scheduled"].sort(key=lambda row: row["opens_at"])
    return sessions


#: The staff home's sessions section (listed by the shell).
SESSIONS_SECTION = ("feedback/_home_sessions.html", session_figures)
