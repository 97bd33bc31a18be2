"""Weighted draws the demo's generators share, always from the rng they are handed (so a seed replays)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence


def weighted(rng: random.Random, pairs: Iterable[tuple[object, float]]) -> object:
    """One value of (value, weight) pairs, the way the stories write their choices."""
    values, weights = zip(*pairs)
    return rng.choices(values, weights=weights)[0]


def sample_weighted(rng: random.Random, items: Sequence, weights: Sequence[float], k: int) -> list:
    """k distinct items, drawn with the given weights (Efraimidis–Spirakis keys)."""
    keys = [(rng.random() ** (1 / weight), index) for index, weight in enumerate(weights)]
    return [items[index] for _key, index in sorted(keys, reverse=True)[:k]]
