"""ingest: read files, folders, globs, stdin, WARCs, feeds and URL lists into RawDocuments.

    for found in discover(["data/", "feeds/*.rss", "-"]):
        if isinstance(found, IngestProblem): report(found); continue
        for item in read_source(found, fetch=False):
            ...  # RawDocument, IngestProblem (bad input, with reason) or Skipped (counted)

Nothing here raises for bad content: each problem names its file (and record) and the batch
goes on. Origins: ``Origin(file, record)`` where record is the JSONL line number (from 1), the
JSON array or feed entry index (from 0) or the WARC record's byte offset; fetched URL-list pages
have the URL as their origin.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

from storydesk.ingest.base import Item, Skipped
from storydesk.ingest.discover import Source, discover, stdin_source
from storydesk.ingest.read import read_source
from storydesk.model import IngestProblem

__all__ = ["Item", "Skipped", "Source", "discover", "read_paths", "read_source", "stdin_source"]


def read_paths(
    paths: Iterable[str],
    *,
    stdin: BinaryIO | None = None,
    fetch: bool = False,
    max_document_bytes: int = 20_000_000,
) -> Iterator[Item]:
    """discover + read_source over all ``paths``: every document, problem and skip, in order."""
    for found in discover(paths):
        if isinstance(found, IngestProblem):
            yield found
        else:
            yield from read_source(found, stdin=stdin, fetch=fetch, max_document_bytes=max_document_bytes)
