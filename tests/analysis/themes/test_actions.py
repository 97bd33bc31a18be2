"""Redesign actions: raised from a theme, following it, delivered in the next iteration, shown to citizens."""

from __future__ import annotations

from collections import Counter

import pytest

from analysis.themes import actions, contract, curation, jobs, reading
from lab.db import write
from prototypes.store import freeze_iteration, new_iteration, update_iteration
from tests.analysis.themes.topics import V1
from tests.factories import VOIRIE, make_lab, seed, theme_of, theme_pilot
from tests.support import Citizen


@pytest.fixture
def pilot(db):
    made = theme_pilot(db, people=70)
    seed(db, made, 0, V1)
    jobs.analyse_now(db, iteration_id=made.iterations[0])
    return made


def topic_theme(db, pilot, topic: str) -> dict:
    ids = pilot.comments[(0, topic)]
    return reading.get_theme(db, Counter(theme_of(db, c)["id"] for c in ids).most_common(1)[0][0])


def raise_action(db, iteration_id: int, theme_id, **fields) -> int:
    form = actions.ActionForm(**{"title": "Rendre la date facultative", "owner": "Julien", **fields},
                              theme_ids=(str(theme_id),))
    with write(db):
        return actions.create_action(db, iteration_id=iteration_id, form=form, user_id=None)


def test_an_action_raised_from_a_theme_is_planned_for_the_iteration(db, pilot):
    date = topic_theme(db, pilot, "date")
    action_id = raise_action(db, pilot.iterations[0], date["id"])
    (planned,) = contract.planned_actions(db, pilot.iterations[0])
    assert planned == contract.ActionView(id=action_id, title="Rendre la date facultative", owner="Julien", status="planned",
                                       theme_labels=[date["label"]], source_iteration_id=pilot.iterations[0],
                                       delivered_in_iteration_id=None)
    assert contract.planned_actions(db, pilot.iterations[1]) == []


def test_action_input_is_checked(db, pilot):
    date = topic_theme(db, pilot, "date")
    with pytest.raises(actions.ActionError) as refused:
        raise_action(db, pilot.iterations[0], date["id"], title="  ", status="someday")
    assert {field for field, _m in refused.value.problems} == {"title", "status"}
    with pytest.raises(actions.ActionError):
        raise_action(db, pilot.iterations[1], date["id"])  # a theme of another iteration
    with pytest.raises(actions.ActionError):
        raise_action(db, pilot.iterations[0], "'; DROP TABLE themes; --")
    assert db["redesign_actions"].count == 0


def test_the_action_follows_its_theme_through_rename_merge_and_re_analysis(db, pilot):
    iteration_id = pilot.iterations[0]
    date, category = topic_theme(db, pilot, "date"), topic_theme(db, pilot, "categorie")
    action_id = raise_action(db, iteration_id, category["id"])
    with write(db):
        curation.rename_theme(db, iteration_id=iteration_id, theme_id=category["id"], label="Catégories floues", user_id=None)
    assert contract.planned_actions(db, iteration_id)[0].theme_labels == ["Catégories floues"]
    with write(db):
        curation.merge_themes(db, iteration_id=iteration_id, theme_id=date["id"], other_id=category["id"], user_id=None)
        curation.rename_theme(db, iteration_id=iteration_id, theme_id=date["id"], label="Formulaire exigeant", user_id=None)
    assert contract.planned_actions(db, iteration_id)[0].theme_labels == ["Formulaire exigeant"]
    again = jobs.analyse_now(db, iteration_id=iteration_id)
    link = db.execute("SELECT theme_id, theme_label FROM action_themes WHERE action_id = ?", [action_id]).fetchone()
    assert reading.get_theme(db, link[0])["analysis_id"] == again["id"]  # re-linked to the new analysis' theme
    assert contract.planned_actions(db, iteration_id)[0].theme_labels == ["Formulaire exigeant"]


def test_status_changes_and_dropped_actions(db, pilot):
    date = topic_theme(db, pilot, "date")
    action_id = raise_action(db, pilot.iterations[0], date["id"])
    with write(db):
        actions.set_status(db, iteration_id=pilot.iterations[0], action_id=str(action_id), status="in_progress", user_id=None)
    assert contract.planned_actions(db, pilot.iterations[0])[0].status == "in_progress"
    with pytest.raises(actions.ActionError), write(db):
        actions.set_status(db, iteration_id=pilot.iterations[1], action_id=str(action_id), status="done", user_id=None)
    with write(db):
        actions.set_status(db, iteration_id=pilot.iterations[0], action_id=str(action_id), status="dropped", user_id=None)
    assert contract.planned_actions(db, pilot.iterations[0]) == []
    assert [a["id"] for a in actions.iteration_actions(db, pilot.iterations[0])] == [action_id]


def test_the_next_iteration_delivers_the_action(db, pilot):
    v1, v2 = pilot.iterations
    action_id = raise_action(db, v1, topic_theme(db, pilot, "date")["id"])
    iteration_v2 = db["iterations"].get(v2)
    assert [a["id"] for a in actions.deliverable_actions(db, iteration_v2)] == [action_id]
    with pytest.raises(actions.ActionError), write(db):  # v1 cannot deliver its own action
        actions.set_delivered(db, iteration_id=v1, action_id=str(action_id), delivered=True, user_id=None)
    with write(db):
        actions.set_delivered(db, iteration_id=v2, action_id=str(action_id), delivered=True, user_id=None)
    (delivered,) = contract.delivered_actions(db, v2)
    assert delivered.id == action_id and delivered.status == "done" and delivered.delivered_in_iteration_id == v2
    assert contract.planned_actions(db, v1)[0].delivered_in_iteration_id == v2  # the report of v1 says it was delivered
    with write(db):
        actions.set_delivered(db, iteration_id=v2, action_id=str(action_id), delivered=False, user_id=None)
    assert contract.delivered_actions(db, v2) == []
    assert contract.planned_actions(db, v1)[0].status == "in_progress"


def test_citizens_who_tested_v1_see_what_v2_delivered(app, db, settings, users):
    lab = make_lab(db, settings, users, count=2)
    with Citizen(app, base_url="http://testserver") as citizen:
        citizen.enter(lab.tokens[0])
        citizen.consent()
        citizen.walk_steps({"lieu": "Je ne trouvais pas mon adresse dans la liste"})
        assert citizen.questionnaire().status_code == 303
        jobs.analyse_now(db, iteration_id=lab.iteration_id)
        (theme,) = [t for t in contract.iteration_themes(db, lab.iteration_id) if not t.is_noise]
        action_id = raise_action(db, lab.iteration_id, theme.id, title="L'adresse peut être approximative")
        with write(db):
            v2 = new_iteration(db, prototype_id=lab.prototype_id, user_id=None)
            update_iteration(db, iteration_id=v2, spec_yaml=VOIRIE, changelog="Vous ne trouviez pas votre adresse.")
            actions.set_delivered(db, iteration_id=v2, action_id=str(action_id), delivered=True, user_id=None)
        page = citizen.get("/take/merci")
        assert "L'adresse peut être approximative" not in page.text  # v2 is not in front of citizens yet
        with write(db):
            freeze_iteration(db, v2)
        page = citizen.get("/take/merci")
        assert page.status_code == 200
        assert "Ce qui a changé grâce à vous" in page.text and "Vous avez dit, nous avons fait" in page.text
        assert "L&#39;adresse peut être approximative" in page.text
        assert "Julien" not in page.text  # the owner is internal
