"""Date bounds relative to the day a citizen answers: `today`, `today+21d`, `today-1y`.

A spec written in March cannot name "three weeks from now" as a date; a relative bound is
resolved when the answer is checked, in Paris time (the caller passes the day in), so "a date of
observation in the future" or "a booking less than three weeks ahead" can be refused.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from pydantic_core import core_schema

#: d days, w weeks, m calendar months, y years; at most ten years either way.
_RELATIVE = re.compile(r"today(?:\s*([+-])\s*(\d{1,4})\s*([dwmy]))?", re.IGNORECASE)
_LIMITS = {"d": 3660, "w": 522, "m": 120, "y": 10}


@dataclass(frozen=True)
class RelativeDay:
    """A day counted from the day of answering; written back as it is read ("today+21d")."""

    amount: int = 0
    unit: str = "d"

    @classmethod
    def parse(cls, text: str) -> RelativeDay | None:
        """The relative day `text` names, or None when it is not one (or lies more than ten years away)."""
        match = _RELATIVE.fullmatch(text.strip())
        if match is None:
            return None
        if match[1] is None:
            return cls()
        amount, unit = int(match[2]), match[3].lower()
        if amount > _LIMITS[unit]:
            return None
        return cls(-amount if match[1] == "-" else amount, unit)

    def on(self, today: date) -> date:
        """The day this bound means when the answer is given on `today` (31 January + 1 month is 28 or 29 February)."""
        if self.unit in ("d", "w"):
            return today + timedelta(days=self.amount * (7 if self.unit == "w" else 1))
        months = today.month - 1 + self.amount * (12 if self.unit == "y" else 1)
        year, month = today.year + months // 12, months % 12 + 1
        return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))

    def __str__(self) -> str:
        return "today" if self.amount == 0 else f"today{self.amount:+d}{self.unit}"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: object, handler: object) -> core_schema.CoreSchema:
        """Kept as an instance in a spec, written as its text in YAML and JSON."""
        return core_schema.is_instance_schema(cls, serialization=core_schema.plain_serializer_function_ser_schema(str))


def resolve(bound: date | RelativeDay | None, today: date) -> date | None:
    """A date bound as a calendar day for an answer given on `today`."""
    return bound.on(today) if isinstance(bound, RelativeDay) else bound
