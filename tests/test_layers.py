"""The layout stays true: imports flow one way between layers (DESIGN.md §4) and never in a circle.

Every module of our four packages is read with `ast` (nothing is imported); each import of one
of our modules, at the top or inside a function, is an edge. A module may import its own layer
and the layers below it; the shell alone imports everything.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("lab", "prototypes", "feedback", "analysis")

#: Lowest first: each layer's module prefixes. A module belongs to the layer of its longest prefix.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("kernel", ("lab",)),
    ("prototypes", ("prototypes",)),
    ("campaigns", ("lab.campaigns",)),
    ("feedback", ("feedback",)),
    ("analysis (shared statistics)", ("analysis", "analysis.stats")),
    ("analysis.themes", ("analysis.themes",)),
    ("analysis.reports", ("analysis.reports",)),
    ("shell", ("lab.app", "lab.cli", "lab.demo", "lab.__main__")),
)


def layer_of(module: str) -> int:
    """The rank of a module's layer (its longest matching prefix decides)."""
    best, rank = "", -1
    for index, (_name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best):
                best, rank = prefix, index
    assert rank >= 0, f"{module} belongs to no layer"
    return rank


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(module: str, source: str, known: set[str]) -> set[str]:
    """Our modules a source imports: `from a.b import c` is a.b.c when that is a module, else a.b."""
    found: set[str] = set()
    package_parts = module.split(".")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package_parts[: len(package_parts) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != module:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module → the modules of ours it imports, for every module of the four packages."""
    paths = [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]
    known = {module_name(p) for p in paths}
    return {module_name(p): imported_modules(module_name(p), p.read_text(encoding="utf-8"), known) for p in paths}


def wrong_way(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """Imports of a higher layer from a lower one."""
    return sorted(
        f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for module, targets in graph.items() for target in targets if layer_of(target) > layer_of(module)
    )


def circles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_imports_follow_the_layers():
    assert wrong_way(import_graph()) == []


def test_no_import_circles():
    assert circles(import_graph()) == []


def test_every_module_has_a_layer():
    for module in import_graph():
        layer_of(module)


def test_the_checks_catch_a_wrong_way_import_and_a_circle():
    """The checks are not vacuous: one import of the themes from feedback, or a loop, is reported."""
    graph = {module: set(targets) for module, targets in import_graph().items()}
    graph["feedback.erasure"].add("analysis.themes.reading")
    assert wrong_way(graph) == ["feedback.erasure (feedback) imports analysis.themes.reading (analysis.themes)"]
    graph = {"lab.db": {"lab.clock"}, "lab.clock": {"lab.i18n"}, "lab.i18n": {"lab.db"}}
    assert circles(graph) == [["lab.clock", "lab.db", "lab.i18n"]]
    source = "def late():\n    from analysis.reports import snapshots\n"
    known = {"analysis.reports", "analysis.reports.snapshots", "analysis.themes.jobs"}
    assert imported_modules("analysis.themes.jobs", source, known) == {"analysis.reports.snapshots"}
