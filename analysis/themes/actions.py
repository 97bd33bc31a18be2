"""Redesign actions: what the team will change, raised from themes, delivered in a later iteration.

An action is raised from the themes of iteration N (its *source*) and aims at the next
iteration. When N+1 (or a later version) is ready, staff mark on that iteration's page the
actions it delivers; that list is "vous avez dit, nous avons fait" for citizens who tested N
and for managers reading N+1's report (`analysis.themes.contract.delivered_actions`).

Functions run inside the caller's `write(db)`; routes audit them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from analysis.themes.analyses import latest_done
from analysis.themes.reading import get_theme
from lab.clock import iso, utcnow
from lab.db import placeholders, row_id
from lab.i18n import N_
from lab.problems import FormRefused
from prototypes.store import get_iteration

TITLE_MAX = 200
OWNER_MAX = 120
DESCRIPTION_MAX = 2000
STATUSES = ("planned", "in_progress", "done", "dropped")
STATUS_LABELS = {
    "planned": N_("Prévue"),
    "in_progress": N_("En cours"),
    "done": N_("Réalisée"),
    "dropped": N_("Abandonnée"),
}


class ActionError(FormRefused):
    """Refused action input; its messages are French msgids, translated where they are shown."""


@dataclass(frozen=True)
class ActionForm:
    """What staff typed to raise an action from a theme (strings, as posted)."""

    title: str = ""
    owner: str = ""
    status: str = "planned"
    description: str = ""
    theme_ids: tuple[str, ...] = ()


def _clean(text: str) -> str:
    return " ".join((text or "").split())


def create_action(db: Database, *, iteration_id: int, form: ActionForm, user_id: int | None) -> int:
    """Raise an action from themes of the iteration's shown analysis, aimed at the next iteration."""
    iteration = get_iteration(db, iteration_id)
    problems: list[tuple[str, str]] = []
    title, owner = _clean(form.title), _clean(form.owner)
    description = (form.description or "").replace("\r\n", "\n").strip()
    if not title:
        problems.append(("title", N_("Indiquez ce que l'équipe va changer.")))
    elif len(title) > TITLE_MAX:
        problems.append(("title", N_("L'intitulé doit faire 200 caractères au plus.")))
    if len(owner) > OWNER_MAX:
        problems.append(("owner", N_("Le nom du ou de la responsable doit faire 120 caractères au plus.")))
    if len(description) > DESCRIPTION_MAX:
        problems.append(("description", N_("La description doit faire 2 000 caractères au plus.")))
    if form.status not in STATUSES:
        problems.append(("status", N_("Choisissez un état dans la liste.")))
    analysis = latest_done(db, iteration_id)
    themes = []
    for raw in dict.fromkeys(form.theme_ids):
        theme = get_theme(db, int(raw)) if str(raw).isdigit() and len(str(raw)) < 19 else None
        if theme is None or analysis is None or theme["analysis_id"] != analysis["id"]:
            problems.append(("themes", N_("Ce thème n'existe plus : l'analyse a peut-être été relancée. Rechargez la page.")))
            break
        themes.append(theme)
    if iteration is None:
        problems.append(("title", N_("Cette itération n'existe pas.")))
    if problems:
        raise ActionError(problems)
    now = iso(utcnow())
    action_id = db["redesign_actions"].insert({
        "prototype_id": iteration["prototype_id"], "source_iteration_id": iteration_id, "title": title, "owner": owner,
        "description": description, "status": form.status, "created_by": user_id, "created_at": now,
        "updated_by": user_id, "updated_at": now,
    }).last_pk
    db.conn.executemany(
        "INSERT INTO action_themes (action_id, theme_id, theme_label) VALUES (?, ?, ?)",
        [(action_id, theme["id"], theme["display_label"]) for theme in themes],
    )
    return action_id


def action_rows(db: Database, where: str, params: Sequence) -> list[dict]:
    """Redesign actions with their themes' current names, oldest first."""
    rows = list(db.query(
        f"""SELECT r.*, si.number AS source_number, di.number AS delivered_number
            FROM redesign_actions r JOIN iterations si ON si.id = r.source_iteration_id
            LEFT JOIN iterations di ON di.id = r.delivered_in_iteration_id WHERE {where} ORDER BY r.id""",
        list(params),
    ))
    if not rows:
        return rows
    ids = [row["id"] for row in rows]
    labels: dict[int, list[str]] = {}
    for link in db.query(
        f"""SELECT at.action_id, COALESCE(t.curated_label, t.label, at.theme_label) AS label, at.theme_id
            FROM action_themes at LEFT JOIN themes t ON t.id = at.theme_id
            WHERE at.action_id IN ({placeholders(ids)}) ORDER BY at.rowid""",
        ids,
    ):
        labels.setdefault(link["action_id"], []).append(link["label"])
    for row in rows:
        row["theme_labels"] = labels.get(row["id"], [])
    return rows


def get_action(db: Database, action_id: int) -> dict | None:
    """One action with its themes' names, or None."""
    rows = action_rows(db, "r.id = ?", [action_id])
    return rows[0] if rows else None


def set_status(db: Database, *, iteration_id: int, action_id: object, status: str, user_id: int | None) -> dict:
    """Move an action raised from this iteration to another state."""
    action = get_action(db, row_id(action_id))
    if action is None or action["source_iteration_id"] != iteration_id:
        raise ActionError([("status", N_("Cette action n'existe pas ou ne vient pas de cette itération."))])
    if status not in STATUSES:
        raise ActionError([("status", N_("Choisissez un état dans la liste."))])
    db["redesign_actions"].update(action["id"], {"status": status, "updated_by": user_id, "updated_at": iso(utcnow())})
    return {"action_id": action["id"], "from": action["status"], "to": status}


def deliverable_actions(db: Database, iteration: Mapping) -> list[dict]:
    """Actions raised from earlier iterations of the prototype that this one delivers or could deliver."""
    return action_rows(
        db,
        """r.prototype_id = ? AND si.number < ? AND r.status <> 'dropped'
           AND (r.delivered_in_iteration_id IS NULL OR r.delivered_in_iteration_id = ?)""",
        [iteration["prototype_id"], iteration["number"], iteration["id"]],
    )


def set_delivered(db: Database, *, iteration_id: int, action_id: object, delivered: bool, user_id: int | None) -> dict:
    """Record that this iteration delivers an action of an earlier one (or undo it)."""
    iteration = get_iteration(db, iteration_id)
    action = get_action(db, row_id(action_id))
    allowed = iteration is not None and action is not None and any(
        row["id"] == action["id"] for row in deliverable_actions(db, iteration)
    )
    if not allowed:
        raise ActionError([("action", N_("Cette action ne peut pas être livrée dans cette itération."))])
    now = iso(utcnow())
    if delivered:
        db["redesign_actions"].update(action["id"], {
            "delivered_in_iteration_id": iteration_id, "status": "done", "updated_by": user_id, "updated_at": now})
    else:
        status = "in_progress" if action["status"] == "done" else action["status"]
        db["redesign_actions"].update(action["id"], {
            "delivered_in_iteration_id": None, "status": status, "updated_by": user_id, "updated_at": now})
    return {"action_id": action["id"], "delivered": delivered}


def iteration_actions(db: Database, iteration_id: int) -> list[dict]:
    """Every action raised from an iteration, dropped ones included, for the themes page."""
    return action_rows(db, "r.source_iteration_id = ?", [iteration_id])


def actions_by_theme(actions: Iterable[Mapping], db: Database) -> dict[int, list[Mapping]]:
    """Actions grouped by the current theme ids they answer."""
    ids = [a["id"] for a in actions]
    grouped: dict[int, list[Mapping]] = {}
    if not ids:
        return grouped
    by_id = {a["id"]: a for a in actions}
    for action_id, theme_id in db.execute(
        f"SELECT action_id, theme_id FROM action_themes WHERE theme_id IS NOT NULL AND action_id IN ({placeholders(ids)})",
        ids,
    ):
        grouped.setdefault(theme_id, []).append(by_id[action_id])
    return grouped


def delivered_action_titles(db: Database, iteration_id: int) -> list[str]:
    """What an iteration delivered, in the words citizens read under "ce qui a changé grâce à vous"."""
    return [row["title"] for row in action_rows(db, "r.delivered_in_iteration_id = ?", [iteration_id])]
