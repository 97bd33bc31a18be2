"""Large reports refreshed in the background: job rows, one refresh at a time, a niced child process, restarts."""

from __future__ import annotations

from datetime import timedelta

from analysis.reports import refresh_task
from analysis.reports.refresh_jobs import JOB_TIMEOUT, RETRY_AFTER, claim_next, refreshing, request_refresh
from analysis.reports.refresh_task import SnapshotRefresh
from analysis.reports.snapshots import get_snapshot
from lab.app import create_app
from lab.clock import utcnow
from tests.factories import add_trial, constructed_pilot, make_pilot


def test_the_worker_refreshes_a_queued_iteration_in_a_child_process(app, db, users, settings):
    pilot = constructed_pilot(db, users["staff"].id)
    iteration_id = pilot.iterations[0]
    get_snapshot(db, iteration_id)
    add_trial(db, pilot)
    assert get_snapshot(db, iteration_id, worker=app.state.worker, inline_limit=3).state == "stale"
    assert refreshing(db, iteration_id, now=utcnow())
    task = SnapshotRefresh(settings.db_path)
    assert task.run_once(db) is True
    job = db["report_jobs"].get(iteration_id)
    assert job["status"] == "done" and job["error"] is None and job["finished_at"] >= job["started_at"]
    assert not refreshing(db, iteration_id, now=utcnow())
    fresh = get_snapshot(db, iteration_id, worker=app.state.worker, inline_limit=3)
    assert fresh.state == "fresh" and fresh.figures["trials"] == 7
    assert task.run_once(db) is False  # nothing queued any more


def test_a_refresh_under_way_is_not_requested_twice(db):
    iteration_id = make_pilot(db, people=5).iterations[0]
    now = utcnow()
    assert request_refresh(db, iteration_id, now=now) is True
    assert request_refresh(db, iteration_id, now=now) is False  # already queued
    assert claim_next(db, now=now) == iteration_id
    assert claim_next(db, now=now) is None  # one refresh per iteration at a time
    assert request_refresh(db, iteration_id, now=now) is False  # running
    assert refreshing(db, iteration_id, now=now)
    later = now + JOB_TIMEOUT + timedelta(seconds=1)  # its process died without a restart of the server
    assert not refreshing(db, iteration_id, now=later)
    assert request_refresh(db, iteration_id, now=later) is True


def test_a_failed_refresh_is_not_retried_at_every_view(app, db, users, settings, monkeypatch):
    pilot = constructed_pilot(db, users["staff"].id)
    iteration_id = pilot.iterations[0]
    get_snapshot(db, iteration_id)
    add_trial(db, pilot)
    now = utcnow()
    request_refresh(db, iteration_id, now=now)
    claim_next(db, now=now)

    def broken(db, iteration_id):
        raise RuntimeError("bug")

    monkeypatch.setattr(refresh_task, "refresh", broken)
    refresh_task.compute(settings.db_path, iteration_id)  # what the child process runs
    job = db["report_jobs"].get(iteration_id)
    assert job["status"] == "failed" and job["error"] == "RuntimeError"
    stale = get_snapshot(db, iteration_id, worker=app.state.worker, inline_limit=3)
    assert stale.state == "stale" and db["report_jobs"].get(iteration_id)["status"] == "failed"  # not queued again
    assert request_refresh(db, iteration_id, now=utcnow() + RETRY_AFTER + timedelta(seconds=1)) is True  # later, it is


def test_a_child_that_dies_without_a_word_is_recorded_as_failed(db, settings, monkeypatch):
    iteration_id = make_pilot(db, people=5).iterations[0]
    request_refresh(db, iteration_id, now=utcnow())
    monkeypatch.setattr(refresh_task, "_CHILD", "import sys; sys.exit(3)")
    assert SnapshotRefresh(settings.db_path).run_once(db) is True
    job = db["report_jobs"].get(iteration_id)
    assert job["status"] == "failed" and job["error"] == "exit status 3"


def test_a_refresh_interrupted_by_a_restart_is_queued_again_and_run(db, settings):
    iteration_id = make_pilot(db, people=5).iterations[0]
    now = utcnow()
    request_refresh(db, iteration_id, now=now)
    assert claim_next(db, now=now) == iteration_id  # a server died while its child computed
    restarted = create_app(settings)
    assert db["report_jobs"].get(iteration_id)["status"] == "queued"
    assert restarted.state.worker.run_once() is True
    assert db["report_jobs"].get(iteration_id)["status"] == "done"
    assert get_snapshot(db, iteration_id, worker=restarted.state.worker).state == "fresh"
