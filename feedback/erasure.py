"""Forgetting contributions for good: one participant (right to erasure) or one deployment (retention).

`STEPS` is THE table of what goes, children before parents, for both scopes. Layers above
feedback keep data derived from comments (theme memberships and quotes, vectors, stored report
figures): they offer `ForgetHook`s, which the shell hands in, and each hook runs before the
comments it is told about are deleted, in the same transaction. Anything new that holds a
participant's data must be added here or to a hook, so that one call really forgets.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlite_utils import Database

Kind = Literal["participant", "deployment"]

#: The trials and comments a scope covers, as sub-selects on the scope's `:id`.
_TRIALS: dict[Kind, str] = {
    "participant": "SELECT id FROM trials WHERE participant_id = :id",
    "deployment": "SELECT id FROM trials WHERE deployment_id = :id",
}
_COMMENTS: dict[Kind, str] = {
    "participant": f"SELECT id FROM comments WHERE trial_id IN ({_TRIALS['participant']})",
    "deployment": "SELECT id FROM comments WHERE deployment_id = :id",
}


@dataclass(frozen=True)
class Step:
    """One delete statement (`{trials}` and `{comments}` are the scope's sub-selects), for one or both scopes."""

    table: str
    sql: str
    only: Kind | None = None


#: Children before parents; the foreign keys cascade as well, this order only makes the counts
#: exact and keeps working if a cascade is ever forgotten.
STEPS: tuple[Step, ...] = (
    Step("comments", "DELETE FROM comments WHERE id IN ({comments})"),
    Step("responses", "DELETE FROM responses WHERE trial_id IN ({trials})"),
    Step("answers", "DELETE FROM answers WHERE trial_id IN ({trials})"),
    Step("step_events", "DELETE FROM step_events WHERE trial_id IN ({trials})"),
    Step("submissions", "DELETE FROM submissions WHERE trial_id IN ({trials})"),
    Step("submissions", "DELETE FROM submissions WHERE participant_id = :id", only="participant"),
    Step("trials", "DELETE FROM trials WHERE id IN ({trials})"),
    Step("participant_sessions", "DELETE FROM participant_sessions WHERE participant_id = :id", only="participant"),
    Step("participant_sessions", "DELETE FROM participant_sessions WHERE deployment_id = :id", only="deployment"),
    Step("kiosks", "DELETE FROM kiosks WHERE deployment_id = :id", only="deployment"),
    # Messages queued or sent (the trigger `outbox_tally` keeps only their counts), and choices about mail.
    Step("outbox", "DELETE FROM outbox WHERE participant_id = :id", only="participant"),
    Step("outbox", "DELETE FROM outbox WHERE deployment_id = :id", only="deployment"),
    Step("mail_opt_ins", "DELETE FROM mail_opt_ins WHERE participant_id = :id", only="participant"),
    Step("mail_opt_ins", "DELETE FROM mail_opt_ins WHERE deployment_id = :id", only="deployment"),
    Step("mail_preferences", "DELETE FROM mail_preferences WHERE participant_id = :id", only="participant"),
    Step("participant_contacts", "DELETE FROM participant_contacts WHERE participant_id = :id", only="participant"),
    Step("invitations", "DELETE FROM invitations WHERE participant_id = :id AND kind = 'personal'", only="participant"),
    Step("participants", "DELETE FROM participants WHERE id = :id", only="participant"),
)


@dataclass(frozen=True)
class Erasure:
    """What is about to go, as hooks see it: the comments, and the iterations their trials tested."""

    kind: Kind
    id: int
    comment_ids: tuple[int, ...]
    iteration_ids: tuple[int, ...]


@dataclass(frozen=True)
class ForgetHook:
    """Data a higher layer derived from comments: the tables it keeps it in and how to forget it."""

    tables: tuple[str, ...]
    forget: Callable[[Database, Erasure], Mapping[str, int]]


def forget(db: Database, kind: Kind, scope_id: int, *, hooks: Sequence[ForgetHook]) -> dict[str, int]:
    """Delete a scope's contributions and what was derived from them (inside the caller's write); counts by table."""
    params = {"id": scope_id}
    comment_ids = tuple(row[0] for row in db.execute(_COMMENTS[kind], params))
    iteration_ids = tuple(row[0] for row in db.execute(
        f"SELECT DISTINCT iteration_id FROM trials WHERE id IN ({_TRIALS[kind]})", params))
    erasure = Erasure(kind, scope_id, comment_ids, iteration_ids)
    counts: Counter[str] = Counter()
    for hook in hooks:
        counts.update(hook.forget(db, erasure))
    for step in STEPS:
        if step.only in (None, kind):
            sql = step.sql.format(trials=_TRIALS[kind], comments=_COMMENTS[kind])
            counts[step.table] += db.execute(sql, params).rowcount
    return dict(counts)


def erase_participant(db: Database, participant_id: int, *, hooks: Sequence[ForgetHook]) -> dict[str, int]:
    """Everything about one participant: contributions, code, contacts, personal links and derived data."""
    return forget(db, "participant", participant_id, hooks=hooks)


def erased_tables(hooks: Sequence[ForgetHook]) -> set[str]:
    """Every table erasure empties for a person, its own steps and the hooks' (checked by a test against the schema)."""
    return {step.table for step in STEPS} | {table for hook in hooks for table in hook.tables}
