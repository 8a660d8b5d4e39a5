"""The extract/clean stage: a RawDocument in, an Extraction out (clean text, title, author,
site, publication date with evidence, dateline, wire agencies, language, removed lines)."""
from __future__ import annotations

from storydesk.extract.clean import clean_text
from storydesk.extract.html import extract_html
from storydesk.extract.html_dates import parse_day
from storydesk.extract.language import detect_language
from storydesk.model import DateEvidence, Extraction, PublicationDate, RawDocument

__all__ = ["extract"]


def extract(raw: RawDocument) -> Extraction:
    """Extract or clean one document, then let the metadata its container gave fill the gaps."""
    extraction = extract_html(raw.content, raw.url) if raw.format == "html" else clean_text(raw.content)
    _apply_container_metadata(extraction, raw)
    extraction.language = detect_language(extraction.text)
    return extraction


def _apply_container_metadata(extraction: Extraction, raw: RawDocument) -> None:
    """Fields given with the document (JSON fields, WARC URI, feed entry) fill what the page
    lacks; a date given by the container is the publisher's own and wins over page clues."""
    extraction.url = extraction.url or raw.url
    extraction.title = extraction.title or raw.title
    extraction.author = extraction.author or raw.author
    extraction.site = extraction.site or raw.source
    given = parse_day(raw.date) if raw.date else None
    if given is None:
        return
    found = extraction.published
    if found.value and found.value != given.isoformat():
        found.rejected.extend(found.evidence)
    extraction.published = PublicationDate(
        given.isoformat(), "day", [DateEvidence("input:date", raw.date or "")], found.rejected
    )
