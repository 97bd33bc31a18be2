"""Staff screens of the theme analysis: start a job and watch it, read and curate themes, plan actions.

Everything lives under an iteration (`/lab/iterations/{iteration_id}/...`): the theme, comment or
action a form acts on travels in the form and is checked against the iteration's shown
analysis, so a stale page or a tampered id gets a clear refusal, never another iteration's data.
Staff only (`StaffUser`); managers read themes in the reports. Every form works without
JavaScript (post, redirect, get); htmx only polls the job's progress and swaps the analysis panel.
Routes are plain `def`: FastAPI runs them in its thread pool, and the clustering itself never
runs in a request (it is the background worker's job, see `analysis.themes.jobs`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from analysis.themes import actions as action_store
from analysis.themes import curation, jobs, reading
from analysis.themes.analyses import compared_analysis, get_analysis, latest_analysis, latest_done
from analysis.themes.comments import comment_count, vector_readiness
from analysis.themes.evidence import evidence
from analysis.themes.links import tracked_themes
from analysis.themes.tracking import TEST_LABELS, THEME_STATUS
from analysis.themes.vectors import semantic_model
from lab import audit
from lab.access import Db, StaffUser
from lab.db import write
from lab.errors import error_response
from lab.i18n import N_
from lab.i18n import gettext as _
from lab.web import Id, is_htmx, redirect, render
from prototypes.lookups import existing_iteration
from prototypes.store import get_prototype, next_iteration, previous_iteration

router = APIRouter(prefix="/lab/iterations/{iteration_id}")

SmallId = Annotated[str, Form(max_length=20)]
QueryId = Annotated[int | None, Query(ge=1, le=2**63 - 1)]
#: What a redirect after a successful form says (`?fait=...`): fixed texts, no user data in URLs.
DONE = {
    "analyse": N_("L'analyse a été lancée."),
    "termine": N_("L'analyse est terminée : voici ses thèmes."),
    "rename": N_("Le thème a été renommé."),
    "merge": N_("Les deux thèmes ont été fusionnés."),
    "split": N_("Le thème a été divisé."),
    "move": N_("Le commentaire a été déplacé."),
    "noise": N_("Le commentaire a été placé dans « Autres »."),
    "action": N_("L'action d'amélioration a été créée."),
    "status": N_("L'état de l'action a été mis à jour."),
}
BACKEND_LABELS = {"tfidf": N_("par mots (TF-IDF)"), "semantic": N_("par le sens (plongements multilingues)")}


def _semantic(db, iteration_id: int) -> dict:
    model = semantic_model()
    total = comment_count(db, iteration_id)
    ready = vector_readiness(db, iteration_id, model)[0] if model is not None else 0
    return {"ready": ready, "total": total}


def _panel(db, iteration: dict, *, form: dict | None = None, error: str | None = None) -> dict:
    """The analysis panel: the job being run (or the last one) and the form to start another."""
    latest = latest_analysis(db, iteration["id"])
    return {
        "iteration": iteration,
        "job": latest,
        "active": latest is not None and latest["status"] in ("queued", "running"),
        "comment_total": comment_count(db, iteration["id"]),
        "semantic": _semantic(db, iteration["id"]),
        "start_form": form or {"backend": "semantic", "k": ""},
        "start_error": error,
        "backend_labels": BACKEND_LABELS,
    }


def _page(request: Request, db, iteration: dict, *, form: dict | None = None, error: str | None = None,
          status_code: int = 200, partial: str | None = None, theme_errors: dict | None = None) -> Response:
    iteration_id = iteration["id"]
    shown = latest_done(db, iteration_id)
    current, previous = tracked_themes(db, iteration_id)
    before = previous_iteration(db, iteration)
    for row in previous:
        row["evidence"] = evidence(row["fate"], before=before["number"], now=iteration["number"], parts=row["parts"])
    actions = action_store.iteration_actions(db, iteration_id)
    context = {
        **_panel(db, iteration, form=form, error=error),
        "prototype": get_prototype(db, iteration["prototype_id"]),
        "shown": shown,
        "themes": current,
        "previous_themes": previous,
        "test_labels": TEST_LABELS,
        "previous_iteration": before,
        "compared": compared_analysis(db, iteration_id),
        "previous_comments": comment_count(db, before["id"]) if before else 0,
        "following": next_iteration(db, iteration),
        "actions": actions,
        "actions_by_theme": action_store.actions_by_theme(actions, db),
        "action_statuses": action_store.STATUS_LABELS,
        "status_labels": THEME_STATUS,
        "curations": curation.curation_count(db, iteration_id),
        "done": _(DONE[request.query_params["fait"]]) if request.query_params.get("fait") in DONE else None,
        "theme_errors": theme_errors or {},
        "split_sizes": curation.SPLIT_SIZES,
    }
    return render(request, "themes/themes.html", context, partial=partial, status_code=status_code)


def _themes_url(iteration_id: int, done: str, anchor: str = "") -> str:
    return f"/lab/iterations/{iteration_id}/themes?fait={done}" + (f"#{anchor}" if anchor else "")


# --- the themes page and the analysis job -----------------------------------------------------------


@router.get("/themes")
def themes_page(request: Request, db: Db, _staff: StaffUser, iteration_id: Id) -> Response:
    """An iteration's themes with their status against v(N-1), the analysis panel, curation and actions."""
    iteration = existing_iteration(db, iteration_id)
    return _page(request, db, iteration)


def _refused(request: Request, db, iteration: dict, form: dict, message: str) -> Response:
    """The analysis panel again, with the reason the analysis could not start."""
    return _page(request, db, iteration, form=form, error=message, status_code=422, partial="themes/_analysis_panel.html")


@router.post("/analyses")
def start_analysis(
    request: Request,
    db: Db,
    staff: StaffUser,
    iteration_id: Id,
    backend: Annotated[str, Form(max_length=20)] = "semantic",
    k: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Queue an analysis; the worker runs it. htmx gets the panel with the progress bar."""
    iteration = existing_iteration(db, iteration_id)
    form = {"backend": backend, "k": k}
    k_value = int(k.strip()) if k.strip().isdecimal() else None
    if k.strip() and not (k_value is not None and 2 <= k_value <= jobs.K_MAX):
        # Checked here too so the message can name the limit in the reader's language.
        return _refused(request, db, iteration, form, _(
            "Le nombre de thèmes doit être compris entre 2 et %(max)s, ou laissé vide pour un choix automatique.",
            max=jobs.K_MAX))
    try:
        with write(db):
            analysis_id = jobs.queue_analysis(db, iteration_id=iteration_id, backend=backend, k=k_value, user_id=staff.id)
            audit.record(db, user_id=staff.id, action="themes.analyse", object_type="iteration", object_id=iteration_id,
                         detail={"analysis_id": analysis_id, "backend": backend, "k": k_value})
    except jobs.AnalysisRefused as exc:
        return _refused(request, db, iteration, form, exc.text())
    request.app.state.worker.wake()
    if is_htmx(request):
        return render(request, "themes/_analysis_panel.html", _panel(db, iteration))
    return redirect(request, _themes_url(iteration_id, "analyse", "analyse"))


@router.get("/analyses/progress")
def analysis_progress(request: Request, db: Db, _staff: StaffUser, iteration_id: Id, analysis: QueryId = None) -> Response:
    """The job's progress (polled every second by htmx until it ends); the whole page otherwise."""
    iteration = existing_iteration(db, iteration_id)
    job = get_analysis(db, analysis) if analysis else latest_analysis(db, iteration_id)
    if job is None or job["iteration_id"] != iteration_id:
        return error_response(request, 404, _("Cette analyse n'existe pas."))
    if is_htmx(request):
        return render(request, "themes/_analysis_job.html", {"iteration": iteration, "job": job, "polled": True,
                                                                "backend_labels": BACKEND_LABELS})
    return _page(request, db, iteration)


# --- curation ----------------------------------------------------------------------------------------


def _curate(request: Request, db, staff, iteration_id: int, kind: str, call, anchor_of=None) -> Response:
    """Run one curation in a write with its audit entry; a refusal re-renders the page with the reason."""
    iteration = existing_iteration(db, iteration_id)
    try:
        with write(db):
            detail = call()
            audit.record(db, user_id=staff.id, action=f"themes.{kind}", object_type="iteration",
                         object_id=iteration_id, detail=detail)
    except curation.CurationError as exc:
        return _page(request, db, iteration, error=None, status_code=422,
                     theme_errors={"summary": _(exc.message)})
    anchor = anchor_of(detail) if anchor_of else ""
    return redirect(request, _themes_url(iteration_id, kind, anchor))


@router.post("/themes/rename")
def rename(request: Request, db: Db, staff: StaffUser, iteration_id: Id, theme_id: SmallId = "",
           label: Annotated[str, Form(max_length=500)] = "") -> Response:
    """Give a theme the team's own name (an empty name restores the automatic one)."""
    return _curate(request, db, staff, iteration_id, "rename",
                   lambda: curation.rename_theme(db, iteration_id=iteration_id, theme_id=theme_id, label=label, user_id=staff.id),
                   lambda d: f"theme-{d['theme_id']}")


@router.post("/themes/merge")
def merge(request: Request, db: Db, staff: StaffUser, iteration_id: Id, theme_id: SmallId = "",
          other_id: SmallId = "") -> Response:
    """Merge another theme into this one."""
    return _curate(request, db, staff, iteration_id, "merge",
                   lambda: curation.merge_themes(db, iteration_id=iteration_id, theme_id=theme_id, other_id=other_id,
                                                 user_id=staff.id),
                   lambda d: f"theme-{d['theme_id']}")


@router.post("/themes/split")
def split(request: Request, db: Db, staff: StaffUser, iteration_id: Id, theme_id: SmallId = "",
          parts: Annotated[str, Form(max_length=5)] = "") -> Response:
    """Cluster one theme's comments again into 2 to 4 themes."""
    k = int(parts) if parts.isdigit() else None
    if parts and k is None:
        k = -1  # refused by the store with a clear message
    return _curate(request, db, staff, iteration_id, "split",
                   lambda: curation.split_theme(db, iteration_id=iteration_id, theme_id=theme_id, k=k, user_id=staff.id),
                   lambda d: f"theme-{d['theme_id']}")


def _back_to_theme(db, iteration_id: int, back: str, done: str) -> str:
    """Back to the theme's comments after a move, unless the move emptied (and so removed) it."""
    if back.isdigit() and len(back) < 19 and reading.get_theme(db, int(back)) is not None:
        return f"/lab/iterations/{iteration_id}/themes/comments?theme={back}&fait={done}"
    return _themes_url(iteration_id, done)


@router.post("/themes/move")
def move(request: Request, db: Db, staff: StaffUser, iteration_id: Id, comment_id: SmallId = "",
         theme_id: SmallId = "", back: SmallId = "") -> Response:
    """Move one comment to another theme."""
    response = _curate(request, db, staff, iteration_id, "move",
                       lambda: curation.move_comment(db, iteration_id=iteration_id, comment_id=comment_id,
                                                     theme_id=theme_id, user_id=staff.id))
    if response.status_code in (204, 303):
        return redirect(request, _back_to_theme(db, iteration_id, back, "move"))
    return response


@router.post("/themes/noise")
def noise(request: Request, db: Db, staff: StaffUser, iteration_id: Id, comment_id: SmallId = "",
          back: SmallId = "") -> Response:
    """Put one comment in "Autres"."""
    response = _curate(request, db, staff, iteration_id, "noise",
                       lambda: curation.mark_noise(db, iteration_id=iteration_id, comment_id=comment_id, user_id=staff.id))
    if response.status_code in (204, 303):
        return redirect(request, _back_to_theme(db, iteration_id, back, "noise"))
    return response


@router.get("/themes/comments")
def theme_comments(request: Request, db: Db, _staff: StaffUser, iteration_id: Id, theme: QueryId = None) -> Response:
    """Every comment of one theme, each with the forms to move it or put it in "Autres"."""
    iteration = existing_iteration(db, iteration_id)
    shown = latest_done(db, iteration_id)
    row = reading.get_theme(db, theme) if theme and shown else None
    if row is None or row["analysis_id"] != shown["id"]:
        return error_response(request, 404, _("Ce thème n'existe plus : l'analyse a peut-être été relancée."))
    everything = reading.themes_with_figures(db, shown["id"])
    others = [t for t in everything if t["id"] != row["id"]]
    comments = reading.theme_comments(db, row["id"])
    done = request.query_params.get("fait")
    context = {
        "iteration": iteration,
        "prototype": get_prototype(db, iteration["prototype_id"]),
        "theme": row,
        "comments": comments,
        # The size every page shows (theme_figures): the comments listed here are exactly those it counts.
        "size": next((t["size"] for t in everything if t["id"] == row["id"]), 0),
        "others": others,
        "done": _(DONE[done]) if done in DONE else None,
    }
    return render(request, "themes/theme_comments.html", context)


# --- redesign actions ------------------------------------------------------------------------------


def _refusal(exc: action_store.ActionError) -> str:
    """Every reason an action change was refused, in the reader's language."""
    return " ".join(_(message) for _field, message in exc.problems)


@router.post("/actions")
def create_action(
    request: Request,
    db: Db,
    staff: StaffUser,
    iteration_id: Id,
    theme_id: SmallId = "",
    title: Annotated[str, Form(max_length=1000)] = "",
    owner: Annotated[str, Form(max_length=500)] = "",
    status: Annotated[str, Form(max_length=20)] = "planned",
    description: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Turn a theme into a redesign action aimed at the next iteration."""
    iteration = existing_iteration(db, iteration_id)
    form = action_store.ActionForm(title=title, owner=owner, status=status, description=description,
                                   theme_ids=(theme_id,) if theme_id else ())
    try:
        if not theme_id:
            raise action_store.ActionError([("themes", N_("Choisissez le thème auquel répond l'action."))])
        with write(db):
            action_id = action_store.create_action(db, iteration_id=iteration_id, form=form, user_id=staff.id)
            audit.record(db, user_id=staff.id, action="action.create", object_type="redesign_action", object_id=action_id,
                         detail={"iteration_id": iteration_id, "theme_id": theme_id, "status": status})
    except action_store.ActionError as exc:
        errors = {"summary": _refusal(exc), "theme_id": theme_id, "form": form}
        return _page(request, db, iteration, status_code=422, theme_errors=errors)
    return redirect(request, _themes_url(iteration_id, "action", "actions"))


def _audited_change(db, staff, kind: str, change, **logged) -> dict:
    """Change an action in a write with its audit entry; its ActionError reaches the route."""
    with write(db):
        detail = change()
        audit.record(db, user_id=staff.id, action=f"action.{kind}", object_type="redesign_action",
                     object_id=detail["action_id"], detail={**detail, **logged})
    return detail


@router.post("/actions/status")
def action_status(request: Request, db: Db, staff: StaffUser, iteration_id: Id, action_id: SmallId = "",
                  status: Annotated[str, Form(max_length=20)] = "") -> Response:
    """Move an action raised from this iteration to another state."""
    iteration = existing_iteration(db, iteration_id)
    try:
        _audited_change(db, staff, "status", lambda: action_store.set_status(
            db, iteration_id=iteration_id, action_id=action_id, status=status, user_id=staff.id))
    except action_store.ActionError as exc:
        return _page(request, db, iteration, status_code=422, theme_errors={"summary": _refusal(exc)})
    return redirect(request, _themes_url(iteration_id, "status", "actions"))


@router.post("/actions/deliver")
def action_deliver(request: Request, db: Db, staff: StaffUser, iteration_id: Id, action_id: SmallId = "",
                   delivered: Annotated[str, Form(max_length=5)] = "1") -> Response:
    """On iteration N+1's page: this version delivers (or no longer delivers) an action raised from N."""
    iteration = existing_iteration(db, iteration_id)
    try:
        detail = _audited_change(db, staff, "deliver", lambda: action_store.set_delivered(
            db, iteration_id=iteration_id, action_id=action_id, delivered=delivered == "1", user_id=staff.id),
            iteration_id=iteration_id)
    except action_store.ActionError as exc:
        return error_response(request, 422, _refusal(exc))
    if is_htmx(request):
        action = action_store.get_action(db, detail["action_id"])
        if not detail["delivered"]:
            note = _("« %(title)s » n'est plus marquée comme livrée.", title=action["title"])
        elif iteration["frozen_at"]:
            note = _("« %(title)s » est livrée dans v%(n)s.", title=action["title"], n=iteration["number"])
        else:
            note = _("« %(title)s » sera livrée avec v%(n)s, dès son déploiement.", title=action["title"], n=iteration["number"])
        return render(request, "themes/_theme_actions_delivered.html",
                      {"iteration": iteration, "section": delivered_section(db, iteration), "note": note})
    return redirect(request, f"/lab/iterations/{iteration_id}#actions-livrees")


# --- the iteration page's "vous avez dit, nous avons fait" section ------------------------------------


def delivered_section(db, iteration: dict) -> dict:
    """Context of the section the iteration page shows: actions of earlier versions it may deliver."""
    return {"actions": action_store.deliverable_actions(db, iteration)}


#: The iteration page's "vous avez dit, nous avons fait" section (listed by the shell).
DELIVERED_SECTION = ("themes/_theme_actions_delivered.html", delivered_section)
