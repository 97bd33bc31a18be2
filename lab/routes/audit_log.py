"""The audit log page: entries in words, filtered by person, action and dates, a page of 50 at a time."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from lab import audit
from lab.access import Admin, Db
from lab.audit_text import ACTIONS, action_label, describe
from lab.clock import LOCAL_TZ
from lab.i18n import gettext as _
from lab.web import form_problems, render

router = APIRouter()
PAGE_SIZE = 50
Short = Annotated[str, Query(max_length=100)]


@dataclass(frozen=True)
class Filters:
    """The filters as typed (strings), kept to refill the form and to build page links."""

    personne: str = ""
    action: str = ""
    du: str = ""
    au: str = ""

    def query_string(self, page: int) -> str:
        """The address of another page of the same search."""
        return "?" + urlencode({**{k: v for k, v in asdict(self).items() if v}, **({"page": page} if page > 1 else {})})


def _day(text: str) -> date | None:
    """A day typed as AAAA-MM-JJ (what date inputs send) or JJ/MM/AAAA (what people type); None if unreadable."""
    found = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text) or re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", text)
    if not found:
        return None
    numbers = [int(part) for part in found.groups()]
    year, month, day = numbers if len(found.group(1)) == 4 else numbers[::-1]
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=LOCAL_TZ)


def read_filters(filters: Filters, known_people: set[int], known_actions: set[str]) -> tuple[audit.AuditQuery, list, Filters]:
    """The query the filters ask for, the problems of what was typed (field, message), and the filters with
    readable days written AAAA-MM-JJ (what a date input shows)."""
    problems: list[tuple[str, str]] = []
    person = None
    if filters.personne:
        person = int(filters.personne) if filters.personne.isdigit() and len(filters.personne) < 19 else -1
        if person != audit.NOBODY and person not in known_people:
            problems.append(("personne", _("Choisissez une personne dans la liste.")))
            person = None
    if filters.action and filters.action not in known_actions:
        problems.append(("action", _("Choisissez une action dans la liste.")))
    days = {}
    for name, label in (("du", _("Du")), ("au", _("Au"))):
        text = getattr(filters, name).strip()
        days[name] = _day(text) if text else None
        if text and days[name] is None:
            problems.append((name, _("« %(label)s » : indiquez une date réelle, par exemple 14/07/2026.", label=label)))
    if days["du"] and days["au"] and days["au"] < days["du"]:
        problems.append(("au", _("La date de fin est avant la date de début.")))
    query = audit.AuditQuery(
        person=person,
        action=filters.action if filters.action in known_actions else None,
        since=_midnight(days["du"]) if days["du"] else None,
        until=_midnight(days["au"] + timedelta(days=1)) if days["au"] else None,
    )
    shown = replace(filters, **{name: day.isoformat() for name, day in days.items() if day})
    return query, problems, shown


def page_numbers(current: int, last: int) -> list[int | None]:
    """First, last and the pages around the current one; None where pages are skipped."""
    shown = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


@router.get("/admin/audit")
def audit_log(
    request: Request, db: Db, _admin: Admin, personne: Short = "", action: Short = "", du: Short = "", au: Short = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    """Newest staff actions first, in sentences, filtered by person, action and dates."""
    people = audit.authors(db)
    codes = sorted(set(ACTIONS) | set(audit.recorded_actions(db)), key=lambda code: (code not in ACTIONS, code))
    query, problems, filters = read_filters(Filters(personne, action, du, au), {person["id"] for person in people}, set(codes))
    entries, total = ([], 0) if problems else audit.search(db, query, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    last = max(1, math.ceil(total / PAGE_SIZE))
    context = {
        "filters": filters, "people": people, "nobody": audit.NOBODY,
        "actions": [(code, action_label(code)) for code in codes],
        "entries": [describe(entry) for entry in entries], "total": total, "page": page, "last": last,
        "pages": [(number, filters.query_string(number) if number else None) for number in page_numbers(page, last)],
        "filtered": any(asdict(filters).values()), **form_problems(problems),
    }
    return render(request, "lab/admin_audit.html", context, status_code=422 if problems else 200)
