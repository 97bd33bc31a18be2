"""`lab backup` while submissions keep arriving: the copy is sound and holds everything acknowledged before it."""

import os
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from benchmarks.loopback import SECRET, ServerProcess, open_deployment, submit_feedback


@pytest.mark.slow
def test_online_backup_during_load(tmp_path):
    db_path = tmp_path / "live.db"
    key = open_deployment(db_path)
    server = ServerProcess(db_path).start()
    try:
        before = submit_feedback(server.port, key, clients=4, duration=2, max_requests=60)
        during: list = []
        load = threading.Thread(target=lambda: during.append(submit_feedback(server.port, key, clients=4, duration=4, max_requests=100)))
        load.start()
        time.sleep(0.5)
        result = subprocess.run(
            [sys.executable, "-m", "lab", "backup", str(tmp_path / "copy.db")],
            env={**os.environ, "LAB_DB": str(db_path), "LAB_SECRET_KEY": SECRET}, capture_output=True, text=True, timeout=60,
        )
        load.join()
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    in_copy = {row[0].rsplit(":", 1)[1] for row in copy.execute("SELECT idempotency_key FROM trials WHERE channel = 'widget'")}
    print(f"\nbackup: acknowledged before={len(before.acknowledged)} during={len(during[0].acknowledged)} in copy={len(in_copy)}")
    assert before.acknowledged and before.acknowledged <= in_copy
    assert during[0].acknowledged, "submissions kept arriving while the backup ran"
