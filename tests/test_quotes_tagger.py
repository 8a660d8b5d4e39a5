"""The fine-tuned quote tagger: the packaged ONNX model loads, labels made-up sentences
sensibly, labels paragraphs longer than one window to their end, and its spans become Quotes."""
from __future__ import annotations

from storydesk.analyse.quotes_tagger import MAX_PIECES, _windows, find_quotes_tagged, label_tokens
from storydesk.model import Mention, Span

from conftest import labelled_texts


def test_labels_indirect_speech(nlp):
    doc = nlp("The minister said on Monday that taxes would rise next year.")
    labels = label_tokens(doc)
    assert len(labels) == len(doc)
    assert labelled_texts(doc, labels, "source") == ["The minister"]
    assert labelled_texts(doc, labels, "cue") == ["said"]
    assert any("taxes would rise" in content for content in labelled_texts(doc, labels, "content"))


def test_labels_direct_quote_and_according_to(nlp):
    doc = nlp('"We will not back down," Senator Warren told reporters.\nPrices will fall, according to the central bank.')
    labels = label_tokens(doc)
    assert any("We will not back down" in content for content in labelled_texts(doc, labels, "content"))
    assert "according to" in labelled_texts(doc, labels, "cue")
    assert any("central bank" in source for source in labelled_texts(doc, labels, "source"))


def test_a_paragraph_longer_than_a_window_is_labelled_to_its_end(nlp):
    sentence = "The mayor of the northern town said that the new bridge would open in the spring. "
    doc = nlp(sentence * 40)
    windows = list(_windows(doc))
    assert len(windows) > 1 and all(len(w.piece_ids) <= MAX_PIECES for w in windows)
    assert sum(len(w.tokens) for w in windows) == len([t for t in doc if not t.is_space])
    labels = label_tokens(doc)
    last_sentence = list(doc.sents)[-1]
    assert any(label.endswith("-cue") for label in labels[last_sentence.start : last_sentence.end])


def test_tagged_quote_has_speaker_entity(nlp):
    text = "Angela Merkel said that the talks had failed."
    doc = nlp(text)
    mentions = [Mention(Span(0, 13, "Angela Merkel"), "person:angela merkel")]
    quotes = find_quotes_tagged(doc, mentions)
    assert len(quotes) == 1
    assert quotes[0].speaker is not None and quotes[0].speaker_entity == "person:angela merkel"
    assert quotes[0].kind == "indirect" and "the talks had failed" in quotes[0].content.text
