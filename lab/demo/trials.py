"""Demo trials and comments: a few hundred citizens trying the demo prototypes, with a story.

`demo_trials` is a step of `lab.demo.DEMO_STEPS`. For each demo deployment that has a story
below (voirie v1 and v2, cantine v1, salle v1) and no trial yet, it plays citizens through the
iteration with the store functions the journey uses (`create_trial`, `enter_step`,
`record_errors`, `save_step`, `save_comment`, `save_responses`), at past instants inside the
deployment's window, so that every report reads data the app could have recorded:

- voirie v1: people stop at "constat" (the date was required) and `date_constat` and `photo`
  (too heavy, HEIC refused) are the error hotspots; satisfaction and SUS are middling (~58);
- voirie v2 (the changelog fixed date, photo and categories): completion ~81 % instead of
  ~62 %, SUS ~72; "no follow-up" persists, végétation is praised, a map/geolocation is asked for;
- cantine v1: the quotient familial and the justificatif lose people at "tarif";
- salle v1: fine overall, with complaints about availability and tariffs.

Choices, so that the data stays something the app can produce:

- The questionnaire is answered only by people who finished (the journey offers it only then);
  people who stopped speak through the comments of the steps they validated.
- A step comment is saved with the step (`save_step` then `save_comment`), as the form does: a
  step nobody validated carries no comment.
- Participants come from the deployment's groups: people with a personal link first, then people
  admitted by a group's shared link (`consume_shared`, counted in the link's uses), met at a
  kiosk, or entered by a mediator (`assisted`, by the demo staff account).
- Everything random comes from the `rng` handed to the step; participant codes (made by
  `secrets`) are the only thing that differs between two loads.

Comments are drawn without replacement from a hand-written bank per iteration and theme (see
`BANKS` at the end); a text is used again only once its theme's pool is empty, then with small
surface changes (case, accents, a word added) as people write. About one participant in nine
writes in English; a few leave an e-mail or a phone number, which `scan` masks, as the form does.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlite_utils import Database

from feedback import store
from feedback.pii import scan
from lab.campaigns.deployments import get_deployment, state
from lab.campaigns.groups import create_participant
from lab.campaigns.invitations import consume_shared
from lab.clock import LOCAL_TZ, iso, parse, utcnow
from lab.folding import strip_accents
from prototypes.spec import Spec, Step, parse_spec

Answers = dict[str, object]

# --- the story of each demo iteration --------------------------------------------------------


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


VOIRIE = "signaler-une-anomalie-sur-la-voie-publique"
CANTINE = "inscrire-son-enfant-a-la-restauration-scolaire"
SALLE = "reserver-une-salle-municipale"

PRAISE = "positif"
NOISE = "bruit"

STREETS = (
    "rue de la République", "avenue Jean-Jaurès", "rue Victor-Hugo", "place du Marché", "rue des Écoles",
    "boulevard de la Loire", "rue Pasteur", "allée des Tilleuls", "chemin des Vignes", "rue du Moulin",
    "impasse des Lilas", "avenue de la Gare", "rue Gambetta", "route de Nantes", "quai des Mariniers",
)
PLACES = (
    "parking de la salle des fêtes", "devant l'école Jules-Ferry", "square des Tilleuls", "entrée du cimetière",
    "arrêt de bus Mairie", "rond-point de la Gare", "chemin de halage, côté Loire", "parc Jean-Moulin, allée centrale",
    "angle rue Pasteur et rue des Écoles", "place de l'Église", "sortie du collège", "city stade du quartier Nord",
)
LANDMARKS = (
    "en face de la boulangerie", "lampadaire n° 214", "à côté du conteneur à verre", "devant le portail vert",
    "côté pair", "au niveau du passage piéton", "près de l'abribus", "sous le pont SNCF", "derrière l'église",
    "à l'angle de la pharmacie", "devant le city stade", "le long du terrain de foot",
)
DESCRIPTIONS = {
    "Chaussée": ("Nid-de-poule d'environ 30 cm, les voitures font un écart.", "Affaissement de la chaussée après les travaux.",
                 "Trou profond qui se remplit d'eau quand il pleut.", "Plusieurs trous sur 20 mètres."),
    "Trottoir": ("Dalles soulevées, ma voisine est tombée la semaine dernière.", "Trottoir défoncé, impossible de passer avec une poussette.",
                 "Bordure cassée devant l'école.", "Racines qui soulèvent le bitume."),
    "Éclairage": ("Lampadaire éteint depuis plusieurs soirs.", "Trois lampadaires en panne, la rue est dans le noir.",
                  "Le lampadaire clignote toute la nuit."),
    "Mobilier": ("Banc cassé, une planche manque.", "Barrière arrachée au bord du trottoir.", "Poubelle renversée et fixation cassée."),
    "Dépôt": ("Matelas et sacs de gravats déposés au pied des conteneurs.", "Dépôt de déchets verts sur le chemin.",
              "Électroménager abandonné depuis une semaine."),
    "Végétation": ("Haie qui déborde sur tout le trottoir.", "Branches qui cachent le panneau stop.", "Ronces sur le chemin de l'école."),
    "Panneau": ("Panneau stop tordu, à moitié couché.", "Panneau de limitation de vitesse arraché."),
    "Autre": ("Tags sur le mur de l'école.", "Marquage au sol effacé au passage piéton.", "Grille d'avaloir bouchée par les feuilles."),
}
PRECISIONS = ("Tags", "Marquage au sol effacé", "Avaloir bouché", "Arbre", "Haie qui déborde", "Potelet arraché",
              "Fuite d'eau", "Grille d'égout soulevée", "Branches")
SURNAMES = ("Martin", "Bernard", "Dubois", "Petit", "Durand", "Leroy", "Moreau", "Benali", "Nguyen", "Lefebvre", "Garcia",
            "Diallo", "Roux", "Fontaine", "Chevalier", "Haddad", "Lemoine", "Traoré", "Girard", "Mercier", "Da Silva", "Colin")
FIRST_NAMES = ("Julie", "Karim", "Sophie", "Thomas", "Nadia", "Marc", "Élodie", "Samir", "Claire", "Mathieu", "Fatou",
               "Laurent", "Aurélie", "Yann", "Inès", "Céline", "David", "Amina", "Nicolas", "Sandrine")
CHILD_NAMES = ("Léa", "Noah", "Jade", "Adam", "Louise", "Gabriel", "Emma", "Ibrahim", "Chloé", "Lucas", "Lina", "Hugo",
               "Mila", "Nathan", "Rose", "Sacha", "Yasmine", "Tom", "Anaïs", "Malik")
ASSOCIATIONS = ("Club de scrabble des Tilleuls", "Amicale laïque", "Parents d'élèves Jules-Ferry", "Chorale À Tout Chœur",
                "Judo club ligérien", "Comité des fêtes du quartier Nord", "Atelier couture solidaire", "Les Amis de la Loire",
                "Club des aînés", "Association culturelle franco-portugaise", "Yoga pour tous", "Jardins partagés de la Gare")
EVENTS = (
    "Assemblée générale annuelle de l'association, une cinquantaine d'adhérents, entrée libre.",
    "Anniversaire des 40 ans de mon mari, repas assis puis soirée dansante, environ 70 invités.",
    "Répétition de la chorale tous les jeudis soir, une trentaine de choristes.",
    "Loto de l'association au profit de la coopérative scolaire, entrée payante.",
    "Réunion d'information sur le jardin partagé, ouverte aux habitants du quartier.",
    "Repas de quartier annuel, chacun apporte un plat, environ 60 personnes.",
    "Spectacle de fin d'année des enfants du club de danse, entrée gratuite pour les familles.",
    "Vide-dressing solidaire, exposants particuliers, entrée libre.",
    "Baptême de notre fille suivi d'un vin d'honneur, une quarantaine de personnes.",
    "Atelier couture et réparation de vêtements, ouvert à tous, gratuit.",
    "Conférence sur l'histoire de la Loire avec projection, public adulte, entrée libre.",
)
ALLERGIES = ("Allergie à l'arachide : éviter tous les fruits à coque.", "Allergie aux œufs, même cuits.",
             "Intolérance au lactose, pas de produits laitiers.", "Allergie au poisson et aux crustacés.",
             "Maladie cœliaque : aucun gluten.", "Allergie au kiwi et à l'ananas.")



def _fiction_phone(rng: random.Random) -> str:
    """Numbers the ARCEP keeps for fiction (06 39 98 …, 01 99 00 …): nobody's real line."""
    prefix = rng.choice(("06 39 98", "06 39 98", "01 99 00"))
    return f"{prefix} {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"


def _email(rng: random.Random, first: str, last: str) -> str:
    user = strip_accents(f"{first}.{last}").lower().replace(" ", "").replace("'", "")
    if rng.random() < 0.4:
        user += str(rng.randint(1, 99))
    return f"{user}@{rng.choice(('exemple.fr', 'exemple.com', 'courriel.exemple'))}"


def _address(rng: random.Random, postal: bool) -> str:
    street = f"{rng.randint(1, 140)} {rng.choice(STREETS)}"
    return f"{street}\n44150 Saint-Aubin-sur-Loire" if postal else street


def _day(moment: datetime, days: int, low: date | None = None, high: date | None = None) -> str:
    """A calendar day relative to a local instant, kept within the field's bounds."""
    day = moment.astimezone(LOCAL_TZ).date() + timedelta(days=days)
    if low and day < low:
        day = low
    if high and day > high:
        day = high
    return day.isoformat()


def _weighted(rng: random.Random, pairs) -> object:
    values, weights = zip(*pairs)
    return rng.choices(values, weights=weights)[0]


def _voirie_answers(version: int) -> Callable[[random.Random, dict], Answers]:
    categories = (
        ("Chaussée dégradée (nid-de-poule, affaissement)", 24), ("Trottoir dégradé", 24), ("Éclairage public en panne", 15),
        ("Mobilier urbain abîmé (banc, barrière, poubelle)", 9), ("Dépôt sauvage de déchets", 12),
        ("Panneau de signalisation abîmé ou manquant", 6),
    ) + ((("Végétation envahissante (branches, racines)", 14), ("Autre", 6)) if version == 2 else (("Autre", 13),))

    def answers(rng: random.Random, ctx: dict) -> Answers:
        at = ctx["start"]
        values: Answers = {}
        if version == 2 and rng.random() < 0.35:
            values["adresse"] = f"{rng.choice(('vers', 'près de', 'devant', 'entre le n° 10 et le n° 20,'))} {rng.choice(PLACES + STREETS)}"
        else:
            values["adresse"] = _address(rng, False) if rng.random() < 0.6 else rng.choice(PLACES)
        if rng.random() < 0.45:
            values["repere"] = rng.choice(LANDMARKS)
        category = _weighted(rng, categories)
        values["categorie"] = category
        if category == "Autre":
            values["precision"] = rng.choice(PRECISIONS)
        if rng.random() < 0.75:
            values["description"] = rng.choice(DESCRIPTIONS[category.split(" ")[0]])
        values["danger"] = "oui" if rng.random() < 0.14 else "non"
        if version == 1 or rng.random() < 0.6:
            values["date_constat"] = _day(at, -rng.choice((0, 0, 1, 2, 3, 7, 10, 14, 21, 30)), low=date(2026, 1, 1))
        if rng.random() < (0.62 if version == 1 else 0.7):
            heic = version == 2 and rng.random() < 0.45
            name = f"IMG_{rng.randint(1000, 9999)}.{'HEIC' if heic else rng.choice(('jpg', 'jpg', 'jpeg', 'png'))}"
            size = rng.randint(1_200_000, 4_800_000) if version == 1 else rng.randint(1_500_000, 9_000_000)
            values["photo"] = {"filename": name, "size": size}
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
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


def _cantine_answers(rng: random.Random, ctx: dict) -> Answers:
    at = ctx["start"]
    first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
    classe, year = rng.choice(_CLASSES)
    maternelle = classe.endswith("section")
    ecoles = (("École maternelle Jean-Jaurès", "École maternelle Les Tilleuls", "École primaire Louise-Michel") if maternelle
              else ("École élémentaire Jean-Jaurès", "École élémentaire Victor-Hugo", "École primaire Louise-Michel"))
    values: Answers = {
        "responsable_nom": last, "responsable_prenom": first,
        "lien": _weighted(rng, (("La mère", 60), ("Le père", 35), ("Tuteur ou tutrice légal de l'enfant", 5))),
        "adresse": _address(rng, True), "courriel": _email(rng, first, last), "telephone": _fiction_phone(rng),
        "enfant_nom": last if rng.random() < 0.85 else rng.choice(SURNAMES), "enfant_prenom": rng.choice(CHILD_NAMES),
        "enfant_naissance": date(year, rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
        "ecole": rng.choice(ecoles), "classe": classe,
    }
    days = ["Lundi", "Mardi", "Jeudi", "Vendredi"]
    values["jours"] = days if rng.random() < 0.68 else sorted(rng.sample(days, rng.randint(1, 3)), key=days.index)
    if rng.random() < 0.2:
        values["date_debut"] = _day(at, rng.randint(5, 40), low=date(2026, 9, 1), high=date(2027, 7, 3))
    values["repas"] = _weighted(rng, (("Repas standard", 65), ("Repas sans porc", 20), ("Repas sans viande", 15)))
    values["allergie"] = "oui" if rng.random() < 0.22 else "non"
    if values["allergie"] == "oui":
        values["pai"] = "oui" if rng.random() < 0.4 else "non"
        values["pai_details"] = rng.choice(ALLERGIES)
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


def _salle_answers(rng: random.Random, ctx: dict) -> Answers:
    at = ctx["start"]
    first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
    values: Answers = {"type_demandeur": "Association" if rng.random() < 0.6 else "Particulier"}
    if values["type_demandeur"] == "Association":
        values["association"] = rng.choice(ASSOCIATIONS)
        if rng.random() < 0.7:
            values["rna"] = f"W{rng.randint(440000000, 449999999)}"
        room, capacity = _weighted(rng, ((_ROOMS[0], 2), (_ROOMS[1], 3), (_ROOMS[2], 4), (_ROOMS[3], 3)))
    else:
        room, capacity = _weighted(rng, ((_ROOMS[0], 4), (_ROOMS[1], 5), (_ROOMS[2], 1), (_ROOMS[3], 0.5)))
    values |= {"nom": last, "prenom": first, "salle": room,
               "nombre_personnes": max(5, min(capacity, int(capacity * rng.uniform(0.3, 1.0))))}
    values["date_souhaitee"] = _day(at, rng.randint(21, 120), low=date(2026, 9, 1), high=date(2027, 12, 31))
    values["creneau"] = rng.choice(("Matin (8 h – 12 h)", "Après-midi (13 h – 18 h)", "Soirée (18 h – 23 h)",
                                    "Journée entière (8 h – 23 h)"))
    values["usage"] = rng.choice(EVENTS)
    materiel = ["Tables", "Chaises", "Sonorisation", "Vidéoprojecteur", "Scène", "Cuisine équipée"]
    if rng.random() < 0.85:
        values["materiel"] = [m for m in materiel if rng.random() < (0.8 if m in ("Tables", "Chaises") else 0.25)] or ["Chaises"]
    values["buvette"] = "oui" if rng.random() < 0.25 else "non"
    values |= {"courriel": _email(rng, first, last), "telephone": _fiction_phone(rng), "adresse": _address(rng, True),
               "reglement": True, "assurance": True}
    return values


def _is(field_key: str, value: object) -> Callable[[Answers], bool]:
    return lambda answers: answers.get(field_key) == value


def _has(field_key: str) -> Callable[[Answers], bool]:
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
        answers=_voirie_answers(1),
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
        answers=_voirie_answers(2),
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
        answers=_cantine_answers,
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
        answers=_salle_answers,
    ),
}

#: Chance of a step comment: on a visit with errors, with friction, slow, or smooth.
P_COMMENT_ERROR = 0.55
P_COMMENT_ISSUE = 0.5
P_COMMENT_SMOOTH = 0.23
P_QUESTIONNAIRE = 0.93  # among those who finished (the others closed the tab)
P_FREE_TEXT = 0.88
P_ENGLISH = 0.11  # share of trials whose author writes in English
ASSISTED_VIA = {True: (("telephone", 4), ("guichet", 4), ("papier", 2)), False: (("guichet", 5), ("telephone", 4), ("papier", 1))}
MEDIATOR_NOTES = ("Propos recueillis par téléphone : ", "Mme : ", "M. : ", "(saisi par l'agent) ", "La personne dit : ",
                  "Au guichet, Madame explique : ", "Remarque de l'usager : ")

# --- people, channels and moments -------------------------------------------------------------


@dataclass
class Slot:
    """One future trial: who, by which channel, when."""

    group_id: int
    group_name: str
    senior: bool
    digital: str | None
    channel: str
    start: datetime
    participant: dict | None = None  # an existing participant with a personal link
    invitation_id: int | None = None
    via: str | None = None  # mediator's channel
    shared_id: int | None = None  # shared link to come through
    english: bool = False
    fragile: float = 0.0


def _is_senior(group_name: str, profile: Mapping) -> bool:
    return group_name.startswith("Seniors") or profile.get("tranche_age") in ("65-74 ans", "75 ans et plus")


def _hour(rng: random.Random, slot: Slot) -> float:
    """Local hour of the day people of this kind take the test."""
    if slot.channel in ("assisted", "kiosk"):
        return rng.choice((9, 10, 10, 11, 14, 15, 15, 16)) + rng.random()
    if slot.senior:
        return rng.choice((9, 10, 10, 11, 14, 15, 16, 17, 18)) + rng.random()
    return rng.choice((7, 8, 12, 12, 13, 13, 17, 18, 19, 20, 20, 21, 21, 22)) + rng.random()


def _moment(rng: random.Random, slot: Slot, low: datetime, high: datetime) -> datetime:
    """An instant in [low, high], busier after the launch, at an hour that suits the channel."""
    base = low + (high - low) * (rng.random() ** 1.35)
    local = base.astimezone(LOCAL_TZ)
    day = local.date()
    if slot.channel in ("assisted", "kiosk") and day.weekday() >= 5:
        day -= timedelta(days=day.weekday() - 4)  # offices are closed at the weekend: the Friday before
    hour = _hour(rng, slot)
    moment = datetime(day.year, day.month, day.day, int(hour), int(hour % 1 * 60), rng.randint(0, 59), tzinfo=LOCAL_TZ)
    return moment if low <= moment <= high else base


def _plan(db: Database, deployment: dict, story: Story, rng: random.Random, now: datetime) -> list[Slot]:
    """Who takes the test and when: people with a personal link, then newcomers by link, kiosk or mediator."""
    groups = {g["id"]: g["name"] for g in deployment["groups"]}
    personal = list(db.query(
        """SELECT p.id, p.code, p.profile, p.group_id, p.joined_via, i.id AS invitation_id FROM invitations i
           JOIN participants p ON p.id = i.participant_id
           WHERE i.deployment_id = ? AND i.kind = 'personal' AND i.revoked_at IS NULL ORDER BY p.id""",
        [deployment["id"]],
    ))
    shared = {row["group_id"]: row["id"] for row in db.query(
        "SELECT id, group_id FROM invitations WHERE deployment_id = ? AND kind = 'shared' AND revoked_at IS NULL ORDER BY id",
        [deployment["id"]])}
    taking = rng.sample(personal, min(len(personal), round(story.returning * len(personal)), story.trials))
    slots = []
    for person in taking:
        profile = json.loads(person["profile"] or "{}")
        name = groups[person["group_id"]]
        slots.append(Slot(person["group_id"], name, _is_senior(name, profile), profile.get("aisance_numerique"), "online",
                          now, participant=person, invitation_id=person["invitation_id"]))
    newcomers = story.trials - len(slots)
    kiosk = min(story.kiosk, newcomers)
    assisted_new = min(story.assisted // 2, newcomers - kiosk)
    group_weights = [(gid, 1.0 if name.startswith("Seniors") else 2.0) for gid, name in groups.items()]
    for index in range(newcomers):
        channel = "kiosk" if index < kiosk else "assisted" if index < kiosk + assisted_new else "online"
        if channel == "online" and len(groups) > 1:
            group_id = _weighted(rng, group_weights)
        elif channel != "online":
            group_id = _weighted(rng, [(gid, 3.0 if name.startswith("Seniors") else 1.0) for gid, name in groups.items()])
        else:
            group_id = next(iter(groups))
        if channel == "online" and group_id not in shared:
            channel = "assisted"
        slot = Slot(group_id, groups[group_id], groups[group_id].startswith("Seniors"), None, channel, now)
        if channel == "online":
            slot.shared_id = shared[group_id]
        slots.append(slot)
    # Mediators also help people who had a personal link: seniors and the less at ease first.
    wanted = story.assisted - sum(1 for s in slots if s.channel == "assisted")
    candidates = sorted((s for s in slots if s.participant is not None),
                        key=lambda s: (not s.senior, s.digital != "faible", rng.random()))
    for slot in candidates[:max(0, wanted)]:
        slot.channel, slot.invitation_id = "assisted", None
    for slot in slots:
        if slot.channel == "assisted":
            slot.via = _weighted(rng, ASSISTED_VIA[slot.senior])
    # About one participant in nine writes in English (rarely a senior, never through a mediator).
    writers = [s for s in slots if s.channel != "assisted"]
    weights = [0.3 if s.senior else 1.0 for s in writers]
    for slot in _sample_weighted(rng, writers, weights, round(P_ENGLISH * len(slots))):
        slot.english = True
    # Past only, and finished well before the test closed (steps are refused after closing).
    low = parse(deployment["opens_at"]) + timedelta(minutes=40)
    high = min(parse(deployment["closes_at"]), now) - timedelta(hours=3)
    for slot in slots:
        slot.start = _moment(rng, slot, low, high)
        slot.fragile = rng.random() + 0.3 * slot.senior + 0.15 * (slot.digital == "faible") - 0.25 * (slot.channel == "assisted")
    slots.sort(key=lambda s: s.start)
    return slots


def _sample_weighted(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """k distinct items, drawn with the given weights (Efraimidis–Spirakis keys)."""
    keys = [(rng.random() ** (1 / weight), index) for index, weight in enumerate(weights)]
    return [items[index] for _key, index in sorted(keys, reverse=True)[:k]]


def _person(db: Database, slot: Slot) -> dict:
    """The participant of a slot, created the way the journey would for a newcomer."""
    if slot.participant is not None:
        return dict(slot.participant)
    if slot.shared_id is not None:
        made = consume_shared(db, invitation_id=slot.shared_id, now=slot.start)
        slot.invitation_id = slot.shared_id
    else:
        made = create_participant(db, group_id=slot.group_id)
    db.execute("UPDATE participants SET created_at = ? WHERE id = ?", [iso(slot.start - timedelta(seconds=40)), made["id"]])
    return {"id": made["id"], "code": made["code"], "joined_via": slot.shared_id}


# --- comments ---------------------------------------------------------------------------------


class Line(NamedTuple):
    """One comment of the bank; `step` limits where it fits (a step key, "fin" = overall only)."""

    text: str
    step: str | None = None


class Voices:
    """Draws comments from one bank without repeating a text until its theme's pool runs dry."""

    def __init__(self, bank: str, rng: random.Random):
        self.themes = {**BANKS[bank], NOISE: BANKS[NOISE][NOISE]}
        self.rng = rng
        self.pools: dict[tuple[str, str], list[tuple[Line, bool]]] = {}

    def _draw(self, theme: str, lang: str, step: str | None) -> tuple[str, bool]:
        """The next text that fits the step (any for the overall comment, `step` None)."""
        key = (theme, lang)
        fits = [line for line in self.themes[theme][lang] if step is None or line.step in (None, step)]
        if not fits:  # nothing written for this step: any remark of the theme will do
            fits, step = list(self.themes[theme][lang]), None
        for _attempt in range(2):
            pool = self.pools.setdefault(key, [])
            for i in range(len(pool) - 1, -1, -1):
                line, reused = pool[i]
                if step is None or line.step in (None, step):
                    del pool[i]
                    return line.text, reused
            # This theme's texts (for this step) are all used: a new round, said a little differently.
            fresh = [(line, True) for line in self.themes[theme][lang]]
            self.rng.shuffle(fresh)
            pool[:0] = fresh
        raise AssertionError("unreachable")  # pragma: no cover

    def say(self, theme: str, *, english: bool, assisted: bool, step: str | None = None) -> str:
        lang = "en" if english and self.themes[theme]["en"] else "fr"
        key = (theme, lang)
        if key not in self.pools:
            first = [(line, False) for line in self.themes[theme][lang]]
            self.rng.shuffle(first)
            self.pools[key] = first
        text, reused = self._draw(theme, lang, step)
        if reused:
            text = self._vary(text, lang)
        if assisted and lang == "fr" and theme != NOISE and self.rng.random() < 0.45:
            text = self.rng.choice(MEDIATOR_NOTES) + text
        return text

    def _vary(self, text: str, lang: str) -> str:
        """A second use reads like another person's: other case, no accents, a word added."""
        rng = self.rng
        choice = rng.randrange(5)
        if choice == 0:
            return strip_accents(text).lower().rstrip(".")
        if choice == 1:
            return text.rstrip(".!") + rng.choice((" !", " !!", "...", " :(", ""))
        if choice == 2 and lang == "fr":
            return rng.choice(("Franchement, ", "Bref, ", "Perso, ", "Comme d'autres sans doute : ", "Sinon, ")) + text[0].lower() + text[1:]
        if choice == 2:
            return rng.choice(("Honestly, ", "Also, ", "Just saying: ")) + text[0].lower() + text[1:]
        if choice == 3 and lang == "fr":
            return text.rstrip() + rng.choice((" Merci.", " Voilà.", " Cordialement.", " Bonne journée"))
        return text.rstrip() + rng.choice((" Thanks.", " Cheers", "")) if lang == "en" else text.lower()


# --- playing one trial ------------------------------------------------------------------------


@dataclass
class Played:
    """What one trial went through, to answer its questionnaire coherently."""

    trial: dict
    completed: bool
    troubles: list[str] = field(default_factory=list)  # themes of steps that went wrong
    pleasures: list[str] = field(default_factory=list)  # themes of welcome changes noticed
    errors: int = 0
    end: datetime | None = None


def _seconds(rng: random.Random, median: float, factor: float) -> float:
    return max(4.0, median * factor * math.exp(rng.gauss(0, 0.45)))


def _speed(slot: Slot) -> float:
    factor = 1.6 if slot.senior else 1.0
    factor *= {"faible": 1.35, "forte": 0.85}.get(slot.digital or "", 1.0)
    if slot.channel == "assisted":
        factor *= {"telephone": 1.5, "guichet": 1.2, "papier": 0.7}[slot.via]
    elif slot.channel == "kiosk":
        factor *= 1.15
    return factor


def _step_values(step: Step, answers: Answers) -> tuple[list[str], Answers]:
    own = [f.key for f in step.fields if f.type != "info"]
    return own, {key: answers[key] for key in own if key in answers}


def _play(db: Database, *, deployment: dict, spec: Spec, story: Story, slot: Slot, stop_at: str | None,
          voices: Voices, rng: random.Random, staff_id: int | None) -> Played:
    person = _person(db, slot)
    trial = store.create_trial(
        db, deployment=deployment, participant=person, channel=slot.channel, now=slot.start,
        invitation_id=slot.invitation_id, assisted_by=staff_id if slot.channel == "assisted" else None,
        assisted_via=slot.via,
    )
    answers = story.answers(rng, {"start": slot.start})
    played = Played(trial, completed=False)
    speed = _speed(slot)
    t = slot.start + timedelta(seconds=rng.uniform(3, 15))
    steps = spec.steps
    for index, step in enumerate(steps):
        stopping = step.key == stop_at
        store.enter_step(db, trial, step.key, now=t)
        if index and rng.random() < 0.05:  # back to the previous step to change an answer, then on again
            t += timedelta(seconds=rng.uniform(4, 20))
            previous = steps[index - 1]
            store.enter_step(db, trial, previous.key, now=t)
            t += timedelta(seconds=_seconds(rng, story.durations[previous.key] * 0.4, speed))
            own, values = _step_values(previous, answers)
            store.save_step(db, trial, step_key=previous.key, step_fields=own, index=index - 1, step_count=len(steps),
                            values=values, now=t)
            t += timedelta(seconds=rng.uniform(1, 3))
            store.enter_step(db, trial, step.key, now=t)
        errors = [rule for rule in story.errors if rule.step == step.key and (rule.when is None or rule.when(answers))
                  and rng.random() < (rule.p_stop if stopping else rule.p_pass)]
        _apply_errors(rng, errors, answers)  # before the issues: a photo given up after an error is no pleasure
        issues = [issue for issue in story.issues if issue.step == step.key and (issue.when is None or issue.when(answers))
                  and rng.random() < (issue.p_stop if stopping and issue.p_stop is not None else issue.p)]
        friction = any(i.penalty for i in issues)
        duration = _seconds(rng, story.durations[step.key], speed * (1.5 if friction else 1.0))
        own, values = _step_values(step, answers)
        if errors:
            attempts = rng.choices((1, 2, 3), weights=(6, 3, 1))[0]
            first = errors
            for attempt in range(attempts):
                t += timedelta(seconds=duration * (0.6 if attempt == 0 else 0.25))
                failing = first if attempt == 0 else [e for e in first if rng.random() < 0.5] or first[:1]
                store.record_errors(db, trial, step.key, [e.field for e in failing], now=t)
                store.keep_answers(db, trial, step_key=step.key, values={k: v for k, v in values.items()
                                                                           if k not in {e.field for e in failing}}, now=t)
                played.errors += len(failing)
            duration *= 0.4
        if stopping:
            return played  # the visit stays open: this is where the person stopped
        t += timedelta(seconds=duration)
        store.save_step(db, trial, step_key=step.key, step_fields=own, index=index, step_count=len(steps),
                        values=values, now=t)
        trial["progress"] = max(trial["progress"], index + 1)
        themes = [e.theme for e in errors] + [i.theme for i in issues]
        played.troubles += [e.theme for e in errors] + [i.theme for i in issues if i.penalty]
        played.pleasures += [i.theme for i in issues if not i.penalty]
        chance = P_COMMENT_ERROR if errors else P_COMMENT_ISSUE if issues else P_COMMENT_SMOOTH
        if rng.random() < chance:
            theme = rng.choice(themes) if themes else _weighted(rng, story.ambient[step.key])
            text = voices.say(theme, english=slot.english, assisted=slot.channel == "assisted", step=step.key)
            store.save_comment(db, trial, step_key=step.key, comment=scan(text), source="step", now=t)
        t += timedelta(seconds=rng.uniform(1, 4))
    played.completed = True
    played.end = t
    return played


def _apply_errors(rng: random.Random, errors: list[ErrorRule], answers: Answers) -> None:
    """What people end up giving after the error (the accepted value is what the step keeps)."""
    for rule in errors:
        if rule.field == "photo":
            if rng.random() < 0.5:
                answers.pop("photo", None)  # gave up the photo
            else:
                answers["photo"] = {"filename": f"IMG_{rng.randint(1000, 9999)}_reduite.jpg", "size": rng.randint(600_000, 2_400_000)}
        elif rule.field == "justificatif":
            if rng.random() < 0.55:
                answers.pop("justificatif", None)
            else:
                answers["justificatif"] = {"filename": "attestation_caf_compresse.pdf", "size": rng.randint(300_000, 2_800_000)}
        elif rule.field == "quotient_familial" and rng.random() < 0.4:
            answers.pop("quotient_familial", None)
        elif rule.field == "date_constat" and "date_constat" in answers:
            answers["date_constat"] = answers["date_constat"][:8] + "01"  # a date made up to get through


# --- the questionnaire ------------------------------------------------------------------------


def _clip(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _questionnaire(played: Played, u: float, slot: Slot, options: Mapping, rng: random.Random) -> list[tuple[str, float, None]]:
    """Answers consistent with how it went (u: latent experience, 0 bad … 1 excellent)."""
    rows: list[tuple[str, float, None]] = []
    mood = u + rng.gauss(0, 0.07)
    satisfaction = 3 if mood > 0.665 else 1 if mood < 0.47 else 2
    help_p = 0.08 + 0.25 * slot.senior + 0.15 * (slot.digital == "faible") + 0.08 * min(played.errors, 3)
    help_needed = 1 if slot.channel == "assisted" and rng.random() < 0.85 or rng.random() < help_p else 0
    rows += [("satisfaction", satisfaction, None), ("ease", _clip(1 + 4 * u + rng.gauss(0, 0.55) - 0.15 * played.errors, 1, 5), None),
             ("clarity", _clip(1.2 + 3.8 * u + rng.gauss(0, 0.6), 1, 5), None), ("help_needed", help_needed, None)]
    if options.get("sus"):
        # Odd items agree with a good experience, even ones disagree; "use it often" is lower for a rare démarche.
        bias = {1: -0.45, 4: 0.2 * slot.senior, 7: 0.3, 10: 0.1 * slot.senior}
        for item in range(1, 11):
            centre = 1 + 4 * u if item % 2 else 5 - 4 * u
            rows.append((f"sus_{item}", _clip(centre + bias.get(item, 0) + rng.gauss(0, 0.6), 1, 5), None))
    if options.get("umux_lite"):
        rows += [("umux_1", _clip(1 + 6 * u + rng.gauss(0, 0.7), 1, 7), None),
                 ("umux_2", _clip(1 + 6 * u + rng.gauss(0, 0.7) - 0.2 * played.errors, 1, 7), None)]
    return rows


def _free_text(played: Played, satisfaction: int, story: Story, slot: Slot, voices: Voices, rng: random.Random) -> str:
    """The overall comment: praise when it went well, else what went wrong (sometimes both)."""
    complaints = list(dict.fromkeys(played.troubles)) or [None]
    if rng.random() < 0.045:
        return voices.say(NOISE, english=slot.english, assisted=False)
    if satisfaction == 3 and rng.random() < 0.6:
        first = played.pleasures[0] if played.pleasures and rng.random() < 0.35 else PRAISE
    else:
        first = rng.choice(complaints) if complaints[0] and rng.random() < 0.7 else _weighted(rng, story.general)
    text = voices.say(first, english=slot.english, assisted=slot.channel == "assisted")
    if rng.random() < 0.15:  # a second remark in the same box
        second = _weighted(rng, story.general) if first == PRAISE else PRAISE if satisfaction > 1 else _weighted(rng, story.general)
        if second != first:
            more = voices.say(second, english=slot.english, assisted=False)
            if slot.english:
                joiner = rng.choice((" But ", "\n")) if first == PRAISE else rng.choice((" Otherwise, ", "\n"))
            elif first == PRAISE:
                joiner = rng.choice((" Par contre, ", " Mais ", " Seul bémol : ", "\n"))
            elif second == PRAISE:
                joiner = rng.choice((" À part ça, ", " Sinon, ", "\n"))
            else:
                joiner = rng.choice((" Et ", " Autre chose : ", "\n"))
            if joiner != "\n" and not more[:2].isupper():
                more = more[0].lower() + more[1:]
            end = "" if text.rstrip()[-1:] in ".!?)" else "."
            text = f"{text.rstrip()}{end}{joiner}{more}"
    return text


def _experience(played: Played, slot: Slot, rng: random.Random) -> float:
    """Latent experience before centring: worse with each trouble, for seniors a little too."""
    return (rng.gauss(0, 0.13) - 0.05 * min(len(played.troubles), 4) - 0.02 * min(played.errors, 3)
            + 0.025 * len(played.pleasures) - 0.025 * slot.senior + (0.03 if not played.troubles else 0))


# --- the step ---------------------------------------------------------------------------------


def _stops(story: Story, slots: list[Slot], rng: random.Random) -> dict[int, str]:
    """Who stops where: the most fragile people, on steps drawn from the story's counts."""
    plan = [step for step, count in story.stops.items() for _ in range(count)]
    rng.shuffle(plan)
    fragile = sorted(range(len(slots)), key=lambda i: -slots[i].fragile)[: len(plan)]
    return dict(zip(fragile, plan))


def fill_deployment(db: Database, deployment_id: int, story: Story, rng: random.Random, *, now: datetime | None = None) -> int:
    """Play the story's trials on a deployment (inside the caller's write); returns how many."""
    now = now or utcnow()
    deployment = get_deployment(db, deployment_id)
    iteration_id = deployment["variants"][0]["iteration_id"]
    spec = parse_spec(db.execute("SELECT spec_yaml FROM iterations WHERE id = ?", [iteration_id]).fetchone()[0])
    staff = db.execute("SELECT id FROM users WHERE role = 'staff' ORDER BY id LIMIT 1").fetchone()
    slots = _plan(db, deployment, story, rng, now)
    stops = _stops(story, slots, rng)
    voices = Voices(story.bank, rng)
    finished: list[tuple[Played, Slot, float]] = []
    for index, slot in enumerate(slots):
        played = _play(db, deployment=deployment, spec=spec, story=story, slot=slot, stop_at=stops.get(index),
                       voices=voices, rng=rng, staff_id=staff[0] if staff else None)
        if played.completed and rng.random() < (P_QUESTIONNAIRE if slot.channel != "kiosk" else 0.8):
            finished.append((played, slot, _experience(played, slot, rng)))
    if not finished:
        return len(slots)
    shift = story.quality - sum(e for *_rest, e in finished) / len(finished)
    for played, slot, raw in finished:
        u = min(0.98, max(0.04, raw + shift))
        rows = _questionnaire(played, u, slot, deployment["questionnaire"], rng)
        when = played.end + timedelta(seconds=rng.uniform(15, 40) * _speed(slot))
        store.save_responses(db, played.trial, rows, now=when)
        if rng.random() < P_FREE_TEXT:
            text = _free_text(played, int(rows[0][1]), story, slot, voices, rng)
            store.save_comment(db, played.trial, step_key=None, comment=scan(text), source="questionnaire",
                               now=when + timedelta(seconds=1))
    return len(slots)


def demo_trials(db: Database, settings: object, info: object, rng: random.Random) -> None:
    """Demo step: trials and comments on every demo deployment that has a story and no trial yet."""
    from lab.demo.loader import DEPLOYMENTS  # at call time: lab.demo imports this module

    # On the hour, like the deployments' dates: two loads within the same hour are identical.
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    for title, slug, number, *_rest in DEPLOYMENTS:
        story = STORIES.get((slug, number))
        row = db.execute("SELECT id FROM deployments WHERE title = ?", [title]).fetchone()
        seed = rng.getrandbits(64)  # drawn for every deployment, so one's data does not depend on another's
        if story is None or row is None or db["trials"].count_where("deployment_id = ?", [row[0]]):
            continue
        if state(get_deployment(db, row[0]), now) == "scheduled":
            continue
        fill_deployment(db, row[0], story, random.Random(seed), now=now)


# --- what citizens wrote ----------------------------------------------------------------------
#
# One comment per line; "en: " marks English. Typos, missing accents and SMS style are on purpose.


_TAG = re.compile(r"\{([a-z_]+)\} ")


def _bank(**themes: str) -> dict[str, dict[str, tuple[Line, ...]]]:
    """Parse themes: one comment per line, "en: " for English, "{step} " for a remark about that step only
    (used as that step's comment or in the overall comment), "{fin} " for the overall comment only."""
    parsed = {}
    for theme, block in themes.items():
        by_lang: dict[str, list[Line]] = {"fr": [], "en": []}
        for raw in (line.strip() for line in block.strip().splitlines()):
            if not raw:
                continue
            lang = "en" if raw.startswith("en: ") else "fr"
            text = raw[4:] if lang == "en" else raw
            tag = _TAG.match(text)
            by_lang[lang].append(Line(text[tag.end():] if tag else text, tag[1] if tag else None))
        parsed[theme] = {lang: tuple(lines) for lang, lines in by_lang.items()}
    return parsed


BANKS: dict[str, dict[str, dict[str, tuple[Line, ...]]]] = {}

BANKS[NOISE] = _bank(bruit="""
ok
RAS
rien à dire
test
Rien
R.A.S.
...
non
bien
Aucun commentaire.
pas d'avis
je teste
Bonjour
azerty
?
c'est tout
merci
nc
Rien de particulier.
voilà
RAS merci
Je n'ai pas de remarque.
ok ok
test test
Quand est-ce que la piscine rouvre ?
Il faudrait plus de bancs au marché le samedi.
Les poubelles jaunes ne sont pas ramassées le mardi dans ma rue, à qui s'adresser ?
Bravo pour le marché de Noël cette année.
Le site de la mairie est très lent en général.
Pourquoi la médiathèque est fermée le lundi ?
je sais pas quoi mettre
Rien a signaler
en: nothing to add
en: all good
en: n/a
en: no comment
en: nothing else to say really
""")

BANKS["voirie-1"] = _bank(
    date="""
Pourquoi la date est obligatoire ? Je ne sais pas quand le trou est apparu, je passe devant tous les jours.
date obligatoire = blocage. j'ai mis une date au pif
Je ne me souviens pas du jour exact où j'ai remarqué le lampadaire éteint, ça fait des semaines. J'ai dû inventer une date pour pouvoir continuer.
La date du constat ne devrait pas être obligatoire.
Impossible de passer sans mettre de date, c'est agaçant.
Aucune idée de la date, c'est là depuis l'hiver !
Le formulaire refuse d'avancer tant qu'il n'y a pas de date. Quel intérêt pour vous ? Le problème est là, c'est tout ce qui compte.
J'ai mis la date d'aujourd'hui faute de mieux.
Mettre "je ne sais pas" comme choix pour la date svp
date ?? le nid de poule est la depuis des mois
J'ai tapé « septembre » dans la date et ça m'a mis une erreur. Il faut absolument le jour précis ?
Trop compliqué de trouver la date exacte, j'ai failli abandonner à cette étape.
On devrait pouvoir dire « depuis longtemps » au lieu d'une date précise.
Le calendrier pour choisir la date est pénible sur téléphone.
Je ne vois pas pourquoi on exige une date. Mon voisin a laissé tomber à cause de ça.
La date obligatoire m'a bloquée, j'ai dû demander à mon fils.
obligé de mettre une date alors que je sais pas... bof
Erreur sur la date alors que j'avais écrit 3/9. Il faut mettre l'année aussi ?
Question de la date inutile à mon avis.
Date : mettre une valeur par défaut (aujourd'hui) plutôt que de bloquer.
J'ai constaté le problème il y a longtemps, je ne pouvais pas répondre honnêtement.
C'est à cette étape que j'ai eu un message d'erreur rouge, je n'ai pas compris tout de suite que c'était la date.
La date, franchement, c'est du zèle administratif.
Je ne comprends pas à quoi sert la date si on signale le jour même.
date du constat : on s'en souvient jamais
Il faudrait pouvoir passer la date. Le reste était simple.
Pour la date j'ai mis le 1er du mois pour que ça passe.
Bloquée sur la date : le format n'était pas clair, jj/mm/aaaa ?
Pourquoi me demander quand j'ai vu le problème ? Vos agents verront bien sur place.
Ça m'a énervé de devoir inventer une date. Du coup l'information est fausse, ça ne vous sert à rien.
Rendre la date facultative.
la date obligatoire m'a fait perdre du temps
Ma mère (82 ans) ne savait plus quand elle avait vu la plaque d'égout soulevée, elle voulait arrêter là.
Message d'erreur sur la date pas clair du tout.
Je pensais que c'était la date d'aujourd'hui par défaut, en fait non, erreur.
Date exigée : je suis resté bloqué un moment avant de comprendre.
pk la date est obligatoire ??
On passe plus de temps à chercher la date qu'à décrire le problème.
en: Why is the date mandatory? I have no idea when the pothole appeared.
en: Couldn't continue without a date, had to make one up.
en: The date field is annoying, just let me skip it.
en: I don't remember when I first noticed it, but the form wouldn't let me go on.
""",
    categories="""
Je ne savais pas quoi choisir : c'est une racine d'arbre qui soulève le trottoir. Trottoir ? Autre ?
Les catégories ne correspondent pas à mon problème (des branches qui cachent un panneau).
J'ai mis Autre, puis il fallait préciser, alors pourquoi ne pas juste demander une description ?
Pas de catégorie pour les arbres, les haies qui débordent...
Trottoir dégradé ou chaussée dégradée ? Le trou est au bord, entre les deux.
Catégories floues.
Je n'ai pas trouvé où mettre les tags sur le mur.
dépôt sauvage ou mobilier urbain pour une poubelle renversée ? j'ai hésité longtemps
La liste des types d'anomalie est incomplète : rien pour les graffitis, rien pour la végétation.
Le champ « précisez » est obligatoire quand on met Autre, c'est lourd.
J'ai eu une erreur parce que je n'avais pas précisé « Autre ». Pas évident.
Mon problème c'était des feuilles mortes qui bouchent l'avaloir. Aucune case ne correspond.
Il faudrait des exemples sous chaque catégorie.
Les catégories sont pensées par les services, pas par les habitants.
cat. "Autre" : j'ai l'impression que mon signalement va se perdre
Un arbre tombé sur le trottoir, c'est quoi comme catégorie ?
Je ne savais pas si le marquage au sol effacé (passage piéton) rentrait dans « panneau ».
Trop de choix qui se ressemblent.
Pas clair, catégorie. J'ai pris au hasard.
Il manque « stationnement gênant » ou « voiture ventouse ».
Catégories trop techniques (« mobilier urbain », qui dit ça ?).
J'ai hésité entre éclairage et mobilier pour un lampadaire tordu.
Ajouter une catégorie espaces verts / arbres.
La liste est bien mais il manque les haies non taillées.
Obligée de choisir une catégorie alors que je voulais juste décrire.
Je me suis trompé de catégorie et en revenant en arrière j'avais peur d'avoir tout perdu.
Mobilier urbain ?? je savais pas ce que ca voulait dire
Je signalais une bouche d'égout qui déborde : aucune catégorie.
Quelle catégorie pour des ronces qui envahissent le chemin ? J'ai mis Autre.
Le choix du type d'anomalie m'a pris plus de temps que tout le reste.
en: The categories didn't fit my issue (overgrown hedge). Ended up picking "Autre".
en: Not sure which category a broken bollard belongs to.
en: Too many similar categories, I just guessed.
""",
    photo="""
Ma photo a été refusée, trop lourde. Sur un téléphone récent toutes les photos font plus de 5 Mo.
photo iphone refusée (format HEIC). j'ai abandonné la photo
Le fichier est trop gros, il faut réduire la photo mais je ne sais pas faire.
Impossible d'envoyer la photo prise avec mon iPhone, message d'erreur.
Limite de 5 Mo trop basse.
J'ai dû m'envoyer la photo par mail pour la réduire, c'est trop compliqué.
La photo ne passait pas, j'ai réessayé trois fois.
Le message d'erreur dit « choisissez un fichier plus léger », mais comment on fait ?
Pas pu joindre la photo. Dommage, c'était le plus parlant.
Photo trop volumineuse. Il faudrait que le site la compresse tout seul.
Sur Android la photo fait 8 Mo, refusée.
JPG ou PNG seulement ? Mon téléphone fait des HEIC par défaut.
la photo a mis longtemps à charger puis erreur
Je voulais mettre 2 photos, on ne peut en mettre qu'une.
Pourquoi la photo serait trop lourde ? Je l'ai prise avec le téléphone il y a 5 minutes.
J'ai renoncé à la photo après l'erreur.
Photo refusée sans explication claire.
Il faut pouvoir prendre la photo directement depuis le formulaire.
Taille max des photos à revoir !!
Mon petit-fils a dû m'aider à réduire la photo.
Erreur photo, trop grosse. Pénible.
Le format de la photo n'est pas accepté alors que c'est celui de l'appareil, incompréhensible.
J'ai fait une capture d'écran de ma photo pour qu'elle passe, astuce de ma fille.
La photo c'est la partie la plus utile pour vous et c'est celle qui bloque.
photo pas acceptée... j'ai perdu 10 min
Fichier refusé. Je ne sais pas ce qu'est un Mo.
Le bouton pour ajouter la photo est bien, mais après ça coince.
en: My iPhone photo was rejected, HEIC not supported?
en: Photo upload failed, file too big. Phones take bigger pictures than 5 MB these days.
en: Couldn't attach the picture, gave up on that part.
en: The photo limit is way too small.
""",
    adresse="""
Difficile d'indiquer l'adresse quand le problème est au milieu d'un chemin sans numéro.
Une carte pour pointer l'endroit serait plus simple.
Je ne connais pas le nom de la rue, je sais juste où c'est.
Le lampadaire est sur le parking derrière la salle des fêtes : pas d'adresse.
Il faudrait pouvoir mettre un point sur un plan.
Adresse : j'ai écrit « en face de la pharmacie », j'espère que ça suffit.
L'adresse c'est compliqué sur un rond-point.
Pas de carte ?
Le champ adresse m'a mis une erreur alors que j'avais juste appuyé sur entrée trop vite.
C'était sur la route entre deux villages, aucune adresse possible.
Pourquoi ne pas utiliser la localisation du téléphone ?
J'ai mis du temps à trouver comment décrire l'endroit.
Le point de repère est une bonne idée, mais une carte serait mieux.
adresse exacte pas évidente quand on est sur place sans plaque de rue
On ne sait pas si on doit mettre la ville.
Le problème est dans l'allée du parc, comment je l'indique ?
L'adresse en texte libre, vous arrivez vraiment à retrouver l'endroit ?
Je ne savais pas quel numéro mettre, c'est devant un mur.
C'est le chemin piéton le long de la Loire. Pas d'adresse.
Une carte interactive comme sur les applis de la métropole serait top.
J'ai mis le nom du quartier, c'est tout ce que je savais.
Trop d'hésitation sur cette première étape, on ne sait pas à quel point il faut être précis.
Le trou est devant le 14 rue des Acacias, je l'ai mis dans le repère aussi au cas où.
lieu = galère sans carte
en: Hard to give an address for a spot in the park, a map would help.
en: No map to drop a pin? That would be much easier.
""",
    suivi="""
Est-ce que je serai prévenu quand ce sera réparé ?
Aucun numéro de suivi à la fin, je ne sais pas si mon signalement a été pris en compte.
J'aimerais recevoir un SMS de suivi quand l'intervention est faite.
Et après ? Aucun suivi, on n'a jamais de nouvelles, comme d'habitude.
Il faudrait un numéro de suivi pour pouvoir relancer.
Pas de suivi du signalement, c'est pourtant le plus important.
J'ai déjà signalé ce trottoir 3 fois à l'accueil, rien n'a bougé. Est-ce que ce formulaire changera quelque chose ?
Pouvoir suivre l'état de son signalement (reçu, en cours, réparé).
On ne sait pas dans combien de temps ce sera traité.
Un mail de confirmation avec un récapitulatif serait bien.
suivi ? délai ?
Pourquoi demander mon téléphone si on ne me rappelle jamais ?
J'aimerais voir les signalements déjà faits par d'autres, pour ne pas signaler deux fois la même chose.
Le message final est trop vague. Transmis à qui ? Quand ?
Je voudrais être sûr que quelqu'un lit ces signalements. Un suivi, même minimal, rassurerait.
Donner un délai indicatif d'intervention.
Merci de me tenir au courant : pierre.lemaire56@exemple.fr
Si besoin rappelez-moi au 06 39 98 24 58, je peux vous montrer l'endroit.
Pas de récapitulatif à imprimer ou à garder.
J'espère juste que ça ne finira pas dans un tiroir.
Une carte des signalements en cours serait rassurante.
Il manque un accusé de réception et un suivi.
Je mets mon mail quand même, au cas où : josiane.r@courriel.exemple
en: Will I get any update when it's fixed? No tracking number at the end.
en: Would be nice to get an email once the repair is done.
en: What happens after I submit? No confirmation, no reference.
""",
    positif="""
Simple et rapide.
Très bien, enfin un moyen de signaler sans appeler la mairie.
{fin} Formulaire clair, j'ai mis 3 minutes.
Rien à redire, c'est facile.
Bonne initiative !
Pratique, je m'en servirai.
Plus simple que d'appeler, surtout quand l'accueil est fermé.
{fin} Clair, sauf la date.
C'est bien fait dans l'ensemble.
top
Les textes sont clairs et on comprend ce qu'on attend de nous.
{lieu} J'ai bien aimé le champ point de repère.
{nature} L'information sur le numéro d'urgence en cas de danger est rassurante.
Facile même pour moi qui ne suis pas douée avec internet.
Bien, simple. A généraliser.
Merci de nous demander notre avis.
ça va vite, c'est bien
Parfait pour signaler les dépôts sauvages, il y en a beaucoup dans mon quartier.
{fin} Bonne idée, à condition que ça suive derrière.
Efficace.
Les étapes sont bien découpées.
Très pratique depuis le téléphone.
{fin} Je ne pensais pas que ce serait aussi simple.
en: Quick and easy, nice.
en: Simple form, it took me two minutes.
en: Great idea, much better than calling the town hall.
""",
    divers="""
{contact} Pourquoi demander le téléphone ET le mail ?
{contact} Je ne veux pas laisser mes coordonnées, j'espère que le signalement est quand même pris en compte.
{contact} La case à cocher pour être recontacté n'est pas claire : si je laisse mon mail sans cocher ?
Le bouton suivant est trop petit sur mon téléphone.
Écriture trop petite pour moi.
{nature} Le texte sur le danger immédiat m'a fait peur, je ne savais pas s'il fallait appeler la police.
{fin} Trop de questions pour un simple trou dans la route.
Le bouton retour va-t-il effacer ce que j'ai écrit ? Finalement non, ouf.
{contact} coordonnées facultatives, très bien
{contact} Mon numéro a été refusé parce que j'avais mis des tirets.
{nature} La question sur le danger : un trou de 10 cm, c'est un danger ou pas ?
{nature} Les numéros d'urgence sont utiles mais ça fait un peu peur.
{contact} Le mail était refusé, j'avais oublié le .fr
Il faudrait pouvoir signaler plusieurs problèmes d'un coup, il y en avait deux dans ma rue.
en: {contact} Phone number format was rejected, I used dashes.
en: Font is a bit small on mobile.
""",
)

BANKS["voirie-2"] = _bank(
    suivi="""
Toujours pas de suivi après l'envoi. On ne sait pas ce que devient le signalement.
Très bien mais il manque un numéro de suivi.
Il faudrait être prévenu quand c'est réparé, ça motive à signaler.
Et une fois envoyé ? Aucun suivi, aucun moyen de savoir où ça en est.
Le message de confirmation ne donne pas de délai.
J'aimerais un mail récapitulatif avec ce que j'ai déclaré.
Un espace « mes signalements » pour suivre où ça en est serait utile.
suivi du dossier svp
Je l'avais déjà dit la dernière fois : on veut savoir quand ce sera réparé !
Le formulaire est mieux, mais toujours pas de retour après.
Recevoir une notification de suivi quand c'est pris en charge.
Est-ce qu'un agent va vraiment se déplacer ? Aucune idée après l'envoi.
Il faudrait afficher les signalements déjà en cours dans la rue pour éviter les doublons.
C'est bien plus simple qu'avant, maintenant il faut le suivi.
Pas de nouvelles de mon précédent signalement d'ailleurs.
Un SMS de confirmation, ça rassure.
je veux pouvoir suivre si c'est traité ou pas
Mettre un statut de suivi : reçu / programmé / terminé.
N'hésitez pas à me recontacter : m.durand.tilleuls@exemple.fr
J'ai laissé mon numéro (06 39 98 45 33) mais personne ne m'a appelé pour le lampadaire signalé en octobre.
Le délai de réparation, c'est ce qui intéresse les gens.
Toujours le même problème : on envoie dans le vide.
Pas d'accusé de réception ni de suivi par mail, dommage.
Je voudrais savoir qui s'occupe de mon signalement.
Si c'est déjà signalé par quelqu'un d'autre, on pourrait juste dire « moi aussi ».
en: Still no way to track my report after sending it.
en: Please add a status page: received, scheduled, fixed.
en: Better than before, but I'd like a confirmation email with a reference number.
en: No idea if anyone will actually act on this.
""",
    vegetation="""
Super la catégorie végétation, c'était exactement mon cas (haie qui déborde sur le trottoir).
Enfin une case pour les branches !
La catégorie végétation envahissante est très utile dans notre quartier.
Les racines qui soulèvent le trottoir : j'ai trouvé facilement la bonne catégorie.
Bien vu d'avoir ajouté la végétation.
Catégories plus claires qu'avant.
J'ai signalé un arbre qui cache le feu rouge, la catégorie existait, parfait.
vegetation envahissante = top, les ronces sur le chemin de l'école
Les catégories sont maintenant compréhensibles.
La nouvelle catégorie m'a évité de mettre Autre.
Choix de la catégorie rapide.
Il manque encore les tags, mais la végétation c'est bien.
Pour les haies des particuliers, est-ce la mairie qui intervient ? J'ai quand même choisi végétation.
en: Glad there's a vegetation category now, that's what I needed.
en: Categories are clearer than I expected.
""",
    carte="""
Ce serait plus simple de pouvoir se localiser avec le téléphone.
Une carte pour cliquer sur l'endroit exact, svp.
J'étais sur place, le téléphone sait où je suis, pourquoi taper l'adresse ?
Géolocalisation !
Mettre un bouton « utiliser ma position ».
Une carte avec un point à déplacer serait l'idéal.
Le lieu approximatif c'est bien, mais une carte ce serait encore mieux.
Pour un lampadaire au milieu du parc, seule une carte permet d'être précis.
Proposer la position GPS.
L'adresse approximative passe maintenant, mais en pleine campagne je ne sais toujours pas quoi écrire.
Sur le téléphone, taper l'adresse c'est long. Une carte !
Les applis comme celle de la métropole ont une carte, c'est plus intuitif.
geoloc svp
On pourrait au moins proposer les rues de la commune pendant la saisie.
Je ne connaissais pas le nom de la rue, j'ai écrit « derrière l'église ».
Une carte aiderait les personnes qui ne connaissent pas bien le quartier.
Il faudrait que l'adresse se remplisse toute seule avec la localisation.
Pas évident de décrire un endroit sur une piste cyclable.
Une vue satellite pour montrer l'endroit, ce serait top.
Autocomplétion de l'adresse, comme partout ailleurs.
Localisation automatique = gain de temps énorme.
J'ai dû ouvrir une appli de cartes à côté pour trouver le nom de la rue.
en: Please add a "use my location" button.
en: A map to drop a pin would be so much easier than typing an address.
en: Geolocation would help, I was standing right next to it.
en: Address autocomplete would be nice.
""",
    photo_ok="""
La photo de mon iPhone est passée sans problème cette fois.
Envoi de la photo facile.
Photo acceptée directement, merci.
Le format HEIC accepté, enfin !
J'ai pu joindre ma photo sans la réduire.
photo ok
Ça serait bien de pouvoir mettre plusieurs photos.
La photo a mis du temps à se charger en 4G mais c'est passé.
Plus de problème de photo trop lourde.
Photo : plusieurs angles seraient utiles, on ne peut en mettre qu'une.
Ajout de la photo très simple depuis le téléphone.
en: Photo upload worked fine this time.
en: Would be nice to add more than one photo.
""",
    date_ok="""
{constat} Bien que la date ne soit plus obligatoire.
J'ai laissé la date vide, ça passe, parfait.
La date facultative, c'est mieux.
date pas obligatoire = merci
Plus besoin d'inventer une date.
Je ne savais pas la date, j'ai pu continuer sans.
Le champ date est plus clair avec l'explication.
{constat} Étape rapide maintenant.
en: Good that the date is optional now.
""",
    positif="""
Très simple, bravo.
{fin} Beaucoup mieux que la première version que j'avais testée.
Rapide, clair, efficace.
Formulaire agréable à remplir.
{fin} Moins de 3 minutes, parfait.
On sent que vous avez écouté les remarques.
Rien à redire cette fois.
{fin} J'ai fait le signalement depuis le trottoir en 2 minutes.
C'est clair, même pour quelqu'un qui n'est pas à l'aise avec l'informatique.
Très bien. Continuez.
Simple. J'utiliserai ce service.
Les explications sont claires à chaque étape.
Nickel
{fin} Ma voisine de 80 ans a réussi toute seule, c'est dire !
{fin} Je recommanderai à mes voisins.
super simple, merci la mairie
{fin} Rien ne m'a bloqué.
{fin} Bon formulaire. Juste le suivi qui manque.
C'est fluide.
Vraiment mieux qu'avant, merci d'avoir tenu compte de nos avis.
Parfait pour moi.
Intuitif.
Je l'ai fait avec mon téléphone sans lunettes, c'est dire si c'est lisible.
Bravo à l'équipe.
en: Really easy to use, well done.
en: Much smoother than I expected.
en: Clear and fast, good job.
en: Works well on my phone.
""",
    divers="""
{nature} J'ai encore hésité entre chaussée et trottoir.
{nature} Il manque une catégorie pour les tags.
{nature} « Autre » oblige encore à préciser, c'est un peu lourd.
{nature} Je ne savais pas si une bouche d'égout bouchée rentrait dans chaussée.
{nature} La question du danger immédiat n'est pas claire.
{nature} Ajouter « stationnement gênant ».
{nature} Pas de catégorie pour le bruit, mais je comprends que ce n'est pas de la voirie.
{nature} Les catégories sont longues à lire sur téléphone.
Le bouton « Suivant » est en bas, il faut beaucoup défiler.
Le texte est un peu petit sur mobile.
{constat} J'ai tapé la date en lettres, erreur, il faut des chiffres.
{constat} Ma vidéo a été refusée, seulement des photos ? J'ai mis une capture à la place.
{contact} Mon adresse mail a été refusée, il y avait un espace à la fin je crois.
{contact} Pourquoi demander le téléphone ?
en: {nature} Still missing a category for graffiti.
en: {nature} The "danger" question is a bit confusing.
""",
)

BANKS["cantine-1"] = _bank(
    quotient="""
Je ne sais pas où trouver mon quotient familial.
C'est quoi le quotient familial ? On n'est pas tous à la CAF.
J'ai dû me connecter sur le site de la CAF pour retrouver le QF, ça m'a pris 20 minutes.
Quotient familial : impossible de le trouver, j'ai arrêté là.
Le champ n'accepte pas « 850,50 », il faut un nombre entier ?
QF introuvable sur mes papiers.
Je suis à la MSA, pas à la CAF : où est mon quotient ?
Pourquoi ne pas récupérer directement le QF auprès de la CAF, avec notre accord ?
Message d'erreur quand j'ai mis « 620 € », il fallait enlever le symbole €.
Je ne connais pas mon quotient par cœur, il faudrait pouvoir le donner plus tard.
Sans QF c'est le tarif max ? C'est un peu violent comme message.
Explication du quotient familial inexistante.
quotient familial ??? jamais entendu parler
Mon attestation CAF ne donne pas le QF en premier, il faut chercher.
On est séparés, je ne sais pas quel quotient mettre, le mien ou celui de mon ex ?
Pas allocataire CAF, donc pas de quotient. Le formulaire ne prévoit pas ce cas.
J'ai mis mon revenu fiscal au lieu du quotient, je pense que c'est faux.
Le QF change en cours d'année, faut-il refaire l'inscription ?
Il faudrait un lien vers le site de la CAF pour trouver le quotient.
La partie tarif m'a découragée.
Je ne comprends pas comment est calculé le tarif.
Afficher le prix du repas selon le quotient, ce serait transparent.
Le calcul du tarif devrait se faire automatiquement.
j'ai mis 0 car je savais pas
Étape tarif beaucoup trop compliquée.
Le mot « quotient » fait peur, dites juste « le chiffre en haut de votre attestation CAF ».
Je ne savais pas que j'avais un quotient familial.
QF = quoi exactement ? Le montant des allocs ?
en: No idea where to find my "quotient familial". What is it?
en: I'm not registered with the CAF, so I don't have a quotient. What should I enter?
en: The pricing step lost me, had to stop there.
""",
    justificatif="""
Le scan de l'attestation est trop lourd, refusé.
Je n'ai pas de scanner à la maison.
Photo de l'attestation refusée, fichier trop gros.
Il faut une attestation de moins de 3 mois, la mienne date de juin, je fais comment ?
J'ai dû aller à la médiathèque pour scanner le justificatif.
Le PDF téléchargé sur le site de la CAF fait plus de 3 Mo ?! Refusé.
Pourquoi un justificatif alors que vous pouvez vérifier auprès de la CAF ?
Le téléchargement du document a planté deux fois.
Pas réussi à joindre le justificatif depuis mon téléphone.
Taille max 3 Mo, c'est ridicule.
justificatif = galère
Je l'ai déposé en mairie finalement, plus simple.
On ne peut mettre qu'un seul fichier, mon attestation fait 2 pages.
Scanner un document avec le téléphone, je ne sais pas faire.
Message d'erreur sur le fichier sans dire ce qui ne va pas.
J'ai dû compresser le PDF sur un site internet, pas génial pour des données perso.
Justificatif refusé, je recommencerai plus tard.
Le format photo de mon téléphone n'est pas accepté.
J'envoie l'attestation par mail, c'est possible ? famille.nguyen44@exemple.fr
Il faudrait pouvoir prendre l'attestation en photo directement.
Rappelez-moi plutôt pour le justificatif : 06 39 98 71 02
en: The CAF certificate PDF was too big to upload.
en: I don't have a scanner, couldn't attach the document.
""",
    pai="""
PAI, je ne sais pas ce que c'est.
Mon fils est allergique aux arachides mais le PAI n'est pas encore signé, je n'ai pas su quoi répondre.
La différence entre allergie et intolérance n'est pas claire.
Le PAI est signé avec l'école, pourquoi le redemander ?
Il faudrait pouvoir joindre le PAI directement.
Qui contacte le médecin scolaire et quand ? L'enfant peut-il manger en attendant ?
Allergies : une liste à cocher (gluten, lait, œuf...) serait plus simple que le texte libre.
J'ai eu une erreur car je n'avais rien écrit dans le détail de l'allergie. Mais c'est dans le PAI !
Sigle PAI pas expliqué.
Ma fille est intolérante au lactose, pas allergique : je coche quoi ?
Rien sur les régimes médicaux autres que les allergies (diabète).
La partie santé est angoissante, on a peur de mal répondre.
C'est quoi un projet d'accueil individualisé ?
pai = ?
Mon enfant a un PAI depuis la maternelle, le renouvellement se fait comment ?
Je ne savais pas s'il fallait mentionner l'allergie aux kiwis, c'est léger.
Les questions santé sont claires mais on ne sait pas qui lit ces informations.
Pour l'allergie j'aurais aimé parler directement à quelqu'un.
La question sur le PAI m'a bloquée un moment.
Le champ détail de l'allergie est obligatoire alors que tout est dans le PAI, double saisie.
en: What's a PAI? The acronym isn't explained.
en: My kid has a nut allergy but no PAI yet, didn't know what to answer.
""",
    jours="""
Garde alternée : mon fils mange à la cantine une semaine sur deux. Impossible à indiquer.
Mes jours changent selon mon planning de travail, je ne peux pas cocher des jours fixes.
Je travaille en horaires décalés, les jours varient chaque mois.
Il faudrait pouvoir choisir « occasionnel ».
Comment faire si les jours changent en cours d'année ?
Semaine A / semaine B, comme au collège, ça serait bien.
J'ai coché tous les jours par sécurité, est-ce que je paierai les repas non pris ?
Planning variable = pas prévu.
Pour les parents séparés, qui coche quoi ?
La date du premier repas : si c'est la rentrée, pourquoi la demander ?
jours de cantine variables, pas possible de le dire
On devrait pouvoir modifier les jours chaque mois en ligne.
J'ai hésité sur la date du premier repas, je ne la connais pas encore.
Infirmière en 12 h, mes jours ne sont jamais les mêmes.
Il faudrait un calendrier mensuel plutôt que des jours fixes.
Et le mercredi pour le centre de loisirs, c'est un autre dossier ?
en: Shared custody, my daughter eats there every other week. No way to say that.
en: My work schedule changes every month, can't pick fixed days.
""",
    longueur="""
Trop long.
{responsable} Beaucoup d'informations à redonner alors que la mairie les a déjà (inscription scolaire).
{responsable} Pourquoi redemander l'adresse et le téléphone ? Vous les avez déjà.
Le formulaire est long sur téléphone, j'ai dû m'y reprendre à deux fois.
Une inscription pour chaque enfant ? J'en ai trois...
Il faudrait pouvoir inscrire plusieurs enfants d'un coup.
{fin} Dix minutes annoncées, j'en ai mis vingt-cinq.
{responsable} Mon numéro de téléphone n'était pas accepté, il manquait un chiffre apparemment.
{fin} Formulaire interminable.
Trop de pages, on ne sait pas combien il en reste.
Il manque une barre de progression.
{fin} Le formulaire papier était plus rapide pour moi.
trop de questions
Je n'ai pas pu enregistrer pour finir plus tard.
{enfant} Redonner le nom de l'école alors que l'enfant y est déjà inscrit, c'est dommage.
{responsable} Le champ téléphone refusait mon numéro belge.
{enfant} La date de naissance ne passait pas, j'avais mis 3/9/19.
{fin} Long mais on y arrive.
{fin} Pour deux enfants j'ai dû tout refaire, trop répétitif.
{fin} Ça aurait pris 2 minutes si mes infos étaient pré-remplies.
{responsable} Mon adresse mail a été refusée à cause d'une faute de frappe, le message n'aidait pas à la trouver.
en: Way too long for a canteen registration.
en: Why do I have to re-enter everything the school already knows?
""",
    positif="""
Plus pratique que le dossier papier, merci.
Enfin en ligne ! Plus besoin de poser une demi-journée pour aller en mairie.
Clair dans l'ensemble.
{fin} Bien, à part le quotient familial.
Pratique de pouvoir le faire le soir une fois les enfants couchés.
Bonne démarche, on gagne du temps.
Simple pour l'essentiel.
Content que ce soit dématérialisé.
{sante} Les questions sur les repas sont claires.
C'est très bien, surtout pour les parents qui travaillent.
Pas mal du tout.
bien
Merci pour cette démarche en ligne, attendue depuis longtemps.
{sante} Bonne idée le repas sans viande proposé à tous.
Les aides sous chaque question sont utiles.
en: Much better than the paper form, thanks.
en: It was easy enough overall.
""",
    reglement="""
Le règlement intérieur n'est pas accessible depuis le formulaire, il faut un lien.
On coche « j'ai lu le règlement » sans l'avoir lu, comme tout le monde.
Où est le règlement ? Il faut aller à la mairie pour le lire ?
Mettre le règlement en PDF.
Je certifie l'exactitude... un peu solennel.
Pas de récapitulatif avant de valider, dommage.
Un récapitulatif à la fin pour vérifier serait rassurant.
J'avais oublié de cocher la case du règlement, le message d'erreur est en haut, je ne l'ai pas vu.
en: The rules document isn't linked anywhere.
""",
)

BANKS["salle-1"] = _bank(
    disponibilites="""
On ne voit pas si la salle est libre à la date voulue.
Il faudrait un calendrier des disponibilités.
J'ai fait une demande sans savoir si c'est possible, je vais devoir appeler de toute façon.
Afficher les créneaux déjà pris, svp.
Dispo ? Aucune info.
Si la salle est prise, on le saura quand ? Sous 5 jours, c'est long pour organiser un anniversaire.
{date} Pouvoir proposer une deuxième date au cas où.
Un planning en ligne éviterait beaucoup de demandes pour rien.
Je ne sais pas si je dois envoyer plusieurs demandes pour plusieurs dates.
{date} Trois semaines minimum : ce n'est dit qu'à l'étape de la date.
{date} Ma date a été refusée, je n'ai pas compris pourquoi au début.
dispo des salles pas visibles
On aimerait voir les réservations des autres associations pour s'organiser.
{date} Impossible de réserver plusieurs dates d'un coup (cours hebdomadaires).
Pour une réunion mensuelle, je dois refaire la demande chaque mois ?
{date} Le créneau soirée finit à 23 h, pour un mariage c'est court.
Sans calendrier, c'est juste un formulaire de demande, pas une réservation.
en: Can't see whether the room is available on my date.
en: A calendar of free slots would save everyone time.
""",
    tarifs="""
Aucune indication de prix.
Combien coûte la salle ? Et la caution ?
Le tarif pour les habitants de la commune et pour les extérieurs n'est pas indiqué.
Caution : montant ? chèque ? Rien n'est dit.
Les associations paient-elles ? Pas clair.
J'aurais aimé connaître le tarif avant de remplir tout le formulaire.
tarifs ???
Le ménage est-il compris ou facturé ?
Prix de la salle des fêtes introuvable.
Faut-il payer en ligne ? En mairie ?
Le prix dépend du créneau ? La journée entière est plus chère ?
Pas de grille tarifaire, c'est le minimum.
{engagement} L'attestation d'assurance : laquelle ? Mon assurance habitation suffit ?
Sans le tarif je ne peux pas présenter la demande à mon bureau d'association.
en: No price information anywhere, and what about the deposit?
""",
    associations="""
{demandeur} Numéro RNA : je ne l'ai pas sous la main, et l'erreur bloque.
Je suis président d'une association non déclarée en préfecture, pas de RNA.
{demandeur} Le format du RNA a été refusé, j'avais mis des espaces.
Pour les particuliers c'est simple, pour les associations il manque des infos (tarif asso, convention).
Je réserve pour le club mais en mon nom, je coche quoi ?
Association loi 1901 = RNA ? Je n'ai que le numéro SIRET.
RNA : où le trouver ?
Les associations qui réservent toute l'année devraient avoir un accès différent.
Particulier ou association pour un comité des fêtes de quartier ?
{demandeur} rna refusé alors que c'est le bon
Je gère les réservations pour 3 associations, je dois tout ressaisir à chaque fois.
en: What is an RNA number? Our club only has a SIRET.
""",
    materiel="""
Le matériel : combien de tables et de chaises ? On ne peut pas indiquer la quantité.
On ne sait pas quel matériel est disponible dans quelle salle.
La cuisine équipée : frigo, four ? Il faudrait le détail.
Quantités de chaises à préciser.
Peut-on venir installer la veille nous-mêmes ?
Matériel installé la veille, super, mais qui ouvre la salle ?
{evenement} Description de l'événement : 20 caractères minimum, j'avais écrit « Réunion AG », refusé.
La buvette : encore un autre formulaire, on ne peut pas tout faire ici ?
Il manque les grilles d'exposition dans le matériel.
Vidéoprojecteur ok mais écran ? câble HDMI ?
La scène : quelle taille ?
en: Can't specify how many tables and chairs we need.
""",
    positif="""
Bien plus pratique que d'appeler le service.
Formulaire clair.
Simple, merci.
Bonne idée, ça évitera les allers-retours par téléphone.
Très bien pour une première version.
{choix_salle} Les capacités indiquées à côté des salles, c'est utile.
Rapide à remplir.
{evenement} La mention de l'autorisation de buvette est une bonne info.
{fin} Nickel, reste à voir la réponse.
Facile
{fin} Enfin ! On attendait ça depuis des années au club.
en: Easy and clear, thanks.
en: Good start, it works well.
""",
    divers="""
{choix_salle} Le nombre de personnes a été refusé, j'avais mis 250 pour la salle des fêtes.
{coordonnees} Le téléphone fixe n'était pas accepté au début, il fallait les espaces ?
{coordonnees} Pourquoi l'adresse postale si on a déjà le mail ?
{fin} La confirmation sous 5 jours ouvrés, c'est un peu long.
{coordonnees} Je peux être recontacté au 01 99 00 34 12 en journée.
{choix_salle} Accessibilité PMR de la salle polyvalente : pas d'info.
{choix_salle} Le stationnement près de la salle des fêtes n'est pas précisé.
en: {coordonnees} Landline number was rejected at first.
""",
)
