"""SQLite access: one connection per request or thread, explicit write transactions."""

from __future__ import annotations

import contextlib
import importlib
import sqlite3
from pathlib import Path
from typing import Iterator

import sqlite_utils

#: Packages whose migrations run, in this order, on every start.
MIGRATION_PACKAGES = ("lab", "prototypes", "feedback", "analysis")


def connect(path: Path | str) -> sqlite_utils.Database:
    """Open a connection with the pragmas every acknowledged write relies on."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=10000")
    conn.execute("PRAGMA secure_delete=ON")
    return sqlite_utils.Database(conn)


@contextlib.contextmanager
def write(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Take the write lock up front so concurrent writers queue instead of deadlocking."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.execute("COMMIT")


def migrate(db: sqlite_utils.Database) -> None:
    """Apply each package's pending migrations, platform first."""
    for package in MIGRATION_PACKAGES:
        module = importlib.import_module(f"{package}.migrations")
        module.migrations.apply(db)


@contextlib.contextmanager
def opened(path: Path | str) -> Iterator[sqlite_utils.Database]:
    """A connection for scripts and worker threads, closed on exit."""
    db = connect(path)
    try:
        yield db
    finally:
        db.close()


def backup(db: sqlite_utils.Database, dest: Path | str) -> str:
    """Copy a live database page by page, then prove the copy is sound."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        dest.unlink()
    target = sqlite3.connect(str(dest))
    try:
        db.conn.backup(target)
        result = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
    return result
