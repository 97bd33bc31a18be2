"""What became of iteration N-1's themes in iteration N, decided from N's comments.

Matching theme centres one to one cannot see a theme that split, merged or drifted in wording:
a complaint still written in three of N's themes has no single partner and was called
"resolved". Here every comment of N is compared with the *members* of N-1's themes, in one
space shared by both iterations (stored sentence embeddings, or one lexical space fitted on
both): its score for a theme is the mean cosine of its three nearest members, and it is *close*
to the theme that scores best if that score clears the theme's floor. The floor is learned from
N-1 itself: the cut that best separates the theme's own members (each scored against the
others) from the comments of other themes (Youden's J). Then, for each theme of N-1:

- its share of N-1's comments and the share of N's comments close to it, each with a Wilson
  interval, and the two compared by the report's two-proportion test (`analysis.stats`);
- ``resolved`` only when that share fell significantly (p < .05) *and* almost no comment of N
  is close (at most a fifth of what the old share predicts); ``receding`` when it fell
  significantly, or when almost none is close but too few comments make the fall significant;
- otherwise ``split`` when its close comments sit in two themes of N or more, ``merged`` when
  the theme of N holding most of them also holds most of another old theme's, else ``persisting``.

A theme of N-1 may join two complaints, one fixed and one not (a clustering of N-1 cannot know
which will be fixed): its share falls by half, and one status cannot be right for both. So each
theme is also read comment by comment: its comments of N-1 that no comment of N comes near form
a part; when that part is resolved (by the rule above) and the rest persists, the fate carries
both parts with their counts, tests and quotes ("résolu en partie"), and a theme whose rest
persists is never called resolved as a whole.

Links are many-to-many: a theme of N-1 points to every theme of N holding a fifth of its close
comments (at least two), and a theme of N is ``new`` when fewer than half of its comments are
close to any old theme. Comments with nothing to say are left out of both sides by the caller.

Also here, for curation replay: the cosine of two themes' class-based TF-IDF term weights.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from analysis.stats import ALPHA, RateComparison, compare_rates, wilson_interval
from lab.i18n import N_

__all__ = [
    "DEFAULT_THRESHOLD",
    "FATE_STATUSES",
    "PART_STATUS",
    "TEST_LABELS",
    "THEME_STATUS",
    "Fate",
    "Part",
    "ThemeSignature",
    "Tracking",
    "theme_similarity",
    "track",
]

FateStatus = Literal["resolved", "receding", "persisting", "split", "merged"]
FATE_STATUSES: tuple[FateStatus, ...] = ("resolved", "receding", "persisting", "split", "merged")

#: How a theme relates to the previous iteration, in the words staff and managers read.
THEME_STATUS = {
    "new": N_("Nouveau"),
    "persisting": N_("Persistant"),
    "split": N_("Scindé"),
    "merged": N_("Fusionné"),
    "receding": N_("En baisse"),
    "resolved": N_("Résolu"),
}

#: The two parts of a theme of N-1 resolved in part, in the same words.
PART_STATUS = {"resolved": N_("Résolu en partie"), "persisting": N_("Le reste persiste")}

#: The tests behind a fate, as staff and managers read them.
TEST_LABELS = {"fisher_exact": N_("test exact de Fisher"), "two_proportion_z": N_("test de comparaison de deux proportions")}

# A comment's score for a theme: the mean cosine of its NEAREST_MEMBERS closest members, among
# at most MEMBER_SAMPLE members per theme (enough to describe a theme; bounded cost). Only the
# CANDIDATES themes with the closest centres are scored member by member.
NEAREST_MEMBERS = 3
MEMBER_SAMPLE = 100
CANDIDATES = 3
# Close to a theme: a score at least this quantile of its own members' scores, and at least
# MIXING of the NEIGHBOURS nearest comments (old and new pooled) in it. Measured on iteration
# pairs built from the labelled sets (benchmarks/README-themes.md): with the 5th/10th/20th
# percentile and no mixing rule, banking77 .77/.80/.89; both rules (20th, .2) .94.
FLOOR_QUANTILE = 0.1
NEIGHBOURS = 10
MIXING = 0.2
# "Almost none": at most this share of the comments the old share predicts (one comment at least).
ALMOST_NONE = 0.2
# A theme of N continues one of N-1 when it holds this share of the old theme's close comments
# (and at least two); a theme of N is new when less than this share of it is close to any.
SUCCESSOR_SHARE = 0.2
NEW_BELOW = 0.5
EXAMPLES = 5
# A resolved part and the rest each hold at least MIN_PART comments of N-1, and MIN_PART_SHARE of
# the theme's: the part is chosen where comments of N are rarest, then tested on those same
# comments, so a small pocket (a remark repeated in N-1 only) would pass the test by chance. Two
# exports drawn from one corpus (1M + 1M) showed two such pockets, 3-4 % of their themes. A
# comment's coverage is
# read from its PART_NEIGHBOURS nearest, among at most PART_SAMPLE comments of each iteration, and
# is low under UNCOVERED times the theme's own share of N. Measured on the tracking benchmark
# (benchmarks/README-themes.md): banking77 semantic .84 -> .92 (5 seeds), .82 -> .88 (15 seeds).
MIN_PART = 8
MIN_PART_SHARE = 0.2
PART_NEIGHBOURS = 10
PART_SAMPLE = 1_000
UNCOVERED = 0.5
CHUNK = 4096
# Rows whose length is this close to 1 are taken as unit vectors as they are (float32 rounding).
UNIT_TOLERANCE = 1e-5
# Above this many comments in N, shares are estimated on a seeded uniform sample of this size
# (and the test uses the sample's size): the pooled neighbour search stays within seconds.
TRACK_SAMPLE = 20_000

Id = Hashable


@dataclass(frozen=True)
class Part:
    """One group of a theme's comments of N-1 whose fate differs from the other group's: counts, test, quotes."""

    status: FateStatus
    before: int
    now: int
    p_value: float | None
    test: str | None
    #: Rows of N-1 in the group, nearest its centre first (what was said); rows of N still close to it.
    members: list[int] = field(default_factory=list)
    examples: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Fate:
    """One theme of N-1 in iteration N: status, evidence (shares, intervals, test), successors."""

    previous_id: Id
    status: FateStatus
    before: int
    before_total: int
    now: int
    now_total: int
    p_value: float | None
    test: str | None
    before_interval: tuple[float, float] | None
    now_interval: tuple[float, float] | None
    successors: list[tuple[Id, int]] = field(default_factory=list)
    merged_with: list[Id] = field(default_factory=list)
    examples: list[int] = field(default_factory=list)
    #: When the theme's comments of N-1 fall in two groups with different fates: each group's fate.
    parts: list[Part] = field(default_factory=list)

    @property
    def share_before(self) -> float:
        return self.before / self.before_total if self.before_total else 0.0

    @property
    def share_now(self) -> float:
        return self.now / self.now_total if self.now_total else 0.0


@dataclass(frozen=True)
class Tracking:
    """The fate of each theme of N-1, each theme of N's predecessors, and each comment's closest old theme."""

    fates: list[Fate]
    predecessors: dict[Id, list[tuple[Id, int]]]
    new: set[Id]
    close_to: list[Id | None]
    floors: dict[Id, float] = field(default_factory=dict)
    #: When N was too large: the size of the uniform sample the shares were estimated on.
    sample: int | None = None

    def fate(self, previous_id: Id) -> Fate | None:
        return next((f for f in self.fates if f.previous_id == previous_id), None)


# --- which old theme each comment of N is close to ----------------------------------------------------


def _members(themes: Sequence[Id | None], rng: np.random.Generator) -> dict[Id, np.ndarray]:
    """Row indices of each theme's members, at most MEMBER_SAMPLE of them (a seeded sample)."""
    found: dict[Id, list[int]] = {}
    for i, theme in enumerate(themes):
        if theme is not None:
            found.setdefault(theme, []).append(i)
    out = {}
    for theme, rows in found.items():
        chosen = np.asarray(rows)
        if chosen.size > MEMBER_SAMPLE:
            chosen = np.sort(rng.choice(chosen, MEMBER_SAMPLE, replace=False))
        out[theme] = chosen
    return out


def _unit(vectors: np.ndarray) -> np.ndarray:
    """Rows of unit length, so cosines are dot products; rows that already are (LSA, encoders) are not copied."""
    # Two exports of 1M comments: a copy of both sides' vectors would cost 0.8 GB at the peak, and
    # the squares np.linalg.norm makes of all the rows at once 0.4 GB (hence the norms by chunks).
    norms = np.concatenate([np.linalg.norm(vectors[start : start + CHUNK], axis=1, keepdims=True)
                            for start in range(0, vectors.shape[0], CHUNK)] or [np.zeros((0, 1))])
    # Rows of zero length (comments with no known word) stay zero either way: they force no copy.
    if norms.size and float(np.where(norms == 0, 0.0, np.abs(norms - 1.0)).max()) < UNIT_TOLERANCE:
        return vectors.astype(np.float32, copy=False)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


def _member_scores(rows: np.ndarray, vectors: np.ndarray, order: list[Id], members: Mapping[Id, np.ndarray],
                   centres: np.ndarray, own: np.ndarray | None = None) -> np.ndarray:
    """Each row's score for each old theme: mean cosine of its NEAREST_MEMBERS closest members.

    Only the CANDIDATES themes with the closest centres are scored (-inf elsewhere). `own` gives
    each row's index among `vectors` when the rows are old members themselves: a member is
    scored against its own theme without itself.
    """
    out = np.full((rows.shape[0], len(order)), -np.inf, dtype=np.float64)
    k = min(CANDIDATES, len(order))
    near = rows @ centres.T
    candidates = np.argpartition(-near, k - 1, axis=1)[:, :k]
    for t, theme in enumerate(order):
        who = np.nonzero((candidates == t).any(axis=1))[0]
        if who.size == 0:
            continue
        sims = rows[who] @ vectors[members[theme]].T
        if own is not None:
            sims[own[who][:, None] == members[theme][None, :]] = -np.inf
        m = min(NEAREST_MEMBERS, members[theme].size - (1 if own is not None else 0))
        if m > 0:
            out[who, t] = (-np.sort(-sims, axis=1)[:, :m]).mean(axis=1)
    return out


def _neighbour_votes(rows: np.ndarray, reference: np.ndarray, labels: np.ndarray, n_themes: int,
                     self_column: np.ndarray) -> np.ndarray:
    """For each row, how many of its NEIGHBOURS nearest reference comments belong to each old theme."""
    sims = rows @ reference.T
    has_self = self_column >= 0
    sims[np.nonzero(has_self)[0], self_column[has_self]] = -np.inf
    k = min(NEIGHBOURS, reference.shape[0] - 1)
    top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    votes = labels[top]
    out = np.zeros((rows.shape[0], n_themes), dtype=np.int64)
    for t in range(n_themes):
        out[:, t] = (votes == t).sum(axis=1)
    return out


def close_assignments(previous_vectors: np.ndarray, previous_themes: Sequence[Id | None], current_vectors: np.ndarray,
                      *, random_state: int = 0, previous_rows: np.ndarray | None = None
                      ) -> tuple[list[Id | None], list[Id | None], list[float], dict[Id, float]]:
    """The old theme each comment is close to (or None): for `previous_rows` of N-1 and for every comment of N.

    Returns (N-1's, N's, N's member scores, each theme's floor). Close means two things at once,
    for the same old theme: (1) its member score is at least the theme's floor, the
    FLOOR_QUANTILE of the scores of the theme's own members (each against the others); (2) among
    its NEIGHBOURS nearest comments of both iterations pooled (samples of equal size), at least
    MIXING of them are members of that theme. (1) alone lets a new neighbouring request ("card
    delivery estimate" after "card arrival") pass for the old one; (2) sees that such comments
    are closer to each other, in N, than to any old theme. N-1's comments are measured the same
    way (each without itself), so both shares come from one instrument: the comments of a theme
    that persists unchanged are counted alike on both sides, and its share does not seem to fall.
    """
    previous_vectors, current_vectors = _unit(np.asarray(previous_vectors)), _unit(np.asarray(current_vectors))
    n_prev, n_cur = previous_vectors.shape[0], current_vectors.shape[0]
    previous_rows = np.arange(n_prev) if previous_rows is None else np.asarray(previous_rows, dtype=np.int64)
    rng = np.random.default_rng(random_state)
    members = _members(previous_themes, rng)
    order = sorted(members, key=str)
    if not order:
        return [None] * previous_rows.size, [None] * n_cur, [0.0] * n_cur, {}
    index = {theme: t for t, theme in enumerate(order)}
    centres = _unit(np.vstack([previous_vectors[members[t]].mean(axis=0) for t in order]))
    sampled = np.concatenate([members[t] for t in order]).astype(np.int64)
    own_scores = _member_scores(previous_vectors[sampled], previous_vectors, order, members, centres, own=sampled)
    own_theme = np.array([index[previous_themes[i]] for i in sampled])
    floors = {}
    for t, theme in enumerate(order):
        scores = own_scores[own_theme == t, t]
        scores = scores[np.isfinite(scores)]
        floors[theme] = float(np.quantile(scores, FLOOR_QUANTILE)) if scores.size else -math.inf

    # The pooled reference: old members (and a sample of old "Autres"), and as many comments of N.
    others = np.array([i for i, t in enumerate(previous_themes) if t is None], dtype=np.int64)
    if others.size > MEMBER_SAMPLE:
        others = np.sort(rng.choice(others, MEMBER_SAMPLE, replace=False))
    old_rows = np.concatenate([sampled, others])
    new_rows = np.arange(n_cur) if n_cur <= old_rows.size else np.sort(rng.choice(n_cur, old_rows.size, replace=False))
    reference = np.vstack([previous_vectors[old_rows], current_vectors[new_rows]])
    labels = np.concatenate([own_theme, np.full(others.size, -1), np.full(new_rows.size, -2)])
    needed = MIXING * min(NEIGHBOURS, reference.shape[0] - 1)

    def assign(vectors: np.ndarray, rows: np.ndarray, own: np.ndarray | None, columns: np.ndarray
               ) -> tuple[list[Id | None], list[float]]:
        assigned: list[Id | None] = []
        values: list[float] = []
        for start in range(0, rows.size, CHUNK):
            chunk = rows[start : start + CHUNK]
            block = vectors[chunk]
            scores = _member_scores(block, previous_vectors, order, members, centres,
                                    own=None if own is None else own[start : start + CHUNK])
            votes = _neighbour_votes(block, reference, labels, len(order), columns[start : start + CHUNK])
            best = np.argmax(scores, axis=1)
            value = scores[np.arange(block.shape[0]), best]
            mixed = votes[np.arange(block.shape[0]), best] >= needed
            for t, v, ok in zip(best.tolist(), value.tolist(), mixed.tolist()):
                theme = order[t]
                assigned.append(theme if ok and v >= floors[theme] else None)
                values.append(float(v) if math.isfinite(v) else 0.0)
        return assigned, values

    new_columns = np.full(n_cur, -1, dtype=np.int64)
    new_columns[new_rows] = old_rows.size + np.arange(new_rows.size)
    old_position = {int(r): i for i, r in enumerate(old_rows)}
    old_columns = np.array([old_position.get(int(r), -1) for r in previous_rows], dtype=np.int64)
    before, _values = assign(previous_vectors, previous_rows, previous_rows, old_columns)
    after, values = assign(current_vectors, np.arange(n_cur), None, new_columns)
    return before, after, values, floors


# --- statuses -----------------------------------------------------------------------------------


def _interval(successes: int, n: int) -> tuple[float, float] | None:
    found = wilson_interval(successes, n)
    return (round(found.low, 4), round(found.high, 4)) if found else None


def _decline(before: int, before_total: int, now: int, now_total: int) -> tuple[FateStatus | None, RateComparison | None]:
    """"resolved", "receding" or None (no significant fall), and the comparison of the two shares behind it."""
    comparison = compare_rates(before, before_total, now, now_total) if before_total and now_total else None
    lower = comparison is not None and comparison.rate2 < comparison.rate1
    fell = lower and comparison.p_value < ALPHA
    expected = before / before_total * now_total if before_total else 0.0
    almost_none = now <= max(1.0, ALMOST_NONE * expected)
    if fell and almost_none:
        return "resolved", comparison
    if fell or (almost_none and lower):
        return "receding", comparison
    return None, comparison


def _parts(members: np.ndarray, member_rows: Sequence[int], close: np.ndarray, close_rows: Sequence[int],
           before_total: int, now_total: int, rng: np.random.Generator) -> list[Part]:
    """The part of the theme no comment of N comes near, and the rest: both, when the first is resolved and the rest persists.

    A theme of N-1 may join two complaints of which only one was fixed: its share falls by half
    and the theme reads "receding", hiding a resolved complaint behind one that persists. A
    comment of N-1 is *uncovered* when the share of comments of N among its PART_NEIGHBOURS
    nearest (the theme's comments of N-1 and of N pooled), averaged over its PART_NEIGHBOURS
    nearest comments of N-1, is under UNCOVERED times the theme's share of N. Every comment of
    either iteration goes with its nearest sampled comment of N-1, so both parts get counts in
    both iterations, tested by the same rule as whole themes.
    """
    if len(member_rows) < 2 * MIN_PART or not len(close_rows):
        return []
    members, close = _unit(members), _unit(close)
    old = _bounded(len(member_rows), rng)
    new = _bounded(len(close_rows), rng)
    pooled = np.vstack([members[old], close[new]])
    sims = members[old] @ pooled.T
    np.fill_diagonal(sims[:, : old.size], -np.inf)
    k = min(PART_NEIGHBOURS, pooled.shape[0] - 1)
    coverage = (np.argpartition(-sims, k - 1, axis=1)[:, :k] >= old.size).mean(axis=1)
    np.fill_diagonal(sims[:, : old.size], np.inf)
    k_old = min(PART_NEIGHBOURS, old.size)
    smoothed = coverage[np.argpartition(-sims[:, : old.size], k_old - 1, axis=1)[:, :k_old]].mean(axis=1)
    uncovered = smoothed < UNCOVERED * new.size / pooled.shape[0]
    before_side = uncovered[_nearest_of(members, members[old])]
    now_side = uncovered[_nearest_of(close, members[old])]
    parts = []
    for side_before, side_now in ((before_side, now_side), (~before_side, ~now_side)):
        inside, now_rows = np.nonzero(side_before)[0], [close_rows[i] for i in np.nonzero(side_now)[0]]
        if inside.size < max(MIN_PART, MIN_PART_SHARE * len(member_rows)):
            return []
        status, comparison = _decline(int(inside.size), before_total, len(now_rows), now_total)
        centre = _unit(members[inside].mean(axis=0, keepdims=True))[0]
        parts.append(Part(status=status or "persisting", before=int(inside.size), now=len(now_rows),
                          p_value=None if comparison is None else round(comparison.p_value, 6),
                          test=None if comparison is None else comparison.test,
                          members=[int(member_rows[i]) for i in inside[np.argsort(-(members[inside] @ centre))]],
                          examples=now_rows))
    return parts if [part.status for part in parts] == ["resolved", "persisting"] else []


def _bounded(n: int, rng: np.random.Generator) -> np.ndarray:
    """All of range(n), or a seeded sample of PART_SAMPLE of it: the neighbour search stays bounded."""
    return np.arange(n) if n <= PART_SAMPLE else np.sort(rng.choice(n, PART_SAMPLE, replace=False))


def _nearest_of(rows: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Index of each row's most similar reference row (a row of the reference finds itself)."""
    return np.concatenate([np.argmax(rows[i : i + CHUNK] @ reference.T, axis=1) for i in range(0, rows.shape[0], CHUNK)])


def track(previous_vectors: np.ndarray, previous_themes: Sequence[Id | None], current_vectors: np.ndarray,
          current_themes: Sequence[Id | None], *, random_state: int = 0) -> Tracking:
    """The fate of every theme of N-1 from N's comments (rows: comments with content; theme None = "Autres")."""
    if len(previous_themes) != previous_vectors.shape[0] or len(current_themes) != current_vectors.shape[0]:
        raise ValueError("one theme (or None) per row of vectors")
    sample = None
    n_current = len(current_themes)
    rng = np.random.default_rng(random_state)
    if n_current > TRACK_SAMPLE:  # shares are then estimated on a uniform sample of N
        sample = np.sort(rng.choice(n_current, TRACK_SAMPLE, replace=False))
        current_vectors = np.asarray(current_vectors)[sample]
        current_themes = [current_themes[i] for i in sample]
    previous_rows = np.arange(len(previous_themes))
    if previous_rows.size > TRACK_SAMPLE:  # and on a uniform sample of N-1
        previous_rows = np.sort(rng.choice(previous_rows.size, TRACK_SAMPLE, replace=False))
    close_before, close_to, scores, floors = close_assignments(
        previous_vectors, previous_themes, current_vectors, random_state=random_state, previous_rows=previous_rows)
    before_counts: dict[Id, int] = {theme: 0 for theme in previous_themes if theme is not None}
    for theme in close_before:
        if theme is not None:
            before_counts[theme] += 1
    before_total, now_total = int(previous_rows.size), len(current_themes)
    shared: dict[tuple[Id, Id], int] = {}
    close_count: dict[Id, int] = {}
    close_rows: dict[Id, list[int]] = {}
    assigned_in: dict[Id, int] = {}
    sizes: dict[Id, int] = {}
    for row, (old, new) in enumerate(zip(close_to, current_themes)):
        if new is not None:
            sizes[new] = sizes.get(new, 0) + 1
        if old is None:
            continue
        close_count[old] = close_count.get(old, 0) + 1
        close_rows.setdefault(old, []).append(row)
        if new is not None:
            shared[old, new] = shared.get((old, new), 0) + 1
            assigned_in[new] = assigned_in.get(new, 0) + 1

    successors: dict[Id, list[tuple[Id, int]]] = {}
    for (old, new), count in shared.items():
        if count >= 2 and count >= SUCCESSOR_SHARE * close_count[old]:
            successors.setdefault(old, []).append((new, count))
    for old in successors:
        successors[old].sort(key=lambda item: (-item[1], str(item[0])))
    main = {old: links[0][0] for old, links in successors.items()}
    predecessors: dict[Id, list[tuple[Id, int]]] = {}
    for old, links in successors.items():
        for new, count in links:
            predecessors.setdefault(new, []).append((old, count))
    for new in predecessors:
        predecessors[new].sort(key=lambda item: (-item[1], str(item[0])))
    new_themes = {t for t, size in sizes.items() if assigned_in.get(t, 0) < NEW_BELOW * size}

    close_members: dict[Id, list[int]] = {}
    for row, theme in zip(previous_rows.tolist(), close_before):
        if theme is not None:
            close_members.setdefault(theme, []).append(row)
    to_sample = (lambda rows: rows) if sample is None else (lambda rows: [int(sample[r]) for r in rows])
    fates = []
    for old in sorted(before_counts, key=lambda t: (-before_counts[t], str(t))):
        before, now = before_counts[old], close_count.get(old, 0)
        decline, comparison = _decline(before, before_total, now, now_total)
        links = successors.get(old, [])
        merged_with = sorted({other for other, target in main.items() if other != old and old in main and target == main[old]}, key=str)
        if decline is not None:
            status: FateStatus = decline
        elif len(links) >= 2:
            status = "split"
        elif merged_with:
            status = "merged"
        else:
            status = "persisting"
        rows = sorted(close_rows.get(old, []), key=lambda r: -scores[r])[:EXAMPLES]
        parts = _parts(
            np.asarray(previous_vectors)[close_members.get(old, [])], close_members.get(old, []),
            np.asarray(current_vectors)[close_rows.get(old, [])], close_rows.get(old, []), before_total, now_total, rng)
        if parts and status == "resolved":  # what is left of it persists: the theme is not gone
            status = "receding"
        fates.append(Fate(
            previous_id=old, status=status, before=before, before_total=before_total, now=now, now_total=now_total,
            p_value=None if comparison is None else round(comparison.p_value, 6),
            test=None if comparison is None else comparison.test,
            before_interval=_interval(before, before_total), now_interval=_interval(now, now_total),
            successors=links, merged_with=merged_with, examples=to_sample(rows),
            parts=[replace(part, examples=to_sample(sorted(part.examples, key=lambda r: -scores[r])[:EXAMPLES])) for part in parts],
        ))
    if sample is not None:  # close_to is given per comment of N; unsampled ones are unknown (None)
        full: list[Id | None] = [None] * n_current
        for row, theme in zip(sample.tolist(), close_to):
            full[row] = theme
        close_to = full
    return Tracking(fates=fates, predecessors=predecessors, new=new_themes, close_to=close_to,
                    floors={k: round(v, 4) for k, v in floors.items()},
                    sample=None if sample is None else int(sample.size))


# --- term similarity (curation replay finds a theme again by its terms) ------------------------------

# Cosine of c-TF-IDF term vectors. Two phrasings of one theme share their main terms (about .5
# and above); unrelated themes share at most a generic word (below about .15).
DEFAULT_THRESHOLD = 0.3


@dataclass(frozen=True)
class ThemeSignature:
    """What term matching needs from a theme: id, terms (stem -> c-TF-IDF weight), size."""

    id: int | str
    terms: Mapping[str, float]
    size: int
    centroid: Sequence[float] | None = field(default=None, compare=False)


def _norm_key(key: str) -> str:
    """Terms are compared lowercase and accent-folded, like the stems they usually are."""
    from lab.folding import strip_accents

    return strip_accents(key.lower())


def _term_cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine over the union vocabulary of the two term vectors."""
    va: dict[str, float] = {}
    vb: dict[str, float] = {}
    for key, weight in a.items():
        va[_norm_key(key)] = va.get(_norm_key(key), 0.0) + float(weight)
    for key, weight in b.items():
        vb[_norm_key(key)] = vb.get(_norm_key(key), 0.0) + float(weight)
    dot = sum(w * vb.get(k, 0.0) for k, w in va.items())
    na = math.sqrt(sum(w * w for w in va.values()))
    nb = math.sqrt(sum(w * w for w in vb.values()))
    return dot / (na * nb) if na > 0 and nb > 0 else 0.0


def theme_similarity(a: ThemeSignature, b: ThemeSignature) -> float:
    """Term cosine; centroid cosine only when neither theme has terms but both have centroids."""
    if (not a.terms or not b.terms) and a.centroid is not None and b.centroid is not None:
        ca = np.asarray(a.centroid, dtype=np.float64)
        cb = np.asarray(b.centroid, dtype=np.float64)
        if ca.shape == cb.shape and np.linalg.norm(ca) > 0 and np.linalg.norm(cb) > 0:
            return float(ca @ cb / (np.linalg.norm(ca) * np.linalg.norm(cb)))
    return _term_cosine(a.terms, b.terms)
