"""Stored themes read back, with the figures that can go stale read live.

Stored: what the clustering decided and staff curated (labels, terms, term weights, quote ids,
members). Read live: size and share (from `theme_members`), quote texts (from `comments`, so an
erased or hidden comment is never quoted), the steps concerned, the mean satisfaction of the
authors and the share of assisted participants (from trials and questionnaire answers).
"""

from __future__ import annotations

from functools import lru_cache

from sqlite_utils import Database

from analysis.stats import MIN_GROUP_SIZE
from analysis.themes.comments import comment_texts
from analysis.themes.labels import display_label, is_bucket
from analysis.themes.sql import loads
from lab.db import one

#: Below this many authors, mean satisfaction and assisted share are not shown (DESIGN §7).
MIN_AUTHORS = MIN_GROUP_SIZE


def _theme_row(row: dict) -> dict:
    row["terms_"] = loads(row["terms"], [])
    row["term_weights_"] = loads(row["term_weights"], {})
    row["centroid_"] = loads(row["centroid"], None)
    row["quote_ids_"] = loads(row["quote_ids"], [])
    row["display_label"] = display_label(row)
    row["is_bucket"] = is_bucket(row)
    return row


def get_theme(db: Database, theme_id: int) -> dict | None:
    """One theme with its JSON columns decoded and its analysis' iteration."""
    row = one(db, "SELECT t.*, a.iteration_id FROM themes t JOIN analyses a ON a.id = t.analysis_id WHERE t.id = ?", [theme_id])
    return _theme_row(row) if row else None


def theme_records(db: Database, analysis_id: int) -> list[dict]:
    """The stored themes of an analysis in their order ("Autres", then "Sans remarque particulière" last)."""
    return [_theme_row(row) for row in db.query(
        "SELECT t.*, a.iteration_id FROM themes t JOIN analyses a ON a.id = t.analysis_id WHERE t.analysis_id = ? "
        "ORDER BY t.no_remark, t.is_noise, t.position, t.id", [analysis_id]
    )]


def member_ids(db: Database, theme_id: int) -> list[int]:
    """The comments of a theme, in arrival order."""
    return [row[0] for row in db.execute("SELECT comment_id FROM theme_members WHERE theme_id = ? ORDER BY comment_id", [theme_id])]


def members_by_theme(db: Database, analysis_id: int) -> dict[int, set[int]]:
    """Every theme's member comment ids, for matching."""
    found: dict[int, set[int]] = {}
    for theme_id, comment_id in db.execute("SELECT theme_id, comment_id FROM theme_members WHERE analysis_id = ?", [analysis_id]):
        found.setdefault(theme_id, set()).add(comment_id)
    return found


@lru_cache(maxsize=64)
def _step_titles(spec_yaml: str) -> dict[str, str]:
    """Step key → title of an iteration's spec (an iteration's spec is frozen once tested)."""
    from prototypes.spec_issues import SpecError
    from prototypes.spec_yaml import parse_spec

    try:
        return {step.key: step.title for step in parse_spec(spec_yaml).steps}
    except SpecError:
        return {}


def theme_figures(db: Database, analysis_id: int) -> dict[int, dict]:
    """Live figures per theme: size, share, steps (titles, most frequent first), authors' figures.

    Every place that shows how many comments a theme holds (cards, comment pages, reports, the
    PDF, exports) reads `size` from here, so they agree after any curation. A theme's share is of
    the comments that say something (themes and "Autres"); the share of "Sans remarque
    particulière" is of all comments.
    """
    figures: dict[int, dict] = {}
    no_remark = {row[0] for row in db.execute("SELECT id FROM themes WHERE analysis_id = ? AND no_remark = 1", [analysis_id])}
    # Comments hidden by moderation since the analysis no longer count anywhere.
    for theme_id, size in db.execute(
        """SELECT m.theme_id, COUNT(*) FROM theme_members m JOIN comments c ON c.id = m.comment_id
           WHERE m.analysis_id = ? AND c.moderation = 'visible' GROUP BY m.theme_id""", [analysis_id]
    ):
        figures[theme_id] = {"size": size, "steps": [], "authors": 0, "answered": 0,
                             "mean_satisfaction": None, "assisted_share": None}
    everything = sum(f["size"] for f in figures.values())
    with_content = sum(f["size"] for theme_id, f in figures.items() if theme_id not in no_remark)
    for theme_id, f in figures.items():
        total = everything if theme_id in no_remark else with_content
        f["share"] = round(f["size"] / total, 4) if total else 0.0
    iteration = one(db, "SELECT i.spec_yaml FROM analyses a JOIN iterations i ON i.id = a.iteration_id WHERE a.id = ?",
                    [analysis_id])
    titles = _step_titles(iteration["spec_yaml"]) if iteration else {}
    for row in db.query(
        """SELECT m.theme_id, c.step_key, COUNT(*) AS n FROM theme_members m JOIN comments c ON c.id = m.comment_id
           WHERE m.analysis_id = ? AND c.moderation = 'visible' AND c.step_key IS NOT NULL GROUP BY m.theme_id, c.step_key
           ORDER BY m.theme_id, n DESC, c.step_key""",
        [analysis_id],
    ):
        if row["theme_id"] in figures:
            figures[row["theme_id"]]["steps"].append(titles.get(row["step_key"], row["step_key"]))
    # Each author counts once per theme, whatever the number of their comments in it.
    for row in db.query(
        """SELECT x.theme_id, COUNT(*) AS authors,
                  AVG(CASE WHEN t.channel = 'assisted' OR t.assisted_via IS NOT NULL THEN 1.0 ELSE 0.0 END) AS assisted,
                  COUNT(r.number) AS answered, AVG(r.number) AS satisfaction
           FROM (SELECT DISTINCT m.theme_id, c.trial_id FROM theme_members m JOIN comments c ON c.id = m.comment_id
                 WHERE m.analysis_id = ? AND c.moderation = 'visible' AND c.trial_id IS NOT NULL) AS x
           JOIN trials t ON t.id = x.trial_id
           LEFT JOIN responses r ON r.trial_id = x.trial_id AND r.key = 'satisfaction'
           GROUP BY x.theme_id""",
        [analysis_id],
    ):
        f = figures.get(row["theme_id"])
        if f is None:
            continue
        f["authors"], f["answered"] = row["authors"], row["answered"]
        if row["answered"] >= MIN_AUTHORS:
            f["mean_satisfaction"] = round(row["satisfaction"], 2)
        if row["authors"] >= MIN_AUTHORS:
            f["assisted_share"] = round(row["assisted"], 4)
    return figures


def themes_with_figures(db: Database, analysis_id: int) -> list[dict]:
    """Stored themes with live figures and quote texts, largest first, then "Autres" and "Sans remarque"; empty ones dropped."""
    figures = theme_figures(db, analysis_id)
    rows = [row for row in theme_records(db, analysis_id) if row["id"] in figures]
    texts = comment_texts(db, [q for row in rows for q in row["quote_ids_"]])
    for row in rows:
        row.update(figures[row["id"]])
        row["quotes"] = [(q, texts[q]) for q in row["quote_ids_"] if q in texts]
    rows.sort(key=lambda r: (r["no_remark"], r["is_noise"], -r["size"], r["position"], r["id"]))
    return rows


def theme_comments(db: Database, theme_id: int) -> list[dict]:
    """Every comment of a theme with its step and language, for curation."""
    return list(db.query(
        """SELECT c.id, c.text, c.step_key, c.language, c.source FROM theme_members m JOIN comments c ON c.id = m.comment_id
           WHERE m.theme_id = ? AND c.moderation = 'visible' ORDER BY c.id""",
        [theme_id],
    ))
