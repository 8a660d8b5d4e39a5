"""read_source: stream the documents out of one Source, whatever its format, never raising
for bad content: every problem becomes an IngestProblem and reading goes on."""
from __future__ import annotations

import gzip
import sys
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

from storydesk.ingest.base import Item, ReadOptions, SourceError, inflating, prepend, refuse_too_large
from storydesk.ingest.decode import SNIFF_BYTES, magic_kind
from storydesk.ingest.discover import Source
from storydesk.ingest.feeds import read_feed, read_xml
from storydesk.ingest.files import read_html, read_text
from storydesk.ingest.formats import format_of, sniff, split_name
from storydesk.ingest.jsonl import read_json, read_jsonl
from storydesk.ingest.urls import read_url_list
from storydesk.ingest.warc import read_warc
from storydesk.model import RawDocument

Reader = Callable[[BinaryIO, ReadOptions], Iterator[Item]]
READERS: dict[str, Reader] = {
    "text": read_text,
    "html": read_html,
    "json": read_json,
    "jsonl": read_jsonl,
    "warc": read_warc,
    "feed": read_feed,
    "xml": read_xml,
    "urls": read_url_list,
}
# Formats read whole into memory, so a file over the limit is refused before it is opened
# (.json is refused by read_json when it holds one object; arrays of objects are streamed).
SINGLE_DOCUMENT_FORMATS = {"text", "html", "feed", "xml", "urls"}
MAGIC_BYTES = 16


def read_source(
    source: Source,
    *,
    stdin: BinaryIO | None = None,
    fetch: bool = False,
    max_document_bytes: int = 20_000_000,
) -> Iterator[Item]:
    """Yield the RawDocuments in ``source``, an IngestProblem for each thing that could not be
    read (with its reason), and a Skipped for each record passed over on purpose."""
    size = None if source.path is None or split_name(source.path.name)[1] else source.size
    options = ReadOptions(source.label, fetch=fetch, max_document_bytes=max_document_bytes, size=size)
    documents = 0
    try:
        items = _stdin_items(stdin or sys.stdin.buffer, options) if source.path is None else _file_items(source, options)
        for item in items:
            documents += isinstance(item, RawDocument)
            yield item
    except SourceError as error:
        yield options.problem(error.reason)
    except EOFError:
        yield options.problem(f"truncated gzip stream after {documents} records")
    except (gzip.BadGzipFile, zlib.error) as error:
        yield options.problem(f"corrupt gzip stream after {documents} records: {error}")
    except OSError as error:
        yield options.problem(f"unreadable: {error.strerror or error}")
    except Exception as error:  # noqa: BLE001 - a parser bug on odd input must not stop the batch
        yield options.problem(f"unexpected error: {type(error).__name__}: {error}")


def _file_items(source: Source, options: ReadOptions) -> Iterator[Item]:
    """Items of one file: refused early when empty, unsupported or over the size limit."""
    assert source.path is not None
    fmt = format_of(source.path.name)
    if fmt is None:
        raise SourceError(f"unsupported file type '{split_name(source.path.name)[0] or source.path.name}'")
    if source.size == 0:
        raise SourceError("empty file")
    gzipped = split_name(source.path.name)[1]
    if fmt in SINGLE_DOCUMENT_FORMATS:
        refuse_too_large(options)
    with open(source.path, "rb") as raw:
        if fmt == "warc":  # warcio reads gzipped WARCs itself, so offsets are those on disk
            yield from read_warc(raw, options)
            return
        if fmt not in SINGLE_DOCUMENT_FORMATS and not gzipped:  # single documents are checked whole
            _refuse_binary(raw)
        yield from READERS[fmt](inflating(raw, options.max_document_bytes) if gzipped else raw, options)


def _refuse_binary(raw: BinaryIO) -> None:
    """Refuse a file that starts like a binary format (a PNG named .jsonl would otherwise give
    one problem per line)."""
    kind = magic_kind(raw.read(MAGIC_BYTES))
    raw.seek(0)
    if kind:
        raise SourceError(f"binary content ({kind})")


def _stdin_items(stdin: BinaryIO, options: ReadOptions) -> Iterator[Item]:
    """Items of standard input, its format sniffed from the first bytes (gzip undone)."""
    head = stdin.read(SNIFF_BYTES)
    if not head:
        raise SourceError("empty input")
    stream: BinaryIO = prepend(head, stdin)
    fmt = sniff(head)
    if fmt == "gzip":
        fmt = sniff(zlib.decompressobj(wbits=31).decompress(head, SNIFF_BYTES))
        if fmt != "warc":  # warcio reads gzipped WARCs itself
            stream = inflating(stream, options.max_document_bytes)
    yield from READERS[fmt](stream, options)
