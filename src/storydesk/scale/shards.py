"""Shards: what one worker processes at a time, and the files a finished shard leaves.

A shard is one container file (JSONL, JSON, WARC, feed, URL list) or a group of single-document
files (.txt, .html) of one folder. Its records stream through ``pipeline.prepare`` (extraction,
fingerprint) and ``pipeline.analyse_prepared`` (a few at a time) into ``part-NNNNN.parquet``
in row groups of bounded size; the part file and then its done marker
``part-NNNNN.json`` (inputs, row count, problems, skips) are written to hidden temp files and
renamed into place, so a reader never sees half a file and a re-run skips finished shards.
"""
from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pyarrow as pa
import pyarrow.parquet as pq

from storydesk import pipeline
from storydesk.ingest import Source, discover, read_source
from storydesk.ingest.formats import format_of
from storydesk.model import IngestProblem, Origin, RawDocument, Skipped
from storydesk.scale.schema import SCHEMA, to_row

SINGLE_DOCUMENT_FORMATS = {"text", "html"}
TEMP_PREFIX = ".tmp-"
ANALYSE_BATCH = 16  # articles parsed together (spaCy's nlp.pipe); a bounded batch keeps memory flat
Prepare = Callable[[RawDocument], "pipeline.Prepared | IngestProblem"]  # extract and fingerprint one record
T = TypeVar("T")


@dataclass(frozen=True)
class Shard:
    """One unit of work: its number (naming its part file) and the input files it reads."""

    index: int
    inputs: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"part-{self.index:05d}"


@dataclass
class ShardResult:
    """What processing one shard gave: rows written, problems, skips; ``done`` once its part
    file and marker are in place (``reused``: by an earlier run)."""

    shard: Shard
    rows: int = 0
    problems: list[IngestProblem] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    done: bool = False
    reused: bool = False


def plan_shards(paths: Iterable[str], files_per_shard: int = 100) -> tuple[list[Shard], list[IngestProblem]]:
    """Shards for the inputs ``paths`` name (in discovery order, so numbering is stable across
    runs over the same inputs), and the problems of paths that cannot be read."""
    groups: list[list[str]] = []
    problems: list[IngestProblem] = []
    folder_of_group: str | None = None
    for found in discover(paths):
        if isinstance(found, IngestProblem):
            problems.append(found)
        elif found.path is None:
            problems.append(IngestProblem(Origin(found.label), "stdin cannot be sharded; give files or folders"))
        elif format_of(found.path.name) not in SINGLE_DOCUMENT_FORMATS:
            groups.append([found.label])
            folder_of_group = None
        elif folder_of_group == str(found.path.parent) and len(groups[-1]) < files_per_shard:
            groups[-1].append(found.label)
        else:
            groups.append([found.label])
            folder_of_group = str(found.path.parent)
    return [Shard(index, tuple(group)) for index, group in enumerate(groups)], problems


def finished(shard: Shard, out: Path) -> ShardResult | None:
    """The result of a shard an earlier run finished over the same inputs, else None."""
    marker = out / f"{shard.name}.json"
    if not marker.exists() or not (out / f"{shard.name}.parquet").exists():
        return None
    data = json.loads(marker.read_text(encoding="utf-8"))
    if tuple(data["inputs"]) != shard.inputs:
        return None
    problems = [IngestProblem(Origin(p["location"], p["record"]), p["reason"]) for p in data["problems"]]
    return ShardResult(shard, data["rows"], problems, Counter(data["skipped"]), done=True, reused=True)


def default_prepare(raw: RawDocument) -> pipeline.Prepared | IngestProblem:
    return pipeline.prepare(raw, analyse=False)


def process_shard(
    shard: Shard, out: str, analyse: bool = True, row_group_rows: int = 200, prepare: Prepare = default_prepare
) -> ShardResult:
    """Stream a shard's records through ``prepare`` into its part file, then its marker; runs
    in a worker. Bad records become problems; only a worker's death stops the shard."""
    folder = Path(out)
    result = ShardResult(shard)
    part = folder / f"{shard.name}.parquet"
    temp = folder / f"{TEMP_PREFIX}{shard.name}-{uuid.uuid4().hex}.parquet"
    try:
        with pq.ParquetWriter(temp, SCHEMA) as writer:
            for rows in _batches(_rows(shard, analyse, prepare, result), row_group_rows):
                writer.write_table(pa.Table.from_pylist(rows, schema=SCHEMA))
                result.rows += len(rows)
        os.replace(temp, part)
    finally:
        temp.unlink(missing_ok=True)
    _write_marker(folder, result)
    result.done = True
    return result


def _rows(shard: Shard, analyse: bool, prepare: Prepare, result: ShardResult) -> Iterator[dict]:
    """The rows of a shard's prepared articles, analysed ANALYSE_BATCH at a time; problems and
    skips go into ``result``."""
    for batch in _batches(_prepared(shard, prepare, result), ANALYSE_BATCH):
        if analyse:
            pipeline.analyse_prepared(batch)
        for item in batch:
            problem = item.analysis_problem
            if problem is not None:
                result.problems.append(problem)
            yield to_row(item)


def _prepared(shard: Shard, prepare: Prepare, result: ShardResult) -> Iterator[pipeline.Prepared]:
    """A shard's records, read, extracted and fingerprinted by ``prepare``."""
    for location in shard.inputs:
        source = Source(Path(location), location, os.path.getsize(location) if os.path.exists(location) else None)
        for item in read_source(source):
            if isinstance(item, IngestProblem):
                result.problems.append(item)
            elif isinstance(item, Skipped):
                result.skipped[item.reason] += 1
            else:
                prepared = pipeline.guarded(prepare, item)
                if isinstance(prepared, IngestProblem):
                    result.problems.append(prepared)
                else:
                    yield prepared


def _batches(items: Iterator[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write_marker(folder: Path, result: ShardResult) -> None:
    """The shard's done marker, written atomically after its part file."""
    data = {
        "inputs": list(result.shard.inputs), "rows": result.rows, "skipped": dict(result.skipped),
        "problems": [{"location": p.origin.location, "record": p.origin.record, "reason": p.reason} for p in result.problems],
    }
    temp = folder / f"{TEMP_PREFIX}{result.shard.name}-{uuid.uuid4().hex}.json"
    temp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(temp, folder / f"{result.shard.name}.json")


def remove_stale_temps(out: Path) -> None:
    """Temp files left by workers that died mid-shard (their shards are redone)."""
    for temp in out.glob(f"{TEMP_PREFIX}*"):
        temp.unlink(missing_ok=True)


def finished_parts(out: Path) -> list[Path]:
    """The part files of finished shards (those with a done marker), in shard order."""
    return sorted(part for part in out.glob("part-*.parquet") if part.with_suffix(".json").exists())
