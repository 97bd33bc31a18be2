"""The staff screens of the theme analysis over real HTTP: access rules, the job's progress, curation, actions."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from analysis.themes import analyses, contract, jobs, links, reading
from lab.access import endpoints, route_rule
from tests.analysis.themes.topics import V1, V2, topic_count
from tests.factories import seed, theme_of, theme_pilot
from tests.support import Browser

HX = {"HX-Request": "true"}


@pytest.fixture
def pilot(db):
    made = theme_pilot(db, people=70)
    seed(db, made, 0, V1)
    seed(db, made, 1, V2)
    return made


@pytest.fixture
def analysed(db, pilot):
    jobs.analyse_now(db, iteration_id=pilot.iterations[0], k=topic_count(V1))
    jobs.analyse_now(db, iteration_id=pilot.iterations[1], k=topic_count(V2))
    return pilot


def topic_theme(db, pilot, index: int, topic: str) -> int:
    return Counter(theme_of(db, c)["id"] for c in pilot.comments[(index, topic)]).most_common(1)[0][0]


def routes_of(app) -> list[tuple[str, str]]:
    return sorted((method, route.path) for route in endpoints(app) for method in route.methods - {"HEAD"}
                  if route.path.startswith("/lab/iterations/{iteration_id}/") and
                  any(part in route.path for part in ("/themes", "/analyses", "/actions")))


def test_every_theme_route_is_for_staff(app):
    found = routes_of(app)
    assert len(found) == 12
    assert {route_rule(r).name for r in endpoints(app) if (next(iter(r.methods - {"HEAD"})), r.path) in found} == {"staff"}


@pytest.mark.parametrize("role", ["anonymous", "manager", "staff"])
def test_access_rules_of_each_route(app, analysed, login_as, client, role):
    browser = client if role == "anonymous" else login_as(role)
    if role == "anonymous":
        browser.csrf()
    for method, path in routes_of(app):
        url = path.replace("{iteration_id}", str(analysed.iterations[1]))
        if method == "GET":
            response = browser.get(url, follow_redirects=False)
        else:
            response = browser.post(url, data={"csrf_token": browser.cookies.get("lab_csrf")}, follow_redirects=False)
        if role == "anonymous":
            assert response.status_code in (303, 401), (method, path, response.status_code)
            if response.status_code == 303:
                assert response.headers["location"].startswith("/login?next=")
        elif role == "manager":
            assert response.status_code == 403 and "refusée par sécurité" not in response.text, (method, path)
        else:
            assert response.status_code < 500 and response.status_code not in (401, 403), (method, path, response.status_code)


def test_unsafe_requests_without_the_csrf_token_are_refused(app, analysed, login_as):
    staff = login_as("staff")
    for method, path in routes_of(app):
        if method != "POST":
            continue
        url = path.replace("{iteration_id}", str(analysed.iterations[1]))
        response = staff.post(url, data={"label": "x", "theme_id": "1"}, follow_redirects=False)
        assert response.status_code == 403 and "refusée par sécurité" in response.text, path


def test_unknown_iteration_is_a_404(login_as):
    staff = login_as("staff")
    assert staff.get("/lab/iterations/999/themes").status_code == 404
    assert staff.post_form("/lab/iterations/999/analyses", {}).status_code == 404


def test_starting_an_analysis_and_polling_its_progress(app, db, pilot, login_as):
    staff = login_as("staff")
    v1 = pilot.iterations[0]
    page = staff.get(f"/lab/iterations/{v1}/themes")
    assert page.status_code == 200 and "Lancer l'analyse" in page.text and "33 commentaires visibles" in page.text
    started = staff.post_form(f"/lab/iterations/{v1}/analyses", {"backend": "tfidf", "k": ""}, headers=HX)
    assert started.status_code == 200
    job = analyses.latest_analysis(db, v1)
    assert job["status"] == "queued" and job["created_by"] is not None
    assert 'hx-trigger="every 1s"' in started.text and "<progress" in started.text and 'aria-live="polite"' in started.text
    assert "Lancer l'analyse" not in started.text  # no second job while one is active
    poll = staff.get(f"/lab/iterations/{v1}/analyses/progress?analysis={job['id']}", headers=HX)
    assert poll.status_code == 200 and 'hx-trigger="every 1s"' in poll.text and "Analyse en attente" in poll.text
    assert app.state.worker.run_once()  # the worker does the work, not the request
    done = staff.get(f"/lab/iterations/{v1}/analyses/progress?analysis={job['id']}", headers=HX)
    assert "hx-trigger" not in done.text and "Analyse terminée" in done.text and 'value="100"' in done.text
    assert "Afficher les thèmes" in done.text
    page = staff.get(f"/lab/iterations/{v1}/themes")
    assert "Paramètres de l'analyse" in page.text and "Sans remarque particulière" in page.text and "<blockquote>" in page.text
    entry = db.execute("SELECT detail FROM audit_log WHERE action = 'themes.analyse'").fetchone()
    assert json.loads(entry[0])["analysis_id"] == job["id"]
    # Without JavaScript: a plain form posts and is redirected; the progress URL shows the whole page.
    plain = staff.post_form(f"/lab/iterations/{v1}/analyses", {"backend": "tfidf", "k": "5"}, follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"].endswith("?fait=analyse#analyse")
    whole = staff.get(f"/lab/iterations/{v1}/analyses/progress")
    assert whole.status_code == 200 and "<html" in whole.text and "every 1s" in whole.text


def test_refused_starts_are_422_with_the_reason(db, pilot, login_as):
    staff = login_as("staff")
    v1 = pilot.iterations[0]
    bad_k = staff.post_form(f"/lab/iterations/{v1}/analyses", {"backend": "tfidf", "k": "deux"}, headers=HX)
    assert bad_k.status_code == 422 and "entre 2 et 30" in bad_k.text and 'id="analyse"' in bad_k.text
    assert "<html" not in bad_k.text  # the panel only, swapped in place
    staff.post_form(f"/lab/iterations/{v1}/analyses", {"backend": "tfidf"})
    busy = staff.post_form(f"/lab/iterations/{v1}/analyses", {"backend": "tfidf"})
    assert busy.status_code == 422 and "déjà en cours" in busy.text and "<html" in busy.text


def test_the_themes_page_shows_what_became_of_the_previous_themes(db, analysed, login_as):
    staff = login_as("staff")
    page = staff.get(f"/lab/iterations/{analysed.iterations[1]}/themes")
    assert page.status_code == 200
    assert "Comparaison avec les thèmes de v1" in page.text and "Ce que sont devenus les thèmes de v1" in page.text
    assert "badge--persisting" in page.text and "badge--new" in page.text and "badge--resolved" in page.text
    # Every fate carries its evidence: both shares with their intervals, and the test.
    assert re.search(r"des commentaires de v1 \(\d+ sur \d+ ; IC 95 % : \d+ % à \d+ %\)", page.text.replace("\u00a0", " "))
    assert "test exact de Fisher, p = " in page.text or "test de comparaison de deux proportions, p" in page.text
    shown = analyses.latest_done(db, analysed.iterations[1])
    v1 = {topic: topic_theme(db, analysed, 0, topic) for topic in ("photo", "adresse", "date", "categorie")}
    v2 = {topic: topic_theme(db, analysed, 1, topic) for topic in ("photo", "adresse", "suivi")}
    fates = {f["previous_theme_id"]: f["status"] for f in links.fates_of(db, shown["id"])}
    assert fates == {v1["photo"]: "persisting", v1["adresse"]: "persisting", v1["date"]: "resolved",
                     v1["categorie"]: "resolved"}
    found = {(link["status"], link["theme_id"], link["previous_theme_id"]) for link in links.links_of(db, shown["id"])}
    assert found == {("persisting", v2["photo"], v1["photo"]), ("persisting", v2["adresse"], v1["adresse"]),
                     ("new", v2["suivi"], None)}
    first = staff.get(f"/lab/iterations/{analysed.iterations[0]}/themes")
    assert "Première version du prototype" in first.text


def test_curation_forms_redirect_and_are_audited(db, analysed, login_as):
    staff = login_as("staff")
    v2 = analysed.iterations[1]
    address = topic_theme(db, analysed, 1, "adresse")
    follow = topic_theme(db, analysed, 1, "suivi")
    renamed = staff.post_form(f"/lab/iterations/{v2}/themes/rename", {"theme_id": str(address), "label": "Adresse introuvable"},
                              follow_redirects=False)
    assert renamed.status_code == 303 and renamed.headers["location"].endswith(f"?fait=rename#theme-{address}")
    page = staff.get(renamed.headers["location"])
    assert "Le thème a été renommé." in page.text and "Adresse introuvable" in page.text
    photo = topic_theme(db, analysed, 1, "photo")
    assert staff.post_form(f"/lab/iterations/{v2}/themes/merge", {"theme_id": str(address), "other_id": str(photo)},
                           follow_redirects=False).status_code == 303
    comment = analysed.comments[(1, "suivi")][0]
    moved = staff.post_form(f"/lab/iterations/{v2}/themes/move",
                            {"comment_id": str(comment), "theme_id": str(address), "back": str(follow)}, follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == \
        f"/lab/iterations/{v2}/themes/comments?theme={follow}&fait=move"
    assert staff.post_form(f"/lab/iterations/{v2}/themes/noise", {"comment_id": str(comment)},
                           follow_redirects=False).status_code == 303
    assert theme_of(db, comment)["is_noise"] == 1
    split = staff.post_form(f"/lab/iterations/{v2}/themes/split", {"theme_id": str(address), "parts": "2"},
                            follow_redirects=False)
    assert split.status_code == 303
    actions = [row[0] for row in db.execute("SELECT action FROM audit_log WHERE action LIKE 'themes.%' ORDER BY id")]
    assert actions == ["themes.rename", "themes.merge", "themes.move", "themes.noise", "themes.split"]
    assert db["curations"].count == 5
    # A refused curation says why, on the page, with 422.
    refused = staff.post_form(f"/lab/iterations/{v2}/themes/merge", {"theme_id": str(address), "other_id": str(address)})
    assert refused.status_code == 422 and "Choisissez un autre thème" in refused.text
    stale = staff.post_form(f"/lab/iterations/{v2}/themes/rename", {"theme_id": "abc", "label": "x"})
    assert stale.status_code == 422 and "n&#39;existe plus" in stale.text


def test_theme_comments_page(db, analysed, login_as):
    staff = login_as("staff")
    v1 = analysed.iterations[0]
    date = topic_theme(db, analysed, 0, "date")
    page = staff.get(f"/lab/iterations/{v1}/themes/comments?theme={date}")
    assert page.status_code == 200
    assert all(f'name="comment_id" value="{c}"' in page.text for c in reading.member_ids(db, date))
    assert staff.get(f"/lab/iterations/{v1}/themes/comments?theme={topic_theme(db, analysed, 1, 'suivi')}").status_code == 404
    assert staff.get(f"/lab/iterations/{v1}/themes/comments").status_code == 404


def test_actions_from_a_theme_to_its_delivery_in_the_next_iteration(db, analysed, login_as):
    staff = login_as("staff")
    v1, v2 = analysed.iterations
    date = topic_theme(db, analysed, 0, "date")
    created = staff.post_form(f"/lab/iterations/{v1}/actions", {"theme_id": str(date), "title": "Date facultative",
                                                                  "owner": "Julien", "status": "planned"},
                              follow_redirects=False)
    assert created.status_code == 303
    (action,) = contract.planned_actions(db, v1)
    page = staff.get(created.headers["location"])
    assert "L&#39;action d&#39;amélioration a été créée." in page.text and f'id="action-{action.id}"' in page.text
    missing = staff.post_form(f"/lab/iterations/{v1}/actions", {"theme_id": str(date), "title": ""})
    assert missing.status_code == 422 and "Indiquez ce que l&#39;équipe va changer." in missing.text
    assert staff.post_form(f"/lab/iterations/{v1}/actions/status", {"action_id": str(action.id), "status": "in_progress"},
                           follow_redirects=False).status_code == 303
    # The next iteration's page lists it, and delivers it.
    iteration_page = staff.get(f"/lab/iterations/{v2}")
    assert "Vous avez dit, nous avons fait" in iteration_page.text and "Date facultative" in iteration_page.text
    delivered = staff.post_form(f"/lab/iterations/{v2}/actions/deliver", {"action_id": str(action.id), "delivered": "1"},
                                headers=HX)
    assert delivered.status_code == 200 and "livrée dans v2" in delivered.text and "<html" not in delivered.text
    assert "est livrée dans v2." in delivered.text and f"#action-{action.id}" in delivered.text
    assert [a.id for a in contract.delivered_actions(db, v2)] == [action.id]
    assert staff.post_form(f"/lab/iterations/{v1}/actions/deliver", {"action_id": str(action.id)}).status_code == 422
    actions = [row[0] for row in db.execute("SELECT action FROM audit_log WHERE action LIKE 'action.%' ORDER BY id")]
    assert actions == ["action.create", "action.status", "action.deliver"]


def test_managers_read_themes_in_reports_not_here(db, analysed, login_as):
    manager = login_as("manager")
    assert manager.get(f"/lab/iterations/{analysed.iterations[1]}/themes").status_code == 403
    with Browser(manager.app, base_url="http://testserver") as other:
        assert other.get(f"/lab/iterations/{analysed.iterations[1]}/themes", follow_redirects=False).status_code == 303


def test_ids_no_row_can_have_are_refused_with_the_reason(analysed, login_as):
    """Twenty-digit ids (beyond SQLite's integers) name no theme, comment or action: a 422 page, never a 500."""
    staff = login_as("staff")
    base = f"/lab/iterations/{analysed.iterations[0]}"
    huge = "9" * 20
    for url, data in ((f"{base}/themes/rename", {"theme_id": huge, "label": "x"}),
                      (f"{base}/themes/merge", {"theme_id": huge, "other_id": huge}),
                      (f"{base}/themes/split", {"theme_id": huge}),
                      (f"{base}/themes/move", {"comment_id": huge, "theme_id": huge}),
                      (f"{base}/themes/noise", {"comment_id": huge}),
                      (f"{base}/actions/status", {"action_id": huge, "status": "done"}),
                      (f"{base}/actions/deliver", {"action_id": huge})):
        assert staff.post_form(url, data).status_code == 422, url
