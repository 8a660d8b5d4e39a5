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
# A first sentence's end: not after an initial or a short abbreviation ("D.C.", "p.m.", "Mr.").
_FIRST_SENTENCE = re.compile(r"(.+?(?<=[a-z0-9]{2})[.!?]['\"”’)]*)\s+(?=[A-Z\"“(])")
_GLUED_MARK = re.compile(r"[.!?,][\"”]\w|[.!?]“")  # a quotation mark with no space after a sentence's end
_URL_LINE = re.compile(r"^(https?://|www\.)\S+$|^\S+@\S+\.\w+$", re.IGNORECASE)
MAX_FURNITURE_WORDS = 40  # a furniture rule never removes a line longer than this, unless its row says
_GLUED_LABEL_WORDS = 3  # the most words of a section label before a headline glued to its lead
_GLUED_TITLE_WORDS = 5  # the fewest words of a headline cut off a lead (a short one may be a phrase)
# A slideshow's captions are numbered "1/50", "2/50", "3/50"...: at least GALLERY_LINES counters
# (no development page has a shorter one; in HTML mode readability's pages went 0.946 -> 0.950 F1),
# in page text each at most _GALLERY_GAP lines after the one before (its caption and credit between).
GALLERY_LINES, _GALLERY_GAP = 3, 3
_GALLERY_COUNTER = re.compile(r"^(?:- )?(?P<number>\d{1,3}) ?/ ?(?P<total>\d{1,3})(?:\s|$)")
CLOSING_CREDIT_LINES = 2  # credit lines looked for right after the body ("(dpa)", "Source: AFP")

# Reasons that mark the end (or start) of the article so strongly that the body run
# should not cross them; other furniture only weighs against it.
_BOUNDARY_REASONS = frozenset({"related-heading", "comments", "tags", "source-link", "copyright", "cookie-notice", "author-box"})
_HARD_END_REASONS = frozenset({"comments", "cookie-notice", "copyright"})
# A boundary line ends the body below this share of the run's prose words (0.5, 0.6, 0.7 and 0.8
# were tried on the four development sets: 0.7 is the best compromise, as in HTML mode).
_END_AFTER_SHARE = 0.7
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
    continued: bool = False  # a later piece of a line cut at glued controls (see _page_lines)

    @property
    def sentence_like(self) -> bool:
        return _sentence_like(self.text)


def _sentence_like(text: str) -> bool:
    """Whether text ends as a sentence does, and not cut short ("...")."""
    return bool(_SENTENCE_END.search(text)) and not _TRUNCATED.search(text)


def clean_text(text: str) -> Extraction:
    """Clean page text: the body (one paragraph per line) plus title, dateline, agencies, date and
    the list of removed lines with reasons."""
    raw_lines = text.splitlines()
    lines = _page_lines(raw_lines)
    for line in lines:
        line.reason = line.reason or _furniture_reason(line)
    _mark_captions(lines)
    _mark_gallery(lines)
    _mark_repeated_prose(lines)
    start, end = _body_run(lines)
    title = _mark_title(lines, start)
    removed = _cut_glued_title(lines, title)
    if removed:
        _mark_repeated_prose(lines)
    dateline, dateline_agency = _take_dateline(lines, start, removed)
    closing_agencies = _mark_closing_credits(lines, end)
    _mark_outside(lines, start, end)
    body = [line for line in lines if line.reason is None]
    agencies = _take_agency_credits(body, removed) + closing_agencies + ([dateline_agency] if dateline_agency else [])
    published = publication_date_from_text(raw_lines, dateline, title)
    _mark_page_header_dates(lines, published)
    removed = _one_per_line(removed + [RemovedLine(line.no, line.text, line.reason) for line in lines if line.reason])
    return Extraction(
        text="\n".join(_spaced_quote_marks(line.text) for line in body if line.text),
        title=title,
        author=_author(lines),
        published=published,
        dateline=dateline,
        agencies=list(dict.fromkeys(agencies)),
        removed=removed,
    )


def _page_lines(raw_lines: list[str]) -> list[_Line]:
    """The page's non-blank lines, each cut where a gallery's or a caption's controls were glued
    into it (data file furniture_glued.tsv), the controls and their captions already marked."""
    lines = []
    for no, raw in enumerate(raw_lines, 1):
        pieces = [(text, reason) for text, reason in _unglued(raw.strip()) if text]
        for index, (text, reason) in enumerate(pieces):
            lines.append(_Line(no, text, len(_WORD.findall(text)), reason, continued=index > 0))
    return lines


@cache
def _glued_controls() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    return tuple((side, reason, re.compile(pattern, re.IGNORECASE)) for side, reason, pattern in vocab.load_table("furniture_glued.tsv"))


def _unglued(text: str) -> list[tuple[str, str | None]]:
    """A line cut at the caption controls inside it, as (piece, reason): the control's own reason
    ("media-player", "photo-credit"), "caption" for the caption on its side, None for the rest.
    A caption opened by an "after" control runs on across the controls inside it (its credit)."""
    controls = sorted((m.start(), m.end(), side, reason) for side, reason, pattern in _glued_controls() for m in pattern.finditer(text))
    pieces: list[tuple[str, str | None]] = []
    position, heading = 0, None  # heading: the text before an "after" control whose caption is open
    for start, end, side, reason in controls:
        if start < position:
            continue
        piece = text[position:start].strip()
        if side == "before":
            pieces.append((piece, "caption"))
        else:
            found, heading = _after_control(piece, heading)
            pieces += found
        pieces.append((text[start:end], reason))
        position, heading = end, (piece if side == "after" else heading if side == "before" else None)
    return pieces + _after_control(text[position:].strip(), heading)[0]


def _after_control(piece: str, heading: str | None) -> tuple[list[tuple[str, str | None]], str | None]:
    """A piece of a cut line, and the heading of a caption still open after it. After a caption
    control (``heading`` is the text before it) the caption runs to where that heading is printed
    again, or else to its first sentence's end."""
    if heading is None:
        return [(piece, None)], None
    end = piece.find(heading) if heading else -1
    if end <= 0:
        first = _FIRST_SENTENCE.match(piece)
        if first is None:
            return [(piece, "caption")], heading
        end = first.end()
    return [(piece[:end].strip(), "caption"), (piece[end:].strip(), None)], None


def _spaced_quote_marks(text: str) -> str:
    """A paragraph with the space put back where a quotation mark was glued to the next sentence
    ('overtime."The suspects', 'overtime.“The'): a closing mark followed by a word, an opening mark
    right after a sentence's end. A straight mark closes when an odd number of them precede it."""
    if not _GLUED_MARK.search(text):
        return text
    low_opening = "„" in text  # German-style „...“: “ closes
    out, straight = [], 0
    for index, char in enumerate(text):
        before = text[index - 1] if index else " "
        after = text[index + 1] if index + 1 < len(text) else " "
        closing = char == "”" or (char == "“" and low_opening) or (char == '"' and straight % 2 == 1)
        opening = (char == "“" and not low_opening) or (char == '"' and straight % 2 == 0)
        if opening and before in ".!?":
            out.append(" ")
        out.append(char)
        if closing and before in ".!?," and after.isalnum():
            out.append(" ")
        straight += char == '"'
    return "".join(out)


def _one_per_line(removed: list[RemovedLine]) -> list[RemovedLine]:
    """The removed lines in order, one record a line: a line whose dateline was cut and whose
    rest was removed later is one record, its whole text, under the later reason."""
    by_line: dict[int, RemovedLine] = {}
    for item in removed:
        earlier = by_line.get(item.line_no)
        by_line[item.line_no] = item if earlier is None else RemovedLine(item.line_no, f"{earlier.text} {item.text}", item.reason)
    return [by_line[number] for number in sorted(by_line)]


@cache
def _furniture_rules() -> tuple[tuple[str, int, re.Pattern[str]], ...]:
    """The wording rules of furniture.tsv as (reason, most words, pattern): one compiled
    alternation per reason and word limit (a row's third field, else MAX_FURNITURE_WORDS), in
    file order."""
    grouped: dict[tuple[str, int], list[str]] = {}
    for reason, pattern, *limit in vocab.load_table("furniture.tsv"):
        grouped.setdefault((reason, int(limit[0]) if limit else MAX_FURNITURE_WORDS), []).append(f"(?:{pattern})")
    return tuple((reason, most, re.compile("|".join(patterns), re.IGNORECASE)) for (reason, most), patterns in grouped.items())


def furniture_pattern(reasons: frozenset[str]) -> re.Pattern[str]:
    """One pattern matching every line that a wording rule of one of ``reasons`` matches (a cheap
    first test before ``furniture_reason``, which also says which rule comes first)."""
    return re.compile("|".join(p.pattern for reason, _, p in _furniture_rules() if reason in reasons) or "(?!)", re.IGNORECASE)


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
    for reason, most, pattern in _furniture_rules():
        if line.words <= most and pattern.search(line.text):
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


def gallery_counters(texts: list[str], max_gap: int) -> list[list[int]]:
    """The slideshows among ``texts``, each as the indexes of its numbered lines: at least
    GALLERY_LINES lines numbered "1/50", "2/50", "3/50"... (one total, counting up by one), each at
    most ``max_gap`` lines after the one before."""
    shows: list[list[int]] = []
    current: list[int] = []
    previous: re.Match[str] | None = None
    for index, text in enumerate(texts):
        match = _GALLERY_COUNTER.match(text)
        if match is None:
            continue
        if not (current and index - current[-1] <= max_gap and _next_picture(previous, match)):
            shows.append(current)
            current = []
        current.append(index)
        previous = match
    return [show for show in shows + [current] if len(show) >= GALLERY_LINES]


def _next_picture(previous: re.Match[str] | None, current: re.Match[str]) -> bool:
    """Whether ``current`` numbers the picture after ``previous`` in one slideshow."""
    return previous is not None and current["total"] == previous["total"] and int(current["number"]) == int(previous["number"]) + 1


def _mark_gallery(lines: list[_Line]) -> None:
    """A slideshow of other stories' pictures in the page text: its numbered lines, the captions
    and credits between them and, after the last, as many lines as follow each number at least
    (all "gallery", whatever rule marked them before: the body run weighs the slideshow as nothing)."""
    for show in gallery_counters([line.text for line in lines], _GALLERY_GAP):
        after_last = min(later - earlier for earlier, later in zip(show, show[1:]))
        for line in lines[show[0] : show[-1] + after_last]:
            line.reason = "gallery"


def _mark_repeated_prose(lines: list[_Line]) -> None:
    """A paragraph printed twice (a page's mobile and desktop copies, a pull quote, a lead also
    glued behind its headline) is kept once."""
    seen: set[str] = set()
    for line in lines:
        if line.reason is None and line.words >= 10 and line.sentence_like:
            text = _from_first_word(line.text)
            if text in seen:
                line.reason = "repeated-line"
            seen.add(text)


def _from_first_word(text: str) -> str:
    """The text without the dash, bullet or quotation mark that may lead a copy of it."""
    first = _WORD.search(text)
    return text[first.start() :] if first else text


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
    if line.reason and line.continued:
        return 0.0  # a line cut into pieces of furniture weighs as one line of furniture
    if line.reason == "gallery":
        return 0.0  # a slideshow set inside the article neither extends the body nor breaks it
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
    """The [start, end) indexes of the body: the best run of prose before any hard end, cut short
    at a boundary line that follows most of its words."""
    copies = Counter(line.text for line in lines)
    start, end = _best_run(lines[: _hard_end(lines, copies)], copies)[1]
    return start, _boundary_end(lines, start, end)


def _boundary_end(lines: list[_Line], start: int, end: int) -> int:
    """Where the run [start, end) ends: at its first boundary line ("Related coverage", "Comments",
    "Tags:") with at least _END_AFTER_SHARE of the run's prose words above it. A boundary costs the
    run only _BOUNDARY_PENALTY, so the run crosses one that a block of long teasers or comments
    follows; near the run's end such a heading closes the article, as it does in HTML mode."""
    total = sum(line.words for line in lines[start:end] if line.reason is None)
    seen = 0
    for index in range(start, end):
        if lines[index].reason in _BOUNDARY_REASONS and seen >= _END_AFTER_SHARE * total:
            return index
        seen += lines[index].words if lines[index].reason is None else 0
    return end


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


def _cut_glued_title(lines: list[_Line], title: str | None) -> list[RemovedLine]:
    """Cut the headline off the paragraph it was glued to ("Local News <headline> <lead>"): a
    headline of some words, at most a short section label before it, a sentence after it; the cut
    heads, as removed lines."""
    if not title or len(_WORD.findall(title)) < _GLUED_TITLE_WORDS:
        return []
    removed = []
    for line in lines:
        at = line.text.find(title) if line.reason is None else -1
        if at < 0:
            continue
        head, rest = line.text[: at + len(title)], line.text[at + len(title) :].strip()
        if _lead_like(rest) and len(_WORD.findall(line.text[:at])) <= _GLUED_LABEL_WORDS:
            removed.append(RemovedLine(line.no, head, "repeated-title"))
            line.text, line.words = rest, len(_WORD.findall(rest))
    return removed


def _lead_like(text: str) -> bool:
    """Whether text glued behind a headline is a lead: a sentence of ten words or more that
    opens with a capital (a headline inside a sentence is followed by its lower-case rest)."""
    opening = text.lstrip("\"“")[:1]
    return opening.isupper() and len(_WORD.findall(text)) >= 10 and _sentence_like(text)


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
