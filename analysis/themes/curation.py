"""Staff curation of an iteration's themes, kept across re-analysis.

Five gestures: rename a theme, merge two, split one (its comments clustered again into 2 to 4
themes), move a comment to another theme, put a comment in "Autres". Each is applied at once to
the shown analysis and recorded in `curations` with *snapshots* of the themes it touched (their
member comment ids and term weights), never with ids alone: a re-analysis creates new theme
rows, and `replay` applies every curation of the iteration again, in order, to the new themes,
finding each theme by the comments it holds (at least half of its surviving comments, see
`analysis.themes.matching.match_theme`) or, when those are gone, by its terms. A curation whose theme no
longer exists is skipped and reported, never forced onto another theme.

Functions run inside the caller's `write(db)`; routes audit them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sqlite_utils import Database

from analysis.themes.analyses import get_analysis, latest_done
from analysis.themes.comments import comment_texts, load_vectors
from analysis.themes.links import retrack_around
from analysis.themes.matching import candidates, match_theme, snapshot
from analysis.themes.quotes import N_QUOTES, distinct_quotes, quote_ids_for
from analysis.themes.reading import get_theme, member_ids
from analysis.themes.saving import delete_theme, insert_theme, noise_theme, set_label_snapshots
from analysis.themes.sql import dumps, loads
from analysis.themes.text import preprocess
from analysis.themes.vectors import semantic_model
from lab.clock import iso, utcnow
from lab.db import placeholders, row_id
from lab.i18n import N_

LABEL_MAX = 120
SPLIT_SIZES = (2, 3, 4)
N_TERMS = 10
N_SIGNATURE_TERMS = 30


class CurationError(Exception):
    """A curation that cannot be done; `message` is shown to staff (French msgid)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- gestures on the stored themes (shared by live curation and replay) ------------------------


def _interleave(first: Sequence, second: Sequence, limit: int) -> list:
    """a1, b1, a2, b2... without repeats."""
    out: list = []
    for pair in zip(first, second):
        for item in pair:
            if item not in out:
                out.append(item)
    longer = first if len(first) > len(second) else second
    out += [item for item in longer[min(len(first), len(second)):] if item not in out]
    return out[:limit]


def _size(db: Database, theme_id: int) -> int:
    return db.execute("SELECT COUNT(*) FROM theme_members WHERE theme_id = ?", [theme_id]).fetchone()[0]


def apply_rename(db: Database, theme_id: int, label: str | None) -> None:
    """Name a theme (None gives back the clustering's label)."""
    db.execute("UPDATE themes SET curated_label = ? WHERE id = ?", [label, theme_id])
    set_label_snapshots(db, theme_id)


def apply_merge(db: Database, keep_id: int, other_id: int) -> None:
    """`other` joins `keep`: members, terms, quotes and the actions that answered it."""
    keep, other = get_theme(db, keep_id), get_theme(db, other_id)
    keep_size, other_size = _size(db, keep_id), _size(db, other_id)
    big, small = (keep, other) if keep_size >= other_size else (other, keep)
    total = max(keep_size + other_size, 1)
    weights: dict[str, float] = {}
    for theme, size in ((keep, keep_size), (other, other_size)):
        for key, weight in theme["term_weights_"].items():
            weights[key] = weights.get(key, 0.0) + weight * size / total
    top = dict(sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:N_SIGNATURE_TERMS])
    terms = _interleave(big["terms_"], small["terms_"], N_TERMS)
    quotes = _interleave(big["quote_ids_"], small["quote_ids_"], N_QUOTES)
    centroid = None
    if keep["centroid_"] is not None and other["centroid_"] is not None:
        mean = np.asarray(keep["centroid_"]) * keep_size + np.asarray(other["centroid_"]) * other_size
        norm = float(np.linalg.norm(mean))
        centroid = [round(float(x), 6) for x in mean / norm] if norm else None
    db.execute("UPDATE theme_members SET theme_id = ? WHERE theme_id = ?", [keep_id, other_id])
    db["themes"].update(keep_id, {
        "terms": dumps(terms), "term_weights": dumps(top), "quote_ids": dumps(quotes),
        # The larger theme's name stands for both (a phrase of its comments); staff may rename.
        "label": big["label"], "name_lang": big["name_lang"], "centroid": dumps(centroid) if centroid else None,
        "curated_label": keep["curated_label"] or other["curated_label"],
    })
    # Actions that answered the absorbed theme now answer the merged one (once each).
    db.execute(
        """DELETE FROM action_themes WHERE theme_id = ? AND action_id IN
           (SELECT action_id FROM action_themes WHERE theme_id = ?)""",
        [other_id, keep_id],
    )
    db.execute("UPDATE action_themes SET theme_id = ? WHERE theme_id = ?", [keep_id, other_id])
    delete_theme(db, other_id)
    set_label_snapshots(db, keep_id)


def apply_split(db: Database, theme_id: int, *, k: int | None, seed: int, backend: str) -> list[int]:
    """Cluster one theme's comments again into 2 to 4 themes; the largest part keeps the theme's id."""
    from analysis.themes.clustering import find_themes

    theme = get_theme(db, theme_id)
    members = member_ids(db, theme_id)
    texts = comment_texts(db, members)
    members = [m for m in members if m in texts]
    vectors = None
    if backend == "semantic":
        model = semantic_model()
        comments = list(db.query(
            f"SELECT id, updated_at FROM comments WHERE id IN ({placeholders(members)}) ORDER BY id", members
        )) if members else []
        vectors = load_vectors(db, comments, model)[0] if model and comments else None
        if vectors is None:
            backend = "tfidf"
        else:
            members = [c["id"] for c in comments]
    result = find_themes([texts[m] for m in members], backend=backend, k=k, k_min=2, k_max=4, random_state=seed,
                         vectors=vectors)
    if len(result.themes) < 2:
        raise CurationError(
            N_("Ce thème ne peut pas être divisé : ses commentaires sont trop peu nombreux ou trop semblables.")
        )
    parts = [[members[i] for i in part.member_indices] for part in result.themes]
    # Comments the sub-clustering left aside join the part whose words they share most (the largest on
    # a tie): staff asked to split, not to discard.
    leftovers = [i for i, a in enumerate(result.assignments) if a is None]
    for i, doc in zip(leftovers, preprocess([texts[members[i]] for i in leftovers], masked=True)):
        scores = [sum(part.term_weights.get(stem, 0.0) for stem in set(doc.stems)) for part in result.themes]
        parts[max(range(len(parts)), key=lambda p: (scores[p], -p))].append(members[i])
    position = db.execute("SELECT COALESCE(MAX(position), 0) FROM themes WHERE analysis_id = ?", [theme["analysis_id"]]).fetchone()[0]
    made = [theme_id]
    for index, (part, comments_of_part) in enumerate(zip(result.themes, parts)):
        quotes = quote_ids_for(part.quotes, comments_of_part, texts)
        values = {"label": part.label, "terms": part.terms, "term_weights": part.term_weights, "name_lang": part.name_lang,
                  "centroid": part.centroid if backend == "semantic" else theme["centroid_"], "quote_ids": quotes}
        if index == 0:
            db["themes"].update(theme_id, {
                "label": values["label"], "name_lang": values["name_lang"], "curated_label": None, "terms": dumps(values["terms"]),
                "term_weights": dumps(values["term_weights"]), "quote_ids": dumps(quotes),
                "centroid": dumps(values["centroid"]) if values["centroid"] is not None else None,
            })
            set_label_snapshots(db, theme_id)
            continue
        new_id = insert_theme(db, theme["analysis_id"], position=position + index, origin="split", **values)
        db.execute(
            f"UPDATE theme_members SET theme_id = ? WHERE theme_id = ? AND comment_id IN ({placeholders(comments_of_part)})",
            [new_id, theme_id, *comments_of_part],
        )
        made.append(new_id)
    return made


def apply_move(db: Database, analysis_id: int, comment_id: int, target_id: int) -> bool:
    """Put one comment in another theme; a theme left empty disappears."""
    row = db.execute("SELECT theme_id FROM theme_members WHERE analysis_id = ? AND comment_id = ?",
                     [analysis_id, comment_id]).fetchone()
    if row is None:
        raise CurationError(N_("Ce commentaire ne fait pas partie de l'analyse affichée."))
    source_id = row[0]
    if source_id == target_id:
        return False
    db.execute("UPDATE theme_members SET theme_id = ? WHERE analysis_id = ? AND comment_id = ?",
               [target_id, analysis_id, comment_id])
    source = get_theme(db, source_id)
    remaining = member_ids(db, source_id)
    if not remaining:
        delete_theme(db, source_id, label_if_gone=source["display_label"])
    elif comment_id in source["quote_ids_"]:
        texts = comment_texts(db, remaining)
        quotes = distinct_quotes(list(texts), texts, start=[q for q in source["quote_ids_"] if q != comment_id])
        db["themes"].update(source_id, {"quote_ids": dumps(quotes)})
    target = get_theme(db, target_id)
    if len(target["quote_ids_"]) < N_QUOTES:
        texts = comment_texts(db, [*target["quote_ids_"], comment_id])
        quotes = distinct_quotes([comment_id], texts, start=target["quote_ids_"])
        db["themes"].update(target_id, {"quote_ids": dumps(quotes)})
    return True


def apply_noise(db: Database, analysis_id: int, comment_id: int) -> bool:
    """Put one comment in "Autres" (created if the analysis had none)."""
    return apply_move(db, analysis_id, comment_id, noise_theme(db, analysis_id, create=True))


# --- live curation by staff ------------------------------------------------------------------------


def _shown(db: Database, iteration_id: int) -> dict:
    analysis = latest_done(db, iteration_id)
    if analysis is None:
        raise CurationError(N_("Cette itération n'a pas encore de thèmes : lancez d'abord une analyse."))
    return analysis


def _theme(db: Database, analysis: Mapping, theme_id: Any) -> dict:
    """A theme of the shown analysis, or a clear refusal (stale page, tampered form)."""
    theme = get_theme(db, number) if (number := row_id(theme_id)) is not None else None
    if theme is None or theme["analysis_id"] != analysis["id"]:
        raise CurationError(N_("Ce thème n'existe plus : l'analyse a peut-être été relancée. Rechargez la page."))
    return theme


def _comment(db: Database, analysis: Mapping, comment_id: Any) -> int:
    comment_id = row_id(comment_id) or 0
    if not db.execute("SELECT 1 FROM theme_members WHERE analysis_id = ? AND comment_id = ?",
                      [analysis["id"], comment_id]).fetchone():
        raise CurationError(N_("Ce commentaire ne fait pas partie de l'analyse affichée."))
    return comment_id


def _record(db: Database, analysis: Mapping, kind: str, payload: dict, user_id: int | None) -> int:
    curation_id = db["curations"].insert({
        "iteration_id": analysis["iteration_id"], "analysis_id": analysis["id"], "kind": kind,
        "payload": dumps(payload), "created_by": user_id, "created_at": iso(utcnow()),
    }).last_pk
    retrack_around(db, analysis["iteration_id"])
    return curation_id


def rename_theme(db: Database, *, iteration_id: int, theme_id: Any, label: str, user_id: int | None) -> dict:
    """Give a theme the team's name for it; an empty name gives back the automatic label."""
    analysis = _shown(db, iteration_id)
    theme = _theme(db, analysis, theme_id)
    if theme["is_noise"] or theme["no_remark"]:
        raise CurationError(N_("Les groupes « Autres » et « Sans remarque particulière » ne peuvent pas être renommés."))
    label = " ".join((label or "").split())
    if len(label) > LABEL_MAX:
        raise CurationError(N_("Le nom du thème doit faire 120 caractères au plus."))
    snap = snapshot(db, theme["id"])
    apply_rename(db, theme["id"], label or None)
    _record(db, analysis, "rename", {"theme": snap, "label": label or None}, user_id)
    # Audit details name themes by id only: automatic labels are made of citizens' words, and the
    # audit log is append-only, so it must not keep what an erasure has to remove.
    return {"theme_id": theme["id"], "label": label or None}


def merge_themes(db: Database, *, iteration_id: int, theme_id: Any, other_id: Any, user_id: int | None) -> dict:
    """Merge `other` into `theme` (which keeps its id, name and actions)."""
    analysis = _shown(db, iteration_id)
    theme, other = _theme(db, analysis, theme_id), _theme(db, analysis, other_id)
    if theme["id"] == other["id"]:
        raise CurationError(N_("Choisissez un autre thème à fusionner avec celui-ci."))
    if theme["is_bucket"] or other["is_bucket"]:
        raise CurationError(N_("Les groupes « Autres » et « Sans remarque particulière » ne peuvent pas être fusionnés : "
                               "déplacez-en les commentaires un par un."))
    payload = {"into": snapshot(db, theme["id"]), "from": snapshot(db, other["id"])}
    apply_merge(db, theme["id"], other["id"])
    _record(db, analysis, "merge", payload, user_id)
    return {"theme_id": theme["id"], "merged_id": other["id"]}


def split_theme(db: Database, *, iteration_id: int, theme_id: Any, k: int | None, user_id: int | None) -> dict:
    """Divide a theme into `k` (2 to 4, or chosen automatically) themes."""
    analysis = _shown(db, iteration_id)
    theme = _theme(db, analysis, theme_id)
    if theme["is_bucket"]:
        raise CurationError(N_("Les groupes « Autres » et « Sans remarque particulière » ne peuvent pas être divisés."))
    if k is not None and k not in SPLIT_SIZES:
        raise CurationError(N_("Un thème se divise en 2, 3 ou 4 thèmes."))
    payload = {"theme": snapshot(db, theme["id"]), "k": k, "seed": analysis["seed"], "backend": analysis["backend"]}
    parts = apply_split(db, theme["id"], k=k, seed=analysis["seed"], backend=analysis["backend"])
    _record(db, analysis, "split", payload, user_id)
    return {"theme_id": theme["id"], "parts": parts}


def move_comment(db: Database, *, iteration_id: int, comment_id: Any, theme_id: Any, user_id: int | None) -> dict:
    """Move one comment to another theme of the same analysis."""
    analysis = _shown(db, iteration_id)
    comment = _comment(db, analysis, comment_id)
    target = _theme(db, analysis, theme_id)
    payload = {"comment_id": comment, "to": snapshot(db, target["id"])}
    if apply_move(db, analysis["id"], comment, target["id"]):
        _record(db, analysis, "move", payload, user_id)
    return {"comment_id": comment, "theme_id": target["id"]}


def mark_noise(db: Database, *, iteration_id: int, comment_id: Any, user_id: int | None) -> dict:
    """Put one comment in "Autres": it says nothing the team can act on."""
    analysis = _shown(db, iteration_id)
    comment = _comment(db, analysis, comment_id)
    if apply_noise(db, analysis["id"], comment):
        _record(db, analysis, "noise", {"comment_id": comment}, user_id)
    return {"comment_id": comment}


def curation_count(db: Database, iteration_id: int) -> int:
    """How many curations an iteration has (all replayed on re-analysis)."""
    return db["curations"].count_where("iteration_id = ?", [iteration_id])


# --- replay on a new analysis ----------------------------------------------------------------------


def replay(db: Database, analysis_id: int) -> dict:
    """Apply the iteration's curations, oldest first, to a new analysis; say which could not be."""
    analysis = get_analysis(db, analysis_id)
    applied, skipped = 0, []
    for row in list(db.query("SELECT * FROM curations WHERE iteration_id = ? ORDER BY id", [analysis["iteration_id"]])):
        payload = loads(row["payload"], {})
        pool = candidates(db, analysis_id)
        existing = set().union(*(c["members"] for c in pool)) if pool else set()
        try:
            done = _replay_one(db, analysis, row["kind"], payload, pool, existing)
        except CurationError as exc:
            done, reason = False, exc.message
        else:
            reason = "" if done else "Le thème concerné n'existe plus dans cette analyse."
        if done:
            applied += 1
        else:
            skipped.append({"curation_id": row["id"], "kind": row["kind"], "reason": reason})
    return {"applied": applied, "skipped": skipped}


def _replay_one(db: Database, analysis: Mapping, kind: str, payload: Mapping, pool: list, existing: set[int]) -> bool:
    if kind == "rename":
        target = match_theme(payload.get("theme", {}), pool, existing=existing)
        if target is None:
            return False
        apply_rename(db, target, payload.get("label"))
        return True
    if kind == "merge":
        keep = match_theme(payload.get("into", {}), pool, existing=existing)
        other = match_theme(payload.get("from", {}), pool, existing=existing, exclude=[keep] if keep else [])
        if keep is None or other is None:
            # Both halves landed in one theme: the new analysis already merged them.
            return keep is not None and match_theme(payload.get("from", {}), pool, existing=existing) == keep
        apply_merge(db, keep, other)
        return True
    if kind == "split":
        target = match_theme(payload.get("theme", {}), pool, existing=existing)
        if target is None:
            return False
        apply_split(db, target, k=payload.get("k"), seed=int(payload.get("seed", analysis["seed"])),
                    backend=payload.get("backend", analysis["backend"]))
        return True
    comment_id = payload.get("comment_id")
    if comment_id not in existing:
        return False
    if kind == "move":
        target = match_theme(payload.get("to", {}), pool, existing=existing)
        if target is None:
            return False
        apply_move(db, analysis["id"], comment_id, target)
        return True
    if kind == "noise":
        apply_noise(db, analysis["id"], comment_id)
        return True
    return False
