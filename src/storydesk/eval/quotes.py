"""Evaluation of quote attribution on PolNeAR, in either of its two formats (``bench/README.md``):

- CofeNet sentences (``{"tokens", "labels", ...}``): exact-match span F1 per role (source, cue,
  content) over BIO labels, micro-averaged over instances;
- PolNeAR articles (``{"article", "text", "attributions", ...}``): attribution-pair
  precision/recall/F1 (content overlap >= half of the longer one's tokens, speaker overlapping
  the gold source or naming the same person), for direct quotes and for all quotes.
"""
from __future__ import annotations

import json
import re
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from storydesk.analyse.entities import find_entities
from storydesk.analyse.nlp import load_pipeline
from storydesk.analyse.quotes import QUOTE_FINDERS, find_quotes_with, quote_system, quote_system_for
from storydesk.analyse.quotes.decode import ROLES
from storydesk.eval.metrics import f1
from storydesk.eval.runs import Track, iter_records, untracked
from storydesk.extract.language import detect_language
from storydesk.model import Mention, Quote, Span

DIRECT_KINDS = frozenset({"direct", "block"})
HELD_OUT_EVERY = 10  # one training article in this many is held out (``held_out``)
PTB_TOKENS = {"``": "“", "''": "”", "-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}
QUOTE_TOKENS = frozenset({"``", "''", '"', "“", "”", "'", "‘", "’"})
OPENING_MARKS = frozenset({"``", "“", "‘"})
CLOSING_MARKS = QUOTE_TOKENS - OPENING_MARKS  # '' and straight marks close as well as open
CLOSING_PUNCT = frozenset({",", ".", "?", "!"})
_WORD = re.compile(r"\w+")
_NAME_WORD = re.compile(r"[A-Z][\w'’-]+")
Finder = Callable[[Doc, list[Mention]], list[Quote]]


def evaluate_quotes(
    path: Path,
    predictions: Path | None = None,
    limit: int | None = None,
    system: str | None = None,
    progress: Track = untracked,
) -> dict[str, Any]:
    """Score a quote finder (``system``: one of QUOTE_FINDERS; None: the configured one, as the
    analysis runs it) on a PolNeAR file of either format, reporting each record to ``progress``;
    optionally write predictions."""
    system = system or quote_system()
    records = list(iter_records(path, limit))
    if system not in QUOTE_FINDERS:
        raise ValueError(f"unknown quote system {system!r}: {', '.join(QUOTE_FINDERS)}")
    finder = partial(find_quotes_with, system)
    if records and "tokens" in records[0]:
        return {"system": system, **_evaluate_sentences(records, predictions, finder, progress)}
    return {"system": system, **_evaluate_articles(records, predictions, system, progress)}


def _analyse(text: str, finder: Finder) -> tuple[list[Quote], float]:
    """The quotes of an English ``text`` and the milliseconds spaCy and the quote finder took."""
    started = time.perf_counter()
    doc = load_pipeline()(text)
    quotes = finder(doc, find_entities(doc)[1])
    return quotes, (time.perf_counter() - started) * 1000


def _analyse_article(text: str, system: str) -> tuple[list[Quote], float]:
    """The quotes of an article in the language the extract stage detects, by the pipeline
    and finder the analysis takes for it (``system`` for English), and the milliseconds taken."""
    language = detect_language(text)
    started = time.perf_counter()
    doc = load_pipeline(language=language)(text)
    quotes = find_quotes_with(quote_system_for(language, system), doc, find_entities(doc)[1])
    return quotes, (time.perf_counter() - started) * 1000


# --- CofeNet sentences ------------------------------------------------------------------------


def _join_tokens(tokens: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Tokens joined by spaces (PTB brackets and quotes turned back into characters), with
    each token's character span."""
    pieces, offsets, position = [], [], 0
    for token in tokens:
        piece = PTB_TOKENS.get(token, token)
        offsets.append((position, position + len(piece)))
        pieces.append(piece)
        position += len(piece) + 1
    return " ".join(pieces), offsets


def _token_range(offsets: list[tuple[int, int]], span: Span) -> tuple[int, int] | None:
    """First and last token (inclusive) overlapping a character span."""
    inside = [i for i, (start, end) in enumerate(offsets) if start < span.end and end > span.start]
    return (inside[0], inside[-1]) if inside else None


def _with_marks(tokens: list[str], first: int, last: int) -> tuple[int, int]:
    """A content's token range widened as PolNeAR's annotators drew contents: to an opening mark
    just before it, and, when it holds a mark, to the closing mark after it with the punctuation
    before that mark (``that X “does not decrease.”``). In PolNeAR's training split a content with
    no opening mark of its own leaves the closing mark out (615 of 639 such contents), and 10 of
    17,832 end on an opening mark (CofeNet writes `` for those; '' serves both ways)."""
    if first > 0 and tokens[first - 1] in QUOTE_TOKENS:
        first -= 1
    if not any(token in QUOTE_TOKENS for token in tokens[first : last + 1]):
        return first, last
    if last + 2 < len(tokens) and tokens[last + 1] in CLOSING_PUNCT and tokens[last + 2] in CLOSING_MARKS:
        last += 1
    if last + 1 < len(tokens) and tokens[last + 1] in CLOSING_MARKS:
        last += 1
    return first, last


def predicted_labels(tokens: list[str], offsets: list[tuple[int, int]], quotes: list[Quote]) -> list[str]:
    """BIO labels over the tokens: the widest contents first, then the speakers and cues on top."""
    roles: list[str | None] = [None] * len(tokens)
    starts: set[int] = set()

    def paint(span: Span | None, role: str, marks: bool = False, overwrite: bool = False) -> None:
        found = _token_range(offsets, span) if span is not None else None
        if found is None:
            return
        first, last = _with_marks(tokens, *found) if marks else found
        if not overwrite and any(roles[first : last + 1]):
            return
        roles[first : last + 1] = [role] * (last - first + 1)
        starts.add(first)
        if last + 1 < len(tokens) and roles[last + 1] is not None:
            starts.add(last + 1)

    for quote in sorted(quotes, key=lambda q: q.content.start - q.content.end):
        paint(quote.content, "content", marks=True)
    for quote in quotes:
        paint(quote.speaker, "source", overwrite=True)
        paint(quote.cue, "cue", overwrite=True)
    return [
        "O" if role is None else ("B-" if i in starts or i == 0 or roles[i - 1] != role else "I-") + role
        for i, role in enumerate(roles)
    ]


def gold_labels(doc: Doc, attributions: list[dict[str, Any]]) -> list[str]:
    """BIO labels of the doc's tokens from the attributions' character spans, taken in order:
    a token keeps the first role painted on it."""
    roles: list[str | None] = [None] * len(doc)
    starts: set[int] = set()
    for attribution in attributions:
        for role in ROLES:
            for start, end in (attribution.get(role) or []):
                span = doc.char_span(start, end, alignment_mode="expand")
                free = [i for i in range(span.start, span.end) if roles[i] is None] if span is not None else []
                for i in free:
                    roles[i] = role
                if free:
                    starts.add(free[0])
    return ["O" if r is None else ("B-" if i in starts or i == 0 or roles[i - 1] != r else "I-") + r for i, r in enumerate(roles)]


def label_spans(labels: list[str]) -> set[tuple[int, int, str]]:
    """(first, last, role) of every BIO span; an I- without its B- starts a span."""
    spans, current = set(), None
    for i, label in enumerate([*labels, "O"]):
        tag, _, role = label.partition("-")
        if current and (tag != "I" or role != current[2]):
            spans.add((current[0], i - 1, current[2]))
            current = None
        if tag == "B" or (tag == "I" and current is None):
            current = (i, i, role)
    return spans


def _evaluate_sentences(
    records: list[dict[str, Any]], predictions: Path | None, finder: Finder, progress: Track
) -> dict[str, Any]:
    counts = span_counts()
    lines, total_ms = [], 0.0
    for record in progress(records, len(records), "sentences"):
        text, offsets = _join_tokens(record["tokens"])
        quotes, ms = _analyse(text, finder)
        total_ms += ms
        labels = predicted_labels(record["tokens"], offsets, quotes)
        lines.append(json.dumps({"id": record.get("id"), "labels": labels}))
        count_spans(counts, label_spans(labels), label_spans(record["labels"]))
    if predictions is not None:
        predictions.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    result: dict[str, Any] = {"format": "cofenet", "instances": len(records)}
    for role in ROLES:
        result[role] = prf(**counts[role])
    result["ms_per_instance"] = total_ms / len(records) if records else 0.0
    return result


def span_counts() -> dict[str, dict[str, int]]:
    """Zero true positives, false positives and false negatives per role, for ``count_spans``."""
    return {role: {"tp": 0, "fp": 0, "fn": 0} for role in ROLES}


def span_f1(counts: dict[str, dict[str, int]]) -> dict[str, float]:
    """F1 per role of ``count_spans``'s counts, in percent to one decimal."""
    return {role: round(100 * prf(**count)["f1"], 1) for role, count in counts.items()}


def held_out(record: dict[str, Any]) -> bool:
    """Whether a PolNeAR training article is in the tenth (by a CRC32 of its name) that the
    training scripts hold out, so that none of the learned finders has seen it."""
    return zlib.crc32(record["article"].encode()) % HELD_OUT_EVERY == 0


def count_spans(counts: dict[str, dict[str, int]], predicted: set, gold: set) -> None:
    """Add the true positives, false positives and false negatives of (first, last, role) spans per role."""
    for role in ROLES:
        mine = {s for s in predicted if s[2] == role}
        theirs = {s for s in gold if s[2] == role}
        counts[role]["tp"] += len(mine & theirs)
        counts[role]["fp"] += len(mine - theirs)
        counts[role]["fn"] += len(theirs - mine)


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    """Precision, recall and F1 of the counts, with the counts."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": precision, "recall": recall, "f1": f1(precision, recall), "tp": tp, "fp": fp, "fn": fn}


# --- PolNeAR articles -------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """A (speaker, content) attribution: content as a set of word positions."""

    speaker: list[tuple[int, int]]
    speaker_names: frozenset[str]
    content: frozenset[int]
    direct: bool


def _spans(role: Any) -> list[tuple[int, int]]:
    """Character spans of a role given as ``[[s, e], ...]`` or ``{"spans": [[s, e], ...]}``."""
    if not role:
        return []
    spans = role.get("spans", []) if isinstance(role, dict) else role
    return [(int(start), int(end)) for start, end in spans]


def _words(text: str, spans: list[tuple[int, int]]) -> frozenset[int]:
    """Start offsets of the \\w+ words inside the spans (a word's identity is its position)."""
    return frozenset(m.start() for start, end in spans for m in _WORD.finditer(text, start, end))


def _names(*texts: str | None) -> frozenset[str]:
    """The capitalised words of a speaker's text or canonical name, lower-cased."""
    return frozenset(w.lower() for text in texts if text for w in _NAME_WORD.findall(text.title() if text.islower() else text))


def _gold_pairs(record: dict[str, Any]) -> list[Pair]:
    text, pairs = record["text"], []
    for attribution in record.get("attributions", []):
        source, content = _spans(attribution.get("source")), _spans(attribution.get("content"))
        if not source or not content:
            continue
        name = " ".join(text[s:e] for s, e in source)
        pairs.append(Pair(source, _names(name), _words(text, content), attribution.get("quote_type") == "direct"))
    return pairs


def attributions(quotes: list[Quote]) -> list[list[Quote]]:
    """Quotes grouped into attributions: the parts sharing one cue (a multi-part direct quote,
    an indirect clause and the partial quotes inside it) form one."""
    groups: dict[tuple[int, int] | int, list[Quote]] = {}
    for index, quote in enumerate(quotes):
        key = (quote.cue.start, quote.cue.end) if quote.cue is not None else index
        groups.setdefault(key, []).append(quote)
    return list(groups.values())


def _predicted_pairs(text: str, groups: list[list[Quote]]) -> list[Pair]:
    pairs = []
    for group in groups:
        head = group[0]
        if head.speaker is None:
            continue
        entity_name = head.speaker_entity.partition(":")[2] if head.speaker_entity else None
        content = frozenset().union(*(_words(text, [(q.content.start, q.content.end)]) for q in group))
        direct = all(q.kind in DIRECT_KINDS for q in group)
        pairs.append(Pair([(head.speaker.start, head.speaker.end)], _names(head.speaker.text, entity_name), content, direct))
    return pairs


def _pair_matches(predicted: Pair, gold: Pair) -> bool:
    shared = len(predicted.content & gold.content)
    if not shared or shared < max(len(predicted.content), len(gold.content)) / 2:
        return False
    overlaps = any(ps < ge and pe > gs for ps, pe in predicted.speaker for gs, ge in gold.speaker)
    return overlaps or bool(predicted.speaker_names & gold.speaker_names)


def _match(predicted: list[Pair], gold: list[Pair]) -> int:
    """Greedy one-to-one matching; the number of matched pairs."""
    free, matched = list(gold), 0
    for pair in predicted:
        hit = next((g for g in free if _pair_matches(pair, g)), None)
        if hit is not None:
            free.remove(hit)
            matched += 1
    return matched


def _evaluate_articles(
    records: list[dict[str, Any]], predictions: Path | None, system: str, progress: Track
) -> dict[str, Any]:
    totals = {name: {"tp": 0, "predicted": 0, "gold": 0} for name in ("direct", "all")}
    lines, total_ms = [], 0.0
    for record in progress(records, len(records), "articles"):
        quotes, ms = _analyse_article(record["text"], system)
        total_ms += ms
        groups = attributions(quotes)
        lines.append(json.dumps({"article": record.get("article"), "attributions": [_as_json(g) for g in groups]}))
        predicted, gold = _predicted_pairs(record["text"], groups), _gold_pairs(record)
        for name, keep in (("direct", lambda p: p.direct), ("all", lambda p: True)):
            mine, theirs = [p for p in predicted if keep(p)], [g for g in gold if keep(g)]
            totals[name]["tp"] += _match(mine, theirs)
            totals[name]["predicted"] += len(mine)
            totals[name]["gold"] += len(theirs)
    if predictions is not None:
        predictions.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    result: dict[str, Any] = {"format": "polnear", "articles": len(records)}
    for name, t in totals.items():
        result[name] = prf(t["tp"], t["predicted"] - t["tp"], t["gold"] - t["tp"])
    result["ms_per_article"] = total_ms / len(records) if records else 0.0
    return result


def _as_json(group: list[Quote]) -> dict[str, Any]:
    """One attribution in the README's prediction format."""
    head = group[0]

    def role(spans: list[Span | None]) -> dict[str, Any] | None:
        present = [s for s in spans if s is not None]
        if not present:
            return None
        return {"spans": [[s.start, s.end] for s in present], "text": " ... ".join(s.text for s in present)}

    return {
        "source": role([head.speaker]),
        "cue": role([head.cue]),
        "content": role([q.content for q in group]),
        "speaker": head.speaker_entity.partition(":")[2] if head.speaker_entity else (head.speaker.text if head.speaker else None),
        "kind": "+".join(sorted({q.kind for q in group})),
    }
