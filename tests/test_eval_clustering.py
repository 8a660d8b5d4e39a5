"""Clustering metrics on hand-computed examples, and the ECB+ evaluation on a small dev subset."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from storydesk.eval.clustering import evaluate
from storydesk.eval.metrics import bcubed, pairwise
from storydesk.eval.runs import iter_records

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"
ECB_DEV = BENCH / "clustering" / "ecbplus-dev.jsonl.gz"


def test_bcubed_on_a_hand_computed_example() -> None:
    # gold {a,b,c} {d}; predicted {a,b} {c,d}
    # precision: a 1, b 1, c 1/2, d 1/2 -> 3/4; recall: a 2/3, b 2/3, c 1/3, d 1 -> 2/3
    scores = bcubed([0, 0, 1, 1], ["x", "x", "x", "y"])
    assert scores["precision"] == pytest.approx(3 / 4)
    assert scores["recall"] == pytest.approx(2 / 3)
    assert scores["f1"] == pytest.approx(2 * (3 / 4) * (2 / 3) / (3 / 4 + 2 / 3))


def test_bcubed_extremes() -> None:
    gold = ["x", "x", "y"]
    assert bcubed([5, 5, 9], gold) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    singletons = bcubed([0, 1, 2], gold)
    assert singletons["precision"] == 1.0 and singletons["recall"] == pytest.approx((1 / 2 + 1 / 2 + 1) / 3)


def test_pairwise_on_a_hand_computed_example() -> None:
    # gold pairs: ab ac bc; predicted pairs: ab cd; shared: ab
    scores = pairwise([0, 0, 1, 1], ["x", "x", "x", "y"])
    assert scores["precision"] == pytest.approx(1 / 2)
    assert scores["recall"] == pytest.approx(1 / 3)
    assert pairwise([0, 1], ["x", "y"])["precision"] == 0.0


def test_metrics_reject_mismatched_lengths() -> None:
    with pytest.raises(ValueError):
        bcubed([0], ["x", "y"])


@pytest.mark.bench
def test_evaluate_on_a_dev_subset(tmp_path: Path) -> None:
    if not ECB_DEV.exists():
        pytest.skip(f"benchmark data not available: {ECB_DEV}")
    records = [r for r in iter_records(ECB_DEV) if str(r["topic"]) in {"12", "18"}][:24]
    subset = tmp_path / "subset.jsonl.gz"
    with gzip.open(subset, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(r) + "\n" for r in records)
    predictions = tmp_path / "predictions.jsonl"
    result = evaluate(subset, predictions, online=True)
    assert result["documents"] == len(records)
    assert result["bcubed_f1"] > 0.7
    assert 0.0 < result["online"]["bcubed_f1"] <= 1.0
    lines = [json.loads(line) for line in predictions.read_text().splitlines()]
    assert [line["doc_id"] for line in lines] == [r["doc_id"] for r in records]
