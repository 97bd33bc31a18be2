"""Managers' decisions on iterations: iterate, pivot, scale up or stop, always with a rationale.

Decisions are append-only: a new one supersedes the previous without erasing it, so the log
shows how the call evolved, who made it and when.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlite_utils import Database

from analysis.reports.migrations import DECISION_KINDS, RATIONALE_MAX
from lab.clock import iso, utcnow
from lab.i18n import N_

#: Decision kinds as a manager reads them (infinitive, as in "nous décidons de…").
KIND_LABELS: Mapping[str, str] = {
    "iterate": N_("Itérer"),
    "pivot": N_("Pivoter"),
    "scale": N_("Généraliser"),
    "stop": N_("Arrêter"),
}
KIND_HINTS: Mapping[str, str] = {
    "iterate": N_("Continuer avec une nouvelle itération qui corrige ce que les tests ont montré."),
    "pivot": N_("Changer d'approche : le problème est réel mais la solution testée ne convient pas."),
    "scale": N_("Déployer le service pour tous les habitants."),
    "stop": N_("Abandonner ce prototype."),
}
assert tuple(KIND_LABELS) == DECISION_KINDS


class DecisionError(ValueError):
    """Refused decision input: (form field, French msgid, params) for each problem."""

    def __init__(self, problems: list[tuple[str, str, dict]]):
        super().__init__("; ".join(msgid for _f, msgid, _p in problems))
        self.problems = problems


def clean_rationale(text: str) -> str:
    """Trim the rationale and normalise line ends (what is stored is what was meant)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def check(kind: str, rationale: str) -> list[tuple[str, str, dict]]:
    """Every problem with a decision as typed, in form order."""
    problems = []
    if kind not in KIND_LABELS:
        problems.append(("kind", N_("Choisissez la décision : itérer, pivoter, généraliser ou arrêter."), {}))
    text = clean_rationale(rationale)
    if not text:
        problems.append(("rationale", N_("Expliquez en quelques phrases ce qui motive la décision."), {}))
    elif len(text) > RATIONALE_MAX:
        problems.append(("rationale", N_("La justification ne doit pas dépasser {max} caractères (elle en compte {count})."),
                         {"max": RATIONALE_MAX, "count": len(text)}))
    return problems


def record_decision(db: Database, *, iteration_id: int, kind: str, rationale: str, user_id: int | None,
                    now=None) -> int:
    """Store a decision inside the caller's write transaction; raises DecisionError when refused."""
    problems = check(kind, rationale)
    if problems:
        raise DecisionError(problems)
    return db["decisions"].insert({
        "iteration_id": iteration_id,
        "kind": kind,
        "rationale": clean_rationale(rationale),
        "decided_by": user_id,
        "decided_at": iso(now or utcnow()),
    }).last_pk


def list_decisions(db: Database, iteration_id: int) -> list[dict]:
    """The decisions on one iteration, newest first, with the author's name."""
    return list(db.query(
        """SELECT d.*, u.name AS author FROM decisions d LEFT JOIN users u ON u.id = d.decided_by
           WHERE d.iteration_id = ? ORDER BY d.decided_at DESC, d.id DESC""", [iteration_id]))


def prototype_decisions(db: Database, prototype_id: int) -> list[dict]:
    """Every decision on any iteration of a prototype, newest first, with the iteration number."""
    return list(db.query(
        """SELECT d.*, i.number, u.name AS author FROM decisions d JOIN iterations i ON i.id = d.iteration_id
           LEFT JOIN users u ON u.id = d.decided_by WHERE i.prototype_id = ?
           ORDER BY d.decided_at DESC, d.id DESC""", [prototype_id]))


def latest_decisions(db: Database) -> dict[int, dict]:
    """The latest decision of each prototype (by prototype id), with its iteration number."""
    rows = db.query(
        """SELECT d.*, i.prototype_id, i.number FROM decisions d JOIN iterations i ON i.id = d.iteration_id
           ORDER BY d.decided_at, d.id""")
    return {row["prototype_id"]: row for row in rows}


#: Decisions of the demo lab: (prototype slug, iteration number, kind, rationale, days ago).
DEMO_DECISIONS = (
    ("signaler-une-anomalie-sur-la-voie-publique", 1, "iterate",
     "Un habitant sur deux abandonne à l'étape de la date du constat et les catégories ne couvrent pas la "
     "végétation. Le besoin est confirmé : on corrige ces deux points et on reteste avec le quartier Nord.", 35),
    ("inscrire-son-enfant-a-la-restauration-scolaire", 1, "iterate",
     "Les parents se perdent sur le quotient familial. On ajoute une aide et la photo de l'attestation, "
     "puis on reteste à la rentrée de janvier avant de généraliser.", 45),
)


def load_demo_decisions(db: Database, manager_email: str) -> None:
    """Record the demo's past decisions once (a step of `lab.demo`)."""
    from datetime import timedelta

    manager = db.execute("SELECT id FROM users WHERE email = ?", [manager_email]).fetchone()
    for slug, number, kind, rationale, days in DEMO_DECISIONS:
        row = db.execute("""SELECT i.id FROM iterations i JOIN prototypes p ON p.id = i.prototype_id
                            WHERE p.slug = ? AND i.number = ?""", [slug, number]).fetchone()
        if row is None or db.execute("SELECT 1 FROM decisions WHERE iteration_id = ?", [row[0]]).fetchone():
            continue
        record_decision(db, iteration_id=row[0], kind=kind, rationale=rationale, user_id=manager[0] if manager else None,
                        now=utcnow() - timedelta(days=days))
