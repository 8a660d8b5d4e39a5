"""Choose how the quote tagger decodes (``storydesk.analyse.quotes.tagger``): its share
(``TAGGER_WEIGHT``) when its label probabilities are averaged with the CRF's, and the share of
the training labels' transitions in a path's score (``TRANSITION_STRENGTH``).

    .venv/bin/python scripts/tune_quotes_mix.py ../shared/bench/quotes/polnear-train.jsonl.gz

Counts, in the paragraphs of every training article but the tenth that both training scripts
hold out (``held_out``), how often each label starts a paragraph and follows another, and writes
their log-probabilities (add-one smoothed) to src/storydesk/data/quotes_tagger_transitions.json.
Then, on the held-out tenth (which neither model nor the counts have seen), it decodes every
paragraph for each weight 0, 0.1 ... 1 and each strength in STRENGTHS, scores exact BIO span F1
per role, and prints the table and the pair with the best mean. Run it after retraining either
model, and set the two constants to what it prints.

    .venv/bin/python scripts/tune_quotes_mix.py ../shared/bench/quotes/polnear-train.jsonl.gz --gates 0 0.3 0.6 0.7 0.9

With ``--gates``, it also scores the shipped weight and strength with the encoder reading only the
sentences each gate lets through (``GATE``), and the share of word pieces it reads.
"""
from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from spacy.tokens import Doc

from storydesk.analyse.nlp import load_pipeline
from storydesk.analyse.quotes.crf import label_probabilities as crf_label_probabilities
from storydesk.analyse.quotes.decode import LABELS, ROLES, paragraphs
from storydesk.analyse.quotes.rules import find_quotes
from storydesk.analyse.quotes.tagger import (
    GATE,
    TAGGER_WEIGHT,
    TRANSITION_STRENGTH,
    TRANSITIONS_FILE,
    _windows,
    decode,
    label_probabilities,
    may_attribute,
)
from storydesk.eval.quotes import count_spans, gold_labels, held_out, label_spans, prf, span_counts
from storydesk.eval.runs import iter_records

TRANSITIONS = Path(__file__).resolve().parents[1] / "src" / "storydesk" / "data" / TRANSITIONS_FILE
WEIGHTS = [round(0.1 * step, 1) for step in range(11)]
STRENGTHS = [0.0, 0.1, 0.15, 0.2, 0.3]
Setting = tuple[float, float]  # (tagger weight, transition strength)


def parsed(path: Path) -> Iterator[tuple[dict[str, Any], Doc, list[str]]]:
    """Every training article with its parse and its gold label per token."""
    records = list(iter_records(path))
    for record, doc in zip(records, load_pipeline().pipe(r["text"] for r in records)):
        yield record, doc, gold_labels(doc, record["attributions"])


def log_probabilities(counts: np.ndarray) -> list:
    """Each row of counts as add-one smoothed log-probabilities."""
    smoothed = counts + 1
    return np.log(smoothed / smoothed.sum(axis=-1, keepdims=True)).round(4).tolist()


def paragraph_labels(doc: Doc, labels: list[str]) -> list[list[str]]:
    """The labels (one per token of the doc) of each of its paragraphs."""
    return [[labels[token.i] for token in tokens] for tokens in paragraphs(doc)]


def write_transitions(labelled: list[list[str]]) -> None:
    """The first label's and each next label's log-probabilities in the labelled paragraphs."""
    index = {label: i for i, label in enumerate(LABELS)}
    starts, steps = np.zeros(len(LABELS)), np.zeros((len(LABELS), len(LABELS)))
    for paragraph in labelled:
        labels = [index[label] for label in paragraph]
        starts[labels[0]] += 1
        np.add.at(steps, (labels[:-1], labels[1:]), 1)
    table = {"labels": list(LABELS), "start": log_probabilities(starts), "transitions": log_probabilities(steps)}
    TRANSITIONS.write_text(json.dumps(table) + "\n", encoding="utf-8")


def held_out_scores(held: list[tuple[Doc, list[str]]]) -> dict[Setting, dict[str, float]]:
    """Span F1 per role over the held-out articles' paragraphs, for every setting."""
    settings = [(weight, strength) for weight in WEIGHTS for strength in STRENGTHS]
    counts = {setting: span_counts() for setting in settings}
    for number, (doc, gold) in enumerate(held, 1):
        crf = crf_label_probabilities(doc, find_quotes(doc, []))
        tagger = label_probabilities(doc, crf, may_attribute(crf))
        gold_spans = [label_spans(labels) for labels in paragraph_labels(doc, gold)]
        for weight, strength in settings:
            predicted = decode(doc, weight * tagger + (1 - weight) * crf, strength)
            for labels, spans in zip(paragraph_labels(doc, predicted), gold_spans):
                count_spans(counts[weight, strength], label_spans(labels), spans)
        if number % 20 == 0:
            print(f"{number}/{len(held)} held-out articles", flush=True)
    return {setting: {role: 100 * prf(**count)["f1"] for role, count in by_role.items()} for setting, by_role in counts.items()}


def gate_scores(held: list[tuple[Doc, list[str]]], gate: float) -> tuple[dict[str, float], float]:
    """Span F1 per role over the held-out paragraphs at the shipped weight and strength with the
    encoder reading what ``gate`` lets through, and the share of word pieces it reads."""
    counts, read, total = span_counts(), 0, 0
    for doc, gold in held:
        crf = crf_label_probabilities(doc, find_quotes(doc, []))
        attend = may_attribute(crf, gate)
        read += sum(len(window.piece_ids) for window in _windows(doc, attend))
        total += sum(len(window.piece_ids) for window in _windows(doc))
        tagger = label_probabilities(doc, crf, attend)
        predicted = decode(doc, TAGGER_WEIGHT * tagger + (1 - TAGGER_WEIGHT) * crf, TRANSITION_STRENGTH)
        for labels, spans in zip(paragraph_labels(doc, predicted), paragraph_labels(doc, gold)):
            count_spans(counts, label_spans(labels), label_spans(spans))
    return {role: 100 * prf(**count)["f1"] for role, count in counts.items()}, read / max(total, 1)


def print_gates(held: list[tuple[Doc, list[str]]], gates: list[float]) -> None:
    print(f"{'gate':>6}  {'read':>6}  " + "  ".join(f"{role:>7}" for role in ROLES) + f"     mean   (shipped: {GATE})")
    for gate in gates:
        by_role, read = gate_scores(held, gate)
        print(f"{gate:>6.2f}  {read:>6.1%}  " + "  ".join(f"{by_role[role]:7.1f}" for role in ROLES) + f"  {np.mean(list(by_role.values())):7.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("train_file", type=Path)
    parser.add_argument("--gates", type=float, nargs="*", default=[], help="also score these gates (GATE)")
    options = parser.parse_args()
    training, held = [], []  # the training articles' paragraph labels (not their parses); the held-out articles
    articles = 0
    for record, doc, gold in parsed(options.train_file):
        if held_out(record):
            held.append((doc, gold))
        else:
            training.extend(paragraph_labels(doc, gold))
            articles += 1
    write_transitions(training)
    print(f"wrote {TRANSITIONS} from {articles} articles", flush=True)
    scores = held_out_scores(held)
    print(f"{'weight':>6}  {'strength':>8}  " + "  ".join(f"{role:>7}" for role in ROLES) + "     mean")
    for (weight, strength), by_role in scores.items():
        print(f"{weight:>6.1f}  {strength:>8.2f}  " + "  ".join(f"{by_role[role]:7.1f}" for role in ROLES) + f"  {np.mean(list(by_role.values())):7.2f}")
    weight, strength = max(scores, key=lambda setting: np.mean(list(scores[setting].values())))
    print(f"best: TAGGER_WEIGHT = {weight}, TRANSITION_STRENGTH = {strength}")
    if options.gates:
        print_gates(held, options.gates)


if __name__ == "__main__":
    main()
