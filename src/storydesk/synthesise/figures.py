"""Figures side by side: every figure of the story, grouped by the quantity it counts, and the
discrepancies: the same quantity, from the same source, given different values by different
articles. Estimates and facts are compared with each other; forecasts only with forecasts."""
from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from storydesk import vocab
from storydesk.model import Article, Citation, Discrepancy, Figure, FigureReport
from storydesk.synthesise.text import content_words, entity_names

SAME_SOURCE = 80  # rapidfuzz token_set_ratio of two attributions ("South Korean intelligence" / "... services")
DIFFERENT_VALUE = 0.05  # values more than 5% apart disagree (rounding aside)
MODALITY_CLASS = {"fact": "reported", "estimate": "reported", "forecast": "forecast", "denial": "denial"}


def story_figures(articles: Sequence[Article], dates: dict[int, str | None]) -> tuple[list[FigureReport], list[Discrepancy]]:
    """Every figure with its quantity group, and the discrepancies among them."""
    found = [(article, figure) for article in articles if article.analysis for figure in article.analysis.figures]
    quantities = _quantities([figure for _, figure in found])
    reports = [_report(article, figure, dates.get(article.id), quantities[index]) for index, (article, figure) in enumerate(found)]
    return reports, _discrepancies(reports, [figure for _, figure in found])


def _counted(figure: Figure) -> tuple[str, frozenset[str]]:
    """What a figure counts: its head noun and the words that qualify it ("North Korean")."""
    words = content_words(figure.counts) or [figure.counts.lower()]
    return words[-1], frozenset(words[:-1])


def _source(figure: Figure) -> str:
    return (figure.source.text if figure.source else figure.asserted_by or "").lower()


def _quantities(figures: list[Figure]) -> list[int]:
    """A quantity number per figure: the most qualified figures first, each joining the first
    quantity with its head noun whose qualifiers include its own; a bare noun ("soldiers") joins
    a qualified one only when some figure of it has the same source."""
    order = sorted(range(len(figures)), key=lambda i: -len(_counted(figures[i])[1]))
    groups: list[list[int]] = []
    assigned = [0] * len(figures)
    for index in order:
        head, qualifiers = _counted(figures[index])
        for number, members in enumerate(groups, start=1):
            first_head, first_qualifiers = _counted(figures[members[0]])
            fits = head == first_head and qualifiers <= first_qualifiers
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
        asserted_by=names.get(figure.asserted_by or "", figure.source.text if figure.source else figure.asserted_by),
        hedges=list(figure.hedges),
        modality=figure.modality,
        article=article.id,
        span=Citation(article.id, figure.span.start, figure.span.end),
        date=date,
        quantity=quantity,
    )


def _vague(figure: Figure) -> bool:
    """A magnitude without a number ("thousands of soldiers") is listed, never compared."""
    vague = set(vocab.load("synthesise_vague_quantities.txt"))
    return figure.span.text.lower().strip() in vague or any(hedge.lower().removesuffix(" of") in vague for hedge in figure.hedges)


def _discrepancies(reports: list[FigureReport], figures: list[Figure]) -> list[Discrepancy]:
    """For each quantity and modality class: figures from the same source in different articles
    whose values disagree, as one discrepancy listing them all."""
    found = []
    seen: set[int] = set()
    for index, report in enumerate(reports):
        if index in seen or _vague(figures[index]):
            continue
        peers = [
            other for other in range(len(reports))
            if reports[other].quantity == report.quantity and not _vague(figures[other])
            and MODALITY_CLASS[reports[other].modality] == MODALITY_CLASS[report.modality]
            and (other == index or _same_source(figures[index], figures[other]))
        ]
        values = {reports[p].value for p in peers}
        articles = {reports[p].article for p in peers}
        if len(articles) > 1 and max(values) > min(values) * (1 + DIFFERENT_VALUE):
            seen.update(peers)
            source = report.asserted_by or "no source given"
            found.append(Discrepancy(about=f"{_label(reports, peers)} (according to {source})", figures=sorted(peers)))
    return found


def _label(reports: list[FigureReport], members: list[int]) -> str:
    """The most qualified wording of what the figures count."""
    return max((reports[m].what for m in members), key=lambda what: len(content_words(what)))
