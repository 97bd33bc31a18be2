"""Time in one place, so tests can move it and every timestamp is UTC ISO-8601."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from lab.i18n import gettext

#: Collectivités are in metropolitan France; people read times in Paris time.
LOCAL_TZ = ZoneInfo("Europe/Paris")


def utcnow() -> datetime:
    """The current instant, timezone-aware."""
    return datetime.now(UTC)


def local_today() -> date:
    """The calendar day it is in Paris now: relative date bounds count from it."""
    return datetime.now(LOCAL_TZ).date()


def iso(moment: datetime) -> str:
    """Store instants as sortable text."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse(text: str) -> datetime:
    """Read back what `iso` wrote."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_text(stored: str | None, with_time: bool = True) -> str:
    """A stored instant the French way, in Paris time: "14/07/2026 à 10:30"."""
    if not stored:
        return ""
    moment = parse(stored).astimezone(LOCAL_TZ)
    return moment.strftime(gettext("%d/%m/%Y à %H:%M") if with_time else "%d/%m/%Y")
