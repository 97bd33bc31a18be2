"""Channel boilerplate is learned from repetition, stripped before clustering, and never taken from what people say."""

from __future__ import annotations

from analysis.themes.boilerplate import learn_boilerplate
from analysis.themes.clustering import find_themes

TOPICS = {
    "photo": ["la photo est refusée", "photo refusée à l'envoi", "impossible d'envoyer ma photo", "la photo ne passe pas",
              "photo trop lourde, refusée", "l'envoi de la photo échoue"],
    "adresse": ["mon adresse n'est pas reconnue", "adresse introuvable", "la rue n'est pas proposée",
                "l'adresse proposée est fausse", "ma rue n'existe pas dans la liste", "adresse inconnue"],
    "date": ["le champ date est obligatoire", "je ne connais pas la date exacte", "la date du constat bloque",
             "date obligatoire alors que je ne la sais pas", "impossible de laisser la date vide", "la date me bloque"],
}
HEADERS = ["Propos recueillis par téléphone :", "La personne dit :"]


def assisted_corpus() -> tuple[list[str], list[str]]:
    """Online comments as written; assisted ones behind a mediator's header, across every topic."""
    texts, channels = [], []
    for topic in TOPICS.values():
        for i, text in enumerate(topic):
            texts.append(text)
            channels.append("online")
            texts.append(f"{HEADERS[i % 2]} {topic[(i + 3) % len(topic)]}")
            channels.append("assisted")
    return texts, channels


def test_a_mediator_header_is_learned_for_its_channel_and_stripped():
    texts, channels = assisted_corpus()
    learned = learn_boilerplate(texts, channels)
    assert learned.headers == {"assisted": {"propos recueillis par telephone", "la personne dit"}}
    assert learned.strip("La personne dit : la photo est refusée", "assisted") == "la photo est refusée"
    assert learned.strip("La personne dit : la photo est refusée", "online") == "La personne dit : la photo est refusée"
    assert learned.strip("La personne dit :", "assisted") == "La personne dit :"  # nothing would be left


def test_a_repeated_remark_or_a_common_word_is_not_boilerplate():
    texts = [f"Date : {text}" for text in TOPICS["date"]] + TOPICS["photo"] + TOPICS["adresse"]
    texts += ["Mettre un statut de suivi : reçu / programmé"] * 4
    learned = learn_boilerplate(texts)
    # "date" is written everywhere, the remark opens the same words each time: neither is stripped.
    assert not learned


def test_headers_do_not_make_a_theme_of_their_own():
    texts, channels = assisted_corpus()
    result = find_themes(texts, backend="tfidf", channels=channels)
    assert result.params["boilerplate"] == {"assisted": ["la personne dit :", "propos recueillis par telephone :"]}
    for theme in result.themes:
        assert not {"propos", "recueillis", "personne", "téléphone"} & {w.lower() for w in theme.label.split()}
        topics = {name for name, topic in TOPICS.items() for i in theme.member_indices if texts[i].endswith(tuple(topic))}
        assert len(topics) == 1  # comments gather by subject, not by channel
