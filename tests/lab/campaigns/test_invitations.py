"""Invitations: hashed 192-bit tokens, reprintable links, every resolution status, shared links, exports."""

import base64
import hashlib
import sqlite3
from html import unescape

import pytest

from lab.campaigns.deployments import close_deployment, create_deployment
from lab.campaigns.groups import add_participants, list_participants
from lab.campaigns.invitations import (
    STATUSES,
    InvitationUnavailable,
    SharedLinkForm,
    consume_shared,
    create_shared,
    generate_personal,
    list_invitations,
    make_token,
    resolve,
    revoke,
)
from lab.db import write
from tests.factories import deployment_with_contact
from tests.lab.campaigns.test_deployments import NOW, form, utc

BASE = "https://lab.ville.test"


def deploy(db, seeded, **changes):
    with write(db):
        return create_deployment(db, form=form(seeded, **changes), user_id=None, now=NOW)


def links(db, settings, deployment_id, **options):
    return list_invitations(db, deployment_id, secret_key=settings.secret_key, base_url=BASE, now=NOW, **options)


def token_of(link):
    return link["url"].rsplit("/t/", 1)[1]


def test_tokens_carry_192_bits_and_only_their_hash_reaches_the_disk(db, settings, seeded):
    deployment_id = deploy(db, seeded)
    with write(db):
        assert generate_personal(db, deployment_id=deployment_id, secret_key=settings.secret_key, now=NOW) == 3
        create_shared(db, deployment_id=deployment_id, form=SharedLinkForm(seeded["group"], "20"),
                      secret_key=settings.secret_key, now=NOW)
    tokens = [token_of(link) for link in links(db, settings, deployment_id)]
    assert len(tokens) == len(set(tokens)) == 4
    for token in tokens:
        assert len(token) == 32 and len(base64.urlsafe_b64decode(token)) == 24
    stored = {row["token_hash"] for row in db.query("SELECT token_hash FROM invitations")}
    assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    files = [settings.db_path, settings.db_path.with_name(settings.db_path.name + "-wal")]
    on_disk = b"".join(path.read_bytes() for path in files if path.exists())
    assert not any(token.encode() in on_disk for token in tokens)


def test_a_reprinted_link_is_the_original_and_a_new_secret_revokes_them_all(db, settings, seeded):
    deployment_id = deploy(db, seeded)
    with write(db):
        generate_personal(db, deployment_id=deployment_id, secret_key=settings.secret_key, now=NOW)
    first, again = links(db, settings, deployment_id), links(db, settings, deployment_id)
    assert [link["url"] for link in first] == [link["url"] for link in again]
    assert token_of(first[0]) == make_token(settings.secret_key, first[0]["salt"])
    opened = utc("2026-03-15T12:00")
    assert resolve(db, token_of(first[0]), now=opened, secret_key=settings.secret_key).status == "ok"
    assert resolve(db, token_of(first[0]), now=opened, secret_key="rotated-" + "y" * 32).status == "unknown"


def test_generation_is_idempotent_and_reaches_newcomers(db, settings, seeded):
    deployment_id = deploy(db, seeded)

    def generate():
        with write(db):
            return generate_personal(db, deployment_id=deployment_id, secret_key=settings.secret_key, now=NOW)

    assert (generate(), generate()) == (3, 0)
    with write(db):
        add_participants(db, group_id=int(seeded["group"]), count=2)
        shared = create_shared(db, deployment_id=deployment_id, form=SharedLinkForm(seeded["group"], "5"),
                               secret_key=settings.secret_key, now=NOW)
        consume_shared(db, invitation_id=shared, now=utc("2026-03-15T12:00"))
    assert generate() == 2  # the person who came through the shared link already has their way in
    assert db["invitations"].count_where("kind = 'personal'") == 5
    personal = list(db.query("SELECT * FROM invitations WHERE kind = 'personal' LIMIT 1"))[0]
    with pytest.raises(sqlite3.IntegrityError):
        db["invitations"].insert({**personal, "id": None, "salt": "x", "token_hash": "y"})


def test_resolve_says_why_a_link_does_or_does_not_open(db, settings, seeded):
    key = settings.secret_key
    deployment_id = deploy(db, seeded, quota="3")
    with write(db):
        generate_personal(db, deployment_id=deployment_id, secret_key=key, now=NOW)
        once = create_shared(db, deployment_id=deployment_id, form=SharedLinkForm(seeded["group"], "1"),
                             secret_key=key, now=NOW)
        dated = create_shared(db, deployment_id=deployment_id,
                              form=SharedLinkForm(seeded["group"], "5", "2026-03-20T12:00"), secret_key=key, now=NOW)
    tokens = {link["id"]: token_of(link) for link in links(db, settings, deployment_id)}
    personal = [i for i in tokens if i not in (once, dated)]
    seen = set()

    def status(invitation_id, when):
        found = resolve(db, tokens[invitation_id], now=utc(when), secret_key=key).status
        seen.add(found)
        return found

    unknown = resolve(db, "A" * 32, now=utc("2026-03-15T12:00"), secret_key=key)
    assert (unknown.status, unknown.invitation, unknown.deployment) == ("unknown", None, None)
    assert status(personal[0], "2026-03-10T07:59") == "not_open_yet"
    ok = resolve(db, tokens[personal[0]], now=utc("2026-03-15T12:00"), secret_key=key)
    assert ok.status == "ok" and ok.deployment["id"] == deployment_id
    assert ok.group["name"] == "Seniors quartier Nord" and ok.participant["id"] == ok.invitation["participant_id"]
    assert status(personal[0], "2026-03-31T16:00") == "closed"
    assert status(dated, "2026-03-20T11:00") == "expired"  # 12:00 in Paris is 11:00 UTC

    with write(db):
        newcomer = consume_shared(db, invitation_id=once, now=utc("2026-03-15T12:00"))
    assert newcomer["code"] in {p["code"] for p in list_participants(db, int(seeded["group"]))}
    assert status(once, "2026-03-15T12:00") == "exhausted"
    with write(db), pytest.raises(InvitationUnavailable) as refused:
        consume_shared(db, invitation_id=once, now=utc("2026-03-15T12:00"))
    assert refused.value.status == "exhausted"

    with write(db):
        consume_shared(db, invitation_id=dated, now=utc("2026-03-15T12:00"))
        consume_shared(db, invitation_id=dated, now=utc("2026-03-15T12:00"))
    assert status(personal[0], "2026-03-15T12:00") == "quota_reached"

    with write(db):
        revoke(db, invitation_id=personal[1], now=utc("2026-03-15T12:00"))
    assert status(personal[1], "2026-03-15T12:00") == "revoked"
    with write(db):
        close_deployment(db, deployment_id=deployment_id, now=utc("2026-03-16T12:00"))
    assert status(personal[2], "2026-03-16T12:01") == "closed"
    assert seen | {unknown.status, ok.status} == set(STATUSES)


def test_staff_manage_shared_links_and_export_them(login_as, db, settings, seeded):
    staff, page_url = deployment_with_contact(login_as, db, seeded, title="Voirie", opens_at="2020-01-01T09:00",
                                              closes_at="2099-01-01T09:00")
    deployment_id = int(page_url.rsplit("/", 1)[1])
    refused = staff.post_form(f"{page_url}/invitations/shared",
                              {"group_id": "999", "max_uses": "0", "expires_at": "2020-01-01T00:00"})
    text = unescape(refused.text)
    assert refused.status_code == 422
    assert "Choisissez un des groupes" in text and "entre 1 et 10 000" in text and "déjà passée" in text
    assert 'value="0"' in text and 'value="2020-01-01T00:00"' in text
    shared = staff.post_form(f"{page_url}/invitations/shared", {"group_id": seeded["group"], "max_uses": "25"})
    assert shared.status_code == 200 and "0 / 25" in shared.text
    shared_id = list(db.query("SELECT id FROM invitations WHERE kind = 'shared'"))[0]["id"]
    assert staff.post_form(f"{page_url}/invitations/{shared_id}/revoke").status_code == 200
    assert staff.post_form(f"{page_url}/invitations/{shared_id}/revoke").status_code == 409
    assert staff.post_form(f"{page_url}/invitations/999/revoke").status_code == 404

    with write(db):
        add_participants(db, group_id=int(seeded["group"]), count=1)
    assert staff.post_form(f"{page_url}/invitations").status_code == 200
    assert db["invitations"].count_where("kind = 'personal'") == 5

    plain = staff.get(f"{page_url}/invitations.csv")
    assert plain.headers["content-type"].startswith("text/csv") and "attachment" in plain.headers["content-disposition"]
    rows = plain.text.lstrip("\ufeff").splitlines()
    assert rows[0] == "code;groupe;type;lien;expire_le" and len(rows) == 6  # the revoked shared link is left out
    assert "jeanne@ville.test" not in plain.text
    usable = links(db, settings, deployment_id, usable_only=True)
    assert {row.split(";")[3] for row in rows[1:]} == {link["url"].replace(BASE, "http://testserver") for link in usable}
    merge = staff.get(f"{page_url}/invitations.csv?contacts=true").text
    assert "nom;courriel;telephone" in merge and "Jeanne Martin;jeanne@ville.test" in merge
    actions = [row["action"] for row in db.query("SELECT action FROM audit_log WHERE action LIKE 'invitation%' ORDER BY id")]
    assert actions == ["invitation.create_shared", "invitation.revoke", "invitations.generate",
                       "invitations.export", "invitations.export"]
