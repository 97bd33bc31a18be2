"""A clustering saved and read back: members, quotes from the members' own texts, "Autres", history."""

from __future__ import annotations

from collections import Counter

import pytest

from analysis.themes import analyses, jobs, reading
from lab.accounts import create_user
from lab.db import write
from tests.analysis.themes.topics import V1
from tests.factories import seed, theme_of, theme_pilot
from tests.support import PASSWORD


@pytest.fixture
def staff(db):
    with write(db):
        return create_user(db, email="equipe@ville.test", name="Équipe", role="staff", password=PASSWORD)


def test_a_clustering_round_trips_through_the_database(db, staff):
    pilot = theme_pilot(db)
    made = seed(db, pilot, 0, V1, assisted_by=staff.id)
    analysis = jobs.analyse_now(db, iteration_id=pilot.iterations[0])
    assert analysis["status"] == "done" and analysis["progress"] == 1
    params = analysis["params_"]
    assert params["backend"] == "semantic" and params["random_state"] == 0 and params["n_comments"] == 33
    assert "scikit-learn" in params["versions"] and params["k_selection"] == "modularity"
    assert params["n_no_remark"] == 3  # "Merci !", "ok", "Très bien"

    rows = reading.themes_with_figures(db, analysis["id"])
    assert sum(r["size"] for r in rows) == 33
    # Shares are of the comments that say something; "Sans remarque particulière" is a share of all.
    assert sum(r["share"] for r in rows if not r["no_remark"]) == pytest.approx(1, abs=0.01)
    assert rows[-1]["no_remark"] and rows[-1]["label"] == "Sans remarque particulière" and rows[-1]["share"] == 0.0909
    assert {theme_of(db, c)["id"] for c in made["noise"]} == {rows[-1]["id"]}
    for row in rows:
        member_texts = {c["text"] for c in reading.theme_comments(db, row["id"])}
        assert 1 <= len(row["quotes"]) <= 3
        assert {text for _id, text in row["quotes"]} <= member_texts  # quotes are members' own (masked) texts
        assert len({text.casefold() for _id, text in row["quotes"]}) == len(row["quotes"])
    photo_id = Counter(theme_of(db, c)["id"] for c in made["photo"]).most_common(1)[0][0]
    photo = reading.get_theme(db, photo_id)
    assert "photo" in photo["label"].lower()
    (photo_row,) = [r for r in rows if r["id"] == photo["id"]]
    assert photo_row["steps"][0] == "Quand avez-vous constaté le problème ?"  # step titles, most frequent first
    # Same comments, same seed: the same themes.
    again = jobs.analyse_now(db, iteration_id=pilot.iterations[0])
    labels = [(r["label"], r["size"]) for r in reading.themes_with_figures(db, again["id"])]
    assert labels == [(r["label"], r["size"]) for r in rows]
    # Only the shown analysis keeps themes; the earlier one stays as history.
    assert db.execute("SELECT COUNT(*) FROM themes WHERE analysis_id = ?", [analysis["id"]]).fetchone()[0] == 0
    assert analyses.latest_done(db, pilot.iterations[0])["id"] == again["id"]
