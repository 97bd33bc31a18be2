"""The page a printed report opens with: what a manager needs before deciding, on one sheet.

The PDF used to put the decision on its last page. The summary gathers the key figures with
their intervals and change since the previous iteration, the comparison's verdicts, the largest
themes with their status, and the decision in force, or "en attente". It is built from the
report's own context (`analysis.reports.report.build_report`), so it always agrees with the pages
after it.
"""

from __future__ import annotations

from collections.abc import Mapping

from analysis.reports.decisions import KIND_LABELS
from lab.clock import local_text
from lab.i18n import gettext as _

#: Themes listed: more would not fit the page beside the figures.
TOP_THEMES = 5
#: The rationale is cut beyond this many characters; the decision log at the end has it whole.
RATIONALE_CHARS = 300


def _shortened(text: str, limit: int = RATIONALE_CHARS) -> str:
    """A text cut at a word boundary, with an ellipsis when it was longer."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(None, 1)[0].rstrip(",;:") + "…"


def summary(context: Mapping) -> dict:
    """The summary page's content from a built report."""
    decisions = context.get("decisions") or []
    decision = None
    if decisions:
        latest = decisions[0]  # newest first
        kind_label = KIND_LABELS[latest["kind"]]
        decision = {
            "label": _(kind_label),
            "kind": latest["kind"],
            "when": _("le %(date)s par %(author)s", date=local_text(latest["decided_at"], False),
                      author=latest["author"] or _("compte supprimé")),
            "rationale": _shortened(latest["rationale"]),
        }
    themes = [row for row in context.get("themes") or [] if not row["is_noise"]]
    shown = sorted(themes, key=lambda row: (row["status"] == "resolved", -row["size"], row["label"]))[:TOP_THEMES]
    comparison = context.get("comparison")
    return {
        "decision": decision,
        "figures": context.get("key_figures") or [],
        "verdicts": [row for row in comparison["rows"] if not row["suppressed"]] if comparison else [],
        "themes": shown,
        "more_themes": len(themes) - len(shown),
        "resolved": sum(1 for row in themes if row["status"] == "resolved"),
    }
