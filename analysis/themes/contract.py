"""What the reports read of the themes: an iteration's themes, its delivered and planned actions.

The reports store these answers with an iteration's figures (theme figures are live SQL
aggregates, too slow to redo on every view at 100,000 trials), so `themes_fingerprint` says
when they may have changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from sqlite_utils import Database

from analysis.themes.actions import action_rows
from analysis.themes.labels import display_label
from analysis.themes.links import tracked_themes


@dataclass(frozen=True)
class ThemeView:
    """A curated theme of an iteration as reports show it (or a resolved theme of the previous one)."""

    id: int
    label: str
    terms: list[str]
    size: int
    share: float
    quotes: list[str]
    steps: list[str]
    mean_satisfaction: float | None
    assisted_share: float | None
    status: str  # 'new' | 'persisting' | 'resolved'
    size_change: int | None
    is_noise: bool


@dataclass(frozen=True)
class ActionView:
    """A redesign action: what the team changes, for which themes, delivered in which iteration."""

    id: int
    title: str
    owner: str
    status: str
    theme_labels: list[str]
    source_iteration_id: int
    delivered_in_iteration_id: int | None


def _view(row: Mapping, *, status: str, size_change: int | None) -> ThemeView:
    return ThemeView(
        id=row["id"], label=display_label(row), terms=list(row["terms_"]), size=row["size"], share=row["share"],
        quotes=[text for _id, text in row["quotes"]], steps=list(row["steps"]), mean_satisfaction=row["mean_satisfaction"],
        assisted_share=row["assisted_share"], status=status, size_change=size_change, is_noise=bool(row["is_noise"]),
    )


def iteration_themes(db: Database, iteration_id: int) -> list[ThemeView]:
    """The curated themes of the latest finished analysis, then v(N-1)'s resolved themes; [] when none."""
    current, resolved = tracked_themes(db, iteration_id)
    views = [
        _view(row, status=status, size_change=row["size"] - earlier["size"] if earlier is not None else None)
        for row, earlier, status in current
    ]
    for row in resolved:
        views.append(ThemeView(
            id=row["id"], label=display_label(row), terms=list(row["terms_"]), size=0, share=0.0,
            quotes=[text for _id, text in row["quotes"]], steps=list(row["steps"]), mean_satisfaction=None,
            assisted_share=None, status="resolved", size_change=-row["size"], is_noise=False,
        ))
    return views


def _action_view(row: Mapping) -> ActionView:
    return ActionView(
        id=row["id"], title=row["title"], owner=row["owner"], status=row["status"], theme_labels=list(row["theme_labels"]),
        source_iteration_id=row["source_iteration_id"], delivered_in_iteration_id=row["delivered_in_iteration_id"],
    )


def delivered_actions(db: Database, iteration_id: int) -> list[ActionView]:
    """"Vous avez dit, nous avons fait": the actions this iteration delivers."""
    return [_action_view(row) for row in action_rows(db, "r.delivered_in_iteration_id = ?", [iteration_id])]


def planned_actions(db: Database, iteration_id: int) -> list[ActionView]:
    """The actions raised from this iteration's themes (dropped ones left out)."""
    return [_action_view(row) for row in action_rows(db, "r.source_iteration_id = ? AND r.status <> 'dropped'", [iteration_id])]


def themes_fingerprint(db: Database, iteration: Mapping, previous_id: int | None) -> str:
    """What the answers above depend on for an iteration, in a few indexed lookups.

    Theme figures (sizes, quotes, satisfaction) are read from comments, trials and answers,
    which the reports' data version already follows; this adds the theme tables themselves: the
    latest analysis of the iteration and of v(N-1), their themes' names and quotes, their links,
    the curations (every rename, merge or move adds one) and the prototype's redesign actions.
    """
    parts = []
    for iteration_id in (iteration["id"], previous_id):
        if iteration_id is None:
            continue
        parts.append(db.execute("SELECT IFNULL(MAX(id), 0) || '/' || COUNT(*) FROM curations WHERE iteration_id = ?",
                                [iteration_id]).fetchone()[0])
        done = db.execute("""SELECT id, finished_at FROM analyses WHERE iteration_id = ? AND status = 'done'
                             ORDER BY id DESC LIMIT 1""", [iteration_id]).fetchone()
        if done is None:
            parts.append("-")
            continue
        parts.append(f"{done[0]}@{done[1]}")
        parts.append(db.execute(
            """SELECT group_concat(id || ':' || IFNULL(curated_label, '') || ':' || label || ':' || quote_ids, '|')
               FROM themes WHERE analysis_id = ?""", [done[0]]).fetchone()[0] or "")
        parts.append(db.execute("SELECT IFNULL(MAX(id), 0) || '/' || COUNT(*) FROM theme_links WHERE analysis_id = ?",
                                [done[0]]).fetchone()[0])
    parts.append(db.execute(
        """SELECT COUNT(*) || '/' || IFNULL(MAX(id), 0) || '/' || IFNULL(MAX(updated_at), '') || '/' ||
                  (SELECT COUNT(*) FROM action_themes WHERE action_id IN
                     (SELECT id FROM redesign_actions WHERE prototype_id = :p))
           FROM redesign_actions WHERE prototype_id = :p""", {"p": iteration["prototype_id"]}).fetchone()[0])
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
