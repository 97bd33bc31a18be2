"""The demo lab's themes, as a manager reads them: the issue's "done when", checked on a fresh demo."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime
from html import unescape

import pytest

from analysis.themes import analyses, contract, reading
from analysis.themes.comments import iteration_comments
from analysis.themes.remarks import is_no_remark
from lab.demo.loader import load_demo

VOIRIE = "Signaler une anomalie sur la voie publique"


# The demo plays its sessions up to the hour it is loaded at, so its comments (and the themes
# drawn from them) differ from one hour to the next. These checks read one demo, the one loaded
# at this instant, so that they say the same thing whenever they run.
DEMO_LOADED_AT = datetime(2026, 12, 7, 12, 30, tzinfo=UTC)


def load_demo_at(db, settings, monkeypatch, moment: datetime) -> None:
    for module in ("lab.demo.loader", "lab.demo.trials", "lab.demo.mail"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: moment)
    load_demo(db, settings)


@pytest.fixture
def demo(db, settings, monkeypatch):
    load_demo_at(db, settings, monkeypatch, DEMO_LOADED_AT)
    return db


# Loaded at 14:30, voirie v2 had two themes both named "Suivi".
@pytest.mark.parametrize("moment", [DEMO_LOADED_AT, DEMO_LOADED_AT.replace(hour=14)])
def test_no_two_themes_of_an_analysis_share_a_name(db, settings, monkeypatch, moment):
    load_demo_at(db, settings, monkeypatch, moment)
    for (iteration_id,) in db.execute("SELECT id FROM iterations"):
        labels = [v.label.lower() for v in contract.iteration_themes(db, iteration_id) if v.side == "current"]
        assert len(labels) == len(set(labels)), labels


def iterations(db, title: str) -> list[int]:
    return [row[0] for row in db.execute("""SELECT i.id FROM iterations i JOIN prototypes p ON p.id = i.prototype_id
                                            WHERE p.title = ? ORDER BY i.number""", [title])]


def test_the_follow_up_complaint_is_not_called_resolved_in_voirie_v2(demo):
    db = demo
    _v1, v2 = iterations(db, VOIRIE)
    previous = [v for v in contract.iteration_themes(db, v2) if v.side == "previous"]
    # The v1 theme whose comments speak most of "suivi" (no tracking number after sending).
    follow_up = max(previous, key=lambda v: sum("suivi" in q.lower() for q in v.quotes))
    assert any("suivi" in q.lower() for q in follow_up.quotes)
    assert follow_up.status != "resolved" and follow_up.fate.successors
    assert any("suivi" in q.lower() for q in follow_up.fate.examples)  # what v2 still says about it
    for view in previous:  # whatever is called resolved fell significantly and has almost nothing left
        if view.status == "resolved":
            assert view.fate.p_value < 0.05 and view.fate.now <= max(1, 0.2 * view.fate.share_before * view.fate.now_total)



def test_the_report_says_in_words_where_each_v1_theme_went(demo, login_as):
    """"Scindé en « Adresse » (9 commentaires proches)", never "Scindé en« Adresse » (9)"."""
    _v1, v2 = iterations(demo, VOIRIE)
    page = " ".join(unescape(login_as("manager").get(f"/reports/iterations/{v2}").text).split())
    followed = re.findall(r"(?:Scindé en|Se poursuit dans|dans) « [^»]+ » \(\d+ commentaires? proches?\)", page)
    assert followed, "no v1 theme is said to go on in v2"
    assert not re.search(r"\S« ", page.split("Ce que sont devenus", 1)[1])
    staff_page = " ".join(unescape(login_as("staff").get(f"/lab/iterations/{v2}/themes").text).split())
    staff_page = re.sub(r"<[^>]+>", "", staff_page)
    assert re.search(r"(?:scindé en|se poursuit dans|dans) « [^»]+ » \(\d+ commentaires? proches?\)", staff_page)

def test_english_comments_meet_french_ones_and_silent_ones_are_apart(demo):
    db = demo
    english = in_french = 0
    for (iteration_id,) in db.execute("SELECT id FROM iterations"):
        shown = analyses.latest_done(db, iteration_id)
        if shown is None:
            continue
        languages: dict[int, Counter] = defaultdict(Counter)
        for theme_id, language in db.execute(
            """SELECT m.theme_id, c.language FROM theme_members m JOIN themes t ON t.id = m.theme_id
               JOIN comments c ON c.id = m.comment_id WHERE m.analysis_id = ? AND t.is_noise = 0 AND t.no_remark = 0""",
            [shown["id"]],
        ):
            languages[theme_id][language] += 1
        for counts in languages.values():
            english += counts["en"]
            in_french += counts["en"] if counts["fr"] > counts["en"] else 0
        silent = [r for r in reading.theme_records(db, shown["id"]) if r["no_remark"]]
        for bucket in silent:
            texts = [row["text"] for row in reading.theme_comments(db, bucket["id"])]
            assert texts and all(is_no_remark(t) for t in texts)
    assert english and in_french >= 0.95 * english


def test_no_demo_theme_is_named_by_filler_words(demo):
    db = demo
    for (iteration_id,) in db.execute("SELECT id FROM iterations"):
        shown = analyses.latest_done(db, iteration_id)
        if shown is None:
            continue
        fillers = set(json.loads(shown["params"])["fillers"])
        for view in contract.iteration_themes(db, iteration_id):
            if view.side != "current" or view.is_noise or view.is_no_remark:
                continue
            words = view.label.lower().split()
            assert not {"nice", "top", "bonne", "cheers", "merci", "rien", "savais"} & set(words), view.label
            assert words[0] not in fillers and words[-1] not in fillers, view.label
            assert " · " not in view.label  # a phrase, not a keyword list


# What shows the next word is a verb or an attribute: "vous avez écouté", "je mets", "qui s'occupe", "c'est
# mieux"; not an inverted subject, before an infinitive ("faut-il payer").
VERB_CUE = re.compile(r"(?<![-\w])(?:je|j'|tu|il|elle|on|nous|vous|ils|elles|se|s'|ai|as|a|avez|avons|ont|est|sont|été|être|"
                      r"très|vraiment|beaucoup)\s*$", re.IGNORECASE)


def test_no_demo_theme_name_opens_on_a_verb_or_an_attribute(demo):
    db = demo
    for (iteration_id,) in db.execute("SELECT id FROM iterations"):
        texts = [c["text"] for c in iteration_comments(db, iteration_id)]
        for view in contract.iteration_themes(db, iteration_id):
            if view.side != "current" or view.is_noise or view.is_no_remark:
                continue
            first = re.escape(view.label.split()[0].lower())
            if first.endswith(("er", "ir")):
                continue  # an infinitive says what people want done: "Tenir au courant", "Payer en ligne"
            before = [text[: found.start()] for text in texts for found in re.finditer(rf"\b{first}\b", text.lower())]
            cued = sum(1 for text in before if VERB_CUE.search(text))
            assert cued < len(before) / 2, (view.label, cued, len(before))
