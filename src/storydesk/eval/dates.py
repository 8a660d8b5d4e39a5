"""Score publication dates on a benchmark file (WCXB format: gold ``date`` YYYY-MM-DD or null),
optionally next to htmldate and newspaper4k on the same pages.

A null gold date means the source gives none, not that the page has none, so the headline
metrics are over the dated pages; ``all_pages`` is the stricter count, in which a date given on
an undated page is a false positive."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from storydesk.eval.extraction import guarded, installed, newspaper4k_article
from storydesk.eval.metrics import date_scores
from storydesk.eval.runs import Comparison, Page, TimedRun, Track, report, run_benchmark, untracked

DateFinder = Callable[[Page], str | None]
Judged = tuple[str | None, str | None]


def our_date(page: Page) -> str | None:
    """Our publication date for a page, at day precision only (a month or year is no answer)."""
    from storydesk.extract.html_dates import publication_date

    found = publication_date(page.get("html") or "", url=page.get("url"))
    return found.value if found.precision == "day" else None


def htmldate_extensive(page: Page) -> str | None:
    """htmldate in extensive mode, original (not modified) date."""
    from htmldate import find_date

    return find_date(page.get("html") or "", extensive_search=True, original_date=True, url=page.get("url"))


def newspaper4k_date(page: Page) -> str | None:
    """newspaper4k's publication date, its day."""
    published = newspaper4k_article(page).publish_date
    return published.date().isoformat() if published else None


# name -> (the finder, the module it needs): references run when their module is installed.
REFERENCES: dict[str, tuple[DateFinder, str]] = {
    "htmldate": (htmldate_extensive, "htmldate"),
    "newspaper4k": (newspaper4k_date, "newspaper"),
}


def summarise_dates(pairs: list[Judged]) -> dict[str, Any]:
    """Date metrics over the dated pages, and over all pages under ``all_pages``."""
    return date_scores([pair for pair in pairs if pair[1] is not None]) | {"all_pages": date_scores(pairs)}


def evaluate_dates(
    path: Path,
    predictions: Path | None = None,
    baseline: bool = True,
    limit: int | None = None,
    progress: Track = untracked,
    compare: Path | None = None,
) -> dict[str, Any]:
    """Score our publication date of every page of ``path`` against gold; write ``{"id", "date"}``
    lines to ``predictions``; with ``baseline``, score the installed references on the same
    pages; with ``compare``, write there the dated pages where a reference is right and we are not."""
    ours = TimedRun(our_date, _judge, summarise_dates)
    references = [
        TimedRun(guarded(finder, None), _judge, summarise_dates, name)
        for name, (finder, module) in REFERENCES.items()
        if baseline and installed(module)
    ]
    comparison = Comparison(_page_score, _date_difference) if compare and references else None
    run_benchmark(path, ours, references, "date", predictions, limit, progress, comparison=comparison)
    result = report(ours, references, "htmldate") | {"file": str(path)}
    if comparison is not None:
        result["compared_pages"] = comparison.write(compare)
    return result


def _judge(day: str | None, page: Page) -> Judged:
    return day, page.get("date")


def _page_score(judged: Judged) -> float:
    """1 for the gold day (or no answer where gold has none), else 0."""
    predicted, gold = judged
    return float(predicted == gold)


def _date_difference(ours: str | None, reference: str | None, page: Page) -> dict[str, Any]:
    """Gold, both answers, and the evidence our date finder chose and set aside."""
    from storydesk.extract.html_dates import publication_date

    found = publication_date(page.get("html") or "", url=page.get("url"))
    return {
        "gold": page.get("date"), "ours_date": ours, "reference_date": reference,
        "evidence": [f"{e.source}: {e.text}" for e in found.evidence],
        "rejected": [f"{e.source}: {e.text}" for e in found.rejected][:8],
    }
