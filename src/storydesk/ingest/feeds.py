"""RSS and Atom feeds (feedparser): each entry becomes a document (record = entry index from 0).

With fetching on, an entry's linked page replaces its feed content; when the fetch fails, a
problem names the URL and the entry's own content is used instead. A feed declaring XML
entities is refused before parsing: feeds have no use for them, and they are how entity bombs
(billion laughs) and external entities (reading a local file) come in.
"""
from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

import feedparser

from storydesk.ingest.base import Item, ReadOptions, SourceError, read_whole
from storydesk.ingest.formats import is_feed, looks_like_html
from storydesk.ingest.urls import fetch_html
from storydesk.model import RawDocument

_ENTITY_DECLARATION = re.compile(rb"<!ENTITY\b")


def read_xml(stream: BinaryIO, options: ReadOptions) -> Iterator[Item]:
    """An .xml file: read as a feed when it is one, refused otherwise."""
    data = read_whole(stream, options)
    if not is_feed(data):
        raise SourceError("unsupported XML (not an RSS or Atom feed)")
    yield from _feed_items(data, options)


def read_feed(stream: BinaryIO, options: ReadOptions) -> Iterator[Item]:
    """An RSS/Atom file, one document per entry."""
    yield from _feed_items(read_whole(stream, options), options)


def _feed_items(data: bytes, options: ReadOptions) -> Iterator[Item]:
    """Items of a parsed feed; a file that is no feed, or an empty one, or one declaring
    entities, is refused."""
    if _ENTITY_DECLARATION.search(data):
        raise SourceError("feed declares XML entities (<!ENTITY>): refused unread (entity bombs, external entities)")
    # A stream, never a string: feedparser would fetch a string that looks like a URL.
    parsed = feedparser.parse(io.BytesIO(data))
    if not parsed.entries:
        if parsed.get("bozo") and not parsed.get("version"):
            raise SourceError(f"not a valid RSS or Atom feed: {parsed.get('bozo_exception')}")
        raise SourceError("feed has no entries")
    feed_title = parsed.feed.get("title") or None
    for index, entry in enumerate(parsed.entries):
        yield from _entry_items(entry, index, feed_title, options)


def _entry_items(entry: Any, index: int, feed_title: str | None, options: ReadOptions) -> Iterator[Item]:
    """One entry's document (the linked page when fetching works), and a problem if not."""
    link = entry.get("link") or None
    content = _entry_content(entry)
    if options.fetch and link:
        try:
            link, content = fetch_html(link, max_bytes=options.max_document_bytes)
        except SourceError as error:
            fallback = "; using the feed entry's own content" if content else ""
            yield options.problem(f"could not fetch {link}: {error.reason}{fallback}", index)
    if not content:
        yield options.problem("feed entry has no content", index)
        return
    yield RawDocument(
        origin=options.origin(index),
        format="html" if looks_like_html(content) else "text",
        content=content,
        url=link,
        title=entry.get("title") or None,
        date=entry.get("published") or entry.get("updated") or None,
        source=feed_title,
        author=entry.get("author") or None,
    )


def _entry_content(entry: Any) -> str:
    """The fullest body an entry carries: content:encoded / Atom content, else the summary."""
    bodies = [part.get("value", "") for part in entry.get("content", [])]
    return next((body.strip() for body in bodies if body.strip()), (entry.get("summary") or "").strip())
