"""Smoke test of the benchmark script (``make bench``) on a tiny generated corpus: every stage is
timed, rates are positive, and the JSON report matches the printed one. Not a timed test."""
from __future__ import annotations

import html
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

from conftest import ROOT

EXPECTED_STAGES = {
    "trafilatura.extract (baseline)",
    "extract_html",
    "visible_text",
    "clean_text (on visible text)",
    "spaCy nlp(text) (baseline)",
    "analyse (spaCy + our parts)",
    "find_entities",
    "find_quotes",
    "find_figures",
    "find_time_expressions",
    "trafilatura + spaCy (baseline)",
    "Desk.ingest (whole pipeline)",
}


def load_bench() -> ModuleType:
    """benchmarks/bench.py is a script, not part of the package: load it from its file."""
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_bench_times_every_stage_on_a_generated_corpus(tmp_path: Path, capsys) -> None:
    out = tmp_path / "bench.json"
    report = load_bench().main(["--pages", "2", "--bench-dir", str(tmp_path / "absent"), "--json", str(out)])
    rows = {row["stage"]: row for row in report["rows"]}
    assert set(rows) == EXPECTED_STAGES
    assert all(row["items"] == 2 and row["seconds"] > 0 and row["rate"] > 0 for row in rows.values())
    assert rows["analyse (spaCy + our parts)"]["baseline_rate"] == rows["spaCy nlp(text) (baseline)"]["rate"]
    assert report["peak_memory_mb"] > 0
    assert report["corpus"].startswith("SYNTHETIC")
    assert json.loads(out.read_text(encoding="utf-8")) == report
    printed = capsys.readouterr().out
    assert "Desk.ingest (whole pipeline)" in printed and "SYNTHETIC" in printed


def test_synthetic_corpus_is_the_same_every_time() -> None:
    bench = load_bench()
    first, second = bench.synthetic_corpus(3), bench.synthetic_corpus(3)
    assert first == second
    assert len(first.pages) == len(first.texts) == 3
    assert all(html.escape(text.splitlines()[0]) in page for text, page in zip(first.texts, first.pages))
