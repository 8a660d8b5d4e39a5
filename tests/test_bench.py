"""Smoke test of the benchmark script (``make bench``) on a tiny generated corpus: every stage is
timed, the parallel group included, rates are positive, and the JSON report matches the printed
one. Not a timed test."""
from __future__ import annotations

import html
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from conftest import ROOT

from storydesk import scale

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
PARALLEL_STAGES = {f"process {engine}, {count}" for engine in ("local", "dask") for count in ("1 worker", "2 workers")}


def load_bench() -> ModuleType:
    """benchmarks/bench.py is a script, not part of the package: load it from its file."""
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_bench_times_every_stage_on_a_generated_corpus(tmp_path: Path, capsys) -> None:
    out = tmp_path / "bench.json"
    arguments = ["--pages", "2", "--pages-per-shard", "1", "--bench-dir", str(tmp_path / "absent"), "--json", str(out)]
    report = load_bench().main(arguments)
    rows = {row["stage"]: row for row in report["rows"]}
    assert set(rows) == EXPECTED_STAGES | PARALLEL_STAGES
    assert all(row["items"] == 2 and row["seconds"] > 0 and row["rate"] > 0 for row in rows.values())
    assert rows["analyse (spaCy + our parts)"]["baseline_rate"] == rows["spaCy nlp(text) (baseline)"]["rate"]
    baseline_rate = rows["trafilatura + spaCy (baseline)"]["rate"]
    for stage in PARALLEL_STAGES:
        row = rows[stage]
        assert row["baseline_rate"] == baseline_rate and row["ratio"] > 0 and row["speedup"] > 0
        assert row["startup_seconds"] > 0 and row["peak_memory_mb"] > report["peak_memory_mb"] / 2
    assert set(report["parallel_speedup"]) == {"local", "dask"} and report["shards"] == 2
    assert report["parallel_speedup"]["dask"] == rows["process dask, 2 workers"]["speedup"]
    assert report["peak_memory_mb"] > 0
    assert report["corpus"].startswith("SYNTHETIC")
    assert json.loads(out.read_text(encoding="utf-8")) == report
    printed = capsys.readouterr().out
    assert "Desk.ingest (whole pipeline)" in printed and "SYNTHETIC" in printed
    assert "[parallel]" in printed and "speedup 1 -> 2 workers: local " in printed and "(target 1.8)" in printed
    assert report["quote_finder"] == "tagger" and "quote finder: tagger" in printed


def test_bench_times_the_quote_finder_the_configuration_names(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("STORYDESK_QUOTES", "learned")
    report = load_bench().main(["--pages", "1", "--no-parallel", "--bench-dir", str(tmp_path / "absent")])
    assert report["quote_finder"] == "learned" and "quote finder: learned" in capsys.readouterr().out
    assert {row["stage"] for row in report["rows"]} == EXPECTED_STAGES


def test_analysis_only_times_spacy_against_the_analysis_and_reports_the_ratio(tmp_path: Path, capsys) -> None:
    report = load_bench().main(["--pages", "1", "--analysis-only", "--bench-dir", str(tmp_path / "absent")])
    analysis = {"spaCy nlp(text) (baseline)", "analyse (spaCy + our parts)", "find_entities", "find_quotes",
                "find_figures", "find_time_expressions"}
    assert {row["stage"] for row in report["rows"]} == analysis and report["shards"] is None
    ratio = 1 + report["analysis_added_share"]
    assert f"the whole analysis takes {ratio:.2f} times spaCy's time wall" in capsys.readouterr().out


def test_speedup_is_over_the_same_engines_one_worker_row() -> None:
    bench = load_bench()
    rows = [bench.Row("ingest", bench.INGEST_BASELINE, 10, 10.0, 9.0)] + [
        bench.Row("parallel", bench.process_stage(engine, workers), 10, seconds, None, bench.INGEST_BASELINE,
                  engine=engine, workers=workers, startup_seconds=1.0, peak_memory_mb=900.0)
        for engine, workers, seconds in (("local", 1, 8.0), ("local", 2, 5.0), ("dask", 1, 10.0), ("dask", 2, 4.0))
    ]
    table = bench.summarise(rows)
    assert bench.speedups(table) == {"local": 1.6, "dask": 2.5}
    assert [row["ratio"] for row in table[1:]] == [1.25, 2.0, 1.0, 2.5]
    assert table[1]["added_cpu_share"] is None and "speedup 1 -> 2 workers: local 1.60, dask 2.50" in "".join(
        bench._parallel_notes({"shards": 3, "pages_per_shard": 2, "parallel_speedup": bench.speedups(table)}))


def test_repeated_parallel_runs_take_the_settings_in_turn_and_keep_each_best(tmp_path: Path, monkeypatch) -> None:
    bench = load_bench()
    order: list[tuple[str, int]] = []
    seconds = iter([8.0, 5.0, 9.0, 4.0, 7.0, 6.0, 10.0, 4.5])

    def fake_run(engine: str):
        def run(paths, first, out, workers):
            order.append((engine, workers))
            return bench.ParallelRun(next(seconds), startup_seconds=float(len(order)), peak_bytes=len(order) * 2**20)
        return run

    monkeypatch.setattr(bench.scale, "process", lambda *args, **kwargs: None)
    monkeypatch.setattr(bench, "_local_run", fake_run("local"))
    monkeypatch.setattr(bench, "_dask_run", fake_run("dask"))
    corpus = bench.synthetic_corpus(3)
    rows = bench.bench_parallel(corpus, tmp_path, repeat=2, per_shard=2)
    assert order == [("local", 1), ("local", 2), ("dask", 1), ("dask", 2)] * 2
    assert [(row.stage, row.seconds, row.startup_seconds, row.peak_memory_mb) for row in rows] == [
        ("process local, 1 worker", 7.0, 1.0, 5.0), ("process local, 2 workers", 5.0, 2.0, 6.0),
        ("process dask, 1 worker", 9.0, 3.0, 7.0), ("process dask, 2 workers", 4.0, 4.0, 8.0)]


def test_shards_are_jsonl_files_of_the_pages(tmp_path: Path) -> None:
    pages = [f"<html><body><p>Page {number}</p></body></html>" for number in range(5)]
    paths = load_bench().write_shards(pages, tmp_path, per_shard=2)
    shards, problems = scale.plan_shards(paths)
    assert problems == [] and [len(shard.inputs) for shard in shards] == [1, 1, 1]
    records = [json.loads(line) for path in paths for line in Path(path).read_text(encoding="utf-8").splitlines()]
    assert [record["html"] for record in records] == pages


def test_tree_memory_counts_a_child_process() -> None:
    bench = load_bench()
    allocate = "import time; block = b\"x\" * (200 * 2**20); print(flush=True); time.sleep(1)"
    with bench.TreeMemory() as memory:
        child = subprocess.Popen([sys.executable, "-c", allocate], stdout=subprocess.PIPE)
        child.stdout.readline()  # the block is allocated
        child.wait()
    own = bench.psutil.Process().memory_info().rss
    assert memory.peak_bytes > own + 150 * 2**20


def test_synthetic_corpus_is_the_same_every_time() -> None:
    bench = load_bench()
    first, second = bench.synthetic_corpus(3), bench.synthetic_corpus(3)
    assert first == second
    assert len(first.pages) == len(first.texts) == 3
    assert all(html.escape(text.splitlines()[0]) in page for text, page in zip(first.texts, first.pages))
