"""Where each signed-in person lands: staff on the lab's home, managers on the portfolio, admins on administration."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from lab.access import Db, StaffUser, Visitor
from lab.clock import utcnow
from lab.errors import PASSWORD_PAGE
from lab.web import render

router = APIRouter()

#: Each role's landing page.
LANDING = {"staff": "/lab", "manager": "/reports", "admin": "/admin"}


@router.get("/")
def home(_request: Request, user: Visitor) -> Response:
    """Send everyone where their work is: sign-in, their own password first, or their role's landing page."""
    if user is None:
        return RedirectResponse("/login", status_code=303)
    if user.must_change_password:
        return RedirectResponse(PASSWORD_PAGE, status_code=303)
    return RedirectResponse(LANDING[user.role], status_code=303)


@router.get("/lab")
def lab_home(request: Request, db: Db, _user: StaffUser) -> Response:
    """The lab's home: sessions running and upcoming, analyses waiting, actions to deliver (sections of other layers)."""
    now = utcnow()
    sections = [(template, build(db, now)) for template, build in request.app.state.home_sections]
    return render(request, "lab/lab_home.html", {"sections": sections})
