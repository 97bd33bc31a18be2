"""The iteration report page, its printable version and PDF, and who may read them."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from analysis.reports import snapshots
from analysis.themes import actions, reading
from lab.db import write
from tests.analysis.themes.topics import ADDRESS, FOLLOW_UP, PHOTO
from tests.factories import SATISFIED, add_comment, add_trial, hand_made_analysis, improving_pilot, make_pilot, theme_pilot
from tests.support import Browser


@pytest.fixture
def pilot(db, users):
    return improving_pilot(db, users["staff"].id)


def text_of(html: str) -> str:
    """Visible text, one space between words, for content assertions."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'").replace("&amp;", "&")


def test_report_shows_header_key_figures_and_comparison(login_as, pilot):
    page = login_as("manager").get(f"/reports/iterations/{pilot.iterations[1]}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Rapport d'itération : Signaler une anomalie sur la voie publique, v2" in text
    assert "Habitants du centre" in text and "Test v2" in text
    assert "Parcours commencés 12 sur 30 personnes invitées +2 depuis v1" in text
    assert "Taux de complétion 100 %" in text
    assert "+50 points depuis v1" in text
    assert "Par rapport à l'itération v1" in text
    assert "Amélioration nette : 100 % contre 50 % (n = 12 et 10, petit échantillon)." in text
    assert "test exact de Fisher" in text and "test de Mann-Whitney" in text
    assert "Petit échantillon : 12 parcours." in text


def test_report_charts_have_titles_descriptions_and_data_tables(login_as, pilot):
    html = login_as("staff").get(f"/reports/iterations/{pilot.iterations[0]}").text
    for chart in ("chart-funnel", "chart-satisfaction", "chart-ease", "chart-clarity", "chart-sus"):
        assert f'aria-labelledby="{chart}-t" aria-describedby="{chart}-d"' in html, chart
        assert f'<title id="{chart}-t">' in html and f'<desc id="{chart}-d">' in html
    funnel_table = html.split('id="chart-funnel-caption"')[1].split("</figure>")[0]
    assert "<th scope=\"row\">1. Où se trouve le problème ?</th>" in funnel_table
    assert re.search(r'<td class="num">10</td><td class="num">5</td><td class="num">50\xa0%</td>', funnel_table)
    assert "Adresse ou lieu" in html  # the error hotspot by its label, not its key


def test_sus_chart_spans_the_iterations(login_as, pilot):
    html = login_as("manager").get(f"/reports/iterations/{pilot.iterations[1]}").text
    sus = html.split('id="chart-sus-caption"')[1].split("</figure>")[0]
    assert "<th scope=\"row\">v1</th>" in sus and "<th scope=\"row\">v2</th>" in sus
    assert "moyenne : 68" in sus


def test_report_with_fewer_than_five_trials_shows_no_figure(login_as, db, users):
    pilot = make_pilot(db, people=5)
    add_trial(db, pilot, answers=SATISFIED)
    text = text_of(login_as("manager").get(f"/reports/iterations/{pilot.iterations[0]}").text)
    assert "Moins de 5 parcours pour l'instant." in text
    assert "Chiffres clés" not in text and "Taux de complétion" not in text and "100 %" not in text
    assert "Échantillon trop petit" not in text  # no previous iteration: nothing compared
    assert "C'est la première itération de ce prototype" in text


def test_small_group_is_named_but_not_detailed(login_as, db, users):
    pilot = make_pilot(db, people=12)
    for i in range(9):
        add_trial(db, pilot, channel="assisted" if i < 2 else "online", assisted_by=users["staff"].id if i < 2 else None)
    text = text_of(login_as("manager").get(f"/reports/iterations/{pilot.iterations[0]}").text)
    assert "Accompagné (médiation) : moins de 5" in text
    assert "moins de 5 parcours accompagnés" in text
    assert "Accompagné (médiation) moins de 5 personnes : non affiché" in text


def test_empty_iteration_report(login_as, db, users):
    pilot = make_pilot(db, people=5)
    page = login_as("manager").get(f"/reports/iterations/{pilot.iterations[0]}")
    assert page.status_code == 200
    assert "Moins de 5 parcours" in page.text


def test_themes_sections_say_when_no_analysis_was_made(login_as, pilot):
    text = text_of(login_as("manager").get(f"/reports/iterations/{pilot.iterations[1]}").text)
    assert "Aucune analyse des commentaires n'a encore été faite pour cette itération." in text
    assert "Aucune action livrée n'est rattachée à cette itération." in text
    assert "Aucune action d'amélioration n'a encore été décidée à partir de cette itération." in text


def test_themes_and_actions_come_from_the_theme_analysis(login_as, db, users):
    pilot = theme_pilot(db, people=20)
    v1, v2 = pilot.iterations
    for text in PHOTO[:3] + ADDRESS[:3]:
        add_comment(db, pilot, 0, text, step="constat")
    for text in PHOTO[3:5] + FOLLOW_UP[:3]:
        add_comment(db, pilot, 1, text, step="lieu")
    first = hand_made_analysis(db, v1, [("photo · envoi", [0, 1, 2], {"photo": 0.6, "envoi": 0.4}),
                                        ("adresse · rue", [3, 4, 5], {"adress": 0.6, "rue": 0.4})])
    hand_made_analysis(db, v2, [("suivi · signalement", [2, 3, 4], {"suivi": 0.7, "signal": 0.3}),
                                ("photo · refusée", [0, 1], {"photo": 0.7, "envoi": 0.3})])
    address = next(t for t in reading.theme_records(db, first["id"]) if t["label"] == "adresse · rue")
    with write(db):
        action_id = actions.create_action(db, iteration_id=v1, user_id=None, form=actions.ActionForm(
            title="Carte pour pointer le lieu", owner="Équipe voirie", theme_ids=(str(address["id"]),)))
        actions.set_delivered(db, iteration_id=v2, action_id=str(action_id), delivered=True, user_id=None)
    html = login_as("manager").get(f"/reports/iterations/{v2}").text
    text = text_of(html)
    assert "photo · refusée Persistant" in text and "2 commentaires (40 %)" in text
    assert PHOTO[3] in text and "suivi · signalement Nouveau" in text
    # No comment of v2 speaks of addresses any more, but 3 of 6 comments before and 0 of 5 now
    # is no significant fall: the report says "en baisse", not "résolu".
    assert "adresse · rue En baisse" in text and "adresse · rue Résolu" not in text
    assert "Aucun thème de v2 ne le poursuit." in text and "test exact de Fisher, p = " in text
    assert "Carte pour pointer le lieu – répond à : adresse · rue" in text
    themes = html.split('id="chart-themes-caption"')[1].split("</figure>")[0]
    # The chart's table gives each theme of v1 (by its v1 name) and each new theme its shares.
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">([^<]+)</td><td class="num">([^<]+)</td>'
                      r'<td class="num">([^<]+)</td></tr>', themes.replace("\xa0", " "))
    assert rows == [("adresse · rue", "En baisse", "33 %", "0 %"), ("photo · envoi", "Persistant", "33 %", "40 %"),
                    ("suivi · signalement", "Nouveau", "0 %", "60 %")]


@pytest.mark.parametrize("role", ["staff", "manager", "admin"])
def test_staff_managers_and_admins_read_reports(login_as, pilot, role):
    client = login_as(role)
    assert client.get(f"/reports/iterations/{pilot.iterations[1]}").status_code == 200
    assert client.get("/reports").status_code == 200
    assert client.get(f"/reports/iterations/{pilot.iterations[1]}/print").status_code == 200


@pytest.mark.parametrize("path", ["/reports", "/reports/iterations/1", "/reports/iterations/1.pdf",
                                  "/reports/iterations/1/print", "/reports/iterations/1/trials.csv",
                                  "/reports/iterations/1/data.json", "/reports/iterations/1/opendata.zip"])
def test_anonymous_visitors_are_sent_to_login(client, pilot, path):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=" + path


def test_participants_get_nothing(app, pilot, db, settings):
    """A citizen's participant cookie is not a staff session: reports stay closed."""
    from lab.campaigns.invitations import list_invitations
    from lab.clock import utcnow

    link = list_invitations(db, pilot.deployments[1], secret_key=settings.secret_key, base_url="http://testserver",
                            now=utcnow())[0]["url"]
    with Browser(app, base_url="http://testserver") as citizen:
        citizen.get(link.replace("http://testserver", ""), follow_redirects=False)
        for path in (f"/reports/iterations/{pilot.iterations[1]}", "/reports", f"/reports/iterations/{pilot.iterations[1]}/trials.csv"):
            response = citizen.get(path, follow_redirects=False)
            assert response.status_code == 303 and response.headers["location"].startswith("/login"), path


def test_unknown_iteration_is_404(login_as):
    client = login_as("manager")
    for path in ("/reports/iterations/999", "/reports/iterations/999.pdf", "/reports/iterations/999/trials.csv",
                 "/reports/iterations/999/opendata.zip", "/reports/iterations/999/status"):
        assert client.get(path).status_code == 404, path


def test_report_page_is_a_pure_read_when_fresh(login_as, pilot, monkeypatch):
    client = login_as("manager")
    assert client.get(f"/reports/iterations/{pilot.iterations[1]}").status_code == 200

    def fail(*args, **kwargs):
        raise AssertionError("recomputed")

    monkeypatch.setattr(snapshots, "compute_figures", fail)
    assert client.get(f"/reports/iterations/{pilot.iterations[1]}").status_code == 200
    assert client.get("/reports").status_code == 200


def test_pending_report_says_so_polls_and_shows_the_figures_the_worker_computed(login_as, pilot, app, db, monkeypatch):
    app.state.settings = app.state.settings.with_(start_workers=True)  # large figures are the worker's, as in production
    monkeypatch.setattr("analysis.reports.routes.get_snapshot",
                        lambda db, i, **kw: snapshots.get_snapshot(db, i, **{**kw, "inline_limit": 0}))
    client = login_as("manager")
    url = f"/reports/iterations/{pilot.iterations[1]}"
    page = client.get(url)
    assert page.status_code == 200
    assert "sont en cours de calcul" in page.text
    assert f'hx-get="{url}/status"' in page.text
    assert client.get(f"{url}/status", headers={"HX-Request": "true"}).status_code == 204  # queued: keep polling
    assert app.state.worker.run_once(db) is True  # the worker (its thread is off in tests) computes them
    status = client.get(f"{url}/status", headers={"HX-Request": "true"})
    assert status.status_code == 200 and status.headers["HX-Refresh"] == "true"
    assert "Taux de complétion" in text_of(client.get(url).text)


def test_printable_page_has_no_navigation_nor_form(login_as, pilot):
    html = login_as("manager").get(f"/reports/iterations/{pilot.iterations[1]}/print").text
    assert '<body class="print-report">' in html
    assert "<form" not in html and "site-nav" not in html and "<details" not in html
    assert "Données : Parcours : combien de personnes atteignent chaque étape" in html


def test_pdf_is_valid_with_the_title_on_page_one(login_as, pilot):
    response = login_as("staff").get(f"/reports/iterations/{pilot.iterations[1]}.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith('attachment; filename="servicelab-signaler-une-anomalie')
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    first = " ".join(reader.pages[0].extract_text().split())
    assert "Rapport d'itération : Signaler une anomalie sur la voie publique, v2" in first
    everything = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Par rapport à l'itération v1" in everything and "Score SUS d'une itération à l'autre" in everything


def test_pdf_rendering_reads_no_url_but_our_static_files():
    from analysis.reports.pdf import _static_file

    body, mime = _static_file("https://servicelab.invalid/static/lab.css?v=1")
    assert mime == "text/css" and b"/* reports */" in body
    for url in ("https://example.org/x.css", "file:///etc/passwd", "https://servicelab.invalid/static/../settings.py"):
        with pytest.raises(ValueError):
            _static_file(url)


def test_nav_links_to_reports(login_as):
    assert '<a href="/reports">Rapports</a>' in login_as("manager").get("/").text


def test_report_body_is_rendered_once_per_state_of_the_figures(login_as, pilot, app, db):
    client = login_as("manager")
    url = f"/reports/iterations/{pilot.iterations[1]}"
    first = client.get(url).text
    assert len(app.state.report_bodies) == 1
    assert client.get(url).text == first and len(app.state.report_bodies) == 1
    client.post_form(f"{url}/decisions", {"kind": "stop", "rationale": "Fin du pilote."})
    after_decision = client.get(url).text
    assert "Fin du pilote." in after_decision and len(app.state.report_bodies) == 1  # decisions are outside the body
    add_trial(db, pilot, 1, answers=SATISFIED)
    assert "Parcours commencés 13 " in text_of(client.get(url).text) and len(app.state.report_bodies) == 2
    client.post_form("/langue", {"lang": "en", "next": url})
    client.get(url)
    assert len(app.state.report_bodies) == 3
