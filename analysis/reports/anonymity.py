"""k-anonymity for published rows: every combination of quasi-identifiers is shared by at least k rows.

Blanking each rare value on its own is not enough: a group, a channel and a month can each be
common while their combination points at one person, whose answers the row then publishes.
Values are generalised first (a value fewer than k rows share is blanked), then the rows of
combinations still too rare lose their quasi-identifiers one at a time, and a row that stays
recognisable with all of them blank is withheld (record suppression, as ARX and sdcMicro do):
a blank is not a wildcard, since "not in the usual group" can itself single people out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def k_anonymise(rows: list[dict], quasi_identifiers: Sequence[str], k: int) -> list[dict]:
    """The rows to publish, with blanks where needed (`quasi_identifiers` in the order to give them up)."""
    for column in quasi_identifiers:
        counts = Counter(row[column] for row in rows)
        for row in rows:
            if counts[row[column]] < k:
                row[column] = None

    def combination(row: dict) -> tuple:
        return tuple(row[column] for column in quasi_identifiers)

    for column in quasi_identifiers:
        counts = Counter(map(combination, rows))
        for row in rows:
            if counts[combination(row)] < k:
                row[column] = None
    counts = Counter(map(combination, rows))
    return [row for row in rows if counts[combination(row)] >= k]
