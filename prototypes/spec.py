"""The prototype spec format: fields, steps and the rules that need more than one value."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from difflib import get_close_matches
from typing import Annotated, Literal, get_args

import pydantic
from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from lab.i18n import N_
from prototypes import file_types
from prototypes.days import RelativeDay, resolve
from prototypes.patterns import PatternError, compile_pattern
from prototypes.spec_issues import Path, Problem, SpecError, Tree, locate

MAX_SPEC_BYTES = 200 * 1024
DEFAULT_MAX_SIZE_KB = 5000
#: The longest answer a text field takes (its `max` may only lower it): enough for any real answer,
#: small enough that checking a format or storing it costs nothing.
ANSWER_MAX_CHARS = {"text": 1_000, "textarea": 10_000}

FieldType = Literal[
    "text", "textarea", "number", "date", "email", "phone", "address",
    "choice", "multichoice", "yesno", "file", "consent", "info",
]
FIELD_TYPES: tuple[str, ...] = get_args(FieldType)

# French names of the field types (msgids), for people who do not read the spec codes.
TYPE_LABELS: dict[str, str] = {
    "text": N_("texte court"),
    "textarea": N_("texte long"),
    "number": N_("nombre"),
    "date": N_("date"),
    "email": N_("adresse électronique"),
    "phone": N_("téléphone"),
    "address": N_("adresse postale"),
    "choice": N_("choix unique"),
    "multichoice": N_("choix multiple"),
    "yesno": N_("oui ou non"),
    "file": N_("fichier"),
    "consent": N_("case de consentement"),
    "info": N_("bloc d'information"),
}

CHOICE_TYPES = frozenset({"choice", "multichoice"})
TEXT_TYPES = frozenset({"text", "textarea"})

# WCAG 1.3.5 (AA) asks inputs that collect personal data to declare their purpose.
Autocomplete = Literal[
    "off", "name", "honorific-prefix", "given-name", "additional-name", "family-name",
    "nickname", "organization", "organization-title", "street-address", "address-line1",
    "address-line2", "address-line3", "address-level1", "address-level2", "postal-code",
    "country-name", "bday", "bday-day", "bday-month", "bday-year", "sex", "email", "tel",
    "url", "language",
]
AUTOCOMPLETE_TOKENS: tuple[str, ...] = get_args(Autocomplete)
AUTOCOMPLETE_TYPES = frozenset({"text", "textarea", "number", "date", "email", "phone", "address"})

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=50)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Pattern = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Bound = int | float | date | RelativeDay


def _is_bound(value: object) -> bool:
    if isinstance(value, (bool, datetime)):
        return False
    return isinstance(value, (int, date)) or isinstance(value, float) and math.isfinite(value)


class _Model(BaseModel):
    """Shared config: frozen snapshots, typos reported, numbers accepted where text is expected."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, coerce_numbers_to_str=True, validate_by_name=True
    )


class ShowIf(_Model):
    """Shows a field only when an earlier answer has one of the given values."""

    field: Key
    equals: Text | None = None
    in_: tuple[Text, ...] | None = pydantic.Field(None, alias="in", min_length=1)

    @property
    def accepted_values(self) -> tuple[str, ...]:
        """The values that make the field visible, whichever of equals/in was used."""
        if self.equals is not None:
            return (self.equals,)
        return self.in_ or ()


class Field(_Model):
    """One question (or information block) of a step; answers are stored by its key."""

    key: Key
    type: FieldType
    label: Text
    hint: Text | None = None
    required: bool = False
    min: Bound | None = None
    max: Bound | None = None
    pattern: Pattern | None = None
    options: tuple[Text, ...] | None = None
    show_if: ShowIf | None = None
    max_size_kb: pydantic.PositiveInt | None = None
    text: Text | None = None
    autocomplete: Autocomplete | None = None
    accept: tuple[Text, ...] | None = pydantic.Field(None, min_length=1)

    @field_validator("min", "max", mode="before")
    @classmethod
    def _bound(cls, value: object) -> object:
        """Accepts finite numbers, ISO dates (quoted or not) and days relative to the answer (`today+21d`)."""
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                raise PydanticCustomError("spec_bound", "bad bound") from None
        if isinstance(value, str) and (relative := RelativeDay.parse(value)) is not None:
            return relative
        if value is None or _is_bound(value) or isinstance(value, RelativeDay):
            return value
        raise PydanticCustomError("spec_bound", "bad bound")

    @property
    def size_limit_kb(self) -> int:
        """The upload limit in Ko (1 Ko = 1000 octets), with the default applied."""
        return self.max_size_kb or DEFAULT_MAX_SIZE_KB

    @property
    def accepted_types(self) -> tuple[file_types.FileType, ...]:
        """The formats a file field takes; empty when the spec does not say (any file)."""
        return file_types.expand(self.accept or ())

    @property
    def accepted_labels(self) -> list[str]:
        """The accepted formats as citizens name them, for the hint ("JPG", "PNG", "HEIC")."""
        return file_types.labels(self.accepted_types)

    @property
    def accept_attribute(self) -> str:
        """The file input's `accept`, so a phone offers only files of these formats."""
        return file_types.input_accept(self.accepted_types)

    def date_bounds(self, today: date) -> tuple[date | None, date | None]:
        """A date field's min and max as calendar days for an answer given on `today`."""
        low, high = (resolve(bound, today) if isinstance(bound, (date, RelativeDay)) else None
                     for bound in (self.min, self.max))
        return low, high


class Step(_Model):
    """One page of the procedure."""

    key: Key
    title: Text
    intro: Text | None = None
    fields: tuple[Field, ...] = pydantic.Field(min_length=1)


class Spec(_Model):
    """A whole prototype; building one checks every cross-field rule and raises SpecError."""

    title: Text
    domain: Text
    problem: Text
    duration_minutes: pydantic.PositiveInt | None = None
    service: Text | None = None
    steps: tuple[Step, ...] = pydantic.Field(min_length=1)
    confirmation: Text

    @model_validator(mode="after")
    def _check_rules(self) -> Spec:
        """Raises SpecError (not a ValidationError) so every rule issue keeps its own path."""
        problems = _rule_problems(self)
        if problems:
            raise SpecError(locate(problems, self.model_dump(by_alias=True), Tree(None)))
        return self

    def iter_fields(self) -> Iterator[tuple[Step, Field]]:
        """Every field with its step, in spec order."""
        for step in self.steps:
            for f in step.fields:
                yield step, f

    def find_step(self, key: str) -> Step | None:
        """The step with this key, if any."""
        return next((s for s in self.steps if s.key == key), None)

    def find_field(self, key: str) -> Field | None:
        """The field with this key, whatever its step, if any."""
        return next((f for _, f in self.iter_fields() if f.key == key), None)


# --- cross-field rules ---------------------------------------------------------------------


def _rule_problems(spec: Spec) -> list[Problem]:
    """Rules that need more than one value: unique keys, options, bounds, conditions."""
    problems: list[Problem] = []
    all_keys = {f.key for _, f in spec.iter_fields()}
    step_keys: set[str] = set()
    earlier: dict[str, tuple[Step, Field]] = {}
    for i, step in enumerate(spec.steps):
        if step.key in step_keys:
            problems.append(Problem(("steps", i, "key"),
                                     N_("la clé d'étape « {key} » est déjà utilisée par une autre étape"),
                                     {"key": step.key}))
        step_keys.add(step.key)
        for j, f in enumerate(step.fields):
            at: Path = ("steps", i, "fields", j)
            if f.key in earlier:
                problems.append(Problem(at + ("key",),
                                         N_("la clé de champ « {key} » est déjà utilisée à l'étape "
                                            "« {other} » : chaque champ doit avoir une clé unique dans "
                                            "tout le prototype"),
                                         {"key": f.key, "other": earlier[f.key][0].key}))
            problems += _field_problems(f, at)
            if f.show_if is not None:
                problems += _condition_problems(f, at, earlier, all_keys)
            earlier.setdefault(f.key, (step, f))
    return problems


def _field_problems(f: Field, at: Path) -> list[Problem]:
    problems = _option_problems(f, at) + _bound_problems(f, at)
    if f.pattern is not None:
        if f.type not in TEXT_TYPES:
            problems.append(Problem(at + ("pattern",),
                                     N_("pattern ne s'applique qu'aux champs de type text ou textarea")))
        else:
            try:
                compile_pattern(f.pattern)
            except PatternError as exc:
                problems.append(_pattern_problem(f.pattern, exc, at + ("pattern",)))
    if f.max_size_kb is not None and f.type != "file":
        problems.append(Problem(at + ("max_size_kb",),
                                 N_("max_size_kb ne s'applique qu'aux champs de type file")))
    if f.text is not None and f.type != "info":
        problems.append(Problem(at + ("text",),
                                 N_("text ne s'applique qu'aux champs de type info ; pour une aide, utilisez hint")))
    if f.accept is not None:
        problems += _accept_problems(f, at)
    if f.autocomplete is not None and f.type not in AUTOCOMPLETE_TYPES:
        problems.append(Problem(at + ("autocomplete",),
                                 N_("autocomplete ne s'applique pas à un champ de type « {type} »"),
                                 {"type": f.type}))
    if f.required and f.type == "info":
        problems.append(Problem(at + ("required",),
                                 N_("un champ info n'attend pas de réponse : il ne peut pas être obligatoire")))
    return problems


def _accept_problems(f: Field, at: Path) -> list[Problem]:
    """accept names file formats: known short names or MIME types, on a file field."""
    if f.type != "file":
        return [Problem(at + ("accept",), N_("accept ne s'applique qu'aux champs de type file"))]
    problems = []
    names = file_types.known_names()
    for k, entry in enumerate(f.accept or ()):
        if entry.lower() in names:
            continue
        close = get_close_matches(entry.lower(), names, n=1)
        if close:
            problems.append(Problem(at + ("accept", k), N_("format « {value} » inconnu : vouliez-vous dire « {suggestion} » ?"),
                                    {"value": entry, "suggestion": close[0]}))
        else:
            problems.append(Problem(at + ("accept", k), N_("format « {value} » inconnu ; formats possibles : {allowed}"),
                                    {"value": entry, "allowed": ", ".join(names)}))
    return problems


def _pattern_problem(pattern: str, exc: PatternError, where: Path) -> Problem:
    """Python's syntax errors name a position; RE2 refuses only what needs backtracking."""
    if exc.position is not None:
        return Problem(where, N_("l'expression régulière « {pattern} » n'est pas valide (erreur au caractère {position})"),
                        {"pattern": pattern, "position": exc.position})
    return Problem(where, N_("l'expression régulière « {pattern} » utilise une construction non acceptée (référence "
                              "arrière \\1, assertion (?=…) ou (?!…)) : écrivez le format sans"), {"pattern": pattern})


def _option_problems(f: Field, at: Path) -> list[Problem]:
    if f.type not in CHOICE_TYPES:
        if f.options is None:
            return []
        return [Problem(at + ("options",),
                         N_("les options ne s'appliquent qu'aux champs de type choice ou multichoice"))]
    options = f.options or ()
    problems = [
        Problem(at + ("options", k), N_("l'option « {option} » apparaît plusieurs fois"), {"option": option})
        for k, option in enumerate(options) if option in options[:k]
    ]
    if len(set(options)) < 2:
        problems.append(Problem(at + ("options",), N_("il faut au moins deux options")))
    return problems


_BOUND_KINDS = {"number": "number", "text": "length", "textarea": "length", "date": "date",
                "multichoice": "count"}


def _bound_problems(f: Field, at: Path) -> list[Problem]:
    """min/max mean a value for numbers, a length for texts, a date, or a count of options."""
    kind = _BOUND_KINDS.get(f.type)
    problems = []
    for attr in ("min", "max"):
        value = getattr(f, attr)
        if value is None:
            continue
        where = at + (attr,)
        if kind is None:
            problems.append(Problem(where, N_("min et max ne s'appliquent pas à un champ de type « {type} »"),
                                     {"type": f.type}))
        elif kind == "number" and isinstance(value, (date, RelativeDay)):
            problems.append(Problem(where, N_("pour un champ number, min et max doivent être des nombres")))
        elif kind in ("length", "count") and not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
            problems.append(Problem(where, N_("pour un champ {type}, min et max doivent être des nombres "
                                            "entiers positifs ou nuls"), {"type": f.type}))
        elif kind == "length" and value > ANSWER_MAX_CHARS[f.type]:
            problems.append(Problem(where, N_("pour un champ {type}, min et max ne peuvent pas dépasser {limit} caractères"),
                                     {"type": f.type, "limit": ANSWER_MAX_CHARS[f.type]}))
        elif kind == "date" and not isinstance(value, (date, RelativeDay)):
            problems.append(Problem(where, N_("pour un champ date, min et max doivent être des dates au format "
                                            "AAAA-MM-JJ ou comptées depuis le jour de la réponse (today, today+21d, "
                                            "today-1y)")))
    if problems or f.min is None and f.max is None:
        return problems
    if f.min is not None and f.max is not None and _after(f.min, f.max):
        problems.append(Problem(at + ("min",), N_("min ({min}) doit être inférieur ou égal à max ({max})"),
                                 {"min": _show(f.min), "max": _show(f.max)}))
    elif kind == "count" and f.options and f.min is not None and f.min > len(set(f.options)):
        problems.append(Problem(at + ("min",), N_("min ({min}) dépasse le nombre d'options ({count})"),
                                 {"min": f.min, "count": len(set(f.options))}))
    return problems


_UNCONDITIONAL_TYPES = frozenset({"info", "file", "consent"})


def _condition_problems(
    f: Field, at: Path, earlier: Mapping[str, tuple[Step, Field]], all_keys: set[str]
) -> list[Problem]:
    """A condition must look back at an answer that can equal the values it names."""
    cond = f.show_if
    assert cond is not None
    where = at + ("show_if",)
    if (cond.equals is None) == (cond.in_ is None):
        return [Problem(where, N_("indiquez soit equals (une valeur), soit in (une liste de valeurs)"))]
    if cond.field == f.key:
        return [Problem(where + ("field",), N_("un champ ne peut pas dépendre de lui-même"))]
    if cond.field not in earlier:
        if cond.field in all_keys:
            return [Problem(where + ("field",),
                             N_("la condition porte sur le champ « {target} », placé après celui-ci : "
                             "elle ne peut porter que sur un champ placé avant"), {"target": cond.field})]
        close = get_close_matches(cond.field, sorted(earlier), n=1)
        if close:
            return [Problem(where + ("field",), N_("la condition porte sur le champ « {target} », qui n'existe "
                                                 "pas : vouliez-vous dire « {suggestion} » ?"),
                             {"target": cond.field, "suggestion": close[0]})]
        return [Problem(where + ("field",), N_("la condition porte sur le champ « {target} », qui n'existe pas"),
                         {"target": cond.field})]
    target = earlier[cond.field][1]
    if target.type in _UNCONDITIONAL_TYPES:
        return [Problem(where + ("field",), N_("une condition ne peut pas porter sur le champ « {target} » "
                                             "de type « {type} »"), {"target": target.key, "type": target.type})]
    value_paths = [where + ("equals",)] if cond.equals is not None else [
        where + ("in", k) for k in range(len(cond.accepted_values))]
    problems = []
    for path, value in zip(value_paths, cond.accepted_values):
        if target.type in CHOICE_TYPES and target.options and value not in target.options:
            problems.append(Problem(path, N_("« {value} » ne fait pas partie des options du champ « {target} » : "
                                           "{options}"), {"value": value, "target": target.key,
                                                         "options": ", ".join(target.options)}))
        elif target.type == "yesno" and value not in ("oui", "non"):
            problems.append(Problem(path, N_("la condition sur le champ oui/non « {target} » doit valoir "
                                           "« oui » ou « non »"), {"target": target.key}))
    return problems


#: Two relative bounds are compared on one day; a fixed one against a relative one depends on the day.
_REFERENCE_DAY = date(2001, 1, 15)


def _after(low: Bound, high: Bound) -> bool:
    """Whether min lies after max, when that does not depend on the day of answering."""
    if isinstance(low, RelativeDay) and isinstance(high, RelativeDay):
        return low.on(_REFERENCE_DAY) > high.on(_REFERENCE_DAY)
    if isinstance(low, RelativeDay) or isinstance(high, RelativeDay):
        return False
    return low > high


def _show(value: Bound) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
