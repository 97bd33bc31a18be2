"""``lab themes``: CSV/JSONL in, the documented JSON out, clear usage errors (exit code 2)."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from analysis.themes.cli import themes

COMMENTS = (
    ["Le paiement par carte a été refusé", "paiement refusé avec ma carte", "carte refusée au paiement", "paiement carte bancaire refusée"]
    + ["Le formulaire est trop long", "formulaire beaucoup trop long", "trop de champs, formulaire long", "formulaire long et répétitif"]
    + ["impossible de me connecter", "connexion impossible, mot de passe refusé", "je n'arrive pas à me connecter",
       "problème de connexion au compte"]
    + ["merci !"]
)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def write_csv(path, rows, delimiter=","):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(["id", "commentaire"])
        writer.writerows([[i, text] for i, text in enumerate(rows)])


def test_jsonl_in_json_out(tmp_path, runner):
    source = tmp_path / "comments.jsonl"
    source.write_text("\n".join(json.dumps({"text": t, "step": "x"}, ensure_ascii=False) for t in COMMENTS) + "\n", encoding="utf-8")
    out = tmp_path / "themes.json"
    result = runner.invoke(themes, [str(source), "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == {"themes", "assignments", "params"}
    assert len(data["assignments"]) == len(COMMENTS)
    assert data["assignments"][-1] is None  # "merci !" is noise
    ids = {theme["id"] for theme in data["themes"]}
    assert {a for a in data["assignments"] if a is not None} == ids
    for theme in data["themes"]:
        assert set(theme) == {"id", "label", "terms", "size", "quotes"}
        assert theme["size"] == data["assignments"].count(theme["id"])
    assert data["params"]["backend"] == "tfidf" and data["params"]["random_state"] == 0
    assert "thème" in result.output


def test_csv_with_semicolons_column_k_and_seed(tmp_path, runner):
    source = tmp_path / "export.csv"
    write_csv(source, COMMENTS, delimiter=";")
    out = tmp_path / "out.json"
    result = runner.invoke(themes, [str(source), "--text-column", "commentaire", "--k", "3", "--seed", "4", "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["params"]["k"] == 3 and data["params"]["k_selection"] == "given" and data["params"]["random_state"] == 4
    assert len(data["assignments"]) == len(COMMENTS)
    assert any("paiement" in theme["label"] for theme in data["themes"])


def test_same_command_twice_same_file(tmp_path, runner):
    source = tmp_path / "c.jsonl"
    source.write_text("\n".join(json.dumps({"text": t}) for t in COMMENTS), encoding="utf-8")
    outputs = []
    for name in ("a.json", "b.json"):
        assert runner.invoke(themes, [str(source), "--json", str(tmp_path / name)]).exit_code == 0
        outputs.append((tmp_path / name).read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]


def test_missing_column_is_a_usage_error(tmp_path, runner):
    source = tmp_path / "export.csv"
    write_csv(source, COMMENTS)
    result = runner.invoke(themes, [str(source), "--json", str(tmp_path / "o.json")])
    assert result.exit_code == 2
    assert "text" in result.output and "commentaire" in result.output  # says what exists


def test_missing_key_in_jsonl_is_a_usage_error(tmp_path, runner):
    source = tmp_path / "c.jsonl"
    source.write_text('{"text": "a"}\n{"comment": "b"}\n', encoding="utf-8")
    result = runner.invoke(themes, [str(source), "--json", str(tmp_path / "o.json")])
    assert result.exit_code == 2 and "ligne 2" in result.output


def test_unreadable_file_is_a_usage_error(tmp_path, runner):
    result = runner.invoke(themes, [str(tmp_path / "absent.csv"), "--json", str(tmp_path / "o.json")])
    assert result.exit_code == 2 and "illisible" in result.output


def test_invalid_jsonl_is_a_usage_error(tmp_path, runner):
    source = tmp_path / "c.jsonl"
    source.write_text('{"text": "a"}\nnot json\n', encoding="utf-8")
    result = runner.invoke(themes, [str(source), "--json", str(tmp_path / "o.json")])
    assert result.exit_code == 2 and "ligne 2" in result.output


@pytest.mark.parametrize("content", ["", "\n  \n", "id,text\n"])
def test_empty_file_is_a_usage_error(tmp_path, runner, content):
    source = tmp_path / "empty.csv"
    source.write_text(content, encoding="utf-8")
    result = runner.invoke(themes, [str(source), "--json", str(tmp_path / "o.json")])
    assert result.exit_code == 2
    assert "vide" in result.output or "aucun commentaire" in result.output


def test_json_is_required_and_backend_is_checked(tmp_path, runner):
    source = tmp_path / "c.jsonl"
    source.write_text('{"text": "a"}\n', encoding="utf-8")
    assert runner.invoke(themes, [str(source)]).exit_code == 2
    assert runner.invoke(themes, [str(source), "--backend", "bert", "--json", "-"]).exit_code == 2


def test_stdout_output(tmp_path, runner):
    source = tmp_path / "c.jsonl"
    source.write_text("\n".join(json.dumps({"text": t}) for t in COMMENTS[:3]), encoding="utf-8")
    result = runner.invoke(themes, [str(source), "--json", "-"])
    assert result.exit_code == 0
    assert json.loads(result.output)["assignments"] == [0, 0, 0]


def test_windows_1252_csv_is_read(tmp_path, runner):
    source = tmp_path / "excel.csv"
    source.write_bytes("text\nPaiement refusé\nDémarche trop longue\n".encode("cp1252"))
    result = runner.invoke(themes, [str(source), "--json", "-"])
    assert result.exit_code == 0, result.output
    assert "refusé" in result.output or "démarche" in result.output.lower()
