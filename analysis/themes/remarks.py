"""Comments with nothing to say about the service: "RAS", "rien à signaler", "ok", "merci", 👍.

They are counted apart ("Sans remarque particulière"), neither a theme nor "Autres": a theme of
them would be a theme about nothing, and in "Autres" they would hide the comments that do say
something no theme holds. A comment is one of them when it is made only of the phrases of
``data/no_remark.txt`` (any number, in any order: "RAS merci", "ok ok", "Rien à signaler, bonne
journée"), or holds no letter at all. Phrases match whole words: "rien ne marche", "pas ok" and
"merci de corriger la date" say something, because some of their words are in no phrase.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from lab.folding import strip_accents

__all__ = ["is_no_remark", "no_remark_phrases"]

NO_REMARK_LABEL = "Sans remarque particulière"
_WORD = re.compile(r"[^\W\d_]+")
#: Longest phrase of the list, in words: the matcher never looks further ahead.
_MAX_PHRASE = 8


@lru_cache(maxsize=1)
def no_remark_phrases() -> frozenset[tuple[str, ...]]:
    """The phrases of data/no_remark.txt as tuples of folded words."""
    text = resources.files("analysis.themes").joinpath("data", "no_remark.txt").read_text(encoding="utf-8")
    phrases = set()
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words = tuple(_WORD.findall(strip_accents(line.lower())))
            if words:
                phrases.add(words[:_MAX_PHRASE])
    return frozenset(phrases)


def _words(text: str) -> list[str]:
    """Folded words; placeholders of masked data ("[courriel]") are not words of the comment."""
    from analysis.themes.text import remove_placeholders

    return _WORD.findall(strip_accents(remove_placeholders(text).lower()))


def is_no_remark(text: str) -> bool:
    """True when the comment says nothing about the service: only listed phrases, or no letter."""
    words = _words(text or "")
    if not words:
        return True
    if len(words) > 3 * _MAX_PHRASE:  # a long comment always says something
        return False
    phrases = no_remark_phrases()
    # covered[i]: the first i words are a sequence of listed phrases.
    covered = [True] + [False] * len(words)
    for end in range(1, len(words) + 1):
        for start in range(max(0, end - _MAX_PHRASE), end):
            if covered[start] and tuple(words[start:end]) in phrases:
                covered[end] = True
                break
    return covered[-1]
