"""Iterations: numbering, copying, immutability once deployed."""

import sqlite3

import pytest

from lab.db import write
from prototypes import EXAMPLES_DIR as EXAMPLES
from prototypes import store
from prototypes.spec_issues import SpecError

VOIRIE = (EXAMPLES / "voirie.yaml").read_text(encoding="utf-8")


def test_create_prototype_makes_v1_with_slug(db):
    with write(db):
        prototype_id, iteration_id = store.create_prototype(db, spec_yaml=VOIRIE, user_id=None, changelog="Première")
        again, _ = store.create_prototype(db, spec_yaml=VOIRIE, user_id=None)
    prototype = store.get_prototype(db, prototype_id)
    assert prototype["slug"] == "signaler-une-anomalie-sur-la-voie-publique"
    assert store.get_prototype(db, again)["slug"].endswith("-2")
    assert store.get_iteration(db, iteration_id)["number"] == 1


def test_invalid_spec_stores_nothing(db):
    with pytest.raises(SpecError), write(db):
        store.create_prototype(db, spec_yaml="title: x\nsteps: []\n", user_id=None)
    assert db["prototypes"].count == 0


def test_new_iteration_copies_the_latest(db):
    with write(db):
        prototype_id, v1 = store.create_prototype(db, spec_yaml=VOIRIE, user_id=None)
        v2 = store.new_iteration(db, prototype_id=prototype_id, user_id=None, changelog="Photo obligatoire")
    second = store.get_iteration(db, v2)
    assert second["number"] == 2 and second["spec_yaml"] == VOIRIE
    assert store.previous_iteration(db, second)["id"] == v1
    assert store.next_iteration(db, store.get_iteration(db, v1))["id"] == v2


def test_frozen_iteration_refuses_edits_in_code_and_in_sql(db):
    with write(db):
        _, v1 = store.create_prototype(db, spec_yaml=VOIRIE, user_id=None)
        store.freeze_iteration(db, v1)
    with pytest.raises(store.IterationFrozen):
        store.update_iteration(db, iteration_id=v1, spec_yaml=VOIRIE, changelog="x")
    with pytest.raises(sqlite3.IntegrityError, match="frozen"):
        db.execute("UPDATE iterations SET spec_yaml = 'title: y' WHERE id = ?", [v1])


def test_editing_latest_iteration_updates_prototype_title(db):
    with write(db):
        prototype_id, v1 = store.create_prototype(db, spec_yaml=VOIRIE, user_id=None)
        store.update_iteration(
            db, iteration_id=v1, spec_yaml=VOIRIE.replace("Signaler une anomalie", "Signaler un problème", 1), changelog=""
        )
    assert store.get_prototype(db, prototype_id)["title"].startswith("Signaler un problème")
