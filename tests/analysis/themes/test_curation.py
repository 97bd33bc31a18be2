"""Curation by staff: rename, merge, split, move, noise — and all of it surviving a re-analysis."""

from __future__ import annotations

from collections import Counter

import pytest

from analysis.themes import analyses, contract, curation, jobs, matching, reading, saving
from analysis.themes.text import preprocess
from lab.db import write
from tests.analysis.themes.topics import CATEGORY, DATE, PHOTO, TOPICS, V1, topic_count
from tests.factories import add_comment, seed, theme_of, theme_pilot

K1 = topic_count(V1)  # one theme per topic: the tests name themes by the topic they hold


@pytest.fixture
def pilot(db):
    made = theme_pilot(db, people=70)
    seed(db, made, 0, V1)
    jobs.analyse_now(db, iteration_id=made.iterations[0], k=K1)
    return made


def topic_theme(db, pilot, topic: str) -> dict:
    """The shown theme holding most of a topic's comments."""
    ids = pilot.comments[(0, topic)]
    theme_id = Counter(theme_of(db, c)["id"] for c in ids).most_common(1)[0][0]
    return reading.get_theme(db, theme_id)


def curate(db, call, **kwargs):
    with write(db):
        return call(db, **kwargs)


def shown(db, pilot) -> dict:
    return analyses.latest_done(db, pilot.iterations[0])


def sizes(db, pilot) -> dict[int, int]:
    return {row["id"]: row["size"] for row in reading.themes_with_figures(db, shown(db, pilot)["id"])}


def test_fixture_topics_share_no_content_word():
    stems = {topic: {s for doc in preprocess(texts) for s in doc.stems} for topic, texts in TOPICS.items()}
    shared = {(a, b): stems[a] & stems[b] for a in stems for b in stems if a < b and stems[a] & stems[b]}
    assert not shared


def test_each_topic_is_one_theme(db, pilot):
    for topic in ("photo", "adresse", "date", "categorie"):
        themes = Counter(theme_of(db, c)["id"] for c in pilot.comments[(0, topic)] if not theme_of(db, c)["is_noise"])
        assert len(themes) == 1 and sum(themes.values()) >= len(pilot.comments[(0, topic)]) - 1, topic
    assert len({topic_theme(db, pilot, topic)["id"] for topic in ("photo", "adresse", "date", "categorie")}) == 4


def test_rename_and_back_to_the_automatic_label(db, pilot):
    date = topic_theme(db, pilot, "date")
    curate(db, curation.rename_theme, iteration_id=pilot.iterations[0], theme_id=date["id"], label="  Date du constat  ",
           user_id=None)
    assert reading.get_theme(db, date["id"])["display_label"] == "Date du constat"
    assert any(v.label == "Date du constat" for v in contract.iteration_themes(db, pilot.iterations[0]))
    curate(db, curation.rename_theme, iteration_id=pilot.iterations[0], theme_id=date["id"], label="", user_id=None)
    assert reading.get_theme(db, date["id"])["display_label"] == date["label"]
    with write(db):
        noise = saving.noise_theme(db, shown(db, pilot)["id"], create=True)
    silent = saving.no_remark_theme(db, shown(db, pilot)["id"])  # "Merci !", "ok", "Très bien"
    for bucket in (noise, silent):
        with pytest.raises(curation.CurationError, match="Autres.*Sans remarque particulière"):
            curate(db, curation.rename_theme, iteration_id=pilot.iterations[0], theme_id=bucket, label="X", user_id=None)
    with pytest.raises(curation.CurationError, match="pas encore de thèmes"):
        curate(db, curation.rename_theme, iteration_id=pilot.iterations[1], theme_id=date["id"], label="X", user_id=None)
    add_comment(db, pilot, 1, "La photo ne passe toujours pas")
    jobs.analyse_now(db, iteration_id=pilot.iterations[1])
    with pytest.raises(curation.CurationError, match="n'existe plus"):  # a theme of another iteration
        curate(db, curation.rename_theme, iteration_id=pilot.iterations[1], theme_id=date["id"], label="X", user_id=None)


def test_merge_puts_two_themes_together(db, pilot):
    date, category = topic_theme(db, pilot, "date"), topic_theme(db, pilot, "categorie")
    before = sizes(db, pilot)
    curate(db, curation.merge_themes, iteration_id=pilot.iterations[0], theme_id=date["id"], other_id=category["id"],
           user_id=None)
    after = sizes(db, pilot)
    assert category["id"] not in after and after[date["id"]] == before[date["id"]] + before[category["id"]]
    merged = reading.get_theme(db, date["id"])
    assert len(merged["quote_ids_"]) == 3 and set(merged["terms_"]) >= {date["terms_"][0], category["terms_"][0]}
    assert set(merged["term_weights_"]) >= {next(iter(date["term_weights_"])), next(iter(category["term_weights_"]))}
    with pytest.raises(curation.CurationError, match="autre thème"):
        curate(db, curation.merge_themes, iteration_id=pilot.iterations[0], theme_id=date["id"], other_id=date["id"],
               user_id=None)


def test_split_clusters_a_theme_again(db, pilot):
    date, category = topic_theme(db, pilot, "date"), topic_theme(db, pilot, "categorie")
    curate(db, curation.merge_themes, iteration_id=pilot.iterations[0], theme_id=date["id"], other_id=category["id"],
           user_id=None)
    merged_members = set(reading.member_ids(db, date["id"]))
    done = curate(db, curation.split_theme, iteration_id=pilot.iterations[0], theme_id=date["id"], k=2, user_id=None)
    assert len(done["parts"]) == 2 and done["parts"][0] == date["id"]
    parts = [set(reading.member_ids(db, part)) for part in done["parts"]]
    assert parts[0] | parts[1] == merged_members and not parts[0] & parts[1]
    topics = {frozenset(pilot.comments[(0, topic)]) & merged_members for topic in ("date", "categorie")}
    assert {frozenset(part) for part in parts} == topics  # the split finds the two topics again
    with pytest.raises(curation.CurationError, match="2, 3 ou 4"):
        curate(db, curation.split_theme, iteration_id=pilot.iterations[0], theme_id=date["id"], k=7, user_id=None)


def test_split_refuses_a_theme_too_small_to_divide(db):
    pilot = theme_pilot(db, people=10)
    for text in PHOTO[:3]:
        add_comment(db, pilot, 0, text)
    jobs.analyse_now(db, iteration_id=pilot.iterations[0])
    (only,) = [t for t in reading.theme_records(db, shown(db, pilot)["id"]) if not t["is_noise"]]
    with pytest.raises(curation.CurationError, match="ne peut pas être divisé"):
        curate(db, curation.split_theme, iteration_id=pilot.iterations[0], theme_id=only["id"], k=None, user_id=None)


def test_move_and_noise(db, pilot):
    photo, address = topic_theme(db, pilot, "photo"), topic_theme(db, pilot, "adresse")
    quoted = photo["quote_ids_"][0]
    curate(db, curation.move_comment, iteration_id=pilot.iterations[0], comment_id=quoted, theme_id=address["id"],
           user_id=None)
    assert theme_of(db, quoted)["id"] == address["id"]
    assert quoted not in reading.get_theme(db, photo["id"])["quote_ids_"]  # a quote follows its comment
    assert len(reading.get_theme(db, photo["id"])["quote_ids_"]) == 3       # ...and is replaced
    other = pilot.comments[(0, "photo")][1]
    curate(db, curation.mark_noise, iteration_id=pilot.iterations[0], comment_id=other, user_id=None)
    assert theme_of(db, other)["is_noise"] == 1
    with pytest.raises(curation.CurationError, match="ne fait pas partie"):
        curate(db, curation.mark_noise, iteration_id=pilot.iterations[0], comment_id=10**9, user_id=None)


def test_a_theme_emptied_by_moves_disappears(db):
    pilot = theme_pilot(db, people=30)
    seed(db, pilot, 0, {"photo": ("constat", PHOTO), "date": ("constat", DATE)})
    jobs.analyse_now(db, iteration_id=pilot.iterations[0], k=2)
    small = min(reading.themes_with_figures(db, shown(db, pilot)["id"]), key=lambda r: r["size"])
    target = next(r for r in reading.theme_records(db, shown(db, pilot)["id"]) if r["id"] != small["id"])
    for comment_id in reading.member_ids(db, small["id"]):
        curate(db, curation.move_comment, iteration_id=pilot.iterations[0], comment_id=comment_id,
               theme_id=target["id"], user_id=None)
    assert reading.get_theme(db, small["id"]) is None


def test_curation_survives_re_analysis(db, pilot):
    iteration_id = pilot.iterations[0]
    date, category = topic_theme(db, pilot, "date"), topic_theme(db, pilot, "categorie")
    photo, address = topic_theme(db, pilot, "photo"), topic_theme(db, pilot, "adresse")
    moved = pilot.comments[(0, "photo")][2]
    noisy = pilot.comments[(0, "adresse")][3]
    curate(db, curation.rename_theme, iteration_id=iteration_id, theme_id=photo["id"], label="Envoi des photos",
           user_id=None)
    curate(db, curation.merge_themes, iteration_id=iteration_id, theme_id=date["id"], other_id=category["id"], user_id=None)
    curate(db, curation.rename_theme, iteration_id=iteration_id, theme_id=date["id"], label="Formulaire trop exigeant",
           user_id=None)
    curate(db, curation.move_comment, iteration_id=iteration_id, comment_id=moved, theme_id=address["id"], user_id=None)
    curate(db, curation.mark_noise, iteration_id=iteration_id, comment_id=noisy, user_id=None)

    def state() -> dict:
        return {
            "labels": sorted(v.label for v in contract.iteration_themes(db, iteration_id)),
            "merged": Counter(reading.get_theme(db, theme_of(db, c)["id"])["display_label"]
                              for c in pilot.comments[(0, "date")] + pilot.comments[(0, "categorie")]),
            "moved": reading.get_theme(db, theme_of(db, moved)["id"])["display_label"],
            "noisy": theme_of(db, noisy)["is_noise"],
            "sizes": sorted(r["size"] for r in reading.themes_with_figures(db, analyses.latest_done(db, iteration_id)["id"])),
        }

    before = state()
    assert "Envoi des photos" in before["labels"] and "Formulaire trop exigeant" in before["labels"]
    again = jobs.analyse_now(db, iteration_id=iteration_id, k=K1)
    assert again["replay_"] == {"applied": 5, "skipped": []}
    assert state() == before  # same comments, same seed: every curation lands exactly where it was

    # New comments arrive; the curated themes still exist and keep their curation.
    for text in ["Je n'arrive pas à envoyer la photo du nid-de-poule", "La photo prise avec mon téléphone est refusée"]:
        add_comment(db, pilot, 0, text, step="constat")
    third = jobs.analyse_now(db, iteration_id=iteration_id, k=K1)
    after = state()
    assert third["replay_"]["applied"] == 5
    assert "Envoi des photos" in after["labels"] and "Formulaire trop exigeant" in after["labels"]
    assert after["merged"] == before["merged"] == Counter({"Formulaire trop exigeant": len(DATE) + len(CATEGORY)})
    assert after["noisy"] == 1 and "adresse" in after["moved"].lower()  # still with the address comments (auto label may vary)
    assert after["sizes"] != before["sizes"] and sum(after["sizes"]) == sum(before["sizes"]) + 2


def test_a_curation_whose_theme_is_gone_is_skipped_and_reported(db, pilot):
    iteration_id = pilot.iterations[0]
    date = topic_theme(db, pilot, "date")
    curate(db, curation.rename_theme, iteration_id=iteration_id, theme_id=date["id"], label="Date du constat", user_id=None)
    with write(db):  # the team hides every comment about the date (moderation)
        db.execute(f"UPDATE comments SET moderation = 'hidden' WHERE id IN ({','.join(map(str, pilot.comments[(0, 'date')]))})")
    again = jobs.analyse_now(db, iteration_id=iteration_id)
    assert again["replay_"]["applied"] == 0
    assert [s["kind"] for s in again["replay_"]["skipped"]] == ["rename"]
    assert "Date du constat" not in [v.label for v in contract.iteration_themes(db, iteration_id)]


def test_replay_never_forces_a_curation_on_an_unrelated_theme(db):
    snap = {"members": [1, 2, 3, 4], "terms": {"photo": 1.0}, "noise": False}
    pool = [{"id": 10, "members": {1, 9, 8, 7}, "terms": {"adress": 1.0}, "is_noise": False},
            {"id": 11, "members": {2, 3, 5}, "terms": {"photo": 1.0}, "is_noise": False}]
    assert matching.match_theme(snap, pool) == 11  # holds 2 of the 4 comments: half is enough
    assert matching.match_theme({**snap, "members": [1, 2, 3, 4, 6]}, pool) is None  # 2 of 5: not the same theme
    # Its comments are gone: found by its terms, and only if they are close enough.
    assert matching.match_theme(snap, pool, existing={5, 7, 8, 9}) == 11
    assert matching.match_theme({**snap, "terms": {"velo": 1.0}}, pool, existing={5, 7, 8, 9}) is None
