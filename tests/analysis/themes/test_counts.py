"""A theme's size is the same everywhere after every curation: its card, its comment page, the report, the export."""

from __future__ import annotations

import csv
import html
import io
import re
from collections import Counter

import pytest

from analysis.themes import analyses, jobs, reading
from tests.analysis.themes.topics import V1, V2, topic_count
from tests.factories import seed, theme_of, theme_pilot


@pytest.fixture
def analysed(db):
    pilot = theme_pilot(db, people=70)
    seed(db, pilot, 0, V1)
    seed(db, pilot, 1, V2)
    jobs.analyse_now(db, iteration_id=pilot.iterations[0], k=topic_count(V1))
    jobs.analyse_now(db, iteration_id=pilot.iterations[1], k=topic_count(V2))
    return pilot


def topic_theme(db, pilot, topic: str) -> int:
    return Counter(theme_of(db, c)["id"] for c in pilot.comments[(1, topic)]).most_common(1)[0][0]


def card_sizes(page: str) -> dict[int, int]:
    """Theme id -> the count its card shows on the themes page."""
    card = r'<li class="theme-card[^"]*" id="theme-(\d+)">.*?<p class="theme-card__figures"><strong>(\d+) commentaires?</strong>'
    found = re.findall(card, page, flags=re.S)
    return {int(theme): int(n) for theme, n in found}


def comment_page_size(staff, iteration_id: int, theme_id: int) -> tuple[int, int]:
    """(the count in the comment page's caption, the comments it lists)."""
    page = staff.get(f"/lab/iterations/{iteration_id}/themes/comments?theme={theme_id}").text
    caption = int(re.search(r"<caption>(\d+) commentaires?</caption>", page).group(1))
    return caption, len(set(re.findall(r'name="comment_id" value="(\d+)"', page)))


def report_sizes(manager, iteration_id: int) -> Counter:
    """Label -> count of each current theme in the manager's report."""
    page = manager.get(f"/reports/iterations/{iteration_id}").text
    section = page.split('class="theme-list"')[1].split("</ul>\n  {%")[0]
    found = re.findall(r'<li class="theme[^"]*">\s*<h3>(.*?)(?: <span[^>]*>[^<]*</span>)?</h3>\s*<p>(\d+) commentaires',
                       section, flags=re.S)
    return Counter({html.unescape(label.strip()): int(n) for label, n in found})


def export_sizes(manager, iteration_id: int) -> dict[int, int]:
    """Theme id -> size in the team's themes.csv (this iteration's themes and buckets)."""
    text = manager.get(f"/reports/iterations/{iteration_id}/themes.csv").text
    rows = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    return {int(r["theme_id"]): int(r["size"]) for r in rows if r["kind"] != "previous"}


def rename(staff, db, pilot, v2):
    return {"path": "rename", "data": {"theme_id": str(topic_theme(db, pilot, "adresse")), "label": "Adresse introuvable"}}


def merge(staff, db, pilot, v2):
    return {"path": "merge", "data": {"theme_id": str(topic_theme(db, pilot, "adresse")),
                                      "other_id": str(topic_theme(db, pilot, "photo"))}}


def split(staff, db, pilot, v2):
    return {"path": "split", "data": {"theme_id": str(topic_theme(db, pilot, "adresse")), "parts": "2"}}


def move(staff, db, pilot, v2):
    return {"path": "move", "data": {"comment_id": str(pilot.comments[(1, "suivi")][0]),
                                     "theme_id": str(topic_theme(db, pilot, "adresse")),
                                     "back": str(topic_theme(db, pilot, "suivi"))}}


def to_noise(staff, db, pilot, v2):
    return {"path": "noise", "data": {"comment_id": str(pilot.comments[(1, "photo")][0])}}


@pytest.mark.parametrize("operation", [rename, merge, split, move, to_noise], ids=lambda f: f.__name__)
def test_sizes_agree_everywhere_after_each_curation(db, analysed, login_as, operation):
    staff, manager = login_as("staff"), login_as("manager")
    v2 = analysed.iterations[1]
    request = operation(staff, db, analysed, v2)
    done = staff.post_form(f"/lab/iterations/{v2}/themes/{request['path']}", request["data"], follow_redirects=False)
    assert done.status_code == 303
    truth = {row["id"]: row for row in reading.themes_with_figures(db, analyses.latest_done(db, v2)["id"])}
    cards = card_sizes(staff.get(f"/lab/iterations/{v2}/themes").text)
    assert cards == {theme_id: row["size"] for theme_id, row in truth.items()}
    for theme_id, size in cards.items():
        assert comment_page_size(staff, v2, theme_id) == (size, size)
    assert export_sizes(manager, v2) == cards
    labels = Counter()
    for row in truth.values():
        if not row["is_bucket"]:
            labels[row["display_label"]] += row["size"]
    reported = report_sizes(manager, v2)
    assert {label: n for label, n in reported.items() if label in labels} == dict(labels)
    # Every visible comment of v2 is counted once: in a theme, in "Autres" or apart.
    visible = db.execute("SELECT COUNT(*) FROM comments WHERE iteration_id = ? AND moderation = 'visible'", [v2]).fetchone()[0]
    assert sum(cards.values()) == visible
