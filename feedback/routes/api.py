"""JSON API for prototypes hosted elsewhere: post a comment and a rating with a deployment's public key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlite_utils import Database

from feedback.external import SATISFACTION_LEVELS, DeploymentClosed, Recorded, deployment_by_key, record_external
from feedback.pii import scan
from lab.access import DEPLOYMENT_KEY, requires
from lab.clock import utcnow
from lab.group_commit import GroupCommitClosed
from lab.i18n import N_
from lab.i18n import gettext as _
from lab.ratelimit import client_address, fingerprint

router = APIRouter(prefix="/api/v1", tags=["feedback"])
KEY_HEADER = "X-Servicelab-Key"
#: "Has something to say": one character that is not blank for Python (`str.isspace`) nor for the
#: ECMA regexes JSON Schema clients use; each engine's \\s misses a few the other counts as blank.
SAYS_SOMETHING = r"[^\s\x1c-\x1f\x85\ufeff]"


class FeedbackIn(BaseModel):
    """One piece of feedback from a widget or another tool."""

    model_config = ConfigDict(
        extra="forbid",
        # The "comment or rating" rule, stated in the schema too so clients (and fuzzers) can know it.
        json_schema_extra={
            "anyOf": [
                {"required": ["comment"], "properties": {"comment": {"pattern": SAYS_SOMETHING}}},
                {"required": ["satisfaction"], "properties": {"satisfaction": {"enum": ["oui", "moyen", "non"]}}},
            ]
        },
    )

    idempotency_key: str = Field(
        pattern=r"^[A-Za-z0-9_-]{8,100}$",
        description="Chosen by the client for this submission; a retry with the same key records nothing new.",
    )
    comment: str = Field(default="", max_length=4000, description="Free text; personal data is masked before storage.")
    satisfaction: Literal["oui", "moyen", "non"] | None = Field(default=None, description="JDMA satisfaction level.")
    page: str | None = Field(default=None, max_length=300, description="Page or step of the prototype the feedback is about.")

    @model_validator(mode="after")
    def _not_empty(self) -> FeedbackIn:
        if not re.search(SAYS_SOMETHING, self.comment) and self.satisfaction is None:
            raise ValueError("give a comment, a satisfaction level, or both")
        return self


class FeedbackOut(BaseModel):
    """What was recorded."""

    id: int = Field(description="Identifier of the stored feedback.")
    status: Literal["recorded", "duplicate"]
    pii_masked: list[str] = Field(description="Kinds of personal data found and masked in the comment.")


class ApiError(BaseModel):
    """An error the client can show or log."""

    detail: str


def _error(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


@dataclass(frozen=True)
class Refusal:
    """Why a submission was not recorded: HTTP status, French message id, seconds before retrying."""

    status: int
    message: str
    retry_after: int | None = None


def _record(db: Database, *, app, key: str, client: str, payload: FeedbackIn, now: datetime) -> Recorded | Refusal:
    """Check the key and the limits, then store the submission (runs in the group-commit writer)."""
    deployment = deployment_by_key(db, key)
    if deployment is None:
        return Refusal(401, N_("Clé de déploiement absente ou inconnue."))
    limits = app.state.feedback_limiters
    # The client's own allowance first: a client refused for its own excess never uses up the key,
    # which every site embedding the widget shares (the key is public).
    for limiter, who in ((limits.api_per_client, client), (limits.api_per_key, key)):
        if not limiter.hit(who):
            return Refusal(429, N_("Trop de demandes : réessayez plus tard."), limiter.retry_after(who))
    try:
        return record_external(
            db,
            deployment=deployment,
            channel="widget",
            idempotency_key=f"api:{deployment['id']}:{payload.idempotency_key}",
            comment=scan(payload.comment),
            satisfaction=SATISFACTION_LEVELS.get(payload.satisfaction or ""),
            page=scan(payload.page) if payload.page else None,
            now=now,
        )
    except DeploymentClosed:
        return Refusal(409, N_("Cette session de test n'est pas ouverte."))


@router.post(
    "/feedback",
    status_code=201,
    response_model=FeedbackOut,
    responses={
        200: {"model": FeedbackOut, "description": "Replay of an idempotency key already recorded."},
        400: {"model": ApiError, "description": "The body cannot be read (not UTF-8 JSON)."},
        401: {"model": ApiError, "description": "Missing or unknown deployment key."},
        409: {"model": ApiError, "description": "The deployment is not open."},
        413: {"model": ApiError, "description": "Body larger than 64 KiB."},
        429: {"model": ApiError, "description": "Too many submissions; see Retry-After."},
        503: {"model": ApiError, "description": "The server is stopping; nothing was stored, send again after Retry-After."},
    },
)
async def post_feedback(
    request: Request,
    payload: FeedbackIn,
    _key_route: Annotated[None, requires(DEPLOYMENT_KEY)],
    key: Annotated[str | None, Header(alias=KEY_HEADER, max_length=100)] = None,
) -> JSONResponse:
    """Record feedback for the open deployment whose public key is sent in the X-Servicelab-Key header."""
    settings = request.app.state.settings
    client = fingerprint(settings.secret_key, "api", client_address(request))
    try:
        outcome = await request.app.state.group_commit.run(
            partial(_record, app=request.app, key=key or "", client=client, payload=payload, now=utcnow())
        )
    except GroupCommitClosed:  # the server is stopping: nothing was stored, the client may send it again
        return _error(503, _("Le service redémarre : renvoyez votre avis dans un instant."), {"Retry-After": "5"})
    if isinstance(outcome, Refusal):
        headers = {"Retry-After": str(outcome.retry_after)} if outcome.retry_after is not None else None
        return _error(outcome.status, _(outcome.message), headers)
    body = FeedbackOut(id=outcome.trial_id, status="duplicate" if outcome.duplicate else "recorded", pii_masked=outcome.pii_masked)
    return JSONResponse(body.model_dump(), status_code=200 if outcome.duplicate else 201)
