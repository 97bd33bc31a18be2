"""A theme's name: the clustering's phrase, the staff's when they gave one, and the two buckets' names.

Kept apart from `analysis.themes.clustering` so that reading and saving themes (reports, the
report worker's child process) never import scikit-learn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

#: The bucket for comments that fit no theme.
NOISE_LABEL = "Autres"
#: The bucket for comments with nothing to say about the service ("RAS", "merci", 👍).
NO_REMARK_LABEL = "Sans remarque particulière"
LABEL_SEPARATOR = " · "
N_LABEL_TERMS = 3


def is_bucket(theme: Mapping) -> bool:
    """Whether a stored theme is "Autres" or "Sans remarque particulière" rather than a theme."""
    return bool(theme.get("is_noise")) or bool(theme.get("no_remark"))


def display_label(theme: Mapping) -> str:
    """The staff's name for a theme when they gave one, else the clustering's."""
    return theme.get("curated_label") or theme["label"]


def auto_label(terms: Sequence[str], position: int) -> str:
    """A label from the first keyword when no phrase is known (after an erasure, a merge)."""
    return terms[0][:1].upper() + terms[0][1:] if terms else f"Thème {position + 1}"
