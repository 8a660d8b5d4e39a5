"""Time storydesk's HTML extraction against trafilatura's defaults on every extraction set.

For each development set in ``../shared/bench/extraction`` (or the files given), a sample of
its pages (every k-th page, so the sample spans the file) is run through
``trafilatura.extract(html)`` and ``storydesk.extract.html.extract_html(html, url)`` in the same
process, page by page, the order of the two alternating, so that the machine's load hits both
alike; each is timed with ``time.perf_counter``. Prints, per set and over all pages, the mean ms
per page of each and the ratio ours / trafilatura (issue 24's target: at most 1.5). With
``--repeat N`` the sample is run N times over (a page is never run twice in a row, which would
favour whichever system caches more) and each system keeps its fastest pass.

    .venv/bin/python benchmarks/extraction_sets.py --pages 60 --repeat 2
"""
from __future__ import annotations

import argparse
import gzip
import json
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import trafilatura

from storydesk.extract.html import extract_html

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "bench" / "extraction"
SETS = ("wcxb-dev-articles", "readability-test-pages", "newspaper4k-tests", "htmldate-eval-default",
        "trafilatura-evaldata")


def sample(path: Path, count: int) -> list[dict[str, Any]]:
    """Every k-th page of a JSONL(.gz) file, about ``count`` of them."""
    with gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8") as lines:
        total = sum(1 for line in lines if line.strip())
    step = max(1, total // count)
    return [page for number, page in enumerate(_records(path)) if number % step == 0][:count]


def _records(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8") as lines:
        yield from (json.loads(line) for line in lines if line.strip())


def seconds(work: Callable[[], Any]) -> float:
    """How long one run of ``work`` takes, in seconds."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def time_pages(pages: Sequence[dict[str, Any]], repeat: int) -> tuple[float, float]:
    """Seconds of trafilatura and of ours over the pages (each system's fastest of ``repeat``
    passes), the two taking turns at going first."""
    best_theirs = best_ours = float("inf")
    for _ in range(repeat):
        theirs = ours = 0.0
        for number, page in enumerate(pages):
            html, url = page.get("html") or "", page.get("url")
            if number % 2:
                ours += seconds(lambda: extract_html(html, url))
                theirs += seconds(lambda: trafilatura.extract(html))
            else:
                theirs += seconds(lambda: trafilatura.extract(html))
                ours += seconds(lambda: extract_html(html, url))
        best_theirs, best_ours = min(best_theirs, theirs), min(best_ours, ours)
    return best_theirs, best_ours


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="extraction sets (default: the five in ../shared/bench)")
    parser.add_argument("--pages", type=int, default=40, help="pages sampled from each set (default 40)")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs of each page, fastest kept (default 1)")
    args = parser.parse_args(argv)
    files = args.files or [DEFAULT_DIR / f"{name}.jsonl.gz" for name in SETS]
    files = [file for file in files if file.is_file()]
    if not files:
        parser.exit(1, "no extraction set found (../shared/bench is absent?)\n")
    extract_html("<html><body><p>warm up</p></body></html>")  # imports and data files outside the timing
    report: dict[str, Any] = {"pages_per_set": args.pages, "repeat": args.repeat, "sets": {}}
    print(f"{'set':26} {'pages':>5} {'trafilatura ms':>15} {'storydesk ms':>13} {'ratio':>6}")
    total_theirs = total_ours = 0.0
    total_pages = 0
    for file in files:
        pages = sample(file, args.pages)
        theirs, ours = time_pages(pages, args.repeat)
        total_theirs, total_ours, total_pages = total_theirs + theirs, total_ours + ours, total_pages + len(pages)
        name = file.name.split(".")[0]
        report["sets"][name] = row = {"pages": len(pages), "trafilatura_ms": 1000 * theirs / len(pages),
                                      "storydesk_ms": 1000 * ours / len(pages), "ratio": ours / theirs}
        print(f"{name:26} {row['pages']:>5} {row['trafilatura_ms']:>15.1f} {row['storydesk_ms']:>13.1f} {row['ratio']:>6.2f}")
    report["all"] = {"pages": total_pages, "trafilatura_ms": 1000 * total_theirs / total_pages,
                     "storydesk_ms": 1000 * total_ours / total_pages, "ratio": total_ours / total_theirs}
    row = report["all"]
    print(f"{'all':26} {row['pages']:>5} {row['trafilatura_ms']:>15.1f} {row['storydesk_ms']:>13.1f} {row['ratio']:>6.2f}")
    return report


if __name__ == "__main__":
    main()
