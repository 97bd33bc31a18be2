"""The baseline for ingestion: a bare FastAPI endpoint inserting one row with sqlite3, nothing else."""

import os
import sqlite3
import threading

from fastapi import FastAPI, Request

app = FastAPI()
_local = threading.local()


def _connection() -> sqlite3.Connection:
    if not hasattr(_local, "conn"):
        conn = sqlite3.connect(os.environ["LAB_DB"] + ".bare", isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=10000")
        conn.execute("CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        _local.conn = conn
    return _local.conn


@app.get("/healthz")
def health() -> dict:
    return {"status": "ok"}


@app.post("/api/v1/feedback", status_code=201)
async def feedback(request: Request) -> dict:
    body = (await request.body()).decode()
    cursor = _connection().execute("INSERT INTO feedback (body) VALUES (?)", [body])
    return {"id": cursor.lastrowid}
