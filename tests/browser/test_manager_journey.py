"""A manager, in a real Chromium: portfolio → latest report of a pilot → comparison and themes → decision → PDF and CSV."""

from __future__ import annotations

import csv
import io
import random
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from feedback import store
from feedback.pii import scan
from lab.campaigns.deployments import get_deployment
from lab.clock import utcnow
from lab.db import write
from lab.demo.catalogue import ACCOUNTS
from lab.demo.loader import load_demo
from prototypes.store import get_iteration, spec_of
from tests.support import assert_accessible, login

pytestmark = pytest.mark.browser

VOIRIE = "signaler-une-anomalie-sur-la-voie-publique"
MANAGER = next((email, password) for role, email, _name, password in ACCOUNTS if role == "manager")
#: What testers of the voirie prototype typically write, by step (None: the overall comment).
SAID = {
    "lieu": ["Je n'ai pas trouvé comment indiquer l'endroit exact, il n'y a pas de numéro devant le parc.",
             "L'adresse n'est pas reconnue quand on est sur un chemin sans nom.",
             "Difficile de décrire l'endroit sans carte, j'aurais aimé pointer sur un plan."],
    "nature": ["Les catégories ne correspondent pas : une branche tombée, ce n'est ni la chaussée ni le trottoir.",
               "Je ne savais pas quelle catégorie choisir pour un arbre qui penche.",
               "Il manque une catégorie pour la végétation et les espaces verts."],
    "constat": ["La date du constat est obligatoire alors que je ne me souviens pas du jour exact.",
                "Ma photo prise avec l'iPhone a été refusée, format non accepté.",
                "La photo est trop lourde, impossible de l'envoyer depuis mon téléphone."],
    None: ["Simple et rapide, merci pour ce service.", "Très pratique, bien mieux que d'appeler la mairie.",
           "Formulaire clair, j'ai tout rempli en quelques minutes."],
}


def _seed(db, deployment_id: int, count: int, *, completion: float, happy: float, rng: random.Random) -> None:
    """Trials through the feedback store, as the citizen journey records them."""
    deployment = get_deployment(db, deployment_id)
    steps = spec_of(get_iteration(db, deployment["variants"][0]["iteration_id"])).steps
    people = list(db.query(
        """SELECT p.* FROM participants p JOIN deployment_groups g ON g.group_id = p.group_id
           WHERE g.deployment_id = ? AND p.id NOT IN (SELECT participant_id FROM trials WHERE deployment_id = ?)
           ORDER BY p.id LIMIT ?""", [deployment_id, deployment_id, count]))
    start = utcnow() - timedelta(days=3)
    for person in people:
        moment = start + timedelta(minutes=rng.randrange(3000))
        trial = store.create_trial(db, deployment=deployment, participant=person, channel="online", now=moment)
        done = rng.random() < completion
        reached = len(steps) if done else rng.randrange(1, len(steps))
        for index, step in enumerate(steps[:reached]):
            store.enter_step(db, trial, step.key, now=moment)
            if rng.random() < 0.2:
                store.record_errors(db, trial, step.key, [step.fields[0].key], now=moment)
            if step.key in SAID and rng.random() < 0.7:
                store.save_comment(db, trial, step_key=step.key, comment=scan(rng.choice(SAID[step.key])), source="step",
                                   now=moment)
            moment += timedelta(seconds=rng.randint(30, 150))
            if done or index < reached - 1:
                trial = store.get_trial(db, trial["id"])
                store.save_step(db, trial, step_key=step.key, step_fields=[f.key for f in step.fields], index=index,
                                step_count=len(steps), values={}, now=moment)
        if done:
            trial = store.get_trial(db, trial["id"])
            pleased = rng.random() < happy
            answers = [("satisfaction", 3.0 if pleased else rng.choice((1.0, 2.0)), None),
                       ("ease", float(rng.randint(4, 5) if pleased else rng.randint(1, 3)), None),
                       ("clarity", float(rng.randint(3, 5)), None), ("help_needed", float(rng.random() < 0.2), None)]
            answers += [(f"sus_{i}", float((rng.randint(4, 5) if i % 2 else rng.randint(1, 2)) if pleased else rng.randint(2, 4)), None)
                        for i in range(1, 11)]
            store.save_responses(db, trial, answers, now=moment)
            store.save_comment(db, trial, step_key=None, comment=scan(rng.choice(SAID[None])), source="questionnaire", now=moment)


@pytest.fixture
def demo(db, settings, live_server):
    """The demo lab, with tested voirie iterations (trials added here if the demo has none) and their themes."""
    load_demo(db, settings)
    v1, v2 = (row[0] for row in db.execute(
        "SELECT i.id FROM iterations i JOIN prototypes p ON p.id = i.prototype_id WHERE p.slug = ? ORDER BY i.number", [VOIRIE]))
    if not db.execute("SELECT COUNT(*) FROM trials WHERE iteration_id = ?", [v2]).fetchone()[0]:
        rng = random.Random(5)
        deployments = {row[1]: row[0] for row in db.execute(
            "SELECT deployment_id, iteration_id FROM deployment_variants WHERE iteration_id IN (?, ?)", [v1, v2])}
        with write(db):
            _seed(db, deployments[v1], 40, completion=0.55, happy=0.35, rng=rng)
            _seed(db, deployments[v2], 40, completion=0.9, happy=0.8, rng=rng)
    from analysis.themes.analyses import latest_done
    from analysis.themes.jobs import analyse_now

    for iteration_id in (v1, v2):
        if latest_done(db, iteration_id) is None:
            analyse_now(db, iteration_id=iteration_id, backend="tfidf", runner="cli")
    return {"v1": v1, "v2": v2}


def test_manager_reads_the_latest_report_decides_and_downloads(page, demo, db):
    email, password = MANAGER
    login(page, email, password)

    page.get_by_role("link", name="Rapports").first.click()
    page.get_by_role("heading", name="Les pilotes en cours").wait_for()
    assert_accessible(page)
    row = page.locator("tr", has=page.get_by_role("link", name="Signaler une anomalie sur la voie publique"))
    expect(row).to_contain_text("v2")
    expect(row.locator("svg.sparkline")).to_have_attribute(
        "aria-label", re.compile(r"^Taux de complétion par itération : v1 \d+\s%, v2 \d+\s%$"))
    page.get_by_label("Domaine").select_option("voirie")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("table.portfolio tbody tr")).to_have_count(1)

    page.get_by_role("link", name="Signaler une anomalie sur la voie publique").click()
    page.get_by_role("heading", name="Rapport d'itération : Signaler une anomalie sur la voie publique, v2").wait_for()
    assert page.url.endswith(f"/reports/iterations/{demo['v2']}")
    comparison = page.get_by_role("table", name="Comparaison de v2 avec v1")
    expect(page.get_by_role("heading", name="Par rapport à l'itération v1")).to_be_visible()
    expect(comparison).to_contain_text("Taux de complétion")
    expect(comparison).to_contain_text("n = ")
    expect(page.get_by_role("heading", name="Ce qui pose problème : les thèmes des commentaires")).to_be_visible()
    expect(page.locator(".theme-list .theme").first).to_be_visible()
    expect(page.get_by_role("img", name="Parcours : combien de personnes atteignent chaque étape")).to_be_visible()
    page.get_by_text("Voir les données du graphique").first.click()
    expect(page.get_by_role("table", name="Parcours : combien de personnes atteignent chaque étape")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Itérer").check()
    page.get_by_label("Justification").fill("La complétion progresse nettement ; reste à régler la photo depuis un téléphone.")
    page.get_by_role("button", name="Enregistrer la décision").click()
    decision = page.locator(".decision").first
    expect(decision).to_contain_text("Itérer")
    expect(decision).to_contain_text("Catherine Lefèvre")
    expect(decision).to_contain_text("reste à régler la photo")
    assert_accessible(page)

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Télécharger le PDF").click()
    pdf = PdfReader(pdf_download.value.path())
    first = " ".join(pdf.pages[0].extract_text().split())
    assert "Rapport d'itération : Signaler une anomalie sur la voie publique, v2" in first
    assert any("reste à régler la photo" in " ".join(p.extract_text().split()) for p in pdf.pages)

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Parcours (CSV)").click()
    assert csv_download.value.suggested_filename.endswith("-v2-trials.csv")
    text = Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert rows and rows[0]["iteration"] == "2" and rows[0]["participant_code"].startswith("P-")

    page.goto(f"/reports/iterations/{demo['v2']}/print")
    page.get_by_role("heading", name="Rapport d'itération : Signaler une anomalie sur la voie publique, v2").wait_for()
    assert_accessible(page)


def test_staff_reads_the_report_but_cannot_decide(page, demo, users):
    login(page, "staff@ville.test", "correct horse battery staple")
    page.goto(f"/reports/iterations/{demo['v1']}")
    page.get_by_role("heading", name="Rapport d'itération : Signaler une anomalie sur la voie publique, v1").wait_for()
    expect(page.get_by_role("button", name="Enregistrer la décision")).to_have_count(0)
    expect(page.get_by_text("Seul·es les responsables")).to_be_visible()
    assert_accessible(page)
