"""Stored report figures: reused while the data is unchanged, recomputed when it changes, large ones handed to the worker."""

from __future__ import annotations

import pytest

from analysis.reports import snapshots
from analysis.reports.snapshots import data_version, get_snapshot, refresh, summaries
from feedback import store
from feedback.pii import scan
from lab.campaigns.groups import rename_group
from lab.db import write
from tests.factories import T0, add_trial, constructed_pilot, invite_all, make_pilot


def _no_compute(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("figures were recomputed although nothing changed")

    monkeypatch.setattr(snapshots, "compute_figures", fail)


def test_snapshot_is_reused_while_the_data_is_unchanged(db, users, monkeypatch):
    pilot = constructed_pilot(db, users["staff"].id)
    first = get_snapshot(db, pilot.iterations[0])
    _no_compute(monkeypatch)
    again = get_snapshot(db, pilot.iterations[0])
    assert again.state == "fresh" and again.computed_at == first.computed_at and again.figures == first.figures
    assert summaries(db, [pilot.iterations[0]]) == {pilot.iterations[0]: first.summary}


def test_snapshot_is_recomputed_when_a_trial_is_added(db, users):
    pilot = constructed_pilot(db, users["staff"].id)
    version = data_version(db, pilot.iterations[0])
    assert get_snapshot(db, pilot.iterations[0]).figures["trials"] == 6
    add_trial(db, pilot)
    assert data_version(db, pilot.iterations[0]) != version
    assert get_snapshot(db, pilot.iterations[0]).figures["trials"] == 7


@pytest.mark.parametrize("change", ["complete", "answer", "comment", "erase", "rename_group", "invite"])
def test_every_kind_of_change_makes_the_snapshot_stale(db, users, change):
    pilot = make_pilot(db, people=10)
    trial_id = add_trial(db, pilot, reached=3)
    get_snapshot(db, pilot.iterations[0])
    version = data_version(db, pilot.iterations[0])
    with write(db):
        trial = store.get_trial(db, trial_id)
        if change == "complete":
            store.save_step(db, trial, step_key="contact", step_fields=["courriel"], index=3, step_count=4, values={}, now=T0)
        elif change == "answer":
            store.save_responses(db, trial, [("satisfaction", 3.0, None)], now=T0)
        elif change == "comment":
            store.save_comment(db, trial, step_key="lieu", comment=scan("Bien"), source="step", now=T0)
        elif change == "erase":
            db.execute("DELETE FROM participants WHERE id = ?", [trial["participant_id"]])
        elif change == "rename_group":
            rename_group(db, group_id=pilot.group_id, name="Habitants du nord", description="")
    if change == "invite":
        invite_all(db, pilot, 0)
    assert data_version(db, pilot.iterations[0]) != version


def test_a_change_in_the_previous_iteration_refreshes_the_comparison(db, users):
    pilot = make_pilot(db, iterations=2, people=20)
    for _ in range(5):
        add_trial(db, pilot, 1)
    version = data_version(db, pilot.iterations[1])
    add_trial(db, pilot, 0)
    assert data_version(db, pilot.iterations[1]) != version


def test_dropped_triggers_are_recreated_and_every_snapshot_invalidated(db, users):
    pilot = constructed_pilot(db, users["staff"].id)
    get_snapshot(db, pilot.iterations[0])
    db.execute("DROP TRIGGER report_version_trials_insert")
    add_trial(db, pilot)  # not counted: the trigger is gone
    assert get_snapshot(db, pilot.iterations[0]).figures["trials"] == 7
    assert db.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'report_version_trials_insert'").fetchone()[0] == 1


def test_every_version_trigger_exists_after_migration(db):
    from analysis.reports.migrations import TRIGGERS

    present = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert set(TRIGGERS) <= present


def test_refresh_refuses_an_unknown_iteration(db):
    with pytest.raises(LookupError):
        refresh(db, 999)


def test_a_large_stale_iteration_is_handed_to_the_worker_and_shows_its_stored_figures(app, db, users):
    pilot = constructed_pilot(db, users["staff"].id)
    first = get_snapshot(db, pilot.iterations[0])
    add_trial(db, pilot)
    stale = get_snapshot(db, pilot.iterations[0], worker=app.state.worker, inline_limit=3)
    assert stale.state == "stale" and stale.figures == first.figures
    assert db["report_jobs"].get(pilot.iterations[0])["status"] == "queued"
    assert get_snapshot(db, pilot.iterations[0]).figures["trials"] == 7  # no worker: refreshed here


def test_a_large_iteration_without_figures_is_pending(app, db, users):
    pilot = constructed_pilot(db, users["staff"].id)
    pending = get_snapshot(db, pilot.iterations[0], worker=app.state.worker, inline_limit=3)
    assert pending.state == "pending" and not pending.ready and pending.trials == 6
    assert db["report_jobs"].get(pilot.iterations[0])["status"] == "queued"


def test_summaries_keep_stored_figures_of_a_large_stale_iteration_and_hand_it_to_the_worker(app, db, users):
    pilot = constructed_pilot(db, users["staff"].id)
    first = get_snapshot(db, pilot.iterations[0]).summary
    add_trial(db, pilot)
    found = summaries(db, [pilot.iterations[0]], worker=app.state.worker, inline_limit=3)
    assert found == {pilot.iterations[0]: first}
    assert db["report_jobs"].get(pilot.iterations[0])["status"] == "queued"
    assert summaries(db, [pilot.iterations[0]])[pilot.iterations[0]]["trials"] == 7  # no worker: refreshed here


TOPICS = ("La photo de mon téléphone est refusée, fichier trop lourd",
          "Impossible de trouver mon adresse sur la carte du quartier",
          "La date du constat est obligatoire alors que je ne la connais pas")


def test_themes_and_actions_are_stored_with_the_figures_and_follow_their_changes(db, users):
    from analysis.themes.actions import ActionForm, create_action
    from analysis.themes.jobs import analyse_now

    pilot = make_pilot(db, people=40)
    for i in range(36):
        add_trial(db, pilot, comments={"lieu": f"{TOPICS[i % 3]} ({i})"})
    analyse_now(db, iteration_id=pilot.iterations[0], backend="tfidf", runner="cli")
    themes = get_snapshot(db, pilot.iterations[0]).figures["themes"]
    assert themes["themes"] and themes["planned"] == []
    first = themes["themes"][0]
    assert set(first) >= {"label", "terms", "size", "share", "quotes", "status", "is_noise"}

    version = data_version(db, pilot.iterations[0])
    with write(db):
        db.execute("UPDATE themes SET curated_label = 'Photos refusées' WHERE id = ?", [first["id"]])
    assert data_version(db, pilot.iterations[0]) != version
    assert "Photos refusées" in [t["label"] for t in get_snapshot(db, pilot.iterations[0]).figures["themes"]["themes"]]

    with write(db):
        create_action(db, iteration_id=pilot.iterations[0], user_id=None,
                      form=ActionForm(title="Accepter les photos HEIC", theme_ids=(str(first["id"]),)))
    planned = get_snapshot(db, pilot.iterations[0]).figures["themes"]["planned"]
    assert [(a["title"], a["theme_labels"]) for a in planned] == [("Accepter les photos HEIC", ["Photos refusées"])]
