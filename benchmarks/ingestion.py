"""Feedback ingestion on loopback: the real API versus a bare FastAPI + sqlite3 insert, same run, same client.

Target: throughput ≥ 50 % of the bare endpoint, p99 < 100 ms, zero errors, 32 concurrent clients.
`python -m benchmarks.ingestion [--seconds 10] [--clients 32] [--rounds 3]`: the two servers take
turns, each round on a fresh process, and the medians are compared (a shared machine's load drifts).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.loopback import ServerProcess, open_deployment

SCRIPT = Path(__file__).with_name("feedback.lua")
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def _wrk(port: int, key: str, clients: int, seconds: float) -> dict:
    """Run wrk (Debian package) against one endpoint and read its summary."""
    output = subprocess.run(
        ["wrk", "-t2", f"-c{clients}", f"-d{seconds:.0f}s", "--latency", "-s", str(SCRIPT),
         f"http://127.0.0.1:{port}/api/v1/feedback", "--", key],
        capture_output=True, text=True, check=True, timeout=seconds + 60,
    ).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    return {
        "requests": requests,
        "errors": errors,
        "throughput": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": _ms(re.search(r"\s50%\s+(\S+)", output).group(1)),
        "p99_ms": _ms(re.search(r"\s99%\s+(\S+)", output).group(1)),
    }


def _run(server: ServerProcess, key: str, clients: int, seconds: float) -> dict:
    server.start()
    try:
        _wrk(server.port, key, clients, 2)  # warm-up
        return _wrk(server.port, key, clients, seconds)
    finally:
        server.stop()


def _median(rows: list[dict], key: str) -> float:
    return statistics.median(row[key] for row in rows)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3, help="bare and real runs alternate, so machine noise hits both")
    args, _unknown = parser.parse_known_args(argv)
    os.environ["LAB_API_CLIENT_LIMIT"] = os.environ["LAB_API_KEY_LIMIT"] = str(10_000_000)
    runs: dict[str, list[dict]] = {"bare": [], "real": []}
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "ingestion.db"
        key = open_deployment(db_path)
        for _round in range(args.rounds):
            runs["bare"].append(_run(ServerProcess(db_path, app="benchmarks.bare_app:app"), key, args.clients, args.seconds))
            runs["real"].append(_run(ServerProcess(db_path), key, args.clients, args.seconds))
    names = {"bare": "bare FastAPI + sqlite3 insert", "real": "servicelab POST /api/v1/feedback"}
    print("| endpoint | round | requests | req/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|---|")
    for kind, rows in runs.items():
        for number, row in enumerate(rows, 1):
            print(f"| {names[kind]} | {number} | {row['requests']} | {row['throughput']:.0f} | {row['p50_ms']:.1f} "
                  f"| {row['p99_ms']:.1f} | {row['errors']} |")
    ratio = _median(runs["real"], "throughput") / _median(runs["bare"], "throughput")
    p99 = _median(runs["real"], "p99_ms")
    errors = sum(row["errors"] for row in runs["real"])
    print(f"\nmedian of {args.rounds} rounds: servicelab {_median(runs['real'], 'throughput'):.0f} req/s, bare "
          f"{_median(runs['bare'], 'throughput'):.0f} req/s, ratio = {ratio:.2f} (target ≥ 0.50); p99 = {p99:.1f} ms "
          f"(target < 100; bare {_median(runs['bare'], 'p99_ms'):.1f}); errors = {errors} (target 0); "
          f"{args.clients} clients, {args.seconds:.0f} s per run; load average {os.getloadavg()[0]:.1f}")
    return 0 if ratio >= 0.5 and p99 < 100 and errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
