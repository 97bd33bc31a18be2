"""Deployments: validation, Paris dates, frozen iterations, derived state, manual close, A/B split."""

import sqlite3
from collections import Counter
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import pytest

import prototypes
from lab.access import STAFF, route_rule
from lab.campaigns.deployments import (
    DeploymentError,
    DeploymentForm,
    assign_variant,
    close_deployment,
    create_deployment,
    get_deployment,
    parse_local,
    state,
)
from lab.campaigns.routes.deployments import router
from lab.db import write
from prototypes.store import IterationFrozen, get_iteration, update_iteration
from tests.support import assert_staff_only

SPEC = (Path(prototypes.__file__).parent / "examples" / "voirie.yaml").read_text()
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def form(seeded, **changes):
    values = {"title": "Voirie – seniors", "iteration_a": seeded["v1"], "group_ids": (seeded["group"],),
              "opens_at": "2026-03-10T09:00", "closes_at": "2026-03-31T18:00"}
    return DeploymentForm(**{**values, **changes})


def test_paris_time_is_stored_as_utc_across_daylight_saving(db, seeded):
    assert parse_local("2026-01-15T10:00") == utc("2026-01-15T09:00")
    assert parse_local("2026-07-14T10:30") == utc("2026-07-14T08:30")
    with write(db):
        deployment_id = create_deployment(db, form=form(seeded, closes_at="2026-04-02T18:00"), user_id=None, now=NOW)
    stored = get_deployment(db, deployment_id)
    assert (stored["opens_at"], stored["closes_at"]) == ("2026-03-10T08:00:00+00:00", "2026-04-02T16:00:00+00:00")


def test_deploying_stores_variants_groups_options_and_freezes_iterations(db, seeded):
    with write(db):
        deployment_id = create_deployment(
            db, form=form(seeded, iteration_b=seeded["v2"], quota="40", retention_days="90", sus=True), user_id=None, now=NOW
        )
    deployment = get_deployment(db, deployment_id)
    assert [(v["label"], v["number"]) for v in deployment["variants"]] == [("A", 1), ("B", 2)]
    assert [g["name"] for g in deployment["groups"]] == ["Seniors quartier Nord"]
    assert (deployment["quota"], deployment["retention_days"]) == (40, 90)
    assert deployment["questionnaire"] == {"sus": True, "umux_lite": False, "free_text": True}
    assert deployment["public_key"].startswith("pk_") and len(deployment["public_key"]) >= 32
    for iteration_id in (seeded["v1"], seeded["v2"]):
        assert get_iteration(db, int(iteration_id))["frozen_at"]
        with pytest.raises(IterationFrozen):
            update_iteration(db, iteration_id=int(iteration_id), spec_yaml=SPEC, changelog="")
        with pytest.raises(sqlite3.IntegrityError, match="frozen"):
            db.execute("UPDATE iterations SET spec_yaml = 'x' WHERE id = ?", [int(iteration_id)])


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"closes_at": "2026-03-09T18:00"}, "closes_at", "postérieure à l'ouverture"),
        ({"closes_at": "2026-02-01T18:00", "opens_at": "2026-01-01T09:00"}, "closes_at", "déjà passée"),
        ({"group_ids": ()}, "groups", "au moins un groupe"),
        ({"group_ids": ("999",)}, "groups", "n'existe plus"),
        ({"quota": "0"}, "quota", "de 1 à 100 000"),
        ({"quota": "beaucoup"}, "quota", "nombre entier"),
        ({"quota": "9" * 30}, "quota", "nombre entier"),
        ({"iteration_a": "9" * 30}, "iteration_a", "Choisissez l'itération"),
        ({"retention_days": "0"}, "retention_days", "entre 1 et 3 650"),
        ({"iteration_a": ""}, "iteration_a", "Choisissez l'itération"),
        ({"iteration_b": "FOREIGN"}, "iteration_b", "même prototype"),
        ({"iteration_b": "V1"}, "iteration_b", "autre itération"),
        ({"title": "  "}, "title", "titre"),
        ({"opens_at": "demain"}, "opens_at", "date et l'heure d'ouverture"),
    ],
)
def test_bad_deployments_are_refused_with_the_field_to_fix(db, seeded, changes, field, message):
    changes = {k: {"FOREIGN": seeded["foreign"], "V1": seeded["v1"]}.get(v, v) for k, v in changes.items()}
    with write(db), pytest.raises(DeploymentError) as refused:
        create_deployment(db, form=form(seeded, **changes), user_id=None, now=NOW)
    assert any(f == field and message in m for f, m in refused.value.problems), refused.value.problems
    assert db["deployments"].count == 0 and not get_iteration(db, int(seeded["v1"]))["frozen_at"]


def test_state_is_derived_from_the_clock_and_a_manual_close(db, seeded):
    with write(db):
        deployment_id = create_deployment(db, form=form(seeded), user_id=None, now=NOW)
    deployment = get_deployment(db, deployment_id)
    assert state(deployment, utc("2026-03-10T07:59:59")) == "scheduled"
    assert state(deployment, utc("2026-03-10T08:00:00")) == "open"
    assert state(deployment, utc("2026-03-31T15:59:59")) == "open"
    assert state(deployment, utc("2026-03-31T16:00:00")) == "closed"
    with write(db):
        close_deployment(db, deployment_id=deployment_id, now=utc("2026-03-15T10:00:00"))
    closed = get_deployment(db, deployment_id)
    assert state(closed, utc("2026-03-15T10:00:01")) == "closed"
    with write(db), pytest.raises(DeploymentError, match="déjà close"):
        close_deployment(db, deployment_id=deployment_id, now=utc("2026-03-16T10:00:00"))


def test_variant_split_is_stable_and_balanced():
    codes = [f"P-{n:04d}" for n in range(1000)]
    first = [assign_variant(7, code, ("A", "B")) for code in codes]
    assert first == [assign_variant(7, code, ("A", "B")) for code in codes]
    assert 450 <= Counter(first)["A"] <= 550
    assert first != [assign_variant(8, code, ("A", "B")) for code in codes]
    assert {assign_variant(7, code, ("A",)) for code in codes} == {"A"}


def test_staff_deploy_through_the_form_and_refusals_keep_what_was_typed(login_as, db, seeded):
    staff = login_as("staff")
    blank = staff.get(f"/lab/deployments/new?iteration={seeded['v2']}&group={seeded['group']}").text
    assert f'<option value="{seeded["v2"]}" selected>' in blank and f'value="{seeded["group"]}" checked' in blank
    typed = {"title": "Voirie – seniors", "iteration_a": seeded["v1"], "iteration_b": seeded["foreign"],
             "groups": [seeded["group"]], "opens_at": "2030-03-10T09:00", "closes_at": "2030-03-01T18:00",
             "quota": "0", "retention_days": "120", "umux_lite": "1"}
    refused = staff.post_form("/lab/deployments", typed)
    page = unescape(refused.text)
    assert refused.status_code == 422
    for message in ("postérieure à l'ouverture", "de 1 à 100 000 parcours", "même prototype"):
        assert message in page
    for kept in ('value="Voirie – seniors"', 'value="2030-03-10T09:00"', 'value="2030-03-01T18:00"', 'value="0"',
                 'value="120"', f'value="{seeded["group"]}" checked', f'<option value="{seeded["foreign"]}" selected>',
                 'name="umux_lite" type="checkbox" value="1" checked'):
        assert kept in page, kept
    no_group = staff.post_form("/lab/deployments", {**typed, "groups": [], "iteration_b": "", "quota": "",
                                                     "closes_at": "2030-03-31T18:00"})
    assert no_group.status_code == 422 and "au moins un groupe" in unescape(no_group.text)
    assert db["deployments"].count == 0

    created = staff.post_form("/lab/deployments", {**typed, "iteration_b": seeded["v2"], "quota": "30",
                                                    "closes_at": "2030-03-31T18:00"}, follow_redirects=False)
    assert created.status_code == 303
    page = unescape(staff.get(created.headers["location"]).text)
    assert "programmée" in page and "A : v1, B : v2" in page and "10/03/2030 à 09:00" in page
    assert page.count('class="badge badge--ok"') == 3  # one personal invitation per participant
    listing = unescape(staff.get("/lab/deployments").text)
    assert "Voirie – seniors" in listing and "programmée" in listing
    closed = staff.post_form(f"{created.headers['location']}/close")
    assert closed.status_code == 200 and "close à la main" in unescape(closed.text)
    again = staff.post_form(f"{created.headers['location']}/close")
    assert again.status_code == 409 and "déjà close" in unescape(again.text)
    assert f'action="{created.headers["location"]}/close"' not in again.text
    actions = [row["action"] for row in db.query("SELECT action FROM audit_log WHERE object_type = 'deployment'")]
    assert actions == ["deployment.create", "deployment.close"]


DEPLOYMENT_ROUTES = [
    ("GET", "/lab/deployments"),
    ("GET", "/lab/deployments/new"),
    ("POST", "/lab/deployments"),
    ("GET", "/lab/deployments/{d}"),
    ("POST", "/lab/deployments/{d}/close"),
    ("POST", "/lab/deployments/{d}/invitations"),
    ("POST", "/lab/deployments/{d}/invitations/shared"),
    ("POST", "/lab/deployments/{d}/invitations/{i}/revoke"),
    ("GET", "/lab/deployments/{d}/invitations/print"),
    ("GET", "/lab/deployments/{d}/invitations.csv"),
]


def test_every_deployment_route_is_staff_only_and_csrf_checked(client, login_as, db, seeded):
    declared = {(m, r.path.replace("{deployment_id}", "{d}").replace("{invitation_id}", "{i}"))
                for r in router.routes for m in r.methods}
    assert declared == set(DEPLOYMENT_ROUTES)
    assert {route_rule(route) for route in router.routes} == {STAFF}
    with write(db):
        deployment_id = create_deployment(db, form=form(seeded, closes_at="2099-01-01T00:00"), user_id=None)
        invitation_id = db["invitations"].insert(
            {"deployment_id": deployment_id, "group_id": int(seeded["group"]), "kind": "shared", "salt": "s",
             "token_hash": "h", "max_uses": 5, "created_at": "2026-03-01T00:00:00+00:00"}
        ).last_pk
    routes = [(method, template.format(d=deployment_id, i=invitation_id)) for method, template in DEPLOYMENT_ROUTES]
    assert_staff_only(client, login_as("staff"), login_as("manager"), routes, {"title": "Sans jeton"})
    assert get_deployment(db, deployment_id)["closed_at"] is None
