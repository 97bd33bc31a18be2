"""Theme tracking across iterations: which themes of vN continue vN-1's, which are new or resolved.

Themes are compared by their class-based TF-IDF term weights (keyed by accent-folded stems), a
representation every backend produces, so a TF-IDF analysis of v1 can be compared with a
semantic one of v2. Pairs are chosen by the Hungarian algorithm (one-to-one) among those above a
threshold, maximising the total similarity of the pairs kept, so an unrelated theme is never
"persisting" and a valid pair is never traded for two weak ones.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy.optimize import linear_sum_assignment

from lab.i18n import N_

#: How a theme relates to the previous iteration, in the words staff and managers read.
THEME_STATUS = {"new": N_("Nouveau"), "persisting": N_("Persistant"), "resolved": N_("Résolu")}

__all__ = ["DEFAULT_THRESHOLD", "LinkStatus", "ThemeLink", "ThemeSignature", "theme_similarity", "track_themes"]

LinkStatus = Literal["new", "persisting", "resolved"]

# Cosine of c-TF-IDF term vectors. Two phrasings of one theme share their main terms (about .5
# and above); unrelated themes share at most a generic word (below about .15).
DEFAULT_THRESHOLD = 0.3


@dataclass(frozen=True)
class ThemeSignature:
    """What tracking needs from a theme, whatever backend produced it: id, terms, size."""

    # terms maps a term key (stem, or word) to its c-TF-IDF weight. centroid is used only when
    # both sides carry one in the same space and one of them has no terms.

    id: int | str
    terms: Mapping[str, float]
    size: int
    centroid: Sequence[float] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ThemeLink:
    """One row of the comparison: a current theme, a previous one, or a matched pair."""

    status: LinkStatus
    current_id: int | str | None
    previous_id: int | str | None
    similarity: float | None
    current_size: int | None
    previous_size: int | None

    @property
    def size_change(self) -> int | None:
        """Comments gained (positive) or lost since the previous iteration, for persisting themes."""
        if self.current_size is None or self.previous_size is None:
            return None
        return self.current_size - self.previous_size


def _norm_key(key: str) -> str:
    """Terms are compared lowercase and accent-folded, like the stems they usually are."""
    from lab.folding import strip_accents

    return strip_accents(key.lower())


def _term_cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine over the union vocabulary of the two term vectors."""
    va: dict[str, float] = {}
    vb: dict[str, float] = {}
    for key, weight in a.items():
        va[_norm_key(key)] = va.get(_norm_key(key), 0.0) + float(weight)
    for key, weight in b.items():
        vb[_norm_key(key)] = vb.get(_norm_key(key), 0.0) + float(weight)
    dot = sum(w * vb.get(k, 0.0) for k, w in va.items())
    na = math.sqrt(sum(w * w for w in va.values()))
    nb = math.sqrt(sum(w * w for w in vb.values()))
    return dot / (na * nb) if na > 0 and nb > 0 else 0.0


def theme_similarity(a: ThemeSignature, b: ThemeSignature) -> float:
    """Term cosine; centroid cosine only when neither theme has terms but both have centroids."""
    if (not a.terms or not b.terms) and a.centroid is not None and b.centroid is not None:
        ca = np.asarray(a.centroid, dtype=np.float64)
        cb = np.asarray(b.centroid, dtype=np.float64)
        if ca.shape == cb.shape and np.linalg.norm(ca) > 0 and np.linalg.norm(cb) > 0:
            return float(ca @ cb / (np.linalg.norm(ca) * np.linalg.norm(cb)))
    return _term_cosine(a.terms, b.terms)


def track_themes(
    previous: Sequence[ThemeSignature],
    current: Sequence[ThemeSignature],
    threshold: float = DEFAULT_THRESHOLD,
) -> list[ThemeLink]:
    """Link iteration N's themes to N-1's, one-to-one: persisting, then new, then resolved."""
    # Persisting and new links follow the order of current; resolved ones that of previous.
    matched: dict[int, tuple[int, float]] = {}
    if previous and current:
        sim = np.array([[theme_similarity(p, c) for p in previous] for c in current])
        # Sub-threshold pairs count as nothing: otherwise the assignment could give a theme a
        # weak partner (later dropped) because that raised the total more than its valid one.
        eligible = np.where(sim >= threshold, sim, 0.0)
        rows, cols = linear_sum_assignment(eligible, maximize=True)
        for r, c in zip(rows, cols):
            if sim[r, c] >= threshold:
                matched[int(r)] = (int(c), float(sim[r, c]))
    links: list[ThemeLink] = []
    for i, theme in enumerate(current):
        if i in matched:
            j, score = matched[i]
            links.append(ThemeLink("persisting", theme.id, previous[j].id, round(score, 4), theme.size, previous[j].size))
    for i, theme in enumerate(current):
        if i not in matched:
            links.append(ThemeLink("new", theme.id, None, None, theme.size, None))
    used = {j for j, _ in matched.values()}
    for j, theme in enumerate(previous):
        if j not in used:
            links.append(ThemeLink("resolved", None, theme.id, None, None, theme.size))
    return links
