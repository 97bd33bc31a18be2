"""Acknowledged feedback survives SIGKILL: present exactly once, database intact, after 20 crashes."""

import sqlite3
import threading
import time

import pytest

from benchmarks.loopback import ServerProcess, open_deployment, submit_feedback

CYCLES = 20


@pytest.mark.slow
def test_acknowledged_submissions_survive_repeated_sigkill(tmp_path):
    db_path = tmp_path / "crash.db"
    key = open_deployment(db_path)
    acknowledged: set[str] = set()
    errors = 0
    for cycle in range(CYCLES):
        server = ServerProcess(db_path).start()
        results = []
        runner = threading.Thread(
            target=lambda server=server, results=results: results.append(
                submit_feedback(server.port, key, clients=8, duration=1.2, max_requests=100))
        )
        runner.start()
        time.sleep(0.3 + (cycle % 5) * 0.15)  # kill at a different moment of the load each time
        server.kill()
        runner.join()
        acknowledged |= results[0].acknowledged
        errors += results[0].errors
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = [row[0].rsplit(":", 1)[1] for row in conn.execute("SELECT idempotency_key FROM trials WHERE channel = 'widget'")]
    finally:
        conn.close()
    counts = {k: stored.count(k) for k in acknowledged}
    lost = [k for k, n in counts.items() if n == 0]
    duplicated = [k for k in set(stored) if stored.count(k) > 1]
    print(f"\ncrash cycles={CYCLES} acknowledged={len(acknowledged)} stored={len(stored)} lost={len(lost)} "
          f"duplicated={len(duplicated)} connection errors during kills={errors}")
    assert len(acknowledged) > CYCLES * 10, "the load must really run between kills"
    assert lost == [] and duplicated == []
