"""Prototype tables: a prototype and its numbered, freezable iterations."""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("prototypes")


@migrations(name="001_prototypes")
def prototypes(db: Database) -> None:
    """Iterations keep the spec text as written so line numbers and comments survive."""
    db.executescript(
        """
        CREATE TABLE prototypes (
            id INTEGER PRIMARY KEY,
            slug TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            domain TEXT NOT NULL DEFAULT '',
            problem TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES users(id)
        );
        CREATE TABLE iterations (
            id INTEGER PRIMARY KEY,
            prototype_id INTEGER NOT NULL REFERENCES prototypes(id) ON DELETE CASCADE,
            number INTEGER NOT NULL CHECK (number >= 1),
            spec_yaml TEXT NOT NULL,
            changelog TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES users(id),
            frozen_at TEXT,
            UNIQUE (prototype_id, number)
        );
        CREATE TRIGGER iterations_frozen_spec
        BEFORE UPDATE OF spec_yaml ON iterations
        WHEN OLD.frozen_at IS NOT NULL
        BEGIN
            SELECT RAISE(ABORT, 'iteration is frozen');
        END;
        """
    )
