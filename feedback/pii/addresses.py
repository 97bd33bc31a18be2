"""Postal addresses in a comment: a numbered street, a lieu-dit, a postcode and city (see `feedback.pii`)."""

from __future__ import annotations

import re

from feedback.pii.common import LO, SP, UP, word_list

_FIVE_DIGITS = re.compile(r"(?=[0-9])(?<![0-9])[0-9]{5}(?![0-9])")

# Street types that are also common nouns ("1 place de libre", "2 cours de natation") need more than a lower-case name.
_NOUN_TYPES = frozenset(word_list("street_types_common_nouns.txt"))
_TYPES = frozenset(word_list("street_types.txt")) | _NOUN_TYPES
_TYPES_RE = "|".join(re.escape(t) for t in sorted(_TYPES, key=len, reverse=True))

_ADDR_HEAD = re.compile(
    r"(?=[1-9])(?<![\w.,/\-])"
    r"(?P<num>[1-9][0-9]{0,3})(?:" + SP + r"?[\-–/]" + SP + r"?[1-9][0-9]{0,3})?"
    r"(?:" + SP + r"?(?:(?i:bis|ter|quater)|[a-dA-H])(?!\w))?"
    r"(?:" + SP + r"*," + SP + r"*|" + SP + r"*)"
    r"(?:(?i:de" + SP + r"la|du|de" + SP + r"l['’])" + SP + r"*)?"
    # The street type is checked in Python: an alternation of 50 words at every number is slow.
    r"(?P<word>[^\W\d_]+(?:['’\-][^\W\d_]+)?\.?)"
)
_RUE_AFTER_GRANDE = re.compile(SP + r"?-?" + SP + r"?(?i:rue)(?![\w\-])")
_STREET_NO_NUMBER = re.compile(r"(?<![\w\-])(?P<type>(?i:" + _TYPES_RE + r"))(?![\w\-])")
_LIEU_DIT = re.compile(r"(?<![\w\-])(?P<type>(?i:lieu-dit|lieudit|lieu" + SP + r"dit))(?:" + SP + r"*:)?")

# A number glued to the word before it is that word's number, not a street number.
_NUMBER_OWNER = re.compile(
    r"(?:zone|ligne|bus|tram|m[ée]tro|rer|salle|[ée]tape|page|question|classe|voie|quai|"
    r"porte|b[âa]timent|b[âa]t|escalier|esc|appartement|appt|apt|[ée]tage|km|kilom[èe]tres?|"
    r"m[èe]tres?|article|guichet|bureau|box|lot|secteur|section|niveau|"
    r"chambre|lit|groupe|[ée]quipe|version|tome|chapitre)\.?" + SP + r"*$",
    re.I,
)
# Before the number, these make "3 place de la mairie" an address despite the lower case.
_HABITAT_CONTEXT = re.compile(
    r"(?:habit|adresse|domicil|r[ée]sid|demeur|livr|envoy|chez)"
    r"|\b(?:au|du|le)" + SP + r"+(?:n°" + SP + r"*)?$",
    re.I,
)

_PART = r"(?:de|du|des|la|le|les|aux|au|à" + SP + r"la|à|sur|sous|en|lès|lez|et)"
_PART_LOW = r"(?:de|du|des|la|le|les|aux|au)"
_ELISION = r"[dlDL]['’]"
_CAPW = r"[" + UP + r"][\w'’]*(?:-[\w'’]+)*"
_LOWW = r"[" + LO + r"][\w'’]*(?:-[\w'’]+)*"
_LEAD = r"(?:" + _PART + SP + r"+|" + _ELISION + SP + r"?){0,3}"
_LEAD_LOW = r"(?:" + _PART_LOW + SP + r"+|" + _ELISION + SP + r"?){0,3}"
_YEAR = r"(?:1[789][0-9]{2}|20[0-9]{2})(?![0-9])"

_NAME_CAP = re.compile(
    SP + r"+" + _LEAD + r"(?P<first>" + _CAPW + r"|[0-9]{1,2}(?:er)?" + SP + r"+" + _CAPW + r")"
    r"(?:" + SP + r"+" + _LEAD + r"(?:" + _CAPW + r"|" + _YEAR + r")){0,6}"
)
_NAME_LOW = re.compile(
    SP + r"+" + _LEAD_LOW + r"(?P<w1>" + _LOWW + r")"
    r"(?:" + SP + r"+(?P<w2>" + _LOWW + r"))?(?:" + SP + r"+(?P<w3>" + _LOWW + r"))?"
)
_CITY_CAP = (
    _CAPW
    + r"(?:(?:" + SP + r"+|-)(?!(?i:cedex)\b)"  # "Paris Cedex 07": Cedex is not part of the name
    + r"(?:" + _PART + SP + r"+|" + _ELISION + r")?" + _CAPW + r"){0,3}"
)
_CEDEX = r"(?:" + SP + r"+(?i:cedex)(?:" + SP + r"+[0-9]{1,2}(?![0-9]))?)?"
_TAIL = re.compile(  # after a street the city may be lower case: "12 rue des lilas 75013 paris"
    SP + r"*[,\-–—]?" + SP + r"*(?P<cp>[0-9]{5})"
    + SP + r"+(?:" + _CITY_CAP + r"|" + _LOWW + r")" + _CEDEX
)
_POSTCODE_CITY = re.compile(
    r"(?=[0-9])(?<![\w.,/\-])(?P<cp>[0-9]{5})" + SP + r"+(?P<city>" + _CITY_CAP + r")" + _CEDEX
)

# Words that cannot start a street name or a city ("2 cours Lundi", "12000 Euros").
_NOT_A_NAME = frozenset(word_list("not_a_street_name.txt"))
# Words that end a lower-case street name ("12 rue pasteur et ...").
_STOP = frozenset(word_list("street_name_stops.txt"))
# Adjectives, not names: "2 avenue principale", "3 rue voisine".
_ADJECTIVES = frozenset(word_list("street_adjectives.txt"))


def _first_word(s: str) -> str:
    return re.split(r"[\s'’\-]", s.strip(), maxsplit=1)[0].lower()


def _street_name_end(text: str, pos: int, allow_lower: bool) -> int | None:
    """End of the street name starting at ``pos`` (just after the street type), or None."""
    m = _NAME_CAP.match(text, pos)
    if m and _first_word(m.group("first")) not in _NOT_A_NAME:
        return m.end()
    if not allow_lower:
        return None
    m = _NAME_LOW.match(text, pos)
    if not m:
        return None
    w1, w2 = m.group("w1").lower(), (m.group("w2") or "").lower()
    no_particle = not text[pos : m.start("w1")].strip()
    lone = not w2 or w2 in _STOP
    if no_particle and lone and (w1.endswith(("é", "ée", "és", "ées")) or w1 in _ADJECTIVES):
        return None  # a participle or adjective, not a name: "3 rue barrées", "2 avenue principale"
    end = None
    for group in ("w1", "w2", "w3"):
        word = m.group(group)
        if word is None or word.lower() in _STOP or re.split(r"['’]", word)[0].lower() in _STOP:
            break
        end = m.end(group)
    return end


def _tail_end(text: str, pos: int) -> int | None:
    """End of ", 75013 Paris [Cedex 13]" right after ``pos``, or None."""
    m = _TAIL.match(text, pos)
    if not m or not _valid_postcode(m.group("cp")):
        return None
    return m.end() if _first_word(text[m.end("cp") : m.end()]) not in _NOT_A_NAME else None


_OVERSEAS_POSTCODES = frozenset(word_list("overseas_postcodes.txt"))


def _valid_postcode(cp: str) -> bool:
    return 1 <= int(cp[:2]) <= 95 or cp[:3] in _OVERSEAS_POSTCODES


def find_addresses(text: str, out: list) -> None:
    for m in _ADDR_HEAD.finditer(text):
        street_type, end = m.group("word").lower().replace("’", "'"), m.end()
        if street_type not in _TYPES and street_type.endswith("."):
            street_type, end = street_type[:-1], end - 1  # "12 rue." at the end of a sentence
        grande = None
        if street_type in ("grande", "grand"):
            grande = _RUE_AFTER_GRANDE.match(text, end)
        elif street_type in ("grand'rue", "grande-rue", "grand-rue"):
            grande = m
        if grande is None and street_type not in _TYPES:
            continue
        if _NUMBER_OWNER.search(text, max(0, m.start() - 20), m.start()):
            continue
        if grande is not None:
            end = grande.end()
        else:
            allow_lower = street_type not in _NOUN_TYPES or bool(
                _HABITAT_CONTEXT.search(text, max(0, m.start() - 30), m.start())
            )
            name_end = _street_name_end(text, end, allow_lower)
            if name_end is None:
                name_end = _tail_end(text, end)  # "12 rue, 75013 Paris"
                if name_end is None:
                    continue
            end = name_end
        tail = _tail_end(text, end)
        out.append(("address", m.start(), tail or end))

    for m in _LIEU_DIT.finditer(text):
        # "lieu dit" in two words is also ordinary French: only with a capitalised name.
        hyphenated = "-" in m.group("type") or m.group("type").lower() == "lieudit"
        end = _street_name_end(text, m.end(), allow_lower=hyphenated)
        if end is not None:
            out.append(("address", m.start(), _tail_end(text, end) or end))

    for m in _POSTCODE_CITY.finditer(text):
        if _valid_postcode(m.group("cp")) and _first_word(m.group("city")) not in _NOT_A_NAME:
            out.append(("address", m.start(), m.end()))
    # "rue des Lilas 75013 Paris": no number, but the postcode and city make it an address.
    # Only the few words before each postcode can be such a street.
    window_end = 0
    for postcode in _FIVE_DIGITS.finditer(text):
        window_start = max(window_end, postcode.start() - 80)
        window_end = postcode.start()
        for m in _STREET_NO_NUMBER.finditer(text, window_start, window_end):
            street_type = m.group("type").lower()
            end = _street_name_end(text, m.end(), allow_lower=street_type not in _NOUN_TYPES)
            if end is not None:
                tail = _tail_end(text, end)
                if tail is not None:
                    out.append(("address", m.start(), tail))
