"""Comments with nothing to say ("RAS", "merci", 👍): the detector against its labelled list, and where they go."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.themes.clustering import find_themes
from analysis.themes.remarks import is_no_remark

CASES = Path(__file__).parent / "data" / "no_remark_cases.tsv"


def labelled_cases() -> list[tuple[bool, str]]:
    rows = []
    for line in CASES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, text = line.split("\t", 1)
            rows.append((label == "1", text))
    return rows


def test_the_labelled_list_holds_both_kinds():
    cases = labelled_cases()
    assert sum(1 for label, _ in cases if label) >= 30 and sum(1 for label, _ in cases if not label) >= 30


@pytest.mark.parametrize(("expected", "text"), labelled_cases())
def test_each_labelled_comment(expected, text):
    assert is_no_remark(text) is expected


def test_no_remark_comments_are_counted_apart_neither_theme_nor_autres():
    photo = ["La photo est refusée", "photo refusée, format non accepté", "impossible d'envoyer la photo",
             "la photo ne passe pas", "photo trop lourde refusée", "envoi de la photo impossible"]
    address = ["adresse introuvable", "mon adresse n'est pas reconnue", "la rue n'est pas proposée",
               "adresse inconnue du formulaire", "impossible de trouver ma rue", "l'adresse proposée est fausse"]
    silent = ["RAS", "Rien à signaler", "ok merci", "👍", "Merci beaucoup, bonne journée", "aucune remarque"]
    texts = photo + address + silent
    result = find_themes(texts, backend="tfidf")
    assert result.no_remark == list(range(12, 18))
    assert all(result.assignments[i] is None for i in result.no_remark)
    assert result.noise_indices == [] and result.params["n_no_remark"] == 6 and result.params["n_noise"] == 0
    # Shares are of the comments that say something: the silent ones do not dilute them.
    assert sum(t.share for t in result.themes) == pytest.approx(1.0)
    for theme in result.themes:
        assert not set(theme.member_indices) & set(result.no_remark)
