"""Suggestions for a misspelt spec code: French habits first ("oui/non" means yesno), then spelling closeness."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from difflib import get_close_matches
from pathlib import Path

import yaml

from lab.folding import fold

SYNONYMS_FILE = Path(__file__).parent / "data" / "spec_synonyms.yaml"


def squeeze(word: str) -> str:
    """Lower case without accents, spaces or punctuation: "Oui / Non" and "ouinon" are the same habit."""
    return re.sub(r"[^a-z0-9]", "", fold(word))


@functools.cache
def _synonyms(kind: str) -> dict[str, tuple[str, ...]]:
    """Squeezed word → the codes it may mean, in the file's order (read once, on first use)."""
    table: dict[str, tuple[str, ...]] = {}
    for code, words in yaml.safe_load(SYNONYMS_FILE.read_text(encoding="utf-8"))[kind].items():
        for word in [code, *words]:
            table[squeeze(str(word))] = table.get(squeeze(str(word)), ()) + (code,)
    return table


def suggest(written: object, allowed: Sequence[str], *, kind: str) -> str | None:
    """The code of `allowed` that `written` most likely meant (`kind`: "types" or "keys"), or None."""
    text = str(written)
    meant = next((code for code in _synonyms(kind).get(squeeze(text), ()) if code in allowed), None)
    if meant is not None:
        return meant
    close = get_close_matches(fold(text), allowed, n=1)
    return close[0] if close else None
