"""The printed report and its PDF: a one-page summary first, no page left almost empty, a tagged PDF (PDF/UA-1).

Before: the demo's v2 report was 20 pages with the decision on the last one, pages holding only
the start of a chart, and an untagged PDF.
"""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from analysis.reports.summary import summary
from lab import organisation
from lab.clock import utcnow
from lab.db import write
from lab.demo.catalogue import ORGANISATION
from tests.analysis.themes.topics import ADDRESS, FOLLOW_UP, PHOTO
from tests.factories import DISSATISFIED, SATISFIED, add_trial, hand_made_analysis, invite_all, make_pilot

RATIONALE = ("Les parcours aboutissent bien mieux qu'en v1 ; il reste à régler l'envoi des photos, "
             "qui persiste, et le suivi des signalements, nouveau. Une troisième itération d'ici juin.")
#: A page is "almost empty" below this many characters of text (a full page holds 1,000 to 2,000).
ALMOST_EMPTY = 300


def words(page) -> str:
    return " ".join(page.extract_text().split())


@pytest.fixture
def pilot(db, users):
    """Two tested iterations with SUS, themes tracked from v1 to v2, the collectivité named."""
    pilot = make_pilot(db, iterations=2, people=30, user_id=users["staff"].id)
    invite_all(db, pilot, 1)
    said_v1, said_v2 = PHOTO[:3] + ADDRESS[:3], PHOTO[3:5] + FOLLOW_UP[:3]
    for i in range(10):  # v1: half finish, unhappy
        add_trial(db, pilot, 0, reached=4 if i < 5 else 1, answers=DISSATISFIED if i < 5 else None,
                  comments={"lieu": said_v1[i]} if i < len(said_v1) else None)
    for i in range(12):  # v2: everyone finishes, happy
        add_trial(db, pilot, 1, answers=SATISFIED, comments={"lieu": said_v2[i]} if i < len(said_v2) else None)
    hand_made_analysis(db, pilot.iterations[0], [("photo · envoi", [0, 1, 2], {"photo": 0.6, "envoi": 0.4}),
                                                 ("adresse · rue", [3, 4, 5], {"adress": 0.6, "rue": 0.4})])
    hand_made_analysis(db, pilot.iterations[1], [("suivi · signalement", [2, 3, 4], {"suivi": 0.7, "signal": 0.3}),
                                                 ("photo · refusée", [0, 1], {"photo": 0.7, "envoi": 0.3})])
    with write(db):
        organisation.save(db, ORGANISATION, now=utcnow(), user_id=None)
    return pilot


def pdf_of(client, iteration_id: int) -> PdfReader:
    response = client.get(f"/reports/iterations/{iteration_id}.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def test_the_pdf_opens_with_a_one_page_summary_holding_the_decision(login_as, pilot):
    manager = login_as("manager")
    v2 = pilot.iterations[1]
    assert manager.post_form(f"/reports/iterations/{v2}/decisions", {"kind": "iterate", "rationale": RATIONALE},
                             follow_redirects=False).status_code == 303
    reader = pdf_of(manager, v2)
    first = words(reader.pages[0])
    assert "Ville de Rivebelle" in first and "Synthèse" in first
    assert "Décision : Itérer" in first and "Les parcours aboutissent bien mieux qu'en v1" in first
    assert "Taux de complétion 100 % IC 95 % : 76 % à 100 % +50 points depuis v1 · différence nette" in first
    assert "Score SUS (0 à 100) 100,0" in first
    assert "Par rapport à l'itération v1" in first and "Amélioration nette : 100 % contre 50 %" in first
    assert "suivi · signalement Nouveau" in first and "photo · refusée Persistant" in first
    second = words(reader.pages[1])
    assert "Synthèse" not in second and "Le test en bref" in second  # the summary is one page, the details follow
    assert "Ville de Rivebelle" in words(reader.pages[-1]) or reader.metadata["/Author"] == "Ville de Rivebelle"


def test_without_a_decision_the_summary_says_it_is_pending(login_as, pilot):
    first = words(pdf_of(login_as("staff"), pilot.iterations[0]).pages[0])
    assert "Décision : en attente" in first and "Aucune décision n'a encore été prise sur cette itération." in first


def test_the_pdf_is_tagged_for_assistive_technologies(login_as, pilot):
    """PDF/UA-1: a structure tree, marked content, the language, the title shown, and every figure described."""
    reader = pdf_of(login_as("manager"), pilot.iterations[1])
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "fr" and root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
    figures, headings = [], []

    def walk(node) -> None:
        node = node.get_object()
        if not isinstance(node, dict):
            return
        if node.get("/S") == "/Figure":
            figures.append(node)
        if node.get("/S") in ("/H1", "/H2"):
            headings.append(node["/S"])
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            walk(kid)

    walk(root["/StructTreeRoot"])
    assert headings.count("/H1") == 1 and "/H2" in headings
    assert figures and all("/Alt" in figure for figure in figures)


def test_the_summary_keeps_to_what_fits_one_page():
    many = [{"label": f"thème {n}", "size": n, "status": "persisting", "is_noise": False} for n in range(9)]
    built = summary({"decisions": [{"kind": "stop", "decided_at": "2026-03-02T10:00:00+00:00", "author": None,
                                    "rationale": "mot " * 200}], "themes": many, "key_figures": [], "comparison": None})
    assert [t["label"] for t in built["themes"]] == ["thème 8", "thème 7", "thème 6", "thème 5", "thème 4"]
    assert built["more_themes"] == 4 and built["decision"]["rationale"].endswith("…")
    assert len(built["decision"]["rationale"]) <= 301 and built["decision"]["label"] == "Arrêter"


@pytest.mark.slow
def test_the_demo_report_has_no_page_left_almost_empty(db, settings, login_as):
    """The demo's richest report (voirie v2, about 90 trials and 20 themes), printed."""
    from analysis.themes.analyses import latest_done
    from analysis.themes.jobs import analyse_now
    from lab.demo.loader import load_demo

    load_demo(db, settings)
    v2 = db.execute("""SELECT i.id FROM iterations i JOIN prototypes p ON p.id = i.prototype_id
                       WHERE p.slug = 'signaler-une-anomalie-sur-la-voie-publique' AND i.number = 2""").fetchone()[0]
    if latest_done(db, v2) is None:
        analyse_now(db, iteration_id=v2, backend="tfidf", runner="cli")
    manager = login_as("manager")
    manager.post_form(f"/reports/iterations/{v2}/decisions", {"kind": "scale", "rationale": RATIONALE * 8})  # cut on page 1
    reader = pdf_of(manager, v2)
    lengths = [len(words(page)) for page in reader.pages]
    print(f"\ndemo voirie v2 report: {len(reader.pages)} pages, characters per page {lengths}")
    assert "Décision" in words(reader.pages[0])
    assert all(length >= ALMOST_EMPTY for length in lengths[:-1]), lengths
    assert len(reader.pages) <= 15
