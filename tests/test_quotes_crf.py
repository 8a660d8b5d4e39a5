"""The learned quote labeller: the packaged model loads, labels made-up sentences sensibly, and
its spans become Quotes with speakers; its marginals are probabilities of the same labels."""
from __future__ import annotations

import numpy as np

from storydesk.analyse.quotes.crf import find_quotes_combined, find_quotes_learned, label_probabilities, label_tokens
from storydesk.analyse.quotes.decode import LABELS, quotes_from_labels
from storydesk.analyse.quotes.rules import find_quotes
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


def test_label_probabilities_are_the_crfs_marginals(nlp):
    doc = nlp("The minister said that taxes would rise.\n\nNothing else happened.")
    probabilities = label_probabilities(doc, find_quotes(doc, []))
    assert probabilities.shape == (len(doc), len(LABELS))
    assert np.allclose(probabilities.sum(1), 1.0)
    best = [LABELS[i] for i in probabilities.argmax(1)]
    assert best[doc[2].i] == "B-cue" and best[doc[0].i] == "B-source"  # "said", "The"
    assert all(best[t.i] == "O" for t in doc if t.is_space)


def test_a_content_with_words_outside_the_marks_is_partly_quoted(nlp):
    doc = nlp('The mayor said that "the bridge will open in May."')
    labels = ["O"] * len(doc)
    that = next(t.i for t in doc if t.text == "that")
    labels[0], labels[1], labels[2] = "B-source", "I-source", "B-cue"
    labels[that : len(doc)] = ["B-content"] + ["I-content"] * (len(doc) - that - 1)
    [quote] = quotes_from_labels(doc, labels, [])
    assert quote.kind == "mixed"
    labels[that] = "O"
    labels[that + 1] = "B-content"
    [quote] = quotes_from_labels(doc, labels, [])
    assert quote.kind == "direct"


def test_a_content_without_a_verb_is_a_topic_not_a_statement(nlp):
    doc = nlp("The minister dismissed the drama and said that taxes would rise.")
    labels = ["O"] * len(doc)
    labels[0], labels[1], labels[2] = "B-source", "I-source", "B-cue"
    labels[3], labels[4] = "B-content", "I-content"  # "the drama"
    said = next(t.i for t in doc if t.text == "said")
    labels[said] = "B-cue"
    labels[said + 1 : len(doc) - 1] = ["B-content"] + ["I-content"] * (len(doc) - said - 3)
    kinds = {quote.content.text: quote.kind for quote in quotes_from_labels(doc, labels, [])}
    assert kinds == {"the drama": "topic", "that taxes would rise": "indirect"}
