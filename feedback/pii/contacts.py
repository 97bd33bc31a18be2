"""E-mail addresses and phone numbers in a comment (see `feedback.pii` for the choices made)."""

from __future__ import annotations

import re

from feedback.pii.common import AMOUNT_AFTER, REFERENCE_WORDS, SEP, SP, digits_of, text_before

# --------------------------------------------------------------------------- email

_EMAIL = re.compile(
    r"(?<![\w.%+\-])"
    r"[\w%+\-]+(?:\.[\w%+\-]+)*"
    r"(?:" + SP + r"?@" + SP + r"?"
    r"|" + SP + r"*[(\[](?:at|arobase)[)\]]" + SP + r"*"
    r"|" + SP + r"+arobase" + SP + r"+)"
    r"[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,24}(?![\w\-])"
)


_EMAIL_ANCHOR = re.compile(r"@|[(\[](?i:at)[)\]]|(?i:arobase)")


def find_emails(text: str, out: list) -> None:
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
    r"|(?:\+|00|\(\+|\(00)" + SP + r"?33\)?" + SEP + r"?"  # +33, 0033, (+33)
    r"(?:\(0\)" + SEP + r"?|0)?[1-79](?:" + SEP + r"?[0-9]{2}){4}"
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


def find_phones(text: str, out: list) -> None:
    for m in _PHONE_FR.finditer(text):
        if AMOUNT_AFTER.match(text, m.end()):
            continue
        undelimited = m.group("sep") == "" and m.group().startswith(("0", "O"))
        if undelimited and REFERENCE_WORDS.search(text_before(text, m.start(), 30)):
            continue
        out.append(("phone", m.start(), m.end()))
    for m in _PHONE_LOOSE.finditer(text):
        if len(digits_of(m.group())) != 10 or AMOUNT_AFTER.match(text, m.end()):
            continue
        if not _YEAR_GROUP.search(m.group()):  # "01 02 2025 10" is a date, not a phone
            out.append(("phone", m.start(), m.end()))
    for m in _PHONE_INTL.finditer(text):
        if 10 <= len(digits_of(m.group())) <= 15 and not AMOUNT_AFTER.match(text, m.end()):
            out.append(("phone", m.start(), m.end()))
