"""Links of an iteration's shown themes to v(N-1)'s: stored after every change, read back as statuses.

The pure comparison is `analysis.themes.tracking`; here its outcome is kept in `theme_links`
(inside the caller's `write(db)`) whenever an iteration's themes or its predecessor's change,
so pages and reports read statuses without recomputing them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlite_utils import Database

from analysis.themes.analyses import compared_analysis, latest_done
from analysis.themes.reading import themes_with_figures
from analysis.themes.tracking import ThemeSignature, track_themes
from prototypes.store import get_iteration, next_iteration, previous_iteration


def _signatures(rows: Sequence[Mapping]) -> list[ThemeSignature]:
    return [ThemeSignature(id=row["id"], terms=row["term_weights_"], size=row["size"], centroid=row["centroid_"])
            for row in rows if not row["is_noise"]]


def retrack(db: Database, iteration_id: int) -> None:
    """Store the links of an iteration's shown themes to the previous iteration's (inside a write)."""
    analysis = latest_done(db, iteration_id)
    if analysis is None:
        return
    db.execute("DELETE FROM theme_links WHERE analysis_id IN (SELECT id FROM analyses WHERE iteration_id = ?)", [iteration_id])
    current = themes_with_figures(db, analysis["id"])
    iteration = get_iteration(db, iteration_id)
    previous_iteration_row = previous_iteration(db, iteration) if iteration else None
    before = latest_done(db, previous_iteration_row["id"]) if previous_iteration_row else None
    previous = themes_with_figures(db, before["id"]) if before else []
    rows = []
    for link in track_themes(_signatures(previous), _signatures(current)):
        rows.append((analysis["id"], link.status, link.current_id, link.previous_id, link.similarity))
    noise_now = next((row["id"] for row in current if row["is_noise"]), None)
    noise_before = next((row["id"] for row in previous if row["is_noise"]), None)
    if noise_now is not None:
        status = "persisting" if noise_before is not None else "new"
        rows.append((analysis["id"], status, noise_now, noise_before, None))
    db.conn.executemany(
        "INSERT INTO theme_links (analysis_id, status, theme_id, previous_theme_id, similarity) VALUES (?, ?, ?, ?, ?)", rows
    )


def retrack_around(db: Database, iteration_id: int) -> None:
    """An iteration's themes changed: its links, and the next iteration's, are computed again."""
    retrack(db, iteration_id)
    iteration = get_iteration(db, iteration_id)
    following = next_iteration(db, iteration) if iteration else None
    if following is not None:
        retrack(db, following["id"])


def links_of(db: Database, analysis_id: int) -> list[dict]:
    """The stored links of an analysis."""
    return list(db.query("SELECT * FROM theme_links WHERE analysis_id = ? ORDER BY id", [analysis_id]))


def tracked_themes(db: Database, iteration_id: int) -> tuple[list[tuple[dict, dict | None, str]], list[dict]]:
    """(current themes with their previous theme and status, resolved previous themes) of an iteration."""
    analysis = latest_done(db, iteration_id)
    if analysis is None:
        return [], []
    current = themes_with_figures(db, analysis["id"])
    links = links_of(db, analysis["id"])
    by_theme = {link["theme_id"]: link for link in links if link["theme_id"] is not None}
    resolved_ids = [link["previous_theme_id"] for link in links if link["status"] == "resolved"]
    wanted = set(resolved_ids) | {link["previous_theme_id"] for link in by_theme.values() if link["previous_theme_id"]}
    previous: dict[int, dict] = {}
    before = compared_analysis(db, iteration_id)
    if wanted and before is not None:
        previous = {row["id"]: row for row in themes_with_figures(db, before["id"]) if row["id"] in wanted}
    rows = []
    for row in current:
        link = by_theme.get(row["id"])
        earlier = previous.get(link["previous_theme_id"]) if link and link["previous_theme_id"] else None
        status = "persisting" if earlier is not None else "new"
        row["similarity"] = link["similarity"] if link else None
        rows.append((row, earlier, status))
    return rows, [previous[i] for i in resolved_ids if i in previous]
