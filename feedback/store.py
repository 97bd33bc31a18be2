"""Trials and what they record: step visits, answers, comments, questionnaire, idempotency keys.

Store functions take the database first, run inside the caller's `write(db)` and know nothing
of HTTP. Times are passed in (`now`) so tests can move them.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlite_utils import Database

from feedback.pii import Scan
from lab.campaigns.deployments import assign_variant
from lab.campaigns.invitations import trials_used
from lab.clock import iso, utcnow
from lab.db import one, placeholders

COMMENT_MAX = 2000
_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


class TrialRefused(Exception):
    """The trial cannot be started: `reason` is "quota" or "exists"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --- trials ----------------------------------------------------------------------------------


def variant_for(deployment: Mapping, participant_code: str) -> tuple[str, int]:
    """The variant (label, iteration id) this participant gets, stable across visits."""
    variants = {v["label"]: v["iteration_id"] for v in deployment["variants"]}
    label = assign_variant(deployment["id"], participant_code, sorted(variants))
    return label, variants[label]


def get_trial(db: Database, trial_id: int) -> dict | None:
    """One trial row, or None."""
    return one(db, "SELECT * FROM trials WHERE id = ?", [trial_id])


def trial_of(db: Database, *, deployment_id: int, participant_id: int) -> dict | None:
    """The participant's trial of a deployment (there is at most one), or None."""
    return one(
        db,
        """SELECT * FROM trials WHERE deployment_id = ? AND participant_id = ?
           AND channel IN ('online', 'assisted', 'kiosk')""",
        [deployment_id, participant_id],
    )


def trials_by_iteration(db: Database, iteration_ids: Sequence[int]) -> dict[int, int]:
    """How many people took part in each iteration (any channel): "tested" means at least one did."""
    ids = list(iteration_ids)
    if not ids:
        return {}
    return dict(db.execute(
        f"SELECT iteration_id, COUNT(*) FROM trials WHERE iteration_id IN ({placeholders(ids)}) GROUP BY iteration_id", ids
    ).fetchall())


def spent_personal_links(db: Database, deployment_id: int) -> set[int]:
    """Personal links whose participant already took part: a newcomer opening one resumes that person's trial."""
    return {row[0] for row in db.execute(
        """SELECT i.id FROM invitations i JOIN trials t ON t.deployment_id = i.deployment_id
             AND t.participant_id = i.participant_id
           WHERE i.deployment_id = ? AND i.kind = 'personal'""",
        [deployment_id],
    )}


def insert_trial(
    db: Database,
    *,
    deployment_id: int,
    iteration_id: int,
    variant: str,
    channel: str,
    started_at: datetime,
    participant_id: int | None = None,
    invitation_id: int | None = None,
    assisted_by: int | None = None,
    assisted_via: str | None = None,
    consent_at: datetime | None = None,
    last_step: str | None = None,
    idempotency_key: str | None = None,
) -> dict:
    """Write one trial row, the only place that does: journeys at consent, outside feedback on arrival."""
    trial_id = db.execute(
        """INSERT INTO trials (deployment_id, participant_id, invitation_id, iteration_id, variant, channel, assisted_via,
                               assisted_by, consent_at, started_at, last_step, idempotency_key)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [deployment_id, participant_id, invitation_id, iteration_id, variant, channel, assisted_via, assisted_by,
         iso(consent_at) if consent_at else None, iso(started_at), last_step, idempotency_key],
    ).lastrowid
    return get_trial(db, trial_id)


def create_trial(
    db: Database,
    *,
    deployment: Mapping,
    participant: Mapping,
    channel: str,
    now: datetime,
    invitation_id: int | None = None,
    assisted_by: int | None = None,
    assisted_via: str | None = None,
    idempotency_key: str | None = None,
) -> dict:
    """Start a trial at consent; refuses a second one and a deployment whose quota is full."""
    if trial_of(db, deployment_id=deployment["id"], participant_id=participant["id"]):
        raise TrialRefused("exists")
    came_by_shared = participant.get("joined_via") is not None
    if deployment["quota"] is not None and not came_by_shared and trials_used(db, deployment["id"]) >= deployment["quota"]:
        raise TrialRefused("quota")
    label, iteration_id = variant_for(deployment, participant["code"])
    return insert_trial(
        db, deployment_id=deployment["id"], iteration_id=iteration_id, variant=label, channel=channel, started_at=now,
        participant_id=participant["id"], invitation_id=invitation_id, assisted_by=assisted_by,
        assisted_via=assisted_via, consent_at=now, idempotency_key=idempotency_key,
    )


def mark_assisted(db: Database, trial_id: int, *, user_id: int, via: str) -> None:
    """A mediator takes over a trial started online: flag it, keep its channel."""
    db.execute(
        "UPDATE trials SET assisted_by = ?, assisted_via = ? WHERE id = ? AND assisted_via IS NULL", [user_id, via, trial_id]
    )


def unfinished_participants(db: Database, *, deployment_id: int) -> list[dict]:
    """Participants of the deployment's groups who have not finished the test, for a mediator to pick."""
    return list(db.query(
        """
        SELECT p.id, p.code, g.name AS group_name, t.id IS NOT NULL AS started
        FROM deployment_groups dg JOIN participants p ON p.group_id = dg.group_id
        JOIN test_groups g ON g.id = p.group_id
        LEFT JOIN trials t ON t.participant_id = p.id AND t.deployment_id = dg.deployment_id
        WHERE dg.deployment_id = ? AND (t.id IS NULL OR t.questionnaire_at IS NULL)
        ORDER BY g.name, p.code
        """,
        [deployment_id],
    ))


# --- idempotency -----------------------------------------------------------------------------


def new_key() -> str:
    """A fresh idempotency key for one rendered form."""
    return secrets.token_urlsafe(18)


def clean_key(value: str | None) -> str:
    """The submitted key, or a fresh one when missing or malformed (then nothing can be deduplicated)."""
    return value if value and _KEY.fullmatch(value) else new_key()


def claim(
    db: Database, *, key: str, form: str, now: datetime, trial_id: int | None = None, participant_id: int | None = None
) -> dict | None:
    """Reserve a key inside the caller's write; returns the earlier submission when the key was used."""
    earlier = one(db, "SELECT * FROM submissions WHERE key = ?", [key])
    if earlier is not None:
        return earlier
    db["submissions"].insert(
        {"key": key, "form": form, "trial_id": trial_id, "participant_id": participant_id, "created_at": iso(now)}
    )
    return None


def settle(db: Database, key: str, outcome: str) -> None:
    """Remember where a successful submission led, to send a replay to the same place."""
    db.execute("UPDATE submissions SET outcome = ? WHERE key = ?", [outcome, key])


# --- steps -----------------------------------------------------------------------------------


def _open_event(db: Database, trial_id: int) -> dict | None:
    return one(db, "SELECT * FROM step_events WHERE trial_id = ? ORDER BY id DESC LIMIT 1", [trial_id])


def open_step(db: Database, trial_id: int) -> str | None:
    """The step being filled in (entered, not yet validated), if any."""
    latest = _open_event(db, trial_id)
    return latest["step_key"] if latest and latest["left_at"] is None else None


def enter_step(db: Database, trial: Mapping, step_key: str, *, now: datetime) -> int:
    """Note the arrival on a step; a reload of the step being filled in is the same visit."""
    latest = _open_event(db, trial["id"])
    if latest and latest["step_key"] == step_key and latest["left_at"] is None:
        return latest["id"]
    db.execute("UPDATE step_events SET left_at = ? WHERE trial_id = ? AND left_at IS NULL", [iso(now), trial["id"]])
    db.execute("UPDATE trials SET last_step = ? WHERE id = ?", [step_key, trial["id"]])
    return db["step_events"].insert({"trial_id": trial["id"], "step_key": step_key, "entered_at": iso(now)}).last_pk


def record_errors(db: Database, trial: Mapping, step_key: str, fields: Iterable[str], *, now: datetime) -> None:
    """Count the validation errors shown on each field during the current visit."""
    event_id = enter_step(db, trial, step_key, now=now)
    errors = json.loads(db["step_events"].get(event_id)["errors"])
    for field in fields:
        errors[field] = errors.get(field, 0) + 1
    db["step_events"].update(event_id, {"errors": json.dumps(errors, sort_keys=True)})


def keep_answers(db: Database, trial: Mapping, *, step_key: str, values: Mapping[str, object], now: datetime | None = None) -> None:
    """Keep the valid answers of a step not yet accepted (an uploaded file is not asked again)."""
    for field, value in values.items():
        db.execute(
            """INSERT INTO answers (trial_id, step_key, field_key, value, updated_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (trial_id, field_key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at""",
            [trial["id"], step_key, field, json.dumps(value, ensure_ascii=False), iso(now or utcnow())],
        )


def save_step(
    db: Database, trial: Mapping, *, step_key: str, step_fields: Iterable[str], index: int, step_count: int,
    values: Mapping[str, object], now: datetime,
) -> None:
    """Keep a validated step's answers (hidden fields dropped), close the visit and move progress on."""
    keep_answers(db, trial, step_key=step_key, values={k: v for k, v in values.items() if k in set(step_fields)}, now=now)
    for field in step_fields:
        if field not in values:  # hidden by a condition, or emptied: forget the old answer
            db.execute("DELETE FROM answers WHERE trial_id = ? AND field_key = ?", [trial["id"], field])
    db.execute(
        "UPDATE step_events SET left_at = ? WHERE trial_id = ? AND step_key = ? AND left_at IS NULL",
        [iso(now), trial["id"], step_key],
    )
    progress = max(trial["progress"], index + 1)
    completed = trial["completed_at"] or (iso(now) if progress >= step_count else None)
    db.execute("UPDATE trials SET progress = ?, completed_at = ? WHERE id = ?", [progress, completed, trial["id"]])


def answers_of(db: Database, trial_id: int) -> dict[str, object]:
    """Every stored answer of a trial, by field key."""
    return {row["field_key"]: json.loads(row["value"]) for row in db.query(
        "SELECT field_key, value FROM answers WHERE trial_id = ?", [trial_id])}


# --- comments --------------------------------------------------------------------------------


def save_comment(
    db: Database, trial: Mapping, *, step_key: str | None, comment: Scan, source: str, now: datetime
) -> int | None:
    """Store a step's comment (or the overall one) as scanned on its way in; an emptied box deletes it."""
    text = comment.masked.replace("\r\n", "\n").strip()
    existing = one(
        db, "SELECT id FROM comments WHERE trial_id = ? AND IFNULL(step_key, '') = ? AND source IN ('step', 'questionnaire')",
        [trial["id"], step_key or ""],
    )
    if not text:
        if existing:
            db.execute("DELETE FROM comments WHERE id = ?", [existing["id"]])
        return None
    values = {"text": text, "pii_kinds": json.dumps(list(comment.kinds)), "updated_at": iso(now)}
    if existing:
        db["comments"].update(existing["id"], values)
        return existing["id"]
    return db.execute(
        """INSERT INTO comments (deployment_id, iteration_id, trial_id, step_key, source, created_at, text, pii_kinds, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [trial["deployment_id"], trial["iteration_id"], trial["id"], step_key, source, iso(now),
         values["text"], values["pii_kinds"], values["updated_at"]],
    ).lastrowid


def comment_of(db: Database, trial_id: int, step_key: str | None) -> str:
    """The stored (masked) comment of a step, or of the questionnaire when step_key is None."""
    row = one(
        db, "SELECT text FROM comments WHERE trial_id = ? AND IFNULL(step_key, '') = ? AND source IN ('step', 'questionnaire')",
        [trial_id, step_key or ""],
    )
    return row["text"] if row else ""


def comments_of(db: Database, *, trial_id: int) -> list[dict]:
    """Every comment of a trial (step key and masked text), in the order they were first written."""
    return list(db.query("SELECT step_key, text FROM comments WHERE trial_id = ? ORDER BY id", [trial_id]))


# --- questionnaire ---------------------------------------------------------------------------


def save_responses(db: Database, trial: Mapping, rows: Iterable[tuple[str, float | None, str | None]], *, now: datetime,
                   final: bool = True) -> None:
    """Store questionnaire answers, one row per answer (answering again replaces, never duplicates); the last
    page (`final`) marks the questionnaire sent."""
    for key, number, text in rows:
        db.execute(
            """INSERT INTO responses (trial_id, key, number, text, created_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (trial_id, key) DO UPDATE SET number = excluded.number, text = excluded.text""",
            [trial["id"], key, number, text, iso(now)],
        )
    if final:
        db.execute("UPDATE trials SET questionnaire_at = COALESCE(questionnaire_at, ?) WHERE id = ?", [iso(now), trial["id"]])
    db.execute("UPDATE step_events SET left_at = ? WHERE trial_id = ? AND left_at IS NULL", [iso(now), trial["id"]])


def responses_of(db: Database, trial_id: int) -> dict[str, float | str | None]:
    """The questionnaire answers of a trial by key."""
    return {row["key"]: row["number"] if row["number"] is not None else row["text"]
            for row in db.query("SELECT key, number, text FROM responses WHERE trial_id = ?", [trial_id])}
