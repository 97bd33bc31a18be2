"""Refused form input, the same way in every domain: all problems at once, each tied to its form field."""

from __future__ import annotations


class FormRefused(ValueError):
    """Refused input: (form field, message) pairs, shown together in a summary and next to their fields."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(" ".join(message for _field, message in problems))
        self.problems = problems
