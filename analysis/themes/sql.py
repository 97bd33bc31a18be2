"""Small SQL helpers of the theme tables: one row, IN-clause placeholders, JSON columns."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlite_utils import Database


def one(db: Database, sql: str, params: Iterable = ()) -> dict | None:
    """The first row of a query as a dict, or None."""
    rows = list(db.query(sql, list(params)))
    return rows[0] if rows else None


def placeholders(values: Sequence) -> str:
    """`?,?,?` for an IN clause of these values."""
    return ",".join("?" for _ in values)


def loads(text: str | None, default: Any) -> Any:
    """Decode a JSON column, tolerating NULL."""
    return json.loads(text) if text else default


def dumps(value: Any) -> str:
    """Encode a JSON column: readable accents, dict keys sorted so equal values store equal text."""
    return json.dumps(value, ensure_ascii=False, sort_keys=isinstance(value, dict))
