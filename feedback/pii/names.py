"""Person names in a comment, where the text announces one (see `feedback.pii` for the choices made).

Without a language model a capitalised word may be a name, a place, a brand or the first word of a
sentence, so names are looked for only where the text announces one: after a civility, in a
self-introduction, in a sign-off, or as a known first name followed by a surname. Names that belong
to a place ("rue Jean Jaurès", "collège Victor Hugo") say where, not who, and are left alone.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

from feedback.pii.common import LO, SP, UP, word_list

_GAP = re.compile(SP + "+")
# A name word ("Dupont", "Jean-Pierre", "O'Neil", "DUPONT"), an initial ("J."), or a lower-case word.
_TOKEN = re.compile(
    r"(?P<initial>[" + UP + r"]\.)"
    r"|(?P<particle>[dDlL]['’](?=[" + UP + r"])"
    r"|(?i:de|du|des|le|la|van|von|der|den|di|da|del|della|ben|bin|el|al|mac|ter|ten)(?=" + SP + r"))"
    r"|(?P<name>[" + UP + r"][" + LO + r"]+(?:[-'’][" + UP + r"]?[" + LO + r"]+)*(?![\w])"
    r"|[" + UP + r"]{2,}(?:[-'’][" + UP + r"]{2,})*(?![\w]))"
    r"|(?P<lower>[" + LO + r"]{3,}(?:-[" + LO + r"]+)*(?![\w]))"
)
_CAPITALISED = re.compile(r"(?<![\w'’\-])[" + UP + r"][" + LO + r"]+(?:-[" + UP + r"][" + LO + r"]+)?(?![\w])")
_AFTER_SIGNOFF = re.compile(r"[\s]*[,:\-–—]?[\s]*")
_MAX_WORDS = 4


@functools.lru_cache(maxsize=8192)
def _fold(word: str) -> str:
    """Lower case without accents: "Hélène" and "helene" are one first name."""
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))


def _phrases(lines: Iterable[str]) -> str:
    """A word list as one alternation: any space between words, either apostrophe, longest first."""
    escaped = [re.escape(line).replace("'", "['’]").replace("’", "['’]").replace(r"\ ", r"\s+")
               for line in sorted(set(lines), key=len, reverse=True)]
    return "(?:" + "|".join(escaped) + ")"


@functools.cache
def _words() -> dict:
    """The detector's word lists and patterns, read once from `data/pii/`."""
    civilities = word_list("civilities.txt")
    abbreviations = [c for c in civilities if c[0].isupper()]
    full_words = [c for c in civilities if not c[0].isupper()]
    return {
        "first_names": frozenset(_fold(name) for name in word_list("first_names.txt")),
        "not_a_person": frozenset(_fold(word) for word in word_list("not_a_person.txt") + civilities),
        "stops": frozenset(_fold(word) for word in word_list("street_name_stops.txt")),
        "abbreviation": re.compile(r"(?<![\w.])" + _phrases(abbreviations + [a.upper() for a in abbreviations])
                                   + r"(?:\.|(?=" + SP + r"))" + SP + "+"),
        "civility": re.compile(r"(?<![\w])(?i:" + _phrases(full_words) + r")" + SP + "+"),
        "introduction": re.compile(r"(?<![\w])(?i:" + _phrases(word_list("name_introductions.txt")) + r")" + SP + "+"),
        "weak_introduction": re.compile(r"(?<![\w])(?i:" + _phrases(word_list("name_introductions_weak.txt")) + r")"
                                        + SP + "+"),
        "signoff": re.compile(r"(?<![\w])(?i:" + _phrases(word_list("signoffs.txt")) + r")(?![\w])"),
        "weak_signoff": re.compile(r"(?<![\w])(?i:" + _phrases(word_list("signoffs_weak.txt")) + r")(?![\w])"),
        # A place word, then only particles and capitalised titles up to the name: "avenue du Général ".
        "place": re.compile(r"(?<![\w])(?i:" + _phrases(word_list("person_places.txt")) + r")"
                            r"(?:" + SP + r"+(?:(?i:du|de|des|la|le|les)|[dlDL]['’]|[" + UP + r"][\w.’'-]*))*"
                            + SP + r"*(?:[dlDL]['’])?$"),
    }


def _span(text: str, pos: int, *, lower_ok: bool = False, known_first: bool = False, min_words: int = 1) -> tuple[int, int] | None:
    """Where the name starting at `pos` lies: up to four name words, with particles and initials between.

    `lower_ok`: the first word may be in lower case ("je m'appelle julien"); `known_first`: the first
    word must be a known first name; `min_words`: how many name words make a name.
    """
    words = _words()
    start = end = None
    count = 0
    i = pos
    for _ in range(2 * _MAX_WORDS + 2):
        if start is not None:
            gap = _GAP.match(text, i)
            if gap is None:
                break
            i = gap.end()
        token = _TOKEN.match(text, i)
        if token is None:
            break
        kind, word = token.lastgroup, token.group()
        if kind == "particle" or kind == "initial":
            start = i if start is None else start
            if kind == "initial":
                end = token.end()
            i = token.end()
            continue
        folded = _fold(word)
        if kind == "lower" and not (lower_ok and start is None and folded not in words["stops"]):
            break  # a lower-case name only right after an introduction: "je m'appelle julien"
        if folded in words["not_a_person"] or count == 0 and known_first and folded.split("-")[0] not in words["first_names"]:
            break
        start = i if start is None else start
        end, i, count = token.end(), token.end(), count + 1
        if count == _MAX_WORDS:
            break
    return (start, end) if count >= min_words and start is not None and end is not None else None


def _belongs_to_a_place(text: str, start: int) -> bool:
    """"rue Jean Jaurès", "collège Victor Hugo", "avenue du Docteur Roux": a place, not a person."""
    return bool(_words()["place"].search(text[max(0, start - 60) : start]))


def _keep(text: str, found: tuple[int, int] | None, anchor: int, out: list) -> None:
    if found is not None and not _belongs_to_a_place(text, anchor):
        out.append(("name", found[0], found[1]))


def find_names(text: str, out: list) -> None:
    """Names after a civility, an introduction or a sign-off, and known first names with a surname."""
    words = _words()
    for m in words["abbreviation"].finditer(text):
        _keep(text, _span(text, m.end()), m.start(), out)
    for m in words["civility"].finditer(text):
        _keep(text, _span(text, m.end()), m.start(), out)
    for m in words["introduction"].finditer(text):
        _keep(text, _span(text, m.end(), lower_ok=True), m.start(), out)
    for m in words["weak_introduction"].finditer(text):
        _keep(text, _span(text, m.end(), known_first=True), m.start(), out)
    for m in words["signoff"].finditer(text):
        _keep(text, _span(text, _AFTER_SIGNOFF.match(text, m.end()).end()), m.start(), out)
    for m in words["weak_signoff"].finditer(text):
        _keep(text, _span(text, _AFTER_SIGNOFF.match(text, m.end()).end(), known_first=True), m.start(), out)
    for m in _CAPITALISED.finditer(text):
        if _fold(m.group()).split("-")[0] in words["first_names"]:
            _keep(text, _span(text, m.start(), known_first=True, min_words=2), m.start(), out)
