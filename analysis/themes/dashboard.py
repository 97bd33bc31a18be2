"""The analysis part of the staff home: comments waiting for an analysis, and redesign actions still to deliver."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from analysis.themes.actions import STATUS_LABELS


def waiting_analyses(db: Database) -> list[dict]:
    """Iterations whose comments were never analysed, or got new ones since, and analyses under way."""
    rows = db.query(
        """SELECT i.id AS iteration_id, i.number, p.title AS prototype_title, c.comments,
             (SELECT json_extract(a.params, '$.n_comments') FROM analyses a WHERE a.iteration_id = i.id
                AND a.status = 'done' ORDER BY a.id DESC LIMIT 1) AS analysed,
             (SELECT a.status FROM analyses a WHERE a.iteration_id = i.id AND a.status IN ('queued', 'running')) AS active,
             (SELECT a.progress FROM analyses a WHERE a.iteration_id = i.id AND a.status IN ('queued', 'running')) AS progress
           FROM (SELECT iteration_id, COUNT(*) AS comments FROM comments WHERE moderation = 'visible'
                 GROUP BY iteration_id) c
           JOIN iterations i ON i.id = c.iteration_id JOIN prototypes p ON p.id = i.prototype_id
           ORDER BY p.title, i.number"""
    )
    waiting = []
    for row in rows:
        row["new"] = row["comments"] - (row["analysed"] or 0)
        if row["active"] or row["analysed"] is None or row["new"] > 0:
            waiting.append(row)
    return waiting


def actions_due(db: Database) -> list[dict]:
    """Redesign actions not dropped and not yet delivered in an iteration, oldest first."""
    rows = list(db.query(
        """SELECT r.id, r.title, r.owner, r.status, r.source_iteration_id, si.number AS source_number,
             p.title AS prototype_title
           FROM redesign_actions r JOIN iterations si ON si.id = r.source_iteration_id
           JOIN prototypes p ON p.id = r.prototype_id
           WHERE r.status <> 'dropped' AND r.delivered_in_iteration_id IS NULL ORDER BY r.id"""
    ))
    for row in rows:
        row["status_label"] = STATUS_LABELS[row["status"]]
    return rows


def analysis_work(db: Database, now: datetime) -> dict:
    """What the themes side of the lab is waiting for."""
    return {"analyses": waiting_analyses(db), "actions": actions_due(db)}


#: The staff home's analysis section (listed by the shell).
WORK_SECTION = ("themes/_home_work.html", analysis_work)
