"""Rows named in a URL: a missing one ends the request with the 404 page, so routes need no check of their own."""

from __future__ import annotations

from starlette.exceptions import HTTPException


def found(row: dict | None, message: str) -> dict:
    """The row, or HTTPException 404, which `lab.errors` renders as the error page with `message`."""
    if row is None:
        raise HTTPException(404, message)
    return row
