"""Story clustering through ingest: a benchmark subset goes through Desk into a store, the
store's stories are what is scored, and the gold story never reaches the pipeline."""
from __future__ import annotations

import gzip
import json
from itertools import islice
from pathlib import Path

import pytest

from storydesk.desk import Desk
from storydesk.eval.ingested import evaluate_through_ingest, gold_story
from storydesk.eval.runs import iter_records

from conftest import bench_file


def write_subset(path: Path, records: list[dict]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(r) + "\n" for r in records)
    return path


def test_the_gold_story_is_ecbplus_event_or_the_gva_label() -> None:
    assert gold_story({"event": 12, "topic": 1}) == "12"
    assert gold_story({"label": "gva:1", "origin": "x"}) == "gva:1"


@pytest.mark.bench
def test_the_stories_scored_are_the_stores_and_no_label_is_ingested(tmp_path: Path) -> None:
    records = list(islice(iter_records(bench_file("stories", "gva-dev-ingest.jsonl.gz")), 12))
    store = tmp_path / "kept.db"
    predictions = tmp_path / "predictions.jsonl"
    result = evaluate_through_ingest(write_subset(tmp_path / "gva.jsonl.gz", records), predictions, store)
    with Desk(store) as desk:
        stories = desk.story_count()
        stored = [desk.article(article_id).text for article_id in desk.article_ids()]
    assert result["documents"] == len(records) and result["stories"] == stories
    assert result["predicted_clusters"] == stories and result["gold_clusters"] == len({r["label"] for r in records})
    assert 0.0 < result["bcubed_f1"] <= 1.0 and 0.0 < result["baseline"]["bcubed_f1"] <= 1.0
    ingested = [json.loads(line) for line in store.with_suffix(".ingest.jsonl").read_text().splitlines()]
    assert all(set(line) == {"url", "title", "date", "source", "text"} for line in ingested)
    assert not any(r["label"].split(":")[1] in text for r in records for text in stored)
    lines = [json.loads(line) for line in predictions.read_text().splitlines()]
    assert [line["doc_id"] for line in lines] == [r["id"] for r in records]
    assert len({line["cluster"] for line in lines}) == stories
