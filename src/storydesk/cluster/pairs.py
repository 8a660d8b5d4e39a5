"""How likely two articles tell the same story: cosine similarities of their words, entities,
places, figures and calendar values, combined by a logistic model learned on ECB+ train
(``cluster_model.json``, rebuilt by ``scripts/train_cluster.py``), with a prior penalty for
publication dates far apart."""
from __future__ import annotations

import json
import math
import threading
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
from storydesk.cluster.meaning import across_languages, word_cosine_across
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
MAX_NUMBERED_KEYS = 500_000  # (channel, key) numbers kept between calls (about 100 MB) before starting afresh
MAX_NUMBERED_PROFILES = 20_000  # profiles whose entries are kept between calls
ROW_BLOCK = 256  # row profiles per sparse product in ``_cosines``: bounds its memory on large batches


@dataclass(frozen=True)
class PairModel:
    """Logistic weights over FEATURES, the batch clustering threshold on the resulting
    probability, the lower threshold at which batch clustering lets a small group join a large
    one, the threshold at which online placement joins an article to a story, and the
    publication-gap prior (logit lost per doubling of the gap beyond the grace days; for two
    articles that name a person in common, less per doubling and at most a cap)."""

    weights: dict[str, float]
    bias: float
    threshold: float
    place_threshold: float
    absorb_threshold: float
    gap_grace_days: float
    gap_logit_per_doubling: float
    gap_shared_person_logit_per_doubling: float
    gap_shared_person_cap: float
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
        gap_shared_person_logit_per_doubling=float(data["published_gap"]["shared_person_logit_per_doubling"]),
        gap_shared_person_cap=float(data["published_gap"]["shared_person_cap"]),
        baseline_threshold=float(data["baseline_threshold"]),
    )


@dataclass(frozen=True)
class _Entries:
    """A profile's weighted keys of every channel, under the process-wide (channel, key) numbers."""

    profile: ArticleProfile  # the object numbered: a replaced profile is another object, numbered anew
    numbers: np.ndarray
    values: np.ndarray
    lengths: np.ndarray  # entries per channel, in CHANNELS order


class _KeyNumbers:
    """Numbers for every (channel, key) seen in this process, and the entries of the stored
    profiles compared lately, kept between calls: consecutive placements compare an article
    with many of the same members, and listing their keys anew was 40% of loading a large store.
    Both are emptied when full; a lock keeps one numbering per call."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        """Forget every number and entry."""
        self.numbers: dict[tuple[int, str], int] = {}
        self.keys: list[str] = []
        self.profiles: dict[int, _Entries] = {}

    def make_room(self) -> None:
        """Start afresh when full (only between calls: numbers must not change within one)."""
        if len(self.keys) > MAX_NUMBERED_KEYS or len(self.profiles) > MAX_NUMBERED_PROFILES:
            self.clear()

    def entries(self, profile: ArticleProfile) -> _Entries:
        """The profile's entries: kept ones when this very object was numbered before."""
        known = self.profiles.get(profile.article_id) if profile.article_id is not None else None
        if known is not None and known.profile is profile:
            return known
        numbers, values, lengths = [], [], []
        for channel_number, channel in enumerate(CHANNELS.values()):
            weighted = channel(profile)
            for key, value in weighted.items():
                number = self.numbers.setdefault((channel_number, key), len(self.keys))
                if number == len(self.keys):
                    self.keys.append(key)
                numbers.append(number)
                values.append(value)
            lengths.append(len(weighted))
        entries = _Entries(profile, np.array(numbers, dtype=np.int64), np.array(values, dtype=float), np.array(lengths))
        if profile.article_id is not None:
            self.profiles[profile.article_id] = entries
        return entries


_KEY_NUMBERS = _KeyNumbers()


def _channel_rows(profiles: Sequence[ArticleProfile], idf: Idf) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Every profile's idf-weighted keys of every channel, one unit-length sparse row per
    (profile, channel): row ``p * len(CHANNELS) + c`` holds profile p's keys of channel c, each
    column one (channel, key); and each column's idf weight. One matrix for all channels, built
    from the numbered entries rather than by DictVectorizer: placing one article compares it with
    a few hundred profiles, and per-channel matrices or the vectoriser's checks cost more than
    the products. ``profiles``: at least one."""
    with _KEY_NUMBERS.lock:
        _KEY_NUMBERS.make_room()
        entries = [_KEY_NUMBERS.entries(profile) for profile in profiles]
        used, columns = np.unique(np.concatenate([e.numbers for e in entries]), return_inverse=True)
        used_keys = [_KEY_NUMBERS.keys[number] for number in used]
    weights = idf.weights(used_keys)
    indptr = np.concatenate(([0], np.cumsum(np.concatenate([e.lengths for e in entries]))))
    weighted = np.concatenate([e.values for e in entries]) * weights[columns]
    row_count = len(indptr) - 1
    rows = np.repeat(np.arange(row_count), np.diff(indptr))
    norms = np.sqrt(np.bincount(rows, weights=weighted**2, minlength=row_count))[rows]
    unit = np.divide(weighted, norms, out=np.zeros_like(weighted), where=norms > 0)
    return sparse.csr_matrix((unit, columns, indptr), shape=(row_count, len(used))), weights


def _cosines(matrix: sparse.csr_matrix, split: int) -> np.ndarray:
    """Idf-weighted cosine, channel by channel, between every profile before ``split`` and every
    one from it on, as a ``channels x split x others`` array. Rows of two channels share no
    column, so one sparse product yields every channel's cosines; it runs ROW_BLOCK profiles at a
    time to bound its memory on large batches."""
    channels = len(CHANNELS)
    others = matrix.shape[0] // channels - split
    result = np.zeros((channels, split, others))
    columns = matrix[split * channels :].T.tocsr()
    for start in range(0, split, ROW_BLOCK):
        block = (matrix[start * channels : min(split, start + ROW_BLOCK) * channels] @ columns).tocoo()
        result[block.row % channels, start + block.row // channels, block.col // channels] = block.data
    return result


def _rarest_shared(matrix: sparse.csr_matrix, rarity: np.ndarray, split: int, channel: int) -> np.ndarray:
    """The rarity (``Idf.rarity``, one per column) of the rarest key of ``channel`` (its number) that each profile
    before ``split`` shares with each one from it on, 0 when they share none."""
    channels = len(CHANNELS)
    others = matrix[(split * channels + channel) :: channels]
    owners = np.repeat(np.arange(others.shape[0]), np.diff(others.indptr))
    result = np.zeros((split, others.shape[0]))
    for i in range(split):
        row = i * channels + channel
        own = np.zeros(len(rarity), dtype=bool)
        own[matrix.indices[matrix.indptr[row] : matrix.indptr[row + 1]]] = True
        shared = own[others.indices]
        np.maximum.at(result[i], owners[shared], rarity[others.indices[shared]])
    return result


def pair_features(rows: Sequence[ArticleProfile], cols: Sequence[ArticleProfile], idf: Idf) -> dict[str, np.ndarray]:
    """Every feature as a ``len(rows) x len(cols)`` matrix."""
    matrix, weights = _channel_rows((*rows, *cols), idf)
    features = dict(zip(CHANNELS, _cosines(matrix, len(rows))))
    has_year = lambda ps: np.array([any(len(v) >= 4 for v in p.days) for p in ps], dtype=float)
    both = np.outer(has_year(rows), has_year(cols))
    features["year_conflict"] = both * (features["years"] == 0)
    features["main_person_conflict"] = _main_person_conflicts(rows, cols)
    channel_numbers = {name: number for number, name in enumerate(CHANNELS)}
    for name, channel in RAREST_SHARED.items():
        features[name] = _rarest_shared(matrix, weights / idf.unseen_weight, len(rows), channel_numbers[channel])
    _with_meaning_across_languages(features, rows, cols)
    return features


def _with_meaning_across_languages(features: dict[str, np.ndarray], rows: Sequence[ArticleProfile], cols: Sequence[ArticleProfile]) -> None:
    """Where two articles are in different languages, their words cannot meet: the word and
    lead cosines take the value of what their titles and leads mean (``meaning.py``)."""
    across = across_languages(rows, cols)
    if not across.any():
        return
    worth = word_cosine_across(rows, cols, across)
    if worth is not None:
        for name in ("words", "lead"):
            features[name] = np.maximum(features[name], worth)


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
    numbers: dict[str | None, int] = {None: -1}
    row_main = np.array([numbers.setdefault(main_person(p), len(numbers)) for p in rows])
    col_main = np.array([numbers.setdefault(main_person(p), len(numbers)) for p in cols])
    return ((row_main[:, None] >= 0) & (col_main[None, :] >= 0) & (row_main[:, None] != col_main[None, :])).astype(float)


def gap_penalty(
    rows: Sequence[ArticleProfile], cols: Sequence[ArticleProfile], model: PairModel, shared_person: np.ndarray
) -> np.ndarray:
    """Logit lost for publication dates days apart, per doubling of the gap beyond the grace
    days; where ``shared_person`` (both name a person), less per doubling and at most a cap: a
    trial or a funeral months later names the victim or the accused, another shooting in the
    same town does not. Not learned with the weights (ECB+ has no dates), chosen on dated local
    news (GVA)."""
    row_days, col_days = _ordinals(rows), _ordinals(cols)
    gaps = np.abs(row_days[:, None] - col_days[None, :])
    doublings = np.nan_to_num(np.log2(np.maximum(gaps, model.gap_grace_days) / model.gap_grace_days), nan=0.0)
    shared = np.minimum(doublings * model.gap_shared_person_logit_per_doubling, model.gap_shared_person_cap)
    return np.where(shared_person, shared, doublings * model.gap_logit_per_doubling)


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
    features = pair_features(rows, cols, idf)
    logit = model.logit(features) - gap_penalty(rows, cols, model, features["persons"] > 0)
    return 1.0 / (1.0 + np.exp(-logit))


def similarity(a: ArticleProfile, b: ArticleProfile, idf: Idf) -> float:
    """Probability in [0, 1] that two articles tell the same story (what place and cluster use)."""
    return float(pair_scores([a], [b], idf)[0, 0])
