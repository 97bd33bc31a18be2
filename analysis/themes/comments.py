"""The comments an analysis reads (visible, already masked) and their stored sentence vectors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from sqlite_utils import Database

from lab.db import placeholders

#: Ids per IN clause, well under SQLite's limit on bound parameters.
CHUNK = 500


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
