"""Learn the clusterer's pairwise model on ECB+ train and write ``storydesk/data/cluster_model.json``.

A logistic regression over the pairwise features of every pair of training documents (gold:
same event) gives the probability; the average-link threshold on it, and the TF-IDF baseline's
own threshold, are the ones with the best BCubed F1 on train. Labels are read for training only.

    PYTHONPATH=src .venv/bin/python scripts/train_cluster.py ../shared/bench/clustering/ecbplus-train.jsonl.gz

``--cache FILE`` keeps the analyses in a pickle so that re-runs skip spaCy.
"""
from __future__ import annotations

import argparse
import json
import pickle
from importlib import resources
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from storydesk.analyse import analyse
from storydesk.cluster import Idf, profile
from storydesk.cluster.grouping import average_link_labels
from storydesk.cluster.similarity import FEATURES, PairModel, pair_features, pair_scores
from storydesk.eval.clustering import record_article, tfidf_baseline
from storydesk.eval.metrics import bcubed
from storydesk.eval.runs import iter_records
from storydesk.model import ArticleProfile

THRESHOLDS = np.round(np.arange(0.05, 0.96, 0.01), 2)
PUBLISHED_GAP = {"grace_days": 7.0, "logit_per_doubling": 1.0}  # a prior: ECB+ has no dates
REGULARISATION = 1.0


def load(path: Path, cache: Path | None) -> tuple[list[ArticleProfile], list[str], list[str]]:
    """Profiles, gold events and texts of the training file (analyses from ``cache`` if there)."""
    records = list(iter_records(path))
    if cache and cache.exists():
        analyses = pickle.loads(cache.read_bytes())
    else:
        analyses = [analyse(r["text"], None) for r in records]
        if cache:
            cache.write_bytes(pickle.dumps(analyses))
    profiles = [profile(record_article(r, a, i)) for i, (r, a) in enumerate(zip(records, analyses))]
    return profiles, [r["event"] for r in records], [r["text"] for r in records]


def fit(profiles: list[ArticleProfile], events: list[str], idf: Idf) -> tuple[dict[str, float], float]:
    """Logistic weights and bias over FEATURES, from the pairs of distinct documents."""
    features = pair_features(profiles, profiles, idf)
    upper = np.triu_indices(len(profiles), k=1)
    x = np.column_stack([features[name][upper] for name in FEATURES])
    labels = np.array(events)
    y = labels[upper[0]] == labels[upper[1]]
    model = LogisticRegression(C=REGULARISATION, max_iter=1000).fit(x, y)
    return dict(zip(FEATURES, map(float, model.coef_[0]))), float(model.intercept_[0])


def best_threshold(scores: np.ndarray, events: list[str]) -> tuple[float, float]:
    """The average-link threshold with the best BCubed F1, and that F1."""
    results = [(bcubed(average_link_labels(scores, t), events)["f1"], float(t)) for t in THRESHOLDS]
    f1, threshold = max(results)
    return threshold, f1


def baseline_threshold(texts: list[str], events: list[str]) -> float:
    """The TF-IDF baseline's threshold with the best BCubed F1."""
    return max((bcubed(tfidf_baseline(texts, float(t)), events)["f1"], float(t)) for t in THRESHOLDS)[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("train", type=Path)
    parser.add_argument("--cache", type=Path, help="pickle of the analyses, reused when present")
    parser.add_argument("--out", type=Path, default=Path(str(resources.files("storydesk.data"))) / "cluster_model.json")
    args = parser.parse_args()
    profiles, events, texts = load(args.train, args.cache)
    idf = Idf.from_profiles(profiles)
    weights, bias = fit(profiles, events, idf)
    model = PairModel(weights, bias, 0.5, PUBLISHED_GAP["grace_days"], PUBLISHED_GAP["logit_per_doubling"], 0.5)
    threshold, train_f1 = best_threshold(pair_scores(profiles, profiles, idf, model), events)
    data = {
        "about": "storydesk cluster model: logistic weights over pairwise features, learned on ECB+ "
        "train by scripts/train_cluster.py; threshold = best average-link BCubed F1 on train",
        "weights": weights,
        "bias": bias,
        "threshold": threshold,
        "train_bcubed_f1": train_f1,
        "published_gap": PUBLISHED_GAP,
        "baseline_threshold": baseline_threshold(texts, events),
    }
    args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(data))


if __name__ == "__main__":
    main()
