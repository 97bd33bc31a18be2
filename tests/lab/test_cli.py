"""The `lab` command line, run in-process with click's runner against a real database."""

import gc
import os
import re
import sqlite3

import pytest
import uvicorn
from click.testing import CliRunner
from starlette.testclient import TestClient

from lab.cli import main
from lab.db import opened
from prototypes import EXAMPLES_DIR


@pytest.fixture
def run(tmp_path):
    runner = CliRunner()
    env = {"LAB_DB": str(tmp_path / "cli.db"), "LAB_SECRET_KEY": "k" * 40, "LAB_BASE_URL": None}

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


def test_users_role_password_enable_are_audited(run, tmp_path):
    assert run("users", "add", "chef@ville.fr", "--role", "admin", "--password", "a-long-password").exit_code == 0
    assert run("users", "add", "agent@ville.fr", "--password", "a-long-password").exit_code == 0
    assert "agent@ville.fr\tmanager\tactif" in run("users", "list").output  # least privilege by default
    assert run("users", "role", "agent@ville.fr", "staff").exit_code == 0
    assert run("users", "password", "agent@ville.fr", "--password", "provisoire-2026").exit_code == 0
    assert "agent@ville.fr\tstaff\tprovisoire" in run("users", "list").output
    last_admin = run("users", "role", "chef@ville.fr", "staff")
    assert last_admin.exit_code == 1 and "dernier compte administrateur" in last_admin.output
    assert run("users", "disable", "chef@ville.fr").exit_code == 1
    assert run("users", "disable", "agent@ville.fr").exit_code == 0 and run("users", "enable", "agent@ville.fr").exit_code == 0
    logged = [row[0] for row in sqlite3.connect(tmp_path / "cli.db").execute("SELECT action FROM audit_log ORDER BY id")]
    assert logged == ["user.create", "user.create", "user.role", "user.password_reset", "user.disable", "user.enable"]


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
    voirie = (EXAMPLES_DIR / "voirie.yaml").read_text(encoding="utf-8")
    bad.write_text(voirie.replace("type: address", "type: adresse", 1), encoding="utf-8")
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


def _printed_links(output: str) -> list[str]:
    return re.findall(r"^ +(\S+/t/\S+)$", output, re.M)


def test_demo_prints_links_for_the_address_it_will_be_served_on(run):
    result = run("demo", "--port", "8101")
    assert "Laboratoire de démonstration prêt : http://127.0.0.1:8101\n" in result.output
    links = _printed_links(result.output)
    assert len(links) >= 4 and all(link.startswith("http://127.0.0.1:8101/t/") for link in links)
    assert ":8000" not in result.output
    again = run("demo", "--host", "0.0.0.0", "--port", "8102", "--base-url", "https://lab.rivebelle.example/")
    assert {link.rsplit("/", 1)[1] for link in _printed_links(again.output)} == {link.rsplit("/", 1)[1] for link in links}
    assert all(link.startswith("https://lab.rivebelle.example/t/") for link in _printed_links(again.output))


def test_served_address_is_one_a_browser_can_visit():
    from lab.cli import served_address

    assert served_address("0.0.0.0", 8101) == "http://127.0.0.1:8101"
    assert served_address("::", 8101) == "http://[::1]:8101"
    assert served_address("lab.local", 80) == "http://lab.local:80"


def test_serve_takes_a_base_url(run, monkeypatch):
    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.update(app=app, **options))
    try:
        assert run("serve", "--port", "8101", "--base-url", "https://lab.ville.fr/").exit_code == 0
        with TestClient(served["app"]):  # runs the lifespan, which stops the app's background worker
            assert served["app"].state.settings.base_url == "https://lab.ville.fr" and served["port"] == 8101
        assert run("serve", "--host", "0.0.0.0", "--port", "8102").exit_code == 0
        with TestClient(served["app"]):
            assert served["app"].state.settings.base_url is None
            assert served["app"].state.settings.public_url() == "http://127.0.0.1:8102"  # links made outside a request
    finally:
        gc.unfreeze()  # `lab serve` freezes the start-up heap
    refused = CliRunner().invoke(main, ["serve", "--base-url", "lab.ville.fr"])
    assert refused.exit_code == 2 and "--base-url" in refused.output
