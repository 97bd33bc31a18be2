"""Demo trials and comments: a few hundred citizens play the demo prototypes, telling their stories.

`demo_trials` is a step of `lab.demo.loader.DEMO_STEPS`. For each demo deployment that has a
story (`lab.demo.stories`) and no trial yet, it plays citizens through the iteration with the
store functions the journey uses (`create_trial`, `enter_step`, `record_errors`, `save_step`,
`save_comment`, `save_responses`), at past instants inside the deployment's window, so that every
report reads data the app could have recorded.

Choices, so that the data stays something the app can produce:

- The questionnaire is answered only by people who finished (the journey offers it only then);
  people who stopped speak through the comments of the steps they validated.
- A step comment is saved with the step (`save_step` then `save_comment`), as the form does: a
  step nobody validated carries no comment.
- Everything random comes from the `rng` handed to the step; participant codes (made by
  `secrets`) are the only thing that differs between two loads.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlite_utils import Database

from feedback import store
from feedback.pii import scan
from lab.campaigns.deployments import get_deployment, state
from lab.clock import utcnow
from lab.demo.answers import Answers
from lab.demo.catalogue import DEPLOYMENTS
from lab.demo.draws import weighted
from lab.demo.people import Slot, person, plan, speed
from lab.demo.stories import STORIES, ErrorRule, Story
from lab.demo.voices import NOISE, PRAISE, Voices
from prototypes.spec import Spec, Step
from prototypes.spec_yaml import parse_spec

#: Chance of a step comment: on a visit with errors, with friction, slow, or smooth.
P_COMMENT_ERROR = 0.55
P_COMMENT_ISSUE = 0.5
P_COMMENT_SMOOTH = 0.23
P_QUESTIONNAIRE = 0.93  # among those who finished (the others closed the tab)
P_FREE_TEXT = 0.88


@dataclass
class Played:
    """What one trial went through, to answer its questionnaire coherently."""

    trial: dict
    completed: bool
    troubles: list[str] = field(default_factory=list)  # themes of steps that went wrong
    pleasures: list[str] = field(default_factory=list)  # themes of welcome changes noticed
    errors: int = 0
    end: datetime | None = None


def _seconds(rng: random.Random, median: float, factor: float) -> float:
    """A log-normal duration: most people near the median, a few much slower."""
    return max(4.0, median * factor * math.exp(rng.gauss(0, 0.45)))


def _step_values(step: Step, answers: Answers) -> tuple[list[str], Answers]:
    """A step's own fields and the answers to them, as the step form posts them."""
    own = [f.key for f in step.fields if f.type != "info"]
    return own, {key: answers[key] for key in own if key in answers}


def _play(db: Database, *, deployment: dict, spec: Spec, story: Story, slot: Slot, stop_at: str | None,
          voices: Voices, rng: random.Random, staff_id: int | None) -> Played:
    """One person through the steps with the journey's store functions, until the end or where they stop."""
    participant = person(db, slot)
    trial = store.create_trial(
        db, deployment=deployment, participant=participant, channel=slot.channel, now=slot.start,
        invitation_id=slot.invitation_id, assisted_by=staff_id if slot.channel == "assisted" else None,
        assisted_via=slot.via,
    )
    answers = story.answers(rng, {"start": slot.start})
    played = Played(trial, completed=False)
    pace = speed(slot)
    t = slot.start + timedelta(seconds=rng.uniform(3, 15))
    steps = spec.steps
    for index, step in enumerate(steps):
        stopping = step.key == stop_at
        store.enter_step(db, trial, step.key, now=t)
        if index and rng.random() < 0.05:  # back to the previous step to change an answer, then on again
            t += timedelta(seconds=rng.uniform(4, 20))
            previous = steps[index - 1]
            store.enter_step(db, trial, previous.key, now=t)
            t += timedelta(seconds=_seconds(rng, story.durations[previous.key] * 0.4, pace))
            own, values = _step_values(previous, answers)
            store.save_step(db, trial, step_key=previous.key, step_fields=own, index=index - 1, step_count=len(steps),
                            values=values, now=t)
            t += timedelta(seconds=rng.uniform(1, 3))
            store.enter_step(db, trial, step.key, now=t)
        errors = [rule for rule in story.errors if rule.step == step.key and (rule.when is None or rule.when(answers))
                  and rng.random() < (rule.p_stop if stopping else rule.p_pass)]
        _apply_errors(rng, errors, answers)  # before the issues: a photo given up after an error is no pleasure
        issues = [issue for issue in story.issues if issue.step == step.key and (issue.when is None or issue.when(answers))
                  and rng.random() < (issue.p_stop if stopping and issue.p_stop is not None else issue.p)]
        friction = any(i.penalty for i in issues)
        duration = _seconds(rng, story.durations[step.key], pace * (1.5 if friction else 1.0))
        own, values = _step_values(step, answers)
        if errors:
            attempts = rng.choices((1, 2, 3), weights=(6, 3, 1))[0]
            first = errors
            for attempt in range(attempts):
                t += timedelta(seconds=duration * (0.6 if attempt == 0 else 0.25))
                failing = first if attempt == 0 else [e for e in first if rng.random() < 0.5] or first[:1]
                store.record_errors(db, trial, step.key, [e.field for e in failing], now=t)
                store.keep_answers(db, trial, step_key=step.key, values={k: v for k, v in values.items()
                                                                           if k not in {e.field for e in failing}}, now=t)
                played.errors += len(failing)
            duration *= 0.4
        if stopping:
            return played  # the visit stays open: this is where the person stopped
        t += timedelta(seconds=duration)
        store.save_step(db, trial, step_key=step.key, step_fields=own, index=index, step_count=len(steps),
                        values=values, now=t)
        trial["progress"] = max(trial["progress"], index + 1)
        themes = [e.theme for e in errors] + [i.theme for i in issues]
        played.troubles += [e.theme for e in errors] + [i.theme for i in issues if i.penalty]
        played.pleasures += [i.theme for i in issues if not i.penalty]
        chance = P_COMMENT_ERROR if errors else P_COMMENT_ISSUE if issues else P_COMMENT_SMOOTH
        if rng.random() < chance:
            theme = rng.choice(themes) if themes else weighted(rng, story.ambient[step.key])
            text = voices.say(theme, english=slot.english, assisted=slot.channel == "assisted", step=step.key)
            store.save_comment(db, trial, step_key=step.key, comment=scan(text), source="step", now=t)
        t += timedelta(seconds=rng.uniform(1, 4))
    played.completed = True
    played.end = t
    return played


def _apply_errors(rng: random.Random, errors: list[ErrorRule], answers: Answers) -> None:
    """What people end up giving after the error (the accepted value is what the step keeps)."""
    for rule in errors:
        if rule.field == "photo":
            if rng.random() < 0.5:
                answers.pop("photo", None)  # gave up the photo
            else:
                answers["photo"] = {"filename": f"IMG_{rng.randint(1000, 9999)}_reduite.jpg", "size": rng.randint(600_000, 2_400_000)}
        elif rule.field == "justificatif":
            if rng.random() < 0.55:
                answers.pop("justificatif", None)
            else:
                answers["justificatif"] = {"filename": "attestation_caf_compresse.pdf", "size": rng.randint(300_000, 2_800_000)}
        elif rule.field == "quotient_familial" and rng.random() < 0.4:
            answers.pop("quotient_familial", None)
        elif rule.field == "date_constat" and "date_constat" in answers:
            answers["date_constat"] = answers["date_constat"][:8] + "01"  # a date made up to get through


# --- the questionnaire ------------------------------------------------------------------------


def _clip(value: float, low: int, high: int) -> int:
    """A scale answer: rounded and within the scale."""
    return max(low, min(high, round(value)))


def _questionnaire(played: Played, u: float, slot: Slot, options: Mapping, rng: random.Random) -> list[tuple[str, float, None]]:
    """Answers consistent with how it went (u: latent experience, 0 bad … 1 excellent)."""
    rows: list[tuple[str, float, None]] = []
    mood = u + rng.gauss(0, 0.07)
    satisfaction = 3 if mood > 0.665 else 1 if mood < 0.47 else 2
    help_p = 0.08 + 0.25 * slot.senior + 0.15 * (slot.digital == "faible") + 0.08 * min(played.errors, 3)
    help_needed = 1 if slot.channel == "assisted" and rng.random() < 0.85 or rng.random() < help_p else 0
    rows += [("satisfaction", satisfaction, None), ("ease", _clip(1 + 4 * u + rng.gauss(0, 0.55) - 0.15 * played.errors, 1, 5), None),
             ("clarity", _clip(1.2 + 3.8 * u + rng.gauss(0, 0.6), 1, 5), None), ("help_needed", help_needed, None)]
    if options.get("sus"):
        # Odd items agree with a good experience, even ones disagree; "use it often" is lower for a rare démarche.
        bias = {1: -0.45, 4: 0.2 * slot.senior, 7: 0.3, 10: 0.1 * slot.senior}
        for item in range(1, 11):
            centre = 1 + 4 * u if item % 2 else 5 - 4 * u
            rows.append((f"sus_{item}", _clip(centre + bias.get(item, 0) + rng.gauss(0, 0.6), 1, 5), None))
    if options.get("umux_lite"):
        rows += [("umux_1", _clip(1 + 6 * u + rng.gauss(0, 0.7), 1, 7), None),
                 ("umux_2", _clip(1 + 6 * u + rng.gauss(0, 0.7) - 0.2 * played.errors, 1, 7), None)]
    return rows


def _free_text(played: Played, satisfaction: int, story: Story, slot: Slot, voices: Voices, rng: random.Random) -> str:
    """The overall comment: praise when it went well, else what went wrong (sometimes both)."""
    complaints = list(dict.fromkeys(played.troubles)) or [None]
    if rng.random() < 0.045:
        return voices.say(NOISE, english=slot.english, assisted=False)
    if satisfaction == 3 and rng.random() < 0.6:
        first = played.pleasures[0] if played.pleasures and rng.random() < 0.35 else PRAISE
    else:
        first = rng.choice(complaints) if complaints[0] and rng.random() < 0.7 else weighted(rng, story.general)
    text = voices.say(first, english=slot.english, assisted=slot.channel == "assisted")
    if rng.random() < 0.15:  # a second remark in the same box
        second = weighted(rng, story.general) if first == PRAISE else PRAISE if satisfaction > 1 else weighted(rng, story.general)
        if second != first:
            more = voices.say(second, english=slot.english, assisted=False)
            if slot.english:
                joiner = rng.choice((" But ", "\n")) if first == PRAISE else rng.choice((" Otherwise, ", "\n"))
            elif first == PRAISE:
                joiner = rng.choice((" Par contre, ", " Mais ", " Seul bémol : ", "\n"))
            elif second == PRAISE:
                joiner = rng.choice((" À part ça, ", " Sinon, ", "\n"))
            else:
                joiner = rng.choice((" Et ", " Autre chose : ", "\n"))
            if joiner != "\n" and not more[:2].isupper():
                more = more[0].lower() + more[1:]
            end = "" if text.rstrip()[-1:] in ".!?)" else "."
            text = f"{text.rstrip()}{end}{joiner}{more}"
    return text


def _experience(played: Played, slot: Slot, rng: random.Random) -> float:
    """Latent experience before centring: worse with each trouble, for seniors a little too."""
    return (rng.gauss(0, 0.13) - 0.05 * min(len(played.troubles), 4) - 0.02 * min(played.errors, 3)
            + 0.025 * len(played.pleasures) - 0.025 * slot.senior + (0.03 if not played.troubles else 0))


# --- the step ---------------------------------------------------------------------------------


def _stops(story: Story, slots: list[Slot], rng: random.Random) -> dict[int, str]:
    """Who stops where: the most fragile people, on steps drawn from the story's counts."""
    where = [step for step, count in story.stops.items() for _ in range(count)]
    rng.shuffle(where)
    fragile = sorted(range(len(slots)), key=lambda i: -slots[i].fragile)[: len(where)]
    return dict(zip(fragile, where))


def fill_deployment(db: Database, deployment_id: int, story: Story, rng: random.Random, *, now: datetime | None = None) -> int:
    """Play the story's trials on a deployment (inside the caller's write); returns how many."""
    now = now or utcnow()
    deployment = get_deployment(db, deployment_id)
    iteration_id = deployment["variants"][0]["iteration_id"]
    spec = parse_spec(db.execute("SELECT spec_yaml FROM iterations WHERE id = ?", [iteration_id]).fetchone()[0])
    staff = db.execute("SELECT id FROM users WHERE role = 'staff' ORDER BY id LIMIT 1").fetchone()
    slots = plan(db, deployment, story, rng, now)
    stops = _stops(story, slots, rng)
    voices = Voices(story.bank, rng)
    finished: list[tuple[Played, Slot, float]] = []
    for index, slot in enumerate(slots):
        played = _play(db, deployment=deployment, spec=spec, story=story, slot=slot, stop_at=stops.get(index),
                       voices=voices, rng=rng, staff_id=staff[0] if staff else None)
        if played.completed and rng.random() < (P_QUESTIONNAIRE if slot.channel != "kiosk" else 0.8):
            finished.append((played, slot, _experience(played, slot, rng)))
    if not finished:
        return len(slots)
    shift = story.quality - sum(e for *_rest, e in finished) / len(finished)
    for played, slot, raw in finished:
        u = min(0.98, max(0.04, raw + shift))
        rows = _questionnaire(played, u, slot, deployment["questionnaire"], rng)
        when = played.end + timedelta(seconds=rng.uniform(15, 40) * speed(slot))
        store.save_responses(db, played.trial, rows, now=when)
        if rng.random() < P_FREE_TEXT:
            text = _free_text(played, int(rows[0][1]), story, slot, voices, rng)
            store.save_comment(db, played.trial, step_key=None, comment=scan(text), source="questionnaire",
                               now=when + timedelta(seconds=1))
    return len(slots)


def demo_trials(db: Database, settings: object, info: object, rng: random.Random) -> None:
    """Demo step: trials and comments on every demo deployment that has a story and no trial yet."""
    # On the hour, like the deployments' dates: two loads within the same hour are identical.
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    for title, slug, number, *_rest in DEPLOYMENTS:
        story = STORIES.get((slug, number))
        row = db.execute("SELECT id FROM deployments WHERE title = ?", [title]).fetchone()
        seed = rng.getrandbits(64)  # drawn for every deployment, so one's data does not depend on another's
        if story is None or row is None or db["trials"].count_where("deployment_id = ?", [row[0]]):
            continue
        if state(get_deployment(db, row[0]), now) == "scheduled":
            continue
        fill_deployment(db, row[0], story, random.Random(seed), now=now)
