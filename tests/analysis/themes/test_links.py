"""Links to v(N-1)'s themes: stored on a constructed two-iteration case, rebuilt when either side changes."""

from __future__ import annotations

import pytest

from analysis.themes import contract, curation, jobs, links, reading
from lab.db import write
from tests.analysis.reports.test_report_pdf import pdf_of
from tests.analysis.themes.topics import ADDRESS, FOLLOW_UP, PHOTO
from tests.factories import add_comment, hand_made_analysis, theme_pilot


@pytest.fixture
def constructed(db):
    """v1: photo (3) and address (3); v2: photo (2), follow-up (3) and one "merci"; hand-made themes."""
    pilot = theme_pilot(db, people=20)
    for text in PHOTO[:3] + ADDRESS[:3]:
        add_comment(db, pilot, 0, text, step="constat")
    for text in PHOTO[3:5] + FOLLOW_UP[:3] + ["Merci !"]:
        add_comment(db, pilot, 1, text, step="lieu")
    first = hand_made_analysis(db, pilot.iterations[0], [
        ("photo · envoi", [0, 1, 2], {"photo": 0.6, "envoi": 0.3, "telephon": 0.1}),
        ("adresse · rue", [3, 4, 5], {"adress": 0.6, "rue": 0.4}),
    ])
    second = hand_made_analysis(db, pilot.iterations[1], [
        ("suivi · signalement", [2, 3, 4], {"suivi": 0.7, "signal": 0.3}),
        ("photo · refusée", [0, 1], {"photo": 0.7, "envoi": 0.2, "refus": 0.1}),
    ])
    return pilot, first, second


def test_tracking_statuses_are_stored_on_a_constructed_two_iteration_case(db, constructed):
    pilot, first, second = constructed
    stored = {(r["status"], r["theme_id"] is not None, r["previous_theme_id"] is not None)
              for r in links.links_of(db, second["id"])}
    assert stored == {("persisting", True, True), ("new", True, False)}
    views = {(v.side, v.label): v for v in contract.iteration_themes(db, pilot.iterations[1])}
    assert views["current", "photo · refusée"].status == "persisting" and views["current", "photo · refusée"].size_change == -1
    assert [p.label for p in views["current", "photo · refusée"].predecessors] == ["photo · envoi"]
    assert views["current", "suivi · signalement"].status == "new" and views["current", "suivi · signalement"].size_change is None
    photo = views["previous", "photo · envoi"].fate
    assert photo.status == "persisting" and [s.label for s in photo.successors] == ["photo · refusée"]
    assert photo.examples == PHOTO[3:5]  # the comments of v2 that still speak of it
    # No comment of v2 speaks of addresses, but 3 of 6 then 0 of 5 is no significant fall: receding, not resolved.
    address = views["previous", "adresse · rue"]
    assert address.status == "receding" and address.quotes == ADDRESS[:3]
    fate = address.fate
    assert (fate.now, fate.now_total, fate.successors, fate.examples) == (0, 5, [], [])
    assert fate.test == "fisher_exact" and fate.p_value > 0.05 and fate.before_interval[0] < fate.share_before
    # "Merci !" is neither a theme nor "Autres": it is counted apart, and left out of the shares.
    assert views["current", "Sans remarque particulière"].is_no_remark and views["current", "Sans remarque particulière"].size == 1
    assert ("current", "Autres") not in views
    # v1 has no previous iteration: everything is new there.
    assert {v.status for v in contract.iteration_themes(db, pilot.iterations[0]) if v.label != "Autres"} == {"new"}


def test_statuses_follow_a_rename_or_a_new_analysis_of_the_previous_iteration(db, constructed):
    pilot, first, second = constructed
    address = next(r for r in reading.theme_records(db, first["id"]) if r["label"] == "adresse · rue")
    with write(db):
        curation.rename_theme(db, iteration_id=pilot.iterations[0], theme_id=address["id"], label="Adresse introuvable",
                              user_id=None)
    receding = [v for v in contract.iteration_themes(db, pilot.iterations[1]) if v.status == "receding"]
    assert [(v.side, v.label) for v in receding] == [("previous", "Adresse introuvable")]
    # Analysing v1 again drops its old themes: v2's links are rebuilt against the new ones.
    again = jobs.analyse_now(db, iteration_id=pilot.iterations[0])
    new_ids = {r["id"] for r in reading.theme_records(db, again["id"])}
    previous_ids = {r["previous_theme_id"] for r in links.links_of(db, second["id"]) if r["previous_theme_id"]}
    previous_ids |= {f["previous_theme_id"] for f in links.fates_of(db, second["id"])}
    assert previous_ids and previous_ids <= new_ids


MORE_PHOTO = ["Le bouton photo ne répond pas", "La photo arrive floue et pivotée", "Photo impossible à recadrer avant l'envoi",
              "Le téléphone refuse d'ouvrir l'appareil photo"]


def test_a_theme_joining_a_fixed_and_a_lasting_complaint_is_shown_resolved_in_part(db, users, login_as):
    # v1's clustering joined photo upload and addresses in one theme; v2 fixed the photo upload.
    pilot = theme_pilot(db, people=60)
    v1, v2 = pilot.iterations
    joined = PHOTO + MORE_PHOTO + ADDRESS
    for text in joined + FOLLOW_UP:
        add_comment(db, pilot, 0, text, step="constat")
    for text in ADDRESS + FOLLOW_UP:
        add_comment(db, pilot, 1, text, step="lieu")
    hand_made_analysis(db, v1, [("photo · adresse", range(len(joined)), {"photo": 0.5, "adress": 0.5}),
                                ("suivi", range(len(joined), len(joined) + len(FOLLOW_UP)), {"suivi": 1.0})])
    second = hand_made_analysis(db, v2, [("adresse", range(len(ADDRESS)), {"adress": 1.0}),
                                         ("suivi", range(len(ADDRESS), len(ADDRESS) + len(FOLLOW_UP)), {"suivi": 1.0})])
    fate = next(v for v in contract.iteration_themes(db, v2) if v.side == "previous" and v.label == "photo · adresse").fate
    resolved, rest = fate.parts
    assert (resolved.status, rest.status) == ("resolved", "persisting")
    assert resolved.now == 0 and resolved.p_value < 0.05 and rest.now >= 8
    assert resolved.quotes and set(resolved.quotes) <= set(PHOTO + MORE_PHOTO)  # what was said, in v1
    assert rest.quotes == [] and set(fate.examples) <= set(ADDRESS)  # what is still said, in v2, is the fate's
    stored = links.fates_of(db, second["id"])
    assert sum(bool(row["parts_"]) for row in stored) == 1
    client = login_as("staff")
    for page in (f"/lab/iterations/{v2}/themes", f"/reports/iterations/{v2}"):
        html = client.get(page).text
        assert "Résolu en partie" in html and "Le reste persiste" in html, page
        assert resolved.quotes[0].replace("'", "&#39;") in html, page
    printed = " ".join(" ".join(page.extract_text().split()) for page in pdf_of(client, v2).pages)
    assert "Résolu en partie" in printed and "Le reste persiste" in printed
