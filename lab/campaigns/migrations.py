"""Campaign tables: test groups, participants and their contacts, deployments, invitations.

These migrations were first applied under the set name "lab", before campaigns became a layer of
their own: the set keeps that name so databases that already have them do not run them again.
New migrations go at the end, with the next number.
"""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("lab")


@migrations(name="002_groups_and_deployments")
def groups_and_deployments(db: Database) -> None:
    """Pseudonymous cohorts, contact details kept apart, deployments and their invitations."""
    db.executescript(
        """
        CREATE TABLE test_groups (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES users(id)
        );
        CREATE TABLE participants (
            id INTEGER PRIMARY KEY,
            group_id INTEGER NOT NULL REFERENCES test_groups(id) ON DELETE CASCADE,
            code TEXT NOT NULL UNIQUE,
            profile TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL
        );
        CREATE INDEX participants_group ON participants(group_id);
        CREATE TABLE participant_contacts (
            participant_id INTEGER PRIMARY KEY REFERENCES participants(id) ON DELETE CASCADE,
            name TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE deployments (
            id INTEGER PRIMARY KEY,
            prototype_id INTEGER NOT NULL,
            title TEXT NOT NULL,
            opens_at TEXT NOT NULL,
            closes_at TEXT NOT NULL,
            quota INTEGER CHECK (quota IS NULL OR quota > 0),
            closed_at TEXT,
            retention_days INTEGER NOT NULL DEFAULT 365,
            questionnaire TEXT NOT NULL DEFAULT '{}',
            public_key TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES users(id),
            CHECK (closes_at > opens_at)
        );
        CREATE TABLE deployment_variants (
            deployment_id INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
            label TEXT NOT NULL CHECK (label IN ('A', 'B')),
            iteration_id INTEGER NOT NULL,
            PRIMARY KEY (deployment_id, label)
        );
        CREATE TABLE deployment_groups (
            deployment_id INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
            group_id INTEGER NOT NULL REFERENCES test_groups(id) ON DELETE CASCADE,
            PRIMARY KEY (deployment_id, group_id)
        );
        CREATE TABLE invitations (
            id INTEGER PRIMARY KEY,
            deployment_id INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
            group_id INTEGER NOT NULL REFERENCES test_groups(id) ON DELETE CASCADE,
            participant_id INTEGER REFERENCES participants(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('personal', 'shared')),
            salt TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            max_uses INTEGER CHECK (max_uses IS NULL OR max_uses > 0),
            uses INTEGER NOT NULL DEFAULT 0,
            expires_at TEXT,
            revoked_at TEXT,
            created_at TEXT NOT NULL,
            CHECK ((kind = 'personal') = (participant_id IS NOT NULL))
        );
        CREATE INDEX invitations_deployment ON invitations(deployment_id);
        """
    )


@migrations(name="003_imports_and_invitation_links")
def imports_and_invitation_links(db: Database) -> None:
    """Import history (a file never adds people twice), one personal link each, and who came by a shared link."""
    db.executescript(
        """
        ALTER TABLE participants ADD COLUMN joined_via INTEGER REFERENCES invitations(id) ON DELETE SET NULL;
        CREATE TABLE participant_imports (
            id INTEGER PRIMARY KEY,
            group_id INTEGER NOT NULL REFERENCES test_groups(id) ON DELETE CASCADE,
            file_sha256 TEXT NOT NULL,
            filename TEXT NOT NULL DEFAULT '',
            imported INTEGER NOT NULL,
            skipped INTEGER NOT NULL,
            rejected INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES users(id),
            UNIQUE (group_id, file_sha256)
        );
        CREATE UNIQUE INDEX invitations_personal_once
            ON invitations(deployment_id, participant_id) WHERE kind = 'personal';
        CREATE INDEX invitations_participant ON invitations(participant_id);
        CREATE INDEX participant_contacts_email ON participant_contacts(email);
        """
    )


@migrations(name="004_retention")
def retention(db: Database) -> None:
    """When a deployment's personal data was purged at the end of its retention period."""
    db.execute("ALTER TABLE deployments ADD COLUMN purged_at TEXT")


@migrations(name="005_variant_iteration_foreign_key")
def variant_iteration_foreign_key(db: Database) -> None:
    """A variant names an iteration that exists (campaigns now migrate after prototypes)."""
    db.executescript(
        """
        CREATE TABLE deployment_variants_new (
            deployment_id INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
            label TEXT NOT NULL CHECK (label IN ('A', 'B')),
            iteration_id INTEGER NOT NULL REFERENCES iterations(id),
            PRIMARY KEY (deployment_id, label)
        );
        INSERT INTO deployment_variants_new (deployment_id, label, iteration_id)
            SELECT deployment_id, label, iteration_id FROM deployment_variants;
        DROP TABLE deployment_variants;
        ALTER TABLE deployment_variants_new RENAME TO deployment_variants;
        """
    )
