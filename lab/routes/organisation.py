"""The collectivité's identity: the admin form, the public logo, and the identity every page is given."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from lab import audit, organisation
from lab.access import Admin, Db, Visitor
from lab.clock import utcnow
from lab.db import write
from lab.i18n import gettext as _
from lab.problems import FormRefused
from lab.web import form_problems, redirect, render

router = APIRouter()

Text = Annotated[str, Form(max_length=1000)]


def with_organisation(request: Request, db: Db) -> None:
    """A dependency of every page's router: the identity pages, notices and footers show."""
    request.state.organisation = organisation.load(db)


def _page(request: Request, form: dict[str, str], *, problems=(), saved: bool = False,
          status_code: int = 200) -> Response:
    return render(request, "lab/admin_organisation.html", {"form": form, "saved": saved, **form_problems(problems)},
                  status_code=status_code)


@router.get("/admin/organisation")
def organisation_form(request: Request, db: Db, _admin: Admin, enregistre: int = 0) -> Response:
    """Who the collectivité is, as citizens, managers and open-data readers see it."""
    return _page(request, organisation.form_of(organisation.load(db)), saved=bool(enregistre))


@router.post("/admin/organisation")
async def organisation_save(
    request: Request, db: Db, admin: Admin, name: Text = "", short_name: Text = "", address: Text = "",
    dpo_contact: Text = "", website: Text = "", accessibility_contact: Text = "",
    retention_days: Annotated[str, Form(max_length=10)] = "365", remove_logo: Annotated[str, Form(max_length=5)] = "",
    logo: UploadFile | None = None,
) -> Response:
    """Save the identity (and a new logo, or none); every problem is shown at once, nothing is half saved."""
    form = dict(zip(organisation.FORM_FIELDS, (name, short_name, address, dpo_contact, website, accessibility_contact,
                                               retention_days)))
    data = await logo.read(organisation.LOGO_MAX_BYTES + 1) if logo is not None and logo.filename else None
    try:
        await run_in_threadpool(_save, db, form, data, bool(remove_logo), admin.id)
    except FormRefused as exc:
        return _page(request, form, problems=exc.problems, status_code=422)
    return redirect(request, "/admin/organisation?enregistre=1")


def _save(db, form: dict[str, str], logo: bytes | None, remove_logo: bool, user_id: int) -> None:
    """Identity, logo and audit entry in one transaction, off the event loop (the logo is checked byte by byte)."""
    now = utcnow()
    with write(db):
        saved = organisation.save(db, form, now=now, user_id=user_id)
        if logo is not None or remove_logo:
            organisation.set_logo(db, logo, now=now)
        audit.record(db, user_id=user_id, action="organisation.update", object_type="organisation", object_id=1,
                     detail={"name": saved.name, "logo": "new" if logo is not None else "removed" if remove_logo else "kept"})


@router.get("/organisation/logo")
def organisation_logo(request: Request, db: Db, _visitor: Visitor) -> Response:
    """The logo, cached by browsers: its address changes with every save."""
    found = organisation.logo(db)
    if found is None:
        return render(request, "lab/error.html", {"status": 404, "message": _("Aucun logo n'est enregistré.")},
                      status_code=404)
    data, media_type = found
    return Response(data, media_type=media_type, headers={"Cache-Control": "public, max-age=31536000, immutable"})
