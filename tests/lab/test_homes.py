"""Everyone lands where their work is: staff on the lab's home, managers on the portfolio, admins on administration."""

import re
from datetime import timedelta
from html import unescape

from analysis.themes import actions
from feedback.dashboard import start_of_day
from lab.campaigns.deployments import DeploymentForm, create_deployment, form_time
from lab.clock import utcnow
from lab.db import write
from tests.factories import add_comment, add_trial, hand_made_analysis, make_pilot


def _text(page) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


def test_each_role_lands_on_its_home(client, login_as):
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    for role, home in (("staff", "/lab"), ("manager", "/reports"), ("admin", "/admin")):
        browser = login_as(role)
        assert browser.get("/", follow_redirects=False).headers["location"] == home, role
        assert browser.get(home).status_code == 200, role
    assert login_as("manager").get("/lab").status_code == 403
    assert login_as("staff").get("/admin").status_code == 403


def test_the_lab_home_shows_sessions_analyses_and_actions(login_as, db, users):
    now = utcnow()
    pilot = make_pilot(db, iterations=1, people=8)
    add_trial(db, pilot, start=now - timedelta(days=2))  # finished two days ago
    today = max(now - timedelta(minutes=30), start_of_day(now))
    add_trial(db, pilot, reached=2, start=today)  # stopped at step 2
    add_trial(db, pilot, start=today)  # finished today
    for text in ("La date est obligatoire, je ne la connais pas.", "Je ne trouve pas la catégorie trottoir.",
                 "Date du constat impossible à retrouver"):
        add_comment(db, pilot, 0, text, participant=pilot.next_participant())
    iteration_id = pilot.iterations[0]
    analysis = hand_made_analysis(db, iteration_id, [("date constat", [0, 2], {"date": 1.0})])
    theme_id = db.execute("SELECT id FROM themes WHERE analysis_id = ? AND is_noise = 0", [analysis["id"]]).fetchone()[0]
    with write(db):
        actions.create_action(db, iteration_id=iteration_id, user_id=None, form=actions.ActionForm(
            title="Rendre la date facultative", owner="Julien", theme_ids=(str(theme_id),)))
        upcoming = DeploymentForm(title="Cantine – rentrée", iteration_a=str(iteration_id), group_ids=(str(pilot.group_id),),
                                  opens_at=form_time(now + timedelta(days=10)), closes_at=form_time(now + timedelta(days=40)))
        create_deployment(db, form=upcoming, user_id=None, now=now)
    add_comment(db, pilot, 0, "Un nouveau commentaire depuis l'analyse.", participant=pilot.next_participant())

    home = _text(login_as("staff").get("/lab"))
    assert "Bonjour Staff" in home
    running = home[home.index("En cours"):home.index("À venir")]
    assert "Test v1" in running and "Participant·es invité·es 8" in running
    assert "Parcours commencés 7" in running  # three walked trials, and the four commenters' trials
    assert "Parcours terminés 2 (29 %)" in running and "Réponses aujourd'hui 1" in running
    upcoming_text = home[home.index("À venir"):home.index("Analyses en attente")]
    assert "Cantine – rentrée" in upcoming_text and "Participant·es invité·es 8" in upcoming_text
    assert "1 nouveau commentaire depuis la dernière analyse" in home
    assert "Rendre la date facultative" in home and "issue de v1" in home and "Julien" in home


def test_the_admin_home_points_to_accounts_identity_and_log(login_as, db, users):
    admin = login_as("admin")
    admin.post_form("/admin/users", {"email": "agent@ville.test", "role": "staff", "password": "provisoire-2026"})
    home = _text(admin.get("/admin"))
    assert "Comptes de l'équipe" in home and "Équipe du laboratoire : 2" in home
    assert "1 compte n'a pas encore remplacé son mot de passe provisoire" in home and "agent@ville.test" in home
    assert "Identité de la collectivité" in home and "Pas encore renseignée" in home
    assert "Admin a créé le compte de agent@ville.test" in home
