"""One Jinja environment for every package's templates, with i18n and safe defaults."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates

from lab import i18n
from lab.accounts import ROLE_LABELS
from lab.clock import local_text, local_today
from lab.organisation import Organisation
from lab.web import public_url

STATIC_DIR = Path(__file__).parent / "static"


@functools.cache
def static_url(path: str) -> str:
    """Content-hashed URL so static files can be cached forever."""
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


def _base_context(request: Request) -> dict:
    return {
        "user": getattr(request.state, "user", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "lang": i18n.current_locale.get(),
        "languages": i18n.LANGUAGE_NAMES,
        "base_url": public_url(request),
        # Set by every page's router; pages rendered outside a route (404, 413) speak of "the collectivité".
        "organisation": getattr(request.state, "organisation", None) or Organisation(),
    }


def template_dir(package_file: str) -> Path:
    """The `templates` folder beside a layer's package (`template_dir(campaigns.__file__)`)."""
    return Path(package_file).parent / "templates"


def build_templates(folders: Iterable[Path]) -> Jinja2Templates:
    """Autoescape everywhere; each layer's templates sit in a folder named after it (`campaigns/…`)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(folders)),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: i18n.translations(i18n.current_locale.get()).gettext(message),
        lambda singular, plural, n: i18n.translations(i18n.current_locale.get()).ngettext(singular, plural, n),
        newstyle=True,
    )
    env.globals["static"] = static_url
    env.globals["message"] = i18n.translate
    env.globals["role_labels"] = ROLE_LABELS
    env.globals["summary_message"] = i18n.summary_line
    env.globals["or_list"] = i18n.or_list
    env.globals["today"] = local_today
    env.filters["date"] = lambda value, with_time=False: local_text(value, with_time)
    env.filters["number"] = i18n.format_number
    env.filters["percent"] = i18n.format_percent
    return Jinja2Templates(env=env, context_processors=[_base_context])
