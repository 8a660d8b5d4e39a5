"""What the pages show, computed from the model: an article's text cut into highlighted
segments, the timeline's SVG layout, figures grouped by quantity, statements by speaker,
the coverage matrix and a story's history. Pure functions; the templates only lay these out
(and escape them)."""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

from storydesk.model import Analysis, Dossier, TimelineEvent
from storydesk.store.stories import StoryChange

# -- an article's text with its analysis highlighted ---------------------------------------


@dataclass(frozen=True)
class Mark:
    """A highlighted stretch of text: CSS classes and a tooltip."""

    start: int
    end: int
    css: str
    note: str


@dataclass
class Segment:
    """A run of text under the same set of marks."""

    text: str
    css: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cited: bool = False
    anchor: str | None = None  # element id: the first segment of the cited stretch


def analysis_marks(analysis: Analysis | None) -> list[Mark]:
    """Marks for quotes, speakers, entity mentions, time expressions and figures."""
    if analysis is None:
        return []
    names = {e.key: (e.name, e.kind) for e in analysis.entities}
    marks = []
    for quote in analysis.quotes:
        speaker = names.get(quote.speaker_entity or "", (quote.speaker_text, None))[0]
        marks.append(Mark(quote.content.start, quote.content.end, "quote", f"{quote.kind} quote by {speaker or 'unknown speaker'}"))
        if quote.speaker is not None:
            marks.append(Mark(quote.speaker.start, quote.speaker.end, "speaker", f"speaker: {speaker}"))
    for mention in analysis.mentions:
        name, kind = names.get(mention.entity, (mention.entity, "OTHER"))
        marks.append(Mark(mention.span.start, mention.span.end, f"entity entity-{kind.lower()}", f"{name} ({kind}, by {mention.via})"))
    for timex in analysis.timexes:
        marks.append(Mark(timex.start, timex.end, "timex", f"{timex.type} {timex.value or '?'}"))
    for figure in analysis.figures:
        by = f", asserted by {figure.asserted_by}" if figure.asserted_by else ""
        marks.append(Mark(figure.span.start, figure.span.end, "figure", f"{figure.value:g} {figure.counts}{by} ({figure.modality})"))
    return marks


def segments(text: str, marks: list[Mark], cited: tuple[int, int] | None = None) -> list[Segment]:
    """``text`` cut at every mark boundary (marks may overlap), each piece with the marks that
    cover it; the pieces inside ``cited`` are flagged and the first gets the anchor ``cite``."""
    cuts = {0, len(text)}
    for mark in marks:
        cuts.update((max(0, min(mark.start, len(text))), max(0, min(mark.end, len(text)))))
    if cited is not None:
        cuts.update(max(0, min(point, len(text))) for point in cited)
    starts: dict[int, list[Mark]] = defaultdict(list)
    for mark in marks:
        starts[mark.start].append(mark)
    active: list[Mark] = []
    pieces: list[Segment] = []
    anchored = False
    ordered = sorted(cuts)
    for left, right in pairwise(ordered):
        active = [m for m in active + starts.get(left, []) if m.end > left]
        inside = cited is not None and cited[0] <= left and right <= cited[1]
        piece = Segment(text[left:right], sorted({m.css for m in active}), [m.note for m in active], inside)
        if inside and not anchored:
            piece.anchor, anchored = "cite", True
        pieces.append(piece)
    return pieces


# -- the timeline as a graphic --------------------------------------------------------------


@dataclass(frozen=True)
class Dot:
    """An event on the time axis."""

    x: float
    y: float
    number: int
    label: str
    href: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass
class TimelineGraphic:
    """The SVG layout of a timeline: a proportional date axis with its events as dots
    (events of the same date stacked)."""

    width: int
    height: int
    axis_y: float
    dots: list[Dot]
    ticks: list[Tick]


SVG_WIDTH = 960
SVG_MARGIN = 40
DOT_STEP = 22


def event_day(value: str) -> date | None:
    """The first day an ISO date, month or year names (None for dates with no year)."""
    parts = value.split("-")
    try:
        if len(parts) == 1:
            return date(int(parts[0]), 1, 1)
        if len(parts) == 2:
            return date(int(parts[0]), int(parts[1]), 1)
        return date(int(parts[0]), int(parts[1]), int(parts[2][:2]))
    except ValueError:
        return None


def timeline_graphic(events: list[TimelineEvent], href: dict[int, str]) -> TimelineGraphic | None:
    """Lay out dated events on a proportional axis; None when no event has a calendar date."""
    dated = [(day, event) for event in events if (day := event_day(event.date)) is not None]
    if not dated:
        return None
    first, last = min(d for d, _ in dated), max(d for d, _ in dated)
    span = max(1, (last - first).days)
    usable = SVG_WIDTH - 2 * SVG_MARGIN
    stacks: dict[date, int] = defaultdict(int)
    tallest = max(sum(1 for d, _ in dated if d == day) for day, _ in dated)
    axis_y = 30 + tallest * DOT_STEP
    dots = []
    for day, event in dated:
        x = SVG_MARGIN + usable * ((day - first).days / span if last != first else 0.5)
        stacks[day] += 1
        label = f"{event.id}. {event.date}: {event.what}"
        dots.append(Dot(round(x, 1), axis_y - stacks[day] * DOT_STEP, event.id, label, href.get(event.id, "")))
    return TimelineGraphic(SVG_WIDTH, int(axis_y + 40), axis_y, dots, _ticks(first, last, span, usable))


def _ticks(first: date, last: date, span: int, usable: float) -> list[Tick]:
    """Month ticks (or year ticks over long spans), at most about a dozen."""
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    step = max(1, math.ceil(months / 12))
    ticks = []
    year, month = first.year, first.month
    for _ in range(0, months, step):
        day = date(year, month, 1)
        if first <= day <= last or day == date(first.year, first.month, 1):
            offset = max(0, (day - first).days)
            x = SVG_MARGIN + usable * (offset / span if last != first else 0.5)
            ticks.append(Tick(round(x, 1), day.strftime("%b %Y")))
        month += step
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return ticks


# -- figures, statements, coverage ------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """An item of the coverage matrix: an event, a shared statement or a figure quantity."""

    kind: str  # "events", "statements", "figures"
    id: int
    label: str
    note: str


def coverage_columns(dossier: Dossier) -> list[Column]:
    """The matrix's columns: every item some outlet carried, events, statements, figures."""
    carried: dict[str, set[int]] = {"events": set(), "statements": set(), "figures": set()}
    for outlet in dossier.coverage.values():
        for kind, items in carried.items():
            part = getattr(outlet, kind)
            items.update(part.get("reported", []), part.get("left_out", []))
    notes = {
        "events": {e.id: f"{e.date}: {e.what}" for e in dossier.timeline},
        "statements": {s.group: f"{s.speaker_name or 'unknown'}: {s.text}" for s in dossier.statements},
        "figures": {f.quantity: f"{f.text} {f.what}" for f in dossier.figures},
    }
    prefix = {"events": "E", "statements": "S", "figures": "F"}
    return [
        Column(kind, item, f"{prefix[kind]}{item}", notes[kind].get(item, ""))
        for kind in ("events", "statements", "figures")
        for item in sorted(carried[kind])
    ]


def coverage_cell(dossier: Dossier, outlet: str, column: Column) -> str:
    """``reported``, ``left-out`` or ``""`` for one outlet and item."""
    part = getattr(dossier.coverage[outlet], column.kind)
    if column.id in part.get("reported", []):
        return "reported"
    return "left-out" if column.id in part.get("left_out", []) else ""


# -- a story's history --------------------------------------------------------------------

HISTORY_SHOWN = 20  # newest history entries a story page lists


def history_lines(changes: list[StoryChange], story_id: int) -> list[str]:
    """The merges, splits and rebuilds that moved articles into or out of a story, newest first,
    each as one sentence from the story's side (at most HISTORY_SHOWN)."""
    lines = []
    for change in reversed(changes[-HISTORY_SHOWN:]):
        count = f"{len(change.article_ids)} article{'' if len(change.article_ids) == 1 else 's'}"
        why = f"{change.rule}, {change.score:.2f}" if change.score is not None else change.rule
        prompted = f", when article {change.article_id} arrived" if change.article_id is not None else ""
        if change.kind == "rebuild":
            told = f"story {change.story_id} was clustered again ({why}); most of its {count} are in this story"
        elif change.into_story == story_id and change.kind == "merge":
            told = f"story {change.story_id} ({count}) joined this story ({why}{prompted})"
        elif change.into_story == story_id:
            told = f"{count} came here from story {change.story_id} ({why}{prompted})"
        else:
            told = f"{count} left this story for story {change.into_story} ({why}{prompted})"
        lines.append(f"{change.at[:16].replace('T', ' ')}: {told}")
    return lines
