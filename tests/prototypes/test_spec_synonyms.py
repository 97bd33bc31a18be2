"""Suggestions understand French habits: "ouinon" means yesno, "liste" choice, "libellé" label."""

import pytest
import yaml

from prototypes import EXAMPLES_DIR
from prototypes.spec import FIELD_TYPES, Field, ShowIf, Spec, Step
from prototypes.spec_issues import SpecError
from prototypes.spec_synonyms import SYNONYMS_FILE, squeeze, suggest
from prototypes.spec_yaml import parse_spec

VOIRIE = (EXAMPLES_DIR / "voirie.yaml").read_text(encoding="utf-8")


def _issues(spec: str) -> list[str]:
    with pytest.raises(SpecError) as refused:
        parse_spec(spec)
    return [str(issue) for issue in refused.value.issues]


@pytest.mark.parametrize(("written", "meant"), [
    ("ouinon", "yesno"), ("oui/non", "yesno"), ("Oui / Non", "yesno"), ("booléen", "yesno"), ("booleen", "yesno"),
    ("liste", "choice"), ("liste déroulante", "choice"), ("radio", "choice"), ("case à cocher", "consent"),
    ("cases à cocher", "multichoice"), ("choix multiple", "multichoice"), ("courriel", "email"), ("téléphone", "phone"),
    ("adresse", "address"), ("nombre", "number"), ("texte long", "textarea"), ("photo", "file"), ("numbr", "number"),
])
def test_a_field_type_written_the_french_way_suggests_the_right_code(written, meant):
    (issue,) = _issues(VOIRIE.replace("type: address", f"type: '{written}'", 1))
    assert f"type de champ « {written} » inconnu : vouliez-vous dire « {meant} » ?" in issue


def test_ouinon_no_longer_suggests_info():
    assert suggest("ouinon", FIELD_TYPES, kind="types") == "yesno"


@pytest.mark.parametrize(("written", "meant"), [
    ("libellé", "label"), ("obligatoire", "required"), ("aide", "hint"), ("choix", "options"), ("afficher_si", "show_if"),
    ("titre", "label"), ("lable", "label"),
])
def test_a_field_key_written_the_french_way_suggests_the_right_key(written, meant):
    issues = _issues(VOIRIE.replace("        label: Point de repère", f"        label: Point de repère\n        {written}: x", 1))
    assert any(f"clé « {written} » inconnue : vouliez-vous dire « {meant} » ?" in issue for issue in issues), issues


def test_a_word_meaning_several_keys_suggests_the_one_the_place_allows():
    step_keys = list(Step.model_fields)
    assert suggest("titre", step_keys, kind="keys") == "title"  # a step has a title, a field a label
    assert suggest("titre", [f.alias or name for name, f in Field.model_fields.items()], kind="keys") == "label"


def test_the_synonyms_name_only_real_codes():
    data = yaml.safe_load(SYNONYMS_FILE.read_text(encoding="utf-8"))
    assert set(data["types"]) <= set(FIELD_TYPES)
    keys = {field.alias or name for model in (Spec, Step, Field, ShowIf) for name, field in model.model_fields.items()}
    assert set(data["keys"]) <= keys
    assert squeeze("Oui / Non") == squeeze("ouinon") == "ouinon"
