"""Downloads of an iteration's data: pseudonymised tables for the team, anonymised open data.

Pseudonymised ("team") tables keep participant codes so the team can follow a person across
tables, but never contact details (`participant_contacts` is never read here) and only masked
comment text. Open data drops everything that could point at someone: no codes, no trial ids,
months instead of instants, trial rows k-anonymous on their quasi-identifiers (group, channel,
month… see `analysis.reports.anonymity`), themes of fewer than MIN_GROUP_SIZE comments left out, and any
free text in which personal data is still detected after masking dropped.

Writers stream from database cursors into a file object, so a 100,000-trial export never sits
in memory as Python objects. CSV cells that a spreadsheet would run as a formula are escaped.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlite_utils import Database

from analysis.reports.anonymity import k_anonymise
from analysis.reports.metrics import SCALES, SUS_KEYS, UMUX_KEYS
from analysis.reports.snapshots import Snapshot
from analysis.stats import MIN_GROUP_SIZE, sus_score, umux_lite_score
from analysis.themes.contract import iteration_themes
from feedback.pii import has_pii, mask_pii
from lab import organisation
from lab.clock import iso, parse, utcnow
from prototypes.store import get_iteration, get_prototype

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
LICENCE = "Licence Ouverte / Open Licence version 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


def cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: strings that start like a formula get a quote.

    Numbers stay numbers (a negative number is data, not a formula); booleans become 0/1.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_csv(out: IO[str], columns: list[str], rows: Iterable[Mapping], *, excel: bool) -> int:
    """Write rows as CSV; `excel` means what French spreadsheet software opens directly (BOM, ";")."""
    if excel:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=";" if excel else ",", lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([cell(row.get(column)) for column in columns])
        count += 1
    return count


# --- pseudonymised tables for the team ------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """One exported table: its columns and a function streaming its rows."""

    name: str
    columns: list[str]
    rows: Callable[[Database, int], Iterator[dict]]


def _trials(db: Database, iteration_id: int) -> Iterator[dict]:
    for row in db.query(
        """SELECT t.id AS trial_id, p.code AS participant_code, g.name AS test_group, t.deployment_id,
                  d.title AS deployment, i.number AS iteration, t.variant, t.channel,
                  (t.channel = 'assisted' OR t.assisted_via IS NOT NULL) AS assisted, t.assisted_via,
                  t.consent_at, t.started_at, t.completed_at, t.questionnaire_at, t.last_step
           FROM trials t JOIN iterations i ON i.id = t.iteration_id JOIN deployments d ON d.id = t.deployment_id
           LEFT JOIN participants p ON p.id = t.participant_id LEFT JOIN test_groups g ON g.id = p.group_id
           WHERE t.iteration_id = ? AND t.consent_at IS NOT NULL ORDER BY t.id""", [iteration_id]):
        row["assisted"] = bool(row["assisted"])
        row["duration_seconds"] = (
            int((parse(row["completed_at"]) - parse(row["started_at"])).total_seconds()) if row["completed_at"] else None)
        yield row


def _steps(db: Database, iteration_id: int) -> Iterator[dict]:
    for row in db.query(
        """SELECT e.trial_id, e.step_key, e.entered_at, e.left_at, e.errors FROM step_events e
           JOIN trials t ON t.id = e.trial_id WHERE t.iteration_id = ? AND t.consent_at IS NOT NULL
           ORDER BY e.trial_id, e.id""", [iteration_id]):
        row["seconds"] = (int((parse(row["left_at"]) - parse(row["entered_at"])).total_seconds())
                          if row["left_at"] else None)
        errors = json.loads(row["errors"] or "{}")
        row["errors"] = ", ".join(f"{field}:{count}" for field, count in sorted(errors.items()))
        yield row


def _responses(db: Database, iteration_id: int) -> Iterator[dict]:
    for row in db.query(
        """SELECT r.trial_id, r.key, r.number, r.text FROM responses r JOIN trials t ON t.id = r.trial_id
           WHERE t.iteration_id = ? AND t.consent_at IS NOT NULL ORDER BY r.trial_id, r.key""", [iteration_id]):
        if row["text"]:
            row["text"] = mask_pii(row["text"])
        yield row


def _comments(db: Database, iteration_id: int) -> Iterator[dict]:
    for row in db.query(
        """SELECT id AS comment_id, trial_id, step_key, source, language, text, created_at FROM comments
           WHERE iteration_id = ? AND moderation = 'visible' ORDER BY id""", [iteration_id]):
        row["text"] = mask_pii(row["text"])  # stored masked already; masking again changes nothing
        yield row


def _kind(theme) -> str:
    """What a row of the themes table is: a theme, one of the two buckets, or a theme of v(N-1) and its fate."""
    if theme.side == "previous":
        return "previous"
    return "autres" if theme.is_noise else "sans_remarque" if theme.is_no_remark else "theme"


def _themes(db: Database, iteration_id: int) -> Iterator[dict]:
    for theme in iteration_themes(db, iteration_id):
        fate = theme.fate
        links = fate.successors if fate is not None else theme.predecessors
        yield {
            "theme_id": theme.id, "kind": _kind(theme), "label": theme.label, "status": theme.status,
            "size": theme.size, "share": round(theme.share, 4), "size_change": theme.size_change,
            "mean_satisfaction": None if theme.mean_satisfaction is None else round(theme.mean_satisfaction, 2),
            "assisted_share": None if theme.assisted_share is None else round(theme.assisted_share, 4),
            "terms": ", ".join(theme.terms), "steps": ", ".join(theme.steps),
            "quotes": " | ".join(mask_pii(q) for q in (fate.examples if fate is not None else theme.quotes)),
            "is_noise": theme.is_noise,
            "linked_themes": " | ".join(f"{link.id}:{link.label} ({link.shared})" for link in links),
            "share_before": None if fate is None else fate.share_before,
            "share_now": None if fate is None else fate.share_now,
            "p_value": None if fate is None else fate.p_value,
        }


TEAM_TABLES: dict[str, Table] = {t.name: t for t in (
    Table("trials", ["trial_id", "participant_code", "test_group", "deployment_id", "deployment", "iteration", "variant",
                     "channel", "assisted", "assisted_via", "consent_at", "started_at", "completed_at",
                     "questionnaire_at", "last_step", "duration_seconds"], _trials),
    Table("steps", ["trial_id", "step_key", "entered_at", "left_at", "seconds", "errors"], _steps),
    Table("responses", ["trial_id", "key", "number", "text"], _responses),
    Table("comments", ["comment_id", "trial_id", "step_key", "source", "language", "text", "created_at"], _comments),
    Table("themes", ["theme_id", "kind", "label", "status", "size", "share", "size_change", "mean_satisfaction",
                     "assisted_share", "terms", "steps", "quotes", "is_noise", "linked_themes", "share_before",
                     "share_now", "p_value"], _themes),
)}


def _about(db: Database, iteration_id: int) -> dict:
    iteration = get_iteration(db, iteration_id)
    prototype = get_prototype(db, iteration["prototype_id"])
    return {"prototype": prototype["title"], "prototype_slug": prototype["slug"], "domain": prototype["domain"],
            "iteration": iteration["number"], "iteration_id": iteration_id, "generated_at": iso(utcnow())}


def write_team_csv(db: Database, iteration_id: int, table: str, out: IO[str]) -> int:
    """One pseudonymised table as a spreadsheet-ready CSV; returns the number of rows."""
    spec = TEAM_TABLES[table]
    return write_csv(out, spec.columns, spec.rows(db, iteration_id), excel=True)


def write_team_json(db: Database, iteration_id: int, out: IO[str]) -> None:
    """Every pseudonymised table in one JSON document, streamed row by row."""
    out.write('{"about": ' + json.dumps(_about(db, iteration_id), ensure_ascii=False) + ', "tables": {')
    for index, spec in enumerate(TEAM_TABLES.values()):
        out.write(("" if index == 0 else ", ") + json.dumps(spec.name) + ": [")
        for n, row in enumerate(spec.rows(db, iteration_id)):
            out.write(("" if n == 0 else ",\n") + json.dumps({c: row.get(c) for c in spec.columns}, ensure_ascii=False))
        out.write("]")
    out.write("}}\n")


# --- open data ------------------------------------------------------------------------------

OPEN_TABLES = {
    "indicateurs": ["segment_type", "segment", "parcours", "termines", "taux_completion", "ic95_bas", "ic95_haut",
                    "reponses_satisfaction", "part_satisfaits", "reponses_sus", "sus_moyen", "part_besoin_aide",
                    "temps_median_secondes"],
    "etapes": ["ordre", "etape", "titre", "atteinte_par", "arrets", "part_arrets", "temps_median_secondes",
               "erreurs_saisie"],
    "parcours": ["numero", "iteration", "variante", "canal", "accompagne", "groupe", "mois", "termine",
                 "derniere_etape", "duree_secondes", "satisfaction", "facilite", "clarte", "besoin_aide",
                 "score_sus", "score_umux_lite"],
    "commentaires": ["numero", "etape", "source", "langue", "texte"],
    "themes": ["theme", "statut", "commentaires", "part", "mots_cles", "citations"],
}
SEGMENT_NAMES = {"variant": "variante", "group": "groupe", "channel": "canal", "assisted": "accompagnement"}


def publishable(text: str | None) -> str | None:
    """Free text fit for publication, or None: masked, then dropped if personal data is still detected."""
    if not text:
        return None
    masked = mask_pii(text)
    return None if has_pii(masked) else masked


def _indicator(kind: str, segment: object, metrics: Mapping) -> dict:
    c, q = metrics["completion"], metrics["questionnaire"]

    def shown(n: int, value):
        return None if n < MIN_GROUP_SIZE or value is None else round(value, 4)

    total = metrics["total_time"]
    return {
        "segment_type": kind, "segment": segment, "parcours": c["started"], "termines": c["completed"],
        "taux_completion": shown(c["started"], c["rate"]),
        "ic95_bas": shown(c["started"], (c["interval"] or {}).get("low")),
        "ic95_haut": shown(c["started"], (c["interval"] or {}).get("high")),
        "reponses_satisfaction": q["satisfied"]["n"], "part_satisfaits": shown(q["satisfied"]["n"], q["satisfied"]["share"]),
        "reponses_sus": q["sus"]["n"], "sus_moyen": shown(q["sus"]["n"], q["sus"]["mean"]),
        "part_besoin_aide": shown(q["help_needed"]["n"], q["help_needed"]["share"]),
        "temps_median_secondes": shown(total["n"], total["median"]) if total else None,
    }


def _open_indicators(figures: Mapping) -> list[dict]:
    if figures["trials"] < MIN_GROUP_SIZE:
        return []
    rows = [_indicator("ensemble", "toutes et tous", figures["metrics"])]
    for key, segments in figures["segments"].items():
        if len(segments) < 2:
            continue
        for seg in segments:
            if not seg["suppressed"]:
                value = seg["value"]
                label = ("oui" if value else "non") if key == "assisted" else (value if value is not None else "sans groupe")
                rows.append(_indicator(SEGMENT_NAMES[key], label, seg["metrics"]))
    return rows


def _open_steps(figures: Mapping) -> list[dict]:
    if figures["trials"] < MIN_GROUP_SIZE:
        return []
    metrics = figures["metrics"]
    titles = {s["key"]: s["title"] for s in figures["steps"]}
    errors = Counter()
    for h in metrics["hotspots"]:
        errors[h["step"]] += h["count"]
    return [{
        "ordre": i, "etape": row["step"], "titre": titles.get(row["step"]), "atteinte_par": row["reached"],
        "arrets": row["left"], "part_arrets": None if row["left_share"] is None else round(row["left_share"], 4),
        "temps_median_secondes": (metrics["step_times"].get(row["step"]) or {}).get("median"),
        "erreurs_saisie": errors[row["step"]],
    } for i, row in enumerate(metrics["funnel"], start=1)]


#: What someone who knows a participant could know: given up in this order when a combination is rare.
QUASI_IDENTIFIERS = ("groupe", "mois", "accompagne", "canal", "variante")


def _open_trials(db: Database, iteration_id: int) -> list[dict]:
    """One row per trial with nothing that points at a person; rare category values blanked."""
    answers: dict[int, dict[str, float]] = {}
    for trial_id, key, number in db.execute(
        """SELECT r.trial_id, r.key, r.number FROM responses r JOIN trials t ON t.id = r.trial_id
           WHERE t.iteration_id = ? AND t.consent_at IS NOT NULL AND r.number IS NOT NULL""", [iteration_id]):
        if key in SCALES:
            answers.setdefault(trial_id, {})[key] = number
    rows = []
    for t in _trials(db, iteration_id):
        given = answers.get(t["trial_id"], {})
        sus = sus_score([int(given[k]) for k in SUS_KEYS]) if set(SUS_KEYS) <= given.keys() else None
        umux = umux_lite_score(int(given["umux_1"]), int(given["umux_2"])).score if set(UMUX_KEYS) <= given.keys() else None
        rows.append({
            "iteration": t["iteration"], "variante": t["variant"], "canal": t["channel"], "accompagne": t["assisted"],
            "groupe": t["test_group"], "mois": t["started_at"][:7], "termine": t["completed_at"] is not None,
            "derniere_etape": t["last_step"],
            "duree_secondes": None if t["duration_seconds"] is None else round(t["duration_seconds"], -1),
            "satisfaction": given.get("satisfaction"), "facilite": given.get("ease"), "clarte": given.get("clarity"),
            "besoin_aide": given.get("help_needed"), "score_sus": sus,
            "score_umux_lite": None if umux is None else round(umux, 1),
        })
    if len(rows) < MIN_GROUP_SIZE:
        return []
    rows = k_anonymise(rows, QUASI_IDENTIFIERS, MIN_GROUP_SIZE)
    rows.sort(key=lambda r: (r["mois"] or "", r["canal"] or "", r["termine"]))
    for number, row in enumerate(rows, start=1):
        row["numero"] = number
    return rows


def _open_comments(db: Database, iteration_id: int) -> list[dict]:
    authors = db.execute(
        """SELECT COUNT(DISTINCT trial_id) + SUM(trial_id IS NULL) FROM comments
           WHERE iteration_id = ? AND moderation = 'visible'""", [iteration_id]).fetchone()[0] or 0
    if authors < MIN_GROUP_SIZE:
        return []
    rows = []
    for row in db.query(
        """SELECT step_key, source, language, text FROM comments WHERE iteration_id = ? AND moderation = 'visible'
           ORDER BY step_key, id""", [iteration_id]):
        text = publishable(row["text"])
        if text is not None:
            rows.append({"numero": len(rows) + 1, "etape": row["step_key"], "source": row["source"],
                         "langue": row["language"], "texte": text})
    return rows


def _open_themes(db: Database, iteration_id: int) -> list[dict]:
    rows = []
    for theme in iteration_themes(db, iteration_id):
        if theme.side == "previous" or theme.size < MIN_GROUP_SIZE:
            continue
        quotes = [q for q in (publishable(q) for q in theme.quotes) if q]
        rows.append({"theme": theme.label, "statut": theme.status, "commentaires": theme.size,
                     "part": round(theme.share, 4), "mots_cles": ", ".join(theme.terms), "citations": " | ".join(quotes)})
    return rows


def open_data(db: Database, iteration_id: int, snapshot: Snapshot) -> dict[str, list[dict]]:
    """The anonymised tables of an iteration, by name (empty tables when too few people)."""
    figures = snapshot.figures
    return {
        "indicateurs": _open_indicators(figures),
        "etapes": _open_steps(figures),
        "parcours": _open_trials(db, iteration_id),
        "commentaires": _open_comments(db, iteration_id),
        "themes": _open_themes(db, iteration_id),
    }


def _metadata(about: Mapping, tables: Mapping[str, list]) -> dict:
    """Datasette's metadata.json: title, licence and a description per table."""
    descriptions = {
        "indicateurs": "Indicateurs de l'itération, en tout et par public ; un public de moins de 5 personnes n'apparaît pas.",
        "etapes": "Entonnoir du parcours : personnes arrivées à chaque étape, arrêts, temps médian, erreurs de saisie.",
        "parcours": ("Un parcours par ligne, sans identifiant de personne ; mois au lieu de la date ; chaque combinaison "
                     "variante, canal, accompagnement, groupe et mois est partagée par au moins 5 parcours (valeurs "
                     "rares effacées, parcours qui resteraient reconnaissables non publiés)."),
        "commentaires": "Commentaires masqués ; ceux où une donnée personnelle est encore détectée sont retirés.",
        "themes": "Thèmes des commentaires (au moins 5 commentaires chacun) avec citations anonymisées.",
    }
    title = f"{about['prototype']} – itération v{about['iteration']}"
    return {
        "title": f"servicelab : {title}", "license": LICENCE, "license_url": LICENCE_URL,
        "source": "servicelab", "description": "Résultats anonymisés d'un test de prototype de service public.",
        "databases": {"servicelab": {"title": title, "tables": {
            name: {"description": descriptions[name], "columns_count": len(OPEN_TABLES[name])} for name in tables}}},
    }


def write_open_sqlite(path: Path, tables: Mapping[str, list[dict]]) -> None:
    """A SQLite file Datasette can open: one table per open-data table, even when empty."""
    conn = sqlite3.connect(str(path))
    try:
        store = Database(conn)
        for name, columns in OPEN_TABLES.items():
            quoted = ", ".join(f'"{c}"' for c in columns)
            conn.execute(f'CREATE TABLE "{name}" ({quoted})')
            rows = tables.get(name, [])
            if rows:
                store[name].insert_all(({c: r.get(c) for c in columns} for r in rows), batch_size=1000)
        conn.commit()
    finally:
        conn.close()


def write_open_zip(db: Database, iteration_id: int, snapshot: Snapshot, out: IO[bytes]) -> dict[str, int]:
    """The open-data archive: a CSV per table, the same as SQLite, Datasette metadata and a readme."""
    tables = open_data(db, iteration_id, snapshot)
    about = _about(db, iteration_id)
    stem = f"servicelab-{about['prototype_slug']}-v{about['iteration']}"
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, columns in OPEN_TABLES.items():
            text = io.StringIO()
            write_csv(text, columns, tables[name], excel=False)
            archive.writestr(f"{name}.csv", text.getvalue())
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "data.db"
            write_open_sqlite(path, tables)
            archive.write(path, f"{stem}.db")
        archive.writestr("metadata.json", json.dumps(_metadata(about, tables), ensure_ascii=False, indent=2))
        publisher = organisation.load(db)
        archive.writestr("LISEZMOI.txt", README.format(
            title=f"{about['prototype']} – v{about['iteration']}", stem=stem, licence=LICENCE, min=MIN_GROUP_SIZE,
            publisher=publisher.name or "la collectivité qui a mené le test",
            contact=publisher.website or publisher.dpo_contact or "l'accueil de la collectivité"))
    return {name: len(rows) for name, rows in tables.items()}


README = """Données ouvertes – {title}

Résultats anonymisés d'un test de prototype de service public, publiés par {publisher}
(contact : {contact}) et produits avec servicelab.

Fichiers
  indicateurs.csv   chiffres de l'itération, en tout et par public
  etapes.csv        entonnoir du parcours étape par étape
  parcours.csv      un parcours par ligne, sans identifiant de personne
  commentaires.csv  commentaires des participant·es, masqués
  themes.csv        thèmes des commentaires
  {stem}.db   les mêmes tables en SQLite (ouvrir avec : datasette {stem}.db -m metadata.json)

Anonymisation
  - aucun code participant·e, aucun identifiant de parcours, aucune coordonnée ;
  - le mois remplace la date ; dans parcours.csv, chaque combinaison de variante, canal,
    accompagnement, groupe et mois est partagée par au moins {min} parcours : les valeurs
    rares sont effacées et un parcours qui resterait reconnaissable n'est pas publié ;
  - un public ou un thème de moins de {min} personnes n'est pas publié ;
  - les commentaires sont masqués, et retirés si une donnée personnelle y est encore détectée.

CSV : UTF-8, séparateur virgule. Licence : {licence}.
"""
