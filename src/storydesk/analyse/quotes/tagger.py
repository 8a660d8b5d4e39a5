"""Learned quote attribution with a small transformer: all-MiniLM-L6-v2 (6 layers, 22M
parameters) fine-tuned on PolNeAR's training split to label word pieces B/I-source, B/I-cue,
B/I-content or O (``scripts/train_quotes_tagger.py``), shipped int8-quantised as ONNX in
``storydesk/data`` and run with onnxruntime, one window at a time, so no deep-learning framework
is needed at run time.

Each spaCy token takes the label probabilities of its first word piece (the models' average,
when more than one is listed), averaged with the CRF's (``crf.py``); the best valid BIO sequence is decoded, each
step between labels weighed by how often it occurs in PolNeAR train's paragraphs, and
``decode.quotes_from_labels`` (shared with the CRF) turns the labelled spans into Quotes, to which the
rule finder's block quotes are added.
"""
from __future__ import annotations

import bisect
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import onnxruntime
from scipy.special import softmax
from spacy.tokens import Doc, Token
from tokenizers import Tokenizer

from storydesk.analyse.quotes.crf import label_probabilities as crf_label_probabilities
from storydesk.analyse.quotes.decode import LABELS, merge_quotes, paragraphs, quotes_from_labels
from storydesk.analyse.quotes.parse import text_of
from storydesk.analyse.quotes.rules import find_quotes, within_any
from storydesk.model import Mention, Quote

# The models whose label probabilities are averaged. Seed 1's model was dropped: averaging it
# with seed 0's doubled the encoder's time (181% of spaCy's instead of 85%, CPU, bench's 40
# texts) for PolNeAR dev pairs of 86.0 / 75.0 (direct / all F1) instead of 85.4 / 74.9.
MODEL_FILES = ("quotes_tagger_seed0.onnx",)
TOKENIZER_FILE = "quotes_tagger_tokenizer.json"
MAX_PIECES = 250  # word pieces per window, as in training (the model takes 512 with [CLS] and [SEP])
# Each window runs alone: padding windows of one article to a common length cost more than the
# calls it saved (one model, CPU: 79% of spaCy's time alone, 130% batched by 16, 237% by 64).
# The tagger's share when its label probabilities are averaged with the CRF's: the best of 0, 0.1
# ... 1 on the tenth of PolNeAR train that neither model learned from (scripts/tune_quotes_mix.py).
TAGGER_WEIGHT = 0.7
# The label-to-label log-probabilities of PolNeAR train's paragraphs (all but the held-out tenth;
# written by scripts/tune_quotes_mix.py) and their share of a path's score, chosen there with
# TAGGER_WEIGHT: the token-by-token probabilities know nothing of the labels around them, and a
# little of what the training labels show of spans' shapes mends boundaries.
TRANSITIONS_FILE = "quotes_tagger_transitions.json"
TRANSITION_STRENGTH = 0.15
# The encoder reads only sentences where an attribution can be: those with a token the CRF (which
# reads the whole article at a fifth of the encoder's cost) gives at least this probability of
# being part of one. Elsewhere the CRF's probabilities stand alone. On the held-out tenth of
# PolNeAR train (`scripts/tune_quotes_mix.py --gates`), 0.6 sends 77% of the word pieces through
# the encoder for the span F1 of sending all (mean over roles 72.5); 0.7 sends 75% and loses 0.7.
GATE = 0.6
FLOOR = 1e-12  # the least probability decoded, so that log() stays finite


@dataclass(frozen=True)
class _Window:
    """A run of tokens labelled together (a paragraph, or as many of its sentences as fit) with
    its word-piece ids and, per token, the index of its first piece (None: no piece, e.g. a
    control character the tokenizer drops)."""

    tokens: list[Token]
    piece_ids: list[int]
    first_piece: list[int | None]


@cache
def _tokenizer() -> Tokenizer:
    """The fine-tuned model's WordPiece tokenizer; the file's 128-piece truncation and padding are
    the base model's sentence-embedding settings, turned off because windows are cut here."""
    tokenizer = Tokenizer.from_str(resources.files("storydesk.data").joinpath(TOKENIZER_FILE).read_text("utf-8"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


@cache
def _sessions() -> list[onnxruntime.InferenceSession]:
    """The packaged models, opened once per process with one thread each: the engines run one
    process per core, as spaCy uses one."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    data = resources.files("storydesk.data")
    return [
        onnxruntime.InferenceSession(data.joinpath(name).read_bytes(), options, providers=["CPUExecutionProvider"])
        for name in MODEL_FILES
    ]


def _sentence_runs(tokens: list[Token]) -> Iterator[list[Token]]:
    """A paragraph's tokens cut where a sentence starts."""
    run: list[Token] = []
    for token in tokens:
        if run and token.is_sent_start:
            yield run
            run = []
        run.append(token)
    if run:
        yield run


def _encode(doc: Doc, tokens: list[Token]) -> tuple[list[int], list[int | None]]:
    """The word pieces of the text the tokens cover, and each token's first piece."""
    start = tokens[0].idx
    encoding = _tokenizer().encode(text_of(doc)[start : tokens[-1].idx + len(tokens[-1])], add_special_tokens=False)
    piece_ends = [end for _, end in encoding.offsets]
    first_piece = []
    for token in tokens:
        at = bisect.bisect_right(piece_ends, token.idx - start)
        first_piece.append(at if at < len(piece_ends) and encoding.offsets[at][0] < token.idx - start + len(token) else None)
    return encoding.ids, first_piece


def _windows(doc: Doc, attend: np.ndarray | None = None) -> Iterator[_Window]:
    """Each paragraph as one window, or its sentences packed into windows of at most MAX_PIECES
    pieces (a longer sentence is cut at MAX_PIECES); with ``attend`` (a flag per token), only the
    sentences holding a flagged token, a window ending where a sentence is left out."""
    for paragraph in paragraphs(doc):
        tokens, ids, firsts = [], [], []
        for run in _sentence_runs(paragraph):
            if attend is not None and not attend[[token.i for token in run]].any():
                if tokens:
                    yield from _cut(_Window(tokens, ids, firsts))
                tokens, ids, firsts = [], [], []
                continue
            run_ids, run_firsts = _encode(doc, run)
            if tokens and len(ids) + len(run_ids) > MAX_PIECES:
                yield from _cut(_Window(tokens, ids, firsts))
                tokens, ids, firsts = [], [], []
            firsts.extend(None if f is None else f + len(ids) for f in run_firsts)
            tokens.extend(run)
            ids.extend(run_ids)
        if tokens:
            yield from _cut(_Window(tokens, ids, firsts))


def _cut(window: _Window) -> Iterator[_Window]:
    """The window, or consecutive pieces of it of at most MAX_PIECES pieces each."""
    for offset in range(0, max(len(window.piece_ids), 1), MAX_PIECES):
        keep = [i for i, f in enumerate(window.first_piece) if f is None or offset <= f < offset + MAX_PIECES]
        if offset and keep and window.first_piece[keep[0]] is None:
            keep = keep[1:]  # a piece-less token between windows belongs to the earlier one
        yield _Window(
            [window.tokens[i] for i in keep],
            window.piece_ids[offset : offset + MAX_PIECES],
            [None if window.first_piece[i] is None else window.first_piece[i] - offset for i in keep],
        )


def _piece_probabilities(window: _Window, tokenizer: Tokenizer) -> np.ndarray:
    """The probability of every label for every piece of the window."""
    ids = np.array([[tokenizer.token_to_id("[CLS]"), *window.piece_ids, tokenizer.token_to_id("[SEP]")]], dtype=np.int64)
    inputs = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
    return np.mean([softmax(session.run(None, inputs)[0][0, 1:-1], axis=-1) for session in _sessions()], axis=0)


def _allowed_after(previous: str, label: str) -> bool:
    """BIO's one rule: an inside label continues a span of its own role."""
    return not label.startswith("I-") or previous[2:] == label[2:]


_TRANSITION = np.array([[0.0 if _allowed_after(a, b) else -np.inf for b in LABELS] for a in LABELS])
_START = np.array([0.0 if _allowed_after("O", label) else -np.inf for label in LABELS])


@dataclass(frozen=True)
class StepScores:
    """What a label path scores besides its labels' own log-probabilities: at its first label
    (``start``) and at each step from one label to the next (``transition[previous, next]``)."""

    start: np.ndarray
    transition: np.ndarray


BIO_ONLY = StepScores(_START, _TRANSITION)


@cache
def _training_steps() -> dict[str, list]:
    """The log-probabilities of the first label and of each label after another in PolNeAR
    train's paragraphs, as ``scripts/tune_quotes_mix.py`` wrote them."""
    steps = json.loads(resources.files("storydesk.data").joinpath(TRANSITIONS_FILE).read_text("utf-8"))
    if steps["labels"] != list(LABELS):
        raise ValueError(f"{TRANSITIONS_FILE} is for the labels {steps['labels']}, not {list(LABELS)}")
    return steps


def step_scores(strength: float = TRANSITION_STRENGTH) -> StepScores:
    """BIO's rule plus ``strength`` times the training paragraphs' label log-probabilities."""
    if strength == 0:
        return BIO_ONLY
    steps = _training_steps()
    return StepScores(_START + strength * np.array(steps["start"]), _TRANSITION + strength * np.array(steps["transitions"]))


def best_path(scores: np.ndarray, steps: StepScores = BIO_ONLY) -> list[int]:
    """The best label sequence that is valid BIO (Viterbi over the tokens' label log-probabilities
    and the steps' scores). Taking each token's best label alone leaves holes and stray inside
    labels that split one content into several; the run-time libraries offer no constrained
    decoding over given scores without a deep-learning framework, hence these lines."""
    total = scores[0] + steps.start
    back = np.zeros(scores.shape, dtype=np.int64)
    for t in range(1, len(scores)):
        candidates = total[:, None] + steps.transition
        back[t] = candidates.argmax(0)
        total = candidates.max(0) + scores[t]
    path = [int(total.argmax())]
    for t in range(len(scores) - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]


def label_probabilities(doc: Doc, fallback: np.ndarray | None = None, attend: np.ndarray | None = None) -> np.ndarray:
    """The tagger's probability of each of LABELS at every token (its first piece's) of the
    sentences ``attend`` flags (``_windows``; all when None); a token left out or without a piece
    (a space, a character the tokenizer drops) keeps its row of ``fallback`` (no preference when
    None)."""
    probabilities = np.full((len(doc), len(LABELS)), 1 / len(LABELS)) if fallback is None else fallback.copy()
    for window in _windows(doc, attend):
        if not window.piece_ids:
            continue
        pieces = _piece_probabilities(window, _tokenizer())
        for token, first in zip(window.tokens, window.first_piece):
            if first is not None:
                probabilities[token.i] = pieces[first]
    return probabilities


def decode(doc: Doc, probabilities: np.ndarray, strength: float = TRANSITION_STRENGTH) -> list[str]:
    """The best valid BIO labels of each paragraph's tokens (``best_path`` with ``step_scores``);
    space tokens are "O"."""
    labels, steps = ["O"] * len(doc), step_scores(strength)
    for tokens in paragraphs(doc):
        path = best_path(np.log(np.maximum(probabilities[[token.i for token in tokens]], FLOOR)), steps)
        for token, label in zip(tokens, path):
            labels[token.i] = LABELS[label]
    return labels


def mixed_probabilities(doc: Doc, rule_quotes: list[Quote], tagger_weight: float = TAGGER_WEIGHT) -> np.ndarray:
    """The tagger's label probabilities averaged with the CRF's (which sees the parse, the
    reporting-verb lexicon and the rule finder's labels, which the tagger does not), in the
    sentences the CRF says may hold an attribution (``GATE``); the CRF's alone elsewhere."""
    crf = crf_label_probabilities(doc, rule_quotes)
    tagger = label_probabilities(doc, fallback=crf, attend=may_attribute(crf))
    return tagger_weight * tagger + (1 - tagger_weight) * crf


def may_attribute(crf: np.ndarray, gate: float = GATE) -> np.ndarray:
    """Per token, whether the CRF gives it at least ``gate`` probability of being in an attribution."""
    return crf[:, LABELS.index("O")] <= 1 - gate


def label_tokens(doc: Doc, rule_quotes: list[Quote] | None = None) -> list[str]:
    """A BIO label (source, cue, content) for every token of the doc; space tokens are "O"."""
    rule_quotes = find_quotes(doc, []) if rule_quotes is None else rule_quotes
    return decode(doc, mixed_probabilities(doc, rule_quotes))


def find_quotes_tagged(doc: Doc, mentions: list[Mention]) -> list[Quote]:
    """Quotes found by the fine-tuned transformer with the CRF, and the rule finder's block quotes
    (paragraphs in the speaker's voice that lost their marks, which PolNeAR, where they keep
    them, cannot teach): a block replaces the tagged quotes inside it (they are its speaker's
    words), and is dropped where a tagged quote reaches beyond it."""
    rules = find_quotes(doc, mentions)
    blocks = [quote for quote in rules if quote.kind == "block"]
    tagged = quotes_from_labels(doc, label_tokens(doc, rules), mentions)
    return merge_quotes([quote for quote in tagged if not within_any(quote, blocks)], blocks)
