"""The English catalogue: every French msgid in the source is translated, placeholders survive, pages render.

New interface text must come with its English translation: run `make messages`, translate the new
empty entries of lab/locale/en/LC_MESSAGES/messages.po, then run this file.
"""

from __future__ import annotations

import re
import string
from functools import cache
from pathlib import Path

from babel.messages.catalog import PYTHON_FORMAT, Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from lab import i18n

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("lab", "prototypes", "feedback", "analysis")
# The same keywords as `make messages` (pybabel adds them to its defaults).
KEYWORDS = {**DEFAULT_KEYWORDS, "_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
PO_PATH = i18n.LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po"
BRACE_FIELD = re.compile(r"\{[^{}]*\}")


@cache
def extracted() -> Catalog:
    """The msgids as `pybabel extract -F babel.cfg` would find them, with their source locations."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, "babel.cfg")
    catalog = Catalog(locale="fr")
    for package in PACKAGES:
        for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT / package), method_map, options_map, keywords=KEYWORDS
        ):
            catalog.add(message, locations=[(f"{package}/{filename}", lineno)], context=context)
    return catalog


@cache
def english() -> Catalog:
    with PO_PATH.open("rb") as po_file:
        return read_po(po_file, locale="en")


def translated_pairs(message: Message) -> list[tuple[str, str]]:
    """(source, translation) for each form of an entry; plural forms pair with the French plural."""
    if isinstance(message.id, tuple):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        return [(message.id[min(i, 1)], text or "") for i, text in enumerate(strings)]
    return [(message.id, message.string or "")]


def percent_fields(text: str) -> list[str]:
    """%-placeholders (`%(name)s`, `%d`), `%%` escapes excluded."""
    return sorted(match.group(0) for match in PYTHON_FORMAT.finditer(text) if match.group(0) != "%%")


def brace_fields(text: str) -> list[str]:
    return sorted(BRACE_FIELD.findall(text))


class Anything(dict):
    """A format mapping that accepts every name."""

    def __missing__(self, key: str) -> int:
        return 1


def formats_with_percent(text: str) -> bool:
    try:
        text % Anything()
    except (TypeError, ValueError, KeyError):
        return False
    return True


def formats_with_braces(text: str) -> bool:
    try:
        names = {name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name}
        text.format(**dict.fromkeys(names, 1))
    except (ValueError, KeyError, IndexError, AttributeError):
        return False
    return True


def describe(message: Message) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in message.locations[:2])
    return f"{message.id!r} ({where})"


def test_every_msgid_in_the_source_has_an_english_translation():
    catalog = english()
    missing, untranslated = [], []
    for message in extracted():
        if not message.id:
            continue
        entry = catalog.get(message.id, message.context)
        if entry is None or (isinstance(message.id, tuple) and entry.id != message.id):
            missing.append(describe(message))
        elif entry.fuzzy or not all(text.strip() for _source, text in translated_pairs(entry)):
            untranslated.append(describe(message))
    assert not missing, (
        f"{len(missing)} msgid(s) missing from {PO_PATH.relative_to(ROOT)}; run `make messages` and translate:\n"
        + "\n".join(missing)
    )
    assert not untranslated, f"{len(untranslated)} msgid(s) without an English translation:\n" + "\n".join(untranslated)


def test_catalogue_has_no_fuzzy_or_empty_entries():
    problems = [describe(m) for m in english() if m.id and (m.fuzzy or not all(t for _s, t in translated_pairs(m)))]
    assert not problems, "fuzzy or empty entries:\n" + "\n".join(problems)


def test_plural_entries_have_both_english_forms():
    problems = [
        describe(m) for m in english()
        if isinstance(m.id, tuple) and (not isinstance(m.string, tuple) or len(m.string) != 2 or not all(m.string))
    ]
    assert not problems, "plural entries need msgstr[0] and msgstr[1]:\n" + "\n".join(problems)


def test_translations_keep_the_placeholders_of_their_msgid():
    problems = []
    for message in english():
        if not message.id:
            continue
        from_template = any(path.endswith(".html") for path, _line in message.locations)
        for source, text in translated_pairs(message):
            if not text:
                continue
            if message.python_format and percent_fields(source) != percent_fields(text):
                problems.append(f"{source!r} -> {text!r}: %-placeholders differ")
            if brace_fields(source) != brace_fields(text):
                problems.append(f"{source!r} -> {text!r}: {{}}-placeholders differ")
            # Templates always %-format (newstyle gettext): a lone % must be written %%.
            if (from_template or "%" in source) and formats_with_percent(source) and not formats_with_percent(text):
                problems.append(f"{source!r} -> {text!r}: not a valid %-format string (write % as %%)")
            if "{" in source and formats_with_braces(source) and not formats_with_braces(text):
                problems.append(f"{source!r} -> {text!r}: not a valid str.format string")
    assert not problems, "\n".join(problems)


def test_the_catalogue_compiles_and_translates():
    i18n.translations.cache_clear()
    translations = i18n.translations("en")
    assert translations.gettext("Se connecter") == "Sign in"
    assert translations.gettext("%d/%m/%Y à %H:%M") == "%d/%m/%Y at %H:%M"
    assert translations.ngettext("%(num)d jour", "%(num)d jours", 1) % {"num": 1} == "1 day"
    assert translations.ngettext("%(num)d jour", "%(num)d jours", 3) % {"num": 3} == "3 days"
    assert i18n.translations("fr").gettext("Se connecter") == "Se connecter"


PUBLIC_PAGES = {
    "/login": ["Sign in to the lab workspace", "Email address", "Password", "Skip to content"],
    "/accessibilite": ["Accessibility statement", "Compliance status"],
    "/donnees-personnelles": ["Personal data", "Legal basis"],
}
LAB_PAGES = {
    "/lab/prototypes": ["New prototype", "Test sessions", "Sign out"],
    "/lab/groups": ["Create a group", "Group name"],
    "/lab/deployments/new": ["New test session", "Session title"],
}


def test_public_pages_render_in_english(client, users):
    client.cookies.set("lab_lang", "en")
    for path, expected in PUBLIC_PAGES.items():
        page = client.get(path)
        assert page.status_code == 200, path
        assert '<html lang="en">' in page.text, path
        assert [text for text in expected if text not in page.text] == [], path
        assert "Se connecter" not in page.text and "Mot de passe" not in page.text, path
    refused = client.login("staff@ville.test", password="wrong password, surely")
    assert "Incorrect email address or password." in refused.text
    assert "There is a problem" in refused.text


def test_lab_pages_render_in_english(login_as):
    staff = login_as("staff")
    staff.cookies.set("lab_lang", "en")
    for path, expected in LAB_PAGES.items():
        page = staff.get(path)
        assert page.status_code == 200, path
        assert [text for text in expected if text not in page.text] == [], path
        assert "Se déconnecter" not in page.text, path
