"""Theme tracking between two iterations: persisting (with size change), new, resolved."""

from __future__ import annotations

import pytest

from analysis.themes.clustering import find_themes
from analysis.themes.tracking import ThemeSignature, theme_similarity, track_themes


def sig(theme_id, terms, size):
    return ThemeSignature(id=theme_id, terms=terms, size=size)


def test_statuses_on_a_constructed_case():
    previous = [
        sig("v1-paiement", {"pai": 0.9, "cart": 0.7, "refus": 0.5}, 12),
        sig("v1-formulaire", {"formulair": 0.9, "long": 0.8}, 8),
        sig("v1-connexion", {"connexion": 0.9, "mot": 0.4, "pass": 0.4}, 5),
    ]
    current = [
        sig("v2-a", {"formulair": 0.8, "long": 0.5, "champ": 0.3}, 3),
        sig("v2-b", {"pai": 0.8, "cart": 0.8, "bancair": 0.2}, 15),
        sig("v2-c", {"rendez": 0.9, "vous": 0.1, "horair": 0.6}, 6),
    ]
    links = track_themes(previous, current)
    by_status = {}
    for link in links:
        by_status.setdefault(link.status, []).append(link)
    persisting = {(l.previous_id, l.current_id): l for l in by_status["persisting"]}
    assert set(persisting) == {("v1-paiement", "v2-b"), ("v1-formulaire", "v2-a")}
    assert persisting["v1-paiement", "v2-b"].size_change == 3
    assert persisting["v1-formulaire", "v2-a"].size_change == -5
    assert [l.current_id for l in by_status["new"]] == ["v2-c"]
    assert [l.previous_id for l in by_status["resolved"]] == ["v1-connexion"]


def test_matching_is_one_to_one():
    previous = [sig(1, {"pai": 1.0}, 5)]
    current = [sig("a", {"pai": 1.0}, 5), sig("b", {"pai": 0.9, "cart": 0.1}, 4)]
    statuses = sorted((l.status, l.current_id) for l in track_themes(previous, current))
    assert statuses == [("new", "b"), ("persisting", "a")]


def test_threshold_and_empty_sides():
    assert [l.status for l in track_themes([], [sig(1, {"a": 1}, 2)])] == ["new"]
    assert [l.status for l in track_themes([sig(1, {"a": 1}, 2)], [])] == ["resolved"]
    weak = track_themes([sig(1, {"a": 1, "b": 1}, 2)], [sig(2, {"b": 0.2, "c": 1}, 2)], threshold=0.5)
    assert sorted(l.status for l in weak) == ["new", "resolved"]


def test_terms_match_across_accents_and_case():
    assert theme_similarity(sig(1, {"Démarche": 1.0}, 1), sig(2, {"demarche": 1.0}, 1)) == pytest.approx(1.0)


def test_centroids_are_a_fallback_without_terms():
    a = ThemeSignature(id=1, terms={}, size=1, centroid=[1.0, 0.0])
    b = ThemeSignature(id=2, terms={}, size=1, centroid=[1.0, 0.0])
    assert theme_similarity(a, b) == pytest.approx(1.0)


def test_two_iterations_end_to_end():
    v1 = (
        ["Le paiement par carte est refusé"] * 3
        + ["carte bancaire refusée au paiement", "paiement refusé encore"]
        + ["Le formulaire est beaucoup trop long", "formulaire trop long", "trop de champs dans ce formulaire long"]
        + ["impossible de me connecter, mot de passe refusé", "connexion impossible", "je n'arrive pas à me connecter"]
    )
    v2 = (
        ["paiement par carte toujours refusé", "ma carte est refusée au paiement", "paiement refusé"]
        + ["où trouver les horaires de la mairie", "horaires de la mairie introuvables", "les horaires d'ouverture ?"]
        + ["le formulaire reste trop long", "formulaire long"]
    )
    first = find_themes(v1, k=3)
    second = find_themes(v2, k=3)
    links = track_themes(first.signatures(), second.signatures())
    label = {t.id: t.label for t in first.themes} | {("v2", t.id): t.label for t in second.themes}
    described = sorted(
        (l.status, label.get(l.previous_id, "") if l.previous_id is not None else "", label[("v2", l.current_id)] if l.current_id is not None else "")
        for l in links
    )
    statuses = [d[0] for d in described]
    assert statuses.count("persisting") == 2 and statuses.count("new") == 1 and statuses.count("resolved") == 1
    assert any(s == "new" and "horaires" in cur for s, _, cur in described)
    assert any(s == "resolved" and "connecter" in prev for s, prev, _ in described)


def test_a_valid_pair_is_not_traded_for_two_weak_ones():
    # current-1 continues previous-1 (cosine .40 >= .3). Pairing crosswise has a larger total
    # (.25 + .20 = .45 > .40 + 0), but both of those pairs are below the threshold.
    previous = [sig("p1", {"a": 1.0}, 4), sig("p2", {"b": 1.0}, 4)]
    current = [
        sig("c1", {"a": 0.40, "b": 0.25, "x": (1 - 0.40**2 - 0.25**2) ** 0.5}, 5),
        sig("c2", {"a": 0.20, "y": (1 - 0.20**2) ** 0.5}, 3),
    ]
    assert theme_similarity(previous[0], current[0]) == pytest.approx(0.40)
    assert theme_similarity(previous[1], current[0]) == pytest.approx(0.25)
    assert theme_similarity(previous[0], current[1]) == pytest.approx(0.20)
    links = track_themes(previous, current)
    persisting = [(l.previous_id, l.current_id) for l in links if l.status == "persisting"]
    assert persisting == [("p1", "c1")]
    assert sorted((l.status, l.current_id or l.previous_id) for l in links if l.status != "persisting") == [
        ("new", "c2"),
        ("resolved", "p2"),
    ]
