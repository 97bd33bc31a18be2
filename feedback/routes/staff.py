"""Staff side of the journey: assisted entry, kiosks, and erasing a participant on request."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from feedback import sessions, store
from feedback.contributions import contributions_summary
from feedback.erasure import erase_participant
from feedback.sessions import ASSISTED_CHANNELS, KIOSK_COOKIE, PARTICIPANT_COOKIE, cookie_options
from lab import audit
from lab.access import Db, StaffUser
from lab.campaigns.deployments import get_deployment, state
from lab.campaigns.groups import create_participant, get_group, get_participant
from lab.clock import parse, utcnow
from lab.db import checkpoint, write
from lab.errors import error_response
from lab.i18n import N_
from lab.i18n import gettext as _
from lab.sessions import SESSION_COOKIE, revoke_session
from lab.web import Id, form_problems, redirect, render, secure_cookies

router = APIRouter()

Short = Annotated[str, Form(max_length=40)]
CHANNEL_LABELS = {"telephone": N_("Téléphone"), "papier": N_("Questionnaire papier"), "guichet": N_("Guichet ou accueil")}
KIOSK_MAX_DAYS = 90


def _missing(request: Request) -> Response:
    return error_response(request, 404, _("Cette session de test ou ce participant n'existe pas."))


def _closed(request: Request) -> Response:
    return error_response(request, 409, _("Cette session de test n'est pas ouverte : aucun parcours ne peut y commencer."))


def _open_deployment(request: Request, db, deployment_id: int, now: datetime) -> dict | Response:
    """The deployment people can start a trial in now, or the page saying why not."""
    deployment = get_deployment(db, deployment_id)
    if deployment is None:
        return _missing(request)
    if state(deployment, now) != "open":
        return _closed(request)
    return deployment


def _assist_page(request: Request, db, deployment: dict, *, form: dict | None = None,
                 problems: list[tuple[str, str]] | None = None) -> Response:
    problems = problems or []
    context = {
        "deployment": deployment,
        "people": store.unfinished_participants(db, deployment_id=deployment["id"]),
        "channels": [(key, _(CHANNEL_LABELS[key])) for key in ASSISTED_CHANNELS],
        "form": form or {"canal": "", "personne": ""},
        **form_problems(problems),
    }
    return render(request, "feedback/staff_assist.html", context, status_code=422 if problems else 200)


@router.get("/lab/deployments/{deployment_id}/saisie-assistee")
def assist_form(request: Request, db: Db, _staff: StaffUser, deployment_id: Id) -> Response:
    """Choose the channel and the person a mediator enters answers for."""
    deployment = _open_deployment(request, db, deployment_id, utcnow())
    if isinstance(deployment, Response):
        return deployment
    return _assist_page(request, db, deployment)


@router.post("/lab/deployments/{deployment_id}/saisie-assistee")
def assist_start(
    request: Request, db: Db, staff: StaffUser, deployment_id: Id, canal: Short = "", personne: Short = ""
) -> Response:
    """Open an assisted session in this browser: the trial is flagged assisted, with the mediator and channel."""
    now = utcnow()
    deployment = _open_deployment(request, db, deployment_id, now)
    if isinstance(deployment, Response):
        return deployment
    problems = []
    if canal not in ASSISTED_CHANNELS:
        problems.append(("canal", _("Indiquez comment la personne participe : téléphone, papier ou guichet.")))
    kind, _sep, raw_id = personne.partition(":")
    group_ids = {g["id"] for g in deployment["groups"]}
    participant = None
    if kind == "new" and raw_id.isdigit() and int(raw_id) in group_ids:
        pass
    elif kind == "p" and raw_id.isdigit():
        participant = get_participant(db, int(raw_id))
        if participant is None or participant["group_id"] not in group_ids:
            problems.append(("personne", _("Cette personne ne fait pas partie des groupes de la session.")))
        else:
            trial = store.trial_of(db, deployment_id=deployment_id, participant_id=participant["id"])
            if trial and trial["questionnaire_at"]:
                problems.append(("personne", _("Cette personne a déjà terminé le test.")))
    else:
        problems.append(("personne", _("Choisissez la personne, ou « nouvelle personne » et son groupe.")))
    if problems:
        return _assist_page(request, db, deployment, form={"canal": canal, "personne": personne}, problems=problems)
    with write(db):
        if participant is None:
            participant = create_participant(db, group_id=int(raw_id))
        trial = store.trial_of(db, deployment_id=deployment_id, participant_id=participant["id"])
        if trial is not None:
            store.mark_assisted(db, trial["id"], user_id=staff.id, via=canal)
        token = sessions.start(db, participant_id=participant["id"], deployment_id=deployment_id, channel="assisted",
                               assisted_by=staff.id, assisted_via=canal, now=now)
        audit.record(db, user_id=staff.id, action="trial.assist", object_type="participant",
                     object_id=participant["id"], detail={"deployment_id": deployment_id, "via": canal})
    response = redirect(request, "/take")
    response.set_cookie(**cookie_options(PARTICIPANT_COOKIE, token, secure=secure_cookies(request)))
    return response


@router.post("/lab/deployments/{deployment_id}/borne")
def kiosk_start(request: Request, db: Db, staff: StaffUser, deployment_id: Id, group_id: Short = "") -> Response:
    """Turn this device into a kiosk for the deployment; the staff member is signed out of it."""
    now = utcnow()
    deployment = _open_deployment(request, db, deployment_id, now)
    if isinstance(deployment, Response):
        return deployment
    if not group_id.isdigit() or int(group_id) not in {g["id"] for g in deployment["groups"]}:
        return error_response(request, 422, _("Choisissez un des groupes de la session."))
    with write(db):
        token = sessions.start_kiosk(db, deployment_id=deployment_id, group_id=int(group_id), user_id=staff.id, now=now)
        revoke_session(db, request.cookies.get(SESSION_COOKIE, ""))
        audit.record(db, user_id=staff.id, action="kiosk.start", object_type="deployment", object_id=deployment_id,
                     detail={"group_id": int(group_id)})
    secure = secure_cookies(request)
    lifetime = min(parse(deployment["closes_at"]) - now + timedelta(days=1), timedelta(days=KIOSK_MAX_DAYS))
    response = RedirectResponse("/kiosque", status_code=303)
    response.set_cookie(**cookie_options(KIOSK_COOKIE, token, secure=secure, max_age=int(lifetime.total_seconds())))
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(PARTICIPANT_COOKIE, path="/")
    return response


@router.post("/lab/deployments/{deployment_id}/bornes/arret")
def kiosk_stop(request: Request, db: Db, staff: StaffUser, deployment_id: Id) -> Response:
    """Stop every kiosk of the deployment; their screens go back to an inactive page."""
    if get_deployment(db, deployment_id) is None:
        return _missing(request)
    with write(db):
        stopped = sessions.end_kiosks(db, deployment_id=deployment_id, now=utcnow())
        audit.record(db, user_id=staff.id, action="kiosk.stop", object_type="deployment", object_id=deployment_id,
                     detail={"kiosks": stopped})
    return redirect(request, f"/lab/deployments/{deployment_id}#saisie-assistee")


@router.get("/lab/participants/{participant_id}/effacer")
def erase_confirm(request: Request, db: Db, _staff: StaffUser, participant_id: Id) -> Response:
    """What erasing this participant would delete, before doing it."""
    participant = get_participant(db, participant_id)
    if participant is None:
        return _missing(request)
    context = {"participant": participant, "group": get_group(db, participant["group_id"]),
               "counts": contributions_summary(db, participant_id)}
    return render(request, "feedback/staff_erase.html", context)


@router.post("/lab/participants/{participant_id}/effacer")
def erase(request: Request, db: Db, staff: StaffUser, participant_id: Id) -> Response:
    """Erase a participant at their request: everything, logged in the audit trail."""
    participant = get_participant(db, participant_id)
    if participant is None:
        return _missing(request)
    with write(db):
        counts = erase_participant(db, participant_id, hooks=request.app.state.forget_hooks)
        audit.record(db, user_id=staff.id, action="participant.erase", object_type="participant",
                     object_id=participant_id, detail={"code": participant["code"], "rows": counts})
    checkpoint(db)  # the erased text leaves the WAL and the freed pages now, not at some later checkpoint
    return redirect(request, f"/lab/groups/{participant['group_id']}")
