"""Test groups and their pseudonymous participants; contact details live apart and can be erased."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping

from sqlite_utils import Database

from lab.clock import iso, utcnow
from lab.folding import fold
from lab.i18n import N_
from lab.i18n import gettext as _

#: No 0/O or 1/I: codes are read aloud and copied from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 4
CODE_ATTEMPTS = 50
MAX_BATCH = 500
PROFILE_FIELDS = ("tranche_age", "quartier", "aisance_numerique")
AGE_RANGES = ("moins de 25 ans", "25-39 ans", "40-54 ans", "55-64 ans", "65-74 ans", "75 ans et plus")
DIGITAL_LEVELS = (N_("faible"), N_("moyenne"), N_("forte"))
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
_PHONE_SEPARATORS = re.compile(r"[\s.\-/()\u00a0\u202f]")


class GroupError(ValueError):
    """Bad input about groups or participants, with a French message and the form field to fix."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field



def normalize_email(value: str) -> str:
    """Trimmed lower-case address, or GroupError if it cannot be one."""
    email = value.strip().lower()
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise GroupError(_("Adresse électronique invalide : « %(value)s ».", value=value.strip()), "email")
    return email


def normalize_phone(value: str) -> str:
    """French numbers as "06 12 34 56 78", others as "+4420…"; GroupError otherwise."""
    digits = _PHONE_SEPARATORS.sub("", value)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("+33") and len(digits) == 12:
        digits = "0" + digits[3:]
    if re.fullmatch(r"0[1-9]\d{8}", digits):
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    if re.fullmatch(r"\+[1-9]\d{7,14}", digits):
        return digits
    raise GroupError(_("Numéro de téléphone invalide : « %(value)s ».", value=value.strip()), "phone")


def clean_contact(*, name: str = "", email: str = "", phone: str = "") -> dict | None:
    """Validated contact details, or None when nothing was given."""
    name = " ".join(name.split())
    if len(name) > 200:
        raise GroupError(_("Le nom ne doit pas dépasser 200 caractères."), "name")
    contact = {
        "name": name,
        "email": normalize_email(email) if email.strip() else "",
        "phone": normalize_phone(phone) if phone.strip() else "",
    }
    return contact if any(contact.values()) else None


def clean_profile(values: Mapping[str, str]) -> dict:
    """Keep the known, non-identifying profile answers that were filled in."""
    profile = {}
    for key in PROFILE_FIELDS:
        value = " ".join(str(values.get(key) or "").split())
        if not value:
            continue
        if len(value) > 80:
            raise GroupError(_("Une caractéristique du profil ne doit pas dépasser 80 caractères."), key)
        if key == "aisance_numerique":
            value = fold(value)
            if value not in DIGITAL_LEVELS:
                raise GroupError(
                    _("Aisance numérique inconnue : « %(value)s » (faible, moyenne ou forte).", value=values[key]), key
                )
        profile[key] = value
    return profile


def _clean_group(name: str, description: str) -> dict:
    name = " ".join(name.split())
    if not name:
        raise GroupError(_("Donnez un nom au groupe."), "name")
    if len(name) > 120:
        raise GroupError(_("Le nom du groupe ne doit pas dépasser 120 caractères."), "name")
    if len(description) > 2000:
        raise GroupError(_("La description ne doit pas dépasser 2 000 caractères."), "description")
    return {"name": name, "description": description.strip()}


def create_group(db: Database, *, name: str, description: str, user_id: int | None) -> int:
    """Store a new, empty test group."""
    values = _clean_group(name, description)
    return db["test_groups"].insert({**values, "created_at": iso(utcnow()), "created_by": user_id}).last_pk


def rename_group(db: Database, *, group_id: int, name: str, description: str) -> None:
    """Change a group's name and description; its participants are untouched."""
    db["test_groups"].update(group_id, _clean_group(name, description))


def list_groups(db: Database) -> list[dict]:
    """Every group with its size, newest first."""
    return list(
        db.query(
            """
            SELECT g.*, COUNT(p.id) AS participant_count
            FROM test_groups g LEFT JOIN participants p ON p.group_id = g.id
            GROUP BY g.id ORDER BY g.created_at DESC, g.id DESC
            """
        )
    )


def get_group(db: Database, group_id: int) -> dict | None:
    """One group row, or None."""
    rows = list(db.query("SELECT * FROM test_groups WHERE id = ?", [group_id]))
    return rows[0] if rows else None


def new_code(db: Database) -> str:
    """A fresh code like P-7F3K, unique across the database (random, retried on collision)."""
    for _attempt in range(CODE_ATTEMPTS):
        code = "P-" + "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if not db["participants"].count_where("code = ?", [code]):
            return code
    raise GroupError(_("Impossible de trouver un code participant libre ; réessayez."))


def create_participant(
    db: Database,
    *,
    group_id: int,
    profile: dict | None = None,
    contact: dict | None = None,
    joined_via: int | None = None,
) -> dict:
    """Insert one participant (already validated input) and return its id and code."""
    code = new_code(db)
    participant_id = db["participants"].insert(
        {
            "group_id": group_id,
            "code": code,
            "profile": json.dumps(profile or {}, ensure_ascii=False),
            "created_at": iso(utcnow()),
            "joined_via": joined_via,
        }
    ).last_pk
    if contact:
        db["participant_contacts"].insert({"participant_id": participant_id, **contact})
    return {"id": participant_id, "code": code}


def add_participants(db: Database, *, group_id: int, count: int, profile: Mapping[str, str] | None = None) -> list[str]:
    """Create `count` anonymous participants at once and return their codes."""
    if not 1 <= count <= MAX_BATCH:
        raise GroupError(_("Indiquez un nombre de participant·es entre 1 et %(max)d.", max=MAX_BATCH), "count")
    cleaned = clean_profile(profile or {})
    return [create_participant(db, group_id=group_id, profile=cleaned)["code"] for _i in range(count)]


def find_by_contact(db: Database, *, group_id: int, email: str = "", phone: str = "") -> dict | None:
    """The group's participant with this e-mail (or, without one, this phone), if any."""
    column, value = ("email", email) if email else ("phone", phone)
    if not value:
        return None
    rows = list(
        db.query(
            f"""
            SELECT p.id, p.code FROM participants p JOIN participant_contacts c ON c.participant_id = p.id
            WHERE p.group_id = ? AND c.{column} = ? LIMIT 1
            """,
            [group_id, value],
        )
    )
    return rows[0] if rows else None


def add_participant(
    db: Database, *, group_id: int, name: str, email: str, phone: str, profile: Mapping[str, str]
) -> dict:
    """Create one participant with contact details, refusing a second entry for the same person."""
    contact = clean_contact(name=name, email=email, phone=phone)
    cleaned = clean_profile(profile)
    if contact:
        existing = find_by_contact(db, group_id=group_id, email=contact["email"], phone=contact["phone"])
        if existing:
            raise GroupError(
                _("Cette personne fait déjà partie du groupe (%(code)s).", code=existing["code"]),
                "email" if contact["email"] else "phone",
            )
    return create_participant(db, group_id=group_id, profile=cleaned, contact=contact)


def list_participants(db: Database, group_id: int) -> list[dict]:
    """A group's participants without their contact details, only whether some are kept."""
    rows = db.query(
        """
        SELECT p.id, p.code, p.profile, p.created_at, c.participant_id IS NOT NULL AS has_contact
        FROM participants p LEFT JOIN participant_contacts c ON c.participant_id = p.id
        WHERE p.group_id = ? ORDER BY p.id
        """,
        [group_id],
    )
    return [{**row, "profile": json.loads(row["profile"])} for row in rows]


def get_participant(db: Database, participant_id: int) -> dict | None:
    """One participant with its contact details (None values when none are kept)."""
    rows = list(
        db.query(
            """
            SELECT p.*, c.name, c.email, c.phone, c.participant_id IS NOT NULL AS has_contact
            FROM participants p LEFT JOIN participant_contacts c ON c.participant_id = p.id
            WHERE p.id = ?
            """,
            [participant_id],
        )
    )
    return {**rows[0], "profile": json.loads(rows[0]["profile"])} if rows else None


def erase_contact(db: Database, *, participant_id: int) -> bool:
    """Delete a participant's contact details for good; the pseudonymous record stays."""
    return db.execute("DELETE FROM participant_contacts WHERE participant_id = ?", [participant_id]).rowcount > 0


def set_email(db: Database, *, participant_id: int, email: str) -> str:
    """Keep the address a person typed themselves (at the end of a test), validated; GroupError if it cannot be one."""
    email = normalize_email(email)
    db.execute(
        """INSERT INTO participant_contacts (participant_id, email) VALUES (?, ?)
           ON CONFLICT (participant_id) DO UPDATE SET email = excluded.email""",
        [participant_id, email],
    )
    return email
