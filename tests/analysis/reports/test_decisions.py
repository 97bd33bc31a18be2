"""Decisions: managers record them with a rationale, staff cannot, everything is audited."""

from __future__ import annotations

import json

import pytest

from analysis.reports.decisions import DecisionError, check, latest_decisions, list_decisions, record_decision
from analysis.reports.migrations import RATIONALE_MAX
from lab.db import write
from tests.factories import make_pilot


@pytest.fixture
def pilot(db, users):
    return make_pilot(db, iterations=2, people=5)


def url(pilot, index=0):
    return f"/reports/iterations/{pilot.iterations[index]}/decisions"


def test_manager_records_a_decision(login_as, db, users, pilot):
    client = login_as("manager")
    response = client.post_form(url(pilot), {"kind": "iterate", "rationale": "  La complétion progresse.\r\nOn continue.  "},
                                follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/reports/iterations/{pilot.iterations[0]}#decisions"
    [decision] = list_decisions(db, pilot.iterations[0])
    assert (decision["kind"], decision["rationale"], decision["author"]) == ("iterate", "La complétion progresse.\nOn continue.",
                                                                           "Manager")
    page = client.get(f"/reports/iterations/{pilot.iterations[0]}").text
    assert "Itérer</span>" in page and "par Manager" in page and "(décision en vigueur)" in page
    audit = db.execute("SELECT user_id, action, object_type, object_id, detail FROM audit_log WHERE action = 'decision.record'").fetchall()
    assert audit == [(users["manager"].id, "decision.record", "iteration", pilot.iterations[0],
                      json.dumps({"decision_id": decision["id"], "kind": "iterate"}))]


def test_history_keeps_every_decision_newest_first(login_as, db, pilot):
    client = login_as("manager")
    for kind, why in (("iterate", "D'abord itérer."), ("scale", "Puis généraliser.")):
        assert client.post_form(url(pilot), {"kind": kind, "rationale": why}, follow_redirects=False).status_code == 303
    assert [d["kind"] for d in list_decisions(db, pilot.iterations[0])] == ["scale", "iterate"]
    page = client.get(f"/reports/iterations/{pilot.iterations[0]}").text
    assert page.index("Puis généraliser.") < page.index("D&#39;abord itérer.")
    assert latest_decisions(db)[pilot.prototype_id]["kind"] == "scale"


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_and_admins_cannot_decide(login_as, db, pilot, role):
    client = login_as(role)
    response = client.post_form(url(pilot), {"kind": "stop", "rationale": "Non."})
    assert response.status_code == 403
    assert list_decisions(db, pilot.iterations[0]) == []
    page = client.get(f"/reports/iterations/{pilot.iterations[0]}").text
    assert "decision-form" not in page and "Seul·es les responsables" in page


def test_anonymous_cannot_decide(client, db, pilot):
    client.csrf()
    response = client.post_form(url(pilot), {"kind": "stop", "rationale": "Non."}, follow_redirects=False)
    assert response.status_code == 401
    assert list_decisions(db, pilot.iterations[0]) == []


def test_a_decision_without_csrf_token_is_refused(login_as, db, pilot):
    client = login_as("manager")
    response = client.post(url(pilot), data={"kind": "stop", "rationale": "Non."})
    assert response.status_code == 403 and "refusée par sécurité" in response.text
    assert list_decisions(db, pilot.iterations[0]) == []


def test_missing_rationale_is_refused_and_the_choice_kept(login_as, db, pilot):
    response = login_as("manager").post_form(url(pilot), {"kind": "pivot", "rationale": "   "})
    assert response.status_code == 422
    assert "Expliquez en quelques phrases ce qui motive la décision." in response.text
    assert 'value="pivot" aria-describedby="kind-pivot-hint" checked' in response.text
    assert 'aria-invalid="true"' in response.text
    assert list_decisions(db, pilot.iterations[0]) == []


def test_missing_kind_keeps_the_rationale_text(login_as, db, pilot):
    typed = "Les seniors décrochent à l'étape 2 <b>& il faut</b> revoir l'adresse."
    response = login_as("manager").post_form(url(pilot), {"rationale": typed})
    assert response.status_code == 422
    assert "Choisissez la décision" in response.text
    assert "Les seniors décrochent à l&#39;étape 2 &lt;b&gt;&amp; il faut&lt;/b&gt; revoir l&#39;adresse.</textarea>" in response.text


def test_too_long_rationale_is_refused_with_its_text(login_as, db, pilot):
    typed = "x" * (RATIONALE_MAX + 1)
    response = login_as("manager").post_form(url(pilot), {"kind": "stop", "rationale": typed})
    assert response.status_code == 422
    assert f"ne doit pas dépasser {RATIONALE_MAX} caractères (elle en compte {RATIONALE_MAX + 1})" in response.text
    assert typed + "</textarea>" in response.text


def test_unknown_kind_is_refused(login_as, db, pilot):
    response = login_as("manager").post_form(url(pilot), {"kind": "celebrate", "rationale": "Bravo"})
    assert response.status_code == 422
    assert list_decisions(db, pilot.iterations[0]) == []


def test_htmx_gets_only_the_decision_section(login_as, pilot):
    client = login_as("manager")
    refused = client.post_form(url(pilot), {"kind": "", "rationale": "Texte"}, headers={"HX-Request": "true"})
    assert refused.status_code == 422
    assert refused.text.lstrip().startswith('<section class="report-section decisions" id="decisions"')
    assert "<textarea" in refused.text and ">Texte</textarea>" in refused.text
    accepted = client.post_form(url(pilot), {"kind": "iterate", "rationale": "Texte"}, headers={"HX-Request": "true"})
    assert accepted.status_code == 200
    assert accepted.text.lstrip().startswith('<section class="report-section decisions" id="decisions"')
    assert "Décision enregistrée." in accepted.text and "Itérer</span>" in accepted.text
    assert "></textarea>" in accepted.text  # the form is empty again


def test_decision_on_unknown_iteration_is_404(login_as):
    assert login_as("manager").post_form("/reports/iterations/999/decisions", {"kind": "stop", "rationale": "x"}).status_code == 404


def test_check_lists_every_problem():
    assert [field for field, _m, _p in check("", "")] == ["kind", "rationale"]
    assert check("scale", "Oui") == []


def test_database_refuses_an_empty_rationale_even_past_the_store(db, pilot):
    import sqlite3

    with pytest.raises(sqlite3.IntegrityError):
        db["decisions"].insert({"iteration_id": pilot.iterations[0], "kind": "stop", "rationale": "  ", "decided_at": "x"})
    with pytest.raises(DecisionError), write(db):
        record_decision(db, iteration_id=pilot.iterations[0], kind="stop", rationale="", user_id=None)
