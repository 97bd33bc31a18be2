"""Date bounds counted from the day of answering."""

from __future__ import annotations

from datetime import date

import pytest

from prototypes.days import RelativeDay, resolve


@pytest.mark.parametrize(("text", "written", "on"), [
    ("today", "today", date(2026, 12, 7)),
    ("today+21d", "today+21d", date(2026, 12, 28)),
    ("TODAY - 2w", "today-2w", date(2026, 11, 23)),
    ("today-1y", "today-1y", date(2025, 12, 7)),
    ("today+3m", "today+3m", date(2027, 3, 7)),
])
def test_relative_days_are_read_resolved_and_written_back(text, written, on):
    day = RelativeDay.parse(text)
    assert str(day) == written and day.on(date(2026, 12, 7)) == on


def test_a_month_later_than_the_31st_is_the_last_day_of_the_month():
    assert RelativeDay(1, "m").on(date(2027, 1, 31)) == date(2027, 2, 28)
    assert RelativeDay(-1, "y").on(date(2028, 2, 29)) == date(2027, 2, 28)


@pytest.mark.parametrize("text", ["tomorrow", "today+", "today+21", "today*2d", "today+99999d", "2026-01-01"])
def test_anything_else_is_not_a_relative_day(text):
    assert RelativeDay.parse(text) is None


def test_resolve_leaves_fixed_dates_alone():
    assert resolve(date(2026, 1, 1), date(2026, 12, 7)) == date(2026, 1, 1)
    assert resolve(None, date(2026, 12, 7)) is None
