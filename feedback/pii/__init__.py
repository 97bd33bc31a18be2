"""Find and mask personal data in citizens' free-text comments.

Comments are masked before they are stored, analysed or quoted (DESIGN.md §7 and §8), and the
citizen is warned before sending a comment that seems to contain personal data; ``scan`` does both
in one reading, so each text is read once on its way in. The detector is pure ``re`` with
checksum validation: no network, no model, and linear-time patterns (every repetition is either
bounded or unambiguous, and every start is anchored by a look-behind), so that 100 000 comments
take seconds and a hostile 100 KB comment cannot stall a worker. Texts without a digit or an "@"
skip almost everything.

Each kind has its module: ``contacts`` (email, phone), ``numbers`` (NIR, IBAN, card),
``addresses``, ``names``; ``common`` holds what they share, and the word lists are data files
in ``feedback/data/pii/``.

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

``name``
    A person's name where the text announces one (``names.py``): after a civility (``M. Jean
    Dupont``, ``Mme Le Goff``, ``Dr J. Martin``, ``Monsieur DUPONT``); after a self-introduction,
    whatever its case (``je m'appelle julien``, ``mon nom est…``, ``my name is…``), or after ``je
    suis`` when a known first name follows (``je suis Marie Dubois``, not ``je suis Perdu``); after
    a sign-off (``Signé J. Dupont``, ``Cordialement, Marie``; ``Merci Julien`` only with a known
    first name); anywhere, a known first name followed by a capitalised surname (``Jean Dupont a
    appelé``). Only the name is masked: a civility stays, so the comment still reads (``M.
    [nom]``). Choices: names that belong to a place (``rue Jean Jaurès``, ``collège Victor Hugo``,
    ``avenue du Docteur Roux``, ``salle Jean-Moulin``) say where, not who, and are not masked (a
    numbered street is an ``address`` anyway); titles are not names (``Monsieur le Maire``,
    ``Madame la Directrice``); a single letter is already anonymous (``M. X``); a lone first name
    without such a context (``avec Marie``), a lower-case name after a civility (``monsieur
    dupont``) and a surname alone are not detected: too often ordinary words. The word lists are
    data (``feedback/data/pii/``): civilities, introductions, sign-offs, about 300 frequent first
    names in France, words that are not names, words that introduce a place.

On overlap the longest match wins, then the kind with the strongest validation
(iban > nir > card > email > phone > address > name).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from feedback.pii.addresses import find_addresses
from feedback.pii.common import KIND_LABELS, KINDS, PLACEHOLDERS, PRIORITY
from feedback.pii.contacts import find_emails, find_phones
from feedback.pii.names import find_names
from feedback.pii.numbers import find_cards, find_ibans, find_nirs

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

_HAS_DIGIT = re.compile(r"[0-9]")


@dataclass(frozen=True)
class PiiMatch:
    """One piece of personal data: its kind and where it is in the text."""

    kind: str
    start: int
    end: int
    text: str


def _resolve(text: str, candidates: list[tuple[str, int, int]]) -> list[PiiMatch]:
    """Keep non-overlapping candidates: longest first, then the most specific kind."""
    candidates.sort(key=lambda c: (c[1] - c[2], PRIORITY[c[0]], c[1]))
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
        find_emails(plain, candidates)
    if _HAS_DIGIT.search(plain):
        find_phones(plain, candidates)
        find_nirs(plain, candidates)
        find_ibans(plain, candidates)
        find_cards(plain, candidates)
        find_addresses(plain, candidates)
    elif "lieu" in lowered:
        find_addresses(plain, candidates)
    find_names(plain, candidates)
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
