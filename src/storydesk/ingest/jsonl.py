"""JSON files (one object or an array of objects) and JSON Lines (one object per line).

Which fields hold the body and the metadata is data (``ingest_fields.txt``), so a user can map
their scraper's field names without touching code.
"""
from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any, BinaryIO

from storydesk import vocab
from storydesk.ingest.base import Item, ReadOptions, SourceError, human_size, prepend, read_whole, refuse_too_large
from storydesk.ingest.decode import SNIFF_BYTES, decode
from storydesk.ingest.formats import looks_like_html
from storydesk.model import IngestProblem, RawDocument

BODY_ROLES = ("html", "text", "markup")  # in priority order; "markup" is sniffed
METADATA_ROLES = ("url", "title", "date", "source", "author")
_JSON = json.JSONDecoder()
_NON_SPACE = re.compile(r"\S")
TOO_DEEP = "invalid JSON: nested too deeply"  # the stdlib parser recurses, and gives up with RecursionError


def read_json(stream: BinaryIO, options: ReadOptions) -> Iterator[Item]:
    """A JSON file: one object (record None, size-limited) or an array of objects (record =
    index from 0, streamed: only each object is size-limited).

    A .json file that is really JSON Lines (several objects, one per line) is read as such."""
    head = stream.read(SNIFF_BYTES)
    stream = prepend(head, stream)
    if head.removeprefix(codecs.BOM_UTF8).lstrip().startswith(b"["):
        yield from _array_items(stream, options)
        return
    refuse_too_large(options)
    text = decode(read_whole(stream, options))
    try:
        value = json.loads(text)
    except RecursionError:
        raise SourceError(TOO_DEEP) from None
    except json.JSONDecodeError as error:
        if error.msg != "Extra data":
            raise SourceError(f"invalid JSON: {error.msg} (line {error.lineno}, column {error.colno})") from error
        yield from _json_lines(enumerate(text.encode("utf-8").splitlines(), start=1), options)
        return
    if not isinstance(value, dict):
        raise SourceError(f"JSON holds a {type(value).__name__}, not an object or an array of objects")
    yield record_item(value, options, record=None)


def read_jsonl(stream: BinaryIO, options: ReadOptions) -> Iterator[Item]:
    """JSON Lines, streamed line by line (record = line number from 1); a bad line is a problem
    and the next line is read."""
    yield from _json_lines(_bounded_lines(stream, options.max_document_bytes), options)


def record_item(value: Any, options: ReadOptions, record: int | None) -> RawDocument | IngestProblem:
    """The document one JSON record describes, or why it describes none."""
    if not isinstance(value, dict):
        return options.problem(f"not a JSON object but a {type(value).__name__}", record)
    fields = _fields(value)
    body = _body(fields)
    if body is None:
        return options.problem("no text or html field", record)
    fmt, content = body
    if len(content) > options.max_document_bytes:
        return options.problem(f"record too large: over the {human_size(options.max_document_bytes)} limit", record)
    metadata = {role: fields.get(role) for role in METADATA_ROLES}
    return RawDocument(origin=options.origin(record), format=fmt, content=content, **metadata)


def _array_items(stream: BinaryIO, options: ReadOptions) -> Iterator[Item]:
    """The records of a JSON array, one at a time; a malformed or oversized element ends the
    array with a problem (there is no resynchronising inside JSON)."""
    array = _ArrayReader(stream, options.max_document_bytes)
    index = 0  # of the element being read, named by the problem if it fails
    try:
        for element in array.elements():
            yield record_item(element, options, record=index)
            index += 1
    except json.JSONDecodeError as error:
        yield options.problem(f"invalid JSON: {error.msg}; the rest of the array is not read", index)
    except RecursionError:
        yield options.problem(f"{TOO_DEEP}; the rest of the array is not read", index)
    except SourceError as error:
        yield options.problem(f"{error.reason}; the rest of the array is not read", index)


class _ArrayReader:
    """Parses the elements of a top-level JSON array from a byte stream in bounded memory.

    The stdlib has no streaming JSON parser and ijson is not a dependency; raw_decode on a
    buffer that grows geometrically until an element parses does the job in a few lines."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self._stream = stream
        self._limit = limit
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
        self._buffer = ""
        self._pos = 0

    def elements(self) -> Iterator[Any]:
        """Each element in turn; raises JSONDecodeError or SourceError on a bad array."""
        self._expect("[")
        if self._peek() == "]":
            return
        while True:
            yield self._element()
            if self._expect(",", "]") == "]":
                return

    def _element(self) -> Any:
        self._peek()  # raw_decode does not skip leading whitespace
        while True:
            try:
                value, self._pos = _JSON.raw_decode(self._buffer, self._pos)
                return value
            except json.JSONDecodeError:
                if len(self._buffer) - self._pos > self._limit:
                    raise SourceError(f"record too large: over the {human_size(self._limit)} limit") from None
                if not self._read_more():
                    raise

    def _expect(self, *allowed: str) -> str:
        found = self._peek()
        if found not in allowed:
            raise SourceError(f"expected {' or '.join(repr(a) for a in allowed)}, found {found or 'end of file'!r}")
        self._pos += 1
        return found

    def _peek(self) -> str:
        """The next non-whitespace character, not consumed ("" at the end of the stream)."""
        while (match := _NON_SPACE.search(self._buffer, self._pos)) is None:
            self._pos = len(self._buffer)
            if not self._read_more():
                return ""
        self._pos = match.start()
        return match.group()

    def _read_more(self) -> bool:
        """Append at least as much as the unparsed buffer holds (geometric growth)."""
        data = self._stream.read(max(SNIFF_BYTES, len(self._buffer) - self._pos))
        self._buffer = self._buffer[self._pos :] + self._decoder.decode(data, final=not data)
        self._pos = 0
        return bool(data)


def _json_lines(lines: Iterator[tuple[int, bytes | None]], options: ReadOptions) -> Iterator[Item]:
    """Items of numbered JSON lines; blank lines are passed over."""
    for line_no, line in lines:
        if line is None:
            yield options.problem(f"record too large: over the {human_size(options.max_document_bytes)} limit", line_no)
        elif line.strip():
            yield _line_item(line, line_no, options)


def _line_item(line: bytes, line_no: int, options: ReadOptions) -> RawDocument | IngestProblem:
    """The document of one JSON line, or the problem with it."""
    try:
        value = json.loads(decode(line.rstrip(b"\r\n")))
    except SourceError as error:
        return options.problem(error.reason, line_no)
    except json.JSONDecodeError as error:
        return options.problem(f"invalid JSON: {error.msg} (column {error.colno})", line_no)
    except RecursionError:
        return options.problem(TOO_DEEP, line_no)
    return record_item(value, options, line_no)


def _bounded_lines(stream: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) pairs, with None for a line over ``limit`` bytes (which is skipped
    without being held in memory)."""
    line_no = 0
    while line := stream.readline(limit + 1):
        line_no += 1
        if len(line) <= limit or line.endswith(b"\n"):
            yield line_no, line
            continue
        while (rest := stream.readline(limit)) and not rest.endswith(b"\n"):
            pass
        yield line_no, None


def _body(fields: dict[str, str]) -> tuple[str, str] | None:
    """("html" | "text", content) from the first body role present, in priority order."""
    for role in BODY_ROLES:
        content = fields.get(role)
        if content:
            if role == "markup":
                return ("html" if looks_like_html(content) else "text"), content
            return role, content
    return None


def _fields(record: dict[str, Any]) -> dict[str, str]:
    """Role -> text of the best-ranked non-empty field filling it (one pass over the record's
    own keys, so that records are cheap whatever the length of the alias lists)."""
    best: dict[str, tuple[int, str]] = {}
    for name, value in record.items():
        role_rank = _role_of_field().get(name)
        if role_rank is None or value is None:
            continue
        role, rank = role_rank
        if role in best and best[role][0] < rank:
            continue
        text = _as_text(value)
        if text:
            best[role] = (rank, text)
    return {role: text for role, (_, text) in best.items()}


def _as_text(value: Any) -> str | None:
    """A field value as text: strings stripped, lists joined, objects by their "name"."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        return ", ".join(filter(None, map(_as_text, value))) or None
    if isinstance(value, dict):
        return _as_text(value.get("name"))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


@cache
def _role_of_field() -> dict[str, tuple[str, int]]:
    """Field name -> (role, rank among the role's names), from ``ingest_fields.txt``."""
    return {name: (row[0], rank) for row in vocab.load_table("ingest_fields.txt") for rank, name in enumerate(row[1:])}
