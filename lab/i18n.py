"""French-first interface text with an English catalogue, chosen per request."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.numbers import format_percent as babel_format_percent
from babel.support import NullTranslations, Translations

LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
#: CLDR data behind numbers and dates: British English writes dates day first, as French readers do.
BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}

current_locale: contextvars.ContextVar[str] = contextvars.ContextVar("locale", default=DEFAULT_LOCALE)


@functools.cache
def translations(locale: str) -> NullTranslations:
    """Compile the .po catalogue in memory so no build step is needed."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == "fr" or not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def gettext(message: str, **params: object) -> str:
    """Translate a French msgid for the current request and fill its %(name)s slots."""
    text = translations(current_locale.get()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    """Plural-aware variant of `gettext`; `num` is always available to the message."""
    text = translations(current_locale.get()).ngettext(singular, plural, n)
    return text % {"num": n, **params}


def N_(message: str) -> str:  # noqa: N802 - the keyword `make messages` extracts
    """Mark a French msgid for extraction where it is defined; `gettext` translates it where it is shown."""
    return message


@dataclass(frozen=True)
class Message:
    """A French msgid and its `{name}` params, kept as data (even stored as JSON) until it is shown."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)


def translate(item: object) -> str:
    """Render a domain message in the current language: a French msgid with `{name}` params (object, mapping or str).

    A param given as a quantity (`percent(0.78)`, `number(4.2)`) is written the way the reader's
    language writes numbers, so a message stored once reads right in every language.
    """
    if isinstance(item, str):
        item = Message(item)
    elif isinstance(item, Mapping):
        item = Message(item.get("msgid", ""), item.get("params") or {})
    msgid = getattr(item, "msgid", "") or getattr(item, "summary", "") or getattr(item, "message", "")
    params = {name: _shown(value) for name, value in (getattr(item, "params", None) or {}).items()}
    text = translations(current_locale.get()).gettext(msgid)
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return msgid.format(**params)


def summary_line(error: object) -> str:
    """An error as an error summary lists it: its field named when it has a `label` (a spec label or a msgid)."""
    label = getattr(error, "label", "")
    return named(gettext(label), translate(error)) if label else translate(error)


def named(label: str, problem: str) -> str:
    """An error as a summary lists it, naming its field: "Date souhaitée : indiquez une date."."""
    if problem[:1].isupper() and not problem[1:2].isupper():
        problem = problem[:1].lower() + problem[1:]
    return gettext("%(field)s : %(problem)s", field=label.rstrip(" ?:.…"), problem=problem)


# --- numbers and dates in the reader's language ----------------------------------------------


def babel_locale() -> str:
    """The CLDR locale of the current request."""
    return BABEL_LOCALES.get(current_locale.get(), BABEL_LOCALES[DEFAULT_LOCALE])


def format_number(value: float, decimals: int | None = 1) -> str:
    """A number with a fixed number of decimals ("1 234,5" in French, "1,234.5" in English); None: as written, up to 3."""
    pattern = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=babel_locale())


def format_p(p: float) -> str:
    """A p-value as a reader expects it: "p = 0,042", or "p < 0,001" below what three decimals show."""
    return "p < " + format_number(0.001, 3) if p < 0.001 else "p = " + format_number(p, 3)


def format_percent(share: float, decimals: int = 0) -> str:
    """A 0–1 share as the reader's language writes it: "78 %" (U+00A0 before the sign) in French, "78%" in English."""
    pattern = Locale.parse(babel_locale()).percent_formats[None].pattern
    if decimals:
        pattern = pattern.replace("0", "0." + "0" * decimals, 1)
    return babel_format_percent(share, format=pattern, locale=babel_locale())


def format_day(day: date) -> str:
    """A calendar day, short: "14/07/2026" (the citizen's JJ/MM/AAAA in French, day first in British English)."""
    return babel_format_date(day, "short", locale=babel_locale())


def and_list(items: list[str]) -> str:
    """"A, B et C" in French, "A, B and C" in English."""
    return format_list(items, locale=babel_locale()) if items else ""


def or_list(items: list[str]) -> str:
    """"A, B ou C" in French, "A, B or C" in English."""
    return format_list(items, style="or", locale=babel_locale()) if items else ""


def percent(share: float, decimals: int = 0) -> dict:
    """A share kept as a quantity in a stored message, written in the reader's language when shown."""
    return {"percent": share, "decimals": decimals}


def number(value: float, decimals: int = 1) -> dict:
    """A number kept as a quantity in a stored message, written in the reader's language when shown."""
    return {"number": value, "decimals": decimals}


def _shown(value: object) -> object:
    """A message param as text: quantities in the reader's language, anything else as it is."""
    if isinstance(value, Mapping) and "decimals" in value:
        if "percent" in value:
            return format_percent(value["percent"], value["decimals"])
        if "number" in value:
            return format_number(value["number"], value["decimals"])
    return value


@contextlib.contextmanager
def speaking(locale: str) -> Iterator[None]:
    """Translate in `locale` for a while, outside any request (the worker writing to someone in their language)."""
    token = current_locale.set(pick_locale(locale))
    try:
        yield
    finally:
        current_locale.reset(token)


def pick_locale(cookie_value: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Honour the visitor's explicit choice, else stay French-first."""
    return cookie_value if cookie_value in LOCALES else default
