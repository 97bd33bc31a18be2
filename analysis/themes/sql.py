"""The theme tables' JSON columns (terms, weights, quotes, payloads), read and written one way."""

from __future__ import annotations

import json
from typing import Any


def loads(text: str | None, default: Any) -> Any:
    """Decode a JSON column, tolerating NULL."""
    return json.loads(text) if text else default


def dumps(value: Any) -> str:
    """Encode a JSON column: readable accents, dict keys sorted so equal values store equal text."""
    return json.dumps(value, ensure_ascii=False, sort_keys=isinstance(value, dict))
