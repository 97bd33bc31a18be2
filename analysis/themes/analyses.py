"""Analysis rows: the newest, the one shown (newest finished), the one under way, v(N-1)'s.

Only the latest finished analysis of an iteration keeps its themes; earlier ones stay as
history with the parameters that produced them.
"""

from __future__ import annotations

from sqlite_utils import Database

from analysis.themes.sql import loads
from lab.db import one
from prototypes.store import get_iteration, previous_iteration


def _decoded(row: dict | None) -> dict | None:
    if row is not None:
        row["params_"] = loads(row["params"], {})
        row["replay_"] = loads(row["replay"], {})
    return row


def get_analysis(db: Database, analysis_id: int) -> dict | None:
    """One analysis row (params and replay decoded into `params_` and `replay_`), or None."""
    return _decoded(one(db, "SELECT * FROM analyses WHERE id = ?", [analysis_id]))


def latest_analysis(db: Database, iteration_id: int) -> dict | None:
    """The newest analysis of an iteration, whatever its status."""
    return _decoded(one(db, "SELECT * FROM analyses WHERE iteration_id = ? ORDER BY id DESC LIMIT 1", [iteration_id]))


def latest_done(db: Database, iteration_id: int) -> dict | None:
    """The analysis whose themes are shown: the newest finished one."""
    return _decoded(one(
        db, "SELECT * FROM analyses WHERE iteration_id = ? AND status = 'done' ORDER BY id DESC LIMIT 1", [iteration_id]
    ))


def active_analysis(db: Database, iteration_id: int) -> dict | None:
    """The queued or running analysis of an iteration, if any (there is at most one)."""
    return _decoded(one(
        db, "SELECT * FROM analyses WHERE iteration_id = ? AND status IN ('queued', 'running')", [iteration_id]
    ))


def compared_analysis(db: Database, iteration_id: int) -> dict | None:
    """The previous iteration's analysis this iteration's statuses are computed against, if any."""
    iteration = get_iteration(db, iteration_id)
    before = previous_iteration(db, iteration) if iteration else None
    return latest_done(db, before["id"]) if before else None
