"""The shared data model: every stage takes and returns these dataclasses, and nothing else.

Stages never import each other; what one stage learns reaches the next through these types,
passed along by ``storydesk.pipeline``.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any, Literal

RawFormat = Literal["text", "html"]
DatePrecision = Literal["day", "month", "year", "day-no-year"]
DuplicateKind = Literal["exact", "near"]
# Where an article's outlet name came from, in the order outlet_name tries them.
OutletFrom = Literal["source", "site", "domain", "credit", "given", "unknown"]
UNKNOWN_OUTLET = "unknown outlet"


@dataclass(frozen=True)
class Origin:
    """Where a document came from: a path or URL, and the record inside it (WARC offset,
    JSONL line, feed entry) when the file holds several."""

    location: str
    record: str | None = None

    def __str__(self) -> str:
        return self.location if self.record is None else f"{self.location}#{self.record}"


@dataclass
class RawDocument:
    """One document as ingest found it: page HTML or already-extracted text, plus whatever
    metadata the container offered (JSON fields, WARC headers, feed entry)."""

    origin: Origin
    format: RawFormat
    content: str
    url: str | None = None
    title: str | None = None
    date: str | None = None
    source: str | None = None
    author: str | None = None


@dataclass(frozen=True)
class IngestProblem:
    """A document or file that could not be read, and why; the batch goes on without it."""

    origin: Origin
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


@dataclass(frozen=True)
class Skipped:
    """A record passed over on purpose (an image, an HTTP 404, a revisit): counted under its
    reason, not an error."""

    origin: Origin
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: skipped: {self.reason}"


@dataclass(frozen=True)
class RemovedLine:
    """A line the text cleaner took out of the body, with its position and the rule that fired."""

    line_no: int
    text: str
    reason: str


@dataclass(frozen=True)
class DateEvidence:
    """Why an article got its publication date: the kind of clue and the text that gave it."""

    source: str  # e.g. "meta:article:published_time", "json-ld:datePublished", "line", "dateline", "body"
    text: str
    line_no: int | None = None


@dataclass
class PublicationDate:
    """A publication date with its precision and evidence. ``value`` is ISO 8601
    (YYYY-MM-DD, YYYY-MM, YYYY, or --MM-DD when the year is unknown)."""

    value: str | None = None
    precision: DatePrecision | None = None
    evidence: list[DateEvidence] = field(default_factory=list)
    rejected: list[DateEvidence] = field(default_factory=list)


def day_in_nearest_year(value: str | None, days: Sequence[date]) -> date | None:
    """A day given without its year (``PublicationDate`` "--10-25") in the year that puts it
    nearest one of ``days`` (a story's dated days); None for another value or no days."""
    match = re.fullmatch(r"--(\d{2})-(\d{2})", value or "")
    best: tuple[int, date] | None = None
    for known in days if match else ():
        for year in (known.year - 1, known.year, known.year + 1):
            try:
                candidate = date(year, int(match[1]), int(match[2]))
            except ValueError:  # 29 February of a common year
                continue
            if best is None or abs((candidate - known).days) < best[0]:
                best = (abs((candidate - known).days), candidate)
    return best and best[1]


@dataclass
class Extraction:
    """What extract/clean makes of one RawDocument: the clean body and its fields."""

    text: str
    title: str | None = None
    author: str | None = None
    site: str | None = None
    url: str | None = None
    published: PublicationDate = field(default_factory=PublicationDate)
    dateline: str | None = None
    agencies: list[str] = field(default_factory=list)
    language: str | None = None
    removed: list[RemovedLine] = field(default_factory=list)
    outlet: str | None = None  # who published it, by outlet_name; None when nothing says
    outlet_from: OutletFrom = "unknown"


@dataclass(frozen=True)
class DuplicateLink:
    """This article repeats an earlier one: exactly, or nearly (MinHash Jaccard estimate)."""

    article_id: int
    kind: DuplicateKind
    similarity: float


# The Wayback Machine's copies: the outlet is the archived page's, not the archive's.
ARCHIVED_URL = re.compile(r"^(?:https?://)?(?:web\.)?archive\.org/web/\d+[a-z_]*/(.+)$", re.IGNORECASE)


def registered_domain(url: str | None) -> str | None:
    """The domain a URL's owner registered (news.example.co.uk -> example.co.uk), by the Public
    Suffix List that the tld package ships (never fetched); None for an IP, a bare host or no URL.
    An archive copy's URL (web.archive.org/web/<time>/<url>) names the archived page's domain."""
    if not url:
        return None
    from tld import get_fld  # imported here: the model is read by every command, --help included

    archived = ARCHIVED_URL.match(url)
    return get_fld(archived[1] if archived else url, fix_protocol=True, fail_silently=True)


def outlet_name(
    source: str | None, site: str | None, url: str | None, credits: Sequence[str], given: str | None
) -> tuple[str | None, OutletFrom]:
    """Who published an article, and what says so: the input's source field, the page's site
    name, the URL's registered domain, the wire agencies its credit lines name (the best name
    when nothing else is known), the name given at ingest; (None, "unknown") when nothing says."""
    found: tuple[tuple[OutletFrom, str | None], ...] = (
        ("source", source), ("site", site), ("domain", registered_domain(url)), ("credit", "/".join(credits)), ("given", given),
    )
    for how, name in found:
        if name and name.strip():
            return " ".join(name.split()), how
    return None, "unknown"


@dataclass
class Article:
    """A stored article: its origin, content hash, extraction and duplicate link."""

    origin: Origin
    content_hash: str
    raw_format: RawFormat
    extraction: Extraction
    id: int | None = None
    duplicate_of: DuplicateLink | None = None
    ingested_at: str | None = None
    analysis: Analysis | None = None

    @property
    def text(self) -> str:
        return self.extraction.text

    @property
    def title(self) -> str | None:
        return self.extraction.title

    @property
    def outlet(self) -> str:
        """Who published it (``Extraction.outlet``), or "unknown outlet"; never a file's name."""
        return self.extraction.outlet or UNKNOWN_OUTLET

    @property
    def outlet_label(self) -> str:
        return outlet_label(self.extraction.outlet, self.id)

    def to_dict(self) -> dict[str, Any]:
        """A plain, JSON-ready dict (the shape of ``storydesk doc --json`` and exports)."""
        return asdict(self)


@dataclass(frozen=True)
class TimeExpr:
    """A time expression in a text: its span, TIMEX3 type and value, resolved against an anchor date."""

    start: int  # character offsets into the text, end-exclusive
    end: int
    text: str
    type: Literal["DATE", "TIME", "DURATION", "SET"]
    value: str | None  # TIMEX3 value: "2024-10-24", "2024-W43", "2024-10", "2024", "PRESENT_REF", "P3D", "XXXX-10-24"... None when nothing can be said
    anchored: bool  # True when the value depended on the anchor date (relative expressions)
    mod: str | None = None  # TIMEX3 mod where applicable ("APPROX", "START", "END", "MORE_THAN"...)


EntityKind = Literal["PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "OTHER"]
# "topic": what a speaker spoke of, named without what they said ("dismissed the drama"): an
# attribution to PolNeAR, not a statement to list in a dossier.
QuoteKind = Literal["direct", "partial", "indirect", "block", "mixed", "topic"]
Modality = Literal["fact", "estimate", "forecast", "denial"]


@dataclass(frozen=True)
class Span:
    """A stretch of an article's text by character offsets (end-exclusive)."""

    start: int
    end: int
    text: str

    def overlaps(self, other: Span) -> bool:
        """Whether the two stretches share at least one character."""
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Entity:
    """One real-world thing, under one canonical name. ``key`` is stable across articles
    ("country:KP", "person:vladimir putin") so the store can join mentions from many outlets."""

    key: str
    name: str
    kind: EntityKind
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mention:
    """A mention of an entity in the text: a name, an alias, a role noun or a pronoun."""

    span: Span
    entity: str  # Entity.key
    via: Literal["name", "alias", "role", "pronoun"] = "name"


@dataclass(frozen=True)
class Quote:
    """Something said, with who said it and the cue that says so. ``speaker`` is the mention
    in the text that names the speaker (a name, role or pronoun); ``speaker_entity`` the
    Entity.key it resolves to; ``speaker_name``, where it resolves to none and the mention names
    the speaker through another word, that word's phrase ("EU's foreign affairs representative"
    for "a statement published by the EU's foreign affairs representative", "officials" for "who"
    in "the officials, who said")."""

    kind: QuoteKind
    content: Span
    cue: Span | None = None
    speaker: Span | None = None
    speaker_entity: str | None = None
    speaker_name: str | None = None

    @property
    def speaker_text(self) -> str | None:
        """How the article names the speaker, to show where no entity resolves."""
        return self.speaker_name or (self.speaker.text if self.speaker else None)


@dataclass(frozen=True)
class Figure:
    """A number that counts or measures something, who asserts it and how firmly."""

    span: Span  # the number as written ("some 3,000", "10,000")
    value: float
    counts: str  # the head noun phrase it counts ("North Korean soldiers")
    asserted_by: str | None = None  # Entity.key, or the attribution's text when no entity
    source: Span | None = None  # the attribution in the sentence ("South Korean intelligence")
    hedges: tuple[str, ...] = ()  # "some", "around", "allegedly", "at least"
    modality: Modality = "fact"
    event: str | None = None  # what happened to what it counts: "killed", "injured", "deployed"
    upper: float | None = None  # a vague amount's upper bound ("thousands": value 2000, upper 9999)
    part: bool = False  # a part of a whole counted elsewhere ("two of the victims")
    when: str | None = None  # TIMEX3 value of the time its clause gives ("as of Friday")


@dataclass(frozen=True)
class Action:
    """What happened at a time expression, as its clause says it: subject, verb and object
    ("lower house of parliament" / ratify / "bilateral treaty"), for labelling timeline events."""

    time: Span  # the time expression
    verb: Span  # the verb as written ("ratified"); for a happening a noun names, its noun phrase
    lemma: str  # its lemma, with a particle ("rule out"), or the noun's ("shooting")
    subject: Span | None = None  # the subject noun phrase, without determiner or clauses
    object: Span | None = None  # the object noun phrase, likewise
    plural: bool = False  # the subject is plural ("Putin and Kim")
    negated: bool = False
    passive: bool = False
    nominal: bool = False  # the date modifies a noun naming the happening ("the March 9 shooting")


@dataclass
class Analysis:
    """Everything the analyse stage learns of one article, with offsets into its text."""

    version: str
    sentences: list[Span] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    timexes: list[TimeExpr] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)  # one per dated clause
    cut_at: int | None = None  # the text was over the analysis limit: only text[:cut_at] was analysed

    @classmethod
    def from_dict(cls, data: dict) -> Analysis:
        """An Analysis back from its JSON form (``dataclasses.asdict``), as the store and the
        scale engine's Parquet parts hold it."""
        return cls(
            version=data["version"],
            sentences=[Span(**s) for s in data["sentences"]],
            entities=[Entity(e["key"], e["name"], e["kind"], tuple(e["aliases"])) for e in data["entities"]],
            mentions=[Mention(Span(**m["span"]), m["entity"], m["via"]) for m in data["mentions"]],
            quotes=[
                Quote(q["kind"], Span(**q["content"]), _span(q["cue"]), _span(q["speaker"]), q["speaker_entity"], q.get("speaker_name"))
                for q in data["quotes"]
            ],
            timexes=[TimeExpr(**t) for t in data["timexes"]],
            figures=[
                Figure(Span(**f["span"]), f["value"], f["counts"], f["asserted_by"], _span(f["source"]),
                       tuple(f["hedges"]), f["modality"], f.get("event"), f.get("upper"), f.get("part", False), f.get("when"))
                for f in data["figures"]
            ],
            actions=[_action(a) for a in data.get("actions", [])],  # analyses stored before actions have none
            cut_at=data.get("cut_at"),
        )


def _span(data: dict | None) -> Span | None:
    return None if data is None else Span(**data)


def _action(data: dict) -> Action:
    spans = {name: _span(data[name]) for name in ("time", "verb", "subject", "object")}
    return Action(**{**data, **spans})


# --- Stories (cluster stage) -------------------------------------------------------------


@dataclass
class ArticleProfile:
    """What the clusterer compares two articles by: their words, canonical entities, places,
    the days they speak of and the figures they report. Built from an Article and its
    Analysis; stored so that placing a new article never re-reads the others' texts."""

    article_id: int | None
    terms: dict[str, float] = field(default_factory=dict)  # content-word lemma -> count
    entities: dict[str, float] = field(default_factory=dict)  # Entity.key -> mention count
    places: tuple[str, ...] = ()  # Entity.keys of the places named
    days: tuple[str, ...] = ()  # ISO days, months or years the time expressions resolve to
    figures: tuple[str, ...] = ()  # "value counted-noun" of the figures reported
    published: str | None = None  # the publication date (ISO) when known
    lead: dict[str, float] = field(default_factory=dict)  # "t:word" / "e:entity key" -> count in the title and first sentences
    language: str | None = None  # ISO 639-1, as the extract stage detected it
    gist: str = ""  # the title and lead's first characters: what articles in two languages are compared by

    @classmethod
    def from_dict(cls, data: Mapping) -> ArticleProfile:
        """An ArticleProfile back from its stored JSON form (JSON lists become the tuples they were)."""
        values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        return cls(**{name: tuple(v) if isinstance(v, list) else v for name, v in values.items()})


@dataclass
class Story:
    """Articles about one story: an id, a title taken from its articles, its members with the
    similarity that placed each, the range of their publication dates (a day given without its
    year placed in the story's year; an undated member counted at the bound the story gives it,
    ``first_bound`` or ``last_bound`` "on-or-after") and the outlets that carried it."""

    id: int | None
    title: str
    article_ids: list[int] = field(default_factory=list)
    first_date: str | None = None
    last_date: str | None = None
    outlets: list[str] = field(default_factory=list)
    first_bound: Literal["exact", "on-or-after"] | None = None
    last_bound: Literal["exact", "on-or-after"] | None = None

    @property
    def dates(self) -> StoryDates:
        """The story's dates as the story page's header shows them."""
        return StoryDates(self.first_date, self.last_date, self.first_bound, self.last_bound)


# --- Dossier (synthesise stage) ----------------------------------------------------------


@dataclass(frozen=True)
class Citation:
    """Where a dossier statement comes from: an article and a stretch of its text."""

    article: int
    start: int
    end: int


def outlet_label(outlet: str | None, article_id: int | None) -> str:
    """How a list of sources names an article: its outlet, or "article N" where nothing names
    the outlet (so that articles of unknown outlets stay apart)."""
    return outlet or f"article {article_id}"


@dataclass
class DossierArticle:
    """An article of the story as the dossier sees it: its outlet (and where that name came
    from) and its publication date, possibly bounded by the story, with the evidence."""

    id: int
    origin: str
    title: str | None
    outlet: str
    outlet_from: OutletFrom
    published: str | None
    precision: str | None
    date_bound: Literal["exact", "on-or-after"] | None = None
    date_evidence: list[str] = field(default_factory=list)
    url: str | None = None  # the article's web address, when it is one a reader can follow

    @property
    def named_outlet(self) -> str | None:
        """The outlet's name, or None when nothing named it ("unknown outlet")."""
        return None if self.outlet_from == "unknown" else self.outlet

    @property
    def outlet_label(self) -> str:
        return outlet_label(self.named_outlet, self.id)


@dataclass
class TimelineEvent:
    """One happening, dated (with precision), placed, labelled by what its clauses say happened
    ("Lower house of parliament ratifies bilateral treaty"), with the sentence the label comes
    from and every article and sentence that reports it, each cited once."""

    id: int
    date: str
    precision: str
    what: str  # a short label: subject, verb, object (and place); never a whole sentence
    place: str | None
    articles: list[int]
    citations: list[Citation]
    weekday: str | None = None  # when the articles give only a weekday inside a known month
    sentence: str = ""  # the cited sentence the label is made from, for the reader
    dates: list[str] = field(default_factory=list)  # every date its sentences give (background: all the years of a sentence)


@dataclass
class QuoteReport:
    """One quote as one article reports it; ``group`` is the statement it is a version of."""

    speaker: str | None  # Entity.key of a person, organisation or group; None: unattributed
    speaker_name: str | None  # the entity's canonical name
    text: str
    kind: str
    article: int
    span: Citation
    group: int
    worded: str | None = None  # how the article names an unattributed speaker ("a statement")
    language: str | None = None  # the article's language (ISO 639-1): versions of one statement may differ


@dataclass
class Statement:
    """One thing a speaker said, as reported by one or more articles (translated or cut
    differently); ``versions`` index ``Dossier.quotes``."""

    group: int
    speaker: str | None
    speaker_name: str | None
    text: str
    articles: list[int]
    versions: list[int]
    outlets: list[str] = field(default_factory=list)  # the outlets that carried it, first seen first
    languages: list[str] = field(default_factory=list)  # its versions' languages, first seen first
    original: str | None = None  # where an article says it was first said ("told TASS": TASS)


@dataclass
class FigureReport:
    """A figure as one article reports it, who asserts it and how firmly; ``quantity`` groups
    the reports of the same counted thing."""

    value: float
    text: str
    what: str
    asserted_by: str | None
    hedges: list[str]
    modality: str
    article: int
    span: Citation
    date: str | None
    quantity: int
    event: str | None = None  # what happened to what it counts ("killed", "injured")
    upper: float | None = None  # a vague amount's upper bound: the figure is a range
    part: bool = False  # a part of a whole ("two of the victims"), never a rival of it
    as_of: str | None = None  # the time the figure holds for: its clause's, else its article's date


@dataclass
class Discrepancy:
    """The same quantity reported with different values; ``figures`` index ``Dossier.figures``.
    A ``conflict`` is different values for the same quantity, source and time; an ``update`` is
    one source's figure moving forward in time (1,500 on 18 Oct, 3,000 on 25 Oct)."""

    about: str
    figures: list[int]
    kind: Literal["conflict", "update"] = "conflict"


@dataclass
class Stance:
    """Someone confirming, denying or leaving unanswered a claim, in one article."""

    by: str | None
    stance: str
    article: int
    date: str | None
    span: Citation
    text: str


@dataclass
class Claim:
    """A claim and every stance taken on it across the story."""

    about: str
    stances: list[Stance]


@dataclass
class DisputeSide:
    """One side of a dispute: what it says (a value, a stance), who says it, the outlets that
    carry it, as of when, and where."""

    says: str
    by: str | None
    outlets: list[str]
    date: str | None
    citations: list[Citation]


@dataclass
class Dispute:
    """Where the outlets disagree: a figure given different values for the same quantity, source
    and time (``figures``), a figure series that moves forward in time (``update``, told as one
    line, not a conflict), or a claim denied by some and confirmed or left open by others
    (``claim``)."""

    kind: Literal["figures", "update", "claim"]
    about: str
    sides: list[DisputeSide]
    told: str  # the dispute in one line: "3,000 (…, 25 Oct) against 1,500 (…, 24 Oct)"


@dataclass
class OutletCoverage:
    """What one outlet carried of the story's events, statements and figures, and what it left
    out of those that other outlets carried (ids of timeline events, statement groups and
    figure quantities)."""

    articles: list[int]
    events: dict[str, list[int]]
    statements: dict[str, list[int]]
    figures: dict[str, list[int]]


@dataclass
class SummarySentence:
    """A sentence of the extractive summary, citing every article that carries it."""

    sentence: str
    articles: list[int]
    citations: list[Citation]


@dataclass(frozen=True)
class StoryDates:
    """A story's dates: its earliest and latest article's publication date (ISO day, month or
    year), each ``exact`` or only ``on-or-after``: the lower bound the story gives an undated
    article that reports an event it dates."""

    first: str | None = None
    last: str | None = None
    first_bound: Literal["exact", "on-or-after"] | None = None
    last_bound: Literal["exact", "on-or-after"] | None = None


@dataclass
class Dossier:
    """The cross-checked dossier of one story; every statement carries its citations."""

    story: Story
    dates: StoryDates = field(default_factory=StoryDates)
    articles: list[DossierArticle] = field(default_factory=list)
    disputes: list[Dispute] = field(default_factory=list)
    timeline: list[TimelineEvent] = field(default_factory=list)  # the main happenings, by date
    more_events: list[TimelineEvent] = field(default_factory=list)  # the story's other dated happenings
    background: list[TimelineEvent] = field(default_factory=list)
    quotes: list[QuoteReport] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    figures: list[FigureReport] = field(default_factory=list)
    discrepancies: list[Discrepancy] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    coverage: dict[str, OutletCoverage] = field(default_factory=dict)
    summary: list[SummarySentence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON dossier: plain dicts and lists, citations as {article, start, end}."""
        data = asdict(self)
        data["story"] = {"id": self.story.id, "title": self.story.title}
        return data

    def to_json(self) -> str:
        """The JSON dossier as text (``to_dict``, indented)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_markdown(self) -> str:
        """The dossier as Markdown. The renderer is a stage, imported here when called because
        the model must not import stages."""
        from storydesk.synthesise import render_markdown

        return render_markdown(self)

    def to_html(self) -> str:
        """The dossier as a standalone HTML page (the renderer imported when called, as above)."""
        from storydesk.synthesise import render_html

        return render_html(self)
