"""Prototypes and their iterations in the database; a deployed iteration never changes."""

from __future__ import annotations

import re

from sqlite_utils import Database

from lab.clock import iso, utcnow
from lab.folding import strip_accents
from prototypes.spec import Spec
from prototypes.spec_yaml import parse_spec


class IterationFrozen(Exception):
    """Raised when someone edits an iteration that citizens have already seen."""


def slugify(text: str) -> str:
    """A readable ASCII identifier from a French title."""
    folded = strip_accents(text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:60] or "prototype"


def _unique_slug(db: Database, title: str) -> str:
    base = slugify(title)
    slug, n = base, 2
    while db["prototypes"].count_where("slug = ?", [slug]):
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_prototype(db: Database, *, spec_yaml: str, user_id: int | None, changelog: str = "") -> tuple[int, int]:
    """Validate the spec, then store the prototype with its first iteration (v1)."""
    spec = parse_spec(spec_yaml)
    now = iso(utcnow())
    prototype_id = db["prototypes"].insert(
        {
            "slug": _unique_slug(db, spec.title),
            "title": spec.title,
            "domain": spec.domain or "",
            "problem": spec.problem or "",
            "created_at": now,
            "created_by": user_id,
        }
    ).last_pk
    iteration_id = db["iterations"].insert(
        {
            "prototype_id": prototype_id,
            "number": 1,
            "spec_yaml": spec_yaml,
            "changelog": changelog,
            "created_at": now,
            "created_by": user_id,
        }
    ).last_pk
    return prototype_id, iteration_id


def list_prototypes(db: Database) -> list[dict]:
    """Every prototype with its latest iteration number, newest first."""
    return list(
        db.query(
            """
            SELECT p.*, MAX(i.number) AS latest_number, COUNT(i.id) AS iteration_count
            FROM prototypes p JOIN iterations i ON i.prototype_id = p.id
            GROUP BY p.id ORDER BY p.created_at DESC, p.id DESC
            """
        )
    )


def get_prototype(db: Database, prototype_id: int) -> dict | None:
    """One prototype row, or None."""
    rows = list(db.query("SELECT * FROM prototypes WHERE id = ?", [prototype_id]))
    return rows[0] if rows else None


def list_iterations(db: Database, prototype_id: int) -> list[dict]:
    """A prototype's iterations in order v1, v2, …"""
    return list(db.query("SELECT * FROM iterations WHERE prototype_id = ? ORDER BY number", [prototype_id]))


def get_iteration(db: Database, iteration_id: int) -> dict | None:
    """One iteration row, or None."""
    rows = list(db.query("SELECT * FROM iterations WHERE id = ?", [iteration_id]))
    return rows[0] if rows else None


def previous_iteration(db: Database, iteration: dict) -> dict | None:
    """The iteration this one was derived from (number − 1), if any."""
    rows = list(
        db.query(
            "SELECT * FROM iterations WHERE prototype_id = ? AND number = ?",
            [iteration["prototype_id"], iteration["number"] - 1],
        )
    )
    return rows[0] if rows else None


def next_iteration(db: Database, iteration: dict) -> dict | None:
    """The iteration that followed this one, for "what changed thanks to you"."""
    rows = list(
        db.query(
            "SELECT * FROM iterations WHERE prototype_id = ? AND number = ?",
            [iteration["prototype_id"], iteration["number"] + 1],
        )
    )
    return rows[0] if rows else None


def spec_of(iteration: dict) -> Spec:
    """Parse a stored iteration's spec (it was valid when saved)."""
    return parse_spec(iteration["spec_yaml"])


def new_iteration(db: Database, *, prototype_id: int, user_id: int | None, changelog: str = "") -> int:
    """Start vN+1 as a copy of the latest iteration, editable until deployed."""
    latest = list(
        db.query("SELECT * FROM iterations WHERE prototype_id = ? ORDER BY number DESC LIMIT 1", [prototype_id])
    )[0]
    return db["iterations"].insert(
        {
            "prototype_id": prototype_id,
            "number": latest["number"] + 1,
            "spec_yaml": latest["spec_yaml"],
            "changelog": changelog,
            "created_at": iso(utcnow()),
            "created_by": user_id,
        }
    ).last_pk


def update_iteration(db: Database, *, iteration_id: int, spec_yaml: str, changelog: str) -> Spec:
    """Save an edited spec and changelog, unless the iteration is frozen."""
    iteration = get_iteration(db, iteration_id)
    if iteration["frozen_at"]:
        raise IterationFrozen()
    spec = parse_spec(spec_yaml)
    db["iterations"].update(iteration_id, {"spec_yaml": spec_yaml, "changelog": changelog})
    latest = list_iterations(db, iteration["prototype_id"])[-1]
    if latest["id"] == iteration_id:
        db["prototypes"].update(
            iteration["prototype_id"], {"title": spec.title, "domain": spec.domain or "", "problem": spec.problem or ""}
        )
    return spec


def freeze_iteration(db: Database, iteration_id: int) -> None:
    """Make an iteration immutable: called when it is first deployed."""
    db.execute(
        "UPDATE iterations SET frozen_at = ? WHERE id = ? AND frozen_at IS NULL", [iso(utcnow()), iteration_id]
    )
