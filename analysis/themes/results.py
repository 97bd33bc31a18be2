"""What a clustering returns: themes with their names, members and quotes, and each comment's place.

Kept apart from the pipeline (`analysis.themes.clustering`) so that the CLI, the jobs and the
test builders can hold and build results without importing scikit-learn's estimators.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from analysis.themes.tracking import ThemeSignature

__all__ = ["Theme", "ThemeResult"]


@dataclass(frozen=True)
class Theme:
    """One theme: a name (a phrase of its comments), keywords, size, share, quotes, members."""

    id: int
    label: str
    terms: list[str]
    size: int
    share: float
    quotes: list[str]
    member_indices: list[int]
    term_weights: dict[str, float] = field(default_factory=dict, repr=False)
    centroid: list[float] | None = field(default=None, repr=False)
    meta: dict[str, Any] = field(default_factory=dict)
    #: The language of the name: "fr", or "en" for a theme of English comments only.
    name_lang: str = "fr"

    def signature(self) -> ThemeSignature:
        """What term matching compares (curation replay)."""
        return ThemeSignature(id=self.id, terms=dict(self.term_weights), size=self.size, centroid=self.centroid)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, without the bulky centroid."""
        data = asdict(self)
        data.pop("centroid")
        return data


@dataclass(frozen=True)
class ThemeResult:
    """Themes, the theme of each input comment (None = "Autres" or no remark) and what produced them.

    ``no_remark`` lists the comments with nothing to say about the service ("RAS", "merci", 👍):
    counted apart, in no theme and not in "Autres". Shares are of the other comments.
    """

    themes: list[Theme]
    assignments: list[int | None]
    params: dict[str, Any]
    no_remark: list[int] = field(default_factory=list)

    @property
    def noise_indices(self) -> list[int]:
        """Comments in "Autres": far from every theme, in a tiny one, or without a content word."""
        apart = set(self.no_remark)
        return [i for i, a in enumerate(self.assignments) if a is None and i not in apart]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, stored with the analysis."""
        return {
            "themes": [theme.to_dict() for theme in self.themes],
            "assignments": list(self.assignments),
            "no_remark": list(self.no_remark),
            "params": self.params,
        }
