"""discover: turn the paths a user gives (files, folders, globs, "-") into Sources, streaming.

Folders are walked with os.scandir (one stat per file, none for folders), in sorted order,
skipping hidden entries and files of types ingest does not read.
"""
from __future__ import annotations

import glob
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from storydesk.ingest.formats import extension_formats, format_of, split_name
from storydesk.model import IngestProblem, Origin

STDIN = "-"
STDIN_LABEL = "<stdin>"


@dataclass(frozen=True)
class Source:
    """One thing to read: a file (``path``) or stdin (``path`` None); ``label`` names it in
    messages and origins; ``size`` in bytes when known."""

    path: Path | None
    label: str
    size: int | None = None


def discover(paths: Iterable[str]) -> Iterator[Source | IngestProblem]:
    """Sources for the given paths, in order, each file once; a problem for each path that
    does not exist, matches nothing, cannot be listed, or is a file type ingest does not read."""
    seen: set[str] = set()
    for given in paths:
        for found in _expand(given):
            if isinstance(found, Source) and found.path is not None:
                key = os.path.abspath(found.path)
                if key in seen:
                    continue
                seen.add(key)
            yield found


def stdin_source() -> Source:
    """The Source standing for standard input."""
    return Source(path=None, label=STDIN_LABEL)


def _expand(given: str) -> Iterator[Source | IngestProblem]:
    """Sources for one given path: stdin, a file, a folder, or a glob."""
    if given == STDIN:
        yield stdin_source()
        return
    try:
        info = os.stat(given)
    except FileNotFoundError:
        yield from _expand_glob(given) if glob.has_magic(given) else [_problem(given, "no such file or directory")]
        return
    except OSError as error:
        yield _problem(given, f"unreadable: {error.strerror}")
        return
    if stat.S_ISDIR(info.st_mode):
        yield from _walk(given)
    elif format_of(given) is None:
        yield _problem(given, _unsupported(given))
    else:
        yield Source(Path(given), given, info.st_size)


def _expand_glob(pattern: str) -> Iterator[Source | IngestProblem]:
    """Sources for the sorted matches of a glob (unsupported files passed over silently)."""
    matches = sorted(glob.iglob(pattern, recursive=True))
    if not matches:
        yield _problem(pattern, "no files match")
    for match in matches:
        if os.path.isdir(match):
            yield from _walk(match)
        elif format_of(match) is not None:
            yield Source(Path(match), match, os.path.getsize(match))


def _walk(folder: str) -> Iterator[Source | IngestProblem]:
    """Supported files under ``folder``, depth first in name order; symlinked folders are not
    followed (no loops)."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        yield _problem(folder, f"unreadable folder: {error.strerror}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(entry.path)
            elif format_of(entry.name) is not None and entry.is_file():
                yield Source(Path(entry.path), entry.path, entry.stat().st_size)
        except OSError as error:
            yield _problem(entry.path, f"unreadable: {error.strerror}")


def _unsupported(name: str) -> str:
    """The message for a file ingest does not read, listing what it does read."""
    extension = split_name(name)[0] or "no extension"
    supported = " ".join(sorted(extension_formats()))
    return f"unsupported file type ({extension}); ingest reads {supported} (and their .gz)"


def _problem(location: str, reason: str) -> IngestProblem:
    return IngestProblem(Origin(location), reason)
