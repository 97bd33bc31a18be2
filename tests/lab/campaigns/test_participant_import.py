"""CSV import of participants: encodings, delimiters, per-line problems, idempotent re-imports."""

from html import unescape

import pytest

from lab.campaigns.groups import create_group, list_participants
from lab.campaigns.participant_import import MAX_BYTES, import_participants, parse_participants_csv
from lab.csv_files import FileTooLarge, ImportFileError
from lab.db import write

GOOD = (
    "nom,email,telephone,tranche_age,quartier,aisance_numerique\n"
    "Jeanne Martin,jeanne@ville.test,06 12 34 56 78,65-74 ans,Nord,faible\n"
    "Ali Benali,ali@ville.test,,75 ans et plus,Nord,moyenne\n"
    ",,,40-54 ans,Sud,\n"
)


def problems_of(parsed):
    return [(p.line, p.message) for p in parsed.problems]


def test_a_good_file_gives_contacts_and_profiles():
    parsed = parse_participants_csv(GOOD.encode())
    assert parsed.problems == []
    assert [row.line for row in parsed.rows] == [2, 3, 4]
    first = parsed.rows[0]
    assert first.contact == {"name": "Jeanne Martin", "email": "jeanne@ville.test", "phone": "06 12 34 56 78"}
    assert first.profile == {"tranche_age": "65-74 ans", "quartier": "Nord", "aisance_numerique": "faible"}
    assert parsed.rows[2].contact is None and parsed.rows[2].profile == {"tranche_age": "40-54 ans", "quartier": "Sud"}


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbfNom;Courriel;T\xc3\xa9l\xc3\xa9phone;Aisance num\xc3\xa9rique\r\n"
        b"H\xc3\xa9l\xc3\xa8ne;helene@ville.test;0612345678;Faible\r\n",
        "NOM;COURRIEL;Téléphone;Aisance Numérique\nHélène;helene@ville.test;+33 6 12 34 56 78;FAIBLE\n".encode("cp1252"),
        "nom,courriel,telephone,aisance-numerique\n\"Hélène\",helene@ville.test,06.12.34.56.78,faible\n".encode(),
    ],
    ids=["utf8-bom-semicolon", "cp1252-semicolon", "utf8-comma-quoted"],
)
def test_encodings_delimiters_and_header_spellings_are_understood(data):
    parsed = parse_participants_csv(data)
    assert parsed.problems == []
    assert parsed.rows[0].contact == {"name": "Hélène", "email": "helene@ville.test", "phone": "06 12 34 56 78"}
    assert parsed.rows[0].profile == {"aisance_numerique": "faible"}


def test_each_bad_line_is_reported_with_its_number_and_the_good_ones_kept():
    data = (
        "nom;email;telephone;adresse\n"  # 1: unknown column
        "Jeanne;jeanne@ville.test;;\n"  # 2: ok
        "Paul;paul@;;\n"  # 3: bad e-mail
        "Lucie;;12;\n"  # 4: bad phone
        ";;;\n"  # 5: empty
        "Autre Jeanne;JEANNE@ville.test;;\n"  # 6: duplicate of line 2
        '"Marc\nsur deux lignes";marc@ville.test;;\n'  # 7-8: one record
        "Zoé;zoe@;0;x;en trop\n"  # 9: too many columns
        "Yves;yves@ville.test;;\n"  # 10: ok
    ).encode()
    parsed = parse_participants_csv(data)
    assert [row.line for row in parsed.rows] == [2, 7, 10]
    problems = problems_of(parsed)
    assert [line for line, _ in problems] == [1, 3, 4, 5, 6, 9]
    messages = dict(problems)
    assert "Colonne inconnue « adresse »" in messages[1]
    assert "Adresse électronique invalide" in messages[3]
    assert "Numéro de téléphone invalide" in messages[4]
    assert messages[5] == "Ligne vide."
    assert "jeanne@ville.test figure déjà ligne 2" in messages[6]
    assert "5 colonnes" in messages[9]


def test_a_line_with_several_mistakes_reports_them_all():
    parsed = parse_participants_csv(b"email,telephone,aisance_numerique\nx@,12,experte\n")
    assert [line for line, _ in problems_of(parsed)] == [2, 2, 2]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "vide"),
        (b"\xef\xbb\xbf  \n", "vide"),
        (b"PK\x03\x04\x14\x00\x06\x00", "enregistrez-le au format CSV"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "n'est pas un fichier CSV"),
        (b"prenom;age\nJeanne;70\n", "Aucune colonne reconnue"),
        (b"email;courriel\na@b.fr;c@d.fr\n", "apparaît deux fois"),
        (b"\x81\x8d\x8f\x90", "encodage"),
        (b'nom,email\n"Jeanne,jeanne@ville.test\n', "CSV lisible"),
        (b"email\n" + b"a@b.fr\n" * 5001, "plus de 5 000 lignes"),
    ],
)
def test_files_that_cannot_be_imported_say_why(data, message):
    with pytest.raises(ImportFileError, match=message):
        parse_participants_csv(data)


def test_oversize_file_is_refused_before_parsing():
    with pytest.raises(FileTooLarge):
        parse_participants_csv(b"email\n" + b"x" * MAX_BYTES)


def make_group(db):
    with write(db):
        return create_group(db, name="Locataires Sud", description="", user_id=None)


def test_importing_twice_adds_nobody_twice(db):
    group_id = make_group(db)
    with write(db):
        first = import_participants(db, group_id=group_id, parsed=parse_participants_csv(GOOD.encode()),
                                    filename="liste.csv", user_id=None)
        again = import_participants(db, group_id=group_id, parsed=parse_participants_csv(GOOD.encode()),
                                    filename="liste.csv", user_id=None)
    assert len(first.created) == 3 and again.created == [] and again.previous_import["imported"] == 3
    corrected = GOOD.replace("Ali Benali,ali@ville.test,", "Ali Benali,ALI@ville.test,") + "Nina,,07 00 00 00 01,,,\n"
    with write(db):
        edited = import_participants(db, group_id=group_id, parsed=parse_participants_csv(corrected.encode()),
                                     filename="liste-v2.csv", user_id=None)
    assert [line for line, _ in edited.already_present] == [2, 3]
    assert [line for line, _ in edited.created] == [4, 5]  # the anonymous row cannot be recognised; Nina is new
    with write(db):
        by_phone = import_participants(db, group_id=group_id, parsed=parse_participants_csv(b"telephone\n0700000001\n"),
                                       filename="tel.csv", user_id=None)
    assert by_phone.created == [] and len(by_phone.already_present) == 1
    assert len(list_participants(db, group_id)) == 5


def test_upload_reports_lines_and_refuses_garbage(login_as, db):
    group_id = make_group(db)
    staff = login_as("staff")
    url = f"/lab/groups/{group_id}/import"
    token = {"csrf_token": staff.cookies.get("lab_csrf")}

    def upload(content: bytes, name="liste.csv"):
        response = staff.post(url, data=token, files={"file": (name, content, "text/csv")})
        return response.status_code, unescape(response.text)

    data = (GOOD + "Paul,paul@,,,,\n").encode("cp1252")
    status, report = upload(data)
    assert status == 200
    assert "3 participant·es ajouté·es" in report and "Adresse électronique invalide" in report
    assert '<td class="num">5</td>' in report
    status, again = upload(data)
    assert status == 200 and "déjà été importé" in again
    status, garbage = upload(b"\x89PNG\r\n\x1a\n\x00\x00", "photo.png")
    assert status == 422 and "n'est pas un fichier CSV" in garbage
    status, oversize = upload(b"email\n" + b"a" * (MAX_BYTES + 10))
    assert status == 413 and "découpez-le" in oversize
    nothing = staff.post(url, data=token, files={"file": ("", b"", "application/octet-stream")})
    assert nothing.status_code == 422 and "vide" in nothing.text
    assert len(list_participants(db, group_id)) == 3
    actions = [row["action"] for row in db.query("SELECT action FROM audit_log WHERE action = 'participants.import'")]
    assert actions == ["participants.import"] * 2
