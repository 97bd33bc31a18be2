"""Comments exported from another feedback tool (e.g. a JDMA export), imported into a deployment."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlite_utils import Database

from feedback.external import record_external
from feedback.pii import Scan, scan
from lab.clock import LOCAL_TZ
from lab.csv_files import ImportFileError, csv_reader, decode, header_key
from lab.i18n import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_TEXT = 4000
TEXT_COLUMNS = {"commentaire", "commentaires", "comment", "comments", "texte", "text", "verbatim", "avis", "remarque",
                "remarques", "message", "pourquoi", "precisions", "suggestion", "suggestions"}
SATISFACTION_COLUMNS = {"satisfaction", "note", "avis_global", "satisfait", "reponse_satisfaction", "humeur"}
DATE_COLUMNS = {"date", "horodatage", "date_de_reponse", "date_reponse", "created_at", "timestamp", "submitted_at"}
SATISFACTION_WORDS = {
    "oui": 3, "3": 3, "satisfait": 3, "satisfaite": 3, "content": 3, "bien": 3, "good": 3, "yes": 3,
    "moyen": 2, "moyennement": 2, "2": 2, "neutre": 2, "bof": 2, "average": 2,
    "non": 1, "1": 1, "pas satisfait": 1, "pas_satisfait": 1, "mecontent": 1, "mauvais": 1, "bad": 1, "no": 1,
}
DATE_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


@dataclass(frozen=True)
class ImportedComment:
    """One usable row: its text as written (it identifies the row), scanned for storage, rating (1–3), date."""

    line: int
    text: str
    satisfaction: int | None
    created_at: datetime | None
    comment: Scan


@dataclass
class ParsedComments:
    """Usable rows and per-line problems; `columns` says which header was read as what."""

    rows: list[ImportedComment] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)


def _column(header: list[str], names: set[str], chosen: str | None) -> int | None:
    keys = [header_key(cell) for cell in header]
    if chosen:
        wanted = header_key(chosen)
        return keys.index(wanted) if wanted in keys else None
    return next((i for i, key in enumerate(keys) if key in names), None)


def _satisfaction(value: str) -> int | None | str:
    cleaned = header_key(value).replace("_", " ")
    if not cleaned:
        return None
    return SATISFACTION_WORDS.get(cleaned, SATISFACTION_WORDS.get(cleaned.replace(" ", "_"), "invalid"))


def _date(value: str) -> datetime | None | str:
    value = value.strip()
    if not value:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=LOCAL_TZ)
        except ValueError:
            continue
    return "invalid"


def parse_comments_csv(data: bytes, *, text_column: str | None = None) -> ParsedComments:
    """Read the comment, rating and date columns; every refused line is reported with its number."""
    reader = csv_reader(decode(data, max_bytes=MAX_BYTES))
    parsed = ParsedComments()
    try:
        header = next(reader)
        text_at = _column(header, TEXT_COLUMNS, text_column)
        if text_at is None:
            raise ImportFileError(
                _("Aucune colonne de commentaires trouvée. Nommez-la « commentaire » ou indiquez son nom.")
                if not text_column else _("La colonne « %(name)s » n'existe pas dans le fichier.", name=text_column)
            )
        satisfaction_at = _column(header, SATISFACTION_COLUMNS, None)
        date_at = _column(header, DATE_COLUMNS, None)
        parsed.columns = {
            role: header[index].strip()
            for role, index in (("commentaire", text_at), ("satisfaction", satisfaction_at), ("date", date_at))
            if index is not None
        }
        line_end = reader.line_num
        for count, cells in enumerate(reader, start=1):
            line, line_end = line_end + 1, reader.line_num
            if count > MAX_ROWS:
                raise ImportFileError(_("Le fichier compte plus de %(max)s lignes : découpez-le.", max="20 000"))
            row = _row(line, cells, text_at, satisfaction_at, date_at, parsed.problems)
            if row is not None:
                parsed.rows.append(row)
    except StopIteration:
        raise ImportFileError(_("Le fichier est vide.")) from None
    except csv.Error as exc:
        raise ImportFileError(_("Le fichier n'est pas un CSV lisible (ligne %(line)d).", line=reader.line_num)) from exc
    return parsed


def _row(line: int, cells: list[str], text_at: int, satisfaction_at: int | None, date_at: int | None,
         problems: list[tuple[int, str]]) -> ImportedComment | None:
    """One line to a comment, or None with the reason recorded."""
    def cell(index: int | None) -> str:
        return cells[index] if index is not None and index < len(cells) else ""

    text = " ".join(cell(text_at).split()) if "\n" not in cell(text_at) else cell(text_at).strip()
    satisfaction = _satisfaction(cell(satisfaction_at))
    created = _date(cell(date_at))
    if not any(c.strip() for c in cells):
        return None
    if satisfaction == "invalid":
        problems.append((line, _("Satisfaction « %(value)s » non reconnue (attendu : oui, moyen, non ou 1 à 3) : ligne ignorée.",
                                 value=cell(satisfaction_at).strip())))
        return None
    if created == "invalid":
        problems.append((line, _("Date « %(value)s » non reconnue (attendu : JJ/MM/AAAA) : ligne ignorée.", value=cell(date_at).strip())))
        return None
    if not text and satisfaction is None:
        problems.append((line, _("Ni commentaire ni satisfaction : ligne ignorée.")))
        return None
    if len(text) > MAX_TEXT:
        problems.append((line, _("Commentaire de plus de 4 000 caractères : ligne ignorée.")))
        return None
    return ImportedComment(line, text, satisfaction, created, scan(text))  # read here, outside the write


def import_comments(db: Database, *, deployment: dict, parsed: ParsedComments, now: datetime) -> tuple[int, int]:
    """Store each row once (re-importing the same file adds nothing); returns (added, already there)."""
    added = duplicates = 0
    seen: dict[str, int] = {}
    for row in parsed.rows:
        fingerprint = f"{row.created_at}|{row.satisfaction}|{row.text}"
        seen[fingerprint] = seen.get(fingerprint, 0) + 1
        digest = hashlib.sha256(f"{fingerprint}|{seen[fingerprint]}".encode()).hexdigest()[:40]
        recorded = record_external(
            db, deployment=deployment, channel="import", idempotency_key=f"import:{deployment['id']}:{digest}",
            comment=row.comment, satisfaction=row.satisfaction, page=None, now=now, received_at=row.created_at,
            require_open=False,
        )
        duplicates += recorded.duplicate
        added += not recorded.duplicate
    return added, duplicates
