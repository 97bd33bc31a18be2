"""Managers' pages: the portfolio, iteration reports, decisions and downloads (`/reports/...`).

Staff, managers and admins read (`Reader`), including the comparison of any two iterations of a
prototype; only managers record decisions (`Manager`).
Routes are plain `def` so FastAPI runs them in its thread pool: computing figures, a PDF or
an export never blocks the event loop.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections import OrderedDict
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.background import BackgroundTask

from analysis.reports import exports
from analysis.reports.comparisons import comparison_page
from analysis.reports.decisions import KIND_HINTS, KIND_LABELS, DecisionError, list_decisions, record_decision
from analysis.reports.pdf import html_to_pdf, printable_html
from analysis.reports.refresh_jobs import refreshing
from analysis.reports.report import build_report, portfolio
from analysis.reports.snapshots import Snapshot, get_snapshot
from lab import audit
from lab.access import Db, Manager, Reader
from lab.clock import utcnow
from lab.db import write
from lab.i18n import Message, current_locale, translate
from lab.i18n import gettext as _
from lab.lookups import found
from lab.web import Id, form_problems, is_htmx, redirect, render
from lab.worker import Worker
from prototypes.lookups import existing_iteration
from prototypes.store import get_iteration, get_prototype

router = APIRouter(prefix="/reports")

Filter = Annotated[str, Query(max_length=100)]


def _worker(request: Request) -> Worker | None:
    """Who refreshes large stale figures: the background worker when it runs, else nobody (they are refreshed here)."""
    state = request.app.state
    return state.worker if state.settings.start_workers else None


def _snapshot(request: Request, db, iteration_id: int, *, background: bool = True) -> Snapshot:
    """Stored figures, refreshed here when small, by the worker when large (if it runs)."""
    return get_snapshot(db, iteration_id, worker=_worker(request) if background else None)


def _blank_form() -> dict:
    return {"form": {"kind": "", "rationale": ""}, "errors": [], "field_errors": {}}


def _decisions_context(db, iteration_id: int) -> dict:
    """What the decision section needs on its own (the htmx partial)."""
    return {"iteration": get_iteration(db, iteration_id), "decisions": list_decisions(db, iteration_id),
            "kinds": KIND_LABELS, "hints": KIND_HINTS, "printing": False}


#: Rendered report bodies kept per app, by `body_key` and language: rendering the charts and
#: tables is most of a report view's time, and they only change with the figures.
BODY_CACHE_SIZE = 32


def _report_body(request: Request, context: dict) -> Markup | None:
    """The report body's HTML from the cache, or rendered now and kept (None: not cacheable)."""
    if context.get("body_key") is None:
        return None
    key = (context["body_key"], current_locale.get())
    state = request.app.state
    if not hasattr(state, "report_bodies"):
        state.report_bodies, state.report_bodies_lock = OrderedDict(), threading.Lock()
    with state.report_bodies_lock:
        if key in state.report_bodies:
            state.report_bodies.move_to_end(key)
            return state.report_bodies[key]
    # Our own template's autoescaped output, marked safe so it is not escaped twice.
    html = Markup(state.templates.env.get_template("reports/_report_body.html").render({**context, "printing": False}))
    with state.report_bodies_lock:
        state.report_bodies[key] = html
        while len(state.report_bodies) > BODY_CACHE_SIZE:
            state.report_bodies.popitem(last=False)
    return html


def _report_page(request: Request, db, iteration_id: int, snapshot: Snapshot, extra: dict, *, status_code: int = 200,
                 partial: str | None = None) -> Response:
    context = {**build_report(db, iteration_id, snapshot, worker=_worker(request)), "hints": KIND_HINTS, **extra}
    context["body_html"] = _report_body(request, context) if snapshot.ready else None
    return render(request, "reports/report.html", context, partial=partial, status_code=status_code)


def _filename(db, iteration_id: int, suffix: str) -> str:
    iteration = get_iteration(db, iteration_id)
    slug = get_prototype(db, iteration["prototype_id"])["slug"]
    return f"servicelab-{slug}-v{iteration['number']}-{suffix}"


def _file(path: str, media_type: str, filename: str) -> FileResponse:
    """Send a temporary file, then delete it."""
    return FileResponse(path, media_type=media_type, filename=filename, background=BackgroundTask(os.unlink, path))


def _temp(suffix: str) -> str:
    handle, path = tempfile.mkstemp(prefix="servicelab-export-", suffix=suffix)
    os.close(handle)
    return path


@router.get("")
def portfolio_page(request: Request, db: Db, _reader: Reader, domain: Filter = "", status: Filter = "") -> Response:
    """Every pilot with its status, current iteration, key figures and trend; GET filters work without JS."""
    return render(request, "reports/portfolio.html", portfolio(db, domain=domain, status=status, worker=_worker(request)))


#: An iteration or session chosen in a comparison form: out-of-range numbers are a 422, never an SQLite overflow.
Choice = Annotated[int | None, Query(ge=1, le=2**63 - 1)]


@router.get("/prototypes/{prototype_id}/comparaison")
def compare(request: Request, db: Db, _reader: Reader, prototype_id: Id, a: Choice = None, b: Choice = None,
            session: Choice = None) -> Response:
    """Any two iterations of a prototype, and the variants of its A/B sessions, compared; plain GET forms."""
    prototype = found(get_prototype(db, prototype_id), _("Ce prototype n'existe pas."))
    context, problems = comparison_page(db, prototype, a=a, b=b, session=session,
                                        snapshot_of=lambda iteration_id: _snapshot(request, db, iteration_id))
    return render(request, "reports/comparison.html", {**context, **form_problems(problems)},
                  status_code=422 if problems else 200)


@router.get("/iterations/{iteration_id}.pdf")
def report_pdf(request: Request, db: Db, _reader: Reader, iteration_id: Id) -> Response:
    """The report as PDF (same charts as the page), drawn in the thread pool."""
    existing_iteration(db, iteration_id)
    snapshot = _snapshot(request, db, iteration_id, background=False)
    html = printable_html(db, request.app.state.templates.env, build_report(db, iteration_id, snapshot), pdf=True)
    return Response(html_to_pdf(html), media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{_filename(db, iteration_id, "rapport.pdf")}"'})


@router.get("/iterations/{iteration_id}/print")
def report_print(request: Request, db: Db, _reader: Reader, iteration_id: Id) -> Response:
    """The report without navigation or forms, laid out for paper by the print stylesheet."""
    existing_iteration(db, iteration_id)
    snapshot = _snapshot(request, db, iteration_id, background=False)
    return render(request, "reports/report_print.html", {**build_report(db, iteration_id, snapshot), "pdf": False})


@router.get("/iterations/{iteration_id}/status")
def report_status(request: Request, db: Db, _reader: Reader, iteration_id: Id) -> Response:
    """Polled by the "being computed" page: 204 while the worker computes, then a reload."""
    existing_iteration(db, iteration_id)
    if refreshing(db, iteration_id, now=utcnow()):
        return Response(status_code=204)
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    return RedirectResponse(f"/reports/iterations/{iteration_id}", status_code=303)


def _team_csv(table: str):
    def download(request: Request, db: Db, reader: Reader, iteration_id: Id) -> Response:
        existing_iteration(db, iteration_id)
        path = _temp(".csv")
        with open(path, "w", encoding="utf-8", newline="") as out:
            rows = exports.write_team_csv(db, iteration_id, table, out)
        with write(db):
            audit.record(db, user_id=reader.id, action="report.export", object_type="iteration", object_id=iteration_id,
                         detail={"format": "csv", "table": table, "rows": rows})
        return _file(path, "text/csv; charset=utf-8", _filename(db, iteration_id, f"{table}.csv"))

    download.__name__ = f"export_{table}_csv"
    download.__doc__ = f"The pseudonymised `{table}` table as CSV (participant codes, never contact details)."
    return download


for _table in exports.TEAM_TABLES:
    router.add_api_route(f"/iterations/{{iteration_id}}/{_table}.csv", _team_csv(_table), methods=["GET"],
                         name=f"export_{_table}_csv")


@router.get("/iterations/{iteration_id}/data.json")
def export_json(request: Request, db: Db, reader: Reader, iteration_id: Id) -> Response:
    """Every pseudonymised table in one JSON document."""
    existing_iteration(db, iteration_id)
    path = _temp(".json")
    with open(path, "w", encoding="utf-8") as out:
        exports.write_team_json(db, iteration_id, out)
    with write(db):
        audit.record(db, user_id=reader.id, action="report.export", object_type="iteration", object_id=iteration_id,
                     detail={"format": "json"})
    return _file(path, "application/json", _filename(db, iteration_id, "donnees.json"))


@router.get("/iterations/{iteration_id}/opendata.zip")
def export_open_data(request: Request, db: Db, reader: Reader, iteration_id: Id) -> Response:
    """Anonymised open data: CSV files, the same as a SQLite database for Datasette, metadata, readme."""
    existing_iteration(db, iteration_id)
    snapshot = _snapshot(request, db, iteration_id, background=False)
    path = _temp(".zip")
    with open(path, "wb") as out:
        counts = exports.write_open_zip(db, iteration_id, snapshot, out)
    with write(db):
        audit.record(db, user_id=reader.id, action="report.export", object_type="iteration", object_id=iteration_id,
                     detail={"format": "opendata", "rows": counts})
    return _file(path, "application/zip", _filename(db, iteration_id, "donnees-ouvertes.zip"))


@router.post("/iterations/{iteration_id}/decisions")
def decide(
    request: Request,
    db: Db,
    manager: Manager,
    iteration_id: Id,
    kind: Annotated[str, Form(max_length=40)] = "",
    rationale: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """Record a manager's decision on an iteration, with its rationale; a refused one keeps what was typed."""
    existing_iteration(db, iteration_id)
    try:
        with write(db):
            decision_id = record_decision(db, iteration_id=iteration_id, kind=kind, rationale=rationale, user_id=manager.id)
            audit.record(db, user_id=manager.id, action="decision.record", object_type="iteration",
                         object_id=iteration_id, detail={"decision_id": decision_id, "kind": kind})
    except DecisionError as exc:
        messages = [(field, translate(Message(msgid, params))) for field, msgid, params in exc.problems]
        extra = {
            "form": {"kind": kind if kind in KIND_LABELS else "", "rationale": rationale},
            **form_problems(messages),
        }
        if is_htmx(request):
            return render(request, "reports/_decisions.html", {**_decisions_context(db, iteration_id), **extra},
                          status_code=422)
        return _report_page(request, db, iteration_id, _snapshot(request, db, iteration_id), extra, status_code=422)
    if is_htmx(request):  # the section swaps in place, with the new decision on top
        return render(request, "reports/_decisions.html",
                      {**_decisions_context(db, iteration_id), **_blank_form(), "recorded": True})
    return redirect(request, f"/reports/iterations/{iteration_id}#decisions")


@router.get("/iterations/{iteration_id}")
def report(request: Request, db: Db, _reader: Reader, iteration_id: Id) -> Response:
    """The iteration report: did it work, better than before, what people struggle with, what we decide."""
    existing_iteration(db, iteration_id)
    return _report_page(request, db, iteration_id, _snapshot(request, db, iteration_id), _blank_form())
