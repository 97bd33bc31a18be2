"""A participant goes through the procedure: consent, steps, comments, questionnaire, thanks."""

import io
import json

from lab.db import write
from prototypes.store import freeze_iteration, new_iteration, update_iteration
from tests.factories import STEPS, VOIRIE
from tests.support import idem


def _started(lab, citizen):
    person = citizen()
    person.enter(lab.tokens[0])
    assert person.consent().status_code == 303
    return person


def _trial(db):
    return list(db.query("SELECT * FROM trials"))[0]


def test_nothing_is_recorded_before_explicit_consent(db, lab, citizen):
    person = citizen()
    welcome = person.enter(lab.tokens[0])
    assert 'type="checkbox" id="consent" name="consent" value="oui"' in welcome.text
    assert 'checked' not in welcome.text.split('id="consent"')[1].split(">")[0]
    for text in ("Ceci est un prototype", "Responsable du traitement", "Sur quelle base", "consentement",
                 "180 jours", "Vos droits", "Contact", "CNIL"):
        assert text in welcome.text, text
    refused = person.post_form("/take/consentement", {"idem": idem(welcome)})
    assert refused.status_code == 422 and "Il y a un problème" in refused.text and 'href="#consent"' in refused.text
    assert person.get("/take/etape/lieu", follow_redirects=False).headers["location"] == "/take"
    assert person.post_form("/take/etape/lieu", {"f-adresse": "x"}, follow_redirects=False).headers["location"] == "/take"
    assert db["trials"].count == 0 and db["answers"].count == 0
    accepted = person.post_form("/take/consentement", {"idem": idem(welcome), "consent": "oui"}, follow_redirects=False)
    assert accepted.status_code == 303 and accepted.headers["location"] == "/take/etape/lieu"
    trial = _trial(db)
    assert trial["consent_at"] and trial["channel"] == "online" and trial["variant"] == "A"


def test_a_step_with_errors_is_422_with_a_summary_and_errors_counted_per_field(db, lab, citizen):
    person = _started(lab, citizen)
    refused = person.step("lieu", {"f-adresse": ""})
    assert refused.status_code == 422
    assert 'class="error-summary" role="alert" tabindex="-1" autofocus' in refused.text
    assert 'href="#f-adresse"' in refused.text and 'aria-invalid="true"' in refused.text
    assert "<title>Erreur : Étape 1 sur 4" in refused.text
    assert "devant la boulangerie" in refused.text  # what was typed comes back
    person.step("lieu", {"f-adresse": ""})
    events = list(db.query("SELECT * FROM step_events"))
    assert len(events) == 1 and json.loads(events[0]["errors"]) == {"adresse": 2} and events[0]["left_at"] is None
    assert person.step("lieu").status_code == 303
    event = list(db.query("SELECT * FROM step_events"))[0]
    assert event["left_at"] is not None


def test_show_if_in_the_same_step_is_spelled_out_and_enforced_only_when_met(db, lab, citizen):
    person = _started(lab, citizen)
    person.step("lieu")
    page = person.get("/take/etape/nature")
    assert 'data-show-if="f-categorie"' in page.text and "Si vous avez répondu « Autre » à « Type d" in page.text
    hidden_ok = person.step("nature", {"f-categorie": "Trottoir dégradé", "f-precision": "ignoré"})
    assert hidden_ok.status_code == 303
    assert "precision" not in {row["field_key"] for row in db.query("SELECT field_key FROM answers")}
    person.get("/take/etape/nature")
    needed = person.step("nature", {"f-categorie": "Autre"})
    assert needed.status_code == 422 and 'href="#f-precision"' in needed.text
    assert person.step("nature", {"f-categorie": "Autre", "f-precision": "Arbre tombé"}).status_code == 303
    answers = {row["field_key"]: json.loads(row["value"]) for row in db.query("SELECT * FROM answers")}
    assert answers["precision"] == "Arbre tombé" and answers["categorie"] == "Autre"


def test_going_back_keeps_answers_and_comments(db, lab, citizen):
    person = _started(lab, citizen)
    person.step("lieu", {"commentaire": "Le champ adresse est clair"})
    back = person.get("/take/etape/lieu")
    assert "12 rue de la République" in back.text and "Le champ adresse est clair" in back.text
    assert 'href="/take/etape/lieu"' in person.get("/take/etape/nature").text  # the back button
    assert person.get("/take/etape/contact", follow_redirects=False).headers["location"] == "/take/etape/nature"


def test_resume_where_one_left_with_the_cookie_or_the_link(db, lab, citizen):
    person = _started(lab, citizen)
    person.step("lieu")
    person.step("nature")
    resumed = person.get("/take")
    assert resumed.url.path == "/take/etape/constat" and "Bon retour" in resumed.text
    elsewhere = citizen()  # the tab was closed and the cookie lost: the personal link brings them back
    elsewhere.enter(lab.tokens[0])
    page = elsewhere.get("/take")
    assert page.url.path == "/take/etape/constat"
    assert "12 rue de la République" in elsewhere.get("/take/etape/lieu").text
    assert db["trials"].count == 1


def test_double_submission_records_once(db, lab, citizen):
    person = _started(lab, citizen)
    page = person.get("/take/etape/lieu")
    form = {"idem": idem(page), "f-adresse": "1 place de la Mairie", "commentaire": "Très simple"}
    first = person.post_form("/take/etape/lieu", form, follow_redirects=False)
    again = person.post_form("/take/etape/lieu", form, follow_redirects=False)
    assert first.status_code == again.status_code == 303 and first.headers["location"] == again.headers["location"]
    assert db["comments"].count == 1 and db["step_events"].count == 1
    assert db["submissions"].count_where("form = 'step:lieu'") == 1

    welcome_key = db.execute("SELECT idempotency_key FROM trials").fetchone()[0]
    replay = person.post_form("/take/consentement", {"consent": "oui", "idem": welcome_key}, follow_redirects=False)
    assert replay.status_code == 303 and db["trials"].count == 1

    person.walk_steps()
    questionnaire = person.get("/take/questionnaire")
    answers = {"idem": idem(questionnaire), "q-satisfaction": "2", "q-ease": "3", "q-clarity": "3", "q-help_needed": "1",
               "q-free_text": "Rien à signaler"} | {f"q-sus_{i}": "3" for i in range(1, 11)}
    for _attempt in range(3):
        assert person.post_form("/take/questionnaire", answers, follow_redirects=False).headers["location"] == "/take/merci"
    assert db["responses"].count == 14
    assert db["comments"].count_where("step_key IS NULL") == 1


def test_questionnaire_stores_one_normalised_row_per_answer_with_sus(db, lab, citizen):
    person = _started(lab, citizen)
    person.walk_steps()
    page = person.get("/take/questionnaire")
    assert "Êtes-vous satisfait·e de cette démarche ?" in page.text
    assert "Je pense que j'aimerais utiliser ce service fréquemment." in page.text
    assert page.text.count("<fieldset") == 14 and "Avez-vous eu besoin d'aide ?" in page.text
    assert "Qu'est-ce qui vous a gêné ? Que proposez-vous ?" in page.text
    assert "Merci, votre signalement a bien été transmis" in page.text  # the spec's confirmation
    missing = person.questionnaire({"q-sus_4": ""})
    assert missing.status_code == 422 and 'href="#q-sus_4"' in missing.text
    assert db["responses"].count == 0
    person.questionnaire({"q-free_text": "Le calendrier est petit sur mobile"})
    rows = {row["key"]: (row["number"], row["text"]) for row in db.query("SELECT * FROM responses")}
    assert rows["satisfaction"] == (3.0, None) and rows["ease"] == (4.0, None) and rows["help_needed"] == (0.0, None)
    assert {f"sus_{i}" for i in range(1, 11)} <= set(rows) and rows["sus_1"] == (2.0, None)
    assert "umux_1" not in rows and "free_text" not in rows
    comment = list(db.query("SELECT * FROM comments WHERE step_key IS NULL"))[0]
    assert comment["text"] == "Le calendrier est petit sur mobile" and comment["source"] == "questionnaire"
    assert _trial(db)["questionnaire_at"]


def test_umux_lite_only_when_the_deployment_asks(db, settings, users, citizen):
    from tests.factories import make_lab
    lab = make_lab(db, settings, users, sus=False, umux_lite=True)
    person = _started(lab, citizen)
    person.walk_steps()
    page = person.get("/take/questionnaire")
    assert "Je pense que j'aimerais" not in page.text and "répondent à mes besoins" in page.text
    assert person.questionnaire({"q-umux_1": "6", "q-umux_2": "7"}, sus=False).status_code == 303
    assert {r["key"] for r in db.query("SELECT key FROM responses")} == {"satisfaction", "ease", "clarity", "help_needed",
                                                                        "umux_1", "umux_2"}


def test_personal_data_in_comments_is_warned_about_then_masked(db, lab, citizen):
    person = _started(lab, citizen)
    text = "Appelez-moi au 06 12 34 56 78 ou marie.dupont@example.fr"
    warned = person.step("lieu", {"commentaire": text})
    assert warned.status_code == 200 and 'id="pii-warning"' in warned.text
    assert "un numéro de téléphone" in warned.text and "une adresse électronique" in warned.text
    assert db["comments"].count == 0 and text in warned.text  # the person can edit what they typed
    edited = person.step("lieu", {"commentaire": "Le formulaire est clair"}, page=warned)
    assert edited.status_code == 303
    person.get("/take/etape/lieu")
    confirmed = person.step("lieu", {"commentaire": text, "pii_ok": "1"})
    assert confirmed.status_code == 303
    stored = list(db.query("SELECT text, pii_kinds FROM comments"))
    assert len(stored) == 1 and "06 12" not in stored[0]["text"] and "marie.dupont" not in stored[0]["text"]
    assert "[téléphone]" in stored[0]["text"] and json.loads(stored[0]["pii_kinds"]) == ["email", "phone"]

    for key in STEPS[1:]:
        person.step(key)
    warned = person.questionnaire({"q-free_text": "J'habite 12 rue des Lilas, 75011 Paris"})
    assert warned.status_code == 200 and "une adresse postale" in warned.text and db["responses"].count == 0
    person.questionnaire({"q-free_text": "J'habite 12 rue des Lilas, 75011 Paris", "pii_ok": "1"})
    overall = db.execute("SELECT text FROM comments WHERE step_key IS NULL").fetchone()[0]
    assert "Lilas" not in overall and "[adresse]" in overall


def test_files_keep_only_their_name_and_size(db, lab, citizen):
    person = _started(lab, citizen)
    person.step("lieu")
    person.step("nature")
    page = person.get("/take/etape/constat")
    content = b"\x89PNG" + b"x" * 2000
    response = person.post(
        "/take/etape/constat",
        data={"csrf_token": person.cookies.get("lab_csrf"), "idem": idem(page), "f-date_constat": "2026-03-02"},
        files={"f-photo": ("C:\\Users\\Marie\\trottoir.png", io.BytesIO(content), "image/png")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    value = json.loads(db.execute("SELECT value FROM answers WHERE field_key = 'photo'").fetchone()[0])
    assert value == {"filename": "trottoir.png", "size": len(content)}
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert b"xxxxxxxxxxxxxxxxxxxx" not in lab.settings.db_path.read_bytes()
    assert "Fichier déjà transmis : trottoir.png" in person.get("/take/etape/constat").text


def _post_photo(person, content: bytes):
    page = person.get("/take/etape/constat")
    return person.post(
        "/take/etape/constat",
        data={"csrf_token": person.cookies.get("lab_csrf"), "idem": idem(page), "f-date_constat": "2026-03-02"},
        files={"f-photo": ("IMG_2041.jpg", io.BytesIO(content), "image/jpeg")},
        follow_redirects=False,
    )


def test_a_phone_photo_too_heavy_for_the_field_is_refused_next_to_it(db, lab, citizen):
    person = _started(lab, citizen)
    person.step("lieu")
    person.step("nature")
    refused = _post_photo(person, b"\xff\xd8" + b"x" * (9 * 1024 * 1024))  # a 9 MB photo, over the field's 5 MB
    assert refused.status_code == 422 and "Le fichier dépasse la taille maximale" in refused.text
    assert 'id="step"' in refused.text and db["answers"].count_where("field_key = 'photo'") == 0


def test_an_absurd_body_gets_a_page_in_the_visitor_language_with_a_way_back(db, lab, citizen):
    person = _started(lab, citizen)
    person.step("lieu")
    person.step("nature")
    person.cookies.set("lab_lang", "en")
    refused = _post_photo(person, b"x" * (40 * 1024 * 1024))
    assert refused.status_code == 413 and refused.headers["content-type"].startswith("text/html")
    assert "Upload too large" in refused.text and 'href="/take/etape/constat"' in refused.text
    assert db["answers"].count_where("field_key = 'photo'") == 0


def test_htmx_gets_the_partial_with_focus_and_plain_posts_get_pages(db, lab, citizen):
    person = _started(lab, citizen)
    hx = {"HX-Request": "true", "X-CSRF-Token": person.cookies.get("lab_csrf")}
    page = person.get("/take/etape/lieu")
    refused = person.post("/take/etape/lieu", data={"idem": idem(page), "f-adresse": ""}, headers=hx)
    assert refused.status_code == 422 and "<html" not in refused.text and 'id="step"' in refused.text
    assert refused.text.index('class="error-summary"') < refused.text.index("autofocus") < refused.text.index("<h1")
    moved = person.post("/take/etape/lieu", data={"idem": idem(refused), "f-adresse": "2 rue Haute"}, headers=hx)
    assert moved.status_code == 200 and moved.headers["hx-push-url"] == "/take/etape/nature"
    assert "<html" not in moved.text and "<title>Étape 2 sur 4 : De quoi s&#39;agit-il ?" in moved.text
    assert '<h1 id="step-title" tabindex="-1" autofocus>' in moved.text
    assert 'id="annonce" hx-swap-oob="innerHTML">Étape 2 sur 4' in moved.text
    restore = person.get("/take/etape/lieu", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text  # going Back with htmx needs the whole page
    full = person.get("/take/etape/nature")
    assert "<html" in full.text and "autofocus>" not in full.text  # a plain page load does not steal focus
    last = None
    for key in STEPS[1:]:
        page = person.get(f"/take/etape/{key}")
        last = person.post(f"/take/etape/{key}", data={"idem": idem(page), **{
            "nature": {"f-categorie": "Autre", "f-precision": "x", "f-danger": "non"},
            "constat": {"f-date_constat": "2026-03-03"}, "contact": {}}[key]}, headers=hx)
    assert last.status_code == 204 and last.headers["hx-redirect"] == "/take/questionnaire"


def test_thanks_then_what_changed_thanks_to_you(db, lab, citizen, users):
    person = _started(lab, citizen)
    person.walk_steps()
    person.questionnaire()
    thanks = person.get("/take")
    assert thanks.url.path == "/take/merci" and "Merci pour votre participation" in thanks.text
    assert "Ce qui a changé grâce à vous" not in thanks.text
    with write(db):
        v2 = new_iteration(db, prototype_id=lab.prototype_id, user_id=users["staff"].id)
        update_iteration(db, iteration_id=v2, spec_yaml=VOIRIE,
                         changelog="Vous avez dit que la carte manquait.\n\n- Ajout d'une carte\n- Libellés plus courts")
    assert "Ce qui a changé" not in person.get("/take/merci").text  # a draft is not shown
    with write(db):
        freeze_iteration(db, v2)
    later = citizen()
    later.enter(lab.tokens[0])
    page = later.get("/take")
    assert page.url.path == "/take/merci" and "Ce qui a changé grâce à vous" in page.text
    assert "<li>Ajout d&#39;une carte</li>" in page.text and "la carte manquait" in page.text
    assert later.get("/take/etape/lieu", follow_redirects=False).headers["location"] == "/take/merci"


def test_ab_variants_are_stable_per_participant(db, settings, citizen):
    from datetime import timedelta

    from feedback.store import variant_for
    from lab.campaigns.deployments import DeploymentForm, create_deployment, form_time, get_deployment
    from lab.campaigns.invitations import generate_personal, list_invitations
    from lab.clock import utcnow
    from tests.factories import make_lab

    lab = make_lab(db, settings, count=12)
    with write(db):
        v2 = new_iteration(db, prototype_id=lab.prototype_id, user_id=None)
        update_iteration(db, iteration_id=v2, spec_yaml=VOIRIE.replace("Où se trouve le problème ?", "Où est-ce ?"),
                         changelog="Titre raccourci")
        now = utcnow()
        form = DeploymentForm(title="A/B", iteration_a=str(lab.iteration_id), iteration_b=str(v2),
                              group_ids=(str(lab.group_id),), opens_at=form_time(now - timedelta(days=1)),
                              closes_at=form_time(now + timedelta(days=9)))
        ab = create_deployment(db, form=form, user_id=None, now=now - timedelta(days=2))
        generate_personal(db, deployment_id=ab, secret_key=settings.secret_key, now=now)
    deployment = get_deployment(db, ab)
    links = list_invitations(db, ab, secret_key=settings.secret_key, base_url="http://testserver", now=utcnow())
    seen = set()
    for link in links:
        person = citizen()
        person.enter(link["url"].rsplit("/t/", 1)[1])
        person.consent()
        page = person.get("/take/etape/lieu")
        label, iteration_id = variant_for(deployment, link["code"])
        assert ("Où est-ce ?" in page.text) == (label == "B")
        trial = db.execute("SELECT variant, iteration_id FROM trials WHERE participant_id = ? AND deployment_id = ?",
                           [link["participant_id"], ab]).fetchone()
        assert tuple(trial) == (label, iteration_id)
        seen.add(label)
    assert seen == {"A", "B"}
