"""The fine-tuned quote tagger: the packaged ONNX model loads, labels made-up sentences
sensibly, labels paragraphs longer than one window to their end, decodes only valid BIO
sequences, and its spans become Quotes."""
from __future__ import annotations

import numpy as np

from storydesk.analyse.quotes_tagger import LABELS, MAX_PIECES, _windows, best_path, find_quotes_tagged, label_tokens
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


def _scores(*rows: dict[str, float]) -> np.ndarray:
    """Log-probabilities per token: the given labels' probabilities, the rest shared equally."""
    table = np.full((len(rows), len(LABELS)), 1e-6)
    for t, row in enumerate(rows):
        for label, probability in row.items():
            table[t, LABELS.index(label)] = probability
    return np.log(table / table.sum(1, keepdims=True))


def test_best_path_fills_a_hole_inside_a_content():
    # taken one by one the third token is O, which would split one content into two
    scores = _scores(
        {"B-content": 0.9, "O": 0.1}, {"I-content": 0.9, "O": 0.1}, {"O": 0.55, "I-content": 0.45}, {"I-content": 0.9, "O": 0.1}
    )
    assert [LABELS[i] for i in best_path(scores)] == ["B-content", "I-content", "I-content", "I-content"]


def test_best_path_never_continues_a_span_it_did_not_open():
    scores = _scores({"O": 0.6, "B-cue": 0.4}, {"I-content": 0.7, "B-content": 0.3}, {"I-cue": 0.8, "O": 0.2})
    path = [LABELS[i] for i in best_path(scores)]
    assert path == ["O", "B-content", "O"]
    for previous, label in zip(["O", *path], path):
        assert not label.startswith("I-") or previous[2:] == label[2:]
