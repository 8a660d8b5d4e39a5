"""The extract/clean stage: a RawDocument in, an Extraction out (clean text, title, author,
site, publication date with evidence, dateline, wire agencies, language, removed lines, outlet)."""
from __future__ import annotations

from storydesk.extract.clean import clean_text
from storydesk.extract.headline import headline
from storydesk.extract.html import extract_html
from storydesk.extract.html_dates import parse_day
from storydesk.extract.language import detect_language
from storydesk.model import DateEvidence, Extraction, PublicationDate, RawDocument, outlet_name

__all__ = ["extract"]


def extract(raw: RawDocument, outlet: str | None = None) -> Extraction:
    """Extract or clean one document, let the metadata its container gave fill the gaps, and
    name its outlet (``outlet``: the name given at ingest, used when nothing else says)."""
    extraction = extract_html(raw.content, raw.url) if raw.format == "html" else clean_text(raw.content)
    _apply_container_metadata(extraction, raw)
    extraction.language = detect_language(f"{extraction.title or ''}\n{extraction.text}")  # a short body's names mislead alone
    extraction.outlet, extraction.outlet_from = outlet_name(
        raw.source, extraction.site, extraction.url, extraction.agencies, outlet
    )
    return extraction


def _apply_container_metadata(extraction: Extraction, raw: RawDocument) -> None:
    """Fields given with the document (JSON fields, WARC URI, feed entry) fill what the page
    lacks; a title or date given by the container is the publisher's own and wins over what the
    page suggests (``headline``). Its
    source field names the outlet (``outlet_name``), not the page's site."""
    extraction.url = extraction.url or raw.url
    extraction.title = headline(extraction.title, raw.title, extraction.url, extraction.site)
    extraction.author = extraction.author or raw.author
    given = parse_day(raw.date) if raw.date else None
    if given is None:
        return
    found = extraction.published
    if found.value and found.value != given.isoformat():
        found.rejected.extend(found.evidence)
    extraction.published = PublicationDate(
        given.isoformat(), "day", [DateEvidence("input:date", raw.date or "")], found.rejected
    )
