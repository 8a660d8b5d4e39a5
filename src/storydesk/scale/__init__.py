"""scale: the per-article stages over sharded inputs, on a process pool or a Dask cluster,
writing Parquet part files that ``storydesk load`` (``Desk.load``) puts into a store.

    >>> from storydesk import scale
    >>> report = scale.process(["crawl/*.warc.gz", "feeds.jsonl"], "processed/", engine="local", workers=8)
    >>> Desk("storydesk.db").load("processed/")

Each shard (one container file, or a group of a folder's single-document files) streams
through ``pipeline.prepare`` (extract/clean, dedupe fingerprint, analysis) in a worker and
becomes ``part-NNNNN.parquet`` (columns in ``scale.schema``) plus a done marker
``part-NNNNN.json`` with its inputs, row count, problems and skips. Both are written to hidden
temp files and renamed, so no partial part is ever visible; a re-run skips finished shards; a
shard whose worker died is retried; a bad record is a problem and the shard goes on.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Literal

from storydesk.extras import require

require("scale", "the scale engine (storydesk process, load)")  # before pyarrow is imported, here and below

import pyarrow.parquet as pq

from storydesk.pipeline import Prepared, RunProblems
from storydesk.scale import engines
from storydesk.scale.schema import SCHEMA, from_row
from storydesk.scale.shards import (
    Prepare,
    Shard,
    ShardResult,
    default_prepare,
    finished,
    finished_parts,
    plan_shards,
    process_shard,
    remove_stale_temps,
)

__all__ = ["SCHEMA", "ProcessReport", "Shard", "ShardResult", "plan_shards", "process", "read_prepared"]

Engine = Literal["local", "dask"]
READ_BATCH_ROWS = 256


@dataclass
class ProcessReport(RunProblems):
    """What a process run did: shards done (``reused`` from an earlier run) or failed, rows
    written, problems and skips."""

    shards: int = 0
    done: int = 0
    reused: int = 0
    rows: int = 0

    def add(self, result: ShardResult) -> None:
        self.done += result.done
        self.reused += result.reused
        self.rows += result.rows
        self.add_problems(result.problems, result.skipped)


def process(
    paths: Iterable[str],
    out: str | Path,
    *,
    engine: Engine = "local",
    workers: int = 2,
    scheduler: str | None = None,
    analyse: bool = True,
    files_per_shard: int = 100,
    row_group_rows: int = 200,
    attempts: int = 3,
    prepare: Prepare = default_prepare,
    on_plan: Callable[[int], None] | None = None,
    on_shard: Callable[[ShardResult], None] | None = None,
) -> ProcessReport:
    """Process every input under ``paths`` into part files in ``out``; shards an earlier run
    finished are reused. ``on_plan(n)`` hears the number of shards, ``on_shard`` each result."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(folder)  # a run killed with its workers leaves them
    shards, problems = plan_shards(paths, files_per_shard)
    report = ProcessReport(shards=len(shards), problems=problems)
    if on_plan is not None:
        on_plan(len(shards))

    def record(result: ShardResult) -> None:
        report.add(result)
        if on_shard is not None:
            on_shard(result)

    todo = [shard for shard in shards if not _reuse(shard, folder, record)]
    work = partial(process_shard, out=str(folder), analyse=analyse, row_group_rows=row_group_rows, prepare=prepare)
    if engine == "dask":
        engines.run_dask(todo, work, workers, attempts, record, scheduler)
    else:
        engines.run_local(todo, work, workers, attempts, record)
    remove_stale_temps(folder)  # left by workers that died; their shards were redone
    return report


def _reuse(shard: Shard, folder: Path, record: Callable[[ShardResult], None]) -> bool:
    """Record a shard an earlier run finished; False when it must be processed."""
    result = finished(shard, folder)
    if result is not None:
        record(result)
    return result is not None


def read_prepared(out: str | Path) -> Iterator[Prepared]:
    """Every article in the finished part files of ``out``, streamed in row batches."""
    for part in finished_parts(Path(out)):
        for batch in pq.ParquetFile(part).iter_batches(batch_size=READ_BATCH_ROWS):
            yield from map(from_row, batch.to_pylist())


def count_rows(out: str | Path) -> int:
    """How many articles the finished part files of ``out`` hold (from Parquet metadata)."""
    return sum(pq.ParquetFile(part).metadata.num_rows for part in finished_parts(Path(out)))
