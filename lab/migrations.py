"""Kernel tables: staff accounts, their sessions and the audit log."""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("lab")


@migrations(name="001_accounts")
def accounts(db: Database) -> None:
    """Staff accounts with server-side sessions and an append-only audit trail."""
    db.executescript(
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'manager')),
            password_hash TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            last_login_at TEXT
        );
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            revoked_at TEXT
        );
        CREATE INDEX sessions_user ON sessions(user_id);
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user_id INTEGER REFERENCES users(id),
            action TEXT NOT NULL,
            object_type TEXT,
            object_id INTEGER,
            detail TEXT
        );
        CREATE INDEX audit_log_at ON audit_log(at);
        """
    )


@migrations(name="006_organisation")
def organisation(db: Database) -> None:
    """The collectivité's identity, one row (numbers are shared with the campaign migrations of this set)."""
    db.executescript(
        """
        CREATE TABLE organisation (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            name TEXT NOT NULL,
            short_name TEXT NOT NULL DEFAULT '',
            address TEXT NOT NULL DEFAULT '',
            dpo_contact TEXT NOT NULL DEFAULT '',
            website TEXT NOT NULL DEFAULT '',
            accessibility_contact TEXT NOT NULL DEFAULT '',
            retention_days INTEGER NOT NULL DEFAULT 365 CHECK (retention_days BETWEEN 1 AND 3650),
            logo BLOB,
            logo_type TEXT,
            updated_at TEXT NOT NULL,
            updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL
        );
        """
    )


@migrations(name="007_account_passwords")
def account_passwords(db: Database) -> None:
    """A password an admin set is temporary until its owner chooses one; when each password was last set."""
    db.executescript(
        """
        ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE users ADD COLUMN password_changed_at TEXT;
        """
    )


@migrations(name="008_audit_log_filters")
def audit_log_filters(db: Database) -> None:
    """Admins filter the audit log by person and by action, newest first."""
    db.executescript(
        """
        CREATE INDEX audit_log_user ON audit_log(user_id, id);
        CREATE INDEX audit_log_action ON audit_log(action, id);
        """
    )
