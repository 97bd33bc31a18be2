"""Builders of test data, all made through the store functions the app itself uses.

- `make_lab`: an open deployment of the voirie prototype with personal links, for the journey;
- `make_pilot`: a prototype with iterations, one group and one deployment per iteration, then
  `add_trial` (a trial with steps, errors, answers and comments, for reports) or `add_comment` /
  `seed` (one trial per comment, for themes), and `hand_made_analysis` (themes decided by the test);
- `deployment_with_contact`: a session created through the staff form;
- `give_addresses`: e-mail addresses for participants, as staff would have typed them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from analysis.themes import jobs
from analysis.themes.analyses import get_analysis
from analysis.themes.clustering import Theme, ThemeResult
from analysis.themes.comments import iteration_comments
from analysis.themes.labels import LABEL_SEPARATOR
from feedback import store
from feedback.pii import scan
from lab.campaigns.deployments import DeploymentForm, create_deployment, form_time, get_deployment
from lab.campaigns.groups import add_participant, add_participants, create_group, list_participants, set_email
from lab.campaigns.invitations import SharedLinkForm, create_shared, generate_personal, list_invitations
from lab.clock import utcnow
from lab.db import write
from prototypes import EXAMPLES_DIR
from prototypes.store import create_prototype, freeze_iteration, new_iteration

VOIRIE = (EXAMPLES_DIR / "voirie.yaml").read_text(encoding="utf-8")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BASE = "http://testserver"
#: The voirie prototype's steps and the fields each one asks.
STEP_FIELDS = {"lieu": ["adresse", "repere"], "nature": ["categorie", "description", "danger"],
               "constat": ["date_constat"], "contact": ["courriel"]}
STEPS = tuple(STEP_FIELDS)


# --- an open test for the citizen journey ----------------------------------------------------------


@dataclass
class Lab:
    """An open deployment of the voirie prototype for a group of participants with personal links."""

    deployment_id: int
    iteration_id: int
    prototype_id: int
    group_id: int
    tokens: list[str]
    participants: list[dict]
    settings: object
    shared_token: str | None = None
    extra: dict = field(default_factory=dict)


def make_lab(db, settings, users=None, *, count=3, sus=True, umux_lite=False, quota="", opens_in=None, shared_uses=None) -> Lab:
    """`count` participants with personal links (and a shared link of `shared_uses` uses), opened yesterday."""
    now = utcnow()
    staff_id = users["staff"].id if users else None
    opens = now + opens_in if opens_in else now - timedelta(days=1)
    with write(db):
        prototype_id, iteration_id = create_prototype(db, spec_yaml=VOIRIE, user_id=staff_id)
        group_id = create_group(db, name="Habitants du centre", description="", user_id=staff_id)
        if count:
            add_participants(db, group_id=group_id, count=count)
        form = DeploymentForm(title="Signalement voirie", iteration_a=str(iteration_id), group_ids=(str(group_id),),
                              opens_at=form_time(opens), closes_at=form_time(now + timedelta(days=30)), quota=quota,
                              retention_days="180", sus=sus, umux_lite=umux_lite)
        deployment_id = create_deployment(db, form=form, user_id=staff_id, now=now - timedelta(days=2))
        generate_personal(db, deployment_id=deployment_id, secret_key=settings.secret_key, now=now)
        shared = None
        if shared_uses:
            shared = create_shared(db, deployment_id=deployment_id, form=SharedLinkForm(str(group_id), str(shared_uses)),
                                   secret_key=settings.secret_key, now=now)
    links = list_invitations(db, deployment_id, secret_key=settings.secret_key, base_url=BASE, now=now)
    personal = sorted((link for link in links if link["kind"] == "personal"), key=lambda link: link["participant_id"])
    shared_token = next((link["url"].rsplit("/t/", 1)[1] for link in links if link["id"] == shared), None)
    return Lab(deployment_id, iteration_id, prototype_id, group_id, [link["url"].rsplit("/t/", 1)[1] for link in personal],
               sorted(list_participants(db, group_id), key=lambda p: p["id"]), settings, shared_token)


# --- a pilot: iterations deployed to one group ----------------------------------------------------------


@dataclass
class Pilot:
    """A prototype with its iterations, one test group, and one deployment per iteration."""

    prototype_id: int
    iterations: list[int]
    group_id: int
    deployments: list[int]
    participants: list[dict]
    used: set = field(default_factory=set)
    turns: dict[int, int] = field(default_factory=dict)
    comments: dict[tuple[int, str], list[int]] = field(default_factory=dict)

    def next_participant(self) -> dict:
        """Someone who has not taken part in any iteration yet."""
        for person in self.participants:
            if person["id"] not in self.used:
                self.used.add(person["id"])
                return person
        raise AssertionError("not enough participants: make the pilot bigger")

    def next_tester(self, index: int) -> dict:
        """Someone who has not yet tested iteration `index` (the same people test every iteration)."""
        n = self.turns.get(index, 0)
        self.turns[index] = n + 1
        return self.participants[n]


def make_pilot(db, *, iterations: int = 1, people: int = 40, user_id: int | None = None, group: str = "Habitants du centre",
               spec: str = VOIRIE, freeze: bool = False, questionnaire: bool = True) -> Pilot:
    """A prototype with `iterations` versions, each deployed to the same group (and frozen, as testing does, if `freeze`)."""
    now = utcnow()
    with write(db):
        prototype_id, first = create_prototype(db, spec_yaml=spec, user_id=user_id, changelog="v1")
        ids = [first]
        for n in range(1, iterations):
            ids.append(new_iteration(db, prototype_id=prototype_id, user_id=user_id, changelog=f"Changements de la v{n + 1}."))
        group_id = create_group(db, name=group, description="", user_id=user_id)
        add_participants(db, group_id=group_id, count=people)
        deployments = []
        for n, iteration_id in enumerate(ids, start=1):
            form = DeploymentForm(title=f"Test v{n}", iteration_a=str(iteration_id), group_ids=(str(group_id),),
                                  opens_at=form_time(now - timedelta(days=30)), closes_at=form_time(now + timedelta(days=30)),
                                  sus=questionnaire, umux_lite=questionnaire)
            deployments.append(create_deployment(db, form=form, user_id=user_id, now=now - timedelta(days=31)))
            if freeze:
                freeze_iteration(db, iteration_id)
    participants = sorted(list_participants(db, group_id), key=lambda p: p["id"])
    return Pilot(prototype_id, ids, group_id, deployments, participants)


def theme_pilot(db, *, iterations: int = 2, people: int = 60, user_id: int | None = None) -> Pilot:
    """The pilot the theme tests share: two tested (frozen) voirie iterations, 60 people, satisfaction only."""
    return make_pilot(db, iterations=iterations, people=people, user_id=user_id, freeze=True, questionnaire=False)


def invite_all(db, pilot: Pilot, index: int, secret: str = "s" * 40) -> int:
    """Personal links for everyone in iteration `index`'s deployment; how many were made."""
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
                store.save_step(db, trial, step_key=step, step_fields=STEP_FIELDS[step], index=i, step_count=len(STEPS),
                                values={}, now=moment)
        trial = store.get_trial(db, trial["id"])
        for step, text in (comments or {}).items():
            store.save_comment(db, trial, step_key=step, comment=scan(text), source="step" if step else "questionnaire",
                               now=moment)
        if answers:
            store.save_responses(db, trial, [(key, float(value), None) for key, value in answers.items()], now=moment)
    return trial["id"]


def sus_answers(score_items: list[int]) -> dict:
    """The ten SUS answers as questionnaire keys."""
    return {f"sus_{i}": value for i, value in enumerate(score_items, start=1)}


SATISFIED = {"satisfaction": 3, "ease": 5, "clarity": 4, "help_needed": 0, **sus_answers([5, 1, 5, 1, 5, 1, 5, 1, 5, 1])}
DISSATISFIED = {"satisfaction": 1, "ease": 2, "clarity": 3, "help_needed": 1, **sus_answers([3] * 10)}


SUS_75 = sus_answers([4, 2, 4, 2, 4, 2, 4, 2, 4, 2])   # odd 3×5 + even 3×5 = 30 → 75
SUS_100 = sus_answers([5, 1, 5, 1, 5, 1, 5, 1, 5, 1])  # 40 → 100
SUS_50 = sus_answers([3] * 10)                         # 20 → 50


def constructed_pilot(db, user_id: int, people: int = 10) -> Pilot:
    """Six trials of the 4-step voirie prototype, worked out by hand in tests/analysis/reports/test_figures.py."""
    pilot = make_pilot(db, people=people, user_id=user_id)
    invite_all(db, pilot, 0)
    add_trial(db, pilot, seconds=(60, 120, 30, 30), answers={"satisfaction": 3, "ease": 4, "clarity": 5, "help_needed": 0, **SUS_75})
    add_trial(db, pilot, seconds=(30, 60, 30, 60), answers={"satisfaction": 3, "ease": 5, "clarity": 4, "help_needed": 0, **SUS_100})
    add_trial(db, pilot, seconds=(90, 60, 60, 30), answers={"satisfaction": 2, "ease": 3, "clarity": 3, "help_needed": 1, **SUS_50})
    add_trial(db, pilot, seconds=(120, 120, 60, 60), channel="assisted", assisted_by=user_id,
              answers={"satisfaction": 1, "ease": 2, "clarity": 2, "help_needed": 1, **SUS_50})
    add_trial(db, pilot, reached=1, errors={"lieu": ["adresse"]}, comments={"lieu": "Je ne trouve pas mon adresse"})
    add_trial(db, pilot, reached=0, errors={"lieu": ["adresse", "repere"]}, comments={None: "Trop compliqué"})
    return pilot


def improving_pilot(db, user_id: int) -> Pilot:
    """v1: 10 trials, half completed; v2: 12 trials, all completed and happier."""
    pilot = make_pilot(db, iterations=2, people=30, user_id=user_id)
    invite_all(db, pilot, 1)
    for i in range(10):
        add_trial(db, pilot, 0, reached=4 if i < 5 else 1, answers=DISSATISFIED if i < 5 else None,
                  errors={"lieu": ["adresse"]} if i % 2 else None)
    for i in range(12):
        add_trial(db, pilot, 1, answers=SATISFIED, comments={"nature": "La liste des catégories est claire"} if i < 3 else None)
    return pilot


def steadily_better_pilot(db, user_id: int, *, people: int) -> Pilot:
    """Three iterations of 12 trials each: 4, then 7, then all 12 complete and satisfied, the rest stop at once."""
    pilot = make_pilot(db, iterations=3, people=people, user_id=user_id)
    for index, finished in ((0, 4), (1, 7), (2, 12)):
        for i in range(12):
            add_trial(db, pilot, index, reached=4 if i < finished else 1, answers=SATISFIED if i < finished else DISSATISFIED)
    return pilot


def add_comment(db, pilot: Pilot, index: int, text: str, *, step: str | None = "lieu", satisfaction: int | None = 2,
                assisted_by: int | None = None, participant: dict | None = None) -> int:
    """One participant's trial of iteration `index` with one comment (and a satisfaction answer)."""
    participant = participant or pilot.next_tester(index)
    deployment = get_deployment(db, pilot.deployments[index])
    with write(db):
        trial = store.create_trial(
            db, deployment=deployment, participant=participant, channel="assisted" if assisted_by else "online", now=T0,
            assisted_by=assisted_by, assisted_via="telephone" if assisted_by else None,
        )
        comment_id = store.save_comment(db, trial, step_key=step, comment=scan(text), source="step" if step else "questionnaire",
                                        now=T0)
        if satisfaction is not None:
            store.save_responses(db, trial, [("satisfaction", float(satisfaction), None)], now=T0)
    return comment_id


def seed(db, pilot: Pilot, index: int, topics: dict, *, assisted_by: int | None = None) -> dict[str, list[int]]:
    """Comments of iteration `index` by topic; the first two of each topic are assisted when `assisted_by`."""
    made: dict[str, list[int]] = {}
    for topic, (step, texts) in topics.items():
        for n, text in enumerate(texts):
            satisfaction = 1 if topic != "noise" else 3
            made.setdefault(topic, []).append(add_comment(
                db, pilot, index, text, step=step, satisfaction=satisfaction,
                assisted_by=assisted_by if n < 2 and topic != "noise" else None))
        pilot.comments[(index, topic)] = made[topic]
    return made


def theme_of(db, comment_id: int) -> dict | None:
    """The shown theme holding a comment."""
    rows = list(db.query(
        """SELECT t.* FROM theme_members m JOIN themes t ON t.id = m.theme_id WHERE m.comment_id = ?""", [comment_id]))
    return rows[0] if rows else None


def hand_made_analysis(db, iteration_id: int, themes: Sequence[tuple[str, Sequence[int], Mapping[str, float]]]) -> dict:
    """Store a clustering decided by the test as an iteration's finished analysis, as the job does.

    Each theme is (label, indices of its comments in arrival order, term weights); its terms are
    the words of its label, its quotes its first three comments; the other comments go to "Autres",
    except those with nothing to say ("Merci !"), counted apart as the pipeline does.
    """
    from analysis.themes.remarks import is_no_remark

    comments = iteration_comments(db, iteration_id)
    n = len(comments)
    made = [Theme(id=i, label=label, terms=label.split(LABEL_SEPARATOR), size=len(members), share=round(len(members) / n, 4),
                  quotes=[comments[m]["text"] for m in members[:3]], member_indices=list(members), term_weights=dict(weights))
            for i, (label, members, weights) in enumerate(themes)]
    assignments = [None] * n
    for theme in made:
        for m in theme.member_indices:
            assignments[m] = theme.id
    apart = [i for i, theme in enumerate(assignments) if theme is None and is_no_remark(comments[i]["text"])]
    result = ThemeResult(themes=made, assignments=assignments, no_remark=apart,
                         params={"backend": "tfidf", "k": len(made), "n_comments": n,
                                 "n_noise": assignments.count(None) - len(apart), "n_no_remark": len(apart)})
    with write(db):
        analysis_id = jobs.queue_analysis(db, iteration_id=iteration_id, runner="cli")
    assert jobs.claim(db, analysis_id)
    with write(db):
        jobs.save(db, get_analysis(db, analysis_id), comments, result)
    return get_analysis(db, analysis_id)


# --- a session created through the staff form --------------------------------------------------------------


def deployment_with_contact(login_as, db, seeded: dict, *, title: str, opens_at: str, closes_at: str, phone: str = ""):
    """Add Jeanne Martin (with an e-mail) to the seeded group, then create a session as staff: (staff, page URL)."""
    with write(db):
        add_participant(db, group_id=int(seeded["group"]), name="Jeanne Martin", email="jeanne@ville.test",
                        phone=phone, profile={})
    staff = login_as("staff")
    created = staff.post_form("/lab/deployments", {"title": title, "iteration_a": seeded["v1"],
                                                   "groups": [seeded["group"]], "opens_at": opens_at,
                                                   "closes_at": closes_at}, follow_redirects=False)
    return staff, created.headers["location"]


def give_addresses(db, participants: Sequence[dict], *, names: Sequence[str] = ()) -> list[str]:
    """An address for each participant (`p<id>@ville.test`), with a name when given; the addresses."""
    addresses = []
    with write(db):
        for index, person in enumerate(participants):
            addresses.append(set_email(db, participant_id=person["id"], email=f"p{person['id']}@ville.test"))
            if index < len(names):
                db.execute("UPDATE participant_contacts SET name = ? WHERE participant_id = ?", [names[index], person["id"]])
    return addresses
