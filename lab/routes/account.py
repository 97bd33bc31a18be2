"""A signed-in person's own account: choosing a new password, and replacing a temporary one before anything else."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from lab import audit
from lab.access import Account, Db
from lab.accounts import AccountError, change_password
from lab.db import write
from lab.errors import PASSWORD_PAGE
from lab.i18n import gettext as _
from lab.i18n import translate
from lab.routes.auth import set_session_cookie
from lab.sessions import SESSION_COOKIE, start_session, token_hash
from lab.web import form_problems, local_path, redirect, render

router = APIRouter()

Password = Annotated[str, Form(max_length=1024)]


def _page(request: Request, *, next_url: str = "/", problems=(), done: bool = False, status_code: int = 200) -> Response:
    context = {"next": local_path(next_url), "done": done, "form": {}, **form_problems(problems)}
    return render(request, "lab/account_password.html", context, status_code=status_code)


@router.get(PASSWORD_PAGE)
def password_form(request: Request, _user: Account, next: str = "/", fait: int = 0) -> Response:
    """The form to choose one's password; the only page open to an account with a temporary password."""
    return _page(request, next_url=next, done=bool(fait))


@router.post(PASSWORD_PAGE)
def password_change(
    request: Request, db: Db, user: Account, current: Password = "", password: Password = "", confirm: Password = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the current password, set the new one, end every other session and rotate this one."""
    if password != confirm:
        problems = [("confirm", _("Les deux saisies du nouveau mot de passe sont différentes."))]
        return _page(request, next_url=next, problems=problems, status_code=422)
    old_token = request.cookies.get(SESSION_COOKIE, "")
    try:
        with write(db):
            ended = change_password(db, user, current=current, new=password, keep_session_id=token_hash(old_token))
            token = start_session(db, user, replaces=old_token)
            audit.record(db, user_id=user.id, action="account.password_change", object_type="user", object_id=user.id,
                         detail={"temporary": user.must_change_password, "sessions_ended": ended})
    except AccountError as exc:
        return _page(request, next_url=next, problems=[(exc.field, translate(exc))], status_code=422)
    # A temporary password stood between the person and where they were going; otherwise confirm on this page.
    response = redirect(request, local_path(next) if user.must_change_password else f"{PASSWORD_PAGE}?fait=1")
    set_session_cookie(request, response, token)
    return response
