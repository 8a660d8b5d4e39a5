"""The learned quote labeller: the packaged model loads, labels made-up sentences sensibly, and
its spans become Quotes with speakers."""
from __future__ import annotations

from storydesk.analyse.quotes_crf import find_quotes_combined, find_quotes_learned, label_tokens
from storydesk.model import Mention, Span

from conftest import labelled_texts


def test_labels_indirect_speech(nlp):
    doc = nlp("The minister said that taxes would rise.")
    labels = label_tokens(doc)
    assert len(labels) == len(doc)
    assert labelled_texts(doc, labels, "source") == ["The minister"]
    assert labelled_texts(doc, labels, "cue") == ["said"]
    assert labelled_texts(doc, labels, "content")[0].startswith("that taxes would rise")


def test_labels_direct_quote(nlp):
    doc = nlp('"We will not back down," Senator Warren told reporters on Tuesday.')
    labels = label_tokens(doc)
    assert "Senator Warren" in labelled_texts(doc, labels, "source")
    assert any("We will not back down" in content for content in labelled_texts(doc, labels, "content"))


def test_learned_quote_has_speaker_entity_and_kind(nlp):
    text = 'Angela Merkel said that the talks had failed. "It is over," she added.'
    doc = nlp(text)
    mentions = [Mention(Span(0, 13, "Angela Merkel"), "person:angela merkel")]
    quotes = find_quotes_learned(doc, mentions)
    first = quotes[0]
    assert first.speaker is not None and first.speaker.text == "Angela Merkel"
    assert first.speaker_entity == "person:angela merkel"
    assert first.kind == "indirect" and "the talks had failed" in first.content.text
    assert any(q.kind == "direct" and "It is over" in q.content.text for q in quotes)


def test_combined_keeps_one_quote_per_content(nlp):
    doc = nlp('"The border stays closed," the governor said.')
    quotes = find_quotes_combined(doc, [])
    assert len(quotes) == 1
    assert quotes[0].kind == "direct" and quotes[0].speaker is not None
