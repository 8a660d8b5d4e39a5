"""Train a small spaCy pipeline (rule sentencizer + NER) for one language, shipped at
src/storydesk/data/pipelines/<lang>/, for languages with no licence-compatible pipeline to install.

    OMP_NUM_THREADS=1 nice -n 15 .venv/bin/python scripts/train_pipeline.py de \\
        --germeval NER-de-dev.tsv NER-de-test.tsv --work /tmp/pipeline-de

Corpora are read in their published column formats and their labels mapped to the ones
storydesk's entity code handles (``LABELS`` per format); labels with no counterpart become O.
Every sentence is put in one split by a CRC32 of its text: 10% held-out test (never trained or
tuned on), 5% dev (spaCy's evaluation during training, and the early stop), the rest train (at
most ``--max-train`` sentences). ``spacy train`` runs on CPU with a fixed seed and a small hash-
embedding tok2vec with no static vectors; the best model on dev is scored on the test split,
and its scores go into the pipeline's meta.json.
"""
from __future__ import annotations

import argparse
import json
import shutil
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.cli.train import train as spacy_train
from spacy.tokens import Doc, DocBin
from spacy.training import Example

OUT_ROOT = Path(__file__).resolve().parents[1] / "src" / "storydesk" / "data" / "pipelines"
TEST_BUCKETS, DEV_BUCKETS, BUCKETS = 2, 1, 20  # 10% test, 5% dev, 85% train
SEED = 0

# GermEval 2014 (NoSta-D): outer spans only. LOCderiv are the adjectives of places ("deutsche",
# "Berliner"), what en_core_web_sm calls NORP; OTH (works, events, languages...), *part and the
# other *deriv classes have no counterpart in storydesk's entity code and are left out.
GERMEVAL_LABELS = {"PER": "PERSON", "ORG": "ORG", "LOC": "GPE", "LOCderiv": "NORP"}
SOURCES = {
    "de": {
        "name": "GermEval 2014 NER (NoSta-D), Benikova, Biemann and Reznicek, LREC 2014",
        "url": "https://sites.google.com/site/germeval2014ner/",
        "license": "CC BY 4.0",
    },
}

CONFIG = """
[paths]
train = null
dev = null

[system]
seed = {seed}
gpu_allocator = null

[nlp]
lang = "{lang}"
pipeline = ["sentencizer","ner"]
batch_size = 256

[components]

[components.sentencizer]
factory = "sentencizer"

[components.ner]
factory = "ner"
moves = null
update_with_oracle_cut_size = 100

[components.ner.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = 64
maxout_pieces = 2
use_upper = true
nO = null

[components.ner.model.tok2vec]
@architectures = "spacy.Tok2Vec.v2"

[components.ner.model.tok2vec.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = 96
attrs = ["NORM","PREFIX","SUFFIX","SHAPE"]
rows = [5000,1000,2500,2500]
include_static_vectors = false

[components.ner.model.tok2vec.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = 96
depth = 4
window_size = 1
maxout_pieces = 3

[corpora]

[corpora.train]
@readers = "spacy.Corpus.v1"
path = ${{paths.train}}

[corpora.dev]
@readers = "spacy.Corpus.v1"
path = ${{paths.dev}}

[training]
seed = ${{system.seed}}
gpu_allocator = null
dropout = 0.1
accumulate_gradient = 1
patience = {patience}
max_epochs = 0
max_steps = {max_steps}
eval_frequency = {eval_frequency}
frozen_components = []
annotating_components = []
dev_corpus = "corpora.dev"
train_corpus = "corpora.train"

[training.batcher]
@batchers = "spacy.batch_by_words.v1"
discard_oversize = false
tolerance = 0.2

[training.batcher.size]
@schedules = "compounding.v1"
start = 100
stop = 1000
compound = 1.001

[training.optimizer]
@optimizers = "Adam.v1"
beta1 = 0.9
beta2 = 0.999
L2_is_weight_decay = true
L2 = 0.01
grad_clip = 1.0
use_averages = true
eps = 0.00000001
learn_rate = 0.001

[training.score_weights]
ents_f = 1.0
ents_p = 0.0
ents_r = 0.0
ents_per_type = null

[initialize]
vectors = null
"""


@dataclass(frozen=True)
class Sentence:
    """One annotated sentence: its words and a BIO tag per word, in storydesk's labels."""

    words: list[str]
    tags: list[str]


def read_germeval(path: Path) -> Iterator[Sentence]:
    """Sentences of a GermEval 2014 TSV file (index, token, outer tag, nested tag), mapped."""
    words: list[str] = []
    tags: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines() + [""], start=1):
        if line.startswith("#"):
            continue
        if not line.strip():
            if words:
                yield Sentence(words, tags)
            words, tags = [], []
            continue
        cols = line.split("\t")
        if len(cols) < 3:
            raise SystemExit(f"{path}:{number}: not a GermEval line (index, token, outer tag, nested tag)")
        words.append(cols[1])
        tags.append(_mapped(cols[2], GERMEVAL_LABELS))


def _mapped(tag: str, labels: dict[str, str]) -> str:
    if tag == "O" or tag[2:] not in labels:
        return "O"
    return f"{tag[:2]}{labels[tag[2:]]}"


def bio_fixed(tags: list[str]) -> list[str]:
    """Tags with an I- that does not continue a span of its label turned into a B- (dropping a
    label can orphan an I-, and spaCy rejects those)."""
    fixed = []
    for i, tag in enumerate(tags):
        if tag.startswith("I-") and (i == 0 or fixed[-1][2:] != tag[2:]):
            tag = "B-" + tag[2:]
        fixed.append(tag)
    return fixed


def bucket(sentence: Sentence) -> int:
    return zlib.crc32(" ".join(sentence.words).encode("utf-8")) % BUCKETS


def split(sentences: list[Sentence], max_train: int) -> dict[str, list[Sentence]]:
    """The sentences by split (test, dev, train), each sentence text once."""
    seen: set[str] = set()
    parts: dict[str, list[Sentence]] = {"test": [], "dev": [], "train": []}
    for sentence in sentences:
        text = " ".join(sentence.words)
        if text in seen:
            continue
        seen.add(text)
        b = bucket(sentence)
        parts["test" if b < TEST_BUCKETS else "dev" if b < TEST_BUCKETS + DEV_BUCKETS else "train"].append(sentence)
    parts["train"] = parts["train"][:max_train]
    return parts


def to_docbin(nlp: spacy.language.Language, sentences: list[Sentence], path: Path) -> None:
    docs = DocBin()
    for s in sentences:
        doc = Doc(nlp.vocab, words=s.words, ents=bio_fixed(s.tags))
        docs.add(doc)
    docs.to_disk(path)


def held_out_scores(model: Path, test: Path) -> dict[str, object]:
    """NER precision, recall and F1 (overall and per label) of ``model`` on the test DocBin,
    the text re-tokenised by the pipeline's own tokenizer."""
    nlp = spacy.load(model)
    refs = list(DocBin().from_disk(test).get_docs(nlp.vocab))
    examples = [Example(nlp.make_doc(ref.text), ref) for ref in refs]
    scores = nlp.evaluate(examples)
    return {k: scores[k] for k in ("ents_p", "ents_r", "ents_f", "ents_per_type")} | {"sentences": len(refs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lang", choices=sorted(SOURCES))
    parser.add_argument("--germeval", nargs="+", type=Path, default=[], help="GermEval 2014 TSV files")
    parser.add_argument("--work", type=Path, required=True, help="folder for the splits and checkpoints")
    parser.add_argument("--max-train", type=int, default=40000)
    parser.add_argument("--max-steps", type=int, default=4000)
    parser.add_argument("--patience", type=int, default=1000)
    parser.add_argument("--eval-frequency", type=int, default=200)
    args = parser.parse_args()
    for path in args.germeval:
        if not path.is_file():
            parser.error(f"{path}: no such file")

    sentences = [s for path in args.germeval for s in read_germeval(path)]
    if not sentences:
        parser.error("no sentences read: give at least one corpus file")
    parts = split(sentences, args.max_train)
    args.work.mkdir(parents=True, exist_ok=True)
    blank = spacy.blank(args.lang)
    for name, part in parts.items():
        to_docbin(blank, part, args.work / f"{name}.spacy")
    print({name: len(part) for name, part in parts.items()})

    config = args.work / "config.cfg"
    config.write_text(
        CONFIG.format(
            seed=SEED, lang=args.lang, patience=args.patience, max_steps=args.max_steps,
            eval_frequency=args.eval_frequency,
        ),
        encoding="utf-8",
    )
    started = time.perf_counter()
    spacy_train(
        config, args.work / "model",
        overrides={"paths.train": str(args.work / "train.spacy"), "paths.dev": str(args.work / "dev.spacy")},
    )
    minutes = (time.perf_counter() - started) / 60
    package(args.lang, args.work, {name: len(part) for name, part in parts.items()}, minutes)


def package(lang: str, work: Path, counts: dict[str, int], minutes: float) -> None:
    """Score the best checkpoint in ``work`` on the test split and write it, with its scores
    and training facts in meta.json, to the package's pipelines folder (replacing what was there)."""
    best = work / "model" / "model-best"
    scores = held_out_scores(best, work / "test.spacy")
    nlp = spacy.load(best)
    nlp.config["paths"]["train"] = nlp.config["paths"]["dev"] = None  # the work folder's, not shipped
    nlp.meta.update({
        "name": f"storydesk_{lang}",
        "version": "1.0.0",
        "license": "CC BY 4.0 (see LICENSE)",
        "description": "Rule sentencizer and NER trained by scripts/train_pipeline.py",
        "sources": [SOURCES[lang]],
        "storydesk_training": {"sentences": counts, "minutes": round(minutes, 1), "held_out": scores},
    })
    out = OUT_ROOT / lang
    for stale in ("vocab", "ner"):
        shutil.rmtree(out / stale, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    # Without the vocabulary (every word type seen in training): the hash embeddings need no
    # strings, and the held-out scores are the same without it.
    nlp.to_disk(out, exclude=["vocab"])
    print(json.dumps(scores, indent=1))
    print(f"written {out}")


if __name__ == "__main__":
    main()
