"""The collectivité that runs the lab: who asks citizens to take part, named wherever they read it.

The RGPD wants the data controller named, and residents who scan a QR code must know which
mairie asks. An admin sets the identity in the web UI; every citizen page, consent notice,
invitation sheet, report and open-data archive reads it from here.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from lab.clock import iso
from lab.i18n import gettext as _
from lab.problems import FormRefused

#: The logo is shown small in headers, sheets and PDFs: a raster image, never SVG (it could carry script).
LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
LOGO_MAX_BYTES = 512 * 1024
RETENTION_RANGE = (1, 3650)
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)


@dataclass(frozen=True)
class Organisation:
    """The collectivité's identity; empty until an admin fills it (pages then speak of "the collectivité")."""

    name: str = ""
    short_name: str = ""
    address: str = ""
    dpo_contact: str = ""
    website: str = ""
    accessibility_contact: str = ""
    retention_days: int = 365
    logo_type: str | None = None
    updated_at: str | None = None

    @property
    def named(self) -> bool:
        """Whether an admin has said who the collectivité is."""
        return bool(self.name)

    @property
    def display_name(self) -> str:
        """The short name for headers, the full name when there is none."""
        return self.short_name or self.name

    @property
    def address_lines(self) -> list[str]:
        """The postal address as printed, line by line."""
        return [line.strip() for line in self.address.splitlines() if line.strip()]

    @property
    def logo_url(self) -> str | None:
        """Where pages load the logo from; the version in the query changes with every save, so it may be cached."""
        return f"/organisation/logo?v={re.sub(r'[^0-9]', '', self.updated_at or '')}" if self.logo_type else None


#: What the admin form edits, as text: the identity's columns but the logo.
FORM_FIELDS = ("name", "short_name", "address", "dpo_contact", "website", "accessibility_contact", "retention_days")
_TEXT_COLUMNS = FORM_FIELDS[:-1]


def load(db: Database) -> Organisation:
    """The identity as saved, or an empty one."""
    row = db.execute(
        "SELECT name, short_name, address, dpo_contact, website, accessibility_contact, retention_days, logo_type, updated_at "
        "FROM organisation WHERE id = 1"
    ).fetchone()
    return Organisation(*row) if row else Organisation()


def form_of(organisation: Organisation) -> dict[str, str]:
    """The saved identity as the form shows it."""
    return {name: str(getattr(organisation, name)) for name in FORM_FIELDS}


def _clean(form: Mapping[str, str]) -> dict:
    """Trimmed values, or FormRefused naming every field to fix."""
    values = {name: form.get(name, "").replace("\r\n", "\n").strip() for name in _TEXT_COLUMNS}
    problems = []
    if not values["name"]:
        problems.append(("name", _("Indiquez le nom de la collectivité, par exemple « Ville de Rivebelle ».")))
    for name, limit in (("name", 200), ("short_name", 60), ("address", 500), ("dpo_contact", 300),
                        ("website", 300), ("accessibility_contact", 300)):
        if len(values[name]) > limit:
            problems.append((name, _("%(limit)d caractères au maximum.", limit=limit)))
    if values["website"] and not _URL.fullmatch(values["website"]):
        problems.append(("website", _("Indiquez une adresse web complète, par exemple https://www.rivebelle.fr.")))
    retention = form.get("retention_days", "").strip()
    if not retention.isdigit() or not RETENTION_RANGE[0] <= int(retention) <= RETENTION_RANGE[1]:
        problems.append(("retention_days", _("Indiquez un nombre de jours entre 1 et 3 650.")))
    if problems:
        raise FormRefused(problems)
    return {**values, "retention_days": int(retention)}


def save(db: Database, form: Mapping[str, str], *, now: datetime, user_id: int | None) -> Organisation:
    """Store the identity (inside the caller's write); the logo is kept."""
    values = _clean(form)
    db.execute(
        """INSERT INTO organisation (id, name, short_name, address, dpo_contact, website, accessibility_contact,
                                     retention_days, updated_at, updated_by)
           VALUES (1, :name, :short_name, :address, :dpo_contact, :website, :accessibility_contact, :retention_days, :now, :user)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, short_name = excluded.short_name, address = excluded.address,
             dpo_contact = excluded.dpo_contact, website = excluded.website,
             accessibility_contact = excluded.accessibility_contact, retention_days = excluded.retention_days,
             updated_at = excluded.updated_at, updated_by = excluded.updated_by""",
        {**values, "now": iso(now), "user": user_id},
    )
    return load(db)


def logo_type_of(data: bytes) -> str:
    """The image type read from the file's first bytes (not its name), or FormRefused."""
    if len(data) > LOGO_MAX_BYTES:
        raise FormRefused([("logo", _("Le logo dépasse 512 Ko : enregistrez-le plus petit (300 pixels de large suffisent)."))])
    for magic, media_type in LOGO_TYPES.items():
        if data.startswith(magic):
            return media_type
    raise FormRefused([("logo", _("Le logo doit être une image PNG ou JPEG."))])


def set_logo(db: Database, data: bytes | None, *, now: datetime) -> None:
    """Replace the logo (None removes it), inside the caller's write, after `save`."""
    media_type = logo_type_of(data) if data is not None else None
    db.execute("UPDATE organisation SET logo = ?, logo_type = ?, updated_at = ? WHERE id = 1", [data, media_type, iso(now)])


def logo_data_uri(db: Database) -> str | None:
    """The logo inline, for documents drawn outside a request (PDF): they read no URL of ours."""
    found = logo(db)
    return f"data:{found[1]};base64,{base64.b64encode(found[0]).decode()}" if found else None


def logo(db: Database) -> tuple[bytes, str] | None:
    """The logo's bytes and media type, if there is one."""
    row = db.execute("SELECT logo, logo_type FROM organisation WHERE id = 1 AND logo IS NOT NULL").fetchone()
    return (row[0], row[1]) if row else None
