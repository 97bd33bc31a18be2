"""The right of access: what is kept about one participant, summarised and downloadable."""

from __future__ import annotations

import json

from sqlite_utils import Database

from lab.clock import iso, utcnow
from prototypes.store import spec_of

_TRIALS = "SELECT id FROM trials WHERE participant_id = :p"


def contributions_summary(db: Database, participant_id: int) -> dict[str, int]:
    """How many rows of each kind erasure would delete, for the confirmation page."""
    counts = {}
    for table in ("answers", "comments", "responses", "step_events"):
        counts[table] = db.execute(
            f"SELECT COUNT(*) FROM {table} WHERE trial_id IN ({_TRIALS})", {"p": participant_id}
        ).fetchone()[0]
    counts["trials"] = db.execute("SELECT COUNT(*) FROM trials WHERE participant_id = ?", [participant_id]).fetchone()[0]
    return counts


def _field_labels(iteration: dict | None) -> tuple[dict[str, str], dict[str, str]]:
    if iteration is None:
        return {}, {}
    spec = spec_of(iteration)
    return ({f.key: f.label for _step, f in spec.iter_fields()}, {s.key: s.title for s in spec.steps})


def export_participant(db: Database, participant_id: int) -> dict:
    """Everything kept about one participant, readable, for the "download my contributions" link."""
    person = next(iter(db.query(
        """SELECT p.code, p.profile, p.created_at, g.name AS group_name, c.name, c.email, c.phone,
                  c.participant_id IS NOT NULL AS has_contact
           FROM participants p JOIN test_groups g ON g.id = p.group_id
           LEFT JOIN participant_contacts c ON c.participant_id = p.id WHERE p.id = ?""",
        [participant_id],
    )), None)
    if person is None:
        return {}
    trials = []
    for trial in db.query(
        """SELECT t.*, d.title AS deployment_title, i.number AS iteration_number, i.spec_yaml
           FROM trials t JOIN deployments d ON d.id = t.deployment_id JOIN iterations i ON i.id = t.iteration_id
           WHERE t.participant_id = ? ORDER BY t.id""",
        [participant_id],
    ):
        fields, steps = _field_labels({"spec_yaml": trial["spec_yaml"]})
        trials.append({
            "test": trial["deployment_title"],
            "iteration": trial["iteration_number"],
            "variant": trial["variant"],
            "channel": trial["channel"],
            "assisted": trial["assisted_via"] is not None,
            "consent_at": trial["consent_at"],
            "started_at": trial["started_at"],
            "completed_at": trial["completed_at"],
            "questionnaire_at": trial["questionnaire_at"],
            "answers": [
                {"step": row["step_key"], "step_title": steps.get(row["step_key"]), "field": row["field_key"],
                 "label": fields.get(row["field_key"]), "value": json.loads(row["value"])}
                for row in db.query("SELECT * FROM answers WHERE trial_id = ? ORDER BY step_key, field_key", [trial["id"]])
            ],
            "comments": [
                {"step": row["step_key"], "text": row["text"], "created_at": row["created_at"]}
                for row in db.query("SELECT * FROM comments WHERE trial_id = ? ORDER BY id", [trial["id"]])
            ],
            "questionnaire": [
                {"question": row["key"], "answer": row["number"] if row["number"] is not None else row["text"]}
                for row in db.query("SELECT * FROM responses WHERE trial_id = ? ORDER BY key", [trial["id"]])
            ],
            "step_visits": [
                {"step": row["step_key"], "entered_at": row["entered_at"], "left_at": row["left_at"],
                 "errors": json.loads(row["errors"])}
                for row in db.query("SELECT * FROM step_events WHERE trial_id = ? ORDER BY id", [trial["id"]])
            ],
        })
    contact = {"name": person["name"], "email": person["email"], "phone": person["phone"]} if person["has_contact"] else None
    preferences = next(iter(db.query("SELECT language, unsubscribed_at FROM mail_preferences WHERE participant_id = ?",
                                     [participant_id])), None)
    mail = {
        "language": preferences and preferences["language"],
        "unsubscribed_at": preferences and preferences["unsubscribed_at"],
        "asked_to_hear_what_changed": list(db.query(
            """SELECT d.title AS test, o.opted_in_at, o.wording FROM mail_opt_ins o JOIN deployments d ON d.id = o.deployment_id
               WHERE o.participant_id = ? ORDER BY o.opted_in_at""", [participant_id])),
        "messages": list(db.query(
            "SELECT kind, status, created_at, finished_at FROM outbox WHERE participant_id = ? ORDER BY id", [participant_id])),
    }
    return {
        "format": "servicelab-contributions/1",
        "exported_at": iso(utcnow()),
        "participant": {
            "code": person["code"],
            "group": person["group_name"],
            "joined_at": person["created_at"],
            "profile": json.loads(person["profile"]),
        },
        "contact": contact,
        "mail": mail,
        "trials": trials,
    }
