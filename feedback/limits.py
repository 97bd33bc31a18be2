"""Rate limits of the citizen journey: opening links and submitting forms, per client and per link.

Clients are keyed by `fingerprint(secret, ...)`, an HMAC of the address: no raw IP is kept,
not even in memory. The shell puts one `Limiters` on each app (`app.state.feedback_limiters`),
so each app, and each test, has its own; tests may replace it with tighter ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response

from lab.errors import error_response
from lab.i18n import gettext as _
from lab.ratelimit import RateLimiter, client_address, fingerprint
from lab.settings import Settings

#: The window every feedback limit counts over.
WINDOW = 600


@dataclass
class Limiters:
    """Generous enough for a room of people behind one address, tight enough to stop guessing."""

    link_per_client: RateLimiter
    link_per_token: RateLimiter
    submit_per_client: RateLimiter
    submit_per_session: RateLimiter
    api_per_key: RateLimiter
    api_per_client: RateLimiter
    widget_per_client: RateLimiter

    @classmethod
    def from_settings(cls, settings: Settings) -> Limiters:
        """The journey's fixed allowances and the API's configured ones (`LAB_API_*_LIMIT`)."""
        return cls(
            link_per_client=RateLimiter(60, WINDOW),
            link_per_token=RateLimiter(20, WINDOW),
            submit_per_client=RateLimiter(600, WINDOW),
            submit_per_session=RateLimiter(120, WINDOW),
            api_per_key=RateLimiter(settings.api_key_limit, WINDOW),
            api_per_client=RateLimiter(settings.api_client_limit, WINDOW),
            widget_per_client=RateLimiter(60, WINDOW),
        )


def _refuse(request: Request, pairs: list[tuple[RateLimiter, str]]) -> Response | None:
    """Charge each allowance in order (the client's first) and stop at the first refusal, so that one
    client over its own limit never uses up a link or a session that others share."""
    for limiter, key in pairs:
        if not limiter.hit(key):
            return error_response(request, 429, _(
                "Trop de demandes en peu de temps. Patientez quelques minutes, puis réessayez : "
                "vos réponses déjà enregistrées sont conservées."), headers={"Retry-After": str(limiter.retry_after(key))})
    return None


def check_link(request: Request, token: str) -> Response | None:
    """A 429 page when this client or this link is opened too often, else None."""
    secret = request.app.state.settings.secret_key
    own = request.app.state.feedback_limiters
    return _refuse(request, [
        (own.link_per_client, fingerprint(secret, "link-client", client_address(request))),
        (own.link_per_token, fingerprint(secret, "link-token", token[:128])),
    ])


def check_submit(request: Request, session_id: str | None) -> Response | None:
    """A 429 page when this client or this participant submits too often, else None."""
    secret = request.app.state.settings.secret_key
    own = request.app.state.feedback_limiters
    pairs = [(own.submit_per_client, fingerprint(secret, "submit-client", client_address(request)))]
    if session_id:
        pairs.append((own.submit_per_session, fingerprint(secret, "submit-session", session_id)))
    return _refuse(request, pairs)
