"""What every benchmark run shares: streaming the benchmark's JSONL records, running our system
(and optionally a reference system) on each, timing both, and writing predictions."""
from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

Page = dict[str, Any]


def open_text(path: Path) -> IO[str]:
    """Open a plain or gzipped UTF-8 file for reading text."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open("r", encoding="utf-8")


def iter_records(path: Path, limit: int | None = None) -> Iterator[Page]:
    """Stream the JSON records of a JSONL file (one record in memory at a time)."""
    with open_text(path) as lines:
        count = 0
        for line in lines:
            if limit is not None and count >= limit:
                return
            if line.strip():
                count += 1
                yield json.loads(line)


class TimedRun:
    """One system run over pages: its answers judged page by page, its time summed.
    ``judge(answer, page)`` keeps what the metric needs; ``summarise`` turns those into metrics."""

    def __init__(
        self,
        system: Callable[[Page], Any],
        judge: Callable[[Any, Page], Any],
        summarise: Callable[[list[Any]], dict[str, Any]],
    ) -> None:
        self.system, self.judge, self.summarise = system, judge, summarise
        self.judged: list[Any] = []
        self.seconds = 0.0

    def run(self, page: Page) -> Any:
        start = time.perf_counter()
        answer = self.system(page)
        self.seconds += time.perf_counter() - start
        self.judged.append(self.judge(answer, page))
        return answer

    def metrics(self) -> dict[str, Any]:
        summary = self.summarise(self.judged)
        summary["ms_per_page"] = 1000 * self.seconds / len(self.judged) if self.judged else 0.0
        return summary


def run_benchmark(
    path: Path,
    ours: TimedRun,
    reference: TimedRun | None,
    answer_field: str,
    predictions: Path | None = None,
    limit: int | None = None,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Run ours (and the reference, on the same pages in the same process) over every record of
    ``path``; write ``{"id", answer_field}`` lines to ``predictions``; return both metrics."""
    with ExitStack() as stack:
        out = stack.enter_context(Path(predictions).open("w", encoding="utf-8")) if predictions else None
        for page in iter_records(Path(path), limit):
            answer = ours.run(page)
            if reference is not None:
                reference.run(page)
            if out is not None:
                out.write(json.dumps({"id": page.get("id"), answer_field: answer}, ensure_ascii=False) + "\n")
    return ours.metrics(), reference.metrics() if reference is not None else None
