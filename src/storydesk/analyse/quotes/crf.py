"""Learned quote attribution: a linear-chain CRF (python-crfsuite) that labels each token of a
paragraph B/I-source, B/I-cue, B/I-content or O, trained on PolNeAR's training split by
``scripts/train_quotes_crf.py`` and shipped as ``storydesk/data/quotes_crf.model``.

Features are the parse (lemma, POS, dependency, head), the reporting-verb lexicon (distance to
the nearest cue, the branch of the cue a token hangs from), the quotation marks, and the rule
finder's own labels (stacking). ``find_quotes_learned`` turns the labelled spans into Quotes
(``decode.quotes_from_labels``).
"""
from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pycrfsuite
from spacy.tokens import Doc, Token

from storydesk import vocab
from storydesk.analyse.quotes.decode import LABELS, Layout, merge_quotes, paragraphs, quotes_from_labels, token_layout
from storydesk.analyse.quotes.parse import phrase_cues
from storydesk.analyse.quotes.rules import find_quotes
from storydesk.model import Mention, Quote

MODEL_FILE = "quotes_crf.model"
WINDOW = 2
MAX_ANCESTORS = 12  # a cue verb further up the tree than this does not govern the token
RULE_PRIORITY_KINDS = frozenset({"direct", "block"})  # what the combined system takes from the rules


# --- tokens, paragraphs and features ----------------------------------------------------------


@cache
def _cue_lemmas() -> frozenset[str]:
    return frozenset(vocab.load("quote_verbs.txt"))


def _shape(text: str) -> str:
    """Collapsed word shape: "Putin" -> "Xx", "2024" -> "d", "U.S." -> "X.X."."""
    shape = []
    for char in text:
        kind = "X" if char.isupper() else "x" if char.isalpha() else "d" if char.isdigit() else char
        if not shape or shape[-1] != kind:
            shape.append(kind)
    return "".join(shape[:6])


def _bucket(distance: int) -> str:
    return str(distance) if distance < 3 else "3-5" if distance < 6 else "6-10" if distance < 11 else "far"


def _rule_roles(doc: Doc, quotes: list[Quote]) -> list[str]:
    """The rule finder's role of every token ("content:direct", "source", "cue" or "O")."""
    roles = ["O"] * len(doc)
    for quote in quotes:
        for role, span in (("content:" + quote.kind, quote.content), ("source", quote.speaker), ("cue", quote.cue)):
            if span is not None:
                found = doc.char_span(span.start, span.end, alignment_mode="expand")
                for index in range(found.start, found.end) if found is not None else ():
                    roles[index] = role
    return roles


def _governing_cues(columns: "_Columns", cue_tokens: set[int]) -> list[str]:
    """For each token, the dependency branch by which it hangs from the nearest reporting verb
    above it ("nsubj", "ccomp", ...), "self" for the verb itself, "none" when no such verb
    governs it within MAX_ANCESTORS steps."""
    cue_lemmas, found = _cue_lemmas(), []
    for i in range(len(columns.lemma)):
        if columns.lemma[i] in cue_lemmas and columns.pos[i] in ("VERB", "AUX"):
            found.append("self")
            continue
        branch, child = "none", i
        for _ in range(MAX_ANCESTORS):
            head = columns.head[child]
            if head == child:
                break
            if columns.lemma[head] in cue_lemmas and columns.pos[head] == "VERB":
                branch = columns.dep[child]
                break
            child = head
        found.append(branch)
    return found


def _cue_distances(tokens: list[Token], cues: set[int]) -> list[str]:
    """For each token, the direction and bucketed distance to the nearest cue in its paragraph."""
    positions = [i for i, token in enumerate(tokens) if token.i in cues]
    found = []
    for i in range(len(tokens)):
        at = bisect.bisect_left(positions, i)
        before = i - positions[at - 1] if at > 0 else None
        after = positions[at] - i if at < len(positions) else None
        if before is None and after is None:
            found.append("none")
        elif after is not None and (before is None or after <= before):
            found.append("before:" + _bucket(after))
        else:
            found.append("after:" + _bucket(before))
    return found


@dataclass(frozen=True)
class _Columns:
    """The token attributes the features read, one list per attribute, read off the doc once:
    a spaCy Token is made anew at each access, which cost the CRF a third of its time."""

    lower: list[str]
    text: list[str]
    lemma: list[str]  # as spaCy gives it (the cue lexicon is matched on it)
    pos: list[str]
    tag: list[str]
    dep: list[str]
    ent_type: list[str]
    head: list[int]

    @classmethod
    def of(cls, doc: Doc) -> "_Columns":
        rows = [(t.lower_, t.text, t.lemma_, t.pos_, t.tag_, t.dep_, t.ent_type_, t.head.i) for t in doc]
        return cls(*(list(column) for column in zip(*rows))) if rows else cls(*([] for _ in range(8)))


@dataclass(frozen=True)
class _DocFacts(Layout):
    """What the features need about the whole doc, computed once."""

    rule_roles: list[str]
    cue_tokens: set[int]
    columns: _Columns
    governing: list[str]  # per token, ``_governing_cues``


def _doc_facts(doc: Doc, rule_quotes: list[Quote]) -> _DocFacts:
    columns = _Columns.of(doc)
    cues = {i for i, (lemma, pos) in enumerate(zip(columns.lemma, columns.pos)) if lemma in _cue_lemmas() and pos == "VERB"}
    cues |= {i for first, last in phrase_cues(doc) for i in range(first, last + 1)}
    return _DocFacts(
        **vars(token_layout(doc)), rule_roles=_rule_roles(doc, rule_quotes), cue_tokens=cues, columns=columns,
        governing=_governing_cues(columns, cues),
    )


def _own_features(i: int, facts: _DocFacts, distance: str, position: str) -> list[str]:
    """Token ``i``'s own features."""
    c = facts.columns
    head_lemma = c.lemma[c.head[i]].lower()
    return [
        "w=" + c.lower[i],
        "shape=" + _shape(c.text[i]),
        "suf=" + c.lower[i][-3:],
        "lemma=" + c.lemma[i].lower(),
        "pos=" + c.pos[i],
        "tag=" + c.tag[i],
        "dep=" + c.dep[i],
        "hlemma=" + head_lemma,
        "hpos=" + c.pos[c.head[i]],
        "dep_hlemma=" + c.dep[i] + "|" + head_lemma,
        "ent=" + c.ent_type[i],
        "cuelex=" + str(i in facts.cue_tokens),
        "gov=" + facts.governing[i],
        "dist=" + distance,
        "quoted=" + str(facts.inside_marks[i]),
        "sent=" + position,
        "rule=" + facts.rule_roles[i],
    ]


WINDOW_KEYS = ("w=", "pos=", "dep=", "rule=", "quoted=", "cuelex=", "gov=")


def _paragraph_features(tokens: list[Token], facts: _DocFacts) -> list[list[str]]:
    """Each token's own features plus a few of its neighbours' within ±WINDOW."""
    distances = _cue_distances(tokens, facts.cue_tokens)
    own = [_own_features(t.i, facts, distances[i], _sentence_position(t.i, facts)) for i, t in enumerate(tokens)]
    windowed = [[f for f in features if f.startswith(WINDOW_KEYS)] for features in own]
    rows = []
    for i, features in enumerate(own):
        row = list(features)
        for offset in range(-WINDOW, WINDOW + 1):
            if offset and 0 <= i + offset < len(tokens):
                row.extend(f"{offset}:{f}" for f in windowed[i + offset])
        if i == 0:
            row.append("BOP")
        if i == len(tokens) - 1:
            row.append("EOP")
        rows.append(row)
    return rows


def _sentence_position(index: int, facts: _DocFacts) -> str:
    """Where the token sits in its sentence: first, second, last, or inside."""
    if index == facts.sentence_start[index]:
        return "first"
    if index == facts.sentence_end[index]:
        return "last"
    return "second" if index == facts.sentence_start[index] + 1 else "inside"


def doc_features(doc: Doc, rule_quotes: list[Quote]) -> Iterator[tuple[list[Token], list[list[str]]]]:
    """Each paragraph's tokens and their feature rows (shared by training and labelling)."""
    facts = _doc_facts(doc, rule_quotes)
    for tokens in paragraphs(doc):
        yield tokens, _paragraph_features(tokens, facts)


# --- labelling --------------------------------------------------------------------------------


@cache
def _tagger() -> pycrfsuite.Tagger:
    """The packaged model, opened once per process."""
    tagger = pycrfsuite.Tagger()
    with resources.as_file(resources.files("storydesk.data").joinpath(MODEL_FILE)) as path:
        tagger.open(str(path))
    return tagger


def _labels(doc: Doc, rule_quotes: list[Quote]) -> list[str]:
    labels = ["O"] * len(doc)
    tagger = _tagger()
    for tokens, rows in doc_features(doc, rule_quotes):
        for token, label in zip(tokens, tagger.tag(rows)):
            labels[token.i] = label
    return labels


def label_tokens(doc: Doc) -> list[str]:
    """A BIO label (source, cue, content) for every token of the doc; space tokens are "O"."""
    return _labels(doc, find_quotes(doc, []))


def label_probabilities(doc: Doc, rule_quotes: list[Quote]) -> np.ndarray:
    """The CRF's marginal probability of each of LABELS at every token; space tokens are "O"."""
    probabilities = np.zeros((len(doc), len(LABELS)))
    probabilities[:, 0] = 1.0
    tagger = _tagger()
    known = set(tagger.labels())
    for tokens, rows in doc_features(doc, rule_quotes):
        tagger.set(rows)
        for position, token in enumerate(tokens):
            probabilities[token.i] = [tagger.marginal(label, position) if label in known else 0.0 for label in LABELS]
    return probabilities


def find_quotes_learned(doc: Doc, mentions: list[Mention]) -> list[Quote]:
    """Quotes found by the CRF (stacked on the rule finder's labels)."""
    return quotes_from_labels(doc, _labels(doc, find_quotes(doc, [])), mentions)


def find_quotes_combined(doc: Doc, mentions: list[Mention]) -> list[Quote]:
    """The rule finder's direct and block quotes, plus the CRF's quotes that overlap none of them."""
    rules = find_quotes(doc, mentions)
    kept = [quote for quote in rules if quote.kind in RULE_PRIORITY_KINDS]
    return merge_quotes(kept, quotes_from_labels(doc, _labels(doc, rules), mentions))
