"""Text pipeline: masking first, language, tokens, stop words, stems and surface forms."""

from __future__ import annotations

import pytest

from analysis.themes.text import (
    detect_language,
    preprocess,
    remove_placeholders,
    stem,
    stop_words,
    surface_forms,
    tokenize,
)
from lab.folding import strip_accents


def test_pii_is_masked_before_anything_else():
    [doc] = preprocess(["Paiement refusé, écrivez-moi à jean.dupont@exemple.fr ou au 06 12 34 56 78"])
    assert "jean" not in doc.text and "06 12" not in doc.text
    assert "[courriel]" in doc.text
    assert not {"jean", "dupont", "exemple", "courriel", "téléphone"} & set(doc.tokens)


def test_placeholders_are_not_content():
    assert remove_placeholders("écrire à [courriel] svp") == "écrire à svp"
    [doc] = preprocess(["[courriel] [téléphone]"], masked=True)
    assert doc.is_empty


def test_tokens_keep_accents_drop_digits_and_split_elisions():
    assert tokenize("L'accueil de la Mairie : 3 jours d'attente, c'était très long !") == [
        "accueil", "de", "la", "mairie", "jours", "attente", "était", "très", "long",
    ]


def test_strip_accents():
    assert strip_accents("Démarche à l'état civil, cœur") == "Demarche a l'etat civil, coeur"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Le formulaire est beaucoup trop long", "fr"),
        ("je ne trouve pas le bouton pour valider", "fr"),
        ("paiement refusé", "fr"),  # no marker word, but an accent
        ("The form is far too long and I can't find the button", "en"),
        ("why was my card declined", "en"),
    ],
)
def test_detect_language(text, lang):
    assert detect_language(text) == lang


def test_language_without_evidence_follows_the_corpus():
    docs = preprocess(["my card was declined", "how do I reset the password", "card blocked"])
    assert [d.lang for d in docs] == ["en", "en", "en"]
    assert detect_language("card blocked") == "fr"  # alone, the product default


def test_stop_words_french_from_package_plus_fillers_minus_domain_words():
    fr = stop_words("fr")
    assert {"le", "de", "tres", "bonjour", "merci"} <= fr
    assert not {"piece", "etat", "mot", "nom"} & fr  # "pièce justificative", "mot de passe"


def test_english_stop_words_keep_problem_and_help():
    en = stop_words("en")
    assert {"the", "and", "don"} <= en
    assert not {"problem", "help", "bill", "top"} & en


def test_stems_are_accent_insensitive_keys():
    assert stem("refusée", "fr") == stem("refuse", "fr") == stem("refusés", "fr") == "refus"
    assert stem("démarche", "fr") == stem("demarche", "fr")
    assert stem("payments", "en") == stem("payment", "en")


def test_stop_words_matched_without_accents():
    [doc] = preprocess(["c etait tres long a remplir"])
    assert doc.tokens == ("long", "remplir")


def test_surface_forms_are_words_with_accents():
    docs = preprocess(
        [
            "Le paiement a été refusé",
            "paiement refusé encore",
            "paiements refuses",  # typed without accent: must not win the label
            "mon paiement refusé",
        ]
    )
    forms = surface_forms(docs)
    assert forms[stem("paiement", "fr")] == "paiement"
    assert forms[stem("refusé", "fr")] == "refusé"
    assert stem("paiement", "fr") == "pai"  # the stem itself is not a word: labels never show it


def test_empty_and_filler_comments():
    docs = preprocess(["", "   ", "Merci, bonjour !", "ok", "👍"])
    assert all(d.is_empty for d in docs)
