"""Shared test fixtures: a fresh store, spaCy's pipeline, the bundled example corpus, and the
benchmark folder."""
from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from storydesk.analyse.nlp import load_pipeline
from storydesk.eval.quotes import label_spans
from storydesk.store import Store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "corpus"
BENCH = ROOT.parent / "shared" / "bench"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "test.db") as opened:
        yield opened


@pytest.fixture(scope="session")
def nlp() -> Language:
    return load_pipeline()


def labelled_texts(doc: Doc, labels: list[str], role: str) -> list[str]:
    """The texts of the BIO-labelled spans of one role, in order."""
    spans = sorted(span for span in label_spans(labels) if span[2] == role)
    return [" ".join(token.text for token in doc[first : last + 1]) for first, last, _ in spans]


def bench_file(*parts: str) -> Path:
    """A file of ../shared/bench, or a clean skip where the folder is absent."""
    path = BENCH.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"benchmark data not available: {path}")
    return path
