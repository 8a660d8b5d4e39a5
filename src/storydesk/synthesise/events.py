"""Events inside a story: every dated time expression of every article, with the sentence it
sits in, grouped across articles when the dates agree and the sentences speak of the same
thing; then the articles that give no date of their own are bounded by the events they report."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from storydesk import vocab
from storydesk.model import Article, Citation, Span, TimelineEvent
from storydesk.synthesise.dates import (
    WEEKDAY_NAMES,
    ArticleDate,
    When,
    resolve,
    weekday_of,
)
from storydesk.synthesise.text import (
    features,
    idf_weights,
    mentions_in,
    overlap,
    sentence_at,
)

# Two sentences with agreeing dates report the same event when the IDF-weighted overlap
# coefficient of their features (content words and entity keys; shared weight over the smaller
# set's weight, so a long sentence is not penalised for saying more) reaches SAME_EVENT, and,
# when both name an event word (signed, ratified, visit...), they name a common one. On the
# seed story, mentions of the same event score 0.2-0.5 and other same-day sentences 0.1-0.2.
SAME_EVENT = 0.2
# A weekday-only mention ("signed on Wednesday") dates its article by the event it joins, so it
# must name one of that event's words and pass a higher bar.
SAME_EVENT_BY_WEEKDAY = 0.3
# A sentence with fewer content words than this is a fragment of the one before (a sentence
# splitter cut "ratified today [on 24 October]" in two): it takes that one's features too.
FRAGMENT = 4
# An event this long before the story's first article is background, not part of the story.
BACKGROUND = timedelta(days=365)
PLACE_KINDS = ("GPE", "LOC", "FAC")


@dataclass
class EventMention:
    """One dated (or weekday-only) time expression of an article, in its sentence."""

    article: int
    sentence: Span
    when: When | None
    weekday: int | None
    features: set[str]
    places: list[str]
    event_words: set[str]  # the event words it names (signing, ratification, visit...)
    fragment: bool = False  # its sentence is a fragment; its features include the sentence before


@dataclass
class EventGroup:
    """Mentions of one event across articles."""

    when: When
    mentions: list[EventMention] = field(default_factory=list)

    def similarity(self, mention: EventMention, weights: dict[str, float]) -> float:
        """How like one of the group's mentions ``mention`` is (single link)."""
        return max(
            (overlap(mention.features, other.features, weights) for other in self.mentions if _same_kind(mention, other)),
            default=0.0,
        )


def find_mentions(article: Article, article_date: ArticleDate) -> list[EventMention]:
    """The article's time expressions that name a calendar date or a weekday, in their sentences."""
    analysis = article.analysis
    if analysis is None or article.id is None:
        return []
    kinds = {entity.key: entity.kind for entity in analysis.entities}
    event_words = set(vocab.load("synthesise_event_words.txt"))
    found = []
    for timex in analysis.timexes:
        when = resolve(timex, article_date.anchor)
        weekday = None if when else weekday_of(timex.value)
        sentence = sentence_at(analysis, timex.start, timex.end)
        if (when is None and weekday is None) or sentence is None or timex.type != "DATE":
            continue
        own = features(analysis, sentence, [Span(timex.start, timex.end, timex.text)])
        fragment = len(own) < FRAGMENT and (previous := sentence_at(analysis, sentence.start - 2)) is not None
        if fragment:
            own |= features(analysis, previous)
        places = _places(article, sentence, kinds)
        found.append(EventMention(article.id, sentence, when, weekday, own, places, own & event_words, fragment))
    return found


def _places(article: Article, sentence: Span, kinds: dict[str, str]) -> list[str]:
    """Place names in the sentence right after a locative word ("in Kazan", "visit to Pyongyang"),
    as written (a capital stays a city even when the analysis links it to its country)."""
    prepositions = set(vocab.load("synthesise_place_prepositions.txt"))
    text = article.text
    places = []
    for mention in mentions_in(article.analysis, sentence.start, sentence.end):
        before = text[max(sentence.start, mention.span.start - 12) : mention.span.start].split()
        if kinds.get(mention.entity) in PLACE_KINDS and before and before[-1].lower() in prepositions:
            places.append(mention.span.text)
    return places


def group_mentions(mentions: Sequence[EventMention]) -> list[EventGroup]:
    """Mentions grouped into events: the most precise first, each joining the most similar group
    whose date agrees, else starting one; weekday-only mentions only join a dated group."""
    weights = idf_weights(mention.features for mention in mentions)
    rank = {"day": 0, "week": 1, "month": 2, "year": 3}
    dated = sorted((m for m in mentions if m.when), key=lambda m: (rank[m.when.precision], m.when.lo))
    groups: list[EventGroup] = []
    for mention in dated:
        group = _best_group(mention, groups, weights)
        if group is None:
            groups.append(EventGroup(mention.when, [mention]))
        else:
            group.mentions.append(mention)
    for mention in (m for m in mentions if m.when is None):
        group = _best_group(mention, groups, weights)
        if group is not None:
            group.mentions.append(mention)
    return groups


def _best_group(mention: EventMention, groups: list[EventGroup], weights: dict[str, float]) -> EventGroup | None:
    threshold = SAME_EVENT if mention.when else SAME_EVENT_BY_WEEKDAY
    scored = [(group.similarity(mention, weights), index) for index, group in enumerate(groups) if _dates_agree(mention, group.when)]
    best = max(scored, default=None)
    return groups[best[1]] if best and best[0] >= threshold else None


def _same_kind(mention: EventMention, other: EventMention) -> bool:
    """Event words do not contradict: both name a common one, or (for dated mentions) one of
    them names none. A weekday-only mention must name one of the other's."""
    if mention.when is None:
        return bool(mention.event_words & other.event_words)
    return bool(mention.event_words & other.event_words) or not (mention.event_words and other.event_words)


def _dates_agree(mention: EventMention, when: When) -> bool:
    """Same date at the coarser precision; a weekday-only mention agrees with any range that
    holds that weekday; a year is only ever the same as the same year."""
    if mention.when is None:
        return when.precision in ("day", "week", "month") and when.allows_weekday(mention.weekday)
    if "year" in (mention.when.precision, when.precision):
        return mention.when == when
    return mention.when.overlaps(when)


def bound_undated(groups: Sequence[EventGroup], dates: dict[int, ArticleDate]) -> None:
    """An article without an exact date that reports, by weekday, an event the story dates is
    published on or after that event; the evidence says which sentence and which articles."""
    for group in groups:
        dating = sorted({m.article for m in group.mentions if m.when is not None})
        for mention in group.mentions:
            article_date = dates[mention.article]
            if mention.when is not None or article_date.bound == "exact":
                continue
            if article_date.when is None or group.when.lo > article_date.when.lo:
                article_date.when, article_date.bound = group.when, "on-or-after"
            article_date.evidence.append(
                f"reports on {WEEKDAY_NAMES[mention.weekday - 1]} an event the story dates {_dated(group)} "
                f"(articles {', '.join(map(str, dating))}): “{mention.sentence.text.strip()}”"
            )


def _dated(group: EventGroup) -> str:
    weekday = _weekday(group)
    return f"{group.when.iso}" if group.when.precision == "day" or weekday is None else f"{group.when.iso} ({weekday})"


def _weekday(group: EventGroup) -> str | None:
    """The weekday the articles give a month-dated event, when they agree on one."""
    weekdays = {m.weekday for m in group.mentions if m.weekday}
    return WEEKDAY_NAMES[weekdays.pop() - 1] if len(weekdays) == 1 and group.when.precision != "day" else None


def to_events(groups: Sequence[EventGroup], story_start: When | None) -> tuple[list[TimelineEvent], list[TimelineEvent]]:
    """Timeline events (in the story's time) and background events (long before it), by date."""
    ordered = sorted(groups, key=lambda g: (g.when.lo, g.when.hi))
    timeline, background = [], []
    for group in ordered:
        is_background = group.when.precision == "year" or (
            story_start is not None and group.when.hi < story_start.lo - BACKGROUND
        )
        (background if is_background else timeline).append(group)
    return _numbered(timeline, 1), _numbered(background, len(timeline) + 1)


def _numbered(groups: list[EventGroup], first: int) -> list[TimelineEvent]:
    return [_event(group, first + index) for index, group in enumerate(groups)]


def _event(group: EventGroup, event_id: int) -> TimelineEvent:
    """An event's entry: its description is the shortest sentence naming an event word (else the
    shortest), its place the one most often named after "in"/"at"/"to"."""
    described = min(group.mentions, key=lambda m: (not m.event_words, m.fragment, m.when != group.when, len(m.sentence.text)))
    places = Counter(place for mention in group.mentions for place in mention.places)
    citations = sorted({Citation(m.article, m.sentence.start, m.sentence.end) for m in group.mentions},
                       key=lambda c: (c.article, c.start))
    return TimelineEvent(
        id=event_id,
        date=group.when.iso,
        precision=group.when.precision,
        what=described.sentence.text.strip(),
        place=places.most_common(1)[0][0] if places else None,
        articles=sorted({m.article for m in group.mentions}),
        citations=citations,
        weekday=_weekday(group),
    )
