"""The figures of one iteration's report, from the database: records → `analysis.reports.metrics` → JSON values.

Everything a report shows is computed here at once, as plain JSON values, so it can be stored
(`analysis.reports.snapshots`) and read back without recomputing: metrics, segments, the
comparison with v(N-1) (from its stored comparison basis, never by re-reading its trials),
A/B comparisons, and the iteration's themes and redesign actions as the themes layer answers.
Small groups are already hidden in the summary the portfolio shows.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, fields, is_dataclass
from datetime import datetime

from sqlite_utils import Database

from analysis.reports.metrics import (
    Completion,
    IterationMetrics,
    QuestionnaireSummary,
    ScoreSummary,
    compare_iterations,
    iteration_metrics,
    split_by,
)
from analysis.reports.records import response_records, trial_records
from analysis.stats import MIN_GROUP_SIZE, Proportion, suppress_small
from analysis.themes.contract import delivered_actions, iteration_themes, planned_actions
from lab.campaigns.deployments import assign_variant
from lab.clock import iso
from prototypes.store import get_iteration, previous_iteration, spec_of

#: Bump when the shape or meaning of the stored figures changes: every snapshot is then stale.
FIGURES_FORMAT = 4
SEGMENT_KEYS = ("variant", "group", "channel", "assisted")


def theme_views(db: Database, iteration_id: int) -> dict:
    """Themes, delivered and planned actions of an iteration as JSON values."""
    return {
        "themes": [asdict(view) for view in iteration_themes(db, iteration_id)],
        "delivered": [asdict(view) for view in delivered_actions(db, iteration_id)],
        "planned": [asdict(view) for view in planned_actions(db, iteration_id)],
    }


# --- plain JSON from metrics dataclasses ----------------------------------------------------


def plain(value: object) -> object:
    """Dataclasses, mappings and tuples as JSON values; raw score samples are left out."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value) if f.name != "values"}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime):
        return iso(value)
    return value


def _histogram(values: Sequence[float]) -> list[list[float]]:
    """Score samples as (value, count) pairs: exact for the discrete scales, and small."""
    return [[value, count] for value, count in sorted(Counter(values).items())]


def _expand(pairs: Sequence[Sequence[float]]) -> tuple[float, ...]:
    return tuple(float(value) for value, count in pairs for _ in range(int(count)))


def comparison_basis(metrics: IterationMetrics) -> dict:
    """What a later iteration needs to be compared with this one, without re-reading its trials."""
    q = metrics.questionnaire
    return {
        "completion": [metrics.completion.completed, metrics.completion.started],
        "satisfied": [q.satisfied.successes, q.satisfied.n],
        "ease": _histogram(q.ease.values),
        "clarity": _histogram(q.clarity.values),
        "sus": _histogram(q.sus.values),
    }


def metrics_from_basis(basis: Mapping) -> IterationMetrics:
    """Rebuild just the parts of `IterationMetrics` that `compare_iterations` reads."""

    def scores(key: str) -> ScoreSummary:
        values = _expand(basis[key])
        return ScoreSummary(values, len(values), None, None)

    completed, started = basis["completion"]
    satisfied, answered = basis["satisfied"]
    empty = ScoreSummary((), 0, None, None)
    questionnaire = QuestionnaireSummary(
        respondents=answered, satisfaction=empty, satisfied=Proportion(satisfied, answered, None, None),
        ease=scores("ease"), clarity=scores("clarity"), help_needed=Proportion(0, 0, None, None),
        sus=scores("sus"), sus_grade=None, umux_lite=empty, umux_lite_sus_equivalent=None,
    )
    return IterationMetrics(Completion(None, started, completed, None, None), (), {}, None, (), questionnaire)


# --- computing ------------------------------------------------------------------------------


def _invited(db: Database, iteration_id: int) -> int | None:
    """People invited to try this iteration: personal invitations plus people who came by a shared link.

    In an A/B deployment a participant sees the variant `assign_variant` gives them, so the
    invited of each variant are known exactly. None when the iteration was never deployed.
    """
    total, deployed = 0, False
    for dep in db.query(
        """SELECT v.deployment_id, v.label, (SELECT group_concat(label) FROM deployment_variants o
               WHERE o.deployment_id = v.deployment_id) AS labels
           FROM deployment_variants v WHERE v.iteration_id = ?""", [iteration_id]
    ):
        deployed = True
        people = """SELECT participant_id AS id FROM invitations WHERE deployment_id = :d AND kind = 'personal'
                    UNION SELECT p.id FROM participants p JOIN invitations i ON i.id = p.joined_via
                    WHERE i.deployment_id = :d AND i.kind = 'shared'"""
        labels = sorted(dep["labels"].split(","))
        if len(labels) == 1:
            total += db.execute(f"SELECT COUNT(*) FROM ({people})", {"d": dep["deployment_id"]}).fetchone()[0]
        else:
            codes = db.execute(f"SELECT code FROM participants WHERE id IN ({people})", {"d": dep["deployment_id"]})
            total += sum(1 for (code,) in codes if assign_variant(dep["deployment_id"], code, labels) == dep["label"])
    return total if deployed else None


def _deployments(db: Database, iteration_id: int) -> list[dict]:
    return list(db.query(
        """SELECT d.id, d.title, d.opens_at, d.closes_at, d.closed_at, v.label AS variant,
             (SELECT COUNT(*) FROM deployment_variants o WHERE o.deployment_id = d.id) AS variants,
             (SELECT json_group_array(g.name) FROM deployment_groups dg JOIN test_groups g ON g.id = dg.group_id
                WHERE dg.deployment_id = d.id) AS groups
           FROM deployment_variants v JOIN deployments d ON d.id = v.deployment_id
           WHERE v.iteration_id = ? ORDER BY d.opens_at, d.id""", [iteration_id]))


def _counted(values: Sequence[str | None], total: int) -> list[dict]:
    """Share of each value, hiding any value fewer than MIN_GROUP_SIZE trials have."""
    return [
        {"value": value, "suppressed": True} if suppress_small(n)
        else {"value": value, "suppressed": False, "n": n, "share": n / total}
        for value, n in sorted(Counter(values).items(), key=lambda item: (-item[1], str(item[0])))
    ]


def _ab_comparisons(db: Database, iteration_id: int, step_keys: Sequence[str], deployments: list[dict]) -> list[dict]:
    """Variant A against variant B for each A/B deployment this iteration took part in."""
    found = []
    empty = iteration_metrics([], [], step_keys)
    for dep in deployments:
        if dep["variants"] < 2:
            continue
        trials = trial_records(db, deployment_id=dep["id"])
        responses = response_records(db, deployment_id=dep["id"])
        segments = {s.value: s for s in split_by(trials, responses, "variant", step_keys)}
        numbers = dict(db.execute(
            """SELECT v.label, i.number FROM deployment_variants v JOIN iterations i ON i.id = v.iteration_id
               WHERE v.deployment_id = ?""", [dep["id"]]))
        a, b = segments.get("A"), segments.get("B")
        rows = compare_iterations((a and a.metrics) or empty, (b and b.metrics) or empty)
        found.append({"deployment_id": dep["id"], "title": dep["title"], "numbers": numbers, "rows": plain(rows)})
    return found


def _summary(number: int, metrics: IterationMetrics) -> dict:
    """The few figures the portfolio and the trend charts show, small groups already hidden."""
    c, q = metrics.completion, metrics.questionnaire

    def shown(n: int, value):
        return value if n >= MIN_GROUP_SIZE else None

    return {
        "number": number,
        "trials": c.started,
        "suppressed": c.started < MIN_GROUP_SIZE,
        "completion": shown(c.started, c.rate),
        "completion_interval": shown(c.started, plain(c.interval)),
        "satisfied": shown(q.satisfied.n, q.satisfied.share),
        "satisfied_n": q.satisfied.n,
        "help": shown(q.help_needed.n, q.help_needed.share),
        "sus": shown(q.sus.n, q.sus.mean),
        "sus_interval": shown(q.sus.n, plain(q.sus.interval)),
        "sus_grade": shown(q.sus.n, plain(q.sus_grade)),
        "sus_n": q.sus.n,
        "total_time": shown(c.completed, plain(metrics.total_time)),
    }


def compute_figures(db: Database, iteration_id: int, previous_basis: Mapping | None = None) -> tuple[dict, dict]:
    """Every figure of the report on one iteration, as (figures, summary) JSON values.

    `previous_basis` is the stored comparison basis of v(N-1), if there is one.
    """
    iteration = get_iteration(db, iteration_id)
    spec = spec_of(iteration)
    step_keys = [step.key for step in spec.steps]
    trials = trial_records(db, iteration_id=iteration_id)
    responses = response_records(db, iteration_id=iteration_id)
    metrics = iteration_metrics(trials, responses, step_keys, _invited(db, iteration_id))
    # A split with a single value repeats the whole iteration's figures: skip its computation.
    segments = {key: split_by(trials, responses, key, step_keys) if len({getattr(t, key) for t in trials}) > 1 else []
                for key in SEGMENT_KEYS}
    deployments = _deployments(db, iteration_id)
    for dep in deployments:
        dep["groups"] = json.loads(dep["groups"])
    previous = previous_iteration(db, iteration)
    comparison = None
    if previous is not None and previous_basis is not None:
        rows = compare_iterations(metrics_from_basis(previous_basis), metrics)
        comparison = {"iteration_id": previous["id"], "number": previous["number"], "rows": plain(rows)}
    comments = dict(db.execute(
        """SELECT IFNULL(step_key, ''), COUNT(*) FROM comments WHERE iteration_id = ? AND moderation = 'visible'
           GROUP BY IFNULL(step_key, '')""", [iteration_id]))
    started = [t.started_at for t in trials]
    figures = {
        "format": FIGURES_FORMAT,
        "iteration": {"id": iteration_id, "number": iteration["number"], "prototype_id": iteration["prototype_id"]},
        "steps": [{"key": s.key, "title": s.title} for s in spec.steps],
        "fields": {f.key: f.label for _step, f in spec.iter_fields()},
        "trials": len(trials),
        "comments": {"total": sum(comments.values()), "by_step": comments},
        "period": {"first": iso(min(started)), "last": iso(max(started))} if started else None,
        "deployments": deployments,
        "channels": _counted([t.channel for t in trials], len(trials)),
        "assisted": _counted([t.assisted for t in trials], len(trials)),
        "metrics": plain(metrics),
        "segments": {key: plain(value) for key, value in segments.items()},
        "comparison": comparison,
        "variants": _ab_comparisons(db, iteration_id, step_keys, deployments),
        "basis": comparison_basis(metrics),
        "themes": theme_views(db, iteration_id),
    }
    return figures, _summary(iteration["number"], metrics)
