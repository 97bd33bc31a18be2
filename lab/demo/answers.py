"""What demo citizens type into the prototypes' fields, drawn from the vocabulary in data/answers.yaml.

Option labels, weights and bounds stay here beside the draws: they must match the prototypes'
specs. The free texts (streets, names, descriptions, events...) are data a lab team edits.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from lab.clock import LOCAL_TZ
from lab.demo.datafiles import lines, read_yaml
from lab.demo.draws import weighted
from lab.folding import strip_accents

Answers = dict[str, object]


@dataclass(frozen=True)
class Words:
    """The vocabulary of data/answers.yaml, each list in the file's order (the draws go by position)."""

    streets: tuple[str, ...]
    places: tuple[str, ...]
    landmarks: tuple[str, ...]
    descriptions: Mapping[str, tuple[str, ...]]  # by the first word of a voirie category
    precisions: tuple[str, ...]
    surnames: tuple[str, ...]
    first_names: tuple[str, ...]
    child_names: tuple[str, ...]
    associations: tuple[str, ...]
    events: tuple[str, ...]
    allergies: tuple[str, ...]


@cache
def words() -> Words:
    """Read once: the file is the only copy of these texts."""
    document = read_yaml("answers.yaml")
    descriptions = document.pop("descriptions")
    return Words(
        descriptions={category: lines(block, f"answers.yaml: descriptions: {category}") for category, block in descriptions.items()},
        **{key: lines(block, f"answers.yaml: {key}") for key, block in document.items()},
    )


def _fiction_phone(rng: random.Random) -> str:
    """Numbers the ARCEP keeps for fiction (06 39 98 …, 01 99 00 …): nobody's real line."""
    prefix = rng.choice(("06 39 98", "06 39 98", "01 99 00"))
    return f"{prefix} {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"


def _email(rng: random.Random, first: str, last: str) -> str:
    """What people type: their name, sometimes a number, on an example domain (nobody real is mailed)."""
    user = strip_accents(f"{first}.{last}").lower().replace(" ", "").replace("'", "")
    if rng.random() < 0.4:
        user += str(rng.randint(1, 99))
    return f"{user}@{rng.choice(('exemple.fr', 'exemple.com', 'courriel.exemple'))}"


def _address(rng: random.Random, postal: bool) -> str:
    """A street address in the demo town; postal adds the town line the forms ask for."""
    street = f"{rng.randint(1, 140)} {rng.choice(words().streets)}"
    return f"{street}\n44150 Saint-Aubin-sur-Loire" if postal else street


def _day(moment: datetime, days: int, low: date | None = None, high: date | None = None) -> str:
    """A calendar day relative to a local instant, kept within the field's bounds."""
    day = moment.astimezone(LOCAL_TZ).date() + timedelta(days=days)
    if low and day < low:
        day = low
    if high and day > high:
        day = high
    return day.isoformat()


def voirie_answers(version: int) -> Callable[[random.Random, dict], Answers]:
    """Reports of the voirie prototype; v2 has the « Végétation » category, approximate places and HEIC photos."""
    categories = (
        ("Chaussée dégradée (nid-de-poule, affaissement)", 24), ("Trottoir dégradé", 24), ("Éclairage public en panne", 15),
        ("Mobilier urbain abîmé (banc, barrière, poubelle)", 9), ("Dépôt sauvage de déchets", 12),
        ("Panneau de signalisation abîmé ou manquant", 6),
    ) + ((("Végétation envahissante (branches, racines)", 14), ("Autre", 6)) if version == 2 else (("Autre", 13),))

    def answers(rng: random.Random, ctx: dict) -> Answers:
        """One report, drawn in a fixed order so a seed replays it."""
        at, w = ctx["start"], words()
        values: Answers = {}
        if version == 2 and rng.random() < 0.35:
            near = rng.choice(("vers", "près de", "devant", "entre le n° 10 et le n° 20,"))
            values["adresse"] = f"{near} {rng.choice(w.places + w.streets)}"
        else:
            values["adresse"] = _address(rng, False) if rng.random() < 0.6 else rng.choice(w.places)
        if rng.random() < 0.45:
            values["repere"] = rng.choice(w.landmarks)
        category = weighted(rng, categories)
        values["categorie"] = category
        if category == "Autre":
            values["precision"] = rng.choice(w.precisions)
        if rng.random() < 0.75:
            values["description"] = rng.choice(w.descriptions[category.split(" ")[0]])
        values["danger"] = "oui" if rng.random() < 0.14 else "non"
        if version == 1 or rng.random() < 0.6:
            values["date_constat"] = _day(at, -rng.choice((0, 0, 1, 2, 3, 7, 10, 14, 21, 30)), low=date(2026, 1, 1))
        if rng.random() < (0.62 if version == 1 else 0.7):
            heic = version == 2 and rng.random() < 0.45
            name = f"IMG_{rng.randint(1000, 9999)}.{'HEIC' if heic else rng.choice(('jpg', 'jpg', 'jpeg', 'png'))}"
            size = rng.randint(1_200_000, 4_800_000) if version == 1 else rng.randint(1_500_000, 9_000_000)
            values["photo"] = {"filename": name, "size": size}
        first, last = rng.choice(w.first_names), rng.choice(w.surnames)
        if rng.random() < 0.45:
            values["courriel"] = _email(rng, first, last)
        if rng.random() < 0.28:
            values["telephone"] = _fiction_phone(rng)
        if ("courriel" in values or "telephone" in values) and rng.random() < 0.75:
            values["recontact"] = True
        return values

    return answers


_CLASSES = (("Petite section", 2023), ("Moyenne section", 2022), ("Grande section", 2021), ("CP", 2020), ("CE1", 2019),
            ("CE2", 2018), ("CM1", 2017), ("CM2", 2016))


def cantine_answers(rng: random.Random, ctx: dict) -> Answers:
    """A parent registering one child for the canteen."""
    at, w = ctx["start"], words()
    first, last = rng.choice(w.first_names), rng.choice(w.surnames)
    classe, year = rng.choice(_CLASSES)
    maternelle = classe.endswith("section")
    ecoles = (("École maternelle Jean-Jaurès", "École maternelle Les Tilleuls", "École primaire Louise-Michel") if maternelle
              else ("École élémentaire Jean-Jaurès", "École élémentaire Victor-Hugo", "École primaire Louise-Michel"))
    values: Answers = {
        "responsable_nom": last, "responsable_prenom": first,
        "lien": weighted(rng, (("La mère", 60), ("Le père", 35), ("Tuteur ou tutrice légal de l'enfant", 5))),
        "adresse": _address(rng, True), "courriel": _email(rng, first, last), "telephone": _fiction_phone(rng),
        "enfant_nom": last if rng.random() < 0.85 else rng.choice(w.surnames), "enfant_prenom": rng.choice(w.child_names),
        "enfant_naissance": date(year, rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
        "ecole": rng.choice(ecoles), "classe": classe,
    }
    days = ["Lundi", "Mardi", "Jeudi", "Vendredi"]
    values["jours"] = days if rng.random() < 0.68 else sorted(rng.sample(days, rng.randint(1, 3)), key=days.index)
    if rng.random() < 0.2:
        values["date_debut"] = _day(at, rng.randint(5, 40), low=date(2026, 9, 1), high=date(2027, 7, 3))
    values["repas"] = weighted(rng, (("Repas standard", 65), ("Repas sans porc", 20), ("Repas sans viande", 15)))
    values["allergie"] = "oui" if rng.random() < 0.22 else "non"
    if values["allergie"] == "oui":
        values["pai"] = "oui" if rng.random() < 0.4 else "non"
        values["pai_details"] = rng.choice(w.allergies)
    if rng.random() < 0.66:
        values["quotient_familial"] = rng.randrange(280, 1900, 5)
    if rng.random() < 0.6:
        values["justificatif"] = {"filename": rng.choice(("attestation_caf.pdf", "Attestation QF.pdf", "scan0001.pdf",
                                                          f"IMG_{rng.randint(1000, 9999)}.jpg")),
                                  "size": rng.randint(180_000, 2_600_000)}
    values["reglement"] = values["exactitude"] = True
    return values


_ROOMS = (("Salle des fêtes (200 personnes)", 200), ("Salle polyvalente Jean-Moulin (80 personnes)", 80),
          ("Maison des associations, salle 1 (30 personnes)", 30), ("Maison des associations, salle 2 (15 personnes)", 15))


def salle_answers(rng: random.Random, ctx: dict) -> Answers:
    """An association or a resident booking a municipal room."""
    at, w = ctx["start"], words()
    first, last = rng.choice(w.first_names), rng.choice(w.surnames)
    values: Answers = {"type_demandeur": "Association" if rng.random() < 0.6 else "Particulier"}
    if values["type_demandeur"] == "Association":
        values["association"] = rng.choice(w.associations)
        if rng.random() < 0.7:
            values["rna"] = f"W{rng.randint(440000000, 449999999)}"
        room, capacity = weighted(rng, ((_ROOMS[0], 2), (_ROOMS[1], 3), (_ROOMS[2], 4), (_ROOMS[3], 3)))
    else:
        room, capacity = weighted(rng, ((_ROOMS[0], 4), (_ROOMS[1], 5), (_ROOMS[2], 1), (_ROOMS[3], 0.5)))
    values |= {"nom": last, "prenom": first, "salle": room,
               "nombre_personnes": max(5, min(capacity, int(capacity * rng.uniform(0.3, 1.0))))}
    values["date_souhaitee"] = _day(at, rng.randint(21, 120), low=date(2026, 9, 1), high=date(2027, 12, 31))
    values["creneau"] = rng.choice(("Matin (8 h – 12 h)", "Après-midi (13 h – 18 h)", "Soirée (18 h – 23 h)",
                                    "Journée entière (8 h – 23 h)"))
    values["usage"] = rng.choice(w.events)
    materiel = ["Tables", "Chaises", "Sonorisation", "Vidéoprojecteur", "Scène", "Cuisine équipée"]
    if rng.random() < 0.85:
        values["materiel"] = [m for m in materiel if rng.random() < (0.8 if m in ("Tables", "Chaises") else 0.25)] or ["Chaises"]
    values["buvette"] = "oui" if rng.random() < 0.25 else "non"
    values |= {"courriel": _email(rng, first, last), "telephone": _fiction_phone(rng), "adresse": _address(rng, True),
               "reglement": True, "assurance": True}
    return values
