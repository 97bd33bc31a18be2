"""`lab themes` on big exports, as a person runs it: wall time and peak memory at 100k and 1M comments.

Run ``python -m benchmarks.themes_cli`` from the repository root (``make bench-themes`` runs it).
For each size, a JSONL file of generated comments (``benchmarks.themes.speed_comments``: the
labelled sets' texts, altered) is written to a temporary folder, then two commands run, each as
a fresh subprocess whose wall time and peak RSS (``ru_maxrss`` from ``wait4``) are measured:

- ``python -m lab themes FILE --json OUT --quiet`` (tfidf, the command's default);
- a baseline in the same run: the same file read with ``json`` and vectorised by a plain
  scikit-learn ``TfidfVectorizer()``, the least any lexical analysis of the file costs.

The ratios say how much the whole analysis costs beyond that. Target: peak RSS under 2 GB at
1M comments. ``--sizes`` (or ``SERVICELAB_BENCH_CLI_SIZES="20000 100000"``) runs smaller sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.themes import REPO_ROOT, speed_comments

SIZES = (100_000, 1_000_000)
SIZES_ENV = "SERVICELAB_BENCH_CLI_SIZES"
PEAK_LIMIT_MB = 2048.0

BASELINE = """
import json, sys
from sklearn.feature_extraction.text import TfidfVectorizer
with open(sys.argv[1], encoding="utf-8") as handle:
    texts = [json.loads(line)["text"] for line in handle if line.strip()]
TfidfVectorizer().fit_transform(texts)
"""


def write_corpus(path: Path, n: int) -> None:
    """n generated comments as JSONL, written as they are made (this process stays small)."""
    with path.open("w", encoding="utf-8") as handle:
        for text in speed_comments(n):
            handle.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")


def measure(command: Sequence[str]) -> dict[str, float]:
    """Wall time and peak RSS of one subprocess; its stderr is kept only to explain a failure."""
    # wait4 gives this child's own rusage; its ru_maxrss would include this process's RSS only
    # if it were larger (vfork + exec), which writing the corpus as a stream avoids.
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=errors)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{errors.read().decode(errors='replace')}")
    return {"seconds": round(seconds, 1), "peak_mb": round(usage.ru_maxrss / 1024)}


def run_size(n: int, folder: Path) -> dict[str, Any]:
    """lab themes and the baseline on n generated comments."""
    source = folder / f"comments-{n}.jsonl"
    write_corpus(source, n)
    out = folder / f"themes-{n}.json"
    themes = measure([sys.executable, "-m", "lab", "themes", str(source), "--json", str(out), "--quiet"])
    params = json.loads(out.read_text(encoding="utf-8"))["params"]
    baseline = measure([sys.executable, "-c", BASELINE, str(source)])
    source.unlink()
    return {"comments": n, "units": params["n_units"], "themes": params["n_themes"], "lab_themes": themes,
            "baseline": baseline}


def table(rows: Sequence[dict[str, Any]]) -> str:
    """Markdown table: lab themes against the baseline, with the ratios."""
    lines = [
        "| comments | distinct units | themes | `lab themes` time | peak RSS | baseline time | baseline peak | "
        "time ratio | memory ratio | peak < 2 GB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lab, base = r["lab_themes"], r["baseline"]
        lines.append(
            f"| {r['comments']:,} | {r['units']:,} | {r['themes']} | {lab['seconds']:.1f} s | {lab['peak_mb']:,} MB | "
            f"{base['seconds']:.1f} s | {base['peak_mb']:,} MB | {lab['seconds'] / base['seconds']:.1f}× | "
            f"{lab['peak_mb'] / base['peak_mb']:.1f}× | {'✅' if lab['peak_mb'] < PEAK_LIMIT_MB else '❌'} |"
        )
    return "\n".join(lines)


def sizes_from(argv_sizes: Sequence[int] | None) -> list[int]:
    """--sizes, else $SERVICELAB_BENCH_CLI_SIZES, else 100k and 1M."""
    if argv_sizes:
        return list(argv_sizes)
    configured = os.environ.get(SIZES_ENV, "").replace(",", " ").split()
    return [int(size) for size in configured] or list(SIZES)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure every size, print the table; exit 1 if a peak reaches 2 GB."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.themes_cli", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", help=f"numbers of comments (default: ${SIZES_ENV}, else 100k and 1M)")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-themes-cli-") as folder:
        for n in sizes_from(args.sizes):
            print(f"lab themes on {n:,} comments…", file=sys.stderr, flush=True)
            rows.append(run_size(n, Path(folder)))
    print("## `lab themes` on big exports (fresh process each, peak RSS from wait4; 2 cores)\n")
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 1 if any(r["lab_themes"]["peak_mb"] >= PEAK_LIMIT_MB for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
