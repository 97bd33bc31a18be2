"""Reading the CSV files people export from spreadsheets: encodings, delimiters, header names."""

from __future__ import annotations

import csv
import io
import re

from lab.folding import fold
from lab.i18n import gettext as _

__all__ = ["FileTooLarge", "ImportFileError", "csv_reader", "decode", "header_key"]


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (French message); nothing was stored."""


class FileTooLarge(ImportFileError):
    """The file is bigger than an import may be."""


def decode(data: bytes, *, max_bytes: int) -> str:
    """UTF-8 (with or without BOM) or cp1252 text, refusing spreadsheets, binaries and oversize files."""
    if len(data) > max_bytes:
        raise FileTooLarge(_("Le fichier dépasse %(size)d Mo : découpez-le en plusieurs fichiers.", size=max(1, max_bytes // 2**20)))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise ImportFileError(_("Le fichier est vide."))
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError(_("Ce fichier est un classeur (Excel, LibreOffice) : enregistrez-le au format CSV."))
    if b"\x00" in data:
        raise ImportFileError(_("Ce fichier n'est pas un fichier CSV (texte)."))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError(_("L'encodage du fichier n'est pas reconnu : enregistrez-le en CSV UTF-8.")) from None


def csv_reader(text: str):
    """A strict reader with the delimiter French spreadsheets use (`;`) or the usual one (`,`)."""
    first_line = next(iter(text.splitlines()), "")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)


def header_key(cell: str) -> str:
    """Compare column names without case, accents or punctuation."""
    return re.sub(r"[^a-z0-9]+", "_", fold(cell)).strip("_")
