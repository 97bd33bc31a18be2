"""Stored themes read back with live figures: authors' figures need five people."""

from __future__ import annotations

import pytest

from analysis.themes import jobs, reading
from lab.accounts import create_user
from lab.db import write
from tests.analysis.themes.topics import PHOTO
from tests.factories import add_comment, theme_pilot
from tests.support import PASSWORD


@pytest.fixture
def staff(db):
    with write(db):
        return create_user(db, email="equipe@ville.test", name="Équipe", role="staff", password=PASSWORD)


def test_author_figures_need_five_people(db, staff):
    pilot = theme_pilot(db, people=20)
    for n, text in enumerate(PHOTO[:4]):
        add_comment(db, pilot, 0, text, satisfaction=n % 3 + 1, assisted_by=staff.id if n == 0 else None)
    analysis = jobs.analyse_now(db, iteration_id=pilot.iterations[0])
    (row,) = reading.themes_with_figures(db, analysis["id"])
    assert row["size"] == 4 and row["authors"] == 4
    assert row["mean_satisfaction"] is None and row["assisted_share"] is None  # 4 < 5: not shown
    add_comment(db, pilot, 0, PHOTO[4], satisfaction=3)
    analysis = jobs.analyse_now(db, iteration_id=pilot.iterations[0])
    (row,) = reading.themes_with_figures(db, analysis["id"])
    assert row["mean_satisfaction"] == pytest.approx((1 + 2 + 3 + 1 + 3) / 5)
    assert row["assisted_share"] == pytest.approx(0.2)
