"""Admin screens: staff accounts and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from lab import audit
from lab.access import Admin, Db
from lab.accounts import ROLES, AccountError, create_user, list_users, set_active
from lab.db import write
from lab.i18n import gettext as _
from lab.i18n import translate
from lab.web import Id, redirect, render

router = APIRouter(prefix="/admin")


def _users_page(request: Request, db, errors: list, form: dict, status_code: int = 200) -> Response:
    return render(
        request,
        "lab/admin_users.html",
        {"users": list_users(db), "roles": ROLES, "errors": errors, "form": form},
        status_code=status_code,
    )


@router.get("/users")
def users(request: Request, db: Db, _admin: Admin) -> Response:
    """List accounts with a form to add one."""
    return _users_page(request, db, [], {})


@router.post("/users")
def add_user(
    request: Request,
    db: Db,
    admin: Admin,
    email: Annotated[str, Form(max_length=254)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "staff",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Create an account; problems are shown next to the form and nothing is lost."""
    try:
        with write(db):
            user = create_user(db, email=email, name=name, role=role, password=password)
            audit.record(db, user_id=admin.id, action="user.create", object_type="user", object_id=user.id,
                         detail={"email": user.email, "role": user.role})
    except AccountError as exc:
        form = {"email": email, "name": name, "role": role}
        return _users_page(request, db, [{"message": translate(exc), "anchor": "email"}], form, status_code=422)
    return redirect(request, "/admin/users")


@router.post("/users/{user_id}/active")
def toggle_user(
    request: Request, db: Db, admin: Admin, user_id: Id, active: Annotated[int, Form(ge=0, le=1)] = 0
) -> Response:
    """Disable or re-enable an account; disabling ends its sessions at once."""
    rows = list(db.query("SELECT email FROM users WHERE id = ?", [user_id]))
    if not rows:
        return render(request, "lab/error.html", {"status": 404, "message": _("Compte introuvable.")}, status_code=404)
    if user_id == admin.id and not active:
        return _users_page(request, db, [{"message": _("Vous ne pouvez pas désactiver votre propre compte.")}], {}, 422)
    with write(db):
        set_active(db, rows[0]["email"], bool(active))
        audit.record(db, user_id=admin.id, action="user.enable" if active else "user.disable",
                     object_type="user", object_id=user_id)
    return redirect(request, "/admin/users")


@router.get("/audit")
def audit_log(request: Request, db: Db, _admin: Admin, page: Annotated[int, Query(ge=1, le=1_000_000)] = 1) -> Response:
    """Newest staff actions first, 100 per page."""
    entries = audit.recent(db, limit=100, offset=(page - 1) * 100)
    return render(request, "lab/admin_audit.html", {"entries": entries, "page": page})
