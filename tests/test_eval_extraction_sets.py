"""The extraction and date evaluators on every kind of development set (issue 24): trafilatura's
snippet metric, dates over dated pages beside the all-pages count, the references run beside
ours, the per-page comparison report, the one-table output; on written fixtures, and on small
subsets of ../shared/bench when it is there."""
from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from storydesk import cli
from storydesk.eval.dates import evaluate_dates, summarise_dates
from storydesk.eval.extraction import evaluate_extraction, gold_kind
from storydesk.eval.metrics import SnippetCounts, score_snippets, summarise_snippets
from storydesk.eval.runs import Comparison, TimedRun
from storydesk.eval.tables import results_table, set_name

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench" / "extraction"
PARAGRAPH = ("The harbour authority said on Monday that the new container terminal would open in March "
             "after two years of building work and a long dispute over dredging permits.")
PAGE = (f"<html><head><meta property='article:published_time' content='2024-10-24T08:00:00Z'></head>"
        f"<body><nav>Home | News | Sport</nav><article><h1>Terminal to open</h1><p>{PARAGRAPH}</p></article>"
        f"<footer>Copyright Example Media</footer></body></html>")


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(record) + "\n" for record in records)
    return path


def test_snippets_are_case_sensitive_substrings_with_whitespace_collapsed() -> None:
    text = "The harbour  authority\nsaid on Monday."
    counts = score_snippets(text, ["harbour authority said", "the harbour"], ["Monday.", "Copyright"])
    assert counts == SnippetCounts(tp=1, fn=1, fp=1, tn=1)
    assert score_snippets("", ["a"], ["b"]) == SnippetCounts(tp=0, fn=1, fp=0, tn=1)


def test_snippet_summary_counts_over_all_snippets_and_pages() -> None:
    pages = [SnippetCounts(tp=2, fn=0, fp=0, tn=2), SnippetCounts(tp=1, fn=1, fp=1, tn=0)]
    summary = summarise_snippets(pages)
    assert summary["precision"] == pytest.approx(3 / 4) and summary["recall"] == pytest.approx(3 / 4)
    assert summary["f1"] == pytest.approx(6 / 8)
    assert summary["accuracy"] == pytest.approx(5 / 7)
    assert summary["without_absent"] == pytest.approx(2 / 3)
    assert summary["pages_right_with"] == 0.5 and summary["pages_right_without"] == 0.5
    assert summary["snippets"] == 7 and summary["pages"] == 2


def test_dates_are_scored_over_dated_pages_and_over_all_pages() -> None:
    pairs = [("2024-01-02", "2024-01-02"), ("2024-05-05", None), (None, None), ("2024-01-03", "2024-01-02")]
    summary = summarise_dates(pairs)
    assert (summary["true_positives"], summary["false_positives"], summary["pages"]) == (1, 1, 2)
    assert summary["precision"] == pytest.approx(0.5)
    strict = summary["all_pages"]
    assert (strict["false_positives"], strict["true_negatives"], strict["pages"]) == (2, 1, 4)


def test_the_metric_follows_the_gold_of_the_file(tmp_path: Path) -> None:
    snippets = write_jsonl(tmp_path / "snippets.jsonl.gz", [
        {"id": "s1", "html": PAGE, "text": None, "must_contain": ["two years of building work"],
         "must_not_contain": ["Copyright Example Media", "Home | News"]},
    ])
    result = evaluate_extraction(snippets)
    assert result["metric"] == "snippets" and result["pages"] == 1
    assert result["f1"] == 1.0 and result["without_absent"] == 1.0
    dates_only = write_jsonl(tmp_path / "dates.jsonl.gz", [{"id": "d1", "html": PAGE, "text": None, "date": "2024-10-24"}])
    assert gold_kind(dates_only) is None
    assert evaluate_extraction(dates_only)["pages"] == 0
    mixed = write_jsonl(tmp_path / "mixed.jsonl.gz", [
        {"id": "n", "html": PAGE, "text": None}, {"id": "t", "html": PAGE, "text": PARAGRAPH},
    ])
    scored = evaluate_extraction(mixed)
    assert scored["metric"] == "shingles" and scored["pages"] == 1


def test_references_run_beside_ours_and_time_is_a_ratio(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "pages.jsonl.gz", [{"id": "p", "html": PAGE, "text": PARAGRAPH, "date": "2024-10-24"}])
    text = evaluate_extraction(source, baseline=True)
    assert {"trafilatura", "trafilatura_recall"} <= set(text["references"])
    assert text["references"]["trafilatura"]["pages"] == 1 and text["ms_ratio_to_trafilatura"] > 0
    dates = evaluate_dates(source)
    assert dates["f1"] == 1.0 and dates["references"]["htmldate"]["pages"] == 1
    assert "ms_ratio_to_htmldate" in dates


def _run(name: str, answers: dict[str, str]) -> TimedRun:
    return TimedRun(lambda page: answers[page["id"]], lambda answer, page: float(answer == page["gold"]), len, name)


def test_the_comparison_keeps_pages_a_reference_wins_widest_margin_first(tmp_path: Path) -> None:
    pages = [{"id": "a", "gold": "x"}, {"id": "b", "gold": "y"}, {"id": "c", "gold": "z"}, {"id": "d", "gold": "w"}]
    ours = _run("storydesk", {"a": "x", "b": "-", "c": "-", "d": "w"})  # d: a tie, not a loss
    first = _run("one", {"a": "-", "b": "y", "c": "-", "d": "w"})
    second = _run("two", {"a": "-", "b": "-", "c": "z", "d": "w"})
    comparison = Comparison(lambda judged: judged, lambda mine, best, page: {"best": best})
    for page in pages:
        answer = ours.run(page)
        comparison.add(page, ours, answer, [(first, first.run(page)), (second, second.run(page))])
    out = tmp_path / "cmp.jsonl"
    assert comparison.write(out) == 2
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(row["id"], row["reference"], row["best"]) for row in rows] == [("b", "one", "y"), ("c", "two", "z")]
    assert all(row["margin"] == 1.0 and row["ours"] == 0.0 for row in rows)


def test_compare_baseline_writes_the_pages_a_reference_beats_us_on(tmp_path: Path) -> None:
    empty = "<html><body><div>menu</div></body></html>"
    source = write_jsonl(tmp_path / "pages.jsonl.gz", [{"id": "p", "html": empty, "text": None, "date": "2024-10-24"}])
    out = tmp_path / "cmp.jsonl"
    result = evaluate_dates(source, compare=out)
    assert result["compared_pages"] == len(out.read_text(encoding="utf-8").splitlines())


def test_one_table_of_several_files() -> None:
    text = {"file": "/x/readability-test-pages.jsonl.gz", "metric": "shingles", "mode": "html", "pages": 3,
            "f1": 0.95, "precision": 0.94, "recall": 0.96, "ms_per_page": 30.0, "ms_ratio_to_trafilatura": 1.25,
            "references": {"trafilatura": {"f1": 0.93}}}
    dates = {"file": "htmldate-eval-default.jsonl.gz", "pages": 2, "f1": 0.9, "precision": 0.9, "recall": 0.9,
             "all_pages": {"f1": 0.8}, "ms_per_page": 5.0, "references": {"htmldate": {"f1": 0.85, "all_pages": {"f1": 0.7}}}}
    lines = results_table([text, dates]).splitlines()
    assert lines[0].startswith("| set | metric | pages | storydesk F1 (P / R) | trafilatura F1 | htmldate F1 |")
    assert lines[2] == "| readability-test-pages | shingles (html) | 3 | **0.950** (0.940 / 0.960) | 0.930 | - | 30.0 | 1.25 |"
    assert lines[3].startswith("| htmldate-eval-default | dates (dated / all pages) | 2 | **0.900 / 0.800**")
    assert set_name("a/b/wcxb-dev-articles.jsonl.gz") == "wcxb-dev-articles"


def test_the_cli_scores_several_files_one_line_each_or_one_table(tmp_path: Path) -> None:
    first = write_jsonl(tmp_path / "first.jsonl.gz", [{"id": "p", "html": PAGE, "text": PARAGRAPH, "date": "2024-10-24"}])
    second = write_jsonl(tmp_path / "second.jsonl.gz", [{"id": "q", "html": PAGE, "text": PARAGRAPH, "date": None}])
    runner = CliRunner()
    lines = runner.invoke(cli.app, ["eval", "dates", str(first), str(second), "--no-baseline", "-q",
                                    "--predictions", str(tmp_path / "pred.jsonl")]).output.splitlines()
    assert [json.loads(line)["file"] for line in lines] == [str(first), str(second)]
    assert (tmp_path / "pred.first.jsonl").is_file() and (tmp_path / "pred.second.jsonl").is_file()
    table = runner.invoke(cli.app, ["eval", "extraction", str(first), str(second), "--table", "-q"]).output
    assert table.splitlines()[2].startswith("| first | shingles (html) | 1 |") and len(table.splitlines()) == 4


SETS = ["readability-test-pages", "newspaper4k-tests", "htmldate-eval-default", "trafilatura-evaldata"]


@pytest.mark.bench
@pytest.mark.parametrize("name", SETS)
def test_each_development_set_is_read_in_its_own_metric(name: str) -> None:
    path = BENCH / f"{name}.jsonl.gz"
    if not path.is_file():
        pytest.skip("../shared/bench is absent")
    text = evaluate_extraction(path, limit=3)
    dates = evaluate_dates(path, baseline=False, limit=3)
    expected = {"trafilatura-evaldata": "snippets", "htmldate-eval-default": None}.get(name, "shingles")
    assert text["metric"] == expected
    if expected is not None:
        assert text["pages"] == 3 and text["f1"] > 0.5
    assert dates["all_pages"]["pages"] == 3


def test_ours_and_the_references_take_turns_at_going_first(tmp_path: Path) -> None:
    from storydesk.eval.runs import run_benchmark

    calls: list[str] = []
    source = write_jsonl(tmp_path / "pages.jsonl.gz", [{"id": str(n)} for n in range(4)])

    def run(name: str) -> TimedRun:
        return TimedRun(lambda page: calls.append(name), lambda answer, page: None, len, name)

    run_benchmark(source, run("ours"), [run("one"), run("two")], "x")
    assert calls == ["ours", "one", "two", "one", "two", "ours", "ours", "one", "two", "one", "two", "ours"]
