"""Import participants from a spreadsheet export: parse purely, then store what is valid."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field

from sqlite_utils import Database

from lab.campaigns.groups import GroupError, clean_contact, clean_profile, create_participant, find_by_contact
from lab.clock import iso, utcnow
from lab.csv_files import ImportFileError, csv_reader, decode, header_key
from lab.i18n import gettext as _

MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024
#: Accepted header names (after folding case, accents and punctuation) and what they fill.
COLUMNS = {
    "nom": "name",
    "email": "email",
    "courriel": "email",
    "telephone": "phone",
    "tranche_age": "tranche_age",
    "quartier": "quartier",
    "aisance_numerique": "aisance_numerique",
}
EXPECTED = "nom, email (ou courriel), telephone, tranche_age, quartier, aisance_numerique"


@dataclass(frozen=True)
class ParsedRow:
    """One valid line of the file, ready to become a participant."""

    line: int
    contact: dict | None
    profile: dict


@dataclass(frozen=True)
class RowProblem:
    """Why a line (numbered as in a text editor, header = 1) was not taken."""

    line: int
    message: str


@dataclass(frozen=True)
class ParsedFile:
    """Valid rows and per-line problems of one uploaded file."""

    sha256: str
    rows: list[ParsedRow]
    problems: list[RowProblem]


@dataclass
class ImportReport:
    """What an import did: who was created, who was already there, what was refused."""

    created: list[tuple[int, str]] = field(default_factory=list)
    already_present: list[tuple[int, str]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    previous_import: dict | None = None


def _read_header(header: list[str]) -> tuple[list[str | None], list[RowProblem]]:
    """Map each column to what it fills (None = ignored), reporting unknown ones on line 1."""
    targets: list[str | None] = []
    problems = []
    for cell in header:
        target = COLUMNS.get(header_key(cell))
        if target is None and cell.strip():
            problems.append(
                RowProblem(1, _("Colonne inconnue « %(name)s » : elle est ignorée. Colonnes reconnues : %(expected)s.",
                                name=cell.strip(), expected=EXPECTED))
            )
        if target is not None and target in targets:
            raise ImportFileError(_("La colonne « %(name)s » apparaît deux fois dans l'en-tête.", name=cell.strip()))
        targets.append(target)
    if not any(targets):
        raise ImportFileError(
            _("Aucune colonne reconnue sur la première ligne. Colonnes attendues : %(expected)s.", expected=EXPECTED)
        )
    return targets, problems


def parse_participants_csv(data: bytes) -> ParsedFile:
    """Read a CSV (UTF-8 with or without BOM, or cp1252; `;` or `,`) into valid rows and line problems."""
    reader = csv_reader(decode(data, max_bytes=MAX_BYTES))
    rows: list[ParsedRow] = []
    seen_emails: dict[str, int] = {}
    try:
        targets, problems = _read_header(next(reader))
        line_end = reader.line_num
        for count, cells in enumerate(reader, start=1):
            line, line_end = line_end + 1, reader.line_num
            if count > MAX_ROWS:
                raise ImportFileError(
                    _("Le fichier compte plus de %(max)s lignes : découpez-le en plusieurs fichiers.", max="5 000")
                )
            row_problems, parsed = _parse_row(line, cells, targets)
            if parsed and parsed.contact and parsed.contact["email"]:
                email = parsed.contact["email"]
                if email in seen_emails:
                    row_problems.append(
                        RowProblem(line, _("L'adresse %(email)s figure déjà ligne %(first)d.",
                                           email=email, first=seen_emails[email]))
                    )
                    parsed = None
                else:
                    seen_emails[email] = line
            problems.extend(row_problems)
            if parsed:
                rows.append(parsed)
    except csv.Error as exc:
        raise ImportFileError(_("Le fichier n'est pas un CSV lisible (ligne %(line)d).", line=reader.line_num)) from exc
    except StopIteration:
        raise ImportFileError(_("Le fichier est vide.")) from None
    return ParsedFile(sha256=hashlib.sha256(data).hexdigest(), rows=rows, problems=problems)


def _parse_row(line: int, cells: list[str], targets: list[str | None]) -> tuple[list[RowProblem], ParsedRow | None]:
    """Validate one line; every problem on it is reported, not just the first."""
    if not any(cell.strip() for cell in cells):
        return [RowProblem(line, _("Ligne vide."))], None
    if len(cells) > len(targets) and any(cell.strip() for cell in cells[len(targets):]):
        message = _("La ligne compte %(found)d colonnes, l'en-tête %(expected)d.", found=len(cells), expected=len(targets))
        return [RowProblem(line, message)], None
    values = {target: cell for target, cell in zip(targets, cells) if target}
    if not any(value.strip() for value in values.values()):
        return [RowProblem(line, _("Aucune donnée dans les colonnes reconnues."))], None
    problems = []
    for key in ("name", "email", "phone"):
        try:
            clean_contact(**{key: values.get(key, "")})
        except GroupError as exc:
            problems.append(RowProblem(line, str(exc)))
    try:
        profile = clean_profile(values)
    except GroupError as exc:
        problems.append(RowProblem(line, str(exc)))
    if problems:
        return problems, None
    contact = clean_contact(name=values.get("name", ""), email=values.get("email", ""), phone=values.get("phone", ""))
    return [], ParsedRow(line=line, contact=contact, profile=profile)


def import_participants(
    db: Database, *, group_id: int, parsed: ParsedFile, filename: str, user_id: int | None
) -> ImportReport:
    """Create the file's new participants; people already in the group (same e-mail, else phone) are skipped."""
    report = ImportReport(problems=list(parsed.problems))
    previous = list(
        db.query("SELECT * FROM participant_imports WHERE group_id = ? AND file_sha256 = ?", [group_id, parsed.sha256])
    )
    if previous:
        report.previous_import = previous[0]
        return report
    for row in parsed.rows:
        existing = row.contact and find_by_contact(
            db, group_id=group_id, email=row.contact["email"], phone=row.contact["phone"]
        )
        if existing:
            report.already_present.append((row.line, existing["code"]))
        else:
            created = create_participant(db, group_id=group_id, profile=row.profile, contact=row.contact)
            report.created.append((row.line, created["code"]))
    db["participant_imports"].insert(
        {
            "group_id": group_id,
            "file_sha256": parsed.sha256,
            "filename": filename[:255],
            "imported": len(report.created),
            "skipped": len(report.already_present),
            "rejected": len({p.line for p in report.problems}),
            "created_at": iso(utcnow()),
            "created_by": user_id,
        }
    )
    return report
