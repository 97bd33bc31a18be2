"""Any two iterations of a prototype, or the two variants of an A/B session, compared as the report compares.

The report compares an iteration with the one before it. A manager also asks "is v4 better than
v1?" or "which variant won that session?". Each iteration's snapshot keeps its comparison basis
(`analysis.reports.figures.comparison_basis`), so two iterations are compared from their stored
figures with the tests of `analysis.stats`, never by re-reading their trials; an A/B session's
rows are those its snapshot already holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlite_utils import Database

from analysis.reports.figures import metrics_from_basis, plain
from analysis.reports.metrics import compare_iterations
from analysis.reports.report import comparison_rows
from analysis.reports.snapshots import Snapshot
from lab.i18n import gettext as _
from prototypes.store import list_iterations


def compare_two(reference: Mapping, candidate: Mapping) -> list[dict]:
    """Comparison rows (as stored figures hold them) of two iterations' figures: `candidate` against `reference`."""
    return plain(compare_iterations(metrics_from_basis(reference["basis"]), metrics_from_basis(candidate["basis"])))


def ab_sessions(db: Database, prototype_id: int) -> list[dict]:
    """The A/B sessions that tested this prototype, newest first: id, title, and each variant's iteration."""
    sessions = db.query(
        """SELECT d.id, d.title, d.opens_at,
                  a.iteration_id AS a_id, ia.number AS a_number, b.iteration_id AS b_id, ib.number AS b_number
           FROM deployments d
           JOIN deployment_variants a ON a.deployment_id = d.id AND a.label = 'A'
           JOIN deployment_variants b ON b.deployment_id = d.id AND b.label = 'B'
           JOIN iterations ia ON ia.id = a.iteration_id JOIN iterations ib ON ib.id = b.iteration_id
           WHERE ia.prototype_id = ? ORDER BY d.opens_at DESC, d.id DESC""", [prototype_id])
    return list(sessions)


def variant_rows(figures: Mapping, deployment_id: int) -> list[dict] | None:
    """An A/B session's comparison rows from the figures of one of its iterations (None when they hold none)."""
    return next((entry["rows"] for entry in figures["variants"] if entry["deployment_id"] == deployment_id), None)


def comparison_page(db: Database, prototype: Mapping, *, a: int | None, b: int | None, session: int | None,
                    snapshot_of: Callable[[int], Snapshot]) -> tuple[dict, list[tuple[str, str]]]:
    """The comparison page's context, and the problems with what was asked (field, message) for a 422.

    Without a choice, the latest iteration is compared with the one before it, and the latest A/B
    session is shown.
    """
    iterations = list_iterations(db, prototype["id"])
    numbers = {it["id"]: it["number"] for it in iterations}
    problems: list[tuple[str, str]] = []
    if a is None and b is None and len(iterations) >= 2:
        a, b = iterations[-2]["id"], iterations[-1]["id"]
    for field, chosen in (("a", a), ("b", b)):
        if chosen is not None and chosen not in numbers:
            problems.append((field, _("Choisissez une itération de ce prototype.")))
    if a is not None and a == b:
        problems.append(("b", _("Choisissez deux itérations différentes.")))
    rows, pending = None, False
    if a in numbers and b in numbers and a != b:
        reference, candidate = snapshot_of(a), snapshot_of(b)
        pending = not (reference.ready and candidate.ready)
        if not pending:
            rows = comparison_rows(compare_two(reference.figures, candidate.figures))
    sessions = ab_sessions(db, prototype["id"])
    shown = next((s for s in sessions if s["id"] == session), None) if session is not None else (sessions or [None])[0]
    if session is not None and shown is None:
        problems.append(("session", _("Choisissez une session A/B de ce prototype.")))
    ab_rows = None
    if shown is not None:
        figures = snapshot_of(shown["a_id"]).figures
        stored = variant_rows(figures, shown["id"]) if figures is not None else None
        ab_rows = comparison_rows(stored) if stored is not None else None
        pending = pending or figures is None
    context = {
        "prototype": prototype, "iterations": iterations, "a": a, "b": b,
        "a_number": numbers.get(a), "b_number": numbers.get(b), "rows": rows, "pending": pending,
        "sessions": sessions, "session": shown, "ab_rows": ab_rows,
    }
    return context, problems
