"""Iterations and redesign actions say what happened: drafted, deployed, tested; ready, planned in a version, delivered."""

import re
from datetime import timedelta
from html import unescape

from analysis.themes import actions
from lab.campaigns.deployments import DeploymentForm, create_deployment, form_time
from lab.clock import utcnow
from lab.db import write
from prototypes.store import new_iteration
from tests.factories import add_comment, hand_made_analysis, make_pilot


def _text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def _row(response, action_id: int) -> str:
    """The action's row in the themes page's table of actions."""
    row = re.search(rf'<tr id="action-{action_id}">(.*?)</tr>', response.text, re.S).group(1)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<option(?! [^>]*selected).*?</option>", "", row))).split())


def _deploy(db, pilot, iteration_id: int, *, opens_in_days: int) -> None:
    now = utcnow()
    form = DeploymentForm(title=f"Session {iteration_id}", iteration_a=str(iteration_id), group_ids=(str(pilot.group_id),),
                          opens_at=form_time(now + timedelta(days=opens_in_days)),
                          closes_at=form_time(now + timedelta(days=opens_in_days + 30)))
    with write(db):
        create_deployment(db, form=form, user_id=None, now=now)


def test_an_iteration_reads_tested_only_once_someone_took_part(db, login_as):
    pilot = make_pilot(db, iterations=1, people=4, freeze=True)
    with write(db):
        v2 = new_iteration(db, prototype_id=pilot.prototype_id, user_id=None)
    staff = login_as("staff")
    v1 = pilot.iterations[0]
    assert "déployée, pas encore testée" in _text(staff.get(f"/lab/iterations/{v1}"))
    assert "brouillon, modifiable" in _text(staff.get(f"/lab/iterations/{v2}"))
    _deploy(db, pilot, v2, opens_in_days=10)  # an upcoming session freezes v2; nobody has seen it yet
    page = _text(staff.get(f"/lab/iterations/{v2}"))
    assert "déployée, pas encore testée" in page and "testée par" not in page
    add_comment(db, pilot, 0, "La date du constat est obligatoire.")
    listing = _text(staff.get(f"/lab/prototypes/{pilot.prototype_id}"))
    assert "v2 déployée, pas encore testée" in listing and "v1 testée par 1 personne" in listing
    assert "testée, figée" not in listing and "v2 testée" not in listing
    refused = staff.get(f"/lab/iterations/{v2}/edit")
    assert refused.status_code == 409 and "déjà été déployée" in refused.text


def test_an_action_state_agrees_with_its_delivery(db, login_as):
    pilot = make_pilot(db, iterations=1, people=4, freeze=True)
    v1 = pilot.iterations[0]
    add_comment(db, pilot, 0, "La date du constat est obligatoire.")
    analysis = hand_made_analysis(db, v1, [("date constat", [0], {"date": 1.0})])
    theme_id = db.execute("SELECT id FROM themes WHERE analysis_id = ? AND is_noise = 0", [analysis["id"]]).fetchone()[0]
    with write(db):
        action_id = actions.create_action(db, iteration_id=v1, user_id=None, form=actions.ActionForm(
            title="Rendre la date facultative", status="done", theme_ids=(str(theme_id),)))
        v2 = new_iteration(db, prototype_id=pilot.prototype_id, user_id=None)
    staff = login_as("staff")
    row = _row(staff.get(f"/lab/iterations/{v1}/themes"), action_id)
    assert "Réalisée" not in row and "pas encore" not in row and "Prête, à livrer" in row

    section = _text(staff.get(f"/lab/iterations/{v2}"))
    assert "Cochez" not in section and "Marquer comme livrée dans v2" in section
    delivered = staff.post_form(f"/lab/iterations/{v2}/actions/deliver", {"action_id": str(action_id), "delivered": "1"},
                                headers={"HX-Request": "true"})
    assert "sera livrée avec v2, dès son déploiement" in _text(delivered)
    row = _row(staff.get(f"/lab/iterations/{v1}/themes"), action_id)
    assert "Prévue dans v2, pas encore déployée" in row and "Prête, à livrer" not in row
    moved = staff.post_form(f"/lab/iterations/{v1}/actions/status", {"action_id": str(action_id), "status": "planned"})
    assert moved.status_code == 422 and "annulez d'abord la livraison" in unescape(moved.text)

    _deploy(db, pilot, v2, opens_in_days=1)
    row = _row(staff.get(f"/lab/iterations/{v1}/themes"), action_id)
    assert "Livrée dans v2" in row and "Prête, à livrer" not in row
    assert "Livrée dans v2" in _text(staff.get(f"/lab/iterations/{v2}"))
