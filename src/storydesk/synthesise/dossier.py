"""The dossier of one story: its articles (outlet, publication date and how it was fixed), the
timeline, quotes and statements, figures and discrepancies, claims, coverage and summary."""
from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from storydesk.model import Article, Dossier, DossierArticle, OutletCoverage, Story, StoryDates
from storydesk.synthesise.claims import story_claims
from storydesk.synthesise.dates import ArticleDate, When, own_date
from storydesk.synthesise.disputes import story_disputes
from storydesk.synthesise.events import (
    EventGroup,
    bound_undated,
    find_mentions,
    group_mentions,
    to_events,
)
from storydesk.synthesise.figures import story_figures
from storydesk.synthesise.quotes import story_quotes
from storydesk.synthesise.summary import summarise


def build_dossier(story: Story, articles: Sequence[Article]) -> Dossier:
    """The cross-checked dossier of ``story`` from its analysed articles (an article without an
    analysis is listed and counted, but gives no events, quotes or figures)."""
    articles = _ordered(articles)
    dates, groups = _dated_groups(articles)
    events = to_events(groups, _story_start(dates))
    shown_dates = {article_id: _shown(date) for article_id, date in dates.items()}
    quotes, statements = story_quotes(articles)
    figures, discrepancies = story_figures(articles, shown_dates)
    claims = story_claims(articles, shown_dates)
    entries = [_article_entry(article, dates[article.id]) for article in articles]
    disputes = story_disputes(entries, figures, discrepancies, claims)
    dossier = Dossier(
        story=story,
        dates=story_dates(dates),
        articles=entries,
        disputes=disputes,
        timeline=events.timeline,
        more_events=events.more,
        background=events.background,
        quotes=quotes,
        statements=statements,
        figures=figures,
        discrepancies=discrepancies,
        claims=claims,
        summary=summarise(articles, [c for side in disputes[0].sides for c in side.citations] if disputes else []),
    )
    dossier.coverage = coverage(dossier)
    return dossier


def build_story_dates(articles: Sequence[Article]) -> StoryDates:
    """The story's dates as its dossier gives them, without the rest of the dossier: what the
    story list shows for a story with undated articles."""
    return story_dates(_dated_groups(_ordered(articles))[0])


def _ordered(articles: Sequence[Article]) -> list[Article]:
    """The stored articles in id order."""
    return sorted((a for a in articles if a.id is not None), key=lambda a: a.id)


def _dated_groups(articles: Sequence[Article]) -> tuple[dict[int, ArticleDate], list[EventGroup]]:
    """Each article's date and the story's dated event groups; an undated article reporting an
    event the story dates is bounded by it (``bound_undated``)."""
    dates = _article_dates(articles)
    groups = group_mentions([m for article in articles for m in find_mentions(article, dates[article.id])])
    bound_undated(groups, dates)
    return dates, groups


def _article_dates(articles: Sequence[Article]) -> dict[int, ArticleDate]:
    """Each article's own date; a day without a year takes the year of the story's dated articles."""
    own = {article.id: own_date(article, []) for article in articles}
    days = [(date.when.lo, article_id) for article_id, date in own.items() if date.when and date.when.precision == "day"]
    return {article.id: own[article.id] if own[article.id].when else own_date(article, days) for article in articles}


def _story_start(dates: dict[int, ArticleDate]) -> When | None:
    known = [date.when for date in dates.values() if date.when is not None]
    return min(known, key=lambda when: when.lo) if known else None


def _shown(date: ArticleDate) -> str | None:
    """A date as the dossier prints it: "2024-06" or "≥ 2024-06" when only bounded below."""
    if date.when is None:
        return None
    return date.when.iso if date.bound == "exact" else f"≥ {date.when.iso}"


def story_dates(dates: dict[int, ArticleDate]) -> StoryDates:
    """The story's dates: its earliest and latest article's, an undated article counted at the
    bound the story gives it (an exact date wins a tie)."""
    known = [date for date in dates.values() if date.when is not None]
    if not known:
        return StoryDates()
    first = min(known, key=lambda date: (date.when.lo, date.bound != "exact"))
    last = max(known, key=lambda date: (date.when.hi if date.bound == "exact" else date.when.lo, date.bound == "exact"))
    return StoryDates(first.when.iso, last.when.iso, first.bound, last.bound)


def _article_entry(article: Article, date: ArticleDate) -> DossierArticle:
    """An article as the dossier lists it: its outlet (``Article.outlet``: never a file's name,
    with where the name came from) and its date as the story fixed it."""
    return DossierArticle(
        id=article.id,
        origin=str(article.origin),
        title=article.title,
        outlet=article.outlet,
        outlet_from=article.extraction.outlet_from,
        published=date.when.iso if date.when else None,
        precision=date.when.precision if date.when else None,
        date_bound=date.bound,
        date_evidence=date.evidence,
        url=web_link(article.extraction.url),
    )


def web_link(url: str | None) -> str | None:
    """A URL a reader may follow: http or https only (an input's URL is untrusted text)."""
    return url if url and urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc else None


def coverage(dossier: Dossier) -> dict[str, OutletCoverage]:
    """Per outlet: the timeline events and the statements and figure quantities carried by more
    than one outlet that it reported, and those of them it left out (a figure said by one outlet
    is no one else's omission)."""
    outlet = {entry.id: entry.outlet_label for entry in dossier.articles}
    items = {
        "events": {event.id: {outlet[a] for a in event.articles} for event in dossier.timeline},
        "statements": {s.group: {outlet[a] for a in s.articles} for s in dossier.statements},
        "figures": {},
    }
    for figure in dossier.figures:
        items["figures"].setdefault(figure.quantity, set()).add(outlet[figure.article])
    for kind in ("statements", "figures"):
        items[kind] = {item: outlets for item, outlets in items[kind].items() if len(outlets) > 1}
    report = {}
    for name in dict.fromkeys(outlet.values()):
        report[name] = OutletCoverage(
            articles=[article_id for article_id, o in outlet.items() if o == name],
            **{kind: _reported_or_not(name, carried) for kind, carried in items.items()},
        )
    return report


def _reported_or_not(outlet: str, carried: dict[int, set[str]]) -> dict[str, list[int]]:
    return {
        "reported": sorted(item for item, outlets in carried.items() if outlet in outlets),
        "left_out": sorted(item for item, outlets in carried.items() if outlet not in outlets),
    }
