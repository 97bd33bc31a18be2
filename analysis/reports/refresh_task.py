"""The background worker's task for large reports: each queued refresh runs in a niced child process.

A process, not a thread: computing 100,000 trials is seconds of pure Python that would hold the
GIL against every request, and its peak memory is given back when it exits. The child lowers
its priority before importing anything (requests come first on a small server), computes and
stores the figures and records how the refresh ended; the worker launches it, waits for it, and
records the end itself only when the child died or overran `JOB_TIMEOUT` without a word.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

from sqlite_utils import Database

from analysis.reports.refresh_jobs import JOB_TIMEOUT, claim_next, finish, requeue_interrupted
from analysis.reports.snapshots import refresh
from lab.clock import utcnow
from lab.db import opened

log = logging.getLogger("servicelab.reports")

#: What the child runs: this module as `__main__`, at a lower priority.
_CHILD = ("import os, runpy; getattr(os, 'nice', lambda n: None)(10); "
          f"runpy.run_module({__name__!r}, run_name='__main__', alter_sys=True)")


def compute(db_path: Path | str, iteration_id: int) -> None:
    """In the child: compute and store an iteration's figures, then record how the refresh ended."""
    with opened(db_path) as db:
        error = None
        try:
            refresh(db, iteration_id)
        except Exception as exc:  # the page keeps its old figures; the log has the trace
            log.exception("report refresh of iteration %s failed", iteration_id)
            error = type(exc).__name__
        finish(db, iteration_id, error=error, now=utcnow())


class SnapshotRefresh:
    """The worker's task: the oldest queued report refresh, computed in a niced child process."""

    name = "report refreshes"

    def __init__(self, db_path: Path | str):
        self.db_path = db_path

    def recover(self, db: Database) -> int:
        """Refreshes a previous server left running are queued again."""
        return requeue_interrupted(db)

    def run_once(self, db: Database) -> bool:
        """Run the oldest queued refresh and wait for it; False when none is queued."""
        iteration_id = claim_next(db, now=utcnow())
        if iteration_id is None:
            return False
        ending = self._run_child(iteration_id)
        # The child records its own outcome: a job still running means it ended without a word.
        if finish(db, iteration_id, error=ending, now=utcnow()):
            log.error("report refresh of iteration %s ended without a result: %s", iteration_id, ending)
        return True

    def _run_child(self, iteration_id: int) -> str:
        """Run one refresh in a child process and wait for it; how the child ended."""
        try:
            done = subprocess.run([sys.executable, "-c", _CHILD, str(self.db_path), str(iteration_id)],
                                  check=False, timeout=JOB_TIMEOUT.total_seconds())
        except subprocess.TimeoutExpired:
            return "TimeoutExpired"
        return f"exit status {done.returncode}"


if __name__ == "__main__":  # python -m analysis.reports.refresh_task DB_PATH ITERATION_ID (what the task runs)
    logging.basicConfig(level=logging.INFO)
    compute(Path(sys.argv[1]), int(sys.argv[2]))
