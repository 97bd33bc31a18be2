"""Checking what a citizen typed: every type, required, bounds, pattern, conditions."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

import pytest

from prototypes.answers import FieldError, StepResult, validate_step, visible_fields
from prototypes.days import RelativeDay
from prototypes.spec import Field, ShowIf, Step

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 40
HEIC = (24).to_bytes(4, "big") + b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic" + b"\x00" * 40
PDF = b"%PDF-1.7\n" + b"\x00" * 40


@dataclass
class FakeUpload:
    """What Starlette's UploadFile offers to the validator."""

    filename: str | None
    size: int | None
    file: io.BytesIO = field(default_factory=io.BytesIO)


def upload(name: str, content: bytes) -> FakeUpload:
    return FakeUpload(name, len(content), io.BytesIO(content))


def step_of(*fields: Field) -> Step:
    return Step(key="etape", title="Étape", fields=fields)


def check(f: Field, *raw: object, previous: object = None) -> StepResult:
    answers = {} if previous is None else {f.key: previous}
    return validate_step(step_of(f), {f.key: list(raw)}, answers)


def value_of(f: Field, *raw: object) -> object:
    result = check(f, *raw)
    assert result.ok, [e.text for e in result.errors]
    return result.values.get(f.key, "<omitted>")


def error_of(f: Field, *raw: object) -> str:
    result = check(f, *raw)
    assert not result.values and len(result.errors) == 1
    assert result.errors[0].field == f.key
    return result.errors[0].text


# --- required and empty -------------------------------------------------------------------------

REQUIRED_MESSAGES = {
    "text": "Renseignez ce champ.",
    "textarea": "Renseignez ce champ.",
    "number": "Saisissez un nombre.",
    "date": "Saisissez une date, par exemple 14/07/2026.",
    "email": "Indiquez votre adresse électronique au format nom@domaine.fr.",
    "phone": "Indiquez un numéro de téléphone, par exemple 06 12 34 56 78.",
    "address": "Indiquez une adresse ou un lieu.",
    "choice": "Choisissez une option.",
    "multichoice": "Cochez au moins une option.",
    "yesno": "Répondez par oui ou par non.",
    "file": "Ajoutez un fichier.",
    "consent": "Cochez la case pour continuer.",
}


def make(type_: str, **extra: object) -> Field:
    if type_ in ("choice", "multichoice") and "options" not in extra:
        extra["options"] = ("Lundi", "Mardi", "Jeudi")
    return Field(key="champ", type=type_, label="Champ", **extra)


@pytest.mark.parametrize("type_", sorted(REQUIRED_MESSAGES))
def test_required_field_left_empty_says_what_to_do(type_):
    f = make(type_, required=True)
    assert error_of(f) == REQUIRED_MESSAGES[type_]
    assert error_of(f, "   ") == REQUIRED_MESSAGES[type_]


@pytest.mark.parametrize("type_", sorted(REQUIRED_MESSAGES))
def test_optional_field_left_empty_is_omitted(type_):
    result = check(make(type_))
    assert result.ok and result.values == {}


def test_missing_key_in_form_counts_as_empty():
    result = validate_step(step_of(make("text", required=True)), {}, {})
    assert [e.field for e in result.errors] == ["champ"]


def test_error_keeps_msgid_and_params():
    f = make("number", min=1, max=10)
    (error,) = check(f, "12").errors
    assert error == FieldError("champ", "Saisissez un nombre entre {min} et {max}.", {"min": "1", "max": "10"})
    assert error.text == "Saisissez un nombre entre 1 et 10."


def test_an_error_carries_the_label_of_its_field_for_the_summary():
    f = Field(key="date_souhaitee", type="date", label="Date souhaitée", required=True)
    (error,) = check(f).errors
    assert error.label == "Date souhaitée"


# --- text ---------------------------------------------------------------------------------------


def test_text_is_stripped():
    assert value_of(make("text"), "  Dupont  ") == "Dupont"


def test_textarea_keeps_lines_with_unix_newlines():
    assert value_of(make("textarea"), "Ligne 1\r\nLigne 2") == "Ligne 1\nLigne 2"


def test_text_length_bounds():
    f = make("text", min=2, max=5)
    assert error_of(f, "a") == "Saisissez entre 2 et 5 caractères."
    assert error_of(f, "abcdef") == "Saisissez entre 2 et 5 caractères."
    assert value_of(f, "abcde") == "abcde"
    assert error_of(make("text", min=3), "ab") == "Saisissez au moins 3 caractères."
    assert error_of(make("textarea", max=3), "abcd") == "Saisissez 3 caractères au maximum."


def test_pattern_must_match_the_whole_value():
    f = make("text", pattern=r"W\d{9}", hint="W suivi de 9 chiffres")
    assert value_of(f, "W751234567") == "W751234567"
    assert error_of(f, "xW751234567") == "Saisissez une valeur au format indiqué : W suivi de 9 chiffres"
    assert error_of(make("text", pattern=r"\d+"), "abc") == "Saisissez une valeur au format attendu."


# --- number -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "cleaned"), [
    ("12", 12), ("-3", -3), ("3,5", 3.5), ("3.5", 3.5), ("1 200", 1200), ("1\u202f200,0", 1200), ("+7", 7),
])
def test_number_accepts_french_writing(typed, cleaned):
    value = value_of(make("number"), typed)
    assert value == cleaned and type(value) is type(cleaned)


@pytest.mark.parametrize("typed", ["douze", "1e5", "3,5,2", "nan", "inf", "1" * 20])
def test_number_rejects_non_numbers(typed):
    assert error_of(make("number"), typed) == "Saisissez un nombre, par exemple 12 ou 3,5."


def test_number_bounds():
    assert error_of(make("number", min=1, max=200), "250") == "Saisissez un nombre entre 1 et 200."
    assert error_of(make("number", min=0.5), "0,2") == "Saisissez un nombre supérieur ou égal à 0,5."
    assert error_of(make("number", max=10), "11") == "Saisissez un nombre inférieur ou égal à 10."
    assert value_of(make("number", min=1, max=200), "200") == 200


# --- date ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["2026-07-14", "14/07/2026", "14/7/2026"])
def test_date_accepts_iso_and_french(typed):
    assert value_of(make("date"), typed) == "2026-07-14"


@pytest.mark.parametrize("typed", ["31/02/2026", "2026-13-01", "14-07-2026", "demain", "14/07/26"])
def test_date_rejects_invalid_dates(typed):
    assert error_of(make("date"), typed) == "Saisissez une date valide, par exemple 14/07/2026."


def test_relative_date_bounds_count_from_the_day_of_answering():
    """`max: today` refuses a date of observation in the future; `min: today+21d` a booking too soon."""
    observed = make("date", max=RelativeDay())
    assert validate_step(step_of(observed), {"champ": ["15/12/2026"]}, {}, today=date(2026, 12, 7)).errors[0].text == (
        "Saisissez une date jusqu'au 07/12/2026.")
    assert validate_step(step_of(observed), {"champ": ["07/12/2026"]}, {}, today=date(2026, 12, 7)).ok
    booking = make("date", min=RelativeDay(21, "d"), max=RelativeDay(1, "y"))
    too_soon = validate_step(step_of(booking), {"champ": ["2026-12-20"]}, {}, today=date(2026, 12, 7))
    assert too_soon.errors[0].text == "Saisissez une date comprise entre le 28/12/2026 et le 07/12/2027."
    assert validate_step(step_of(booking), {"champ": ["2026-12-28"]}, {}, today=date(2026, 12, 7)).ok


def test_date_bounds():
    both = make("date", min=date(2026, 9, 1), max=date(2027, 7, 3))
    assert error_of(both, "31/08/2026") == "Saisissez une date comprise entre le 01/09/2026 et le 03/07/2027."
    assert value_of(both, "2026-09-01") == "2026-09-01"
    assert error_of(make("date", min=date(2026, 1, 1)), "31/12/2025") == "Saisissez une date à partir du 01/01/2026."
    assert error_of(make("date", max=date(2023, 12, 31)), "01/01/2024") == "Saisissez une date jusqu'au 31/12/2023."


# --- email, phone, address ----------------------------------------------------------------------


def test_email():
    assert value_of(make("email"), " marie.dupont@ville.fr ") == "marie.dupont@ville.fr"
    for typed in ("marie.dupont", "marie@ville", "marie@@ville.fr", "marie dupont@ville.fr", "a@.fr"):
        assert error_of(make("email"), typed) == "Indiquez votre adresse électronique au format nom@domaine.fr."


@pytest.mark.parametrize(("typed", "cleaned"), [
    ("0612345678", "06 12 34 56 78"),
    ("06 12 34 56 78", "06 12 34 56 78"),
    ("06.12.34.56.78", "06 12 34 56 78"),
    ("+33 6 12 34 56 78", "06 12 34 56 78"),
    ("+33 (0)1 23 45 67 89", "01 23 45 67 89"),
    ("0033123456789", "01 23 45 67 89"),
    ("+262 692 12 34 56", "+262692123456"),
])
def test_phone_is_normalised(typed, cleaned):
    assert value_of(make("phone"), typed) == cleaned


@pytest.mark.parametrize("typed", ["061234567", "00 12 34 56 78", "06123456789", "téléphone", "+33 6 12"])
def test_phone_rejects_wrong_numbers(typed):
    assert error_of(make("phone"), typed) == (
        "Indiquez un numéro de téléphone valide, par exemple 06 12 34 56 78 ou +33 6 12 34 56 78.")


def test_address_drops_blank_lines():
    assert value_of(make("address"), "12 rue de la Paix \r\n\r\n 75002 Paris") == "12 rue de la Paix\n75002 Paris"


@pytest.mark.parametrize("place", ["parking de la salle des fêtes", "devant le 12 rue de la République", "près de l'école"])
def test_an_approximate_place_is_an_address_as_the_hint_promises(place):
    """voirie's hint says « Un lieu approximatif suffit »: no postcode, no street number is asked for."""
    assert value_of(make("address", required=True), place) == place


def test_the_address_error_asks_for_no_more_than_the_hint():
    f = make("address", required=True, hint="Un lieu approximatif suffit.")
    for typed in ("", "...", " - "):
        message = error_of(f, typed)
        assert message == "Indiquez une adresse ou un lieu." and "75001" not in message


# --- choices ------------------------------------------------------------------------------------


def test_choice():
    assert value_of(make("choice"), "Mardi") == "Mardi"
    assert error_of(make("choice"), "Dimanche") == "Choisissez une des options proposées."


def test_multichoice_keeps_option_order_and_drops_repeats():
    assert value_of(make("multichoice"), "Jeudi", "Lundi", "Jeudi") == ["Lundi", "Jeudi"]
    assert error_of(make("multichoice"), "Lundi", "Dimanche") == "Choisissez parmi les options proposées."


def test_multichoice_count_bounds():
    assert error_of(make("multichoice", min=2), "Lundi") == "Cochez au moins 2 options."
    assert error_of(make("multichoice", max=2), "Lundi", "Mardi", "Jeudi") == "Cochez 2 options au maximum."
    assert error_of(make("multichoice", max=1), "Lundi", "Mardi") == "Cochez une seule option."
    assert value_of(make("multichoice", min=2, max=2), "Lundi", "Mardi") == ["Lundi", "Mardi"]


def test_yesno():
    assert value_of(make("yesno"), "oui") == "oui"
    assert value_of(make("yesno"), "Non") == "non"
    assert error_of(make("yesno"), "peut-être") == "Répondez par oui ou par non."


def test_consent_ticked_is_true():
    assert value_of(make("consent", required=True), "oui") is True


# --- file ---------------------------------------------------------------------------------------


def test_file_keeps_name_and_size():
    value = value_of(make("file"), FakeUpload("C:\\Users\\marie\\photo trottoir.jpg", 120_000))
    assert value == {"filename": "photo trottoir.jpg", "size": 120_000}


def test_file_size_limit_defaults_to_5_mo():
    assert value_of(make("file"), FakeUpload("a.jpg", 5_000_000)) == {"filename": "a.jpg", "size": 5_000_000}
    assert error_of(make("file"), FakeUpload("a.jpg", 5_000_001)) == (
        "Le fichier dépasse la taille maximale de 5 Mo. Choisissez un fichier plus léger.")
    assert error_of(make("file", max_size_kb=800), FakeUpload("a.jpg", 900_000)) == (
        "Le fichier dépasse la taille maximale de 800 Ko. Choisissez un fichier plus léger.")


@pytest.mark.parametrize(("name", "content", "mime"), [
    ("IMG_2041.JPG", JPEG, "image/jpeg"), ("trottoir.png", PNG, "image/png"), ("IMG_0001.HEIC", HEIC, "image/heic"),
    ("photo", PNG, "image/png"),  # no extension: the content tells
])
def test_a_file_field_takes_the_formats_it_accepts_read_from_the_content(name, content, mime):
    f = make("file", accept=("photo",))
    assert value_of(f, upload(name, content)) == {"filename": name, "size": len(content), "type": mime}


@pytest.mark.parametrize(("name", "content"), [
    ("notes.txt", b"Le trottoir est abime"), ("photo.jpg", b"Le trottoir est abime"), ("plan.pdf", PDF),
])
def test_a_file_in_another_format_is_refused_naming_the_accepted_ones(name, content):
    f = make("file", accept=("photo",))
    assert error_of(f, upload(name, content)) == (
        "Ce fichier n'est pas dans un format accepté. Formats acceptés : JPG, PNG, HEIC ou WebP.")


def test_a_refused_file_is_left_readable_for_the_next_check():
    sent = upload("plan.pdf", PDF)
    assert value_of(make("file", accept=("application/pdf",)), sent)["type"] == "application/pdf"
    assert sent.file.read() == PDF


def test_empty_file_input_counts_as_no_file():
    f = make("file", required=True)
    assert error_of(f, FakeUpload("", 0)) == "Ajoutez un fichier."
    assert error_of(f, "photo.jpg") == "Ajoutez un fichier."  # a bare name means the form was not multipart


def test_step_shown_again_keeps_the_file_already_sent():
    f = make("file", required=True)
    result = check(f, FakeUpload("", 0), previous={"filename": "a.jpg", "size": 10})
    assert result.ok and result.values == {"champ": {"filename": "a.jpg", "size": 10}}


# --- conditions ---------------------------------------------------------------------------------

NATURE = step_of(
    Field(key="categorie", type="choice", label="Type", options=("Trottoir", "Autre"), required=True),
    Field(key="precision", type="text", label="Précisez", required=True,
          show_if=ShowIf(field="categorie", equals="Autre")),
    Field(key="detail", type="text", label="Détail", show_if=ShowIf(field="precision", in_=("Arbre", "Mur"))),
    Field(key="urgence", type="info", label="Appelez le 112", show_if=ShowIf(field="danger", equals="oui")),
)


def test_visible_fields_follow_answers():
    keys = lambda answers: [f.key for f in visible_fields(NATURE, answers)]  # noqa: E731
    assert keys({}) == ["categorie"]
    assert keys({"categorie": "Trottoir"}) == ["categorie"]
    assert keys({"categorie": "Autre"}) == ["categorie", "precision"]
    assert keys({"categorie": "Autre", "precision": "Mur"}) == ["categorie", "precision", "detail"]
    assert keys({"categorie": "Autre", "precision": "Mur", "danger": "oui"}) == [
        "categorie", "precision", "detail", "urgence"]


def test_a_hidden_field_hides_its_dependents():
    assert [f.key for f in visible_fields(NATURE, {"categorie": "Trottoir", "precision": "Mur"})] == ["categorie"]


def test_condition_on_a_multichoice_matches_any_chosen_option():
    step = step_of(Field(key="pai", type="textarea", label="PAI", show_if=ShowIf(field="jours", equals="Mardi")))
    assert visible_fields(step, {"jours": ["Lundi", "Mardi"]}) == list(step.fields)
    assert visible_fields(step, {"jours": ["Lundi"]}) == []


def test_hidden_required_field_is_not_checked_and_dropped():
    form = {"categorie": ["Trottoir"], "precision": ["ignoré"], "detail": ["ignoré"]}
    result = validate_step(NATURE, form, {})
    assert result.ok and result.values == {"categorie": "Trottoir"}


def test_same_step_condition_uses_the_answer_just_typed():
    result = validate_step(NATURE, {"categorie": ["Autre"]}, {"categorie": "Trottoir", "precision": "old"})
    assert result.values == {"categorie": "Autre"}
    assert [(e.field, e.text) for e in result.errors] == [("precision", "Renseignez ce champ.")]


def test_a_field_in_error_hides_its_dependents():
    result = validate_step(NATURE, {"categorie": ["Inconnu"], "precision": [""]}, {})
    assert [e.field for e in result.errors] == ["categorie"]


def test_condition_from_an_earlier_step():
    step = step_of(Field(key="pai", type="textarea", label="PAI", required=True,
                         show_if=ShowIf(field="allergie", equals="oui")))
    assert validate_step(step, {}, {"allergie": "non"}).ok
    assert [e.field for e in validate_step(step, {}, {"allergie": "oui"}).errors] == ["pai"]


def test_errors_come_in_field_order_and_values_are_cleaned():
    step = step_of(
        Field(key="nom", type="text", label="Nom", required=True),
        Field(key="courriel", type="email", label="Courriel", required=True),
        Field(key="personnes", type="number", label="Personnes", min=1),
        Field(key="date", type="date", label="Date"),
        Field(key="info", type="info", label="À savoir", text="Texte"),
    )
    result = validate_step(step, {"nom": [""], "courriel": ["x"], "personnes": ["12"], "date": ["14/07/2026"]}, {})
    assert [e.field for e in result.errors] == ["nom", "courriel"]
    assert result.values == {"personnes": 12, "date": "2026-07-14"}
    assert not result.ok


def test_answers_are_capped_whatever_the_spec_says():
    assert error_of(make("text"), "a" * 1001) == "Saisissez 1000 caractères au maximum."
    assert value_of(make("textarea"), "a" * 10_000) == "a" * 10_000
    assert error_of(make("address"), "a" * 10_001) == "Votre réponse est trop longue : 10000 caractères au maximum."


def test_a_catastrophic_pattern_is_checked_in_linear_time():
    assert error_of(make("text", pattern=r"([A-Z0-9]+-?)+"), "A" * 900 + "!") == "Saisissez une valeur au format attendu."
