"""Staff, in a real Chromium: analyse v2's comments, watch the job finish, curate themes, plan an action."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from analysis.themes import jobs
from lab.worker import Worker
from tests.analysis.themes.topics import V1, V2
from tests.factories import seed, theme_pilot
from tests.support import PASSWORD, assert_accessible, login

pytestmark = pytest.mark.browser


@pytest.fixture
def pilot(db, users):
    """A demo-like prototype: v1 tested and analysed, v2 tested with comments not yet analysed."""
    made = theme_pilot(db, people=70, user_id=users["staff"].id)
    seed(db, made, 0, V1, assisted_by=users["staff"].id)
    seed(db, made, 1, V2, assisted_by=users["staff"].id)
    jobs.analyse_now(db, iteration_id=made.iterations[0])
    return made


@pytest.fixture
def worker(settings):
    """A worker for analyses, started by the test when it wants the job to run (workers are off in tests)."""
    made = Worker(settings.db_path, [jobs.QueuedAnalyses()], poll_seconds=0.2)
    yield made
    made.stop()


def test_staff_analyse_curate_and_plan_an_action(page, pilot, worker):
    v2 = pilot.iterations[1]
    login(page, "staff@ville.test", PASSWORD)
    page.goto(f"/lab/iterations/{v2}")
    page.get_by_role("link", name="Thèmes des commentaires de v2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Thèmes des commentaires – .* v2"))
    assert_accessible(page)

    # Start the analysis: htmx swaps in the panel with a progress bar, polled every second.
    page.get_by_label("Nombre de thèmes (facultatif)").fill("")
    page.get_by_role("button", name="Lancer l'analyse").click()
    bar = page.get_by_role("progressbar")
    expect(bar).to_be_visible()
    expect(page.locator("#analysis-status")).to_contain_text("Analyse en attente")
    expect(page.get_by_role("button", name="Lancer l'analyse")).to_have_count(0)
    assert_accessible(page)
    worker.start()  # the job runs in the worker, never in the request
    expect(page.locator("#analysis-status")).to_contain_text(re.compile(r"Analyse terminée : \d+ thèmes"), timeout=30_000)
    expect(bar).to_have_attribute("value", "100")
    assert_accessible(page)
    page.get_by_role("link", name="Afficher les thèmes").click()

    # Themes with their status against v1, decided from the comments: what each continues, what became of v1's.
    expect(page.get_by_text(re.compile("^Comparaison avec les thèmes de v1"))).to_be_visible()
    cards = page.locator("ol.theme-cards > li.theme-card:not(.theme-card--noise)")
    count = cards.count()
    assert count >= 3
    expect(page.locator(".theme-card .badge--persisting").first).to_be_visible()
    expect(page.locator(".theme-card .badge--new").first).to_be_visible()
    expect(page.get_by_role("heading", name="Ce que sont devenus les thèmes de v1")).to_be_visible()
    expect(page.locator(".theme-card__lineage", has_text="Suite de v1 :").first).to_be_visible()
    expect(page.locator(".theme-card--previous", has_text=re.compile(r"IC 95 %")).first).to_be_visible()
    assert_accessible(page)

    # Rename the largest theme.
    first = cards.first
    first.locator("summary", has_text="Retoucher ce thème").click()
    first.get_by_label("Nouveau nom du thème").fill("Adresse introuvable")
    first.get_by_role("button", name=re.compile("^Renommer")).click()
    expect(page.get_by_role("status")).to_contain_text("Le thème a été renommé.")
    renamed = page.locator("li.theme-card", has=page.get_by_role("heading", name=re.compile("^Adresse introuvable")))
    expect(renamed).to_have_count(1)
    expect(renamed.get_by_text(re.compile("^Nom automatique :"))).to_be_visible()
    assert_accessible(page)

    # Merge another theme into it.
    renamed.locator("summary", has_text="Retoucher ce thème").click()
    merged_label = renamed.get_by_label("Fusionner avec").locator("option").first.inner_text()
    merged_label = re.sub(r" \(\d+\)$", "", merged_label)
    renamed.get_by_role("button", name=re.compile("^Fusionner")).click()
    expect(page.get_by_role("status")).to_contain_text("Les deux thèmes ont été fusionnés.")
    expect(cards).to_have_count(count - 1)
    expect(page.locator("ol.theme-cards .theme-card__title", has_text=merged_label)).to_have_count(0)
    assert_accessible(page)

    # Turn it into a redesign action for the next version.
    renamed = page.locator("li.theme-card", has=page.get_by_role("heading", name=re.compile("^Adresse introuvable")))
    renamed.locator("summary", has_text="Créer une action d'amélioration").click()
    renamed.get_by_label("Ce que l'équipe va changer").fill("Accepter une adresse approximative")
    renamed.get_by_label("Responsable (facultatif)").fill("Julien Moreau")
    renamed.get_by_label("État").select_option("in_progress")
    renamed.get_by_role("button", name=re.compile("^Créer l'action")).click()
    expect(page.get_by_role("status")).to_contain_text("L'action d'amélioration a été créée.")
    row = page.locator("#actions tbody tr", has_text="Accepter une adresse approximative")
    expect(row).to_contain_text("Adresse introuvable")
    expect(row.get_by_role("combobox")).to_have_value("in_progress")
    card = page.locator("li.theme-card", has_text="Adresse introuvable")
    expect(card.get_by_role("link", name="Accepter une adresse approximative")).to_be_visible()
    assert_accessible(page)

    # v3 will deliver it: its page says so ("vous avez dit, nous avons fait"), delivered once v3 is deployed.
    page.goto(f"/lab/prototypes/{pilot.prototype_id}")
    page.get_by_label("Ce qui va changer et pourquoi (facultatif)").fill("L'adresse peut être approximative.")
    page.get_by_role("button", name="Créer v3 à partir de v2").click()
    page.wait_for_url(re.compile(r"/lab/iterations/\d+/edit$"))
    v3 = int(page.url.rsplit("/", 2)[-2])
    page.goto(f"/lab/iterations/{v3}")
    section = page.locator("#actions-livrees")
    expect(section).to_contain_text("Accepter une adresse approximative")
    assert_accessible(page)
    section.get_by_role("button", name=re.compile("^Marquer comme livrée dans v3")).click()
    expect(page.locator("#actions-livrees")).to_contain_text("sera livrée avec v3, dès son déploiement.")
    expect(page.locator("#actions-livrees .badge")).to_have_text("Prévue dans v3, pas encore déployée")
    assert_accessible(page)
    page.goto(f"/lab/iterations/{v2}/themes")
    expect(page.locator("#actions tbody tr", has_text="Accepter une adresse approximative")).to_contain_text(
        "Prévue dans v3, pas encore déployée")

    # Reading a theme's comments to move one.
    renamed = page.locator("li.theme-card", has=page.get_by_role("heading", name=re.compile("^Adresse introuvable")))
    on_card = int(re.search(r"(\d+) commentaires", renamed.locator(".theme-card__figures").inner_text()).group(1))
    renamed.get_by_role("link", name=re.compile("^Lire les")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Commentaires du thème « Adresse introuvable »")
    # After rename and merge, the card and the comment page count the same comments.
    expect(page.locator("caption")).to_have_text(f"{on_card} commentaires")
    expect(page.locator("tbody tr")).to_have_count(on_card)
    assert_accessible(page)
