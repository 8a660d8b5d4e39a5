"""URL lists, and fetching one page over HTTP (urllib: short timeout, size limit, HTML only).

Fetching happens only when the caller asks for it (``fetch=True``, the CLI's ``--fetch``);
otherwise every URL becomes a problem saying so, so that nothing is silently left out.
"""
from __future__ import annotations

import http.client
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import BinaryIO

from storydesk.ingest.base import Item, ReadOptions, SourceError, human_size, read_whole, require_text
from storydesk.ingest.decode import charset_from_content_type, decode, meta_charset
from storydesk.ingest.formats import is_html_type, mime_type
from storydesk.model import IngestProblem, Origin, RawDocument

FETCH_TIMEOUT_SECONDS = 10.0
USER_AGENT = "storydesk/0.1 (news ingest; +https://github.com/storydesk/storydesk)"
_URL_LINE = re.compile(r"^https?://[^\s/]+\S*$", re.IGNORECASE)


class FetchError(SourceError):
    """A page could not be fetched; ``reason`` says why (network, HTTP status, not HTML...)."""


def is_url(line: str) -> bool:
    """Whether a line is one http(s) URL and nothing else."""
    return bool(_URL_LINE.match(line.strip()))


def is_url_list(text: str) -> bool:
    """Whether every non-empty, non-comment line of ``text`` is a URL (and there is one)."""
    lines = _listed_lines(text)
    return bool(lines) and all(is_url(line) for _, line in lines)


def read_url_list(stream: BinaryIO, options: ReadOptions) -> Iterator[Item]:
    """A .urls file: one URL per line, ``#`` comments and blank lines ignored."""
    yield from url_list_items(require_text(decode(read_whole(stream, options))), options)


def url_list_items(text: str, options: ReadOptions) -> Iterator[Item]:
    """One fetched page (or one problem) per URL listed in ``text``."""
    for line_no, line in _listed_lines(text):
        if is_url(line):
            yield fetch_document(line, options)
        else:
            yield options.problem(f"not a URL: {line[:80]}", record=line_no)


def fetch_document(url: str, options: ReadOptions) -> RawDocument | IngestProblem:
    """The page at ``url`` as an HTML document whose origin is the URL, or why not."""
    if not options.fetch:
        return IngestProblem(Origin(url), "not fetched: fetching is off (use --fetch)")
    try:
        final_url, html = fetch_html(url, max_bytes=options.max_document_bytes)
    except SourceError as error:
        return IngestProblem(Origin(url), f"fetch failed: {error.reason}")
    return RawDocument(origin=Origin(url), format="html", content=html, url=final_url)


def fetch_html(url: str, *, max_bytes: int, timeout: float = FETCH_TIMEOUT_SECONDS) -> tuple[str, str]:
    """GET an http(s) page and decode it: (final URL after redirects, HTML).

    Raises FetchError, or DecodeError when the page is not text."""
    if not is_url(url):
        raise FetchError(f"not an http(s) URL: {url[:80]}")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            content_type = response.headers.get("Content-Type")
            if not is_html_type(content_type):
                raise FetchError(f"not HTML ({mime_type(content_type) or 'no content type'})")
            data = response.read(max_bytes + 1)
            final_url = response.geturl() or url
    except urllib.error.HTTPError as error:
        raise FetchError(f"HTTP {error.code} {error.reason}") from error
    except urllib.error.URLError as error:
        raise FetchError(f"network error: {error.reason}") from error
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise FetchError(f"network error: {error or type(error).__name__}") from error
    if len(data) > max_bytes:
        raise FetchError(f"page over the {human_size(max_bytes)} limit")
    return final_url, decode(data, [charset_from_content_type(content_type), meta_charset(data)])


def _listed_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) for each non-blank, non-comment line."""
    numbered = ((number, line.strip()) for number, line in enumerate(text.splitlines(), start=1))
    return [(number, line) for number, line in numbered if line and not line.startswith("#")]

