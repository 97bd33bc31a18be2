"""Tables of the managers' side: decisions on iterations and stored report figures.

Reports never recompute on a page view: the figures of an iteration are computed once into
`report_snapshots` and reused while the data behind them is unchanged. "Unchanged" is decided
by `report_versions`, a counter per iteration that triggers bump on every write to a table a
report reads (trials, step visits, questionnaire answers, comments, invitations, deployments,
group names). Reading it is one primary-key lookup, whatever the number of trials, and it
catches updates and deletions (erasure) as well as insertions, which a count or a max id would
not.

The triggers sit on other packages' tables. A later migration that rebuilds one of those
tables (SQLite drops a table's triggers with it) would silently stop the counter, so
`analysis.reports.snapshots` checks that every trigger in `TRIGGERS` exists and recreates the
missing ones (bumping every counter) before trusting a snapshot.
"""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("analysis_reports")

DECISION_KINDS = ("iterate", "pivot", "scale", "stop")
RATIONALE_MAX = 2000


def _bump(select: str) -> str:
    """One statement that adds 1 to the counter of each iteration `select` yields (one column)."""
    return (
        f"INSERT INTO report_versions (iteration_id, version) SELECT x.iteration_id, 1 FROM ({select}) AS x "
        "WHERE x.iteration_id IS NOT NULL ON CONFLICT (iteration_id) DO UPDATE SET version = version + 1;"
    )


def _of_trial(ref: str) -> str:
    return _bump(f"SELECT iteration_id FROM trials WHERE id = {ref}.trial_id")


def _of_deployment(ref: str) -> str:
    return _bump(f"SELECT iteration_id FROM deployment_variants WHERE deployment_id = {ref}.deployment_id")


def _events(table: str, body: dict[str, str], events: tuple[str, ...] = ("INSERT", "UPDATE", "DELETE")) -> dict[str, str]:
    """Trigger name → CREATE statement for each event; `body` maps NEW/OLD to the bump statement."""
    made = {}
    for event in events:
        statements = {"INSERT": body["NEW"], "DELETE": body["OLD"], "UPDATE": body["NEW"] + "\n  " + body["OLD"]}[event]
        name = f"report_version_{table}_{event.lower()}"
        made[name] = f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table} BEGIN\n  {statements}\nEND;"
    return made


#: Every trigger that keeps `report_versions` current, by name (checked and repaired at read time).
TRIGGERS: dict[str, str] = {
    **_events("trials", {ref: _bump(f"SELECT {ref}.iteration_id AS iteration_id") for ref in ("NEW", "OLD")}),
    **_events("step_events", {ref: _of_trial(ref) for ref in ("NEW", "OLD")}),
    **_events("responses", {ref: _of_trial(ref) for ref in ("NEW", "OLD")}),
    **_events("comments", {ref: _bump(f"SELECT {ref}.iteration_id AS iteration_id") for ref in ("NEW", "OLD")}),
    **_events("invitations", {ref: _of_deployment(ref) for ref in ("NEW", "OLD")}),
    **_events("deployments", {"NEW": _bump("SELECT iteration_id FROM deployment_variants WHERE deployment_id = NEW.id"),
                              "OLD": ""}, events=("UPDATE",)),
    **_events("test_groups", {"NEW": _bump(
        "SELECT v.iteration_id FROM deployment_groups g JOIN deployment_variants v ON v.deployment_id = g.deployment_id "
        "WHERE g.group_id = NEW.id"), "OLD": ""}, events=("UPDATE",)),
}


def create_triggers(db: Database) -> int:
    """Create the missing version triggers; returns how many were missing."""
    present = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    missing = [name for name in TRIGGERS if name not in present]
    for name in missing:
        db.execute(TRIGGERS[name])
    return len(missing)


@migrations(name="001_decisions_and_snapshots")
def decisions_and_snapshots(db: Database) -> None:
    """Decisions, the per-iteration data counter with its triggers, and the stored report figures."""
    db.executescript(
        f"""
        -- A manager's call on an iteration; never edited, a new decision supersedes the last one.
        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            iteration_id INTEGER NOT NULL REFERENCES iterations(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ({", ".join(repr(k) for k in DECISION_KINDS)})),
            rationale TEXT NOT NULL CHECK (length(trim(rationale)) BETWEEN 1 AND {RATIONALE_MAX}),
            decided_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            decided_at TEXT NOT NULL
        );
        CREATE INDEX decisions_iteration ON decisions(iteration_id, id);

        -- Bumped by triggers on every write a report depends on (see the module docstring).
        CREATE TABLE report_versions (
            iteration_id INTEGER PRIMARY KEY,
            version INTEGER NOT NULL DEFAULT 0
        );

        -- The computed figures of an iteration and the data version they were computed from.
        CREATE TABLE report_snapshots (
            iteration_id INTEGER PRIMARY KEY REFERENCES iterations(id) ON DELETE CASCADE,
            data_version TEXT NOT NULL,
            computed_at TEXT NOT NULL,
            compute_ms INTEGER NOT NULL,
            trials INTEGER NOT NULL,
            summary TEXT NOT NULL,
            figures TEXT NOT NULL
        );

        -- A refresh running outside the request; a row older than the timeout counts as abandoned.
        CREATE TABLE report_jobs (
            iteration_id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            error TEXT
        );
        """
    )
    create_triggers(db)


@migrations(name="002_report_jobs_queue")
def report_jobs_queue(db: Database) -> None:
    """Refreshes become job rows the background worker claims: queued, running, then done or failed.

    The old rows only said when a child process started and ended; they are bookkeeping of
    refreshes already over (or to be requested again by the next view), so they are dropped.
    """
    db.executescript(
        """
        DROP TABLE report_jobs;
        -- One refresh of an iteration's figures, requested by a page view, run by the worker.
        CREATE TABLE report_jobs (
            iteration_id INTEGER PRIMARY KEY,
            status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
            requested_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT,
            error TEXT
        );
        """
    )
