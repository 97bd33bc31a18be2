"""Fixtures of the lab tests: prototypes and a group to deploy."""

import pytest

from lab.campaigns.groups import add_participants, create_group
from lab.db import write
from prototypes.store import create_prototype, new_iteration
from tests.factories import VOIRIE


@pytest.fixture
def seeded(db):
    """Two iterations of one prototype, one iteration of another, and a group of three."""
    with write(db):
        prototype_id, v1 = create_prototype(db, spec_yaml=VOIRIE, user_id=None)
        v2 = new_iteration(db, prototype_id=prototype_id, user_id=None)
        _other, foreign = create_prototype(db, spec_yaml=VOIRIE, user_id=None)
        group_id = create_group(db, name="Seniors quartier Nord", description="", user_id=None)
        add_participants(db, group_id=group_id, count=3)
    return {"v1": str(v1), "v2": str(v2), "foreign": str(foreign), "group": str(group_id)}
