"""What the reports read of the themes: an iteration's themes, its delivered and planned actions.

The reports store these answers with an iteration's figures (theme figures are live SQL
aggregates, too slow to redo on every view at 100,000 trials), so `themes_fingerprint` says
when they may have changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlite_utils import Database

from analysis.themes.actions import action_rows
from analysis.themes.labels import display_label
from analysis.themes.links import tracked_themes


@dataclass(frozen=True)
class LinkView:
    """A theme at the other end of a tracking link, and how many comments of N close to the old theme it holds."""

    id: int
    label: str
    shared: int


@dataclass(frozen=True)
class PartView:
    """A part of a theme of v(N-1) with its own fate: resolved (with quotes of N-1) or persisting."""

    status: str  # 'resolved' | 'persisting'
    before: int
    now: int
    p_value: float | None
    test: str | None
    quotes: list[str]


@dataclass(frozen=True)
class FateView:
    """What became of a theme of v(N-1), with its evidence: shares with intervals, the test, quotes of N."""

    status: str  # 'resolved' | 'receding' | 'persisting' | 'split' | 'merged'
    before: int
    before_total: int
    now: int
    now_total: int
    share_before: float
    share_now: float
    before_interval: tuple[float, float] | None
    now_interval: tuple[float, float] | None
    p_value: float | None
    test: str | None
    examples: list[str]
    successors: list[LinkView]
    merged_with: list[str]
    #: When part of the theme is resolved and the rest persists: both parts (empty otherwise).
    parts: list[PartView] = field(default_factory=list)


@dataclass(frozen=True)
class ThemeView:
    """A theme as reports show it: one of this iteration's (`side` "current"), or one of v(N-1)'s with its fate."""

    id: int
    label: str
    terms: list[str]
    size: int
    share: float
    quotes: list[str]
    steps: list[str]
    mean_satisfaction: float | None
    assisted_share: float | None
    # current themes: 'new', or the fate of the previous theme they continue; previous themes: their fate; buckets: None
    status: str | None
    size_change: int | None
    is_noise: bool
    is_no_remark: bool = False
    name_lang: str = "fr"
    side: str = "current"
    predecessors: list[LinkView] = field(default_factory=list)
    fate: FateView | None = None


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


def _links(rows: list[Mapping]) -> list[LinkView]:
    return [LinkView(id=r["id"], label=display_label(r), shared=int(r["shared"] or 0)) for r in rows]


def _view(row: Mapping, **extra) -> ThemeView:
    return ThemeView(
        id=row["id"], label=display_label(row), terms=list(row["terms_"]), size=row["size"], share=row["share"],
        quotes=[text for _id, text in row["quotes"]], steps=list(row["steps"]), mean_satisfaction=row["mean_satisfaction"],
        assisted_share=row["assisted_share"], is_noise=bool(row["is_noise"]), is_no_remark=bool(row["no_remark"]),
        name_lang=row["name_lang"], **extra,
    )


def iteration_themes(db: Database, iteration_id: int) -> list[ThemeView]:
    """The curated themes of the latest finished analysis, then what became of v(N-1)'s; [] when none."""
    current, previous = tracked_themes(db, iteration_id)
    views = []
    for row in current:
        main = row["predecessors"][0] if row["predecessors"] else None
        change = row["size"] - main["size"] if main is not None and row["status"] != "new" else None
        views.append(_view(row, status=row["status"], size_change=change, predecessors=_links(row["predecessors"])))
    for row in previous:
        fate = row["fate"]
        views.append(_view(row, status=fate["status"], size_change=fate["now_count"] - fate["before_count"], side="previous",
                           fate=FateView(
            status=fate["status"], before=fate["before_count"], before_total=fate["before_total"], now=fate["now_count"],
            now_total=fate["now_total"], share_before=round(fate["share_before"], 4), share_now=round(fate["share_now"], 4),
            before_interval=_rounded(fate["before_interval"]), now_interval=_rounded(fate["now_interval"]),
            p_value=fate["p_value"], test=fate["test"], examples=[text for _id, text in row["examples"]],
            successors=_links(row["successors"]), merged_with=[display_label(r) for r in row["merged"]],
            parts=[PartView(status=part["status"], before=part["before"], now=part["now"], p_value=part["p_value"],
                            test=part["test"], quotes=list(part["quotes"])) for part in row["parts"]],
        )))
    return views


def _rounded(interval: tuple[float, float] | None) -> tuple[float, float] | None:
    return None if interval is None else (round(interval[0], 4), round(interval[1], 4))


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
    latest analysis of the iteration and of v(N-1), their themes' names and quotes, their links and fates,
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
        parts.append(db.execute("SELECT IFNULL(MAX(id), 0) || '/' || COUNT(*) FROM theme_fates WHERE analysis_id = ?",
                                [done[0]]).fetchone()[0])
    parts.append(db.execute(
        """SELECT COUNT(*) || '/' || IFNULL(MAX(id), 0) || '/' || IFNULL(MAX(updated_at), '') || '/' ||
                  (SELECT COUNT(*) FROM action_themes WHERE action_id IN
                     (SELECT id FROM redesign_actions WHERE prototype_id = :p))
           FROM redesign_actions WHERE prototype_id = :p""", {"p": iteration["prototype_id"]}).fetchone()[0])
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
