"""Score main-text extraction on a benchmark file (WCXB format, ``bench/README.md``): our
extractor in html or text mode, optionally next to plain trafilatura on the same pages."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from storydesk.eval.metrics import TOKENISATION, score_page, summarise_pages
from storydesk.eval.runs import TimedRun, Track, run_benchmark, untracked

Extractor = Callable[[dict[str, Any]], str]
MODES = ("html", "text")


def html_mode(page: dict[str, Any]) -> str:
    """Our HTML extractor's body text for a page."""
    from storydesk.extract.html import extract_html

    return extract_html(page.get("html") or "", url=page.get("url")).text


def text_mode(page: dict[str, Any]) -> str:
    """The page's visible text, one block per line, run through the text cleaner."""
    from storydesk.extract.clean import clean_text
    from storydesk.extract.visible_text import visible_text

    return clean_text(visible_text(page.get("html") or "")).text


def plain_trafilatura(page: dict[str, Any]) -> str:
    """The reference: ``trafilatura.extract(html)`` with its defaults."""
    import trafilatura

    try:
        return trafilatura.extract(page.get("html") or "") or ""
    except Exception:  # a baseline that crashes on a page scores that page as empty
        return ""


def evaluate_extraction(
    path: Path,
    mode: str = "html",
    predictions: Path | None = None,
    baseline: bool = False,
    limit: int | None = None,
    progress: Track = untracked,
) -> dict[str, Any]:
    """Score our extraction of every page of ``path`` against its gold text; write ``{"id",
    "text"}`` lines to ``predictions``; with ``baseline``, score plain trafilatura alongside;
    report each page to ``progress``."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    ours = _text_run(html_mode if mode == "html" else text_mode)
    reference = _text_run(plain_trafilatura) if baseline else None
    metrics, baseline_metrics = run_benchmark(path, ours, reference, "text", predictions, limit, progress)
    result = metrics | {"mode": mode, "tokenisation": TOKENISATION, "file": str(path)}
    if baseline_metrics is not None:
        result["baseline_trafilatura"] = baseline_metrics
    return result


def _text_run(extractor: Extractor) -> TimedRun:
    return TimedRun(extractor, lambda text, page: score_page(text, page.get("text") or ""), summarise_pages)
