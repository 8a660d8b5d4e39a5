"""Story clustering measured through the real ingest path: a benchmark file's documents are
ingested in file order through ``Desk`` into a store (their text, and url, title and date where
the file has them: never the gold label), as ``storydesk ingest`` would (cleaning, dating,
dedupe, analysis, online placement), and the stories the store ends with are scored against
the gold stories, beside the plain TF-IDF average-link baseline on the same texts."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from storydesk.desk import Desk
from storydesk.eval.clustering import BASELINE, scores, tfidf_baseline, write_predictions
from storydesk.eval.dossier import ingest
from storydesk.eval.runs import Track, iter_records, untracked

GOLD_FIELDS = ("event", "label")  # the gold story: ECB+'s event, the GVA stories' incident


def evaluate_through_ingest(
    path: Path, predictions: Path | None = None, store: Path | None = None, progress: Track = untracked
) -> dict[str, Any]:
    """Ingest every document of a JSONL(.gz) file into a temporary store (or ``store``, kept)
    and score its stories; a document left in no story (a failed analysis) counts alone.
    Writes ``{"doc_id", "cluster"}`` lines to ``predictions``."""
    records = list(iter_records(Path(path)))
    gold = [gold_story(record) for record in records]
    with tempfile.TemporaryDirectory() as scratch:
        db = Path(store) if store is not None else Path(scratch) / "eval.db"
        with Desk(db) as desk:
            started = time.perf_counter()
            story_of_line = ingest(desk, records, db.with_suffix(".ingest.jsonl"), progress)
            ingest_seconds = time.perf_counter() - started
            stories = desk.story_count()
    labels = [str(story_of_line.get(line, f"unplaced:{line}")) for line in range(1, len(records) + 1)]
    if predictions is not None:
        write_predictions(Path(predictions), records, labels)
    return {
        "documents": len(records),
        "stories": stories,
        **scores(labels, gold),
        "ingest_seconds": ingest_seconds,
        "baseline": {"system": BASELINE, **scores(tfidf_baseline([r.get("text") or "" for r in records]), gold)},
    }


def gold_story(record: dict[str, Any]) -> str:
    """The record's gold story (read for scoring only, never ingested)."""
    return str(next(record[name] for name in GOLD_FIELDS if name in record))
