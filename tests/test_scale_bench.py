"""Smoke test of the scale benchmark (``make bench-scale``) on two tiny generated corpora: the
corpus is deterministic and free of copies, both phases are timed, every article is stored,
and the plot is written. Not a timed test."""
from __future__ import annotations

import gzip
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import ROOT


def load_scale() -> ModuleType:
    """benchmarks/scale.py is a script importing its sibling bench.py: load it from its file."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        spec = importlib.util.spec_from_file_location("scale_bench", ROOT / "benchmarks" / "scale.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return module


def test_generated_articles_are_the_same_every_time_and_all_different(tmp_path: Path) -> None:
    scale = load_scale()
    sources = scale.load_sources(tmp_path / "absent")
    assert sources.origin.startswith("GENERATED") and sources.texts
    first = [scale.article(n, 20, sources) for n in range(20)]
    assert first == [scale.article(n, 20, sources) for n in range(20)]
    assert len({a["text"] for a in first}) == 20 and len({a["source"] for a in first}) == 20
    assert first[0]["date"] == "2024-01-01" and first[-1]["date"] < "2025-01-01"


def test_a_corpus_is_reused_only_when_made_from_the_same_sources(tmp_path: Path) -> None:
    scale = load_scale()
    examples = scale.load_sources(tmp_path / "absent")
    other = scale.Sources(list(reversed(examples.texts)), "other texts")
    folder = tmp_path / "corpus-4"
    first = scale.write_corpus(folder, 4, 2, examples)
    first[0].write_bytes(b"kept")  # a complete corpus from the same sources is not rewritten
    assert scale.write_corpus(folder, 4, 2, examples) == first and first[0].read_bytes() == b"kept"
    again = scale.write_corpus(folder, 4, 2, other)
    with gzip.open(again[0], "rt", encoding="utf-8") as rewritten:
        assert json.loads(rewritten.readline()) == scale.article(0, 4, other) != scale.article(0, 4, examples)
    assert (folder / "ORIGIN").read_text(encoding="utf-8") == "other texts"


def test_scale_benchmark_processes_and_loads_every_article(tmp_path: Path, capsys, monkeypatch) -> None:
    scale = load_scale()
    references = []
    timed = scale.reference
    monkeypatch.setattr(scale, "reference", lambda *args: references.append(timed(*args)) or references[-1])
    out, plot = tmp_path / "scale.json", tmp_path / "scale.png"
    arguments = ["--sizes", "6", "3", "--per-file", "2", "--workers", "2", "--workdir", str(tmp_path / "work"),
                 "--bench-dir", str(tmp_path / "absent"), "--reference", "2", "--json", str(out), "--plot", str(plot)]
    measures = scale.main(arguments)
    assert [m.articles for m in measures] == [3, 6]
    assert all(m.outcomes.get("added") == m.articles and m.process_seconds > 0 and m.load_seconds > 0 for m in measures)
    assert all(m.stories >= 1 and m.peak_memory_mb > 100 for m in measures)
    assert all(len(m.reference_seconds) == 2 and min(m.reference_seconds) > 0 for m in measures)
    assert len(references) == 5 and references[1:] == [s for m in measures for s in m.reference_seconds]  # a warm-up first
    assert scale.paced_ms_per_article(measures[0], measures[0]) == pytest.approx(1000 * measures[0].total_seconds / 3)
    assert json.loads(out.read_text(encoding="utf-8"))["measures"][1]["articles"] == 6
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    printed = capsys.readouterr().out
    assert "(1.00 = linear)" in printed and "the same at the first size's pace" in printed

    added = scale.main([*arguments[:1], "4", *arguments[3:], "--add"])
    assert [m.articles for m in added] == [3, 4, 6] and added[0] == measures[0]
    written = json.loads(out.read_text(encoding="utf-8"))
    assert [row["articles"] for row in written["measures"]] == [3, 4, 6]
    assert set(scale.earlier_measures(out, written["corpus"], 2)) == {3, 4, 6}
    assert scale.earlier_measures(out, written["corpus"], 1) == {} == scale.earlier_measures(out, "other", 2)
