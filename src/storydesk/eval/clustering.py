"""Evaluation of story clustering on ECB+ (``bench/README.md``, clustering/): every document of
a file is analysed, profiled and clustered at once (topics mixed, labels unseen), then scored
by BCubed and pairwise precision/recall/F1 against the gold events. Also scored: online
placement in file order (what the product does as articles arrive) and a plain TF-IDF
average-link baseline on the raw texts."""
from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer

from storydesk.analyse import analyse
from storydesk.cluster import Idf, cluster, load_model, place_in_order, profile
from storydesk.cluster.grouping import average_link_labels
from storydesk.eval.metrics import bcubed, pairwise
from storydesk.eval.runs import Track, iter_records, untracked
from storydesk.model import Analysis, Article, Extraction, Origin

BASELINE = "TF-IDF cosine of raw texts (scikit-learn, English stop words, sublinear tf), average link"


def evaluate(
    path: Path, predictions: Path | None = None, online: bool = False, progress: Track = untracked
) -> dict[str, Any]:
    """Cluster every document of an ECB+-format JSONL(.gz) file and score it; write
    ``{"doc_id", "cluster"}`` lines to ``predictions``; with ``online``, also score sequential
    placement in file order with document frequencies grown from the documents seen so far.
    ``progress`` sees each document of the batch analysis, then of the online placement."""
    records = list(iter_records(Path(path)))
    started = time.perf_counter()
    analysing = progress(enumerate(records), len(records), "batch: analyse")
    profiles = [profile(record_article(r, analyse(r["text"], None), i)) for i, r in analysing]
    analysed = time.perf_counter()
    labels = cluster(profiles, Idf.from_profiles(profiles))
    clustered = time.perf_counter()
    gold = [r["event"] for r in records]
    result: dict[str, Any] = {
        "documents": len(records),
        **scores(labels, gold),
        "seconds": clustered - started,
        "cluster_seconds": clustered - analysed,
        "baseline": {"system": BASELINE, **scores(tfidf_baseline([r["text"] for r in records]), gold)},
    }
    if online:
        online_started = time.perf_counter()
        placing = progress(profiles, len(profiles), "online: place")
        result["online"] = {**scores(place_in_order(placing), gold), "seconds": time.perf_counter() - online_started}
    if predictions is not None:
        write_predictions(Path(predictions), records, labels)
    return result


def record_article(record: dict[str, Any], analysis: Analysis, index: int) -> Article:
    """A benchmark document as an Article: its text, the first line as title, no date."""
    text = record["text"]
    title = text.strip().split("\n", 1)[0].strip() or None
    return Article(
        origin=Origin("ecbplus", str(record.get("doc_id"))),
        content_hash=str(index),
        raw_format="text",
        extraction=Extraction(text=text, title=title),
        id=index,
        analysis=analysis,
    )


def scores(labels: Sequence[int], gold: Sequence[str]) -> dict[str, Any]:
    """BCubed and pairwise P/R/F1 and the predicted and gold cluster counts."""
    b, p = bcubed(labels, gold), pairwise(labels, gold)
    return {
        **{f"bcubed_{name}": value for name, value in b.items()},
        **{f"pairwise_{name}": value for name, value in p.items()},
        "predicted_clusters": len(set(labels)),
        "gold_clusters": len(set(gold)),
    }


def tfidf_baseline(texts: Sequence[str], threshold: float | None = None) -> list[int]:
    """The reference system: average-link clustering of raw-text TF-IDF cosines, cut at the
    threshold tuned for it on ECB+ train (``cluster_model.json``)."""
    if len(texts) < 2:
        return [0] * len(texts)
    matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
    cut = load_model().baseline_threshold if threshold is None else threshold
    return average_link_labels((matrix @ matrix.T).toarray(), cut)


def write_predictions(path: Path, records: Sequence[dict[str, Any]], labels: Sequence[int | str]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for record, label in zip(records, labels):
            out.write(json.dumps({"doc_id": record.get("doc_id", record.get("id")), "cluster": label}) + "\n")
