"""JSON files (one object or an array of objects) and JSON Lines (one object per line).

Which fields hold the body and the metadata is data (``ingest_fields.txt``), so a user can map
their scraper's field names without touching code.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any, BinaryIO

from storydesk import vocab
from storydesk.ingest.base import Item, ReadOptions, SourceError, human_size, read_whole
from storydesk.ingest.decode import decode
from storydesk.ingest.formats import looks_like_html
from storydesk.model import IngestProblem, RawDocument

BODY_ROLES = ("html", "text", "markup")  # in priority order; "markup" is sniffed
METADATA_ROLES = ("url", "title", "date", "source", "author")


def read_json(stream: BinaryIO, options: ReadOptions) -> Iterator[Item]:
    """A JSON file: one object (record None) or an array of objects (record = index from 0).

    A .json file that is really JSON Lines (several objects, one per line) is read as such."""
    text = decode(read_whole(stream, options))
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg != "Extra data":
            raise SourceError(f"invalid JSON: {error.msg} (line {error.lineno}, column {error.colno})") from error
        yield from _json_lines(enumerate(text.encode("utf-8").splitlines(), start=1), options)
        return
    if isinstance(value, dict):
        yield record_item(value, options, record=None)
    elif isinstance(value, list):
        for index, element in enumerate(value):
            yield record_item(element, options, record=index)
    else:
        raise SourceError(f"JSON holds a {type(value).__name__}, not an object or an array of objects")


def read_jsonl(stream: BinaryIO, options: ReadOptions) -> Iterator[Item]:
    """JSON Lines, streamed line by line (record = line number from 1); a bad line is a problem
    and the next line is read."""
    yield from _json_lines(_bounded_lines(stream, options.max_document_bytes), options)


def record_item(value: Any, options: ReadOptions, record: int | None) -> RawDocument | IngestProblem:
    """The document one JSON record describes, or why it describes none."""
    if not isinstance(value, dict):
        return options.problem(f"not a JSON object but a {type(value).__name__}", record)
    body = _body(value)
    if body is None:
        return options.problem("no text or html field", record)
    fmt, content = body
    if len(content) > options.max_document_bytes:
        return options.problem(f"record too large: over the {human_size(options.max_document_bytes)} limit", record)
    metadata = {role: _field(value, role) for role in METADATA_ROLES}
    return RawDocument(origin=options.origin(record), format=fmt, content=content, **metadata)


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


def _body(record: dict[str, Any]) -> tuple[str, str] | None:
    """("html" | "text", content) from the first non-empty body field, in role order."""
    for role in BODY_ROLES:
        content = _field(record, role)
        if content:
            if role == "markup":
                return ("html" if looks_like_html(content) else "text"), content
            return role, content
    return None


def _field(record: dict[str, Any], role: str) -> str | None:
    """The first non-empty value among the field names of ``role``."""
    return next(filter(None, (_as_text(record.get(name)) for name in _field_names()[role])), None)


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
def _field_names() -> dict[str, tuple[str, ...]]:
    """Role -> field names, from ``ingest_fields.txt``."""
    return {row[0]: row[1:] for row in vocab.load_table("ingest_fields.txt")}
