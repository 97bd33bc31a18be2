"""A realistic demo lab, loaded idempotently; later features append their own steps."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlite_utils import Database

from lab import organisation
from lab.accounts import create_user
from lab.campaigns import deployments, groups, invitations
from lab.clock import utcnow
from lab.db import write
from lab.demo.catalogue import ACCOUNTS, DEPLOYMENTS, GROUPS, NEIGHBOURHOODS, ORGANISATION, PROTOTYPES
from lab.demo.datafiles import DATA_DIR
from lab.demo.mail import demo_outbox
from lab.demo.trials import demo_trials
from lab.settings import Settings
from prototypes import EXAMPLES_DIR
from prototypes import store as prototype_store


@dataclass
class DemoInfo:
    """What `lab demo` prints: where to go, how to sign in, which links to try."""

    logins: list[tuple[str, str, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)

    def describe(self, base_url: str) -> str:
        """The text `lab demo` prints, in French like the rest of the interface."""
        lines = [f"Laboratoire de démonstration prêt : {base_url}", "", "Connexions (une par rôle) :"]
        lines += [f"  {role:<8} {email:<32} mot de passe : {password}" for role, email, password in self.logins]
        lines += ["", "Invitations ouvertes (parcours citoyen) :"]
        lines += [f"  {label}\n    {url}" for label, url in self.links]
        return "\n".join(lines)


def _organisation(db: Database, settings: Settings, info: DemoInfo, rng: random.Random) -> None:
    """The fictional commune that runs the demo lab, with its logo; an admin's own identity is kept."""
    if organisation.load(db).named:
        return
    now = utcnow()
    organisation.save(db, ORGANISATION, now=now, user_id=None)
    organisation.set_logo(db, (DATA_DIR / "logo-rivebelle.png").read_bytes(), now=now)


def _accounts(db: Database, settings: Settings, info: DemoInfo, rng: random.Random) -> None:
    """One account per role, with a known password, so each role can be tried."""
    for role, email, name, password in ACCOUNTS:
        if not db["users"].count_where("email = ?", [email]):
            create_user(db, email=email, name=name, role=role, password=password)
        info.logins.append((role, email, password))


def _prototypes(db: Database, settings: Settings, info: DemoInfo, rng: random.Random) -> None:
    """The example prototypes, two of them with a second iteration to compare."""
    for example, changelog, later in PROTOTYPES:
        spec_yaml = (EXAMPLES_DIR / example).read_text(encoding="utf-8")
        slug = prototype_store.slugify(prototype_store.parse_spec(spec_yaml).title)
        if db["prototypes"].count_where("slug = ?", [slug]):
            continue
        prototype_id, _v1 = prototype_store.create_prototype(db, spec_yaml=spec_yaml, user_id=None, changelog=changelog)
        for filename, next_changelog in later:
            iteration_id = prototype_store.new_iteration(db, prototype_id=prototype_id, user_id=None, changelog=next_changelog)
            spec_yaml = (DATA_DIR / "prototypes" / filename).read_text(encoding="utf-8")
            prototype_store.update_iteration(db, iteration_id=iteration_id, spec_yaml=spec_yaml, changelog=next_changelog)


def _groups(db: Database, settings: Settings, info: DemoInfo, rng: random.Random) -> None:
    """Test groups with profiled participants; one in four leaves contact details."""
    for name, description, size, ages in GROUPS:
        if db["test_groups"].count_where("name = ?", [name]):
            continue
        group_id = groups.create_group(db, name=name, description=description, user_id=None)
        for index in range(size):
            profile = {
                "tranche_age": rng.choice(ages),
                "quartier": "Nord" if name.startswith("Seniors") else rng.choice(NEIGHBOURHOODS),
                "aisance_numerique": rng.choice(groups.DIGITAL_LEVELS),
            }
            if index % 4 == 0:
                groups.add_participant(
                    db, group_id=group_id, name=f"Participant·e {index + 1}",
                    email=f"participant{group_id}-{index + 1}@exemple.fr", phone="", profile=profile,
                )
            else:
                groups.create_participant(db, group_id=group_id, profile=groups.clean_profile(profile))


def _deployments(db: Database, settings: Settings, info: DemoInfo, rng: random.Random) -> None:
    """Closed, open and scheduled deployments around now, each with personal and shared links."""
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    group_ids = [db.execute("SELECT id FROM test_groups WHERE name = ?", [g[0]]).fetchone()[0] for g in GROUPS]
    for title, slug, number, group_indexes, opens, closes, quota, sus, umux in DEPLOYMENTS:
        if db["deployments"].count_where("title = ?", [title]):
            continue
        iteration_id = db.execute(
            "SELECT i.id FROM iterations i JOIN prototypes p ON p.id = i.prototype_id WHERE p.slug = ? AND i.number = ?",
            [slug, number],
        ).fetchone()[0]
        created = now + timedelta(days=min(opens, 0) - 1)
        form = deployments.DeploymentForm(
            title=title,
            iteration_a=str(iteration_id),
            group_ids=tuple(str(group_ids[i]) for i in group_indexes),
            opens_at=deployments.form_time(now + timedelta(days=opens)),
            closes_at=deployments.form_time(now + timedelta(days=closes)),
            quota=str(quota or ""),
            sus=sus,
            umux_lite=umux,
        )
        deployment_id = deployments.create_deployment(db, form=form, user_id=None, now=created)
        invitations.generate_personal(db, deployment_id=deployment_id, secret_key=settings.secret_key, now=created)
        for index in group_indexes:
            invitations.create_shared(
                db, deployment_id=deployment_id, secret_key=settings.secret_key, now=created,
                form=invitations.SharedLinkForm(group_id=str(group_ids[index]), max_uses="200"),
            )


def _open_links(db: Database, settings: Settings, info: DemoInfo, rng: random.Random) -> None:
    """A few usable links per open deployment, printed so the citizen journey can be tried at once."""
    now = utcnow()
    for deployment in deployments.list_deployments(db):
        if deployments.state(deployment, now) != "open":
            continue
        links = invitations.list_invitations(
            db, deployment["id"], secret_key=settings.secret_key, base_url=settings.base_url, now=now, usable_only=True
        )
        by_kind = {kind: [link for link in links if link["kind"] == kind] for kind in ("shared", "personal")}
        for link in by_kind["shared"][:1] + by_kind["personal"][:2]:
            who = f"lien partagé « {link['group_name']} »" if link["kind"] == "shared" else f"lien personnel {link['code']}"
            info.links.append((f"{deployment['title']} – {who}", link["url"]))


def _decisions(db: Database, settings: Settings, info: DemoInfo, rng: random.Random) -> None:
    """Managers' past decisions on the first iterations."""
    from analysis.reports.decisions import load_demo_decisions

    load_demo_decisions(db, next(email for role, email, _n, _p in ACCOUNTS if role == "manager"))


def _analyses(db: Database, settings: Settings, info: DemoInfo, rng: random.Random) -> None:
    """Themes of every demo iteration that has comments, analysed synchronously (keep this step last)."""
    from analysis.themes.jobs import analyse_unanalysed

    analyse_unanalysed(db, runner="demo")


#: Each step is idempotent; later features append theirs (trials, comments, analyses...).
DEMO_STEPS: list[Callable[[Database, Settings, DemoInfo, random.Random], None]] = [
    _organisation,
    _accounts,
    _prototypes,
    _groups,
    _deployments,
    demo_trials,
    demo_outbox,
    _open_links,
    _decisions,
    _analyses,
]


def load_demo(db: Database, settings: Settings) -> DemoInfo:
    """Load every demo step in one transaction; running it again adds nothing."""
    info = DemoInfo()
    rng = random.Random(2026)
    with write(db):
        for step in DEMO_STEPS:
            step(db, settings, info, rng)
    return info
