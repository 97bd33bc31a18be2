"""The citizen journey's rules, pure: which page a participant may see, and what a submission does.

A route reads the participant's `Position` (the test's state, the spec's steps, the trial), asks
one of these functions, and carries the decision out: store calls, then a page or a redirect.
Nothing here knows HTTP or the database, so every transition is tested directly.

    before consent ──consent──> step i (0 ≤ i ≤ progress) ──last step──> questionnaire page p ──last page──> thanks

Going back to any step or questionnaire page already reached is allowed; further on leads to the
current one. The questionnaire has one page on a phone's scale (the JDMA questions and the free
text), then one for the standard scales (SUS, UMUX-Lite) when the deployment asks them. A test
that is not open stops steps and questionnaire; its thanks page stays, and someone who took part
meets a "closed" page telling what changed since.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

ENTRY = "/take"
QUESTIONNAIRE = "/take/questionnaire"
THANKS = "/take/merci"
STEP = "/take/etape/"


def questionnaire_url(page: int) -> str:
    """The first page at /take/questionnaire, the next ones at /take/questionnaire/2, /3…"""
    return QUESTIONNAIRE if page == 0 else f"{QUESTIONNAIRE}/{page + 1}"


@dataclass(frozen=True)
class Go:
    """Send the participant to `url`; `step` is the index of the step it shows, if any (htmx swaps it in)."""

    url: str
    step: int | None = None


@dataclass(frozen=True)
class Show:
    """Render `page` ("welcome", "step", "questionnaire" or "thanks"); `index` is the step's or the questionnaire page's."""

    page: str
    index: int | None = None


@dataclass(frozen=True)
class Unavailable:
    """The test cannot be taken: `reason` names the page; `changes` adds what changed since (for those who took part)."""

    reason: str
    changes: bool = False


@dataclass(frozen=True)
class NoSuchStep:
    """The address names no step of this prototype (or no page of its questionnaire)."""


@dataclass(frozen=True)
class AskAgain:
    """Keep what was valid and show the form again, with its errors or asking to confirm personal data.

    `count_errors`: the errors are new (first use of the form key), so the step statistics count them.
    """

    errors: bool
    count_errors: bool = False


@dataclass(frozen=True)
class Save:
    """Accept the submission: store it, settle its form key with `then.url` (a replay goes there too), go on."""

    then: Go


@dataclass(frozen=True)
class Position:
    """Where a participant stands: the test's state now, the spec's step keys, and their trial's progress."""

    state: str  # "scheduled", "open" or "closed"
    steps: tuple[str, ...]
    started: bool = False  # consent given: a trial exists
    progress: int = 0  # index of the first step not yet validated (the step count once all are)
    completed: bool = False  # every step validated
    answered: bool = False  # questionnaire sent, every page of it
    open_step: str | None = None  # the step entered and not yet validated, if any
    questionnaire_pages: int = 1  # how many pages the deployment's questionnaire has
    pages_sent: int = 0  # questionnaire pages already sent, in order

    @classmethod
    def of(cls, trial: Mapping | None, *, state: str, steps: Sequence[str], open_step: str | None = None,
           questionnaire_pages: int = 1, pages_sent: int = 0) -> Position:
        """Read from a trial row, or None before consent."""
        if trial is None:
            return cls(state, tuple(steps), questionnaire_pages=questionnaire_pages)
        return cls(state, tuple(steps), started=True, progress=trial["progress"], completed=bool(trial["completed_at"]),
                   answered=bool(trial["questionnaire_at"]), open_step=open_step,
                   questionnaire_pages=questionnaire_pages, pages_sent=pages_sent)

    def index(self, key: str) -> int | None:
        """The position of a step in the spec, or None when there is no such step."""
        return self.steps.index(key) if key in self.steps else None

    def step_url(self, index: int) -> str:
        return STEP + self.steps[index]

    @property
    def questionnaire_page(self) -> int:
        """The questionnaire page to be at: the first one not sent yet."""
        return min(self.pages_sent, self.questionnaire_pages - 1)

    @property
    def current(self) -> int:
        """The step to be at: one left unfinished (even after going back), else the first one to do."""
        progress = min(self.progress, len(self.steps) - 1)
        entered = self.index(self.open_step) if self.open_step else None
        return entered if entered is not None and entered <= progress else progress

    def go(self, url: str) -> Go:
        """Where a stored outcome leads, knowing whether it is a step."""
        return Go(url, self.index(url.removeprefix(STEP)) if url.startswith(STEP) else None)

    def after(self, index: int) -> Go:
        """Where validating a step leads: the next step, or the questionnaire after the last one."""
        return self.go(self.step_url(index + 1) if index + 1 < len(self.steps) else QUESTIONNAIRE)


# --- pages -----------------------------------------------------------------------------------


def entry(position: Position) -> Go | Show | Unavailable:
    """The participant's entry point: welcome and consent, or back to where they were."""
    if not position.started:
        if position.state != "open":
            return Unavailable("closed" if position.state == "closed" else "not_open_yet")
        return Show("welcome")
    if position.answered:
        return Go(THANKS)
    if position.state != "open":
        return Unavailable("closed", changes=True)
    if position.completed:
        return Go(questionnaire_url(position.questionnaire_page))
    return Go(position.step_url(position.current) + "?reprise=1", position.current)


def _gate(position: Position) -> Go | None:
    """Steps and questionnaire need a consented, unanswered trial in an open test."""
    if not position.started or position.state != "open":
        return Go(ENTRY)
    if position.answered:
        return Go(THANKS)
    return None


def step(position: Position, key: str) -> Go | Show | NoSuchStep:
    """A step, to see or to send: any step up to the progress made; further on, back to the current one."""
    if stop := _gate(position):
        return stop
    index = position.index(key)
    if index is None:
        return NoSuchStep()
    if index > position.progress:
        return position.go(position.step_url(position.current))
    return Show("step", index)


def questionnaire(position: Position, page: int = 0) -> Go | Show | NoSuchStep:
    """A questionnaire page, to see or to send, once every step is done and the pages before it are sent."""
    if stop := _gate(position):
        return stop
    if not 0 <= page < position.questionnaire_pages:
        return NoSuchStep()
    if not position.completed:
        return position.go(position.step_url(position.current))
    if page > position.questionnaire_page:
        return Go(questionnaire_url(position.questionnaire_page))
    return Show("questionnaire", page)


def thanks(position: Position) -> Go | Show:
    """Thanks, and later what changed, for whoever sent the questionnaire, even after the test closed."""
    return Show("thanks") if position.answered else Go(ENTRY)


# --- submissions -----------------------------------------------------------------------------


def consent(position: Position, *, agreed: bool) -> Go | AskAgain | Save:
    """An explicitly ticked box starts the trial in an open test; nothing is recorded before."""
    if position.started or position.state != "open":
        return Go(ENTRY)
    if not agreed:
        return AskAgain(errors=True)
    return Save(position.go(position.step_url(0)))


def _sent(
    position: Position, then: Go, *, settled: str | None, first_try: bool, invalid: bool, personal_data: bool,
    confirmed: bool,
) -> Go | AskAgain | Save:
    if settled is not None:
        return position.go(settled)  # a double click or a retry: already recorded, go where it went
    if invalid:
        return AskAgain(errors=True, count_errors=first_try)
    if personal_data and not confirmed:
        return AskAgain(errors=False)
    return Save(then)


def step_sent(
    position: Position, index: int, *, settled: str | None, first_try: bool, invalid: bool, personal_data: bool,
    confirmed: bool,
) -> Go | AskAgain | Save:
    """A step `step()` let through was sent: `settled` is where an accepted earlier use of its form key led."""
    return _sent(position, position.after(index), settled=settled, first_try=first_try, invalid=invalid,
                 personal_data=personal_data, confirmed=confirmed)


def questionnaire_sent(
    position: Position, page: int = 0, *, settled: str | None, invalid: bool, personal_data: bool, confirmed: bool
) -> Go | AskAgain | Save:
    """A questionnaire page `questionnaire()` let through was sent; accepted, it leads to the next page or, after
    the last, to the thanks (errors are not counted)."""
    last = page + 1 >= position.questionnaire_pages
    then = Go(THANKS) if last else Go(questionnaire_url(page + 1))
    return _sent(position, then, settled=settled, first_try=False, invalid=invalid, personal_data=personal_data,
                 confirmed=confirmed)
