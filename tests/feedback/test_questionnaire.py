"""The questionnaire's pages and what each accepts, without HTTP."""

from __future__ import annotations

from feedback.questionnaire import pages, pages_sent, validate

JDMA = ["satisfaction", "ease", "clarity", "help_needed"]


def test_the_core_questions_come_first_and_sus_gets_a_page_of_its_own():
    assert [p.keys for p in pages({})] == [JDMA]
    with_umux = pages({"umux_lite": True})
    assert [p.keys for p in with_umux] == [JDMA + ["umux_1", "umux_2"]] and with_umux[0].free_text
    both = pages({"sus": True, "umux_lite": True})
    assert [p.keys for p in both] == [JDMA + ["umux_1", "umux_2"], [f"sus_{n}" for n in range(1, 11)]]
    assert [p.free_text for p in both] == [True, False]


def test_pages_count_as_sent_in_order_once_every_question_is_answered():
    options = {"sus": True}
    assert pages_sent(options, []) == 0
    assert pages_sent(options, JDMA[:3]) == 0
    assert pages_sent(options, JDMA) == 1
    assert pages_sent(options, JDMA + [f"sus_{n}" for n in range(1, 11)]) == 2
    assert pages_sent(options, [f"sus_{n}" for n in range(1, 11)]) == 0  # the first page first


def test_a_page_checks_only_its_own_questions_and_names_them_in_errors():
    first, second = pages({"sus": True})
    result = validate(first, {"satisfaction": ["3"], "ease": ["9"], "free_text": ["  Trop long  "]})
    assert [(e.field, e.text, e.label) for e in result.errors] == [
        ("ease", "Choisissez une réponse.", "Cette démarche a-t-elle été facile à réaliser ?"),
        ("clarity", "Choisissez une réponse.", "Les textes et le vocabulaire vous ont-ils semblé clairs ?"),
        ("help_needed", "Choisissez une réponse.", "Avez-vous eu besoin d'aide ?"),
    ]
    assert result.rows == [("satisfaction", 3.0, None)] and result.values["free_text"] == "Trop long"
    sus = validate(second, {f"sus_{n}": ["3"] for n in range(1, 11)} | {"free_text": ["ignoré"]})
    assert sus.ok and len(sus.rows) == 10 and "free_text" not in sus.values
