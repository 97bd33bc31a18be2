"""Stored theme analyses: saving a clustering, reading curated themes with live figures, tracking.

Store functions take the database first, run inside the caller's `write(db)` when they write,
and know nothing of HTTP. Only the latest finished analysis of an iteration keeps its themes.

What is stored is what the clustering decided and staff curated: labels, terms, the term
weights used as a signature, the quote comment ids and the members. What can go stale is read
live: size and share (from `theme_members`), quote texts (from `comments`, so an erased or
hidden comment is never quoted), the steps concerned, the mean satisfaction of the authors and
the share of assisted participants (from trials and questionnaire answers).

The end of the module is the contract the reports code against: `iteration_themes`,
`delivered_actions`, `planned_actions`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from sqlite_utils import Database

from analysis.stats import MIN_GROUP_SIZE
from analysis.themes.tracking import DEFAULT_THRESHOLD, ThemeSignature, theme_similarity, track_themes
from prototypes.store import get_iteration, next_iteration, previous_iteration

#: The bucket for comments that fit no theme (same name as `analysis.themes.NOISE_LABEL`).
NOISE_LABEL = "Autres"
LABEL_SEPARATOR = " · "
N_QUOTES = 3
N_LABEL_TERMS = 3
#: A theme is found again (curation replay, action links) when it holds at least this share
#: of the comments it held before that still exist.
MATCH_OVERLAP = 0.5
#: Below this many authors, mean satisfaction and assisted share are not shown (DESIGN §7).
MIN_AUTHORS = MIN_GROUP_SIZE
ACTION_STATUSES = ("planned", "in_progress", "done", "dropped")


# --- the contract's types ----------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeView:
    """A curated theme of an iteration as reports show it (or a resolved theme of the previous one)."""

    id: int
    label: str
    terms: list[str]
    size: int
    share: float
    quotes: list[str]
    steps: list[str]
    mean_satisfaction: float | None
    assisted_share: float | None
    status: str  # 'new' | 'persisting' | 'resolved'
    size_change: int | None
    is_noise: bool


@dataclass(frozen=True)
class ActionView:
    """A redesign action: what the team changes, for which themes, delivered in which iteration."""

    id: int
    title: str
    owner: str
    status: str
    theme_labels: list[str]
    source_iteration_id: int
    delivered_in_iteration_id: int | None


# --- small helpers -------------------------------------------------------------------------------


def _one(db: Database, sql: str, params: Iterable = ()) -> dict | None:
    rows = list(db.query(sql, list(params)))
    return rows[0] if rows else None


def placeholders(values: Sequence) -> str:
    """`?,?,?` for an IN clause of these values."""
    return ",".join("?" for _ in values)


def loads(text: str | None, default: Any) -> Any:
    """Decode a JSON column, tolerating NULL."""
    return json.loads(text) if text else default


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=isinstance(value, dict))


def display_label(theme: Mapping) -> str:
    """The staff's name for a theme when they gave one, else the clustering's."""
    return theme.get("curated_label") or theme["label"]


def auto_label(terms: Sequence[str], position: int) -> str:
    """A label from the first terms, as the clustering writes it."""
    return LABEL_SEPARATOR.join(terms[:N_LABEL_TERMS]) or f"Thème {position + 1}"


def normalise_text(text: str) -> str:
    """Whitespace-normalised text, as quotes are compared."""
    return " ".join((text or "").split())


# --- analyses ------------------------------------------------------------------------------------


def get_analysis(db: Database, analysis_id: int) -> dict | None:
    """One analysis row (params and replay decoded into `params_` and `replay_`), or None."""
    row = _one(db, "SELECT * FROM analyses WHERE id = ?", [analysis_id])
    return _decoded(row)


def _decoded(row: dict | None) -> dict | None:
    if row is not None:
        row["params_"] = loads(row["params"], {})
        row["replay_"] = loads(row["replay"], {})
    return row


def latest_analysis(db: Database, iteration_id: int) -> dict | None:
    """The newest analysis of an iteration, whatever its status."""
    return _decoded(_one(db, "SELECT * FROM analyses WHERE iteration_id = ? ORDER BY id DESC LIMIT 1", [iteration_id]))


def latest_done(db: Database, iteration_id: int) -> dict | None:
    """The analysis whose themes are shown: the newest finished one."""
    return _decoded(_one(
        db, "SELECT * FROM analyses WHERE iteration_id = ? AND status = 'done' ORDER BY id DESC LIMIT 1", [iteration_id]
    ))


def active_analysis(db: Database, iteration_id: int) -> dict | None:
    """The queued or running analysis of an iteration, if any (there is at most one)."""
    return _decoded(_one(
        db, "SELECT * FROM analyses WHERE iteration_id = ? AND status IN ('queued', 'running')", [iteration_id]
    ))


def recent_analyses(db: Database, iteration_id: int, limit: int = 5) -> list[dict]:
    """The last analyses of an iteration, newest first, with who started them."""
    rows = db.query(
        """SELECT a.*, u.name AS user_name FROM analyses a LEFT JOIN users u ON u.id = a.created_by
           WHERE a.iteration_id = ? ORDER BY a.id DESC LIMIT ?""",
        [iteration_id, limit],
    )
    return [_decoded(row) for row in rows]


# --- comments and their vectors ------------------------------------------------------------------


def iteration_comments(db: Database, iteration_id: int) -> list[dict]:
    """The visible comments of an iteration (already masked), in arrival order."""
    return list(db.query(
        """SELECT id, text, language, step_key, trial_id, source, updated_at FROM comments
           WHERE iteration_id = ? AND moderation = 'visible' ORDER BY id""",
        [iteration_id],
    ))


def comment_count(db: Database, iteration_id: int) -> int:
    """How many comments an analysis of the iteration would read."""
    return db.execute(
        "SELECT COUNT(*) FROM comments WHERE iteration_id = ? AND moderation = 'visible'", [iteration_id]
    ).fetchone()[0]


def vector_readiness(db: Database, iteration_id: int, model: str) -> tuple[int, int]:
    """(comments with an up-to-date vector of this model, visible comments) of an iteration."""
    row = db.execute(
        """SELECT COUNT(v.comment_id), COUNT(*) FROM comments c
           LEFT JOIN comment_vectors v ON v.comment_id = c.id AND v.model = ? AND v.comment_updated_at = c.updated_at
           WHERE c.iteration_id = ? AND c.moderation = 'visible'""",
        [model, iteration_id],
    ).fetchone()
    return int(row[0]), int(row[1])


def store_vector(db: Database, *, comment_id: int, vector: np.ndarray, model: str, comment_updated_at: str, now: str) -> None:
    """Keep one comment's embedding (float32 bytes), replacing an older one."""
    data = np.asarray(vector, dtype="<f4")
    db.execute(
        """INSERT INTO comment_vectors (comment_id, backend, model, dim, vector, comment_updated_at, created_at)
           VALUES (?, 'semantic', ?, ?, ?, ?, ?)
           ON CONFLICT (comment_id) DO UPDATE SET model = excluded.model, dim = excluded.dim, vector = excluded.vector,
             comment_updated_at = excluded.comment_updated_at, created_at = excluded.created_at""",
        [comment_id, model, int(data.shape[0]), data.tobytes(), comment_updated_at, now],
    )


def load_vectors(db: Database, comments: Sequence[Mapping], model: str) -> tuple[np.ndarray | None, int]:
    """The stored vectors of these comments in their order, or (None, how many are missing)."""
    if not comments:
        return np.zeros((0, 1), dtype=np.float32), 0
    found: dict[int, np.ndarray] = {}
    ids = [c["id"] for c in comments]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for row in db.query(
            f"SELECT comment_id, vector, comment_updated_at FROM comment_vectors WHERE model = ? AND comment_id IN ({placeholders(chunk)})",
            [model, *chunk],
        ):
            found[row["comment_id"]] = (np.frombuffer(row["vector"], dtype="<f4"), row["comment_updated_at"])
    missing = sum(1 for c in comments if c["id"] not in found or found[c["id"]][1] != c["updated_at"])
    if missing:
        return None, missing
    return np.vstack([found[c["id"]][0] for c in comments]).astype(np.float32), 0


# --- saving a clustering -------------------------------------------------------------------------


def insert_theme(
    db: Database, analysis_id: int, *, position: int, label: str, terms: Sequence[str] = (),
    term_weights: Mapping[str, float] | None = None, centroid: Sequence[float] | None = None,
    quote_ids: Sequence[int] = (), is_noise: bool = False, origin: str = "analysis", members: Iterable[int] = (),
) -> int:
    """Insert one theme and put its member comments in it."""
    theme_id = db["themes"].insert({
        "analysis_id": analysis_id, "position": position, "label": label, "terms": dumps(list(terms)),
        "term_weights": dumps(dict(term_weights or {})), "centroid": dumps(list(centroid)) if centroid is not None else None,
        "quote_ids": dumps(list(quote_ids)), "is_noise": int(is_noise), "origin": origin,
    }).last_pk
    db.conn.executemany(
        "INSERT INTO theme_members (theme_id, comment_id, analysis_id) VALUES (?, ?, ?)",
        [(theme_id, comment_id, analysis_id) for comment_id in members],
    )
    return theme_id


def quote_ids_for(quotes: Sequence[str], member_ids: Sequence[int], texts: Mapping[int, str]) -> list[int]:
    """The comment each quote was taken from (quotes are whitespace-normalised masked texts)."""
    by_text: dict[str, int] = {}
    for comment_id in member_ids:
        by_text.setdefault(normalise_text(texts[comment_id]), comment_id)
    chosen: list[int] = []
    for quote in quotes:
        comment_id = by_text.get(normalise_text(quote))
        if comment_id is None:  # the clustering masked the text again; masking is idempotent
            from analysis.themes.text import mask

            comment_id = next((c for c in member_ids if normalise_text(mask(texts[c])) == quote), None)
        if comment_id is not None and comment_id not in chosen:
            chosen.append(comment_id)
    return chosen


def distinct_quotes(member_ids: Iterable[int], texts: Mapping[int, str], *, exclude: Iterable[int] = (),
                    start: Sequence[int] = (), limit: int = N_QUOTES) -> list[int]:
    """Top `start` up to `limit` quotes with other members whose text differs from those chosen."""
    chosen = [c for c in start if c in texts][:limit]
    seen = {normalise_text(texts[c]).casefold() for c in chosen}
    skip = set(exclude)
    for comment_id in member_ids:
        if len(chosen) >= limit:
            break
        key = normalise_text(texts.get(comment_id, "")).casefold()
        if comment_id in skip or comment_id in chosen or not key or key in seen:
            continue
        chosen.append(comment_id)
        seen.add(key)
    return chosen


def save_themes(db: Database, analysis_id: int, comments: Sequence[Mapping], result: Any) -> list[int]:
    """Store a `ThemeResult` computed on `comments` (same order): themes, members, quotes, "Autres"."""
    ids = [c["id"] for c in comments]
    texts = {c["id"]: c["text"] for c in comments}
    made = []
    for theme in result.themes:
        member_ids = [ids[i] for i in theme.member_indices]
        made.append(insert_theme(
            db, analysis_id, position=theme.id, label=theme.label, terms=theme.terms, term_weights=theme.term_weights,
            centroid=theme.centroid, quote_ids=quote_ids_for(theme.quotes, member_ids, texts), members=member_ids,
        ))
    noise = [ids[i] for i, theme in enumerate(result.assignments) if theme is None]
    if noise:
        made.append(insert_theme(
            db, analysis_id, position=len(result.themes), label=NOISE_LABEL, is_noise=True, members=noise,
            quote_ids=distinct_quotes(noise, texts),
        ))
    return made


def noise_theme(db: Database, analysis_id: int, *, create: bool = False) -> int | None:
    """The "Autres" bucket of an analysis, created empty on demand."""
    row = _one(db, "SELECT id FROM themes WHERE analysis_id = ? AND is_noise = 1", [analysis_id])
    if row is not None or not create:
        return row["id"] if row else None
    position = db.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM themes WHERE analysis_id = ?", [analysis_id]).fetchone()[0]
    return insert_theme(db, analysis_id, position=position, label=NOISE_LABEL, is_noise=True)


# --- reading themes --------------------------------------------------------------------------------


def _theme_row(row: dict) -> dict:
    row["terms_"] = loads(row["terms"], [])
    row["term_weights_"] = loads(row["term_weights"], {})
    row["centroid_"] = loads(row["centroid"], None)
    row["quote_ids_"] = loads(row["quote_ids"], [])
    row["display_label"] = display_label(row)
    return row


def get_theme(db: Database, theme_id: int) -> dict | None:
    """One theme with its JSON columns decoded and its analysis' iteration."""
    row = _one(db, "SELECT t.*, a.iteration_id FROM themes t JOIN analyses a ON a.id = t.analysis_id WHERE t.id = ?", [theme_id])
    return _theme_row(row) if row else None


def theme_records(db: Database, analysis_id: int) -> list[dict]:
    """The stored themes of an analysis in their order ("Autres" last)."""
    return [_theme_row(row) for row in db.query(
        "SELECT t.*, a.iteration_id FROM themes t JOIN analyses a ON a.id = t.analysis_id WHERE t.analysis_id = ? "
        "ORDER BY t.is_noise, t.position, t.id", [analysis_id]
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


def comment_texts(db: Database, comment_ids: Iterable[int]) -> dict[int, str]:
    """Visible comments' (masked) texts by id; erased or hidden comments are simply absent."""
    ids = list(dict.fromkeys(comment_ids))
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update(db.execute(
            f"SELECT id, text FROM comments WHERE moderation = 'visible' AND id IN ({placeholders(chunk)})", chunk
        ).fetchall())
    return found


@lru_cache(maxsize=64)
def _step_titles(spec_yaml: str) -> dict[str, str]:
    """Step key → title of an iteration's spec (an iteration's spec is frozen once tested)."""
    from prototypes.spec import SpecError, parse_spec

    try:
        return {step.key: step.title for step in parse_spec(spec_yaml).steps}
    except SpecError:
        return {}


def theme_figures(db: Database, analysis_id: int) -> dict[int, dict]:
    """Live figures per theme: size, share, steps (titles, most frequent first), authors' figures."""
    figures: dict[int, dict] = {}
    # Comments hidden by moderation since the analysis no longer count anywhere.
    for theme_id, size in db.execute(
        """SELECT m.theme_id, COUNT(*) FROM theme_members m JOIN comments c ON c.id = m.comment_id
           WHERE m.analysis_id = ? AND c.moderation = 'visible' GROUP BY m.theme_id""", [analysis_id]
    ):
        figures[theme_id] = {"size": size, "steps": [], "authors": 0, "answered": 0,
                             "mean_satisfaction": None, "assisted_share": None}
    total = sum(f["size"] for f in figures.values())
    for f in figures.values():
        f["share"] = round(f["size"] / total, 4) if total else 0.0
    iteration = _one(db, "SELECT i.spec_yaml FROM analyses a JOIN iterations i ON i.id = a.iteration_id WHERE a.id = ?",
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
    """Stored themes with live figures and quote texts, largest first, "Autres" last; empty themes dropped."""
    figures = theme_figures(db, analysis_id)
    rows = [row for row in theme_records(db, analysis_id) if row["id"] in figures]
    texts = comment_texts(db, [q for row in rows for q in row["quote_ids_"]])
    for row in rows:
        row.update(figures[row["id"]])
        row["quotes"] = [(q, texts[q]) for q in row["quote_ids_"] if q in texts]
    rows.sort(key=lambda r: (r["is_noise"], -r["size"], r["position"], r["id"]))
    return rows


def theme_comments(db: Database, theme_id: int) -> list[dict]:
    """Every comment of a theme with its step and language, for curation."""
    return list(db.query(
        """SELECT c.id, c.text, c.step_key, c.language, c.source FROM theme_members m JOIN comments c ON c.id = m.comment_id
           WHERE m.theme_id = ? AND c.moderation = 'visible' ORDER BY c.id""",
        [theme_id],
    ))


# --- tracking across iterations --------------------------------------------------------------------


def _signatures(rows: Sequence[Mapping]) -> list[ThemeSignature]:
    return [ThemeSignature(id=row["id"], terms=row["term_weights_"], size=row["size"], centroid=row["centroid_"])
            for row in rows if not row["is_noise"]]


def retrack(db: Database, iteration_id: int) -> None:
    """Store the links of an iteration's shown themes to the previous iteration's (inside a write)."""
    analysis = latest_done(db, iteration_id)
    if analysis is None:
        return
    db.execute("DELETE FROM theme_links WHERE analysis_id IN (SELECT id FROM analyses WHERE iteration_id = ?)", [iteration_id])
    current = themes_with_figures(db, analysis["id"])
    iteration = get_iteration(db, iteration_id)
    previous_iteration_row = previous_iteration(db, iteration) if iteration else None
    before = latest_done(db, previous_iteration_row["id"]) if previous_iteration_row else None
    previous = themes_with_figures(db, before["id"]) if before else []
    rows = []
    for link in track_themes(_signatures(previous), _signatures(current)):
        rows.append((analysis["id"], link.status, link.current_id, link.previous_id, link.similarity))
    noise_now = next((row["id"] for row in current if row["is_noise"]), None)
    noise_before = next((row["id"] for row in previous if row["is_noise"]), None)
    if noise_now is not None:
        status = "persisting" if noise_before is not None else "new"
        rows.append((analysis["id"], status, noise_now, noise_before, None))
    db.conn.executemany(
        "INSERT INTO theme_links (analysis_id, status, theme_id, previous_theme_id, similarity) VALUES (?, ?, ?, ?, ?)", rows
    )


def retrack_around(db: Database, iteration_id: int) -> None:
    """An iteration's themes changed: its links, and the next iteration's, are computed again."""
    retrack(db, iteration_id)
    iteration = get_iteration(db, iteration_id)
    following = next_iteration(db, iteration) if iteration else None
    if following is not None:
        retrack(db, following["id"])


def links_of(db: Database, analysis_id: int) -> list[dict]:
    """The stored links of an analysis."""
    return list(db.query("SELECT * FROM theme_links WHERE analysis_id = ? ORDER BY id", [analysis_id]))


def compared_analysis(db: Database, iteration_id: int) -> dict | None:
    """The previous iteration's analysis this iteration's statuses are computed against, if any."""
    iteration = get_iteration(db, iteration_id)
    before = previous_iteration(db, iteration) if iteration else None
    return latest_done(db, before["id"]) if before else None


# --- finding a theme again -------------------------------------------------------------------------


def snapshot(db: Database, theme_id: int) -> dict:
    """What identifies a theme later, whatever its id: its members, terms and whether it is "Autres"."""
    theme = get_theme(db, theme_id)
    return {"members": member_ids(db, theme_id), "terms": theme["term_weights_"], "noise": bool(theme["is_noise"])}


def candidates(db: Database, analysis_id: int) -> list[dict]:
    """Themes of an analysis in the form `match_theme` compares."""
    members = members_by_theme(db, analysis_id)
    return [{"id": row["id"], "members": members.get(row["id"], set()), "terms": row["term_weights_"],
             "is_noise": bool(row["is_noise"])} for row in theme_records(db, analysis_id)]


def match_theme(snap: Mapping, pool: Sequence[Mapping], *, existing: set[int] | None = None,
                exclude: Iterable[int] = ()) -> int | None:
    """The theme of `pool` that continues a snapshot: most of its surviving members, else its terms.

    `existing` is the set of comments still analysed (erased or hidden ones are not expected
    anywhere). A theme holding fewer than half of them is not the same theme; when fewer than
    half of the snapshot's comments survive, only the terms can say it is the same theme.
    """
    skip = set(exclude)
    want_noise = bool(snap.get("noise"))
    pool = [c for c in pool if c["is_noise"] == want_noise and c["id"] not in skip]
    if not pool:
        return None
    if want_noise:
        return pool[0]["id"]
    before = set(snap.get("members") or ())
    old = before & existing if existing is not None else before
    # Most of its comments are gone (erased, hidden): the survivors do not make it the same theme.
    if old and len(old) >= MATCH_OVERLAP * len(before):
        def score(c: Mapping) -> tuple[int, float, int]:
            shared = len(old & c["members"])
            union = len(old | c["members"]) or 1
            return shared, shared / union, -c["id"]

        best = max(pool, key=score)
        return best["id"] if len(old & best["members"]) / len(old) >= MATCH_OVERLAP else None
    terms = snap.get("terms") or {}
    if not terms:
        return None
    wanted = ThemeSignature(id="snapshot", terms=terms, size=0)
    scored = [(theme_similarity(wanted, ThemeSignature(id=c["id"], terms=c["terms"], size=0)), c["id"]) for c in pool]
    similarity, best_id = max(scored, key=lambda s: (s[0], -s[1]))
    return best_id if similarity >= DEFAULT_THRESHOLD else None


def relink_actions(db: Database, iteration_id: int, analysis_id: int) -> int:
    """Make actions raised from an older analysis' themes point at the same themes of the new one."""
    links = list(db.query(
        """SELECT DISTINCT at.theme_id FROM action_themes at JOIN themes t ON t.id = at.theme_id
           JOIN analyses a ON a.id = t.analysis_id WHERE a.iteration_id = ? AND a.id <> ?""",
        [iteration_id, analysis_id],
    ))
    if not links:
        return 0
    pool = candidates(db, analysis_id)
    existing = set().union(*(c["members"] for c in pool)) if pool else set()
    moved = 0
    for link in links:
        target = match_theme(snapshot(db, link["theme_id"]), pool, existing=existing)
        if target is not None:
            label = display_label(get_theme(db, target))
            moved += db.execute("UPDATE action_themes SET theme_id = ?, theme_label = ? WHERE theme_id = ?",
                                [target, label, link["theme_id"]]).rowcount
    return moved


def drop_older_themes(db: Database, iteration_id: int, analysis_id: int) -> None:
    """Only the shown analysis keeps themes; earlier analyses keep their parameters as history."""
    older = "SELECT id FROM analyses WHERE iteration_id = ? AND id <> ?"
    db.execute(f"DELETE FROM theme_links WHERE analysis_id IN ({older})", [iteration_id, analysis_id])
    db.execute(f"DELETE FROM themes WHERE analysis_id IN ({older})", [iteration_id, analysis_id])


def delete_theme(db: Database, theme_id: int, *, label_if_gone: str | None = None) -> None:
    """Remove a theme; actions that answered it keep its name (or `label_if_gone`)."""
    if label_if_gone is not None:
        db.execute("UPDATE action_themes SET theme_label = ? WHERE theme_id = ?", [label_if_gone, theme_id])
    db.execute("DELETE FROM themes WHERE id = ?", [theme_id])


def set_label_snapshots(db: Database, theme_id: int) -> None:
    """Keep the name actions show for a theme in step with its current label."""
    theme = get_theme(db, theme_id)
    if theme is not None:
        db.execute("UPDATE action_themes SET theme_label = ? WHERE theme_id = ?", [theme["display_label"], theme_id])


# --- the contract the reports code against ------------------------------------------------------


def _view(row: Mapping, *, status: str, size_change: int | None) -> ThemeView:
    return ThemeView(
        id=row["id"], label=display_label(row), terms=list(row["terms_"]), size=row["size"], share=row["share"],
        quotes=[text for _id, text in row["quotes"]], steps=list(row["steps"]), mean_satisfaction=row["mean_satisfaction"],
        assisted_share=row["assisted_share"], status=status, size_change=size_change, is_noise=bool(row["is_noise"]),
    )


def tracked_themes(db: Database, iteration_id: int) -> tuple[list[tuple[dict, dict | None, str]], list[dict]]:
    """(current themes with their previous theme and status, resolved previous themes) of an iteration."""
    analysis = latest_done(db, iteration_id)
    if analysis is None:
        return [], []
    current = themes_with_figures(db, analysis["id"])
    links = links_of(db, analysis["id"])
    by_theme = {link["theme_id"]: link for link in links if link["theme_id"] is not None}
    resolved_ids = [link["previous_theme_id"] for link in links if link["status"] == "resolved"]
    wanted = set(resolved_ids) | {link["previous_theme_id"] for link in by_theme.values() if link["previous_theme_id"]}
    previous: dict[int, dict] = {}
    before = compared_analysis(db, iteration_id)
    if wanted and before is not None:
        previous = {row["id"]: row for row in themes_with_figures(db, before["id"]) if row["id"] in wanted}
    rows = []
    for row in current:
        link = by_theme.get(row["id"])
        earlier = previous.get(link["previous_theme_id"]) if link and link["previous_theme_id"] else None
        status = "persisting" if earlier is not None else "new"
        row["similarity"] = link["similarity"] if link else None
        rows.append((row, earlier, status))
    return rows, [previous[i] for i in resolved_ids if i in previous]


def iteration_themes(db: Database, iteration_id: int) -> list[ThemeView]:
    """The curated themes of the latest finished analysis, then v(N-1)'s resolved themes; [] when none."""
    current, resolved = tracked_themes(db, iteration_id)
    views = [
        _view(row, status=status, size_change=row["size"] - earlier["size"] if earlier is not None else None)
        for row, earlier, status in current
    ]
    for row in resolved:
        views.append(ThemeView(
            id=row["id"], label=display_label(row), terms=list(row["terms_"]), size=0, share=0.0,
            quotes=[text for _id, text in row["quotes"]], steps=list(row["steps"]), mean_satisfaction=None,
            assisted_share=None, status="resolved", size_change=-row["size"], is_noise=False,
        ))
    return views


def action_rows(db: Database, where: str, params: Sequence) -> list[dict]:
    """Redesign actions with their themes' current names, oldest first."""
    rows = list(db.query(
        f"""SELECT r.*, si.number AS source_number, di.number AS delivered_number
            FROM redesign_actions r JOIN iterations si ON si.id = r.source_iteration_id
            LEFT JOIN iterations di ON di.id = r.delivered_in_iteration_id WHERE {where} ORDER BY r.id""",
        list(params),
    ))
    if not rows:
        return rows
    ids = [row["id"] for row in rows]
    labels: dict[int, list[str]] = {}
    for link in db.query(
        f"""SELECT at.action_id, COALESCE(t.curated_label, t.label, at.theme_label) AS label, at.theme_id
            FROM action_themes at LEFT JOIN themes t ON t.id = at.theme_id
            WHERE at.action_id IN ({placeholders(ids)}) ORDER BY at.rowid""",
        ids,
    ):
        labels.setdefault(link["action_id"], []).append(link["label"])
    for row in rows:
        row["theme_labels"] = labels.get(row["id"], [])
    return rows


def _action_view(row: Mapping) -> ActionView:
    return ActionView(
        id=row["id"], title=row["title"], owner=row["owner"], status=row["status"], theme_labels=list(row["theme_labels"]),
        source_iteration_id=row["source_iteration_id"], delivered_in_iteration_id=row["delivered_in_iteration_id"],
    )


def delivered_actions(db: Database, iteration_id: int) -> list[ActionView]:
    """"Vous avez dit, nous avons fait": the actions this iteration delivers."""
    return [_action_view(row) for row in action_rows(db, "r.delivered_in_iteration_id = ?", [iteration_id])]


def planned_actions(db: Database, iteration_id: int) -> list[ActionView]:
    """The actions raised from this iteration's themes (dropped ones left out)."""
    return [_action_view(row) for row in action_rows(db, "r.source_iteration_id = ? AND r.status <> 'dropped'", [iteration_id])]
