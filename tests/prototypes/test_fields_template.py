"""The field macros render every type as accessible HTML (labels, hints, errors, groups)."""

from __future__ import annotations

import json
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest

from lab.i18n import or_list
from prototypes.answers import FieldError
from prototypes.days import RelativeDay
from prototypes.spec import FIELD_TYPES, Field, ShowIf

TODAY = date(2026, 12, 7)

TEMPLATES = Path(__file__).resolve().parents[2] / "prototypes" / "templates"
CALL = '{% from "prototypes/_fields.html" import field %}{{ field(f, value, error) }}'


def environment(**options: object) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             extensions=["jinja2.ext.i18n"], **options)
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(today=lambda: TODAY, or_list=or_list)  # as lab.templating installs them
    return env


PLAIN = environment()
# The platform's environment trims blocks; the macros must render the same markup there.
TRIMMED = environment(trim_blocks=True, lstrip_blocks=True)


def render(f: Field, value: object = None, error: object = None, env: jinja2.Environment = PLAIN) -> str:
    return env.from_string(CALL).render(f=f, value=value, error=error)


class Tags(HTMLParser):
    """Start tags with their attributes, and the text inside each tag id."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def ids(self) -> set[str]:
        return {attrs["id"] for _, attrs in self.tags if attrs.get("id")}


def make(type_: str, **extra: object) -> Field:
    if type_ in ("choice", "multichoice") and "options" not in extra:
        extra["options"] = ("Lundi", "Mardi", "Jeudi")
    return Field(key="champ", type=type_, label="Votre réponse", **extra)


@pytest.mark.parametrize("env", [PLAIN, TRIMMED], ids=["plain", "trimmed"])
@pytest.mark.parametrize("type_", [t for t in FIELD_TYPES if t != "info"])
def test_every_input_has_a_label_and_tied_hint_and_error(type_, env):
    f = make(type_, hint="Une aide", required=type_ != "info")
    html = render(f, error="Corrigez ce champ.", env=env)
    tags = Tags(html)
    labelled = {attrs["for"] for attrs in tags.all("label")}
    controls = [a for name, a in tags.tags if name in ("input", "select", "textarea")]
    assert controls
    for control in controls:
        assert control["id"] in labelled
        assert control["name"] == "f-champ"
    assert any(a["id"] == "f-champ" for a in controls)  # error summaries link to #f-champ
    described = [a for _, a in tags.tags if a.get("aria-describedby")]
    assert len(described) == 1
    assert described[0]["aria-describedby"].split() == ["f-champ-hint", "f-champ-error"]
    assert {"f-champ-hint", "f-champ-error"} <= tags.ids()
    assert all(c.get("aria-invalid") == "true" for c in controls)
    assert 'class="field field--error"' in html and 'class="field__hint"' in html and 'class="field__error"' in html
    assert "Erreur : Corrigez ce champ." in html
    assert "(obligatoire)" in html


@pytest.mark.parametrize("type_", ["text", "number", "email", "phone", "address", "date", "textarea", "file"])
def test_valid_optional_field_has_no_error_markup(type_):
    html = render(make(type_))
    assert "(facultatif)" in html
    assert "aria-invalid" not in html and "field--error" not in html and "aria-required" not in html
    assert 'class="field"' in html


def test_input_types_and_autocomplete():
    def control(type_: str, **extra: object) -> dict:
        tags = Tags(render(make(type_, **extra)))
        return next(a for name, a in tags.tags if name in ("input", "textarea", "select"))

    assert control("text")["type"] == "text"
    assert control("number")["type"] == "text" and control("number")["inputmode"] == "decimal"
    assert control("email")["type"] == "email" and control("email")["autocomplete"] == "email"
    assert control("phone")["type"] == "tel" and control("phone")["inputmode"] == "tel"
    assert control("phone")["autocomplete"] == "tel"
    assert control("address")["autocomplete"] == "street-address"
    assert control("date")["type"] == "date"
    assert control("file")["type"] == "file"
    assert control("text", autocomplete="family-name")["autocomplete"] == "family-name"
    date_input = control("date", min="2026-01-01", max="2026-12-31")
    assert (date_input["min"], date_input["max"]) == ("2026-01-01", "2026-12-31")


def test_relative_date_bounds_become_the_days_they_mean():
    tags = Tags(render(make("date", min=RelativeDay(21, "d"), max=RelativeDay(1, "y"))))
    date_input = tags.all("input")[0]
    assert (date_input["min"], date_input["max"]) == ("2026-12-28", "2027-12-07")
    assert "max" in Tags(render(make("date", max="today"))).all("input")[0]


def test_a_file_field_says_and_filters_the_formats_it_accepts():
    html = render(make("file", accept=("photo", "pdf"), hint="Une photo aide nos équipes."))
    file_input = Tags(html).all("input")[0]
    assert file_input["accept"].startswith("image/jpeg,image/png,image/heic,image/webp,application/pdf,.jpg")
    assert "Une photo aide nos équipes. Formats acceptés : JPG, PNG, HEIC, WebP ou PDF. Taille maximale : 5 Mo." in html
    assert "accept" not in Tags(render(make("file"))).all("input")[0]


def test_required_text_is_marked_in_the_label_and_for_assistive_tech():
    html = render(make("text", required=True))
    assert '<label for="f-champ">Votre réponse (obligatoire)</label>' in html
    assert 'aria-required="true"' in html


@pytest.mark.parametrize("type_", ["choice", "multichoice", "yesno"])
def test_groups_are_fieldsets_with_a_legend(type_):
    html = render(make(type_, required=True), value="Mardi" if type_ != "yesno" else "non")
    tags = Tags(html)
    assert len(tags.all("fieldset")) == 1 and "<legend>Votre réponse (obligatoire)</legend>" in html
    inputs = tags.all("input")
    assert {a["type"] for a in inputs} == {"checkbox" if type_ == "multichoice" else "radio"}
    assert [a["id"] for a in inputs][:2] == ["f-champ", "f-champ-2"]
    assert [a["value"] for a in inputs if "checked" in a] == (["non"] if type_ == "yesno" else ["Mardi"])
    assert 'class="choices"' in html and 'class="choice"' in html


def test_yesno_offers_oui_and_non():
    tags = Tags(render(make("yesno")))
    assert [a["value"] for a in tags.all("input")] == ["oui", "non"]


def test_multichoice_checks_every_chosen_option():
    tags = Tags(render(make("multichoice"), value=["Lundi", "Jeudi"]))
    assert [a["value"] for a in tags.all("input") if "checked" in a] == ["Lundi", "Jeudi"]


def test_long_choice_is_a_select():
    f = make("choice", options=tuple(f"Option {n}" for n in range(1, 8)))
    html = render(f, value="Option 3")
    tags = Tags(html)
    assert tags.all("select")[0]["id"] == "f-champ" and not tags.all("fieldset")
    assert '<option value="Option 3" selected>Option 3</option>' in html
    assert '<option value="">Sélectionnez une option</option>' in html


def test_consent_is_a_single_labelled_checkbox():
    html = render(make("consent", required=True), value=True)
    (checkbox,) = Tags(html).all("input")
    assert checkbox["type"] == "checkbox" and checkbox["value"] == "oui" and "checked" in checkbox
    assert '<label for="f-champ">Votre réponse (obligatoire)</label>' in html


def test_file_hint_gives_the_size_limit_and_the_file_already_sent():
    html = render(make("file", max_size_kb=800), value={"filename": "photo.jpg", "size": 1})
    assert "Taille maximale : 800 Ko." in html
    assert "Fichier déjà transmis : photo.jpg." in html
    assert "Taille maximale : 5 Mo." in render(make("file"))


def test_info_is_a_paragraph_without_input():
    html = render(make("info", text="Premier paragraphe.\n\nSecond paragraphe."))
    tags = Tags(html)
    assert not tags.all("input") and len(tags.all("p")) == 3
    assert "Second paragraphe." in html
    assert Tags(render(make("info"))).all("p")


def test_values_and_labels_are_escaped():
    f = Field(key="champ", type="text", label="<script>alert(1)</script>", hint='"><img src=x>')
    html = render(f, value='"><script>x</script>', error="<b>Erreur</b>")
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html


def test_field_error_objects_are_formatted_and_escaped():
    error = FieldError("champ", "Saisissez entre {min} et {max} caractères.", {"min": 2, "max": "<5>"})
    html = render(make("text"), error=error)
    assert "Erreur : Saisissez entre 2 et &lt;5&gt; caractères." in html


def test_condition_is_exposed_for_progressive_enhancement():
    f = make("text", show_if=ShowIf(field="categorie", in_=("Autre", "L'inconnu")))
    tags = Tags(render(f))
    wrapper = tags.all("div")[0]
    assert wrapper["data-show-if"] == "f-categorie"
    assert json.loads(wrapper["data-show-if-values"]) == ["Autre", "L'inconnu"]


@pytest.mark.parametrize("type_", FIELD_TYPES)
def test_no_inline_style_or_script(type_):
    tags = Tags(render(make(type_, hint="Aide"), error="Erreur"))
    assert "script" not in {name for name, _ in tags.tags}
    assert not [a for _, attrs in tags.tags for a in attrs if a == "style" or a.startswith("on")]
