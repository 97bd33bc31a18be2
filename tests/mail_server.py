"""A real SMTP server on 127.0.0.1 (aiosmtpd) that records what it accepts and answers as a test scripts it.

`Relay` runs in the test's process (messages kept whole, replies scripted); `RelayProcess` runs in
a process of its own and only logs when each message arrived, for timing a sender without sharing
its interpreter (`python -m tests.mail_server PORT LOG` is that process).
"""

from __future__ import annotations

import asyncio
import functools
import re
import smtplib
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

from aiosmtpd.controller import Controller

from lab.settings import SmtpSettings

SENDER = "lab@ville.test"
ROOT = Path(__file__).resolve().parents[1]
_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>]+>)", re.MULTILINE | re.IGNORECASE)


def relay_settings(port: int, **changes) -> SmtpSettings:
    """Settings that send to a test relay, unencrypted (loopback), as fast as the test allows unless it says otherwise."""
    return SmtpSettings(**{"host": "127.0.0.1", "port": port, "security": "none", "sender": SENDER,
                           "per_minute": 600_000, "timeout_seconds": 5, **changes})


def free_port() -> int:
    """A loopback port nobody listens on (yet)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    """One message the server accepted, with the moment its content arrived (parsed only when read)."""

    sender: str
    recipients: list[str]
    content: bytes
    at: float

    @functools.cached_property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.content, policy=default_policy)

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]

    def part(self, subtype: str) -> str:
        """The text of the plain or html part."""
        return self.message.get_body(preferencelist=(subtype,)).get_content().replace("\r\n", "\n")


@dataclass
class Relay:
    """Replies are popped from the scripts (`rcpt_replies`, `data_replies`), then "250"; `hold` parks DATA replies."""

    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    rcpt_replies: deque = field(default_factory=deque)
    data_replies: deque = field(default_factory=deque)
    data_delay: float = 0.0
    hold: threading.Event | None = None
    arrived: threading.Event = field(default_factory=threading.Event)
    #: Passed on to aiosmtpd's SMTP (an `authenticator`, `auth_require_tls`...).
    smtp_options: dict = field(default_factory=dict)

    def __post_init__(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **self.smtp_options)

    def __enter__(self) -> Relay:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.hold is not None:
            self.hold.set()
        self.controller.stop()

    def settings(self, **changes) -> SmtpSettings:
        return relay_settings(self.port, **changes)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook name
        reply = self.rcpt_replies.popleft() if self.rcpt_replies else "250 OK"
        if reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return reply

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        reply = self.data_replies.popleft() if self.data_replies else "250 2.0.0 Ok: queued"
        if reply.startswith("250"):
            # Parsing waits for the test: this thread shares the GIL with the sender being measured.
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content, time.monotonic()))
            self.arrived.set()
        if self.hold is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.hold.wait, 30)
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        return reply

    def message_ids(self) -> list[str]:
        return [item.message_id for item in self.received]


class Silent:
    """A port that accepts connections and never says a word: the relay's greeting times out."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]

    def __enter__(self) -> Silent:
        return self

    def __exit__(self, *exc) -> None:
        self.sock.close()


class RelayProcess:
    """A relay in a process of its own that logs "<arrival time> <Message-ID>" per accepted message."""

    def __init__(self, log: Path):
        self.port = free_port()
        self.log = log

    def __enter__(self) -> RelayProcess:
        self.process = subprocess.Popen([sys.executable, "-m", "tests.mail_server", str(self.port), str(self.log)], cwd=ROOT)
        deadline = time.monotonic() + 30
        while True:
            try:
                smtplib.SMTP("127.0.0.1", self.port, timeout=1).quit()
                return self
            except OSError:
                assert time.monotonic() < deadline, "the relay process did not start"
                time.sleep(0.1)

    def __exit__(self, *exc) -> None:
        self.process.kill()
        self.process.wait()

    def settings(self, **changes) -> SmtpSettings:
        return relay_settings(self.port, **changes)

    def arrivals(self) -> list[tuple[float, str]]:
        """(wall-clock time, Message-ID) of each message, in arrival order (the connect-check above sends none)."""
        if not self.log.exists():
            return []
        return [(float(at), message_id) for at, message_id in (line.split() for line in self.log.read_text().splitlines())]


class _Logger:
    def __init__(self, log: Path):
        self.out = log.open("a", buffering=1)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        found = _MESSAGE_ID.search(envelope.content)
        self.out.write(f"{time.time():.6f} {found.group(1).decode() if found else '-'}\n")
        return "250 2.0.0 Ok: queued"


if __name__ == "__main__":  # python -m tests.mail_server PORT LOG: the relay of `RelayProcess`
    Controller(_Logger(Path(sys.argv[2])), hostname="127.0.0.1", port=int(sys.argv[1])).start()
    threading.Event().wait()
