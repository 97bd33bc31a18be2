"""The citizen journey over HTTP: invitation link, consent, steps, questionnaire, thanks.

Routes are thin: they check the participant's session, ask `feedback.journey` what the rules
allow, carry that out with `feedback.store`, and render a full page for a plain request or the
partial for htmx. Every form works without JavaScript (post, redirect, get); with htmx the step
form swaps in place and focus moves to the new heading or to the error summary. No URL carries a
trial or participant id: the cookie says whose data it is, so one participant can never reach
another's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from feedback import journey as rules
from feedback import questionnaire as quest
from feedback import sessions, store
from feedback.access import InvitationHolder, Participant
from feedback.changes import Changes, changes_after
from feedback.limits import check_link, check_submit
from feedback.mail_consent import offer, remember_language
from feedback.pii import KIND_LABELS, PLACEHOLDERS, scan
from feedback.routes.pages import Journey, base_context, journey_or_stop, load_journey, parsed_spec, set_participant_cookie
from feedback.sessions import INVITATION_COOKIE, PARTICIPANT_COOKIE, ParticipantSession, cookie_options
from lab.access import Db
from lab.campaigns.groups import get_participant
from lab.campaigns.invitations import InvitationUnavailable, Resolution, consume_shared, resolve, shared_link
from lab.clock import local_text, utcnow
from lab.db import write
from lab.errors import error_response
from lab.i18n import N_, and_list, current_locale
from lab.i18n import gettext as _
from lab.web import form_problems, is_htmx, redirect, render, secure_cookies
from prototypes.answers import FieldError, validate_step
from prototypes.readable import recap
from prototypes.spec import Spec
from prototypes.step_page import step_context
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


def _partial(request: Request) -> bool:
    """htmx asked for a fragment (a history restore after Back needs the whole page)."""
    return is_htmx(request) and request.headers.get("hx-history-restore-request") != "true"


def _elsewhere(request: Request, decision: rules.Go | rules.NoSuchStep, *, posted: bool) -> Response:
    """Carry out a refusal of the rules: a missing step, or a redirect (a GET's 303 survives an htmx history restore)."""
    if isinstance(decision, rules.NoSuchStep):
        return error_response(request, 404, _("Cette étape n'existe pas."))
    return redirect(request, decision.url) if posted else RedirectResponse(decision.url, status_code=303)


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


def _personal_data(kinds: tuple[str, ...]) -> dict:
    """What the warning before storing says: the kinds found, and the very placeholders that will replace them."""
    return {"pii_kinds": kinds, "pii_text": and_list([_(KIND_LABELS[kind]) for kind in kinds]),
            "pii_placeholders": and_list([PLACEHOLDERS[kind] for kind in kinds])}


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
        # Nothing is counted or created before consent: mail scanners and chat previews open links too.
        response = RedirectResponse("/take", status_code=303)
        response.set_cookie(**cookie_options(
            INVITATION_COOKIE, sessions.invitation_pass(settings.secret_key, invitation["id"], now=now),
            secure=secure_cookies(request), max_age=int(sessions.INVITATION_PASS_LIFETIME.total_seconds())))
        return response
    return set_participant_cookie(request, RedirectResponse("/take", status_code=303), cookie, "online")


def _opened_shared_link(request: Request, db, now) -> Resolution | None:
    """The shared link this browser opened and has not consented through yet, if it still leads somewhere."""
    invitation_id = sessions.read_invitation_pass(request.app.state.settings.secret_key,
                                                  request.cookies.get(INVITATION_COOKIE), now=now)
    return shared_link(db, invitation_id, now=now) if invitation_id is not None else None


# --- welcome and consent ---------------------------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    """Someone who opened a shared link and has not consented yet: no participant, no session."""

    link: Resolution
    spec: Spec
    session: None = None

    @property
    def deployment(self) -> dict:
        return self.link.deployment


def _arrival(link: Resolution, db) -> Arrival:
    """The welcome shows the tested iteration (the first variant's: the variant is drawn at consent)."""
    return Arrival(link, parsed_spec(get_iteration(db, link.deployment["variants"][0]["iteration_id"])["spec_yaml"]))


def _minutes(journey: Journey | Arrival) -> int:
    options = journey.deployment["questionnaire"]
    base = journey.spec.duration_minutes or 2 * len(journey.spec.steps)
    return base + 2 + (2 if options.get("sus") else 0) + (1 if options.get("umux_lite") else 0)


def _welcome(request: Request, journey: Journey | Arrival, *, error: str | None = None) -> Response:
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
    link = _opened_shared_link(request, db, utcnow())
    if link is not None:
        if link.status != "ok":
            return _unavailable(request, "invalid" if link.status == "unknown" else link.status, deployment=link.deployment)
        return _welcome(request, _arrival(link, db))
    journey = journey_or_stop(request, db, session, utcnow())
    if isinstance(journey, Response):
        return journey
    decision = rules.entry(journey.position)
    if isinstance(decision, rules.Unavailable):
        changes = _changes(request, db, journey) if decision.changes else None
        return _unavailable(request, decision.reason, session=session, deployment=journey.deployment, changes=changes)
    if isinstance(decision, rules.Show):
        return _welcome(request, journey)
    return _elsewhere(request, decision, posted=False)


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
    link = _opened_shared_link(request, db, now)
    if link is not None:
        return _consent_through_shared_link(request, db, link, agreed=consent == "oui", idem=idem, now=now)
    journey = journey_or_stop(request, db, session, now, submitting=True)
    if isinstance(journey, Response):
        return journey
    decision = rules.consent(journey.position, agreed=consent == "oui")
    if isinstance(decision, rules.AskAgain):
        return _welcome(request, journey, error=_("Cochez la case pour donner votre accord et commencer le test."))
    if isinstance(decision, rules.Go):
        return redirect(request, decision.url)
    key = store.clean_key(idem)
    participant = get_participant(db, session.participant_id)
    try:
        with write(db):
            earlier = store.claim(db, key=key, form="consent", participant_id=session.participant_id, now=now)
            if earlier is None:
                store.create_trial(
                    db, deployment=journey.deployment, participant=participant, channel=session.channel, now=now,
                    invitation_id=session.invitation_id, assisted_by=session.assisted_by,
                    assisted_via=session.assisted_via, idempotency_key=key,
                )
                remember_language(db, participant_id=participant["id"], language=current_locale.get(), now=now)
                store.settle(db, key, decision.then.url)
    except store.TrialRefused as exc:
        if exc.reason == "exists":
            return redirect(request, rules.ENTRY)
        return _unavailable(request, "quota_reached", session=session, deployment=journey.deployment)
    return redirect(request, decision.then.url)


def _consent_through_shared_link(request: Request, db, link: Resolution, *, agreed: bool, idem: str, now) -> Response:
    """Consent is where a shared link admits someone: the use is counted, the participant and the trial made."""
    if limited := check_submit(request, None):
        return limited
    if link.status != "ok":
        return _unavailable(request, "invalid" if link.status == "unknown" else link.status, deployment=link.deployment)
    arrival = _arrival(link, db)
    if not agreed:
        return _welcome(request, arrival, error=_("Cochez la case pour donner votre accord et commencer le test."))
    key = store.clean_key(idem)
    try:
        with write(db):
            if store.claim(db, key=key, form="consent-shared", now=now) is not None:
                return redirect(request, rules.ENTRY)  # a double click: the first request admitted them
            participant = consume_shared(db, invitation_id=link.invitation["id"], now=now)
            token = sessions.start(db, participant_id=participant["id"], deployment_id=link.deployment["id"],
                                   invitation_id=link.invitation["id"], channel="online", now=now)
            trial = store.create_trial(db, deployment=link.deployment, participant=participant, channel="online", now=now,
                                       invitation_id=link.invitation["id"], idempotency_key=key)
            remember_language(db, participant_id=participant["id"], language=current_locale.get(), now=now)
            first = rules.STEP + parsed_spec(get_iteration(db, trial["iteration_id"])["spec_yaml"]).steps[0].key
            store.settle(db, key, first)
    except InvitationUnavailable as exc:
        return _unavailable(request, "invalid" if exc.status == "unknown" else exc.status, deployment=link.deployment)
    response = set_participant_cookie(request, redirect(request, first), token, "online")
    response.delete_cookie(INVITATION_COOKIE, path="/")
    return response


# --- the steps of the procedure --------------------------------------------------------------


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
    kinds: tuple[str, ...] = (),
    status: int = 200,
    resumed: bool = False,
    push: bool = False,
) -> Response:
    spec = journey.spec
    step = spec.steps[index]
    errors = errors or []
    title = _("Étape %(n)s sur %(total)s : %(title)s", n=index + 1, total=len(spec.steps), title=step.title)
    if errors:
        title = _("Erreur : %(title)s", title=title)
    partial = _partial(request)
    context = {
        **base_context(request, journey.session),
        **step_context(spec, index, values=values, errors=errors, step_url=journey.position.step_url),
        "idem": store.new_key(),
        "comment": comment,
        "comment_error": next((_(e.message).format(**e.params) for e in errors if e.field == "_commentaire"), None),
        **_personal_data(kinds),
        "page_title": title,
        "announce": _("Étape %(n)s sur %(total)s", n=index + 1, total=len(spec.steps)),
        "focus_heading": partial and not errors and not kinds,
        "resumed": resumed,
    }
    headers = {"HX-Push-Url": journey.position.step_url(index)} if push and partial else None
    return render(request, "feedback/step.html", context, partial="feedback/_step_swap.html" if partial else None,
                  status_code=status, headers=headers)


@router.get("/take/etape/{step_key}")
def step_page(request: Request, db: Db, session: Participant, step_key: str, reprise: int = 0) -> Response:
    """One step of the procedure, with the answers already given (going back keeps them)."""
    now = utcnow()
    journey = journey_or_stop(request, db, session, now)
    if isinstance(journey, Response):
        return journey
    decision = rules.step(journey.position, step_key)
    if not isinstance(decision, rules.Show):
        return _elsewhere(request, decision, posted=False)
    with write(db):
        store.enter_step(db, journey.trial, step_key, now=now)
    return _step_response(
        request, journey, decision.index, values=store.answers_of(db, journey.trial["id"]),
        comment=store.comment_of(db, journey.trial["id"], step_key), resumed=bool(reprise),
    )


@router.post("/take/etape/{step_key}")
async def step_submit(request: Request, db: Db, session: Participant, step_key: str) -> Response:
    """Validate a step; on success keep the answers and the comment and go on (once per form key)."""
    async with request.form() as form:  # closes the spooled files of uploads when done
        return await run_in_threadpool(_step_submit, request, db, session, step_key, form)


def _step_submit(request: Request, db, session: ParticipantSession | None, step_key: str, form: FormData) -> Response:
    now = utcnow()
    journey = journey_or_stop(request, db, session, now, submitting=True)
    if isinstance(journey, Response):
        return journey
    allowed = rules.step(journey.position, step_key)
    if not isinstance(allowed, rules.Show):
        return _elsewhere(request, allowed, posted=True)
    trial, index = journey.trial, allowed.index
    step = journey.spec.steps[index]
    key = store.clean_key(str(form.get("idem", "")))
    submitted = {name[2:]: form.getlist(name) for name in form if name.startswith("f-")}
    text = str(form.get("commentaire", "") or "")
    so_far = store.answers_of(db, trial["id"])
    result = validate_step(step, submitted, so_far)
    errors = list(result.errors)
    if len(text) > store.COMMENT_MAX:
        errors.append(FieldError("_commentaire", N_("Votre commentaire ne doit pas dépasser {max} caractères."),
                                 {"max": store.COMMENT_MAX}, N_("Un commentaire sur cette étape ?")))
    comment = scan(text)
    own = [f.key for f in step.fields if f.type != "info"]
    with write(db):
        earlier = store.claim(db, key=key, form=f"step:{step.key}", trial_id=trial["id"], now=now)
        decision = rules.step_sent(
            journey.position, index, settled=earlier["outcome"] if earlier else None, first_try=earlier is None,
            invalid=bool(errors), personal_data=bool(comment.kinds), confirmed=form.get("pii_ok") == "1",
        )
        if isinstance(decision, rules.AskAgain):
            store.keep_answers(db, trial, step_key=step.key, values=result.values, now=now)
            if decision.count_errors:
                store.record_errors(db, trial, step.key, [e.field for e in errors], now=now)
        elif isinstance(decision, rules.Save):
            store.save_step(db, trial, step_key=step.key, step_fields=own, index=index,
                            step_count=len(journey.spec.steps), values=result.values, now=now)
            store.save_comment(db, trial, step_key=step.key, comment=comment, source="step", now=now)
            store.settle(db, key, decision.then.url)
    if isinstance(decision, rules.AskAgain):
        values = {k: v for k, v in so_far.items() if k not in own} | _typed(submitted) | result.values
        return _step_response(request, journey, index, values=values, comment=text, errors=errors,
                              kinds=comment.kinds, status=422 if decision.errors else 200)
    go = decision.then if isinstance(decision, rules.Save) else decision
    if go.step is None or not _partial(request):
        return redirect(request, go.url)
    journey = load_journey(db, session, now)
    next_key = journey.spec.steps[go.step].key
    with write(db):
        store.enter_step(db, journey.trial, next_key, now=now)
    return _step_response(request, journey, go.step, values=store.answers_of(db, trial["id"]),
                          comment=store.comment_of(db, trial["id"], next_key), push=True)


# --- questionnaire and thanks ----------------------------------------------------------------

#: A questionnaire page after the first, as its address numbers it (/take/questionnaire/2).
LaterPage = Annotated[int, PathParam(ge=2, le=20)]


def _questionnaire_response(
    request: Request, journey: Journey, index: int, *, values: dict, answers: dict, errors: list | None = None,
    kinds: tuple[str, ...] = (), status: int = 200,
) -> Response:
    """A questionnaire page; the first confirms the procedure with a recap of the answers, as a real one would."""
    errors = errors or []
    pages = quest.pages(journey.deployment["questionnaire"])
    page = pages[index]
    title = _(page.title)
    if len(pages) > 1:
        title = _("%(title)s (page %(n)s sur %(total)s)", title=title, n=index + 1, total=len(pages))
    context = {
        **base_context(request, journey.session),
        "spec": journey.spec,
        "page": page,
        "index": index,
        "page_count": len(pages),
        "action": rules.questionnaire_url(index),
        "values": values,
        "errors": errors,
        "idem": store.new_key(),
        "comment": values.get("free_text", ""),
        **_personal_data(kinds),
        "back_url": rules.questionnaire_url(index - 1) if index else journey.position.step_url(len(journey.spec.steps) - 1),
        "page_title": _("Erreur : %(title)s", title=title) if errors else title,
        "recap": recap(journey.spec, answers) if index == 0 else [],
    }
    partial = "feedback/_questionnaire_swap.html" if _partial(request) else None
    return render(request, "feedback/questionnaire.html", context, partial=partial, status_code=status)


def _questionnaire_page(request: Request, db, session: ParticipantSession | None, index: int) -> Response:
    journey = journey_or_stop(request, db, session, utcnow())
    if isinstance(journey, Response):
        return journey
    decision = rules.questionnaire(journey.position, index)
    if not isinstance(decision, rules.Show):
        return _elsewhere(request, decision, posted=False)
    page = quest.pages(journey.deployment["questionnaire"])[index]
    stored = store.responses_of(db, journey.trial["id"])
    values = {k: str(int(v)) for k, v in stored.items() if isinstance(v, float) and k in page.keys}
    if page.free_text:
        values["free_text"] = store.comment_of(db, journey.trial["id"], None)
    return _questionnaire_response(request, journey, index, values=values, answers=store.answers_of(db, journey.trial["id"]))


@router.get("/take/questionnaire")
def questionnaire_page(request: Request, db: Db, session: Participant) -> Response:
    """The end questionnaire's first page, once every step is done."""
    return _questionnaire_page(request, db, session, 0)


@router.get("/take/questionnaire/{page}")
def questionnaire_later_page(request: Request, db: Db, session: Participant, page: LaterPage) -> Response:
    """A later page of the questionnaire (the standard scales), once the pages before it are sent."""
    return _questionnaire_page(request, db, session, page - 1)


@router.post("/take/questionnaire")
async def questionnaire_submit(request: Request, db: Db, session: Participant) -> Response:
    """Record the first page; its free text is masked and stored as the overall comment."""
    async with request.form() as form:
        return await run_in_threadpool(_questionnaire_submit, request, db, session, form, 0)


@router.post("/take/questionnaire/{page}")
async def questionnaire_later_submit(request: Request, db: Db, session: Participant, page: LaterPage) -> Response:
    """Record a later page; the last one marks the questionnaire sent."""
    async with request.form() as form:
        return await run_in_threadpool(_questionnaire_submit, request, db, session, form, page - 1)


def _questionnaire_submit(request: Request, db, session: ParticipantSession | None, form: FormData, index: int) -> Response:
    now = utcnow()
    journey = journey_or_stop(request, db, session, now, submitting=True)
    if isinstance(journey, Response):
        return journey
    allowed = rules.questionnaire(journey.position, index)
    if not isinstance(allowed, rules.Show):
        return _elsewhere(request, allowed, posted=True)
    trial = journey.trial
    page = quest.pages(journey.deployment["questionnaire"])[index]
    submitted = {name[2:]: [str(v) for v in form.getlist(name)] for name in form if name.startswith("q-")}
    result = quest.validate(page, submitted)
    comment = scan(result.values["free_text"]) if page.free_text else None
    key = store.clean_key(str(form.get("idem", "")))
    with write(db):
        earlier = store.claim(db, key=key, form="questionnaire" if index == 0 else f"questionnaire:{index + 1}",
                              trial_id=trial["id"], now=now)
        decision = rules.questionnaire_sent(
            journey.position, index, settled=earlier["outcome"] if earlier else None, invalid=not result.ok,
            personal_data=bool(comment and comment.kinds), confirmed=form.get("pii_ok") == "1",
        )
        if isinstance(decision, rules.Save):
            store.save_responses(db, trial, result.rows, now=now, final=decision.then.url == rules.THANKS)
            if comment is not None:
                store.save_comment(db, trial, step_key=None, comment=comment, source="questionnaire", now=now)
            store.settle(db, key, decision.then.url)
    if isinstance(decision, rules.AskAgain):
        return _questionnaire_response(request, journey, index, values=result.values, answers=store.answers_of(db, trial["id"]),
                                       errors=result.errors, kinds=comment.kinds if comment else (),
                                       status=422 if decision.errors else 200)
    go = decision.then if isinstance(decision, rules.Save) else decision
    return redirect(request, go.url)


@router.get("/take/merci")
def thanks(request: Request, db: Db, session: Participant, courriel: str = "") -> Response:
    """Thank-you page; later, the same link shows what changed thanks to the participant."""
    journey = journey_or_stop(request, db, session, utcnow())
    if isinstance(journey, Response):
        return journey
    decision = rules.thanks(journey.position)
    if not isinstance(decision, rules.Show):
        return _elsewhere(request, decision, posted=False)
    return thanks_page(request, db, journey, saved=courriel == "enregistre")


def thanks_page(request: Request, db, journey: Journey, *, saved: bool = False, refused: dict | None = None,
                status_code: int = 200) -> Response:
    """The thanks page; while nothing has changed yet (and mail can be sent), it offers to write when something does.

    `refused` is a refused choice as typed (`ticked`, `email`, `problems`), shown again with its errors.
    """
    changes = _changes(request, db, journey)
    mail = None
    if request.app.state.settings.smtp.configured and changes is None:
        mail = offer(db, participant_id=journey.session.participant_id, deployment_id=journey.deployment["id"])
    refused = refused or {"ticked": False, "email": "", "problems": ()}
    context = {**base_context(request, journey.session), "spec": journey.spec, "changes": changes, "mail": mail,
               "mail_saved": saved, "typed": refused, **form_problems(refused["problems"])}
    return render(request, "feedback/thanks.html", context, status_code=status_code)
