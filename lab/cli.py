"""The `lab` command: set up, serve, load the demo, manage accounts, specs and backups.

Part of the shell: it builds the `Runtime` every command receives from the wiring of `lab.app`,
and adds the commands other layers define beside their code (themes, analyse, report, export).
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import click

from analysis.reports.cli import export, report
from analysis.themes.analyse_cli import analyse
from analysis.themes.cli import themes
from lab.accounts_cli import users
from lab.app import FORGET_HOOKS, MIGRATIONS, TEMPLATE_FOLDERS, create_app
from lab.commands import Runtime, pass_runtime
from lab.db import backup as backup_db
from lab.db import checkpoint, opened, write
from lab.settings import Settings, SettingsError, check_base_url


@click.group()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help="Database file (default: $LAB_DB or var/lab.db).")
@click.pass_context
def main(ctx: click.Context, db_path: Path | None) -> None:
    """servicelab: test public-service prototypes with citizens."""
    try:
        settings = Settings.from_env()  # read once per invocation, never at import time
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    if db_path is not None:
        settings = settings.with_(db_path=db_path)
    ctx.obj = Runtime(settings, MIGRATIONS, TEMPLATE_FOLDERS)


@main.command()
@pass_runtime
def init(runtime: Runtime) -> None:
    """Create the database (or bring it up to date)."""
    with runtime.database():
        pass
    click.echo(f"Base de données prête : {runtime.settings.db_path}")


def _base_url(value: str | None) -> str | None:
    try:
        return check_base_url(value) if value else None
    except SettingsError as exc:
        raise click.BadParameter(str(exc)) from exc


def served_address(host: str, port: int) -> str:
    """The address a browser on this machine types to reach `lab serve --host HOST --port PORT`."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # a wildcard is not an address to visit
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


HOST = click.option("--host", default="127.0.0.1", show_default=True, help="Interface the server listens on.")
PORT = click.option("--port", default=8000, show_default=True, type=int, help="Port the server listens on.")
BASE_URL = click.option("--base-url", callback=lambda _ctx, _param, value: _base_url(value),
                        help="Public address for links (default: $LAB_BASE_URL, else the address each request came to).")


@main.command()
@HOST
@PORT
@BASE_URL
@pass_runtime
def serve(runtime: Runtime, host: str, port: int, base_url: str | None) -> None:
    """Serve the web app."""
    import uvicorn

    settings = runtime.settings.with_(served_url=served_address(host, port))
    app = create_app(settings.with_(base_url=base_url) if base_url else settings)
    # Start-up leaves a large heap (scikit-learn, scipy, templates) that every full garbage collection
    # would scan again: freezing it took the API's p99 latency from ~230 ms to ~70 ms under load.
    gc.freeze()
    # No access log: its lines carry raw client addresses, which servicelab never keeps. Forwarded headers are
    # read by the app itself, from the proxies LAB_TRUSTED_PROXIES names only.
    uvicorn.run(app, host=host, port=port, server_header=False, proxy_headers=False, log_level="info", access_log=False)


@main.command()
@HOST
@PORT
@BASE_URL
@pass_runtime
def demo(runtime: Runtime, host: str, port: int, base_url: str | None) -> None:
    """Load the demo lab (idempotent) and print logins and invitation links for the address it will be served on."""
    from lab.demo.loader import load_demo

    with runtime.database() as db:
        info = load_demo(db, runtime.settings)
    settings = runtime.settings.with_(served_url=served_address(host, port))
    click.echo(info.describe(base_url or settings.public_url()))


@main.group()
def prototypes() -> None:
    """Import and export prototype specs."""


@prototypes.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--changelog", default="", help="What this version is about.")
@pass_runtime
def prototypes_import(runtime: Runtime, file, changelog: str) -> None:
    """Create a prototype (v1) from a YAML spec file."""
    from prototypes.spec_issues import SpecError
    from prototypes.store import create_prototype

    text = file.read()
    with runtime.database() as db:
        try:
            with write(db):
                prototype_id, _ = create_prototype(db, spec_yaml=text, user_id=None, changelog=changelog)
        except SpecError as exc:
            click.echo(f"{file.name} : description invalide", err=True)
            for issue in exc.issues:
                click.echo(f"  {issue}", err=True)
            sys.exit(1)
    click.echo(f"Prototype importé (n° {prototype_id}).")


@prototypes.command("export")
@click.argument("prototype")
@click.option("--iteration", "number", type=int, help="Iteration number (default: the latest).")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-")
@pass_runtime
def prototypes_export(runtime: Runtime, prototype: str, number: int | None, output) -> None:
    """Write a prototype's spec (by id or slug) as YAML."""
    with runtime.database() as db:
        rows = list(db.query("SELECT id FROM prototypes WHERE slug = ? OR CAST(id AS TEXT) = ?", [prototype, prototype]))
        if not rows:
            raise click.ClickException(f"Prototype introuvable : {prototype}")
        sql = "SELECT spec_yaml FROM iterations WHERE prototype_id = ?"
        params: list = [rows[0]["id"]]
        if number is not None:
            sql += " AND number = ?"
            params.append(number)
        found = list(db.query(sql + " ORDER BY number DESC LIMIT 1", params))
        if not found:
            raise click.ClickException(f"Itération introuvable : v{number}")
    output.write(found[0]["spec_yaml"])


@prototypes.command("list")
@pass_runtime
def prototypes_list(runtime: Runtime) -> None:
    """List prototypes with their latest iteration."""
    from prototypes.store import list_prototypes

    with runtime.database() as db:
        for row in list_prototypes(db):
            click.echo(f"{row['id']}\t{row['slug']}\tv{row['latest_number']}\t{row['title']}")


@main.command()
@click.option("--now", "now_text", help="Pretend it is this ISO date-time (to check what a purge would do later).")
@pass_runtime
def purge(runtime: Runtime, now_text: str | None) -> None:
    """Delete the personal data of deployments whose retention period is over."""
    from feedback.retention import purge_expired
    from lab.clock import parse, utcnow

    now = parse(now_text) if now_text else utcnow()
    with runtime.database() as db:
        with write(db):
            purged = purge_expired(db, now=now, hooks=FORGET_HOOKS)
        checkpoint(db)  # the purged text leaves the WAL and the freed pages now
    if not purged:
        click.echo("Aucune session de test à purger.")
    for deployment_id, counts in purged.items():
        click.echo(f"Session n° {deployment_id} purgée : {counts.get('trials', 0)} parcours, {counts.get('comments', 0)} commentaires.")


@main.command()
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@pass_runtime
def backup(runtime: Runtime, dest: Path) -> None:
    """Copy the live database to DEST (online backup), then check the copy."""
    with opened(runtime.settings.db_path) as db:
        result = backup_db(db, dest)
    if result != "ok":
        raise click.ClickException(f"La copie est corrompue : {result}")
    click.echo(f"Sauvegarde écrite et vérifiée : {dest}")


for command in (users, themes, analyse, report, export):
    main.add_command(command)
