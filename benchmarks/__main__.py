"""Run every benchmark, each in its own process, and fail if any misses its target.

`python -m benchmarks` (what `make bench` runs) or, for some of them, `python -m benchmarks reports themes`.
Extra arguments after `--` go to every benchmark, e.g. `python -m benchmarks reports -- --sizes 1000`.
"""

from __future__ import annotations

import subprocess
import sys

#: Benchmark modules in running order: a new one is added here.
BENCHMARKS = ("ingestion", "reports", "themes", "mail")


def main(argv: list[str]) -> int:
    extra: list[str] = []
    if "--" in argv:
        argv, extra = argv[: argv.index("--")], argv[argv.index("--") + 1:]
    chosen = argv or list(BENCHMARKS)
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    failed = []
    for name in chosen:
        print(f"\n=== benchmarks.{name} ===", flush=True)
        if subprocess.run([sys.executable, "-m", f"benchmarks.{name}", *extra], check=False).returncode:
            failed.append(name)
    if failed:
        print(f"\nbenchmarks that failed or missed their target: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
