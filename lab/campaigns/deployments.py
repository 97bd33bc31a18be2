"""Deployments: an iteration (or two, for A/B) opened to test groups between two dates."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from lab.clock import LOCAL_TZ, iso, parse, utcnow
from lab.i18n import gettext as _
from lab.problems import FormRefused
from prototypes.store import freeze_iteration, get_iteration, list_iterations, list_prototypes

#: Staff type dates in the lab's local time; the database keeps UTC.
MAX_RETENTION_DAYS = 3650
MAX_QUOTA = 100_000


#: What a layer above does, in the same transaction, when a session is created: `hook(db, deployment_id, now=...)`
#: (feedback queues "ce qui a changé" messages for the people who tested the iteration before). Wired by the shell.
DeploymentHook = Callable[..., object]


class DeploymentError(FormRefused):
    """Refused deployment or invitation input; its messages are already in the reader's language."""


@dataclass(frozen=True)
class DeploymentForm:
    """The deployment form as typed (text), so a refused form comes back exactly as it was."""

    title: str = ""
    iteration_a: str = ""
    iteration_b: str = ""
    group_ids: tuple[str, ...] = ()
    opens_at: str = ""
    closes_at: str = ""
    quota: str = ""
    retention_days: str = "365"
    sus: bool = False
    umux_lite: bool = False


def parse_local(text: str) -> datetime:
    """Read a `datetime-local` value typed in Paris time and return the UTC instant (ValueError if unreadable)."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is not None:
        raise ValueError("expected a local time")
    return moment.replace(tzinfo=LOCAL_TZ).astimezone(ZoneInfo("UTC"))


def form_time(moment: datetime) -> str:
    """An instant as the `datetime-local` value the deployment form takes, in Paris time."""
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


def local_input(stored: str) -> str:
    """A stored UTC instant as a `datetime-local` value in Paris time."""
    return form_time(parse(stored))


def state(deployment: Mapping, now: datetime) -> str:
    """Derived, never stored: scheduled before opening, closed after closing or a manual close, else open."""
    if deployment["closed_at"] or now >= parse(deployment["closes_at"]):
        return "closed"
    if now < parse(deployment["opens_at"]):
        return "scheduled"
    return "open"


def assign_variant(deployment_id: int, participant_code: str, labels: Sequence[str]) -> str:
    """Stable A/B split: the same participant always gets the same variant of a deployment."""
    digest = hashlib.sha256(f"{deployment_id}:{participant_code}".encode()).digest()
    return labels[int.from_bytes(digest[:8], "big") % len(labels)]


def whole_number(text: str) -> int | None:
    """A plain number typed in a form (18 digits at most, so SQLite can hold it), or None."""
    text = text.strip()
    return int(text) if re.fullmatch(r"[0-9]{1,18}", text) else None


def _check(db: Database, form: DeploymentForm, now: datetime) -> tuple[dict, list[tuple[str, str]]]:
    """Turn the typed form into stored values, collecting every problem."""
    problems: list[tuple[str, str]] = []
    title = " ".join(form.title.split())
    if not title:
        problems.append(("title", _("Donnez un titre à la session de test.")))
    elif len(title) > 200:
        problems.append(("title", _("Le titre ne doit pas dépasser 200 caractères.")))

    iteration_a = get_iteration(db, whole_number(form.iteration_a) or 0)
    if iteration_a is None:
        problems.append(("iteration_a", _("Choisissez l'itération à tester.")))
    iteration_b = None
    if form.iteration_b.strip():
        iteration_b = get_iteration(db, whole_number(form.iteration_b) or 0)
        if iteration_b is None:
            problems.append(("iteration_b", _("La variante B choisie n'existe pas.")))
        elif iteration_a and iteration_b["prototype_id"] != iteration_a["prototype_id"]:
            problems.append(("iteration_b", _("La variante B doit être une itération du même prototype que la variante A.")))
        elif iteration_a and iteration_b["id"] == iteration_a["id"]:
            problems.append(("iteration_b", _("La variante B doit être une autre itération que la variante A.")))

    group_ids = sorted({whole_number(g) or 0 for g in form.group_ids})
    known = {row["id"] for row in db.query("SELECT id FROM test_groups")}
    if not group_ids:
        problems.append(("groups", _("Choisissez au moins un groupe de test.")))
    elif not set(group_ids) <= known:
        problems.append(("groups", _("Un des groupes choisis n'existe plus.")))

    moments: dict[str, datetime] = {}
    for field, text, message in (
        ("opens_at", form.opens_at, _("Indiquez la date et l'heure d'ouverture.")),
        ("closes_at", form.closes_at, _("Indiquez la date et l'heure de fermeture.")),
    ):
        try:
            moments[field] = parse_local(text)
        except ValueError:
            problems.append((field, message))
    opens_at, closes_at = moments.get("opens_at"), moments.get("closes_at")
    if opens_at and closes_at and closes_at <= opens_at:
        problems.append(("closes_at", _("La fermeture doit être postérieure à l'ouverture.")))
    elif closes_at and closes_at <= now:
        problems.append(("closes_at", _("La date de fermeture est déjà passée.")))

    quota = None
    if form.quota.strip():
        quota = whole_number(form.quota)
        if quota is None or not 1 <= quota <= MAX_QUOTA:
            problems.append(("quota", _("Le quota doit être un nombre entier de 1 à 100 000 parcours "
                                        "(laissez vide pour ne pas limiter).")))
    retention = whole_number(form.retention_days or "365")
    if retention is None or not 1 <= retention <= MAX_RETENTION_DAYS:
        problems.append(("retention_days", _("La durée de conservation doit être un nombre de jours entre 1 et 3 650.")))

    values = {
        "title": title,
        "variants": [("A", iteration_a), ("B", iteration_b)] if iteration_b else [("A", iteration_a)],
        "group_ids": group_ids,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "quota": quota,
        "retention_days": retention,
    }
    return values, problems


def create_deployment(db: Database, *, form: DeploymentForm, user_id: int | None, now: datetime | None = None) -> int:
    """Validate the form, store the deployment with its variants and groups, and freeze the iterations."""
    now = now or utcnow()
    values, problems = _check(db, form, now)
    if problems:
        raise DeploymentError(problems)
    variants = values["variants"]
    deployment_id = db["deployments"].insert(
        {
            "prototype_id": variants[0][1]["prototype_id"],
            "title": values["title"],
            "opens_at": iso(values["opens_at"]),
            "closes_at": iso(values["closes_at"]),
            "quota": values["quota"],
            "retention_days": values["retention_days"],
            # Satisfaction, ease, clarity and help are always asked; only the extras are options.
            "questionnaire": json.dumps({"sus": form.sus, "umux_lite": form.umux_lite, "free_text": True}),
            "public_key": "pk_" + secrets.token_urlsafe(24),
            "created_at": iso(now),
            "created_by": user_id,
        }
    ).last_pk
    for label, iteration in variants:
        db["deployment_variants"].insert({"deployment_id": deployment_id, "label": label, "iteration_id": iteration["id"]})
        freeze_iteration(db, iteration["id"])
    db["deployment_groups"].insert_all({"deployment_id": deployment_id, "group_id": g} for g in values["group_ids"])
    return deployment_id


def close_deployment(db: Database, *, deployment_id: int, now: datetime) -> None:
    """End a session by hand; a closed session is never reopened."""
    deployment = get_deployment(db, deployment_id)
    if state(deployment, now) == "closed":
        raise DeploymentError([("close", _("Cette session de test est déjà close."))])
    db["deployments"].update(deployment_id, {"closed_at": iso(now)})


def list_deployments(db: Database) -> list[dict]:
    """Every deployment with its prototype, variants and groups, latest opening first."""
    rows = list(
        db.query(
            """
            SELECT d.*, p.title AS prototype_title,
              (SELECT json_group_array(json_object('label', v.label, 'number', i.number)) FROM deployment_variants v
                 JOIN iterations i ON i.id = v.iteration_id WHERE v.deployment_id = d.id) AS variants,
              (SELECT group_concat(g.name, ', ') FROM deployment_groups dg
                 JOIN test_groups g ON g.id = dg.group_id WHERE dg.deployment_id = d.id) AS group_names
            FROM deployments d LEFT JOIN prototypes p ON p.id = d.prototype_id
            ORDER BY d.opens_at DESC, d.id DESC
            """
        )
    )
    for row in rows:
        row["variants"] = sorted(json.loads(row["variants"]), key=lambda variant: variant["label"])
    return rows


def get_deployment(db: Database, deployment_id: int) -> dict | None:
    """One deployment with its prototype title, variants (A, B) and groups."""
    rows = list(
        db.query(
            """
            SELECT d.*, p.title AS prototype_title FROM deployments d
            LEFT JOIN prototypes p ON p.id = d.prototype_id WHERE d.id = ?
            """,
            [deployment_id],
        )
    )
    if not rows:
        return None
    deployment = rows[0]
    deployment["questionnaire"] = json.loads(deployment["questionnaire"])
    deployment["variants"] = list(
        db.query(
            """
            SELECT v.label, v.iteration_id, i.number FROM deployment_variants v
            JOIN iterations i ON i.id = v.iteration_id WHERE v.deployment_id = ? ORDER BY v.label
            """,
            [deployment_id],
        )
    )
    deployment["groups"] = list(
        db.query(
            """
            SELECT g.id, g.name, (SELECT COUNT(*) FROM participants p WHERE p.group_id = g.id) AS participant_count
            FROM deployment_groups dg JOIN test_groups g ON g.id = dg.group_id
            WHERE dg.deployment_id = ? ORDER BY g.name
            """,
            [deployment_id],
        )
    )
    return deployment


def iteration_choices(db: Database) -> list[dict]:
    """Prototypes with their iterations, for the variant selects of the deployment form."""
    return [{**prototype, "iterations": list_iterations(db, prototype["id"])} for prototype in list_prototypes(db)]
