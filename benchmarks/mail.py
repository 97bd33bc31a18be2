"""Mail throughput: the outbox drained by the worker task, against a bare smtplib loop, to a local relay.

Run ``python -m benchmarks.mail`` from the repository root (``make bench`` runs it with the
others). The relay is aiosmtpd's discarding handler in a process of its own, on 127.0.0.1, as a
real relay would be. The baseline sends the same number of ready-made messages over one kept
connection with `smtplib` alone: what the relay and the machine allow. The outbox then sends
as many personal invitations, each composed from the database, claimed (one commit), sent and
marked (another commit), with the rate limit out of the way. Target: at least 20 messages a
second (1,200 a minute, twenty times the default LAB_MAIL_PER_MINUTE), so the worker is never
what slows a campaign down; relays' own limits are far lower.
"""

from __future__ import annotations

import argparse
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

TARGET_PER_SECOND = 20.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _relay(port: int) -> subprocess.Popen:
    """aiosmtpd accepting and discarding everything, in its own process; returns once it answers."""
    process = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
                                "-l", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while True:
        try:
            smtplib.SMTP("127.0.0.1", port, timeout=1).quit()
            return process
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.1)


def _baseline(port: int, count: int) -> float:
    """Messages per second with smtplib alone, one kept connection, messages built beforehand."""
    message = (b"From: lab@ville.test\r\nTo: p@ville.test\r\nSubject: Invitation\r\n\r\n" + b"Bonjour,\r\n" * 40)
    conn = smtplib.SMTP("127.0.0.1", port)
    started = time.perf_counter()
    for _ in range(count):
        conn.sendmail("lab@ville.test", ["p@ville.test"], message)
    took = time.perf_counter() - started
    conn.quit()
    return count / took


def _outbox(port: int, count: int, folder: Path) -> float:
    """Messages per second through the worker's mail task: compose, claim, send, mark."""
    from feedback.mailings import queue_invitations
    from lab.app import create_app
    from lab.campaigns.deployments import DeploymentForm, create_deployment, form_time
    from lab.campaigns.groups import add_participants, create_group, list_participants, set_email
    from lab.campaigns.invitations import generate_personal
    from lab.clock import utcnow
    from lab.db import opened, write
    from lab.settings import Settings, SmtpSettings
    from prototypes import EXAMPLES_DIR
    from prototypes.store import create_prototype

    smtp = SmtpSettings(host="127.0.0.1", port=port, security="none", sender="lab@ville.test", per_minute=600_000)
    settings = Settings(db_path=folder / "lab.db", secret_key="b" * 40, start_workers=False, smtp=smtp)
    app = create_app(settings)
    now = utcnow()
    with opened(settings.db_path) as db:
        with write(db):
            _prototype, iteration = create_prototype(db, spec_yaml=(EXAMPLES_DIR / "voirie.yaml").read_text(encoding="utf-8"),
                                                     user_id=None)
            group = create_group(db, name="Quartier", description="", user_id=None)
            for start in range(0, count, 500):
                add_participants(db, group_id=group, count=min(500, count - start))
            form = DeploymentForm(title="Campagne", iteration_a=str(iteration), group_ids=(str(group),),
                                  opens_at=form_time(now), closes_at=form_time(now + timedelta(days=30)))
            deployment = create_deployment(db, form=form, user_id=None, now=now)
            generate_personal(db, deployment_id=deployment, secret_key=settings.secret_key, now=now)
            for person in list_participants(db, group):
                set_email(db, participant_id=person["id"], email=f"p{person['id']}@ville.test")
            queue_invitations(db, deployment_id=deployment, participant_ids=None, settings=settings, user_id=None, now=now)
        started = time.perf_counter()
        sent = app.state.worker.drain(db, limit=count + 10)
        took = time.perf_counter() - started
        assert db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'sent'").fetchone()[0] == count == sent
    return count / took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    count = parser.parse_args(argv).messages
    port = _free_port()
    relay = _relay(port)
    try:
        baseline = _baseline(port, count)
        with tempfile.TemporaryDirectory() as folder:
            outbox = _outbox(port, count, Path(folder))
    finally:
        relay.kill()
        relay.wait()
    print(f"{count} messages to a local relay (aiosmtpd, own process)")
    print(f"  smtplib alone, one connection:   {baseline:7.0f} messages/s")
    print(f"  outbox through the worker task:  {outbox:7.0f} messages/s ({outbox / baseline:.2f}× the bare loop)")
    ok = outbox >= TARGET_PER_SECOND
    print(f"Target: ≥ {TARGET_PER_SECOND:.0f} messages/s through the outbox: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
