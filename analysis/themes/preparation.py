"""Comments prepared for analysis in the background: language detected, sentence vector stored.

Each new or edited comment gets its language detected and stored, and, when the optional
semantic encoder is installed, its sentence embedding computed once and stored in
`comment_vectors` (about 95 comments/s on 2 cores), so a semantic analysis only clusters.
`CommentPreparation` is the background worker's task for it; the CLI computes what an
iteration lacks at once (`encode_missing`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlite_utils import Database

from analysis.themes.comments import store_vector, vector_readiness
from analysis.themes.vectors import semantic_model
from lab.clock import iso, utcnow
from lab.db import write

log = logging.getLogger("servicelab.analysis")

Progress = Callable[[float, str], None]


def fill_languages(db: Database, comments: list[dict]) -> int:
    """Detect and store the language of comments that have none yet (fr/en)."""
    from analysis.themes.text import detect_language

    missing = [(detect_language(c["text"]), c["id"]) for c in comments if not c.get("language")]
    if missing:
        with write(db):
            db.conn.executemany("UPDATE comments SET language = ? WHERE id = ? AND language IS NULL", missing)
        languages = {comment_id: lang for lang, comment_id in missing}
        for c in comments:
            c["language"] = c.get("language") or languages.get(c["id"])
    return len(missing)


def _pending_sql(model: str | None) -> str:
    needs_vector = (
        "(c.moderation = 'visible' AND (v.comment_id IS NULL OR v.model <> :model OR v.comment_updated_at <> c.updated_at))"
        if model else "0"
    )
    return f"""SELECT c.id, c.text, c.language, c.updated_at, {needs_vector} AS needs_vector
               FROM comments c LEFT JOIN comment_vectors v ON v.comment_id = c.id
               WHERE (c.language IS NULL OR {needs_vector}) {{extra}} ORDER BY c.id LIMIT :limit"""


def process_comments(db: Database, *, limit: int = 32, model: str | None = None, iteration_id: int | None = None,
                     skip: set[int] | None = None, only: int | None = None) -> list[int]:
    """Detect languages and encode vectors for up to `limit` comments that need them; their ids."""
    extra = "AND c.iteration_id = :iteration" if iteration_id is not None else ""
    if skip:
        extra += f" AND c.id NOT IN ({','.join(str(int(i)) for i in skip)})"
    if only is not None:
        extra += f" AND c.id = {int(only)}"
    rows = list(db.query(_pending_sql(model).format(extra=extra), {"model": model, "limit": limit, "iteration": iteration_id}))
    if not rows:
        return []
    from analysis.themes.text import detect_language

    languages = [(detect_language(r["text"]), r["id"]) for r in rows if not r["language"]]
    to_encode = [r for r in rows if r["needs_vector"]]
    vectors = None
    if to_encode:
        from analysis.themes.vectors import encode

        vectors = encode([r["text"] for r in to_encode], masked=True)
    now = iso(utcnow())
    with write(db):
        db.conn.executemany("UPDATE comments SET language = ? WHERE id = ? AND language IS NULL", languages)
        for row, vector in zip(to_encode, vectors if vectors is not None else []):
            # The comment may have been erased meanwhile: store only for comments that still exist.
            if db.execute("SELECT 1 FROM comments WHERE id = ?", [row["id"]]).fetchone():
                store_vector(db, comment_id=row["id"], vector=vector, model=model, comment_updated_at=row["updated_at"], now=now)
    return [r["id"] for r in rows]


def encode_missing(db: Database, iteration_id: int, *, model: str, on_progress: Progress | None = None, batch: int = 64) -> int:
    """Compute now the vectors of `model` an iteration still lacks (the CLI does not wait for the worker)."""
    ready, total = vector_readiness(db, iteration_id, model)
    done = 0
    while ready + done < total:
        ids = process_comments(db, limit=batch, model=model, iteration_id=iteration_id)
        if not ids:
            break
        done += len(ids)
        if on_progress is not None:
            on_progress(min(done, total - ready) / max(total - ready, 1) * 0.05,
                        f"Vecteurs sémantiques : {min(ready + done, total)} sur {total}")
    return done


class CommentPreparation:
    """The worker's task: a batch of comments needing a language or a vector, after submissions (within limits)."""

    name = "comment languages and vectors"

    def __init__(self, *, batch_size: int = 32, encode_vectors: bool | None = None,
                 foreground_busy: Callable[[], bool] | None = None, max_wait_seconds: float = 60.0):
        self.batch_size = batch_size
        self.encode_vectors = encode_vectors
        self.foreground_busy = foreground_busy
        self.max_wait_seconds = max_wait_seconds
        self._waiting_since: float | None = None
        self._failed: set[int] = set()

    @property
    def model(self) -> str | None:
        """The encoder whose vectors are stored: None when vectors are off or the encoder is not installed."""
        if self.encode_vectors is False:
            return None
        return semantic_model()

    def recover(self, db: Database) -> int:
        """Nothing to recover: a batch interrupted by a restart is simply done again."""
        return 0

    def run_once(self, db: Database) -> bool:
        """Prepare one batch of comments; False when there is none, or while submissions pour in."""
        if self._yield_to_foreground():
            return False
        try:
            return bool(process_comments(db, limit=self.batch_size, model=self.model, skip=self._failed))
        except Exception:
            # One comment the encoder cannot read must not stop the others: retry the batch one by
            # one and leave aside (until the next restart) those that fail alone.
            log.exception("comment language/vector batch failed; retrying one by one")
            skip = ",".join(str(int(i)) for i in self._failed)
            pending = list(db.query(
                _pending_sql(self.model).format(extra=f"AND c.id NOT IN ({skip})" if skip else ""),
                {"model": self.model, "limit": self.batch_size},
            ))
            for row in pending:
                try:
                    process_comments(db, limit=1, model=self.model, only=row["id"])
                except Exception:
                    self._failed.add(row["id"])
            return True

    def _yield_to_foreground(self) -> bool:
        """Encoding comments can wait while submissions pour in (it would halve ingestion), but not forever."""
        if self.foreground_busy is None or not self.foreground_busy():
            self._waiting_since = None
            return False
        now = time.monotonic()
        if self._waiting_since is None:
            self._waiting_since = now
        if now - self._waiting_since < self.max_wait_seconds:
            return True
        self._waiting_since = None  # waited long enough: do one batch, then yield again
        return False
