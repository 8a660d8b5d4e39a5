"""Benchmark metrics as pure functions: 4-gram shingle overlap for main text, trafilatura's
snippet lookups, day-level precision/recall/F1 for publication dates, and BCubed and pairwise
scores for clusterings (the definitions in ``bench/README.md``)."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

SHINGLE_SIZE = 4
TOKENISATION = (
    "lower-cased \\w+ tokens (Unicode); multiset of overlapping 4-token shingles (a text of 1-3 "
    "tokens is one shingle); exact match = identical token sequences"
)
_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")


def tokens(text: str) -> list[str]:
    """The lower-cased ``\\w+`` tokens of ``text``."""
    return _WORD.findall(text.lower())


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """The multiset of overlapping ``size``-token shingles; a text shorter than ``size`` tokens
    but not empty gives its whole token sequence as one shingle, so short texts still count."""
    words = tokens(text)
    if not words:
        return Counter()
    if len(words) < size:
        return Counter([tuple(words)])
    return Counter(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


@dataclass(frozen=True)
class PageScore:
    """Shingle precision and recall of one predicted text against its gold text."""

    precision: float
    recall: float
    exact: bool


def score_page(predicted: str, gold: str) -> PageScore:
    """Per-page shingle precision/recall; an empty side scores 0 unless both are empty (then 1)."""
    pred, ref = shingles(predicted), shingles(gold)
    exact = tokens(predicted) == tokens(gold)
    if not pred and not ref:
        return PageScore(1.0, 1.0, True)
    common = sum((pred & ref).values())
    precision = common / sum(pred.values()) if pred else 0.0
    recall = common / sum(ref.values()) if ref else 0.0
    return PageScore(precision, recall, exact)


def f1(precision: float, recall: float) -> float:
    """Harmonic mean, 0 when both are 0."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def summarise_pages(scores: Iterable[PageScore]) -> dict[str, float | int]:
    """Macro means of per-page P and R, the F1 of those means, and exact-match accuracy."""
    pages = list(scores)
    n = len(pages)
    if not n:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0, "exact_match": 0.0, "pages": 0}
    precision = sum(s.precision for s in pages) / n
    recall = sum(s.recall for s in pages) / n
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1(precision, recall),
        "exact_match": sum(s.exact for s in pages) / n,
        "pages": n,
    }


@dataclass(frozen=True)
class SnippetCounts:
    """One page's snippet lookups (trafilatura's evaluation): 'with' snippets found (tp) or
    missing (fn), 'without' snippets found (fp) or absent (tn)."""

    tp: int
    fn: int
    fp: int
    tn: int

    @property
    def accuracy(self) -> float:
        """Share of this page's snippets judged right (1 for a page without snippets)."""
        total = self.tp + self.fn + self.fp + self.tn
        return (self.tp + self.tn) / total if total else 1.0


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def score_snippets(predicted: str, must_contain: Iterable[str], must_not_contain: Iterable[str]) -> SnippetCounts:
    """Look every snippet up in the predicted text as a case-sensitive substring, whitespace runs
    collapsed on both sides; an empty prediction contains nothing."""
    text = _collapse(predicted)
    found = [bool(text) and _collapse(s) in text for s in must_contain]
    leaked = [bool(text) and _collapse(s) in text for s in must_not_contain]
    return SnippetCounts(sum(found), len(found) - sum(found), sum(leaked), len(leaked) - sum(leaked))


def summarise_snippets(pages: Iterable[SnippetCounts]) -> dict[str, float | int]:
    """Precision, recall, F1 and accuracy over all snippets of all pages, the shares of 'with'
    snippets found and 'without' snippets absent, and of pages right on each kind."""
    scored = list(pages)
    tp, fn, fp, tn = (sum(getattr(page, field) for page in scored) for field in ("tp", "fn", "fp", "tn"))
    n = len(scored)
    return {
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0,
        "accuracy": (tp + tn) / (tp + fn + fp + tn) if scored and tp + fn + fp + tn else 0.0,
        "without_absent": tn / (tn + fp) if tn + fp else 0.0,
        "pages_right_with": sum(page.fn == 0 for page in scored) / n if n else 0.0,
        "pages_right_without": sum(page.fp == 0 for page in scored) / n if n else 0.0,
        "snippets": tp + fn + fp + tn,
        "pages": n,
    }


def date_scores(pairs: Iterable[tuple[str | None, str | None]]) -> dict[str, float | int]:
    """Day-level date metrics over (predicted, gold) pairs, htmldate's way: a predicted day equal
    to gold is a true positive, a different day (or a day where gold has none) a false positive,
    no answer a false negative (a page with neither counts as a true negative)."""
    tp = fp = fn = tn = 0
    for predicted, gold in pairs:
        if predicted is None:
            fn += gold is not None
            tn += gold is None
        elif predicted == gold:
            tp += 1
        else:
            fp += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1(precision, recall),
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
        "true_negatives": tn,
        "pages": tp + fp + fn + tn,
    }


def _contingency(predicted: Sequence[Hashable], gold: Sequence[Hashable]) -> tuple[Counter, Counter, Counter]:
    """Sizes of predicted clusters, of gold clusters, and of their intersections."""
    if len(predicted) != len(gold):
        raise ValueError(f"{len(predicted)} predicted labels for {len(gold)} gold labels")
    return Counter(predicted), Counter(gold), Counter(zip(predicted, gold))


def bcubed(predicted: Sequence[Hashable], gold: Sequence[Hashable]) -> dict[str, float]:
    """BCubed precision, recall and F1 (Bagga and Baldwin 1998): per item, the share of its
    predicted cluster that is in its gold cluster (P) and the reverse (R), averaged over items."""
    pred_sizes, gold_sizes, both = _contingency(predicted, gold)
    n = len(predicted)
    if not n:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    precision = sum(k * k / pred_sizes[p] for (p, _), k in both.items()) / n
    recall = sum(k * k / gold_sizes[g] for (_, g), k in both.items()) / n
    return {"precision": precision, "recall": recall, "f1": f1(precision, recall)}


def pairwise(predicted: Sequence[Hashable], gold: Sequence[Hashable]) -> dict[str, float]:
    """Pairwise precision, recall and F1 over item pairs put in one cluster (a clustering of
    singletons has precision 0 by this convention)."""
    pred_sizes, gold_sizes, both = _contingency(predicted, gold)
    together, predicted_pairs, gold_pairs = _pairs(both), _pairs(pred_sizes), _pairs(gold_sizes)
    precision = together / predicted_pairs if predicted_pairs else 0.0
    recall = together / gold_pairs if gold_pairs else 0.0
    return {"precision": precision, "recall": recall, "f1": f1(precision, recall)}


def _pairs(sizes: Counter) -> int:
    return sum(k * (k - 1) // 2 for k in sizes.values())
