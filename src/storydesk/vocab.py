"""Vocabularies and rules kept as data files in ``storydesk/data`` so users can read and extend them.

A vocabulary file holds one entry per line; blank lines and lines starting with ``#`` are
ignored. ``STORYDESK_DATA`` may name a folder whose files of the same name add entries.
"""
from __future__ import annotations

import os
from functools import cache
from importlib import resources
from pathlib import Path


def _entries(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@cache
def load(name: str) -> tuple[str, ...]:
    """The entries of data file ``name``: the packaged ones, then the user's (if any)."""
    entries = _entries(resources.files("storydesk.data").joinpath(name).read_text(encoding="utf-8"))
    extra_dir = os.environ.get("STORYDESK_DATA")
    if extra_dir and (Path(extra_dir) / name).is_file():
        entries += _entries((Path(extra_dir) / name).read_text(encoding="utf-8"))
    return tuple(entries)


def load_table(name: str) -> tuple[tuple[str, ...], ...]:
    """A tab-separated data file as rows of fields."""
    return tuple(tuple(field.strip() for field in entry.split("\t")) for entry in load(name))
