"""``lab themes``: cluster any CSV or JSONL export of comments into themes, written as JSON.

The command is defined here, beside the analysis it runs; ``lab.cli`` registers it. It calls
the same ``find_themes`` as the web page, so a theme list can be checked outside the app.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import click

__all__ = ["read_comments", "themes"]

_JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252: what French spreadsheet exports use."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _read_jsonl(text: str, column: str) -> list[Any]:
    """One object per non-blank line; a JSON array of objects is accepted too."""
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            rows = json.loads(stripped)
        except json.JSONDecodeError as error:
            raise click.BadParameter(f"JSON invalide : {error}", param_hint="INPUT") from error
        numbered = list(enumerate(rows, start=1))
    else:
        numbered = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    numbered.append((number, json.loads(line)))
                except json.JSONDecodeError as error:
                    raise click.BadParameter(f"ligne {number} : JSON invalide ({error.msg})", param_hint="INPUT") from error
    values = []
    for number, row in numbered:
        if not isinstance(row, dict):
            raise click.BadParameter(f"ligne {number} : un objet JSON est attendu", param_hint="INPUT")
        if column not in row:
            raise click.BadParameter(
                f"colonne « {column} » absente (ligne {number} ; clés : {', '.join(map(str, row)) or 'aucune'})",
                param_hint="'--text-column'",
            )
        values.append(row[column])
    return values


def _read_csv(text: str, column: str) -> list[Any]:
    """Delimiter sniffed among , ; tab (French Excel writes ";")."""
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    header = reader.fieldnames or []
    if column not in header:
        raise click.BadParameter(
            f"colonne « {column} » absente (colonnes : {', '.join(header) or 'aucune'})", param_hint="'--text-column'"
        )
    return [row.get(column) for row in reader]


def read_comments(path: Path, column: str) -> list[str]:
    """The comment texts of a CSV or JSONL file, in row order; clear errors otherwise."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise click.BadParameter(f"fichier illisible : {path} ({error.strerror or error})", param_hint="INPUT") from error
    text = _decode(raw)
    if not text.strip():
        raise click.BadParameter(f"fichier vide : {path}", param_hint="INPUT")
    values = _read_jsonl(text, column) if path.suffix.lower() in _JSONL_SUFFIXES else _read_csv(text, column)
    if not values:
        raise click.BadParameter(f"aucun commentaire dans {path}", param_hint="INPUT")
    return ["" if v is None else str(v) for v in values]


@click.command("themes")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--text-column", default="text", show_default=True, help="Column (CSV) or key (JSONL) holding the comment.")
@click.option("--backend", type=click.Choice(["tfidf", "semantic"]), default="tfidf", show_default=True)
@click.option("--k", type=click.IntRange(min=1), default=None, help="Number of themes (default: chosen automatically).")
@click.option("--k-min", type=click.IntRange(min=1), default=3, show_default=True, help="Smallest automatic number of themes.")
@click.option("--k-max", type=click.IntRange(min=1), default=20, show_default=True, help="Largest automatic number of themes.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: same input and seed, same themes.")
@click.option(
    "--json",
    "json_out",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the result ('-' for stdout).",
)
def themes(
    input_path: Path, text_column: str, backend: str, k: int | None, k_min: int, k_max: int, seed: int, json_out: Path
) -> None:
    """Cluster the comments of INPUT (CSV or JSONL) into themes and write them as JSON."""
    from analysis.themes.clustering import find_themes
    from analysis.themes.vectors import SemanticBackendUnavailable

    if k_max < k_min:
        raise click.BadParameter("--k-max doit être supérieur ou égal à --k-min", param_hint="'--k-max'")
    texts = read_comments(input_path, text_column)
    try:
        result = find_themes(texts, backend=backend, k=k, k_min=k_min, k_max=k_max, random_state=seed)  # type: ignore[arg-type]
    except SemanticBackendUnavailable as error:
        raise click.BadParameter(str(error), param_hint="'--backend'") from error
    payload = {
        "themes": [
            {"id": t.id, "label": t.label, "terms": t.terms, "size": t.size, "quotes": t.quotes} for t in result.themes
        ],
        "assignments": result.assignments,
        "params": result.params,
    }
    document = json.dumps(payload, ensure_ascii=False, indent=2)
    if str(json_out) == "-":
        click.echo(document)
        return
    try:
        json_out.write_text(document + "\n", encoding="utf-8")
    except OSError as error:
        message = f"écriture impossible : {json_out} ({error.strerror or error})"
        raise click.BadParameter(message, param_hint="'--json'") from error
    noise = result.params["n_noise"]
    click.echo(f"{len(result.themes)} thème(s), {noise} commentaire(s) dans « Autres » : {json_out}")
