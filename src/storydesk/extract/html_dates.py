"""An HTML page's publication date with its evidence: a full date in the URL's path first (a
permalink's: on the dated pages of the development sets that had one, it was the publication
day on 292 of 302, a page in two sets counted twice), then the article's own metadata (Open Graph / article meta, JSON-LD, itemprop,
``<time pubdate>``), then a date line of the page's visible text (the text-date finder, which
sets page-header render dates aside), then htmldate on the markup as the last resort.

A metadata time given in UTC is a day late for a publisher west of Greenwich writing in its
evening: when the article's head shows a date line one day earlier, that line's day is taken.
Modified dates are never used; they are kept in ``rejected`` so a reader can see what was set
aside. When no clue gives a plausible full date the answer is empty: no date beats a wrong one.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from urllib.parse import urlsplit

import lxml.html
from htmldate import find_date

from storydesk import vocab
from storydesk.extract.text_dates import find_dates, publication_date_from_text, says_updated
from storydesk.extract.visible_text import parse_html, visible_lines
from storydesk.model import DateEvidence, PublicationDate

_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_COMPACT_DAY = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:\D|$)")
_EARLIEST = date(1995, 1, 1)  # the web's news archives start here (htmldate's own floor)
_URL_DAY = re.compile(r"(?<!\d)((?:19|20)\d{2})[/_.-]?(0[1-9]|1[0-2])[/_.-]?(0[1-9]|[12]\d|3[01])(?!\d)")
# A time of day in UTC at the end of a metadata value ("T06:35:29Z", "T06:35:29.000+00:00").
_UTC_TIME = re.compile(r"T\d\d:\d\d(?::\d\d)?(?:\.\d+)?\s*(?:Z|[+-]00:?00)\s*$")
_HEAD_LINE_SOURCES = ("visible-text:line", "visible-text:line:published")
_LINES_AFTER_HEADLINE = 40  # the lines below the headline the date clues are looked for in (20, 30, 40, 50, 80 tried)
# Lines just above the headline that may hold its date (a kicker, "24. April 2020 | Press"): 1, 2
# and 3 were tried, each raised WCXB's and trafilatura's dated pages (2: +0.005 / +0.003).
_LINES_ABOVE_HEADLINE = 2


@dataclass(frozen=True)
class _Rule:
    """One metadata key from ``html_date_meta.txt``."""

    role: str
    kind: str
    key: str


@dataclass(frozen=True)
class _Candidate:
    """A dated clue found on the page."""

    rule: _Rule
    raw: str
    day: date | None

    def evidence(self) -> DateEvidence:
        """This clue as evidence: its rule and its raw text (shortened)."""
        return DateEvidence(source=f"{self.rule.kind}:{self.rule.key}", text=self.raw.strip()[:200])


_URL_RULE = _Rule("published", "url", "path")


@cache
def _rules() -> tuple[_Rule, ...]:
    """The metadata rules of ``html_date_meta.txt``, in priority order."""
    return tuple(_Rule(*row[:3]) for row in vocab.load_table("html_date_meta.txt"))


def parse_day(raw: str) -> date | None:
    """The calendar day a metadata value names (as written, without time-zone shifting), or None
    when it holds no plausible full date."""
    match = _ISO_DAY.match(raw) or _COMPACT_DAY.match(raw)
    try:
        day = date(*map(int, match.groups())) if match else _parse_free_text(raw)
    except ValueError:
        return None
    return day if day is not None and _plausible(day) else None


def _parse_free_text(raw: str) -> date | None:
    """A written date with a month name ("4 September 2025", "Wed, 04 May 2022 00:25:56 GMT"),
    read by the text-date finder; numeric orders it cannot be sure of are refused, not guessed,
    and so is a value labelled as an update ("Last Updated Nov 6, 2025")."""
    if len(raw) > 60:
        return None
    days = (found for found in find_dates(raw, 0) if found.precision == "day" and not says_updated(raw[: found.start]))
    return next((found.value for found in days), None)


def _plausible(day: date) -> bool:
    """Not before the news web began, not after tomorrow."""
    return _EARLIEST <= day <= date.today() + timedelta(days=1)


def _meta_values(tree: lxml.html.HtmlElement) -> Iterator[tuple[str, str]]:
    """(lower-cased key, content) of every ``<meta>`` by property, name, itemprop or http-equiv."""
    for meta in tree.iter("meta"):
        content = meta.get("content")
        if not content:
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = meta.get(attribute)
            if key:
                yield key.strip().lower(), content


def _itemprop_values(tree: lxml.html.HtmlElement) -> Iterator[tuple[str, str]]:
    """(lower-cased itemprop, value) of microdata elements other than ``<meta>``."""
    for element in tree.xpath("//*[@itemprop][not(self::meta)]"):
        value = element.get("datetime") or element.get("content") or element.text_content()
        if value and value.strip():
            yield element.get("itemprop").strip().lower(), value


def _json_ld_objects(tree: lxml.html.HtmlElement) -> Iterator[dict]:
    """Every object of the page's JSON-LD scripts (unreadable scripts are skipped)."""
    for script in tree.xpath('//script[contains(@type, "ld+json")]'):
        try:
            yield from _walk_json(json.loads(script.text or ""))
        except ValueError:
            continue


def _walk_json(node: object) -> Iterator[dict]:
    """A JSON-LD node, its list items and the objects nested in @graph and main entities."""
    if isinstance(node, list):
        for item in node:
            yield from _walk_json(item)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            yield from _walk_json(node.get(key))


def _json_ld_values(tree: lxml.html.HtmlElement) -> Iterator[tuple[str, str]]:
    """(lower-cased key, value) of the string fields of every JSON-LD object."""
    for obj in _json_ld_objects(tree):
        for key, value in obj.items():
            if isinstance(value, str):
                yield key.lower(), value


def _time_pubdate(tree: lxml.html.HtmlElement) -> Iterator[tuple[str, str]]:
    """("pubdate", value) of every ``<time pubdate>`` element."""
    for element in tree.xpath("//time[@pubdate]"):
        value = element.get("datetime") or element.text_content()
        if value and value.strip():
            yield "pubdate", value


def _candidates(tree: lxml.html.HtmlElement) -> list[_Candidate]:
    """Every dated metadata clue on the page, in the priority order of the rules file."""
    found: dict[str, list[tuple[str, str]]] = {
        "meta": list(_meta_values(tree)),
        "itemprop": list(_itemprop_values(tree)),
        "json-ld": list(_json_ld_values(tree)),
        "time": list(_time_pubdate(tree)),
    }
    rules = _rules() + (_Rule("published", "time", "pubdate"),)
    return [
        _Candidate(rule, raw, parse_day(raw))
        for rule in rules
        for key, raw in found[rule.kind]
        if key == rule.key.lower()
    ]


def _url_candidates(url: str | None) -> list[_Candidate]:
    """The full date in a URL's path ("/2024/06/18/", "-20240618-"), as a clue, if it has one."""
    match = _URL_DAY.search(urlsplit(url).path) if url else None
    if match is None:
        return []
    try:
        day = date(*map(int, match.groups()))
    except ValueError:
        return []
    return [_Candidate(_URL_RULE, url, day)] if _plausible(day) else []


def _htmldate(tree: lxml.html.HtmlElement, url: str | None) -> str | None:
    """htmldate's original date from markup and URL only. Its extensive search (free text) is
    left out: on the WCXB dev pages without metadata it was right 22 times and wrong 88."""
    try:
        return find_date(tree, extensive_search=False, original_date=True, url=url)
    except Exception:  # htmldate has many parsing paths; a failure there means "no date"
        return None


def publication_date(page: str | lxml.html.HtmlElement, url: str | None = None) -> PublicationDate:
    """The page's publication day, the clue that gave it, and the clues set aside; ``page`` is
    the HTML or its parsed tree (read, never changed)."""
    tree = page if isinstance(page, lxml.html.HtmlElement) else parse_html(page)
    if tree is None:
        return PublicationDate()
    candidates = _candidates(tree)
    published = _url_candidates(url) + [c for c in candidates if c.rule.role == "published" and c.day]
    rejected = [c.evidence() for c in candidates if c.rule.role == "modified"]
    if published:
        chosen = published[0]
        rejected += [c.evidence() for c in published[1:] if c.day != chosen.day]
        local = _local_day(tree, chosen)
        if local is not None:
            return PublicationDate(local.value, "day", local.evidence, list(dict.fromkeys([chosen.evidence()] + rejected)))
        return PublicationDate(chosen.day.isoformat(), "day", [chosen.evidence()], list(dict.fromkeys(rejected)))
    shown = _visible_text_date(tree, _headline(tree))
    rejected = list(dict.fromkeys(rejected + shown.rejected))
    if shown.value and shown.precision == "day":
        return PublicationDate(shown.value, "day", shown.evidence, rejected)
    fallback = _htmldate(tree, url)
    if fallback is None:
        return PublicationDate(rejected=rejected)
    return PublicationDate(fallback, "day", [DateEvidence("htmldate", fallback)], rejected)


def _local_day(tree: lxml.html.HtmlElement, chosen: _Candidate) -> PublicationDate | None:
    """The day the article's head shows when the metadata gives a UTC time one day later: the
    publisher's own day, west of Greenwich ("Posted: Nov 8, 2023 / 10:35 PM PST" under
    "2023-11-09T06:35:29+00:00"); None otherwise. Only UTC times are checked, as the page's
    text is read for them alone (one day was tried against any earlier day: the only one that
    cost no set anything)."""
    if chosen.day is None or chosen.rule.kind == "url" or not _UTC_TIME.search(chosen.raw):
        return None
    shown = _visible_text_date(tree, _headline(tree))
    if not shown.value or shown.precision != "day" or shown.evidence[0].source not in _HEAD_LINE_SOURCES:
        return None
    return shown if date.fromisoformat(shown.value) == chosen.day - timedelta(days=1) else None


def _visible_text_date(tree: lxml.html.HtmlElement, headline: str | None) -> PublicationDate:
    """The date the page shows in its text from just above the headline down (a date higher up
    is page chrome: a render date, a ticker); evidence sources prefixed with "visible-text:"."""
    lines = visible_lines(tree, headline, _LINES_AFTER_HEADLINE)
    skipped = max(0, lines.index(headline) - _LINES_ABOVE_HEADLINE) if headline in lines else 0
    found = publication_date_from_text(lines[skipped:], headline=headline)
    return PublicationDate(
        found.value,
        found.precision,
        [_relabel(evidence, skipped) for evidence in found.evidence],
        [_relabel(evidence, skipped) for evidence in found.rejected],
    )


def _headline(tree: lxml.html.HtmlElement) -> str | None:
    """The text of the page's first ``<h1>``, whitespace collapsed."""
    for heading in tree.iter("h1"):
        text = " ".join(heading.text_content().split())
        if text:
            return text
    return None


def _relabel(evidence: DateEvidence, line_offset: int) -> DateEvidence:
    """Text-finder evidence marked as coming from the visible text, line numbers of the whole page."""
    line_no = evidence.line_no + line_offset if evidence.line_no else evidence.line_no
    return DateEvidence(f"visible-text:{evidence.source}", evidence.text, line_no)
