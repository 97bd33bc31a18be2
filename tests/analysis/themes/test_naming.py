"""Names people can read: phrases of the comments, fillers learned from the corpus, French first, MMR keywords."""

from __future__ import annotations

from analysis.themes.clustering import find_themes
from analysis.themes.naming import learn_fillers, phrases_of
from analysis.themes.text import mask, preprocess, stop_words

PHOTO = ["photo refusée, top le reste", "la photo est refusée", "photo refusée au format jpeg", "ma photo est refusée, nice",
         "photo refusée encore, nice", "photo refusée sans raison", "la photo refusée par le site"]
TRACKING = ["pas de numéro de suivi", "aucun numéro de suivi reçu, top", "je n'ai pas eu de numéro de suivi",
            "pas de numéro de suivi, nice", "numéro de suivi absent", "pas reçu de numéro de suivi", "toujours pas de numéro de suivi"]
DATE = ["le champ date est obligatoire, top", "date du constat obligatoire", "la date du constat bloque, nice",
        "date du constat impossible à laisser vide", "je ne connais pas la date du constat, top",
        "date du constat obligatoire alors que je ne sais pas", "la date du constat me bloque"]
MAP_EN = ["the map does not load", "map is not loading at all", "the map won't load on my phone", "map not loading, nice",
          "the map never loads", "map does not load, cheers"]
CORPUS = PHOTO + TRACKING + DATE + MAP_EN
# A theme about tracking where the comments also say what was done ("vous avez écouté les remarques").
LISTENED = ["vous avez écouté les remarques, mais le suivi du signalement manque",
            "on voit que vous avez écouté les remarques, reste le suivi du signalement",
            "vous avez écouté les remarques, il manque un suivi du signalement",
            "je vois que vous avez écouté les remarques mais aucun suivi",
            "le suivi du signalement est toujours absent",
            "aucun suivi du signalement après l'envoi",
            "suivi du signalement inexistant, vous avez écouté les remarques pourtant"]


def test_words_spread_evenly_over_themes_are_learned_as_fillers():
    themes = [preprocess(PHOTO), preprocess(TRACKING), preprocess(DATE), preprocess(MAP_EN)]
    fillers = learn_fillers(themes)
    assert {"nice", "top"} <= fillers
    assert not {"photo", "date", "constat", "numero", "suivi", "map"} & fillers  # gathered in one theme each


def test_phrases_keep_the_small_words_as_written():
    found = {p.surface for p in phrases_of("Pas de numéro de suivi après l'envoi", "fr")}
    assert "numéro de suivi" in found and "numéro" in found
    assert not any(p.split()[0] in stop_words("fr") or p.split()[-1] in stop_words("fr") for p in found)


def test_a_phrase_never_bridges_removed_data():
    masked = mask("J'attends d'être recontacté au 06 12 34 56 78 en journée")
    found = {p.surface for p in phrases_of(masked, "fr")}
    assert "recontacté" in found and "journée" in found
    assert not any("recontacté" in p and "journée" in p for p in found), found


def test_an_elided_word_ends_no_phrase_and_acronyms_keep_their_capitals():
    found = {p.surface for p in phrases_of("Déjà signalé par quelqu'un d'autre ? Le quotient de la CAF", "fr")}
    assert not any(p.endswith("quelqu") for p in found), found
    assert "quotient de la CAF" in found and "CAF" in found


def test_a_name_does_not_open_on_what_someone_did_but_on_what_the_theme_is_about():
    result = find_themes(PHOTO + DATE + MAP_EN + LISTENED, backend="tfidf")
    tracking = max((t for t in result.themes if set(t.member_indices) & set(range(20, 27))), key=lambda t: t.size)
    # "écouté" is written after "vous avez" each time: a verb, what the team did, not the theme.
    assert tracking.label == "Suivi du signalement"


def test_a_word_is_written_as_a_noun_after_an_article_a_preposition_or_as_an_acronym():
    found = {p.surface: p.as_noun for p in phrases_of("Parfait. La date du constat, le site de la CAF est clair", "fr")}
    assert found["date"] and found["constat"] and found["CAF"] and found["site"]
    assert not found["parfait"] and not found["clair"]
    assert not any(p.as_noun for p in phrases_of("the date of the report", "en"))


# A theme of appreciation: every comment writes "clair" (an adjective: "très clair", "sont claires"), no
# phrase is written twice. Its name was "Clair", which tells a manager nothing.
CLEAR = ["Formulaire clair.", "Clair et rapide, merci.", "Très clair, rien à redire.", "clair dans l'ensemble",
         "Les questions sont claires.", "Vraiment clair, bravo."]


def test_an_adjective_is_no_name_alone_but_with_what_it_qualifies():
    result = find_themes(PHOTO + TRACKING + DATE + CLEAR, backend="tfidf", k=4)
    theme = next(t for t in result.themes if 21 in t.member_indices)
    # "clair" is never written after an article or a preposition: the name is a phrase of the
    # comments holding it, opening on the noun it qualifies.
    assert theme.label == "Formulaire clair"


def test_one_remark_written_again_with_a_mediators_prefix_is_one_writer_of_its_phrases():
    remark = "aucune idée de ce que devient mon signalement après l'envoi"
    tracking = ["Au guichet, Madame explique : " + remark, "Propos recueillis : " + remark, remark + " !",
                "pas de suivi du signalement", "suivi inexistant", "je voudrais un suivi", "aucun suivi après l'envoi",
                "un suivi par mail svp"]
    result = find_themes(PHOTO + DATE + tracking, backend="tfidf", k=3)
    theme = next(t for t in result.themes if 14 in t.member_indices)
    # "aucune idée" is one person's remark, whatever was written before it; five people ask for a "suivi".
    assert theme.label == "Suivi"


def test_themes_are_named_by_a_phrase_never_by_a_filler_and_french_first():
    result = find_themes(CORPUS, backend="tfidf")
    names = {frozenset(t.member_indices): t for t in result.themes}
    by_topic = {}
    for topic, start, size in (("photo", 0, 7), ("tracking", 7, 7), ("date", 14, 7), ("map", 21, 6)):
        by_topic[topic] = next(t for members, t in names.items() if members & set(range(start, start + size)))
    # Most comments write the negation: the name says the complaint ("pas de", a negation, may open it).
    assert by_topic["photo"].label == "Photo refusée" and by_topic["tracking"].label == "Pas de numéro de suivi"
    assert by_topic["date"].label.startswith("Date du constat")
    # A theme of English comments only keeps an English name, flagged as such.
    assert by_topic["map"].label == "Map does not load" and by_topic["map"].name_lang == "en"
    assert {t.name_lang for topic, t in by_topic.items() if topic != "map"} == {"fr"}
    assert "nice" in result.params["fillers"]
    for theme in result.themes:
        words = theme.label.lower().split()
        assert not {"nice", "top", "cheers", "merci"} & set(words)
        assert words[0] in {"pas", "aucun"} or words[0] not in stop_words(theme.name_lang)
        assert words[-1] not in stop_words(theme.name_lang)
        # Secondary keywords (MMR) add words instead of repeating the name.
        assert not set(theme.terms) & set(words) and len(theme.terms) == len(set(theme.terms))
