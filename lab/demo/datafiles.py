"""The demo's data files, so that a lab team edits its texts without touching Python."""

from __future__ import annotations

from pathlib import Path

import yaml

DATA_DIR = Path(__file__).parent / "data"


def read_yaml(relative: str | Path) -> dict:
    """A YAML document of the data folder (a mapping at the top)."""
    path = DATA_DIR / relative
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise ValueError(f"{path}: expected a mapping at the top")
    return document


def lines(block: object, where: str) -> tuple[str, ...]:
    """The non-blank lines of a `|` block, stripped, in order: one item per line."""
    if not isinstance(block, str):
        raise ValueError(f"{where}: expected a block of lines (`key: |`), got {type(block).__name__}")
    return tuple(line.strip() for line in block.splitlines() if line.strip())
