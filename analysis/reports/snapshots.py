"""Report figures stored per iteration and reused while the data behind them is unchanged.

A report page never scans trials: it reads the snapshot of its iteration, which is recomputed
only when `data_version` changes (see `analysis.reports.migrations`). Reading the version is a
few primary-key lookups, so checking freshness costs the same at 10 or 100,000 trials.

A stale snapshot of a small iteration is recomputed within the request (about 0.1 s); a large
one is handed to the background worker (`analysis.reports.refresh_jobs`) while the page shows
the previous figures, or a "being computed" notice the very first time. Figures are computed
inside one read transaction and stored with the version read in that transaction, so a trial
that arrives meanwhile makes the snapshot stale again instead of being lost.

The snapshot also holds the iteration's themes and redesign actions (their figures are live SQL
aggregates, too slow to redo on every view at 100k trials); `themes_fingerprint` adds the theme
tables to the version.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlite_utils import Database

from analysis.reports.figures import FIGURES_FORMAT, compute_figures
from analysis.reports.migrations import TRIGGERS, create_triggers
from analysis.reports.refresh_jobs import request_refresh
from analysis.themes.contract import themes_fingerprint
from lab.clock import iso, utcnow
from lab.db import write
from lab.worker import Worker
from prototypes.store import get_iteration, previous_iteration

log = logging.getLogger("servicelab.reports")

#: Up to this many trials a stale snapshot is recomputed within the request (about 0.1 s);
#: above, the stored figures are shown while the background worker recomputes them.
INLINE_LIMIT = 500


@dataclass(frozen=True)
class Snapshot:
    """Figures of one iteration as stored; `state` says whether they match the data right now."""

    iteration_id: int
    state: Literal["fresh", "stale", "pending"]
    figures: dict | None
    summary: dict | None
    computed_at: str | None
    trials: int
    version: str | None = None  # the data version the figures were computed from

    @property
    def ready(self) -> bool:
        """True when there are figures to show (possibly slightly behind the data)."""
        return self.figures is not None


# --- data version ---------------------------------------------------------------------------


def ensure_triggers(db: Database) -> None:
    """Recreate version triggers a table rebuild dropped, and invalidate every snapshot if so."""
    present = {row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'report_version_%'")}
    if present >= TRIGGERS.keys():
        return
    with write(db):
        missing = create_triggers(db)
        if missing:
            log.warning("recreated %d report version triggers; every report will be recomputed", missing)
            db.execute("UPDATE report_versions SET version = version + 1")
            db.execute("DELETE FROM report_snapshots")


def involved_iterations(db: Database, iteration: Mapping) -> list[int]:
    """The iterations whose data a report on `iteration` shows: itself, v(N-1), its A/B partners."""
    ids = {iteration["id"]}
    previous = previous_iteration(db, dict(iteration))
    if previous:
        ids.add(previous["id"])
    ids.update(row[0] for row in db.execute(
        """SELECT DISTINCT other.iteration_id FROM deployment_variants mine
           JOIN deployment_variants other ON other.deployment_id = mine.deployment_id
           WHERE mine.iteration_id = ?""", [iteration["id"]]))
    return sorted(ids)


def data_version(db: Database, iteration_id: int) -> str | None:
    """A short text that changes whenever anything a report on this iteration shows changes."""
    iteration = get_iteration(db, iteration_id)
    if iteration is None:
        return None
    ids = involved_iterations(db, iteration)
    marks = ",".join("?" * len(ids))
    versions = dict(db.execute(f"SELECT iteration_id, version FROM report_versions WHERE iteration_id IN ({marks})", ids))
    previous = previous_iteration(db, iteration)
    themes = themes_fingerprint(db, iteration, previous["id"] if previous else None)
    return f"f{FIGURES_FORMAT}|" + ",".join(f"{i}:{versions.get(i, 0)}" for i in ids) + f"|t:{themes}"


# --- computing and storing -------------------------------------------------------------------


@contextlib.contextmanager
def _reading(db: Database) -> Iterator[None]:
    """One read transaction, so every query of a computation sees the same data."""
    if db.conn.in_transaction:
        yield
        return
    db.execute("BEGIN")
    try:
        yield
    finally:
        db.execute("COMMIT")


def _stored(db: Database, iteration_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM report_snapshots WHERE iteration_id = ?", [iteration_id]))
    return rows[0] if rows else None


def _as_snapshot(row: dict, state: str) -> Snapshot:
    return Snapshot(row["iteration_id"], state, json.loads(row["figures"]), json.loads(row["summary"]),
                    row["computed_at"], row["trials"], row["data_version"])


def refresh(db: Database, iteration_id: int) -> Snapshot:
    """Compute and store the figures of an iteration now (v(N-1) first when its own are stale)."""
    ensure_triggers(db)
    iteration = get_iteration(db, iteration_id)
    if iteration is None:
        raise LookupError(iteration_id)
    previous = previous_iteration(db, iteration)
    if previous is not None:
        _fresh_or_refresh(db, previous["id"])
    started = time.perf_counter()
    with _reading(db):
        version = data_version(db, iteration_id)
        basis = None
        if previous is not None:
            stored = _stored(db, previous["id"])
            if stored is not None:
                basis = json.loads(stored["figures"])["basis"]
                if stored["data_version"] != data_version(db, previous["id"]):
                    version += "|previous-changed"  # v(N-1) moved meanwhile: recompute next time
        figures, summary = compute_figures(db, iteration_id, basis)
    elapsed = int((time.perf_counter() - started) * 1000)
    row = {
        "iteration_id": iteration_id, "data_version": version, "computed_at": iso(utcnow()), "compute_ms": elapsed,
        "trials": figures["trials"], "summary": json.dumps(summary), "figures": json.dumps(figures, ensure_ascii=False),
    }
    with write(db):
        db["report_snapshots"].upsert(row, pk="iteration_id")
    log.info("report figures of iteration %s computed in %d ms (%d trials)", iteration_id, elapsed, figures["trials"])
    return _as_snapshot(row, "fresh")


def _fresh_or_refresh(db: Database, iteration_id: int) -> Snapshot:
    stored = _stored(db, iteration_id)
    if stored is not None and stored["data_version"] == data_version(db, iteration_id):
        return _as_snapshot(stored, "fresh")
    return refresh(db, iteration_id)


# --- reading, with refresh by the worker when large -----------------------------------------


def _handed_over(db: Database, iteration_id: int, *, worker: Worker | None, inline_limit: int) -> int | None:
    """Hand a large iteration's refresh to the worker: its number of trials, or None when it is refreshed here."""
    if worker is None:
        return None
    trials = db.execute("SELECT COUNT(*) FROM trials WHERE iteration_id = ?", [iteration_id]).fetchone()[0]
    if trials <= inline_limit:
        return None
    if request_refresh(db, iteration_id, now=utcnow()):
        worker.wake()
    return trials


def get_snapshot(db: Database, iteration_id: int, *, worker: Worker | None = None, inline_limit: int = INLINE_LIMIT) -> Snapshot:
    """The figures to show for an iteration, recomputed first only when they are stale.

    With a `worker` (the web app when workers run), a stale iteration of more than
    `inline_limit` trials is handed to it and the stored figures are returned as "stale" (or
    "pending" when there are none yet); otherwise it is recomputed here.
    """
    ensure_triggers(db)
    stored = _stored(db, iteration_id)
    if stored is not None and stored["data_version"] == data_version(db, iteration_id):
        return _as_snapshot(stored, "fresh")
    trials = _handed_over(db, iteration_id, worker=worker, inline_limit=inline_limit)
    if trials is None:
        return refresh(db, iteration_id)
    if stored is None:
        return Snapshot(iteration_id, "pending", None, None, None, trials)
    return _as_snapshot(stored, "stale")


def summaries(db: Database, iteration_ids: Sequence[int], *, worker: Worker | None = None,
              inline_limit: int = INLINE_LIMIT) -> dict[int, dict]:
    """Stored summaries of several iterations (portfolio, trends), refreshed like `get_snapshot`.

    With a `worker`, a large stale iteration keeps its stored summary (or has none yet) while the
    worker recomputes it; otherwise every stale iteration is recomputed here.
    """
    if not iteration_ids:
        return {}
    ensure_triggers(db)
    marks = ",".join("?" * len(iteration_ids))
    stored = {row["iteration_id"]: row for row in db.query(
        f"SELECT iteration_id, data_version, summary FROM report_snapshots WHERE iteration_id IN ({marks})",
        list(iteration_ids))}
    found = {}
    for iteration_id in iteration_ids:
        row = stored.get(iteration_id)
        if row is not None and row["data_version"] == data_version(db, iteration_id):
            found[iteration_id] = json.loads(row["summary"])
        elif _handed_over(db, iteration_id, worker=worker, inline_limit=inline_limit) is None:
            found[iteration_id] = refresh(db, iteration_id).summary
        elif row is not None:
            found[iteration_id] = json.loads(row["summary"])
    return found
