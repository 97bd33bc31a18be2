"""The mail outbox: each message queued in the transaction that caused it, then claimed, sent and marked.

A message moves through these states (`status`):

- `queued`: waiting for its turn (`next_attempt_at`); after a temporary failure it waits again,
  longer each time (`retry_delay`), until `MAX_ATTEMPTS`;
- `sending`: claimed by the worker, which is talking to the relay;
- `sent`: the relay accepted it (its reply is kept);
- `failed`: refused for good (5xx), or still failing after the last try; `bounced`: the relay
  refused the address itself (5.1.x), which staff must correct;
- `unknown`: the sending was interrupted (the server stopped, or the link broke after the content
  went out) and the relay may or may not have it;
- `cancelled`: no longer to be sent (the person unsubscribed, finished the test, lost their
  address or link, or the session closed).

At-most-once, honestly: SMTP has no way to ask a relay whether it already took a message, so a
message found `sending` at start-up is never sent again by itself: it becomes `unknown`, shown
to staff with the reason, and only staff's "renvoyer" queues it again — under the same
Message-ID, so a mailbox or filter that got the first copy can recognise the second. The
window is the SMTP exchange alone: the message is composed before it is claimed.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlite_utils import Database

from lab.clock import iso

KINDS = ("invitation", "reminder", "changes")
STATUSES = ("queued", "sending", "sent", "failed", "bounced", "unknown", "cancelled")
#: What staff may queue again by hand.
RESENDABLE = ("failed", "bounced", "unknown")
MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=4)
#: What the outbox says of a message the server stopped in the middle of sending, and of one it could not write.
INTERRUPTED = "interrupted"
NOT_WRITTEN = "not written"


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4… minutes after the n-th failed try, at most 4 hours (ten tries span about 8 hours)."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


def new_message_id(domain: str) -> str:
    """A Message-ID that says nothing about the person or the time (RFC 5322 `<id@domain>`)."""
    return f"<{secrets.token_hex(16)}@{domain}>"


def queue(
    db: Database, *, kind: str, deployment_id: int, language: str, domain: str, now: datetime,
    participant_id: int | None = None, user_id: int | None = None, iteration_id: int | None = None,
    created_by: int | None = None,
) -> int:
    """Queue one message (inside the caller's write, with what caused it); its outbox id."""
    return db["outbox"].insert({
        "kind": kind, "participant_id": participant_id, "user_id": user_id, "deployment_id": deployment_id,
        "iteration_id": iteration_id, "language": language, "message_id": new_message_id(domain),
        "status": "queued", "next_attempt_at": iso(now), "created_at": iso(now), "created_by": created_by,
    }).last_pk


def next_due(db: Database, now: datetime) -> dict | None:
    """The message whose turn it is: queued, due, oldest first."""
    rows = list(db.query(
        "SELECT * FROM outbox WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT 1",
        [iso(now)],
    ))
    return rows[0] if rows else None


def claim(db: Database, outbox_id: int, *, now: datetime) -> bool:
    """Take a queued message for sending (inside the caller's write); False when it changed meanwhile."""
    return db.execute(
        "UPDATE outbox SET status = 'sending', claimed_at = ?, attempts = attempts + 1 WHERE id = ? AND status = 'queued'",
        [iso(now), outbox_id],
    ).rowcount == 1


def _finish(db: Database, outbox_id: int, status: str, reply: str | None, now: datetime) -> None:
    db.execute("UPDATE outbox SET status = ?, last_reply = ?, finished_at = ? WHERE id = ?",
               [status, reply, iso(now), outbox_id])


def mark_sent(db: Database, outbox_id: int, *, reply: str, now: datetime) -> None:
    """The relay took it."""
    _finish(db, outbox_id, "sent", reply, now)


def mark_cancelled(db: Database, outbox_id: int, *, reason: str, now: datetime) -> None:
    """It will not be sent: the reason is shown to staff."""
    _finish(db, outbox_id, "cancelled", reason, now)


def mark_failure(db: Database, row: dict, *, outcome: str, reply: str, now: datetime) -> str:
    """Record a failed try by what the relay said (a `lab.smtp` outcome); the message's new status."""
    if outcome == "temporary" and row["attempts"] < MAX_ATTEMPTS:
        db.execute("UPDATE outbox SET status = 'queued', last_reply = ?, next_attempt_at = ? WHERE id = ?",
                   [reply, iso(now + retry_delay(row["attempts"])), row["id"]])
        return "queued"
    status = {"bad_address": "bounced", "uncertain": "unknown"}.get(outcome, "failed")
    _finish(db, row["id"], status, reply, now)
    return status


def simulate(db: Database, outbox_id: int, *, status: str, reply: str, now: datetime) -> None:
    """The demo's pretend sending: a final state, flagged `simulated` so no page passes it off as real."""
    db.execute("UPDATE outbox SET status = ?, last_reply = ?, attempts = 1, finished_at = ?, simulated = 1 WHERE id = ?",
               [status, reply, iso(now), outbox_id])


def recover_interrupted(db: Database, *, now: datetime) -> int:
    """At start-up: messages left `sending` may have reached the relay; they become `unknown`, never resent alone."""
    return db.execute("UPDATE outbox SET status = 'unknown', last_reply = ?, finished_at = ? WHERE status = 'sending'",
                      [INTERRUPTED, iso(now)]).rowcount


def resend(db: Database, outbox_id: int, *, now: datetime) -> bool:
    """Staff queue a message again (same Message-ID, a fresh series of tries); False when it cannot be."""
    placeholders = ", ".join("?" * len(RESENDABLE))
    return db.execute(
        f"UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = ?, finished_at = NULL, simulated = 0 "
        f"WHERE id = ? AND status IN ({placeholders})",
        [iso(now), outbox_id, *RESENDABLE],
    ).rowcount == 1


def cancel_queued(db: Database, *, participant_id: int, reason: str, now: datetime) -> int:
    """Stop whatever still waits for one person (they unsubscribed)."""
    return db.execute(
        "UPDATE outbox SET status = 'cancelled', last_reply = ?, finished_at = ? WHERE participant_id = ? AND status = 'queued'",
        [reason, iso(now), participant_id],
    ).rowcount


def get_message(db: Database, outbox_id: int) -> dict | None:
    """One outbox row, or None."""
    rows = list(db.query("SELECT * FROM outbox WHERE id = ?", [outbox_id]))
    return rows[0] if rows else None


def latest(db: Database, *, status: str | None = None, limit: int = 200) -> list[dict]:
    """The most recent messages for the outbox page, with whom and which session they concern."""
    where = "WHERE o.status = :status" if status else ""
    return list(db.query(
        f"""SELECT o.*, p.code, p.group_id, u.email AS user_email, d.title AS deployment_title
            FROM outbox o LEFT JOIN participants p ON p.id = o.participant_id LEFT JOIN users u ON u.id = o.user_id
            JOIN deployments d ON d.id = o.deployment_id {where} ORDER BY o.id DESC LIMIT :limit""",
        {"status": status, "limit": limit},
    ))


def counts(db: Database, *, deployment_id: int | None = None) -> dict[str, dict[str, int]]:
    """Messages by status: `kept` in the outbox, `forgotten` with erased or purged data (only counted)."""
    where, params = ("WHERE deployment_id = ?", [deployment_id]) if deployment_id else ("", [])
    found = {"kept": dict.fromkeys(STATUSES, 0), "forgotten": dict.fromkeys(STATUSES, 0)}
    for status, n in db.execute(f"SELECT status, COUNT(*) FROM outbox {where} GROUP BY status", params):
        found["kept"][status] = n
    for status, n in db.execute(f"SELECT status, SUM(count) FROM outbox_tallies {where} GROUP BY status", params):
        found["forgotten"][status] = n
    return found


def per_person(db: Database, deployment_id: int) -> dict[int, dict[str, dict]]:
    """The latest invitation and reminder to each person of a session: {participant: {kind: row}}."""
    found: dict[int, dict[str, dict]] = {}
    for row in db.query(
        """SELECT participant_id, kind, status, last_reply, finished_at, created_at, simulated FROM outbox
           WHERE deployment_id = ? AND participant_id IS NOT NULL ORDER BY id""",
        [deployment_id],
    ):
        found.setdefault(row["participant_id"], {})[row["kind"]] = row
    return found
