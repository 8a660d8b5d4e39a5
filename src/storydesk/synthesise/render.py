"""The dossier as Markdown and as a standalone HTML page (inline CSS, no scripts, every text
escaped: article text is untrusted), from the Jinja2 templates in ``storydesk/templates``."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache, partial

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from storydesk.model import Citation, Dossier, FigureReport, QuoteReport, Statement, StoryDates
from storydesk.synthesise.disputes import readable_date


def cite(citation: Citation) -> str:
    """A citation as printed: article id and character span."""
    return f"{citation.article}:{citation.start}-{citation.end}"


def md_cell(text: object) -> str:
    """Text safe inside a Markdown table cell or list item: one line, pipes and markup escaped."""
    flat = " ".join(str(text if text is not None else "").split())
    for char in "\\|*_`[]<>":
        flat = flat.replace(char, "\\" + char)
    return flat


def shorten(text: str, limit: int = 220) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


@cache
def _environment(html: bool) -> Environment:
    environment = Environment(
        loader=PackageLoader("storydesk", "templates"),
        autoescape=select_autoescape(["html"]) if html else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        cite=cite, md=md_cell, shorten=shorten, kind=kind_words, day=readable_date, dates=dates_text, language=language_name
    )
    return environment


# How each quote kind is told to a reader.
KIND_WORDS = {"direct": "quoted", "block": "quoted", "partial": "partly quoted", "mixed": "partly quoted", "indirect": "paraphrased", "topic": "spoke of"}
SHOWN_STATEMENTS = 3  # a speaker's first statements shown; the rest are folded


def dates_text(dates: StoryDates) -> str:
    """A story's dates as its header shows them: "2024-06 to 2024-10-25", a date the story only
    bounds below marked "≥"."""
    def shown(value: str | None, bound: str | None) -> str:
        return f"≥ {value}" if bound == "on-or-after" else str(value)

    if not dates.first:
        return "dates unknown"
    first = shown(dates.first, dates.first_bound)
    if not dates.last or (dates.last, dates.last_bound) == (dates.first, dates.first_bound):
        return first
    return f"{first} to {shown(dates.last, dates.last_bound)}"


def language_name(code: str) -> str:
    """A language's English name ("fr" -> "French", from the CLDR through Babel), else its code."""
    from babel import Locale

    return Locale("en").languages.get(code, code)


def kind_words(kind: str) -> str:
    """A quote kind in plain words ("paraphrased" for indirect speech)."""
    return KIND_WORDS.get(kind, kind)


@dataclass
class SpeakerStatements:
    """One speaker's statements that no other outlet carried, first shown, then folded."""

    name: str
    key: str | None
    shown: list[Statement]
    folded: list[Statement]


@dataclass
class WhoSaidWhat:
    """Who said what, as a reader takes it in: statements carried by more than one outlet (each
    speaker's together), then each speaker's other statements (most statements first), then the
    unattributed."""

    shared: list[Statement]
    speakers: list[SpeakerStatements]
    unattributed: list[Statement]


def outlet_count(dossier: Dossier, article_ids: list[int]) -> int:
    """How many outlets carried these articles (an article of unknown outlet counts as its own)."""
    named = {a.id: a.outlet_label for a in dossier.articles}
    return len({named.get(i, i) for i in article_ids})


def carried_by(dossier: Dossier, article_ids: list[int]) -> str:
    """Who carried these articles, in words: "3 articles from 2 outlets", "5 articles from 1
    outlet and 4 of unknown outlet", "2 articles of unknown outlet"."""
    entries = {a.id: a for a in dossier.articles}
    named = [entries[i].named_outlet for i in article_ids if i in entries]
    known, unknown = {name for name in named if name}, named.count(None)
    articles = f"{len(article_ids)} article{'s' if len(article_ids) != 1 else ''}"
    outlets = f"{len(known)} outlet{'s' if len(known) != 1 else ''}"
    if not unknown:
        return f"{articles} from {outlets}"
    return f"{articles} from {outlets} and {unknown} of unknown outlet" if known else f"{articles} of unknown outlet"


@dataclass
class ShownVersion:
    """One wording of a statement as a reader sees it: the quote, every outlet that printed
    these words, and a citation for each article."""

    quote: QuoteReport
    outlets: list[str]
    citations: list[Citation]


def distinct_versions(statement: Statement, quotes: list[QuoteReport], outlets: dict[int | None, str]) -> list[ShownVersion]:
    """A statement's versions as a reader needs them (``quotes``: the dossier's; ``outlets``:
    each article's outlet label): the same words in several articles (an article and its
    update, a station's copy of its sister station's; letter case aside) are one version naming
    every outlet and citing every article, so that a reader sees what differs, not repeats."""
    shown: dict[tuple[str, str], ShownVersion] = {}
    for index in statement.versions:
        quote = quotes[index]
        version = shown.setdefault((quote.kind, quote.text.casefold()), ShownVersion(quote, [], []))
        outlet = str(outlets.get(quote.article, quote.article))
        if outlet not in version.outlets:
            version.outlets.append(outlet)
        version.citations.append(quote.span)
    return list(shown.values())


def who_said_what(dossier: Dossier) -> WhoSaidWhat:
    """The dossier's statements in reading order."""
    shared = _by_speaker([s for s in dossier.statements if s.speaker and outlet_count(dossier, s.articles) > 1])
    shared_groups = {s.group for s in shared}
    by_speaker: dict[str, list[Statement]] = {}
    for statement in dossier.statements:
        if statement.speaker and statement.group not in shared_groups:
            by_speaker.setdefault(statement.speaker, []).append(statement)
    speakers = [
        SpeakerStatements(found[0].speaker_name or key, key, found[:SHOWN_STATEMENTS], found[SHOWN_STATEMENTS:])
        for key, found in sorted(by_speaker.items(), key=lambda item: -len(item[1]))
    ]
    return WhoSaidWhat(shared, speakers, [s for s in dossier.statements if not s.speaker])


def _by_speaker(statements: list[Statement]) -> list[Statement]:
    """The statements with each speaker's together, speakers in the order they first come, so
    that a speaker is named once above all of theirs."""
    first: dict[str | None, int] = {}
    for position, statement in enumerate(statements):
        first.setdefault(statement.speaker, position)
    return sorted(statements, key=lambda statement: first[statement.speaker])


@dataclass
class ValueGroup:
    """One value of a quantity and every report giving it."""

    text: str
    reports: list[FigureReport]


@dataclass
class Quantity:
    """Every report of one counted thing with what happened to it ("adults", "killed"), by
    value; ``disagree`` when the dossier found a discrepancy among them (values of other times or
    sources are not rivals: an update is not a conflict)."""

    number: int
    what: str
    event: str | None
    values: list[ValueGroup]
    disagree: bool

    @property
    def reports(self) -> int:
        return sum(len(value.reports) for value in self.values)

    @property
    def articles(self) -> int:
        """How many articles give it: an article that says it twice is one voice."""
        return len({report.article for value in self.values for report in value.reports})

    @property
    def agreement(self) -> str:
        """How the reports stand to one another, in words."""
        if self.disagree:
            return "outlets disagree"
        if len(self.values) > 1:
            return "values differ in time or source"
        return "one article" if self.articles == 1 else f"{self.articles} articles agree"

    @property
    def minor(self) -> bool:
        """Said once, of nothing that happened, and disputed by no one: listed apart, so that the
        counts of what happened are not lost among prices, ages and calibres."""
        return not self.disagree and self.event is None and self.reports == 1


def quantities(dossier: Dossier) -> list[Quantity]:
    """Figures grouped by what they count and what happened to it, then by value: disagreements
    first, then counts of what happened, most reported first."""
    flagged = {i for x in dossier.discrepancies for i in x.figures}
    found = []
    for indexes in _shown_groups(dossier):
        event = next((dossier.figures[i].event for i in indexes if dossier.figures[i].event), None)
        by_value: dict[tuple[float, float | None], ValueGroup] = {}
        for i in indexes:
            figure = dossier.figures[i]
            label = f"{_number(figure.value)} to {_number(figure.upper)}" if figure.upper else _number(figure.value)
            by_value.setdefault((figure.value, figure.upper), ValueGroup(label, [])).reports.append(figure)
        first = dossier.figures[indexes[0]]
        found.append(Quantity(first.quantity, first.what, event, list(by_value.values()), any(i in flagged for i in indexes)))
    return sorted(found, key=lambda q: (not q.disagree, q.event is None, -q.articles, -q.reports, q.number))


def _number(value: float) -> str:
    """A figure's value as a reader writes it: "2,000,000", "1.5", never "2e+06"."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.10g}"


def _shown_groups(dossier: Dossier) -> list[list[int]]:
    """Indexes of ``dossier.figures`` shown together: the dossier's quantities (one counted thing
    from one source at one time), joined where they count the same words with the same event
    (five adults killed, as of each article's own date)."""
    groups: dict[int, list[int]] = defaultdict(list)
    for index, figure in enumerate(dossier.figures):
        groups[figure.quantity].append(index)
    joined: dict[tuple[str, str | None], int] = {}
    for quantity, indexes in sorted(groups.items()):
        key = (" ".join(dossier.figures[indexes[0]].what.lower().split()), dossier.figures[indexes[0]].event)
        if key in joined and joined[key] != quantity:
            groups[joined[key]].extend(indexes)
            indexes.clear()
        else:
            joined[key] = quantity
    return [indexes for indexes in groups.values() if indexes]


def _figure_names(dossier: Dossier) -> dict[int, str]:
    """Each figure quantity by what it counts and what happened to it ("teenagers killed")."""
    return {f.quantity: " ".join(filter(None, (f.what, f.event))) for f in dossier.figures}


def _named(names: dict[int, str], numbers: list[int]) -> str:
    """Quantities by their names, each name once."""
    return "; ".join(dict.fromkeys(names[number] for number in numbers if number in names))


def _statement_speakers(dossier: Dossier) -> dict[int, str]:
    """Each statement group by its speaker ("unattributed" for none)."""
    return {s.group: s.speaker_name or "unattributed" for s in dossier.statements}


def _counted(names: dict[int, str], numbers: list[int]) -> str:
    """Statement groups by speaker, most first, with how many of each ("Dan Faustino (4);
    Sheriff's office; unattributed (2)"): a reader learns whose words an outlet left out, not
    group numbers shown nowhere."""
    counts = Counter(names[number] for number in numbers if number in names)
    ordered = sorted(counts.items(), key=lambda item: (item[0] == "unattributed", -item[1]))
    return "; ".join(f"{name} ({count})" if count > 1 else name for name, count in ordered)


def _context(dossier: Dossier) -> dict:
    outlets = {a.id: a.outlet_label for a in dossier.articles}
    return {
        "d": dossier,
        "outlets": outlets,
        "cite_names": {a.id: a.named_outlet or "" for a in dossier.articles},
        "said": who_said_what(dossier),
        "quantities": quantities(dossier),
        "figure_names": partial(_named, _figure_names(dossier)),
        "statement_names": partial(_counted, _statement_speakers(dossier)),
        "carried_by": lambda ids: carried_by(dossier, ids),
        "versions_of": lambda statement: distinct_versions(statement, dossier.quotes, outlets),
    }


def render_markdown(dossier: Dossier) -> str:
    """The dossier as a Markdown document."""
    return _environment(False).get_template("dossier.md").render(_context(dossier))


def render_html(dossier: Dossier) -> str:
    """The dossier as one standalone, escaped HTML page."""
    return _environment(True).get_template("dossier.html").render(_context(dossier))
