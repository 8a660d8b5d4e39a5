"""Articles in different languages compared by what their title and lead mean, where their words
cannot be (``storydesk.meaning``: the multilingual sentence encoder). The encoder runs only on
pairs whose languages differ, and only when installed; its similarity stands in for the word
and lead cosines the pair model was trained on."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from storydesk import meaning
from storydesk.model import ArticleProfile

GIST_CHARS = 300  # how much of the title and lead is encoded: the lead says who, what and where
# Encoder similarity -> an equivalent word cosine, rising from 0 at UNRELATED to a full word cosine
# at SAME_EVENT: unrelated news scores about 0.1, one event told in two languages 0.55 to 0.85.
# Chosen on the Singapore dev stories among five settings (docs/benchmarks.md).
UNRELATED, SAME_EVENT, WORD_COSINE_AT_SAME_EVENT = 0.3, 0.7, 1.0


def across_languages(rows: Sequence[ArticleProfile], cols: Sequence[ArticleProfile]) -> np.ndarray:
    """True for each pair of articles in two known, different languages, both with a gist."""
    return meaning.different_languages([p.language if p.gist else None for p in rows], [p.language if p.gist else None for p in cols])


def word_cosine_across(rows: Sequence[ArticleProfile], cols: Sequence[ArticleProfile], across: np.ndarray) -> np.ndarray | None:
    """For the pairs ``across`` languages, the word cosine their meaning is worth (0 elsewhere);
    None when the encoder is not installed."""
    if not meaning.available():
        return None
    row_ids, col_ids = np.flatnonzero(across.any(axis=1)), np.flatnonzero(across.any(axis=0))
    similarity = np.zeros(across.shape)
    if len(row_ids):
        block = meaning.similarities([rows[i].gist for i in row_ids], [cols[j].gist for j in col_ids])
        similarity[np.ix_(row_ids, col_ids)] = block
    scaled = np.minimum(meaning.worth(similarity, UNRELATED, SAME_EVENT) * WORD_COSINE_AT_SAME_EVENT, 1.0)
    return np.where(across, scaled, 0.0)
