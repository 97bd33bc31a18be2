"""From the database to stored report figures: hand-computed values, suppression, snapshot reuse."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest

from analysis.reports import snapshots as report_data
from analysis.reports.metrics import compare_iterations, iteration_metrics
from analysis.reports.records import response_records, trial_records
from analysis.reports.snapshots import data_version, get_snapshot, metrics_from_basis, refresh, summaries
from analysis.stats import wilson_interval
from feedback import store
from feedback.pii import scan
from lab.campaigns.deployments import DeploymentForm, create_deployment, form_time
from lab.campaigns.groups import rename_group
from lab.clock import utcnow
from lab.db import write
from lab.i18n import translate
from tests.factories import STEPS, T0, add_trial, invite_all, make_pilot, sus_answers

SUS_75 = sus_answers([4, 2, 4, 2, 4, 2, 4, 2, 4, 2])   # odd 3×5 + even 3×5 = 30 → 75
SUS_100 = sus_answers([5, 1, 5, 1, 5, 1, 5, 1, 5, 1])  # 40 → 100
SUS_50 = sus_answers([3] * 10)                         # 20 → 50


def constructed(db, users, people=10):
    """Six trials of the 4-step voirie prototype, worked out by hand in the test below."""
    pilot = make_pilot(db, people=people, user_id=users["staff"].id)
    invite_all(db, pilot, 0)
    add_trial(db, pilot, seconds=(60, 120, 30, 30), answers={"satisfaction": 3, "ease": 4, "clarity": 5, "help_needed": 0, **SUS_75})
    add_trial(db, pilot, seconds=(30, 60, 30, 60), answers={"satisfaction": 3, "ease": 5, "clarity": 4, "help_needed": 0, **SUS_100})
    add_trial(db, pilot, seconds=(90, 60, 60, 30), answers={"satisfaction": 2, "ease": 3, "clarity": 3, "help_needed": 1, **SUS_50})
    add_trial(db, pilot, seconds=(120, 120, 60, 60), channel="assisted", assisted_by=users["staff"].id,
              answers={"satisfaction": 1, "ease": 2, "clarity": 2, "help_needed": 1, **SUS_50})
    add_trial(db, pilot, reached=1, errors={"lieu": ["adresse"]}, comments={"lieu": "Je ne trouve pas mon adresse"})
    add_trial(db, pilot, reached=0, errors={"lieu": ["adresse", "repere"]}, comments={None: "Trop compliqué"})
    return pilot


def test_figures_of_a_constructed_iteration_match_hand_computed_values(db, users):
    pilot = constructed(db, users)
    figures = get_snapshot(db, pilot.iterations[0]).figures
    m = figures["metrics"]
    # Completion: 4 of 6 started; Wilson 95 %: centre (p + z²/2n)/(1 + z²/n) = 0.6016, half-width 0.3016.
    assert m["completion"] | {"interval": None} == {"invited": 10, "started": 6, "completed": 4, "rate": pytest.approx(4 / 6),
                                                     "interval": None}
    assert m["completion"]["interval"]["low"] == pytest.approx(0.3000, abs=1e-4)
    assert m["completion"]["interval"]["high"] == pytest.approx(0.9032, abs=1e-4)
    # Funnel: t6 stopped on "lieu", t5 on "nature" (after validating "lieu").
    assert [(s["step"], s["reached"], s["left"]) for s in m["funnel"]] == [
        ("lieu", 6, 1), ("nature", 5, 1), ("constat", 4, 0), ("contact", 4, 0)]
    assert m["funnel"][1]["left_share"] == pytest.approx(1 / 5)
    # Time on "lieu": 60, 30, 90, 120 and t5's 60 (t6's visit never ended) → sorted 30 60 60 90 120.
    assert m["step_times"]["lieu"] == {"median": 60.0, "q1": 60.0, "q3": 90.0, "n": 5}
    # "nature": 120, 60, 60, 120 → median 90, numpy quartiles 60 and 120.
    assert m["step_times"]["nature"] == {"median": 90.0, "q1": 60.0, "q3": 120.0, "n": 4}
    # Start to finish: 240, 180, 240, 360 → median 240, Q1 180 + .75×60 = 225, Q3 240 + .25×120 = 270.
    assert m["total_time"] == {"median": 240.0, "q1": 225.0, "q3": 270.0, "n": 4}
    assert [(h["field"], h["count"], h["trials"]) for h in m["hotspots"]] == [("adresse", 2, 2), ("repere", 1, 1)]
    assert m["hotspots"][0]["share_of_trials_reaching_step"] == pytest.approx(2 / 6)
    q = m["questionnaire"]
    assert q["respondents"] == 4
    assert (q["satisfied"]["successes"], q["satisfied"]["n"]) == (2, 4)
    assert {lv["level"]: lv["count"] for lv in q["satisfaction"]["levels"]} == {1: 1, 2: 1, 3: 2}
    assert q["ease"]["mean"] == pytest.approx(3.5) and q["clarity"]["mean"] == pytest.approx(3.5)
    assert q["help_needed"]["share"] == pytest.approx(0.5)
    # SUS 75, 100, 50, 50 → 68.75, grade C "correct" (65.0 ≤ 68.75 < 71.1).
    assert q["sus"]["mean"] == pytest.approx(68.75)
    assert q["sus_grade"] == {"letter": "C", "adjective": "correct"}
    assert "values" not in q["sus"]  # raw samples are not stored, only histograms in the basis
    assert figures["basis"]["sus"] == [[50.0, 2], [75.0, 1], [100.0, 1]]
    assert figures["comments"] == {"total": 2, "by_step": {"": 1, "lieu": 1}}
    # One assisted trial: its channel is counted but not shown (under 5).
    assert figures["channels"] == [{"value": "online", "suppressed": False, "n": 5, "share": pytest.approx(5 / 6)},
                                   {"value": "assisted", "suppressed": True}]
    assert [row["value"] for row in figures["assisted"]] == [False, True]
    assert figures["assisted"][1] == {"value": True, "suppressed": True}


def test_figures_go_through_feedback_records(db, users):
    """The snapshot holds exactly what analysis.metrics computes on feedback.records' records."""
    pilot = constructed(db, users)
    iteration_id = pilot.iterations[0]
    expected = iteration_metrics(trial_records(db, iteration_id=iteration_id), response_records(db, iteration_id=iteration_id),
                                 list(STEPS), invited=10)
    assert get_snapshot(db, iteration_id).figures["metrics"] == json.loads(json.dumps(report_data.plain(expected)))


def test_empty_iteration_has_figures_and_nothing_to_show(db, users):
    pilot = make_pilot(db, people=5)
    snapshot = get_snapshot(db, pilot.iterations[0])
    assert snapshot.figures["trials"] == 0
    assert snapshot.figures["metrics"]["completion"]["rate"] is None
    assert snapshot.figures["period"] is None
    assert snapshot.summary["suppressed"] is True
    assert snapshot.summary["completion"] is None and snapshot.summary["sus"] is None


def test_one_participant_is_never_shown(db, users):
    pilot = make_pilot(db, people=5)
    add_trial(db, pilot, answers={"satisfaction": 3, "ease": 5, "clarity": 5, "help_needed": 0, **SUS_100})
    snapshot = get_snapshot(db, pilot.iterations[0])
    assert snapshot.figures["trials"] == 1
    assert snapshot.summary | {"number": 1} == {
        "number": 1, "trials": 1, "suppressed": True, "completion": None, "completion_interval": None,
        "satisfied": None, "satisfied_n": 1, "help": None, "sus": None, "sus_interval": None, "sus_grade": None,
        "sus_n": 1, "total_time": None}
    assert snapshot.figures["channels"] == [{"value": "online", "suppressed": True}]


def test_segments_under_five_are_suppressed(db, users):
    pilot = make_pilot(db, people=12)
    for i in range(9):
        add_trial(db, pilot, channel="assisted" if i < 3 else "online", assisted_by=users["staff"].id if i < 3 else None)
    channels = {s["value"]: s for s in get_snapshot(db, pilot.iterations[0]).figures["segments"]["channel"]}
    assert channels["assisted"] == {"key": "channel", "value": "assisted", "suppressed": True, "metrics": None}
    assert channels["online"]["metrics"]["completion"]["started"] == 6


def test_comparison_with_the_previous_iteration(db, users):
    pilot = make_pilot(db, iterations=2, people=30)
    for i in range(10):
        add_trial(db, pilot, 0, reached=4 if i < 5 else 2, answers={"satisfaction": 3 if i < 3 else 1, "ease": 2, "clarity": 3,
                                                                    "help_needed": 1, **SUS_50} if i < 5 else None)
    for _i in range(12):
        add_trial(db, pilot, 1, answers={"satisfaction": 3, "ease": 5, "clarity": 4, "help_needed": 0, **SUS_100})
    figures = get_snapshot(db, pilot.iterations[1]).figures
    comparison = figures["comparison"]
    assert comparison["number"] == 1 and comparison["iteration_id"] == pilot.iterations[0]
    rows = {row["metric"]: row for row in comparison["rows"]}
    # Completion 5/10 → 12/12: few successes, so Fisher's exact test.
    assert (rows["completion_rate"]["before"], rows["completion_rate"]["after"]) == (0.5, 1.0)
    assert rows["completion_rate"]["comparison"]["test"] == "fisher_exact"
    verdict = translate(rows["completion_rate"]["verdict"])
    assert verdict.startswith("Amélioration nette")
    assert "n = 12 et 10" in verdict
    assert rows["sus"]["comparison"]["test"] == "mann_whitney_u"
    assert rows["sus"]["before"] == 50.0 and rows["sus"]["after"] == 100.0
    # The stored basis gives the same comparison as the full metrics of v1.
    v1 = iteration_metrics(trial_records(db, iteration_id=pilot.iterations[0]),
                           response_records(db, iteration_id=pilot.iterations[0]), list(STEPS))
    v2 = iteration_metrics(trial_records(db, iteration_id=pilot.iterations[1]),
                           response_records(db, iteration_id=pilot.iterations[1]), list(STEPS))
    basis = get_snapshot(db, pilot.iterations[0]).figures["basis"]
    assert report_data.plain(compare_iterations(metrics_from_basis(basis), v2)) == report_data.plain(compare_iterations(v1, v2))


def test_first_iteration_has_no_comparison(db, users):
    pilot = make_pilot(db, people=5)
    assert get_snapshot(db, pilot.iterations[0]).figures["comparison"] is None


def test_ab_deployment_compares_variants(db, users):
    pilot = make_pilot(db, iterations=2, people=60)
    now = utcnow()
    with write(db):
        form = DeploymentForm(title="A/B", iteration_a=str(pilot.iterations[0]), iteration_b=str(pilot.iterations[1]),
                              group_ids=(str(pilot.group_id),), opens_at=form_time(now - timedelta(days=1)),
                              closes_at=form_time(now + timedelta(days=9)))
        ab = create_deployment(db, form=form, user_id=None, now=now - timedelta(days=2))
    pilot.deployments.append(ab)
    for _ in range(30):
        add_trial(db, pilot, 2, answers={"satisfaction": 3, "ease": 4, "clarity": 4, "help_needed": 0})
    variants = get_snapshot(db, pilot.iterations[1]).figures["variants"]
    assert len(variants) == 1 and variants[0]["numbers"] == {"A": 1, "B": 2}
    assert [row["metric"] for row in variants[0]["rows"]][:2] == ["completion_rate", "satisfied"]
    n_a = get_snapshot(db, pilot.iterations[0]).figures["trials"]
    n_b = get_snapshot(db, pilot.iterations[1]).figures["trials"]
    assert n_a + n_b == 30 and variants[0]["rows"][0]["n_before"] in (n_a, None)


# --- the snapshot: reused while the data is unchanged, recomputed when it changes -----------


def _no_compute(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("figures were recomputed although nothing changed")

    monkeypatch.setattr(report_data, "compute_figures", fail)


def test_snapshot_is_reused_while_the_data_is_unchanged(db, users, monkeypatch):
    pilot = constructed(db, users)
    first = get_snapshot(db, pilot.iterations[0])
    _no_compute(monkeypatch)
    again = get_snapshot(db, pilot.iterations[0])
    assert again.state == "fresh" and again.computed_at == first.computed_at and again.figures == first.figures
    assert summaries(db, [pilot.iterations[0]]) == {pilot.iterations[0]: first.summary}


def test_snapshot_is_recomputed_when_a_trial_is_added(db, users):
    pilot = constructed(db, users)
    version = data_version(db, pilot.iterations[0])
    assert get_snapshot(db, pilot.iterations[0]).figures["trials"] == 6
    add_trial(db, pilot)
    assert data_version(db, pilot.iterations[0]) != version
    assert get_snapshot(db, pilot.iterations[0]).figures["trials"] == 7


@pytest.mark.parametrize("change", ["complete", "answer", "comment", "erase", "rename_group", "invite"])
def test_every_kind_of_change_makes_the_snapshot_stale(db, users, settings, change):
    pilot = make_pilot(db, people=10)
    trial_id = add_trial(db, pilot, reached=3)
    get_snapshot(db, pilot.iterations[0])
    version = data_version(db, pilot.iterations[0])
    with write(db):
        trial = store.get_trial(db, trial_id)
        if change == "complete":
            store.save_step(db, trial, step_key="contact", step_fields=["courriel"], index=3, step_count=4, values={}, now=T0)
        elif change == "answer":
            store.save_responses(db, trial, [("satisfaction", 3.0, None)], now=T0)
        elif change == "comment":
            store.save_comment(db, trial, step_key="lieu", comment=scan("Bien"), source="step", now=T0)
        elif change == "erase":
            db.execute("DELETE FROM participants WHERE id = ?", [trial["participant_id"]])
        elif change == "rename_group":
            rename_group(db, group_id=pilot.group_id, name="Habitants du nord", description="")
    if change == "invite":
        invite_all(db, pilot, 0)
    assert data_version(db, pilot.iterations[0]) != version


def test_a_change_in_the_previous_iteration_refreshes_the_comparison(db, users):
    pilot = make_pilot(db, iterations=2, people=20)
    for _ in range(5):
        add_trial(db, pilot, 1)
    version = data_version(db, pilot.iterations[1])
    add_trial(db, pilot, 0)
    assert data_version(db, pilot.iterations[1]) != version


def test_dropped_triggers_are_recreated_and_every_snapshot_invalidated(db, users):
    pilot = constructed(db, users)
    get_snapshot(db, pilot.iterations[0])
    db.execute("DROP TRIGGER report_version_trials_insert")
    add_trial(db, pilot)  # not counted: the trigger is gone
    assert get_snapshot(db, pilot.iterations[0]).figures["trials"] == 7
    assert db.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'report_version_trials_insert'").fetchone()[0] == 1


def test_every_version_trigger_exists_after_migration(db):
    from analysis.reports.migrations import TRIGGERS

    present = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert set(TRIGGERS) <= present


def test_large_stale_iteration_is_refreshed_by_a_worker(db, users, settings):
    pilot = constructed(db, users)
    first = get_snapshot(db, pilot.iterations[0])
    add_trial(db, pilot)
    stale = get_snapshot(db, pilot.iterations[0], db_path=settings.db_path, background=True, inline_limit=3)
    assert stale.state == "stale" and stale.figures == first.figures
    for thread in threading.enumerate():
        if thread.name == f"report-{pilot.iterations[0]}":
            thread.join(timeout=30)
    fresh = get_snapshot(db, pilot.iterations[0], db_path=settings.db_path, background=True, inline_limit=3)
    assert fresh.state == "fresh" and fresh.figures["trials"] == 7
    assert db["report_jobs"].get(pilot.iterations[0])["finished_at"] is not None


def test_large_iteration_without_figures_is_pending(db, users, settings):
    pilot = constructed(db, users)
    pending = get_snapshot(db, pilot.iterations[0], db_path=settings.db_path, background=True, inline_limit=3)
    assert pending.state == "pending" and not pending.ready and pending.trials == 6
    for worker in threading.enumerate():
        if worker.name == f"report-{pilot.iterations[0]}":
            worker.join(timeout=30)
    assert get_snapshot(db, pilot.iterations[0]).state == "fresh"


def test_a_running_job_elsewhere_is_not_duplicated(db, users):
    pilot = make_pilot(db, people=5)
    assert report_data._claim_job(db, pilot.iterations[0]) is True
    assert report_data._claim_job(db, pilot.iterations[0]) is False
    assert report_data.refreshing(db, pilot.iterations[0]) is True


def test_wilson_interval_in_summary_matches_stats(db, users):
    pilot = constructed(db, users)
    interval = wilson_interval(4, 6)
    assert get_snapshot(db, pilot.iterations[0]).summary["completion_interval"] == {"low": interval.low, "high": interval.high}


def test_refresh_refuses_an_unknown_iteration(db):
    with pytest.raises(LookupError):
        refresh(db, 999)


def test_summaries_keep_stored_figures_of_a_large_stale_iteration_and_hand_it_to_a_worker(db, users, settings, monkeypatch):
    pilot = constructed(db, users)
    first = get_snapshot(db, pilot.iterations[0]).summary
    add_trial(db, pilot)
    started = []
    monkeypatch.setattr(report_data, "start_refresh", lambda path, iteration_id: started.append(iteration_id))
    found = summaries(db, [pilot.iterations[0]], db_path=settings.db_path, background=True, inline_limit=3)
    assert found == {pilot.iterations[0]: first} and started == [pilot.iterations[0]]
    assert summaries(db, [pilot.iterations[0]])[pilot.iterations[0]]["trials"] == 7  # no workers: refreshed here


def test_a_failed_refresh_is_not_retried_at_every_view(db, users, settings, monkeypatch):
    pilot = constructed(db, users)
    get_snapshot(db, pilot.iterations[0])
    add_trial(db, pilot)
    monkeypatch.setattr(report_data, "refresh", lambda db, i: (_ for _ in ()).throw(RuntimeError("bug")))
    report_data.run_job(settings.db_path, pilot.iterations[0])
    assert db["report_jobs"].get(pilot.iterations[0])["error"] == "RuntimeError"
    started = []
    monkeypatch.setattr(report_data, "start_refresh", lambda path, iteration_id: started.append(iteration_id))
    stale = get_snapshot(db, pilot.iterations[0], db_path=settings.db_path, background=True, inline_limit=3)
    assert stale.state == "stale" and started == []


TOPICS = ("La photo de mon téléphone est refusée, fichier trop lourd",
          "Impossible de trouver mon adresse sur la carte du quartier",
          "La date du constat est obligatoire alors que je ne la connais pas")


def test_themes_and_actions_are_stored_with_the_figures_and_follow_their_changes(db, users):
    from analysis.themes.actions import ActionForm, create_action
    from analysis.themes.jobs import analyse_now

    pilot = make_pilot(db, people=40)
    for i in range(36):
        add_trial(db, pilot, comments={"lieu": f"{TOPICS[i % 3]} ({i})"})
    analyse_now(db, iteration_id=pilot.iterations[0], backend="tfidf", runner="cli")
    themes = get_snapshot(db, pilot.iterations[0]).figures["themes"]
    assert themes["available"] and themes["themes"] and themes["planned"] == []
    first = themes["themes"][0]
    assert set(first) >= {"label", "terms", "size", "share", "quotes", "status", "is_noise"}

    version = data_version(db, pilot.iterations[0])
    with write(db):
        db.execute("UPDATE themes SET curated_label = 'Photos refusées' WHERE id = ?", [first["id"]])
    assert data_version(db, pilot.iterations[0]) != version
    assert "Photos refusées" in [t["label"] for t in get_snapshot(db, pilot.iterations[0]).figures["themes"]["themes"]]

    with write(db):
        create_action(db, iteration_id=pilot.iterations[0], user_id=None,
                      form=ActionForm(title="Accepter les photos HEIC", theme_ids=(str(first["id"]),)))
    planned = get_snapshot(db, pilot.iterations[0]).figures["themes"]["planned"]
    assert [(a["title"], a["theme_labels"]) for a in planned] == [("Accepter les photos HEIC", ["Photos refusées"])]


def test_without_the_theme_store_the_report_says_so(db, users, monkeypatch):
    monkeypatch.setattr(report_data, "themes_api", lambda: None)
    pilot = make_pilot(db, people=5)
    assert get_snapshot(db, pilot.iterations[0]).figures["themes"] == {
        "available": False, "themes": [], "delivered": [], "planned": [], "live": False}
