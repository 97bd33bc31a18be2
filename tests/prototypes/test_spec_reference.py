"""The reference panel beside the spec editor: every type and key, each example valid as written."""

import re
from html import unescape

import yaml

from prototypes.spec import FIELD_TYPES, Field, ShowIf, Spec, Step
from prototypes.spec_reference import reference
from prototypes.spec_yaml import parse_spec


def _spec_with(fields: list) -> str:
    return yaml.safe_dump({"title": "T", "domain": "d", "problem": "p", "confirmation": "Merci.",
                           "steps": [{"key": "etape", "title": "Étape", "fields": fields}]}, allow_unicode=True)


def _keys(model) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def test_every_example_is_a_valid_spec_as_written():
    ref = reference()
    assert parse_spec(ref["structure"]).steps
    assert [name for name, *_rest in ref["types"]] == list(FIELD_TYPES)
    for name, _label, _help, example in ref["types"]:
        (field,) = parse_spec(_spec_with(yaml.safe_load(example))).steps[0].fields
        assert field.type == name
    conditional = parse_spec(_spec_with(yaml.safe_load(ref["show_if"]))).steps[0].fields
    assert {f.show_if.equals or "in" for f in conditional if f.show_if} == {"Autre", "in"}
    assert parse_spec(_spec_with(yaml.safe_load(ref["pattern"]))).steps[0].fields[0].pattern


def test_the_panel_documents_every_type_and_key(login_as):
    staff = login_as("staff")
    page = unescape(staff.get("/lab/prototypes/new").text)
    panel = page[page.index('<aside id="aide-format"'):page.index("</aside>")]
    documented = set(re.findall(r"<dt><code>(\w+)</code>", panel)) | set(re.findall(r"<code>(\w+)</code></dt>", panel))
    assert _keys(Field) | _keys(Spec) - {"title"} <= documented, (_keys(Field) | _keys(Spec)) - documented
    for name in FIELD_TYPES:
        assert f"<summary><code>{name}</code>" in panel, name
    for key in _keys(Step) | _keys(ShowIf):
        assert key in panel, key
    assert 'href="#aide-format"' in page  # reachable from the editor on a phone, by keyboard


def test_the_panel_is_beside_the_editor_of_an_iteration_and_speaks_english(login_as, lab):
    staff = login_as("staff")
    iteration = staff.post_form(f"/lab/prototypes/{lab.prototype_id}/iterations", follow_redirects=False)
    edit = staff.get(iteration.headers["location"]).text
    assert 'id="aide-format"' in edit and "Aide-mémoire du format" in edit
    staff.post_form("/langue", {"lang": "en"})
    english = unescape(staff.get(iteration.headers["location"]).text)
    assert "Format reference" in english and "A date in DD/MM/YYYY format." in english
