"""Boilerplate cleaner for already-extracted page text (the "text mode" of extraction).

Scraped page text carries its page furniture (menus, repeated headlines, "Follow us" prompts,
photo credits, teasers, footers). The cleaner finds the article body as the densest run of
prose lines (a maximum-sum segment over per-line prose scores, in the spirit of Finn et al.'s
Body Text Extraction), removes furniture recognised by its wording (data file furniture.tsv, six
languages) or by its position outside that run, and records every removed line with its reason.
It also takes the title, dateline, wire agencies, author and publication date into fields.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from storydesk import vocab
from storydesk.extract.text_dates import is_date_line, publication_date_from_text
from storydesk.model import Extraction, PublicationDate, RemovedLine

_WORD = re.compile(r"\w+")
# A sentence's end, perhaps followed by an agency signature ("... lifting. EFE", "... (dpa)").
_SENTENCE_END = re.compile(r"[.!?:;。！？]['\"”’»)\]]*(?:\s+(?:\(?[A-Z][\w./-]{1,20}\)?|\([a-z]{2,5}\))\.?)?$")
_TRUNCATED = re.compile(r"(…|\.\.\.)\s*$")
_URL_LINE = re.compile(r"^(https?://|www\.)\S+$|^\S+@\S+\.\w+$", re.IGNORECASE)
MAX_FURNITURE_WORDS = 40  # a furniture rule never removes a line longer than this
CLOSING_CREDIT_LINES = 2  # credit lines looked for right after the body ("(dpa)", "Source: AFP")

# Reasons that mark the end (or start) of the article so strongly that the body run
# should not cross them; other furniture only weighs against it.
_BOUNDARY_REASONS = frozenset({"related-heading", "comments", "tags", "source-link", "copyright", "cookie-notice"})
_HARD_END_REASONS = frozenset({"comments", "cookie-notice", "copyright"})
_MIN_BODY_SCORE = 150.0
_BOUNDARY_PENALTY = 40.0
_FURNITURE_PENALTY = 6.0
_SHORT_LINE_PENALTY = 3.0
_SHORT_SENTENCE_WEIGHT = 0.5


@dataclass
class _Line:
    """One non-blank input line, its statistics and, once decided, why it is not body text."""

    no: int
    text: str
    words: int
    reason: str | None = None

    @property
    def sentence_like(self) -> bool:
        return bool(_SENTENCE_END.search(self.text)) and not _TRUNCATED.search(self.text)


def clean_text(text: str) -> Extraction:
    """Clean page text: the body (one paragraph per line) plus title, dateline, agencies, date and
    the list of removed lines with reasons."""
    raw_lines = text.splitlines()
    lines = [_Line(no, line.strip(), len(_WORD.findall(line))) for no, line in enumerate(raw_lines, 1) if line.strip()]
    for line in lines:
        line.reason = _furniture_reason(line)
    _mark_captions(lines)
    _mark_repeated_prose(lines)
    start, end = _body_run(lines)
    title = _mark_title(lines, start)
    removed: list[RemovedLine] = []
    dateline, dateline_agency = _take_dateline(lines, start, removed)
    closing_agencies = _mark_closing_credits(lines, end)
    _mark_outside(lines, start, end)
    body = [line for line in lines if line.reason is None]
    agencies = _take_agency_credits(body, removed) + closing_agencies + ([dateline_agency] if dateline_agency else [])
    published = publication_date_from_text(raw_lines, dateline, title)
    _mark_page_header_dates(lines, published)
    removed = _one_per_line(removed + [RemovedLine(line.no, line.text, line.reason) for line in lines if line.reason])
    return Extraction(
        text="\n".join(line.text for line in body if line.text),
        title=title,
        author=_author(lines),
        published=published,
        dateline=dateline,
        agencies=list(dict.fromkeys(agencies)),
        removed=removed,
    )


def _one_per_line(removed: list[RemovedLine]) -> list[RemovedLine]:
    """The removed lines in order, one record a line: a line whose dateline was cut and whose
    rest was removed later is one record, its whole text, under the later reason."""
    by_line: dict[int, RemovedLine] = {}
    for item in removed:
        earlier = by_line.get(item.line_no)
        by_line[item.line_no] = item if earlier is None else RemovedLine(item.line_no, f"{earlier.text} {item.text}", item.reason)
    return [by_line[number] for number in sorted(by_line)]


@cache
def _furniture_rules() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The wording rules of furniture.tsv, one compiled alternation per reason, in file order."""
    by_reason: dict[str, list[str]] = {}
    for reason, pattern in vocab.load_table("furniture.tsv"):
        by_reason.setdefault(reason, []).append(f"(?:{pattern})")
    return tuple((reason, re.compile("|".join(patterns), re.IGNORECASE)) for reason, patterns in by_reason.items())


def furniture_pattern(reasons: frozenset[str]) -> re.Pattern[str]:
    """One pattern matching every line that a wording rule of one of ``reasons`` matches (a cheap
    first test before ``furniture_reason``, which also says which rule comes first)."""
    return re.compile("|".join(p.pattern for reason, p in _furniture_rules() if reason in reasons) or "(?!)", re.IGNORECASE)


def furniture_reason(text: str) -> str | None:
    """Why one line is furniture by its wording alone (the rules below), or None."""
    stripped = text.strip()
    return _furniture_reason(_Line(0, stripped, len(_WORD.findall(stripped))))


def _furniture_reason(line: _Line) -> str | None:
    """Why a line is furniture judging by the line alone, or None."""
    if not _WORD.search(line.text):
        return "separator"
    if _URL_LINE.match(line.text):
        return "url"
    if line.words > MAX_FURNITURE_WORDS:
        return None
    for reason, pattern in _furniture_rules():
        if pattern.search(line.text):
            return reason
    if line.words <= 12 and is_date_line(line.text):
        return "date"
    return None


def _mark_captions(lines: list[_Line]) -> None:
    """A caption printed twice, once alone and once before its credit, is a caption."""
    for index, line in enumerate(lines):
        following = lines[index + 1 : index + 3]
        if line.reason is None and any(
            other.reason == "photo-credit" and other.text.startswith(line.text) for other in following
        ):
            line.reason = "caption"


def _mark_repeated_prose(lines: list[_Line]) -> None:
    """A paragraph printed twice (a page's mobile and desktop copies, a pull quote) is kept once."""
    seen: set[str] = set()
    for line in lines:
        if line.reason is None and line.words >= 10 and line.sentence_like:
            if line.text in seen:
                line.reason = "repeated-line"
            seen.add(line.text)


def _hard_end(lines: list[_Line], copies: Counter[str]) -> int:
    """Index of the first comment form, cookie notice or legal footer that follows a run of prose
    good enough to be the body: the body never runs past it."""
    for index, line in enumerate(lines):
        if line.reason in _HARD_END_REASONS and _best_run(lines[:index], copies)[0] >= _MIN_BODY_SCORE:
            return index
    return len(lines)


def _prose_score(line: _Line, copies: int) -> float:
    """How much a line looks like article prose (positive) or like furniture (negative); a line
    printed several times on the page (a headline, a menu) is not prose."""
    if line.reason in _BOUNDARY_REASONS:
        return -_BOUNDARY_PENALTY
    if line.reason or (copies > 1 and not line.sentence_like):
        return -_FURNITURE_PENALTY
    if line.words >= 10 and line.sentence_like:
        return float(line.words)
    if line.words >= 20 and not _TRUNCATED.search(line.text):
        return line.words / 2
    if line.sentence_like:
        return line.words * _SHORT_SENTENCE_WEIGHT
    # Short lines without a full stop: menu items (one or two words) weigh most against the
    # body, longer list items and sub-headings less.
    return -_SHORT_LINE_PENALTY / max(1.0, line.words / 2)


def _body_run(lines: list[_Line]) -> tuple[int, int]:
    """The [start, end) indexes of the body: the best run of prose before any hard end."""
    copies = Counter(line.text for line in lines)
    return _best_run(lines[: _hard_end(lines, copies)], copies)[1]


def _best_run(lines: list[_Line], copies: Counter[str]) -> tuple[float, tuple[int, int]]:
    """The maximum-sum run of prose scores and its [start, end) indexes (Kadane's algorithm)."""
    best, best_span = 0.0, (0, 0)
    total, run_start = 0.0, 0
    for index, line in enumerate(lines):
        if total <= 0:
            total, run_start = 0.0, index
        total += _prose_score(line, copies[line.text])
        if total > best:
            best, best_span = total, (run_start, index + 1)
    return best, best_span


def _mark_title(lines: list[_Line], body_start: int) -> str | None:
    """Pick the headline above the body (a repeated line first, else the nearest headline-like
    line) and mark it and its repetitions as not body."""
    head = [line for line in lines[:body_start] if line.reason is None and _headline_like(line)]
    if not head:
        return None
    counts = Counter(line.text for line in lines)
    repeated = [line for line in head if counts[line.text] > 1]
    title = (repeated or head)[-1].text
    first = True
    for line in lines:
        if line.text == title:
            line.reason = "title" if first else "repeated-title"
            first = False
    return title


def _headline_like(line: _Line) -> bool:
    """A line that could be a headline: a few words, not a full stop at its end."""
    return 3 <= line.words <= 40 and not line.text.endswith(".")


def _mark_outside(lines: list[_Line], start: int, end: int) -> None:
    """Lines before and after the body run are page header and footer."""
    for index, line in enumerate(lines):
        if line.reason is None and not start <= index < end:
            if index < start:
                line.reason = "navigation" if line.words <= 5 else "page-header"
            else:
                line.reason = "page-footer"


@cache
def _dateline_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in vocab.load("datelines.txt"))


@cache
def _agency_names() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(canonical name, whole-string pattern) for every wire agency of agencies.tsv."""
    return tuple((name, re.compile(rf"(?:{variants})")) for name, variants in vocab.load_table("agencies.tsv"))


def _agency(text: str) -> str | None:
    """The canonical name of the agency ``text`` names exactly, or None."""
    text = text.strip(" ()./-")
    for name, pattern in _agency_names():
        if pattern.fullmatch(text):
            return name
    return None


def _take_dateline(lines: list[_Line], body_start: int, removed: list[RemovedLine]) -> tuple[str | None, str | None]:
    """Find the dateline alone just above the body or leading its first paragraphs; cut it from
    the body and return it with its agency."""
    for index in range(max(0, body_start - 3), min(len(lines), body_start + 3)):
        line = lines[index]
        match = _dateline_match(line.text) if line.reason in (None, "date") else None
        if match is None or (match.end() < len(line.text) and index < body_start):
            continue  # a dateline leading a line outside the body would be cut from furniture
        if match.end() >= len(line.text):
            line.reason = "dateline"
        else:
            removed.append(RemovedLine(line.no, match.group(0).strip(), "dateline"))
            line.text = line.text[match.end() :]
        dateline = " ".join(part for part in (match.group("place"), match.group("date")) if part)
        return dateline, _agency(match.group("agency") or "")
    return None, None


def _dateline_match(text: str) -> re.Match[str] | None:
    """A dateline at the start of ``text``: it must carry a date or name a known agency, or be a
    place in capitals before a dash ("CHICAGO —", "DETROIT (WWJ) –", as US local news opens)."""
    for pattern in _dateline_patterns():
        match = pattern.match(text)
        if match and (match.group("date") or _agency(match.group("agency") or "") or _place_in_capitals(match)):
            return match
    return None


def _place_in_capitals(match: re.Match[str]) -> bool:
    """The dateline's place is in capitals, is no station's call sign, holds no headline word
    ("BREAKING"), and a dash ends it."""
    place = match.group("place")
    words = re.findall(r"[A-ZÀ-Ý'’]+", place)
    call_sign = len(words) == 1 and len(words[0]) <= 4  # "WJAX -", "KDKA —": a station, not a place
    return (
        place.isupper() and not call_sign and re.search(r"[–—-]\s*$", match.group(0)) is not None
        and not set(words) & _not_places()
    )


@cache
def _not_places() -> frozenset[str]:
    return frozenset(vocab.load("dateline_not_places.txt"))


@cache
def _credit_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in vocab.load("agency_credits.txt"))


def _credit_agency(text: str) -> str | None:
    """The agency a whole credit line names ("(dpa)", "– AP", "Source: AFP"), or None."""
    for pattern in _credit_patterns():
        match = pattern.search(text)
        if match and match.start() == 0 and (agency := _agency(match.group("agency"))):
            return agency
    return None


def _mark_closing_credits(lines: list[_Line], body_end: int) -> list[str]:
    """Credit lines right after the body (the article's close, which the body run leaves out
    as too short to be prose): marked, and their agencies returned."""
    agencies = []
    for line in lines[body_end : body_end + CLOSING_CREDIT_LINES]:
        agency = _credit_agency(line.text) if line.reason is None else None
        if agency is None:
            break
        line.reason = "agency-credit"
        agencies.append(agency)
    return agencies


def _take_agency_credits(body: list[_Line], removed: list[RemovedLine]) -> list[str]:
    """Strip agency signatures and credit lines from the end of the body; return the agencies."""
    agencies: list[str] = []
    while body:
        last = body[-1]
        match = next((m for p in _credit_patterns() if (m := p.search(last.text))), None)
        agency = _agency(match.group("agency")) if match else None
        if not match or not agency:
            break
        agencies.append(agency)
        removed.append(RemovedLine(last.no, match.group(0).strip(), "agency-credit"))
        last.text = last.text[: match.start()].rstrip()
        if last.text:
            break
        body.pop()
    return agencies


def _mark_page_header_dates(lines: list[_Line], published: PublicationDate) -> None:
    """A date line rejected as the page's render date gets its own reason."""
    header_lines = {item.line_no for item in published.rejected if item.source.startswith("page-header")}
    for line in lines:
        if line.no in header_lines and line.reason in (None, "date", "navigation", "page-header"):
            line.reason = "page-date-header"


def _author(lines: list[_Line]) -> str | None:
    """The name in the first byline ("By Jane Doe"), if any."""
    for line in lines:
        if line.reason == "byline":
            return line.text.split(maxsplit=1)[1]
    return None
