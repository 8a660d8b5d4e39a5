"""Inverse document frequencies over the keys of profiles (words, entities, days, figures),
from the counts the store keeps or from a batch of profiles."""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

from storydesk.model import ArticleProfile


def word_key(term: str) -> str:
    return "t:" + term


def entity_key(key: str) -> str:
    return "e:" + key


def figure_key(figure: str) -> str:
    return "f:" + figure


def day_key(value: str) -> str:
    return "d:" + value


def document_keys(profile: ArticleProfile) -> set[str]:
    """The keys whose document frequency the store counts for ``profile`` (one per document):
    its words, entities (places are entities), lead keys, figures and calendar values at day,
    month and year precision."""
    keys = {word_key(t) for t in profile.terms} | {entity_key(e) for e in profile.entities}
    keys |= {entity_key(p) for p in profile.places}
    keys |= {figure_key(f) for f in profile.figures}
    keys |= set(profile.lead)
    keys |= {day_key(v) for value in profile.days for v in coarser_values(value)}
    return keys


def coarser_values(value: str) -> tuple[str, ...]:
    """An ISO value and its month and year: "2011-11-12" -> ("2011-11-12", "2011-11", "2011")."""
    return tuple(value[:length] for length in (10, 7, 4) if len(value) >= length)


class Idf:
    """Smoothed inverse document frequency, ``log((1 + N) / (1 + df)) + 1`` (scikit-learn's
    ``smooth_idf``): a key never seen weighs most, one in every document weighs 1. ``lookup``
    (the store's) gives the frequencies of keys ``df`` lacks, many at a time, as ``weights``
    needs them: placing an article asks for its candidates' keys without listing them first."""

    def __init__(
        self, n_docs: int, df: Mapping[str, int], lookup: Callable[[list[str]], Mapping[str, int]] | None = None
    ) -> None:
        self.n_docs = n_docs
        self.df = dict(df) if lookup else df
        self.lookup = lookup

    def weight(self, key: str) -> float:
        if self.lookup is not None and key not in self.df:
            self._look_up([key])
        return math.log((1 + self.n_docs) / (1 + self.df.get(key, 0))) + 1.0

    def weights(self, keys: Sequence[str]) -> np.ndarray:
        """``weight`` of many keys at once."""
        if self.lookup is not None:
            self._look_up([key for key in keys if key not in self.df])
        df = np.fromiter((self.df.get(key, 0) for key in keys), dtype=float, count=len(keys))
        return np.log((1 + self.n_docs) / (1 + df)) + 1.0

    def _look_up(self, missing: list[str]) -> None:
        """Add the looked-up frequencies of ``missing`` keys (0 for a key never counted) to ``df``."""
        if missing:
            found = self.lookup(missing)
            self.df.update({key: found.get(key, 0) for key in missing})

    @property
    def unseen_weight(self) -> float:
        """The weight of a key no document has, the largest."""
        return math.log(1 + self.n_docs) + 1.0

    def rarity(self, key: str) -> float:
        """The weight scaled to (0, 1] by that of an unseen key, comparable across store sizes."""
        return self.weight(key) / self.unseen_weight

    @classmethod
    def from_profiles(cls, profiles: Iterable[ArticleProfile]) -> Idf:
        """Document frequencies counted over ``profiles`` (batch clustering, evaluation)."""
        df: Counter[str] = Counter()
        n_docs = 0
        for profile in profiles:
            df.update(document_keys(profile))
            n_docs += 1
        return cls(n_docs, df)
