"""Staff screens for prototypes: list, create, edit iterations, diff, preview."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from lab import audit
from lab.access import Db, StaffUser
from lab.db import write
from lab.errors import error_response
from lab.i18n import N_
from lab.i18n import gettext as _
from lab.web import Id, redirect, render
from prototypes import store
from prototypes.answers import validate_step
from prototypes.diff import diff_specs
from prototypes.spec_issues import SpecError
from prototypes.spec_reference import reference
from prototypes.spec_verdict import validation_verdict
from prototypes.spec_yaml import parse_spec
from prototypes.step_page import step_context

#: A preview step: -1 goes back before the first, up to 1000 steps.
StepIndex = Annotated[int, Path(ge=-1, le=1000)]

router = APIRouter()
#: Pages here read `app.state.iteration_trials(db, iteration_ids) -> {iteration_id: people who took part}`, given by
#: the shell from the layer that records trials: an iteration is "tested" only once someone took part.
#: An iteration is frozen when first deployed: citizens may already have seen it, as it stands.
FROZEN = N_("Cette itération a déjà été déployée auprès de participant·es : créez une nouvelle itération pour la modifier.")
#: Sections other packages add to an iteration's page, as (template, context builder(db, iteration));
#: the analysis package adds the redesign actions this iteration delivers. Prototypes import none of them.
MAX_SPEC_BYTES = 200 * 1024
STARTER_SPEC = """title: Titre de la démarche
domain: domaine
problem: Quel problème des habitants ce service doit-il résoudre ?
duration_minutes: 5
steps:
  - key: etape_1
    title: Première étape
    fields:
      - {key: champ_1, type: text, label: Votre réponse, required: true}
confirmation: Merci, votre demande a bien été enregistrée.
"""


def _editor(spec_yaml: str, changelog: str, status: dict | None = None) -> dict:
    """What the YAML editor shows: the text, the changelog, its validation and the format's reference panel."""
    return {"spec_yaml": spec_yaml, "changelog": changelog, "status": status, "reference": reference()}


def _spec_status(spec_yaml: str) -> dict:
    """Validate a spec for display: either its outline or its issues with lines."""
    try:
        spec = parse_spec(spec_yaml)
    except SpecError as exc:
        return {"ok": False, "issues": exc.issues}
    return {"ok": True, "spec": spec, "field_count": sum(len(s.fields) for s in spec.steps)}


def _iteration_or_404(db, iteration_id: Id) -> dict | None:
    return store.get_iteration(db, iteration_id)


async def _read_spec_upload(upload: UploadFile | None) -> str | None:
    """Read an uploaded YAML file, or None when no file was chosen."""
    if upload is None or not upload.filename:
        return None
    raw = await upload.read(MAX_SPEC_BYTES + 1)
    if len(raw) > MAX_SPEC_BYTES:
        raise SpecError.single(_("Le fichier dépasse 200 Ko : une description de prototype est bien plus courte."))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpecError.single(_("Le fichier doit être un texte YAML encodé en UTF-8.")) from None


@router.get("/lab/prototypes")
def prototype_list(request: Request, db: Db, _user: StaffUser) -> Response:
    """All prototypes with their latest iteration."""
    return render(request, "prototypes/list.html", {"prototypes": store.list_prototypes(db)})


@router.get("/lab/prototypes/new")
def prototype_new(request: Request, _user: StaffUser) -> Response:
    """A YAML editor with live validation, or a file upload."""
    return render(request, "prototypes/new.html", _editor(STARTER_SPEC, ""))


@router.post("/lab/specs/validate")
def spec_validate(
    request: Request, db: Db, _user: StaffUser, spec_yaml: Annotated[str, Form(max_length=MAX_SPEC_BYTES)] = "",
    iteration_id: Annotated[int | None, Form(ge=1, le=2**63 - 1)] = None,
) -> Response:
    """Live validation fragment for the editor (htmx, on every pause in typing), with the changes since the
    previous iteration when editing one (swapped out of band into the "Changements depuis vN" panel)."""
    status = _spec_status(spec_yaml)
    context: dict = {"status": status}
    iteration = store.get_iteration(db, iteration_id) if iteration_id else None
    previous = store.previous_iteration(db, iteration) if iteration else None
    if previous is not None:
        changes = diff_specs(store.spec_of(previous), status["spec"]) if status["ok"] else None
        context |= {"live_diff": True, "previous": previous, "changes": changes}
    return render(request, "prototypes/_spec_status.html", context)


@router.post("/api/v1/specs/validate", tags=["specs"])
async def spec_validate_api(request: Request, _user: StaffUser) -> JSONResponse:
    """Validate a YAML spec sent as the raw request body; issues name step, field and line."""
    body = await request.body()
    payload, status = await run_in_threadpool(validation_verdict, body)  # validation is CPU work: never on the event loop
    return JSONResponse(payload, status_code=status)


@router.post("/lab/prototypes")
async def prototype_create(
    request: Request,
    db: Db,
    user: StaffUser,
    spec_yaml: Annotated[str, Form(max_length=MAX_SPEC_BYTES)] = "",
    changelog: Annotated[str, Form(max_length=5000)] = "",
    spec_file: UploadFile | None = None,
) -> Response:
    """Create a prototype and its v1 from the editor or an uploaded file."""
    try:
        text = await _read_spec_upload(spec_file) or spec_yaml
        iteration_id = await run_in_threadpool(_create, db, user, text, changelog)  # validation is CPU work
    except SpecError as exc:
        context = _editor(spec_yaml, changelog, {"ok": False, "issues": exc.issues})
        return render(request, "prototypes/new.html", context, status_code=422)
    return redirect(request, f"/lab/iterations/{iteration_id}")


def _create(db, user, text: str, changelog: str) -> int:
    """Validate and store a new prototype with its v1, audited; its v1's id."""
    with write(db):
        prototype_id, iteration_id = store.create_prototype(
            db, spec_yaml=text, user_id=user.id, changelog=changelog or _("Première version.")
        )
        audit.record(db, user_id=user.id, action="prototype.create", object_type="prototype", object_id=prototype_id)
    return iteration_id


@router.get("/lab/prototypes/{prototype_id}")
def prototype_detail(request: Request, db: Db, _user: StaffUser, prototype_id: Id) -> Response:
    """A prototype's iterations, newest first, with their changelogs."""
    prototype = store.get_prototype(db, prototype_id)
    if prototype is None:
        return error_response(request, 404)
    iterations = store.list_iterations(db, prototype_id)
    tested = request.app.state.iteration_trials(db, [it["id"] for it in iterations])
    return render(request, "prototypes/detail.html",
                  {"prototype": prototype, "iterations": iterations[::-1], "tested": tested})


@router.post("/lab/prototypes/{prototype_id}/iterations")
def iteration_create(
    request: Request,
    db: Db,
    user: StaffUser,
    prototype_id: Id,
    changelog: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Start the next iteration as a copy of the latest one."""
    if store.get_prototype(db, prototype_id) is None:
        return error_response(request, 404)
    with write(db):
        iteration_id = store.new_iteration(db, prototype_id=prototype_id, user_id=user.id, changelog=changelog)
        audit.record(db, user_id=user.id, action="iteration.create", object_type="iteration", object_id=iteration_id)
    return redirect(request, f"/lab/iterations/{iteration_id}/edit")


def _iteration_context(request: Request, db, iteration: dict) -> dict:
    previous = store.previous_iteration(db, iteration)
    spec = store.spec_of(iteration)
    changes = diff_specs(store.spec_of(previous), spec) if previous else []
    return {
        "iteration": iteration,
        "tested": request.app.state.iteration_trials(db, [iteration["id"]]),
        "prototype": store.get_prototype(db, iteration["prototype_id"]),
        "spec": spec,
        "previous": previous,
        "changes": changes,
        "sections": [(template, build(db, iteration)) for template, build in request.app.state.iteration_sections],
    }


@router.get("/lab/iterations/{iteration_id}")
def iteration_detail(request: Request, db: Db, _user: StaffUser, iteration_id: Id) -> Response:
    """An iteration: outline, changelog and structural diff against the previous one."""
    iteration = _iteration_or_404(db, iteration_id)
    if iteration is None:
        return error_response(request, 404)
    return render(request, "prototypes/iteration.html", _iteration_context(request, db, iteration))


@router.get("/lab/iterations/{iteration_id}/spec.yaml")
def iteration_yaml(request: Request, db: Db, _user: StaffUser, iteration_id: Id) -> Response:
    """Download the spec exactly as written."""
    iteration = _iteration_or_404(db, iteration_id)
    if iteration is None:
        return error_response(request, 404)
    prototype = store.get_prototype(db, iteration["prototype_id"])
    filename = f"{prototype['slug']}-v{iteration['number']}.yaml"
    return Response(
        iteration["spec_yaml"],
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/lab/iterations/{iteration_id}/edit")
def iteration_edit(request: Request, db: Db, _user: StaffUser, iteration_id: Id) -> Response:
    """Edit a draft iteration's spec and changelog."""
    iteration = _iteration_or_404(db, iteration_id)
    if iteration is None:
        return error_response(request, 404)
    if iteration["frozen_at"]:
        return error_response(request, 409, _(FROZEN))
    context = _iteration_context(request, db, iteration) | _editor(iteration["spec_yaml"], iteration["changelog"])
    return render(request, "prototypes/edit.html", context)


@router.post("/lab/iterations/{iteration_id}")
def iteration_save(
    request: Request,
    db: Db,
    user: StaffUser,
    iteration_id: Id,
    spec_yaml: Annotated[str, Form(max_length=MAX_SPEC_BYTES)] = "",
    changelog: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Save a draft; a frozen iteration is refused with 409 and nothing is lost."""
    iteration = _iteration_or_404(db, iteration_id)
    if iteration is None:
        return error_response(request, 404)
    try:
        with write(db):
            store.update_iteration(db, iteration_id=iteration_id, spec_yaml=spec_yaml, changelog=changelog)
            audit.record(db, user_id=user.id, action="iteration.update", object_type="iteration", object_id=iteration_id)
    except store.IterationFrozen:
        return error_response(request, 409, _(FROZEN))
    except SpecError as exc:
        context = _iteration_context(request, db, iteration) | _editor(spec_yaml, changelog, {"ok": False, "issues": exc.issues})
        context["changes"] = None  # the text sent is not a spec yet: no changes to show
        return render(request, "prototypes/edit.html", context, status_code=422)
    return redirect(request, f"/lab/iterations/{iteration_id}")


def _preview(request: Request, db, iteration_id: Id, index: int, answers: dict, form: dict | None) -> Response:
    """Run the spec like the citizen journey does, storing nothing."""
    iteration = _iteration_or_404(db, iteration_id)
    if iteration is None:
        return error_response(request, 404)
    spec = store.spec_of(iteration)
    if index >= len(spec.steps):
        return render(request, "prototypes/preview_done.html", {"iteration": iteration, "spec": spec, "answers": answers})
    if index < 0:
        return error_response(request, 404)
    step = spec.steps[index]
    errors, values = [], dict(answers)
    if form is not None:
        result = validate_step(step, form, answers)
        errors = result.errors
        if not errors:
            return _preview(request, db, iteration_id, index + 1, answers | result.values, None)
        values |= {key: vals[0] if len(vals) == 1 else list(vals) for key, vals in form.items() if all(isinstance(v, str) for v in vals)}
    context = {
        "iteration": iteration,
        **step_context(spec, index, values=values, errors=errors, step_url=lambda i: f"/lab/iterations/{iteration_id}/preview/{i}"),
        "answers_json": json.dumps(answers, ensure_ascii=False),
    }
    return render(request, "prototypes/preview.html", context, partial="prototypes/_step.html", status_code=422 if errors else 200)


@router.get("/lab/iterations/{iteration_id}/preview/{index}")
def iteration_preview(request: Request, db: Db, _user: StaffUser, iteration_id: Id,
                      index: StepIndex) -> Response:
    """Show one step as citizens will see it."""
    return _preview(request, db, iteration_id, index, {}, None)


@router.post("/lab/iterations/{iteration_id}/preview/{index}")
async def iteration_preview_submit(request: Request, db: Db, _user: StaffUser, iteration_id: Id,
                                   index: StepIndex) -> Response:
    """Validate a preview step like the real journey and move on; answers live only in the page."""
    async with request.form() as submitted:  # closes the spooled files of uploads when done
        try:
            answers = json.loads(str(submitted.get("preview_answers", "{}")))
        except json.JSONDecodeError:
            answers = {}
        form = {key[2:]: submitted.getlist(key) for key in submitted if key.startswith("f-")}
        return await run_in_threadpool(_preview, request, db, iteration_id, index,
                                       answers if isinstance(answers, dict) else {}, form)
