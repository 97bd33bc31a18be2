"""The one background worker: tasks by priority, one unit per turn, woken, stopped, never killed by a task."""

from __future__ import annotations

import threading
import time

import pytest

from lab.worker import Worker


class Counter:
    """A task with `left` units of work, recording every call in a shared log."""

    def __init__(self, name: str, left: int, log: list[str], *, recovered: int = 0):
        self.name = name
        self.left = left
        self.log = log
        self.recovered = recovered
        self.connections: set[int] = set()

    def recover(self, db) -> int:
        return self.recovered

    def run_once(self, db) -> bool:
        self.connections.add(id(db))
        if not self.left:
            return False
        self.left -= 1
        self.log.append(self.name)
        return True


class Broken:
    name = "broken"

    def recover(self, db) -> int:
        return 0

    def run_once(self, db) -> bool:
        raise RuntimeError("bug in a task")


def wait_for(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_tasks_run_by_priority_one_unit_per_turn(settings):
    log: list[str] = []
    worker = Worker(settings.db_path, [Counter("urgent", 2, log), Counter("later", 2, log)])
    assert worker.run_once() is True and log == ["urgent"]
    assert worker.drain() == 3
    assert log == ["urgent", "urgent", "later", "later"]  # the first task's work always comes first
    assert worker.run_once() is False


def test_a_failing_task_is_logged_and_does_not_starve_the_others(settings, caplog):
    log: list[str] = []
    worker = Worker(settings.db_path, [Broken(), Counter("next", 1, log)])
    assert worker.drain() == 1 and log == ["next"]
    assert "bug in a task" in caplog.text and "broken" in caplog.text


def test_the_thread_has_its_own_connection_is_woken_and_stops_cleanly(settings):
    log: list[str] = []
    task = Counter("job", 1, log)
    worker = Worker(settings.db_path, [Broken(), task], poll_seconds=60)
    assert worker.start() is worker and worker.start().alive  # starting twice keeps one thread
    assert [t.name for t in threading.enumerate()].count("servicelab-worker") == 1
    wait_for(lambda: log == ["job"])
    task.left = 1  # new work queued: without a wake-up it would wait for the next poll, a minute away
    worker.wake()
    wait_for(lambda: log == ["job", "job"])
    assert len(task.connections) == 1  # one connection for the thread's whole life
    worker.stop(timeout=5)
    assert not worker.alive


class Paced(Counter):
    """A task that has work only every `gap` seconds, and says when its next unit falls due."""

    def __init__(self, log: list[str], gap: float):
        super().__init__("paced", 3, log)
        self.gap = gap
        self.next_at = 0.0

    def due_in(self) -> float | None:
        return max(0.0, self.next_at - time.monotonic()) if self.left else None

    def run_once(self, db) -> bool:
        if time.monotonic() < self.next_at:
            return False
        self.next_at = time.monotonic() + self.gap
        return super().run_once(db)


def test_a_task_that_waits_is_woken_when_due_not_at_the_next_poll(settings):
    log: list[str] = []
    worker = Worker(settings.db_path, [Paced(log, gap=0.05)], poll_seconds=60)
    assert worker.idle_seconds() == 0  # due at once
    started = time.monotonic()
    worker.start()
    wait_for(lambda: len(log) == 3)
    worker.stop(timeout=5)
    assert time.monotonic() - started < 5  # without the hint, the second unit would wait for a 60 s poll
    assert worker.idle_seconds() == 60  # nothing left: back to polling


def test_recover_asks_every_task(settings, db, caplog):
    log: list[str] = []
    worker = Worker(settings.db_path, [Counter("analyses", 0, log, recovered=2), Counter("reports", 0, log)])
    assert worker.recover(db) == {"analyses": 2, "reports": 0}
    assert "analyses: 2 job(s) interrupted by a restart were recovered" in caplog.text


def test_stopping_a_worker_that_never_started_is_harmless(settings):
    worker = Worker(settings.db_path, [])
    worker.wake()
    worker.stop()
    assert not worker.alive


@pytest.mark.parametrize("start_workers", [False, True])
def test_the_shell_builds_one_worker_with_its_tasks_in_order(settings, start_workers):
    from starlette.testclient import TestClient

    from lab.app import create_app

    app = create_app(settings.with_(start_workers=start_workers))
    worker = app.state.worker
    assert [task.name for task in worker.tasks] == ["mail", "theme analyses", "report refreshes", "comment languages and vectors"]
    assert worker.alive is start_workers
    with TestClient(app):
        pass
    assert not worker.alive  # stopped at shutdown
