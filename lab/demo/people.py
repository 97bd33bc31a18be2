"""Who takes part in a demo deployment, by which channel, when, and at what pace.

Participants come from the deployment's groups: people with a personal link first, then people
admitted by a group's shared link (`consume_shared`, counted in the link's uses), met at a kiosk,
or entered by a mediator (`assisted`, by the demo staff account).
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from lab.campaigns.groups import create_participant
from lab.campaigns.invitations import consume_shared
from lab.clock import LOCAL_TZ, iso, parse
from lab.demo.draws import sample_weighted, weighted
from lab.demo.stories import Story

P_ENGLISH = 0.11  # share of trials whose author writes in English
ASSISTED_VIA = {True: (("telephone", 4), ("guichet", 4), ("papier", 2)), False: (("guichet", 5), ("telephone", 4), ("papier", 1))}


@dataclass
class Slot:
    """One future trial: who, by which channel, when."""

    group_id: int
    group_name: str
    senior: bool
    digital: str | None
    channel: str
    start: datetime
    participant: dict | None = None  # an existing participant with a personal link
    invitation_id: int | None = None
    via: str | None = None  # mediator's channel
    shared_id: int | None = None  # shared link to come through
    english: bool = False
    fragile: float = 0.0


def _is_senior(group_name: str, profile: Mapping) -> bool:
    """Seniors are slower, ask for help more often and rarely write in English."""
    return group_name.startswith("Seniors") or profile.get("tranche_age") in ("65-74 ans", "75 ans et plus")


def _hour(rng: random.Random, slot: Slot) -> float:
    """Local hour of the day people of this kind take the test."""
    if slot.channel in ("assisted", "kiosk"):
        return rng.choice((9, 10, 10, 11, 14, 15, 15, 16)) + rng.random()
    if slot.senior:
        return rng.choice((9, 10, 10, 11, 14, 15, 16, 17, 18)) + rng.random()
    return rng.choice((7, 8, 12, 12, 13, 13, 17, 18, 19, 20, 20, 21, 21, 22)) + rng.random()


def _moment(rng: random.Random, slot: Slot, low: datetime, high: datetime) -> datetime:
    """An instant in [low, high], busier after the launch, at an hour that suits the channel."""
    base = low + (high - low) * (rng.random() ** 1.35)
    local = base.astimezone(LOCAL_TZ)
    day = local.date()
    if slot.channel in ("assisted", "kiosk") and day.weekday() >= 5:
        day -= timedelta(days=day.weekday() - 4)  # offices are closed at the weekend: the Friday before
    hour = _hour(rng, slot)
    moment = datetime(day.year, day.month, day.day, int(hour), int(hour % 1 * 60), rng.randint(0, 59), tzinfo=LOCAL_TZ)
    return moment if low <= moment <= high else base


def plan(db: Database, deployment: dict, story: Story, rng: random.Random, now: datetime) -> list[Slot]:
    """Who takes the test and when: people with a personal link, then newcomers by link, kiosk or mediator."""
    groups = {g["id"]: g["name"] for g in deployment["groups"]}
    personal = list(db.query(
        """SELECT p.id, p.code, p.profile, p.group_id, p.joined_via, i.id AS invitation_id FROM invitations i
           JOIN participants p ON p.id = i.participant_id
           WHERE i.deployment_id = ? AND i.kind = 'personal' AND i.revoked_at IS NULL ORDER BY p.id""",
        [deployment["id"]],
    ))
    shared = {row["group_id"]: row["id"] for row in db.query(
        "SELECT id, group_id FROM invitations WHERE deployment_id = ? AND kind = 'shared' AND revoked_at IS NULL ORDER BY id",
        [deployment["id"]])}
    taking = rng.sample(personal, min(len(personal), round(story.returning * len(personal)), story.trials))
    slots = []
    for person in taking:
        profile = json.loads(person["profile"] or "{}")
        name = groups[person["group_id"]]
        slots.append(Slot(person["group_id"], name, _is_senior(name, profile), profile.get("aisance_numerique"), "online",
                          now, participant=person, invitation_id=person["invitation_id"]))
    newcomers = story.trials - len(slots)
    kiosk = min(story.kiosk, newcomers)
    assisted_new = min(story.assisted // 2, newcomers - kiosk)
    group_weights = [(gid, 1.0 if name.startswith("Seniors") else 2.0) for gid, name in groups.items()]
    for index in range(newcomers):
        channel = "kiosk" if index < kiosk else "assisted" if index < kiosk + assisted_new else "online"
        if channel == "online" and len(groups) > 1:
            group_id = weighted(rng, group_weights)
        elif channel != "online":
            group_id = weighted(rng, [(gid, 3.0 if name.startswith("Seniors") else 1.0) for gid, name in groups.items()])
        else:
            group_id = next(iter(groups))
        if channel == "online" and group_id not in shared:
            channel = "assisted"
        slot = Slot(group_id, groups[group_id], groups[group_id].startswith("Seniors"), None, channel, now)
        if channel == "online":
            slot.shared_id = shared[group_id]
        slots.append(slot)
    # Mediators also help people who had a personal link: seniors and the less at ease first.
    wanted = story.assisted - sum(1 for s in slots if s.channel == "assisted")
    candidates = sorted((s for s in slots if s.participant is not None),
                        key=lambda s: (not s.senior, s.digital != "faible", rng.random()))
    for slot in candidates[:max(0, wanted)]:
        slot.channel, slot.invitation_id = "assisted", None
    for slot in slots:
        if slot.channel == "assisted":
            slot.via = weighted(rng, ASSISTED_VIA[slot.senior])
    # About one participant in nine writes in English (rarely a senior, never through a mediator).
    writers = [s for s in slots if s.channel != "assisted"]
    weights = [0.3 if s.senior else 1.0 for s in writers]
    for slot in sample_weighted(rng, writers, weights, round(P_ENGLISH * len(slots))):
        slot.english = True
    # Past only, and finished well before the test closed (steps are refused after closing).
    low = parse(deployment["opens_at"]) + timedelta(minutes=40)
    high = min(parse(deployment["closes_at"]), now) - timedelta(hours=3)
    for slot in slots:
        slot.start = _moment(rng, slot, low, high)
        slot.fragile = rng.random() + 0.3 * slot.senior + 0.15 * (slot.digital == "faible") - 0.25 * (slot.channel == "assisted")
    slots.sort(key=lambda s: s.start)
    return slots


def person(db: Database, slot: Slot) -> dict:
    """The participant of a slot, created the way the journey would for a newcomer."""
    if slot.participant is not None:
        return dict(slot.participant)
    if slot.shared_id is not None:
        made = consume_shared(db, invitation_id=slot.shared_id, now=slot.start)
        slot.invitation_id = slot.shared_id
    else:
        made = create_participant(db, group_id=slot.group_id)
    db.execute("UPDATE participants SET created_at = ? WHERE id = ?", [iso(slot.start - timedelta(seconds=40)), made["id"]])
    return {"id": made["id"], "code": made["code"], "joined_via": slot.shared_id}


def speed(slot: Slot) -> float:
    """How much slower (or faster) than an at-ease participant this person goes."""
    factor = 1.6 if slot.senior else 1.0
    factor *= {"faible": 1.35, "forte": 0.85}.get(slot.digital or "", 1.0)
    if slot.channel == "assisted":
        factor *= {"telephone": 1.5, "guichet": 1.2, "papier": 0.7}[slot.via]
    elif slot.channel == "kiosk":
        factor *= 1.15
    return factor
