"""Choose the quote tagger's share (``TAGGER_WEIGHT`` in ``storydesk.analyse.quotes_tagger``)
when its label probabilities are averaged with the CRF's.

    .venv/bin/python scripts/tune_quotes_mix.py ../shared/bench/quotes/polnear-train.jsonl.gz

Reads only the tenth of PolNeAR train that both training scripts hold out (``held_out``),
so neither model has learned from it; for each weight 0, 0.1 ... 1 it decodes every paragraph
and scores exact BIO span F1 per role, and prints the table and the weight with the best mean.
Run it after retraining either model, and set TAGGER_WEIGHT to what it prints.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from storydesk.analyse.nlp import load_pipeline
from storydesk.analyse.quotes import find_quotes
from storydesk.analyse.quotes_crf import ROLES, paragraphs
from storydesk.analyse.quotes_crf import label_probabilities as crf_label_probabilities
from storydesk.analyse.quotes_tagger import decode, label_probabilities
from storydesk.eval.quotes import count_spans, gold_labels, held_out, label_spans, prf, span_counts
from storydesk.eval.runs import iter_records

WEIGHTS = [round(0.1 * step, 1) for step in range(11)]


def held_out_scores(path: Path) -> dict[float, dict[str, float]]:
    """Span F1 per role over the held-out articles' paragraphs, for every weight."""
    counts = {weight: span_counts() for weight in WEIGHTS}
    records = [record for record in iter_records(path) if held_out(record)]
    for number, doc in enumerate(load_pipeline().pipe(r["text"] for r in records), 1):
        gold = gold_labels(doc, records[number - 1]["attributions"])
        tagger, crf = label_probabilities(doc), crf_label_probabilities(doc, find_quotes(doc, []))
        for weight in WEIGHTS:
            predicted = decode(doc, weight * tagger + (1 - weight) * crf)
            for tokens in paragraphs(doc):
                indices = [token.i for token in tokens]
                count_spans(counts[weight], label_spans([predicted[i] for i in indices]), label_spans([gold[i] for i in indices]))
        if number % 20 == 0:
            print(f"{number}/{len(records)} held-out articles", flush=True)
    return {weight: {role: 100 * prf(**count)["f1"] for role, count in by_role.items()} for weight, by_role in counts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("train_file", type=Path)
    scores = held_out_scores(parser.parse_args().train_file)
    print(f"{'tagger weight':>13}  " + "  ".join(f"{role:>7}" for role in ROLES) + "     mean")
    for weight, by_role in scores.items():
        print(f"{weight:>13.1f}  " + "  ".join(f"{by_role[role]:7.1f}" for role in ROLES) + f"  {np.mean(list(by_role.values())):7.1f}")
    best = max(scores, key=lambda weight: np.mean(list(scores[weight].values())))
    print(f"best: TAGGER_WEIGHT = {best}")


if __name__ == "__main__":
    main()
