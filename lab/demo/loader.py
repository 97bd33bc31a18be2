"""A realistic demo lab, loaded idempotently; later features append their own steps."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlite_utils import Database

from lab.accounts import create_user
from lab.campaigns import deployments, groups, invitations
from lab.clock import utcnow
from lab.db import write
from lab.demo.trials import demo_trials
from lab.settings import Settings
from prototypes import EXAMPLES_DIR
from prototypes import store as prototype_store

DATA_DIR = Path(__file__).parent / "data"

ACCOUNTS = (
    ("admin", "admin@demo.servicelab.fr", "Aïcha Benali", "demo-admin-servicelab"),
    ("staff", "equipe@demo.servicelab.fr", "Julien Moreau", "demo-equipe-servicelab"),
    ("manager", "direction@demo.servicelab.fr", "Catherine Lefèvre", "demo-direction-servicelab"),
)

PROTOTYPES = (
    # (example file, [(v2 file, changelog)], v1 changelog)
    (
        "voirie.yaml",
        "Première version, construite avec l'accueil de la mairie et la direction de l'espace public.",
        [
            (
                "voirie-v2.yaml",
                "Vous avez trouvé la date du constat obligatoire et les catégories trop floues : la date "
                "devient facultative, une catégorie « Végétation » apparaît et l'adresse peut être "
                "approximative. Les photos d'iPhone (HEIC) et jusqu'à 10 Mo sont acceptées.",
            )
        ],
    ),
    (
        "restauration-scolaire.yaml",
        "Première version dématérialisée du dossier papier d'inscription à la cantine.",
        [
            (
                "restauration-scolaire-v2.yaml",
                "Beaucoup de parents ne savaient pas où trouver leur quotient familial : l'aide l'explique "
                "et le champ peut rester vide. Une photo de l'attestation prise au téléphone est acceptée.",
            )
        ],
    ),
    ("salle-municipale.yaml", "Première version de la réservation en ligne des salles municipales.", []),
)

NEIGHBOURHOODS = ("Nord", "Centre", "Gare", "Les Tilleuls", "Bords de Loire")
GROUPS = (
    ("Seniors quartier Nord", "Habitant·es de 65 ans et plus recruté·es avec le centre social du quartier Nord.", 24, ("65-74 ans", "75 ans et plus")),
    ("Parents d'élèves – école Jules-Ferry", "Parents volontaires rencontrés à la sortie de l'école et via l'association de parents.", 30, ("25-39 ans", "40-54 ans")),
    ("Associations et usagers des salles", "Responsables d'associations et particuliers ayant réservé une salle en 2025.", 16, ("25-39 ans", "40-54 ans", "55-64 ans")),
)

# (title, prototype slug, iteration number, group names, opens (days from now), closes, quota, sus, umux)
DEPLOYMENTS = (
    ("Signalement voirie v1 – tests en mairie annexe", "signaler-une-anomalie-sur-la-voie-publique", 1, (0, 1), -70, -40, None, True, False),
    ("Signalement voirie v2 – quartier Nord et parents", "signaler-une-anomalie-sur-la-voie-publique", 2, (0, 1), -10, 20, 150, True, False),
    ("Cantine v1 – parents de Jules-Ferry", "inscrire-son-enfant-a-la-restauration-scolaire", 1, (1,), -80, -50, None, True, True),
    ("Cantine v2 – rentrée de janvier", "inscrire-son-enfant-a-la-restauration-scolaire", 2, (1,), 10, 40, 100, True, True),
    ("Réservation de salle v1 – associations", "reserver-une-salle-municipale", 1, (2,), -5, 25, 80, False, True),
)


@dataclass
class DemoInfo:
    """What `lab demo` prints: where to go, how to sign in, which links to try."""

    logins: list[tuple[str, str, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)

    def describe(self, base_url: str) -> str:
        lines = [f"Laboratoire de démonstration prêt : {base_url}", "", "Connexions (une par rôle) :"]
        lines += [f"  {role:<8} {email:<32} mot de passe : {password}" for role, email, password in self.logins]
        lines += ["", "Invitations ouvertes (parcours citoyen) :"]
        lines += [f"  {label}\n    {url}" for label, url in self.links]
        return "\n".join(lines)


def _accounts(db: Database, settings: Settings, info: DemoInfo, rng: random.Random) -> None:
    for role, email, name, password in ACCOUNTS:
        if not db["users"].count_where("email = ?", [email]):
            create_user(db, email=email, name=name, role=role, password=password)
        info.logins.append((role, email, password))


def _prototypes(db: Database, settings: Settings, info: DemoInfo, rng: random.Random) -> None:
    for example, changelog, later in PROTOTYPES:
        spec_yaml = (EXAMPLES_DIR / example).read_text(encoding="utf-8")
        slug = prototype_store.slugify(prototype_store.parse_spec(spec_yaml).title)
        if db["prototypes"].count_where("slug = ?", [slug]):
            continue
        prototype_id, _v1 = prototype_store.create_prototype(db, spec_yaml=spec_yaml, user_id=None, changelog=changelog)
        for filename, next_changelog in later:
            iteration_id = prototype_store.new_iteration(db, prototype_id=prototype_id, user_id=None, changelog=next_changelog)
            prototype_store.update_iteration(
                db, iteration_id=iteration_id, spec_yaml=(DATA_DIR / filename).read_text(encoding="utf-8"), changelog=next_changelog
            )


def _groups(db: Database, settings: Settings, info: DemoInfo, rng: random.Random) -> None:
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
    now = utcnow()
    for deployment in deployments.list_deployments(db):
        if deployments.state(deployment, now) != "open":
            continue
        links = invitations.list_invitations(
            db, deployment["id"], secret_key=settings.secret_key, base_url=settings.base_url, now=now, usable_only=True
        )
        for link in [l for l in links if l["kind"] == "shared"][:1] + [l for l in links if l["kind"] == "personal"][:2]:
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
    _accounts,
    _prototypes,
    _groups,
    _deployments,
    demo_trials,
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
