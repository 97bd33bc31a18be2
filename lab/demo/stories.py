"""The story of each demo iteration: who stops where, which fields refuse what, what people feel.

`STORIES` drives `lab.demo.trials`; the numbers are chosen so the reports tell what a lab would
have seen:

- voirie v1: people stop at "constat" (the date was required) and `date_constat` and `photo`
  (too heavy, HEIC refused) are the error hotspots; satisfaction and SUS are middling (~58);
- voirie v2 (the changelog fixed date, photo and categories): completion ~81 % instead of
  ~62 %, SUS ~72; "no follow-up" persists, végétation is praised, a map/geolocation is asked for;
- cantine v1: the quotient familial and the justificatif lose people at "tarif";
- salle v1: fine overall, with complaints about availability and tariffs.

Themes name the comment banks' themes (data/comments/<bank>.yaml).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from lab.demo.answers import Answers, cantine_answers, salle_answers, voirie_answers
from lab.demo.catalogue import CANTINE, SALLE, VOIRIE
from lab.demo.voices import NOISE, PRAISE


@dataclass(frozen=True)
class ErrorRule:
    """A field that rejects some first attempts; more often for people who stop on its step."""

    step: str
    field: str
    p_pass: float
    p_stop: float
    theme: str
    when: Callable[[Answers], bool] | None = None


@dataclass(frozen=True)
class Issue:
    """Friction (or a pleasant surprise) felt on a step without any validation error."""

    step: str
    theme: str
    p: float
    p_stop: float | None = None
    when: Callable[[Answers], bool] | None = None
    penalty: bool = True  # False: a welcome change people remark on


@dataclass(frozen=True)
class Story:
    """What happens to the trials of one demo iteration."""

    bank: str
    trials: int
    stops: Mapping[str, int]  # how many stop on each step (the others finish)
    assisted: int
    kiosk: int
    quality: float  # mean latent experience 0..1 of respondents (SUS ≈ 100 × quality)
    durations: Mapping[str, float]  # median seconds per step for an at-ease participant
    errors: tuple[ErrorRule, ...]
    issues: tuple[Issue, ...]
    ambient: Mapping[str, tuple[tuple[str, float], ...]]  # step comments when all went well
    general: tuple[tuple[str, float], ...]  # overall complaints not tied to a step
    answers: Callable[[random.Random, dict], Answers]
    returning: float = 0.8  # share of people with a personal link who take part


def _is(field_key: str, value: object) -> Callable[[Answers], bool]:
    """A rule that applies when a field has this value."""
    return lambda answers: answers.get(field_key) == value


def _has(field_key: str) -> Callable[[Answers], bool]:
    """A rule that applies when a field was filled."""
    return lambda answers: field_key in answers


STORIES: dict[tuple[str, int], Story] = {
    (VOIRIE, 1): Story(
        bank="voirie-1", trials=120, stops={"lieu": 8, "nature": 8, "constat": 26, "contact": 4},
        assisted=20, kiosk=8, quality=0.585,
        durations={"lieu": 40, "nature": 55, "constat": 35, "contact": 30},
        errors=(
            ErrorRule("lieu", "adresse", 0.06, 0.35, "adresse"),
            ErrorRule("nature", "categorie", 0.05, 0.25, "categories"),
            ErrorRule("nature", "precision", 0.5, 0.8, "categories", when=_is("categorie", "Autre")),
            ErrorRule("nature", "danger", 0.05, 0.15, "divers"),
            ErrorRule("constat", "date_constat", 0.36, 0.72, "date"),
            ErrorRule("constat", "photo", 0.2, 0.42, "photo"),
            ErrorRule("contact", "courriel", 0.05, 0.3, "divers", when=_has("courriel")),
            ErrorRule("contact", "telephone", 0.06, 0.3, "divers", when=_has("telephone")),
        ),
        issues=(
            Issue("lieu", "adresse", 0.22, p_stop=0.6),
            Issue("nature", "categories", 0.3, p_stop=0.6),
            Issue("constat", "date", 0.1),
            Issue("contact", "suivi", 0.3),
        ),
        ambient={
            "lieu": (("adresse", 1), ("divers", 0.6), (PRAISE, 1), (NOISE, 0.6)),
            "nature": (("categories", 1.2), ("divers", 0.8), (PRAISE, 0.8), (NOISE, 0.5)),
            "constat": (("date", 1.2), ("photo", 0.6), (PRAISE, 0.5), (NOISE, 0.5)),
            "contact": (("suivi", 1.5), ("divers", 1), (PRAISE, 0.6), (NOISE, 0.5)),
        },
        general=(("suivi", 2), ("date", 0.8), ("categories", 0.5), ("divers", 0.6)),
        answers=voirie_answers(1),
    ),
    (VOIRIE, 2): Story(
        bank="voirie-2", trials=90, stops={"lieu": 5, "nature": 4, "constat": 4, "contact": 4},
        assisted=13, kiosk=3, quality=0.75,
        durations={"lieu": 36, "nature": 50, "constat": 24, "contact": 28},
        errors=(
            ErrorRule("lieu", "adresse", 0.04, 0.3, "carte"),
            ErrorRule("nature", "categorie", 0.03, 0.2, "divers"),
            ErrorRule("nature", "precision", 0.4, 0.6, "divers", when=_is("categorie", "Autre")),
            ErrorRule("constat", "date_constat", 0.04, 0.2, "divers", when=_has("date_constat")),
            ErrorRule("constat", "photo", 0.02, 0.2, "divers", when=_has("photo")),
            ErrorRule("contact", "courriel", 0.04, 0.3, "divers", when=_has("courriel")),
        ),
        issues=(
            Issue("lieu", "carte", 0.3, p_stop=0.7),
            Issue("nature", "vegetation", 0.65, when=_is("categorie", "Végétation envahissante (branches, racines)"), penalty=False),
            Issue("constat", "photo_ok", 0.3, when=_has("photo"), penalty=False),
            Issue("constat", "date_ok", 0.25, when=lambda a: "date_constat" not in a, penalty=False),
            Issue("contact", "suivi", 0.32),
        ),
        ambient={
            "lieu": (("carte", 1.2), (PRAISE, 1), ("divers", 0.4), (NOISE, 0.5)),
            "nature": (("vegetation", 0.8), ("divers", 0.8), (PRAISE, 1), (NOISE, 0.5)),
            "constat": (("photo_ok", 0.8), ("date_ok", 0.8), (PRAISE, 0.8), (NOISE, 0.5)),
            "contact": (("suivi", 1.5), (PRAISE, 0.6), ("divers", 0.3), (NOISE, 0.5)),
        },
        general=(("suivi", 2.5), ("carte", 1.2), ("divers", 0.6)),
        answers=voirie_answers(2),
    ),
    (CANTINE, 1): Story(
        bank="cantine-1", trials=80, stops={"responsable": 4, "enfant": 2, "frequentation": 3, "sante": 6, "tarif": 17,
                                            "engagement": 1},
        assisted=10, kiosk=0, quality=0.6,
        durations={"responsable": 110, "enfant": 75, "frequentation": 30, "sante": 45, "tarif": 90, "engagement": 20},
        errors=(
            ErrorRule("responsable", "telephone", 0.07, 0.3, "longueur"),
            ErrorRule("responsable", "courriel", 0.04, 0.2, "longueur"),
            ErrorRule("enfant", "enfant_naissance", 0.06, 0.3, "longueur"),
            ErrorRule("frequentation", "jours", 0.04, 0.3, "jours"),
            ErrorRule("sante", "pai_details", 0.45, 0.7, "pai", when=_is("allergie", "oui")),
            ErrorRule("tarif", "quotient_familial", 0.18, 0.5, "quotient"),
            ErrorRule("tarif", "justificatif", 0.22, 0.55, "justificatif"),
            ErrorRule("engagement", "reglement", 0.1, 0.6, "reglement"),
        ),
        issues=(
            Issue("responsable", "longueur", 0.15),
            Issue("frequentation", "jours", 0.22, p_stop=0.8),
            Issue("sante", "pai", 0.55, p_stop=0.8, when=_is("allergie", "oui")),
            Issue("sante", "pai", 0.06, when=_is("allergie", "non")),
            Issue("tarif", "quotient", 0.4, p_stop=0.85),
            Issue("tarif", "justificatif", 0.2, p_stop=0.5),
        ),
        ambient={
            "responsable": (("longueur", 1.2), (PRAISE, 0.6), (NOISE, 0.5)),
            "enfant": (("longueur", 1), (PRAISE, 0.6), (NOISE, 0.5)),
            "frequentation": (("jours", 1), (PRAISE, 0.5), (NOISE, 0.4)),
            "sante": (("pai", 0.8), (PRAISE, 0.8), (NOISE, 0.4)),
            "tarif": (("quotient", 1), ("justificatif", 0.8), (NOISE, 0.3)),
            "engagement": (("reglement", 1.2), (PRAISE, 0.6), (NOISE, 0.4)),
        },
        general=(("longueur", 2.5), ("quotient", 1), ("reglement", 0.5)),
        answers=cantine_answers,
    ),
    (SALLE, 1): Story(
        bank="salle-1", trials=40, stops={"demandeur": 2, "choix_salle": 1, "date": 4, "evenement": 1, "coordonnees": 1},
        assisted=5, kiosk=0, quality=0.68,
        durations={"demandeur": 40, "choix_salle": 30, "date": 35, "evenement": 95, "coordonnees": 60, "engagement": 18},
        errors=(
            ErrorRule("demandeur", "rna", 0.3, 0.6, "associations", when=_has("rna")),
            ErrorRule("choix_salle", "nombre_personnes", 0.04, 0.3, "divers"),
            ErrorRule("date", "date_souhaitee", 0.1, 0.4, "disponibilites"),
            ErrorRule("evenement", "usage", 0.12, 0.3, "materiel"),
            ErrorRule("coordonnees", "telephone", 0.05, 0.3, "divers"),
            ErrorRule("engagement", "assurance", 0.07, 0.3, "tarifs"),
        ),
        issues=(
            Issue("demandeur", "associations", 0.25, when=_is("type_demandeur", "Association")),
            Issue("choix_salle", "tarifs", 0.3),
            Issue("date", "disponibilites", 0.45, p_stop=0.9),
            Issue("evenement", "materiel", 0.25),
        ),
        ambient={
            "demandeur": (("associations", 0.8), (PRAISE, 0.6), (NOISE, 0.4)),
            "choix_salle": (("tarifs", 1), ("disponibilites", 0.6), (PRAISE, 0.6), (NOISE, 0.3)),
            "date": (("disponibilites", 1.2), (PRAISE, 0.4), (NOISE, 0.3)),
            "evenement": (("materiel", 1), (PRAISE, 0.5), (NOISE, 0.3)),
            "coordonnees": (("divers", 0.8), (PRAISE, 0.6), (NOISE, 0.4)),
            "engagement": (("tarifs", 0.8), ("divers", 0.6), (PRAISE, 0.6), (NOISE, 0.3)),
        },
        general=(("tarifs", 2), ("disponibilites", 2), ("divers", 0.5)),
        answers=salle_answers,
    ),
}
