"""Score publication dates on a benchmark file (WCXB format: gold ``date`` YYYY-MM-DD or null),
optionally next to htmldate alone on the same pages."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from storydesk.eval.metrics import date_scores
from storydesk.eval.runs import TimedRun, Track, run_benchmark, untracked

DateFinder = Callable[[dict[str, Any]], str | None]


def our_date(page: dict[str, Any]) -> str | None:
    """Our publication date for a page, at day precision only (a month or year is no answer)."""
    from storydesk.extract.html_dates import publication_date

    found = publication_date(page.get("html") or "", url=page.get("url"))
    return found.value if found.precision == "day" else None


def htmldate_alone(page: dict[str, Any]) -> str | None:
    """The reference: htmldate in extensive mode, original (not modified) date."""
    from htmldate import find_date

    try:
        return find_date(page.get("html") or "", extensive_search=True, original_date=True, url=page.get("url"))
    except Exception:  # a crashing baseline gives no answer on that page
        return None


def evaluate_dates(
    path: Path,
    predictions: Path | None = None,
    baseline: bool = True,
    limit: int | None = None,
    progress: Track = untracked,
) -> dict[str, Any]:
    """Score our publication date of every page of ``path`` against gold; write ``{"id", "date"}``
    lines to ``predictions``; with ``baseline``, score htmldate alone on the same pages; report
    each page to ``progress``."""
    ours = _date_run(our_date)
    reference = _date_run(htmldate_alone) if baseline else None
    metrics, baseline_metrics = run_benchmark(path, ours, reference, "date", predictions, limit, progress)
    result = metrics | {"file": str(path)}
    if baseline_metrics is not None:
        result["baseline_htmldate"] = baseline_metrics
    return result


def _date_run(finder: DateFinder) -> TimedRun:
    return TimedRun(finder, lambda day, page: (day, page.get("date")), date_scores)
