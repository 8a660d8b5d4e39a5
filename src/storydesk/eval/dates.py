"""Score publication dates on a benchmark file (WCXB format: gold ``date`` YYYY-MM-DD or null),
optionally next to htmldate alone on the same pages."""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from storydesk.eval.extraction import iter_records
from storydesk.eval.metrics import date_scores

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


class _DateRun:
    """Collects (predicted, gold) pairs and time for one date finder."""

    def __init__(self, finder: DateFinder) -> None:
        self.finder = finder
        self.pairs: list[tuple[str | None, str | None]] = []
        self.seconds = 0.0

    def run(self, page: dict[str, Any]) -> str | None:
        start = time.perf_counter()
        predicted = self.finder(page)
        self.seconds += time.perf_counter() - start
        self.pairs.append((predicted, page.get("date")))
        return predicted

    def metrics(self) -> dict[str, Any]:
        summary: dict[str, Any] = date_scores(self.pairs)
        summary["ms_per_page"] = 1000 * self.seconds / len(self.pairs) if self.pairs else 0.0
        return summary


def evaluate_dates(
    path: Path,
    predictions: Path | None = None,
    baseline: bool = True,
    limit: int | None = None,
) -> dict[str, Any]:
    """Score our publication date of every page of ``path`` against gold; write ``{"id", "date"}``
    lines to ``predictions``; with ``baseline``, score htmldate alone on the same pages."""
    ours = _DateRun(our_date)
    reference = _DateRun(htmldate_alone) if baseline else None
    with ExitStack() as stack:
        out = stack.enter_context(Path(predictions).open("w", encoding="utf-8")) if predictions else None
        for page in iter_records(Path(path), limit):
            predicted = ours.run(page)
            if reference is not None:
                reference.run(page)
            if out is not None:
                out.write(json.dumps({"id": page.get("id"), "date": predicted}) + "\n")
    result = ours.metrics() | {"file": str(path)}
    if reference is not None:
        result["baseline_htmldate"] = reference.metrics()
    return result
