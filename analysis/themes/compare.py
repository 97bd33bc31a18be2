"""Two comment files compared: what became of the earlier file's themes in the current one.

``lab themes CURRENT --previous EARLIER`` clusters both files (EARLIER as iteration N-1) and
asks `analysis.themes.tracking.track` what became of each earlier theme, exactly as the lab does
between two iterations: comments with nothing to say are left out of both sides, both files
are put in one space (the sentence vectors when the semantic backend ran, else one lexical
space fitted on both), and each earlier theme gets a status with its evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from analysis.themes.results import ThemeResult
from analysis.themes.tracking import Tracking, track
from analysis.themes.vectors import shared_lexical_space

__all__ = ["compare", "previous_payload"]


def _content_rows(result: ThemeResult) -> list[int]:
    """The rows that say something: themes and "Autres", not the comments with nothing to say."""
    apart = set(result.no_remark)
    return [i for i in range(len(result.assignments)) if i not in apart]


def compare(previous_texts: Sequence[str], previous: ThemeResult, current_texts: Sequence[str], current: ThemeResult,
            *, previous_vectors: np.ndarray | None = None, current_vectors: np.ndarray | None = None,
            random_state: int = 0) -> Tracking:
    """Track the earlier file's themes into the current file's (vectors: both sides' sentence vectors, or None)."""
    before_rows, now_rows = _content_rows(previous), _content_rows(current)
    if previous_vectors is not None and current_vectors is not None:
        before_vectors, now_vectors = previous_vectors[before_rows], current_vectors[now_rows]
    else:
        before_vectors, now_vectors = shared_lexical_space([previous_texts[i] for i in before_rows],
                                                           [current_texts[i] for i in now_rows], masked=False,
                                                           random_state=random_state)
    return track(before_vectors, [previous.assignments[i] for i in before_rows], now_vectors,
                 [current.assignments[i] for i in now_rows], random_state=random_state)


def previous_payload(previous: ThemeResult, tracking: Tracking) -> dict[str, Any]:
    """The JSON ``previous`` object: each earlier row's theme, and each earlier theme's status and successors."""
    rows = _content_rows(previous)  # tracking counts rows among the comments with content
    themes = []
    for theme in previous.themes:
        fate = tracking.fate(theme.id)
        themes.append({
            "id": theme.id,
            "label": theme.label,
            "status": fate.status if fate else "resolved",
            "successors": [successor for successor, _shared in fate.successors] if fate else [],
            # The evidence behind the status: shares of close comments before and now, and the test.
            "share_before": round(fate.share_before, 4) if fate else 0.0,
            "share_now": round(fate.share_now, 4) if fate else 0.0,
            "p_value": fate.p_value if fate else None,
            "test": fate.test if fate else None,
            # Part resolved, rest persisting: each part's fate, counts of close comments and earlier rows.
            "parts": [{"status": part.status, "before": part.before, "now": part.now, "p_value": part.p_value,
                       "test": part.test, "rows": sorted(rows[m] for m in part.members)} for part in fate.parts] if fate else [],
        })
    return {"assignments": list(previous.assignments), "themes": themes}
