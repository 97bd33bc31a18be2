"""Exports: pseudonymised CSV/JSON for the team, anonymised open data (CSV + SQLite), and the CLI."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import zipfile
from collections import Counter

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from analysis.reports import exports
from analysis.reports.exports import OPEN_TABLES, TEAM_TABLES, cell, publishable
from lab.campaigns.groups import add_participant, add_participants, create_group, get_participant, list_participants
from lab.cli import main
from lab.db import write
from tests.factories import add_trial, make_pilot, sus_answers

EMAIL = "camille.martin@exemple.fr"
ANSWERS = {"satisfaction": 3, "ease": 4, "clarity": 4, "help_needed": 0, **sus_answers([4, 2] * 5)}
CODE_RE = re.compile(r"P-[A-Z0-9]{4}")


@pytest.fixture
def pilot(db, users):
    """Eight trials in the main group (one by a person whose contact is known), three in a small group."""
    pilot = make_pilot(db, people=10, user_id=users["staff"].id)
    with write(db):
        person = add_participant(db, group_id=pilot.group_id, name="Camille Martin", email=EMAIL, phone="0612345678",
                                 profile={})
        small = create_group(db, name="Conseil des sages", description="", user_id=None)
        db["deployment_groups"].insert({"deployment_id": pilot.deployments[0], "group_id": small})
        add_participants(db, group_id=small, count=3)
    elders = list_participants(db, small)
    add_trial(db, pilot, participant=get_participant(db, person["id"]), answers=ANSWERS,
              comments={"lieu": f"Écrivez-moi à {EMAIL} ou au 06 12 34 56 78", None: "=HYPERLINK(\"http://evil.example\",\"clic\")"})
    for i in range(7):
        add_trial(db, pilot, answers=ANSWERS if i < 5 else None, comments={"nature": "- liste trop longue"} if i < 6 else None)
    for elder in elders:
        add_trial(db, pilot, participant=elder, answers=ANSWERS, comments={"contact": "Très bien"})
    return pilot


def rows_of(text: str, delimiter: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))


def test_cell_escapes_formulas_but_keeps_numbers():
    assert [cell(v) for v in ("=1+1", "+33", "-x", "@SUM(A1)", "\tx", "ok", None, -3, 2.5, True)] == [
        "'=1+1", "'+33", "'-x", "'@SUM(A1)", "'\tx", "ok", "", -3, 2.5, 1]


def test_team_csv_headers_escaping_and_no_contact_details(login_as, pilot, db):
    client = login_as("staff")
    for table, spec in TEAM_TABLES.items():
        response = client.get(f"/reports/iterations/{pilot.iterations[0]}/{table}.csv")
        assert response.status_code == 200, table
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.text.startswith("\ufeff" + ";".join(spec.columns) + "\r\n"), table
        assert EMAIL not in response.text and "0612345678" not in response.text and "Camille" not in response.text
    trials = rows_of(client.get(f"/reports/iterations/{pilot.iterations[0]}/trials.csv").text, ";")
    assert len(trials) == 11 and all(CODE_RE.fullmatch(row["participant_code"]) for row in trials)
    assert {row["test_group"] for row in trials} == {"Habitants du centre", "Conseil des sages"}
    assert trials[0]["duration_seconds"] == "240" and trials[0]["assisted"] == "0"
    comments = client.get(f"/reports/iterations/{pilot.iterations[0]}/comments.csv").text
    assert "'=HYPERLINK" in comments and "\n=HYPERLINK" not in comments.replace(";", "\n")
    assert "'- liste trop longue" in comments
    assert "[courriel]" in comments and "[téléphone]" in comments
    responses = rows_of(client.get(f"/reports/iterations/{pilot.iterations[0]}/responses.csv").text, ";")
    assert {"trial_id", "key", "number", "text"} == set(responses[0]) and responses[0]["number"] in {"3.0", "4.0", "0.0", "2.0"}


def test_exports_are_audited(login_as, pilot, db, users):
    client = login_as("manager")
    client.get(f"/reports/iterations/{pilot.iterations[0]}/trials.csv")
    client.get(f"/reports/iterations/{pilot.iterations[0]}/opendata.zip")
    logged = [json.loads(row[0])["format"] for row in db.execute(
        "SELECT detail FROM audit_log WHERE action = 'report.export' AND user_id = ? ORDER BY id", [users["manager"].id])]
    assert logged == ["csv", "opendata"]


def test_team_json_shape(login_as, pilot):
    response = login_as("staff").get(f"/reports/iterations/{pilot.iterations[0]}/data.json")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    data = response.json()
    assert data["about"]["iteration"] == 1 and data["about"]["prototype"] == "Signaler une anomalie sur la voie publique"
    assert set(data["tables"]) == set(TEAM_TABLES)
    for name, spec in TEAM_TABLES.items():
        assert all(list(row) == spec.columns for row in data["tables"][name]), name
    assert len(data["tables"]["trials"]) == 11 and data["tables"]["trials"][0]["assisted"] is False
    assert EMAIL not in response.text


def open_zip(client, pilot) -> zipfile.ZipFile:
    response = client.get(f"/reports/iterations/{pilot.iterations[0]}/opendata.zip")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_open_data_is_anonymised(login_as, pilot, tmp_path):
    archive = open_zip(login_as("manager"), pilot)
    names = set(archive.namelist())
    db_name = "servicelab-signaler-une-anomalie-sur-la-voie-publique-v1.db"
    assert names == {f"{t}.csv" for t in OPEN_TABLES} | {db_name, "metadata.json", "LISEZMOI.txt"}
    everything = "\n".join(archive.read(name).decode() for name in names if not name.endswith(".db"))
    assert not CODE_RE.search(everything), "participant codes must not be published"
    assert EMAIL not in everything and "06 12 34 56 78" not in everything
    trials = rows_of(archive.read("parcours.csv").decode(), ",")
    assert list(trials[0]) == OPEN_TABLES["parcours"]
    assert "trial_id" not in trials[0] and "participant_code" not in trials[0]
    # The 3 people of the small group cannot hide among 5 (a blank group would still set them apart):
    # their rows are withheld; the 8-person group is kept; months, not instants.
    assert len(trials) == 8 and {row["groupe"] for row in trials} == {"Habitants du centre"}
    assert {row["mois"] for row in trials} == {"2026-03"}
    combos = Counter(tuple(row[c] for c in exports.QUASI_IDENTIFIERS) for row in trials)
    assert min(combos.values()) >= 5
    indicators = rows_of(archive.read("indicateurs.csv").decode(), ",")
    assert [(r["segment_type"], r["segment"]) for r in indicators] == [("ensemble", "toutes et tous"),
                                                                       ("groupe", "Habitants du centre")]
    comments = archive.read("commentaires.csv").decode()
    assert "[courriel]" in comments and "'=HYPERLINK" in comments
    assert not archive.read("parcours.csv").decode().startswith("\ufeff")
    metadata = json.loads(archive.read("metadata.json"))
    assert metadata["license"].startswith("Licence Ouverte")
    path = tmp_path / db_name
    path.write_bytes(archive.read(db_name))
    conn = sqlite3.connect(path)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == set(OPEN_TABLES)
    assert conn.execute("SELECT COUNT(*) FROM parcours").fetchone()[0] == 8
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [row[1] for row in conn.execute("PRAGMA table_info(commentaires)")] == OPEN_TABLES["commentaires"]


def test_open_data_of_a_tiny_iteration_publishes_no_row(login_as, db, users):
    pilot = make_pilot(db, people=5)
    for _ in range(3):
        add_trial(db, pilot, answers=ANSWERS, comments={"lieu": "Rien à dire"})
    archive = open_zip(login_as("manager"), pilot)
    for name in OPEN_TABLES:
        assert rows_of(archive.read(f"{name}.csv").decode(), ",") == [], name


def test_text_still_holding_personal_data_is_dropped(monkeypatch):
    monkeypatch.setattr(exports, "mask_pii", lambda text: text)  # a masking miss
    assert publishable(f"Contactez {EMAIL}") is None
    assert publishable("Le formulaire est clair") == "Le formulaire est clair"
    assert publishable("") is None


def test_open_data_themes_skip_small_themes_and_personal_quotes(db, users, monkeypatch):
    from analysis.themes.contract import ThemeView

    pilot = make_pilot(db, people=5)
    themes = [ThemeView(id=1, label="Adresse", terms=["adresse"], size=6, share=0.6, status="new",
                              quotes=["Je ne trouve pas ma rue", f"mail {EMAIL}"], steps=[], mean_satisfaction=None,
                              assisted_share=None, size_change=None, is_noise=False),
              ThemeView(id=2, label="Rare", terms=[], size=2, share=0.2, status="new", quotes=[], steps=[],
                              mean_satisfaction=None, assisted_share=None, size_change=None, is_noise=False)]
    monkeypatch.setattr(exports, "iteration_themes", lambda db, i: themes)
    rows = exports._open_themes(db, pilot.iterations[0])
    assert [row["theme"] for row in rows] == ["Adresse"]
    assert EMAIL not in rows[0]["citations"] and "Je ne trouve pas ma rue" in rows[0]["citations"]


# --- command line ---------------------------------------------------------------------------


@pytest.fixture
def cli(settings):
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, ["--db", str(settings.db_path), *args], catch_exceptions=False)

    return run


def test_cli_report_writes_a_pdf(cli, pilot, tmp_path):
    out = tmp_path / "rapport.pdf"
    result = cli("report", str(pilot.iterations[0]), "--pdf", str(out), "--html", str(tmp_path / "r.html"))
    assert result.exit_code == 0, result.output
    first = " ".join(PdfReader(out).pages[0].extract_text().split())
    assert "Rapport d'itération : Signaler une anomalie sur la voie publique, v1" in first
    assert "<h1>" in (tmp_path / "r.html").read_text()


def test_cli_finds_an_iteration_by_slug(cli, pilot, tmp_path):
    out = tmp_path / "d.json"
    assert cli("export", "signaler-une-anomalie-sur-la-voie-publique/v1", "--format", "json", "--output", str(out)).exit_code == 0
    assert len(json.loads(out.read_text())["tables"]["trials"]) == 11
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "other.db"), "export", "12", "--format", "json",
                                       "--output", str(out)])
    assert result.exit_code != 0 and "Itération introuvable" in result.output


def test_cli_exports_csv_as_folder_or_zip_and_open_data(cli, pilot, tmp_path, db):
    assert cli("export", str(pilot.iterations[0]), "--format", "csv", "--output", str(tmp_path / "csv")).exit_code == 0
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == sorted(f"{t}.csv" for t in TEAM_TABLES)
    assert cli("export", str(pilot.iterations[0]), "--format", "csv", "--output", str(tmp_path / "t.zip")).exit_code == 0
    assert sorted(zipfile.ZipFile(tmp_path / "t.zip").namelist()) == sorted(f"{t}.csv" for t in TEAM_TABLES)
    assert cli("export", str(pilot.iterations[0]), "--format", "opendata", "--output", str(tmp_path / "o.zip")).exit_code == 0
    assert "parcours.csv" in zipfile.ZipFile(tmp_path / "o.zip").namelist()
    assert db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'report.export'").fetchone()[0] == 3


def test_cli_help_lists_report_and_export(cli):
    output = cli("--help").output
    assert "report" in output and "export" in output
