"""The prototype spec format, so lab staff get errors that name the step, the field and the YAML line."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, datetime
from difflib import get_close_matches
from typing import Annotated, Any, Literal, get_args

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from lab.i18n import N_
from prototypes.patterns import PatternError, compile_pattern

MAX_SPEC_BYTES = 200 * 1024
DEFAULT_MAX_SIZE_KB = 5000
#: The longest answer a text field takes (its `max` may only lower it): enough for any real answer,
#: small enough that checking a format or storing it costs nothing.
ANSWER_MAX_CHARS = {"text": 1_000, "textarea": 10_000}
#: Problems listed at most: past a hundred, staff fix the first ones and validate again.
MAX_ISSUES = 100

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
Bound = int | float | date


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

    @field_validator("min", "max", mode="before")
    @classmethod
    def _bound(cls, value: object) -> object:
        """Accepts finite numbers and ISO dates (quoted or not); refuses booleans and times."""
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                raise PydanticCustomError("spec_bound", "bad bound") from None
        if value is None or _is_bound(value):
            return value
        raise PydanticCustomError("spec_bound", "bad bound")

    @property
    def size_limit_kb(self) -> int:
        """The upload limit in Ko (1 Ko = 1000 octets), with the default applied."""
        return self.max_size_kb or DEFAULT_MAX_SIZE_KB


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
            raise SpecError(_locate(problems, self.model_dump(by_alias=True), _Tree(None)))
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


@dataclass(frozen=True)
class SpecIssue:
    """One problem in a spec, in French; msgid and params let a catalogue translate it."""

    message: str
    line: int | None = None
    step: str | None = None
    field: str | None = None
    path: str = ""
    msgid: str = ""
    params: Mapping[str, object] = dc_field(default_factory=dict, hash=False)

    def __str__(self) -> str:
        parts = []
        if self.line is not None:
            parts.append(N_("ligne {line}").format(line=self.line))
        if self.step is not None:
            parts.append(N_("étape « {step} »").format(step=self.step))
        if self.field is not None:
            parts.append(N_("champ « {field} »").format(field=self.field))
        if not parts:
            return self.message[:1].upper() + self.message[1:]
        return N_("{location} : {message}").format(location=", ".join(parts), message=self.message)


class SpecError(Exception):
    """A spec that cannot be used, with every issue found (not a ValueError: pydantic lets it through)."""

    def __init__(self, issues: list[SpecIssue]) -> None:
        super().__init__(issues)
        self.issues = issues

    @classmethod
    def single(cls, message: str, **params: object) -> SpecError:
        """An error with one issue that has no place in the YAML (size, encoding)."""
        return cls([_issue(message, params)])

    def __str__(self) -> str:
        return "\n".join(str(issue) for issue in self.issues)


def _issue(msgid: str, params: Mapping[str, object], line: int | None = None, step: str | None = None,
           field: str | None = None, path: str = "") -> SpecIssue:
    message = msgid.format(**params) if params else msgid
    return SpecIssue(message, line, step, field, path, msgid, dict(params))


Path = tuple[str | int, ...]


@dataclass(frozen=True)
class _Problem:
    """An issue before its line and keys are known."""

    path: Path
    message: str
    params: dict[str, object] = dc_field(default_factory=dict, hash=False)


def parse_spec(text: str) -> Spec:
    """Reads a YAML spec; raises SpecError with French, located issues."""
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # lone surrogates: bytes that were never UTF-8 text
        raise SpecError.single(N_("la description contient des caractères illisibles : enregistrez-la en UTF-8")) from None
    if size > MAX_SPEC_BYTES:
        raise SpecError.single(N_("la description dépasse la taille maximale de {max_kb} Ko ({size_kb} Ko reçus)"),
                               max_kb=MAX_SPEC_BYTES // 1024, size_kb=math.ceil(size / 1024))
    node, data = _load(text)
    tree = _Tree(node)
    if not isinstance(data, dict):
        raise SpecError([_issue(_top_level_message(data), {"keys": _keys_text(Spec)}, line=1)])
    problems = _duplicate_key_problems(node, ())
    try:
        spec = Spec.model_validate(data)
    except pydantic.ValidationError as exc:
        problems += _translate_errors(exc, tree)
    except SpecError as exc:
        problems += [_Problem(_parse_path(i.path), i.msgid, dict(i.params)) for i in exc.issues]
    if problems:
        raise SpecError(_locate(problems, data, tree))
    return spec


def dump_spec(spec: Spec) -> str:
    """Writes a spec back as readable YAML that parse_spec reads into an equal spec."""
    data = spec.model_dump(by_alias=True, exclude_defaults=True)
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)


class _Dumper(yaml.SafeDumper):
    """SafeDumper that indents lists under their key, writes tuples as lists and multi-line text as blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(tuple, yaml.SafeDumper.represent_list)
_Dumper.add_representer(str, _represent_str)

_ALIAS_PROBLEM = "aliases are refused"


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses aliases, so a small document cannot expand into a huge one."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, _ALIAS_PROBLEM, mark)
        return super().compose_node(parent, index)


# PyYAML problems, most specific first, in words lab staff can act on.
_YAML_PROBLEMS = (
    (_ALIAS_PROBLEM, N_("les alias YAML (*nom) ne sont pas acceptés : recopiez le contenu")),
    ("'\\t'", N_("les tabulations ne sont pas acceptées : indentez avec des espaces")),
    ("could not find expected ':'", N_("il manque « : » après une clé, ou l'indentation est incorrecte")),
    ("mapping values are not allowed here",
     N_("« : » inattendu : mettez la valeur entre guillemets si elle contient « : »")),
    ("did not find expected '-' indicator", N_("élément de liste mal aligné : vérifiez l'indentation")),
    ("did not find expected key", N_("indentation incorrecte : vérifiez l'alignement des clés")),
    ("expected <block end>", N_("indentation incorrecte : vérifiez l'alignement des clés")),
    ("expected a single document", N_("un seul document est attendu : retirez la ligne « --- »")),
    ("found unexpected end of stream", N_("guillemet ou crochet non fermé")),
    ("found '<stream end>'", N_("guillemet ou crochet non fermé")),
    ("expected ',' or ']'", N_("crochet « ] » manquant ou virgule oubliée")),
    ("expected ',' or '}'", N_("accolade « } » manquante ou virgule oubliée")),
    ("found unhashable key", N_("une clé doit être un simple texte")),
    ("could not determine a constructor", N_("étiquette YAML (!…) non acceptée")),
    ("found unknown escape character", N_("caractère d'échappement inconnu entre guillemets")),
    ("found character", N_("caractère inattendu : mettez la valeur entre guillemets")),
)


def _load(text: str) -> tuple[yaml.Node | None, object]:
    """Composes the node tree (for lines) and builds the data from it in one safe pass."""
    try:
        loader = _Loader(text)  # its reader refuses control characters at once
    except yaml.YAMLError:
        raise SpecError.single(N_("la description contient des caractères de contrôle : enregistrez-la en texte UTF-8")) from None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise SpecError([_issue(N_("syntaxe YAML incorrecte : {detail}"), {"detail": _yaml_problem(exc)},
                                line=mark.line + 1 if mark else None)]) from None
    except (yaml.YAMLError, ValueError):
        raise SpecError.single(N_("la description n'est pas un document YAML lisible")) from None
    except RecursionError:
        raise SpecError.single(N_("la description est trop profondément imbriquée")) from None
    finally:
        loader.dispose()
    return node, data


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    for text in (exc.problem or "", exc.context or ""):
        for needle, message in _YAML_PROBLEMS:
            if needle in text:
                return message
    return N_("vérifiez l'indentation, les « : » et les guillemets")


def _top_level_message(data: object) -> str:
    if data is None:
        return N_("la description est vide : commencez par les clés {keys}")
    if isinstance(data, list):
        return N_("la description doit être un bloc de clés ({keys}), pas une liste")
    return N_("la description doit être un bloc de clés ({keys}), pas une valeur seule")


def _duplicate_key_problems(node: yaml.Node | None, path: Path) -> list[_Problem]:
    """PyYAML silently keeps the last of two equal keys; a spec author wants to know."""
    problems: list[_Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key in seen:
                problems.append(_Problem(path + (key,), N_("la clé « {name} » est écrite deux fois"),
                                         {"name": key}))
            seen.add(key)
            problems += _duplicate_key_problems(value_node, path + (key or "?",))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems += _duplicate_key_problems(item, path + (index,))
    return problems


# --- pydantic errors in French -------------------------------------------------------------

_MODEL_AT = {(): Spec, ("steps",): Step, ("steps", "fields"): Field, ("steps", "fields", "show_if"): ShowIf}
_ALLOWED_LITERALS = {"type": FIELD_TYPES, "autocomplete": AUTOCOMPLETE_TOKENS}
_TOO_SHORT = {
    "steps": N_("ajoutez au moins une étape"),
    "fields": N_("ajoutez au moins un champ à cette étape"),
    "in": N_("indiquez au moins une valeur"),
}


def _translate_errors(exc: pydantic.ValidationError, tree: _Tree) -> list[_Problem]:
    errors = exc.errors(include_url=False)
    paths = [tuple(error["loc"]) for error in errors]
    # Every proper prefix of an error's path, to know in one lookup whether a list has errors inside.
    enclosing = {path[:n] for path in paths for n in range(len(path))}
    problems: dict[_Problem, None] = {}
    for error, path in zip(errors, paths):
        if error["type"] == "too_short" and path in enclosing:
            continue  # pydantic counts only valid items; the invalid ones are reported already
        message, params = _french(error, path, tree)
        problems.setdefault(_Problem(path, message, params))
    return list(problems)


def _french(error: Any, path: Path, tree: _Tree) -> tuple[str, dict[str, object]]:
    """One pydantic error as a French msgid and its params."""
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    name = next((p for p in reversed(path) if isinstance(p, str)), "")
    if kind == "missing":
        return N_("il manque la clé « {name} »"), {"name": name}
    if kind == "extra_forbidden":
        model = _MODEL_AT.get(tuple(p for p in path[:-1] if isinstance(p, str)), Spec)
        allowed = _allowed_keys(model)
        close = get_close_matches(name, allowed, n=1)
        if close:
            return N_("clé « {name} » inconnue : vouliez-vous dire « {suggestion} » ?"), {
                "name": name, "suggestion": close[0]}
        return N_("clé « {name} » inconnue ; clés possibles : {allowed}"), {
            "name": name, "allowed": ", ".join(allowed)}
    if kind == "literal_error":
        allowed = _ALLOWED_LITERALS.get(name, ())
        close = get_close_matches(str(value), allowed, n=1)
        params = {"value": value, "allowed": ", ".join(allowed)}
        if name == "type" and close:
            return (N_("type de champ « {value} » inconnu : vouliez-vous dire « {suggestion} » ? "
                    "Types possibles : {allowed}"), {**params, "suggestion": close[0]})
        if name == "type":
            return N_("type de champ « {value} » inconnu ; types possibles : {allowed}"), params
        return N_("valeur « {value} » inconnue pour « {name} » ; valeurs possibles : {allowed}"), {
            **params, "name": name}
    if kind == "string_type" and value is None or kind == "string_too_short":
        return N_("la valeur de « {name} » est vide"), {"name": name}
    if kind == "string_type":
        raw = tree.at(path)
        if isinstance(raw, yaml.ScalarNode):
            return (N_("« {name} » doit être du texte : écrivez-le entre guillemets, "
                    "par exemple \"{raw}\""), {"name": name, "raw": raw.value})
        return N_("« {name} » doit être du texte"), {"name": name}
    if kind == "string_pattern_mismatch":
        return (N_("la clé « {value} » n'est pas valide : utilisez des minuscules sans accent, "
                "des chiffres et « _ », en commençant par une lettre (par exemple « date_naissance »)"),
                {"value": value})
    if kind == "string_too_long":
        return N_("« {name} » est trop long ({max_length} caractères au maximum)"), {
            "name": name, "max_length": ctx.get("max_length")}
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return N_("« {name} » doit être un nombre entier"), {"name": name}
    if kind in ("bool_type", "bool_parsing"):
        return N_("« {name} » doit valoir true ou false"), {"name": name}
    if kind in ("tuple_type", "list_type"):
        return N_("« {name} » doit être une liste, par exemple [A, B]"), {"name": name}
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        model = _MODEL_AT.get(tuple(p for p in path if isinstance(p, str)), Spec)
        return N_("il faut ici un bloc de clés : {keys}"), {"keys": _keys_text(model)}
    if kind in ("greater_than", "greater_than_equal"):
        return N_("« {name} » doit être supérieur à {limit}"), {
            "name": name, "limit": ctx.get("gt", ctx.get("ge"))}
    if kind == "too_short":
        return _TOO_SHORT.get(name, N_("« {name} » ne peut pas être une liste vide")), {"name": name}
    if kind == "spec_bound":
        return N_("« {name} » doit être un nombre ou une date au format AAAA-MM-JJ"), {"name": name}
    if kind == "invalid_key":
        return N_("les clés doivent être du texte"), {}
    return N_("valeur incorrecte pour « {name} »"), {"name": name}


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _keys_text(model: type[BaseModel]) -> str:
    return ", ".join(_allowed_keys(model))


# --- cross-field rules ---------------------------------------------------------------------


def _rule_problems(spec: Spec) -> list[_Problem]:
    """Rules that need more than one value: unique keys, options, bounds, conditions."""
    problems: list[_Problem] = []
    all_keys = {f.key for _, f in spec.iter_fields()}
    step_keys: set[str] = set()
    earlier: dict[str, tuple[Step, Field]] = {}
    for i, step in enumerate(spec.steps):
        if step.key in step_keys:
            problems.append(_Problem(("steps", i, "key"),
                                     N_("la clé d'étape « {key} » est déjà utilisée par une autre étape"),
                                     {"key": step.key}))
        step_keys.add(step.key)
        for j, f in enumerate(step.fields):
            at: Path = ("steps", i, "fields", j)
            if f.key in earlier:
                problems.append(_Problem(at + ("key",),
                                         N_("la clé de champ « {key} » est déjà utilisée à l'étape "
                                            "« {other} » : chaque champ doit avoir une clé unique dans "
                                            "tout le prototype"),
                                         {"key": f.key, "other": earlier[f.key][0].key}))
            problems += _field_problems(f, at)
            if f.show_if is not None:
                problems += _condition_problems(f, at, earlier, all_keys)
            earlier.setdefault(f.key, (step, f))
    return problems


def _field_problems(f: Field, at: Path) -> list[_Problem]:
    problems = _option_problems(f, at) + _bound_problems(f, at)
    if f.pattern is not None:
        if f.type not in TEXT_TYPES:
            problems.append(_Problem(at + ("pattern",),
                                     N_("pattern ne s'applique qu'aux champs de type text ou textarea")))
        else:
            try:
                compile_pattern(f.pattern)
            except PatternError as exc:
                problems.append(_pattern_problem(f.pattern, exc, at + ("pattern",)))
    if f.max_size_kb is not None and f.type != "file":
        problems.append(_Problem(at + ("max_size_kb",),
                                 N_("max_size_kb ne s'applique qu'aux champs de type file")))
    if f.text is not None and f.type != "info":
        problems.append(_Problem(at + ("text",),
                                 N_("text ne s'applique qu'aux champs de type info ; pour une aide, utilisez hint")))
    if f.autocomplete is not None and f.type not in AUTOCOMPLETE_TYPES:
        problems.append(_Problem(at + ("autocomplete",),
                                 N_("autocomplete ne s'applique pas à un champ de type « {type} »"),
                                 {"type": f.type}))
    if f.required and f.type == "info":
        problems.append(_Problem(at + ("required",),
                                 N_("un champ info n'attend pas de réponse : il ne peut pas être obligatoire")))
    return problems


def _pattern_problem(pattern: str, exc: PatternError, where: Path) -> _Problem:
    """Python's syntax errors name a position; RE2 refuses only what needs backtracking."""
    if exc.position is not None:
        return _Problem(where, N_("l'expression régulière « {pattern} » n'est pas valide (erreur au caractère {position})"),
                        {"pattern": pattern, "position": exc.position})
    return _Problem(where, N_("l'expression régulière « {pattern} » utilise une construction non acceptée (référence "
                              "arrière \\1, assertion (?=…) ou (?!…)) : écrivez le format sans"), {"pattern": pattern})


def _option_problems(f: Field, at: Path) -> list[_Problem]:
    if f.type not in CHOICE_TYPES:
        if f.options is None:
            return []
        return [_Problem(at + ("options",),
                         N_("les options ne s'appliquent qu'aux champs de type choice ou multichoice"))]
    options = f.options or ()
    problems = [
        _Problem(at + ("options", k), N_("l'option « {option} » apparaît plusieurs fois"), {"option": option})
        for k, option in enumerate(options) if option in options[:k]
    ]
    if len(set(options)) < 2:
        problems.append(_Problem(at + ("options",), N_("il faut au moins deux options")))
    return problems


_BOUND_KINDS = {"number": "number", "text": "length", "textarea": "length", "date": "date",
                "multichoice": "count"}


def _bound_problems(f: Field, at: Path) -> list[_Problem]:
    """min/max mean a value for numbers, a length for texts, a date, or a count of options."""
    kind = _BOUND_KINDS.get(f.type)
    problems = []
    for attr in ("min", "max"):
        value = getattr(f, attr)
        if value is None:
            continue
        where = at + (attr,)
        if kind is None:
            problems.append(_Problem(where, N_("min et max ne s'appliquent pas à un champ de type « {type} »"),
                                     {"type": f.type}))
        elif kind == "number" and isinstance(value, date):
            problems.append(_Problem(where, N_("pour un champ number, min et max doivent être des nombres")))
        elif kind in ("length", "count") and not (isinstance(value, int) and value >= 0):
            problems.append(_Problem(where, N_("pour un champ {type}, min et max doivent être des nombres "
                                            "entiers positifs ou nuls"), {"type": f.type}))
        elif kind == "length" and value > ANSWER_MAX_CHARS[f.type]:
            problems.append(_Problem(where, N_("pour un champ {type}, min et max ne peuvent pas dépasser {limit} caractères"),
                                     {"type": f.type, "limit": ANSWER_MAX_CHARS[f.type]}))
        elif kind == "date" and not isinstance(value, date):
            problems.append(_Problem(where, N_("pour un champ date, min et max doivent être des dates "
                                            "au format AAAA-MM-JJ")))
    if problems or f.min is None and f.max is None:
        return problems
    if f.min is not None and f.max is not None and f.min > f.max:
        problems.append(_Problem(at + ("min",), N_("min ({min}) doit être inférieur ou égal à max ({max})"),
                                 {"min": _show(f.min), "max": _show(f.max)}))
    elif kind == "count" and f.options and f.min is not None and f.min > len(set(f.options)):
        problems.append(_Problem(at + ("min",), N_("min ({min}) dépasse le nombre d'options ({count})"),
                                 {"min": f.min, "count": len(set(f.options))}))
    return problems


_UNCONDITIONAL_TYPES = frozenset({"info", "file", "consent"})


def _condition_problems(
    f: Field, at: Path, earlier: Mapping[str, tuple[Step, Field]], all_keys: set[str]
) -> list[_Problem]:
    """A condition must look back at an answer that can equal the values it names."""
    cond = f.show_if
    assert cond is not None
    where = at + ("show_if",)
    if (cond.equals is None) == (cond.in_ is None):
        return [_Problem(where, N_("indiquez soit equals (une valeur), soit in (une liste de valeurs)"))]
    if cond.field == f.key:
        return [_Problem(where + ("field",), N_("un champ ne peut pas dépendre de lui-même"))]
    if cond.field not in earlier:
        if cond.field in all_keys:
            return [_Problem(where + ("field",),
                             N_("la condition porte sur le champ « {target} », placé après celui-ci : "
                             "elle ne peut porter que sur un champ placé avant"), {"target": cond.field})]
        close = get_close_matches(cond.field, sorted(earlier), n=1)
        if close:
            return [_Problem(where + ("field",), N_("la condition porte sur le champ « {target} », qui n'existe "
                                                 "pas : vouliez-vous dire « {suggestion} » ?"),
                             {"target": cond.field, "suggestion": close[0]})]
        return [_Problem(where + ("field",), N_("la condition porte sur le champ « {target} », qui n'existe pas"),
                         {"target": cond.field})]
    target = earlier[cond.field][1]
    if target.type in _UNCONDITIONAL_TYPES:
        return [_Problem(where + ("field",), N_("une condition ne peut pas porter sur le champ « {target} » "
                                             "de type « {type} »"), {"target": target.key, "type": target.type})]
    value_paths = [where + ("equals",)] if cond.equals is not None else [
        where + ("in", k) for k in range(len(cond.accepted_values))]
    problems = []
    for path, value in zip(value_paths, cond.accepted_values):
        if target.type in CHOICE_TYPES and target.options and value not in target.options:
            problems.append(_Problem(path, N_("« {value} » ne fait pas partie des options du champ « {target} » : "
                                           "{options}"), {"value": value, "target": target.key,
                                                         "options": ", ".join(target.options)}))
        elif target.type == "yesno" and value not in ("oui", "non"):
            problems.append(_Problem(path, N_("la condition sur le champ oui/non « {target} » doit valoir "
                                           "« oui » ou « non »"), {"target": target.key}))
    return problems


def _show(value: Bound) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


# --- locating issues -----------------------------------------------------------------------


def _locate(problems: list[_Problem], data: object, tree: _Tree) -> list[SpecIssue]:
    """Adds the line, step key and field key to each problem, sorted by line; at most MAX_ISSUES of them."""
    issues = []
    for problem in problems:
        step, field = _keys_at(data, problem.path)
        issues.append(_issue(problem.message, problem.params, tree.line(problem.path),
                             step, field, _format_path(problem.path)))
    issues.sort(key=lambda issue: math.inf if issue.line is None else issue.line)
    if len(issues) > MAX_ISSUES:
        rest = len(issues) - MAX_ISSUES + 1
        issues = issues[: MAX_ISSUES - 1] + [_issue(N_("et {count} autres problèmes : corrigez d'abord ceux-ci"),
                                                    {"count": rest})]
    return issues


class _Tree:
    """A spec's YAML nodes, each mapping's keys indexed on first use: locating a problem is a few lookups."""

    def __init__(self, root: yaml.Node | None):
        self.root = root
        self._entries: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = {}

    def _children(self, node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """A mapping's entries by key; the last of equal keys wins, as in the data."""
        if id(node) not in self._entries:
            self._entries[id(node)] = {k.value: (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        return self._entries[id(node)]

    def at(self, path: Path, *, key: bool = False) -> yaml.Node | None:
        """The deepest node along path; with key=True, the key node when path ends on a mapping key."""
        node = self.root
        for index, part in enumerate(path):
            if isinstance(node, yaml.MappingNode):
                pair = self._children(node).get(str(part))
                if pair is None:
                    return node
                key_node, node = pair
                if key and index == len(path) - 1:
                    return key_node
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
            else:
                return node
        return node

    def line(self, path: Path) -> int | None:
        """The 1-based line of what path names (its key when it ends on one)."""
        found = self.at(path, key=True)
        return None if found is None else found.start_mark.line + 1


def _keys_at(data: object, path: Path) -> tuple[str | None, str | None]:
    """The step key and field key that path goes through, read from the raw data."""
    step = field = None
    if len(path) >= 2 and path[0] == "steps" and isinstance(path[1], int):
        step_data = _item(data, "steps", path[1])
        step = _key_of(step_data)
        if len(path) >= 4 and path[2] == "fields" and isinstance(path[3], int):
            field = _key_of(_item(step_data, "fields", path[3]))
    return step, field


def _item(data: object, name: str, index: int) -> object:
    items = data.get(name) if isinstance(data, dict) else None
    return items[index] if isinstance(items, (list, tuple)) and 0 <= index < len(items) else None


def _key_of(data: object) -> str | None:
    key = data.get("key") if isinstance(data, dict) else None
    return key if isinstance(key, str) else None


def _format_path(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def _parse_path(text: str) -> Path:
    return tuple(int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", text))
