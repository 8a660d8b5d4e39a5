"""How likely two articles tell the same story: cosine similarities of their words, entities,
places, figures and calendar values, combined by a logistic model learned on ECB+ train
(``cluster_model.json``, rebuilt by ``scripts/train_cluster.py``), with a prior penalty for
publication dates far apart."""
from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import DictVectorizer
from sklearn.preprocessing import normalize

from storydesk.cluster.idf import (
    Idf,
    day_key,
    entity_key,
    figure_key,
    word_key,
)
from storydesk.model import ArticleProfile

MODEL_FILE = "cluster_model.json"
PERSON_PREFIX = "person:"
Channel = Callable[[ArticleProfile], Mapping[str, float]]


def _log_counts(counts: Mapping[str, float], key: Callable[[str], str]) -> dict[str, float]:
    return {key(k): 1.0 + math.log(c) for k, c in counts.items() if c > 0}


def _calendar(profile: ArticleProfile, length: int) -> dict[str, float]:
    return {day_key(v[:length]): 1.0 for v in profile.days if len(v) >= length}


def _persons(profile: ArticleProfile) -> dict[str, float]:
    return _log_counts({k: c for k, c in profile.entities.items() if k.startswith(PERSON_PREFIX)}, entity_key)


# Each channel maps a profile to weighted keys (before idf); a feature is the idf-weighted cosine.
CHANNELS: dict[str, Channel] = {
    "words": lambda p: _log_counts(p.terms, word_key),
    "entities": lambda p: _log_counts(p.entities, entity_key),
    "persons": _persons,
    "places": lambda p: {entity_key(k): 1.0 for k in p.places},
    "figures": lambda p: {figure_key(k): 1.0 for k in p.figures},
    "lead": lambda p: _log_counts(p.lead, str),
    "days": lambda p: _calendar(p, 10),
    "months": lambda p: _calendar(p, 7),
    "years": lambda p: _calendar(p, 4),
}
# The rarest key two articles share: one rare name in common is strong evidence even between
# two one-sentence articles, whose cosines stay low.
RAREST_SHARED: dict[str, Channel] = {
    "rarest_word": CHANNELS["words"],
    "rarest_entity": CHANNELS["entities"],
}
FEATURES = (*CHANNELS, "year_conflict", *RAREST_SHARED)


@dataclass(frozen=True)
class PairModel:
    """Logistic weights over FEATURES, the clustering threshold on the resulting probability,
    the lower threshold at which batch clustering lets a small group join a large one, and the
    publication-gap prior (logit lost per doubling of the gap beyond the grace days)."""

    weights: dict[str, float]
    bias: float
    threshold: float
    absorb_threshold: float
    gap_grace_days: float
    gap_logit_per_doubling: float
    baseline_threshold: float  # the TF-IDF baseline's own threshold, for the evaluation

    def logit(self, features: Mapping[str, np.ndarray]) -> np.ndarray:
        total = np.full(next(iter(features.values())).shape, self.bias)
        for name, weight in self.weights.items():
            total += weight * features[name]
        return total


@cache
def load_model() -> PairModel:
    """The packaged model (weights, threshold, prior)."""
    data = json.loads(resources.files("storydesk.data").joinpath(MODEL_FILE).read_text(encoding="utf-8"))
    return PairModel(
        weights={name: float(data["weights"][name]) for name in FEATURES},
        bias=float(data["bias"]),
        threshold=float(data["threshold"]),
        absorb_threshold=float(data["absorb_threshold"]),
        gap_grace_days=float(data["published_gap"]["grace_days"]),
        gap_logit_per_doubling=float(data["published_gap"]["logit_per_doubling"]),
        baseline_threshold=float(data["baseline_threshold"]),
    )


def _cosines(rows: Sequence[ArticleProfile], cols: Sequence[ArticleProfile], channel: Channel, idf: Idf) -> np.ndarray:
    """Idf-weighted cosine of one channel between every row and every column profile."""
    vectoriser = DictVectorizer()
    matrix = vectoriser.fit_transform([channel(p) for p in (*rows, *cols)])
    if matrix.shape[1] == 0:
        return np.zeros((len(rows), len(cols)))
    weights = np.array([idf.weight(key) for key in vectoriser.feature_names_])
    matrix = normalize(sparse.csr_matrix(matrix.multiply(weights)))
    return (matrix[: len(rows)] @ matrix[len(rows) :].T).toarray()


def _rarest_shared(rows: Sequence[ArticleProfile], cols: Sequence[ArticleProfile], channel: Channel, idf: Idf) -> np.ndarray:
    """The rarity (``Idf.rarity``) of the rarest key of ``channel`` that each row and column
    profile share, 0 when they share none."""
    vectoriser = DictVectorizer()
    matrix = sparse.csr_matrix(vectoriser.fit_transform([channel(p) for p in (*rows, *cols)]))
    rarity = np.array([idf.rarity(key) for key in vectoriser.feature_names_])
    row_keys = matrix[: len(rows)]
    col_rarity = sparse.csc_matrix((matrix[len(rows) :] > 0).multiply(rarity))
    result = np.zeros((len(rows), len(cols)))
    for i in range(len(rows)):
        keys = row_keys[i].indices
        if keys.size:
            result[i] = col_rarity[:, keys].max(axis=1).toarray().ravel()
    return result


def pair_features(rows: Sequence[ArticleProfile], cols: Sequence[ArticleProfile], idf: Idf) -> dict[str, np.ndarray]:
    """Every feature as a ``len(rows) x len(cols)`` matrix."""
    features = {name: _cosines(rows, cols, channel, idf) for name, channel in CHANNELS.items()}
    has_year = lambda ps: np.array([any(len(v) >= 4 for v in p.days) for p in ps], dtype=float)
    both = np.outer(has_year(rows), has_year(cols))
    features["year_conflict"] = both * (features["years"] == 0)
    for name, channel in RAREST_SHARED.items():
        features[name] = _rarest_shared(rows, cols, channel, idf)
    return features


def gap_penalty(rows: Sequence[ArticleProfile], cols: Sequence[ArticleProfile], model: PairModel) -> np.ndarray:
    """Logit lost for publication dates weeks apart: a prior, not learned (ECB+ has no dates)."""
    row_days, col_days = _ordinals(rows), _ordinals(cols)
    gaps = np.abs(row_days[:, None] - col_days[None, :])
    doublings = np.log2(np.maximum(gaps, model.gap_grace_days) / model.gap_grace_days)
    return np.nan_to_num(doublings, nan=0.0) * model.gap_logit_per_doubling


def _ordinals(profiles: Sequence[ArticleProfile]) -> np.ndarray:
    """Publication days as ordinals, NaN where unknown or not a full day."""
    values = []
    for profile in profiles:
        try:
            values.append(float(date.fromisoformat(profile.published).toordinal()) if profile.published else math.nan)
        except ValueError:
            values.append(math.nan)
    return np.array(values)


def pair_scores(
    rows: Sequence[ArticleProfile], cols: Sequence[ArticleProfile], idf: Idf, model: PairModel | None = None
) -> np.ndarray:
    """Probability that each row and each column article tell the same story (by the packaged
    model unless another is given)."""
    if not rows or not cols:
        return np.zeros((len(rows), len(cols)))
    model = model or load_model()
    logit = model.logit(pair_features(rows, cols, idf)) - gap_penalty(rows, cols, model)
    return 1.0 / (1.0 + np.exp(-logit))


def similarity(a: ArticleProfile, b: ArticleProfile, idf: Idf) -> float:
    """Probability in [0, 1] that two articles tell the same story (what place and cluster use)."""
    return float(pair_scores([a], [b], idf)[0, 0])
