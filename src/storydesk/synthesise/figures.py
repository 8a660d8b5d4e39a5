"""Figures side by side: every figure of the story, grouped by the quantity it counts (its noun
and what happened to it), and the discrepancies among one source's figures in different
articles: a conflict when they give different values as of the same time, an update when the
value changes from one time to the next. Estimates and facts are compared with each other;
forecasts only with forecasts, and they end an update ("10,000 expected"). A vague amount
("thousands") and a part of a whole ("two of the victims") are listed, never compared."""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from itertools import combinations

from rapidfuzz import fuzz

from storydesk import vocab
from storydesk.model import Article, Citation, Discrepancy, Figure, FigureReport
from storydesk.synthesise.text import content_words, entity_names
from storydesk.words import AGE, ages_in_digits

SAME_SOURCE = 80  # rapidfuzz token_set_ratio of two attributions ("South Korean intelligence" / "... services")
DIFFERENT_VALUE = 0.05  # values more than 5% apart disagree (rounding aside)
MODALITY_CLASS = {"fact": "reported", "estimate": "reported", "forecast": "forecast", "denial": "denial"}


def story_figures(articles: Sequence[Article], dates: dict[int, str | None]) -> tuple[list[FigureReport], list[Discrepancy]]:
    """Every figure with its quantity group, and the discrepancies among them."""
    found = [(article, figure) for article in articles if article.analysis for figure in article.analysis.figures]
    quantities = _quantities([figure for _, figure in found])
    reports = [_report(article, figure, dates.get(article.id), quantities[index]) for index, (article, figure) in enumerate(found)]
    return reports, _discrepancies(reports, [figure for _, figure in found])


def _comparable(report: FigureReport) -> bool:
    """A figure given as one number of a whole: not a vague amount's range, not a part."""
    return report.upper is None and not report.part


def _counted(figure: Figure) -> tuple[str, frozenset[str]]:
    """What a figure counts: its head noun and the words that qualify it ("North Korean"), an age
    with its number ("a 15-year-old boy" is not "a 14-year-old boy", "a fourteen-year-old boy"
    is)."""
    counts = ages_in_digits(figure.counts)
    words = content_words(counts) or [counts.lower()]
    if figure.event and all(word in _event_words() or word.endswith("ly") for word in words):
        return "people", frozenset()  # "4 dead", "2 critically hurt": people
    return words[-1], frozenset(words[:-1]) | frozenset(match.group().lower() for match in AGE.finditer(counts))


@cache
def _event_words() -> frozenset[str]:
    """The words that say what happened to what a figure counts (``figure_events.tsv``): a figure
    whose noun is only these and their adverbs counts people."""
    return frozenset(word for word, _, _ in vocab.load_table("figure_events.tsv"))


def _source(figure: Figure) -> str:
    return (figure.source.text if figure.source else figure.asserted_by or "").lower()


def _quantities(figures: list[Figure]) -> list[int]:
    """A quantity number per figure: the most qualified figures first, each joining the first
    quantity with its head noun and event whose qualifiers include its own; a bare noun
    ("soldiers") joins a qualified one only when some figure of it has the same source."""
    order = sorted(range(len(figures)), key=lambda i: -len(_counted(figures[i])[1]))
    groups: list[list[int]] = []
    assigned = [0] * len(figures)
    for index in order:
        head, qualifiers = _counted(figures[index])
        for number, members in enumerate(groups, start=1):
            first_head, first_qualifiers = _counted(figures[members[0]])
            fits = head == first_head and qualifiers <= first_qualifiers and figures[index].event == figures[members[0]].event
            if fits and (qualifiers or any(_same_source(figures[index], figures[m]) for m in members)):
                members.append(index)
                assigned[index] = number
                break
        else:
            groups.append([index])
            assigned[index] = len(groups)
    return assigned


def _same_source(first: Figure, second: Figure) -> bool:
    if first.asserted_by and first.asserted_by == second.asserted_by:
        return True
    return bool(_source(first) and _source(second)) and fuzz.token_set_ratio(_source(first), _source(second)) >= SAME_SOURCE


def _report(article: Article, figure: Figure, date: str | None, quantity: int) -> FigureReport:
    names = entity_names(article.analysis)
    return FigureReport(
        value=figure.value,
        text=figure.span.text,
        what=figure.counts,
        asserted_by=_named_source(names.get(figure.asserted_by or "", figure.source.text if figure.source else figure.asserted_by)),
        hedges=list(figure.hedges),
        modality=figure.modality,
        article=article.id,
        span=Citation(article.id, figure.span.start, figure.span.end),
        date=date,
        quantity=quantity,
        event=figure.event,
        upper=figure.upper,
        part=figure.part,
        as_of=figure.when or date,
    )


def _named_source(source: str | None) -> str | None:
    """Who gives a figure, unless only a pronoun says so ("according to they" names no one)."""
    return None if source and source.lower() in vocab.load("synthesise_label_pronouns.txt") else source


def _discrepancies(reports: list[FigureReport], figures: list[Figure]) -> list[Discrepancy]:
    """For each quantity and modality class, the comparable figures from one source: a conflict
    for each time its articles give different values, an update when the values change over time.
    Only figures that say what happened to what they count (killed, deployed) are compared: a
    bare count of "officers" or "times" in two articles may count different ones ("Four officers
    returned fire", "two officers were hurt"; "shot seven times", "fired 51 times")."""
    found = []
    seen: set[int] = set()
    for index, report in enumerate(reports):
        if index in seen or not _comparable(report) or report.event is None:
            continue
        peers = [
            other for other in range(len(reports))
            if reports[other].quantity == report.quantity and _comparable(reports[other])
            and MODALITY_CLASS[reports[other].modality] == MODALITY_CLASS[report.modality]
            and (other == index or _same_source(figures[index], figures[other]))
        ]
        about = f"{_label(reports, peers)} (according to {report.asserted_by or 'no source given'})"
        flagged = [*_conflicts(reports, peers, about), *_updates(reports, peers, figures, about)]
        if flagged:
            seen.update(peers)
            found.extend(flagged)
    return found


def _conflicts(reports: list[FigureReport], peers: list[int], about: str) -> list[Discrepancy]:
    """One conflict per time for which different articles give different values."""
    by_time: dict[str | None, list[int]] = defaultdict(list)
    for peer in peers:
        by_time[reports[peer].as_of].append(peer)
    return [
        Discrepancy(about=about, figures=sorted(members), kind="conflict")
        for members in by_time.values()
        if len({reports[m].article for m in members}) > 1 and _disagree([reports[m] for m in members])
    ]


def _updates(reports: list[FigureReport], peers: list[int], figures: list[Figure], about: str) -> list[Discrepancy]:
    """The dated figures in time order, when two of different times disagree and they say what
    happened to what they count (killed, deployed), followed by the source's forecasts of the
    quantity: "1,500 as of 2024-10-24, 3,000 as of 2024-10-25, 10,000 expected"."""
    dated = sorted((p for p in peers if reports[p].as_of), key=lambda p: (_time_key(reports[p].as_of), p))
    changes = any(
        reports[a].as_of != reports[b].as_of and _disagree([reports[a], reports[b]])
        for a, b in combinations(dated, 2)
    )
    if MODALITY_CLASS[reports[peers[0]].modality] != "reported" or not changes or not _moves_forward(reports, dated):
        return []
    forecasts = [
        other for other in range(len(reports))
        if reports[other].quantity == reports[peers[0]].quantity and _comparable(reports[other])
        and reports[other].modality == "forecast" and _same_source(figures[peers[0]], figures[other])
    ]
    return [Discrepancy(about=about, figures=[*dated, *forecasts], kind="update")]


def _moves_forward(reports: list[FigureReport], dated: list[int]) -> bool:
    """Whether figures in time order read as one count kept up to date: dates alike in precision
    (a year's total is not a day's count) and a value that never falls (a toll, a deployment
    grows; "four shot" then "three shot" the same week counts two different things): from one
    time to the next, neither the least nor the greatest value given falls."""
    precisions = {len(_time_key(reports[p].as_of)) for p in dated}
    by_time: dict[str, list[float]] = defaultdict(list)
    for p in dated:
        by_time[_time_key(reports[p].as_of)].append(reports[p].value)
    spans = [(min(values), max(values)) for _, values in sorted(by_time.items())]
    return len(precisions) == 1 and all(b[0] >= a[0] and b[1] >= a[1] for a, b in zip(spans, spans[1:]))


def _disagree(reports: list[FigureReport]) -> bool:
    """Whether some two of the figures cannot both be true: their values, widened by rounding
    and by a bound's hedge ("at least three" is three or more), do not meet."""
    ranges = [_range(report) for report in reports]
    return max(lo for lo, _ in ranges) > min(hi for _, hi in ranges)


def _range(report: FigureReport) -> tuple[float, float]:
    bounds = dict(vocab.load_table("synthesise_bound_hedges.tsv"))
    kinds = {bounds.get(hedge.lower()) for hedge in report.hedges}
    low = 0.0 if "upper" in kinds else report.value / (1 + DIFFERENT_VALUE) ** 0.5
    high = math.inf if "lower" in kinds else report.value * (1 + DIFFERENT_VALUE) ** 0.5
    return low, high


def _time_key(as_of: str | None) -> str:
    """An "as of" date to sort by ("≥ 2024-06" sorts as 2024-06)."""
    return (as_of or "").removeprefix("≥ ")

def _label(reports: list[FigureReport], members: list[int]) -> str:
    """The most qualified wording of what the figures count, with what happened to it."""
    what = max((reports[m].what for m in members), key=lambda what: len(content_words(what)))
    event = reports[members[0]].event
    return f"{what} {event}" if event and event.lower() not in what.lower() else what
