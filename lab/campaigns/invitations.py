"""Invitation links: secret tokens recomputed from the app secret, only their hashes stored.

Each invitation row keeps a random salt; its token is
``base64url(HMAC-SHA256(secret_key, "invitation:" + salt)[:24])`` (192 bits) and the table keeps
``sha256(token)``. A leaked database therefore holds no usable link, while staff can print a link
again at any time. Resolving checks the token against the secret too, so rotating LAB_SECRET_KEY
invalidates every invitation link already sent: print and send them again afterwards.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from lab.campaigns.deployments import DeploymentError, get_deployment, parse_local, state, whole_number
from lab.campaigns.groups import create_participant
from lab.clock import iso, local_text, parse
from lab.db import one
from lab.i18n import gettext as _

TOKEN_BYTES = 24
MAX_SHARED_USES = 10000
STATUSES = ("ok", "unknown", "revoked", "expired", "exhausted", "not_open_yet", "closed", "quota_reached")


class InvitationUnavailable(Exception):
    """A shared link can no longer admit anyone; `status` says why (one of STATUSES)."""

    def __init__(self, status: str):
        super().__init__(status)
        self.status = status


@dataclass(frozen=True)
class SharedLinkForm:
    """The shared-link form as typed, so a refused form comes back intact."""

    group_id: str = ""
    max_uses: str = ""
    expires_at: str = ""


@dataclass(frozen=True)
class Resolution:
    """What a token leads to: a status among STATUSES and the rows behind it (None when unknown)."""

    status: str
    invitation: dict | None = None
    deployment: dict | None = None
    group: dict | None = None
    participant: dict | None = None


def make_token(secret_key: str, salt: str) -> str:
    """The link's secret, derived from the salt so it never needs storing."""
    mac = hmac.new(secret_key.encode(), ("invitation:" + salt).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:TOKEN_BYTES]).decode().rstrip("=")


def hash_token(token: str) -> str:
    """What the database keeps of a token (any text a URL carried, even bytes that are not UTF-8)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def invitation_url(base_url: str, token: str) -> str:
    """The address printed on cards and sent by mail merge."""
    return f"{base_url.rstrip('/')}/t/{token}"


def _insert(db: Database, *, deployment_id: int, group_id: int, participant_id: int | None, kind: str,
            max_uses: int | None, expires_at: str | None, secret_key: str, now: datetime) -> int:
    salt = secrets.token_urlsafe(24)
    return db["invitations"].insert(
        {
            "deployment_id": deployment_id,
            "group_id": group_id,
            "participant_id": participant_id,
            "kind": kind,
            "salt": salt,
            "token_hash": hash_token(make_token(secret_key, salt)),
            "max_uses": max_uses,
            "expires_at": expires_at,
            "created_at": iso(now),
        }
    ).last_pk


def _refuse_if_closed(deployment: dict, now: datetime) -> None:
    if state(deployment, now) == "closed":
        message = _("Cette session de test est close : elle n'accepte plus d'invitation.")
        raise DeploymentError([("invitations", message)])


def generate_personal(db: Database, *, deployment_id: int, secret_key: str, now: datetime) -> int:
    """Give each participant of the groups a personal link; re-running only adds the missing ones."""
    _refuse_if_closed(get_deployment(db, deployment_id), now)
    # People who came through a shared link (joined_via) have no paper or address to receive one.
    missing = list(
        db.query(
            """
            SELECT p.id, p.group_id FROM deployment_groups dg JOIN participants p ON p.group_id = dg.group_id
            WHERE dg.deployment_id = :d AND p.joined_via IS NULL AND NOT EXISTS (
                SELECT 1 FROM invitations i WHERE i.deployment_id = :d AND i.participant_id = p.id AND i.kind = 'personal'
            ) ORDER BY p.id
            """,
            {"d": deployment_id},
        )
    )
    for participant in missing:
        # No use limit: the owner may come back to resume their trial.
        _insert(db, deployment_id=deployment_id, group_id=participant["group_id"], participant_id=participant["id"],
                kind="personal", max_uses=None, expires_at=None, secret_key=secret_key, now=now)
    return len(missing)


def create_shared(db: Database, *, deployment_id: int, form: SharedLinkForm, secret_key: str, now: datetime) -> int:
    """One link for a whole group (a poster, a kiosk), limited in uses and optionally in time."""
    deployment = get_deployment(db, deployment_id)
    _refuse_if_closed(deployment, now)
    problems = []
    group_ids = {group["id"] for group in deployment["groups"]}
    group_id = whole_number(form.group_id)
    if group_id not in group_ids:
        problems.append(("group_id", _("Choisissez un des groupes de la session.")))
    max_uses = whole_number(form.max_uses)
    if max_uses is None or not 1 <= max_uses <= MAX_SHARED_USES:
        problems.append(("max_uses", _("Indiquez un nombre d'utilisations entre 1 et 10 000.")))
    expires_at = None
    if form.expires_at.strip():
        try:
            expires_at = parse_local(form.expires_at)
        except ValueError:
            problems.append(("expires_at", _("La date d'expiration n'est pas une date valide.")))
        else:
            if expires_at <= now:
                problems.append(("expires_at", _("La date d'expiration est déjà passée.")))
    if problems:
        raise DeploymentError(problems)
    return _insert(db, deployment_id=deployment_id, group_id=group_id, participant_id=None, kind="shared",
                   max_uses=max_uses, expires_at=expires_at and iso(expires_at), secret_key=secret_key, now=now)


def get_invitation(db: Database, invitation_id: int) -> dict | None:
    """One invitation row, or None."""
    return one(db, "SELECT * FROM invitations WHERE id = ?", [invitation_id])


def revoke(db: Database, *, invitation_id: int, now: datetime) -> None:
    """Stop a link from working, for good."""
    if get_invitation(db, invitation_id)["revoked_at"]:
        raise DeploymentError([("invitations", _("Cette invitation est déjà révoquée."))])
    db["invitations"].update(invitation_id, {"revoked_at": iso(now)})


def link_status(invitation: dict, now: datetime) -> str:
    """The link's own state, whatever its deployment: revoked, expired, exhausted or ok."""
    if invitation["revoked_at"]:
        return "revoked"
    if invitation["expires_at"] and now >= parse(invitation["expires_at"]):
        return "expired"
    if invitation["max_uses"] is not None and invitation["uses"] >= invitation["max_uses"]:
        return "exhausted"
    return "ok"


def trials_used(db: Database, deployment_id: int) -> int:
    """What counts against the quota: people let in by shared links, plus trials started otherwise
    (personal links, mediators, kiosks; the trials table belongs to feedback)."""
    return db.execute(
        """
        SELECT (SELECT COALESCE(SUM(uses), 0) FROM invitations WHERE deployment_id = :d)
             + (SELECT COUNT(*) FROM trials t JOIN participants p ON p.id = t.participant_id
                WHERE t.deployment_id = :d AND t.channel IN ('online', 'assisted', 'kiosk')
                  AND (p.joined_via IS NULL OR p.joined_via NOT IN (SELECT id FROM invitations WHERE deployment_id = :d)))
        """,
        {"d": deployment_id},
    ).fetchone()[0]


def _status(db: Database, invitation: dict | None, deployment: dict | None, now: datetime) -> str:
    if invitation is None or deployment is None:
        return "unknown"
    own = link_status(invitation, now)
    if own != "ok":
        return own
    current = state(deployment, now)
    if current != "open":
        return "closed" if current == "closed" else "not_open_yet"
    if deployment["quota"] is not None and trials_used(db, deployment["id"]) >= deployment["quota"]:
        return "quota_reached"
    return "ok"


def resolve(db: Database, token: str, *, now: datetime, secret_key: str) -> Resolution:
    """Say what a token opens; unknown tokens cost the same lookups and HMAC as known ones."""
    token = token[:128]
    invitation = one(db, "SELECT * FROM invitations WHERE token_hash = ?", [hash_token(token)])
    expected = make_token(secret_key, invitation["salt"] if invitation else "unknown")
    if not hmac.compare_digest(expected.encode(), token.encode("utf-8", "surrogatepass")):
        invitation = None  # issued under another secret: rotating the key revokes every link
    ids = invitation or {"deployment_id": None, "group_id": None, "participant_id": None}
    deployment = get_deployment(db, ids["deployment_id"])
    group = one(db, "SELECT * FROM test_groups WHERE id = ?", [ids["group_id"]])
    participant = one(db, "SELECT * FROM participants WHERE id = ?", [ids["participant_id"]])
    return Resolution(_status(db, invitation, deployment, now), invitation, deployment, group, participant)


def shared_link(db: Database, invitation_id: int, *, now: datetime) -> Resolution:
    """What a shared link opened earlier in this browser leads to now (its state may have changed since)."""
    invitation = get_invitation(db, invitation_id)
    if invitation is None or invitation["kind"] != "shared":
        return Resolution("unknown")
    deployment = get_deployment(db, invitation["deployment_id"])
    return Resolution(_status(db, invitation, deployment, now), invitation, deployment)


def consume_shared(db: Database, *, invitation_id: int, now: datetime) -> dict:
    """Admit one more person through a shared link (inside the caller's write): count the use, create a participant."""
    invitation = get_invitation(db, invitation_id)
    deployment = invitation and get_deployment(db, invitation["deployment_id"])
    status = _status(db, invitation, deployment, now)
    if status != "ok" or invitation["kind"] != "shared":
        raise InvitationUnavailable(status if status != "ok" else "unknown")
    counted = db.execute(
        "UPDATE invitations SET uses = uses + 1 WHERE id = ? AND revoked_at IS NULL AND uses < max_uses",
        [invitation_id],
    ).rowcount
    if not counted:
        raise InvitationUnavailable("exhausted")
    return create_participant(db, group_id=invitation["group_id"], joined_via=invitation_id)


def list_invitations(
    db: Database,
    deployment_id: int,
    *,
    secret_key: str,
    base_url: str,
    now: datetime,
    usable_only: bool = False,
    with_contacts: bool = False,
) -> list[dict]:
    """The deployment's links with their address recomputed and their state; contacts only when asked."""
    contacts = "c.name AS contact_name, c.email AS contact_email, c.phone AS contact_phone," if with_contacts else ""
    rows = db.query(
        f"""
        SELECT i.*, {contacts} p.code, g.name AS group_name
        FROM invitations i JOIN test_groups g ON g.id = i.group_id
        LEFT JOIN participants p ON p.id = i.participant_id
        LEFT JOIN participant_contacts c ON c.participant_id = i.participant_id
        WHERE i.deployment_id = ? ORDER BY i.kind DESC, g.name, p.code, i.id
        """,
        [deployment_id],
    )
    links = []
    for row in rows:
        row["status"] = link_status(row, now)
        if usable_only and row["status"] != "ok":
            continue
        row["url"] = invitation_url(base_url, make_token(secret_key, row["salt"]))
        links.append(row)
    return links


def _cell(value: object) -> str:
    """Keep spreadsheets from running a cell as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def links_csv(links: list[dict], *, with_contacts: bool) -> str:
    """Links as a CSV that French spreadsheet software opens directly (BOM, semicolons)."""
    header = ["code", "groupe", "type", "lien", "expire_le"]
    if with_contacts:
        header += ["nom", "courriel", "telephone"]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for link in links:
        kind = _("personnelle") if link["kind"] == "personal" else _("partagée")
        row = [link["code"], link["group_name"], kind, link["url"], local_text(link["expires_at"])]
        if with_contacts:
            row += [link["contact_name"], link["contact_email"], link["contact_phone"]]
        writer.writerow([_cell(value) for value in row])
    return "\ufeff" + out.getvalue()
