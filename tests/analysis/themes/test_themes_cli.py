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
    assert any("paiement" in theme["label"].lower() for theme in data["themes"])


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
    assert json.loads(result.stdout)["assignments"] == [0, 0, 0]  # progress and summary go to stderr


def test_windows_1252_csv_is_read(tmp_path, runner):
    source = tmp_path / "excel.csv"
    source.write_bytes("text\nPaiement refusé\nDémarche trop longue\n".encode("cp1252"))
    result = runner.invoke(themes, [str(source), "--json", "-"])
    assert result.exit_code == 0, result.output
    assert "refusé" in result.output or "démarche" in result.output.lower()


# --- two exports compared: --previous ------------------------------------------------------------

PAYMENT, FORM, LOGIN = COMMENTS[0:4], COMMENTS[4:8], COMMENTS[8:12]
ADDRESS = ["mon adresse n'est pas reconnue", "adresse introuvable dans la liste", "la rue n'est pas proposée",
           "l'adresse proposée est fausse", "ma rue n'existe pas dans la liste", "adresse inconnue du formulaire"]
EARLIER = (PAYMENT + ["carte bancaire refusée encore", "paiement refusé par la banque"]
           + FORM + ["formulaire trop long et répétitif", "le formulaire est interminable"]
           + LOGIN + ["connexion impossible ce matin", "impossible de me connecter au compte", "connexion au compte impossible",
                      "je ne peux pas me connecter", "la connexion échoue", "connexion refusée, impossible de me connecter"]
           + ["RAS"])
CURRENT = EARLIER[5::-1] + ADDRESS + EARLIER[6:12] + ["merci"]


def two_exports(tmp_path):
    earlier = tmp_path / "mars.jsonl"
    earlier.write_text("\n".join(json.dumps({"text": t}, ensure_ascii=False) for t in EARLIER) + "\n", encoding="utf-8")
    current = tmp_path / "avril.csv"
    with current.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=";").writerows([["text"], *([t] for t in CURRENT)])
    return earlier, current


def test_previous_export_themes_get_a_status_and_successors(tmp_path, runner):
    earlier, current = two_exports(tmp_path)
    out = tmp_path / "out.json"
    result = runner.invoke(themes, [str(current), "--previous", str(earlier), "--text-column", "text", "--k", "3",
                                    "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == {"themes", "assignments", "params", "previous"}
    previous = data["previous"]
    assert len(previous["assignments"]) == len(EARLIER) and previous["assignments"][-1] is None  # "RAS"
    ids = {a for a in previous["assignments"] if a is not None}
    assert {t["id"] for t in previous["themes"]} == ids
    theme_of_earlier = {name: previous["assignments"][start] for name, start in (("payment", 0), ("form", 6), ("login", 12))}
    status = {t["id"]: t for t in previous["themes"]}
    for theme in previous["themes"]:
        assert {"id", "label", "status", "successors", "parts"} <= set(theme)
        assert theme["status"] in {"resolved", "receding", "persisting", "split", "merged"}
        assert set(theme["successors"]) <= {t["id"] for t in data["themes"]}
    # Nobody writes about logging in any more, significantly fewer than before: resolved, with no successor.
    login = status[theme_of_earlier["login"]]
    assert login["status"] == "resolved" and login["successors"] == [] and login["p_value"] < 0.05
    # Payment is still written about: it continues in the current theme holding the payment comments.
    payment = status[theme_of_earlier["payment"]]
    assert payment["status"] == "persisting" and payment["successors"] == [data["assignments"][0]]
    form = status[theme_of_earlier["form"]]
    assert form["status"] in {"persisting", "split"} and data["assignments"][12] in form["successors"]
    # The readable summary: themes with a quote, then each earlier theme's status.
    assert "Ce que sont devenus les thèmes de l'export précédent" in result.stdout
    assert f"{login['label']} : Résolu" in result.stdout and "« " in result.stdout
    assert "Regroupement en thèmes" in result.stderr and "Suivi des thèmes" in result.stderr  # progress on stderr


def test_quiet_prints_nothing_and_stdout_json_stays_clean(tmp_path, runner):
    earlier, current = two_exports(tmp_path)
    quiet = runner.invoke(themes, [str(current), "--previous", str(earlier), "--json", str(tmp_path / "o.json"), "--quiet"])
    assert quiet.exit_code == 0 and quiet.output == ""
    piped = runner.invoke(themes, [str(current), "--previous", str(earlier), "--json", "-"])
    assert piped.exit_code == 0
    assert json.loads(piped.stdout)["previous"]["themes"]  # the summary went to stderr
    assert "Ce que sont devenus" in piped.stderr


def test_an_unreadable_previous_file_is_a_usage_error(tmp_path, runner):
    _earlier, current = two_exports(tmp_path)
    result = runner.invoke(themes, [str(current), "--previous", str(tmp_path / "absent.csv"), "--json", "-"])
    assert result.exit_code == 2 and "illisible" in result.output


def test_with_previous_each_file_is_clustered_in_a_child_process(tmp_path, runner, monkeypatch):
    # The heap a clustering frees goes back to the system with its process: the parent never clusters.
    import analysis.themes.clustering as clustering

    def in_parent(*args, **kwargs):
        raise AssertionError("find_themes ran in the parent process")

    monkeypatch.setattr(clustering, "find_themes", in_parent)
    earlier, current = two_exports(tmp_path)
    result = runner.invoke(themes, [str(current), "--previous", str(earlier), "--k", "3", "--json", str(tmp_path / "o.json")])
    assert result.exit_code == 0, result.output
    # The children's progress still reaches the parent's reporter, each file's under its own prefix.
    assert "Regroupement en thèmes…" in result.stderr and f"{earlier.name} : Regroupement en thèmes…" in result.stderr
