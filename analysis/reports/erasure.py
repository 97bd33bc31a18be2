"""Erasure reaches the reports: stored figures that quote comments are dropped at once.

`forget_reports` is the hook the shell hands to `feedback.erasure`.
"""

from __future__ import annotations

from sqlite_utils import Database

from feedback.erasure import Erasure, ForgetHook


def _forget_snapshots(db: Database, erasure: Erasure) -> dict[str, int]:
    """Stored figures quote comments (themes, the previous iteration's themes): drop those of every
    iteration of the prototypes concerned, so no stale copy is served while a large one recomputes."""
    if not erasure.iteration_ids:
        return {"report_snapshots": 0}
    marks = ",".join("?" for _ in erasure.iteration_ids)
    deleted = db.execute(
        f"""DELETE FROM report_snapshots WHERE iteration_id IN (SELECT id FROM iterations WHERE prototype_id IN
            (SELECT prototype_id FROM iterations WHERE id IN ({marks})))""", list(erasure.iteration_ids)).rowcount
    return {"report_snapshots": deleted}


forget_reports = ForgetHook(tables=("report_snapshots",), forget=_forget_snapshots)
