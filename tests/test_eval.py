"""Benchmark metrics on tiny inputs with known answers, and the evaluators on a small WCXB subset."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from storydesk.eval.dates import evaluate_dates
from storydesk.eval.extraction import evaluate_extraction
from storydesk.eval.metrics import PageScore, date_scores, f1, score_page, shingles, summarise_pages, tokens

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"
WCXB = BENCH / "extraction" / "wcxb-dev-articles.jsonl.gz"


def test_tokens_are_lower_cased_words() -> None:
    assert tokens("Hello, World! It's 2024.") == ["hello", "world", "it", "s", "2024"]


def test_shingles_are_a_multiset_of_four_grams() -> None:
    assert shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("x y z w x y z w")[("x", "y", "z", "w")] == 2
    assert shingles("only three words") == {("only", "three", "words"): 1}
    assert shingles("  ...  ") == {}


def test_score_page_counts_shared_shingles() -> None:
    gold = "a b c d e f"  # shingles abcd bcde cdef
    predicted = "a b c d e x"  # shingles abcd bcde bcdx... -> abcd, bcde, cdex
    score = score_page(predicted, gold)
    assert score.precision == pytest.approx(2 / 3)
    assert score.recall == pytest.approx(2 / 3)
    assert not score.exact


def test_score_page_edge_cases() -> None:
    assert score_page("", "some gold text here") == PageScore(0.0, 0.0, False)
    assert score_page("", "") == PageScore(1.0, 1.0, True)
    assert score_page("A b, C d!", "a b c d") == PageScore(1.0, 1.0, True)
    repeated = score_page("a b c d a b c d", "a b c d")  # multiset: one of the two repeats matches
    assert repeated.recall == 1.0 and repeated.precision == pytest.approx(1 / 5)


def test_summary_is_f1_of_macro_means() -> None:
    summary = summarise_pages([score_page("a b c d", "a b c d"), score_page("", "a b c d")])
    assert summary["precision"] == 0.5 and summary["recall"] == 0.5
    assert summary["f1"] == pytest.approx(0.5)
    assert summary["exact_match"] == 0.5 and summary["pages"] == 2
    assert f1(1.0, 0.0) == 0.0 and f1(0.0, 0.0) == 0.0


def test_date_scores() -> None:
    pairs = [("2024-01-02", "2024-01-02"), ("2024-01-03", "2024-01-02"), (None, "2024-01-02"),
             ("2024-05-05", None), (None, None)]
    scores = date_scores(pairs)
    assert (scores["true_positives"], scores["false_positives"], scores["false_negatives"]) == (1, 2, 1)
    assert scores["true_negatives"] == 1
    assert scores["precision"] == pytest.approx(1 / 3)
    assert scores["recall"] == pytest.approx(1 / 2)
    assert scores["f1"] == pytest.approx(0.4)


def test_evaluate_extraction_on_a_small_written_file(tmp_path: Path) -> None:
    paragraph = ("The harbour authority said on Monday that the new container terminal would open in "
                 "March after two years of building work and a long dispute over dredging permits.")
    record = {"id": "p1", "url": "https://example.org/a", "text": paragraph,
              "html": f"<html><body><nav>Home | News</nav><article><p>{paragraph}</p></article></body></html>"}
    source = tmp_path / "pages.jsonl"
    source.write_text(json.dumps(record) + "\n\n", encoding="utf-8")
    out = tmp_path / "pred.jsonl"
    result = evaluate_extraction(source, predictions=out)
    assert result["pages"] == 1 and result["mode"] == "html"
    assert result["f1"] > 0.9
    assert json.loads(out.read_text(encoding="utf-8"))["id"] == "p1"
    with pytest.raises(ValueError):
        evaluate_extraction(source, mode="pdf")


@pytest.mark.bench
def test_evaluators_on_twenty_wcxb_pages(tmp_path: Path) -> None:
    if not WCXB.is_file():
        pytest.skip("../shared/bench is absent")
    extraction = evaluate_extraction(WCXB, predictions=tmp_path / "text.jsonl", baseline=True, limit=20)
    trafilatura = extraction["references"]["trafilatura"]
    assert extraction["pages"] == 20 and trafilatura["pages"] == 20
    assert extraction["f1"] > 0.8 and trafilatura["f1"] > 0.8
    assert extraction["ms_ratio_to_trafilatura"] > 0
    assert 0 < extraction["ms_per_page"] < 5000
    assert len((tmp_path / "text.jsonl").read_text(encoding="utf-8").splitlines()) == 20
    dates = evaluate_dates(WCXB, predictions=tmp_path / "dates.jsonl", limit=20)
    assert dates["all_pages"]["pages"] == 20 and dates["references"]["htmldate"]["all_pages"]["pages"] == 20
    assert dates["precision"] > 0.5 and dates["recall"] > 0.5


@pytest.mark.bench
def test_text_mode_on_ten_wcxb_pages() -> None:
    if not WCXB.is_file():
        pytest.skip("../shared/bench is absent")
    result = evaluate_extraction(WCXB, mode="text", limit=10)
    assert result["mode"] == "text" and result["pages"] == 10
    assert result["f1"] > 0.7


def test_gzipped_input_is_streamed(tmp_path: Path) -> None:
    source = tmp_path / "pages.jsonl.gz"
    with gzip.open(source, "wt", encoding="utf-8") as out:
        for n in range(3):
            out.write(json.dumps({"id": str(n), "html": "<p>x</p>", "date": None}) + "\n")
    assert evaluate_dates(source, baseline=False, limit=2)["all_pages"]["pages"] == 2
