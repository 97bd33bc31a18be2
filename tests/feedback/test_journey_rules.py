"""The journey's rules, without HTTP or database: every page and every submission, edge cases included."""

import ast
from pathlib import Path

import pytest

from feedback import journey
from feedback.journey import (
    ENTRY,
    QUESTIONNAIRE,
    THANKS,
    AskAgain,
    Go,
    NoSuchStep,
    Position,
    Save,
    Show,
    Unavailable,
    consent,
    entry,
    questionnaire,
    questionnaire_sent,
    step,
    step_sent,
    thanks,
)

STEPS = ("lieu", "nature", "constat", "contact")


def at(progress: int = 0, *, state: str = "open", open_step: str | None = None, answered: bool = False) -> Position:
    """A consented trial that validated `progress` steps."""
    return Position(state, STEPS, started=True, progress=progress, completed=progress >= len(STEPS), answered=answered,
                    open_step=open_step)


NEW = Position("open", STEPS)
DONE = at(len(STEPS))
ANSWERED = at(len(STEPS), answered=True)


def sent(position: Position, index: int, **given) -> Go | AskAgain | Save:
    """A step submission: by default a first, valid one without personal data."""
    facts = {"settled": None, "first_try": True, "invalid": False, "personal_data": False, "confirmed": False} | given
    return step_sent(position, index, **facts)


def answered(position: Position, **given) -> Go | AskAgain | Save:
    facts = {"settled": None, "invalid": False, "personal_data": False, "confirmed": False} | given
    return questionnaire_sent(position, **facts)


# --- where the person stands ------------------------------------------------------------------


def test_a_position_is_read_from_the_trial_row_or_its_absence():
    assert Position.of(None, state="open", steps=list(STEPS)) == NEW
    trial = {"progress": 2, "completed_at": None, "questionnaire_at": None}
    assert Position.of(trial, state="closed", steps=STEPS, open_step="nature") == at(2, state="closed", open_step="nature")
    finished = {"progress": 4, "completed_at": "2026-03-02T10:00:00Z", "questionnaire_at": "2026-03-02T10:05:00Z"}
    assert Position.of(finished, state="open", steps=STEPS) == ANSWERED


@pytest.mark.parametrize(
    "position, current",
    [
        (NEW, 0),
        (at(2), 2),  # the first step not yet validated
        (at(2, open_step="lieu"), 0),  # went back to the first step and left it unfinished
        (at(2, open_step="constat"), 2),
        (at(1, open_step="contact"), 1),  # an open step further than the progress does not count
        (DONE, 3),  # every step done: the last one
    ],
)
def test_the_current_step(position, current):
    assert position.current == current


def test_addresses_and_what_follows_a_step():
    assert at(1).step_url(2) == "/take/etape/constat" and at(1).index("constat") == 2 and at(1).index("x") is None
    assert NEW.go("/take/etape/nature") == Go("/take/etape/nature", 1)
    assert NEW.go(QUESTIONNAIRE) == Go(QUESTIONNAIRE) and NEW.go("/take/etape/disparue") == Go("/take/etape/disparue")
    assert NEW.after(0) == Go("/take/etape/nature", 1)
    assert NEW.after(3) == Go(QUESTIONNAIRE)


# --- the entry point --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "position, decision",
    [
        (NEW, Show("welcome")),
        (Position("scheduled", STEPS), Unavailable("not_open_yet")),
        (Position("closed", STEPS), Unavailable("closed")),
        (at(0), Go("/take/etape/lieu?reprise=1", 0)),
        (at(2), Go("/take/etape/constat?reprise=1", 2)),
        (at(2, open_step="lieu"), Go("/take/etape/lieu?reprise=1", 0)),  # back where they left off
        (DONE, Go(QUESTIONNAIRE)),
        (ANSWERED, Go(THANKS)),
        (at(2, state="closed"), Unavailable("closed", changes=True)),  # took part, did not finish: what changed
        (at(4, state="closed"), Unavailable("closed", changes=True)),
        (at(4, state="closed", answered=True), Go(THANKS)),  # thanks stay after closing
    ],
)
def test_entry(position, decision):
    assert entry(position) == decision


# --- consent ----------------------------------------------------------------------------------


def test_consent_starts_the_trial_at_the_first_step():
    assert consent(NEW, agreed=True) == Save(Go("/take/etape/lieu", 0))


def test_an_unticked_box_asks_again_with_an_error():
    assert consent(NEW, agreed=False) == AskAgain(errors=True)


@pytest.mark.parametrize("position", [at(0), at(3), ANSWERED, Position("closed", STEPS), Position("scheduled", STEPS)])
def test_consent_twice_or_outside_an_open_test_goes_back_to_the_entry(position):
    assert consent(position, agreed=True) == Go(ENTRY)


# --- steps ------------------------------------------------------------------------------------


def test_steps_up_to_the_progress_may_be_seen_and_going_back_is_allowed():
    assert step(at(2), "lieu") == Show("step", 0)
    assert step(at(2), "nature") == Show("step", 1)
    assert step(at(2), "constat") == Show("step", 2)
    assert [step(DONE, key) for key in STEPS] == [Show("step", i) for i in range(4)]  # questionnaire not yet sent


def test_a_step_beyond_the_progress_leads_to_the_current_one():
    assert step(at(1), "contact") == Go("/take/etape/nature", 1)
    assert step(at(2, open_step="lieu"), "contact") == Go("/take/etape/lieu", 0)


def test_an_unknown_step_is_not_found():
    assert step(at(2), "paiement") == NoSuchStep()


@pytest.mark.parametrize(
    "position, decision",
    [
        (NEW, Go(ENTRY)),  # no consent yet
        (at(2, state="closed"), Go(ENTRY)),  # closed test, unfinished trial: the entry says it is closed
        (at(0, state="scheduled"), Go(ENTRY)),
        (ANSWERED, Go(THANKS)),  # nothing to change after the questionnaire
    ],
)
def test_steps_and_questionnaire_need_an_unanswered_trial_in_an_open_test(position, decision):
    assert step(position, "lieu") == decision
    assert step(position, "paiement") == decision  # the gate comes before the step's existence
    assert questionnaire(position) == decision


# --- sending a step ---------------------------------------------------------------------------


def test_a_valid_step_is_saved_and_leads_to_the_next_one_or_the_questionnaire():
    assert sent(at(0), 0) == Save(Go("/take/etape/nature", 1))
    assert sent(at(3), 3) == Save(Go(QUESTIONNAIRE))
    assert sent(at(3), 0) == Save(Go("/take/etape/nature", 1))  # after going back, on to the next step


def test_errors_keep_the_valid_answers_and_are_counted_once_per_form():
    assert sent(at(1), 1, invalid=True) == AskAgain(errors=True, count_errors=True)
    assert sent(at(1), 1, invalid=True, first_try=False) == AskAgain(errors=True, count_errors=False)
    assert sent(at(1), 1, invalid=True, personal_data=True) == AskAgain(errors=True, count_errors=True)


def test_personal_data_asks_for_confirmation_then_is_saved():
    assert sent(at(1), 1, personal_data=True) == AskAgain(errors=False)
    assert sent(at(1), 1, personal_data=True, confirmed=True) == Save(Go("/take/etape/constat", 2))
    assert sent(at(1), 1, personal_data=True, confirmed=True, first_try=False) == Save(Go("/take/etape/constat", 2))


def test_a_double_submission_goes_where_the_first_one_went():
    after_first = at(2)  # the first click already moved the progress on
    assert sent(after_first, 1, settled="/take/etape/constat", first_try=False) == Go("/take/etape/constat", 2)
    assert sent(DONE, 3, settled=QUESTIONNAIRE, first_try=False) == Go(QUESTIONNAIRE)
    # A replay is not validated again: what was recorded stands.
    assert sent(after_first, 1, settled="/take/etape/constat", first_try=False, invalid=True) == Go("/take/etape/constat", 2)


# --- questionnaire and thanks -----------------------------------------------------------------


def test_the_questionnaire_comes_only_after_every_step():
    assert questionnaire(at(3)) == Go("/take/etape/contact", 3)
    assert questionnaire(at(3, open_step="nature")) == Go("/take/etape/nature", 1)
    assert questionnaire(at(0)) == Go("/take/etape/lieu", 0)
    assert questionnaire(DONE) == Show("questionnaire", 0)


def test_sending_the_questionnaire():
    assert answered(DONE) == Save(Go(THANKS))
    assert answered(DONE, invalid=True) == AskAgain(errors=True)  # never counted: no step to count them on
    assert answered(DONE, personal_data=True) == AskAgain(errors=False)
    assert answered(DONE, invalid=True, personal_data=True) == AskAgain(errors=True)
    assert answered(DONE, personal_data=True, confirmed=True) == Save(Go(THANKS))
    assert answered(DONE, settled=THANKS, invalid=True) == Go(THANKS)  # a double click


PAGED = Position("open", STEPS, started=True, progress=4, completed=True, questionnaire_pages=2)


def test_the_questionnaire_pages_come_in_order_and_the_last_leads_to_the_thanks():
    second = Position("open", STEPS, started=True, progress=4, completed=True, questionnaire_pages=2, pages_sent=1)
    assert questionnaire(PAGED, 1) == Go("/take/questionnaire")  # the first page is not sent yet
    assert questionnaire(second, 1) == Show("questionnaire", 1) and questionnaire(second, 0) == Show("questionnaire", 0)
    assert questionnaire(second, 2) == NoSuchStep() and questionnaire(second, -1) == NoSuchStep()
    assert answered(PAGED) == Save(Go("/take/questionnaire/2"))
    assert questionnaire_sent(second, 1, settled=None, invalid=False, personal_data=False, confirmed=False) == Save(Go(THANKS))
    assert entry(PAGED) == Go("/take/questionnaire") and entry(second) == Go("/take/questionnaire/2")
    trial = {"progress": 4, "completed_at": "2026-03-02T10:00:00Z", "questionnaire_at": None}
    assert Position.of(trial, state="open", steps=STEPS, questionnaire_pages=2, pages_sent=1) == second


@pytest.mark.parametrize(
    "position, decision",
    [
        (ANSWERED, Show("thanks")),
        (at(4, state="closed", answered=True), Show("thanks")),
        (NEW, Go(ENTRY)),
        (at(2), Go(ENTRY)),
        (DONE, Go(ENTRY)),
    ],
)
def test_thanks_only_after_the_questionnaire(position, decision):
    assert thanks(position) == decision


def test_a_whole_journey_walks_through_every_page_once():
    position = NEW
    assert entry(position) == Show("welcome")
    decision = consent(position, agreed=True)
    position = at(0, open_step="lieu")
    for index, key in enumerate(STEPS):
        assert isinstance(decision, Save) and decision.then.step == index
        assert step(position, key) == Show("step", index)
        decision = sent(position, index)
        position = at(index + 1)
    assert decision == Save(Go(QUESTIONNAIRE)) and questionnaire(position) == Show("questionnaire", 0)
    assert answered(position) == Save(Go(THANKS))
    position = at(len(STEPS), answered=True)
    assert entry(position) == Go(THANKS) and thanks(position) == Show("thanks")


def test_the_rules_know_neither_http_nor_the_database():
    tree = ast.parse(Path(journey.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert imported <= {"__future__", "collections.abc", "dataclasses"}
