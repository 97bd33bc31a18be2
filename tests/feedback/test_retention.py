"""Retention periods purge a deployment's personal data on schedule (fake clock), at start and by `lab purge`."""

import json
from datetime import timedelta

from click.testing import CliRunner

from feedback.retention import expired, purge_due, purge_expired
from lab.app import FORGET_HOOKS, create_app
from lab.cli import main
from lab.clock import iso, parse, utcnow
from lab.db import write
from lab.demo.loader import load_demo

TABLES = ("trials", "comments", "responses", "step_events", "answers")


def _rows(db, deployment_id):
    return {
        table: db.execute(
            f"SELECT COUNT(*) FROM {table} WHERE " + ("deployment_id = ?" if table in ("trials", "comments") else
                                                     "trial_id IN (SELECT id FROM trials WHERE deployment_id = ?)"),
            [deployment_id],
        ).fetchone()[0]
        for table in TABLES
    }


def test_purge_happens_exactly_when_the_period_ends(db, settings):
    load_demo(db, settings)
    closed = db.execute("SELECT * FROM deployments WHERE title LIKE 'Signalement voirie v1%'").fetchone()
    deployment = db["deployments"].get(closed[0])
    due = purge_due(deployment)
    assert due == parse(deployment["closes_at"]) + timedelta(days=deployment["retention_days"])
    assert _rows(db, deployment["id"])["trials"] > 0
    assert deployment["id"] not in [d["id"] for d in expired(db, due - timedelta(seconds=1))]
    with write(db):
        assert deployment["id"] not in purge_expired(db, now=due - timedelta(seconds=1), hooks=FORGET_HOOKS)
        assert _rows(db, deployment["id"])["trials"] > 0
        purged = purge_expired(db, now=due, hooks=FORGET_HOOKS)
    assert deployment["id"] in purged
    assert set(_rows(db, deployment["id"]).values()) == {0}
    other = db.execute("SELECT id FROM deployments WHERE title LIKE 'Signalement voirie v2%'").fetchone()[0]
    assert _rows(db, other)["trials"] > 0, "only the expired deployment is purged"
    themes_left = db.execute(
        "SELECT COUNT(*) FROM theme_members m JOIN comments c ON c.id = m.comment_id WHERE c.deployment_id = ?", [deployment["id"]]
    ).fetchone()[0]
    assert themes_left == 0
    assert db["deployments"].get(deployment["id"])["purged_at"] == iso(due)


def test_purge_runs_at_start_up(db, settings):
    load_demo(db, settings)
    past = iso(utcnow() - timedelta(days=400))
    deployment_id = db.execute("SELECT id FROM deployments WHERE title LIKE 'Cantine v1%'").fetchone()[0]
    db.execute("UPDATE deployments SET closes_at = ?, opens_at = ?, retention_days = 30 WHERE id = ?",
               [past, iso(utcnow() - timedelta(days=500)), deployment_id])
    create_app(settings)
    assert _rows(db, deployment_id)["trials"] == 0


def test_lab_purge_command_with_a_future_date(db, settings):
    load_demo(db, settings)
    runner = CliRunner()
    env = {"LAB_DB": str(settings.db_path), "LAB_SECRET_KEY": settings.secret_key}
    assert "Aucune session" in runner.invoke(main, ["purge"], env=env).output
    later = iso(utcnow() + timedelta(days=3 * 365))
    result = runner.invoke(main, ["purge", "--now", later], env=env)
    assert result.exit_code == 0 and result.output.count("purgée") == db["deployments"].count
    assert db["trials"].count == 0


def _snapshot_texts(db) -> str:
    return " ".join(json.dumps(json.loads(row[0]), ensure_ascii=False) for row in db.execute("SELECT figures FROM report_snapshots"))


def test_purged_comments_are_not_quoted_by_stored_reports(db, settings):
    """A report's stored figures quote themes of this iteration and the next: purging drops them with the comments."""
    from analysis.reports.snapshots import refresh

    load_demo(db, settings)
    deployment = db["deployments"].get(
        db.execute("SELECT id FROM deployments WHERE title LIKE 'Signalement voirie v1%'").fetchone()[0])
    iterations = [row[0] for row in db.execute(
        "SELECT id FROM iterations WHERE prototype_id = (SELECT prototype_id FROM iterations WHERE id = "
        "(SELECT iteration_id FROM deployment_variants WHERE deployment_id = ?))", [deployment["id"]])]
    for iteration_id in iterations:
        refresh(db, iteration_id)
    texts = [row[0] for row in db.execute("SELECT text FROM comments WHERE deployment_id = ?", [deployment["id"]])]
    stored = _snapshot_texts(db)
    quoted = [text for text in texts if len(text) > 30 and text in stored]
    assert quoted, "the stored reports quote some of the comments before the purge"
    with write(db):
        purge_expired(db, now=purge_due(deployment), hooks=FORGET_HOOKS)
    stored = _snapshot_texts(db)
    assert [text for text in quoted if text in stored] == []
