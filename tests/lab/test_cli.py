"""The `lab` command line, run in-process with click's runner against a real database."""

import os
import sqlite3

import pytest
from click.testing import CliRunner

from lab.cli import main
from lab.db import opened
from prototypes import EXAMPLES_DIR


@pytest.fixture
def run(tmp_path):
    runner = CliRunner()
    env = {"LAB_DB": str(tmp_path / "cli.db"), "LAB_SECRET_KEY": "k" * 40}

    def invoke(*args, input=None):
        return runner.invoke(main, list(args), env=env, input=input, catch_exceptions=False)

    return invoke


def test_help_lists_every_command(run):
    result = run("--help")
    for command in ("init", "serve", "demo", "users", "prototypes", "backup"):
        assert command in result.output


def test_init_creates_the_database(run, tmp_path):
    assert run("init").exit_code == 0
    tables = {r[0] for r in sqlite3.connect(tmp_path / "cli.db").execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"users", "prototypes", "iterations", "deployments", "invitations"} <= tables


def test_users_add_list_disable(run):
    assert run("users", "add", "agent@ville.fr", "--role", "manager", "--password", "a-long-password").exit_code == 0
    assert "agent@ville.fr\tmanager\tactif" in run("users", "list").output
    assert run("users", "disable", "agent@ville.fr").exit_code == 0
    assert "désactivé" in run("users", "list").output


def test_users_add_refuses_short_password(run):
    result = run("users", "add", "agent@ville.fr", "--password", "short")
    assert result.exit_code == 1 and "12 caractères" in result.output


def test_users_disable_unknown(run):
    assert run("users", "disable", "nobody@ville.fr").exit_code == 1


def test_prototypes_import_and_export_round_trip(run, tmp_path):
    source = EXAMPLES_DIR / "salle-municipale.yaml"
    assert run("prototypes", "import", str(source)).exit_code == 0
    assert "reserver-une-salle-municipale" in run("prototypes", "list").output
    out = tmp_path / "out.yaml"
    assert run("prototypes", "export", "reserver-une-salle-municipale", "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8") == source.read_text(encoding="utf-8")
    assert run("prototypes", "export", "nope").exit_code == 1
    assert run("prototypes", "export", "1", "--iteration", "7").exit_code == 1


def test_prototypes_import_invalid_names_line_step_field(run, tmp_path):
    bad = tmp_path / "bad.yaml"
    spec = (EXAMPLES_DIR / "voirie.yaml").read_text(encoding="utf-8")
    bad.write_text(spec.replace("type: address", "type: adresse", 1), encoding="utf-8")
    result = run("prototypes", "import", str(bad))
    assert result.exit_code == 1
    assert "ligne" in result.output and "« lieu »" in result.output and "« adresse »" in result.output


def test_backup_writes_a_checked_copy(run, tmp_path):
    run("users", "add", "agent@ville.fr", "--password", "a-long-password")
    dest = tmp_path / "backup.db"
    result = run("backup", str(dest))
    assert result.exit_code == 0 and "vérifiée" in result.output
    copy = sqlite3.connect(dest)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT email FROM users").fetchone()[0] == "agent@ville.fr"


def test_production_without_secret_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["init"], env={"LAB_DB": str(tmp_path / "x.db"), "LAB_PRODUCTION": "1", "LAB_SECRET_KEY": ""})
    assert result.exit_code == 1 and "LAB_SECRET_KEY" in result.output


def test_the_database_its_wal_backups_and_exports_are_readable_by_their_owner_only(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_DB", str(tmp_path / "var" / "lab.db"))
    old = os.umask(0o022)  # the usual umask, which used to leave them world-readable
    try:
        runner = CliRunner()
        assert runner.invoke(main, ["demo"]).exit_code == 0
        assert runner.invoke(main, ["backup", str(tmp_path / "copies" / "lab.db")]).exit_code == 0
        for fmt, out in (("csv", "team.zip"), ("json", "team.json"), ("csv", "tables"), ("opendata", "open.zip")):
            result = runner.invoke(main, ["export", "signaler-une-anomalie-sur-la-voie-publique/v1", "--format", fmt,
                                          "--output", str(tmp_path / "exports" / out)])
            assert result.exit_code == 0, result.output
        with opened(tmp_path / "var" / "lab.db") as db:  # the WAL exists while a connection writes
            db.execute("CREATE TABLE probe (x)")
            modes = {p: p.stat().st_mode & 0o777 for p in tmp_path.rglob("*") if p.is_file()}
    finally:
        os.umask(old)
    assert {p.name for p in modes} >= {"lab.db", "lab.db-wal", "lab.db-shm", "team.zip", "team.json", "open.zip", "trials.csv"}
    assert {str(p): oct(mode) for p, mode in modes.items() if mode & 0o077} == {}
