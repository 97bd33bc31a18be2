"""Problems found in a spec, located for staff: the YAML line, the step key, the field key, the path.

Every check (YAML, types, cross-field rules) reports `Problem`s by path; `locate` turns them
into `SpecIssue`s in document order, at most MAX_ISSUES of them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field

import yaml

from lab.i18n import N_

#: Problems listed at most: past a hundred, staff fix the first ones and validate again.
MAX_ISSUES = 100

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
        return cls([make_issue(message, params)])

    def __str__(self) -> str:
        return "\n".join(str(issue) for issue in self.issues)


def make_issue(msgid: str, params: Mapping[str, object], line: int | None = None, step: str | None = None,
           field: str | None = None, path: str = "") -> SpecIssue:
    message = msgid.format(**params) if params else msgid
    return SpecIssue(message, line, step, field, path, msgid, dict(params))


Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """An issue before its line and keys are known."""

    path: Path
    message: str
    params: dict[str, object] = dc_field(default_factory=dict, hash=False)


# --- locating issues -----------------------------------------------------------------------


def locate(problems: list[Problem], data: object, tree: Tree) -> list[SpecIssue]:
    """Adds the line, step key and field key to each problem, sorted by line; at most MAX_ISSUES of them."""
    issues = []
    for problem in problems:
        step, field = _keys_at(data, problem.path)
        issues.append(make_issue(problem.message, problem.params, tree.line(problem.path),
                             step, field, format_path(problem.path)))
    issues.sort(key=lambda issue: math.inf if issue.line is None else issue.line)
    if len(issues) > MAX_ISSUES:
        rest = len(issues) - MAX_ISSUES + 1
        issues = issues[: MAX_ISSUES - 1] + [make_issue(N_("et {count} autres problèmes : corrigez d'abord ceux-ci"),
                                                    {"count": rest})]
    return issues


class Tree:
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


def format_path(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def parse_path(text: str) -> Path:
    return tuple(int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", text))
