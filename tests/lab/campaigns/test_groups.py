"""Test groups and pseudonymous participants: codes, contacts kept apart, access rules."""

import re

import pytest

from lab.access import STAFF, route_rule
from lab.campaigns import groups as store
from lab.campaigns.groups import GroupError
from lab.campaigns.routes.groups import router
from lab.db import write
from tests.support import assert_staff_only

CODE = re.compile(r"P-[2-9A-HJ-NP-Z]{4}")


def make_group(db, name="Seniors quartier Nord"):
    with write(db):
        return store.create_group(db, name=name, description="Volontaires du centre social", user_id=None)


def audit_actions(db):
    return [row["action"] for row in db.query("SELECT action FROM audit_log ORDER BY id")]


def test_codes_use_the_unambiguous_alphabet_and_are_unique(db):
    group_id = make_group(db)
    with write(db):
        codes = store.add_participants(db, group_id=group_id, count=300)
    assert len(set(codes)) == 300
    assert all(CODE.fullmatch(code) for code in codes)
    assert not set("".join(c[2:] for c in codes)) & set("01OI")


def test_a_colliding_code_is_drawn_again(db, monkeypatch):
    group_id = make_group(db)
    with write(db):
        db["participants"].insert({"group_id": group_id, "code": "P-2222", "profile": "{}", "created_at": "2026-01-01"})
    draws = iter("2222" + "3333")
    monkeypatch.setattr(store.secrets, "choice", lambda alphabet: next(draws))
    assert store.new_code(db) == "P-3333"


def test_batch_size_and_profile_are_checked(db):
    group_id = make_group(db)
    with write(db), pytest.raises(GroupError, match="entre 1 et 500"):
        store.add_participants(db, group_id=group_id, count=0)
    with write(db), pytest.raises(GroupError, match="Aisance numérique inconnue"):
        store.add_participants(db, group_id=group_id, count=2, profile={"aisance_numerique": "excellente"})
    with write(db):
        store.add_participants(db, group_id=group_id, count=2, profile={"aisance_numerique": " FORTE "})
    assert [p["profile"] for p in store.list_participants(db, group_id)] == [{"aisance_numerique": "forte"}] * 2


def test_contact_details_live_apart_and_are_normalised(db):
    group_id = make_group(db)
    with write(db):
        created = store.add_participant(db, group_id=group_id, name=" Jeanne  Martin ", email="Jeanne@Ville.TEST",
                                        phone="+33 6 12 34 56 78", profile={"quartier": "Nord"})
    assert "email" not in db["participants"].columns_dict
    listed = store.list_participants(db, group_id)[0]
    assert listed["has_contact"] and "email" not in listed and listed["profile"] == {"quartier": "Nord"}
    detail = store.get_participant(db, created["id"])
    assert (detail["name"], detail["email"], detail["phone"]) == ("Jeanne Martin", "jeanne@ville.test", "06 12 34 56 78")
    with write(db), pytest.raises(GroupError, match=created["code"]):
        store.add_participant(db, group_id=group_id, name="", email="jeanne@ville.test", phone="", profile={})


@pytest.mark.parametrize(
    "email, phone, message",
    [("jeanne@", "", "Adresse électronique invalide"), ("", "12 34", "Numéro de téléphone invalide")],
)
def test_bad_contact_details_are_refused(db, email, phone, message):
    group_id = make_group(db)
    with write(db), pytest.raises(GroupError, match=message):
        store.add_participant(db, group_id=group_id, name="", email=email, phone=phone, profile={})


def test_staff_build_a_group_and_contacts_never_show_in_lists(login_as, db):
    staff = login_as("staff")
    created = staff.post_form("/lab/groups", {"name": "Seniors quartier Nord", "description": "Centre social"},
                              follow_redirects=False)
    assert created.status_code == 303
    group_url = created.headers["location"]
    assert staff.post_form(group_url, {"name": "Seniors Nord", "description": "Renommé"}).status_code == 200
    page = staff.post_form(f"{group_url}/participants", {"count": "3", "tranche_age": "65-74 ans", "aisance_numerique": "faible"})
    assert page.status_code == 200 and "Seniors Nord" in page.text and "65-74 ans" in page.text
    person = staff.post_form(f"{group_url}/participants/new",
                             {"name": "Jeanne Martin", "email": "jeanne@ville.test", "phone": "0612345678"})
    assert person.status_code == 200 and "jeanne@ville.test" in person.text and "06 12 34 56 78" in person.text
    group_page = staff.get(group_url).text
    assert len(set(CODE.findall(group_page))) == 4
    assert "jeanne@ville.test" not in group_page and "Jeanne Martin" not in group_page and "06 12" not in group_page
    listing = staff.get("/lab/groups").text
    assert "Seniors Nord" in listing and "jeanne@ville.test" not in listing

    erased = staff.post_form(f"{person.url.path}/erase-contact")
    assert erased.status_code == 200 and "jeanne@ville.test" not in erased.text
    assert "Aucune coordonnée" in erased.text
    assert db["participant_contacts"].count == 0 and db["participants"].count == 4
    assert audit_actions(db)[-5:] == [
        "group.create", "group.update", "participants.add", "participant.create", "participant.contact_erase"
    ]


def test_refused_forms_come_back_filled_in_with_422(login_as, db):
    staff = login_as("staff")
    response = staff.post_form("/lab/groups", {"name": " ", "description": "Gardez-moi"})
    assert response.status_code == 422 and "Donnez un nom au groupe" in response.text and "Gardez-moi" in response.text
    group_id = make_group(db)
    bad_contact = staff.post_form(f"/lab/groups/{group_id}/participants/new",
                                  {"name": "Jeanne", "email": "jeanne@", "phone": "0612345678", "quartier": "Nord"})
    assert bad_contact.status_code == 422
    assert "Adresse électronique invalide" in bad_contact.text and 'href="#contact-email"' in bad_contact.text
    assert all(f'value="{v}"' in bad_contact.text for v in ("Jeanne", "jeanne@", "0612345678", "Nord"))
    bad_batch = staff.post_form(f"/lab/groups/{group_id}/participants", {"count": "abc", "quartier": "Sud"})
    assert bad_batch.status_code == 422 and 'value="abc"' in bad_batch.text and 'value="Sud"' in bad_batch.text
    bad_edit = staff.post_form(f"/lab/groups/{group_id}", {"name": "x" * 121, "description": "d"})
    assert bad_edit.status_code == 422 and "120 caractères" in bad_edit.text
    assert staff.get("/lab/groups/999").status_code == 404
    assert staff.get(f"/lab/groups/{group_id}/participants/999").status_code == 404
    assert db["participants"].count == 0


GROUP_ROUTES = [
    ("GET", "/lab/groups"),
    ("POST", "/lab/groups"),
    ("GET", "/lab/groups/{group_id}"),
    ("POST", "/lab/groups/{group_id}"),
    ("POST", "/lab/groups/{group_id}/participants"),
    ("POST", "/lab/groups/{group_id}/participants/new"),
    ("GET", "/lab/groups/{group_id}/participants/{participant_id}"),
    ("POST", "/lab/groups/{group_id}/participants/{participant_id}/erase-contact"),
    ("GET", "/lab/groups/{group_id}/import"),
    ("POST", "/lab/groups/{group_id}/import"),
]


def test_every_group_route_is_staff_only_and_csrf_checked(client, login_as, db):
    assert {(method, route.path) for route in router.routes for method in route.methods} == set(GROUP_ROUTES)
    assert {route_rule(route) for route in router.routes} == {STAFF}
    group_id = make_group(db)
    with write(db):
        participant = store.add_participant(db, group_id=group_id, name="A", email="a@ville.test", phone="", profile={})
    routes = [(method, template.format(group_id=group_id, participant_id=participant["id"]))
              for method, template in GROUP_ROUTES]
    assert_staff_only(client, login_as("staff"), login_as("manager"), routes, {"name": "Sans jeton"})
    assert store.get_participant(db, participant["id"])["has_contact"]
