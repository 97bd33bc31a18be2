"""Small helpers routes share: rendering pages or htmx partials, redirects, flash notes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import RedirectResponse, Response

from lab.db import MAX_ROW_ID

#: A database id in a URL: out-of-range numbers are a 422, never an SQLite overflow.
Id = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


def local_path(target: str | None) -> str:
    """Only a path of this site ("/…", never "//host/…" or "/\\host"); anything else becomes "/"."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def is_htmx(request: Request) -> bool:
    """True when htmx asked for a fragment rather than a whole page."""
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"


def render(
    request: Request,
    template: str,
    context: dict | None = None,
    *,
    partial: str | None = None,
    status_code: int = 200,
    headers: dict | None = None,
) -> Response:
    """Full page for a plain request, the named partial for htmx (progressive enhancement)."""
    name = partial if partial and is_htmx(request) else template
    return request.app.state.templates.TemplateResponse(
        request, name, context or {}, status_code=status_code, headers=headers
    )


def form_problems(problems: Iterable[tuple[str | None, str]] = ()) -> dict:
    """A refused form's error summary and the inline message of each field, as `_form_errors.html` shows them."""
    problems = list(problems)
    return {
        "errors": [{"message": message, "anchor": field} for field, message in problems],
        "field_errors": {field: message for field, message in problems if field},
    }


def redirect(request: Request, url: str) -> Response:
    """After a successful POST: 303 for plain forms, HX-Redirect for htmx."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)
