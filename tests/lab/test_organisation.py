"""The collectivité's identity: set by an admin, audited, and named wherever citizens and readers look."""

from __future__ import annotations

import io
import zipfile
from html import unescape

from lab import organisation
from lab.clock import utcnow
from lab.db import write
from lab.demo.datafiles import DATA_DIR

IDENTITY = {"name": "Ville de Rivebelle", "short_name": "Rivebelle", "address": "Hôtel de ville\n45999 Rivebelle",
            "dpo_contact": "dpo@rivebelle.example", "website": "https://www.rivebelle.example",
            "accessibility_contact": "accessibilite@rivebelle.example", "retention_days": "200"}
LOGO = (DATA_DIR / "logo-rivebelle.png").read_bytes()


def _set(db) -> None:
    with write(db):
        organisation.save(db, IDENTITY, now=utcnow(), user_id=None)
        organisation.set_logo(db, LOGO, now=utcnow())


def test_an_admin_sets_the_identity_and_it_is_audited(login_as, db):
    admin = login_as("admin")
    assert "Identité de la collectivité" in admin.get("/admin/organisation").text
    saved = admin.post_form("/admin/organisation", IDENTITY, files={"logo": ("logo.png", LOGO, "image/png")},
                            follow_redirects=False)
    assert saved.status_code == 303
    stored = organisation.load(db)
    assert stored.name == "Ville de Rivebelle" and stored.retention_days == 200 and stored.logo_type == "image/png"
    assert db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'organisation.update'").fetchone()[0] == 1
    logo = admin.get(stored.logo_url)
    assert logo.content == LOGO and logo.headers["content-type"] == "image/png"


def test_bad_identity_is_refused_field_by_field_and_nothing_is_saved(login_as, db):
    admin = login_as("admin")
    refused = admin.post_form("/admin/organisation", {**IDENTITY, "name": "", "website": "rivebelle", "retention_days": "0"},
                              files={"logo": ("logo.png", b"<svg onload=alert(1)>", "image/png")})
    assert refused.status_code == 422
    for message in ("Indiquez le nom de la collectivité", "adresse web complète", "entre 1 et 3 650"):
        assert message in refused.text
    text_file = admin.post_form("/admin/organisation", IDENTITY, files={"logo": ("logo.png", b"hello", "image/png")})
    assert text_file.status_code == 422 and "PNG ou JPEG" in text_file.text
    assert not organisation.load(db).named


def test_only_admins_set_the_identity(login_as, client):
    for role in ("staff", "manager"):
        assert login_as(role).get("/admin/organisation").status_code == 403
    assert client.get("/admin/organisation", follow_redirects=False).status_code == 303


def test_citizens_and_readers_see_who_asks(db, lab, citizen, login_as):
    _set(db)
    person = citizen()
    welcome = unescape(person.enter(lab.tokens[0]).text)
    assert "Ville de Rivebelle, par l'intermédiaire de son laboratoire" in welcome  # the data controller, named
    assert "dpo@rivebelle.example" in welcome and "Rivebelle" in welcome.split("</header>")[0]
    assert "Ville de Rivebelle" in person.get("/donnees-personnelles").text
    statement = unescape(person.get("/accessibilite").text)
    assert "Ville de Rivebelle s'engage" in statement and "accessibilite@rivebelle.example" in statement
    staff = login_as("staff")
    assert "Ville de Rivebelle" in staff.get(f"/lab/deployments/{lab.deployment_id}/invitations/print").text
    assert 'value="200"' in staff.get("/lab/deployments/new").text  # the default retention


def test_the_open_data_archive_names_its_publisher(db, lab, citizen, login_as):
    _set(db)
    for index in range(len(lab.tokens)):
        person = citizen()
        person.enter(lab.tokens[index])
        person.consent()
        person.walk_steps()
    archive = login_as("manager").get(f"/reports/iterations/{lab.iteration_id}/opendata.zip")
    readme = zipfile.ZipFile(io.BytesIO(archive.content)).read("LISEZMOI.txt").decode()
    assert "publiés par Ville de Rivebelle" in readme and "https://www.rivebelle.example" in readme


def test_the_pdf_report_is_signed_by_the_collectivite(db, lab, login_as):
    from pypdf import PdfReader

    _set(db)
    pdf = login_as("manager").get(f"/reports/iterations/{lab.iteration_id}.pdf")
    assert pdf.status_code == 200
    reader = PdfReader(io.BytesIO(pdf.content))
    assert "Ville de Rivebelle" in reader.pages[0].extract_text()
    assert reader.metadata.author == "Ville de Rivebelle"
