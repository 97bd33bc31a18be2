"""Who receives which message, and when: invitations staff send, the one reminder, "ce qui a changé".

Every rule about recipients is here, once, and checked twice: when a message is queued (so
staff see who will get it) and again just before it is sent (someone may have finished the
test, unsubscribed or lost their address meanwhile; erasure deletes their messages outright).
Nobody is written to without an address in `participant_contacts`, and nobody who unsubscribed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlite_utils import Database

from feedback import outbox
from feedback.mail_consent import UNSUBSCRIBED
from lab.campaigns.deployments import get_deployment, state, whole_number
from lab.campaigns.groups import GroupError, normalize_phone
from lab.clock import iso, parse
from lab.i18n import gettext as _
from lab.problems import FormRefused
from lab.settings import Settings
from prototypes.store import get_iteration, previous_iteration

REMINDER_DAYS = (1, 60)
#: Why a queued message was cancelled (kept as its last reply; the outbox page explains each).
NO_ADDRESS, LINK_REVOKED, SESSION_CLOSED, FINISHED = "no address", "link revoked", "session closed", "finished"

#: People of a session who have a personal link and an address, with what decides whether we may write to them.
_RECIPIENTS = """
    SELECT p.id, p.code, p.group_id, c.name, c.email, g.name AS group_name, i.revoked_at, mp.language,
           mp.unsubscribed_at IS NOT NULL AS unsubscribed, t.questionnaire_at IS NOT NULL AS finished
    FROM invitations i JOIN participants p ON p.id = i.participant_id JOIN test_groups g ON g.id = p.group_id
    JOIN participant_contacts c ON c.participant_id = p.id AND c.email <> ''
    LEFT JOIN mail_preferences mp ON mp.participant_id = p.id
    LEFT JOIN trials t ON t.participant_id = p.id AND t.deployment_id = i.deployment_id
    WHERE i.deployment_id = :deployment AND i.kind = 'personal' {extra}
"""


def message_domain(settings: Settings) -> str:
    """The right-hand side of our Message-IDs: the sender's domain, or the lab's host name."""
    sender = settings.smtp.sender
    return sender.rsplit("@", 1)[1].strip(" >") if "@" in sender else (urlsplit(settings.base_url).hostname or "localhost")


# --- a session's mail settings ----------------------------------------------------------------


@dataclass(frozen=True)
class MailSettingsForm:
    """What staff typed on the session's mail page."""

    mediator_phone: str = ""
    reminder_days: str = ""


def mail_settings(db: Database, deployment_id: int) -> dict:
    """The session's mediator telephone and reminder, or the defaults (none of either)."""
    rows = list(db.query("SELECT * FROM deployment_mail WHERE deployment_id = ?", [deployment_id]))
    return rows[0] if rows else {"deployment_id": deployment_id, "mediator_phone": "", "reminder_days": None,
                                 "reminders_queued_at": None}


def save_mail_settings(db: Database, *, deployment_id: int, form: MailSettingsForm, user_id: int | None, now: datetime) -> None:
    """Store the settings (inside the caller's write), or FormRefused naming each field to fix."""
    problems, phone = [], ""
    if form.mediator_phone.strip():
        try:
            phone = normalize_phone(form.mediator_phone)
        except GroupError as exc:
            problems.append(("mediator_phone", str(exc)))
    days = None
    if form.reminder_days.strip():
        days = whole_number(form.reminder_days)
        if days is None or not REMINDER_DAYS[0] <= days <= REMINDER_DAYS[1]:
            problems.append(("reminder_days", _("Indiquez un nombre de jours entre 1 et 60, ou laissez vide pour ne pas relancer.")))
    if problems:
        raise FormRefused(problems)
    db.execute(
        """INSERT INTO deployment_mail (deployment_id, mediator_phone, reminder_days, updated_at, updated_by)
           VALUES (?, ?, ?, ?, ?) ON CONFLICT (deployment_id) DO UPDATE SET mediator_phone = excluded.mediator_phone,
           reminder_days = excluded.reminder_days, updated_at = excluded.updated_at, updated_by = excluded.updated_by""",
        [deployment_id, phone, days, iso(now), user_id],
    )


def reminder_moment(closes_at: str, days: int | None) -> datetime | None:
    """When the one reminder goes: the chosen number of days before closing (None when there is none)."""
    return parse(closes_at) - timedelta(days=days) if days else None


# --- invitations --------------------------------------------------------------------------------


def recipients(db: Database, deployment_id: int) -> list[dict]:
    """The session's people with a personal link and an address, and whether we may write to them now."""
    rows = list(db.query(_RECIPIENTS.format(extra="") + " ORDER BY g.name, p.code", {"deployment": deployment_id}))
    for row in rows:
        row["writable"] = not (row["revoked_at"] or row["unsubscribed"] or row["finished"])
    return rows


def queue_invitations(
    db: Database, *, deployment_id: int, participant_ids: Sequence[int] | None, settings: Settings, user_id: int | None,
    now: datetime,
) -> int:
    """Queue personal invitations (inside the caller's write): to the people chosen, or (None) to everyone not yet invited.

    People already waiting for one are left alone; someone who unsubscribed, finished or whose
    link was revoked is never written to. FormRefused when nobody is left to invite.
    """
    if state(get_deployment(db, deployment_id), now) == "closed":
        raise FormRefused([("invitations", _("Cette session de test est close : elle n'accepte plus d'invitation."))])
    sent = outbox.per_person(db, deployment_id)
    pending = {pid for pid, kinds in sent.items() if kinds.get("invitation", {}).get("status") in ("queued", "sending")}
    candidates = [row for row in recipients(db, deployment_id) if row["writable"] and row["id"] not in pending]
    if participant_ids is None:
        chosen = [row for row in candidates if "invitation" not in sent.get(row["id"], {})]
    else:
        wanted = set(participant_ids)
        chosen = [row for row in candidates if row["id"] in wanted]
    if not chosen:
        raise FormRefused([("participants", _("Personne à inviter : choisissez au moins une personne qui peut recevoir "
                                              "un courriel et n'en attend pas déjà un."))])
    for row in chosen:
        outbox.queue(db, kind="invitation", participant_id=row["id"], deployment_id=deployment_id,
                     language=row["language"] or settings.default_locale, domain=message_domain(settings), now=now,
                     created_by=user_id)
    return len(chosen)


# --- the reminder -------------------------------------------------------------------------------


def due_reminders(db: Database, now: datetime) -> list[int]:
    """Open sessions whose reminder moment has come and whose reminders are not queued yet."""
    rows = db.query(
        """SELECT d.*, m.reminder_days FROM deployment_mail m JOIN deployments d ON d.id = m.deployment_id
           WHERE m.reminder_days IS NOT NULL AND m.reminders_queued_at IS NULL AND d.closed_at IS NULL AND d.closes_at > ?""",
        [iso(now)],
    )
    return [row["id"] for row in rows if state(row, now) == "open" and reminder_moment(row["closes_at"], row["reminder_days"]) <= now]


def queue_reminders(db: Database, *, deployment_id: int, settings: Settings, now: datetime) -> int:
    """Queue the session's one reminder (inside the caller's write) for those who have not finished; how many."""
    db.execute("UPDATE deployment_mail SET reminders_queued_at = ? WHERE deployment_id = ?", [iso(now), deployment_id])
    extra = "AND i.revoked_at IS NULL AND mp.unsubscribed_at IS NULL AND t.questionnaire_at IS NULL"
    rows = list(db.query(_RECIPIENTS.format(extra=extra) + " ORDER BY p.id", {"deployment": deployment_id}))
    for row in rows:
        outbox.queue(db, kind="reminder", participant_id=row["id"], deployment_id=deployment_id,
                     language=row["language"] or settings.default_locale, domain=message_domain(settings), now=now)
    return len(rows)


# --- "ce qui a changé grâce à vous" -------------------------------------------------------------------


def queue_change_notices(db: Database, deployment_id: int, *, settings: Settings, now: datetime) -> int:
    """A session was just created: people who tested the iteration before one of its variants and asked to hear
    what changed are written to, once, when that variant has a changelog (inside the session's transaction)."""
    queued = 0
    for variant in get_deployment(db, deployment_id)["variants"]:
        iteration = get_iteration(db, variant["iteration_id"])
        earlier = previous_iteration(db, iteration)
        if earlier is None or not iteration["changelog"].strip():
            continue
        for row in db.query(
            """SELECT o.participant_id, o.deployment_id, o.language FROM mail_opt_ins o
               JOIN participant_contacts c ON c.participant_id = o.participant_id AND c.email <> ''
               LEFT JOIN mail_preferences mp ON mp.participant_id = o.participant_id
               WHERE o.iteration_id = ? AND mp.unsubscribed_at IS NULL AND NOT EXISTS (
                 SELECT 1 FROM outbox x WHERE x.kind = 'changes' AND x.participant_id = o.participant_id AND x.iteration_id = ?)
               ORDER BY o.participant_id""",
            [earlier["id"], iteration["id"]],
        ):
            # Filed under the session the person tested: its retention period purges the message too.
            outbox.queue(db, kind="changes", participant_id=row["participant_id"], deployment_id=row["deployment_id"],
                         iteration_id=iteration["id"], language=row["language"], domain=message_domain(settings), now=now)
            queued += 1
    return queued


# --- just before sending ----------------------------------------------------------------------


def reason_not_to_send(db: Database, message: dict, now: datetime) -> str | None:
    """Why a queued message must not go now (the rules above, checked again, in one query), or None."""
    if message["participant_id"] is None:
        return None  # a test at a staff member's own address
    row = db.execute(
        """SELECT c.email, mp.unsubscribed_at, t.questionnaire_at, d.opens_at, d.closes_at, d.closed_at,
                  (SELECT revoked_at IS NULL FROM invitations i WHERE i.deployment_id = d.id AND i.participant_id = :p
                   AND i.kind = 'personal') AS link_ok
           FROM deployments d LEFT JOIN participant_contacts c ON c.participant_id = :p
           LEFT JOIN mail_preferences mp ON mp.participant_id = :p
           LEFT JOIN trials t ON t.participant_id = :p AND t.deployment_id = d.id WHERE d.id = :d""",
        {"p": message["participant_id"], "d": message["deployment_id"]},
    ).fetchone()
    email, unsubscribed, finished, opens_at, closes_at, closed_at, link_ok = row
    if not email:
        return NO_ADDRESS
    if unsubscribed:
        return UNSUBSCRIBED
    if message["kind"] == "changes":
        return None
    if not link_ok:
        return LINK_REVOKED
    if state({"opens_at": opens_at, "closes_at": closes_at, "closed_at": closed_at}, now) == "closed":
        return SESSION_CLOSED
    if message["kind"] == "reminder" and finished:
        return FINISHED
    return None
