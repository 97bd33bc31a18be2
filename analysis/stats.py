"""Statistics primitives for iteration reports: intervals, usability scores, tests, verdicts.

Conventions kept throughout, so a report never has to guess:

- Every function is pure: plain numbers in, frozen dataclasses out.
- "No data" is ``None``, never a made-up number: ``wilson_interval(0, 0)`` and
  ``mean_interval`` on fewer than two values return ``None`` because there is nothing to
  estimate (a (0, 1) or zero-width interval would look like a result).
- Two-sample comparisons read "1 / a" as the reference (previous iteration, variant A)
  and "2 / b" as the candidate; differences and effect sizes are candidate minus reference,
  so a positive sign always means "went up".
- French numbers come from Babel's CLDR ``fr_FR`` data, like the rest of the interface:
  decimal comma, U+202F (narrow no-break space) between thousands and U+00A0 (no-break
  space) before "%": "78 %" is "78" + U+00A0 + "%", 1234.5 is "1" + U+202F + "234,5".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Literal

import numpy as np
from babel.numbers import format_decimal
from babel.numbers import format_percent as babel_format_percent
from scipy import stats as sps

from lab.i18n import N_, Message

MIN_GROUP_SIZE = 5
"""Below this many people a group is neither shown nor tested (re-identification risk)."""

ALPHA = 0.05
"""Significance level behind every "nette" in a verdict."""

SMALL_SAMPLE = 30
"""Below this many people per group a verdict warns "petit échantillon"."""

LOCALE = "fr_FR"
NBSP = "\u00a0"
"""French typography's no-break space: before "%" (as CLDR) and before ":" in verdicts."""


# --- Intervals and descriptive statistics -------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A confidence interval, kept as a pair so reports format both ends the same way."""

    low: float
    high: float


@dataclass(frozen=True)
class Proportion:
    """A share with its Wilson interval, so a rate is never shown without its uncertainty."""

    successes: int
    n: int
    share: float | None
    interval: Interval | None


@dataclass(frozen=True)
class Distribution:
    """Median and quartiles: durations are skewed, so a mean would mislead."""

    median: float
    q1: float
    q3: float
    n: int

    @property
    def iqr(self) -> float:
        """The spread of the middle half, for "most people take between q1 and q3"."""
        return self.q3 - self.q1


def _check_confidence(confidence: float) -> float:
    """Reject levels like 95 (meant 0.95) before they produce a nonsense interval."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 exclusive, got {confidence!r}")
    return confidence


def _count(value: object, name: str) -> int:
    """Counts come from databases and numpy; accept any integer but never a bool or float."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Interval | None:
    """Wilson score interval: stays inside [0, 1] and behaves at 0/n and n/n, unlike Wald.

    Returns ``None`` when ``n == 0``: with nobody asked there is no rate to bound.
    """
    successes, n = _count(successes, "successes"), _count(n, "n")
    if successes > n:
        raise ValueError(f"successes ({successes}) cannot exceed n ({n})")
    z = float(sps.norm.ppf(0.5 + _check_confidence(confidence) / 2))
    if n == 0:
        return None
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # Clamp the rounding noise of the exact 0/n and n/n cases.
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def proportion(successes: int, n: int, confidence: float = 0.95) -> Proportion:
    """Share plus Wilson interval in one value; share is ``None`` when ``n == 0``."""
    interval = wilson_interval(successes, n, confidence)
    return Proportion(successes, n, successes / n if n else None, interval)


def _finite(values: Sequence[float], name: str = "values") -> np.ndarray:
    """One place that rejects NaN/inf, which would silently poison every statistic."""
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a flat sequence of numbers")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite numbers")
    return array


def mean_interval(
    values: Sequence[float],
    confidence: float = 0.95,
    bounds: tuple[float, float] | None = None,
) -> Interval | None:
    """Student-t interval for a mean, the usual choice for small usability samples.

    Returns ``None`` for fewer than two values: one answer says nothing about spread.
    ``bounds`` clamps the interval to the scale (e.g. (1, 5)) so a tiny sample cannot show
    an impossible "5,3".
    """
    _check_confidence(confidence)
    array = _finite(values)
    n = array.size
    if n < 2:
        return None
    mean = float(array.mean())
    t = float(sps.t.ppf(0.5 + confidence / 2, n - 1))
    half = t * float(array.std(ddof=1)) / math.sqrt(n)
    low, high = mean - half, mean + half
    if bounds is not None:
        low, high = max(low, float(bounds[0])), min(high, float(bounds[1]))
    return Interval(low, high)


def median_iqr(values: Sequence[float]) -> Distribution | None:
    """Median and quartiles (numpy's default linear interpolation); ``None`` when empty."""
    array = _finite(values)
    if array.size == 0:
        return None
    q1, median, q3 = (float(q) for q in np.quantile(array, [0.25, 0.5, 0.75]))
    return Distribution(median=median, q1=q1, q3=q3, n=int(array.size))


# --- Usability scores ----------------------------------------------------------------------


@dataclass(frozen=True)
class SusGrade:
    """A letter a usability specialist recognises plus a word a manager understands."""

    letter: str
    adjective: str


# Sauro & Lewis (2016) curved grading scale: lower bound of each band, best first.
# Adjectives follow the letter family (A excellent, B bon, C correct, D médiocre,
# F insuffisant) so letter and word never disagree; C spans the 68 average.
_SUS_GRADES: tuple[tuple[float, str, str], ...] = (
    (84.1, "A+", N_("excellent")),
    (80.8, "A", N_("excellent")),
    (78.9, "A-", N_("excellent")),
    (77.2, "B+", N_("bon")),
    (74.1, "B", N_("bon")),
    (72.6, "B-", N_("bon")),
    (71.1, "C+", N_("correct")),
    (65.0, "C", N_("correct")),
    (62.7, "C-", N_("correct")),
    (51.7, "D", N_("médiocre")),
    (0.0, "F", N_("insuffisant")),
)


def _answer(value: object, low: int, high: int, label: str) -> int:
    """Questionnaire answers are whole points on a known scale; anything else is a bug upstream."""
    if isinstance(value, bool) or not isinstance(value, Integral) or not low <= value <= high:
        raise ValueError(f"{label} must be an integer from {low} to {high}, got {value!r}")
    return int(value)


def sus_score(answers: Sequence[int]) -> float:
    """SUS 0–100: odd items positive (answer − 1), even items negative (5 − answer), ×2.5."""
    if len(answers) != 10:
        raise ValueError(f"SUS needs exactly 10 answers, got {len(answers)}")
    total = 0
    for index, value in enumerate(answers, start=1):
        answer = _answer(value, 1, 5, f"SUS item {index}")
        total += answer - 1 if index % 2 else 5 - answer
    return total * 2.5


def sus_grade(score: float) -> SusGrade:
    """Grade on the Sauro–Lewis curve, read at its one-decimal resolution.

    Rounding to one decimal first makes the grade match the score as displayed and keeps
    float noise (84.09999…) out of band edges.
    """
    if isinstance(score, bool) or not isinstance(score, Real) or not 0 <= score <= 100:
        raise ValueError(f"a SUS score must be a number from 0 to 100, got {score!r}")
    shown = round(float(score), 1)
    for lower, letter, adjective in _SUS_GRADES:
        if shown >= lower:
            return SusGrade(letter, adjective)
    raise AssertionError("unreachable: the F band starts at 0")


@dataclass(frozen=True)
class UmuxLite:
    """UMUX-Lite on its own 0–100 scale and on the SUS scale reports compare against."""

    score: float
    sus_equivalent: float


def umux_lite_sus_equivalent(score: float) -> float:
    """Lewis et al. (2013) regression, so a UMUX-Lite mean can be read like a SUS mean."""
    return 0.65 * score + 22.9


def umux_lite_score(usefulness: int, ease: int) -> UmuxLite:
    """Two 1–7 items (capabilities meet needs, easy to use) rescaled to 0–100."""
    a = _answer(usefulness, 1, 7, "UMUX-Lite usefulness")
    b = _answer(ease, 1, 7, "UMUX-Lite ease")
    score = (a - 1 + b - 1) / 12 * 100
    return UmuxLite(score, umux_lite_sus_equivalent(score))


# --- Two-sample comparisons ----------------------------------------------------------------


@dataclass(frozen=True)
class RateComparison:
    """Two rates compared: which test ran, how sure, how big (candidate minus reference)."""

    test: Literal["fisher_exact", "two_proportion_z"]
    p_value: float
    rate1: float
    rate2: float
    n1: int
    n2: int
    difference: float
    difference_interval: Interval
    cohens_h: float

    @property
    def significant(self) -> bool:
        """Whether the verdict may say "nette"."""
        return self.p_value < ALPHA


@dataclass(frozen=True)
class ScoreComparison:
    """Two score samples compared by ranks, which suits 1–5 answers and skewed SUS samples.

    ``u`` counts the pairs where b beats a (ties count half). ``rank_biserial`` is
    2u/(n_a·n_b) − 1, in [−1, 1], positive when b tends to be higher; with ties counted half
    it is exactly Cliff's delta, so it is not stored twice.
    """

    test: Literal["mann_whitney_u"]
    p_value: float
    u: float
    n_a: int
    n_b: int
    median_a: float
    median_b: float
    mean_a: float
    mean_b: float
    rank_biserial: float

    @property
    def significant(self) -> bool:
        """Whether the verdict may say "nette"."""
        return self.p_value < ALPHA


def compare_rates(s1: int, n1: int, s2: int, n2: int) -> RateComparison:
    """Compare reference s1/n1 with candidate s2/n2.

    Fisher's exact test when any expected cell of the 2×2 table is under 5 (the normal
    approximation is poor there), otherwise the pooled two-proportion z-test. The 95%
    interval of the difference is Newcombe's hybrid score interval (method 10), built from
    the two Wilson intervals: it keeps good coverage at small n and near 0 % / 100 %, where
    Wald fails. Effect size is Cohen's h = 2·asin√p2 − 2·asin√p1.
    """
    s1, n1, s2, n2 = (_count(v, k) for v, k in ((s1, "s1"), (n1, "n1"), (s2, "s2"), (n2, "n2")))
    if n1 == 0 or n2 == 0:
        raise ValueError("both groups need at least one participant")
    if s1 > n1 or s2 > n2:
        raise ValueError("successes cannot exceed the group size")
    p1, p2 = s1 / n1, s2 / n2
    total, successes = n1 + n2, s1 + s2
    expected = [n * column / total for n in (n1, n2) for column in (successes, total - successes)]
    if min(expected) < 5:
        test: Literal["fisher_exact", "two_proportion_z"] = "fisher_exact"
        p_value = float(sps.fisher_exact([[s1, n1 - s1], [s2, n2 - s2]]).pvalue)
    else:
        # Every expected cell >= 5 implies 0 < pooled < 1, so the standard error is positive.
        test = "two_proportion_z"
        pooled = successes / total
        z = (p2 - p1) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        p_value = float(2 * sps.norm.sf(abs(z)))
    w1, w2 = wilson_interval(s1, n1), wilson_interval(s2, n2)
    assert w1 is not None and w2 is not None  # n1, n2 > 0
    difference = p2 - p1
    interval = Interval(
        difference - math.hypot(p2 - w2.low, w1.high - p1),
        difference + math.hypot(w2.high - p2, p1 - w1.low),
    )
    cohens_h = 2 * math.asin(math.sqrt(p2)) - 2 * math.asin(math.sqrt(p1))
    return RateComparison(test, min(p_value, 1.0), p1, p2, n1, n2, difference, interval, cohens_h)


def compare_scores(a: Sequence[float], b: Sequence[float]) -> ScoreComparison:
    """Compare reference sample a with candidate b by the two-sided Mann–Whitney U test.

    ``method="auto"``: exact p-value when a sample has at most 8 values and there are no
    ties, normal approximation with tie and continuity corrections otherwise.
    """
    x, y = _finite(a, "a"), _finite(b, "b")
    if x.size == 0 or y.size == 0:
        raise ValueError("both samples need at least one value")
    result = sps.mannwhitneyu(y, x, alternative="two-sided", method="auto")
    u = float(result.statistic)  # scipy reports U of its first argument, here b
    return ScoreComparison(
        test="mann_whitney_u",
        p_value=float(result.pvalue),
        u=u,
        n_a=int(x.size),
        n_b=int(y.size),
        median_a=float(np.median(x)),
        median_b=float(np.median(y)),
        mean_a=float(x.mean()),
        mean_b=float(y.mean()),
        rank_biserial=2 * u / (x.size * y.size) - 1,
    )


# --- Plain-French output -------------------------------------------------------------------


def suppress_small(n: int) -> bool:
    """True when a group of n people must not be shown (fewer than MIN_GROUP_SIZE)."""
    return _count(n, "n") < MIN_GROUP_SIZE


def format_percent(share: float, decimals: int = 0) -> str:
    """A 0–1 share as French text, "78 %" (CLDR: U+00A0 before the sign)."""
    # Babel copies a custom pattern's literal space, so the CLDR no-break space is spelt out.
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + NBSP + "%"
    return babel_format_percent(share, format=pattern, locale=LOCALE)


def format_number(value: float, decimals: int = 1) -> str:
    """A number as French text with a fixed number of decimals, "4,2" or "1 234,5"."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def format_p(p: float) -> str:
    """A p-value as French text: "p = 0,042", or "p < 0,001" below what three decimals show."""
    return "p < 0,001" if p < 0.001 else "p = " + format_number(p, 3)


#: Verdict sentences, each whole so a catalogue can reorder it: by (improved, small sample), then by small sample.
_SIGNIFICANT = {
    (True, False): N_("Amélioration nette\u00a0: {after} contre {before} (n = {n_after} et {n_before})."),
    (True, True): N_("Amélioration nette\u00a0: {after} contre {before} (n = {n_after} et {n_before}, petit échantillon)."),
    (False, False): N_("Dégradation nette\u00a0: {after} contre {before} (n = {n_after} et {n_before})."),
    (False, True): N_("Dégradation nette\u00a0: {after} contre {before} (n = {n_after} et {n_before}, petit échantillon)."),
}
_NO_DIFFERENCE = {
    False: N_("Pas de différence détectable avec {n_after} et {n_before} participants\u00a0: {after} contre {before}."),
    True: N_("Pas de différence détectable avec {n_after} et {n_before} participants (petit échantillon)\u00a0: "
             "{after} contre {before}."),
}


def verdict(
    before: float | None,
    after: float | None,
    n_before: int,
    n_after: int,
    p_value: float | None,
    *,
    higher_is_better: bool = True,
    percent: bool = False,
    direction: float | None = None,
) -> Message:
    """One sentence a manager can repeat, always stating who it rests on (a French msgid and its params).

    Rules, in order:

    1. Either group under MIN_GROUP_SIZE (or a value missing): "Échantillon trop petit pour
       conclure (moins de 5 participants)." No figure is given: such groups are never shown.
    2. p < ALPHA: "Amélioration nette" or "Dégradation nette", then the candidate value
       "contre" the reference, then "(n = candidate et reference)". Whether up is better
       comes from ``higher_is_better`` (False for durations, errors, drop-off).
    3. Otherwise (including a missing p-value): "Pas de différence détectable avec N et M
       participants", then the two values. A non-significant change is never called an
       improvement, so noise is not sold as progress.

    "petit échantillon" is added when either group has fewer than SMALL_SAMPLE people.
    ``direction`` (sign only) defaults to after − before; rank tests pass their effect size
    so the word matches what the test detected. Values are rates in 0–1 when ``percent``
    (shown "78 %"), otherwise scores with one decimal ("4,2"). The space before ":" is
    U+00A0 so the colon never starts a line. Each variant is a whole sentence, so a
    catalogue translates it with its word order.
    """
    n_before, n_after = _count(n_before, "n_before"), _count(n_after, "n_after")
    if min(n_before, n_after) < MIN_GROUP_SIZE or before is None or after is None:
        return Message(N_("Échantillon trop petit pour conclure (moins de {minimum} participants)."),
                       {"minimum": MIN_GROUP_SIZE})

    def shown(value: float) -> str:
        return format_percent(value) if percent else format_number(value)

    params = {"after": shown(after), "before": shown(before), "n_after": n_after, "n_before": n_before}
    small = min(n_before, n_after) < SMALL_SAMPLE
    sign = after - before if direction is None else direction
    significant = p_value is not None and not math.isnan(p_value) and p_value < ALPHA
    if significant and sign != 0:
        improved = (sign > 0) == higher_is_better
        return Message(_SIGNIFICANT[improved, small], params)
    return Message(_NO_DIFFERENCE[small], params)
