"""The citizen journey over HTTP: invitation link, consent, steps, questionnaire, thanks, own data.

Routes are thin: they check the participant's session, call `feedback.store`, and render a full
page for a plain request or the partial for htmx. Every form works without JavaScript (post,
redirect, get); with htmx the step form swaps in place and focus moves to the new heading or
to the error summary. No URL carries a trial or participant id: the cookie says whose data it
is, so one participant can never reach another's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from feedback import questionnaire as quest
from feedback import sessions, store
from feedback.access import InvitationHolder, Participant, end_person
from feedback.changes import Changes, changes_after
from feedback.contributions import export_participant
from feedback.erasure import erase_participant
from feedback.limits import check_link, check_submit
from feedback.pii import KIND_LABELS
from feedback.routes.pages import base_context, parsed_spec, set_participant_cookie
from feedback.sessions import KIOSK_COOKIE, PARTICIPANT_COOKIE, ParticipantSession
from lab import audit
from lab.access import Db, Visitor
from lab.campaigns.deployments import get_deployment, state
from lab.campaigns.invitations import InvitationUnavailable, consume_shared, resolve
from lab.clock import local_text, utcnow
from lab.db import write
from lab.errors import error_response
from lab.i18n import gettext as _
from lab.web import is_htmx, redirect, render
from prototypes.answers import FieldError, validate_step, visible_fields
from prototypes.spec import N_, Spec
from prototypes.store import get_iteration

router = APIRouter()

TITLES = {
    "invalid": N_("Lien non valide"),
    "exhausted": N_("Lien complet"),
    "not_open_yet": N_("Le test n'a pas encore commencé"),
    "closed": N_("Le test est terminé"),
    "quota_reached": N_("Le test est complet"),
}
STATUS = {"invalid": 404, "exhausted": 410, "not_open_yet": 403, "closed": 410, "quota_reached": 410}


@dataclass(frozen=True)
class Journey:
    """Everything a participant page needs: session, deployment, its state, the trial and its spec."""

    session: ParticipantSession
    deployment: dict
    state: str
    trial: dict | None
    iteration: dict
    spec: Spec
    open_step: str | None = None

    def step_url(self, index: int) -> str:
        return f"/take/etape/{self.spec.steps[index].key}"

    def step_index(self, key: str) -> int | None:
        return next((i for i, step in enumerate(self.spec.steps) if step.key == key), None)

    @property
    def current_index(self) -> int:
        """Where the person is: a step left unfinished (even after going back), else the first one to do."""
        last = len(self.spec.steps) - 1
        progress = min(self.trial["progress"], last) if self.trial else 0
        entered = self.step_index(self.open_step) if self.open_step else None
        return entered if entered is not None and entered <= progress else progress


def _journey(db, session: ParticipantSession, now: datetime) -> Journey | None:
    deployment = get_deployment(db, session.deployment_id)
    if deployment is None:
        return None
    trial = store.trial_of(db, deployment_id=deployment["id"], participant_id=session.participant_id)
    iteration_id = trial["iteration_id"] if trial else store.variant_for(deployment, session.participant_code)[1]
    iteration = get_iteration(db, iteration_id)
    open_step = store.open_step(db, trial["id"]) if trial else None
    return Journey(session, deployment, state(deployment, now), trial, iteration, parsed_spec(iteration["spec_yaml"]), open_step)


def _partial(request: Request) -> bool:
    """htmx asked for a fragment (a history restore after Back needs the whole page)."""
    return is_htmx(request) and request.headers.get("hx-history-restore-request") != "true"


def _lost(request: Request) -> Response:
    """No live session: a kiosk goes back to its welcome screen, anyone else gets a friendly page."""
    problem = getattr(request.state, "participant_problem", "none")
    if request.cookies.get(KIOSK_COOKIE):
        target = "/kiosque?inactif=1" if problem == "kiosk_idle" else "/kiosque"
        response = redirect(request, target)
        response.delete_cookie(PARTICIPANT_COOKIE, path="/")
        return response
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": "/take"})
    return render(request, "feedback/no_session.html", {**base_context(request, None), "problem": problem}, status_code=403)


def _journey_or_stop(
    request: Request, db, session: ParticipantSession | None, now: datetime, *, submitting: bool = False,
    gated: bool = False,
) -> Journey | Response:
    """The participant's journey, or the response that ends the request here.

    No live session (or its test is gone): the "lost" page. `submitting` applies the rate limit of
    form submissions; `gated` asks for a consented, unfinished trial in an open test (see `_gate`).
    """
    if session is None:
        return _lost(request)
    if submitting and (limited := check_submit(request, session.id)):
        return limited
    journey = _journey(db, session, now)
    if journey is None:
        return _lost(request)
    if gated and (gate := _gate(request, journey)):
        return gate
    return journey


def _unavailable(request: Request, reason: str, *, session=None, deployment=None, changes=None) -> Response:
    context = {
        **base_context(request, session),
        "reason": reason,
        "titles": {key: _(value) for key, value in TITLES.items()},
        "opens_at": local_text(deployment["opens_at"]) if deployment else "",
        "changes": changes,
    }
    return render(request, "feedback/unavailable.html", context, status_code=STATUS[reason])


def _changes(request: Request, db, journey: Journey) -> Changes | None:
    """What the version after the one tested changed, for the thanks and "test closed" pages."""
    return changes_after(db, journey.iteration, delivered_actions=request.app.state.delivered_actions)


def _kinds_text(kinds: list[str]) -> str:
    labels = [_(KIND_LABELS[kind]) for kind in kinds]
    if len(labels) <= 1:
        return "".join(labels)
    return _("%(first)s et %(last)s", first=", ".join(labels[:-1]), last=labels[-1])


# --- the invitation link ---------------------------------------------------------------------


@router.get("/t/{token}")
def open_link(request: Request, db: Db, _holder: InvitationHolder, token: str) -> Response:
    """Check the link, then trade it for an HttpOnly cookie by a redirect: the token leaves the address bar."""
    if limited := check_link(request, token):
        return limited
    settings = request.app.state.settings
    now = utcnow()
    found = resolve(db, token, now=now, secret_key=settings.secret_key)
    if found.status in ("unknown", "revoked", "expired"):
        return _unavailable(request, "invalid")  # one page, one status: never say whether a link exists
    invitation, deployment = found.invitation, found.deployment
    current = sessions.lookup(db, request.cookies.get(PARTICIPANT_COOKIE))
    current_ok = sessions.is_live(current, now) and current["channel"] == "online"
    if invitation["kind"] == "personal":
        participant = found.participant
        trial = store.trial_of(db, deployment_id=deployment["id"], participant_id=participant["id"])
        # Someone who already took part may always come back: to resume, see what changed, or erase.
        if found.status != "ok" and not (trial and found.status in ("closed", "quota_reached")):
            return _unavailable(request, found.status, deployment=deployment)
        if current_ok and current["participant_id"] == participant["id"]:
            return RedirectResponse("/take", status_code=303)
        with write(db):
            cookie = sessions.start(db, participant_id=participant["id"], deployment_id=deployment["id"],
                                    invitation_id=invitation["id"], channel="online", now=now)
    else:
        if current_ok and current["deployment_id"] == deployment["id"]:
            return RedirectResponse("/take", status_code=303)  # the same browser is not counted twice
        if found.status != "ok":
            return _unavailable(request, found.status, deployment=deployment)
        try:
            with write(db):
                participant = consume_shared(db, invitation_id=invitation["id"], now=now)
                cookie = sessions.start(db, participant_id=participant["id"], deployment_id=deployment["id"],
                                        invitation_id=invitation["id"], channel="online", now=now)
        except InvitationUnavailable as exc:
            return _unavailable(request, "invalid" if exc.status == "unknown" else exc.status, deployment=deployment)
    return set_participant_cookie(request, RedirectResponse("/take", status_code=303), cookie, "online")


# --- welcome and consent ---------------------------------------------------------------------


def _minutes(journey: Journey) -> int:
    options = journey.deployment["questionnaire"]
    base = journey.spec.duration_minutes or 2 * len(journey.spec.steps)
    return base + 2 + (2 if options.get("sus") else 0) + (1 if options.get("umux_lite") else 0)


def _welcome(request: Request, journey: Journey, *, error: str | None = None) -> Response:
    context = {
        **base_context(request, journey.session),
        "deployment": journey.deployment,
        "spec": journey.spec,
        "minutes": _minutes(journey),
        "idem": store.new_key(),
        "errors": [{"message": error, "anchor": "consent"}] if error else [],
        "field_errors": {"consent": error} if error else {},
    }
    return render(request, "feedback/welcome.html", context, status_code=422 if error else 200)


@router.get("/take")
def take(request: Request, db: Db, session: Participant) -> Response:
    """The participant's entry point: welcome and consent, or back to where they were."""
    journey = _journey_or_stop(request, db, session, utcnow())
    if isinstance(journey, Response):
        return journey
    trial = journey.trial
    if trial is None:
        if journey.state != "open":
            reason = "closed" if journey.state == "closed" else "not_open_yet"
            return _unavailable(request, reason, session=session, deployment=journey.deployment)
        return _welcome(request, journey)
    if trial["questionnaire_at"]:
        return RedirectResponse("/take/merci", status_code=303)
    if journey.state != "open":
        return _unavailable(request, "closed", session=session, deployment=journey.deployment,
                            changes=_changes(request, db, journey))
    if trial["completed_at"]:
        return RedirectResponse("/take/questionnaire", status_code=303)
    return RedirectResponse(journey.step_url(journey.current_index) + "?reprise=1", status_code=303)


@router.post("/take/consentement")
def consent(
    request: Request,
    db: Db,
    session: Participant,
    consent: Annotated[str, Form(max_length=10)] = "",
    idem: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Explicit consent (an unticked box ticked) starts the trial; nothing is recorded before."""
    now = utcnow()
    journey = _journey_or_stop(request, db, session, now, submitting=True)
    if isinstance(journey, Response):
        return journey
    if journey.trial is not None or journey.state != "open":
        return redirect(request, "/take")
    if consent != "oui":
        return _welcome(request, journey, error=_("Cochez la case pour donner votre accord et commencer le test."))
    key = store.clean_key(idem)
    first = journey.step_url(0)
    participant = db["participants"].get(session.participant_id)
    try:
        with write(db):
            earlier = store.claim(db, key=key, form="consent", participant_id=session.participant_id, now=now)
            if earlier is None:
                store.create_trial(
                    db, deployment=journey.deployment, participant=participant, channel=session.channel, now=now,
                    invitation_id=session.invitation_id, assisted_by=session.assisted_by,
                    assisted_via=session.assisted_via, idempotency_key=key,
                )
                store.settle(db, key, first)
    except store.TrialRefused as exc:
        if exc.reason == "exists":
            return redirect(request, "/take")
        return _unavailable(request, "quota_reached", session=session, deployment=journey.deployment)
    return redirect(request, first)


# --- the steps of the procedure --------------------------------------------------------------


def _gate(request: Request, journey: Journey) -> Response | None:
    """Steps and questionnaire need a consented, unfinished trial in an open test."""
    if journey.trial is None or journey.state != "open":
        return redirect(request, "/take")
    if journey.trial["questionnaire_at"]:
        return redirect(request, "/take/merci")
    return None


def _typed(form: dict[str, list]) -> dict[str, object]:
    """What was typed, to show again (files cannot be shown again)."""
    return {key: vals[0] if len(vals) == 1 else list(vals)
            for key, vals in form.items() if vals and all(isinstance(v, str) for v in vals)}


def _step_response(
    request: Request,
    journey: Journey,
    index: int,
    *,
    values: dict,
    comment: str = "",
    errors: list | None = None,
    kinds: list[str] | None = None,
    status: int = 200,
    resumed: bool = False,
    push: bool = False,
) -> Response:
    spec = journey.spec
    step = spec.steps[index]
    errors = errors or []
    kinds = kinds or []
    title = _("Étape %(n)s sur %(total)s : %(title)s", n=index + 1, total=len(spec.steps), title=step.title)
    if errors:
        title = _("Erreur : %(title)s", title=title)
    partial = _partial(request)
    context = {
        **base_context(request, journey.session),
        "spec": spec,
        "step": step,
        "index": index,
        "fields": visible_fields(step, values),
        "values": values,
        "errors": errors,
        "action": f"/take/etape/{step.key}",
        "back_url": journey.step_url(index - 1) if index else None,
        "idem": store.new_key(),
        "comment": comment,
        "comment_error": next((_(e.message).format(**e.params) for e in errors if e.field == "_commentaire"), None),
        "pii_kinds": kinds,
        "pii_text": _kinds_text(kinds),
        "page_title": title,
        "announce": _("Étape %(n)s sur %(total)s", n=index + 1, total=len(spec.steps)),
        "focus_heading": partial and not errors and not kinds,
        "resumed": resumed,
    }
    headers = {"HX-Push-Url": journey.step_url(index)} if push and partial else None
    return render(request, "feedback/step.html", context, partial="feedback/_step_swap.html" if partial else None,
                  status_code=status, headers=headers)


@router.get("/take/etape/{step_key}")
def step_page(request: Request, db: Db, session: Participant, step_key: str, reprise: int = 0) -> Response:
    """One step of the procedure, with the answers already given (going back keeps them)."""
    now = utcnow()
    journey = _journey_or_stop(request, db, session, now, gated=True)
    if isinstance(journey, Response):
        return journey
    index = journey.step_index(step_key)
    if index is None:
        return error_response(request, 404, _("Cette étape n'existe pas."))
    if index > journey.trial["progress"]:
        return RedirectResponse(journey.step_url(journey.current_index), status_code=303)
    with write(db):
        store.enter_step(db, journey.trial, step_key, now=now)
    return _step_response(
        request, journey, index, values=store.answers_of(db, journey.trial["id"]),
        comment=store.comment_of(db, journey.trial["id"], step_key), resumed=bool(reprise),
    )


@router.post("/take/etape/{step_key}")
async def step_submit(request: Request, db: Db, session: Participant, step_key: str) -> Response:
    """Validate a step; on success keep the answers and the comment and go on (once per form key)."""
    async with request.form() as form:  # closes the spooled files of uploads when done
        return await run_in_threadpool(_step_submit, request, db, session, step_key, form)


def _step_submit(request: Request, db, session: ParticipantSession | None, step_key: str, form: FormData) -> Response:
    now = utcnow()
    journey = _journey_or_stop(request, db, session, now, submitting=True, gated=True)
    if isinstance(journey, Response):
        return journey
    trial = journey.trial
    index = journey.step_index(step_key)
    if index is None:
        return error_response(request, 404, _("Cette étape n'existe pas."))
    if index > trial["progress"]:
        return redirect(request, journey.step_url(journey.current_index))
    step = journey.spec.steps[index]
    key = store.clean_key(str(form.get("idem", "")))
    submitted = {name[2:]: form.getlist(name) for name in form.keys() if name.startswith("f-")}
    comment = str(form.get("commentaire", "") or "")
    confirmed = form.get("pii_ok") == "1"
    so_far = store.answers_of(db, trial["id"])
    result = validate_step(step, submitted, so_far)
    errors = list(result.errors)
    if len(comment) > store.COMMENT_MAX:
        errors.append(FieldError("_commentaire", N_("Votre commentaire ne doit pas dépasser {max} caractères."),
                                 {"max": store.COMMENT_MAX}))
    kinds = store.kinds_in(comment)
    own = [f.key for f in step.fields if f.type != "info"]
    done = False
    target = journey.step_url(index + 1) if index + 1 < len(journey.spec.steps) else "/take/questionnaire"
    with write(db):
        earlier = store.claim(db, key=key, form=f"step:{step.key}", trial_id=trial["id"], now=now)
        if earlier is not None and earlier["outcome"]:
            target, done = earlier["outcome"], True  # a double click or a retry: already recorded
        elif errors:
            store.keep_answers(db, trial, step_key=step.key, values=result.values, now=now)
            if earlier is None:
                store.record_errors(db, trial, step.key, [e.field for e in errors], now=now)
        elif kinds and not confirmed:
            store.keep_answers(db, trial, step_key=step.key, values=result.values, now=now)
        else:
            store.save_step(db, trial, step_key=step.key, step_fields=own, index=index,
                            step_count=len(journey.spec.steps), values=result.values, now=now)
            store.save_comment(db, trial, step_key=step.key, text=comment, source="step", now=now)
            store.settle(db, key, target)
            done = True
    if not done:
        values = {k: v for k, v in so_far.items() if k not in own} | _typed(submitted) | result.values
        return _step_response(request, journey, index, values=values, comment=comment, errors=errors,
                              kinds=kinds, status=422 if errors else 200)
    next_index = journey.step_index(target.rsplit("/", 1)[-1]) if target.startswith("/take/etape/") else None
    if next_index is None or not _partial(request):
        return redirect(request, target)
    journey = _journey(db, session, now)
    with write(db):
        store.enter_step(db, journey.trial, journey.spec.steps[next_index].key, now=now)
    return _step_response(request, journey, next_index, values=store.answers_of(db, trial["id"]),
                          comment=store.comment_of(db, trial["id"], journey.spec.steps[next_index].key), push=True)


# --- questionnaire and thanks ----------------------------------------------------------------


def _questionnaire_response(
    request: Request, journey: Journey, *, values: dict, errors: list | None = None, kinds: list[str] | None = None,
    status: int = 200,
) -> Response:
    errors = errors or []
    kinds = kinds or []
    title = _("Votre avis sur cette démarche")
    context = {
        **base_context(request, journey.session),
        "spec": journey.spec,
        "sections": quest.sections(journey.deployment["questionnaire"]),
        "values": values,
        "errors": errors,
        "idem": store.new_key(),
        "comment": values.get("free_text", ""),
        "pii_kinds": kinds,
        "pii_text": _kinds_text(kinds),
        "back_url": journey.step_url(len(journey.spec.steps) - 1),
        "page_title": _("Erreur : %(title)s", title=title) if errors else title,
    }
    partial = "feedback/_questionnaire_swap.html" if _partial(request) else None
    return render(request, "feedback/questionnaire.html", context, partial=partial, status_code=status)


@router.get("/take/questionnaire")
def questionnaire_page(request: Request, db: Db, session: Participant) -> Response:
    """The end questionnaire, once every step is done."""
    now = utcnow()
    journey = _journey_or_stop(request, db, session, now, gated=True)
    if isinstance(journey, Response):
        return journey
    if not journey.trial["completed_at"]:
        return RedirectResponse(journey.step_url(journey.current_index), status_code=303)
    stored = store.responses_of(db, journey.trial["id"])
    values = {k: str(int(v)) for k, v in stored.items() if isinstance(v, float)}
    values["free_text"] = store.comment_of(db, journey.trial["id"], None)
    return _questionnaire_response(request, journey, values=values)


@router.post("/take/questionnaire")
async def questionnaire_submit(request: Request, db: Db, session: Participant) -> Response:
    """Record the questionnaire once; the free text is masked and stored as the overall comment."""
    async with request.form() as form:
        return await run_in_threadpool(_questionnaire_submit, request, db, session, form)


def _questionnaire_submit(request: Request, db, session: ParticipantSession | None, form: FormData) -> Response:
    now = utcnow()
    journey = _journey_or_stop(request, db, session, now, submitting=True, gated=True)
    if isinstance(journey, Response):
        return journey
    trial = journey.trial
    if not trial["completed_at"]:
        return redirect(request, journey.step_url(journey.current_index))
    submitted = {name[2:]: [str(v) for v in form.getlist(name)] for name in form.keys() if name.startswith("q-")}
    result = quest.validate(journey.deployment["questionnaire"], submitted)
    kinds = store.kinds_in(result.values["free_text"])
    confirmed = form.get("pii_ok") == "1"
    key = store.clean_key(str(form.get("idem", "")))
    done = False
    with write(db):
        earlier = store.claim(db, key=key, form="questionnaire", trial_id=trial["id"], now=now)
        if earlier is not None and earlier["outcome"]:
            done = True
        elif result.ok and (not kinds or confirmed):
            store.save_responses(db, trial, result.rows, now=now)
            store.save_comment(db, trial, step_key=None, text=result.values["free_text"], source="questionnaire", now=now)
            store.settle(db, key, "/take/merci")
            done = True
    if done:
        return redirect(request, "/take/merci")
    return _questionnaire_response(request, journey, values=result.values, errors=result.errors, kinds=kinds,
                                   status=422 if result.errors else 200)


@router.get("/take/merci")
def thanks(request: Request, db: Db, session: Participant) -> Response:
    """Thank-you page; later, the same link shows what changed thanks to the participant."""
    journey = _journey_or_stop(request, db, session, utcnow())
    if isinstance(journey, Response):
        return journey
    if journey.trial is None or not journey.trial["questionnaire_at"]:
        return RedirectResponse("/take", status_code=303)
    context = {**base_context(request, session), "spec": journey.spec, "changes": _changes(request, db, journey)}
    return render(request, "feedback/thanks.html", context)


# --- the participant's own data --------------------------------------------------------------


def _readable(value: object) -> str:
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, dict):
        return _("fichier « %(name)s » (non transmis)", name=value.get("filename", ""))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@router.get("/take/mes-donnees")
def my_data(request: Request, db: Db, session: Participant) -> Response:
    """What is kept about the participant, with download and erase."""
    journey = _journey_or_stop(request, db, session, utcnow())
    if isinstance(journey, Response):
        return journey
    trial = journey.trial
    answers, comments, responses = [], [], {}
    if trial:
        stored = store.answers_of(db, trial["id"])
        answers = [{"label": f.label, "value": _readable(stored[f.key])} for _s, f in journey.spec.iter_fields()
                   if f.key in stored]
        titles = {s.key: s.title for s in journey.spec.steps}
        for row in db.query("SELECT step_key, text FROM comments WHERE trial_id = ? ORDER BY id", [trial["id"]]):
            where = titles.get(row["step_key"], row["step_key"]) if row["step_key"] else _("avis final")
            comments.append({"where": where, "text": row["text"]})
        responses = store.responses_of(db, trial["id"])
    context = {**base_context(request, session), "trial": trial, "answers": answers, "comments": comments,
               "responses": responses, "state": journey.state}
    return render(request, "feedback/my_data.html", context)


@router.get("/take/mes-donnees.json")
def my_data_json(request: Request, db: Db, session: Participant) -> Response:
    """Everything kept about the participant as a JSON file (right of access and portability)."""
    if session is None:
        return _lost(request)
    body = json.dumps(export_participant(db, session.participant_id), ensure_ascii=False, indent=2)
    return Response(body, media_type="application/json; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="contributions-{session.participant_code}.json"'})


@router.get("/take/effacer")
def erase_confirm(request: Request, session: Participant) -> Response:
    """Ask before erasing: it cannot be undone."""
    if session is None:
        return _lost(request)
    return render(request, "feedback/erase_confirm.html", base_context(request, session))


@router.post("/take/effacer")
def erase(request: Request, db: Db, session: Participant) -> Response:
    """Withdraw consent: every contribution, the code and the links go, for good."""
    if session is None:
        return _lost(request)
    with write(db):
        counts = erase_participant(db, session.participant_id, hooks=request.app.state.forget_hooks)
        audit.record(db, user_id=session.assisted_by, action="participant.erase_self", object_type="participant",
                     object_id=session.participant_id, detail={"rows": sum(counts.values()), "channel": session.channel})
    return _leave_device(request, session, kiosk="/kiosque?efface=1", own="/take/efface")


@router.get("/take/efface")
def erased(request: Request, _visitor: Visitor) -> Response:
    """Confirmation after erasure (no session any more)."""
    return render(request, "feedback/left.html", {
        **base_context(request, None),
        "heading": _("Vos contributions ont été effacées"),
        "lines": [_("Toutes vos réponses, vos commentaires et votre code ont été supprimés définitivement."),
                  _("Merci de l'intérêt que vous avez porté à ce test.")],
    })


@router.post("/take/terminer")
def leave(request: Request, db: Db, session: Participant, motif: Annotated[str, Form(max_length=20)] = "") -> Response:
    """End the session on this device: the mediator's, the kiosk person's, or one's own on a shared computer."""
    now = utcnow()
    if session is None:
        return _lost(request)
    with write(db):
        row = sessions.lookup(db, request.cookies.get(PARTICIPANT_COOKIE))
        end_person(db, row, now=now)
    kiosk = "/kiosque?inactif=1" if motif == "inactivite" else "/kiosque?fini=1"
    return _leave_device(request, session, kiosk=kiosk, own="/take/au-revoir")


def _leave_device(request: Request, session, *, kiosk: str, own: str) -> Response:
    """Forget the participant on this device and send each kind of session where it belongs."""
    if session.kiosk:
        target = kiosk
    elif session.assisted:
        target = f"/lab/deployments/{session.deployment_id}"
    else:
        target = own
    response = redirect(request, target)
    response.delete_cookie(PARTICIPANT_COOKIE, path="/")
    return response


@router.get("/take/au-revoir")
def goodbye(request: Request, _visitor: Visitor) -> Response:
    """After leaving on a shared computer."""
    return render(request, "feedback/left.html", {
        **base_context(request, None),
        "heading": _("Vous avez quitté le test sur cet appareil"),
        "lines": [_("Vos réponses sont enregistrées. Pour reprendre, ouvrez à nouveau votre lien de participation.")],
    })


@router.post("/take/actif")
def still_here(request: Request, db: Db, session: Participant) -> Response:
    """The kiosk script's keep-alive while someone is typing without sending anything."""
    if session is None:
        return Response(status_code=403)
    sessions.touch(db, session.id, now=utcnow())
    return Response(status_code=204)
