"""Statistics primitives against values worked out by hand (formulas in the comments)."""

from __future__ import annotations

import math

import pytest

from analysis.stats import (
    MIN_GROUP_SIZE,
    Distribution,
    Interval,
    SusGrade,
    compare_rates,
    compare_scores,
    mean_interval,
    median_iqr,
    proportion,
    suppress_small,
    sus_grade,
    sus_score,
    umux_lite_score,
    wilson_interval,
)
from analysis.stats import verdict as verdict_message
from lab.i18n import current_locale, translate

NBSP = "\u00a0"
Z95 = 1.959963984540054  # 97.5th percentile of the standard normal
T975 = {1: 12.706205, 2: 4.302653, 3: 3.182446, 4: 2.776445}  # Student t table, 0.975


# --- Wilson -------------------------------------------------------------------------------


def test_wilson_8_of_10():
    # p = 0.8, z² = 3.841459; centre = (0.8 + z²/20) / (1 + z²/10) = 0.716766
    # half = z / (1 + z²/10) * sqrt(0.016 + z²/400) = 0.226578
    interval = wilson_interval(8, 10)
    assert interval.low == pytest.approx(0.4902, abs=5e-5)
    assert interval.high == pytest.approx(0.9433, abs=5e-5)


def test_wilson_zero_successes_has_closed_form_upper_bound():
    # With s = 0 the centre and half-width are both z²/(2(n + z²)), so the bound is z²/(n + z²).
    interval = wilson_interval(0, 5)
    assert interval.low == 0.0
    assert interval.high == pytest.approx(Z95**2 / (5 + Z95**2))
    assert interval.high == pytest.approx(0.4345, abs=5e-5)


def test_wilson_all_successes_mirrors_zero():
    interval = wilson_interval(5, 5)
    assert interval.low == pytest.approx(5 / (5 + Z95**2))
    assert interval.low == pytest.approx(0.5655, abs=5e-5)
    assert interval.high == 1.0


def test_wilson_without_anyone_is_none():
    assert wilson_interval(0, 0) is None
    assert proportion(0, 0) == proportion(0, 0).__class__(0, 0, None, None)


def test_wilson_other_confidence_is_narrower():
    ninety = wilson_interval(8, 10, confidence=0.90)
    ninety_five = wilson_interval(8, 10)
    assert ninety.low > ninety_five.low and ninety.high < ninety_five.high


@pytest.mark.parametrize(
    ("successes", "n", "confidence"),
    [(6, 5, 0.95), (-1, 5, 0.95), (1.5, 5, 0.95), (True, 5, 0.95), (1, 5, 95)],
)
def test_wilson_rejects_impossible_input(successes, n, confidence):
    with pytest.raises(ValueError):
        wilson_interval(successes, n, confidence)


# --- Means and medians -----------------------------------------------------------------------


def test_mean_interval_uses_student_t():
    # mean 3, s = sqrt(2.5) = 1.581139, se = s/sqrt(5) = 0.707107, t(0.975, 4) = 2.776445
    # half-width = 1.963243
    interval = mean_interval([1, 2, 3, 4, 5])
    assert interval.low == pytest.approx(3 - T975[4] * math.sqrt(2.5 / 5), abs=1e-6)
    assert interval.low == pytest.approx(1.036757, abs=1e-6)
    assert interval.high == pytest.approx(4.963243, abs=1e-6)


def test_mean_interval_clamped_to_the_scale():
    # [4, 3, 5, 2]: mean 3.5, s² = 5/3, se = 0.645497, t(0.975, 3) = 3.182446 → 1.4457 to 5.5543
    assert mean_interval([4, 3, 5, 2], bounds=(1, 5)) == Interval(pytest.approx(1.445740), 5.0)


def test_mean_interval_needs_two_values():
    assert mean_interval([]) is None
    assert mean_interval([4]) is None


def test_mean_interval_rejects_nan():
    with pytest.raises(ValueError):
        mean_interval([1.0, float("nan")])


def test_median_iqr_linear_quartiles():
    # positions (n − 1)·p on [10, 20, 30, 40]: 0.75 → 17.5, 1.5 → 25, 2.25 → 32.5
    assert median_iqr([40, 10, 30, 20]) == Distribution(median=25.0, q1=17.5, q3=32.5, n=4)
    assert median_iqr([40, 10, 30, 20]).iqr == 15.0
    assert median_iqr([7]) == Distribution(7.0, 7.0, 7.0, 1)
    assert median_iqr([]) is None


# --- SUS and UMUX-Lite -----------------------------------------------------------------------


def test_sus_neutral_answers_score_50():
    # odd items 3 − 1 = 2, even items 5 − 3 = 2: 10 × 2 = 20, × 2.5 = 50
    assert sus_score([3] * 10) == 50.0


def test_sus_best_and_worst_answers():
    assert sus_score([5, 1] * 5) == 100.0
    assert sus_score([1, 5] * 5) == 0.0


def test_sus_worked_example():
    # answers      3  2  4  2  3  3  4  1  3  2
    # odd  (a − 1): 2     3     2     3     2   = 12
    # even (5 − a):    3     3     2     4     3 = 15
    # (12 + 15) × 2.5 = 67.5
    assert sus_score([3, 2, 4, 2, 3, 3, 4, 1, 3, 2]) == 67.5


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([3] * 9, "exactly 10"),
        ([3] * 11, "exactly 10"),
        ([3] * 9 + [6], "item 10"),
        ([0] + [3] * 9, "item 1"),
        ([3.5] + [3] * 9, "item 1"),
        ([True] + [3] * 9, "item 1"),
    ],
)
def test_sus_rejects_bad_answers(answers, message):
    with pytest.raises(ValueError, match=message):
        sus_score(answers)


@pytest.mark.parametrize(
    ("score", "letter", "adjective"),
    [
        (100, "A+", "excellent"),
        (84.1, "A+", "excellent"),
        (84.0, "A", "excellent"),
        (80.8, "A", "excellent"),
        (80.7, "A-", "excellent"),
        (78.9, "A-", "excellent"),
        (78.8, "B+", "bon"),
        (77.2, "B+", "bon"),
        (77.1, "B", "bon"),
        (74.1, "B", "bon"),
        (74.0, "B-", "bon"),
        (72.6, "B-", "bon"),
        (72.5, "C+", "correct"),
        (71.1, "C+", "correct"),
        (71.0, "C", "correct"),
        (68.0, "C", "correct"),
        (65.0, "C", "correct"),
        (64.9, "C-", "correct"),
        (62.7, "C-", "correct"),
        (62.6, "D", "médiocre"),
        (51.7, "D", "médiocre"),
        (51.6, "F", "insuffisant"),
        (0, "F", "insuffisant"),
    ],
)
def test_sus_grade_boundaries(score, letter, adjective):
    assert sus_grade(score) == SusGrade(letter, adjective)


def test_sus_grade_reads_the_score_as_displayed():
    # A mean that prints as 84,1 gets the A+ the table gives 84.1, float noise included.
    assert sus_grade(84.09999999999).letter == "A+"
    assert sus_grade(84.04).letter == "A"


@pytest.mark.parametrize("score", [-0.1, 100.1, float("nan"), "80"])
def test_sus_grade_rejects_out_of_scale(score):
    with pytest.raises(ValueError):
        sus_grade(score)


def test_umux_lite():
    # (6 − 1 + 5 − 1) / 12 × 100 = 75; SUS equivalent 0.65 × 75 + 22.9 = 71.65
    result = umux_lite_score(6, 5)
    assert result.score == pytest.approx(75.0)
    assert result.sus_equivalent == pytest.approx(71.65)
    assert umux_lite_score(7, 7).score == pytest.approx(100.0)
    assert umux_lite_score(7, 7).sus_equivalent == pytest.approx(87.9)
    assert umux_lite_score(1, 1).score == 0.0
    assert umux_lite_score(1, 1).sus_equivalent == pytest.approx(22.9)


@pytest.mark.parametrize(("usefulness", "ease"), [(0, 4), (4, 8), (4.5, 4)])
def test_umux_lite_rejects_out_of_scale(usefulness, ease):
    with pytest.raises(ValueError):
        umux_lite_score(usefulness, ease)


# --- Rates -----------------------------------------------------------------------------------


def test_compare_rates_z_test_by_hand():
    # 20/40 vs 30/40: pooled 50/80 = 0.625, se = sqrt(0.625 × 0.375 × (1/40 + 1/40)) = 0.108253
    # z = 0.25 / 0.108253 = 2.309401, two-sided p = erfc(z / √2) = 0.020921
    # Cohen's h = 2·asin(√0.75) − 2·asin(√0.5) = 2π/3 − π/2 = π/6
    result = compare_rates(20, 40, 30, 40)
    z = 0.25 / math.sqrt(0.625 * 0.375 * (2 / 40))
    assert result.test == "two_proportion_z"
    assert result.p_value == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert result.p_value == pytest.approx(0.020921, abs=1e-6)
    assert result.significant
    assert (result.rate1, result.rate2, result.n1, result.n2) == (0.5, 0.75, 40, 40)
    assert result.difference == pytest.approx(0.25)
    assert result.cohens_h == pytest.approx(math.pi / 6)


def test_compare_rates_fisher_when_an_expected_cell_is_small():
    # 0/5 vs 5/5: every expected cell is 2.5. Only the observed table and its mirror are as
    # extreme, each with probability 1 / C(10, 5) = 1/252, so p = 2/252.
    result = compare_rates(0, 5, 5, 5)
    assert result.test == "fisher_exact"
    assert result.p_value == pytest.approx(2 / 252)
    assert result.cohens_h == pytest.approx(math.pi)


def test_compare_rates_switches_exactly_below_five_expected():
    # n1 = n2 = 10: 10 successes in all → expected 5 everywhere → z test;
    # 9 successes → expected 4.5 → Fisher
    assert compare_rates(3, 10, 7, 10).test == "two_proportion_z"
    assert compare_rates(3, 10, 6, 10).test == "fisher_exact"


def test_compare_rates_newcombe_interval_matches_the_paper():
    # Newcombe (1998), Stat Med 17:873, Table II example (a): 56/70 − 48/80 = 0.2,
    # hybrid score interval (method 10) 0.0524 to 0.3339.
    result = compare_rates(48, 80, 56, 70)
    assert result.difference == pytest.approx(0.2)
    assert result.difference_interval.low == pytest.approx(0.0524, abs=5e-5)
    assert result.difference_interval.high == pytest.approx(0.3339, abs=5e-5)


def test_compare_rates_difference_is_candidate_minus_reference():
    down = compare_rates(30, 40, 20, 40)
    assert down.difference == pytest.approx(-0.25)
    assert down.cohens_h == pytest.approx(-math.pi / 6)
    assert down.difference_interval.high < 0


@pytest.mark.parametrize("args", [(0, 0, 1, 5), (1, 5, 0, 0), (6, 5, 1, 5), (-1, 5, 1, 5)])
def test_compare_rates_rejects_impossible_counts(args):
    with pytest.raises(ValueError):
        compare_rates(*args)


# --- Scores ----------------------------------------------------------------------------------


def test_mann_whitney_exact_small_example():
    # a = [1, 3, 5], b = [2, 4, 6, 8]. Pairs where b beats a: 2 > 1 (1); 4 > 1, 3 (2);
    # 6 > all (3); 8 > all (3) → U_b = 9, U_a = 3 × 4 − 9 = 3.
    # No ties and n ≤ 8, so the exact null distribution: U_a counts the partitions of u into at
    # most 3 parts each ≤ 4 among C(7, 3) = 35 orderings: u = 0, 1, 2, 3 → 1, 1, 2, 3 ways.
    # P(U_a ≤ 3) = 7/35 = 0.2, two-sided p = 0.4. Rank-biserial = 2 × 9 / 12 − 1 = 0.5.
    result = compare_scores([1, 3, 5], [2, 4, 6, 8])
    assert result.test == "mann_whitney_u"
    assert result.u == 9
    assert result.p_value == pytest.approx(0.4)
    assert result.rank_biserial == pytest.approx(0.5)
    assert (result.n_a, result.n_b) == (3, 4)
    assert (result.median_a, result.median_b) == (3.0, 5.0)
    assert (result.mean_a, result.mean_b) == (3.0, 5.0)
    assert not result.significant


def test_mann_whitney_with_ties_uses_corrected_normal_approximation():
    # a = [2, 3, 3, 4], b = [3, 4, 4, 5, 5]; each b scores a < b as 1 and a == b as ½:
    # b=3: 1 + 2×½ = 2; b=4: 3 + ½ = 3.5 (twice) = 7; b=5: 4 (twice) = 8 → U_b = 17.
    # μ = 4×5/2 = 10. Tie groups of the 9 values: 2(1), 3(3), 4(3), 5(2), Σ(t³ − t) = 54.
    # σ² = 4×5/12 × (10 − 54/(9×8)) = 15.416667; z = (|17 − 10| − ½)/σ = 1.655460.
    # p = erfc(z/√2) = 0.097832; rank-biserial = 2×17/20 − 1 = 0.7.
    result = compare_scores([2, 3, 3, 4], [3, 4, 4, 5, 5])
    z = (7 - 0.5) / math.sqrt(20 / 12 * (10 - 54 / 72))
    assert result.u == 17
    assert result.p_value == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert result.p_value == pytest.approx(0.097832, abs=1e-6)
    assert result.rank_biserial == pytest.approx(0.7)


def test_mann_whitney_direction_follows_the_candidate():
    assert compare_scores([2, 4, 6, 8], [1, 3, 5]).rank_biserial == pytest.approx(-0.5)


def test_mann_whitney_identical_samples():
    result = compare_scores([3, 3, 3], [3, 3, 3, 3])
    assert result.p_value == 1.0
    assert result.rank_biserial == 0.0


def test_mann_whitney_needs_both_samples():
    with pytest.raises(ValueError):
        compare_scores([], [1, 2])


# --- Verdicts and formatting -----------------------------------------------------------------


def verdict(*args, **kwargs) -> str:
    """The verdict as the French page shows it."""
    return translate(verdict_message(*args, **kwargs))


def test_verdict_improvement():
    text = verdict(0.52, 0.78, 38, 40, 0.01, percent=True)
    assert text == f"Amélioration nette{NBSP}: 78{NBSP}% contre 52{NBSP}% (n = 40 et 38)."


def test_verdict_degradation():
    text = verdict(0.78, 0.52, 40, 38, 0.01, percent=True)
    assert text == f"Dégradation nette{NBSP}: 52{NBSP}% contre 78{NBSP}% (n = 38 et 40)."


def test_verdict_lower_is_better():
    text = verdict(300, 240, 40, 45, 0.001, higher_is_better=False)
    assert text == f"Amélioration nette{NBSP}: 240,0 contre 300,0 (n = 45 et 40)."
    text = verdict(240, 300, 40, 45, 0.001, higher_is_better=False)
    assert text.startswith("Dégradation nette")


def test_verdict_small_sample_significant():
    text = verdict(2.5, 4.5, 9, 12, 0.004)
    assert text == f"Amélioration nette{NBSP}: 4,5 contre 2,5 (n = 12 et 9, petit échantillon)."


def test_verdict_no_difference():
    text = verdict(3.1, 3.4, 9, 12, 0.3)
    assert text == (
        f"Pas de différence détectable avec 12 et 9 participants (petit échantillon){NBSP}: "
        "3,4 contre 3,1."
    )
    text = verdict(0.70, 0.74, 40, 38, 0.6, percent=True)
    assert text == (
        f"Pas de différence détectable avec 38 et 40 participants{NBSP}: "
        f"74{NBSP}% contre 70{NBSP}%."
    )


def test_verdict_alpha_is_strict_and_missing_p_is_not_significant():
    assert verdict(0.5, 0.7, 40, 40, 0.05, percent=True).startswith("Pas de différence")
    assert verdict(0.5, 0.7, 40, 40, None, percent=True).startswith("Pas de différence")
    assert verdict(0.5, 0.7, 40, 40, float("nan"), percent=True).startswith("Pas de différence")


def test_verdict_too_small():
    expected = "Échantillon trop petit pour conclure (moins de 5 participants)."
    assert verdict(0.2, 0.9, 4, 40, 0.001, percent=True) == expected
    assert verdict(0.2, 0.9, 40, 0, 0.001, percent=True) == expected
    assert verdict(None, None, 0, 0, None) == expected
    assert verdict(0.2, 0.9, 5, 5, 0.3, percent=True).startswith("Pas de différence")


def test_verdict_direction_comes_from_the_test_when_given():
    # Same means, but the rank test found b lower: the word follows the test.
    assert verdict(3.0, 3.0, 40, 40, 0.01, direction=-0.3).startswith("Dégradation nette")
    assert verdict(3.0, 3.0, 40, 40, 0.01).startswith("Pas de différence")


def test_a_verdict_keeps_its_figures_as_quantities_and_reads_in_the_readers_language():
    message = verdict_message(0.52, 0.78, 38, 40, 0.01, percent=True)
    assert message.params["after"] == {"percent": 0.78, "decimals": 0}
    token = current_locale.set("en")
    try:
        assert translate(message) == "Clear improvement: 78% vs 52% (n = 40 and 38)."
        assert "3.4" in translate(verdict_message(3.1, 3.4, 9, 12, 0.3))
    finally:
        current_locale.reset(token)


def test_suppress_small():
    assert MIN_GROUP_SIZE == 5
    assert suppress_small(0) and suppress_small(4)
    assert not suppress_small(5)
    with pytest.raises(ValueError):
        suppress_small(-1)
