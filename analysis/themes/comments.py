"""The comments an analysis reads (visible, already masked) and their stored sentence vectors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from sqlite_utils import Database

from lab.db import placeholders

#: Ids per IN clause, well under SQLite's limit on bound parameters.
CHUNK = 500


def iteration_comments(db: Database, iteration_id: int) -> list[dict]:
    """The visible comments of an iteration (already masked), in arrival order, with the channel they came by."""
    # The channel (online, assisted, kiosk, widget, import) is where boilerplate is learned: a
    # mediator's "Propos recueillis par téléphone :" belongs to the assisted channel.
    return list(db.query(
        """SELECT c.id, c.text, c.language, c.step_key, c.trial_id, c.source, c.updated_at,
                  COALESCE(t.channel, c.source) AS channel
           FROM comments c LEFT JOIN trials t ON t.id = c.trial_id
           WHERE c.iteration_id = ? AND c.moderation = 'visible' ORDER BY c.id""",
        [iteration_id],
    ))


def comment_count(db: Database, iteration_id: int) -> int:
    """How many comments an analysis of the iteration would read."""
    return db.execute(
        "SELECT COUNT(*) FROM comments WHERE iteration_id = ? AND moderation = 'visible'", [iteration_id]
    ).fetchone()[0]


def comment_texts(db: Database, comment_ids: Iterable[int]) -> dict[int, str]:
    """Visible comments' (masked) texts by id; erased or hidden comments are simply absent."""
    ids = list(dict.fromkeys(comment_ids))
    found: dict[int, str] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found.update(db.execute(
            f"SELECT id, text FROM comments WHERE moderation = 'visible' AND id IN ({placeholders(chunk)})", chunk
        ).fetchall())
    return found


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
    found: dict[int, tuple[np.ndarray, str]] = {}
    ids = [c["id"] for c in comments]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for row in db.query(
            f"SELECT comment_id, vector, comment_updated_at FROM comment_vectors WHERE model = ? AND comment_id IN ({placeholders(chunk)})",
            [model, *chunk],
        ):
            found[row["comment_id"]] = (np.frombuffer(row["vector"], dtype="<f4"), row["comment_updated_at"])
    missing = sum(1 for c in comments if c["id"] not in found or found[c["id"]][1] != c["updated_at"])
    if missing:
        return None, missing
    return np.vstack([found[c["id"]][0] for c in comments]).astype(np.float32), 0


def _stored_vectors(db: Database, comment_ids: Sequence[int], model: str) -> np.ndarray | None:
    """The up-to-date stored vectors of these comments in their order, or None when any is missing."""
    found: dict[int, np.ndarray] = {}
    for start in range(0, len(comment_ids), CHUNK):
        chunk = list(comment_ids[start : start + CHUNK])
        for comment_id, vector in db.execute(
            f"""SELECT v.comment_id, v.vector FROM comment_vectors v JOIN comments c ON c.id = v.comment_id
                WHERE v.model = ? AND v.comment_updated_at = c.updated_at AND v.comment_id IN ({placeholders(chunk)})""",
            [model, *chunk],
        ):
            found[comment_id] = np.frombuffer(vector, dtype="<f4")
    if len(found) < len(comment_ids):
        return None
    return np.vstack([found[i] for i in comment_ids]).astype(np.float32) if comment_ids else np.zeros((0, 1), np.float32)


def tracking_vectors(db: Database, previous_ids: Sequence[int], current_ids: Sequence[int]
                     ) -> tuple[np.ndarray, np.ndarray, str]:
    """Two iterations' comments in one space: their stored sentence vectors, else one lexical space fitted on both."""
    from analysis.themes.vectors import semantic_model, shared_lexical_space

    model = semantic_model()
    if model is not None:
        previous = _stored_vectors(db, previous_ids, model)
        current = _stored_vectors(db, current_ids, model) if previous is not None else None
        if previous is not None and current is not None:
            return previous, current, "semantic"
    texts = comment_texts(db, [*previous_ids, *current_ids])
    previous, current = shared_lexical_space([texts.get(i, "") for i in previous_ids], [texts.get(i, "") for i in current_ids])
    return previous, current, "tfidf"
