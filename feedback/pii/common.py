"""What every detector of `feedback.pii` shares: the kinds, the placeholders, character classes, context
words, and the word lists kept in `feedback/data/pii/`."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from lab.i18n import N_

DATA = Path(__file__).resolve().parents[1] / "data" / "pii"

KINDS: tuple[str, ...] = ("email", "phone", "nir", "iban", "card", "address", "name")

PLACEHOLDERS: dict[str, str] = {
    "email": "[courriel]",
    "phone": "[téléphone]",
    "nir": "[n° de sécurité sociale]",
    "iban": "[IBAN]",
    "card": "[carte bancaire]",
    "address": "[adresse]",
    "name": "[nom]",
}

# For the warning shown before sending: "Votre message semble contenir une adresse électronique…"
KIND_LABELS: dict[str, str] = {
    "email": N_("une adresse électronique"),
    "phone": N_("un numéro de téléphone"),
    "nir": N_("un numéro de sécurité sociale"),
    "iban": N_("des coordonnées bancaires"),
    "card": N_("un numéro de carte bancaire"),
    "address": N_("une adresse postale"),
    "name": N_("un nom de personne"),
}

#: On overlap, after length: the kind with the strongest validation wins.
PRIORITY = {"iban": 0, "nir": 1, "card": 2, "email": 3, "phone": 4, "address": 5, "name": 6}

SP = "[\u0020\u00a0\u202f]"  # space, no-break space, narrow no-break space (French typography)
SEP = "[\u0020\u00a0\u202f.\\-]"  # between digit groups
UP = "A-ZÀ-ÖØ-ÞŒŸ"
LO = "a-zß-öø-ÿœ"

PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))

# A reference, not a person: kills undelimited phones and any card right after it.
REFERENCE_WORDS = re.compile(
    r"siret|siren|\btva\b|dossier|factur|commande|colis|suivi|r[ée]f[ée]rence|\br[ée]f\b|"
    r"ticket|transaction|contrat|\bavis\b|fiscal|\bean\b|isbn|code[- ]?barre|\bn°\s*client"
)
# "… 466,50 €": the digits were an amount.
AMOUNT_AFTER = re.compile(
    r"(?:[,.][0-9]{1,2})?[\u0020\u00a0\u202f]*(?:€|eur\b|euros?\b|%|\$|usd\b|£)", re.I
)


def text_before(text: str, start: int, width: int) -> str:
    """The lower-cased text just before ``start``, without our own placeholders.

    Placeholders contain context words ("carte bancaire", "sécurité sociale"); scrubbing them
    keeps masking idempotent.
    """
    window = text[max(0, start - width) : start]
    close = window.find("]")
    if close != -1 and "[" not in window[:close]:
        window = window[close + 1 :]  # the tail of a placeholder cut by the window
    return PLACEHOLDER_RE.sub(" ", window).lower()


def digits_of(s: str) -> str:
    return "".join(c for c in s if "0" <= c <= "9")


@functools.cache
def word_list(name: str) -> tuple[str, ...]:
    """A list of `data/pii/`: one entry a line, in file order; `#` starts a comment."""
    lines = (line.split("#", 1)[0].strip() for line in (DATA / name).read_text(encoding="utf-8").splitlines())
    return tuple(line for line in lines if line)


@functools.cache
def iban_lengths() -> dict[str, int]:
    """IBAN length by country code."""
    return {code: int(length) for code, length in (line.split() for line in word_list("iban_lengths.txt"))}
