"""TempEval-3 evaluation of time expressions: TimeML parsing, scoring and system output."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from storydesk.eval.timex import evaluate_timex, read_tml

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"

TML = """<?xml version="1.0" ?>
<TimeML>
<DOCID>X1</DOCID>
<DCT><TIMEX3 tid="t0" type="DATE" value="2024-10-24" functionInDocument="CREATION_TIME">20241024</TIMEX3></DCT>
<TEXT>
Putin <EVENT eid="e1" class="REPORTING">said</EVENT> on <TIMEX3 tid="t1" type="DATE" value="2024-10-24">Thursday</TIMEX3> that AT&amp;T
troops had <EVENT eid="e2" class="OCCURRENCE">stayed</EVENT> <TIMEX3 tid="t2" type="DURATION" value="P2W">two weeks</TIMEX3> and would leave in <TIMEX3 tid="t3" type="DATE" value="2024-12">December</TIMEX3>.
</TEXT>
</TimeML>
"""


@pytest.fixture
def tml_dir(tmp_path: Path) -> Path:
    (tmp_path / "doc.tml").write_text(TML, encoding="utf-8")
    return tmp_path


def test_read_tml_strips_tags_and_keeps_offsets(tml_dir: Path) -> None:
    document = read_tml(tml_dir / "doc.tml")
    assert document.anchor == date(2024, 10, 24)
    assert "AT&T" in document.text and "<" not in document.text
    assert [document.text[g.start : g.end] for g in document.gold] == ["Thursday", "two weeks", "December"]


def test_scores_and_system_output(tml_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "pred"
    scores = evaluate_timex(tml_dir, predictions=out)
    assert scores["files"] == 1 and scores["gold"] == 3
    assert scores["strict_f1"] == scores["relaxed_f1"] == 1.0
    assert scores["value_f1"] == scores["type_f1"] == 1.0
    written = (out / "doc.tml").read_text(encoding="utf-8")
    assert '<TIMEX3 tid="t1" type="DATE" value="2024-10-24">Thursday</TIMEX3>' in written
    assert "AT&amp;T" in written and "<EVENT" not in written
    assert 'functionInDocument="CREATION_TIME"' in written  # the DCT is kept as it was


def test_timebank_subset_in_sensible_ranges() -> None:
    directory = BENCH / "timex" / "timebank"
    if not directory.is_dir():
        pytest.skip("../shared/bench is absent")
    scores = evaluate_timex(directory, limit=5)
    assert scores["files"] == 5 and scores["gold"] > 0
    assert 0.6 <= scores["strict_f1"] <= scores["relaxed_f1"] <= 1.0
    assert 0.5 <= scores["value_f1"] <= scores["relaxed_f1"]
    assert scores["ms_per_file"] < 100
