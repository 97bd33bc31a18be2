"""Erasure reaches the themes: memberships, vectors, quotes, terms and curations forget erased comments.

`forget_themes` is the hook the shell hands to `feedback.erasure`: it runs before the comments
are deleted, removes their memberships and vectors, then rebuilds what was derived from their
words (quotes, terms, an automatic label, a semantic centroid, curation snapshots) from the
comments that remain, deletes themes left empty and tracks the iterations concerned again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from sqlite_utils import Database

from analysis.themes.comments import CHUNK, comment_texts, iteration_comments
from analysis.themes.labels import auto_label
from analysis.themes.links import retrack_around
from analysis.themes.quotes import distinct_quotes
from analysis.themes.reading import get_theme, member_ids
from analysis.themes.saving import delete_theme, set_label_snapshots
from analysis.themes.sql import dumps, loads
from analysis.themes.text import preprocess, tokenize
from feedback.erasure import Erasure, ForgetHook
from lab.db import placeholders
from lab.folding import strip_accents

GONE_LABEL = "Thème retiré (commentaires effacés)"


def themes_of_comments(db: Database, comment_ids: Sequence[int]) -> set[int]:
    """Every theme of the analyses holding any of these comments (call before deleting them).

    Not only the themes holding them now: a comment moved out of a theme by staff left its words
    in that theme's keywords, which must go too.
    """
    found: set[int] = set()
    for start in range(0, len(comment_ids), CHUNK):
        chunk = list(comment_ids[start : start + CHUNK])
        found |= {row[0] for row in db.execute(
            f"""SELECT id FROM themes WHERE analysis_id IN
                (SELECT DISTINCT analysis_id FROM theme_members WHERE comment_id IN ({placeholders(chunk)}))""", chunk)}
    return found


def _words_and_stems(db: Database, comment_ids: Iterable[int]) -> tuple[set[str], set[str]]:
    """Accent-folded words and stems the given comments contain (stemmed in their stored language)."""
    by_language: dict[str | None, list[str]] = {}
    ids = list(comment_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for text, language in db.execute(f"SELECT text, language FROM comments WHERE id IN ({placeholders(chunk)})", chunk):
            by_language.setdefault(language if language in ("fr", "en") else None, []).append(text)
    words: set[str] = set()
    stems: set[str] = set()
    for language, texts in by_language.items():
        words |= {strip_accents(token) for text in texts for token in tokenize(text)}
        stems |= {s for doc in preprocess(texts, lang=language, masked=True) for s in doc.stems}
    return words, stems


def refresh_after_erasure(db: Database, theme_ids: Iterable[int], erased: Iterable[int]) -> dict[str, int]:
    """Themes that lost comments forget them: quotes replaced, terms no longer written dropped.

    Sizes and shares are live; what is stored and derived from the words of the erased comments
    (quotes, terms, term weights, an automatic label, a semantic centroid, curation snapshots)
    is rebuilt from the comments that remain. A theme left empty is deleted.
    """
    erased = set(erased)
    counts = {"themes_refreshed": 0, "themes_deleted": 0}
    iterations: set[int] = set()
    for theme_id in sorted(set(theme_ids)):
        theme = get_theme(db, theme_id)
        if theme is None:
            continue
        iterations.add(theme["iteration_id"])
        members = member_ids(db, theme_id)
        texts = comment_texts(db, members)
        if not texts:
            delete_theme(db, theme_id, label_if_gone=theme["curated_label"] or GONE_LABEL)
            counts["themes_deleted"] += 1
            continue
        words, stems = _words_and_stems(db, list(texts))
        terms = [t for t in theme["terms_"] if strip_accents(t.lower()) in words]
        weights = {k: w for k, w in theme["term_weights_"].items() if k in stems}
        quotes = distinct_quotes(list(texts), texts, start=[q for q in theme["quote_ids_"] if q not in erased and q in texts])
        label = theme["label"] if theme["is_bucket"] or _still_written(theme["label"], texts.values()) else auto_label(
            terms, theme["position"])
        centroid = _centroid(db, members) if theme["centroid_"] is not None else None
        db["themes"].update(theme_id, {
            "terms": dumps(terms), "term_weights": dumps(weights), "label": label, "quote_ids": dumps(quotes),
            "centroid": dumps(centroid) if centroid is not None else None,
        })
        set_label_snapshots(db, theme_id)
        counts["themes_refreshed"] += 1
    _scrub_curations(db, iterations, erased)
    for iteration_id in iterations:
        retrack_around(db, iteration_id)
    return counts


def _still_written(phrase: str, texts: Iterable[str]) -> bool:
    """Whether a remaining comment still writes the theme's name (words folded, as written in order)."""
    wanted = " ".join(strip_accents(token) for token in tokenize(phrase))
    return bool(wanted) and any(f" {wanted} " in f" {' '.join(strip_accents(t) for t in tokenize(text))} " for text in texts)


def _centroid(db: Database, members: Sequence[int]) -> list[float] | None:
    """Mean of the members' stored embeddings, or None when some are missing."""
    rows = dict(db.execute(
        f"SELECT comment_id, vector FROM comment_vectors WHERE comment_id IN ({placeholders(members)})", list(members)
    ).fetchall()) if members else {}
    if not members or len(rows) != len(members):
        return None
    mean = np.vstack([np.frombuffer(rows[m], dtype="<f4") for m in members]).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return [round(float(x), 6) for x in mean / norm] if norm else None


def _scrub_curations(db: Database, iterations: Iterable[int], erased: set[int]) -> None:
    """Curations no longer mention erased comments, nor words only they contained."""
    for iteration_id in iterations:
        remaining = [row["id"] for row in iteration_comments(db, iteration_id) if row["id"] not in erased]
        _words, stems = _words_and_stems(db, remaining) if remaining else (set(), set())
        for row in list(db.query("SELECT * FROM curations WHERE iteration_id = ?", [iteration_id])):
            payload = loads(row["payload"], {})
            if payload.get("comment_id") in erased:
                db.execute("DELETE FROM curations WHERE id = ?", [row["id"]])
                continue
            db["curations"].update(row["id"], {"payload": dumps(_scrub(payload, erased, stems))})


def _scrub(value: Any, erased: set[int], stems: set[str]) -> Any:
    """Remove erased ids from snapshot member lists and unknown stems from snapshot terms."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "members" and isinstance(item, list):
                out[key] = [m for m in item if m not in erased]
            elif key == "terms" and isinstance(item, dict):
                out[key] = {k: w for k, w in item.items() if k in stems}
            else:
                out[key] = _scrub(item, erased, stems)
        return out
    if isinstance(value, list):
        return [_scrub(item, erased, stems) for item in value]
    return value


def _forget(db: Database, erasure: Erasure) -> dict[str, int]:
    """The comments of an erasure leave their themes before they are deleted."""
    ids = list(erasure.comment_ids)
    themes = themes_of_comments(db, ids)
    counts = {"theme_members": 0, "comment_vectors": 0}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        marks = placeholders(chunk)
        counts["theme_members"] += db.execute(f"DELETE FROM theme_members WHERE comment_id IN ({marks})", chunk).rowcount
        counts["comment_vectors"] += db.execute(f"DELETE FROM comment_vectors WHERE comment_id IN ({marks})", chunk).rowcount
    if ids:
        counts.update(refresh_after_erasure(db, themes, ids))
    return counts


forget_themes = ForgetHook(tables=("theme_members", "comment_vectors", "themes", "curations", "theme_links", "theme_fates"),
                           forget=_forget)
