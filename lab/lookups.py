"""Rows named in a URL: a missing one ends the request with the 404 page, so routes need no check of their own."""

from __future__ import annotations

from sqlite_utils import Database
from starlette.exceptions import HTTPException

from lab.i18n import gettext as _
from prototypes.store import get_iteration


def found(row: dict | None, message: str) -> dict:
    """The row, or HTTPException 404, which `lab.errors` renders as the error page with `message`."""
    if row is None:
        raise HTTPException(404, message)
    return row


def existing_iteration(db: Database, iteration_id: int) -> dict:
    """The iteration, or the 404 page saying it does not exist."""
    return found(get_iteration(db, iteration_id), _("Cette itération n'existe pas."))
