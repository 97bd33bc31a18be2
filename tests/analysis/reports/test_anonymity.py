"""k-anonymity of published rows: no combination of quasi-identifiers shared by fewer than k rows."""

from __future__ import annotations

from collections import Counter

from analysis.reports.anonymity import k_anonymise

QI = ("groupe", "canal", "mois")


def rows(*specs: tuple[str, str, str, int]) -> list[dict]:
    made = []
    for groupe, canal, mois, count in specs:
        made += [{"groupe": groupe, "canal": canal, "mois": mois, "sus": 50 + len(made)} for _ in range(count)]
    return made


def combinations(published: list[dict]) -> Counter:
    return Counter(tuple(row[c] for c in QI) for row in published)


def test_common_values_whose_combination_is_rare_are_not_published_as_such():
    # Every value is shared by at least 5 rows, yet one person is alone in ("Seniors", "borne", "2026-04").
    data = rows(("Seniors", "web", "2026-03", 5), ("Habitants", "borne", "2026-04", 5), ("Seniors", "borne", "2026-04", 1),
                ("Habitants", "web", "2026-03", 6))
    published = k_anonymise(data, QI, 5)
    assert min(combinations(published).values()) >= 5
    assert ("Seniors", "borne", "2026-04") not in combinations(published)
    assert len(published) == 16  # the lone person is withheld, everyone else is kept as they were
    assert combinations(published) == Counter({("Seniors", "web", "2026-03"): 5, ("Habitants", "borne", "2026-04"): 5,
                                               ("Habitants", "web", "2026-03"): 6})


def test_rare_combinations_give_up_their_quasi_identifiers_in_order_before_rows_are_withheld():
    # Three small classes that, once their group is blank, share (web, 2026-03): 2 + 2 + 2 = 6 rows kept.
    data = rows(("A", "web", "2026-03", 2), ("B", "web", "2026-03", 2), ("C", "web", "2026-03", 2),
                ("D", "borne", "2026-04", 7))
    published = k_anonymise(data, QI, 5)
    assert len(published) == 13
    assert combinations(published) == Counter({(None, "web", "2026-03"): 6, ("D", "borne", "2026-04"): 7})


def test_a_value_rare_on_its_own_is_blanked_first_and_fewer_than_k_rows_publish_nothing():
    assert k_anonymise(rows(("A", "web", "2026-03", 4)), QI, 5) == []
    published = k_anonymise(rows(("A", "web", "2026-03", 9), ("rare", "web", "2026-03", 1)), QI, 5)
    assert combinations(published) == Counter({("A", "web", "2026-03"): 9})  # a lone blank row is no hiding place
