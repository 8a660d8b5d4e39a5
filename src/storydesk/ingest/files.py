"""Single-page files: already-extracted text (.txt) and HTML pages (.html/.htm)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from storydesk.ingest.base import Item, ReadOptions, read_whole, require_text
from storydesk.ingest.decode import decode, meta_charset
from storydesk.ingest.urls import is_url_list, url_list_items
from storydesk.model import RawDocument


def read_text(stream: BinaryIO, options: ReadOptions) -> Iterator[Item]:
    """One text document, or, when every line is a URL, the pages of that URL list."""
    text = require_text(decode(read_whole(stream, options)))
    if is_url_list(text):
        yield from url_list_items(text, options)
    else:
        yield RawDocument(origin=options.origin(), format="text", content=text)


def read_html(stream: BinaryIO, options: ReadOptions) -> Iterator[Item]:
    """One HTML page, decoded by its BOM, UTF-8, its <meta> charset, or detection."""
    data = read_whole(stream, options)
    html = require_text(decode(data, [meta_charset(data)]))
    yield RawDocument(origin=options.origin(), format="html", content=html)
