"""The right of access and the right to erasure for one participant.

`erase_participant` is THE place that knows every table holding something about a participant:
anything new that is derived from their contributions (theme memberships, quotes, exports kept
on disk...) must be deleted here too, so that one call really forgets the person.
"""

from __future__ import annotations

import json

from sqlite_utils import Database

from lab.clock import iso, utcnow
from prototypes.store import spec_of

_TRIALS = "SELECT id FROM trials WHERE participant_id = :p"
_COMMENTS = f"SELECT id FROM comments WHERE trial_id IN ({_TRIALS})"

#: (table, delete statement), children before parents; the foreign keys cascade as well, this
#: order only makes the counts exact and keeps working if a cascade is ever forgotten.
ERASE_STEPS: tuple[tuple[str, str], ...] = (
    # Stored report figures quote comments (themes, previous iteration's themes): drop those of every
    # iteration of the prototypes concerned, so no stale copy is served while a large one recomputes.
    ("report_snapshots", """DELETE FROM report_snapshots WHERE iteration_id IN (SELECT id FROM iterations WHERE prototype_id IN
        (SELECT i.prototype_id FROM iterations i WHERE i.id IN (SELECT iteration_id FROM trials WHERE participant_id = :p)))"""),
    # Derived from the comments by the theme analysis (its themes are refreshed afterwards).
    ("theme_members", f"DELETE FROM theme_members WHERE comment_id IN ({_COMMENTS})"),
    ("comment_vectors", f"DELETE FROM comment_vectors WHERE comment_id IN ({_COMMENTS})"),
    ("comments", f"DELETE FROM comments WHERE trial_id IN ({_TRIALS})"),
    ("responses", f"DELETE FROM responses WHERE trial_id IN ({_TRIALS})"),
    ("answers", f"DELETE FROM answers WHERE trial_id IN ({_TRIALS})"),
    ("step_events", f"DELETE FROM step_events WHERE trial_id IN ({_TRIALS})"),
    ("submissions", f"DELETE FROM submissions WHERE participant_id = :p OR trial_id IN ({_TRIALS})"),
    ("trials", "DELETE FROM trials WHERE participant_id = :p"),
    ("participant_sessions", "DELETE FROM participant_sessions WHERE participant_id = :p"),
    ("participant_contacts", "DELETE FROM participant_contacts WHERE participant_id = :p"),
    ("invitations", "DELETE FROM invitations WHERE participant_id = :p AND kind = 'personal'"),
    ("participants", "DELETE FROM participants WHERE id = :p"),
)


def erase_participant(db: Database, participant_id: int) -> dict[str, int]:
    """Delete everything about one participant (inside the caller's write) and say how many rows went.

    The themes their comments were in then forget them too: quotes replaced, terms only they
    wrote dropped, emptied themes deleted (`analysis.themes_store.refresh_after_erasure`).
    """
    from analysis.themes_store import refresh_after_erasure, themes_of_comments

    comment_ids = [row[0] for row in db.execute(_COMMENTS, {"p": participant_id})]
    themes = themes_of_comments(db, comment_ids)
    counts = {table: db.execute(sql, {"p": participant_id}).rowcount for table, sql in ERASE_STEPS}
    if comment_ids:
        counts.update(refresh_after_erasure(db, themes, comment_ids))
    return counts


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
        "trials": trials,
    }
