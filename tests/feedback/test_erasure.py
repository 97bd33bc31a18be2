"""The right of access (download) and to erasure, by the participant or by staff."""

import json

from feedback.contributions import export_participant
from feedback.erasure import erase_participant, erased_tables
from lab.app import FORGET_HOOKS
from lab.db import write

#: Tables holding something about a participant, and how to find their rows.
PER_PARTICIPANT = {
    "trials": "participant_id = :p",
    "answers": "trial_id IN (SELECT id FROM trials WHERE participant_id = :p)",
    "responses": "trial_id IN (SELECT id FROM trials WHERE participant_id = :p)",
    "comments": "trial_id IN (SELECT id FROM trials WHERE participant_id = :p)",
    "step_events": "trial_id IN (SELECT id FROM trials WHERE participant_id = :p)",
    "submissions": "participant_id = :p OR trial_id IN (SELECT id FROM trials WHERE participant_id = :p)",
    "participant_sessions": "participant_id = :p",
    "participant_contacts": "participant_id = :p",
    "invitations": "participant_id = :p",
    "participants": "id = :p",
}


def _counts(db, participant_id):
    return {table: db.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}", {"p": participant_id}).fetchone()[0]
            for table, where in PER_PARTICIPANT.items()}


def _complete(lab, citizen, index, comment):
    return citizen().complete(lab.tokens[index], comment, comment + " (fin)")


def test_every_table_holding_participant_data_is_erased(db):
    """A new table pointing at a participant, a trial or a comment must be added to STEPS or to a forget hook."""
    erased = erased_tables(FORGET_HOOKS)
    for table in db.table_names():
        columns = {c.name for c in db[table].columns}
        if {"participant_id", "trial_id", "comment_id"} & columns and table not in {"audit_log"}:
            assert table in erased, f"{table} holds participant data but erase_participant ignores it"


def test_download_contains_exactly_the_participants_data(db, lab, citizen):
    alice = _complete(lab, citizen, 0, "Alice trouve la carte utile")
    _complete(lab, citizen, 1, "Bruno cherche le bouton")
    with write(db):
        db["participant_contacts"].insert({"participant_id": lab.participants[0]["id"], "name": "Alice Martin",
                                           "email": "alice@ville.test", "phone": ""})
    response = alice.get("/take/mes-donnees.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    assert "attachment" in response.headers["content-disposition"]
    data = response.json()
    assert data == export_participant(db, lab.participants[0]["id"]) | {"exported_at": data["exported_at"]}
    assert data["participant"]["code"] == lab.participants[0]["code"]
    assert data["contact"] == {"name": "Alice Martin", "email": "alice@ville.test", "phone": ""}
    (trial,) = data["trials"]
    assert {c["text"] for c in trial["comments"]} == {"Alice trouve la carte utile", "Alice trouve la carte utile (fin)"}
    assert {a["field"] for a in trial["answers"]} >= {"adresse", "categorie", "danger", "date_constat"}
    assert len(trial["questionnaire"]) == 14 and len(trial["step_visits"]) == 4
    text = response.text
    assert "Bruno" not in text and lab.participants[1]["code"] not in text
    page = alice.get("/take/mes-donnees")
    assert "Alice trouve la carte utile" in page.text and "Bruno" not in page.text


def test_participant_erases_everything_after_confirming(db, lab, citizen):
    alice = _complete(lab, citizen, 0, "Alice")
    _complete(lab, citizen, 1, "Bruno")
    alice_id, bruno_id = lab.participants[0]["id"], lab.participants[1]["id"]
    before_bruno = _counts(db, bruno_id)
    confirm = alice.get("/take/effacer")
    assert confirm.status_code == 200 and "Oui, tout effacer" in confirm.text
    assert all(count for table, count in _counts(db, alice_id).items() if table != "participant_contacts")
    gone = alice.post_form("/take/effacer", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"] == "/take/efface"
    assert "lab_participant=" in gone.headers["set-cookie"]
    assert _counts(db, alice_id) == dict.fromkeys(PER_PARTICIPANT, 0)
    assert _counts(db, bruno_id) == before_bruno
    assert alice.get("/take/efface").status_code == 200
    assert alice.get("/take").status_code == 403
    assert citizen().open_link(lab.tokens[0]).status_code == 404  # the personal link went with them
    assert db["audit_log"].count_where("action = 'participant.erase_self'") == 1


def test_staff_erase_a_participant_from_their_page_and_it_is_audited(db, lab, citizen, login_as, users):
    _complete(lab, citizen, 0, "Alice")
    _complete(lab, citizen, 1, "Bruno")
    alice = lab.participants[0]
    before_bruno = _counts(db, lab.participants[1]["id"])
    staff = login_as("staff")
    page = staff.get(f"/lab/groups/{lab.group_id}/participants/{alice['id']}")
    assert f"/lab/participants/{alice['id']}/effacer" in page.text
    confirm = staff.get(f"/lab/participants/{alice['id']}/effacer")
    assert confirm.status_code == 200 and "1 parcours" in confirm.text and "2 commentaires" in confirm.text
    done = staff.post_form(f"/lab/participants/{alice['id']}/effacer", follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/lab/groups/{lab.group_id}"
    assert _counts(db, alice["id"]) == dict.fromkeys(PER_PARTICIPANT, 0)
    assert _counts(db, lab.participants[1]["id"]) == before_bruno
    (entry,) = db.query("SELECT * FROM audit_log WHERE action = 'participant.erase'")
    assert entry["user_id"] == users["staff"].id and json.loads(entry["detail"])["code"] == alice["code"]
    assert staff.get(f"/lab/participants/{alice['id']}/effacer").status_code == 404


def test_erase_participant_returns_what_it_deleted(db, lab, citizen):
    _complete(lab, citizen, 0, "x")
    with write(db):
        counts = erase_participant(db, lab.participants[0]["id"], hooks=FORGET_HOOKS)
    assert counts["participants"] == 1 and counts["trials"] == 1 and counts["responses"] == 14
    assert counts["comments"] == 2 and counts["answers"] >= 4
