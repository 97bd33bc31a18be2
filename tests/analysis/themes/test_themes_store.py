"""Stored themes: a clustering saved and read back, live figures, tracking statuses, the reports' contract."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from analysis.themes import jobs, store
from analysis.themes.clustering import Theme, ThemeResult
from lab.accounts import create_user
from lab.db import write
from tests.analysis.themes.topics import ADDRESS, FOLLOW_UP, PHOTO, V1
from tests.factories import add_comment, seed, theme_of, theme_pilot
from tests.support import PASSWORD


@pytest.fixture
def staff(db):
    with write(db):
        return create_user(db, email="equipe@ville.test", name="Équipe", role="staff", password=PASSWORD)


def store_result(db, iteration_id: int, result: ThemeResult) -> dict:
    """Save a hand-made clustering as a finished analysis, like the job does."""
    with write(db):
        analysis_id = jobs.queue_analysis(db, iteration_id=iteration_id, runner="cli")
    assert jobs.claim(db, analysis_id)
    comments = store.iteration_comments(db, iteration_id)
    assert len(comments) == len(result.assignments)
    with write(db):
        jobs.save(db, store.get_analysis(db, analysis_id), comments, result)
    return store.get_analysis(db, analysis_id)


def theme(id_: int, label: str, members: list[int], weights: dict, texts: list[str], n: int) -> Theme:
    return Theme(id=id_, label=label, terms=label.split(" · "), size=len(members), share=round(len(members) / n, 4),
                 quotes=[texts[i] for i in members[:3]], member_indices=members, term_weights=weights)


def result_of(themes: list[Theme], n: int) -> ThemeResult:
    assignments = [None] * n
    for t in themes:
        for i in t.member_indices:
            assignments[i] = t.id
    return ThemeResult(themes=themes, assignments=assignments, params={"backend": "tfidf", "k": len(themes),
                                                                       "n_comments": n, "n_noise": assignments.count(None)})


@pytest.fixture
def constructed(db, staff):
    """v1: photo (3) and address (3); v2: photo (2), follow-up (3) and one "merci"; hand-made themes."""
    pilot = theme_pilot(db, people=20)
    v1 = PHOTO[:3] + ADDRESS[:3]
    v2 = PHOTO[3:5] + FOLLOW_UP[:3] + ["Merci !"]
    for text in v1:
        add_comment(db, pilot, 0, text, step="constat")
    for text in v2:
        add_comment(db, pilot, 1, text, step="lieu")
    first = store_result(db, pilot.iterations[0], result_of([
        theme(0, "photo · envoi", [0, 1, 2], {"photo": 0.6, "envoi": 0.3, "telephon": 0.1}, v1, 6),
        theme(1, "adresse · rue", [3, 4, 5], {"adress": 0.6, "rue": 0.4}, v1, 6),
    ], 6))
    second = store_result(db, pilot.iterations[1], result_of([
        theme(0, "suivi · signalement", [2, 3, 4], {"suivi": 0.7, "signal": 0.3}, v2, 6),
        theme(1, "photo · refusée", [0, 1], {"photo": 0.7, "envoi": 0.2, "refus": 0.1}, v2, 6),
    ], 6))
    return pilot, first, second


def test_a_clustering_round_trips_through_the_database(db, staff):
    pilot = theme_pilot(db)
    made = seed(db, pilot, 0, V1, assisted_by=staff.id)
    analysis = jobs.analyse_now(db, iteration_id=pilot.iterations[0])
    assert analysis["status"] == "done" and analysis["progress"] == 1
    params = analysis["params_"]
    assert params["backend"] == "tfidf" and params["random_state"] == 0 and params["n_comments"] == 33
    assert "scikit-learn" in params["versions"] and params["k_selection"] == "modularity"

    rows = store.themes_with_figures(db, analysis["id"])
    assert sum(r["size"] for r in rows) == 33
    assert sum(r["share"] for r in rows) == pytest.approx(1, abs=0.01)
    assert rows[-1]["is_noise"] and rows[-1]["label"] == "Autres"
    assert {theme_of(db, c)["id"] for c in made["noise"]} == {rows[-1]["id"]}
    for row in rows:
        member_texts = {c["text"] for c in store.theme_comments(db, row["id"])}
        assert 1 <= len(row["quotes"]) <= 3
        assert {text for _id, text in row["quotes"]} <= member_texts  # quotes are members' own (masked) texts
        assert len({text.casefold() for _id, text in row["quotes"]}) == len(row["quotes"])
    from collections import Counter

    photo_id = Counter(theme_of(db, c)["id"] for c in made["photo"]).most_common(1)[0][0]
    photo = store.get_theme(db, photo_id)
    assert "photo" in photo["label"]
    (photo_row,) = [r for r in rows if r["id"] == photo["id"]]
    assert photo_row["steps"][0] == "Quand avez-vous constaté le problème ?"  # step titles, most frequent first
    # Same comments, same seed: the same themes.
    again = jobs.analyse_now(db, iteration_id=pilot.iterations[0])
    labels = [(r["label"], r["size"]) for r in store.themes_with_figures(db, again["id"])]
    assert labels == [(r["label"], r["size"]) for r in rows]
    # Only the shown analysis keeps themes; the earlier one stays as history.
    assert db.execute("SELECT COUNT(*) FROM themes WHERE analysis_id = ?", [analysis["id"]]).fetchone()[0] == 0
    assert store.latest_done(db, pilot.iterations[0])["id"] == again["id"]


def test_language_is_detected_and_stored_for_every_comment(db, staff):
    pilot = theme_pilot(db, people=10)
    french = add_comment(db, pilot, 0, "La photo ne s'envoie pas depuis mon téléphone")
    english = add_comment(db, pilot, 0, "The photo upload does not work on my phone")
    jobs.analyse_now(db, iteration_id=pilot.iterations[0])
    languages = dict(db.execute("SELECT id, language FROM comments").fetchall())
    assert languages == {french: "fr", english: "en"}


def test_author_figures_need_five_people(db, staff):
    pilot = theme_pilot(db, people=20)
    for n, text in enumerate(PHOTO[:4]):
        add_comment(db, pilot, 0, text, satisfaction=n % 3 + 1, assisted_by=staff.id if n == 0 else None)
    analysis = jobs.analyse_now(db, iteration_id=pilot.iterations[0])
    (row,) = store.themes_with_figures(db, analysis["id"])
    assert row["size"] == 4 and row["authors"] == 4
    assert row["mean_satisfaction"] is None and row["assisted_share"] is None  # 4 < 5: not shown
    add_comment(db, pilot, 0, PHOTO[4], satisfaction=3)
    analysis = jobs.analyse_now(db, iteration_id=pilot.iterations[0])
    (row,) = store.themes_with_figures(db, analysis["id"])
    assert row["mean_satisfaction"] == pytest.approx((1 + 2 + 3 + 1 + 3) / 5)
    assert row["assisted_share"] == pytest.approx(0.2)


def test_tracking_statuses_are_stored_on_a_constructed_two_iteration_case(db, constructed):
    pilot, first, second = constructed
    links = {(r["status"], r["theme_id"] is not None, r["previous_theme_id"] is not None)
             for r in store.links_of(db, second["id"])}
    assert ("persisting", True, True) in links and ("new", True, False) in links and ("resolved", False, True) in links
    views = {v.label: v for v in store.iteration_themes(db, pilot.iterations[1])}
    assert views["photo · refusée"].status == "persisting" and views["photo · refusée"].size_change == -1
    assert views["suivi · signalement"].status == "new" and views["suivi · signalement"].size_change is None
    resolved = views["adresse · rue"]
    assert (resolved.status, resolved.size, resolved.share, resolved.size_change) == ("resolved", 0, 0.0, -3)
    assert resolved.quotes == ADDRESS[:3]
    assert views["Autres"].is_noise and views["Autres"].status == "new" and views["Autres"].size == 1
    # v1 has no previous iteration: everything is new there.
    assert {v.status for v in store.iteration_themes(db, pilot.iterations[0])} == {"new"}


def test_statuses_follow_a_rename_or_a_new_analysis_of_the_previous_iteration(db, constructed):
    from analysis.themes import curation

    pilot, first, second = constructed
    address = next(r for r in store.theme_records(db, first["id"]) if r["label"] == "adresse · rue")
    with write(db):
        curation.rename_theme(db, iteration_id=pilot.iterations[0], theme_id=address["id"], label="Adresse introuvable",
                              user_id=None)
    resolved = [v for v in store.iteration_themes(db, pilot.iterations[1]) if v.status == "resolved"]
    assert [v.label for v in resolved] == ["Adresse introuvable"]
    # Analysing v1 again drops its old themes: v2's links are rebuilt against the new ones.
    again = jobs.analyse_now(db, iteration_id=pilot.iterations[0])
    new_ids = {r["id"] for r in store.theme_records(db, again["id"])}
    previous_ids = {r["previous_theme_id"] for r in store.links_of(db, second["id"]) if r["previous_theme_id"]}
    assert previous_ids and previous_ids <= new_ids


def test_the_contract_types_and_empty_cases(db, staff):
    assert [f.name for f in dataclasses.fields(store.ThemeView)] == [
        "id", "label", "terms", "size", "share", "quotes", "steps", "mean_satisfaction", "assisted_share", "status",
        "size_change", "is_noise"]
    assert [f.name for f in dataclasses.fields(store.ActionView)] == [
        "id", "title", "owner", "status", "theme_labels", "source_iteration_id", "delivered_in_iteration_id"]
    pilot = theme_pilot(db, people=5)
    assert store.iteration_themes(db, pilot.iterations[0]) == []
    assert store.delivered_actions(db, pilot.iterations[0]) == [] and store.planned_actions(db, pilot.iterations[0]) == []
    empty = jobs.analyse_now(db, iteration_id=pilot.iterations[0])
    assert empty["status"] == "done" and "aucun commentaire" in empty["message"]
    assert store.iteration_themes(db, pilot.iterations[0]) == []


def test_vectors_round_trip_as_float32(db, staff):
    pilot = theme_pilot(db, people=5)
    comment_id = add_comment(db, pilot, 0, "La photo ne passe pas")
    comments = store.iteration_comments(db, pilot.iterations[0])
    vector = np.linspace(-1, 1, 512, dtype=np.float32)
    with write(db):
        store.store_vector(db, comment_id=comment_id, vector=vector, model="m1", comment_updated_at=comments[0]["updated_at"],
                           now="2026-01-01T00:00:00+00:00")
    loaded, missing = store.load_vectors(db, comments, "m1")
    assert missing == 0 and loaded.dtype == np.float32 and np.array_equal(loaded[0], vector)
    assert store.vector_readiness(db, pilot.iterations[0], "m1") == (1, 1)
    assert store.load_vectors(db, comments, "another-model") == (None, 1)
    # An edited comment needs a new vector.
    with write(db):
        db.execute("UPDATE comments SET text = 'La photo est refusée', updated_at = '2027-01-01' WHERE id = ?", [comment_id])
    assert store.vector_readiness(db, pilot.iterations[0], "m1") == (0, 1)
