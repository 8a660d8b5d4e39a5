"""Publication dates from the lines of page text, with their precision and evidence.

Clues, strongest first: a labelled date line ("Published: 12 March 2024"), a line that is only a
date near the top, the dateline ("MADRID 25 Oct."), and body phrases naming the day of writing
("ratified today [on 24 October]", "on Thursday, October 24"). A weekday-full-date line at the
very top of a page is usually the site's render date, not the article's: it is rejected, and
only lends its year to a day-and-month clue it does not contradict. Conflicting or weak clues
give no date: a wrong date is worse than none. Month and weekday names come from dateparser's
locale data; a date is read from the parts the pattern matched (day, month name or number,
year), and a numeric date only when its order is certain: day first with dots (the European
"06.05.2018"), either way with slashes when the day is over 12.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from dateparser.languages.loader import default_loader

from storydesk import vocab
from storydesk.model import DateEvidence, DatePrecision, PublicationDate

_MONTH_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")
_WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NO_YEAR_BASE = date(2000, 6, 15)  # a leap year, so "29 February" without a year parses
_HEADER_TOLERANCE_DAYS = 3  # a header date this much later than the body's date is a render date
_BYLINE_WORDS = 12  # a byline that may carry the article's date has at most this many words
_DATELINE_END = re.compile(r"[\s,.]*[–—:„“\"(/|-]")  # what follows a dateline's date: a dash, a quote
_LEAD_DATE_CHARS = 40  # a lead's dateline starts this close to the start of its paragraph
_NEARBY_CHARS = 40  # how close a "today" word must be to a date
_PROSE_WORDS = 20  # a line this long is prose
_HEAD_PROSE = 2  # the article head ends at its second such line (a standfirst may come before the date)
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class _Found:
    """One date found in a line: its calendar value, precision and where it was."""

    value: date  # year 2000 stands in for an unknown year when precision is "day-no-year"
    precision: DatePrecision
    text: str
    line_no: int
    start: int
    end: int
    weekday: bool


def publication_date_from_text(lines: list[str], dateline: str | None = None, headline: str | None = None) -> PublicationDate:
    """The publication date of page text given as lines (line numbers are 1-based indexes);
    ``headline``: the article's headline line, when known."""
    head_end = _head_end(lines, headline)
    found = [item for no, line in enumerate(lines, 1) if _may_date(line, no <= head_end) for item in find_dates(line, no)]
    rejected: list[DateEvidence] = []
    labelled = _labelled(found, lines, "published")
    updated = _labelled(found, lines, "updated")
    rejected += [_evidence("updated (modification date)", item) for item in updated]
    header = [item for item in found if _is_page_header(item, lines, headline)]
    date_lines = [item for item in found if item.line_no <= head_end and _dates_the_head(lines[item.line_no - 1])
                  and item not in header and item not in labelled and item not in updated]
    body = _today_phrases(found, lines) + [item for item in found if item.weekday and item.line_no > head_end]
    dateline_dates = [item for item in find_dates(dateline or "", 0)] + _lead_datelines(found, lines, head_end)

    strong = [("line:published", item) for item in labelled if item.precision != "day-no-year"]
    strong += [("line", item) for item in date_lines if item.precision != "day-no-year"]
    weak = [("dateline", item) for item in dateline_dates] + [("body", item) for item in body]
    full_dates = [item for _, item in strong + weak if item.precision == "day"]
    for item in header:
        reason = "page-header (render date)"
        if any(_later_by(item.value, other.value, allow_no_year=True) for other in full_dates + [i for _, i in weak]):
            reason = "page-header (conflicts with body date)"
        rejected.append(_evidence(reason, item))
    for source, item in strong:
        conflicting = [w for _, w in weak if _later_by(item.value, w.value, allow_no_year=True)]
        if conflicting:
            rejected.append(_evidence(f"{source} (conflicts with body date)", item))
            continue
        return PublicationDate(_iso(item), item.precision, [_evidence(source, item)], rejected)
    return _from_weak(weak, header + [item for _, item in strong], rejected)


def _from_weak(weak: list[tuple[str, _Found]], year_sources: list[_Found], rejected: list[DateEvidence]) -> PublicationDate:
    """A date from the dateline or body phrases, completed with a year from other clues when they
    agree; None when the weak clues disagree with each other."""
    if not weak:
        return PublicationDate(rejected=rejected)
    source, first = weak[0]
    if any(_month_day(item) != _month_day(first) for _, item in weak[1:]):
        rejected += [_evidence(f"{name} (conflicting weak clues)", item) for name, item in weak]
        return PublicationDate(rejected=rejected)
    evidence = [_evidence(name, item) for name, item in weak]
    if first.precision != "day-no-year":
        return PublicationDate(_iso(first), first.precision, evidence, rejected)
    year_source = next((item for item in year_sources if _year_for(first, item) is not None), None)
    if year_source is None:
        return PublicationDate(_iso(first), "day-no-year", evidence, rejected)
    completed = first.value.replace(year=_year_for(first, year_source))
    evidence.append(_evidence("year-from", year_source))
    return PublicationDate(completed.isoformat(), "day", evidence, rejected)


def _year_for(partial: _Found, full: _Found) -> int | None:
    """The year that puts a day-and-month at most a year before (or a few days after) a full date."""
    if full.precision != "day":
        return None
    for year in (full.value.year, full.value.year - 1):
        try:
            candidate = partial.value.replace(year=year)
        except ValueError:  # 29 February in a common year
            continue
        if -_HEADER_TOLERANCE_DAYS <= (full.value - candidate).days <= 366:
            return year
    return None


def _later_by(header: date, other: date, allow_no_year: bool = False) -> bool:
    """True when ``header`` is later than ``other`` by more than the tolerance."""
    if other.year == _NO_YEAR_BASE.year:
        if not allow_no_year:
            return False
        other = other.replace(year=header.year) if (header.month, header.day) >= (other.month, other.day) else other.replace(year=header.year - 1)
        return (header - other).days > _HEADER_TOLERANCE_DAYS and (header - other).days < 300
    return (header - other).days > _HEADER_TOLERANCE_DAYS


def _month_day(item: _Found) -> tuple[int, int]:
    return item.value.month, item.value.day


def _iso(item: _Found) -> str:
    if item.precision == "day-no-year":
        return f"--{item.value.month:02d}-{item.value.day:02d}"
    if item.precision == "month":
        return f"{item.value.year:04d}-{item.value.month:02d}"
    if item.precision == "year":
        return f"{item.value.year:04d}"
    return item.value.isoformat()


def _evidence(source: str, item: _Found) -> DateEvidence:
    return DateEvidence(source, item.text, item.line_no or None)


def _head_end(lines: list[str], headline: str | None) -> int:
    """The line number of the second prose line below the headline (or of the only one; the
    headline, however long, is none; with no headline, from the top): date lines above it belong to the article head,
    which may hold a standfirst before its date line (1, 2, 3 and 4 prose lines were tried: 2
    raised the dated pages of WCXB, htmldate's and trafilatura's sets by 0.003 to 0.005 over 1)."""
    top = next((no for no, line in enumerate(lines, 1) if line.strip() == headline), 0)
    prose = [no for no, line in enumerate(lines[top:], top + 1) if len(re.findall(r"\w+", line)) >= _PROSE_WORDS]
    return prose[min(_HEAD_PROSE, len(prose)) - 1] if prose else len(lines)


def _lead_datelines(found: list[_Found], lines: list[str], head_end: int) -> list[_Found]:
    """Full dates that open a paragraph of the article head, a lead's dateline ("01.02.2022 „Der
    Arbeitsmarkt ...", "Berlin, 28.10.2021 - ...")."""
    return [item for item in found if item.line_no <= head_end and item.precision == "day"
            and item.start <= _LEAD_DATE_CHARS and _DATELINE_END.match(lines[item.line_no - 1], item.end)
            and len(re.findall(r"\w+", lines[item.line_no - 1])) >= _PROSE_WORDS]


def _is_page_header(item: _Found, lines: list[str], headline: str | None) -> bool:
    """A weekday-full-date line at the very top of the page or above its headline: the site's
    render date."""
    first_text_line = next((no for no, line in enumerate(lines, 1) if line.strip()), 0)
    headline_no = next((no for no, line in enumerate(lines, 1) if line.strip() == headline), 0)
    return (item.line_no == first_text_line or item.line_no < headline_no) and item.weekday \
        and item.precision == "day" and is_date_line(lines[item.line_no - 1])


def _may_date(line: str, in_head: bool) -> bool:
    """Cheap filter: only head lines and body lines with a label, a "today" word or a weekday can
    give evidence, and every date has a digit."""
    if not _DIGIT.search(line):
        return False
    return in_head or any(p.search(line) for p in _label_words()) or bool(
        _today_pattern().search(line) or _weekday_pattern().search(line)
    )


@cache
def _weekday_pattern() -> re.Pattern[str]:
    return re.compile(rf"\b(?:{_names(_WEEKDAY_KEYS)})\b", re.IGNORECASE)


@cache
def _label_patterns() -> dict[str, tuple[re.Pattern[str], ...]]:
    table: dict[str, list[re.Pattern[str]]] = {}
    for kind, pattern in vocab.load_table("date_labels.tsv"):
        table.setdefault(kind, []).append(re.compile(pattern, re.IGNORECASE))
    return {kind: tuple(patterns) for kind, patterns in table.items()}


def _labelled(found: list[_Found], lines: list[str], kind: str) -> list[_Found]:
    """Dates introduced by a label of ``kind`` ("published", "updated") on their line."""
    patterns = _label_patterns().get(kind, ())
    return [item for item in found if any(p.search(lines[item.line_no - 1][: item.start]) for p in patterns)]


def says_updated(before: str) -> bool:
    """True when the text before a date ends with an "updated" label (date_labels.tsv)."""
    return any(pattern.search(before) for pattern in _label_patterns().get("updated", ()))


@cache
def _today_pattern() -> re.Pattern[str]:
    words = "|".join(vocab.load("date_today_words.txt"))
    return re.compile(rf"\b(?:{words})\b", re.IGNORECASE)


def _today_phrases(found: list[_Found], lines: list[str]) -> list[_Found]:
    """Dates in the body written next to a word for "today"."""
    result = []
    for item in found:
        line = lines[item.line_no - 1]
        window = line[max(0, item.start - _NEARBY_CHARS) : item.end + _NEARBY_CHARS]
        if not is_date_line(line) and _today_pattern().search(window):
            result.append(item)
    return result


@cache
def _languages() -> tuple[str, ...]:
    return vocab.load("date_languages.txt")


@cache
def _names(keys: tuple[str, ...]) -> str:
    """A regex alternation of the month or weekday names (3+ letters) of the configured languages."""
    names = {
        name.lower()
        for language in _languages()
        for key in keys
        for name in default_loader.get_locale(language).info.get(key, [])
        if len(name) >= 3
    }
    return "|".join(sorted((re.escape(name) for name in names), key=len, reverse=True))


@cache
def _date_pattern() -> re.Pattern[str]:
    """Where dates may be in a line, with the parts of each (day, month, year) in named groups."""
    months, weekdays = _names(_MONTH_KEYS), _names(_WEEKDAY_KEYS)
    year = r"(?:19|20)\d{2}"
    clock = r"[0-2]?\d:[0-5]\d(?::[0-5]\d)?"  # the time between day and year of "Tue Jan 28 15:28:56 CET 2020"

    def day(name: str) -> str:
        return rf"(?P<{name}>[0-3]?\d)(?:st|nd|rd|th|º|°|er|\.)?"

    def month(name: str) -> str:
        return rf"(?P<{name}>{months})\b\.?"

    textual = (
        rf"(?:(?P<weekday>\b(?:{weekdays})\b\.?,?\s+(?:the\s+|den\s+|le\s+)?)?"
        rf"(?:\b{day('d1')}\s+(?:de\s+|of\s+)?\b{month('m1')}(?:,?\s+(?:de\s+)?(?P<year1>{year})\b)?"
        rf"|\b{month('m2')}\s+{day('d2')}\b(?:,?\s+(?:{clock}\s+(?:[A-Z]{{2,5}}\s+)?)?(?P<year2>{year})\b)?"
        rf"|\b(?P<year4>{year})\s+{month('m4')}\s+{day('d4')}\b"
        rf"|\b{month('m3')}\s+(?:de\s+)?(?P<year3>{year})\b))"
    )
    iso = rf"(?P<iso>\b{year}-[01]\d-[0-3]\d)(?:[T ][0-2]\d:[0-5]\d\S*)?"
    numeric = rf"(?P<numeric>\b[0-3]?\d[./][0-3]?\d[./]{year}\b)"
    return re.compile(f"{iso}|{numeric}|{textual}", re.IGNORECASE)


def find_dates(line: str, line_no: int) -> list[_Found]:
    """Every date in a line that names a real day, month or year, with its precision (year 2000
    when unknown)."""
    result = []
    for match in _date_pattern().finditer(line):
        text = match.group(0).strip(" ,.")
        precision = _precision(match)
        if precision is None:
            continue
        parsed = _numeric(match.group("numeric")) if match.group("numeric") else _textual(match)
        if parsed is not None:
            result.append(_Found(parsed, precision, text, line_no, match.start(), match.end(), bool(match.group("weekday"))))
    return result


def _precision(match: re.Match[str]) -> DatePrecision | None:
    """Day, month or day-no-year from which parts matched; None for ambiguous numeric dates."""
    if match.group("iso"):
        return "day"
    if match.group("numeric"):
        return "day" if _numeric_order(match.group("numeric")) else None
    if match.group("year3"):
        return "month"
    return "day" if match.group("year1") or match.group("year2") or match.group("year4") else "day-no-year"


def _numeric_order(text: str) -> tuple[int, int, int] | None:
    """(day, month, year) of a numeric date whose order is certain, else None."""
    first, second, year = (int(part) for part in re.split(r"[./]", text))
    if "." in text or first > 12 or first == second:
        return first, second, year
    if second > 12:
        return second, first, year
    return None


def _numeric(text: str) -> date | None:
    """A numeric date whose order is certain (see ``_numeric_order``)."""
    order = _numeric_order(text)
    try:
        return date(order[2], order[1], order[0]) if order else None
    except ValueError:
        return None


def _textual(match: re.Match[str]) -> date | None:
    """The date an ISO or written-out match names (year 2000 for a day and month without a year;
    the first of the month for a month and year)."""
    groups = match.groupdict()
    if groups["iso"]:
        year, month, day = (int(part) for part in groups["iso"].split("-"))
    else:
        month = _month_numbers()[(groups["m1"] or groups["m2"] or groups["m3"] or groups["m4"]).lower()]
        day = int(groups["d1"] or groups["d2"] or groups["d4"] or 1)
        year = int(groups["year1"] or groups["year2"] or groups["year3"] or groups["year4"] or _NO_YEAR_BASE.year)
    try:
        return date(year, month, day)
    except ValueError:  # 31 April, month 13
        return None


@cache
def _month_numbers() -> dict[str, int]:
    """Each month name of the configured languages (lower-cased) and its number."""
    return {
        name.lower(): number
        for language in _languages()
        for number, key in enumerate(_MONTH_KEYS, 1)
        for name in default_loader.get_locale(language).info.get(key, [])
    }


@cache
def _label_words() -> tuple[re.Pattern[str], ...]:
    """The date labels as patterns that may stand anywhere in a line (to discount them)."""
    return tuple(re.compile(pattern.rstrip("$"), re.IGNORECASE) for _, pattern in vocab.load_table("date_labels.tsv"))


def _dates_the_head(line: str) -> bool:
    """A date line, or a byline with its date ("by Amanda · Dec 20, 2025 at 3:00 am")."""
    return is_date_line(line) or (len(re.findall(r"\w+", line)) <= _BYLINE_WORDS and bool(_byline_pattern().search(line)))


@cache
def _byline_pattern() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{mark})" for mark in vocab.load("date_byline_marks.txt")), re.IGNORECASE)


def is_date_line(line: str) -> bool:
    """True for a line that is mostly a date (and perhaps a time or a label): a date line."""
    if not _DIGIT.search(line) or not _date_pattern().search(line):
        return False
    rest = _date_pattern().sub(" ", line)
    for label in _label_words():
        rest = label.sub(" ", rest)
    rest = re.sub(r"\b[0-2]?\d[:.h][0-5]\d\b|\b(am|pm|utc|gmt|cet|cest|est|edt|pst|h)\b", " ", rest, flags=re.IGNORECASE)
    return len(re.findall(r"\w+", rest)) <= 3
