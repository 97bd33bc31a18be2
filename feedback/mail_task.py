"""The background worker's mail task: queue the reminders that fell due, then send one message, paced.

Each unit of work is one message (or one session's reminders), so the worker can run more
urgent work between two messages. The pace is the rate limit, spread evenly (one message every
60/LAB_MAIL_PER_MINUTE seconds, never a burst); while waiting for the next slot the task tells
the worker how long (`due_in`) instead of blocking it. When the relay itself fails (unreachable,
refused login), sending pauses as long as the message's own retry delay, so a relay down for
the night costs one connection attempt per delay rather than one per queued message.

Nothing is sent, and no reminder queued, while LAB_SMTP_HOST is unset.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from email.message import Message

import jinja2
from sqlite_utils import Database

from feedback import mailings, outbox
from feedback.changes import DeliveredActions
from feedback.letters import Letter, letter_for
from lab.clock import utcnow
from lab.db import write
from lab.settings import Settings
from lab.smtp import SendFailure, SmtpTransport, build_message, mailbox, sender_header

log = logging.getLogger("servicelab.mail")


class MailSending:
    """The worker's task: one due message per call, sent to the relay at the configured rate."""

    name = "mail"

    def __init__(self, settings: Settings, env: jinja2.Environment, delivered_actions: DeliveredActions, *,
                 clock: Callable[[], datetime] = utcnow):
        self.settings = settings
        self.env = env
        self.delivered_actions = delivered_actions
        self.clock = clock
        self.interval = 60.0 / settings.smtp.per_minute
        self.transport = SmtpTransport(settings.smtp)
        self._next_slot = 0.0  # monotonic time before which no message may start
        self._paused_until: datetime | None = None
        self._due_in: float | None = None

    def recover(self, db: Database) -> int:
        """Messages a stopped server left `sending` become `unknown`: they may have reached the relay."""
        with write(db):
            return outbox.recover_interrupted(db, now=self.clock())

    def due_in(self) -> float | None:
        """Seconds until the next slot of the rate limit, when a message is waiting for it."""
        return self._due_in

    def run_once(self, db: Database) -> bool:
        """Queue one session's due reminders, or send one due message; False when waiting or idle."""
        self._due_in = None
        if not self.settings.smtp.configured:
            return False
        now = self.clock()
        if self._paused_until and now < self._paused_until:
            return False
        due = mailings.due_reminders(db, now)
        if due:
            with write(db):
                queued = mailings.queue_reminders(db, deployment_id=due[0], settings=self.settings, now=now)
            log.info("session %s: %d reminder(s) queued", due[0], queued)
            return True
        message = outbox.next_due(db, now)
        if message is None:
            self.transport.close()  # idle: do not hold the relay's connection open
            return False
        wait = self._next_slot - time.monotonic()
        if wait > 0:
            self._due_in = wait
            return False
        self._send(db, message, now)
        return True

    def _send(self, db: Database, message: dict, now: datetime) -> None:
        """Compose, claim, send, mark: only the SMTP exchange lies between the claim and the mark."""
        try:
            letter = letter_for(db, message, env=self.env, settings=self.settings, delivered_actions=self.delivered_actions)
            envelope = self._envelope(letter, message, now) if letter else None
        except Exception:  # a message that cannot be written must not block the ones behind it
            log.exception("mail %s could not be written", message["id"])
            with write(db):
                outbox.mark_failure(db, message, outcome="refused", reply=outbox.NOT_WRITTEN, now=now)
            return
        with write(db):
            reason = mailings.reason_not_to_send(db, message, now) or (None if letter else mailings.NO_ADDRESS)
            if reason is not None:
                outbox.mark_cancelled(db, message["id"], reason=reason, now=now)
                return
            if not outbox.claim(db, message["id"], now=now):
                return  # cancelled or erased meanwhile
        self._next_slot = time.monotonic() + self.interval
        try:
            reply = self.transport.send(envelope)
        except SendFailure as failure:
            attempts = message["attempts"] + 1
            with write(db):
                status = outbox.mark_failure(db, {**message, "attempts": attempts}, outcome=failure.outcome,
                                             reply=failure.reply, now=self.clock())
            if failure.connection:
                self._paused_until = self.clock() + outbox.retry_delay(attempts)
            # The reply may quote the address: the log keeps its kind and code only (the outbox row, erasable, keeps it all).
            code = failure.reply[:3] if failure.reply[:3].isdigit() else "no reply code"
            log.warning("mail %s: %s after try %d (%s, %s)", message["id"], status, attempts, failure.outcome, code)
            return
        with write(db):
            outbox.mark_sent(db, message["id"], reply=reply, now=self.clock())

    def _envelope(self, letter: Letter, message: dict, now: datetime) -> Message:
        """The letter in its envelope: our headers, the outbox's Message-ID (the same at every try)."""
        return build_message(
            sender=sender_header(self.settings.smtp, letter.sender_name),
            recipient=mailbox(letter.recipient, letter.recipient_name),
            subject=letter.subject, text=letter.text, html=letter.html, message_id=message["message_id"], date=now,
            headers={
                "List-Unsubscribe": f"<{letter.unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",  # RFC 8058: one POST, no page, no login
                "Auto-Submitted": "auto-generated",  # RFC 3834: no out-of-office replies
                "Content-Language": letter.language,
            },
        )
