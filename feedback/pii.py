"""Find and mask personal data in citizens' free-text comments.

Comments are masked before they are stored, analysed or quoted (DESIGN.md §7 and §8), and the
citizen is warned before sending a comment that seems to contain personal data; ``scan`` does both
in one reading, so each text is read once on its way in. The detector is pure ``re`` with
checksum validation: no network, no model, and linear-time patterns (every repetition is either
bounded or unambiguous, and every start is anchored by a look-behind), so that 100 000 comments
take seconds and a hostile 100 KB comment cannot stall a worker. Texts without a digit or an "@"
skip almost everything.

Kinds and the choices made for ambiguous cases:

``email``
    ``local@domain.tld``, also with spaces around ``@`` and the obfuscations ``arobase``,
    ``(at)`` and ``[at]``. Local parts longer than 100 characters (the RFC says 64) are ignored.
``phone``
    French numbers: ``0X`` followed by four pairs, all joined by the same separator (space,
    no-break space, dot, dash, slash) or none; ``+33``/``0033`` with an optional ``(0)``. Mobile
    06/07, landlines 01-05 and 09. ``08`` numbers are businesses and public services (numéros
    verts, 0 800…), not people: not detected. A leading letter O instead of zero is accepted,
    as are ``(+33)`` and irregular groupings of 2-4 digits ("0639 98 12 34") unless a group
    looks like a year ("01 02 2025 10" is a date). Other countries: ``+`` and 10 to 15 digits
    (the ``+`` is the signal). Not a phone: ten undelimited digits after a reference word
    (dossier, facture, commande…), digits followed by a currency or ``%``, a date or time tail.
``nir``
    French social security number (and the NIA, sex digit 7/8, and 3/4): sex, year, month
    (01-12, or 20-42 and 50-99 used for incomplete civil status), department (01-99, 2A, 2B),
    commune, order number (not 000) and the two-digit key, which must equal
    ``97 - number mod 97`` (2A counts as 19, 2B as 18). Separators are accepted only at the
    boundaries of those fields. Without a key, 13 digits are ambiguous (EAN barcodes, tax
    numbers...), so they count only when written in the official grouping ``1 85 05 78 006 084``
    or after a word such as "sécu", "NIR", "carte vitale", "INSEE". After a reference word
    (dossier, ticket…) and no such word, even a valid key (1 chance in 97) is not enough.
``iban``
    Any country of the IBAN registry (plus the francophone African ones), with or without
    spaces, any case: the length must be the country's and the mod-97 check must hold. A French
    RIB (bank 5 + branch 5 + account 11 + key 2, with its own key check) is the same information
    and is reported as ``iban`` too.
``card``
    13-19 digits passing Luhn, issuer digit 2-6 (cards of other industries do not exist in
    practice). Card layouts (4-4-4-4[-1..3], Amex 4-6-5 starting 34/37, Diners 4-6-4) and 16
    undelimited digits count on their own; other lengths or layouts only after a card word
    ("carte bancaire", "CB", "visa", "card"...). In particular a 14-digit SIRET (which is
    Luhn-valid by construction) is a company identifier and is not a card, and nothing is a
    card right after "SIRET", "dossier", "facture", "ticket"...
``address``
    A street number (with bis/ter, ranges, "au 12 de la rue") then a street type (rue, avenue,
    bd, chemin, allée, impasse, place, route, quai, cours, square, lieu-dit, Grande Rue...) then a
    name, optionally followed by a postcode and city; a "lieu-dit" with its name; a bare
    ``postcode City`` (``75013 Paris``); a street name immediately followed by postcode and city.
    Choices: a street *without number* ("la rue de la République est en travaux") does not
    identify anyone and is not detected; a postcode alone ("j'habite le 93", "code postal 33000")
    is not detected; words that are also common nouns (place, cours, route, square, mail, cour,
    port…) need a capitalised name ("2 cours Mirabeau", not "2 cours de natation") or an
    ``au``/"habite" context; a number that belongs to a preceding word ("zone 30 avenue…",
    "ligne 12 rue…", "bâtiment 3 de la cité…") is not a street number. "Bâtiment B, 2e étage"
    is not an address. English street layouts (``221B Baker Street``) are not handled.

Person names are out of scope: too error-prone without a model.

On overlap the longest match wins, then the kind with the strongest validation
(iban > nir > card > email > phone > address).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from lab.i18n import N_

__all__ = [
    "KINDS",
    "KIND_LABELS",
    "PLACEHOLDERS",
    "PiiMatch",
    "Scan",
    "find_pii",
    "has_pii",
    "mask_pii",
    "scan",
]

KINDS: tuple[str, ...] = ("email", "phone", "nir", "iban", "card", "address")

PLACEHOLDERS: dict[str, str] = {
    "email": "[courriel]",
    "phone": "[téléphone]",
    "nir": "[n° de sécurité sociale]",
    "iban": "[IBAN]",
    "card": "[carte bancaire]",
    "address": "[adresse]",
}

# For the warning shown before sending: "Votre message semble contenir une adresse électronique…"
KIND_LABELS: dict[str, str] = {
    "email": N_("une adresse électronique"),
    "phone": N_("un numéro de téléphone"),
    "nir": N_("un numéro de sécurité sociale"),
    "iban": N_("des coordonnées bancaires"),
    "card": N_("un numéro de carte bancaire"),
    "address": N_("une adresse postale"),
}

_PRIORITY = {"iban": 0, "nir": 1, "card": 2, "email": 3, "phone": 4, "address": 5}


@dataclass(frozen=True)
class PiiMatch:
    """One piece of personal data: its kind and where it is in the text."""

    kind: str
    start: int
    end: int
    text: str


# --------------------------------------------------------------------------- building blocks

_SP = "[\u0020\u00a0\u202f]"  # space, no-break space, narrow no-break space (French typography)
_SEP = "[\u0020\u00a0\u202f.\\-]"  # between digit groups
_UP = "A-ZÀ-ÖØ-ÞŒŸ"
_LO = "a-zß-öø-ÿœ"

_HAS_DIGIT = re.compile(r"[0-9]")
_FIVE_DIGITS = re.compile(r"(?=[0-9])(?<![0-9])[0-9]{5}(?![0-9])")

_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))

# A reference, not a person: kills undelimited phones and any card right after it.
_REFERENCE_WORDS = re.compile(
    r"siret|siren|\btva\b|dossier|factur|commande|colis|suivi|r[ée]f[ée]rence|\br[ée]f\b|"
    r"ticket|transaction|contrat|\bavis\b|fiscal|\bean\b|isbn|code[- ]?barre|\bn°\s*client"
)
_CARD_WORDS = re.compile(
    # "carte" alone is a payment card, but not a carte vitale, grise, de bibliothèque...
    r"\bcartes?\b(?!\s+(?:vitale|grise|famille|senior|jeune|[ée]tudiante?|(?:de|d['’])\s*(?:"
    r"identit|s[ée]jour|r[ée]sident|[ée]lecteur|[ée]tudiant|biblioth|m[ée]diath|bus|transport|"
    r"abonnement|adh[ée]rent|cantine|piscine|stationnement|parking|d[ée]ch[eè]t|acc[eè]s|membre|"
    r"fid[ée]lit|famille|invalidit|mobilit|handicap|priorit|combattant|visite)))|"
    r"\bcb\b|\bvisa\b|master\s?card|\bamex\b|american\s+express|discover|diners|maestro|"
    r"\bcards?\b|\bcvv\b|cryptogramme|pay[ée]|paiement|pr[ée]lev|d[ée]bit"
)
_NIR_WORDS = re.compile(
    r"s[ée]cu\b|s[ée]curit[ée]\s+sociale|\bnir\b|\bn°?\s*ss\b|\bnss\b|insee|vitale|ameli|"
    r"assur[ée]\s+social|social\s+security|\bnia\b"
)


def _before(text: str, start: int, width: int) -> str:
    """The lower-cased text just before ``start``, without our own placeholders.

    Placeholders contain context words ("carte bancaire", "sécurité sociale"); scrubbing them
    keeps masking idempotent.
    """
    window = text[max(0, start - width) : start]
    close = window.find("]")
    if close != -1 and "[" not in window[:close]:
        window = window[close + 1 :]  # the tail of a placeholder cut by the window
    return _PLACEHOLDER_RE.sub(" ", window).lower()


def _digits(s: str) -> str:
    return "".join(c for c in s if "0" <= c <= "9")


def _luhn(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = ord(c) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _alnum_to_int(s: str) -> int:
    """IBAN digits: A=10 … Z=35."""
    return int("".join(str(int(c, 36)) for c in s))


# --------------------------------------------------------------------------- email

_EMAIL = re.compile(
    r"(?<![\w.%+\-])"
    r"[\w%+\-]+(?:\.[\w%+\-]+)*"
    r"(?:" + _SP + r"?@" + _SP + r"?"
    r"|" + _SP + r"*[(\[](?:at|arobase)[)\]]" + _SP + r"*"
    r"|" + _SP + r"+arobase" + _SP + r"+)"
    r"[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,24}(?![\w\-])"
)


_EMAIL_ANCHOR = re.compile(r"@|[(\[](?i:at)[)\]]|(?i:arobase)")


def _find_emails(text: str, out: list) -> None:
    # Scanning the whole text would try every word as a local part: only scan around the anchors
    # ("@", "arobase"...), in merged windows so that each character is scanned once. The
    # look-behind still sees the text before a window, so no match starts inside a word.
    windows: list[list[int]] = []
    for anchor in _EMAIL_ANCHOR.finditer(text):
        start, end = max(0, anchor.start() - 100), anchor.end() + 300
        if windows and start <= windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    for start, end in windows:
        for m in _EMAIL.finditer(text, start, end):
            out.append(("email", m.start(), m.end()))


# --------------------------------------------------------------------------- phone

# Not followed by more of a number, a date or a time: "…/11/2014", "…15h".
_PHONE_END = r"(?![0-9])(?![./:\-][0-9])(?![hH](?:[0-9]|\b))"
_PHONE_FR = re.compile(
    r"(?=[0O+(])(?<![0-9A-Za-z+])(?:"
    r"[0O][1-79](?P<sep>[\u0020\u00a0\u202f./\-]?)[0-9]{2}(?:(?P=sep)[0-9]{2}){3}"
    r"|(?:\+|00|\(\+|\(00)" + _SP + r"?33\)?" + _SEP + r"?"  # +33, 0033, (+33)
    r"(?:\(0\)" + _SEP + r"?|0)?[1-79](?:" + _SEP + r"?[0-9]{2}){4}"
    r")" + _PHONE_END
)
# Irregular groupings ("0639 98 12 34", "06 39 98  12 34"): groups of 2-4 digits, validated below.
_PHONE_LOOSE = re.compile(
    r"(?=0)(?<![0-9A-Za-z+])(?<![0-9][\u0020\u00a0\u202f.,:/\-])"  # not the tail of another number
    r"0[1-79][0-9]{0,2}(?:[\u0020\u00a0\u202f.\-]{1,2}[0-9]{2,4}){1,4}" + _PHONE_END
)
_YEAR_GROUP = re.compile(r"[^0-9](?:19|20)[0-9]{2}(?![0-9])")
# Other countries: the "+" is the signal; 10-15 digits in all.
_PHONE_INTL = re.compile(r"(?=\+)(?<![0-9A-Za-z+])\+(?!33)[1-9][0-9\u0020\u00a0.\-()]{8,20}(?<=[0-9])(?![0-9])")
# "… 466,50 €": the digits were an amount.
_AMOUNT_AFTER = re.compile(
    r"(?:[,.][0-9]{1,2})?[\u0020\u00a0\u202f]*(?:€|eur\b|euros?\b|%|\$|usd\b|£)", re.I
)


def _find_phones(text: str, out: list) -> None:
    for m in _PHONE_FR.finditer(text):
        if _AMOUNT_AFTER.match(text, m.end()):
            continue
        undelimited = m.group("sep") == "" and m.group().startswith(("0", "O"))
        if undelimited and _REFERENCE_WORDS.search(_before(text, m.start(), 30)):
            continue
        out.append(("phone", m.start(), m.end()))
    for m in _PHONE_LOOSE.finditer(text):
        if len(_digits(m.group())) != 10 or _AMOUNT_AFTER.match(text, m.end()):
            continue
        if not _YEAR_GROUP.search(m.group()):  # "01 02 2025 10" is a date, not a phone
            out.append(("phone", m.start(), m.end()))
    for m in _PHONE_INTL.finditer(text):
        if 10 <= len(_digits(m.group())) <= 15 and not _AMOUNT_AFTER.match(text, m.end()):
            out.append(("phone", m.start(), m.end()))


# --------------------------------------------------------------------------- NIR

_NIR = re.compile(
    r"(?=[1-478])(?<![0-9A-Za-z])(?<![0-9][.,:/])"
    r"(?P<sex>[1-478])(?P<s1>" + _SEP + r"?)(?P<yy>[0-9]{2})(?P<s2>" + _SEP + r"?)"
    r"(?P<mm>[0-9]{2})(?P<s3>" + _SEP + r"?)(?P<dep>[0-9]{2}|2[ABab])(?P<s4>" + _SEP + r"?)"
    r"(?P<com>[0-9]{3})(?P<s5>" + _SEP + r"?)(?P<ord>[0-9]{3})"
    r"(?:(?:" + _SEP + r"?"  # the key: "… 084 91", "…084/91", "… 084 clé 91"
    r"|" + _SP + r"?[/\-]" + _SP + r"?"
    r"|" + _SP + r"\(?(?i:cl[ée])" + _SP + r"?:?" + _SP + r"?)"
    r"(?P<key>[0-9]{2})\)?)?"
    r"(?![0-9A-Za-z])"
)
_KEY_FOLLOWS = re.compile(_SEP + r"?[0-9]{2}(?![0-9])")


def _nir_ok(m: re.Match, text: str) -> bool:
    if _AMOUNT_AFTER.match(text, m.end()):
        return False  # "… 37 719 502 €" is the tail of an amount
    before = _before(text, m.start(), 50)
    if _REFERENCE_WORDS.search(before[-30:]) and not _NIR_WORDS.search(before):
        return False
    month = int(m.group("mm"))
    if not (1 <= month <= 12 or 20 <= month <= 42 or 50 <= month <= 99):
        return False
    dep = m.group("dep").upper()
    if dep == "00" or m.group("ord") == "000":
        return False
    body = "".join(m.group(g) for g in ("sex", "yy", "mm", "dep", "com", "ord")).upper()
    number = int(body.replace("2A", "19").replace("2B", "18"))
    key = m.group("key")
    if key is not None:
        return int(key) == 97 - number % 97
    if _KEY_FOLLOWS.match(text, m.end()):
        return False  # a key is there but did not validate above: not a NIR
    canonical = all(m.group(s) for s in ("s1", "s2", "s3", "s4", "s5"))
    return canonical or bool(_NIR_WORDS.search(before))


def _find_nirs(text: str, out: list) -> None:
    for m in _NIR.finditer(text):
        if _nir_ok(m, text):
            out.append(("nir", m.start(), m.end()))


# --------------------------------------------------------------------------- IBAN / RIB

# ISO 13616 registry lengths, plus the francophone African IBANs in use.
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
    "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
    "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23,
    "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
    "BF": 28, "BJ": 28, "CF": 27, "CG": 27, "CI": 28, "CM": 27, "DZ": 26, "GA": 27, "GQ": 27,
    "GW": 25, "KM": 27, "MA": 28, "MG": 27, "ML": 28, "NE": 28, "SN": 28, "TD": 27, "TG": 28,
}

_IBAN = re.compile(
    # A space after the country code only in upper case: "FR 76…", not "le 12 rue…".
    r"(?=[A-Za-z])(?<![0-9A-Za-z])(?P<cc>[A-Za-z]{2})(?:(?<=[A-Z]{2})" + _SP + r")?(?P<check>[0-9]{2})"
    r"(?P<bban>(?:[\u0020\u00a0\u202f\-]?[0-9A-Za-z]){8,32})"
)
_RIB = re.compile(
    r"(?=[0-9])(?<![0-9A-Za-z])(?P<bank>[0-9]{5})" + _SEP + r"?(?P<branch>[0-9]{5})" + _SEP + r"?"
    r"(?P<account>[0-9A-Za-z]{11})" + _SEP + r"?(?P<key>[0-9]{2})(?![0-9A-Za-z])"
)
_RIB_LETTERS = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "12345678912345678923456789")


def _find_ibans(text: str, out: list) -> None:
    pos = 0
    while m := _IBAN.search(text, pos):
        length = _IBAN_LENGTHS.get(m.group("cc").upper())
        end = None
        if length:
            need, i, stop = length - 4, m.start("bban"), m.end("bban")
            while need and i < stop:
                if text[i].isalnum():
                    need -= 1
                i += 1
            if need == 0 and not (i < len(text) and text[i].isascii() and text[i].isalnum()):
                compact = "".join(c for c in text[m.start("bban") : i] if c.isalnum()).upper()
                code = compact + m.group("cc").upper() + m.group("check")
                if _alnum_to_int(code) % 97 == 1:
                    end = i
        if end is None:
            pos = m.start() + 1
        else:
            out.append(("iban", m.start(), end))
            pos = end
    for m in _RIB.finditer(text):
        account = m.group("account").upper()
        if sum(c.isdigit() for c in account) < 8:
            continue
        bank, branch = int(m.group("bank")), int(m.group("branch"))
        acc = int(account.translate(_RIB_LETTERS))
        if int(m.group("key")) == 97 - (89 * bank + 15 * branch + 3 * acc) % 97:
            out.append(("iban", m.start(), m.end()))


# --------------------------------------------------------------------------- payment card

_CSEP = "[\u0020\u00a0\u202f\\-]"
_CARD = re.compile(
    r"(?=[0-9])(?<![0-9])(?:"
    r"(?P<g4>[0-9]{4}(?P<s>" + _CSEP + r")[0-9]{4}(?P=s)[0-9]{4}(?P=s)"  # 4-4-4-4[-1..3] or 4-4-4-1..3
    r"(?:[0-9]{4}(?:(?P=s)[0-9]{1,3})?|[0-9]{1,3}))"
    r"|(?P<g6>[0-9]{4}" + _CSEP + r"[0-9]{6}" + _CSEP + r"[0-9]{4,5})"
    r"|(?P<flat>[0-9]{13,19})"
    r")(?![0-9])"
)
# Any other layout, only after a card word.
_CARD_LOOSE = re.compile(r"(?=[0-9])(?<![0-9])[0-9](?:" + _CSEP + r"?[0-9]){12,18}(?![0-9])")


def _card_ok(m: re.Match, text: str, loose: bool) -> bool:
    digits = _digits(m.group())
    n = len(digits)
    if not (13 <= n <= 19) or digits[0] not in "23456" or not _luhn(digits):
        return False
    before = _before(text, m.start(), 40)
    if _REFERENCE_WORDS.search(before):
        return False
    if loose:
        return True  # the caller only looks at loose layouts after a card word
    amex = n == 15 and digits[:2] in ("34", "37")
    if m.group("g4"):
        standalone = n >= 16
    elif m.group("g6"):
        standalone = amex or (n == 14 and digits[:2] in ("30", "36", "38", "39"))  # Amex, Diners
    else:
        standalone = n == 16 or amex
    return standalone or bool(_CARD_WORDS.search(before))


def _find_cards(text: str, out: list) -> None:
    for m in _CARD.finditer(text):
        if _card_ok(m, text, loose=False):
            out.append(("card", m.start(), m.end()))
    for m in _CARD_LOOSE.finditer(text):
        if _CARD_WORDS.search(_before(text, m.start(), 40)) and _card_ok(m, text, loose=True):
            out.append(("card", m.start(), m.end()))


# --------------------------------------------------------------------------- postal address

# Street types that are not also everyday words: a lower-case name is enough after them.
_TYPES_STREET = (
    "rue", "ruelle", "avenue", "av.", "av", "ave", "boulevard", "bd", "bld", "blvd", "bvd",
    "chemin", "allée", "allee", "impasse", "imp.", "imp", "quai", "faubourg", "fbg", "venelle",
    "rond-point", "lieu-dit", "lieudit",
)
# Street types that are also common nouns ("1 place de libre", "2 cours de natation").
_TYPES_NOUN = (
    "place", "pl.", "route", "rte", "cours", "square", "sq.", "passage", "villa", "cité", "cite",
    "résidence", "residence", "hameau", "lotissement", "voie", "esplanade", "promenade",
    "parvis", "traverse", "clos", "domaine", "mail", "cour", "port", "quartier", "sente", "sentier",
    "montée", "chaussée",
)
_NOUN_TYPES = frozenset(_TYPES_NOUN)
_TYPES_RE = "|".join(re.escape(t) for t in sorted(_TYPES_STREET + _TYPES_NOUN, key=len, reverse=True))
_TYPES = frozenset(_TYPES_STREET + _TYPES_NOUN)

_ADDR_HEAD = re.compile(
    r"(?=[1-9])(?<![\w.,/\-])"
    r"(?P<num>[1-9][0-9]{0,3})(?:" + _SP + r"?[\-–/]" + _SP + r"?[1-9][0-9]{0,3})?"
    r"(?:" + _SP + r"?(?:(?i:bis|ter|quater)|[a-dA-H])(?!\w))?"
    r"(?:" + _SP + r"*," + _SP + r"*|" + _SP + r"*)"
    r"(?:(?i:de" + _SP + r"la|du|de" + _SP + r"l['’])" + _SP + r"*)?"
    # The street type is checked in Python: an alternation of 50 words at every number is slow.
    r"(?P<word>[^\W\d_]+(?:['’\-][^\W\d_]+)?\.?)"
)
_RUE_AFTER_GRANDE = re.compile(_SP + r"?-?" + _SP + r"?(?i:rue)(?![\w\-])")
_STREET_NO_NUMBER = re.compile(r"(?<![\w\-])(?P<type>(?i:" + _TYPES_RE + r"))(?![\w\-])")
_LIEU_DIT = re.compile(r"(?<![\w\-])(?P<type>(?i:lieu-dit|lieudit|lieu" + _SP + r"dit))(?:" + _SP + r"*:)?")

# A number glued to the word before it is that word's number, not a street number.
_NUMBER_OWNER = re.compile(
    r"(?:zone|ligne|bus|tram|m[ée]tro|rer|salle|[ée]tape|page|question|classe|voie|quai|"
    r"porte|b[âa]timent|b[âa]t|escalier|esc|appartement|appt|apt|[ée]tage|km|kilom[èe]tres?|"
    r"m[èe]tres?|article|guichet|bureau|box|lot|secteur|section|niveau|"
    r"chambre|lit|groupe|[ée]quipe|version|tome|chapitre)\.?" + _SP + r"*$",
    re.I,
)
# Before the number, these make "3 place de la mairie" an address despite the lower case.
_HABITAT_CONTEXT = re.compile(
    r"(?:habit|adresse|domicil|r[ée]sid|demeur|livr|envoy|chez)"
    r"|\b(?:au|du|le)" + _SP + r"+(?:n°" + _SP + r"*)?$",
    re.I,
)

_PART = r"(?:de|du|des|la|le|les|aux|au|à" + _SP + r"la|à|sur|sous|en|lès|lez|et)"
_PART_LOW = r"(?:de|du|des|la|le|les|aux|au)"
_ELISION = r"[dlDL]['’]"
_CAPW = r"[" + _UP + r"][\w'’]*(?:-[\w'’]+)*"
_LOWW = r"[" + _LO + r"][\w'’]*(?:-[\w'’]+)*"
_LEAD = r"(?:" + _PART + _SP + r"+|" + _ELISION + _SP + r"?){0,3}"
_LEAD_LOW = r"(?:" + _PART_LOW + _SP + r"+|" + _ELISION + _SP + r"?){0,3}"
_YEAR = r"(?:1[789][0-9]{2}|20[0-9]{2})(?![0-9])"

_NAME_CAP = re.compile(
    _SP + r"+" + _LEAD + r"(?P<first>" + _CAPW + r"|[0-9]{1,2}(?:er)?" + _SP + r"+" + _CAPW + r")"
    r"(?:" + _SP + r"+" + _LEAD + r"(?:" + _CAPW + r"|" + _YEAR + r")){0,6}"
)
_NAME_LOW = re.compile(
    _SP + r"+" + _LEAD_LOW + r"(?P<w1>" + _LOWW + r")"
    r"(?:" + _SP + r"+(?P<w2>" + _LOWW + r"))?(?:" + _SP + r"+(?P<w3>" + _LOWW + r"))?"
)
_CITY_CAP = (
    _CAPW
    + r"(?:(?:" + _SP + r"+|-)(?!(?i:cedex)\b)"  # "Paris Cedex 07": Cedex is not part of the name
    + r"(?:" + _PART + _SP + r"+|" + _ELISION + r")?" + _CAPW + r"){0,3}"
)
_CEDEX = r"(?:" + _SP + r"+(?i:cedex)(?:" + _SP + r"+[0-9]{1,2}(?![0-9]))?)?"
_TAIL = re.compile(  # after a street the city may be lower case: "12 rue des lilas 75013 paris"
    _SP + r"*[,\-–—]?" + _SP + r"*(?P<cp>[0-9]{5})"
    + _SP + r"+(?:" + _CITY_CAP + r"|" + _LOWW + r")" + _CEDEX
)
_POSTCODE_CITY = re.compile(
    r"(?=[0-9])(?<![\w.,/\-])(?P<cp>[0-9]{5})" + _SP + r"+(?P<city>" + _CITY_CAP + r")" + _CEDEX
)

# Words that cannot start a street name or a city ("2 cours Lundi", "12000 Euros").
_NOT_A_NAME = frozenset(
    [
        "je", "j", "il", "elle", "on", "nous", "vous", "ils", "elles", "merci", "mais", "et", "donc", "car", "pour",
        "par", "avec", "sans", "puis", "bonjour", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
        "dimanche", "janvier", "février", "fevrier", "mars", "avril", "mai", "juin", "juillet", "août", "aout",
        "septembre", "octobre", "novembre", "décembre", "decembre", "euros", "euro", "eur", "habitants", "personnes",
        "foyers", "familles", "usagers", "visiteurs", "participants", "demandes", "dossiers", "réponses", "reponses",
        "km", "kilomètres", "mètres", "ans", "jours", "heures", "minutes", "places"
    ]
)
# Words that end a lower-case street name ("12 rue pasteur et ...").
_STOP = frozenset(
    [
        "a", "à", "au", "aux", "avec", "c", "ce", "cet", "cette", "ces", "chez", "comme", "d", "dans", "de", "des",
        "du", "elle", "elles", "en", "est", "et", "était", "etait", "été", "ete", "fait", "il", "ils", "j", "je", "l",
        "la", "le", "les", "leur", "lui", "m", "ma", "mais", "me", "mes", "mon", "n", "ne", "ni", "nous", "on", "ou",
        "où", "par", "pas", "pour", "plus", "qu", "que", "qui", "s", "sa", "sans", "se", "ses", "si", "son", "sont",
        "sur", "t", "ta", "te", "tes", "ton", "tout", "tous", "très", "tres", "trop", "tu", "un", "une", "vers", "vos",
        "votre", "vous", "y", "depuis", "devant", "derrière", "derriere", "après", "apres", "avant", "encore", "jamais",
        "toujours", "aussi", "bien", "mal", "quand", "alors", "donc", "car", "puis", "ça", "ca", "cela", "ceci", "ici",
        "là-bas", "bloqué", "bloquée", "fermé", "fermée", "ferme"
    ]
)
_ADJECTIVES = frozenset(
    [
        "principale", "principales", "piétonne", "piétonnes", "pietonne", "adjacente", "adjacentes", "voisine",
        "voisines", "parallèle", "parallèles", "perpendiculaire", "perpendiculaires", "suivante", "suivantes",
        "précédente", "commerçante", "commerçantes", "sombre", "sombres", "étroite", "étroites"
    ]
)


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


_OVERSEAS_POSTCODES = frozenset(["971", "972", "973", "974", "975", "976", "977", "978", "980", "986", "987", "988"])


def _valid_postcode(cp: str) -> bool:
    return 1 <= int(cp[:2]) <= 95 or cp[:3] in _OVERSEAS_POSTCODES


def _find_addresses(text: str, out: list) -> None:
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


# --------------------------------------------------------------------------- public API


def _resolve(text: str, candidates: list[tuple[str, int, int]]) -> list[PiiMatch]:
    """Keep non-overlapping candidates: longest first, then the most specific kind."""
    candidates.sort(key=lambda c: (c[1] - c[2], _PRIORITY[c[0]], c[1]))
    taken = bytearray(len(text))
    kept = []
    for kind, start, end in candidates:
        if taken.find(1, start, end) == -1:
            taken[start:end] = b"\x01" * (end - start)
            kept.append((start, end, kind))
    kept.sort()
    return [PiiMatch(kind, start, end, text[start:end]) for start, end, kind in kept]


@lru_cache(maxsize=4096)
def _compatible(char: str) -> str:
    """A character's compatibility form when it is one character ("０" → "0", "＠" → "@"), else itself."""
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


def _comparable(text: str) -> str:
    """`text` with full-width and other compatibility characters read as their plain forms, at the same
    positions: detection reads this, masking applies to the original, which keeps its own characters."""
    return text if text.isascii() else "".join(_compatible(char) for char in text)


def find_pii(text: str) -> list[PiiMatch]:
    """Personal data found in ``text``: non-overlapping, in order of position (full-width forms included)."""
    if not text:
        return []
    candidates: list[tuple[str, int, int]] = []
    plain = _comparable(text)
    lowered = plain.lower()
    # Cheap pre-checks: most comments have no "@" and many have no digit at all.
    if "@" in plain or "(at)" in lowered or "[at]" in lowered or "arobase" in lowered:
        _find_emails(plain, candidates)
    if _HAS_DIGIT.search(plain):
        _find_phones(plain, candidates)
        _find_nirs(plain, candidates)
        _find_ibans(plain, candidates)
        _find_cards(plain, candidates)
        _find_addresses(plain, candidates)
    elif "lieu" in lowered:
        _find_addresses(plain, candidates)
    return _resolve(text, candidates)


@dataclass(frozen=True)
class Scan:
    """A text read once on its way in: the warning shows ``kinds`` and the store keeps ``masked``."""

    masked: str
    kinds: tuple[str, ...]  # in ``KINDS`` order, as written (before masking)


def _masked(text: str, matches: list[PiiMatch]) -> str:
    """Replace ``matches`` by placeholders, again until nothing is found (see ``mask_pii``)."""
    for _ in range(10):  # in practice one pass, two when masking removed a context word
        if not matches:
            break
        parts, pos = [], 0
        for match in matches:
            parts.append(text[pos : match.start])
            parts.append(PLACEHOLDERS[match.kind])
            pos = match.end
        parts.append(text[pos:])
        text = "".join(parts)
        matches = find_pii(text)
    return text


def scan(text: str) -> Scan:
    """Warn about and mask a text in one reading, so that nothing downstream reads it again."""
    matches = find_pii(text)
    found = {match.kind for match in matches}
    return Scan(_masked(text, matches), tuple(kind for kind in KINDS if kind in found))


def mask_pii(text: str) -> str:
    """``text`` with each piece of personal data replaced by a French placeholder.

    Masking repeats until nothing is found, so the result never contains detectable personal
    data and masking it again changes nothing.
    """
    return _masked(text, find_pii(text))


def has_pii(text: str) -> bool:
    """Whether ``text`` seems to contain personal data."""
    return bool(find_pii(text))
