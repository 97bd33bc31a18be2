"""Checks and cleans what a citizen typed in one step, so every channel applies the same rules."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date
from pathlib import PureWindowsPath
from typing import BinaryIO, Protocol

from lab.clock import local_today
from lab.i18n import N_, format_day, format_number, or_list
from prototypes import file_types
from prototypes.patterns import full_match
from prototypes.spec import ANSWER_MAX_CHARS, Field, ShowIf, Step


class Upload(Protocol):
    """What a file input gives (Starlette's UploadFile fits): a name, a size in bytes and the content."""

    @property
    def filename(self) -> str | None: ...

    @property
    def size(self) -> int | None: ...

    @property
    def file(self) -> BinaryIO: ...


FormValue = str | Upload
# Submitted values by field key: the caller strips the "f-" prefix of the HTML names
# (templates/prototypes/_fields.html) and passes file inputs as upload objects.
Form = Mapping[str, Sequence[FormValue]]


@dataclass(frozen=True)
class FieldError:
    """A field's error: message is the French msgid, params fill it in; label names the field in error summaries."""

    field: str
    message: str
    params: Mapping[str, object] = dc_field(default_factory=dict, hash=False)
    label: str = dc_field(default="", compare=False)

    @property
    def text(self) -> str:
        """The message in French, params filled in."""
        return self.message.format(**self.params)


@dataclass(frozen=True)
class StepResult:
    """Cleaned values of the visible fields, and errors in field order."""

    values: dict[str, object]
    errors: list[FieldError]

    @property
    def ok(self) -> bool:
        """True when the citizen can go on to the next step."""
        return not self.errors


class _Invalid(Exception):
    """Raised by a cleaner; carries the French msgid and its params."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


def visible_fields(step: Step, answers: Mapping[str, object]) -> list[Field]:
    """The fields of step to show, given the answers so far (a hidden field hides its dependents)."""
    known = dict(answers)
    shown = []
    for f in step.fields:
        if _condition_met(f.show_if, known):
            shown.append(f)
        else:
            known.pop(f.key, None)
    return shown


def validate_step(step: Step, form: Form, answers_so_far: Mapping[str, object], *, today: date | None = None) -> StepResult:
    """Checks a submitted step; hidden fields are neither checked nor kept; relative date bounds count from `today` (Paris)."""
    today = today or local_today()
    own = {f.key for f in step.fields}
    known = {key: value for key, value in answers_so_far.items() if key not in own}
    values: dict[str, object] = {}
    errors: list[FieldError] = []
    for f in step.fields:
        if f.type == "info" or not _condition_met(f.show_if, known):
            continue
        try:
            value = _clean(f, form.get(f.key, ()), answers_so_far.get(f.key), today)
        except _Invalid as exc:
            errors.append(FieldError(f.key, exc.message, exc.params, f.label))
            continue
        if value is not None:
            values[f.key] = known[f.key] = value
    return StepResult(values, errors)


def _condition_met(show_if: ShowIf | None, answers: Mapping[str, object]) -> bool:
    if show_if is None:
        return True
    answer = answers.get(show_if.field)
    if answer is None:
        return False
    given = [str(v) for v in answer] if isinstance(answer, list) else [str(answer)]
    return any(value in show_if.accepted_values for value in given)


_REQUIRED = {
    "text": N_("Renseignez ce champ."),
    "textarea": N_("Renseignez ce champ."),
    "number": N_("Saisissez un nombre."),
    "date": N_("Saisissez une date, par exemple 14/07/2026."),
    "email": N_("Indiquez votre adresse électronique au format nom@domaine.fr."),
    "phone": N_("Indiquez un numéro de téléphone, par exemple 06 12 34 56 78."),
    # A place is enough ("parking de la salle des fêtes"): the field's hint says how precise to be.
    "address": N_("Indiquez une adresse ou un lieu."),
    "choice": N_("Choisissez une option."),
    "multichoice": N_("Cochez au moins une option."),
    "yesno": N_("Répondez par oui ou par non."),
    "file": N_("Ajoutez un fichier."),
    "consent": N_("Cochez la case pour continuer."),
}


def _clean(f: Field, raw: Sequence[FormValue], previous: object, today: date) -> object | None:
    """The cleaned value, None when an optional field is left empty."""
    if f.type == "file":
        value = _clean_file(f, raw, previous)
    elif f.type == "multichoice":
        value = _clean_multichoice(f, [v.strip() for v in raw if isinstance(v, str) and v.strip()])
    else:
        text = next((v.strip() for v in raw if isinstance(v, str) and v.strip()), "")
        if len(text) > ANSWER_MAX_CHARS["textarea"]:  # no format is checked on a text longer than any answer
            raise _Invalid(N_("Votre réponse est trop longue : {max} caractères au maximum."), max=ANSWER_MAX_CHARS["textarea"])
        clean = functools.partial(_clean_date, today=today) if f.type == "date" else _CLEANERS[f.type]
        value = clean(f, text.replace("\r\n", "\n")) if text else None
    if value is None and f.required:
        raise _Invalid(_REQUIRED[f.type])
    return value


def _clean_text(f: Field, text: str) -> str:
    low, high = f.min, f.max
    if low is not None and len(text) < low or high is not None and len(text) > high:
        if low is not None and high is not None:
            raise _Invalid(N_("Saisissez entre {min} et {max} caractères."), min=low, max=high)
        if low is not None:
            raise _Invalid(N_("Saisissez au moins {min} caractères."), min=low)
        raise _Invalid(N_("Saisissez {max} caractères au maximum."), max=high)
    if len(text) > ANSWER_MAX_CHARS[f.type]:
        raise _Invalid(N_("Saisissez {max} caractères au maximum."), max=ANSWER_MAX_CHARS[f.type])
    if f.pattern is not None and not full_match(f.pattern, text):
        if f.hint:
            raise _Invalid(N_("Saisissez une valeur au format indiqué : {hint}"), hint=f.hint)
        raise _Invalid(N_("Saisissez une valeur au format attendu."))
    return text


_NUMBER = re.compile(r"[+-]?\d{1,15}(?:[.,]\d{1,15})?")


def _clean_number(f: Field, text: str) -> int | float:
    compact = re.sub(r"[\s\u00a0\u202f]", "", text)
    if not _NUMBER.fullmatch(compact):
        raise _Invalid(N_("Saisissez un nombre, par exemple 12 ou 3,5."))
    number = float(compact.replace(",", "."))
    value = int(number) if number.is_integer() else number
    low, high = f.min, f.max
    if low is not None and value < low or high is not None and value > high:
        if low is not None and high is not None:
            raise _Invalid(N_("Saisissez un nombre entre {min} et {max}."),
                           min=format_number(low, None), max=format_number(high, None))
        if low is not None:
            raise _Invalid(N_("Saisissez un nombre supérieur ou égal à {min}."), min=format_number(low, None))
        raise _Invalid(N_("Saisissez un nombre inférieur ou égal à {max}."), max=format_number(high, None))
    return value


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_FR_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _clean_date(f: Field, text: str, *, today: date) -> str:
    try:
        if match := _ISO_DATE.fullmatch(text):
            day = date(int(match[1]), int(match[2]), int(match[3]))
        elif match := _FR_DATE.fullmatch(text):
            day = date(int(match[3]), int(match[2]), int(match[1]))
        else:
            raise ValueError(text)
    except ValueError:
        raise _Invalid(N_("Saisissez une date valide, par exemple 14/07/2026.")) from None
    low, high = f.date_bounds(today)
    if low is not None and day < low or high is not None and day > high:
        if low is not None and high is not None:
            raise _Invalid(N_("Saisissez une date comprise entre le {min} et le {max}."),
                           min=format_day(low), max=format_day(high))
        if low is not None:
            raise _Invalid(N_("Saisissez une date à partir du {min}."), min=format_day(low))
        raise _Invalid(N_("Saisissez une date jusqu'au {max}."), max=format_day(high))
    return day.isoformat()


_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")


def _clean_email(f: Field, text: str) -> str:
    if len(text) > 254 or not _EMAIL.fullmatch(text):
        raise _Invalid(N_("Indiquez votre adresse électronique au format nom@domaine.fr."))
    return text


def _clean_phone(f: Field, text: str) -> str:
    """French numbers as "06 12 34 56 78"; other international numbers as +<digits>."""
    compact = re.sub(r"[\s.\-()\u00a0\u202f]", "", text)
    if match := re.fullmatch(r"(?:\+33|0033)0?([1-9]\d{8})", compact):
        compact = "0" + match[1]
    elif len(compact) != 10 and (match := re.fullmatch(r"(?:\+|00)([1-9]\d{6,14})", compact)):
        return "+" + match[1]  # ten digits are a French number, even when they start with 00
    if not re.fullmatch(r"0[1-9]\d{8}", compact):
        raise _Invalid(N_("Indiquez un numéro de téléphone valide, "
                          "par exemple 06 12 34 56 78 ou +33 6 12 34 56 78."))
    return " ".join(compact[i:i + 2] for i in range(0, 10, 2))


def _clean_address(f: Field, text: str) -> str | None:
    """Any words that say where ("devant l'école"); punctuation alone says nothing, as if left empty."""
    if not any(char.isalnum() for char in text):
        return None
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _clean_choice(f: Field, text: str) -> str:
    if text not in (f.options or ()):
        raise _Invalid(N_("Choisissez une des options proposées."))
    return text


def _clean_multichoice(f: Field, chosen: list[str]) -> list[str] | None:
    if any(value not in (f.options or ()) for value in chosen):
        raise _Invalid(N_("Choisissez parmi les options proposées."))
    chosen = [option for option in f.options or () if option in chosen]
    if not chosen:
        return None
    low, high = f.min, f.max
    if low is not None and len(chosen) < low:
        raise _Invalid(N_("Cochez au moins {min} options."), min=low)
    if high is not None and len(chosen) > high:
        if high == 1:
            raise _Invalid(N_("Cochez une seule option."))
        raise _Invalid(N_("Cochez {max} options au maximum."), max=high)
    return chosen


def _clean_yesno(f: Field, text: str) -> str:
    answer = text.lower()
    if answer not in ("oui", "non"):
        raise _Invalid(N_("Répondez par oui ou par non."))
    return answer


def _clean_consent(f: Field, text: str) -> bool:
    return True


def _clean_file(f: Field, raw: Sequence[FormValue], previous: object) -> dict[str, object] | None:
    """Keeps the name, size and format of the upload; a step shown again keeps the earlier file."""
    upload = next((v for v in raw if not isinstance(v, str) and getattr(v, "filename", None)), None)
    if upload is None:
        return dict(previous) if isinstance(previous, Mapping) and previous.get("filename") else None
    if upload.size is not None and upload.size > f.size_limit_kb * 1000:
        raise _Invalid(N_("Le fichier dépasse la taille maximale de {max_size}. Choisissez un fichier plus léger."),
                       max_size=_size_label(f.size_limit_kb))
    name = PureWindowsPath(upload.filename or "").name[-200:]
    accepted = f.accepted_types
    if not accepted:
        return {"filename": name, "size": upload.size}
    found = file_types.sniff(_head(upload), accepted)
    if found is None:
        raise _Invalid(N_("Ce fichier n'est pas dans un format accepté. Formats acceptés : {formats}."),
                       formats=or_list(file_types.labels(accepted)))
    return {"filename": name, "size": upload.size, "type": found.mime}


def _head(upload: Upload) -> bytes:
    """The first bytes of an upload, the file left where it was: its content tells its format, not its name."""
    head = upload.file.read(file_types.HEAD_BYTES)
    upload.file.seek(0)
    return head


def _size_label(kb: int) -> str:
    """A size limit as the form's hint shows it: "5 Mo", "800 Ko"."""
    if kb % 1000 == 0:
        return N_("{size} Mo").format(size=kb // 1000)
    return N_("{size} Ko").format(size=kb)


_CLEANERS = {
    "text": _clean_text,
    "textarea": _clean_text,
    "number": _clean_number,
    "email": _clean_email,
    "phone": _clean_phone,
    "address": _clean_address,
    "choice": _clean_choice,
    "yesno": _clean_yesno,
    "consent": _clean_consent,
}
