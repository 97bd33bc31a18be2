"""A theme's name: the clustering's from its first terms, the staff's when they gave one.

Kept apart from `analysis.themes.clustering` so that reading and saving themes (reports, the
report worker's child process) never import scikit-learn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

#: The bucket for comments that fit no theme.
NOISE_LABEL = "Autres"
LABEL_SEPARATOR = " · "
N_LABEL_TERMS = 3


def display_label(theme: Mapping) -> str:
    """The staff's name for a theme when they gave one, else the clustering's."""
    return theme.get("curated_label") or theme["label"]


def auto_label(terms: Sequence[str], position: int) -> str:
    """A label from the first terms, as the clustering writes it."""
    return LABEL_SEPARATOR.join(terms[:N_LABEL_TERMS]) or f"Thème {position + 1}"
