"""Main text and metadata from an HTML page: trafilatura for the body and metadata, our
``html_dates`` for the publication date with evidence.

Body text keeps one paragraph, heading or list item per line. Measured on the WCXB dev articles
(see ``storydesk.eval.extraction``): comments left out and ``favor_recall`` give the best
trafilatura settings, and trafilatura's own baseline (JSON-LD articleBody, ``<article>``, all
``<p>``) replaces its output when that output is far shorter, a sign the main extractor locked
onto a fragment of the article. The page is parsed once; trafilatura, its baseline, the
metadata and the date search all read that tree (the libraries copy it before changing it).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from urllib.parse import urlsplit

import trafilatura
from lxml.html import HtmlElement
from trafilatura import baseline as trafilatura_baseline
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import examine_meta, extract_meta_json, extract_sitename, extract_title, extract_url
from trafilatura.settings import Document
from trafilatura.utils import load_html, trim
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

from storydesk import vocab
from storydesk.extract.clean import MAX_FURNITURE_WORDS, furniture_pattern, furniture_reason, gallery_counters
from storydesk.extract.html_dates import publication_date
from storydesk.extract.text_dates import find_dates
from storydesk.extract.visible_text import parse_html
from storydesk.model import Extraction, PublicationDate

TRAFILATURA_OPTIONS = {"include_comments": False, "favor_recall": True, "include_tables": True}
# The main output is replaced by the baseline when it has fewer words than this share of the
# baseline's (WCXB dev: 0.3-0.5 all gain about +0.005 F1; 0.4 is the middle of that plateau).
SHORT_OUTPUT_RATIO = 0.4
# An "end" line of html_furniture.tsv ends the body only below this share of its words (0.3, 0.5
# and 0.7 were tried: 0.7 was the only one that helped on all four development sets with text).
END_AFTER_SHARE = 0.7
# The article head: the lines above the first one of at least PROSE_WORDS words, at most HEAD_LINES;
# a date line there has at most HEAD_DATE_WORDS words (8, 12 and 16 were tried: 8 best).
HEAD_LINES, PROSE_WORDS, HEAD_DATE_WORDS = 5, 20, 8
_AUTHOR_MAX_CHARS = 120  # trafilatura's limit for an author found in the page's elements
_WORD = re.compile(r"\w+")


def extract_html(html: str, url: str | None = None) -> Extraction:
    """Body text (one block per line), title, author, site, url and publication date of a page;
    an Extraction with empty text when the page holds nothing extractable (never raises)."""
    tree = _parse(html)
    if tree is None:
        return Extraction(text="", url=url)
    metadata = _metadata(tree, url)
    body = _without_gallery(_without_furniture(_body_text(tree, _trafilatura_text(tree, url))))
    text = _without_head(body, _field(metadata, "title"))
    return Extraction(
        text=unicodedata.normalize("NFC", text),
        title=_field(metadata, "title"),
        author=_field(metadata, "author"),
        site=_site_name(metadata),
        url=url or _field(metadata, "url"),
        published=_safe_publication_date(tree, url),
    )


def _parse(html: str) -> HtmlElement | None:
    """The page's tree as trafilatura reads it (decoding and repairs included; a fragment it
    takes for no HTML is read by lxml as it is), or None when nothing can be read."""
    if not isinstance(html, str) or not html.strip():
        return None
    try:
        tree = load_html(html)
        return tree if tree is not None else parse_html(html)
    except Exception:  # lxml raises many kinds on broken markup: nothing to extract
        return None


def _trafilatura_text(tree: HtmlElement, url: str | None) -> str:
    """trafilatura's main text, "" when it finds nothing or fails."""
    try:
        document = trafilatura.bare_extraction(tree, url=url, with_metadata=False, **TRAFILATURA_OPTIONS)
    except Exception:  # trafilatura and lxml raise many kinds on broken markup: "nothing found"
        return ""
    return (document.text or "") if document is not None else ""


def _metadata(tree: HtmlElement, url: str | None) -> Document:
    """trafilatura's title, author, url and site name (its ``extract_metadata`` without what we
    do not use: its date, as ``html_dates`` gives ours, the categories, tags and licence,
    which took about a third of its time)."""
    try:
        metadata = examine_meta(tree)
        if metadata.author and " " not in metadata.author:  # a lone handle is no author's name
            metadata.author = None
        metadata = extract_meta_json(tree, metadata)
        metadata.title = metadata.title or extract_title(tree)
        metadata.author = metadata.author or _author(tree)
        metadata.url = metadata.url or extract_url(tree, url)
        sitename = (metadata.sitename or extract_sitename(tree) or "").lstrip("@")
        if sitename and "." not in sitename and not sitename[0].isupper():
            sitename = sitename.title()
        metadata.sitename = sitename or None
        metadata.clean_and_trim()
    except Exception:  # a metadata clue that breaks trafilatura's parsers is no metadata
        return Document()
    return metadata


def _author(tree: HtmlElement) -> str | None:
    """trafilatura's search for an author in the page's elements (its ``extract_author``) without
    its copy of the whole tree, which cost more than the rest of the extraction on some pages: a
    match inside what it would prune (comments, dates, figures, sidebars) is passed over, and
    such parts' text is left out of a match's text."""
    pruned = {element for expression in AUTHOR_DISCARD_XPATHS for element in expression(tree)}
    for expression in AUTHOR_XPATHS:
        for element in expression(tree):
            if element in pruned or any(ancestor in pruned for ancestor in element.iterancestors()):
                continue
            content = trim(" ".join(_text_outside(element, pruned)))
            if content and 2 < len(content) < _AUTHOR_MAX_CHARS:
                return normalize_authors(None, content)
    return None


def _text_outside(element: HtmlElement, pruned: set[HtmlElement]) -> Iterator[str]:
    """The element's text pieces, those of its ``pruned`` descendants left out (their tails kept)."""
    if element.text:
        yield element.text
    for child in element:
        if child not in pruned:
            yield from _text_outside(child, pruned)
        if child.tail:
            yield child.tail


def _body_text(tree: HtmlElement, main: str) -> str:
    """trafilatura's text, or its baseline's when trafilatura's is missing or far shorter. The
    baseline is only run when it could be long enough to win: its text comes from the page's
    body text or its JSON-LD, so their word count bounds it."""
    words = _word_count(main)
    chosen = main
    if words < SHORT_OUTPUT_RATIO * _baseline_bound(tree):
        fallback = _baseline_text(tree)
        chosen = fallback if words < SHORT_OUTPUT_RATIO * _word_count(fallback) else main
    return "\n".join(line.strip() for line in chosen.splitlines() if line.strip())


def _baseline_bound(tree: HtmlElement) -> int:
    """At least as many words as trafilatura's baseline can return: those of the body's text
    pieces less its scripts and styles (the baseline removes them first), and of the JSON-LD
    scripts. Pieces are counted apart, as the baseline may put a break between any two."""
    scripts = " ".join(tree.xpath('//script[contains(@type, "ld+json")]/text()'))
    body = tree.find(".//body")
    if body is None:
        return _word_count(scripts)
    return (_word_count(" ".join(body.xpath(".//text()"))) + _word_count(scripts)
            - _word_count(" ".join(body.xpath(".//script//text()|.//style//text()"))))


def _without_furniture(text: str) -> str:
    """The body less the furniture lines the extractors kept, as ``html_furniture.tsv`` says:
    "drop" lines wherever they are, and all from an "end" line down once most words are above it."""
    actions, candidate = _furniture_actions(), _furniture_candidate()
    total, seen = _word_count(text), 0
    kept = []
    for line in text.split("\n"):
        words = _word_count(line)
        ruled = words <= MAX_FURNITURE_WORDS and candidate.search(line)  # else no rule can fire
        action = actions.get(furniture_reason(line) or "", ()) if ruled else ()
        if "end" in action and seen >= END_AFTER_SHARE * total:
            break
        seen += words
        if "drop" not in action:
            kept.append(line)
    return "\n".join(kept)


def _without_gallery(text: str) -> str:
    """The body less a slideshow's captions, one numbered line after another ("1/50 ...",
    "2/50 ...": the pictures of other stories)."""
    lines = text.split("\n")
    for show in gallery_counters(lines, max_gap=1):
        for index in show:
            lines[index] = ""
    return "\n".join(line for line in lines if line)


def _without_head(text: str, title: str | None) -> str:
    """The body less the article head the extractor kept above the first paragraph of prose: the
    headline and short date lines (a byline's "2018/6/19 5:50"), which the Extraction holds as its
    title and publication date (development sets: +0.001 to +0.003 F1 on the three with gold text)."""
    lines = text.split("\n")
    headline = _words(title or "")
    for index, line in enumerate(lines[:HEAD_LINES]):
        words = _words(line)
        if len(words) >= PROSE_WORDS:
            break
        is_headline = bool(words) and (words == headline or (len(words) >= 4 and headline[: len(words)] == words))
        if is_headline or (len(words) <= HEAD_DATE_WORDS and _full_date(line)):
            lines[index] = ""
    return "\n".join(line for line in lines if line)


def _words(text: str) -> list[str]:
    """The lower-cased ``\\w+`` words of a text."""
    return _WORD.findall(text.lower())


def _full_date(line: str) -> bool:
    """True when the line names a full calendar day."""
    return any(found.precision == "day" for found in find_dates(line, 0))


@cache
def _furniture_candidate() -> re.Pattern[str]:
    """A line no rule of html_furniture.tsv's reasons matches needs no closer look."""
    return furniture_pattern(frozenset(_furniture_actions()))


@cache
def _furniture_actions() -> dict[str, tuple[str, ...]]:
    """Reason -> actions ("drop", "end") of html_furniture.tsv."""
    return {reason: tuple(actions.split()) for reason, actions in vocab.load_table("html_furniture.tsv")}


def _word_count(text: str) -> int:
    """Number of ``\\w+`` words, the unit the length comparison uses."""
    return len(_WORD.findall(text))


def _baseline_text(tree: HtmlElement) -> str:
    """trafilatura's baseline extraction, one paragraph per line."""
    try:
        body, _, _ = trafilatura_baseline(tree)
    except Exception:  # same as above: a crash means no fallback text
        return ""
    paragraphs = (" ".join("".join(element.itertext()).split()) for element in body)
    return "\n".join(p for p in paragraphs if p)


def _field(document: Document, name: str) -> str | None:
    """A non-blank text field of trafilatura's document, else None."""
    value = getattr(document, name, None)
    return (value.strip() or None) if isinstance(value, str) else None


def _site_name(document: Document) -> str | None:
    """The site's name the page gives; None when trafilatura, finding none, took its URL's host
    (the outlet is then named by the registered domain instead)."""
    name = _field(document, "sitename")
    url = _field(document, "url")
    if name and url and re.fullmatch(rf"(?:www\.|w[0-9]+\.)?{re.escape(name)}", urlsplit(url).netloc, re.IGNORECASE):
        return None
    return name


def _safe_publication_date(tree: HtmlElement, url: str | None) -> PublicationDate:
    """The page's publication date; no date if a clue breaks the date parser."""
    try:
        return publication_date(tree, url)
    except Exception:  # a date clue that breaks the parser is no date, not a failed page
        return PublicationDate()
