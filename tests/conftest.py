"""Shared test fixtures: a fresh store, the bundled example corpus, and the benchmark folder."""
from __future__ import annotations

from pathlib import Path

import pytest

from storydesk.store import Store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "corpus"
BENCH = ROOT.parent / "shared" / "bench"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "test.db") as opened:
        yield opened


def bench_file(*parts: str) -> Path:
    """A file of ../shared/bench, or a clean skip where the folder is absent."""
    path = BENCH.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"benchmark data not available: {path}")
    return path
