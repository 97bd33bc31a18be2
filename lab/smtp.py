"""Talking to the mail relay: a MIME message out, the relay's reply (or the reason it refused) back.

Only Python's `smtplib` and `email`. Messages are built with the `email.mime` classes: the
`EmailMessage` API parses every header it is given back into objects, which made building a
message cost more than sending it (4 ms against 1.5 ms); every header we set is one line we
wrote, checked for line breaks here. One connection is opened on first use and kept for the
next messages (a relay answers a kept connection in well under a millisecond, a new one costs a
handshake and often TLS); a connection the relay closed while idle is noticed at the first
command and opened again, which is safe because nothing of the message had been sent.

What a refusal means decides what the outbox does with the message, so each failure says it:

- `temporary`: a 4xx reply, a timeout or a lost connection before the message content went out,
  an unreachable relay or a refused login. Trying later may work (`connection` is true when the
  relay itself, not this message, is the problem).
- `refused`: a 5xx reply; trying again would get the same answer.
- `bad_address`: a 5xx reply to the recipient whose enhanced status is 5.1.x (no such mailbox,
  bad domain): the address itself must be fixed — a bounce.
- `uncertain`: the connection broke, or the reply never came, after the content started to go
  out. The relay may have taken the message: sending it again could deliver it twice.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Mapping
from datetime import datetime
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr

from lab.settings import SmtpSettings

OUTCOMES = ("temporary", "refused", "bad_address", "uncertain")
_ADDRESS_PROBLEM = re.compile(r"5\.1\.\d")
_REPLY_CHARS = 500
#: UTF-8, quoted-printable in bodies and headers: readable at the source, safe through any relay.
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP
_UTF8.header_encoding = QP


class SendFailure(Exception):
    """The message was not (or may not have been) accepted; `reply` is what the relay said, or why there was none."""

    def __init__(self, outcome: str, reply: str, *, connection: bool = False):
        super().__init__(reply)
        self.outcome = outcome
        self.reply = reply[:_REPLY_CHARS]
        self.connection = connection


def mailbox(address: str, name: str = "") -> str:
    """An address with its display name, encoded as headers need it."""
    return formataddr((name, address), charset=_UTF8)


def sender(settings: SmtpSettings, name: str) -> tuple[str, str]:
    """Who a message is from, (name, address): the configured sender's own name if it has one, else `name`."""
    own_name, address = parseaddr(settings.sender)
    return own_name or name, address


def sender_header(settings: SmtpSettings, name: str) -> str:
    """The From header, encoded."""
    display, address = sender(settings, name)
    return mailbox(address, display)


def build_message(*, sender: str, recipient: str, subject: str, text: str, html: str, message_id: str,
                  date: datetime, headers: Mapping[str, str] = {}) -> Message:  # noqa: B006 - never mutated
    """A multipart/alternative message: plain text first, HTML second (clients show the last part they can)."""
    values = {"From": sender, "To": recipient, "Subject": subject, "Date": format_datetime(date),
              "Message-ID": message_id, **headers}
    if any("\r" in value or "\n" in value for value in values.values()):
        raise ValueError("a header value must be one line")  # no header injection, whatever a title contains
    message = MIMEMultipart("alternative")
    for name, value in values.items():
        message[name] = value if value.isascii() else Header(value, _UTF8, header_name=name)
    message.attach(MIMEText(text, "plain", _UTF8))
    message.attach(MIMEText(html, "html", _UTF8))
    return message


def _reply(code: int, text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {text}".strip()


def _refusal(code: int, text: bytes | str, *, recipient_stage: bool = False) -> SendFailure:
    reply = _reply(code, text)
    if 500 <= code < 600:
        address = recipient_stage and _ADDRESS_PROBLEM.match(reply[4:]) is not None
        return SendFailure("bad_address" if address else "refused", reply)
    return SendFailure("temporary", reply)  # 4xx, or a reply no standard allows here


def _data(message: Message) -> bytes:
    """The message as DATA carries it: CRLF lines, leading dots doubled, ended by a lone dot."""
    raw = message.as_bytes()
    raw = re.sub(rb"(?m)^\.", b"..", re.sub(rb"\r\n|\r|\n", b"\r\n", raw))
    return raw + (b"" if raw.endswith(b"\r\n") else b"\r\n") + b".\r\n"


class SmtpTransport:
    """One relay connection, opened on first use, kept between messages, closed when idle or broken."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        """Open, secure and log in; any failure here is the relay's, never the message's."""
        settings = self.settings
        context = ssl.create_default_context()
        conn = None
        try:
            if settings.security == "tls":
                conn = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout_seconds, context=context)
            else:
                conn = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
                if settings.security == "starttls":
                    conn.starttls(context=context)
            conn.ehlo_or_helo_if_needed()
            if settings.user:
                conn.login(settings.user, settings.password)
        except smtplib.SMTPResponseException as exc:
            self._drop(conn)
            raise SendFailure("temporary", _reply(exc.smtp_code, exc.smtp_error), connection=True) from None
        except (OSError, smtplib.SMTPException) as exc:
            self._drop(conn)
            reason = str(exc) or type(exc).__name__
            raise SendFailure("temporary", f"{settings.host}:{settings.port}: {reason}", connection=True) from None
        return conn

    @staticmethod
    def _drop(conn: smtplib.SMTP | None) -> None:
        if conn is not None:
            try:
                conn.close()
            except OSError:
                pass

    def close(self) -> None:
        """Say goodbye to the relay if still connected."""
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                self._drop(conn)

    def send(self, message: Message) -> str:
        """Hand one message to the relay; its reply on success, SendFailure otherwise."""
        recipient, data = parseaddr(message["To"])[1], _data(message)
        code, text = self._start(parseaddr(message["From"])[1])
        conn, content_sent = self._conn, False
        try:
            if code != 250:
                raise _refusal(code, text)
            code, text = conn.rcpt(recipient)
            if code not in (250, 251):
                raise _refusal(code, text, recipient_stage=True)
            code, text = conn.docmd("DATA")
            if code != 354:
                raise _refusal(code, text)
            content_sent = True
            conn.send(data)
            code, text = conn.getreply()
        except SendFailure:
            self._reset()  # the relay answered: clear the transaction, keep the connection
            raise
        except (OSError, smtplib.SMTPException) as exc:
            self._conn = None
            self._drop(conn)
            reason = str(exc) or type(exc).__name__
            if content_sent:
                raise SendFailure("uncertain", f"no reply after the message was sent: {reason}") from None
            raise SendFailure("temporary", f"connection lost: {reason}", connection=True) from None
        if code != 250:
            raise _refusal(code, text)  # a refusal of the content ends the transaction: the connection serves on
        return _reply(code, text)

    def _start(self, sender: str) -> tuple[int, bytes]:
        """MAIL FROM on the kept connection, or on a new one when the relay closed it while idle (nothing was sent)."""
        while True:
            reused = self._conn is not None
            if not reused:
                self._conn = self._connect()
            try:
                return self._conn.mail(sender)
            except smtplib.SMTPServerDisconnected as exc:
                self._conn = None
                if not reused:
                    raise SendFailure("temporary", f"connection lost: {exc}", connection=True) from None

    def _reset(self) -> None:
        """After a refusal mid-transaction, clear the relay's state so the connection serves the next message."""
        try:
            self._conn.rset()
        except (OSError, smtplib.SMTPException):
            self._drop(self._conn)
            self._conn = None
