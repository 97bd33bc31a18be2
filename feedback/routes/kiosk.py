"""Kiosk devices: a shared tablet in a town hall where one person after another takes the test."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from feedback import sessions, store
from feedback.access import KioskDevice, end_person
from feedback.limits import check_submit
from feedback.routes.pages import base_context, parsed_spec, set_participant_cookie
from feedback.sessions import PARTICIPANT_COOKIE
from lab.access import Db
from lab.campaigns.deployments import get_deployment, state
from lab.campaigns.groups import create_participant
from lab.clock import utcnow
from lab.db import write
from lab.i18n import gettext as _
from lab.web import redirect, render
from prototypes.store import get_iteration

router = APIRouter()


@router.get("/kiosque")
def kiosk_home(request: Request, db: Db, kiosk: KioskDevice, inactif: int = 0, fini: int = 0, efface: int = 0) -> Response:
    """The kiosk's welcome screen for the next person; an idle trial left on screen is closed first."""
    now = utcnow()
    row = sessions.lookup(db, request.cookies.get(PARTICIPANT_COOKIE))
    ongoing = bool(kiosk and row and row["kiosk_id"] == kiosk["id"] and sessions.is_live(row, now))
    if row and row["channel"] == "kiosk" and not row["revoked_at"] and not sessions.is_live(row, now):
        with write(db):
            end_person(db, row, now=now)
    context = {**base_context(request, None), "deployment": None, "ongoing": ongoing, "idem": store.new_key(), "notice": None}
    if inactif:
        context["notice"] = _("Le test précédent a été fermé après une période sans activité. Les réponses déjà données sont enregistrées.")
    elif fini:
        context["notice"] = _("Merci ! Le test précédent est terminé.")
    elif efface:
        context["notice"] = _("Les contributions de la personne précédente ont été effacées.")
    if kiosk is None:
        return render(request, "feedback/kiosk.html", context, status_code=404)
    deployment = get_deployment(db, kiosk["deployment_id"])
    iteration_id = deployment["variants"][0]["iteration_id"]
    context |= {"deployment": deployment, "open": state(deployment, now) == "open",
                "spec": parsed_spec(get_iteration(db, iteration_id)["spec_yaml"])}
    response = render(request, "feedback/kiosk.html", context)
    if not ongoing:
        response.delete_cookie(PARTICIPANT_COOKIE, path="/")
    return response


@router.post("/kiosque/commencer")
def kiosk_start_person(
    request: Request, db: Db, kiosk: KioskDevice, idem: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    """A fresh pseudonymous participant and session for the person in front of the kiosk."""
    if kiosk is None:
        return redirect(request, "/kiosque")
    if limited := check_submit(request, None):
        return limited
    now = utcnow()
    deployment = get_deployment(db, kiosk["deployment_id"])
    if state(deployment, now) != "open":
        return redirect(request, "/kiosque")
    key = store.clean_key(idem)
    with write(db):
        if store.claim(db, key=key, form="kiosk-start", now=now) is not None:
            return redirect(request, "/take")
        previous = sessions.lookup(db, request.cookies.get(PARTICIPANT_COOKIE))
        if previous and previous["channel"] == "kiosk":
            end_person(db, previous, now=now)
        person = create_participant(db, group_id=kiosk["group_id"])
        token = sessions.start(db, participant_id=person["id"], deployment_id=deployment["id"], channel="kiosk",
                               kiosk_id=kiosk["id"], now=now)
    return set_participant_cookie(request, redirect(request, "/take"), token, "kiosk")
