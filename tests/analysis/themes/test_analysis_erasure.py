"""Erasing a participant reaches what the theme analysis derived from their comments (canary string)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.themes import actions, analyses, comments, contract, curation, jobs, quotes, reading, sql
from analysis.themes.erasure import GONE_LABEL
from feedback import store as feedback_store
from feedback.erasure import erase_participant
from feedback.pii import scan
from lab.app import FORGET_HOOKS
from lab.campaigns.deployments import get_deployment
from lab.db import write
from tests.analysis.themes.topics import V1
from tests.factories import T0, seed, theme_of, theme_pilot

CANARY = "zorglub"
CANARY_COMMENTS = {
    "lieu": "Le zorglub bloque tout le trottoir devant chez moi",
    "nature": "Aucune catégorie pour un zorglub sur le trottoir",
    "constat": "La photo du zorglub ne s'envoie pas",
    "contact": "Le zorglub revient chaque semaine sur le trottoir",
    None: "Enlevez ce zorglub du trottoir, vite",
}


def dump(db) -> str:
    """Every text and number of every table, to look for the canary anywhere."""
    parts = []
    for table in db.table_names():
        for row in db.execute(f"SELECT * FROM [{table}]"):
            parts += [value.decode("latin-1") if isinstance(value, bytes) else str(value) for value in row]
    return " ".join(parts).lower()


@pytest.fixture
def pilot(db):
    made = theme_pilot(db, people=70)
    seed(db, made, 0, V1)
    return made


@pytest.fixture
def canary(db, pilot):
    """One participant whose five comments all talk about the canary word."""
    person = pilot.participants[-1]
    with write(db):
        trial = feedback_store.create_trial(db, deployment=get_deployment(db, pilot.deployments[0]), participant=person,
                                            channel="online", now=T0)
        ids = [feedback_store.save_comment(db, trial, step_key=step, comment=scan(text),
                                           source="step" if step else "questionnaire", now=T0)
               for step, text in CANARY_COMMENTS.items()]
        feedback_store.save_responses(db, trial, [("satisfaction", 1.0, None)], now=T0)
        for n, comment_id in enumerate(ids):  # stored vectors, as the worker would have computed them
            comments.store_vector(db, comment_id=comment_id, vector=np.full(512, n, dtype=np.float32), model="m",
                               comment_updated_at=T0.isoformat(), now=T0.isoformat())
    return person["id"], ids


def test_erasure_reaches_themes_quotes_terms_and_vectors(db, pilot, canary):
    participant_id, comment_ids = canary
    iteration_id = pilot.iterations[0]
    jobs.analyse_now(db, iteration_id=iteration_id, backend="tfidf")
    canary_theme = theme_of(db, comment_ids[0])
    assert CANARY in canary_theme["label"].lower()  # the canary's comments gave the theme its name
    date_theme = theme_of(db, pilot.comments[(0, "date")][0])
    with write(db):  # staff curate: the theme keeps only the canary's comments; an action is raised from it
        for other in set(reading.member_ids(db, canary_theme["id"])) - set(comment_ids):
            curation.move_comment(db, iteration_id=iteration_id, comment_id=other, theme_id=date_theme["id"], user_id=None)
        curation.move_comment(db, iteration_id=iteration_id, comment_id=comment_ids[2],
                              theme_id=theme_of(db, pilot.comments[(0, "photo")][0])["id"], user_id=None)
        kept_move = pilot.comments[(0, "adresse")][0]  # a curation of someone else's comment, which must survive
        curation.move_comment(db, iteration_id=iteration_id, comment_id=kept_move, theme_id=date_theme["id"],
                              user_id=None)
        curation.rename_theme(db, iteration_id=iteration_id, theme_id=canary_theme["id"], label="", user_id=None)
        action_id = actions.create_action(db, iteration_id=iteration_id, user_id=None, form=actions.ActionForm(
            title="Nettoyer les trottoirs", theme_ids=(str(canary_theme["id"]),)))
    photo_theme = theme_of(db, comment_ids[2])
    with write(db):  # make the moved canary comment one of its theme's quotes
        db["themes"].update(photo_theme["id"], {"quote_ids": sql.dumps([comment_ids[2], *reading.get_theme(
            db, photo_theme["id"])["quote_ids_"][:2]])})
    before = {r["id"]: r["size"] for r in reading.themes_with_figures(db, analyses.latest_done(db, iteration_id)["id"])}
    assert CANARY in dump(db)
    assert any(CANARY in q for v in contract.iteration_themes(db, iteration_id) for q in v.quotes)

    with write(db):
        counts = erase_participant(db, participant_id, hooks=FORGET_HOOKS)

    assert counts["comments"] == 5 and counts["theme_members"] == 5 and counts["comment_vectors"] == 5
    assert counts["themes_deleted"] == 1 and counts["themes_refreshed"] >= 1
    assert CANARY not in dump(db), "the canary survived erasure somewhere"
    assert db.execute("SELECT COUNT(*) FROM comment_vectors").fetchone()[0] == 0
    after = {r["id"]: r["size"] for r in reading.themes_with_figures(db, analyses.latest_done(db, iteration_id)["id"])}
    assert canary_theme["id"] not in after
    assert after[photo_theme["id"]] == before[photo_theme["id"]] - 1
    # Shares are of the comments that say something: themes and "Autres" make 100 %.
    shares = [v.share for v in contract.iteration_themes(db, iteration_id) if v.side == "current" and not v.is_no_remark]
    assert sum(shares) == pytest.approx(1, abs=0.01)
    assert sum(after.values()) == 33
    photo = reading.get_theme(db, photo_theme["id"])
    remaining = {quotes.normalise_text(t).casefold() for t in comments.comment_texts(db, reading.member_ids(db, photo["id"])).values()}
    assert comment_ids[2] not in photo["quote_ids_"]  # the erased quote is gone...
    assert len(photo["quote_ids_"]) == min(3, len(remaining))  # ...and replaced when another distinct comment exists
    (action,) = contract.planned_actions(db, iteration_id)
    assert action.id == action_id and action.theme_labels == [GONE_LABEL]
    # Curations no longer name the erased comments; the analysis can be run again.
    payloads = " ".join(row[0] for row in db.execute("SELECT payload FROM curations"))
    assert all(f" {c}," not in payloads and f"[{c}," not in payloads for c in comment_ids)
    moved = [sql.loads(row[0], {})["comment_id"] for row in db.execute("SELECT payload FROM curations WHERE kind = 'move'")]
    assert kept_move in moved and not set(moved) & set(comment_ids)  # the erased comment's move forgotten, others kept
    again = jobs.analyse_now(db, iteration_id=iteration_id)
    assert again["status"] == "done" and CANARY not in dump(db)


def test_erasure_of_someone_whose_comments_were_never_analysed(db, pilot, canary):
    participant_id, _ids = canary
    with write(db):
        counts = erase_participant(db, participant_id, hooks=FORGET_HOOKS)
    assert counts["comments"] == 5 and counts["comment_vectors"] == 5 and counts["theme_members"] == 0
    assert CANARY not in dump(db)
