"""Finding a theme again after a re-analysis: by the comments it holds, else by its terms.

A re-analysis creates new theme rows, so what staff did to a theme (curations, redesign
actions) is kept with a *snapshot* of it (member comment ids, term weights) and matched
against the new themes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlite_utils import Database

from analysis.themes.labels import display_label
from analysis.themes.reading import get_theme, member_ids, members_by_theme, theme_records
from analysis.themes.tracking import DEFAULT_THRESHOLD, ThemeSignature, theme_similarity

#: A theme is found again (curation replay, action links) when it holds at least this share
#: of the comments it held before that still exist.
MATCH_OVERLAP = 0.5


def _kind(theme: Mapping) -> str:
    return "no_remark" if theme.get("no_remark") else "noise" if theme.get("is_noise") or theme.get("noise") else "theme"


def snapshot(db: Database, theme_id: int) -> dict:
    """What identifies a theme later, whatever its id: its members, terms and whether it is one of the buckets."""
    theme = get_theme(db, theme_id)
    return {"members": member_ids(db, theme_id), "terms": theme["term_weights_"], "noise": bool(theme["is_noise"]),
            "no_remark": bool(theme["no_remark"])}


def candidates(db: Database, analysis_id: int) -> list[dict]:
    """Themes of an analysis in the form `match_theme` compares."""
    members = members_by_theme(db, analysis_id)
    return [{"id": row["id"], "members": members.get(row["id"], set()), "terms": row["term_weights_"],
             "is_noise": bool(row["is_noise"]), "no_remark": bool(row["no_remark"])} for row in theme_records(db, analysis_id)]


def match_theme(snap: Mapping, pool: Sequence[Mapping], *, existing: set[int] | None = None,
                exclude: Iterable[int] = ()) -> int | None:
    """The theme of `pool` that continues a snapshot: most of its surviving members, else its terms.

    `existing` is the set of comments still analysed (erased or hidden ones are not expected
    anywhere). A theme holding fewer than half of them is not the same theme; when fewer than
    half of the snapshot's comments survive, only the terms can say it is the same theme.
    """
    skip = set(exclude)
    kind = _kind(snap)
    pool = [c for c in pool if _kind(c) == kind and c["id"] not in skip]
    if not pool:
        return None
    if kind != "theme":  # "Autres" and "Sans remarque particulière": one each per analysis
        return pool[0]["id"]
    before = set(snap.get("members") or ())
    old = before & existing if existing is not None else before
    # Most of its comments are gone (erased, hidden): the survivors do not make it the same theme.
    if old and len(old) >= MATCH_OVERLAP * len(before):
        def score(c: Mapping) -> tuple[int, float, int]:
            shared = len(old & c["members"])
            union = len(old | c["members"]) or 1
            return shared, shared / union, -c["id"]

        best = max(pool, key=score)
        return best["id"] if len(old & best["members"]) / len(old) >= MATCH_OVERLAP else None
    terms = snap.get("terms") or {}
    if not terms:
        return None
    wanted = ThemeSignature(id="snapshot", terms=terms, size=0)
    scored = [(theme_similarity(wanted, ThemeSignature(id=c["id"], terms=c["terms"], size=0)), c["id"]) for c in pool]
    similarity, best_id = max(scored, key=lambda s: (s[0], -s[1]))
    return best_id if similarity >= DEFAULT_THRESHOLD else None


def relink_actions(db: Database, iteration_id: int, analysis_id: int) -> int:
    """Make actions raised from an older analysis' themes point at the same themes of the new one."""
    links = list(db.query(
        """SELECT DISTINCT at.theme_id FROM action_themes at JOIN themes t ON t.id = at.theme_id
           JOIN analyses a ON a.id = t.analysis_id WHERE a.iteration_id = ? AND a.id <> ?""",
        [iteration_id, analysis_id],
    ))
    if not links:
        return 0
    pool = candidates(db, analysis_id)
    existing = set().union(*(c["members"] for c in pool)) if pool else set()
    moved = 0
    for link in links:
        target = match_theme(snapshot(db, link["theme_id"]), pool, existing=existing)
        if target is not None:
            label = display_label(get_theme(db, target))
            moved += db.execute("UPDATE action_themes SET theme_id = ?, theme_label = ? WHERE theme_id = ?",
                                [target, label, link["theme_id"]]).rowcount
    return moved
