"""Comment text preprocessing: PII masking, language, tokens, stop words, stems, surface forms.

Citizens' comments are short, mostly French, sometimes English, often without accents or with
typos. Clustering works on *stems* matched without accents (so "démarche", "demarche" and
"démarches" are one feature), while labels show the *surface form* most often written for a
stem (so a theme reads "paiement · carte", never "pai · cart"). Only data-free parts of nltk are
used (Snowball stemmers, RegexpTokenizer): nltk's data downloader is never called.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize import RegexpTokenizer

from lab.folding import strip_accents

__all__ = [
    "Lang",
    "ProcessedText",
    "detect_language",
    "mask",
    "preprocess",
    "remove_placeholders",
    "split_at_placeholders",
    "stem",
    "stop_words",
    "surface_forms",
    "tokenize",
]

Lang = Literal["fr", "en"]

# Letters only (accents included, digits and "_" excluded): numbers, amounts and dates say
# nothing about a theme, and apostrophes split French elisions ("l'accueil" -> "l", "accueil").
_TOKENIZER = RegexpTokenizer(r"[^\W\d_]+")
_MIN_TOKEN_LEN = 2
_AUJOURDHUI = re.compile(r"aujourd\s*['’ʼ]\s*hui", re.IGNORECASE)
# Bracketed placeholders in case feedback.pii's list is unavailable; see remove_placeholders.
_GENERIC_PLACEHOLDER = re.compile(r"\[[^\[\]\n]{1,40}\]")

_FRENCH_ACCENTS = frozenset("éèêëàâîïôûùüçœ")

_SNOWBALL_NAMES: dict[str, str] = {"fr": "french", "en": "english"}


def _placeholder_pattern() -> re.Pattern[str]:
    """The PII placeholders of feedback.pii, so analysis drops exactly what masking inserted."""
    try:
        from feedback.pii import PLACEHOLDERS
    except ImportError:  # pragma: no cover - feedback is part of the same distribution
        return _GENERIC_PLACEHOLDER
    return re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))


@lru_cache(maxsize=1)
def _placeholders() -> re.Pattern[str]:
    """Compiled once: building the alternation on every comment would dominate at 100k."""
    return _placeholder_pattern()


def mask(text: str) -> str:
    """Mask personal data first, so no quote, label or vector ever carries it (DESIGN §8)."""
    from feedback.pii import mask_pii

    return mask_pii(text or "")


def remove_placeholders(text: str) -> str:
    """Drop "[courriel]"-style placeholders: they mark removed data, not what the comment says."""
    return " ".join(_placeholders().sub(" ", text).split())


def split_at_placeholders(text: str) -> list[str]:
    """The parts between placeholders: words on either side of removed data were never written together."""
    return _placeholders().split(text)


def tokenize(text: str) -> list[str]:
    """Lowercase letter tokens, accents kept (labels show them), placeholders and digits dropped."""
    text = _AUJOURDHUI.sub("aujourdhui", remove_placeholders(text))
    return [t for t in _TOKENIZER.tokenize(text.lower()) if len(t) >= _MIN_TOKEN_LEN]


@lru_cache(maxsize=2)
def _markers(lang: Lang) -> frozenset[str]:
    """Marker words of a language (data/markers_<lang>.txt), lowercase with their accents."""
    text = resources.files("analysis.themes").joinpath("data", f"markers_{lang}.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _guess_language(tokens: Sequence[str]) -> Lang | None:
    """Marker words of each language, plus one French vote per accented word; None on a tie."""
    fr_markers, en_markers = _markers("fr"), _markers("en")
    fr = sum(1 for t in tokens if t in fr_markers)
    en = sum(1 for t in tokens if t in en_markers)
    fr += sum(1 for t in tokens if not _FRENCH_ACCENTS.isdisjoint(t))
    if fr == en:
        return None
    return "fr" if fr > en else "en"


def detect_language(text_or_tokens: str | Sequence[str], default: Lang = "fr") -> Lang:
    """French or English from marker words and accents; ``default`` when there is no evidence."""
    tokens = tokenize(text_or_tokens) if isinstance(text_or_tokens, str) else text_or_tokens
    return _guess_language(tokens) or default


def _word_list(name: str) -> set[str]:
    """A shipped word list: one folded word per line, "#" comments."""
    text = resources.files("analysis.themes").joinpath("data", name).read_text(encoding="utf-8")
    return {strip_accents(line.strip().lower()) for line in text.splitlines() if line.strip() and not line.startswith("#")}


@lru_cache(maxsize=2)
def stop_words(lang: Lang) -> frozenset[str]:
    """Accent-folded stop words, so "tres" (typed without accent) is caught like "très"."""
    if lang == "fr":
        from stop_words import get_stop_words

        base = {strip_accents(w.lower()) for w in get_stop_words("french")}
    elif lang == "en":
        # scikit-learn's 318 words rather than stop-words' 1,333, which drops "problem", "help"...
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        base = set(ENGLISH_STOP_WORDS)
    else:
        raise ValueError(f"unsupported language: {lang!r}")
    return frozenset((base | _word_list(f"stopwords_{lang}_extra.txt")) - _word_list(f"stopwords_{lang}_keep.txt"))


@lru_cache(maxsize=2)
def _stemmer(lang: Lang) -> SnowballStemmer:
    """One Snowball stemmer per language, built once."""
    return SnowballStemmer(_SNOWBALL_NAMES[lang])


@lru_cache(maxsize=200_000)
def stem(token: str, lang: Lang) -> str:
    """Accent-folded Snowball stem, the matching key ("refusée", "refuse" -> "refus")."""
    return sys.intern(strip_accents(_stemmer(lang).stem(token)))


@dataclass(frozen=True, slots=True)
class ProcessedText:
    """One comment ready for analysis: masked text, language, content tokens and their stems."""

    # Slots and interned words: a million comments hold one copy of each word, not one per use.

    text: str
    lang: Lang
    tokens: tuple[str, ...]
    stems: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        """No content word left: "merci !", "ok", "[courriel]" cannot carry a theme."""
        return not self.stems


def _content(tokens: Sequence[str], lang: Lang) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Content tokens (stop words removed, matched folded) and their stems, aligned."""
    stops = stop_words(lang)
    kept = tuple(sys.intern(t) for t in tokens if strip_accents(t) not in stops)
    return kept, tuple(stem(t, lang) for t in kept)


def preprocess(texts: Iterable[str], *, lang: Lang | None = None, masked: bool = False) -> list[ProcessedText]:
    """Mask, tokenise, detect language (corpus majority breaks ties), drop stop words, stem."""
    # masked=True skips PII masking for texts already masked at ingestion.
    cleaned = [(t if masked else mask(t)) or "" for t in texts]
    all_tokens = [tokenize(t) for t in cleaned]
    if lang is not None:
        langs: list[Lang] = [lang] * len(cleaned)
    else:
        # A comment without marker words ("paiement refusé", "card declined") takes the language
        # most comments of the same corpus are written in, not a fixed guess.
        guesses = [_guess_language(tokens) for tokens in all_tokens]
        votes = Counter(guesses)
        majority: Lang = "en" if votes["en"] > votes["fr"] else "fr"
        langs = [guess or majority for guess in guesses]
    out = []
    for text, tokens, doc_lang in zip(cleaned, all_tokens, langs):
        kept, stems = _content(tokens, doc_lang)
        out.append(ProcessedText(text=text, lang=doc_lang, tokens=kept, stems=stems))
    return out


def _surface_rank(form: str, count: int) -> tuple[int, int, int, str]:
    """Most written first; on ties the accented spelling (a typo rarely adds accents), shorter."""
    accents = sum(1 for ch in form if not ch.isascii())
    return (-count, -accents, len(form), form)


def surface_forms(docs: Iterable[ProcessedText]) -> dict[str, str]:
    """Map each stem to the word most often written for it, so labels are real words."""
    counts: dict[str, Counter[str]] = {}
    for doc in docs:
        for token, key in zip(doc.tokens, doc.stems):
            counts.setdefault(key, Counter())[token] += 1
    return {key: min(forms.items(), key=lambda item: _surface_rank(*item))[0] for key, forms in counts.items()}
