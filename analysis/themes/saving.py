"""Writing themes: a clustering saved with its members and quotes, older themes dropped, a theme removed.

Functions run inside the caller's `write(db)`. What is stored is what the clustering decided
and staff curated: labels, terms, the term weights used as a signature, the quote comment ids
and the members; figures that can go stale are read live (`analysis.themes.reading`).
Actions keep the name of the themes they answer (`action_themes.theme_label`), so a theme's
name is copied there whenever it changes or the theme goes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlite_utils import Database

from analysis.themes.labels import NO_REMARK_LABEL, NOISE_LABEL, display_label
from analysis.themes.quotes import distinct_quotes, quote_ids_for
from analysis.themes.sql import dumps
from lab.db import one


def insert_theme(
    db: Database, analysis_id: int, *, position: int, label: str, terms: Sequence[str] = (),
    term_weights: Mapping[str, float] | None = None, centroid: Sequence[float] | None = None,
    quote_ids: Sequence[int] = (), is_noise: bool = False, no_remark: bool = False, origin: str = "analysis",
    members: Iterable[int] = (), name_lang: str = "fr",
) -> int:
    """Insert one theme (or the "Autres" or "Sans remarque particulière" bucket) and put its member comments in it."""
    theme_id = db["themes"].insert({
        "analysis_id": analysis_id, "position": position, "label": label, "terms": dumps(list(terms)),
        "term_weights": dumps(dict(term_weights or {})), "centroid": dumps(list(centroid)) if centroid is not None else None,
        "quote_ids": dumps(list(quote_ids)), "is_noise": int(is_noise), "no_remark": int(no_remark), "origin": origin,
        "name_lang": name_lang if name_lang in ("fr", "en") else "fr",
    }).last_pk
    db.conn.executemany(
        "INSERT INTO theme_members (theme_id, comment_id, analysis_id) VALUES (?, ?, ?)",
        [(theme_id, comment_id, analysis_id) for comment_id in members],
    )
    return theme_id


def save_themes(db: Database, analysis_id: int, comments: Sequence[Mapping], result: Any) -> list[int]:
    """Store a `ThemeResult` computed on `comments` (same order): themes, members, quotes, and the two buckets."""
    ids = [c["id"] for c in comments]
    texts = {c["id"]: c["text"] for c in comments}
    made = []
    for theme in result.themes:
        member_ids = [ids[i] for i in theme.member_indices]
        made.append(insert_theme(
            db, analysis_id, position=theme.id, label=theme.label, terms=theme.terms, term_weights=theme.term_weights,
            centroid=theme.centroid, quote_ids=quote_ids_for(theme.quotes, member_ids, texts), members=member_ids,
            name_lang=getattr(theme, "name_lang", "fr"),
        ))
    apart = set(getattr(result, "no_remark", ()))
    noise = [ids[i] for i, theme in enumerate(result.assignments) if theme is None and i not in apart]
    if noise:
        made.append(insert_theme(
            db, analysis_id, position=len(result.themes), label=NOISE_LABEL, is_noise=True, members=noise,
            quote_ids=distinct_quotes(noise, texts),
        ))
    if apart:
        silent = [ids[i] for i in sorted(apart)]
        made.append(insert_theme(
            db, analysis_id, position=len(result.themes) + 1, label=NO_REMARK_LABEL, no_remark=True, members=silent,
            quote_ids=distinct_quotes(silent, texts),
        ))
    return made


def noise_theme(db: Database, analysis_id: int, *, create: bool = False) -> int | None:
    """The "Autres" bucket of an analysis, created empty on demand."""
    row = one(db, "SELECT id FROM themes WHERE analysis_id = ? AND is_noise = 1", [analysis_id])
    if row is not None or not create:
        return row["id"] if row else None
    position = db.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM themes WHERE analysis_id = ?", [analysis_id]).fetchone()[0]
    return insert_theme(db, analysis_id, position=position, label=NOISE_LABEL, is_noise=True)


def no_remark_theme(db: Database, analysis_id: int) -> int | None:
    """The "Sans remarque particulière" bucket of an analysis, if it has one."""
    row = one(db, "SELECT id FROM themes WHERE analysis_id = ? AND no_remark = 1", [analysis_id])
    return row["id"] if row else None


def drop_older_themes(db: Database, iteration_id: int, analysis_id: int) -> None:
    """Only the shown analysis keeps themes; earlier analyses keep their parameters as history."""
    older = "SELECT id FROM analyses WHERE iteration_id = ? AND id <> ?"
    db.execute(f"DELETE FROM theme_links WHERE analysis_id IN ({older})", [iteration_id, analysis_id])
    db.execute(f"DELETE FROM theme_fates WHERE analysis_id IN ({older})", [iteration_id, analysis_id])
    db.execute(f"DELETE FROM themes WHERE analysis_id IN ({older})", [iteration_id, analysis_id])


def delete_theme(db: Database, theme_id: int, *, label_if_gone: str | None = None) -> None:
    """Remove a theme; actions that answered it keep its name (or `label_if_gone`)."""
    if label_if_gone is not None:
        db.execute("UPDATE action_themes SET theme_label = ? WHERE theme_id = ?", [label_if_gone, theme_id])
    db.execute("DELETE FROM themes WHERE id = ?", [theme_id])


def set_label_snapshots(db: Database, theme_id: int) -> None:
    """Keep the name actions show for a theme in step with its current label."""
    theme = one(db, "SELECT label, curated_label FROM themes WHERE id = ?", [theme_id])
    if theme is not None:
        db.execute("UPDATE action_themes SET theme_label = ? WHERE theme_id = ?", [display_label(theme), theme_id])
