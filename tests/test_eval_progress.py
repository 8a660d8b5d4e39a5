"""Progress of the evaluators: each reports every item of each phase to its Track once, with the
right total, and every `storydesk eval` command still prints exactly one JSON line with --quiet."""
from __future__ import annotations

import gzip
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from rich.console import Console
from typer.testing import CliRunner

from storydesk import cli
from storydesk.eval.clustering import evaluate
from storydesk.eval.dates import evaluate_dates
from storydesk.eval.extraction import evaluate_extraction
from storydesk.eval.quotes import evaluate_quotes
from storydesk.eval.runs import count_records, untracked
from storydesk.eval.timex import evaluate_timex

Item = TypeVar("Item")

PARAGRAPHS = [
    ("The harbour authority said on Monday that the new container terminal would open in March "
     "after two years of building work and a long dispute over dredging permits."),
    ("Farmers in the northern valley protested on Tuesday against a plan to divert the river, "
     "saying the dam would leave their fields dry for most of the summer."),
]
TML = """<?xml version="1.0" ?>
<TimeML>
<DCT><TIMEX3 tid="t0" type="DATE" value="2024-10-24" functionInDocument="CREATION_TIME">20241024</TIMEX3></DCT>
<TEXT>
The minister <EVENT eid="e1" class="REPORTING">spoke</EVENT> on <TIMEX3 tid="t1" type="DATE" value="2024-10-24">Thursday</TIMEX3>.
</TEXT>
</TimeML>
"""
QUOTE_TOKENS = ["``", "We", "will", "win", ",", "''", "Maria", "Lopez", "said", "."]
QUOTE_LABELS = ["B-content", *["I-content"] * 5, "B-source", "I-source", "B-cue", "O"]
STORIES = [
    ("d1", "e1", "A strong earthquake struck the coast of Chile on Monday, killing four people."),
    ("d2", "e1", "Four people died when an earthquake hit the Chilean coast on Monday, officials said."),
    ("d3", "e2", "The central bank of Japan raised interest rates on Friday for the first time in years."),
]


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(record) + "\n" for record in records)
    return path


def pages(tmp_path: Path) -> Path:
    """Two WCXB-format pages, gzipped, for the extraction and date evaluators."""
    return write_jsonl(tmp_path / "pages.jsonl.gz", [
        {"id": f"p{n}", "url": f"https://example.org/{n}", "text": text, "date": "2024-10-24",
         "html": f"<html><body><nav>Home | News</nav><article><p>{text}</p></article></body></html>"}
        for n, text in enumerate(PARAGRAPHS)
    ])


def tml_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "tml"
    folder.mkdir()
    for name in ("a.tml", "b.tml"):
        (folder / name).write_text(TML, encoding="utf-8")
    return folder


def sentences(tmp_path: Path) -> Path:
    """Two CofeNet-format instances."""
    return write_jsonl(tmp_path / "quotes.jsonl.gz", [
        {"id": str(n), "tokens": QUOTE_TOKENS, "labels": QUOTE_LABELS, "pos": [], "ner": []} for n in range(2)
    ])


def documents(tmp_path: Path) -> Path:
    """Three ECB+-format documents of two events."""
    return write_jsonl(tmp_path / "ecb.jsonl.gz", [
        {"doc_id": doc, "topic": "1", "event": event, "text": text} for doc, event, text in STORIES
    ])


class Recorder:
    """A Track that notes each phase's announced total and counts the items passed through it."""

    def __init__(self) -> None:
        self.totals: dict[str, int | None] = {}
        self.items: Counter[str] = Counter()

    def __call__(self, items: Iterable[Item], total: int | None, phase: str) -> Iterator[Item]:
        self.totals[phase] = total
        for item in items:
            self.items[phase] += 1
            yield item


Evaluation = Callable[[Path, Recorder], dict[str, Any]]
EVALUATIONS: dict[str, tuple[Evaluation, dict[str, int]]] = {
    "extraction": (lambda tmp, track: evaluate_extraction(pages(tmp), progress=track), {"pages": 2}),
    "dates": (lambda tmp, track: evaluate_dates(pages(tmp), progress=track), {"pages": 2}),
    "timex": (lambda tmp, track: evaluate_timex(tml_folder(tmp), progress=track), {"files": 2}),
    "quotes": (lambda tmp, track: evaluate_quotes(sentences(tmp), progress=track), {"sentences": 2}),
    "clustering": (
        lambda tmp, track: evaluate(documents(tmp), online=True, progress=track),
        {"batch: analyse": 3, "online: place": 3},
    ),
}


@pytest.mark.parametrize("name", EVALUATIONS)
def test_each_item_of_each_phase_is_reported_once_with_its_total(name: str, tmp_path: Path) -> None:
    run, expected = EVALUATIONS[name]
    recorder = Recorder()
    run(tmp_path, recorder)
    assert dict(recorder.items) == expected
    assert recorder.totals == expected


def test_a_limit_caps_the_total_and_the_items(tmp_path: Path) -> None:
    recorder = Recorder()
    assert evaluate_dates(pages(tmp_path), baseline=False, limit=1, progress=recorder)["pages"] == 1
    assert recorder.totals == {"pages": 1} and recorder.items == {"pages": 1}
    assert count_records(pages(tmp_path)) == 2


COMMANDS: dict[str, Callable[[Path], list[str]]] = {
    "extraction": lambda tmp: ["extraction", str(pages(tmp))],
    "dates": lambda tmp: ["dates", str(pages(tmp))],
    "timex": lambda tmp: ["timex", str(tml_folder(tmp))],
    "quotes": lambda tmp: ["quotes", str(sentences(tmp))],
    "clustering": lambda tmp: ["clustering", "--online", str(documents(tmp))],
}


@pytest.mark.parametrize("name", COMMANDS)
def test_eval_commands_print_one_json_line_when_quiet(name: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli.app, ["eval", *COMMANDS[name](tmp_path), "--quiet"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and isinstance(json.loads(lines[0]), dict)
    assert result.stderr == ""


def test_the_bar_shows_on_a_terminal_and_not_when_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=terminal, force_terminal=True, width=120))
    with cli._tracking(quiet=False) as track:
        assert list(track(iter("abc"), 3, "letters")) == ["a", "b", "c"]
    assert "letters" in terminal.getvalue() and "3/3" in terminal.getvalue()
    with cli._tracking(quiet=True) as track:
        assert track is untracked
