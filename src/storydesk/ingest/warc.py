"""Web archives (.warc, .warc.gz): HTML responses become documents, streamed record by record.

warcio reads the records; this module decides which are pages, notices truncated records
(warcio itself returns a short payload without complaint), refuses records declaring more
bytes than the file could hold (warcio inflates a record whole to pass over it: a gzip bomb)
and names each by its byte offset.
"""
from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO

from warcio.archiveiterator import WARCIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from storydesk.ingest.base import MAX_GZIP_RATIO, Item, ReadOptions, Skipped, SourceError, human_size
from storydesk.ingest.decode import charset_from_content_type, decode, meta_charset
from storydesk.ingest.formats import is_html_type, mime_type
from storydesk.model import RawDocument

PAGE_RECORD_TYPES = {"response", "resource"}
_TAIL_BYTES = 64


def read_warc(stream: BinaryIO, options: ReadOptions) -> Iterator[Item]:
    """Every HTML page in a WARC (record = its byte offset in the file, compressed if gzipped).

    Non-HTML and non-200 responses and revisits are yielded as Skipped; request, metadata and
    warcinfo records are passed over silently."""
    budget = _declarable_bytes(stream, options.max_document_bytes)
    records = WARCIterator(stream)
    end = declared = 0
    while (record := _next_record(records, stream, end)) is not None:
        if (record.length or 0) < 0:
            raise SourceError(f"malformed WARC record at offset {records.get_record_offset()}: negative Content-Length")
        declared += record.length or 0
        if budget is not None and declared > budget:
            raise SourceError(
                f"WARC records declare {human_size(declared)} by the record at offset {records.get_record_offset()}, "
                f"more than {MAX_GZIP_RATIO} times the file holds (a gzip bomb or lying lengths); the rest of the file is not read"
            )
        payload = _read_payload(record, options.max_document_bytes)
        offset = records.get_record_offset()
        end = offset + records.get_record_length()
        item = _record_item(record, payload, options, offset)
        if item is not None:
            yield item
    if stream.seekable() and _next_offset(stream, end) < stream.seek(0, io.SEEK_END):
        raise SourceError(f"truncated or malformed WARC record at offset {_next_offset(stream, end)}")


def _declarable_bytes(stream: BinaryIO, limit: int) -> int | None:
    """How many content bytes a WARC's records may declare in all: MAX_GZIP_RATIO times its
    size (the document limit at least); None when its size is unknown (stdin)."""
    if not stream.seekable():
        return None
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    return max(limit, MAX_GZIP_RATIO * size)


def _next_record(records: WARCIterator, stream: BinaryIO, end: int) -> ArcWarcRecord | None:
    """The next record, None at the end; a record warcio cannot parse ends the file with a problem."""
    try:
        return next(records, None)
    except (ArchiveLoadFailed, AttributeError, ValueError) as error:  # warcio's ways to fail on bad headers
        offset = _next_offset(stream, end) if stream.seekable() else end
        raise SourceError(f"malformed WARC record at offset {offset}: {_first_line(error)}") from error


def _read_payload(record: ArcWarcRecord, limit: int) -> bytes | None:
    """The (de-chunked, decompressed) HTTP payload of a page record, at most limit + 1 bytes."""
    if record.rec_type not in PAGE_RECORD_TYPES:
        return None
    return record.content_stream().read(limit + 1)


def _record_item(record: ArcWarcRecord, payload: bytes | None, options: ReadOptions, offset: int) -> Item | None:
    """What one record gives: a page, a problem, a Skipped, or None (not a page record)."""
    if record.rec_type is None:
        return options.problem("malformed WARC record (no WARC-Type)", offset)
    if record.rec_type == "revisit":
        return Skipped(options.origin(offset), "revisit record (no payload)")
    if payload is None:
        return None
    limit = options.max_document_bytes
    if len(payload) > limit:
        return options.problem(f"record too large: over the {human_size(limit)} limit", offset)
    if getattr(record.raw_stream, "limit", 0) > 0:
        return options.problem("truncated WARC record", offset)
    reason = _skip_reason(record, payload)
    if reason:
        return Skipped(options.origin(offset), reason)
    return _page(record, payload, options, offset)


def _skip_reason(record: ArcWarcRecord, payload: bytes) -> str | None:
    """Why a page record is not a news page candidate (HTTP status, content type), or None."""
    if record.http_headers is not None:
        status = record.http_headers.get_statuscode()
        if status != "200":
            return f"HTTP {status}"
    content_type = _content_type(record)
    if not is_html_type(content_type):
        return f"not HTML ({mime_type(content_type) or 'no content type'})"
    if not payload.strip():
        return "empty page"
    return None


def _page(record: ArcWarcRecord, payload: bytes, options: ReadOptions, offset: int) -> Item:
    """The page of an HTML record, decoded by HTTP charset, <meta> charset, or detection."""
    declared = [charset_from_content_type(_content_type(record)), meta_charset(payload)]
    try:
        html = decode(payload, declared)
    except SourceError as error:
        return options.problem(error.reason, offset)
    url = record.rec_headers.get_header("WARC-Target-URI")
    return RawDocument(origin=options.origin(offset), format="html", content=html, url=url)


def _content_type(record: ArcWarcRecord) -> str | None:
    """The payload's Content-Type: the HTTP header's, or the WARC header's for resources."""
    headers = record.http_headers if record.http_headers is not None else record.rec_headers
    return headers.get_header("Content-Type")


def _next_offset(stream: BinaryIO, end: int) -> int:
    """Where the record after the one ending at ``end`` starts (past the blank separator lines);
    a record whose lengths lie can put ``end`` before the file's start."""
    end = max(end, 0)
    stream.seek(end)
    tail = stream.read(_TAIL_BYTES)
    return end + len(tail) - len(tail.lstrip(b"\r\n"))


def _first_line(error: Exception) -> str:
    """The first line of a warcio error message (they can carry whole headers)."""
    return str(error).splitlines()[0] if str(error) else type(error).__name__
