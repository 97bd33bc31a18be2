"""Theme analysis jobs: queued by staff (or `lab analyse`), run by the background worker, rows in `analyses`.

A staff member queues a row in `analyses`; the worker's `QueuedAnalyses` task claims it
(`queued` → `running`), reports progress in the row (the page polls it), clusters the
iteration's comments with `analysis.themes.clustering.find_themes`, stores the themes, replays
the iteration's curations, re-links its redesign actions and tracks the themes against the
previous iteration, then marks it `done` (or `failed` with a message) in the same transaction
as the themes. The comments' languages and vectors are prepared beforehand by another task
(`analysis.themes.preparation`); the semantic analysis (the default) computes the vectors still
missing itself, and the lexical one stands in only when the encoder cannot run.

A restart is survived cleanly: at start-up a job left `running` by a previous server is marked
failed with a message and can be run again, and `queued` jobs are simply picked up.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace
from datetime import timedelta

from sqlite_utils import Database

from analysis.themes.analyses import active_analysis, get_analysis
from analysis.themes.comments import iteration_comments, load_vectors
from analysis.themes.erasure import refresh_after_erasure
from analysis.themes.links import retrack_around
from analysis.themes.matching import relink_actions
from analysis.themes.preparation import Progress, encode_missing, fill_languages
from analysis.themes.reading import theme_records
from analysis.themes.saving import drop_older_themes, save_themes
from analysis.themes.sql import dumps
from analysis.themes.vectors import semantic_model
from lab.clock import iso, utcnow
from lab.db import write
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
    db: Database, *, iteration_id: int, backend: str = "semantic", k: int | None = None, seed: int = DEFAULT_SEED,
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
    if active_analysis(db, iteration_id) is not None:
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
        _execute(db, get_analysis(db, analysis_id), on_progress)
    except AnalysisFailed as exc:
        _fail(db, analysis_id, exc.message)
    except Exception:
        log.exception("analysis %s failed", analysis_id)
        _fail(db, analysis_id, UNEXPECTED)
    return get_analysis(db, analysis_id)


def _execute(db: Database, analysis: dict, on_progress: Progress | None) -> None:
    from analysis.themes.clustering import find_themes

    analysis_id, iteration_id = analysis["id"], analysis["iteration_id"]
    _progress(db, analysis_id, 0.05, "Lecture des commentaires", on_progress)
    comments = iteration_comments(db, iteration_id)
    fill_languages(db, comments)
    _progress(db, analysis_id, 0.15, f"{len(comments)} commentaires lus, langue détectée", on_progress)
    backend, vectors = analysis["backend"], None
    if backend == "semantic" and comments:
        vectors = _vectors(db, analysis, comments, on_progress)
        if vectors is None:  # the encoder cannot run here: the lexical backend stands in
            backend = "tfidf"
    _progress(db, analysis_id, 0.3, "Regroupement des commentaires en thèmes", on_progress)
    result = find_themes([c["text"] for c in comments], backend=backend, k=analysis["k_requested"],
                         random_state=analysis["seed"], vectors=vectors, channels=[c["channel"] for c in comments])
    if backend != analysis["backend"]:
        result.params["backend_requested"] = analysis["backend"]
    _progress(db, analysis_id, 0.85, "Enregistrement des thèmes et reprise des retouches", on_progress)
    with write(db):
        save(db, analysis, comments, result)
    if on_progress is not None:
        on_progress(1.0, "Analyse terminée")


def _vectors(db: Database, analysis: dict, comments: list[dict], on_progress: Progress | None):
    """The comments' stored sentence vectors, the missing ones computed now; None when the encoder cannot run."""
    from analysis.themes.vectors import SemanticBackendUnavailable

    model = semantic_model()
    if model is None:
        return None
    vectors, _missing = load_vectors(db, comments, model)
    if vectors is None:
        def progress(value: float, message: str) -> None:
            _progress(db, analysis["id"], 0.15 + value * 2, message, on_progress)

        try:
            encode_missing(db, analysis["iteration_id"], model=model, on_progress=progress)
        except SemanticBackendUnavailable:
            return None
        vectors, _missing = load_vectors(db, comments, model)
    return vectors


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
    save_themes(db, analysis_id, kept_comments, result)
    if gone:
        refresh_after_erasure(db, [t["id"] for t in theme_records(db, analysis_id)], gone)
    from analysis.themes.curation import replay

    replayed = replay(db, analysis_id)
    relink_actions(db, iteration_id, analysis_id)
    drop_older_themes(db, iteration_id, analysis_id)
    params = dict(result.params)
    n_themes = sum(1 for t in theme_records(db, analysis_id) if not t["is_bucket"])
    message = f"Analyse terminée : {n_themes} thèmes" if comments else "Analyse terminée : aucun commentaire à analyser"
    db.execute(
        """UPDATE analyses SET status = 'done', progress = 1, message = ?, params = ?, replay = ?, finished_at = ?,
           heartbeat_at = ? WHERE id = ?""",
        [message, dumps(params), dumps(replayed), iso(utcnow()), iso(utcnow()), analysis_id],
    )
    retrack_around(db, iteration_id)


def _restricted(result, keep_index: dict[int, int]):
    """The same result on fewer comments (indices renumbered); quotes are re-checked when saved."""
    themes = [replace(t, member_indices=[keep_index[i] for i in t.member_indices if i in keep_index]) for t in result.themes]
    assignments = [None] * len(keep_index)
    for old, new in keep_index.items():
        assignments[new] = result.assignments[old]
    return replace(result, themes=themes, assignments=assignments)


def analyse_now(
    db: Database, *, iteration_id: int, backend: str = "semantic", k: int | None = None, seed: int = DEFAULT_SEED,
    user_id: int | None = None, runner: str = "cli", on_progress: Progress | None = None,
) -> dict:
    """Queue and run an analysis synchronously (CLI, demo); semantic vectors missing are computed by the job."""
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


# --- the worker's task -----------------------------------------------------------------------------


class QueuedAnalyses:
    """The worker's task for analyses staff started: the oldest queued one (they watch its progress bar)."""

    name = "theme analyses"

    def recover(self, db: Database) -> int:
        """Analyses a previous server left running are failed, with a message; older statuses are tracked again."""
        from analysis.themes.links import retrack_stale

        failed = recover_interrupted(db)
        with write(db):
            retrack_stale(db)
        return failed

    def run_once(self, db: Database) -> bool:
        """Run the oldest queued analysis to the end; False when none is queued."""
        queued = db.execute("SELECT id FROM analyses WHERE status = 'queued' ORDER BY id LIMIT 1").fetchone()
        if queued is None:
            return False
        run_analysis(db, queued[0])
        return True
