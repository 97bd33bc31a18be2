"""Feedback that arrives outside the journey (widget, JSON API, CSV import): a trial without participant."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from feedback.pii import KINDS, Scan
from feedback.store import insert_trial, save_comment, save_responses
from lab.campaigns.deployments import state

#: JDMA's three satisfaction answers, stored as 1–3 like the journey's questionnaire.
SATISFACTION_LEVELS = {"non": 1, "moyen": 2, "oui": 3}


class DeploymentClosed(Exception):
    """Raised when feedback arrives for a deployment that is not open."""


@dataclass(frozen=True)
class Recorded:
    """What was stored: the trial id, whether it was a replay, which kinds of PII were masked."""

    trial_id: int
    duplicate: bool
    pii_masked: list[str]


def deployment_by_key(db: Database, public_key: str) -> dict | None:
    """The deployment a widget key belongs to, or None."""
    rows = list(db.query("SELECT * FROM deployments WHERE public_key = ?", [public_key[:100]]))
    return rows[0] if rows else None


def _iteration_a(db: Database, deployment_id: int) -> int:
    return db.execute(
        "SELECT iteration_id FROM deployment_variants WHERE deployment_id = ? AND label = 'A'", [deployment_id]
    ).fetchone()[0]


def record_external(
    db: Database,
    *,
    deployment: Mapping,
    channel: str,
    idempotency_key: str,
    comment: Scan,
    satisfaction: int | None,
    page: Scan | None,
    now: datetime,
    received_at: datetime | None = None,
    require_open: bool = True,
) -> Recorded:
    """Store one anonymous comment and rating once per key; no consent, so funnels ignore it.

    The comment and the page it was sent from (an address can carry an e-mail or a name in its
    query) are scanned by the caller; both are stored masked.
    """
    earlier = list(db.query("SELECT id FROM trials WHERE idempotency_key = ?", [idempotency_key]))
    if earlier:
        return Recorded(earlier[0]["id"], True, [])
    if require_open and state(deployment, now) != "open":
        raise DeploymentClosed()
    moment = received_at or now
    trial = insert_trial(
        db, deployment_id=deployment["id"], iteration_id=_iteration_a(db, deployment["id"]), variant="A",
        channel=channel, started_at=moment, last_step=page.masked[:300] or None if page else None,
        idempotency_key=idempotency_key,
    )
    if comment.masked.strip():
        save_comment(db, trial, step_key=None, comment=comment, source=channel, now=moment)
    if satisfaction is not None:
        save_responses(db, trial, [("satisfaction", float(satisfaction), None)], now=moment)
    found = set(comment.kinds) | set(page.kinds if page else ())
    return Recorded(trial["id"], False, [kind for kind in KINDS if kind in found])
