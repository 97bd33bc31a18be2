"""Comments prepared in the background: languages and vectors stored, after submissions but never starved."""

from __future__ import annotations

import time

from analysis.themes import analyses, comments, jobs, reading
from analysis.themes.preparation import CommentPreparation
from analysis.themes.vectors import semantic_model
from lab.db import write
from lab.worker import Worker
from tests.analysis.themes.topics import V1, V2
from tests.factories import add_comment, seed, theme_pilot


def unlabelled(db) -> int:
    return db.execute("SELECT COUNT(*) FROM comments WHERE language IS NULL").fetchone()[0]


def test_language_is_detected_and_stored_for_every_comment(db):
    pilot = theme_pilot(db, people=10)
    french = add_comment(db, pilot, 0, "La photo ne s'envoie pas depuis mon téléphone")
    english = add_comment(db, pilot, 0, "The photo upload does not work on my phone")
    jobs.analyse_now(db, iteration_id=pilot.iterations[0])
    languages = dict(db.execute("SELECT id, language FROM comments").fetchall())
    assert languages == {french: "fr", english: "en"}


def test_comment_work_waits_while_the_foreground_is_busy_then_resumes(db):
    seed(db, theme_pilot(db), 0, V1)
    busy = [True]
    task = CommentPreparation(encode_vectors=False, foreground_busy=lambda: busy[0])
    waiting = unlabelled(db)
    assert waiting > 0
    assert task.run_once(db) is False and unlabelled(db) == waiting  # submissions first
    busy[0] = False
    assert task.run_once(db) is True and unlabelled(db) < waiting


def test_waiting_is_bounded_so_a_steady_stream_cannot_starve_encoding(db):
    seed(db, theme_pilot(db), 0, V1)
    task = CommentPreparation(encode_vectors=False, foreground_busy=lambda: True, max_wait_seconds=0.05)
    waiting = unlabelled(db)
    assert task.run_once(db) is False and unlabelled(db) == waiting  # starts waiting
    time.sleep(0.1)
    assert task.run_once(db) is True and unlabelled(db) < waiting  # waited long enough: one batch
    assert task.run_once(db) is False  # then waits again


def test_queued_analyses_never_wait_for_the_foreground(db, settings):
    pilot = theme_pilot(db)
    seed(db, pilot, 0, V1)
    with write(db):
        analysis_id = jobs.queue_analysis(db, iteration_id=pilot.iterations[0])
    worker = Worker(settings.db_path, [jobs.QueuedAnalyses(), CommentPreparation(encode_vectors=False, foreground_busy=lambda: True)])
    assert worker.run_once() is True
    assert db.execute("SELECT status FROM analyses WHERE id = ?", [analysis_id]).fetchone()[0] == "done"


def test_the_worker_stores_vectors_and_a_semantic_analysis_only_clusters_them(app, db, monkeypatch):
    pilot = theme_pilot(db)
    seed(db, pilot, 0, V1)
    seed(db, pilot, 1, V2)
    worker = app.state.worker  # the shell's worker, driven here (workers are off in tests)
    worker.drain()
    total = db.execute("SELECT COUNT(*) FROM comments").fetchone()[0]
    assert db.execute("SELECT COUNT(*) FROM comment_vectors WHERE dim = 512").fetchone()[0] == total
    assert comments.vector_readiness(db, pilot.iterations[1], semantic_model()) == (24, 24)

    from analysis.themes import vectors

    texts = {row[0] for row in db.execute("SELECT text FROM comments")}
    encoded: list[str] = []
    real = vectors.encode

    def recording(docs, **kwargs):
        encoded.extend(d if isinstance(d, str) else d.text for d in docs)
        return real(docs, **kwargs)

    monkeypatch.setattr("analysis.themes.vectors.encode", recording)
    monkeypatch.setattr("analysis.themes.clustering.encode", recording)
    with write(db):
        analysis_id = jobs.queue_analysis(db, iteration_id=pilot.iterations[1], backend="semantic")
    assert worker.run_once() is True
    done = analyses.get_analysis(db, analysis_id)
    assert done["status"] == "done" and done["params_"]["backend"] == "semantic"
    # Comments are not encoded again (their vectors are stored); only the candidate names are.
    assert encoded and not set(encoded) & texts
    assert all(t["centroid_"] for t in reading.theme_records(db, analysis_id) if not t["is_bucket"])
