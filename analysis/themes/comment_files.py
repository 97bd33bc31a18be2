"""Comment texts read from a CSV or JSONL export as a stream, so a 1M-row file is never held whole.

`lab themes` reads exports from other tools, some of them large: the file is decoded and parsed
row by row (only the texts are kept), never loaded as bytes, then as one string, then as lines.
Errors name the line (JSONL) or the columns (CSV), as usage errors of the command.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

__all__ = ["file_encoding", "iter_comments", "read_comments"]

JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
_CHUNK = 1 << 20
_SNIFF = 8192


def file_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as such, else Windows-1252 (French Excel)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _first_content(handle: IO[str]) -> str:
    """The first non-blank character of the file ("" when it holds only blanks); rewinds."""
    while chunk := handle.read(_CHUNK):
        stripped = chunk.lstrip()
        if stripped:
            handle.seek(0)
            return stripped[0]
    handle.seek(0)
    return ""


def _jsonl_values(handle: IO[str], column: str) -> Iterator[Any]:
    """One object per non-blank line; a JSON array of objects (read whole) is accepted too."""
    if _first_content(handle) == "[":
        try:
            rows = json.load(handle)
        except json.JSONDecodeError as error:
            raise click.BadParameter(f"JSON invalide : {error}", param_hint="INPUT") from error
        numbered: Any = enumerate(rows, start=1)
    else:
        numbered = _jsonl_rows(handle)
    for number, row in numbered:
        if not isinstance(row, dict):
            raise click.BadParameter(f"ligne {number} : un objet JSON est attendu", param_hint="INPUT")
        if column not in row:
            raise click.BadParameter(
                f"colonne « {column} » absente (ligne {number} ; clés : {', '.join(map(str, row)) or 'aucune'})",
                param_hint="'--text-column'",
            )
        yield row[column]


def _jsonl_rows(handle: IO[str]) -> Iterator[tuple[int, Any]]:
    """(line number, parsed object) of each non-blank line."""
    for number, line in enumerate(handle, start=1):
        if line.strip():
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as error:
                raise click.BadParameter(f"ligne {number} : JSON invalide ({error.msg})", param_hint="INPUT") from error


def _csv_values(handle: IO[str], column: str) -> Iterator[Any]:
    """Delimiter sniffed among , ; tab (French Excel writes ";"); blank rows skipped."""
    sample = handle.read(_SNIFF)
    handle.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(handle, dialect=dialect)
    header = next(reader, [])
    if column not in header:
        raise click.BadParameter(
            f"colonne « {column} » absente (colonnes : {', '.join(header) or 'aucune'})", param_hint="'--text-column'"
        )
    index = len(header) - 1 - header[::-1].index(column)  # a repeated column: the last one, as csv.DictReader
    for row in reader:
        if row:
            yield row[index] if index < len(row) else None


def iter_comments(path: Path, column: str) -> Iterator[str]:
    """The comment texts of a CSV or JSONL file, in row order, one at a time; clear errors otherwise."""
    try:
        encoding = file_encoding(path)
        handle = path.open(encoding=encoding, errors="replace", newline="")
    except OSError as error:
        raise click.BadParameter(f"fichier illisible : {path} ({error.strerror or error})", param_hint="INPUT") from error
    with handle:
        if not _first_content(handle):
            raise click.BadParameter(f"fichier vide : {path}", param_hint="INPUT")
        values = _jsonl_values(handle, column) if path.suffix.lower() in JSONL_SUFFIXES else _csv_values(handle, column)
        for value in values:
            yield "" if value is None else str(value)


def read_comments(path: Path, column: str) -> list[str]:
    """Every comment text of the file (only the texts are kept); a usage error when there is none."""
    texts = list(iter_comments(path, column))
    if not texts:
        raise click.BadParameter(f"aucun commentaire dans {path}", param_hint="INPUT")
    return texts
