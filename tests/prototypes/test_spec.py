"""The spec format: good specs parse, bad ones give French issues with the exact line, step and field."""

from __future__ import annotations

from datetime import date

import pytest

from prototypes.days import RelativeDay
from prototypes.spec import FIELD_TYPES, MAX_SPEC_BYTES, Field, ShowIf, Spec, Step
from prototypes.spec_issues import SpecError, SpecIssue
from prototypes.spec_yaml import dump_spec, parse_spec

# Line numbers in the tests below refer to this document.
BASE = """\
title: Signaler une anomalie
domain: voirie
problem: Les habitants ne savent pas à qui signaler un problème.
steps:
  - key: lieu
    title: Où ?
    fields:
      - {key: adresse, type: address, label: Adresse, required: true}
  - key: nature
    title: Quoi ?
    fields:
      - key: categorie
        type: choice
        label: Type d'anomalie
        options: [Chaussée, Trottoir, Autre]
      - key: precision
        type: text
        label: Précisez
        show_if: {field: categorie, equals: Autre}
confirmation: Merci.
"""


def variant(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


def issues(text: str) -> list[SpecIssue]:
    with pytest.raises(SpecError) as caught:
        parse_spec(text)
    return caught.value.issues


def only_issue(text: str) -> SpecIssue:
    found = issues(text)
    assert len(found) == 1, [str(i) for i in found]
    return found[0]


def where(issue: SpecIssue) -> tuple[int | None, str | None, str | None]:
    return issue.line, issue.step, issue.field


# --- good specs ------------------------------------------------------------------------------


def test_base_spec_parses_into_models():
    spec = parse_spec(BASE)
    assert spec.title == "Signaler une anomalie"
    assert [s.key for s in spec.steps] == ["lieu", "nature"]
    categorie = spec.steps[1].fields[0]
    assert categorie.type == "choice" and categorie.options == ("Chaussée", "Trottoir", "Autre")
    assert spec.steps[1].fields[1].show_if == ShowIf(field="categorie", equals="Autre")
    assert spec.find_field("adresse").required is True
    assert spec.find_step("nature").title == "Quoi ?"
    assert spec.find_field("nope") is None


def test_all_field_types_and_attributes_are_accepted():
    text = """\
title: Tous les types
domain: test
problem: Vérifier chaque type.
duration_minutes: 5
service: Laboratoire
steps:
  - key: un
    title: Une étape
    intro: Bienvenue.
    fields:
      - {key: t, type: text, label: Texte, min: 2, max: 20, pattern: "[A-Z]+", autocomplete: family-name}
      - {key: ta, type: textarea, label: Long, max: 500}
      - {key: n, type: number, label: Nombre, min: 0.5, max: 10}
      - {key: d, type: date, label: Date, min: 2026-01-01, max: "2026-12-31"}
      - {key: e, type: email, label: Courriel}
      - {key: p, type: phone, label: Téléphone}
      - {key: a, type: address, label: Adresse}
      - {key: c, type: choice, label: Choix, options: [1, 2, 3]}
      - {key: m, type: multichoice, label: Multiple, options: [A, B, C], min: 1, max: 2}
      - {key: y, type: yesno, label: Oui ou non}
      - {key: f, type: file, label: Fichier, max_size_kb: 800}
      - {key: k, type: consent, label: J'accepte, required: true}
      - {key: i, type: info, label: À savoir, text: Un texte., show_if: {field: m, in: [A, B]}}
confirmation: Merci.
"""
    spec = parse_spec(text)
    fields = {f.key: f for _, f in spec.iter_fields()}
    assert {f.type for f in fields.values()} == set(FIELD_TYPES)
    assert fields["d"].min == date(2026, 1, 1) and fields["d"].max == date(2026, 12, 31)
    assert fields["n"].min == 0.5 and fields["n"].max == 10
    assert fields["c"].options == ("1", "2", "3")  # numbers read as text
    assert fields["i"].show_if.accepted_values == ("A", "B")
    assert fields["f"].size_limit_kb == 800 and fields["e"].size_limit_kb == 5000
    assert spec.duration_minutes == 5 and spec.service == "Laboratoire"


def test_show_if_may_point_to_a_yesno_of_an_earlier_step():
    text = variant("      - {key: adresse, type: address, label: Adresse, required: true}",
                   "      - {key: adresse, type: address, label: Adresse, required: true}\n"
                   "      - {key: urgent, type: yesno, label: Urgent}")
    text = text.replace("show_if: {field: categorie, equals: Autre}", "show_if: {field: urgent, equals: oui}")
    assert parse_spec(text).find_field("precision").show_if.field == "urgent"


def test_dump_round_trips_and_omits_defaults():
    spec = parse_spec(BASE)
    text = dump_spec(spec)
    assert parse_spec(text) == spec
    assert "required: false" not in text and "null" not in text
    assert "Chaussée" in text  # allow_unicode: no \xe9 escapes
    assert text.index("title:") < text.index("steps:") < text.index("confirmation:")


def test_dump_round_trips_every_attribute():
    field_list = (
        Field(key="t", type="text", label="Texte", hint="Aide", min=1, max=9, pattern=r"\d+", autocomplete="name"),
        Field(key="d", type="date", label="Date", required=True, min=date(2026, 1, 1)),
        Field(key="n", type="number", label="Nombre", min=-1.5, max=3),
        Field(key="c", type="choice", label="Choix", options=("yes", "1", "Autre")),
        Field(key="i", type="info", label="Info", text="Ligne 1\nLigne 2", show_if=ShowIf(field="c", in_=("yes", "1"))),
        Field(key="f", type="file", label="Pièce", max_size_kb=100),
    )
    spec = Spec(title="T", domain="d", problem="p", duration_minutes=3, service="S",
                steps=(Step(key="s", title="Étape", intro="Intro\nsur deux lignes", fields=field_list),),
                confirmation="Merci.")
    text = dump_spec(spec)
    assert parse_spec(text) == spec
    assert "in:" in text and "|" in text  # alias name, literal block for multi-line text


def test_spec_built_in_python_checks_rules_without_lines():
    with pytest.raises(SpecError) as caught:
        Spec(title="T", domain="d", problem="p", confirmation="c",
             steps=[Step(key="s", title="S", fields=[Field(key="c", type="choice", label="C", options=["A"])])])
    (issue,) = caught.value.issues
    assert where(issue) == (None, "s", "c")
    assert issue.path == "steps[0].fields[0].options"
    assert str(issue) == "étape « s », champ « c » : il faut au moins deux options"


# --- bad specs: message and exact location -----------------------------------------------------


def test_unknown_type_suggests_the_closest_and_lists_all():
    issue = only_issue(variant("type: choice", "type: choise"))
    assert where(issue) == (13, "nature", "categorie")
    assert issue.path == "steps[1].fields[0].type"
    assert issue.message.startswith("type de champ « choise » inconnu : vouliez-vous dire « choice » ?")
    assert "text, textarea, number, date, email, phone, address, choice, multichoice" in issue.message


def test_unknown_type_without_close_match_lists_allowed_types():
    issue = only_issue(variant("type: text", "type: dropdown"))
    assert where(issue) == (17, "nature", "precision")
    assert issue.message == ("type de champ « dropdown » inconnu ; types possibles : text, textarea, number, "
                             "date, email, phone, address, choice, multichoice, yesno, file, consent, info")


def test_str_of_error_names_line_step_and_field():
    with pytest.raises(SpecError) as caught:
        parse_spec(variant("options: [Chaussée, Trottoir, Autre]", "options: [Chaussée]"))
    assert str(caught.value).splitlines() == [
        "ligne 15, étape « nature », champ « categorie » : il faut au moins deux options",
        "ligne 19, étape « nature », champ « precision » : « Autre » ne fait pas partie des options "
        "du champ « categorie » : Chaussée",
    ]


def test_choice_without_options_points_at_the_field():
    issue = only_issue(variant("        options: [Chaussée, Trottoir, Autre]\n", "").replace(
        "show_if: {field: categorie, equals: Autre}", "show_if: {field: categorie, in: [Autre]}"))
    assert where(issue) == (12, "nature", "categorie")
    assert issue.message == "il faut au moins deux options"


def test_duplicate_option():
    found = issues(variant("[Chaussée, Trottoir, Autre]", "[Chaussée, Chaussée]"))
    assert [(i.line, i.message) for i in found] == [
        (15, "l'option « Chaussée » apparaît plusieurs fois"),
        (15, "il faut au moins deux options"),
        (19, "« Autre » ne fait pas partie des options du champ « categorie » : Chaussée, Chaussée"),
    ]
    assert found[0].path == "steps[1].fields[0].options[1]"


def test_duplicate_field_key_across_steps():
    issue = only_issue(variant("      - key: precision", "      - key: adresse"))
    assert where(issue) == (16, "nature", "adresse")
    assert issue.message == ("la clé de champ « adresse » est déjà utilisée à l'étape « lieu » : "
                             "chaque champ doit avoir une clé unique dans tout le prototype")


def test_duplicate_step_key():
    issue = only_issue(variant("  - key: nature", "  - key: lieu"))
    assert where(issue) == (9, "lieu", None)
    assert issue.message == "la clé d'étape « lieu » est déjà utilisée par une autre étape"


def test_show_if_to_unknown_field_suggests_a_key():
    issue = only_issue(variant("{field: categorie, equals: Autre}", "{field: categori, equals: Autre}"))
    assert where(issue) == (19, "nature", "precision")
    assert issue.path == "steps[1].fields[1].show_if.field"
    assert issue.message == ("la condition porte sur le champ « categori », qui n'existe pas : "
                             "vouliez-vous dire « categorie » ?")


def test_show_if_to_a_field_placed_later():
    text = variant("        options: [Chaussée, Trottoir, Autre]\n",
                   "        options: [Chaussée, Trottoir, Autre]\n        show_if: {field: precision, equals: x}\n")
    issue = only_issue(text)
    assert where(issue) == (16, "nature", "categorie")
    assert issue.message == ("la condition porte sur le champ « precision », placé après celui-ci : "
                             "elle ne peut porter que sur un champ placé avant")


def test_show_if_on_itself():
    issue = only_issue(variant("{field: categorie, equals: Autre}", "{field: precision, equals: Autre}"))
    assert where(issue) == (19, "nature", "precision")
    assert issue.message == "un champ ne peut pas dépendre de lui-même"


def test_show_if_value_must_be_an_option():
    issue = only_issue(variant("equals: Autre}", "equals: Autres}"))
    assert where(issue) == (19, "nature", "precision")
    assert issue.path == "steps[1].fields[1].show_if.equals"
    assert issue.message == "« Autres » ne fait pas partie des options du champ « categorie » : Chaussée, Trottoir, Autre"


def test_show_if_needs_equals_or_in():
    issue = only_issue(variant("{field: categorie, equals: Autre}", "{field: categorie}"))
    assert where(issue) == (19, "nature", "precision")
    assert issue.message == "indiquez soit equals (une valeur), soit in (une liste de valeurs)"


def test_show_if_cannot_look_at_a_file():
    text = variant("      - {key: adresse, type: address, label: Adresse, required: true}",
                   "      - {key: photo, type: file, label: Photo}")
    issue = only_issue(text.replace("{field: categorie, equals: Autre}", "{field: photo, equals: x}"))
    assert where(issue) == (19, "nature", "precision")
    assert issue.message == "une condition ne peut pas porter sur le champ « photo » de type « file »"


def test_show_if_on_yesno_wants_oui_or_non():
    text = variant("      - {key: adresse, type: address, label: Adresse, required: true}",
                   "      - {key: urgent, type: yesno, label: Urgent}")
    issue = only_issue(text.replace("{field: categorie, equals: Autre}", "{field: urgent, equals: Oui}"))
    assert where(issue) == (19, "nature", "precision")
    assert issue.message == "la condition sur le champ oui/non « urgent » doit valoir « oui » ou « non »"


def test_unquoted_yes_is_a_boolean_and_the_message_says_to_quote_it():
    issue = only_issue(variant("equals: Autre}", "equals: yes}"))
    assert where(issue) == (19, "nature", "precision")
    assert issue.message == '« equals » doit être du texte : écrivez-le entre guillemets, par exemple "yes"'


def test_invalid_regex():
    issue = only_issue(variant("        label: Précisez\n", "        label: Précisez\n        pattern: '[a-z'\n"))
    assert where(issue) == (19, "nature", "precision")
    assert issue.path == "steps[1].fields[1].pattern"
    assert issue.message == "l'expression régulière « [a-z » n'est pas valide (erreur au caractère 1)"


def test_pattern_only_on_texts():
    issue = only_issue(variant("type: address, label: Adresse,", "type: address, pattern: x, label: Adresse,"))
    assert where(issue) == (8, "lieu", "adresse")
    assert issue.message == "pattern ne s'applique qu'aux champs de type text ou textarea"


def test_min_greater_than_max():
    issue = only_issue(variant("        label: Précisez\n", "        label: Précisez\n        min: 10\n        max: 2\n"))
    assert where(issue) == (19, "nature", "precision")
    assert issue.path == "steps[1].fields[1].min"
    assert issue.message == "min (10) doit être inférieur ou égal à max (2)"


def test_date_bounds_on_a_number_field():
    issue = only_issue(variant("type: address, label: Adresse,", "type: number, min: 2026-01-01, label: Adresse,"))
    assert where(issue) == (8, "lieu", "adresse")
    assert issue.message == "pour un champ number, min et max doivent être des nombres"


def test_length_bounds_must_be_whole_numbers():
    issue = only_issue(variant("        label: Précisez\n", "        label: Précisez\n        max: 2.5\n"))
    assert where(issue) == (19, "nature", "precision")
    assert issue.message == "pour un champ text, min et max doivent être des nombres entiers positifs ou nuls"


def test_bounds_do_not_apply_to_email():
    issue = only_issue(variant("type: address, label: Adresse,", "type: email, max: 3, label: Adresse,"))
    assert where(issue) == (8, "lieu", "adresse")
    assert issue.message == "min et max ne s'appliquent pas à un champ de type « email »"


def test_bound_that_is_neither_number_nor_date():
    issue = only_issue(variant("        label: Précisez\n", "        label: Précisez\n        min: beaucoup\n"))
    assert where(issue) == (19, "nature", "precision")
    assert issue.message == ("« min » doit être un nombre, une date au format AAAA-MM-JJ ou une date comptée depuis "
                             "le jour de la réponse (today, today+21d, today-1y)")


def test_relative_date_bounds_are_read_written_back_and_checked():
    text = variant("type: address, label: Adresse,", "type: date, min: today+21d, max: Today + 1y, label: Adresse,")
    spec = parse_spec(text)
    f = spec.find_field("adresse")
    assert (f.min, f.max) == (RelativeDay(21, "d"), RelativeDay(1, "y"))
    assert f.date_bounds(date(2026, 12, 7)) == (date(2026, 12, 28), date(2027, 12, 7))
    assert "min: today+21d" in dump_spec(spec) and parse_spec(dump_spec(spec)) == spec
    too_late = only_issue(variant("type: address, label: Adresse,", "type: date, min: today+21d, max: today, label: Adresse,"))
    assert too_late.message == "min (today+21d) doit être inférieur ou égal à max (today)"
    on_number = only_issue(variant("type: address, label: Adresse,", "type: number, max: today, label: Adresse,"))
    assert on_number.message == "pour un champ number, min et max doivent être des nombres"
    # A fixed date against a relative one depends on the day of answering: not refused.
    assert parse_spec(variant("type: address, label: Adresse,", "type: date, min: 2026-01-01, max: today, label: Adresse,"))


def test_accept_names_known_file_formats_on_a_file_field():
    spec = parse_spec(variant("type: address, label: Adresse,", "type: file, accept: [photo, application/pdf], label: Adresse,"))
    assert [t.mime for t in spec.find_field("adresse").accepted_types] == [
        "image/jpeg", "image/png", "image/heic", "image/webp", "application/pdf"]
    typo, unknown = issues(variant("type: address, label: Adresse,", "type: file, accept: [fotos, docx], label: Adresse,"))
    assert where(typo) == (8, "lieu", "adresse") and typo.path == "steps[0].fields[0].accept[0]"
    assert typo.message == "format « fotos » inconnu : vouliez-vous dire « photo » ?"
    assert unknown.message.startswith("format « docx » inconnu ; formats possibles : photo, image, pdf, document, image/jpeg")
    on_text = only_issue(variant("type: address, label: Adresse,", "type: text, accept: [pdf], label: Adresse,"))
    assert on_text.message == "accept ne s'applique qu'aux champs de type file"


def test_multichoice_min_cannot_exceed_options():
    issue = only_issue(variant("        type: choice\n", "        type: multichoice\n        min: 4\n"))
    assert where(issue) == (14, "nature", "categorie")
    assert issue.message == "min (4) dépasse le nombre d'options (3)"


def test_options_only_on_choice_types():
    issue = only_issue(variant("type: address, label: Adresse,", "type: address, options: [A, B], label: Adresse,"))
    assert where(issue) == (8, "lieu", "adresse")
    assert issue.message == "les options ne s'appliquent qu'aux champs de type choice ou multichoice"


def test_info_cannot_be_required():
    issue = only_issue(variant("type: address, label: Adresse,", "type: info, label: Adresse,"))
    assert where(issue) == (8, "lieu", "adresse")
    assert issue.path == "steps[0].fields[0].required"
    assert issue.message == "un champ info n'attend pas de réponse : il ne peut pas être obligatoire"


def test_missing_title():
    issue = only_issue(BASE.replace("title: Signaler une anomalie\n", ""))
    assert where(issue) == (1, None, None)
    assert issue.message == "il manque la clé « title »"
    assert str(issue) == "ligne 1 : il manque la clé « title »"


def test_missing_label_points_at_the_field():
    issue = only_issue(variant("        label: Précisez\n", ""))
    assert where(issue) == (16, "nature", "precision")
    assert issue.message == "il manque la clé « label »"


def test_empty_label():
    issue = only_issue(variant("        label: Précisez\n", "        label:\n"))
    assert where(issue) == (18, "nature", "precision")
    assert issue.message == "la valeur de « label » est vide"


def test_misspelt_key_suggests_the_right_one():
    issue = only_issue(variant("        label: Précisez\n", "        label: Précisez\n        hitn: Aide\n"))
    assert where(issue) == (19, "nature", "precision")
    assert issue.message == "clé « hitn » inconnue : vouliez-vous dire « hint » ?"


def test_unknown_key_lists_allowed_keys():
    issue = only_issue(variant("    title: Quoi ?\n", "    title: Quoi ?\n    couleur: bleu\n"))
    assert where(issue) == (11, "nature", None)
    assert issue.message == "clé « couleur » inconnue ; clés possibles : key, title, intro, fields"


def test_key_must_be_a_slug():
    issue = only_issue(variant("      - key: precision", "      - key: Précision"))
    assert where(issue) == (16, "nature", "Précision")
    assert issue.message.startswith("la clé « Précision » n'est pas valide : utilisez des minuscules sans accent")


def test_required_must_be_a_boolean():
    issue = only_issue(variant("required: true}", "required: peut-être}"))
    assert where(issue) == (8, "lieu", "adresse")
    assert issue.message == "« required » doit valoir true ou false"


def test_fields_must_be_a_list_of_blocks():
    issue = only_issue(variant("      - {key: adresse, type: address, label: Adresse, required: true}", "      - adresse"))
    assert where(issue) == (8, "lieu", None)
    assert issue.message.startswith("il faut ici un bloc de clés : key, type, label, hint, required")


def test_step_without_fields():
    issue = only_issue(variant("    fields:\n      - {key: adresse, type: address, label: Adresse, required: true}",
                               "    fields: []"))
    assert where(issue) == (7, "lieu", None)
    assert issue.message == "ajoutez au moins un champ à cette étape"


def test_no_steps():
    text = BASE[:BASE.index("steps:")] + "steps: []\nconfirmation: Merci.\n"
    issue = only_issue(text)
    assert where(issue) == (4, None, None)
    assert issue.message == "ajoutez au moins une étape"


def test_invalid_item_is_not_also_reported_as_an_empty_list():
    found = issues(variant("type: address", "type: adress"))
    assert [i.message for i in found] == [
        "type de champ « adress » inconnu : vouliez-vous dire « address » ? Types possibles : "
        "text, textarea, number, date, email, phone, address, choice, multichoice, yesno, file, consent, info"]


def test_yaml_key_written_twice():
    issue = only_issue(variant("        label: Précisez\n", "        label: Précisez\n        label: Précisez encore\n"))
    assert where(issue) == (19, "nature", "precision")
    assert issue.message == "la clé « label » est écrite deux fois"


def test_several_issues_are_sorted_by_line():
    text = variant("type: choice", "type: choise").replace("title: Quoi ?", "titre: Quoi ?")
    assert [i.line for i in issues(text)] == [9, 10, 13]


# --- YAML syntax and hostile input ---------------------------------------------------------------


def test_yaml_syntax_error_gives_the_line():
    issue = only_issue(variant("        label: Précisez\n", "        label: Précisez : le lieu\n"))
    assert where(issue) == (18, None, None)
    assert issue.message == ("syntaxe YAML incorrecte : « : » inattendu : mettez la valeur entre guillemets "
                             "si elle contient « : »")


def test_unclosed_bracket():
    issue = only_issue(variant("[Chaussée, Trottoir, Autre]", "[Chaussée, Trottoir, Autre"))
    assert issue.line is not None and issue.message.startswith("syntaxe YAML incorrecte")


def test_tabs_are_refused():
    issue = only_issue(variant("        label: Précisez\n", "\tlabel: Précisez\n"))
    assert issue.line == 18
    assert issue.message == "syntaxe YAML incorrecte : les tabulations ne sont pas acceptées : indentez avec des espaces"


def test_top_level_list_is_refused():
    issue = only_issue("- title: Un\n- title: Deux\n")
    assert issue.message == ("la description doit être un bloc de clés (title, domain, problem, duration_minutes, "
                             "service, steps, confirmation), pas une liste")


def test_empty_document():
    assert only_issue("").message.startswith("la description est vide")
    assert only_issue("# rien\n").message.startswith("la description est vide")


def test_oversize_input_is_refused_before_parsing():
    issue = only_issue("# " + "x" * MAX_SPEC_BYTES)
    assert where(issue) == (None, None, None)
    assert issue.message == "la description dépasse la taille maximale de 200 Ko (201 Ko reçus)"
    assert str(issue) == "La description dépasse la taille maximale de 200 Ko (201 Ko reçus)"


def test_aliases_are_refused():
    bomb = 'a: &a ["x", "x"]\nb: &b [*a, *a]\nc: [*b, *b]\n'
    issue = only_issue(bomb)
    assert issue.line == 2
    assert issue.message == "syntaxe YAML incorrecte : les alias YAML (*nom) ne sont pas acceptés : recopiez le contenu"


def test_python_tags_are_refused():
    issue = only_issue('title: !!python/object/apply:os.system ["echo pwned"]\n')
    assert issue.line == 1
    assert issue.message == "syntaxe YAML incorrecte : étiquette YAML (!…) non acceptée"


def test_several_documents_are_refused():
    issue = only_issue(BASE + "---\ntitle: Autre\n")
    assert issue.message == "syntaxe YAML incorrecte : un seul document est attendu : retirez la ligne « --- »"


def test_deep_nesting_is_refused():
    assert only_issue("title: " + "[" * 3000 + "]" * 3000).message == "la description est trop profondément imbriquée"


def test_issue_keeps_msgid_and_params_for_translation():
    issue = only_issue(variant("type: text", "type: dropdown"))
    assert issue.msgid == "type de champ « {value} » inconnu ; types possibles : {allowed}"
    assert issue.params["value"] == "dropdown"
    assert issue.msgid.format(**issue.params) == issue.message


def test_single_error_for_problems_outside_the_yaml():
    error = SpecError.single("le fichier doit être encodé en UTF-8")
    assert [str(i) for i in error.issues] == ["Le fichier doit être encodé en UTF-8"]


def test_backtracking_constructs_are_refused_with_a_reason():
    issue = only_issue(variant("        label: Précisez\n", "        label: Précisez\n        pattern: '(a)\\1'\n"))
    assert issue.path == "steps[1].fields[1].pattern"
    assert issue.message.startswith("l'expression régulière « (a)\\1 » utilise une construction non acceptée")


def test_text_bounds_cannot_exceed_the_longest_answer():
    issue = only_issue(variant("        label: Précisez\n", "        label: Précisez\n        max: 20000\n"))
    assert issue.message == "pour un champ text, min et max ne peuvent pas dépasser 1000 caractères"


def test_odd_text_is_refused_as_a_spec_problem():
    for text in ("title: \ud800\n", "title: a\x00b\n", "title: \x1b[31m\n"):
        (issue,) = issues(text)
        assert issue.message, repr(text)


def test_thousands_of_problems_are_listed_up_to_a_hundred():
    found = issues("title: T\n" + "".join(f"cle_{n}: v\n" for n in range(5000)))
    assert len(found) == 100
    assert found[-1].message == "et 4905 autres problèmes : corrigez d'abord ceux-ci"
    assert [issue.line for issue in found[:6]] == [1, 1, 1, 1, 2, 3]  # missing keys, then unknown ones by line
