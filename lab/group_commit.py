"""Group commit: small writes from concurrent requests share one transaction, so one fsync serves many.

Each queued write runs inside a savepoint of the shared transaction, so one that fails is rolled
back alone; each caller is answered only after the COMMIT that made its write durable. This keeps
every acknowledged submission on disk (the crash test proves it) while the disk flush, the costly
part of a small SQLite write with `synchronous=FULL`, is paid once per batch instead of once per
request.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlite_utils import Database

from lab.db import connect, write

T = TypeVar("T")
Work = Callable[[Database], T]
log = logging.getLogger("servicelab.group_commit")


class GroupCommitClosed(RuntimeError):
    """Raised when a write is queued after the server started shutting down."""


class GroupCommit:
    """One writer thread per database that runs queued write functions in shared transactions."""

    def __init__(self, path: Path | str, *, max_batch: int = 128, idle_seconds: float = 5.0):
        self.path = path
        self.max_batch = max_batch
        self.idle_seconds = idle_seconds
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._last_commit = float("-inf")
        self.committed = {"transactions": 0, "writes": 0}  # writes per fsync: shows the batching works

    def busy(self, within: float = 1.0) -> bool:
        """Whether writes were committed in the last `within` seconds (background work may wait)."""
        return time.monotonic() - self._last_commit < within

    async def run(self, work: Work[T]) -> T:
        """Run `work(db)` in the next shared transaction; return its result once that is committed."""
        future: concurrent.futures.Future = concurrent.futures.Future()
        with self._lock:
            if self._closed:
                raise GroupCommitClosed("the server is shutting down")
            self._queue.put((work, future))
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="group-commit", daemon=True)
                self._thread.start()
        return await asyncio.wrap_future(future)

    def close(self, timeout: float = 30.0) -> None:
        """Refuse new writes, let the queued ones commit, stop the thread."""
        with self._lock:
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._queue.put(None)
        if thread is not None:
            thread.join(timeout)

    def _loop(self) -> None:
        """Take what is queued (up to max_batch), commit it, repeat; exit when closed or idle."""
        try:
            db = connect(self.path)
        except Exception as exc:
            log.exception("group commit cannot open %s", self.path)
            self._fail_queued(exc)
            return
        try:
            stop = False
            while not stop:
                batch, stop = self._next_batch()
                if batch:
                    self._commit(db, batch)
        finally:
            db.close()

    def _fail_queued(self, exc: Exception) -> None:
        """The database cannot be opened: answer every waiting caller, let the next run() retry."""
        with self._lock:
            self._thread = None
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    return
                if item is not None and item[1].set_running_or_notify_cancel():
                    item[1].set_exception(exc)

    def _next_batch(self) -> tuple[list, bool]:
        """The writes waiting now, and whether the thread stops after them (closed, or idle and empty)."""
        try:
            item = self._queue.get(timeout=self.idle_seconds)
        except queue.Empty:
            with self._lock:
                if self._queue.empty():
                    self._thread = None  # the next run() starts a fresh thread
                    return [], True
            item = self._queue.get()
        batch = []
        while item is not None:  # None is close()'s marker: nothing can be queued after it
            batch.append(item)
            if len(batch) >= self.max_batch:
                return batch, False
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return batch, False
        return batch, True

    def _commit(self, db: Database, batch: list) -> None:
        """Run each write in its own savepoint, commit once, then answer every caller."""
        outcomes = []
        try:
            with write(db):
                for work, future in batch:
                    if not future.set_running_or_notify_cancel():
                        continue  # the caller went away before its write ran: nothing to do
                    db.execute("SAVEPOINT queued_write")
                    try:
                        value = work(db)
                    except Exception as exc:  # noqa: BLE001 - handed to the caller, who decides
                        db.execute("ROLLBACK TO queued_write")
                        outcomes.append((future, exc, None))
                    else:
                        outcomes.append((future, None, value))
                    db.execute("RELEASE queued_write")
        except Exception as exc:  # the transaction failed: nothing of this batch is saved
            log.exception("group commit of %d writes failed", len(batch))
            for _work, future in batch:
                if future.running():
                    future.set_exception(exc)
            return
        self._last_commit = time.monotonic()
        self.committed["transactions"] += 1
        self.committed["writes"] += len(outcomes)
        for future, error, value in outcomes:
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(value)
