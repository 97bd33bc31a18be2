"""`lab report` and `lab export`: the iteration report as PDF or HTML, and data exports, from the shell."""

from __future__ import annotations

import zipfile
from pathlib import Path

import click

from analysis.themes.analyse_cli import iteration_id_of
from lab.commands import Runtime, pass_runtime
from lab.files import private_directory, private_file


@click.command("report")
@click.argument("iteration")
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the report as PDF to FILE.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the printable HTML to FILE.")
@pass_runtime
def report(runtime: Runtime, iteration: str, pdf_path: Path | None, html_path: Path | None) -> None:
    """Write the report of ITERATION (id or slug/vN) as PDF and/or printable HTML."""
    from analysis.reports.pdf import html_to_pdf, printable_html
    from analysis.reports.report import build_report
    from analysis.reports.snapshots import get_snapshot

    if pdf_path is None and html_path is None:
        raise click.UsageError("Indiquez --pdf FICHIER et/ou --html FICHIER.")
    with runtime.database() as db:
        iteration_id = iteration_id_of(db, iteration)
        snapshot = get_snapshot(db, iteration_id)
        html = printable_html(db, runtime.templates().env, build_report(db, iteration_id, snapshot), pdf=True)
    if html_path is not None:
        private_file(html_path).write_text(html, encoding="utf-8")  # quotes comments: owner-only
        click.echo(f"Rapport HTML écrit : {html_path}")
    if pdf_path is not None:
        private_file(pdf_path).write_bytes(html_to_pdf(html))
        click.echo(f"Rapport PDF écrit : {pdf_path}")


@click.command("export")
@click.argument("iteration")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "opendata"]), required=True,
              help="csv: pseudonymised tables (a folder, or a .zip); json: one document; opendata: anonymised .zip.")
@click.option("--output", "output", type=click.Path(path_type=Path), required=True, help="Where to write.")
@pass_runtime
def export(runtime: Runtime, iteration: str, fmt: str, output: Path) -> None:
    """Export the data of ITERATION (id or slug/vN): pseudonymised for the team, or anonymised open data."""
    import io

    from analysis.reports import exports
    from analysis.reports.snapshots import get_snapshot
    from lab import audit
    from lab.db import write

    with runtime.database() as db:
        iteration_id = iteration_id_of(db, iteration)
        if fmt == "csv" and output.suffix == ".zip":
            with zipfile.ZipFile(private_file(output), "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for table in exports.TEAM_TABLES:
                    text = io.StringIO()
                    exports.write_team_csv(db, iteration_id, table, text)
                    archive.writestr(f"{table}.csv", text.getvalue())
        elif fmt == "csv":
            private_directory(output)
            for table in exports.TEAM_TABLES:
                with open(private_file(output / f"{table}.csv"), "w", encoding="utf-8", newline="") as out:
                    exports.write_team_csv(db, iteration_id, table, out)
        elif fmt == "json":
            with open(private_file(output), "w", encoding="utf-8") as out:
                exports.write_team_json(db, iteration_id, out)
        else:
            with open(private_file(output), "wb") as out:
                exports.write_open_zip(db, iteration_id, get_snapshot(db, iteration_id), out)
        with write(db):
            audit.record(db, user_id=None, action="report.export", object_type="iteration", object_id=iteration_id,
                         detail={"format": fmt, "via": "cli"})
    click.echo(f"Export {fmt} écrit : {output}")
