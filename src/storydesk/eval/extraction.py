"""Score main-text extraction on a benchmark file (WCXB format, ``bench/README.md``): our
extractor in html or text mode, optionally next to reference extractors on the same pages.

A file's metric follows its gold: pages with ``must_contain`` / ``must_not_contain`` snippets
(trafilatura's evaluation data) are scored by snippet lookups, pages with a gold ``text`` by
the 4-gram shingle metric; the first page carrying either decides, and pages without that
kind of gold are left out (``skipped``)."""
from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from storydesk.eval.metrics import (
    TOKENISATION, PageScore, SnippetCounts, f1, score_page, score_snippets, shingles, summarise_pages,
    summarise_snippets,
)
from storydesk.eval.runs import Comparison, Page, TimedRun, Track, iter_records, report, run_benchmark, untracked

Extractor = Callable[[Page], str]
MODES = ("html", "text")
SHINGLES, SNIPPETS = "shingles", "snippets"
_SHOWN_LINES = 8  # lines of each side a comparison row shows


def html_mode(page: Page) -> str:
    """Our HTML extractor's body text for a page."""
    from storydesk.extract.html import extract_html

    return extract_html(page.get("html") or "", url=page.get("url")).text


def text_mode(page: Page) -> str:
    """The page's visible text, one block per line, run through the text cleaner."""
    from storydesk.extract.clean import clean_text
    from storydesk.extract.visible_text import visible_text

    return clean_text(visible_text(page.get("html") or "")).text


def trafilatura_defaults(page: Page) -> str:
    """``trafilatura.extract(html)`` with its defaults."""
    import trafilatura

    return trafilatura.extract(page.get("html") or "") or ""


def trafilatura_recall(page: Page) -> str:
    """``trafilatura.extract(html, favor_recall=True)``."""
    import trafilatura

    return trafilatura.extract(page.get("html") or "", favor_recall=True) or ""


def readability_lxml(page: Page) -> str:
    """readability-lxml's article HTML as visible text, one block per line."""
    from readability import Document

    from storydesk.extract.visible_text import visible_text

    return visible_text(Document(page.get("html") or "").summary(html_partial=True))


def newspaper4k_text(page: Page) -> str:
    """newspaper4k's article text, from the page as given (nothing fetched)."""
    return newspaper4k_article(page).text or ""


def newspaper4k_article(page: Page) -> Any:
    """A parsed ``newspaper.Article`` of the page's HTML (images not fetched)."""
    with warnings.catch_warnings():  # its import warns that the optional nltk is missing
        warnings.simplefilter("ignore")
        import newspaper

    article = newspaper.Article(page.get("url") or "https://localhost/", fetch_images=False)
    article.download(input_html=page.get("html") or "")
    article.parse()
    return article


# name -> (the extractor, the module it needs): references run when their module is installed.
REFERENCES: dict[str, tuple[Extractor, str]] = {
    "trafilatura": (trafilatura_defaults, "trafilatura"),
    "trafilatura_recall": (trafilatura_recall, "trafilatura"),
    "readability": (readability_lxml, "readability"),
    "newspaper4k": (newspaper4k_text, "newspaper"),
}


def installed(module: str) -> bool:
    """True when ``module`` can be imported (an optional reference system)."""
    from importlib.util import find_spec

    return find_spec(module) is not None


def guarded(system: Callable[[Page], Any], empty: Any) -> Callable[[Page], Any]:
    """A reference system that scores a page it crashes on as ``empty`` (no answer)."""

    def run(page: Page) -> Any:
        try:
            return system(page)
        except Exception:  # a reference that breaks on a page gives no answer there
            return empty

    return run


def gold_kind(path: Path, limit: int | None = None) -> str | None:
    """The file's metric: ``snippets`` or ``shingles`` by the first page with gold; None if none has."""
    for page in iter_records(Path(path), limit):
        if "must_contain" in page or "must_not_contain" in page:
            return SNIPPETS
        if page.get("text") is not None:
            return SHINGLES
    return None


def evaluate_extraction(
    path: Path,
    mode: str = "html",
    predictions: Path | None = None,
    baseline: bool = False,
    limit: int | None = None,
    progress: Track = untracked,
    compare: Path | None = None,
) -> dict[str, Any]:
    """Score our extraction of every page of ``path`` against its gold; write ``{"id", "text"}``
    lines to ``predictions``; with ``baseline``, score the installed reference extractors on the
    same pages; with ``compare``, write there the pages where a reference beats us most."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    kind = gold_kind(path, limit)
    result: dict[str, Any] = {"mode": mode, "metric": kind, "file": str(path)}
    if kind is None:
        return result | {"pages": 0, "note": "no page of this file has gold text or snippets"}
    judge = _judge_snippets if kind == SNIPPETS else _judge_text
    summarise = summarise_snippets if kind == SNIPPETS else summarise_pages
    ours = TimedRun(html_mode if mode == "html" else text_mode, judge, summarise)
    references = [
        TimedRun(guarded(system, ""), judge, summarise, name)
        for name, (system, module) in REFERENCES.items()
        if baseline and installed(module)
    ]
    comparison = Comparison(_page_score, _text_difference) if compare and references else None
    run_benchmark(path, ours, references, "text", predictions, limit, progress, _has_gold(kind), comparison)
    result |= report(ours, references, "trafilatura")
    if kind == SHINGLES:
        result["tokenisation"] = TOKENISATION
    if comparison is not None:
        result["compared_pages"] = comparison.write(compare)
    return result


def _has_gold(kind: str) -> Callable[[Page], bool]:
    if kind == SNIPPETS:
        return lambda page: "must_contain" in page or "must_not_contain" in page
    return lambda page: page.get("text") is not None


def _judge_text(text: str, page: Page) -> PageScore:
    return score_page(text, page.get("text") or "")


def _judge_snippets(text: str, page: Page) -> SnippetCounts:
    return score_snippets(text, page.get("must_contain") or [], page.get("must_not_contain") or [])


def _page_score(judged: PageScore | SnippetCounts) -> float:
    """One page's score for the comparison: shingle F1, or the share of snippets right."""
    return judged.accuracy if isinstance(judged, SnippetCounts) else f1(judged.precision, judged.recall)


def _text_difference(ours: str, reference: str, page: Page) -> dict[str, Any]:
    """The lines only one side kept, each with the share of its shingles in gold (snippet pages:
    the snippets ours gets wrong)."""
    if "must_contain" in page or "must_not_contain" in page:
        wrong_with = [s for s in page.get("must_contain") or [] if not score_snippets(ours, [s], []).tp]
        wrong_without = [s for s in page.get("must_not_contain") or [] if score_snippets(ours, [], [s]).fp]
        return {"missed": wrong_with, "leaked": wrong_without, "ours_chars": len(ours), "reference_chars": len(reference)}
    gold = shingles(page.get("text") or "")
    ours_lines, reference_lines = set(ours.splitlines()), set(reference.splitlines())
    return {
        "reference_only": _lines_in_gold([line for line in reference.splitlines() if line not in ours_lines], gold),
        "ours_only": _lines_in_gold([line for line in ours.splitlines() if line not in reference_lines], gold),
    }


def _lines_in_gold(lines: list[str], gold: Any) -> list[str]:
    """The first lines, shortened, each prefixed by the share of its shingles found in gold."""
    shown = []
    for line in lines[:_SHOWN_LINES]:
        own = shingles(line)
        share = sum((own & gold).values()) / sum(own.values()) if own else 0.0
        shown.append(f"{share:.2f} {line[:160]}")
    return shown
