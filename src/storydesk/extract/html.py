"""Main text and metadata from an HTML page: trafilatura for the body and metadata, our
``html_dates`` for the publication date with evidence.

Body text keeps one paragraph, heading or list item per line. Measured on the WCXB dev articles
(see ``storydesk.eval.extraction``): comments left out and ``favor_recall`` give the best
trafilatura settings, and trafilatura's own baseline (JSON-LD articleBody, ``<article>``, all
``<p>``) replaces its output when that output is far shorter, a sign the main extractor locked
onto a fragment of the article.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

import trafilatura
from trafilatura import baseline as trafilatura_baseline
from trafilatura.settings import Document

from storydesk.extract.html_dates import publication_date
from storydesk.model import Extraction, PublicationDate

TRAFILATURA_OPTIONS = {"include_comments": False, "favor_recall": True, "include_tables": True}
# The main output is replaced by the baseline when it has fewer words than this share of the
# baseline's (WCXB dev: 0.3-0.5 all gain about +0.005 F1; 0.4 is the middle of that plateau).
SHORT_OUTPUT_RATIO = 0.4
# trafilatura's own date is not used (``html_dates`` gives ours): keep its search cheap.
_QUICK_DATE = {"extensive_search": False, "original_date": True}
_WORD = re.compile(r"\w+")


def extract_html(html: str, url: str | None = None) -> Extraction:
    """Body text (one block per line), title, author, site, url and publication date of a page;
    an Extraction with empty text when the page holds nothing extractable (never raises)."""
    if not isinstance(html, str) or not html.strip():
        return Extraction(text="", url=url)
    document = _trafilatura_document(html, url)
    text = _body_text(html, document)
    return Extraction(
        text=unicodedata.normalize("NFC", text),
        title=_field(document, "title"),
        author=_field(document, "author"),
        site=_site_name(document),
        url=url or _field(document, "url"),
        published=_safe_publication_date(html, url),
    )


def _trafilatura_document(html: str, url: str | None) -> Document | None:
    """trafilatura's extraction with metadata, or None when it finds nothing or fails."""
    try:
        return trafilatura.bare_extraction(
            html, url=url, with_metadata=True, date_extraction_params=_QUICK_DATE, **TRAFILATURA_OPTIONS
        )
    except Exception:  # trafilatura and lxml raise many kinds on broken markup: "nothing found"
        return None


def _body_text(html: str, document: Document | None) -> str:
    """trafilatura's text, or its baseline's when trafilatura's is missing or far shorter."""
    main = (document.text or "") if document is not None else ""
    fallback = _baseline_text(html)
    chosen = fallback if _word_count(main) < SHORT_OUTPUT_RATIO * _word_count(fallback) else main
    return "\n".join(line.strip() for line in chosen.splitlines() if line.strip())


def _word_count(text: str) -> int:
    """Number of ``\\w+`` words, the unit the length comparison uses."""
    return len(_WORD.findall(text))


def _baseline_text(html: str) -> str:
    """trafilatura's baseline extraction, one paragraph per line."""
    try:
        body, _, _ = trafilatura_baseline(html)
    except Exception:  # same as above: a crash means no fallback text
        return ""
    paragraphs = (" ".join("".join(element.itertext()).split()) for element in body)
    return "\n".join(p for p in paragraphs if p)


def _field(document: Document | None, name: str) -> str | None:
    """A non-blank text field of trafilatura's document, else None."""
    value = getattr(document, name, None) if document is not None else None
    return (value.strip() or None) if isinstance(value, str) else None


def _site_name(document: Document | None) -> str | None:
    """The site's name the page gives; None when trafilatura, finding none, took its URL's host
    (the outlet is then named by the registered domain instead)."""
    name = _field(document, "sitename")
    url = _field(document, "url")
    if name and url and re.fullmatch(rf"(?:www\.|w[0-9]+\.)?{re.escape(name)}", urlsplit(url).netloc, re.IGNORECASE):
        return None
    return name


def _safe_publication_date(html: str, url: str | None) -> PublicationDate:
    """The page's publication date; no date if a clue breaks the date parser."""
    try:
        return publication_date(html, url)
    except Exception:  # a date clue that breaks the parser is no date, not a failed page
        return PublicationDate()
