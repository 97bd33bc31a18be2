"""Answers as a citizen reads them back ("Vos données", the confirmation): dates as JJ/MM/AAAA, not as stored."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from lab.i18n import format_day, format_number
from lab.i18n import gettext as _
from prototypes.spec import Spec


def readable(field_type: str, value: object) -> str:
    """One stored answer as text in the reader's language."""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, Mapping):
        return _("fichier « %(name)s » (non transmis)", name=value.get("filename", ""))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if field_type == "date" and isinstance(value, str):
        try:
            return format_day(date.fromisoformat(value))
        except ValueError:
            return value
    if field_type == "yesno" and value in ("oui", "non"):
        return _("Oui") if value == "oui" else _("Non")
    if field_type == "number" and isinstance(value, (int, float)):
        return format_number(value, None)
    return str(value)


def recap(spec: Spec, answers: Mapping[str, object]) -> list[dict[str, str]]:
    """Every answered field of a spec, in spec order, with its label and its answer as text."""
    return [{"label": f.label, "value": readable(f.type, answers[f.key])}
            for _step, f in spec.iter_fields() if f.key in answers]
