"""Staff patterns: linear-time matching, Python's meaning of \\w, clear refusals."""

import pytest

from prototypes.patterns import PatternError, compile_pattern, full_match, unicode_words


def test_a_catastrophic_pattern_answers_at_once_on_a_near_miss():
    # Python's re needs 2^n steps here (about a minute at n = 30); RE2 reads each character once.
    assert full_match(r"([A-Z0-9]+-?)+", "A" * 100_000 + "!") is False
    assert full_match(r"([A-Z0-9]+-?)+", "AB-12-C") is True


@pytest.mark.parametrize(("pattern", "text", "expected"), [
    (r"W\d{9}", "W123456789", True),
    (r"W\d{9}", "W12345678", False),
    (r"[\w ]+", "Hélène Lefèvre", True),  # accented letters are word characters, as in Python
    (r"\w+", "Ærø", True),
    (r"\W", "é", False),
    (r"[^\w]", " ", True),
    (r"[]a]+", "]a]", True),
    (r"[^]a]+", "bc", True),
    (r"\d{5}", "٣٤٥٦٧", False),  # digits of codes are ASCII
])
def test_patterns_keep_pythons_meaning(pattern, text, expected):
    assert full_match(pattern, text) is expected


def test_word_classes_are_spelled_for_re2():
    assert unicode_words(r"[\w-]+\W\w") == r"[\p{L}\p{N}_-]+[^\p{L}\p{N}_][\p{L}\p{N}_]"
    assert unicode_words(r"\\w") == r"\\w"  # an escaped backslash followed by w is not a class


def test_syntax_errors_say_where_and_backtracking_constructs_are_refused():
    with pytest.raises(PatternError) as caught:
        compile_pattern("[a-z")
    assert caught.value.position == 1
    for pattern in (r"(a)\1", "(?=a)b", "(?!a)b", "(?<=a)b"):
        with pytest.raises(PatternError) as caught:
            compile_pattern(pattern)
        assert caught.value.position is None
