"""Importing comments exported from another tool (JDMA) into a deployment."""

from datetime import datetime

import pytest

from feedback.comment_import import parse_comments_csv
from lab.csv_files import ImportFileError

JDMA = (
    "Date;Satisfaction;Commentaire\n"
    "02/03/2026 10:15;Oui;Très simple, merci\n"
    "03/03/2026;moyen;Je n'ai pas trouvé où mettre la photo, écrivez-moi à a.b@example.fr\n"
    "04/03/2026;peut-être;ligne à refuser\n"
    "31/02/2026;non;date impossible\n"
    ";;\n"
    "05/03/2026;;\n"
    "06/03/2026;1;Beaucoup trop long\n"
)


def test_parse_reports_each_refused_line():
    parsed = parse_comments_csv(JDMA.encode("utf-8"))
    assert [row.line for row in parsed.rows] == [2, 3, 8]
    assert parsed.rows[0].satisfaction == 3 and parsed.rows[2].satisfaction == 1
    assert parsed.rows[0].created_at.replace(tzinfo=None) == datetime(2026, 3, 2, 10, 15)
    assert [line for line, _ in parsed.problems] == [4, 5, 7]
    assert parsed.columns == {"commentaire": "Commentaire", "satisfaction": "Satisfaction", "date": "Date"}


def test_named_text_column_and_cp1252():
    data = "Pourquoi ?,Note\nC'était très clair,3\n".encode("cp1252")
    parsed = parse_comments_csv(data, text_column="Pourquoi ?")
    assert parsed.rows[0].text == "C'était très clair"


@pytest.mark.parametrize(
    "data, message",
    [(b"", "vide"), (b"PK\x03\x04xx", "classeur"), (b"Date;Note\n1;2\n", "colonne de commentaires"), (b"a\x00b", "CSV")],
)
def test_unusable_files_are_refused_whole(data, message):
    with pytest.raises(ImportFileError, match=message):
        parse_comments_csv(data)


def _upload(staff, deployment_id, data, **form):
    return staff.post(
        f"/lab/deployments/{deployment_id}/comments/import",
        data={"csrf_token": staff.cookies.get("lab_csrf"), **form},
        files={"file": ("jdma.csv", data, "text/csv")},
    )


def test_staff_imports_masked_and_reimport_adds_nothing(login_as, lab, db):
    staff = login_as("staff")
    first = _upload(staff, lab.deployment_id, JDMA.encode())
    assert first.status_code == 200 and "3 avis ajoutés" in first.text and "3 lignes ignorées" in first.text
    again = _upload(staff, lab.deployment_id, JDMA.encode())
    assert "0 avis ajouté" in again.text and "3 déjà présents" in again.text
    texts = [row["text"] for row in db["comments"].rows_where("source = 'import'")]
    assert len(texts) == 3 and not any("a.b@example.fr" in t for t in texts)
    assert db["trials"].count_where("channel = 'import' AND consent_at IS NULL") == 3


def test_import_errors_are_422_and_access_is_staff_only(login_as, lab, client):
    staff = login_as("staff")
    assert _upload(staff, lab.deployment_id, b"Date;Note\n1;2\n").status_code == 422
    assert login_as("manager").get(f"/lab/deployments/{lab.deployment_id}/comments/import").status_code == 403
    assert client.get(f"/lab/deployments/{lab.deployment_id}/comments/import", follow_redirects=False).status_code == 303
    assert staff.get("/lab/deployments/999/comments/import").status_code == 404


def test_deployment_page_shows_widget_snippet(login_as, lab, db):
    key = db["deployments"].get(lab.deployment_id)["public_key"]
    page = login_as("staff").get(f"/lab/deployments/{lab.deployment_id}").text
    assert f"/widget/{key}" in page and "X-Servicelab-Key" in page
