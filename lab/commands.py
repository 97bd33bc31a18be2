"""What every layer's command-line commands get from the shell: settings, a migrated database, templates."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import click
from fastapi.templating import Jinja2Templates
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from lab.db import migrate, opened
from lab.settings import Settings
from lab.templating import build_templates


@dataclass(frozen=True)
class Runtime:
    """Built once per invocation by the `lab` group; commands of lower layers receive it, never import the shell."""

    settings: Settings
    migrations: Sequence[Migrations]
    template_folders: Sequence[Path]

    @contextlib.contextmanager
    def database(self) -> Iterator[Database]:
        """A connection to the configured database, brought up to date first."""
        with opened(self.settings.db_path) as db:
            migrate(db, self.migrations)
            yield db

    def templates(self) -> Jinja2Templates:
        """The same Jinja environment the web app uses (printable reports, PDFs)."""
        return build_templates(self.template_folders)


pass_runtime = click.make_pass_decorator(Runtime)
