"""Each person's say over our messages: the language they use, "tell me what changed", and unsubscribing.

The opt-in is explicit (an unticked box the person ticks at the end of their test) and recorded
with its time and the version of the sentence they ticked: a new wording gets a new key in
`WORDINGS`, old records keep pointing at what people actually agreed to. Unsubscribing is
for everything: no invitation, reminder or "ce qui a changé" reaches the person afterwards;
ticking the box again later is a new, explicit consent and lifts it.
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from feedback.outbox import cancel_queued
from lab.campaigns.groups import GroupError, get_participant, set_email
from lab.clock import iso
from lab.i18n import N_
from lab.i18n import gettext as _
from lab.problems import FormRefused

#: Every wording the opt-in box ever had, by version; the last one is shown.
WORDINGS = {
    "changes-1": N_("Je souhaite recevoir un courriel, une seule fois, quand une nouvelle version de ce service "
                    "tiendra compte des avis recueillis pendant ce test."),
}
CURRENT_WORDING = "changes-1"
UNSUBSCRIBED = "unsubscribed"


def remember_language(db: Database, *, participant_id: int, language: str, now: datetime) -> None:
    """The language a person uses with us, so our messages speak it (inside the caller's write)."""
    db.execute(
        """INSERT INTO mail_preferences (participant_id, language, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (participant_id) DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at""",
        [participant_id, language, iso(now)],
    )


def preferences(db: Database, participant_id: int) -> dict | None:
    """A person's language and unsubscription, if they ever told us one or the other."""
    rows = list(db.query("SELECT * FROM mail_preferences WHERE participant_id = ?", [participant_id]))
    return rows[0] if rows else None


def opt_in_of(db: Database, *, participant_id: int, deployment_id: int) -> dict | None:
    """The person's "tell me what changed" for a session, if they ticked it."""
    rows = list(db.query("SELECT * FROM mail_opt_ins WHERE participant_id = ? AND deployment_id = ?",
                         [participant_id, deployment_id]))
    return rows[0] if rows else None


def offer(db: Database, *, participant_id: int, deployment_id: int) -> dict:
    """What the end-of-test choice shows: the answer given so far and the address we would write to, if we have one."""
    return {"opted_in": opt_in_of(db, participant_id=participant_id, deployment_id=deployment_id) is not None,
            "email": get_participant(db, participant_id)["email"] or "", "wording": WORDINGS[CURRENT_WORDING]}


def opt_in_count(db: Database, deployment_id: int) -> int:
    """How many people of a session asked to hear what changed."""
    return db.execute("SELECT COUNT(*) FROM mail_opt_ins WHERE deployment_id = ?", [deployment_id]).fetchone()[0]


def set_opt_in(
    db: Database, *, participant_id: int, deployment_id: int, iteration_id: int, wanted: bool, email: str,
    address_on_file: str, language: str, now: datetime,
) -> None:
    """Record the end-of-test choice (inside the caller's write); an unticked box withdraws an earlier yes."""
    if not wanted:
        db.execute("DELETE FROM mail_opt_ins WHERE participant_id = ? AND deployment_id = ?", [participant_id, deployment_id])
        return
    if not address_on_file:
        if not email.strip():
            raise FormRefused([("email", _("Indiquez l'adresse électronique à laquelle vous écrire."))])
        try:
            set_email(db, participant_id=participant_id, email=email)
        except GroupError as exc:
            raise FormRefused([("email", str(exc))]) from None
    db.execute(
        """INSERT INTO mail_opt_ins (participant_id, deployment_id, iteration_id, wording, language, opted_in_at)
           VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (participant_id, deployment_id) DO UPDATE SET
           wording = excluded.wording, language = excluded.language, opted_in_at = excluded.opted_in_at""",
        [participant_id, deployment_id, iteration_id, CURRENT_WORDING, language, iso(now)],
    )
    remember_language(db, participant_id=participant_id, language=language, now=now)
    db.execute("UPDATE mail_preferences SET unsubscribed_at = NULL WHERE participant_id = ?", [participant_id])


def unsubscribe(db: Database, *, participant_id: int, language: str, now: datetime) -> int:
    """No more messages for this person (inside the caller's write); how many queued ones were stopped."""
    db.execute(
        """INSERT INTO mail_preferences (participant_id, language, unsubscribed_at, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (participant_id) DO UPDATE SET unsubscribed_at = COALESCE(unsubscribed_at, excluded.unsubscribed_at),
           updated_at = excluded.updated_at""",
        [participant_id, language, iso(now), iso(now)],
    )
    db.execute("DELETE FROM mail_opt_ins WHERE participant_id = ?", [participant_id])
    return cancel_queued(db, participant_id=participant_id, reason=UNSUBSCRIBED, now=now)
