"""The comments an analysis reads and their stored vectors."""

from __future__ import annotations

import numpy as np

from analysis.themes import comments
from lab.db import write
from tests.factories import add_comment, theme_pilot


def test_vectors_round_trip_as_float32(db):
    pilot = theme_pilot(db, people=5)
    comment_id = add_comment(db, pilot, 0, "La photo ne passe pas")
    read = comments.iteration_comments(db, pilot.iterations[0])
    vector = np.linspace(-1, 1, 512, dtype=np.float32)
    with write(db):
        comments.store_vector(db, comment_id=comment_id, vector=vector, model="m1", comment_updated_at=read[0]["updated_at"],
                              now="2026-01-01T00:00:00+00:00")
    loaded, missing = comments.load_vectors(db, read, "m1")
    assert missing == 0 and loaded.dtype == np.float32 and np.array_equal(loaded[0], vector)
    assert comments.vector_readiness(db, pilot.iterations[0], "m1") == (1, 1)
    assert comments.load_vectors(db, read, "another-model") == (None, 1)
    # An edited comment needs a new vector.
    with write(db):
        db.execute("UPDATE comments SET text = 'La photo est refusée', updated_at = '2027-01-01' WHERE id = ?", [comment_id])
    assert comments.vector_readiness(db, pilot.iterations[0], "m1") == (0, 1)
