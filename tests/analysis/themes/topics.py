"""Realistic French comments about five topics of the voirie prototype, for the theme tests.

v1's comments are about four things (photo upload, address, date of the report, categories);
in v2 the date and category problems are gone (resolved), photo and address persist (photo
less, address more) and a new one appears (no follow-up after reporting). Topics share no
content word, so an analysis asked for one theme per topic finds them whatever the algorithm's
details; tests that need the topics as themes pass ``k=topic_count(...)``.
"""

from __future__ import annotations

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
