"""What every citizen page shares: the journey or the "lost" page, the layout's context, the cookie, parsed specs."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from fastapi.responses import Response

from feedback import journey as rules
from feedback import questionnaire as quest
from feedback import sessions, store
from feedback.limits import check_submit
from feedback.sessions import KIOSK_COOKIE, PARTICIPANT_COOKIE, ParticipantSession, cookie_options
from lab.campaigns.deployments import get_deployment, state
from lab.web import is_htmx, redirect, render, secure_cookies
from prototypes.spec import Spec
from prototypes.spec_yaml import parse_spec
from prototypes.store import get_iteration

#: What the kiosk's script waits for before clearing the screen (the server waits longer).
KIOSK_SCREEN_IDLE_SECONDS = 5 * 60


@functools.lru_cache(maxsize=64)
def parsed_spec(spec_yaml: str) -> Spec:
    """Iterations are frozen once deployed: parse each text once."""
    return parse_spec(spec_yaml)


def base_context(request: Request, session: ParticipantSession | None) -> dict:
    """Who is taking part, the kiosk's idle delays and the privacy contact, for the shared layout."""
    return {
        "session": session,
        "kiosk_idle_seconds": KIOSK_SCREEN_IDLE_SECONDS,
        "kiosk_server_idle_seconds": int(sessions.KIOSK_IDLE.total_seconds()),
    }


def set_participant_cookie(request: Request, response: Response, token: str, channel: str) -> Response:
    """Hand the session to the browser: HttpOnly, kept for months online, for the visit elsewhere."""
    secure = secure_cookies(request)
    lifetime = int(sessions.ONLINE_LIFETIME.total_seconds()) if channel == "online" else None
    response.set_cookie(**cookie_options(PARTICIPANT_COOKIE, token, secure=secure, max_age=lifetime))
    return response


@dataclass(frozen=True)
class Journey:
    """Everything a participant page needs: session, deployment, the trial, its spec, and where the person stands."""

    session: ParticipantSession
    deployment: dict
    trial: dict | None
    iteration: dict
    spec: Spec
    position: rules.Position


def load_journey(db, session: ParticipantSession, now: datetime) -> Journey | None:
    """The journey of a live session, or None when its test is gone."""
    deployment = get_deployment(db, session.deployment_id)
    if deployment is None:
        return None
    trial = store.trial_of(db, deployment_id=deployment["id"], participant_id=session.participant_id)
    iteration_id = trial["iteration_id"] if trial else store.variant_for(deployment, session.participant_code)[1]
    iteration = get_iteration(db, iteration_id)
    spec = parsed_spec(iteration["spec_yaml"])
    options = deployment["questionnaire"]
    answering = trial is not None and trial["completed_at"] and not trial["questionnaire_at"]
    position = rules.Position.of(trial, state=state(deployment, now), steps=[step.key for step in spec.steps],
                                 open_step=store.open_step(db, trial["id"]) if trial else None,
                                 questionnaire_pages=len(quest.pages(options)),
                                 pages_sent=quest.pages_sent(options, store.responses_of(db, trial["id"])) if answering else 0)
    return Journey(session, deployment, trial, iteration, spec, position)


def lost(request: Request) -> Response:
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


def journey_or_stop(
    request: Request, db, session: ParticipantSession | None, now: datetime, *, submitting: bool = False
) -> Journey | Response:
    """The participant's journey, or the response that ends the request here.

    No live session (or its test is gone): the "lost" page. `submitting` applies the rate limit of
    form submissions.
    """
    if session is None:
        return lost(request)
    if submitting and (limited := check_submit(request, session.id)):
        return limited
    journey = load_journey(db, session, now)
    if journey is None:
        return lost(request)
    return journey
