"""What every citizen page shares: the base context, the participant cookie, specs parsed once."""

from __future__ import annotations

import functools

from fastapi import Request
from fastapi.responses import Response

from feedback import sessions
from feedback.sessions import PARTICIPANT_COOKIE, ParticipantSession, cookie_options
from prototypes.spec import Spec, parse_spec

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
        "privacy_contact": request.app.state.settings.privacy_contact,
    }


def set_participant_cookie(request: Request, response: Response, token: str, channel: str) -> Response:
    """Hand the session to the browser: HttpOnly, kept for months online, for the visit elsewhere."""
    secure = request.app.state.settings.secure_cookies
    lifetime = int(sessions.ONLINE_LIFETIME.total_seconds()) if channel == "online" else None
    response.set_cookie(**cookie_options(PARTICIPANT_COOKIE, token, secure=secure, max_age=lifetime))
    return response
