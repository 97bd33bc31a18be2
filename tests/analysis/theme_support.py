"""A voirie prototype with two tested iterations and realistic French comments, for theme tests.

v1's comments are about four things (photo upload, address, date of the report, categories);
in v2 the date and category problems are gone (resolved), photo and address persist (photo
less, address more) and a new one appears (no follow-up after reporting). Topics share no
content word, so an analysis asked for one theme per topic finds them whatever the algorithm's
details; tests that need the topics as themes pass ``k=topic_count(...)``. Every comment has
its own participant and trial, made through `feedback.store`, with a satisfaction answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from feedback import store as feedback_store
from lab.clock import utcnow
from lab.db import write
from lab.deployments import DeploymentForm, create_deployment, form_time, get_deployment
from lab.groups import add_participants, create_group, list_participants
from prototypes import EXAMPLES_DIR
from prototypes.store import create_prototype, freeze_iteration, new_iteration

VOIRIE = (EXAMPLES_DIR / "voirie.yaml").read_text(encoding="utf-8")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

# Each topic has its own content words (see test_fixture_topics_share_no_content_word): any
# sound clustering finds the topics, so tests can name a topic's theme without depending on
# how a given algorithm splits borderline comments.
PHOTO = [
    "Impossible d'ajouter une photo depuis mon téléphone",
    "La photo ne s'envoie pas, le fichier photo est trop lourd",
    "Je n'ai pas vu le bouton pour joindre la photo",
    "L'envoi de la photo échoue à chaque fois",
    "Ma photo est refusée, format de photo non accepté",
    "Ajouter une photo depuis la galerie du téléphone est compliqué",
    "La photo met trop longtemps à s'envoyer",
    "Pourquoi ma photo est-elle refusée ?",
]
ADDRESS = [
    "L'adresse de ma rue n'est pas reconnue",
    "Mon adresse ne figure pas parmi les rues proposées",
    "L'adresse proposée est fausse, ce n'est pas ma rue",
    "J'ignore l'adresse précise du lampadaire de la rue",
    "Le plan ne montre pas l'adresse du carrefour",
    "Adresse inconnue alors que la rue existe",
    "Il faudrait pouvoir indiquer une adresse approximative dans la rue",
    "Le champ adresse ignore mon numéro de rue",
    "Mon adresse n'apparaît pas, la rue est récente",
    "Adresse de la rue mal reconnue",
]
DATE = [
    "La date du constat est obligatoire, je ne m'en souviens pas",
    "Pourquoi faut-il donner la date exacte du constat ?",
    "Je ne me rappelle plus la date du constat",
    "Le calendrier pour saisir la date est difficile à utiliser",
    "La date du constat devrait être facultative",
    "La date ne se saisit pas au clavier, seulement au calendrier",
    "Demander la date du constat ne sert à rien",
]
CATEGORY = [
    "Les catégories d'anomalie ne sont pas claires",
    "Je ne savais pas quelle catégorie d'anomalie cocher pour une branche tombée",
    "Pas de catégorie pour la végétation",
    "La liste des catégories est trop technique",
    "Aucune catégorie d'anomalie ne correspond",
    "Les noms des catégories sont incompréhensibles",
    "Catégorie absente pour un arbre tombé",
]
FOLLOW_UP = [
    "Je voudrais être prévenu du suivi quand le signalement est réparé",
    "Silence total après mon signalement, pas de suivi",
    "Recevoir un suivi du signalement par courriel serait utile",
    "Mon signalement a-t-il été traité ? Pas de suivi",
    "Un suivi de l'avancement du signalement manque",
    "Pas de suivi du signalement une fois transmis",
    "J'aimerais suivre l'avancement de mon signalement",
]
NOISE = ["Merci !", "ok", "Très bien"]

#: topic → (step of the voirie spec, comments)
V1 = {"photo": ("constat", PHOTO), "adresse": ("lieu", ADDRESS[:8]), "date": ("constat", DATE),
      "categorie": ("nature", CATEGORY), "noise": (None, NOISE)}
V2 = {"photo": ("constat", PHOTO[:5]), "adresse": ("lieu", ADDRESS), "suivi": (None, FOLLOW_UP), "noise": (None, NOISE[:2])}
TOPICS = {"photo": PHOTO, "adresse": ADDRESS, "date": DATE, "categorie": CATEGORY, "suivi": FOLLOW_UP}


def topic_count(topics: dict) -> int:
    """How many themes an iteration's comments hold: analyses given this k find exactly the topics."""
    return sum(1 for topic in topics if topic != "noise")



@dataclass
class Pilot:
    """A prototype, its iterations, one group and one deployment per iteration."""

    prototype_id: int
    iterations: list[int]
    deployments: list[int]
    participants: list[dict]
    comments: dict[tuple[int, str], list[int]] = field(default_factory=dict)
    used: dict[int, int] = field(default_factory=dict)


def make_pilot(db, *, iterations: int = 2, people: int = 60, user_id: int | None = None) -> Pilot:
    """A voirie prototype with `iterations` versions, each deployed (and so frozen) to the same group."""
    now = utcnow()
    with write(db):
        prototype_id, first = create_prototype(db, spec_yaml=VOIRIE, user_id=user_id, changelog="v1")
        ids = [first]
        for n in range(1, iterations):
            ids.append(new_iteration(db, prototype_id=prototype_id, user_id=user_id, changelog=f"Changements de la v{n + 1}."))
        group_id = create_group(db, name="Habitants du centre", description="", user_id=user_id)
        add_participants(db, group_id=group_id, count=people)
        deployments = []
        for n, iteration_id in enumerate(ids, start=1):
            form = DeploymentForm(title=f"Test v{n}", iteration_a=str(iteration_id), group_ids=(str(group_id),),
                                  opens_at=form_time(now - timedelta(days=30)), closes_at=form_time(now + timedelta(days=30)))
            deployments.append(create_deployment(db, form=form, user_id=user_id, now=now - timedelta(days=31)))
            freeze_iteration(db, iteration_id)
    participants = sorted(list_participants(db, group_id), key=lambda p: p["id"])
    return Pilot(prototype_id, ids, deployments, participants)


def add_comment(db, pilot: Pilot, index: int, text: str, *, step: str | None = "lieu", satisfaction: int | None = 2,
                assisted_by: int | None = None, participant: dict | None = None) -> int:
    """One participant's trial of iteration `index` with one comment (and a satisfaction answer)."""
    if participant is None:
        n = pilot.used.get(index, 0)
        participant = pilot.participants[n]
        pilot.used[index] = n + 1
    deployment = get_deployment(db, pilot.deployments[index])
    with write(db):
        trial = feedback_store.create_trial(
            db, deployment=deployment, participant=participant, channel="assisted" if assisted_by else "online", now=T0,
            assisted_by=assisted_by, assisted_via="telephone" if assisted_by else None,
        )
        comment_id = feedback_store.save_comment(db, trial, step_key=step, text=text,
                                                 source="step" if step else "questionnaire", now=T0)
        if satisfaction is not None:
            feedback_store.save_responses(db, trial, [("satisfaction", float(satisfaction), None)], now=T0)
    return comment_id


def seed(db, pilot: Pilot, index: int, topics: dict, *, assisted_by: int | None = None) -> dict[str, list[int]]:
    """Comments of iteration `index` by topic; the first two of each topic are assisted when `assisted_by`."""
    made: dict[str, list[int]] = {}
    for topic, (step, texts) in topics.items():
        for n, text in enumerate(texts):
            satisfaction = 1 if topic != "noise" else 3
            made.setdefault(topic, []).append(add_comment(
                db, pilot, index, text, step=step, satisfaction=satisfaction,
                assisted_by=assisted_by if n < 2 and topic != "noise" else None))
        pilot.comments[(index, topic)] = made[topic]
    return made


def theme_of(db, comment_id: int) -> dict | None:
    """The shown theme holding a comment."""
    rows = list(db.query(
        """SELECT t.* FROM theme_members m JOIN themes t ON t.id = m.theme_id WHERE m.comment_id = ?""", [comment_id]))
    return rows[0] if rows else None
