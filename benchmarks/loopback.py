"""A real server process on 127.0.0.1 and bounded concurrent clients, for crash, backup and load runs."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from lab.app import migrate_all
from lab.campaigns.deployments import DeploymentForm, create_deployment, form_time
from lab.campaigns.groups import create_group
from lab.clock import utcnow
from lab.db import opened, write
from prototypes import EXAMPLES_DIR
from prototypes.store import create_prototype

SECRET = "loopback-secret-" + "s" * 32


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def open_deployment(db_path: Path) -> str:
    """Create an open deployment and return its public key (the widget/API credential)."""
    now = utcnow()
    with opened(db_path) as db:
        migrate_all(db)
        with write(db):
            _, iteration_id = create_prototype(db, spec_yaml=(EXAMPLES_DIR / "voirie.yaml").read_text(encoding="utf-8"), user_id=None)
            group_id = create_group(db, name="Charge", description="", user_id=None)
            form = DeploymentForm(title="Charge", iteration_a=str(iteration_id), group_ids=(str(group_id),),
                                  opens_at=form_time(now - timedelta(days=1)), closes_at=form_time(now + timedelta(days=1)))
            deployment_id = create_deployment(db, form=form, user_id=None, now=now - timedelta(days=2))
        return db["deployments"].get(deployment_id)["public_key"]


class ServerProcess:
    """`lab serve` in a child process, started and killed like an operator (or a power cut) would."""

    def __init__(self, db_path: Path, port: int | None = None, app: str | None = None, log_path: Path | None = None):
        self.db_path = db_path
        self.port = port or free_port()
        self.app = app
        self.log_path = log_path  # where the server's output goes (discarded when None)
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> ServerProcess:
        env = {**os.environ, "LAB_DB": str(self.db_path), "LAB_SECRET_KEY": SECRET}
        command = ([sys.executable, "-m", "uvicorn", self.app, "--port", str(self.port), "--no-server-header", "--log-level", "warning"]
                   if self.app else [sys.executable, "-m", "lab", "serve", "--host", "127.0.0.1", "--port", str(self.port)])
        log = self.log_path.open("ab") if self.log_path else subprocess.DEVNULL
        try:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        finally:
            if self.log_path:
                log.close()  # the child keeps its own descriptor
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
            try:
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.05)
            finally:
                connection.close()
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, exactly like a crash."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, as an operator stops a service; SIGKILL if it does not stop within ten seconds."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Load:
    """Results of a run: acknowledged keys, failures, latencies (seconds)."""

    acknowledged: set[str] = field(default_factory=set)
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)


def submit_feedback(port: int, key: str, *, clients: int, duration: float, max_requests: int,
                    path: str = "/api/v1/feedback") -> Load:
    """`clients` threads post feedback with fresh idempotency keys until time or count runs out."""
    load = Load()
    lock = threading.Lock()
    deadline = time.monotonic() + duration
    remaining = [max_requests]

    def worker() -> None:
        connection = None
        try:
            while time.monotonic() < deadline:
                with lock:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                idem = secrets.token_urlsafe(12)
                body = json.dumps({"idempotency_key": idem, "comment": "Le formulaire est clair", "satisfaction": "oui"})
                started = time.perf_counter()
                try:
                    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                    connection.request("POST", path, body=body, headers={"Content-Type": "application/json", "X-Servicelab-Key": key})
                    response = connection.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException):
                    if connection is not None:
                        connection.close()
                    connection = None
                    with lock:
                        load.errors += 1
                    time.sleep(0.01)
                    continue
                elapsed = time.perf_counter() - started
                with lock:
                    load.statuses[status] = load.statuses.get(status, 0) + 1
                    if status in (200, 201):
                        load.acknowledged.add(idem)
                        load.latencies.append(elapsed)
                    else:
                        load.errors += 1
        finally:
            if connection is not None:
                connection.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return load
