"""What became of v(N-1)'s themes in an iteration: computed from the comments after every change, read back.

The pure decision is `analysis.themes.tracking.track`; here its inputs are read (the comments of
both iterations with content, their themes, their vectors in one shared space) and its outcome
is kept inside the caller's `write(db)` whenever an iteration's themes or its predecessor's
change (analysis, curation, erasure): the fate of each previous theme with its evidence in
`theme_fates`, the many-to-many links in `theme_links`. Pages and reports read them without
recomputing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlite_utils import Database

from analysis.stats import wilson_interval
from analysis.themes.analyses import compared_analysis, latest_done
from analysis.themes.comments import comment_texts, tracking_vectors
from analysis.themes.reading import themes_with_figures
from analysis.themes.sql import dumps, loads
from analysis.themes.tracking import track
from prototypes.store import get_iteration, next_iteration, previous_iteration

#: Comments of N quoted under a previous theme: those that still speak of it, best first.
N_EXAMPLES = 2


def _side(db: Database, analysis_id: int) -> tuple[list[int], list[int | None]]:
    """The comments with content of an analysis (visible ones, in id order) and each one's theme (None = "Autres")."""
    rows = db.execute(
        """SELECT m.comment_id, t.id, t.is_noise FROM theme_members m JOIN themes t ON t.id = m.theme_id
           JOIN comments c ON c.id = m.comment_id
           WHERE m.analysis_id = ? AND t.no_remark = 0 AND c.moderation = 'visible' ORDER BY m.comment_id""",
        [analysis_id],
    ).fetchall()
    return [r[0] for r in rows], [None if r[2] else r[1] for r in rows]


def _distinct(ids: Sequence[int], texts: Mapping[int, str], limit: int) -> list[int]:
    """The first comments whose wording differs (case and spacing ignored)."""
    seen, out = set(), []
    for comment_id in ids:
        key = " ".join(texts.get(comment_id, "").split()).casefold()
        if key and key not in seen:
            seen.add(key)
            out.append(comment_id)
            if len(out) == limit:
                break
    return out


def _said(db: Database, comment_ids: list[int]) -> list[int]:
    """The first differently worded of these comments (best first): the quotes of a resolved part."""
    return _distinct(comment_ids, comment_texts(db, comment_ids), N_EXAMPLES)


def retrack(db: Database, iteration_id: int) -> None:
    """Store the fates of v(N-1)'s themes and the links of the iteration's themes (inside a write)."""
    analysis = latest_done(db, iteration_id)
    if analysis is None:
        return
    db.execute("DELETE FROM theme_links WHERE analysis_id IN (SELECT id FROM analyses WHERE iteration_id = ?)", [iteration_id])
    db.execute("DELETE FROM theme_fates WHERE analysis_id IN (SELECT id FROM analyses WHERE iteration_id = ?)", [iteration_id])
    current_ids, current_themes = _side(db, analysis["id"])
    iteration = get_iteration(db, iteration_id)
    before_iteration = previous_iteration(db, iteration) if iteration else None
    before = latest_done(db, before_iteration["id"]) if before_iteration else None
    previous_ids, previous_themes = _side(db, before["id"]) if before else ([], [])
    shown = {t for t in current_themes if t is not None}
    if not any(t is not None for t in previous_themes) or not current_ids:
        db.conn.executemany("INSERT INTO theme_links (analysis_id, status, theme_id) VALUES (?, 'new', ?)",
                            [(analysis["id"], t) for t in sorted(shown)])
        return
    previous_vectors, current_vectors, space = tracking_vectors(db, previous_ids, current_ids)
    outcome = track(previous_vectors, previous_themes, current_vectors, current_themes)
    texts = comment_texts(db, current_ids)
    for fate in outcome.fates:
        examples = _distinct([current_ids[row] for row in fate.examples], texts, N_EXAMPLES)
        # What a resolved part said in N-1 (what the rest still says in N is the fate's examples).
        parts = [{"status": part.status, "before": part.before, "now": part.now, "p_value": part.p_value, "test": part.test,
                  "quote_ids": _said(db, [previous_ids[row] for row in part.members]) if part.status == "resolved" else []}
                 for part in fate.parts]
        db["theme_fates"].insert({
            "analysis_id": analysis["id"], "previous_theme_id": fate.previous_id, "status": fate.status,
            "before_count": fate.before, "before_total": fate.before_total, "now_count": fate.now,
            "now_total": fate.now_total, "p_value": fate.p_value, "test": fate.test, "example_ids": dumps(examples),
            "merged_with": dumps(list(fate.merged_with)), "space": space, "parts": dumps(parts),
        })
    rows = [(analysis["id"], "persisting", new, old, count)
            for old, links in ((f.previous_id, f.successors) for f in outcome.fates) for new, count in links]
    rows += [(analysis["id"], "new", t, None, None) for t in sorted(shown) if t in outcome.new]
    db.conn.executemany(
        "INSERT INTO theme_links (analysis_id, status, theme_id, previous_theme_id, shared) VALUES (?, ?, ?, ?, ?)", rows)


def retrack_around(db: Database, iteration_id: int) -> None:
    """An iteration's themes changed: its links, and the next iteration's, are computed again."""
    retrack(db, iteration_id)
    iteration = get_iteration(db, iteration_id)
    following = next_iteration(db, iteration) if iteration else None
    if following is not None:
        retrack(db, following["id"])


def retrack_stale(db: Database) -> int:
    """Iterations whose shown analysis has a compared one but no fates yet (older databases): tracked now."""
    rows = db.execute(
        """SELECT a.iteration_id FROM analyses a
           WHERE a.status = 'done' AND a.id = (SELECT MAX(id) FROM analyses b WHERE b.iteration_id = a.iteration_id AND b.status = 'done')
           AND NOT EXISTS (SELECT 1 FROM theme_fates f WHERE f.analysis_id = a.id)
           AND NOT EXISTS (SELECT 1 FROM theme_links l WHERE l.analysis_id = a.id)"""
    ).fetchall()
    for (iteration_id,) in rows:
        retrack(db, iteration_id)
    return len(rows)


def links_of(db: Database, analysis_id: int) -> list[dict]:
    """The stored links of an analysis."""
    return list(db.query("SELECT * FROM theme_links WHERE analysis_id = ? ORDER BY id", [analysis_id]))


def fates_of(db: Database, analysis_id: int) -> list[dict]:
    """The stored fates of v(N-1)'s themes in an analysis, with their intervals recomputed from the counts."""
    fates = []
    for row in db.query("SELECT * FROM theme_fates WHERE analysis_id = ? ORDER BY id", [analysis_id]):
        before = wilson_interval(row["before_count"], row["before_total"]) if row["before_total"] else None
        now = wilson_interval(row["now_count"], row["now_total"]) if row["now_total"] else None
        row.update(
            share_before=row["before_count"] / row["before_total"] if row["before_total"] else 0.0,
            share_now=row["now_count"] / row["now_total"] if row["now_total"] else 0.0,
            before_interval=(before.low, before.high) if before else None,
            now_interval=(now.low, now.high) if now else None,
            example_ids_=loads(row["example_ids"], []), merged_with_=loads(row["merged_with"], []),
            parts_=loads(row["parts"], []),
        )
        fates.append(row)
    return fates


def tracked_themes(db: Database, iteration_id: int) -> tuple[list[dict], list[dict]]:
    """(this iteration's themes, v(N-1)'s themes), each a row of `themes_with_figures` with its tracking.

    A current theme gets `status` ('new', or the fate of the previous theme most of its close
    comments come from) and `predecessors` (previous rows with `shared`). A previous theme gets
    `fate` (status, counts, shares, intervals, test), `successors` (current rows with `shared`),
    `merged` (the previous themes it merged with), `examples` ((id, text) of comments of N that
    still speak of it) and `parts` (when part of it is resolved: each part's fate and counts, and
    for the resolved part `quotes`, texts of N-1). Without a compared analysis the second list is empty.
    """
    analysis = latest_done(db, iteration_id)
    if analysis is None:
        return [], []
    current = themes_with_figures(db, analysis["id"])
    before = compared_analysis(db, iteration_id)
    previous = themes_with_figures(db, before["id"]) if before is not None else []
    by_id = {row["id"]: row for row in previous}
    now_by_id = {row["id"]: row for row in current}
    links = links_of(db, analysis["id"])
    fates = {f["previous_theme_id"]: f for f in fates_of(db, analysis["id"])}
    new = {link["theme_id"] for link in links if link["status"] == "new"}
    for row in current:
        row["predecessors"] = sorted(
            ({**by_id[link["previous_theme_id"]], "shared": link["shared"]} for link in links
             if link["status"] == "persisting" and link["theme_id"] == row["id"] and link["previous_theme_id"] in by_id),
            key=lambda r: -r["shared"])
        main = fates.get(row["predecessors"][0]["id"]) if row["predecessors"] else None
        if row["is_bucket"]:
            row["status"] = None
        elif row["id"] in new or main is None:
            row["status"] = "new"
        else:
            row["status"] = "persisting" if main["status"] == "resolved" else main["status"]
    texts = comment_texts(db, [i for f in fates.values() for i in f["example_ids_"] + [q for p in f["parts_"] for q in p["quote_ids"]]])
    kept = []
    for row in previous:
        fate = fates.get(row["id"])
        if row["is_bucket"] or fate is None:
            continue
        row["fate"] = fate
        row["successors"] = sorted(
            ({**now_by_id[link["theme_id"]], "shared": link["shared"]} for link in links
             if link["status"] == "persisting" and link["previous_theme_id"] == row["id"] and link["theme_id"] in now_by_id),
            key=lambda r: -r["shared"])
        row["merged"] = [by_id[i] for i in fate["merged_with_"] if i in by_id]
        row["examples"] = [(i, texts[i]) for i in fate["example_ids_"] if i in texts]
        row["parts"] = [{**part, "quotes": [texts[i] for i in part["quote_ids"] if i in texts]} for part in fate["parts_"]]
        kept.append(row)
    return current, kept
