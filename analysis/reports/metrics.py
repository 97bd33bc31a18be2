"""Iteration metrics from plain trial and questionnaire records: no database, no HTTP.

The store layer turns rows into ``TrialRecord`` / ``ResponseRecord``; everything here is a
pure function of those records, so a report, an export and a test all get the same figures.
Durations are seconds. Empty input and a single participant never raise: counts are 0 and
figures that cannot be estimated are ``None``.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from analysis.stats import (
    Distribution,
    Interval,
    Proportion,
    RateComparison,
    ScoreComparison,
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
    umux_lite_sus_equivalent,
    verdict,
)
from lab.i18n import N_, Message

# --- Input records -------------------------------------------------------------------------


@dataclass(frozen=True)
class StepTiming:
    """One visit to a step; ``left_at`` is None where the participant stopped."""

    step: str
    entered_at: datetime
    left_at: datetime | None = None


@dataclass(frozen=True)
class FieldError:
    """Validation errors shown on one field of one step (``count`` times in this trial)."""

    step: str
    field: str
    count: int = 1


@dataclass(frozen=True)
class TrialRecord:
    """One participant's attempt at the prototype, as the store hands it to analysis."""

    trial_id: str
    started_at: datetime
    completed_at: datetime | None = None
    variant: str | None = None
    group: str | None = None
    channel: str | None = None
    assisted: bool = False
    last_step: str | None = None
    steps: tuple[StepTiming, ...] = ()
    validation_errors: tuple[FieldError, ...] = ()

    @property
    def completed(self) -> bool:
        """A trial counts as completed once it has a completion time."""
        return self.completed_at is not None


@dataclass(frozen=True)
class ResponseRecord:
    """One questionnaire answer, normalised like the ``responses`` table (key, number, text)."""

    trial_id: str
    key: str
    number: float | None = None
    text: str | None = None


SATISFACTION_LABELS: Mapping[int, str] = {1: "Non", 2: "Moyen", 3: "Oui"}
"""JDMA-style satisfaction levels; the share of "Oui" is the headline figure."""
SATISFIED = 3

SUS_KEYS: tuple[str, ...] = tuple(f"sus_{i}" for i in range(1, 11))
UMUX_KEYS: tuple[str, str] = ("umux_1", "umux_2")

# Known questionnaire keys and their scales; other keys (free text, custom questions) are ignored.
SCALES: Mapping[str, tuple[int, int]] = {
    "satisfaction": (1, 3),
    "ease": (1, 5),
    "clarity": (1, 5),
    "help_needed": (0, 1),
    **dict.fromkeys(SUS_KEYS, (1, 5)),
    **dict.fromkeys(UMUX_KEYS, (1, 7)),
}

SegmentKey = Literal["variant", "group", "channel", "assisted"]


# --- Results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    """How many of those who started finished, with the uncertainty a small test carries."""

    invited: int | None
    started: int
    completed: int
    rate: float | None
    interval: Interval | None


@dataclass(frozen=True)
class FunnelStep:
    """How many got at least this far and how many stopped here (share of those who got here)."""

    step: str
    reached: int
    left: int
    left_share: float | None


@dataclass(frozen=True)
class Hotspot:
    """A field that keeps rejecting input: total errors and the share of visitors hit by it."""

    step: str
    field: str
    count: int
    trials: int
    share_of_trials_reaching_step: float | None


@dataclass(frozen=True)
class LevelCount:
    """One answer level of a scale question, for distribution bars."""

    level: int
    count: int
    share: float | None


@dataclass(frozen=True)
class ScoreSummary:
    """Mean with t-interval of one score, keeping the raw values that comparisons test."""

    values: tuple[float, ...]
    n: int
    mean: float | None
    interval: Interval | None
    levels: tuple[LevelCount, ...] = ()


@dataclass(frozen=True)
class QuestionnaireSummary:
    """Everything the end-of-trial questionnaire says, one figure per question."""

    respondents: int
    satisfaction: ScoreSummary
    satisfied: Proportion
    ease: ScoreSummary
    clarity: ScoreSummary
    help_needed: Proportion
    sus: ScoreSummary
    sus_grade: SusGrade | None
    umux_lite: ScoreSummary
    umux_lite_sus_equivalent: float | None


@dataclass(frozen=True)
class IterationMetrics:
    """All quantitative figures of one iteration (or one variant/segment of it)."""

    completion: Completion
    funnel: tuple[FunnelStep, ...]
    step_times: Mapping[str, Distribution | None]
    total_time: Distribution | None
    hotspots: tuple[Hotspot, ...]
    questionnaire: QuestionnaireSummary


@dataclass(frozen=True)
class Segment:
    """Metrics of one value of a split; ``metrics`` is None when the group is too small."""

    key: SegmentKey
    value: str | bool | None
    suppressed: bool
    metrics: IterationMetrics | None


@dataclass(frozen=True)
class MetricComparison:
    """One headline metric before and after, with the test behind its verdict.

    When either side has fewer than MIN_GROUP_SIZE people, ``suppressed`` is True and every
    figure is None: only the verdict ("Échantillon trop petit…") is left to show. ``label`` is a
    French msgid and ``verdict`` a message, both translated where they are shown.
    """

    metric: str
    label: str
    suppressed: bool
    before: float | None
    after: float | None
    n_before: int | None
    n_after: int | None
    comparison: RateComparison | ScoreComparison | None
    verdict: Message


# --- Behaviour -----------------------------------------------------------------------------


def completion(trials: Sequence[TrialRecord], invited: int | None = None) -> Completion:
    """Completion among those who started, with a Wilson interval (None when nobody started)."""
    done = proportion(sum(trial.completed for trial in trials), len(trials))
    return Completion(invited, done.n, done.successes, done.share, done.interval)


def _furthest_step(trial: TrialRecord, index: Mapping[str, int], last: int) -> int:
    """Index of the furthest known step reached (-1 if none): the funnel is "got this far"."""
    if trial.completed:
        return last
    seen = {timing.step for timing in trial.steps}
    seen |= {error.step for error in trial.validation_errors}
    if trial.last_step is not None:
        seen.add(trial.last_step)
    return max((index[step] for step in seen if step in index), default=-1)


def funnel(trials: Sequence[TrialRecord], step_keys: Sequence[str]) -> list[FunnelStep]:
    """Reach and drop-off per step in spec order.

    A trial reaches every step up to the furthest one it was seen on (steps skipped by a
    condition still count as passed, so the funnel only narrows); completed trials reach
    all steps. An unfinished trial "left" at its furthest step. Steps absent from
    ``step_keys`` (removed from the spec) are ignored.
    """
    index = {step: i for i, step in enumerate(step_keys)}
    last = len(step_keys) - 1
    furthest = [(_furthest_step(trial, index, last), trial.completed) for trial in trials]
    result = []
    for i, step in enumerate(step_keys):
        reached = sum(1 for reach, _ in furthest if reach >= i)
        left = sum(1 for reach, completed in furthest if reach == i and not completed)
        result.append(FunnelStep(step, reached, left, left / reached if reached else None))
    return result


def step_times(
    trials: Sequence[TrialRecord], step_keys: Sequence[str]
) -> dict[str, Distribution | None]:
    """Time spent per step across trials (median and quartiles), None for a step nobody timed.

    A trial's time on a step sums its visits (going back counts); visits without
    ``left_at`` (where someone stopped) or with ``left_at`` before ``entered_at`` (clock
    trouble) are left out rather than guessed.
    """
    per_step: dict[str, list[float]] = {step: [] for step in step_keys}
    for trial in trials:
        spent: dict[str, float] = defaultdict(float)
        for timing in trial.steps:
            if timing.step in per_step and timing.left_at is not None:
                seconds = (timing.left_at - timing.entered_at).total_seconds()
                if seconds >= 0:
                    spent[timing.step] += seconds
        for step, seconds in spent.items():
            per_step[step].append(seconds)
    return {step: median_iqr(values) for step, values in per_step.items()}


def total_time(trials: Sequence[TrialRecord]) -> Distribution | None:
    """Start-to-finish time of completed trials; abandoned trials have no finish to measure."""
    return median_iqr(
        [
            (trial.completed_at - trial.started_at).total_seconds()
            for trial in trials
            if trial.completed_at is not None
        ]
    )


def error_hotspots(
    trials: Sequence[TrialRecord], step_keys: Sequence[str] = (), top: int = 10
) -> list[Hotspot]:
    """Fields with the most validation errors, most errors first.

    The share is trials with at least one error there over trials that reached the step
    (as in ``funnel``); it is None for a step missing from ``step_keys``. Ties are broken by
    trials affected, then spec order, then field name, so the order is stable.
    """
    counts: Counter[tuple[str, str]] = Counter()
    affected: Counter[tuple[str, str]] = Counter()
    for trial in trials:
        fields = set()
        for error in trial.validation_errors:
            counts[error.step, error.field] += error.count
            fields.add((error.step, error.field))
        affected.update(fields)
    reached = {row.step: row.reached for row in funnel(trials, step_keys)}
    order = {step: i for i, step in enumerate(step_keys)}

    def rank(item: tuple[str, str]) -> tuple[int, int, int, str]:
        step, field = item
        return (-counts[item], -affected[item], order.get(step, len(order)), field)

    hotspots = []
    for step, field in sorted(counts, key=rank)[:top]:
        base = reached.get(step)
        share = affected[step, field] / base if base else None
        hotspots.append(Hotspot(step, field, counts[step, field], affected[step, field], share))
    return hotspots


def _answers_by_trial(responses: Iterable[ResponseRecord]) -> dict[str, dict[str, int]]:
    """Known answers per trial, checked against their scale; a later answer replaces an earlier."""
    answers: dict[str, dict[str, int]] = defaultdict(dict)
    for response in responses:
        scale = SCALES.get(response.key)
        if scale is None or response.number is None:
            continue
        low, high = scale
        number = response.number
        if not (math.isfinite(number) and number == int(number) and low <= number <= high):
            raise ValueError(
                f"trial {response.trial_id!r}: {response.key} must be an integer from "
                f"{low} to {high}, got {number!r}"
            )
        answers[response.trial_id][response.key] = int(number)
    return answers


def _score_summary(
    values: Sequence[float], bounds: tuple[int, int], per_level: bool = False
) -> ScoreSummary:
    """Mean, interval clamped to the scale and, for Likert items, the count per level."""
    n = len(values)
    counts = Counter(values)
    low, high = bounds
    return ScoreSummary(
        values=tuple(values),
        n=n,
        mean=sum(values) / n if n else None,
        interval=mean_interval(values, bounds=bounds),
        levels=tuple(
            LevelCount(level, counts[level], counts[level] / n if n else None)
            for level in (range(low, high + 1) if per_level else ())
        ),
    )


def questionnaire_summary(responses: Iterable[ResponseRecord]) -> QuestionnaireSummary:
    """Summarise the questionnaire; each figure uses the trials that answered that question.

    SUS only counts trials that answered all 10 items (a partial SUS has no valid score);
    UMUX-Lite only trials that answered both items.
    """
    answers = list(_answers_by_trial(responses).values())

    def column(key: str) -> list[int]:
        return [given[key] for given in answers if key in given]

    def likert(key: str) -> ScoreSummary:
        return _score_summary(column(key), SCALES[key], per_level=True)

    satisfaction = column("satisfaction")
    help_needed = column("help_needed")
    sus = [
        sus_score([given[key] for key in SUS_KEYS])
        for given in answers
        if set(SUS_KEYS) <= given.keys()
    ]
    umux = [
        umux_lite_score(given["umux_1"], given["umux_2"]).score
        for given in answers
        if set(UMUX_KEYS) <= given.keys()
    ]
    sus_summary = _score_summary(sus, (0, 100))
    umux_summary = _score_summary(umux, (0, 100))
    return QuestionnaireSummary(
        respondents=len(answers),
        satisfaction=likert("satisfaction"),
        satisfied=proportion(satisfaction.count(SATISFIED), len(satisfaction)),
        ease=likert("ease"),
        clarity=likert("clarity"),
        help_needed=proportion(sum(help_needed), len(help_needed)),
        sus=sus_summary,
        sus_grade=sus_grade(sus_summary.mean) if sus_summary.mean is not None else None,
        umux_lite=umux_summary,
        umux_lite_sus_equivalent=(
            umux_lite_sus_equivalent(umux_summary.mean) if umux_summary.mean is not None else None
        ),
    )


def iteration_metrics(
    trials: Sequence[TrialRecord],
    responses: Iterable[ResponseRecord],
    step_keys: Sequence[str],
    invited: int | None = None,
) -> IterationMetrics:
    """Every figure of an iteration report in one value."""
    return IterationMetrics(
        completion=completion(trials, invited),
        funnel=tuple(funnel(trials, step_keys)),
        step_times=step_times(trials, step_keys),
        total_time=total_time(trials),
        hotspots=tuple(error_hotspots(trials, step_keys)),
        questionnaire=questionnaire_summary(responses),
    )


def split_by(
    trials: Sequence[TrialRecord],
    responses: Iterable[ResponseRecord],
    key: SegmentKey,
    step_keys: Sequence[str],
    invited: Mapping[str | bool | None, int] | None = None,
) -> list[Segment]:
    """Metrics per variant, test group, channel or assisted/unassisted.

    Segments with fewer than MIN_GROUP_SIZE trials are flagged ``suppressed`` with no
    metrics at all (not even their size). Order: by value, None last.
    """
    if key not in ("variant", "group", "channel", "assisted"):
        raise ValueError(f"cannot split by {key!r}")
    by_value: dict[str | bool | None, list[TrialRecord]] = defaultdict(list)
    for trial in trials:
        by_value[getattr(trial, key)].append(trial)
    by_trial: dict[str, list[ResponseRecord]] = defaultdict(list)
    for response in responses:
        by_trial[response.trial_id].append(response)
    segments = []
    for value in sorted(by_value, key=lambda v: (v is None, str(v))):
        members = by_value[value]
        if suppress_small(len(members)):
            segments.append(Segment(key, value, True, None))
            continue
        answers = [r for trial in members for r in by_trial.get(trial.trial_id, ())]
        metrics = iteration_metrics(members, answers, step_keys, (invited or {}).get(value))
        segments.append(Segment(key, value, False, metrics))
    return segments


def _rate_comparison(
    metric: str, label: str, before: tuple[int, int], after: tuple[int, int]
) -> MetricComparison:
    """Compare two (successes, n) rates, or say the sample is too small without showing it."""
    (s1, n1), (s2, n2) = before, after
    if suppress_small(n1) or suppress_small(n2):
        return _too_small(metric, label)
    result = compare_rates(s1, n1, s2, n2)
    text = verdict(result.rate1, result.rate2, n1, n2, result.p_value, percent=True)
    return MetricComparison(metric, label, False, result.rate1, result.rate2, n1, n2, result, text)


def _score_comparison(
    metric: str, label: str, before: ScoreSummary, after: ScoreSummary
) -> MetricComparison:
    """Compare two score samples by ranks; the verdict shows means, its direction the ranks."""
    if suppress_small(before.n) or suppress_small(after.n):
        return _too_small(metric, label)
    result = compare_scores(before.values, after.values)
    text = verdict(
        result.mean_a,
        result.mean_b,
        before.n,
        after.n,
        result.p_value,
        direction=result.rank_biserial,
    )
    return MetricComparison(
        metric, label, False, result.mean_a, result.mean_b, before.n, after.n, result, text
    )


def _too_small(metric: str, label: str) -> MetricComparison:
    """A comparison row that shows nothing but the reason."""
    text = verdict(None, None, 0, 0, None)
    return MetricComparison(metric, label, True, None, None, None, None, None, text)


def compare_iterations(prev: IterationMetrics, cur: IterationMetrics) -> list[MetricComparison]:
    """Headline metrics of ``prev`` (reference) against ``cur`` (candidate).

    Works for two iterations or two variants' segment metrics alike. Rates use
    ``compare_rates``; ease, clarity and SUS use Mann–Whitney on the per-trial answers.
    """
    done = [(m.completion.completed, m.completion.started) for m in (prev, cur)]
    p, c = prev.questionnaire, cur.questionnaire
    yes = [(q.satisfied.successes, q.satisfied.n) for q in (p, c)]
    return [
        _rate_comparison("completion_rate", N_("Taux de complétion"), *done),
        _rate_comparison("satisfied", N_("Satisfaction (\u00ab\u00a0Oui\u00a0\u00bb)"), *yes),
        _score_comparison("ease", N_("Facilité (1 à 5)"), p.ease, c.ease),
        _score_comparison("clarity", N_("Clarté (1 à 5)"), p.clarity, c.clarity),
        _score_comparison("sus", N_("Score SUS (0 à 100)"), p.sus, c.sus),
    ]
