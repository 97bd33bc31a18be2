"""From the database to stored report figures: records → `analysis.metrics` → a JSON snapshot.

A report page never scans trials: it reads the snapshot of its iteration, which is recomputed
only when `data_version` changes (see `analysis.report_migrations`). Reading the version is a
few primary-key lookups, so checking freshness costs the same at 10 or 100,000 trials.

A stale snapshot of a small iteration is recomputed within the request (about 0.1 s); a large
one is recomputed by a worker process while the page shows the previous figures, or a "being
computed" notice the very first time (`report_jobs` keeps one refresh per iteration at a time,
across server processes and restarts). Figures are computed inside one read transaction and
stored with the version read in that transaction, so a trial that arrives meanwhile makes the
snapshot stale again instead of being lost.

The snapshot also holds the iteration's themes and redesign actions as `analysis.themes_store`
returns them (their figures are live SQL aggregates, too slow to redo on every view at 100k
trials); `themes_fingerprint` adds the theme tables to the version.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import logging
import math
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, is_dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Literal

from sqlite_utils import Database

from analysis.reports.metrics import (
    Completion,
    IterationMetrics,
    QuestionnaireSummary,
    ScoreSummary,
    compare_iterations,
    iteration_metrics,
    split_by,
)
from analysis.reports.migrations import TRIGGERS, create_triggers
from analysis.reports.records import response_records, trial_records
from analysis.stats import MIN_GROUP_SIZE, Proportion, suppress_small
from feedback.erasure import Erasure, ForgetHook
from lab.campaigns.deployments import assign_variant
from lab.clock import iso, parse, utcnow
from lab.db import opened, write
from prototypes.store import get_iteration, previous_iteration, spec_of

log = logging.getLogger("servicelab.reports")

#: Bump when the shape or meaning of the stored figures changes: every snapshot is then stale.
FIGURES_FORMAT = 3
#: Up to this many trials a stale snapshot is recomputed within the request (about 0.1 s);
#: above, the stored figures are shown while a worker process recomputes them.
INLINE_LIMIT = 500
#: A worker that has not finished after this long is presumed dead (restart, crash).
JOB_TIMEOUT = timedelta(minutes=15)
SEGMENT_KEYS = ("variant", "group", "channel", "assisted")


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


# --- themes, through the theme engineer's contract (analysis.themes_store) -----------------


def themes_api() -> ModuleType | None:
    """`analysis.themes_store` when the theme analysis is installed, else None (reports say so)."""
    try:
        return importlib.import_module("analysis.themes.store")
    except ModuleNotFoundError as exc:
        if exc.name != "analysis.themes.store":
            raise
        return None


def themes_fingerprint(db: Database, iteration: Mapping, previous_id: int | None) -> str:
    """What the stored themes and actions of an iteration depend on, in a few indexed lookups.

    Theme figures (sizes, quotes, satisfaction) are read from comments, trials and answers,
    which `report_versions` already follows; this adds the theme tables themselves: the latest
    analysis of the iteration and of v(N-1), their themes' names and quotes, their links, the
    curations (every rename, merge or move adds one) and the prototype's redesign actions.
    """
    if themes_api() is None:
        return "none"
    parts = []
    try:
        for iteration_id in (iteration["id"], previous_id):
            if iteration_id is None:
                continue
            parts.append(db.execute("SELECT IFNULL(MAX(id), 0) || '/' || COUNT(*) FROM curations WHERE iteration_id = ?",
                                    [iteration_id]).fetchone()[0])
            done = db.execute("""SELECT id, finished_at FROM analyses WHERE iteration_id = ? AND status = 'done'
                                 ORDER BY id DESC LIMIT 1""", [iteration_id]).fetchone()
            if done is None:
                parts.append("-")
                continue
            parts.append(f"{done[0]}@{done[1]}")
            parts.append(db.execute(
                """SELECT group_concat(id || ':' || IFNULL(curated_label, '') || ':' || label || ':' || quote_ids, '|')
                   FROM themes WHERE analysis_id = ?""", [done[0]]).fetchone()[0] or "")
            parts.append(db.execute("SELECT IFNULL(MAX(id), 0) || '/' || COUNT(*) FROM theme_links WHERE analysis_id = ?",
                                    [done[0]]).fetchone()[0])
        parts.append(db.execute(
            """SELECT COUNT(*) || '/' || IFNULL(MAX(id), 0) || '/' || IFNULL(MAX(updated_at), '') || '/' ||
                      (SELECT COUNT(*) FROM action_themes WHERE action_id IN
                         (SELECT id FROM redesign_actions WHERE prototype_id = :p))
               FROM redesign_actions WHERE prototype_id = :p""", {"p": iteration["prototype_id"]}).fetchone()[0])
    except sqlite3.OperationalError:  # their schema moved on: never trust a cached copy then
        log.warning("theme tables unreadable for the report cache; themes are read live", exc_info=True)
        return "live"
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def theme_views(db: Database, iteration_id: int) -> dict:
    """Themes, delivered and planned actions of an iteration as JSON values (empty when not installed)."""
    api = themes_api()
    if api is None:
        return {"available": False, "themes": [], "delivered": [], "planned": []}
    return {
        "available": True,
        "themes": [asdict(view) for view in api.iteration_themes(db, iteration_id)],
        "delivered": [asdict(view) for view in api.delivered_actions(db, iteration_id)],
        "planned": [asdict(view) for view in api.planned_actions(db, iteration_id)],
    }


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


# --- plain JSON from metrics dataclasses ----------------------------------------------------


def plain(value: object) -> object:
    """Dataclasses, mappings and tuples as JSON values; raw score samples are left out."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value) if f.name != "values"}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime):
        return iso(value)
    return value


def _histogram(values: Sequence[float]) -> list[list[float]]:
    """Score samples as (value, count) pairs: exact for the discrete scales, and small."""
    return [[value, count] for value, count in sorted(Counter(values).items())]


def _expand(pairs: Sequence[Sequence[float]]) -> tuple[float, ...]:
    return tuple(float(value) for value, count in pairs for _ in range(int(count)))


def comparison_basis(metrics: IterationMetrics) -> dict:
    """What a later iteration needs to be compared with this one, without re-reading its trials."""
    q = metrics.questionnaire
    return {
        "completion": [metrics.completion.completed, metrics.completion.started],
        "satisfied": [q.satisfied.successes, q.satisfied.n],
        "ease": _histogram(q.ease.values),
        "clarity": _histogram(q.clarity.values),
        "sus": _histogram(q.sus.values),
    }


def metrics_from_basis(basis: Mapping) -> IterationMetrics:
    """Rebuild just the parts of `IterationMetrics` that `compare_iterations` reads."""

    def scores(key: str) -> ScoreSummary:
        values = _expand(basis[key])
        return ScoreSummary(values, len(values), None, None)

    completed, started = basis["completion"]
    satisfied, answered = basis["satisfied"]
    empty = ScoreSummary((), 0, None, None)
    questionnaire = QuestionnaireSummary(
        respondents=answered, satisfaction=empty, satisfied=Proportion(satisfied, answered, None, None),
        ease=scores("ease"), clarity=scores("clarity"), help_needed=Proportion(0, 0, None, None),
        sus=scores("sus"), sus_grade=None, umux_lite=empty, umux_lite_sus_equivalent=None,
    )
    return IterationMetrics(Completion(None, started, completed, None, None), (), {}, None, (), questionnaire)


# --- computing ------------------------------------------------------------------------------


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


def _invited(db: Database, iteration_id: int) -> int | None:
    """People invited to try this iteration: personal invitations plus people who came by a shared link.

    In an A/B deployment a participant sees the variant `assign_variant` gives them, so the
    invited of each variant are known exactly. None when the iteration was never deployed.
    """
    total, deployed = 0, False
    for dep in db.query(
        """SELECT v.deployment_id, v.label, (SELECT group_concat(label) FROM deployment_variants o
               WHERE o.deployment_id = v.deployment_id) AS labels
           FROM deployment_variants v WHERE v.iteration_id = ?""", [iteration_id]
    ):
        deployed = True
        people = """SELECT participant_id AS id FROM invitations WHERE deployment_id = :d AND kind = 'personal'
                    UNION SELECT p.id FROM participants p JOIN invitations i ON i.id = p.joined_via
                    WHERE i.deployment_id = :d AND i.kind = 'shared'"""
        labels = sorted(dep["labels"].split(","))
        if len(labels) == 1:
            total += db.execute(f"SELECT COUNT(*) FROM ({people})", {"d": dep["deployment_id"]}).fetchone()[0]
        else:
            codes = db.execute(f"SELECT code FROM participants WHERE id IN ({people})", {"d": dep["deployment_id"]})
            total += sum(1 for (code,) in codes if assign_variant(dep["deployment_id"], code, labels) == dep["label"])
    return total if deployed else None


def _deployments(db: Database, iteration_id: int) -> list[dict]:
    return list(db.query(
        """SELECT d.id, d.title, d.opens_at, d.closes_at, d.closed_at, v.label AS variant,
             (SELECT COUNT(*) FROM deployment_variants o WHERE o.deployment_id = d.id) AS variants,
             (SELECT json_group_array(g.name) FROM deployment_groups dg JOIN test_groups g ON g.id = dg.group_id
                WHERE dg.deployment_id = d.id) AS groups
           FROM deployment_variants v JOIN deployments d ON d.id = v.deployment_id
           WHERE v.iteration_id = ? ORDER BY d.opens_at, d.id""", [iteration_id]))


def _counted(values: Sequence[str | None], total: int) -> list[dict]:
    """Share of each value, hiding any value fewer than MIN_GROUP_SIZE trials have."""
    return [
        {"value": value, "suppressed": True} if suppress_small(n)
        else {"value": value, "suppressed": False, "n": n, "share": n / total}
        for value, n in sorted(Counter(values).items(), key=lambda item: (-item[1], str(item[0])))
    ]


def _ab_comparisons(db: Database, iteration_id: int, step_keys: Sequence[str], deployments: list[dict]) -> list[dict]:
    """Variant A against variant B for each A/B deployment this iteration took part in."""
    found = []
    empty = iteration_metrics([], [], step_keys)
    for dep in deployments:
        if dep["variants"] < 2:
            continue
        trials = trial_records(db, deployment_id=dep["id"])
        responses = response_records(db, deployment_id=dep["id"])
        segments = {s.value: s for s in split_by(trials, responses, "variant", step_keys)}
        numbers = dict(db.execute(
            """SELECT v.label, i.number FROM deployment_variants v JOIN iterations i ON i.id = v.iteration_id
               WHERE v.deployment_id = ?""", [dep["id"]]))
        a, b = segments.get("A"), segments.get("B")
        rows = compare_iterations((a and a.metrics) or empty, (b and b.metrics) or empty)
        found.append({"deployment_id": dep["id"], "title": dep["title"], "numbers": numbers, "rows": plain(rows)})
    return found


def _summary(number: int, metrics: IterationMetrics) -> dict:
    """The few figures the portfolio and the trend charts show, small groups already hidden."""
    c, q = metrics.completion, metrics.questionnaire

    def shown(n: int, value):
        return value if n >= MIN_GROUP_SIZE else None

    return {
        "number": number,
        "trials": c.started,
        "suppressed": c.started < MIN_GROUP_SIZE,
        "completion": shown(c.started, c.rate),
        "completion_interval": shown(c.started, plain(c.interval)),
        "satisfied": shown(q.satisfied.n, q.satisfied.share),
        "satisfied_n": q.satisfied.n,
        "help": shown(q.help_needed.n, q.help_needed.share),
        "sus": shown(q.sus.n, q.sus.mean),
        "sus_interval": shown(q.sus.n, plain(q.sus.interval)),
        "sus_grade": shown(q.sus.n, plain(q.sus_grade)),
        "sus_n": q.sus.n,
        "total_time": shown(c.completed, plain(metrics.total_time)),
    }


def compute_figures(db: Database, iteration_id: int, previous_basis: Mapping | None = None) -> tuple[dict, dict]:
    """Every figure of the report on one iteration, as (figures, summary) JSON values.

    `previous_basis` is the stored comparison basis of v(N-1), if there is one.
    """
    iteration = get_iteration(db, iteration_id)
    spec = spec_of(iteration)
    step_keys = [step.key for step in spec.steps]
    trials = trial_records(db, iteration_id=iteration_id)
    responses = response_records(db, iteration_id=iteration_id)
    metrics = iteration_metrics(trials, responses, step_keys, _invited(db, iteration_id))
    # A split with a single value repeats the whole iteration's figures: skip its computation.
    segments = {key: split_by(trials, responses, key, step_keys) if len({getattr(t, key) for t in trials}) > 1 else []
                for key in SEGMENT_KEYS}
    deployments = _deployments(db, iteration_id)
    for dep in deployments:
        dep["groups"] = json.loads(dep["groups"])
    previous = previous_iteration(db, iteration)
    comparison = None
    if previous is not None and previous_basis is not None:
        rows = compare_iterations(metrics_from_basis(previous_basis), metrics)
        comparison = {"iteration_id": previous["id"], "number": previous["number"], "rows": plain(rows)}
    comments = dict(db.execute(
        """SELECT IFNULL(step_key, ''), COUNT(*) FROM comments WHERE iteration_id = ? AND moderation = 'visible'
           GROUP BY IFNULL(step_key, '')""", [iteration_id]))
    started = [t.started_at for t in trials]
    figures = {
        "format": FIGURES_FORMAT,
        "iteration": {"id": iteration_id, "number": iteration["number"], "prototype_id": iteration["prototype_id"]},
        "steps": [{"key": s.key, "title": s.title} for s in spec.steps],
        "fields": {f.key: f.label for _step, f in spec.iter_fields()},
        "trials": len(trials),
        "comments": {"total": sum(comments.values()), "by_step": comments},
        "period": {"first": iso(min(started)), "last": iso(max(started))} if started else None,
        "deployments": deployments,
        "channels": _counted([t.channel for t in trials], len(trials)),
        "assisted": _counted([t.assisted for t in trials], len(trials)),
        "metrics": plain(metrics),
        "segments": {key: plain(value) for key, value in segments.items()},
        "comparison": comparison,
        "variants": _ab_comparisons(db, iteration_id, step_keys, deployments),
        "basis": comparison_basis(metrics),
        "themes": {**theme_views(db, iteration_id),
                   "live": themes_fingerprint(db, iteration, previous["id"] if previous else None) == "live"},
    }
    return figures, _summary(iteration["number"], metrics)


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


# --- reading, with refresh outside the request when large -----------------------------------

_running: set[int] = set()
_running_lock = threading.Lock()


def _claim_job(db: Database, iteration_id: int) -> bool:
    """Take the refresh of an iteration unless another process is already on it."""
    now = utcnow()
    with write(db):
        row = db.execute("SELECT started_at, finished_at FROM report_jobs WHERE iteration_id = ?", [iteration_id]).fetchone()
        if row and row[1] is None and parse(row[0]) > now - JOB_TIMEOUT:
            return False
        db["report_jobs"].upsert({"iteration_id": iteration_id, "started_at": iso(now), "finished_at": None, "error": None},
                                 pk="iteration_id")
    return True


def run_job(db_path: Path, iteration_id: int) -> None:
    """The worker's job: claim the refresh (unless another process has it), compute, record the outcome."""
    with opened(db_path) as db:
        if not _claim_job(db, iteration_id):
            return
        error = None
        try:
            refresh(db, iteration_id)
        except Exception as exc:  # the page keeps its old figures and says so; the log has the trace
            log.exception("report refresh of iteration %s failed", iteration_id)
            error = type(exc).__name__
        with write(db):
            db["report_jobs"].update(iteration_id, {"finished_at": iso(utcnow()), "error": error})


#: The child lowers its priority before importing anything: requests come first on a small server.
_CHILD = ("import os, runpy; getattr(os, 'nice', lambda n: None)(10); "
          "runpy.run_module('analysis.reports.snapshots', run_name='__main__', alter_sys=True)")


def _spawn(db_path: Path, iteration_id: int) -> None:
    """Run one refresh in a child process and wait for it (in a thread, so no request waits)."""
    try:
        subprocess.run([sys.executable, "-c", _CHILD, str(db_path), str(iteration_id)],
                       check=False, timeout=JOB_TIMEOUT.total_seconds())
    except subprocess.TimeoutExpired:
        log.error("report refresh of iteration %s took longer than %s and was stopped", iteration_id, JOB_TIMEOUT)
    finally:
        with _running_lock:
            _running.discard(iteration_id)


def start_refresh(db_path: Path, iteration_id: int) -> threading.Thread | None:
    """Recompute an iteration's figures in a child process (once per server process at a time).

    A process, not a thread: computing 100,000 trials is seconds of pure Python that would
    hold the GIL against every request, and its peak memory is given back when it exits.
    """
    with _running_lock:
        if iteration_id in _running:
            return None
        _running.add(iteration_id)
    thread = threading.Thread(target=_spawn, args=(db_path, iteration_id), name=f"report-{iteration_id}", daemon=True)
    thread.start()
    return thread


#: After a failed refresh, wait this long before trying again (a bug must not fork a process per view).
RETRY_AFTER = timedelta(minutes=5)


def _refresh_later(db: Database, db_path: Path, iteration_id: int) -> None:
    """Hand a refresh to a worker unless one is running or the last one failed moments ago."""
    row = db.execute("SELECT finished_at, error FROM report_jobs WHERE iteration_id = ?", [iteration_id]).fetchone()
    if row and row[1] and row[0] and parse(row[0]) > utcnow() - RETRY_AFTER:
        return
    start_refresh(db_path, iteration_id)


def refreshing(db: Database, iteration_id: int) -> bool:
    """Whether a worker is computing this iteration's figures right now."""
    with _running_lock:
        if iteration_id in _running:
            return True
    row = db.execute("SELECT started_at, finished_at FROM report_jobs WHERE iteration_id = ?", [iteration_id]).fetchone()
    return bool(row and row[1] is None and parse(row[0]) > utcnow() - JOB_TIMEOUT)


def get_snapshot(
    db: Database, iteration_id: int, *, db_path: Path | None = None, background: bool = False,
    inline_limit: int = INLINE_LIMIT,
) -> Snapshot:
    """The figures to show for an iteration, recomputed first only when they are stale.

    With `background` (the web app when workers are on), a stale iteration of more than
    `inline_limit` trials is recomputed by a worker and the stored figures are returned as
    "stale" (or "pending" when there are none yet); otherwise it is recomputed here.
    """
    ensure_triggers(db)
    stored = _stored(db, iteration_id)
    if stored is not None and stored["data_version"] == data_version(db, iteration_id):
        return _as_snapshot(stored, "fresh")
    if not background or db_path is None:
        return refresh(db, iteration_id)
    trials = db.execute("SELECT COUNT(*) FROM trials WHERE iteration_id = ?", [iteration_id]).fetchone()[0]
    if trials <= inline_limit:
        return refresh(db, iteration_id)
    _refresh_later(db, db_path, iteration_id)
    if stored is None:
        return Snapshot(iteration_id, "pending", None, None, None, trials)
    return _as_snapshot(stored, "stale")


def summaries(db: Database, iteration_ids: Sequence[int], *, db_path: Path | None = None, background: bool = False,
              inline_limit: int = INLINE_LIMIT) -> dict[int, dict]:
    """Stored summaries of several iterations (portfolio, trends), refreshed like `get_snapshot`.

    With `background`, a large stale iteration keeps its stored summary (or has none yet) while
    a worker recomputes it; otherwise every stale iteration is recomputed here.
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
            continue
        if background and db_path is not None:
            trials = db.execute("SELECT COUNT(*) FROM trials WHERE iteration_id = ?", [iteration_id]).fetchone()[0]
            if trials > inline_limit:
                _refresh_later(db, db_path, iteration_id)
                if row is not None:
                    found[iteration_id] = json.loads(row["summary"])
                continue
        found[iteration_id] = refresh(db, iteration_id).summary
    return found



# --- erasure ----------------------------------------------------------------------------------


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


if __name__ == "__main__":  # python -m analysis.reports.snapshots DB_PATH ITERATION_ID (what start_refresh runs)
    logging.basicConfig(level=logging.INFO)
    run_job(Path(sys.argv[1]), int(sys.argv[2]))
