"""Train the quote-attribution CRF (``storydesk.analyse.quotes.crf``) on PolNeAR's training split.

    .venv/bin/python scripts/train_quotes_crf.py ../shared/bench/quotes/polnear-train.jsonl.gz

Every tenth article (by a CRC32 of its name) is held out and scored (exact BIO span F1 per role,
paragraph by paragraph); the rest trains the model, written to
src/storydesk/data/quotes_crf.model. L-BFGS is deterministic: the same data and parameters give
the same model. Only the training split is read; dev and valid files are for evaluation alone.
"""
from __future__ import annotations

import argparse
import json
import pickle
import time
from pathlib import Path
from typing import Any

import pycrfsuite
from spacy.tokens import Doc

from storydesk.analyse.nlp import load_pipeline
from storydesk.analyse.quotes.crf import doc_features
from storydesk.analyse.quotes.rules import find_quotes
from storydesk.eval.quotes import count_spans, gold_labels, label_spans, span_counts, span_f1
from storydesk.eval.quotes import held_out as is_held_out
from storydesk.eval.runs import iter_records

MODEL = Path(__file__).resolve().parents[1] / "src" / "storydesk" / "data" / "quotes_crf.model"
PARAMS = {"c1": 0.5, "c2": 0.01, "max_iterations": 100, "feature.minfreq": 2, "feature.possible_transitions": True}

Sequence = tuple[list[list[str]], list[str]]


def sequences(doc: Doc, attributions: list[dict[str, Any]]) -> list[Sequence]:
    labels = gold_labels(doc, attributions)
    return [(rows, [labels[t.i] for t in tokens]) for tokens, rows in doc_features(doc, find_quotes(doc, []))]


def read_split(path: Path) -> tuple[list[Sequence], list[Sequence]]:
    """(training, held-out) sequences of every article in the file."""
    records = list(iter_records(path))
    train: list[Sequence] = []
    held_out: list[Sequence] = []
    docs = load_pipeline().pipe((r["text"] for r in records), batch_size=16)
    for number, (record, doc) in enumerate(zip(records, docs), 1):
        (held_out if is_held_out(record) else train).extend(sequences(doc, record["attributions"]))
        if number % 100 == 0:
            print(f"{number}/{len(records)} articles", flush=True)
    return train, held_out


def score(model: Path, held_out: list[Sequence]) -> dict[str, float]:
    """Exact BIO span F1 per role over the held-out paragraphs."""
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    counts = span_counts()
    for rows, gold in held_out:
        count_spans(counts, label_spans(tagger.tag(rows)), label_spans(gold))
    return span_f1(counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("train_file", type=Path)
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--cache", type=Path, help="pickle of the extracted sequences (read if present, else written)")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.cache and args.cache.exists():
        train, held_out = pickle.loads(args.cache.read_bytes())
    else:
        train, held_out = read_split(args.train_file)
        if args.cache:
            args.cache.write_bytes(pickle.dumps((train, held_out)))
    print(f"features: {time.perf_counter() - started:.0f} s, {len(train)} training and {len(held_out)} held-out paragraphs")
    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.select("lbfgs")
    trainer.set_params(PARAMS)
    for rows, labels in train:
        trainer.append(rows, labels)
    started = time.perf_counter()
    trainer.train(str(args.model))
    print(f"training: {time.perf_counter() - started:.0f} s, model {args.model.stat().st_size / 1e6:.1f} MB")
    print("held-out exact span F1:", json.dumps(score(args.model, held_out)))


if __name__ == "__main__":
    main()
