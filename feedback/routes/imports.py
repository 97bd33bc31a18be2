"""Staff screens to bring in comments collected by another tool, and the widget snippet."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response

from feedback.comment_import import MAX_BYTES, import_comments, parse_comments_csv
from lab import audit
from lab.access import Db, StaffUser
from lab.campaigns.deployments import get_deployment
from lab.clock import utcnow
from lab.csv_files import ImportFileError
from lab.db import write
from lab.errors import error_response
from lab.i18n import gettext as _
from lab.web import Id, render

router = APIRouter(prefix="/lab/deployments")


def _form(request: Request, deployment: dict, *, errors: list, text_column: str = "", status_code: int = 200) -> Response:
    return render(
        request,
        "feedback/comment_import.html",
        {"deployment": deployment, "errors": errors, "text_column": text_column},
        status_code=status_code,
    )


@router.get("/{deployment_id}/comments/import")
def import_form(request: Request, db: Db, _user: StaffUser, deployment_id: Id) -> Response:
    """Upload a CSV of comments (for example a JDMA export)."""
    deployment = get_deployment(db, deployment_id)
    if deployment is None:
        return error_response(request, 404)
    return _form(request, deployment, errors=[])


@router.post("/{deployment_id}/comments/import")
def import_upload(
    request: Request,
    db: Db,
    user: StaffUser,
    deployment_id: Id,
    file: UploadFile | None = None,
    text_column: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Import the rows that can be read, list the others by line; a second upload adds nothing."""
    # A plain (sync) route runs in the threadpool: parsing, scanning and storing thousands of rows
    # never blocks the event loop. The upload is already spooled to a file by then.
    data = file.file.read(MAX_BYTES + 1) if file is not None and file.filename else None
    filename = file.filename if file else ""
    deployment = get_deployment(db, deployment_id)
    if deployment is None:
        return error_response(request, 404)
    if data is None:
        return _form(request, deployment, errors=[{"message": _("Choisissez un fichier CSV."), "anchor": "file"}],
                     text_column=text_column, status_code=422)
    try:
        parsed = parse_comments_csv(data, text_column=text_column.strip() or None)
    except ImportFileError as exc:
        return _form(request, deployment, errors=[{"message": str(exc), "anchor": "file"}], text_column=text_column,
                     status_code=413 if len(data) > MAX_BYTES else 422)
    with write(db):
        added, duplicates = import_comments(db, deployment=deployment, parsed=parsed, now=utcnow())
        audit.record(db, user_id=user.id, action="comments.import", object_type="deployment", object_id=deployment_id,
                     detail={"file": filename, "added": added, "duplicates": duplicates, "refused": len(parsed.problems)})
    return render(
        request,
        "feedback/comment_import_report.html",
        {"deployment": deployment, "parsed": parsed, "added": added, "duplicates": duplicates, "filename": filename},
    )
