"""The background worker lets comment encoding wait while submissions pour in, but never for ever."""

from __future__ import annotations

import time

from analysis.themes import jobs
from lab.db import write
from tests.analysis.themes.topics import V1
from tests.factories import seed, theme_pilot


def unlabelled(db) -> int:
    return db.execute("SELECT COUNT(*) FROM comments WHERE language IS NULL").fetchone()[0]


def test_comment_work_waits_while_the_foreground_is_busy_then_resumes(db, settings):
    seed(db, theme_pilot(db), 0, V1)
    busy = [True]
    worker = jobs.Worker(settings.db_path, encode_vectors=False, foreground_busy=lambda: busy[0])
    waiting = unlabelled(db)
    assert waiting > 0
    assert worker.run_once() is False and unlabelled(db) == waiting  # submissions first
    busy[0] = False
    assert worker.run_once() is True and unlabelled(db) < waiting


def test_waiting_is_bounded_so_a_steady_stream_cannot_starve_encoding(db, settings):
    seed(db, theme_pilot(db), 0, V1)
    worker = jobs.Worker(settings.db_path, encode_vectors=False, foreground_busy=lambda: True, max_wait_seconds=0.05)
    waiting = unlabelled(db)
    assert worker.run_once() is False and unlabelled(db) == waiting  # starts waiting
    time.sleep(0.1)
    assert worker.run_once() is True and unlabelled(db) < waiting  # waited long enough: one batch
    assert worker.run_once() is False  # then waits again


def test_queued_analyses_never_wait_for_the_foreground(db, settings):
    pilot = theme_pilot(db)
    seed(db, pilot, 0, V1)
    with write(db):
        analysis_id = jobs.queue_analysis(db, iteration_id=pilot.iterations[0])
    worker = jobs.Worker(settings.db_path, encode_vectors=False, foreground_busy=lambda: True)
    assert worker.run_once() is True
    assert db.execute("SELECT status FROM analyses WHERE id = ?", [analysis_id]).fetchone()[0] == "done"
