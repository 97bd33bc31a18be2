"""Staff screens for deployments (test sessions) and their invitations: create, close, print, export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from lab import audit, qr
from lab.access import Db, StaffUser
from lab.campaigns.deployments import (
    DeploymentError,
    DeploymentForm,
    close_deployment,
    create_deployment,
    get_deployment,
    iteration_choices,
    list_deployments,
    state,
)
from lab.campaigns.groups import list_groups
from lab.campaigns.invitations import (
    SharedLinkForm,
    create_shared,
    generate_personal,
    get_invitation,
    links_csv,
    list_invitations,
    revoke,
    trials_used,
)
from lab.clock import utcnow
from lab.db import write
from lab.i18n import N_
from lab.i18n import gettext as _
from lab.lookups import found
from lab.web import Id, form_problems, redirect, render

router = APIRouter(prefix="/lab/deployments")

Short = Annotated[str, Form(max_length=40)]
#: One message for a missing session or invitation: a URL never tells which of the two exists.
MISSING = N_("Cette session de test ou cette invitation n'existe pas.")


def _deployment(db, deployment_id: int) -> dict:
    """The session named in the URL, or the 404 page."""
    return found(get_deployment(db, deployment_id), _(MISSING))


def _form_page(request: Request, db, form: DeploymentForm, problems: dict | None = None) -> Response:
    context = {
        "form": form,
        "prototypes": iteration_choices(db),
        "groups": list_groups(db),
        **(problems or form_problems()),
    }
    return render(request, "campaigns/deployment_form.html", context, status_code=422 if problems else 200)


@router.get("")
def deployments(request: Request, db: Db, _staff: StaffUser) -> Response:
    """Every test session with its state."""
    now = utcnow()
    rows = [{**row, "state": state(row, now)} for row in list_deployments(db)]
    return render(request, "campaigns/deployments.html", {"deployments": rows})


@router.get("/new")
def new_deployment(
    request: Request, db: Db, _staff: StaffUser, iteration: int | None = None, group: int | None = None
) -> Response:
    """The deployment form, optionally with the iteration to test or the group to invite already chosen."""
    form = DeploymentForm(iteration_a=str(iteration or ""), group_ids=(str(group),) if group else (),
                          retention_days=str(request.state.organisation.retention_days))  # the collectivité's default
    return _form_page(request, db, form)


@router.post("")
def create(
    request: Request,
    db: Db,
    staff: StaffUser,
    title: Annotated[str, Form(max_length=200)] = "",
    iteration_a: Short = "",
    iteration_b: Short = "",
    groups: Annotated[list[str] | None, Form()] = None,
    opens_at: Short = "",
    closes_at: Short = "",
    quota: Short = "",
    retention_days: Short = "365",
    sus: Short = "",
    umux_lite: Short = "",
) -> Response:
    """Open an iteration (or an A/B pair) to test groups, freeze it and invite every participant."""
    form = DeploymentForm(title=title, iteration_a=iteration_a, iteration_b=iteration_b, group_ids=tuple((groups or [])[:200]),
                          opens_at=opens_at, closes_at=closes_at, quota=quota, retention_days=retention_days,
                          sus=bool(sus), umux_lite=bool(umux_lite))
    settings = request.app.state.settings
    now = utcnow()
    try:
        with write(db):
            deployment_id = create_deployment(db, form=form, user_id=staff.id, now=now)
            invited = generate_personal(db, deployment_id=deployment_id, secret_key=settings.secret_key, now=now)
            for hook in request.app.state.deployment_hooks:
                hook(db, deployment_id, now=now)
            audit.record(db, user_id=staff.id, action="deployment.create", object_type="deployment",
                         object_id=deployment_id, detail={"personal_invitations": invited})
    except DeploymentError as exc:
        return _form_page(request, db, form, form_problems(exc.problems))
    return redirect(request, f"/lab/deployments/{deployment_id}")


def _deployment_page(
    request: Request, db, deployment: dict, *, shared_form: SharedLinkForm | None = None,
    problems: dict | None = None, status_code: int = 200,
) -> Response:
    settings = request.app.state.settings
    now = utcnow()
    context = {
        "deployment": deployment,
        "state": state(deployment, now),
        "invitations": list_invitations(db, deployment["id"], secret_key=settings.secret_key,
                                        base_url=settings.base_url, now=now),
        "trials_used": trials_used(db, deployment["id"]),
        "shared_form": shared_form or SharedLinkForm(),
        **(problems or form_problems()),
    }
    return render(request, "campaigns/deployment.html", context, status_code=status_code)


def _change(
    request: Request, db, deployment: dict, change: Callable[[], None], target: str, *,
    shared_form: SharedLinkForm | None = None, status_code: int = 409,
) -> Response:
    """Apply a change to a session in one transaction; a refused one shows the session page with the reasons."""
    try:
        with write(db):
            change()
    except DeploymentError as exc:
        return _deployment_page(request, db, deployment, shared_form=shared_form,
                                problems=form_problems(exc.problems), status_code=status_code)
    return redirect(request, target)


@router.get("/{deployment_id}")
def show(request: Request, db: Db, _staff: StaffUser, deployment_id: Id) -> Response:
    """Facts, groups, variants and invitations of one session."""
    return _deployment_page(request, db, _deployment(db, deployment_id))


@router.post("/{deployment_id}/close")
def close(request: Request, db: Db, staff: StaffUser, deployment_id: Id) -> Response:
    """End a session now; it cannot be reopened."""
    deployment = _deployment(db, deployment_id)

    def change() -> None:
        close_deployment(db, deployment_id=deployment_id, now=utcnow())
        audit.record(db, user_id=staff.id, action="deployment.close", object_type="deployment", object_id=deployment_id)

    return _change(request, db, deployment, change, f"/lab/deployments/{deployment_id}")


@router.post("/{deployment_id}/invitations")
def invite_everyone(request: Request, db: Db, staff: StaffUser, deployment_id: Id) -> Response:
    """Give a personal link to the groups' participants who have none yet."""
    deployment = _deployment(db, deployment_id)

    def change() -> None:
        created = generate_personal(db, deployment_id=deployment_id, secret_key=request.app.state.settings.secret_key,
                                    now=utcnow())
        audit.record(db, user_id=staff.id, action="invitations.generate", object_type="deployment",
                     object_id=deployment_id, detail={"created": created})

    return _change(request, db, deployment, change, f"/lab/deployments/{deployment_id}#invitations")


@router.post("/{deployment_id}/invitations/shared")
def new_shared_link(
    request: Request,
    db: Db,
    staff: StaffUser,
    deployment_id: Id,
    group_id: Short = "",
    max_uses: Short = "",
    expires_at: Short = "",
) -> Response:
    """Create a link a whole group can use, limited in uses."""
    deployment = _deployment(db, deployment_id)
    form = SharedLinkForm(group_id=group_id, max_uses=max_uses, expires_at=expires_at)

    def change() -> None:
        invitation_id = create_shared(db, deployment_id=deployment_id, form=form,
                                      secret_key=request.app.state.settings.secret_key, now=utcnow())
        audit.record(db, user_id=staff.id, action="invitation.create_shared", object_type="invitation",
                     object_id=invitation_id, detail={"deployment_id": deployment_id, "max_uses": max_uses})

    return _change(request, db, deployment, change, f"/lab/deployments/{deployment_id}#invitations",
                   shared_form=form, status_code=422)


@router.post("/{deployment_id}/invitations/{invitation_id}/revoke")
def revoke_link(request: Request, db: Db, staff: StaffUser, deployment_id: Id, invitation_id: Id) -> Response:
    """Make one link stop working."""
    deployment, invitation = _deployment(db, deployment_id), get_invitation(db, invitation_id)
    found(invitation if invitation and invitation["deployment_id"] == deployment_id else None, _(MISSING))

    def change() -> None:
        revoke(db, invitation_id=invitation_id, now=utcnow())
        audit.record(db, user_id=staff.id, action="invitation.revoke", object_type="invitation",
                     object_id=invitation_id, detail={"deployment_id": deployment_id})

    return _change(request, db, deployment, change, f"/lab/deployments/{deployment_id}#invitations")


@router.get("/{deployment_id}/invitations/print")
def print_sheet(request: Request, db: Db, _staff: StaffUser, deployment_id: Id) -> Response:
    """Cut-out cards, one per usable invitation: code, QR, link in clear, dates — never contact details."""
    deployment = _deployment(db, deployment_id)
    settings = request.app.state.settings
    links = list_invitations(db, deployment_id, secret_key=settings.secret_key, base_url=settings.base_url,
                             now=utcnow(), usable_only=True)
    cards = [
        {**link, "qr": qr.svg_inline(link["url"], title=_("Code QR de l'invitation %(who)s",
                                                           who=link["code"] or link["group_name"]))}
        for link in links
    ]
    return render(request, "campaigns/invitations_print.html", {"deployment": deployment, "cards": cards})


@router.get("/{deployment_id}/invitations.csv")
def export_links(request: Request, db: Db, staff: StaffUser, deployment_id: Id, contacts: bool = False) -> Response:
    """The usable links as CSV for a mail merge; contact details only when asked, and the export is logged."""
    _deployment(db, deployment_id)  # the 404 page for an unknown deployment
    settings = request.app.state.settings
    links = list_invitations(db, deployment_id, secret_key=settings.secret_key, base_url=settings.base_url,
                             now=utcnow(), usable_only=True, with_contacts=contacts)
    with write(db):
        audit.record(db, user_id=staff.id, action="invitations.export", object_type="deployment",
                     object_id=deployment_id, detail={"links": len(links), "contacts": contacts})
    return Response(
        links_csv(links, with_contacts=contacts),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="invitations-{deployment_id}.csv"'},
    )
