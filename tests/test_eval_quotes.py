"""eval.quotes: BIO span scoring on the CofeNet format and attribution pairs on the article format."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from storydesk.eval.quotes import evaluate_quotes, label_spans, predicted_labels
from storydesk.model import Quote, Span

from conftest import bench_file


def write_jsonl(path: Path, records: list[dict]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(record) + "\n" for record in records)
    return path


def test_label_spans_reads_bio_and_orphan_inside_tags():
    labels = ["B-source", "I-source", "B-cue", "O", "I-content", "I-content"]
    assert label_spans(labels) == {(0, 1, "source"), (2, 2, "cue"), (4, 5, "content")}


def content_labels(tokens: list[str], first: int, last: int) -> list[str]:
    """The labels predicted_labels gives a content found on tokens first..last (inclusive)."""
    offsets, position = [], 0
    for token in tokens:
        offsets.append((position, position + len(token)))
        position += len(token) + 1
    span = Span(offsets[first][0], offsets[last][1], " ".join(tokens[first : last + 1]))
    return predicted_labels(tokens, offsets, [Quote("direct", span, None, None)])


def test_content_takes_its_marks_and_the_punctuation_before_the_closing_one():
    tokens = ["He", "said", "``", "we", "win", ".", "''"]
    assert content_labels(tokens, 3, 4) == ["O", "O", "B-content", "I-content", "I-content", "I-content", "I-content"]


def test_content_without_an_opening_mark_leaves_the_closing_mark_out():
    tokens = ["He", "said", "that", "we", "win", ".", "''"]
    assert content_labels(tokens, 2, 4) == ["O", "O", "B-content", "I-content", "I-content", "O", "O"]


def test_content_never_takes_the_next_quote_s_opening_mark():
    tokens = ["``", "We", "win", ".", "''", "``"]
    assert content_labels(tokens, 0, 4) == ["B-content"] + ["I-content"] * 4 + ["O"]


def test_cofenet_format_scores_exact_spans_and_writes_predictions(tmp_path):
    tokens = ["``", "We", "will", "win", ",", "''", "Maria", "Lopez", "said", "."]
    labels = ["B-content", "I-content", "I-content", "I-content", "I-content", "I-content",
              "B-source", "I-source", "B-cue", "O"]
    path = write_jsonl(tmp_path / "mini.jsonl.gz", [{"tokens": tokens, "pos": [], "ner": [], "labels": labels, "id": "a"}])
    out = tmp_path / "pred.jsonl"
    result = evaluate_quotes(path, out)
    assert result["format"] == "cofenet"
    assert result["source"]["f1"] == 1.0
    assert result["cue"]["f1"] == 1.0
    assert result["content"]["f1"] == 1.0
    assert json.loads(out.read_text())["labels"] == labels


def test_article_format_pairs_direct_and_all(tmp_path):
    text = "“We will win,” Maria Lopez said. The mayor said that taxes would fall."
    attributions = [
        {"id": "E1", "source": [[15, 26]], "cue": [[27, 31]], "content": [[1, 13]], "quote_type": "direct"},
        {"id": "E2", "source": [[33, 42]], "cue": [[43, 47]], "content": [[48, 70]], "quote_type": "indirect"},
    ]
    path = write_jsonl(tmp_path / "art.jsonl.gz", [{"article": "x", "text": text, "attributions": attributions}])
    out = tmp_path / "pred.jsonl"
    result = evaluate_quotes(path, out)
    assert result["format"] == "polnear"
    assert result["direct"]["f1"] == 1.0
    assert result["all"]["recall"] == 1.0
    predicted = json.loads(out.read_text())
    assert predicted["article"] == "x" and len(predicted["attributions"]) == 2


@pytest.mark.parametrize("system", ["rules", "tagger"])
def test_cofenet_subset_beats_the_published_rule_baseline(system: str):
    result = evaluate_quotes(bench_file("quotes", "cofenet-polnear-valid.jsonl.gz"), limit=20, system=system)
    assert result["instances"] == 20 and result["system"] == system
    assert result["source"]["f1"] > 0.107 and result["cue"]["f1"] > 0.228


def test_polnear_article_subset():
    result = evaluate_quotes(bench_file("quotes", "polnear-dev.jsonl.gz"), limit=3)
    assert result["articles"] == 3
    assert result["all"]["tp"] > 0


def test_without_a_system_the_configured_finder_is_scored(tmp_path, monkeypatch):
    text = "“We will win,” Maria Lopez said."
    attributions = [{"id": "E1", "source": [[15, 26]], "cue": [[27, 31]], "content": [[1, 13]], "quote_type": "direct"}]
    path = write_jsonl(tmp_path / "art.jsonl.gz", [{"article": "x", "text": text, "attributions": attributions}])
    monkeypatch.delenv("STORYDESK_QUOTES", raising=False)
    assert evaluate_quotes(path)["system"] == "tagger"
    monkeypatch.setenv("STORYDESK_QUOTES", "rules")
    assert evaluate_quotes(path)["system"] == "rules"
