"""Story clustering measured through the real ingest path: a benchmark file's documents are
ingested in file order through ``Desk`` into a store (their text, and url, title and date where
the file has them: never the gold label), as ``storydesk ingest`` would (cleaning, dating,
dedupe, analysis, online placement), and the stories the store ends with are scored against
the gold stories, beside the plain TF-IDF average-link baseline on the same texts."""
from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storydesk.desk import Desk
from storydesk.eval.clustering import BASELINE, scores, tfidf_baseline, write_predictions
from storydesk.eval.runs import Track, iter_records, untracked

GOLD_FIELDS = ("event", "label")  # the gold story: ECB+'s event, the GVA stories' incident
INGESTED_FIELDS = ("url", "title", "date", "source", "text")  # what reaches the pipeline: never a gold label


@dataclass
class Ingested:
    """Records ingested through a Desk: the open Desk, the article of each record by its line
    number (from 1), the story of each placed one, and how long the ingest took."""

    desk: Desk
    articles: dict[int, int]
    stories: dict[int, int]
    seconds: float

    def labels(self, count: int) -> list[str]:
        """Each of ``count`` records' story, in file order; a record placed in none is alone."""
        return [str(self.stories.get(line, f"unplaced:{line}")) for line in range(1, count + 1)]


@contextmanager
def ingested(records: Sequence[dict[str, Any]], store: Path | None, progress: Track) -> Iterator[Ingested]:
    """The records ingested into a temporary store, or into ``store`` (kept, so that a second
    run only finds them again), as ``storydesk ingest`` would."""
    with tempfile.TemporaryDirectory() as scratch:
        db = Path(store) if store is not None else Path(scratch) / "eval.db"
        with Desk(db) as desk:
            started = time.perf_counter()
            articles = ingest(desk, records, db.with_suffix(".ingest.jsonl"), progress)
            stories = {line: story for line, article in articles.items() if (story := desk.story_of(article)) is not None}
            yield Ingested(desk, articles, stories, time.perf_counter() - started)


def ingest(desk: Desk, records: Sequence[dict[str, Any]], path: Path, progress: Track) -> dict[int, int]:
    """Ingest the records' ingested fields as one JSONL file; the article of each record, by
    its line number (from 1). Articles already stored from this file are only found again."""
    with path.open("w", encoding="utf-8") as out:
        out.writelines(json.dumps({k: r.get(k) for k in INGESTED_FIELDS}, ensure_ascii=False) + "\n" for r in records)
    ticks = iter(progress(range(len(records)), len(records), "ingest"))
    next(ticks, None)
    desk.ingest([str(path)], on_item=lambda status, problem: next(ticks, None))
    return {
        int(origin.record): article_id
        for article_id in desk.article_ids()
        for origin in desk.origins(article_id)
        if origin.location == str(path)
    }


def evaluate_through_ingest(
    path: Path, predictions: Path | None = None, store: Path | None = None, progress: Track = untracked
) -> dict[str, Any]:
    """Ingest every document of a JSONL(.gz) file into a temporary store (or ``store``, kept)
    and score its stories; a document left in no story (a failed analysis) counts alone.
    Writes ``{"doc_id", "cluster"}`` lines to ``predictions``."""
    records = list(iter_records(Path(path)))
    gold = [gold_story(record) for record in records]
    with ingested(records, store, progress) as run:
        stories = run.desk.story_count()
    labels = run.labels(len(records))
    if predictions is not None:
        write_predictions(Path(predictions), records, labels)
    return {
        "documents": len(records),
        "stories": stories,
        **scores(labels, gold),
        "ingest_seconds": run.seconds,
        "baseline": {"system": BASELINE, **scores(tfidf_baseline([r.get("text") or "" for r in records]), gold)},
    }


def gold_story(record: dict[str, Any]) -> str:
    """The record's gold story (read for scoring only, never ingested)."""
    return str(next(record[name] for name in GOLD_FIELDS if name in record))
