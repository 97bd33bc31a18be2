"""Account rules without HTTP: temporary passwords, changes that end sessions, roles that never leave the lab without an admin."""

from datetime import timedelta

import pytest

from lab.accounts import AccountError, authenticate, change_password, create_user, get_user, reset_password, set_active, set_role
from lab.db import write
from lab.sessions import load_session, start_session, token_hash
from tests.support import PASSWORD

NEW = "une toute nouvelle phrase de passe"
LIMITS = {"idle": timedelta(hours=1), "absolute": timedelta(hours=12)}


def test_a_temporary_password_is_marked_until_its_owner_changes_it(db):
    with write(db):
        user = create_user(db, email="agent@ville.test", name="Agent", role="staff", password=PASSWORD, temporary=True)
        assert user.must_change_password and authenticate(db, "agent@ville.test", PASSWORD).must_change_password
        change_password(db, user, current=PASSWORD, new=NEW, keep_session_id=None)
    assert not get_user(db, user.id).must_change_password
    assert authenticate(db, "agent@ville.test", NEW) and not authenticate(db, "agent@ville.test", PASSWORD)


def test_changing_a_password_keeps_only_the_current_session(db, users):
    staff = users["staff"]
    with write(db):
        here, elsewhere = start_session(db, staff), start_session(db, staff)
        assert change_password(db, staff, current=PASSWORD, new=NEW, keep_session_id=token_hash(here)) == 1
    assert load_session(db, here, **LIMITS) and load_session(db, elsewhere, **LIMITS) is None


@pytest.mark.parametrize(("current", "new", "field"), [
    ("wrong password!!", NEW, "current"), (PASSWORD, "short", "password"), (PASSWORD, PASSWORD, "password"),
    (PASSWORD, "x" * 1025, "password"),
])
def test_a_refused_password_change_names_its_field_and_changes_nothing(db, users, current, new, field):
    with pytest.raises(AccountError) as refused, write(db):
        change_password(db, users["staff"], current=current, new=new, keep_session_id=None)
    assert refused.value.field == field
    assert authenticate(db, users["staff"].email, PASSWORD)


def test_an_admin_reset_ends_every_session_and_forces_a_change(db, users):
    with write(db):
        token = start_session(db, users["staff"])
        assert reset_password(db, users["staff"].id, password="provisoire-2026") == 1
    assert load_session(db, token, **LIMITS) is None
    assert authenticate(db, users["staff"].email, "provisoire-2026").must_change_password


def test_the_last_active_admin_can_be_neither_demoted_nor_disabled(db, users):
    admin = users["admin"]
    with pytest.raises(AccountError, match="dernier compte administrateur"), write(db):
        set_role(db, admin.id, "staff")
    with pytest.raises(AccountError, match="dernier compte administrateur"), write(db):
        set_active(db, admin.email, False)
    with write(db):
        assert set_role(db, users["staff"].id, "admin") == "staff"
        assert set_role(db, admin.id, "manager") == "admin"  # another admin remains
    assert get_user(db, admin.id).role == "manager"


def test_unknown_roles_are_refused(db, users):
    with pytest.raises(AccountError) as refused, write(db):
        set_role(db, users["staff"].id, "root")
    assert refused.value.field == "role" and get_user(db, users["staff"].id).role == "staff"
