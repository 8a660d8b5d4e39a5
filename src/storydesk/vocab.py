"""Vocabularies and rules kept as data files in ``storydesk/data`` so users can read and extend them.

A vocabulary file holds one entry per line; blank lines and lines starting with ``#`` are
ignored. ``Settings.data`` (``STORYDESK_DATA``) may name a folder whose files of the same name
add entries.
"""
from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from storydesk.settings import current


def _entries(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def load(name: str, missing_ok: bool = False) -> tuple[str, ...]:
    """The entries of data file ``name`` (a path under ``storydesk/data``): the packaged ones,
    then the user's (if any); with ``missing_ok``, none where neither has the file."""
    return _load(name, current().data, missing_ok)


def load_language(language: str | None, name: str) -> tuple[str, ...]:
    """A language's own entries of data file ``name`` (``lang/<code>/name``): none for English,
    whose lists are the top-level files, or for a language the project has no such list for."""
    return load(f"lang/{language}/{name}", missing_ok=True) if language and language != "en" else ()


@cache
def _load(name: str, extra_dir: Path | None, missing_ok: bool = False) -> tuple[str, ...]:
    packaged = resources.files("storydesk.data").joinpath(name)
    entries = _entries(packaged.read_text(encoding="utf-8")) if not missing_ok or packaged.is_file() else []
    if extra_dir is not None and (extra_dir / name).is_file():
        entries += _entries((extra_dir / name).read_text(encoding="utf-8"))
    return tuple(entries)


def load_table(name: str, missing_ok: bool = False) -> tuple[tuple[str, ...], ...]:
    """A tab-separated data file as rows of fields."""
    return _rows(load(name, missing_ok))


def load_language_table(language: str | None, name: str) -> tuple[tuple[str, ...], ...]:
    """``load_language`` of a tab-separated data file, as rows of fields."""
    return _rows(load_language(language, name))


def _rows(entries: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(field.strip() for field in entry.split("\t")) for entry in entries)
