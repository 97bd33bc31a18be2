"""Trials and questionnaire answers as the plain records `analysis.metrics` computes on.

This is the one place that turns feedback rows into `TrialRecord` / `ResponseRecord`: reports,
exports and tests read trials through here, never by re-deriving them from the tables.
"""

from __future__ import annotations

import json
from collections import defaultdict

from sqlite_utils import Database

from analysis.reports.metrics import FieldError, ResponseRecord, StepTiming, TrialRecord
from lab.clock import parse


def _where(iteration_id: int | None, deployment_id: int | None, alias: str = "t") -> tuple[str, dict]:
    if iteration_id is None and deployment_id is None:
        raise ValueError("give an iteration_id or a deployment_id")
    clauses, params = [], {}
    if iteration_id is not None:
        clauses.append(f"{alias}.iteration_id = :iteration")
        params["iteration"] = iteration_id
    if deployment_id is not None:
        clauses.append(f"{alias}.deployment_id = :deployment")
        params["deployment"] = deployment_id
    return " AND ".join(clauses), params


def trial_records(db: Database, *, iteration_id: int | None = None, deployment_id: int | None = None) -> list[TrialRecord]:
    """Every trial of an iteration and/or deployment that reached consent, with its step visits and errors.

    `trial_id` is the trial's id as text; `group` is the test group's name; `assisted` is true
    when a mediator entered answers (channel "assisted", or an online trial a mediator took over).
    """
    where, params = _where(iteration_id, deployment_id)
    trials = list(db.query(
        f"""SELECT t.*, g.name AS group_name FROM trials t
            LEFT JOIN participants p ON p.id = t.participant_id LEFT JOIN test_groups g ON g.id = p.group_id
            WHERE {where} AND t.consent_at IS NOT NULL ORDER BY t.id""",
        params,
    ))
    visits: dict[int, list[StepTiming]] = defaultdict(list)
    errors: dict[int, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for row in db.query(
        f"""SELECT e.* FROM step_events e JOIN trials t ON t.id = e.trial_id WHERE {where} ORDER BY e.trial_id, e.id""",
        params,
    ):
        visits[row["trial_id"]].append(StepTiming(row["step_key"], parse(row["entered_at"]),
                                                  parse(row["left_at"]) if row["left_at"] else None))
        for field, count in json.loads(row["errors"]).items():
            errors[row["trial_id"]][(row["step_key"], field)] += count
    return [
        TrialRecord(
            trial_id=str(t["id"]),
            started_at=parse(t["started_at"]),
            completed_at=parse(t["completed_at"]) if t["completed_at"] else None,
            variant=t["variant"],
            group=t["group_name"],
            channel=t["channel"],
            assisted=t["channel"] == "assisted" or t["assisted_via"] is not None,
            last_step=t["last_step"],
            steps=tuple(visits[t["id"]]),
            validation_errors=tuple(FieldError(step, field, count) for (step, field), count in errors[t["id"]].items()),
        )
        for t in trials
    ]


def response_records(db: Database, *, iteration_id: int | None = None, deployment_id: int | None = None) -> list[ResponseRecord]:
    """Every questionnaire answer of those trials, one record per (trial, key)."""
    where, params = _where(iteration_id, deployment_id)
    return [
        ResponseRecord(str(row["trial_id"]), row["key"], row["number"], row["text"])
        for row in db.query(
            f"""SELECT r.* FROM responses r JOIN trials t ON t.id = r.trial_id WHERE {where} ORDER BY r.trial_id, r.key""",
            params,
        )
    ]
