"""Assisted entry by a mediator, and kiosks shared by one person after another."""

from datetime import timedelta

from feedback.sessions import KIOSK_IDLE
from lab.clock import iso, utcnow
from lab.db import write
from tests.support import Citizen, idem


def _mediator(citizen, users):
    """A staff member's browser that can also walk the journey."""
    browser = citizen()
    assert browser.login(users["staff"].email).status_code == 303
    return browser


def _assist(staff, lab, data):
    page = staff.get(f"/lab/deployments/{lab.deployment_id}/saisie-assistee")
    assert page.status_code == 200
    return staff.post_form(f"/lab/deployments/{lab.deployment_id}/saisie-assistee", data, follow_redirects=False)


def test_a_mediator_enters_a_trial_for_someone_and_it_is_flagged(db, lab, citizen, users):
    staff = _mediator(citizen, users)
    assert "Commencer une saisie assistée" in staff.get(f"/lab/deployments/{lab.deployment_id}").text
    refused = _assist(staff, lab, {"canal": "pigeon", "personne": "x"})
    assert refused.status_code == 422 and 'href="#canal"' in refused.text and 'href="#personne"' in refused.text
    code = lab.participants[1]["code"]
    started = _assist(staff, lab, {"canal": "telephone", "personne": f"p:{lab.participants[1]['id']}"})
    assert started.status_code == 303 and started.headers["location"] == "/take"
    welcome = staff.get("/take")
    assert f"Saisie assistée pour {code}" in welcome.text and "par téléphone" in welcome.text
    assert "La personne a été informée" in welcome.text and "/lab/prototypes" not in welcome.text
    assert staff.post_form("/take/consentement", {"consent": "oui", "idem": idem(welcome)},
                           follow_redirects=False).status_code == 303
    staff.walk_steps()
    staff.questionnaire()
    (trial,) = db.query("SELECT * FROM trials")
    assert (trial["channel"], trial["assisted_via"], trial["assisted_by"]) == ("assisted", "telephone", users["staff"].id)
    assert trial["participant_id"] == lab.participants[1]["id"] and trial["questionnaire_at"]
    done = staff.post_form("/take/terminer", follow_redirects=False)
    assert done.headers["location"] == f"/lab/deployments/{lab.deployment_id}"
    assert staff.get("/take").status_code == 403
    assert db["audit_log"].count_where("action = 'trial.assist'") == 1


def test_a_new_person_gets_a_code_and_the_session_needs_the_mediators_login(db, lab, login_as, users, app):
    staff = login_as("staff")
    _assist(staff, lab, {"canal": "guichet", "personne": f"new:{lab.group_id}"})
    assert db["participants"].count == len(lab.participants) + 1
    cookie = staff.cookies.get("lab_participant")
    stranger = Citizen(app, base_url="http://testserver")
    with stranger:
        stranger.cookies.set("lab_participant", cookie)
        page = stranger.get("/take")
        assert page.status_code == 403 and "Reconnectez-vous" in page.text


def test_a_mediator_can_take_over_an_online_trial(db, lab, citizen, users):
    person = citizen()
    person.enter(lab.tokens[0])
    person.consent()
    person.step("lieu")
    staff = _mediator(citizen, users)
    _assist(staff, lab, {"canal": "papier", "personne": f"p:{lab.participants[0]['id']}"})
    assert staff.get("/take").url.path == "/take/etape/nature"
    (trial,) = db.query("SELECT * FROM trials")
    assert (trial["channel"], trial["assisted_via"]) == ("online", "papier")


def _kiosk(citizen, users, lab):
    staff = _mediator(citizen, users)
    started = staff.post_form(f"/lab/deployments/{lab.deployment_id}/borne", {"group_id": str(lab.group_id)},
                              follow_redirects=False)
    assert started.status_code == 303 and started.headers["location"] == "/kiosque"
    return staff


def _kiosk_person(device):
    home = device.get("/kiosque")
    assert home.status_code == 200 and "Commencer" in home.text
    started = device.post_form("/kiosque/commencer", {"idem": idem(home)}, follow_redirects=False)
    assert started.status_code == 303
    welcome = device.get("/take")
    assert device.post_form("/take/consentement", {"consent": "oui", "idem": idem(welcome)},
                            follow_redirects=False).status_code == 303


def test_starting_a_kiosk_signs_the_staff_member_out_of_the_device(db, lab, login_as, citizen, users):
    device = _kiosk(citizen, users, lab)
    assert device.get("/lab/deployments", follow_redirects=False).headers["location"].startswith("/login")
    assert db["kiosks"].count == 1


def test_each_person_at_a_kiosk_gets_a_fresh_trial_and_sees_nothing_of_the_previous_one(db, lab, login_as, citizen, users):
    device = _kiosk(citizen, users, lab)
    _kiosk_person(device)
    device.step("lieu", {"f-adresse": "7 impasse des Secrets", "commentaire": "Commentaire de la personne A"})
    device.step("nature", {"f-description": "Description très personnelle"})
    assert "kiosk-warning" in device.get("/take/etape/constat").text
    ended = device.post_form("/take/terminer", follow_redirects=False)
    assert ended.headers["location"] == "/kiosque?fini=1"

    _kiosk_person(device)
    pages = [device.get(url) for url in ("/kiosque", "/take", "/take/etape/lieu", "/take/mes-donnees",
                                         "/take/mes-donnees.json")]
    for page in pages:
        for secret in ("7 impasse des Secrets", "Commentaire de la personne A", "Description très personnelle"):
            assert secret not in page.text, (page.url, secret)
    assert device.get("/take/etape/nature", follow_redirects=False).headers["location"] == "/take/etape/lieu"
    trials = list(db.query("SELECT * FROM trials ORDER BY id"))
    assert [t["channel"] for t in trials] == ["kiosk", "kiosk"] and trials[0]["participant_id"] != trials[1]["participant_id"]


def test_an_idle_kiosk_trial_is_ended_by_the_server(db, lab, login_as, citizen, users):
    device = _kiosk(citizen, users, lab)
    _kiosk_person(device)
    device.step("lieu", {"f-adresse": "3 chemin Privé"})
    with write(db):
        db.execute("UPDATE participant_sessions SET last_seen_at = ?",
                   [iso(utcnow() - KIOSK_IDLE - timedelta(minutes=1))])
    back = device.get("/take/etape/nature", follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == "/kiosque?inactif=1"
    home = device.get("/kiosque?inactif=1")
    assert "période sans activité" in home.text and "3 chemin Privé" not in home.text
    assert db["participant_sessions"].count_where("revoked_at IS NULL") == 0
    assert db["trials"].count == 1  # what was answered is kept


def test_a_person_who_leaves_before_consenting_leaves_no_trace(db, lab, login_as, citizen, users):
    device = _kiosk(citizen, users, lab)
    home = device.get("/kiosque")
    device.post_form("/kiosque/commencer", {"idem": idem(home)})
    assert db["participants"].count == len(lab.participants) + 1
    device.post_form("/take/terminer")
    assert db["participants"].count == len(lab.participants)


def test_stopping_kiosks_turns_the_device_off(db, lab, login_as, citizen, users):
    device = _kiosk(citizen, users, lab)
    _kiosk_person(device)
    other = login_as("staff")
    other.post_form(f"/lab/deployments/{lab.deployment_id}/bornes/arret")
    assert device.get("/take", follow_redirects=False).status_code in (303, 403)
    page = device.get("/kiosque")
    assert page.status_code == 404 and "pas active" in page.text


def test_the_kiosk_keep_alive_marks_activity(db, lab, citizen, users):
    device = _kiosk(citizen, users, lab)
    _kiosk_person(device)
    old = iso(utcnow() - timedelta(minutes=3))
    with write(db):
        db.execute("UPDATE participant_sessions SET last_seen_at = ?", [old])
    response = device.post("/take/actif", headers={"X-CSRF-Token": device.cookies.get("lab_csrf")})
    assert response.status_code == 204
    assert db.execute("SELECT last_seen_at FROM participant_sessions").fetchone()[0] > old
