"""The geometry behind themes: nearest neighbours, smoothing, seeded KMeans, automatic number of themes.

Plain functions on L2-normalised float32 rows (cosine geometry), whatever produced them (TF-IDF +
LSA or sentence embeddings). ``select_k`` picks the number of themes by the modularity of KMeans
partitions on the mutual kNN graph; the reasoning and the measurements behind each constant are
in ``benchmarks/README-themes.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import sparse
from sklearn.cluster import KMeans, MiniBatchKMeans, kmeans_plusplus
from sklearn.preprocessing import normalize

__all__ = ["candidate_grid", "kmeans", "knn", "modularity", "mutual_graph", "neighbour_count", "select_k", "smooth"]

# Up to this many nearest neighbours per unit. Each unit is averaged with them before clustering
# (a one-step graph diffusion that removes wording noise: banking77, semantic, k given, NMI
# .67 -> .70), and the modularity of candidate partitions is measured on their mutual kNN graph.
NEIGHBOURS = 10
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


def neighbour_count(n_units: int) -> int:
    """Neighbours per unit: 10 for real corpora, fewer for small ones (a theme may hold 3)."""
    return int(min(NEIGHBOURS, max(2, round(math.sqrt(n_units) / 2))))


def knn(vectors: np.ndarray, n_neighbors: int, chunk: int = 1024) -> np.ndarray:
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


def smooth(vectors: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
    """Average each unit with its neighbours: wording noise cancels, shared meaning stays."""
    return normalize(vectors + vectors[neighbours].sum(axis=1)).astype(np.float32)


def mutual_graph(neighbours: np.ndarray) -> sparse.coo_matrix:
    """Unweighted mutual kNN graph: an edge only where each unit lists the other."""
    # A generic comment ("problème avec le site") is among the nearest neighbours of many
    # comments from many themes (a hub); keeping only mutual links drops those cross-theme edges.
    n, k = neighbours.shape
    rows = np.repeat(np.arange(n), k)
    adjacency = sparse.csr_matrix((np.ones(n * k), (rows, neighbours.ravel())), shape=(n, n))
    return (adjacency.multiply(adjacency.T) > 0).astype(np.float64).tocoo()


def modularity(graph: sparse.coo_matrix, labels: np.ndarray) -> float:
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


def kmeans(vectors: np.ndarray, k: int, weights: np.ndarray | None, random_state: int, n_init: int) -> np.ndarray:
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


def candidate_grid(k_min: int, k_max: int) -> list[int]:
    """Geometric grid, ratio about 1.25: relative differences matter (5 vs 10, not 105 vs 110)."""
    if k_max <= k_min:
        return [k_min]
    size = int(math.ceil(math.log(k_max / k_min) / math.log(GRID_RATIO))) + 1
    return sorted({int(k) for k in np.round(np.geomspace(k_min, k_max, size))})


def soft_argmax(ks: Sequence[int], scores: Sequence[float], temperature: float) -> float:
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
    n_neighbours = neighbour_count(m)
    if neighbours is None:
        neighbours = knn(vectors, n_neighbours)
    graph = mutual_graph(neighbours[:, :n_neighbours])
    hi = max(k_min, min(k_max, m // 2))
    grid = candidate_grid(k_min, hi)
    scores: dict[int, float] = {}
    for k in grid:
        scores[k] = round(modularity(graph, kmeans(space, k, None, random_state, n_init=1)), 6)
    best = soft_argmax(grid, [scores[k] for k in grid], MODULARITY_NOISE)
    return int(min(hi, max(k_min, round(best)))), scores
