"""The participant's own data and leaving: see it, download it, erase it, end the session on this device."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from feedback import sessions, store
from feedback.access import Participant, end_person
from feedback.contributions import export_participant
from feedback.erasure import erase_participant
from feedback.routes.pages import base_context, journey_or_stop, lost
from feedback.sessions import PARTICIPANT_COOKIE
from lab import audit
from lab.access import Db, Visitor
from lab.clock import utcnow
from lab.db import checkpoint, write
from lab.i18n import gettext as _
from lab.web import redirect, render
from prototypes.readable import recap

router = APIRouter()


@router.get("/take/mes-donnees")
def my_data(request: Request, db: Db, session: Participant) -> Response:
    """What is kept about the participant, with download and erase."""
    journey = journey_or_stop(request, db, session, utcnow())
    if isinstance(journey, Response):
        return journey
    trial = journey.trial
    answers, comments, responses = [], [], {}
    if trial:
        answers = recap(journey.spec, store.answers_of(db, trial["id"]))
        titles = {s.key: s.title for s in journey.spec.steps}
        for row in store.comments_of(db, trial_id=trial["id"]):
            where = titles.get(row["step_key"], row["step_key"]) if row["step_key"] else _("avis final")
            comments.append({"where": where, "text": row["text"]})
        responses = store.responses_of(db, trial["id"])
    context = {**base_context(request, session), "trial": trial, "answers": answers, "comments": comments,
               "responses": responses, "state": journey.position.state}
    return render(request, "feedback/my_data.html", context)


@router.get("/take/mes-donnees.json")
def my_data_json(request: Request, db: Db, session: Participant) -> Response:
    """Everything kept about the participant as a JSON file (right of access and portability)."""
    if session is None:
        return lost(request)
    body = json.dumps(export_participant(db, session.participant_id), ensure_ascii=False, indent=2)
    return Response(body, media_type="application/json; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="contributions-{session.participant_code}.json"'})


@router.get("/take/effacer")
def erase_confirm(request: Request, session: Participant) -> Response:
    """Ask before erasing: it cannot be undone."""
    if session is None:
        return lost(request)
    return render(request, "feedback/erase_confirm.html", base_context(request, session))


@router.post("/take/effacer")
def erase(request: Request, db: Db, session: Participant) -> Response:
    """Withdraw consent: every contribution, the code and the links go, for good."""
    if session is None:
        return lost(request)
    with write(db):
        counts = erase_participant(db, session.participant_id, hooks=request.app.state.forget_hooks)
        audit.record(db, user_id=session.assisted_by, action="participant.erase_self", object_type="participant",
                     object_id=session.participant_id, detail={"rows": sum(counts.values()), "channel": session.channel})
    checkpoint(db)  # the erased text leaves the WAL and the freed pages now, not at some later checkpoint
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


# --- leaving the device ----------------------------------------------------------------------


@router.post("/take/terminer")
def leave(request: Request, db: Db, session: Participant, motif: Annotated[str, Form(max_length=20)] = "") -> Response:
    """End the session on this device: the mediator's, the kiosk person's, or one's own on a shared computer."""
    now = utcnow()
    if session is None:
        return lost(request)
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
