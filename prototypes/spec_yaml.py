"""Reading and writing a spec as YAML, with problems in French that name the line, the step and the field."""

from __future__ import annotations

import math
from typing import Any

import pydantic
import yaml
from pydantic import BaseModel

from lab.i18n import N_
from prototypes.spec import AUTOCOMPLETE_TOKENS, FIELD_TYPES, MAX_SPEC_BYTES, Field, ShowIf, Spec, Step
from prototypes.spec_issues import Path, Problem, SpecError, Tree, locate, make_issue, parse_path
from prototypes.spec_synonyms import suggest


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
    tree = Tree(node)
    if not isinstance(data, dict):
        raise SpecError([make_issue(_top_level_message(data), {"keys": _keys_text(Spec)}, line=1)])
    problems = _duplicate_key_problems(node, ())
    try:
        spec = Spec.model_validate(data)
    except pydantic.ValidationError as exc:
        problems += _translate_errors(exc, tree)
    except SpecError as exc:
        problems += [Problem(parse_path(i.path), i.msgid, dict(i.params)) for i in exc.issues]
    if problems:
        raise SpecError(locate(problems, data, tree))
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
        raise SpecError([make_issue(N_("syntaxe YAML incorrecte : {detail}"), {"detail": _yaml_problem(exc)},
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


def _duplicate_key_problems(node: yaml.Node | None, path: Path) -> list[Problem]:
    """PyYAML silently keeps the last of two equal keys; a spec author wants to know."""
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key in seen:
                problems.append(Problem(path + (key,), N_("la clé « {name} » est écrite deux fois"),
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


def _translate_errors(exc: pydantic.ValidationError, tree: Tree) -> list[Problem]:
    errors = exc.errors(include_url=False)
    paths = [tuple(error["loc"]) for error in errors]
    # Every proper prefix of an error's path, to know in one lookup whether a list has errors inside.
    enclosing = {path[:n] for path in paths for n in range(len(path))}
    problems: dict[Problem, None] = {}
    for error, path in zip(errors, paths):
        if error["type"] == "too_short" and path in enclosing:
            continue  # pydantic counts only valid items; the invalid ones are reported already
        message, params = _french(error, path, tree)
        problems.setdefault(Problem(path, message, params))
    return list(problems)


def _french(error: Any, path: Path, tree: Tree) -> tuple[str, dict[str, object]]:
    """One pydantic error as a French msgid and its params."""
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    name = next((p for p in reversed(path) if isinstance(p, str)), "")
    if kind == "missing":
        return N_("il manque la clé « {name} »"), {"name": name}
    if kind == "extra_forbidden":
        model = _MODEL_AT.get(tuple(p for p in path[:-1] if isinstance(p, str)), Spec)
        allowed = _allowed_keys(model)
        suggestion = suggest(name, allowed, kind="keys")
        if suggestion:
            return N_("clé « {name} » inconnue : vouliez-vous dire « {suggestion} » ?"), {
                "name": name, "suggestion": suggestion}
        return N_("clé « {name} » inconnue ; clés possibles : {allowed}"), {
            "name": name, "allowed": ", ".join(allowed)}
    if kind == "literal_error":
        allowed = _ALLOWED_LITERALS.get(name, ())
        suggestion = suggest(value, allowed, kind="types") if name == "type" else None
        params = {"value": value, "allowed": ", ".join(allowed)}
        if suggestion:
            return (N_("type de champ « {value} » inconnu : vouliez-vous dire « {suggestion} » ? "
                    "Types possibles : {allowed}"), {**params, "suggestion": suggestion})
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
        return (N_("« {name} » doit être un nombre, une date au format AAAA-MM-JJ ou une date comptée depuis le jour "
                   "de la réponse (today, today+21d, today-1y)"), {"name": name})
    if kind == "invalid_key":
        return N_("les clés doivent être du texte"), {}
    return N_("valeur incorrecte pour « {name} »"), {"name": name}


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _keys_text(model: type[BaseModel]) -> str:
    return ", ".join(_allowed_keys(model))
