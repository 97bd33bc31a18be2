"""SQLite access: one connection per request or thread, explicit write transactions."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from lab.files import private_file

#: Migration modules (each exposing `migrations`), applied in this order on every start.
MIGRATION_MODULES = (
    "lab.migrations",
    "prototypes.migrations",
    "feedback.migrations",
    "analysis.themes.migrations",
    "analysis.reports.migrations",
)


#: Bytes the WAL file keeps after a checkpoint (it grows past it between checkpoints).
JOURNAL_SIZE_LIMIT = 4 * 1024 * 1024

#: One lock per database file: threads of this process queue here, promptly and in order, instead of
#: sleeping in SQLite's busy handler (which made tail latency jump by whole sleep steps).
_WRITE_LOCKS: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)


def connect(path: Path | str) -> sqlite_utils.Database:
    """Open a connection with the pragmas every acknowledged write relies on."""
    if str(path) != ":memory:":
        # SQLite gives its -wal and -shm files the database file's permissions: owner-only for all three.
        for file in (Path(path), Path(f"{path}-wal"), Path(f"{path}-shm")):
            if file == Path(path) or file.exists():
                private_file(file)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10)
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=10000")
    conn.execute("PRAGMA secure_delete=ON")
    # After a checkpoint the WAL is cut back to this size, so erased text does not linger in a large WAL file.
    conn.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")
    return sqlite_utils.Database(conn)


@contextlib.contextmanager
def write(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Take the write lock up front so concurrent writers queue instead of deadlocking."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    with _WRITE_LOCKS[_file_of(db)]:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.rollback()
            raise
        db.execute("COMMIT")


def one(db: sqlite_utils.Database, sql: str, params: Iterable = ()) -> dict | None:
    """The first row of a query as a dict, or None."""
    rows = list(db.query(sql, list(params)))
    return rows[0] if rows else None


#: The largest id SQLite can store; a bigger number typed in a form names no row (and would overflow).
MAX_ROW_ID = 2**63 - 1


def row_id(value: object) -> int | None:
    """A row id read from a form or a URL ("12"), or None when it cannot name a row."""
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_ROW_ID else None


def placeholders(values: Sequence) -> str:
    """`?,?,?` for an IN clause of these values."""
    return ",".join("?" for _ in values)


def checkpoint(db: sqlite_utils.Database) -> None:
    """Copy the WAL into the database and empty it: after an erasure, no copy of the erased text stays on disk.

    `secure_delete` overwrites freed pages with zeros, but in WAL mode the zeroed pages reach the
    database file, and the old frames leave the WAL, only at a checkpoint.
    """
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _file_of(db: sqlite_utils.Database) -> str:
    """The main database file behind a connection (the key of its write lock)."""
    return db.conn.execute("PRAGMA database_list").fetchone()[2]


def migrate(db: sqlite_utils.Database, migration_sets: Iterable[Migrations]) -> None:
    """Apply each layer's pending migrations, in the order given (the shell lists them kernel first)."""
    for migrations in migration_sets:
        migrations.apply(db)


class ConnectionPool:
    """Reuse connections between requests; each is checked out by one request at a time."""

    def __init__(self, path: Path | str, *, keep: int = 16):
        self.path = path
        self.keep = keep
        self._idle: list[sqlite_utils.Database] = []
        self._lock = threading.Lock()

    def acquire(self) -> sqlite_utils.Database:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return connect(self.path)

    def release(self, db: sqlite_utils.Database) -> None:
        """Take a connection back, clean: a transaction left open is rolled back, never reused."""
        db.rollback()
        with self._lock:
            if len(self._idle) < self.keep:
                self._idle.append(db)
                return
        db.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for db in idle:
            db.close()


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
    if dest.exists():
        dest.unlink()
    target = sqlite3.connect(str(private_file(dest)))
    try:
        db.conn.backup(target)
        result = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
    return result
