"""The spaCy pipelines shipped in storydesk/data/pipelines/: each loads by path in the installed
spaCy, splits sentences and finds the entities storydesk's entity code reads."""
from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

import pytest
import spacy

from storydesk.model import EntityKind

PIPELINES = Path(__file__).resolve().parents[1] / "src" / "storydesk" / "data" / "pipelines"
# A made-up news paragraph per language and entities the pipeline must find in it.
SAMPLES = {
    "de": (
        "Bundeskanzler Olaf Scholz hat am Donnerstag in Berlin den französischen Präsidenten "
        "Emmanuel Macron empfangen. Beide sprachen über den Krieg in der Ukraine.",
        {("Olaf Scholz", "PERSON"), ("Berlin", "GPE"), ("Emmanuel Macron", "PERSON")},
    ),
}


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_pipeline_finds_sentences_and_entities(lang: str) -> None:
    nlp = spacy.load(PIPELINES / lang)
    text, expected = SAMPLES[lang]
    doc = nlp(text)
    assert nlp.lang == lang
    assert len(list(doc.sents)) == 2
    assert expected <= {(e.text, e.label_) for e in doc.ents}


@pytest.mark.parametrize("lang", sorted(p.name for p in PIPELINES.iterdir() if p.is_dir()))
def test_pipeline_is_documented_and_scored(lang: str) -> None:
    folder = PIPELINES / lang
    assert (folder / "README.md").is_file() and (folder / "LICENSE").is_file()
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert set(meta["labels"]["ner"]) <= set(get_args(EntityKind))
    assert 0 < meta["storydesk_training"]["held_out"]["ents_f"] <= 1
    assert lang in SAMPLES
