"""Group commit: concurrent writes share transactions, each is answered after its COMMIT, failures stay alone."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import pytest

from lab.db import opened
from lab.group_commit import GroupCommit, GroupCommitClosed
from tests.support import run_async


@pytest.fixture
def path(tmp_path):
    with opened(tmp_path / "gc.db") as db:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)")
    return tmp_path / "gc.db"


def insert(body: str):
    def work(db):
        return db.execute("INSERT INTO notes (body) VALUES (?)", [body]).lastrowid
    return work


def bodies(path) -> set[str]:
    """What another connection sees: only committed rows."""
    conn = sqlite3.connect(path)
    try:
        return {row[0] for row in conn.execute("SELECT body FROM notes")}
    finally:
        conn.close()


def test_concurrent_writes_share_transactions_and_are_committed_when_answered(path):
    writer = GroupCommit(path)

    async def one(i: int):
        row_id = await writer.run(insert(f"note {i}"))
        assert f"note {i}" in bodies(path)  # answered only once durable and visible to others
        return row_id

    async def main():
        return await asyncio.gather(*(one(i) for i in range(60)))

    ids = run_async(main())
    writer.close()
    assert len(set(ids)) == 60 and bodies(path) == {f"note {i}" for i in range(60)}
    assert writer.committed["writes"] == 60
    assert writer.committed["transactions"] < 60  # one fsync served several writes


def test_a_failing_write_is_rolled_back_alone_and_its_caller_gets_the_error(path):
    writer = GroupCommit(path)

    def insert_then_fail(db):
        insert("half done")(db)
        raise ValueError("refused")

    async def main():
        return await asyncio.gather(writer.run(insert("before")), writer.run(insert_then_fail),
                                    writer.run(insert("before")), writer.run(insert("after")),
                                    return_exceptions=True)

    outcomes = run_async(main())
    writer.close()
    assert isinstance(outcomes[1], ValueError)
    assert isinstance(outcomes[2], sqlite3.IntegrityError)  # the duplicate fails alone too
    assert bodies(path) == {"before", "after"}


def test_when_the_transaction_itself_fails_no_caller_is_told_it_was_saved(path):
    writer = GroupCommit(path)
    started, gate = threading.Event(), threading.Event()

    def hold(db):
        started.set()
        gate.wait(10)

    def break_the_transaction(db):
        db.execute("ROLLBACK")  # undoes the whole batch, as a failed COMMIT would

    async def main():
        holding = asyncio.ensure_future(writer.run(hold))
        await asyncio.to_thread(started.wait, 10)  # the writer is busy holding: the next two share a batch
        batch = [asyncio.ensure_future(writer.run(work)) for work in (insert("lost"), break_the_transaction)]
        await asyncio.sleep(0)
        gate.set()
        await holding
        return await asyncio.gather(*batch, return_exceptions=True)

    outcomes = run_async(main())
    assert all(isinstance(outcome, sqlite3.OperationalError) for outcome in outcomes)
    assert bodies(path) == set()
    assert run_async(writer.run(insert("next"))) and bodies(path) == {"next"}  # the writer carries on
    writer.close()


def test_close_commits_what_was_queued_then_refuses_new_writes(path):
    writer = GroupCommit(path)

    async def main():
        pending = [asyncio.ensure_future(writer.run(insert(f"queued {i}"))) for i in range(10)]
        await asyncio.sleep(0)  # every run() has queued its write
        await asyncio.to_thread(writer.close)
        return await asyncio.gather(*pending)

    assert len(run_async(main())) == 10
    assert bodies(path) == {f"queued {i}" for i in range(10)}
    with pytest.raises(GroupCommitClosed):
        run_async(writer.run(insert("too late")))


def test_the_thread_stops_when_idle_and_starts_again_on_demand(path):
    writer = GroupCommit(path, idle_seconds=0.05)
    run_async(writer.run(insert("one")))
    deadline = time.monotonic() + 5
    while writer._thread is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert writer._thread is None  # no thread (and no open connection) kept for an idle app
    run_async(writer.run(insert("two")))
    assert bodies(path) == {"one", "two"} and writer.busy()
    writer.close()


def test_busy_reflects_recent_commits(path):
    writer = GroupCommit(path)
    assert not writer.busy()
    run_async(writer.run(insert("one")))
    assert writer.busy(within=60) and not writer.busy(within=0)
    writer.close()


def test_a_database_that_cannot_be_opened_answers_every_caller(tmp_path):
    (tmp_path / "not-a-dir").write_text("file")
    writer = GroupCommit(tmp_path / "not-a-dir" / "x.db")
    with pytest.raises(OSError):
        run_async(asyncio.wait_for(writer.run(insert("x")), 10))
    with pytest.raises(OSError):  # a later write tries again (and is answered again)
        run_async(asyncio.wait_for(writer.run(insert("x")), 10))
