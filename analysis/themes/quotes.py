"""A theme's representative quotes: stored as comment ids, distinct in their wording."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from difflib import SequenceMatcher
from itertools import islice

N_QUOTES = 3
# Two quotes of at least MIN_HELD_WORDS words sharing a run of HELD_SHARE of the shorter one's
# words say the same thing; a quote is looked for among this many members at most.
MIN_HELD_WORDS = 4
HELD_SHARE = 0.8
QUOTE_SCAN = 500


def normalise_text(text: str) -> str:
    """Whitespace-normalised text, as quotes are compared."""
    return " ".join((text or "").split())


def quote_key(text: str) -> str:
    """What makes two quotes the same to a reader: words and digits, whatever the case, accents and punctuation."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", text or "") if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in bare.casefold()).split())


def repeats(key: str, seen: Iterable[str]) -> bool:
    """Whether a quote says again what one already chosen says: mostly the same run of words."""
    # "Au guichet, Madame explique : toujours pas de suivi…" and "Propos recueillis : toujours
    # pas de suivi…" are one remark to a reader: the longest run of words they share covers
    # HELD_SHARE of the shorter. Quotes under MIN_HELD_WORDS words repeat only when equal.
    words = key.split()
    for other in seen:
        if other == key:
            return True
        other_words = other.split()
        shorter = min(len(words), len(other_words))
        if shorter < MIN_HELD_WORDS:
            continue
        run = SequenceMatcher(None, words, other_words, autojunk=False).find_longest_match(0, len(words), 0, len(other_words))
        if run.size >= HELD_SHARE * shorter:
            return True
    return False


def quote_ids_for(quotes: Sequence[str], member_ids: Sequence[int], texts: Mapping[int, str]) -> list[int]:
    """The comment each quote was taken from (quotes are whitespace-normalised masked texts)."""
    by_text: dict[str, int] = {}
    for comment_id in member_ids:
        by_text.setdefault(normalise_text(texts[comment_id]), comment_id)
    chosen: list[int] = []
    for quote in quotes:
        comment_id = by_text.get(normalise_text(quote))
        if comment_id is None:  # the clustering masked the text again; masking is idempotent
            from analysis.themes.text import mask

            comment_id = next((c for c in member_ids if normalise_text(mask(texts[c])) == quote), None)
        if comment_id is not None and comment_id not in chosen:
            chosen.append(comment_id)
    return chosen


def distinct_quotes(member_ids: Iterable[int], texts: Mapping[int, str], *, start: Sequence[int] = (),
                    limit: int = N_QUOTES) -> list[int]:
    """Top `start` up to `limit` quotes with other members whose text differs from those chosen."""
    chosen = [c for c in start if c in texts][:limit]
    seen = [quote_key(texts[c]) for c in chosen]
    for comment_id in islice(member_ids, QUOTE_SCAN):
        if len(chosen) >= limit:
            break
        key = quote_key(texts.get(comment_id, ""))
        if comment_id in chosen or not key or repeats(key, seen):
            continue
        chosen.append(comment_id)
        seen.append(key)
    return chosen
