"""What every reader shares: the options of one read, the items it yields, bounded reads.

A reader is a generator ``(stream, ReadOptions) -> Iterator[Item]``; it yields a problem for a
bad record and goes on, and raises SourceError only when the whole source is unusable.
"""
from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from typing import BinaryIO

from storydesk.model import IngestProblem, Origin, RawDocument, Skipped


Item = RawDocument | IngestProblem | Skipped
# Text and markup inflate 3 to 20 times; a gzip bomb a thousand times. Past the document limit,
# a stream inflating more than this many times what it has read is refused while inflating.
MAX_GZIP_RATIO = 100


class SourceError(Exception):
    """The whole source cannot be read; ``reason`` is the one-line message for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ReadOptions:
    """How one source is read: its name in messages, whether URLs are fetched, the size limit."""

    location: str
    fetch: bool = False
    max_document_bytes: int = 20_000_000
    size: int | None = None  # bytes to read, when known before reading (not for gzip or stdin)

    def origin(self, record: str | int | None = None) -> Origin:
        return Origin(self.location, None if record is None else str(record))

    def problem(self, reason: str, record: str | int | None = None) -> IngestProblem:
        return IngestProblem(self.origin(record), reason)


def human_size(size: int) -> str:
    """A byte count as people say it: "20 MB", "1.5 MB", "300 KB"."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"
    return f"{size} bytes"


def too_large(limit: int, size: int | None = None) -> str:
    """The message for a document over the size limit (its size when known)."""
    if size is None:
        return f"file too large: over the {human_size(limit)} limit"
    return f"file too large: {human_size(size)} > {human_size(limit)} limit"


def refuse_too_large(options: ReadOptions) -> None:
    """Refuse, before reading a byte, a single document whose known size is over the limit."""
    if options.size is not None and options.size > options.max_document_bytes:
        raise SourceError(too_large(options.max_document_bytes, options.size))


def read_whole(stream: BinaryIO, options: ReadOptions) -> bytes:
    """All of a single-document stream, refusing (without reading on) past the size limit."""
    data = stream.read(options.max_document_bytes + 1)
    if len(data) > options.max_document_bytes:
        raise SourceError(too_large(options.max_document_bytes))
    if not data:
        raise SourceError("empty file")
    return data


def require_text(text: str) -> str:
    """``text`` itself, unless it holds nothing but whitespace."""
    if not text.strip():
        raise SourceError("whitespace-only file")
    return text


def inflating(compressed: BinaryIO, limit: int) -> BinaryIO:
    """The gzip stream ``compressed`` inflated, refused (SourceError) as soon as it has given
    more than ``limit`` bytes and MAX_GZIP_RATIO times the compressed bytes read."""
    return io.BufferedReader(_Inflating(compressed, limit))


class _Counting(io.RawIOBase):
    """A raw stream that counts the bytes read from the one it wraps."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


class _Inflating(io.RawIOBase):
    """Inflated bytes of a gzip stream, counted against the compressed bytes they came from."""

    def __init__(self, compressed: BinaryIO, limit: int) -> None:
        self._compressed = _Counting(compressed)
        self._gzip = gzip.GzipFile(fileobj=self._compressed)
        self._limit = limit
        self.inflated = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._gzip.read(len(buffer))
        self.inflated += len(data)
        if self.inflated > self._limit and self.inflated > MAX_GZIP_RATIO * self._compressed.count:
            raise SourceError(
                f"gzip bomb refused: {human_size(self._compressed.count)} inflated past {human_size(self.inflated)} "
                f"(over {MAX_GZIP_RATIO} times, past the {human_size(self._limit)} limit)"
            )
        buffer[: len(data)] = data
        return len(data)


def prepend(head: bytes, rest: BinaryIO) -> BinaryIO:
    """A buffered stream that gives ``head`` (already read, to sniff) and then ``rest``."""
    return io.BufferedReader(_Prefixed(head, rest))


class _Prefixed(io.RawIOBase):
    """Raw stream of some bytes already read followed by the rest of the original stream;
    stdin cannot seek back, and peek() may return fewer bytes than sniffing needs."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            count = min(len(buffer), len(self._head))
            buffer[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
