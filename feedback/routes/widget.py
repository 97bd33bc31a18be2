"""The embeddable "Donnez votre avis" form: a small page other sites show in an iframe, no script."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from feedback.external import SATISFACTION_LEVELS, DeploymentClosed, deployment_by_key, record_external
from feedback.pii import KIND_LABELS, scan
from feedback.store import clean_key, new_key
from lab.access import DEPLOYMENT_KEY, Db, requires
from lab.campaigns.deployments import state
from lab.clock import utcnow
from lab.db import write
from lab.i18n import gettext as _
from lab.ratelimit import client_address, fingerprint
from lab.web import render

router = APIRouter(prefix="/widget")
PublicKey = Annotated[str, Path(max_length=100)]
KeyRoute = Annotated[None, requires(DEPLOYMENT_KEY)]


def _page(request: Request, deployment: dict | None, context: dict, status_code: int = 200) -> Response:
    open_now = deployment is not None and state(deployment, utcnow()) == "open"
    return render(
        request,
        "feedback/widget.html",
        {"deployment": deployment, "open": open_now, **context},
        status_code=status_code if open_now else 404,
    )


@router.get("/{public_key}")
def widget_form(request: Request, db: Db, _key: KeyRoute, public_key: PublicKey) -> Response:
    """The empty form, or a polite note when the test is over or the key unknown."""
    deployment = deployment_by_key(db, public_key)
    return _page(request, deployment, {"form": {"key": new_key()}, "errors": [], "warning": []})


@router.post("/{public_key}")
def widget_submit(
    request: Request,
    db: Db,
    _key: KeyRoute,
    public_key: PublicKey,
    satisfaction: Annotated[str, Form(max_length=10)] = "",
    comment: Annotated[str, Form(max_length=4000)] = "",
    key: Annotated[str, Form(max_length=100)] = "",
    confirm_pii: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Record once per form key; warn before storing text that looks like personal data."""
    deployment = deployment_by_key(db, public_key)
    form = {"key": clean_key(key), "satisfaction": satisfaction, "comment": comment}
    if deployment is None:
        return _page(request, None, {"form": form, "errors": [], "warning": []})
    client = client_address(request)
    who = fingerprint(request.app.state.settings.secret_key, "widget", client)
    limiter = request.app.state.feedback_limiters.widget_per_client
    if not limiter.hit(who):
        errors = [_("Trop d'envois en peu de temps : réessayez dans quelques minutes.")]
        return _page(request, deployment, {"form": form, "errors": errors, "warning": []}, status_code=429)
    level = SATISFACTION_LEVELS.get(satisfaction)
    if level is None and not comment.strip():
        errors = [_("Choisissez une réponse ou écrivez un commentaire.")]
        return _page(request, deployment, {"form": form, "errors": errors, "warning": []}, status_code=422)
    scanned = scan(comment)
    if scanned.kinds and not confirm_pii:
        warning = [_(KIND_LABELS[k]) for k in scanned.kinds]
        return _page(request, deployment, {"form": form, "errors": [], "warning": warning}, status_code=422)
    try:
        with write(db):
            record_external(
                db, deployment=deployment, channel="widget", idempotency_key=f"widget:{deployment['id']}:{form['key']}",
                comment=scanned, satisfaction=level, page=scan(referer) if (referer := request.headers.get("referer")) else None,
                now=utcnow(),
            )
    except DeploymentClosed:
        return _page(request, deployment, {"form": form, "errors": [], "warning": []})
    return render(request, "feedback/widget_thanks.html", {"deployment": deployment, "masked": bool(scanned.kinds)})
