"""Staff screens for test groups, their pseudonymous participants and participant imports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from lab import audit
from lab.access import Db, StaffUser
from lab.campaigns.groups import (
    AGE_RANGES,
    DIGITAL_LEVELS,
    GroupError,
    add_participant,
    add_participants,
    create_group,
    erase_contact,
    get_group,
    get_participant,
    list_groups,
    list_participants,
    rename_group,
)
from lab.campaigns.participant_import import MAX_BYTES, import_participants, parse_participants_csv
from lab.csv_files import FileTooLarge, ImportFileError
from lab.db import write
from lab.i18n import N_
from lab.i18n import gettext as _
from lab.lookups import found
from lab.web import Id, form_problems, redirect, render

router = APIRouter(prefix="/lab/groups")

Text = Annotated[str, Form(max_length=200)]
LongText = Annotated[str, Form(max_length=2000)]
#: One message for a missing group or participant: a URL never tells which of the two exists.
MISSING = N_("Ce groupe ou ce participant n'existe pas.")


def _profile(tranche_age: Text = "", quartier: Text = "", aisance_numerique: Text = "") -> dict:
    """The optional profile fields both participant forms share, as `lab.groups` stores them."""
    return {"tranche_age": tranche_age, "quartier": quartier, "aisance_numerique": aisance_numerique}


Profile = Annotated[dict, Depends(_profile)]


def _problem(form_name: str, exc: GroupError) -> dict:
    """Turn a domain error into the summary entry and inline message of one form."""
    return form_problems([(f"{form_name}-{exc.field}" if exc.field else None, str(exc))])


def _list_page(request: Request, db, *, form: dict | None = None, problem: dict | None = None) -> Response:
    return render(
        request,
        "campaigns/groups.html",
        {"groups": list_groups(db), "form": form or {}, **(problem or form_problems())},
        status_code=422 if problem else 200,
    )


def _group_page(
    request: Request, db, group: dict, *, form_name: str = "", form: dict | None = None, problem: dict | None = None
) -> Response:
    context = {
        "group": group,
        "participants": list_participants(db, group["id"]),
        "forms": {form_name: form or {}},
        "age_ranges": AGE_RANGES,
        "digital_levels": DIGITAL_LEVELS,
        **(problem or form_problems()),
    }
    return render(request, "campaigns/groups_show.html", context, status_code=422 if problem else 200)


def _group(db, group_id: int) -> dict:
    """The group named in the URL, or the 404 page."""
    return found(get_group(db, group_id), _(MISSING))


@router.get("")
def groups(request: Request, db: Db, _staff: StaffUser) -> Response:
    """All test groups, with the form to create one."""
    return _list_page(request, db)


@router.post("")
def new_group(request: Request, db: Db, staff: StaffUser, name: Text = "", description: LongText = "") -> Response:
    """Create a group, then show it."""
    try:
        with write(db):
            group_id = create_group(db, name=name, description=description, user_id=staff.id)
            audit.record(db, user_id=staff.id, action="group.create", object_type="test_group", object_id=group_id)
    except GroupError as exc:
        return _list_page(request, db, form={"name": name, "description": description}, problem=_problem("new", exc))
    return redirect(request, f"/lab/groups/{group_id}")


@router.get("/{group_id}")
def show_group(request: Request, db: Db, _staff: StaffUser, group_id: Id) -> Response:
    """A group's facts and participants (never their contact details), with the forms to add some."""
    return _group_page(request, db, _group(db, group_id))


@router.post("/{group_id}")
def edit_group(
    request: Request, db: Db, staff: StaffUser, group_id: Id, name: Text = "", description: LongText = ""
) -> Response:
    """Rename a group or change its description."""
    group = _group(db, group_id)
    try:
        with write(db):
            rename_group(db, group_id=group_id, name=name, description=description)
            audit.record(db, user_id=staff.id, action="group.update", object_type="test_group", object_id=group_id)
    except GroupError as exc:
        form = {"name": name, "description": description}
        return _group_page(request, db, group, form_name="edit", form=form, problem=_problem("edit", exc))
    return redirect(request, f"/lab/groups/{group_id}")


@router.post("/{group_id}/participants")
def add_batch(
    request: Request,
    db: Db,
    staff: StaffUser,
    group_id: Id,
    profile: Profile,
    count: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Create several anonymous participants at once, sharing one profile."""
    group = _group(db, group_id)
    number = int(count) if count.strip().isdecimal() else 0
    try:
        with write(db):
            codes = add_participants(db, group_id=group_id, count=number, profile=profile)
            audit.record(db, user_id=staff.id, action="participants.add", object_type="test_group",
                         object_id=group_id, detail={"count": len(codes)})
    except GroupError as exc:
        return _group_page(request, db, group, form_name="batch", form={"count": count, **profile},
                           problem=_problem("batch", exc))
    return redirect(request, f"/lab/groups/{group_id}#participants")


@router.post("/{group_id}/participants/new")
def add_with_contact(
    request: Request,
    db: Db,
    staff: StaffUser,
    group_id: Id,
    profile: Profile,
    name: Text = "",
    email: Annotated[str, Form(max_length=254)] = "",
    phone: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Create one participant whose contact details are kept apart from their answers."""
    group = _group(db, group_id)
    try:
        with write(db):
            participant = add_participant(db, group_id=group_id, name=name, email=email, phone=phone, profile=profile)
            audit.record(db, user_id=staff.id, action="participant.create", object_type="participant",
                         object_id=participant["id"], detail={"code": participant["code"]})
    except GroupError as exc:
        form = {"name": name, "email": email, "phone": phone, **profile}
        return _group_page(request, db, group, form_name="contact", form=form, problem=_problem("contact", exc))
    return redirect(request, f"/lab/groups/{group_id}/participants/{participant['id']}")


def _participant(db, group_id: int, participant_id: int) -> dict:
    """The participant named in the URL if they belong to that group, or the 404 page."""
    participant = get_participant(db, participant_id)
    return found(participant if participant and participant["group_id"] == group_id else None, _(MISSING))


@router.get("/{group_id}/participants/{participant_id}")
def show_participant(request: Request, db: Db, _staff: StaffUser, group_id: Id, participant_id: Id) -> Response:
    """The one place where a participant's contact details are shown."""
    group, participant = _group(db, group_id), _participant(db, group_id, participant_id)
    return render(request, "campaigns/groups_participant.html", {"group": group, "participant": participant})


@router.post("/{group_id}/participants/{participant_id}/erase-contact")
def erase_participant_contact(
    request: Request, db: Db, staff: StaffUser, group_id: Id, participant_id: Id
) -> Response:
    """Forget a participant's name, e-mail and phone; their pseudonymous code and answers remain."""
    participant = _participant(db, group_id, participant_id)
    with write(db):
        if erase_contact(db, participant_id=participant_id):
            audit.record(db, user_id=staff.id, action="participant.contact_erase", object_type="participant",
                         object_id=participant_id, detail={"code": participant["code"]})
    return redirect(request, f"/lab/groups/{group_id}/participants/{participant_id}")


def _import_page(request: Request, group: dict, *, message: str = "", status_code: int = 200) -> Response:
    errors = [{"message": message, "anchor": "file"}] if message else []
    return render(
        request,
        "campaigns/groups_import.html",
        {"group": group, "errors": errors, "max_mb": MAX_BYTES // 2**20},
        status_code=status_code,
    )


@router.get("/{group_id}/import")
def import_form(request: Request, db: Db, _staff: StaffUser, group_id: Id) -> Response:
    """The CSV upload form, with the expected columns."""
    return _import_page(request, _group(db, group_id))


@router.post("/{group_id}/import")
def import_file(
    request: Request, db: Db, staff: StaffUser, group_id: Id, file: Annotated[UploadFile | None, File()] = None
) -> Response:
    """Import the valid lines of a CSV and report, line by line, what was refused or already there."""
    group = _group(db, group_id)
    data = file.file.read(MAX_BYTES + 1) if file else b""
    try:
        parsed = parse_participants_csv(data)
    except FileTooLarge as exc:
        return _import_page(request, group, message=str(exc), status_code=413)
    except ImportFileError as exc:
        return _import_page(request, group, message=str(exc), status_code=422)
    with write(db):
        report = import_participants(db, group_id=group_id, parsed=parsed, filename=file.filename or "", user_id=staff.id)
        audit.record(db, user_id=staff.id, action="participants.import", object_type="test_group", object_id=group_id,
                     detail={"file_sha256": parsed.sha256, "created": len(report.created),
                             "already_present": len(report.already_present), "problems": len(report.problems),
                             "repeated_file": report.previous_import is not None})
    return render(request, "campaigns/groups_import_report.html", {"group": group, "report": report})
