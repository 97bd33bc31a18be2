"""What the reports read of the themes: the view types, and nothing when there is nothing."""

from __future__ import annotations

import dataclasses

from analysis.themes import actions, contract, curation, jobs, reading
from lab.db import write
from tests.analysis.themes.topics import PHOTO
from tests.factories import add_comment, hand_made_analysis, theme_pilot


def test_the_contract_types_and_empty_cases(db):
    assert [f.name for f in dataclasses.fields(contract.ThemeView)] == [
        "id", "label", "terms", "size", "share", "quotes", "steps", "mean_satisfaction", "assisted_share", "status",
        "size_change", "is_noise", "is_no_remark", "name_lang", "side", "predecessors", "fate"]
    assert [f.name for f in dataclasses.fields(contract.FateView)] == [
        "status", "before", "before_total", "now", "now_total", "share_before", "share_now", "before_interval",
        "now_interval", "p_value", "test", "examples", "successors", "merged_with", "parts"]
    assert [f.name for f in dataclasses.fields(contract.PartView)] == ["status", "before", "now", "p_value", "test", "quotes"]
    assert [f.name for f in dataclasses.fields(contract.ActionView)] == [
        "id", "title", "owner", "status", "theme_labels", "source_iteration_id", "delivered_in_iteration_id"]
    pilot = theme_pilot(db, people=5)
    assert contract.iteration_themes(db, pilot.iterations[0]) == []
    assert contract.delivered_actions(db, pilot.iterations[0]) == [] and contract.planned_actions(db, pilot.iterations[0]) == []
    empty = jobs.analyse_now(db, iteration_id=pilot.iterations[0])
    assert empty["status"] == "done" and "aucun commentaire" in empty["message"]
    assert contract.iteration_themes(db, pilot.iterations[0]) == []


def test_the_fingerprint_follows_what_the_answers_depend_on(db):
    pilot = theme_pilot(db, people=10)
    for text in PHOTO[:3]:
        add_comment(db, pilot, 0, text)
    iteration = db["iterations"].get(pilot.iterations[0])

    def fingerprint() -> str:
        return contract.themes_fingerprint(db, iteration, None)

    before = fingerprint()
    assert fingerprint() == before  # nothing changed, nothing to recompute
    analysis = hand_made_analysis(db, pilot.iterations[0], [("photo · envoi", [0, 1, 2], {"photo": 1.0})])
    analysed = fingerprint()
    assert analysed != before
    (theme,) = [t for t in reading.theme_records(db, analysis["id"]) if not t["is_noise"]]
    with write(db):
        curation.rename_theme(db, iteration_id=pilot.iterations[0], theme_id=theme["id"], label="Photos", user_id=None)
    renamed = fingerprint()
    assert renamed != analysed
    with write(db):
        actions.create_action(db, iteration_id=pilot.iterations[0], user_id=None,
                              form=actions.ActionForm(title="Accepter les photos HEIC", theme_ids=(str(theme["id"]),)))
    assert fingerprint() != renamed
