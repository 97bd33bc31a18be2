"""The one background worker: a thread with its own connection, running the tasks the shell gives it.

Long work (a theme analysis, a large report's figures, later e-mail sending) never runs in a
request: the request writes a job row and wakes the worker. Each task does one unit of work per
call (one analysis, one batch of comments, one report refresh) and says whether there was any.
The worker asks its tasks in the order the shell lists them and starts again from the first
after each unit, so urgent work never waits behind a long queue of lesser work; when no task
has work it sleeps until woken, or until the next poll (for jobs queued by another process,
such as the CLI), or sooner when a task said when its next unit falls due (`due_in`: the mail
sender paces itself to a rate limit and must not wait a whole poll between two messages).

State lives in the job rows, never in the worker, so a restart loses nothing: `recover` lets
each task repair what a previous server left half done (the shell calls it at start-up, with
or without a running worker) and queued jobs are simply picked up. An exception in a task is
logged and counts as "no work" for that turn: it neither kills the thread nor starves the
tasks after it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from sqlite_utils import Database

from lab.db import opened

log = logging.getLogger("servicelab.worker")


class Task(Protocol):
    """One kind of background work, with its job rows in the database."""

    #: What the logs call it.
    name: str

    def recover(self, db: Database) -> int:
        """At start-up: put right the jobs a previous server left running; how many there were."""

    def run_once(self, db: Database) -> bool:
        """Do one unit of work; False when there was none (or the task chose to wait)."""

    # Optional: `due_in() -> float | None`, the seconds until a task that chose to wait has work again.


class Worker:
    """One thread running `tasks` by priority (list order), with its own database connection."""

    def __init__(self, db_path: Path | str, tasks: Sequence[Task], *, poll_seconds: float = 2.0):
        self.db_path = db_path
        self.tasks = tuple(tasks)
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def recover(self, db: Database) -> dict[str, int]:
        """Let every task repair the jobs a previous server left running; counts by task name."""
        found = {}
        for task in self.tasks:
            found[task.name] = task.recover(db)
            if found[task.name]:
                log.warning("%s: %d job(s) interrupted by a restart were recovered", task.name, found[task.name])
        return found

    def run_once(self, db: Database | None = None) -> bool:
        """One unit of work of the first task that has some; False when none had any."""
        if db is None:
            with opened(self.db_path) as own:
                return self.run_once(own)
        for task in self.tasks:
            try:
                if task.run_once(db):
                    return True
            except Exception:
                log.exception("background task %r failed", task.name)
        return False

    def drain(self, db: Database | None = None, limit: int = 1000) -> int:
        """Run until there is nothing left to do (tests, CLI); returns the units of work done."""
        if db is None:
            with opened(self.db_path) as own:
                return self.drain(own, limit)
        done = 0
        while done < limit and self.run_once(db):
            done += 1
        return done

    def idle_seconds(self) -> float:
        """How long to sleep when no task had work: until the next poll, or until a waiting task falls due."""
        hints = [hint for task in self.tasks if (hint := getattr(task, "due_in", lambda: None)()) is not None]
        return max(0.0, min([self.poll_seconds, *hints]))

    def _loop(self) -> None:
        with opened(self.db_path) as db:
            while not self._stop.is_set():
                if not self.run_once(db):
                    self._wake.wait(self.idle_seconds())
                    self._wake.clear()

    def start(self) -> Worker:
        """Start the thread (idempotent)."""
        if not self.alive:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="servicelab-worker", daemon=True)
            self._thread.start()
        return self

    def wake(self) -> None:
        """New work was queued: do not wait for the next poll (harmless when the thread is not running)."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the thread to stop after its current unit of work, and wait for it."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
