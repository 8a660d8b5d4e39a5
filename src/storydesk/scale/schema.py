"""The Parquet schema of processed articles: one row per prepared article, enough to store it
(``storydesk load``) without extracting, fingerprinting or analysing it again.

| column | type | what it holds |
|---|---|---|
| `location`, `record` | string | the article's origin: file and record inside it (JSONL line, WARC offset) |
| `content_hash` | string | SHA-256 of the raw content: `load` skips content already stored |
| `raw_format` | string | `text` or `html` |
| `url`, `title`, `author`, `site` | string | extracted fields (null when unknown) |
| `outlet`, `outlet_from` | string | the outlet's name (null when unknown) and where it came from |
| `published`, `date_precision` | string | ISO publication date and its precision |
| `date_evidence`, `date_rejected` | string | JSON lists of `{source, text, line_no}` |
| `dateline`, `language` | string | extracted dateline and language code |
| `agencies` | string | JSON list of wire agencies |
| `removed` | string | JSON list of the cleaner's removed lines `{line_no, text, reason}` |
| `text` | string | the clean body, one paragraph per line |
| `text_hash` | string | hash of the normalised words (exact duplicates) |
| `signature` | binary | MinHash signature (128 little-endian uint32) |
| `buckets` | list<struct<band: int32, bucket: int64>> | LSH band buckets (near-duplicate candidates) |
| `analysis` | string | the `Analysis` as JSON (`dataclasses.asdict`), null when analysis was off or failed |
| `analysis_error` | string | why the analysis failed, else null |
"""
from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import pyarrow as pa

from storydesk.dedupe import Fingerprint
from storydesk.model import Analysis, Article, DateEvidence, Extraction, Origin, PublicationDate, RemovedLine, outlet_name
from storydesk.pipeline import Prepared

BUCKET = pa.struct([("band", pa.int32()), ("bucket", pa.int64())])
SCHEMA = pa.schema(
    [(name, pa.string()) for name in (
        "location", "record", "content_hash", "raw_format", "url", "title", "author", "site", "published",
        "date_precision", "date_evidence", "date_rejected", "dateline", "language", "agencies", "removed",
        "text", "text_hash", "outlet", "outlet_from",
    )]
    + [("signature", pa.binary()), ("buckets", pa.list_(BUCKET)), ("analysis", pa.string()), ("analysis_error", pa.string())]
)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def to_row(prepared: Prepared) -> dict[str, Any]:
    """One prepared article as a row of ``SCHEMA``."""
    article, fingerprint = prepared.article, prepared.fingerprint
    ex = article.extraction
    return {
        "location": article.origin.location, "record": article.origin.record,
        "content_hash": article.content_hash, "raw_format": article.raw_format,
        "url": ex.url, "title": ex.title, "author": ex.author, "site": ex.site,
        "published": ex.published.value, "date_precision": ex.published.precision,
        "date_evidence": _json([asdict(e) for e in ex.published.evidence]),
        "date_rejected": _json([asdict(e) for e in ex.published.rejected]),
        "dateline": ex.dateline, "language": ex.language, "agencies": _json(ex.agencies),
        "removed": _json([asdict(line) for line in ex.removed]), "text": ex.text,
        "outlet": ex.outlet, "outlet_from": ex.outlet_from,
        "text_hash": fingerprint.text_hash, "signature": fingerprint.signature,
        "buckets": [{"band": band, "bucket": bucket} for band, bucket in fingerprint.buckets],
        "analysis": None if article.analysis is None else _json(asdict(article.analysis)),
        "analysis_error": prepared.analysis_error,
    }


def from_row(row: dict[str, Any]) -> Prepared:
    """A row of ``SCHEMA`` back to the ``Prepared`` article ``pipeline.commit`` stores (a part
    written before outlets were has its outlet named from its site, URL and agencies)."""
    agencies = json.loads(row["agencies"])
    outlet, outlet_from = (
        (row["outlet"], row["outlet_from"]) if "outlet" in row else outlet_name(None, row["site"], row["url"], agencies, None)
    )
    extraction = Extraction(
        text=row["text"], title=row["title"], author=row["author"], site=row["site"], url=row["url"],
        published=PublicationDate(
            row["published"], row["date_precision"],
            [DateEvidence(**e) for e in json.loads(row["date_evidence"])],
            [DateEvidence(**e) for e in json.loads(row["date_rejected"])],
        ),
        dateline=row["dateline"], agencies=agencies, language=row["language"],
        removed=[RemovedLine(**line) for line in json.loads(row["removed"])],
        outlet=outlet, outlet_from=outlet_from,
    )
    article = Article(Origin(row["location"], row["record"]), row["content_hash"], row["raw_format"], extraction)
    if row["analysis"] is not None:
        article.analysis = Analysis.from_dict(json.loads(row["analysis"]))
    buckets = tuple((b["band"], b["bucket"]) for b in row["buckets"])
    return Prepared(article, Fingerprint(row["text_hash"], row["signature"], buckets), row["analysis_error"])
