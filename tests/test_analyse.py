"""The analyse stage's configuration: the quote finder is chosen by STORYDESK_QUOTES and is part
of the analysis version, so switching it makes `storydesk analyse` redo the articles."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storydesk import analyse

TEXT = "The minister said that taxes would rise next year. “We have no choice,” she told reporters on Monday."


def test_the_tagger_is_the_default_and_names_the_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STORYDESK_QUOTES", raising=False)
    assert analyse.quote_system() == "tagger"
    assert "+tagger+" in analyse.analysis_version()


@pytest.mark.parametrize("system", ["rules", "learned", "combined", "tagger"])
def test_each_quote_finder_can_be_chosen(monkeypatch: pytest.MonkeyPatch, system: str) -> None:
    monkeypatch.setenv("STORYDESK_QUOTES", system)
    result = analyse.analyse(TEXT, "2024-10-24")
    assert f"+{system}+" in result.version
    assert any("We have no choice" in q.content.text for q in result.quotes)


def test_a_quote_finder_is_imported_only_when_chosen(tmp_path: Path) -> None:
    code = (
        "import json, sys; from storydesk.analyse import analyse; analyse('He said it would rain.', None); "
        "print(json.dumps(sorted({'onnxruntime', 'tokenizers', 'pycrfsuite'} & set(sys.modules))))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYDESK_")}
    found = {}
    for system in ("rules", "learned"):
        env.update(STORYDESK_QUOTES=system, XDG_CONFIG_HOME=str(tmp_path))
        done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        found[system] = json.loads(done.stdout.splitlines()[-1])
    assert found == {"rules": [], "learned": ["pycrfsuite"]}


def test_an_unknown_quote_finder_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYDESK_QUOTES", "magic")
    with pytest.raises(ValueError, match="quotes must be one of rules, learned, combined, tagger, not .magic."):
        analyse.quote_system()


def test_a_pronoun_speaker_becomes_a_mention_of_its_entity() -> None:
    text = 'Russian President Vladimir Putin spoke on Thursday. "It is our business," he said.'
    analysis = analyse.analyse(text, "2024-10-24")
    pronoun = [m for m in analysis.mentions if m.via == "pronoun"]
    assert [(m.span.text, m.entity) for m in pronoun] == [("he", "person:vladimir putin")]
    assert [m.span.start for m in analysis.mentions] == sorted(m.span.start for m in analysis.mentions)


def test_a_speaker_already_holding_a_mention_of_its_entity_adds_none() -> None:
    text = "The South Korean Intelligence services estimate that some 3,000 soldiers have arrived."
    analysis = analyse.analyse(text, "2024-10-24")
    assert [q.speaker_entity for q in analysis.quotes] == ["org:KR intelligence"]
    assert [(m.span.text, m.via) for m in analysis.mentions if m.entity == "org:KR intelligence"] == [
        ("South Korean Intelligence services", "name")
    ]


def test_a_title_before_a_name_ends_no_sentence():
    text = "The rampage began when Glenn walked up to Sgt. Sylvia Young's cruiser. Det. John Smith arrived later."
    sentences = [span.text for span in analyse.analyse(text, "2016-09-17").sentences]
    assert sentences == ["The rampage began when Glenn walked up to Sgt. Sylvia Young's cruiser.", "Det. John Smith arrived later."]


def test_a_full_stop_glued_after_a_digit_ends_a_sentence_but_a_decimal_does_not():
    text = "Friends spoke to ABC13.Christopher Beatty was identified at 3.5 miles from home."
    sentences = [span.text for span in analyse.analyse(text, "2017-03-27").sentences]
    assert sentences == ["Friends spoke to ABC13.", "Christopher Beatty was identified at 3.5 miles from home."]
