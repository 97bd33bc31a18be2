"""Staff screens for prototypes through real HTTP."""

import re

from prototypes import EXAMPLES_DIR

VOIRIE = (EXAMPLES_DIR / "voirie.yaml").read_text(encoding="utf-8")
BAD_TYPE = VOIRIE.replace("type: address", "type: adresse", 1)


def _create(staff, spec=VOIRIE, changelog="Première version"):
    return staff.post_form("/lab/prototypes", {"spec_yaml": spec, "changelog": changelog}, follow_redirects=False)


def _iteration_id(response) -> int:
    return int(re.search(r"/lab/iterations/(\d+)", response.headers["location"]).group(1))


def test_create_list_and_open(login_as):
    staff = login_as("staff")
    response = _create(staff)
    assert response.status_code == 303
    iteration_id = _iteration_id(response)
    page = staff.get(f"/lab/iterations/{iteration_id}")
    assert "Signaler une anomalie sur la voie publique – v1" in page.text
    listing = staff.get("/lab/prototypes").text
    assert "Signaler une anomalie sur la voie publique" in listing and "v1" in listing


def test_invalid_spec_is_422_naming_line_step_and_field_and_keeps_text(login_as):
    staff = login_as("staff")
    response = _create(staff, BAD_TYPE)
    assert response.status_code == 422
    line = BAD_TYPE.splitlines().index(next(row for row in BAD_TYPE.splitlines() if "type: adresse" in row)) + 1
    assert f"Ligne {line}" in response.text
    assert "étape « lieu »" in response.text and "champ « adresse »" in response.text
    assert "type: adresse" in response.text


def test_upload_a_spec_file(login_as):
    staff = login_as("staff")
    response = staff.post(
        "/lab/prototypes",
        data={"csrf_token": staff.cookies.get("lab_csrf"), "spec_yaml": ""},
        files={"spec_file": ("voirie.yaml", VOIRIE.encode(), "application/yaml")},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_upload_not_utf8_is_a_clear_422(login_as):
    staff = login_as("staff")
    response = staff.post(
        "/lab/prototypes",
        data={"csrf_token": staff.cookies.get("lab_csrf")},
        files={"spec_file": ("x.yaml", b"\xff\xfe\x00bad", "application/yaml")},
    )
    assert response.status_code == 422 and "UTF-8" in response.text


def test_live_validation_fragment(login_as):
    staff = login_as("staff")
    ok = staff.post_form("/lab/specs/validate", {"spec_yaml": VOIRIE}, headers={"HX-Request": "true"})
    assert ok.status_code == 200 and "Description valide" in ok.text and "<html" not in ok.text
    bad = staff.post_form("/lab/specs/validate", {"spec_yaml": BAD_TYPE}, headers={"HX-Request": "true"})
    assert "problème à corriger" in bad.text and "champ « adresse »" in bad.text


def test_json_validation_api_names_line_step_and_field(login_as):
    staff = login_as("staff")
    headers = {"X-CSRF-Token": staff.cookies.get("lab_csrf"), "Content-Type": "application/yaml"}
    bad = staff.post("/api/v1/specs/validate", content=BAD_TYPE.encode(), headers=headers)
    assert bad.status_code == 422
    issue = bad.json()["issues"][0]
    assert issue["step"] == "lieu" and issue["field"] == "adresse" and issue["line"] > 1
    good = staff.post("/api/v1/specs/validate", content=VOIRIE.encode(), headers=headers)
    assert good.json()["valid"] is True


def test_new_iteration_edit_and_diff(login_as):
    staff = login_as("staff")
    v1 = _iteration_id(_create(staff))
    prototype_id = int(re.search(r"/lab/prototypes/(\d+)", staff.get(f"/lab/iterations/{v1}").text).group(1))
    response = staff.post_form(f"/lab/prototypes/{prototype_id}/iterations", {"changelog": ""}, follow_redirects=False)
    v2 = int(re.search(r"/lab/iterations/(\d+)/edit", response.headers["location"]).group(1))
    edited = VOIRIE.replace("label: Adresse ou lieu", "label: Adresse précise du problème", 1)
    assert edited != VOIRIE
    saved = staff.post_form(f"/lab/iterations/{v2}", {"spec_yaml": edited, "changelog": "Libellé plus clair"})
    assert saved.status_code == 200
    assert "Changements depuis v1" in saved.text and "Adresse précise du problème" in saved.text


def test_frozen_iteration_cannot_be_edited(login_as, db):
    staff = login_as("staff")
    v1 = _iteration_id(_create(staff))
    db.execute("UPDATE iterations SET frozen_at = '2026-01-01T00:00:00+00:00' WHERE id = ?", [v1])
    assert staff.get(f"/lab/iterations/{v1}/edit").status_code == 409
    refused = staff.post_form(f"/lab/iterations/{v1}", {"spec_yaml": VOIRIE, "changelog": "x"})
    assert refused.status_code == 409
    assert db["iterations"].get(v1)["changelog"] == "Première version"


def test_yaml_download_is_the_text_as_written(login_as):
    staff = login_as("staff")
    v1 = _iteration_id(_create(staff))
    response = staff.get(f"/lab/iterations/{v1}/spec.yaml")
    assert response.text == VOIRIE and "attachment" in response.headers["content-disposition"]


def test_preview_walks_steps_with_validation_and_stores_nothing(login_as, db):
    staff = login_as("staff")
    v1 = _iteration_id(_create(staff))
    first = staff.get(f"/lab/iterations/{v1}/preview/0")
    assert "Étape 1 sur" in first.text and 'name="f-adresse"' in first.text
    missing = staff.post_form(f"/lab/iterations/{v1}/preview/0", {"preview_answers": "{}"})
    assert missing.status_code == 422 and "Il y a un problème" in missing.text
    moved = staff.post_form(f"/lab/iterations/{v1}/preview/0", {"preview_answers": "{}", "f-adresse": "12 rue de la Paix"})
    assert moved.status_code == 200 and "Étape 2 sur" in moved.text
    assert db["audit_log"].count_where("action LIKE 'preview%'") == 0


def test_unknown_ids_are_404(login_as):
    staff = login_as("staff")
    for url in ("/lab/prototypes/999", "/lab/iterations/999", "/lab/iterations/999/edit", "/lab/iterations/999/preview/0",
                "/lab/iterations/999/spec.yaml"):
        assert staff.get(url).status_code == 404, url


def test_access_rules(client, login_as):
    assert client.get("/lab/prototypes", follow_redirects=False).headers["location"].startswith("/login")
    assert login_as("manager").get("/lab/prototypes").status_code == 403
    assert login_as("admin").get("/lab/prototypes").status_code == 200
