"""`lab serve` keeps no raw client address: no access log lines, even for the busiest route."""

from __future__ import annotations

import http.client
import json
import re

from benchmarks.loopback import ServerProcess, open_deployment


def test_the_server_log_has_no_client_addresses(tmp_path):
    db_path = tmp_path / "lab.db"
    key = open_deployment(db_path)
    log = tmp_path / "server.log"
    server = ServerProcess(db_path, log_path=log).start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("POST", "/api/v1/feedback", body=json.dumps({"idempotency_key": "logcheck1", "comment": "ok"}),
                           headers={"Content-Type": "application/json", "X-Servicelab-Key": key})
        posted = connection.getresponse()
        assert posted.status == 201 and posted.read()
        connection.request("GET", "/login")
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        server.stop()
    text = log.read_text()
    assert "Application startup complete" in text  # the log was captured
    assert not re.search(r"\d+\.\d+\.\d+\.\d+:\d+ - \"", text), text  # uvicorn's access line: "IP:port - "GET ..."
    assert "/api/v1/feedback" not in text and "/login" not in text
