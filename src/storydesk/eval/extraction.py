"""Score main-text extraction on a benchmark file (WCXB format, ``bench/README.md``): our
extractor in html or text mode, optionally next to plain trafilatura on the same pages."""
from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from storydesk.eval.metrics import TOKENISATION, PageScore, score_page, summarise_pages

Extractor = Callable[[dict[str, Any]], str]
MODES = ("html", "text")


def open_text(path: Path) -> IO[str]:
    """Open a plain or gzipped UTF-8 file for reading text."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open("r", encoding="utf-8")


def iter_records(path: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Stream the JSON records of a JSONL file (one page in memory at a time)."""
    with open_text(path) as lines:
        count = 0
        for line in lines:
            if limit is not None and count >= limit:
                return
            if line.strip():
                count += 1
                yield json.loads(line)


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


class _Scorer:
    """Accumulates per-page scores and time for one extractor."""

    def __init__(self, extractor: Extractor) -> None:
        self.extractor = extractor
        self.scores: list[PageScore] = []
        self.seconds = 0.0

    def run(self, page: dict[str, Any]) -> str:
        start = time.perf_counter()
        predicted = self.extractor(page)
        self.seconds += time.perf_counter() - start
        self.scores.append(score_page(predicted, page.get("text") or ""))
        return predicted

    def metrics(self) -> dict[str, Any]:
        summary: dict[str, Any] = summarise_pages(self.scores)
        summary["ms_per_page"] = 1000 * self.seconds / len(self.scores) if self.scores else 0.0
        return summary


def evaluate_extraction(
    path: Path,
    mode: str = "html",
    predictions: Path | None = None,
    baseline: bool = False,
    limit: int | None = None,
) -> dict[str, Any]:
    """Score our extraction of every page of ``path`` against its gold text; write ``{"id",
    "text"}`` lines to ``predictions``; with ``baseline``, score plain trafilatura alongside."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    ours = _Scorer(html_mode if mode == "html" else text_mode)
    reference = _Scorer(plain_trafilatura) if baseline else None
    with ExitStack() as stack:
        out = stack.enter_context(Path(predictions).open("w", encoding="utf-8")) if predictions else None
        for page in iter_records(Path(path), limit):
            predicted = ours.run(page)
            if reference is not None:
                reference.run(page)
            if out is not None:
                out.write(json.dumps({"id": page.get("id"), "text": predicted}, ensure_ascii=False) + "\n")
    result = ours.metrics() | {"mode": mode, "tokenisation": TOKENISATION, "file": str(path)}
    if reference is not None:
        result["baseline_trafilatura"] = reference.metrics()
    return result
