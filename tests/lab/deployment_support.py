"""A test session created through the staff form, with one participant who left contact details."""

from __future__ import annotations

from lab.db import write
from lab.groups import add_participant


def deployment_with_contact(login_as, db, seeded: dict, *, title: str, opens_at: str, closes_at: str, phone: str = ""):
    """Add Jeanne Martin (with an e-mail) to the seeded group, then create a session as staff: (staff, page URL)."""
    with write(db):
        add_participant(db, group_id=int(seeded["group"]), name="Jeanne Martin", email="jeanne@ville.test",
                        phone=phone, profile={})
    staff = login_as("staff")
    created = staff.post_form("/lab/deployments", {"title": title, "iteration_a": seeded["v1"],
                                                   "groups": [seeded["group"]], "opens_at": opens_at,
                                                   "closes_at": closes_at}, follow_redirects=False)
    return staff, created.headers["location"]
