"""French-first interface text with an English catalogue, chosen per request."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}

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
    """Render a domain message in the current language: a French msgid with `{name}` params (object, mapping or str)."""
    if isinstance(item, str):
        item = Message(item)
    elif isinstance(item, Mapping):
        item = Message(item.get("msgid", ""), item.get("params") or {})
    msgid = getattr(item, "msgid", "") or getattr(item, "summary", "") or getattr(item, "message", "")
    params = getattr(item, "params", None) or {}
    text = translations(current_locale.get()).gettext(msgid)
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return msgid.format(**params)


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
