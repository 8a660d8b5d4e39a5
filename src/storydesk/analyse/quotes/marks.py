"""Quoted stretches of text found by their quotation marks, across lines and misused marks.

Written here rather than taken from a library: spaCy has no quote matcher, and scraped news
mixes straight, curly and low-9 marks, drops closing marks at paragraph ends (the convention for
a quote running on into the next paragraph) and sometimes turns marks the wrong way round.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache

from storydesk import vocab


@dataclass(frozen=True)
class Quoted:
    """A quoted stretch: ``start``/``end`` bound the content (marks excluded), ``open_at`` and
    ``close_at`` are the marks' offsets (``close_at`` is None when the paragraph ended first)."""

    start: int
    end: int
    open_at: int
    close_at: int | None


@cache
def _mark_pattern() -> re.Pattern[str]:
    marks = "".join(re.escape(mark) for mark in vocab.load("quote_marks.txt"))
    return re.compile(f"[{marks}]|\n")


CLOSING_PUNCTUATION = ",.;:!?)]"  # what follows a closing mark, never an opening one

# Guillemets point the way they face: once one opens a quote, its mirror closes it, even spaced
# as French sets them (« ... ») or reversed as German does (» ... «).
MIRRORS = {"«": "»", "»": "«", "‹": "›", "›": "‹"}


def _opens(text: str, at: int) -> bool:
    """A mark opens when it follows a line start, a space or an opening bracket/dash, and no
    punctuation mark follows it (a closing mark set off by a space, as in '„fast erreicht ", sagt
    er' or 'Rome. " He', is no opener)."""
    before = at == 0 or text[at - 1].isspace() or text[at - 1] in "([{—–-/:"
    return before and text[at + 1 : at + 2] not in tuple(CLOSING_PUNCTUATION)


def _continues_on_next_line(text: str, newline: int) -> bool:
    """Whether an open quote at a line break carries on: the next non-empty line starts with an
    opening mark (the news convention for a quote spanning paragraphs)."""
    rest = text[newline:].lstrip()
    return bool(rest) and _mark_pattern().match(rest) is not None


def find_quoted(text: str) -> list[Quoted]:
    """Every double-quoted stretch of ``text`` in order; a quote spanning paragraphs is one stretch,
    and so is one holding a quote set in the same marks (``_nests``)."""
    found: list[Quoted] = []
    open_at: int | None = None
    nested = 0
    for match in _mark_pattern().finditer(text):
        at = match.start()
        if match.group() == "\n":
            if open_at is not None and not _continues_on_next_line(text, at):
                found.append(_stretch(text, open_at, at, None))
                open_at, nested = None, 0
            continue
        if open_at is not None and nested and not _opens(text, at):
            nested -= 1  # the inner quote's closing mark
            continue
        if open_at is not None and _nests(text, open_at, at):
            nested += 1
            continue
        if open_at is None:
            if _opens(text, at) or (at + 1 < len(text) and text[at + 1].isalnum()):
                open_at = at  # a closing mark with no opener before it is a stray: skipped
        elif MIRRORS.get(text[open_at]) == match.group():
            found.append(_stretch(text, open_at, at + 1, at))
            open_at = None
        elif _opens(text, at) and "\n" in text[open_at:at]:
            continue  # the paragraph-continuation opener: the same quote goes on
        elif _opens(text, at) and at + 1 < len(text) and not text[at + 1].isspace():
            open_at = at  # the earlier mark had no partner; start again here
        else:
            found.append(_stretch(text, open_at, at + 1, at))
            open_at = None
    if open_at is not None:
        found.append(_stretch(text, open_at, len(text), None))
    return [quoted for quoted in found if quoted.end > quoted.start]


OPENING_ONLY = frozenset("„")  # marks that never close a quote, so that one inside an open quote opens a quote within it


def _nests(text: str, open_at: int, at: int) -> bool:
    """Whether the mark at ``at`` opens a quote inside the one opened at ``open_at``: the same
    mark, one that only opens ("„"), and the next two marks after it both close ('„Wir schifften
    uns ein, als einer „Land!“ rief ... muß!“')."""
    if text[at] != text[open_at] or text[at] not in OPENING_ONLY or not _opens(text, at):
        return False
    following = [m.start() for m in itertools.islice(_mark_pattern().finditer(text, at + 1), 2)]
    return len(following) == 2 and all(text[m] != "\n" and not _opens(text, m) for m in following)


def _stretch(text: str, open_at: int, end: int, close_at: int | None) -> Quoted:
    """The content between an opening mark and a closing mark (or the line end), trimmed."""
    start = open_at + 1
    stop = close_at if close_at is not None else end
    while start < stop and text[start].isspace():
        start += 1
    while stop > start and text[stop - 1].isspace():
        stop -= 1
    return Quoted(start, stop, open_at, close_at)


# A quoted name: two to this many words, each content word capitalised ("This Week", "Fox News
# Sunday", "The Art of the Deal"). Programmes, publications and events are put in quotation
# marks in US copy; they are names, not things anyone said.
TITLE_WORDS = 7
_TITLE_SMALL = frozenset("a an and at for in of on or the to with".split())


def is_quoted_name(text: str) -> bool:
    """Whether a quoted stretch is a title (every word capitalised, no sentence inside), not speech."""
    words = re.findall(r"[\w'’.-]+", text.strip(" ,.;:!?\"“”‘’"))
    if not 2 <= len(words) <= TITLE_WORDS or re.search(r"[.!?]\s", text.strip()):
        return False
    content = [word for word in words if word.lower() not in _TITLE_SMALL or word is words[0]]
    return all(word[0].isupper() or word[0].isdigit() for word in content) and words[0][0].isupper()
