"""Iteration metrics on small hand-made iterations whose figures are worked out in comments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from analysis.reports.metrics import (
    Completion,
    FieldError,
    FunnelStep,
    Hotspot,
    LevelCount,
    ResponseRecord,
    StepTiming,
    TrialRecord,
    compare_iterations,
    completion,
    error_hotspots,
    funnel,
    iteration_metrics,
    questionnaire_summary,
    split_by,
    step_times,
    total_time,
)
from analysis.stats import Distribution, Interval, SusGrade, wilson_interval
from lab.i18n import translate

NBSP = "\u00a0"
TOO_SMALL = "Échantillon trop petit pour conclure (moins de 5 participants)."
STEPS = ["identite", "adresse", "justificatifs", "recapitulatif"]
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def visits(*spans: tuple[str, float, float | None]) -> tuple[StepTiming, ...]:
    return tuple(
        StepTiming(step, at(enter), None if leave is None else at(leave))
        for step, enter, leave in spans
    )


def trial(trial_id: str, **fields) -> TrialRecord:
    return TrialRecord(trial_id=trial_id, started_at=T0, **fields)


def answers(trial_id: str, **numbers: float) -> list[ResponseRecord]:
    return [ResponseRecord(trial_id, key, number) for key, number in numbers.items()]


def sus(trial_id: str, items: list[int]) -> list[ResponseRecord]:
    return answers(trial_id, **{f"sus_{i}": a for i, a in enumerate(items, start=1)})


# Six trials of a four-step procedure:
#   t1, t2 complete; t3 stops on "justificatifs", t4 on "adresse", t5 on "identite";
#   t6 consented but never reached the first step.
SIX = [
    trial(
        "t1",
        variant="A",
        completed_at=at(370),
        steps=visits(
            ("identite", 0, 60),
            ("adresse", 60, 150),
            ("justificatifs", 150, 330),
            ("recapitulatif", 330, 360),
        ),
        validation_errors=(FieldError("adresse", "code_postal", 2),),
    ),
    trial(
        "t2",
        variant="A",
        completed_at=at(250),
        steps=visits(
            ("identite", 0, 40),
            ("adresse", 40, 100),
            ("justificatifs", 100, 220),
            ("recapitulatif", 220, 250),
        ),
        validation_errors=(FieldError("identite", "date_naissance"),),
    ),
    trial(
        "t3",
        variant="A",
        last_step="justificatifs",
        steps=visits(("identite", 0, 80), ("adresse", 80, 200), ("justificatifs", 200, None)),
        validation_errors=(
            FieldError("adresse", "code_postal"),
            FieldError("justificatifs", "piece_identite", 3),
        ),
    ),
    trial(
        "t4",
        variant="B",
        last_step="adresse",
        steps=visits(("identite", 0, 50), ("adresse", 50, None)),
        validation_errors=(FieldError("adresse", "code_postal"),),
    ),
    trial("t5", variant="B", last_step="identite", steps=visits(("identite", 0, None))),
    trial("t6", variant="B"),
]

# SUS t1: odd (a−1) 3+4+3+3+4 = 17, even (5−a) 3+4+3+4+3 = 17 → 34 × 2.5 = 85
# SUS t2: odd 2+3+2+3+2 = 12, even 3+3+2+4+3 = 15 → 27 × 2.5 = 67.5
RESPONSES = [
    *answers("t1", satisfaction=3, ease=4, clarity=5, help_needed=0, umux_1=6, umux_2=5),
    *sus("t1", [4, 2, 5, 1, 4, 2, 4, 1, 5, 2]),
    *answers("t2", satisfaction=2, ease=3, clarity=4, help_needed=1, umux_1=7, umux_2=7),
    *sus("t2", [3, 2, 4, 2, 3, 3, 4, 1, 3, 2]),
    *answers("t3", satisfaction=3, ease=5, clarity=3, help_needed=0, umux_1=4),
    *sus("t3", [4] * 9),  # nine items only: no SUS score
    *answers("t4", satisfaction=1, ease=1, help_needed=1),
    ResponseRecord("t4", "ease", 2),  # answered again: the later answer counts
    ResponseRecord("t4", "commentaire", None, "Trop long"),  # not a scale question
    ResponseRecord("t5", "clarity", None),  # skipped question
]


# --- Completion, funnel, times, hotspots -----------------------------------------------------


def test_completion():
    assert completion(SIX, invited=10) == Completion(
        invited=10,
        started=6,
        completed=2,
        rate=pytest.approx(1 / 3),
        interval=wilson_interval(2, 6),
    )
    # Wilson 2/6 by hand: centre (1/3 + z²/12)/(1 + z²/6) = 0.398390, half 0.301617
    low, high = completion(SIX).interval.low, completion(SIX).interval.high
    assert (low, high) == (pytest.approx(0.0968, abs=5e-5), pytest.approx(0.7000, abs=5e-5))


def test_funnel_six_trials():
    # identite reached by t1–t5, t5 left there (1/5); adresse by t1–t4, t4 left (1/4);
    # justificatifs by t1–t3, t3 left (1/3); recapitulatif by t1, t2, nobody left.
    assert funnel(SIX, STEPS) == [
        FunnelStep("identite", 5, 1, pytest.approx(0.2)),
        FunnelStep("adresse", 4, 1, pytest.approx(0.25)),
        FunnelStep("justificatifs", 3, 1, pytest.approx(1 / 3)),
        FunnelStep("recapitulatif", 2, 0, 0.0),
    ]


def test_funnel_counts_skipped_steps_as_passed_and_ignores_unknown_steps():
    jumped = trial(
        "j",
        last_step="justificatifs",
        steps=visits(("identite", 0, 10), ("ancienne_etape", 10, 20)),
    )
    assert [row.reached for row in funnel([jumped], STEPS)] == [1, 1, 1, 0]
    assert [row.left for row in funnel([jumped], STEPS)] == [0, 0, 1, 0]


def test_step_times_median_and_quartiles():
    # identite: t1 60, t2 40, t3 80, t4 50 (t5 never left) → [40, 50, 60, 80]
    #   median 55, q1 at position 0.75 → 47.5, q3 at 2.25 → 65
    # adresse: 90, 60, 120 → median 90, q1 75, q3 105
    # justificatifs: 180, 120 → median 150, q1 135, q3 165; recapitulatif: 30, 30
    assert step_times(SIX, STEPS) == {
        "identite": Distribution(median=55.0, q1=47.5, q3=65.0, n=4),
        "adresse": Distribution(median=90.0, q1=75.0, q3=105.0, n=3),
        "justificatifs": Distribution(median=150.0, q1=135.0, q3=165.0, n=2),
        "recapitulatif": Distribution(median=30.0, q1=30.0, q3=30.0, n=2),
    }


def test_step_times_sum_revisits_and_skip_clock_trouble():
    back = trial(
        "b",
        steps=visits(
            ("identite", 0, 30), ("adresse", 30, 40), ("identite", 40, 55), ("adresse", 55, 50)
        ),
    )
    # identite 30 + 15 = 45; adresse: 10 counted, the visit leaving before it entered is not
    assert step_times([back], ["identite", "adresse"]) == {
        "identite": Distribution(45.0, 45.0, 45.0, 1),
        "adresse": Distribution(10.0, 10.0, 10.0, 1),
    }


def test_total_time_of_completed_trials():
    # t1 370 s, t2 250 s → median 310, q1 280, q3 340
    assert total_time(SIX) == Distribution(median=310.0, q1=280.0, q3=340.0, n=2)


def test_error_hotspots():
    # code_postal: 2 + 1 + 1 = 4 errors in t1, t3, t4, of the 4 who reached adresse → 0.75
    # piece_identite: 3 errors, t3 only, of the 3 who reached justificatifs → 1/3
    # date_naissance: 1 error, t2, of the 5 who reached identite → 0.2
    assert error_hotspots(SIX, STEPS) == [
        Hotspot("adresse", "code_postal", 4, 3, pytest.approx(0.75)),
        Hotspot("justificatifs", "piece_identite", 3, 1, pytest.approx(1 / 3)),
        Hotspot("identite", "date_naissance", 1, 1, pytest.approx(0.2)),
    ]
    assert [h.field for h in error_hotspots(SIX, STEPS, top=2)] == ["code_postal", "piece_identite"]


def test_error_hotspots_ties_and_unknown_steps():
    errors = (
        FieldError("adresse", "ville"),
        FieldError("identite", "nom"),
        FieldError("retiree", "x"),
    )
    rows = error_hotspots([trial("e", validation_errors=errors)], STEPS)
    # one error each: spec order decides, a step no longer in the spec comes last
    assert [(h.step, h.field) for h in rows] == [
        ("identite", "nom"),
        ("adresse", "ville"),
        ("retiree", "x"),
    ]
    assert rows[-1].share_of_trials_reaching_step is None


# --- Questionnaire ---------------------------------------------------------------------------


def test_questionnaire_summary():
    summary = questionnaire_summary(RESPONSES)
    assert summary.respondents == 4
    # satisfaction [3, 2, 3, 1]
    assert summary.satisfaction.levels == (
        LevelCount(1, 1, 0.25),
        LevelCount(2, 1, 0.25),
        LevelCount(3, 2, 0.5),
    )
    assert summary.satisfaction.mean == pytest.approx(2.25)
    satisfied = summary.satisfied
    assert (satisfied.successes, satisfied.n, satisfied.share) == (2, 4, 0.5)
    assert summary.satisfied.interval == wilson_interval(2, 4)
    # ease [4, 3, 5, 2]: mean 3.5, s² = 5/3, t(0.975, 3) = 3.182446 → 1.4457 to 5.5543,
    # clamped at 5
    assert summary.ease.values == (4, 3, 5, 2)
    assert summary.ease.mean == pytest.approx(3.5)
    assert summary.ease.interval == Interval(pytest.approx(1.445740), 5.0)
    assert [level.count for level in summary.ease.levels] == [0, 1, 1, 1, 1]
    # clarity [5, 4, 3]: mean 4, s = 1, t(0.975, 2) = 4.302653 → 1.5159 to 6.4841, clamped at 5
    assert summary.clarity.n == 3
    assert summary.clarity.interval == Interval(pytest.approx(4 - 4.302653 / 3**0.5), 5.0)
    # help needed by t2 and t4
    assert (summary.help_needed.successes, summary.help_needed.n) == (2, 4)
    # SUS from t1 (85) and t2 (67.5) only: mean 76.25 → B, "bon"
    assert summary.sus.values == (85.0, 67.5)
    assert summary.sus.mean == pytest.approx(76.25)
    assert summary.sus.interval == Interval(0.0, 100.0)  # t(0.975, 1) = 12.7: clamped to the scale
    assert summary.sus_grade == SusGrade("B", "bon")
    # UMUX-Lite t1 (5+4)/12 = 75, t2 100 → 87.5; SUS equivalent 0.65 × 87.5 + 22.9 = 79.775
    assert summary.umux_lite.values == (pytest.approx(75.0), pytest.approx(100.0))
    assert summary.umux_lite.mean == pytest.approx(87.5)
    assert summary.umux_lite_sus_equivalent == pytest.approx(79.775)


@pytest.mark.parametrize("number", [6, 0, 2.5, float("nan")])
def test_questionnaire_rejects_answers_off_the_scale(number):
    with pytest.raises(ValueError, match="ease"):
        questionnaire_summary([ResponseRecord("t1", "ease", number)])


# --- Empty and single-participant iterations -------------------------------------------------


def test_empty_iteration():
    metrics = iteration_metrics([], [], STEPS, invited=None)
    assert metrics.completion == Completion(None, 0, 0, None, None)
    assert metrics.funnel == tuple(FunnelStep(step, 0, 0, None) for step in STEPS)
    assert metrics.step_times == dict.fromkeys(STEPS)
    assert metrics.total_time is None
    assert metrics.hotspots == ()
    q = metrics.questionnaire
    assert q.respondents == 0
    assert q.satisfaction.levels == tuple(LevelCount(level, 0, None) for level in (1, 2, 3))
    assert (q.satisfied.share, q.satisfied.interval) == (None, None)
    assert (q.ease.n, q.ease.mean, q.ease.interval) == (0, None, None)
    assert q.sus.mean is None and q.sus_grade is None
    assert q.umux_lite.mean is None and q.umux_lite_sus_equivalent is None
    assert iteration_metrics([], [], [], None).funnel == ()


def test_one_participant():
    only = [response for response in RESPONSES if response.trial_id == "t1"]
    metrics = iteration_metrics(SIX[:1], only, STEPS, invited=1)
    assert metrics.completion.rate == 1.0
    # Wilson 1/1: lower bound n/(n + z²) = 1/4.841459 = 0.206549
    assert metrics.completion.interval == Interval(pytest.approx(0.206549, abs=1e-6), 1.0)
    assert metrics.step_times["identite"] == Distribution(60.0, 60.0, 60.0, 1)
    assert metrics.total_time == Distribution(370.0, 370.0, 370.0, 1)
    q = metrics.questionnaire
    assert (q.ease.mean, q.ease.interval) == (4, None)
    assert (q.sus.mean, q.sus.interval, q.sus_grade) == (85.0, None, SusGrade("A+", "excellent"))


def test_comparing_empty_or_tiny_iterations_says_too_small():
    empty = iteration_metrics([], [], STEPS)
    one = iteration_metrics(SIX[:1], RESPONSES, STEPS)
    for row in compare_iterations(empty, one):
        assert row.suppressed
        assert translate(row.verdict) == TOO_SMALL
        assert (row.before, row.after, row.n_before, row.n_after, row.comparison) == (None,) * 5


# --- Segments --------------------------------------------------------------------------------


def test_split_by_suppresses_groups_under_five():
    trials = [trial(f"a{i}", variant="A", completed_at=at(100)) for i in range(5)]
    trials += [trial(f"b{i}", variant="B") for i in range(4)]
    trials += [trial("x", variant=None)]
    responses = answers("a0", ease=5) + answers("b0", ease=1)
    segments = split_by(trials, responses, "variant", STEPS, invited={"A": 8})
    assert [(s.value, s.suppressed) for s in segments] == [("A", False), ("B", True), (None, True)]
    shown = segments[0].metrics
    assert shown.completion == Completion(8, 5, 5, 1.0, wilson_interval(5, 5))
    assert shown.questionnaire.ease.values == (5,)  # B's answer stays in B
    assert segments[1].metrics is None and segments[2].metrics is None


def test_split_by_rejects_unknown_key():
    with pytest.raises(ValueError):
        split_by(SIX, RESPONSES, "age", STEPS)


# --- Comparing iterations --------------------------------------------------------------------


def iteration(
    completed: int, started: int, yes: int, asked: int, ease: list[int], clarity: list[int]
):
    """An iteration whose first trials complete, answer "Oui", and give the listed scores."""
    trials = [
        trial(f"t{i}", completed_at=at(60) if i < completed else None) for i in range(started)
    ]
    responses = [ResponseRecord(f"t{i}", "satisfaction", 3 if i < yes else 1) for i in range(asked)]
    responses += [ResponseRecord(f"t{i}", "ease", value) for i, value in enumerate(ease)]
    responses += [ResponseRecord(f"t{i}", "clarity", value) for i, value in enumerate(clarity)]
    return iteration_metrics(trials, responses, STEPS)


def test_compare_iterations():
    prev = iteration(20, 40, yes=3, asked=10, ease=[2, 2, 3, 3, 2, 3], clarity=[4, 4, 4, 4, 4])
    cur = iteration(32, 40, yes=4, asked=10, ease=[4, 5, 4, 5, 5, 4], clarity=[5, 5, 5, 5])
    rows = {row.metric: row for row in compare_iterations(prev, cur)}
    assert list(rows) == ["completion_rate", "satisfied", "ease", "clarity", "sus"]

    # 20/40 → 32/40: every expected cell ≥ 14, z-test. pooled 0.65, se = sqrt(0.65·0.35·0.05)
    # = 0.106654, z = 0.3/se = 2.812843, p = 0.00491
    done = rows["completion_rate"]
    assert done.comparison.test == "two_proportion_z"
    assert done.comparison.p_value == pytest.approx(0.004911, abs=1e-6)
    assert (done.before, done.after, done.n_before, done.n_after) == (0.5, 0.8, 40, 40)
    assert translate(done.verdict) == f"Amélioration nette{NBSP}: 80{NBSP}% contre 50{NBSP}% (n = 40 et 40)."

    # 3/10 → 4/10 "Oui": expected "Oui" cells 3.5 < 5, Fisher; the tables are symmetric, p = 1
    yes = rows["satisfied"]
    assert yes.comparison.test == "fisher_exact"
    assert yes.comparison.p_value == pytest.approx(1.0)
    assert translate(yes.verdict) == (
        f"Pas de différence détectable avec 10 et 10 participants (petit échantillon){NBSP}: "
        f"40{NBSP}% contre 30{NBSP}%."
    )

    # ease: every new answer beats every old one, U = 36, rank-biserial 1.
    # Ties 2,3,4,5 ×3 each: Σ(t³ − t) = 96, σ² = 36/12 × (13 − 96/132) = 36.818182,
    # z = (18 − ½)/σ = 2.884094, p = 0.003926
    ease = rows["ease"]
    assert ease.comparison.u == 36
    assert ease.comparison.rank_biserial == 1.0
    assert ease.comparison.p_value == pytest.approx(0.003926, abs=1e-6)
    assert translate(ease.verdict) == (
        f"Amélioration nette{NBSP}: 4,5 contre 2,5 (n = 6 et 6, petit échantillon)."
    )

    # clarity has 4 answers in the new iteration, SUS none at all
    for metric in ("clarity", "sus"):
        assert rows[metric].suppressed
        assert translate(rows[metric].verdict) == TOO_SMALL
        assert rows[metric].after is None


def test_compare_iterations_reports_degradation_the_other_way_round():
    prev = iteration(32, 40, yes=0, asked=0, ease=[], clarity=[])
    cur = iteration(20, 40, yes=0, asked=0, ease=[], clarity=[])
    row = compare_iterations(prev, cur)[0]
    assert translate(row.verdict) == f"Dégradation nette{NBSP}: 50{NBSP}% contre 80{NBSP}% (n = 40 et 40)."
