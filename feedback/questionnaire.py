"""The end questionnaire: JDMA-compatible questions, optional SUS and UMUX-Lite, free text.

On a phone 14 radio lists on one page made a 5,900-pixel scroll. The questionnaire is paged, each
page within three screens of a 390 × 844 phone: the JDMA questions (with UMUX-Lite's two when
chosen) and the free text first, what every deployment asks and what matters most if someone
stops there; then SUS's ten statements when the deployment chose them. Each question is a
horizontal scale of thumb-sized radios.

Keys and scales match `analysis.metrics.SCALES`: satisfaction 1-3 (1 Non, 2 Moyennement, 3 Oui),
ease and clarity 1-5, help_needed 0/1, sus_1..sus_10 1-5, umux_1 and umux_2 1-7. The free text is
stored as the trial's overall comment (masked), not as a response.

The SUS items are the French F-SUS validated by Gronier & Baudet (2021, International Journal
of Human-Computer Interaction, doi:10.1080/10447318.2021.1898828), with "système" read as
"service" as the SUS allows; only the end points of the scale are named, as in the original.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from lab.i18n import N_
from prototypes.answers import FieldError

FREE_TEXT_MAX = 2000
FREE_TEXT_LABEL = N_("Qu'est-ce qui vous a gêné ? Que proposez-vous ?")


@dataclass(frozen=True)
class Option:
    """One answer: the stored number and the French label."""

    value: int
    label: str


@dataclass(frozen=True)
class Question:
    """A single-choice question rendered as radios in a fieldset, named "q-<key>"."""

    key: str
    label: str
    options: tuple[Option, ...]
    hint: str | None = None
    scale: bool = False


def _scale(size: int, labels: Mapping[int, str]) -> tuple[Option, ...]:
    return tuple(Option(n, labels.get(n, str(n))) for n in range(1, size + 1))


AGREE_5 = _scale(5, {1: N_("1 – Pas du tout d'accord"), 5: N_("5 – Tout à fait d'accord")})
AGREE_7 = _scale(7, {1: N_("1 – Pas du tout d'accord"), 7: N_("7 – Tout à fait d'accord")})

JDMA: tuple[Question, ...] = (
    Question("satisfaction", N_("Êtes-vous satisfait·e de cette démarche ?"),
             (Option(3, N_("Oui")), Option(2, N_("Moyennement")), Option(1, N_("Non")))),
    Question("ease", N_("Cette démarche a-t-elle été facile à réaliser ?"),
             (Option(1, N_("1 – Très difficile")), Option(2, N_("2 – Difficile")),
              Option(3, N_("3 – Ni facile ni difficile")), Option(4, N_("4 – Facile")),
              Option(5, N_("5 – Très facile"))), scale=True),
    Question("clarity", N_("Les textes et le vocabulaire vous ont-ils semblé clairs ?"),
             (Option(1, N_("1 – Pas du tout clairs")), Option(2, N_("2 – Peu clairs")),
              Option(3, N_("3 – Moyennement clairs")), Option(4, N_("4 – Clairs")),
              Option(5, N_("5 – Très clairs"))), scale=True),
    Question("help_needed", N_("Avez-vous eu besoin d'aide ?"), (Option(1, N_("Oui")), Option(0, N_("Non"))),
             hint=N_("Par exemple d'un proche, d'un·e agent·e ou d'un·e médiateur·rice numérique.")),
)

SUS_ITEMS = (
    N_("Je pense que j'aimerais utiliser ce service fréquemment."),
    N_("J'ai trouvé ce service inutilement complexe."),
    N_("J'ai trouvé ce service facile à utiliser."),
    N_("Je pense que j'aurais besoin de l'aide d'un technicien pour être capable d'utiliser ce service."),
    N_("J'ai trouvé que les différentes fonctions de ce service ont été bien intégrées."),
    N_("J'ai trouvé qu'il y avait trop d'incohérences dans ce service."),
    N_("J'imagine que la plupart des gens seraient capables d'apprendre à utiliser ce service très rapidement."),
    N_("J'ai trouvé ce service très lourd à utiliser."),
    N_("Je me suis senti·e très confiant·e en utilisant ce service."),
    N_("J'ai eu besoin d'apprendre beaucoup de choses avant de pouvoir utiliser ce service."),
)
SUS: tuple[Question, ...] = tuple(
    Question(f"sus_{n}", text, AGREE_5, scale=True) for n, text in enumerate(SUS_ITEMS, start=1)
)
UMUX_LITE: tuple[Question, ...] = (
    Question("umux_1", N_("Les fonctionnalités de ce service répondent à mes besoins."), AGREE_7, scale=True),
    Question("umux_2", N_("Ce service est facile à utiliser."), AGREE_7, scale=True),
)


@dataclass(frozen=True)
class Section:
    """A group of questions with its heading."""

    key: str
    title: str
    intro: str | None
    questions: tuple[Question, ...]


def sections(options: Mapping[str, object]) -> list[Section]:
    """The questionnaire of a deployment: JDMA always, SUS and UMUX-Lite when chosen."""
    chosen = [Section("avis", N_("Votre avis sur la démarche"), None, JDMA)]
    if options.get("sus"):
        chosen.append(Section("sus", N_("Votre expérience du service"),
                              N_("Pour chaque affirmation, indiquez votre accord de 1 (pas du tout d'accord) "
                                 "à 5 (tout à fait d'accord). Si vous hésitez, choisissez 3."), SUS))
    if options.get("umux_lite"):
        chosen.append(Section("umux", N_("En résumé"),
                              N_("Indiquez votre accord de 1 (pas du tout d'accord) à 7 (tout à fait d'accord)."),
                              UMUX_LITE))
    return chosen


@dataclass(frozen=True)
class Page:
    """One page of the questionnaire: its sections, and whether it ends with the free text."""

    title: str
    sections: tuple[Section, ...]
    free_text: bool

    @property
    def keys(self) -> list[str]:
        """The keys of the questions this page asks."""
        return [question.key for section in self.sections for question in section.questions]


def pages(options: Mapping[str, object]) -> list[Page]:
    """The questionnaire's pages, each within three phone screens: the JDMA questions, UMUX-Lite's two
    when chosen and the free text; then SUS's ten, when chosen."""
    chosen = sections(options)
    first = tuple(section for section in chosen if section.key != "sus")
    found = [Page(N_("Votre avis sur cette démarche"), first, True)]
    found += [Page(N_("Votre expérience du service"), (section,), False) for section in chosen if section.key == "sus"]
    return found


def pages_sent(options: Mapping[str, object], answered: Iterable[str]) -> int:
    """How many pages, in order, have every question answered (from the stored responses' keys)."""
    keys = set(answered)
    count = 0
    for page in pages(options):
        if not set(page.keys) <= keys:
            break
        count += 1
    return count


@dataclass(frozen=True)
class Result:
    """Normalised rows (key, number, text), errors in page order, and what to show again."""

    rows: list[tuple[str, float | None, str | None]]
    errors: list[FieldError]
    values: dict[str, str]

    @property
    def ok(self) -> bool:
        """True when everything asked was answered."""
        return not self.errors


def validate(page: Page, form: Mapping[str, Sequence[str]]) -> Result:
    """Check a submitted questionnaire page: every scale question is required, the free text is not."""
    rows: list[tuple[str, float | None, str | None]] = []
    errors: list[FieldError] = []
    values: dict[str, str] = {}
    for section in page.sections:
        for question in section.questions:
            raw = next((v.strip() for v in form.get(question.key, ()) if v.strip()), "")
            allowed = {str(option.value) for option in question.options}
            if raw:
                values[question.key] = raw
            if raw not in allowed:
                errors.append(FieldError(question.key, N_("Choisissez une réponse."), {}, question.label))
                continue
            rows.append((question.key, float(raw), None))
    if page.free_text:
        free_text = next((v for v in form.get("free_text", ()) if v.strip()), "").replace("\r\n", "\n").strip()
        values["free_text"] = free_text
        if len(free_text) > FREE_TEXT_MAX:
            errors.append(FieldError("free_text", N_("Votre commentaire ne doit pas dépasser {max} caractères."),
                                     {"max": FREE_TEXT_MAX}, FREE_TEXT_LABEL))
    return Result(rows, errors, values)
