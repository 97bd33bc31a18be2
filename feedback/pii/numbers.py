"""Numbers with a checksum: social security (NIR), IBAN and French RIB, payment cards (see `feedback.pii`)."""

from __future__ import annotations

import re

from feedback.pii.common import AMOUNT_AFTER, REFERENCE_WORDS, SEP, SP, digits_of, iban_lengths, text_before

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


# --------------------------------------------------------------------------- NIR

_NIR = re.compile(
    r"(?=[1-478])(?<![0-9A-Za-z])(?<![0-9][.,:/])"
    r"(?P<sex>[1-478])(?P<s1>" + SEP + r"?)(?P<yy>[0-9]{2})(?P<s2>" + SEP + r"?)"
    r"(?P<mm>[0-9]{2})(?P<s3>" + SEP + r"?)(?P<dep>[0-9]{2}|2[ABab])(?P<s4>" + SEP + r"?)"
    r"(?P<com>[0-9]{3})(?P<s5>" + SEP + r"?)(?P<ord>[0-9]{3})"
    r"(?:(?:" + SEP + r"?"  # the key: "… 084 91", "…084/91", "… 084 clé 91"
    r"|" + SP + r"?[/\-]" + SP + r"?"
    r"|" + SP + r"\(?(?i:cl[ée])" + SP + r"?:?" + SP + r"?)"
    r"(?P<key>[0-9]{2})\)?)?"
    r"(?![0-9A-Za-z])"
)
_KEY_FOLLOWS = re.compile(SEP + r"?[0-9]{2}(?![0-9])")


def _nir_ok(m: re.Match, text: str) -> bool:
    if AMOUNT_AFTER.match(text, m.end()):
        return False  # "… 37 719 502 €" is the tail of an amount
    context = text_before(text, m.start(), 50)
    if REFERENCE_WORDS.search(context[-30:]) and not _NIR_WORDS.search(context):
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
    return canonical or bool(_NIR_WORDS.search(context))


def find_nirs(text: str, out: list) -> None:
    for m in _NIR.finditer(text):
        if _nir_ok(m, text):
            out.append(("nir", m.start(), m.end()))


# --------------------------------------------------------------------------- IBAN / RIB

# ISO 13616 registry lengths, plus the francophone African IBANs in use.

_IBAN = re.compile(
    # A space after the country code only in upper case: "FR 76…", not "le 12 rue…".
    r"(?=[A-Za-z])(?<![0-9A-Za-z])(?P<cc>[A-Za-z]{2})(?:(?<=[A-Z]{2})" + SP + r")?(?P<check>[0-9]{2})"
    r"(?P<bban>(?:[\u0020\u00a0\u202f\-]?[0-9A-Za-z]){8,32})"
)
_RIB = re.compile(
    r"(?=[0-9])(?<![0-9A-Za-z])(?P<bank>[0-9]{5})" + SEP + r"?(?P<branch>[0-9]{5})" + SEP + r"?"
    r"(?P<account>[0-9A-Za-z]{11})" + SEP + r"?(?P<key>[0-9]{2})(?![0-9A-Za-z])"
)
_RIB_LETTERS = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "12345678912345678923456789")


def find_ibans(text: str, out: list) -> None:
    pos = 0
    while m := _IBAN.search(text, pos):
        length = iban_lengths().get(m.group("cc").upper())
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
    digits = digits_of(m.group())
    n = len(digits)
    if not (13 <= n <= 19) or digits[0] not in "23456" or not _luhn(digits):
        return False
    context = text_before(text, m.start(), 40)
    if REFERENCE_WORDS.search(context):
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
    return standalone or bool(_CARD_WORDS.search(context))


def find_cards(text: str, out: list) -> None:
    for m in _CARD.finditer(text):
        if _card_ok(m, text, loose=False):
            out.append(("card", m.start(), m.end()))
    for m in _CARD_LOOSE.finditer(text):
        if _CARD_WORDS.search(text_before(text, m.start(), 40)) and _card_ok(m, text, loose=True):
            out.append(("card", m.start(), m.end()))
