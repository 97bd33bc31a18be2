"""While a new iteration is edited, "Changements depuis vN" follows the text being typed."""

from html import unescape

from prototypes import EXAMPLES_DIR

VOIRIE = (EXAMPLES_DIR / "voirie.yaml").read_text(encoding="utf-8")
WITH_PHOTO_REQUIRED = VOIRIE.replace("        label: Point de repère\n", "        label: Point de repère\n        required: true\n", 1)


def _validate(staff, spec: str, **fields):
    return staff.post_form("/lab/specs/validate", {"spec_yaml": spec, **fields}, headers={"HX-Request": "true"})


def test_the_changes_follow_the_text_being_typed(login_as, lab):
    staff = login_as("staff")
    v2 = staff.post_form(f"/lab/prototypes/{lab.prototype_id}/iterations", follow_redirects=False).headers["location"]
    edit = staff.get(v2).text
    iteration_id = v2.split("/")[3]
    assert f'name="iteration_id" value="{iteration_id}"' in edit and 'id="spec-diff"' in edit
    assert "Aucun changement de structure" in edit
    typed = unescape(_validate(staff, WITH_PHOTO_REQUIRED, iteration_id=iteration_id).text)
    assert '<div id="spec-diff" hx-swap-oob="true">' in typed and "Changements depuis v1" in typed
    assert "Champ « Point de repère » rendu obligatoire" in typed and "Description valide" in typed
    broken = unescape(_validate(staff, VOIRIE.replace("type: address", "type: adresse"), iteration_id=iteration_id).text)
    assert "les changements s'afficheront dès qu'elle sera valide" in broken
    refused = unescape(staff.post_form(f"/lab/iterations/{iteration_id}", {"spec_yaml": "title: [", "changelog": ""}).text)
    assert "les changements s'afficheront dès qu'elle sera valide" in refused


def test_validation_alone_has_no_changes_panel(login_as, lab):
    staff = login_as("staff")
    for fields in ({}, {"iteration_id": str(lab.iteration_id)}, {"iteration_id": "999999"}):
        response = _validate(staff, VOIRIE, **fields)
        assert response.status_code == 200 and "hx-swap-oob" not in response.text, fields  # v1 has nothing before it
    assert _validate(staff, VOIRIE, iteration_id="abc").status_code == 422
