"""The example specs shipped with servicelab are valid, realistic and round-trip through dump_spec."""

from __future__ import annotations

from pathlib import Path

import pytest

from prototypes.answers import validate_step
from prototypes.spec_yaml import dump_spec, parse_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "prototypes" / "examples"
NAMES = ["voirie.yaml", "restauration-scolaire.yaml", "salle-municipale.yaml"]


def load(name: str):
    return parse_spec((EXAMPLES / name).read_text(encoding="utf-8"))


def test_the_three_examples_are_shipped():
    assert sorted(p.name for p in EXAMPLES.glob("*.yaml")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_example_parses_and_round_trips(name):
    spec = load(name)
    assert parse_spec(dump_spec(spec)) == spec


@pytest.mark.parametrize("name", NAMES)
def test_example_is_a_complete_procedure(name):
    spec = load(name)
    assert 4 <= len(spec.steps) <= 6
    assert spec.problem and spec.confirmation and spec.duration_minutes
    assert any(f.show_if for _, f in spec.iter_fields())
    assert any(f.type == "consent" for _, f in spec.iter_fields())


def test_voirie_has_the_expected_fields():
    fields = {f.key: f for _, f in load("voirie.yaml").iter_fields()}
    assert fields["adresse"].type == "address" and fields["adresse"].required
    assert "Autre" in fields["categorie"].options and fields["precision"].show_if.equals == "Autre"
    assert fields["photo"].type == "file" and not fields["photo"].required
    assert fields["date_constat"].type == "date"
    assert {fields["courriel"].type, fields["telephone"].type} == {"email", "phone"}
    assert not fields["courriel"].required and fields["recontact"].type == "consent"


def test_restauration_scolaire_has_the_expected_fields():
    fields = {f.key: f for _, f in load("restauration-scolaire.yaml").iter_fields()}
    assert fields["jours"].options == ("Lundi", "Mardi", "Jeudi", "Vendredi")
    assert fields["ecole"].type == "choice" and fields["enfant_naissance"].type == "date"
    assert fields["allergie"].type == "yesno"
    assert fields["pai_details"].type == "textarea" and fields["pai_details"].show_if.field == "allergie"
    assert fields["quotient_familial"].type == "number" and fields["justificatif"].type == "file"
    assert fields["reglement"].type == "consent" and fields["reglement"].required


def test_salle_municipale_has_the_expected_fields():
    fields = {f.key: f for _, f in load("salle-municipale.yaml").iter_fields()}
    assert fields["type_demandeur"].options == ("Particulier", "Association")
    assert fields["association"].show_if.equals == "Association"
    assert all("personnes)" in option for option in fields["salle"].options)
    assert (fields["nombre_personnes"].min, fields["nombre_personnes"].max) == (1, 200)
    assert fields["materiel"].type == "multichoice" and fields["usage"].type == "textarea"


def test_salle_municipale_association_path_validates():
    step = load("salle-municipale.yaml").steps[0]
    form = {"type_demandeur": ["Association"], "association": ["Les Amis du quartier"], "rna": ["W751234567"],
            "nom": ["Martin"], "prenom": ["Léa"]}
    result = validate_step(step, form, {})
    assert result.ok and result.values["rna"] == "W751234567"
    assert validate_step(step, {**form, "type_demandeur": ["Particulier"], "rna": ["faux"]}, {}).values == {
        "type_demandeur": "Particulier", "nom": "Martin", "prenom": "Léa"}
