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
RAREST_SHARED: dict[str, str] = {"rarest_word": "words", "rarest_entity": "entities"}
FEATURES = (*CHANNELS, "year_conflict", "main_person_conflict", *RAREST_SHARED)
MAIN_PERSON_MENTIONS = 2  # a main person is named at least twice, more often than anyone else


@dataclass(frozen=True)
class PairModel:
    """Logistic weights over FEATURES, the batch clustering threshold on the resulting
    probability, the lower threshold at which batch clustering lets a small group join a large
    one, the threshold at which online placement joins an article to a story, and the
    publication-gap prior (logit lost per doubling of the gap beyond the grace days)."""

    weights: dict[str, float]
    bias: float
    threshold: float
    place_threshold: float
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
        place_threshold=float(data["place_threshold"]),
        absorb_threshold=float(data["absorb_threshold"]),
        gap_grace_days=float(data["published_gap"]["grace_days"]),
        gap_logit_per_doubling=float(data["published_gap"]["logit_per_doubling"]),
        baseline_threshold=float(data["baseline_threshold"]),
    )


def _key_matrix(profiles: Sequence[ArticleProfile], channel: Channel) -> tuple[sparse.csr_matrix, list[str]]:
    """One row per profile holding its weighted keys of ``channel``, and each column's key.
    Built by hand rather than by DictVectorizer: placing one article compares it with a few
    dozen profiles, and the vectoriser's checks cost more than the products (2x the whole
    placement)."""
    vocabulary: dict[str, int] = {}
    indptr, indices, values = [0], [], []
    for profile in profiles:
        for key, value in channel(profile).items():
            indices.append(vocabulary.setdefault(key, len(vocabulary)))
            values.append(value)
        indptr.append(len(indices))
    shape = (len(profiles), len(vocabulary))
    matrix = sparse.csr_matrix((np.array(values, dtype=float), np.array(indices, dtype=np.int64), np.array(indptr)), shape=shape)
    return matrix, list(vocabulary)


def _cosines(matrix: sparse.csr_matrix, keys: Sequence[str], split: int, idf: Idf) -> np.ndarray:
    """Idf-weighted cosine between every row before ``split`` and every row from it on."""
    if not keys:
        return np.zeros((split, matrix.shape[0] - split))
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    weighted = matrix.data * np.array([idf.weight(key) for key in keys])[matrix.indices]
    norms = np.sqrt(np.bincount(rows, weights=weighted**2, minlength=matrix.shape[0]))[rows]
    unit_values = np.divide(weighted, norms, out=np.zeros_like(weighted), where=norms > 0)
    unit = sparse.csr_matrix((unit_values, matrix.indices, matrix.indptr), shape=matrix.shape)
    return (unit[:split] @ unit[split:].T).toarray()


def _rarest_shared(matrix: sparse.csr_matrix, keys: Sequence[str], split: int, idf: Idf) -> np.ndarray:
    """The rarity (``Idf.rarity``) of the rarest key that each row before ``split`` shares with
    each row from it on, 0 when they share none."""
    result = np.zeros((split, matrix.shape[0] - split))
    if not keys:
        return result
    rarity = np.array([idf.rarity(key) for key in keys])
    col_rarity = sparse.csc_matrix((matrix[split:] > 0).multiply(rarity))
    for i in range(split):
        row_keys = matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]]
        if row_keys.size:
            result[i] = col_rarity[:, row_keys].max(axis=1).toarray().ravel()
    return result


def pair_features(rows: Sequence[ArticleProfile], cols: Sequence[ArticleProfile], idf: Idf) -> dict[str, np.ndarray]:
    """Every feature as a ``len(rows) x len(cols)`` matrix."""
    profiles, split = (*rows, *cols), len(rows)
    matrices = {name: _key_matrix(profiles, channel) for name, channel in CHANNELS.items()}
    features = {name: _cosines(*matrices[name], split, idf) for name in CHANNELS}
    has_year = lambda ps: np.array([any(len(v) >= 4 for v in p.days) for p in ps], dtype=float)
    both = np.outer(has_year(rows), has_year(cols))
    features["year_conflict"] = both * (features["years"] == 0)
    features["main_person_conflict"] = _main_person_conflicts(rows, cols)
    for name, channel in RAREST_SHARED.items():
        features[name] = _rarest_shared(*matrices[channel], split, idf)
    return features


def main_person(profile: ArticleProfile) -> str | None:
    """The person an article is about: named most often, at least MAIN_PERSON_MENTIONS times,
    and more often than anyone else; None when no one stands out."""
    counts = sorted((count for key, count in profile.entities.items() if key.startswith(PERSON_PREFIX)), reverse=True)
    if not counts or counts[0] < MAIN_PERSON_MENTIONS or (len(counts) > 1 and counts[1] == counts[0]):
        return None
    return max((key for key in profile.entities if key.startswith(PERSON_PREFIX)), key=profile.entities.__getitem__)


def _main_person_conflicts(rows: Sequence[ArticleProfile], cols: Sequence[ArticleProfile]) -> np.ndarray:
    """1 where both articles are about one person and not the same one: two arrests of two
    players of one team share nearly every word but the man arrested."""
    row_main, col_main = [main_person(p) for p in rows], [main_person(p) for p in cols]
    return np.array([[float(a is not None and b is not None and a != b) for b in col_main] for a in row_main]).reshape(len(rows), len(cols))


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
