"""Which reader a source goes to: by file extension (data file ``ingest_extensions.txt``), or,
for stdin and ambiguous files, by sniffing the first bytes."""
from __future__ import annotations

import json
import re
from functools import cache

from storydesk import vocab

GZIP_SUFFIX = ".gz"
GZIP_MAGIC = b"\x1f\x8b"
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)\b", re.IGNORECASE)
_HTML_TAG = re.compile(
    r"<(?:!doctype\s+html|html|head|body|title|meta|div|p|br|span|a|article|section|h[1-6]|ul|ol|li|table|img)\b[^>]*>",
    re.IGNORECASE,
)
_HTML_MIME_TYPES = {"text/html", "application/xhtml+xml"}


@cache
def extension_formats() -> dict[str, str]:
    """File extension (".html") -> reader name ("html"), from the data file."""
    return {extension.lower(): reader for extension, reader in vocab.load_table("ingest_extensions.txt")}


def split_name(name: str) -> tuple[str, bool]:
    """A file name's format extension (".jsonl") and whether it is gzip-compressed."""
    lowered = name.lower()
    gzipped = lowered.endswith(GZIP_SUFFIX)
    base = lowered[: -len(GZIP_SUFFIX)] if gzipped else lowered
    dot = base.rfind(".")
    return (base[dot:] if dot > 0 else ""), gzipped


def format_of(name: str) -> str | None:
    """The reader for a file name, or None when ingest does not read such files."""
    return extension_formats().get(split_name(name)[0])


def sniff(head: bytes) -> str:
    """The reader for content known only by its first bytes (stdin)."""
    stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if stripped.startswith(GZIP_MAGIC):
        return "gzip"
    if stripped.startswith(b"WARC/"):
        return "warc"
    if stripped.startswith(b"["):
        return "json"
    if stripped.startswith(b"{"):
        return "jsonl" if _is_json_object(stripped.split(b"\n", 1)[0]) else "json"
    if stripped.startswith(b"<"):
        if is_feed(stripped):
            return "feed"
        return "html" if looks_like_html(stripped[:4096].decode("utf-8", errors="replace")) else "xml"
    return "text"


def is_feed(head: bytes) -> bool:
    """Whether XML content is an RSS or Atom feed (its root element, near the top)."""
    return bool(_FEED_ROOT.search(head[:4096]))


def looks_like_html(text: str) -> bool:
    """Whether text carries HTML markup (a common tag), as opposed to plain text."""
    return bool(_HTML_TAG.search(text))


def is_html_type(content_type: str | None) -> bool:
    """Whether an HTTP/WARC Content-Type value names an HTML page."""
    return mime_type(content_type) in _HTML_MIME_TYPES


def mime_type(content_type: str | None) -> str:
    """The bare MIME type of a Content-Type value ("text/html; charset=x" -> "text/html")."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _is_json_object(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False
