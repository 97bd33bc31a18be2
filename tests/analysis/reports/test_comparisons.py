"""Any two iterations of a prototype, and the variants of an A/B session, compared on their own page.

Before: a report compared an iteration with the one before it only.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from analysis.reports.comparisons import ab_sessions, compare_two
from analysis.reports.snapshots import get_snapshot
from feedback.store import variant_for
from lab.campaigns.deployments import DeploymentForm, create_deployment, form_time, get_deployment
from lab.clock import utcnow
from lab.db import write
from tests.factories import SATISFIED, add_trial, make_pilot, steadily_better_pilot


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


@pytest.fixture
def pilot(db, users):
    """v1 struggles, v2 a little better, v3 works."""
    return steadily_better_pilot(db, users["staff"].id, people=90)


@pytest.fixture
def ab(db, pilot) -> int:
    """An A/B session of v1 (A) against v3 (B): B's testers finish, A's stop at the first step."""
    v1, _v2, v3 = pilot.iterations
    now = utcnow()
    with write(db):
        ab = create_deployment(db, form=DeploymentForm(
            title="Test A/B quartier Sud", iteration_a=str(v1), iteration_b=str(v3), group_ids=(str(pilot.group_id),),
            opens_at=form_time(now - timedelta(days=3)), closes_at=form_time(now + timedelta(days=20))),
            user_id=None, now=now - timedelta(days=4))
    pilot.deployments.append(ab)
    deployment = get_deployment(db, ab)
    for _i in range(30):
        person = pilot.next_participant()
        good = variant_for(deployment, person["code"])[0] == "B"
        add_trial(db, pilot, 3, reached=4 if good else 1, answers=SATISFIED if good else None, participant=person)
    return ab


def test_two_iterations_far_apart_are_compared_with_the_report_tests(login_as, pilot):
    v1, _v2, v3 = pilot.iterations
    page = login_as("manager").get(f"/reports/prototypes/{pilot.prototype_id}/comparaison?a={v1}&b={v3}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Comparaison de v3 avec v1" in text
    assert "Taux de complétion 33 % 100 % Amélioration nette : 100 % contre 33 % (n = 12 et 12, petit échantillon)." in text
    assert "test exact de Fisher" in text and "test de Mann-Whitney" in text


def test_comparing_consecutive_iterations_gives_the_rows_of_the_report(db, pilot):
    """The page's rows for v1 → v2 are exactly those the v2 report stored."""
    v1, v2, _v3 = pilot.iterations
    reference, candidate = get_snapshot(db, v1), get_snapshot(db, v2)
    assert compare_two(reference.figures, candidate.figures) == candidate.figures["comparison"]["rows"]


def test_without_a_choice_the_latest_iteration_is_compared_with_the_one_before(login_as, pilot):
    text = text_of(login_as("staff").get(f"/reports/prototypes/{pilot.prototype_id}/comparaison").text)
    assert "Comparaison de v3 avec v2" in text


def test_the_variants_of_an_ab_session_are_compared(login_as, db, pilot, ab):
    (session,) = ab_sessions(db, pilot.prototype_id)
    assert (session["id"], session["a_number"], session["b_number"]) == (ab, 1, 3)
    page = login_as("admin").get(f"/reports/prototypes/{pilot.prototype_id}/comparaison?session={ab}")
    text = text_of(page.text)
    assert "Variante B comparée à la variante A : Test A/B quartier Sud" in text
    assert re.search(r"Taux de complétion 0 % 100 % Amélioration nette : 100 % contre 0 % \(n = \d+ et \d+", text)


def test_the_report_links_to_the_comparison(login_as, pilot):
    html = login_as("manager").get(f"/reports/iterations/{pilot.iterations[2]}").text
    assert f'href="/reports/prototypes/{pilot.prototype_id}/comparaison?a={pilot.iterations[1]}&amp;b={pilot.iterations[2]}"' in html


@pytest.mark.parametrize("query, message", [
    ("a=999999&b={v3}", "Choisissez une itération de ce prototype."),
    ("a={v3}&b={v3}", "Choisissez deux itérations différentes."),
    ("a={other}&b={v3}", "Choisissez une itération de ce prototype."),
    ("session=999999", "Choisissez une session A/B de ce prototype."),
])
def test_a_choice_outside_the_prototype_is_refused_with_a_message(login_as, db, users, pilot, ab, query, message):
    other = make_pilot(db, user_id=users["staff"].id).iterations[0]
    url = f"/reports/prototypes/{pilot.prototype_id}/comparaison?" + query.format(v3=pilot.iterations[2], other=other)
    refused = login_as("manager").get(url)
    assert refused.status_code == 422 and message in text_of(refused.text) and 'class="error-summary"' in refused.text


@pytest.mark.parametrize("url", [
    "/reports/prototypes/{p}/comparaison?a=abc", "/reports/prototypes/{p}/comparaison?a=0",
    "/reports/prototypes/{p}/comparaison?b=1180591620717411303424", "/reports/prototypes/99999999999/comparaison",
    "/reports/prototypes/1180591620717411303424/comparaison",
])
def test_absurd_ids_are_4xx_never_500(login_as, pilot, url):
    assert login_as("manager").get(url.format(p=pilot.prototype_id)).status_code in (404, 422)


def test_readers_only(client, login_as, pilot):
    url = f"/reports/prototypes/{pilot.prototype_id}/comparaison"
    assert client.get(url, follow_redirects=False).headers["location"].startswith("/login")
    for role in ("staff", "manager", "admin"):
        assert login_as(role).get(url).status_code == 200
