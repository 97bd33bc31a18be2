"""The analysis job: queued → running → done with progress, restarts, refusals, the worker's task, `lab analyse`."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from analysis.themes import analyses, contract, jobs
from analysis.themes.preparation import CommentPreparation
from analysis.themes.vectors import semantic_model
from feedback.erasure import erase_participant
from lab.accounts import create_user
from lab.app import FORGET_HOOKS, create_app
from lab.cli import main
from lab.db import opened, write
from lab.worker import Worker
from tests.analysis.themes.topics import V1, V2
from tests.factories import add_comment, seed, theme_pilot
from tests.support import PASSWORD


@pytest.fixture
def staff(db):
    with write(db):
        return create_user(db, email="equipe@ville.test", name="Équipe", role="staff", password=PASSWORD)


@pytest.fixture
def pilot(db, staff):
    made = theme_pilot(db)
    seed(db, made, 0, V1, assisted_by=staff.id)
    seed(db, made, 1, V2)
    return made


def queue(db, iteration_id: int, **kwargs) -> int:
    with write(db):
        return jobs.queue_analysis(db, iteration_id=iteration_id, **kwargs)


def status(db, analysis_id: int) -> tuple[str, float]:
    row = analyses.get_analysis(db, analysis_id)
    return row["status"], row["progress"]


def test_a_job_goes_from_queued_to_running_to_done_with_progress(db, pilot, staff):
    analysis_id = queue(db, pilot.iterations[0], user_id=staff.id)
    assert status(db, analysis_id) == ("queued", 0)
    seen = []

    def watch(value, message):
        seen.append((value, message, status(db, analysis_id)))

    final = jobs.run_analysis(db, analysis_id, on_progress=watch)
    values = [value for value, _message, _row in seen]
    assert values == sorted(values) and values[0] < 0.5 and values[-1] == 1.0
    assert {row[0] for _v, _m, row in seen[:-1]} == {"running"}  # the row says running while it works
    assert [row[1] for _v, _m, row in seen[:-1]] == values[:-1]   # ...and carries the progress the page polls
    assert final["status"] == "done" and final["progress"] == 1 and final["message"].startswith("Analyse terminée")
    assert final["started_at"] and final["finished_at"] and final["created_by"] == staff.id
    assert jobs.run_analysis(db, analysis_id) is None  # a finished job is not run twice


def test_the_worker_runs_queued_jobs_then_comments(db, settings, pilot):
    analysis_id = queue(db, pilot.iterations[0])
    worker = Worker(settings.db_path, [jobs.QueuedAnalyses(), CommentPreparation(encode_vectors=False)])
    assert worker.run_once() is True
    assert status(db, analysis_id) == ("done", 1)
    # Then comments without a language get one (v2's were never analysed).
    assert db.execute("SELECT COUNT(*) FROM comments WHERE language IS NULL").fetchone()[0] > 0
    worker.drain()
    assert db.execute("SELECT COUNT(*) FROM comments WHERE language IS NULL").fetchone()[0] == 0
    assert worker.run_once() is False


def test_a_running_job_at_start_up_becomes_failed_and_can_be_rerun(db, settings, pilot):
    analysis_id = queue(db, pilot.iterations[0])
    assert jobs.claim(db, analysis_id)  # a server died while running it
    create_app(settings)  # restart
    row = analyses.get_analysis(db, analysis_id)
    assert row["status"] == "failed" and "redémarrage" in row["message"] and row["finished_at"]
    again = queue(db, pilot.iterations[0])  # nothing is active any more: it can be run again
    assert jobs.run_analysis(db, again)["status"] == "done"


def test_a_running_cli_job_survives_a_server_restart_unless_stale(db, settings, pilot):
    fresh = queue(db, pilot.iterations[0], runner="cli")
    stale = queue(db, pilot.iterations[1], runner="cli")
    assert jobs.claim(db, fresh) and jobs.claim(db, stale)
    with write(db):
        db.execute("UPDATE analyses SET heartbeat_at = '2020-01-01T00:00:00+00:00' WHERE id = ?", [stale])
    create_app(settings)
    assert status(db, fresh)[0] == "running"
    assert status(db, stale)[0] == "failed"


def test_create_app_starts_the_worker_when_asked_and_it_finishes_queued_jobs(db, settings, pilot):
    analysis_id = queue(db, pilot.iterations[0])  # queued before the (re)start: picked up afterwards
    from starlette.testclient import TestClient

    app = create_app(settings.with_(start_workers=True))
    worker = app.state.worker
    assert worker.alive
    with TestClient(app):
        deadline = time.monotonic() + 60
        while status(db, analysis_id)[0] != "done":
            assert time.monotonic() < deadline, analyses.get_analysis(db, analysis_id)
            time.sleep(0.05)
    assert not worker.alive  # stopped at shutdown


def test_workers_stay_off_in_tests(app):
    assert not app.state.worker.alive


def test_refusals_are_clear(db, pilot):
    first = queue(db, pilot.iterations[0])
    with pytest.raises(jobs.AnalysisRefused, match="déjà en cours"):
        queue(db, pilot.iterations[0])
    with pytest.raises(jobs.AnalysisRefused, match="entre 2 et 30"):
        queue(db, pilot.iterations[1], k=1)
    with pytest.raises(jobs.AnalysisRefused, match="moteur"):
        queue(db, pilot.iterations[1], backend="bert")
    with pytest.raises(jobs.AnalysisRefused, match="n'existe pas"):
        queue(db, 999)
    # No vector is ready yet: a semantic analysis (the default) is queued all the same, the job computes them.
    assert semantic_model() is not None
    second = queue(db, pilot.iterations[1], backend="semantic")
    assert status(db, first) == ("queued", 0) and status(db, second) == ("queued", 0)


def test_a_failing_job_says_so_and_keeps_the_shown_themes(db, pilot, monkeypatch):
    shown = jobs.analyse_now(db, iteration_id=pilot.iterations[0])
    labels = [t.label for t in contract.iteration_themes(db, pilot.iterations[0])]

    def broken(*args, **kwargs):
        raise MemoryError("boom")

    monkeypatch.setattr("analysis.themes.clustering.find_themes", broken)
    failed = jobs.analyse_now(db, iteration_id=pilot.iterations[0])
    assert failed["status"] == "failed" and "erreur inattendue" in failed["message"] and "boom" not in failed["message"]
    assert analyses.latest_done(db, pilot.iterations[0])["id"] == shown["id"]
    assert [t.label for t in contract.iteration_themes(db, pilot.iterations[0])] == labels


def test_a_comment_erased_while_clustering_does_not_come_back(db, settings, pilot, monkeypatch):
    from analysis.themes import clustering as themes

    canary = add_comment(db, pilot, 0, "Photo zorglubesque refusée, la photo zorglubesque ne passe pas", step="constat")
    participant = db.execute("SELECT participant_id FROM trials WHERE id = (SELECT trial_id FROM comments WHERE id = ?)",
                             [canary]).fetchone()[0]
    real = themes.find_themes

    def erase_meanwhile(*args, **kwargs):
        result = real(*args, **kwargs)
        with opened(settings.db_path) as other, write(other):
            erase_participant(other, participant, hooks=FORGET_HOOKS)
        return result

    monkeypatch.setattr(themes, "find_themes", erase_meanwhile)
    done = jobs.analyse_now(db, iteration_id=pilot.iterations[0])
    assert done["status"] == "done"
    assert db.execute("SELECT COUNT(*) FROM theme_members WHERE comment_id = ?", [canary]).fetchone()[0] == 0
    dump = " ".join(str(v) for row in db.execute("SELECT * FROM themes") for v in row)
    assert "zorglub" not in dump.lower()


@pytest.fixture
def run(settings):
    runner = CliRunner()
    env = {"LAB_DB": str(settings.db_path), "LAB_SECRET_KEY": "k" * 40}

    def invoke(*args):
        return runner.invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


def test_lab_analyse_prints_progress_and_themes(db, run, pilot):
    assert "analyse" in run("--help").output and "themes" in run("--help").output
    first = run("analyse", str(pilot.iterations[0]))
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    assert lines[0] == "[  5 %] Lecture des commentaires"
    assert any(line.startswith("[ 25 %] Vecteurs sémantiques : ") for line in lines)  # computed by the job
    assert "[ 30 %] Regroupement des commentaires en thèmes" in lines
    assert "[100 %] Analyse terminée" in lines
    assert any(line.startswith("Analyse n° 1 terminée (semantic, graine 0) : 33 commentaires") for line in lines)
    assert any("3 sans remarque particulière" in line for line in lines)  # "Merci !", "ok", "Très bien"
    assert any(line.startswith("  nouveau ") and "photo" in line.lower() for line in lines)
    slug = db.execute("SELECT slug FROM prototypes").fetchone()[0]
    second = run("analyse", f"{slug}/v2", "--k", "4")
    assert second.exit_code == 0, second.output
    assert "persistant" in second.output and "résolu" in second.output
    assert analyses.latest_done(db, pilot.iterations[1])["k_requested"] == 4
    assert analyses.latest_done(db, pilot.iterations[1])["runner"] == "cli"


def test_lab_analyse_refuses_clearly(run, pilot, db):
    missing = run("analyse", "nope/v9")
    assert missing.exit_code == 1 and "Itération introuvable" in missing.output
    queue(db, pilot.iterations[0])
    busy = run("analyse", str(pilot.iterations[0]))
    assert busy.exit_code == 1 and "déjà en cours" in busy.output


def test_the_demo_step_analyses_iterations_with_comments(db, settings, pilot):
    from lab.demo.loader import load_demo

    load_demo(db, settings)
    assert analyses.latest_done(db, pilot.iterations[0]) is not None and analyses.latest_done(db, pilot.iterations[1]) is not None
    count = db["analyses"].count
    load_demo(db, settings)  # idempotent
    assert db["analyses"].count == count
    assert {row[0] for row in db.execute("SELECT runner FROM analyses")} == {"demo"}
    assert contract.iteration_themes(db, pilot.iterations[1])
