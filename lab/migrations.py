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
