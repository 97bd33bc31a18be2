"""Admin screens: the administration home and staff accounts (creation, role, temporary password, access)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from lab import audit
from lab.access import Admin, Db
from lab.accounts import ROLE_HINTS, ROLES, AccountError, User, create_user, get_user, list_users, reset_password, set_active, set_role
from lab.audit_text import describe
from lab.db import write
from lab.i18n import N_, translate
from lab.i18n import gettext as _
from lab.lookups import found
from lab.web import Id, form_problems, redirect, render

router = APIRouter(prefix="/admin")

Password = Annotated[str, Form(max_length=1024)]
#: What the account page says after a change (`?fait=...`): fixed texts, no user data in URLs.
DONE = {
    "role": N_("Le rôle a été changé."),
    "password": N_("Le mot de passe provisoire est enregistré et les sessions du compte sont fermées : "
                   "communiquez-le à la personne, elle en choisira un autre à sa prochaine connexion."),
    "disable": N_("Le compte est désactivé et ses sessions sont fermées."),
    "enable": N_("Le compte est réactivé."),
}
ROLE_CONTEXT = {"roles": ROLES, "role_hints": ROLE_HINTS}


@router.get("")
def admin_home(request: Request, db: Db, _admin: Admin) -> Response:
    """Where admins land: the accounts at a glance, what needs attention, the collectivité, the latest actions."""
    users = list_users(db)
    recent, _total = audit.search(db, audit.AuditQuery(), limit=5, offset=0)
    context = {
        "users": users,
        "active_by_role": {role: sum(1 for u in users if u["active"] and u["role"] == role) for role in ROLES},
        "temporary": [u for u in users if u["active"] and u["must_change_password"]],
        "disabled": sum(1 for u in users if not u["active"]),
        "recent": [describe(entry) for entry in recent],
        **ROLE_CONTEXT,
    }
    return render(request, "lab/admin_home.html", context)


def _users_page(request: Request, db, *, problems=(), form: dict | None = None, status_code: int = 200) -> Response:
    context = {"users": list_users(db), "form": form or {"role": ROLES[0]}, **ROLE_CONTEXT, **form_problems(problems)}
    return render(request, "lab/admin_users.html", context, status_code=status_code)


@router.get("/users")
def users(request: Request, db: Db, _admin: Admin) -> Response:
    """List accounts with a form to add one."""
    return _users_page(request, db)


@router.post("/users")
def add_user(
    request: Request,
    db: Db,
    admin: Admin,
    email: Annotated[str, Form(max_length=254)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = ROLES[0],
    password: Password = "",
) -> Response:
    """Create an account with a temporary password; problems are shown next to the form and nothing is lost."""
    try:
        with write(db):
            user = create_user(db, email=email, name=name, role=role, password=password, temporary=True)
            audit.record(db, user_id=admin.id, action="user.create", object_type="user", object_id=user.id,
                         detail={"email": user.email, "role": user.role})
    except AccountError as exc:
        form = {"email": email, "name": name, "role": role}
        return _users_page(request, db, problems=[(exc.field, translate(exc))], form=form, status_code=422)
    return redirect(request, "/admin/users")


def _account(db, user_id: int) -> User:
    return found(get_user(db, user_id), _("Compte introuvable."))


def _account_page(request: Request, db, account: User, *, problems=(), status_code: int = 200) -> Response:
    done = request.query_params.get("fait")
    context = {"account": account, "done": _(DONE[done]) if done in DONE else None, **ROLE_CONTEXT,
               "form": {}, **form_problems(problems)}
    return render(request, "lab/admin_user.html", context, status_code=status_code)


@router.get("/users/{user_id}")
def account(request: Request, db: Db, _admin: Admin, user_id: Id) -> Response:
    """One account: its role, a temporary password, its access."""
    return _account_page(request, db, _account(db, user_id))


def _change(request: Request, db, admin: User, user_id: int, *, action: str, done: str, field: str,
            change: Callable[[User], dict], refuse_self: str | None = None) -> Response:
    """Apply an admin's change to an account in one audited transaction, or show the account page with the reason."""
    account = _account(db, user_id)
    if refuse_self and account.id == admin.id:
        return _account_page(request, db, account, problems=[(field, refuse_self)], status_code=422)
    try:
        with write(db):
            detail = change(account)
            audit.record(db, user_id=admin.id, action=action, object_type="user", object_id=account.id,
                         detail={"email": account.email, **detail})
    except AccountError as exc:
        return _account_page(request, db, account, problems=[(exc.field or field, translate(exc))], status_code=422)
    return redirect(request, f"/admin/users/{account.id}?fait={done}")


@router.post("/users/{user_id}/role")
def change_role(request: Request, db: Db, admin: Admin, user_id: Id,
                role: Annotated[str, Form(max_length=20)] = "") -> Response:
    """Give an account another role; never one's own, never leaving the lab without an admin."""
    return _change(request, db, admin, user_id, action="user.role", done="role", field="role",
                   change=lambda account: {"from": set_role(db, account.id, role), "to": role},
                   refuse_self=_("Vous ne pouvez pas changer votre propre rôle : demandez-le à un autre administrateur."))


@router.post("/users/{user_id}/password")
def give_temporary_password(request: Request, db: Db, admin: Admin, user_id: Id, password: Password = "",
                            confirm: Password = "") -> Response:
    """Set a temporary password: the account's sessions end and its owner must choose another at sign-in."""
    if password != confirm:
        problems = [("confirm", _("Les deux saisies du mot de passe provisoire sont différentes."))]
        return _account_page(request, db, _account(db, user_id), problems=problems, status_code=422)
    return _change(request, db, admin, user_id, action="user.password_reset", done="password", field="password",
                   change=lambda account: {"sessions_ended": reset_password(db, account.id, password=password)},
                   refuse_self=_("Pour votre propre compte, changez votre mot de passe depuis « Mon mot de passe »."))


@router.post("/users/{user_id}/active")
def toggle_user(
    request: Request, db: Db, admin: Admin, user_id: Id, active: Annotated[int, Form(ge=0, le=1)] = 0
) -> Response:
    """Disable or re-enable an account; disabling ends its sessions at once, never one's own."""

    def change(account: User) -> dict:
        set_active(db, account.email, bool(active))
        return {}

    return _change(request, db, admin, user_id, action="user.enable" if active else "user.disable",
                   done="enable" if active else "disable", field="active", change=change,
                   refuse_self=None if active else _("Vous ne pouvez pas désactiver votre propre compte."))
