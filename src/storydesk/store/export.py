"""Exports of stored articles as JSONL, CSV or Parquet, streamed in batches (bounded memory)."""
from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import IO, Any, Literal

from storydesk.extras import require
from storydesk.model import Article

ExportFormat = Literal["jsonl", "csv", "parquet"]
BATCH = 1000

# One flat row per article and its Arrow type; list and evidence fields are JSON strings in CSV
# and Parquet.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "int64"), ("location", "string"), ("record", "string"), ("url", "string"),
    ("title", "string"), ("author", "string"), ("site", "string"),
    ("outlet", "string"), ("outlet_from", "string"), ("published", "string"), ("date_precision", "string"), ("date_evidence", "string"),
    ("dateline", "string"), ("agencies", "string"), ("language", "string"),
    ("duplicate_of", "int64"), ("duplicate_kind", "string"), ("duplicate_similarity", "float64"),
    ("content_hash", "string"), ("raw_format", "string"), ("ingested_at", "string"),
    ("text", "string"),
)


def flat_row(article: Article) -> dict[str, Any]:
    """The article as one flat record (the columns of CSV and Parquet exports)."""
    ex, dup = article.extraction, article.duplicate_of
    return {
        "id": article.id, "location": article.origin.location, "record": article.origin.record,
        "url": ex.url, "title": ex.title, "author": ex.author, "site": ex.site,
        "outlet": ex.outlet, "outlet_from": ex.outlet_from, "published": ex.published.value, "date_precision": ex.published.precision,
        "date_evidence": json.dumps([e.__dict__ for e in ex.published.evidence], ensure_ascii=False),
        "dateline": ex.dateline, "agencies": json.dumps(ex.agencies), "language": ex.language,
        "duplicate_of": dup and dup.article_id, "duplicate_kind": dup and dup.kind,
        "duplicate_similarity": dup and dup.similarity, "content_hash": article.content_hash,
        "raw_format": article.raw_format, "ingested_at": article.ingested_at, "text": ex.text,
    }


def export_articles(articles: Iterable[Article], fmt: ExportFormat, out: Path | IO[str]) -> int:
    """Write the articles to ``out`` (a path, or a text stream for jsonl/csv); returns the count."""
    if fmt == "parquet":
        if not isinstance(out, Path):
            raise ValueError("parquet export needs a file path (-o FILE)")
        require("parquet", "parquet export")
        return _parquet(articles, out)
    if isinstance(out, Path):
        with out.open("w", encoding="utf-8", newline="") as stream:
            return export_articles(articles, fmt, stream)
    return _jsonl(articles, out) if fmt == "jsonl" else _csv(articles, out)


def _jsonl(articles: Iterable[Article], stream: IO[str]) -> int:
    count = 0
    for count, article in enumerate(articles, start=1):
        stream.write(json.dumps(article.to_dict(), ensure_ascii=False) + "\n")
    return count


def _csv(articles: Iterable[Article], stream: IO[str]) -> int:
    writer = csv.DictWriter(stream, fieldnames=[name for name, _ in COLUMNS])
    writer.writeheader()
    count = 0
    for count, article in enumerate(articles, start=1):
        writer.writerow(flat_row(article))
    return count


def _parquet(articles: Iterable[Article], path: Path) -> int:
    import pyarrow as pa  # the parquet extra
    import pyarrow.parquet as pq

    schema = pa.schema([(name, getattr(pa, kind)()) for name, kind in COLUMNS])
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        for batch in _batches(articles):
            writer.write_table(pa.Table.from_pylist([flat_row(a) for a in batch], schema=schema))
            count += len(batch)
    return count


def _batches(articles: Iterable[Article]) -> Iterator[list[Article]]:
    iterator = iter(articles)
    while batch := list(islice(iterator, BATCH)):
        yield batch
