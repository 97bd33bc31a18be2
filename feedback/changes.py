""""Ce qui a changé grâce à vous": what the iteration after the one a participant tested changed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlite_utils import Database

from prototypes.store import next_iteration

#: The titles of the redesign actions an iteration delivered (offered by the theme analysis, wired by the shell).
DeliveredActions = Callable[[Database, int], list[str]]


@dataclass(frozen=True)
class Changes:
    """The next version's number, its changelog as paragraphs and lists, and the actions it delivered."""

    number: int
    blocks: list[tuple[str, object]]
    delivered: list[str]


def changelog_blocks(changelog: str) -> list[tuple[str, object]]:
    """A changelog as staff wrote it: paragraphs, and lists where every line starts with a dash or a bullet."""
    blocks: list[tuple[str, object]] = []
    for paragraph in changelog.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
        if lines and all(line[:1] in "-*•" for line in lines):
            blocks.append(("list", [line[1:].strip() for line in lines]))
        elif lines:
            blocks.append(("text", " ".join(lines)))
    return blocks


def changes_after(db: Database, iteration: Mapping, *, delivered_actions: DeliveredActions) -> Changes | None:
    """The next iteration's changes, once that iteration has been put in front of citizens with a changelog."""
    following = next_iteration(db, iteration)
    if not following or not following["frozen_at"] or not following["changelog"].strip():
        return None
    return Changes(following["number"], changelog_blocks(following["changelog"]),
                   delivered_actions(db, following["id"]))
