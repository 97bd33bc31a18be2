"""The figures of an iteration's report: hand-computed values, suppression of small groups, comparisons."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from analysis.reports.figures import metrics_from_basis, plain
from analysis.reports.metrics import compare_iterations, iteration_metrics
from analysis.reports.records import response_records, trial_records
from analysis.reports.snapshots import get_snapshot
from analysis.stats import wilson_interval
from lab.campaigns.deployments import DeploymentForm, create_deployment, form_time
from lab.clock import utcnow
from lab.db import write
from lab.i18n import translate
from tests.factories import STEPS, SUS_50, SUS_100, add_trial, constructed_pilot, make_pilot


def test_figures_of_a_constructed_iteration_match_hand_computed_values(db, users):
    pilot = constructed_pilot(db, users["staff"].id)
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
    pilot = constructed_pilot(db, users["staff"].id)
    iteration_id = pilot.iterations[0]
    expected = iteration_metrics(trial_records(db, iteration_id=iteration_id), response_records(db, iteration_id=iteration_id),
                                 list(STEPS), invited=10)
    assert get_snapshot(db, iteration_id).figures["metrics"] == json.loads(json.dumps(plain(expected)))


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
    for _ in range(12):
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
    assert plain(compare_iterations(metrics_from_basis(basis), v2)) == plain(compare_iterations(v1, v2))


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


def test_wilson_interval_in_summary_matches_stats(db, users):
    pilot = constructed_pilot(db, users["staff"].id)
    interval = wilson_interval(4, 6)
    assert get_snapshot(db, pilot.iterations[0]).summary["completion_interval"] == {"low": interval.low, "high": interval.high}
