"""Building small iterations with known figures for the report tests, through the feedback store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from feedback import store
from lab.clock import utcnow
from lab.db import write
from lab.deployments import DeploymentForm, create_deployment, form_time, get_deployment
from lab.groups import add_participants, create_group, list_participants
from lab.invitations import generate_personal
from prototypes import EXAMPLES_DIR
from prototypes.store import create_prototype, new_iteration

VOIRIE = (EXAMPLES_DIR / "voirie.yaml").read_text(encoding="utf-8")
STEPS = ("lieu", "nature", "constat", "contact")
FIELDS = {"lieu": ["adresse", "repere"], "nature": ["categorie", "description", "danger"], "constat": ["date_constat"],
          "contact": ["courriel"]}
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)



@dataclass
class Pilot:
    """A prototype with its iterations, one test group, and one deployment per iteration."""

    prototype_id: int
    iterations: list[int]
    group_id: int
    deployments: list[int]
    participants: list[dict]
    used: set = field(default_factory=set)

    def next_participant(self) -> dict:
        for person in self.participants:
            if person["id"] not in self.used:
                self.used.add(person["id"])
                return person
        raise AssertionError("not enough participants: make the pilot bigger")


def make_pilot(db, *, iterations: int = 1, people: int = 40, user_id: int | None = None, group: str = "Habitants du centre",
               spec: str = VOIRIE) -> Pilot:
    """A voirie prototype with `iterations` versions, each deployed to the same group."""
    now = utcnow()
    with write(db):
        prototype_id, first = create_prototype(db, spec_yaml=spec, user_id=user_id, changelog="v1")
        ids = [first]
        for n in range(1, iterations):
            ids.append(new_iteration(db, prototype_id=prototype_id, user_id=user_id, changelog=f"v{n + 1}"))
        group_id = create_group(db, name=group, description="", user_id=user_id)
        add_participants(db, group_id=group_id, count=people)
        deployments = []
        for n, iteration_id in enumerate(ids, start=1):
            form = DeploymentForm(title=f"Test v{n}", iteration_a=str(iteration_id), group_ids=(str(group_id),),
                                  opens_at=form_time(now - timedelta(days=30)), closes_at=form_time(now + timedelta(days=30)),
                                  sus=True, umux_lite=True)
            deployment_id = create_deployment(db, form=form, user_id=user_id, now=now - timedelta(days=31))
            deployments.append(deployment_id)
    participants = sorted(list_participants(db, group_id), key=lambda p: p["id"])
    return Pilot(prototype_id, ids, group_id, deployments, participants)


def invite_all(db, pilot: Pilot, index: int, secret: str = "s" * 40) -> int:
    with write(db):
        return generate_personal(db, deployment_id=pilot.deployments[index], secret_key=secret, now=utcnow())


def add_trial(
    db, pilot: Pilot, index: int = 0, *, reached: int = 4, seconds: tuple[int, ...] = (60, 60, 60, 60),
    errors: dict | None = None, answers: dict | None = None, comments: dict | None = None,
    channel: str = "online", assisted_by: int | None = None, start: datetime = T0, participant: dict | None = None,
) -> int:
    """One trial of iteration `index`: `reached` steps validated (4 = completed), each taking `seconds`.

    An unfinished trial also enters the next step and leaves it open. `errors` maps step to
    field names shown an error; `answers` are questionnaire numbers; `comments` maps step (or
    None for the overall one) to text.
    """
    person = participant or pilot.next_participant()
    deployment = get_deployment(db, pilot.deployments[index])
    with write(db):
        trial = store.create_trial(db, deployment=deployment, participant=person, channel=channel, now=start,
                                   assisted_by=assisted_by, assisted_via="telephone" if channel == "assisted" else None)
        moment = start
        for i, step in enumerate(STEPS[: min(reached + 1, len(STEPS))]):
            store.enter_step(db, trial, step, now=moment)
            if step in (errors or {}):
                store.record_errors(db, trial, step, errors[step], now=moment)
            if i < reached:
                moment += timedelta(seconds=seconds[i])
                trial = store.get_trial(db, trial["id"])
                store.save_step(db, trial, step_key=step, step_fields=FIELDS[step], index=i, step_count=len(STEPS),
                                values={}, now=moment)
        trial = store.get_trial(db, trial["id"])
        for step, text in (comments or {}).items():
            store.save_comment(db, trial, step_key=step, text=text, source="step" if step else "questionnaire", now=moment)
        if answers:
            store.save_responses(db, trial, [(key, float(value), None) for key, value in answers.items()], now=moment)
    return trial["id"]


def sus_answers(score_items: list[int]) -> dict:
    return {f"sus_{i}": value for i, value in enumerate(score_items, start=1)}


GOOD = {"satisfaction": 3, "ease": 5, "clarity": 4, "help_needed": 0, **sus_answers([5, 1, 5, 1, 5, 1, 5, 1, 5, 1])}
POOR = {"satisfaction": 1, "ease": 2, "clarity": 3, "help_needed": 1, **sus_answers([3] * 10)}


def improving_pilot(db, user_id: int) -> Pilot:
    """v1: 10 trials, half completed; v2: 12 trials, all completed and happier."""
    pilot = make_pilot(db, iterations=2, people=30, user_id=user_id)
    invite_all(db, pilot, 1)
    for i in range(10):
        add_trial(db, pilot, 0, reached=4 if i < 5 else 1, answers=POOR if i < 5 else None,
                  errors={"lieu": ["adresse"]} if i % 2 else None)
    for i in range(12):
        add_trial(db, pilot, 1, answers=GOOD, comments={"nature": "La liste des catégories est claire"} if i < 3 else None)
    return pilot
