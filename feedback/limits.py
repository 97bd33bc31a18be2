"""Rate limits of the citizen journey: opening links and submitting forms, per client and per link.

Clients are keyed by `fingerprint(secret, ...)`, an HMAC of the address: no raw IP is kept,
not even in memory. The limiters live on the app (created on first use) so each app, and each
test, has its own; tests may replace `app.state.feedback_limiters` with tighter ones.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response

from lab.errors import error_response
from lab.i18n import gettext as _
from lab.ratelimit import RateLimiter, fingerprint

_LOCK = threading.Lock()


@dataclass
class Limiters:
    """Generous enough for a room of people behind one address, tight enough to stop guessing."""

    link_per_client: RateLimiter
    link_per_token: RateLimiter
    submit_per_client: RateLimiter
    submit_per_session: RateLimiter

    @classmethod
    def default(cls) -> "Limiters":
        return cls(
            link_per_client=RateLimiter(60, 600),
            link_per_token=RateLimiter(20, 600),
            submit_per_client=RateLimiter(600, 600),
            submit_per_session=RateLimiter(120, 600),
        )


def limiters(request: Request) -> Limiters:
    """The app's limiters, created on first use."""
    state = request.app.state
    with _LOCK:
        if not hasattr(state, "feedback_limiters"):
            state.feedback_limiters = Limiters.default()
    return state.feedback_limiters


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _refuse(request: Request, pairs: list[tuple[RateLimiter, str]]) -> Response | None:
    if all([limiter.hit(key) for limiter, key in pairs]):
        return None
    retry = max(limiter.retry_after(key) for limiter, key in pairs)
    return error_response(
        request, 429, _("Trop de demandes en peu de temps. Patientez quelques minutes, puis réessayez : vos réponses déjà enregistrées sont conservées."),
        headers={"Retry-After": str(retry)},
    )


def check_link(request: Request, token: str) -> Response | None:
    """A 429 page when this client or this link is opened too often, else None."""
    secret = request.app.state.settings.secret_key
    own = limiters(request)
    return _refuse(request, [
        (own.link_per_client, fingerprint(secret, "link-client", _client(request))),
        (own.link_per_token, fingerprint(secret, "link-token", token[:128])),
    ])


def check_submit(request: Request, session_id: str | None) -> Response | None:
    """A 429 page when this client or this participant submits too often, else None."""
    secret = request.app.state.settings.secret_key
    own = limiters(request)
    pairs = [(own.submit_per_client, fingerprint(secret, "submit-client", _client(request)))]
    if session_id:
        pairs.append((own.submit_per_session, fingerprint(secret, "submit-session", session_id)))
    return _refuse(request, pairs)
