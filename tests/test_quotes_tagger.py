"""The fine-tuned quote tagger: the packaged ONNX model loads, labels made-up sentences
sensibly, labels paragraphs longer than one window to their end, decodes only valid BIO
sequences (weighing steps between labels as the training paragraphs do), and its spans become
Quotes whose speakers (pronouns included) resolve to entities, with the rule finder's block
quotes added; on the seeds it attributes the quotes the issue names."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from storydesk import analyse
from storydesk.analyse.quotes.tagger import (
    LABELS,
    MAX_PIECES,
    _windows,
    best_path,
    decode,
    find_quotes_tagged,
    label_probabilities,
    label_tokens,
    may_attribute,
    mixed_probabilities,
    step_scores,
)
from storydesk.analyse.quotes.crf import label_probabilities as crf_label_probabilities
from storydesk.model import Mention, Span

from conftest import labelled_texts

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "corpus"


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


def test_a_quote_introduced_by_the_paragraph_before_has_its_speaker(nlp):
    text = ("The poll was close.\n\nCaddell continued:\n\n"
            "\"The health issue overall is very much a partisan issue, but it matters a great deal to voters.\"")
    [quote] = find_quotes_tagged(nlp(text), [Mention(Span(21, 28, "Caddell"), "person:caddell")])
    assert (quote.speaker.text, quote.cue.text, quote.speaker_entity) == ("Caddell", "continued", "person:caddell")


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


def test_training_transitions_keep_a_content_going_where_it_seldom_ends():
    # the last token is a little more likely outside; BIO alone ends the content before it, the
    # training paragraphs' transitions (an inside content goes on far more often than it ends)
    # carry it on
    scores = _scores({"B-content": 0.9, "O": 0.1}, {"I-content": 0.9, "O": 0.1}, {"O": 0.55, "I-content": 0.45})
    assert [LABELS[i] for i in best_path(scores)][-1] == "O"
    assert [LABELS[i] for i in best_path(scores, step_scores())][-1] == "I-content"
    assert step_scores(0).transition[LABELS.index("O"), LABELS.index("I-content")] == -np.inf


def test_training_transitions_never_allow_what_bio_forbids():
    steps = step_scores(1.0)
    for previous, row in zip(LABELS, steps.transition):
        for label, score in zip(LABELS, row):
            assert (score == -np.inf) == (label.startswith("I-") and previous[2:] != label[2:])
    assert all(np.isfinite(steps.start) == [not label.startswith("I-") for label in LABELS])


def test_a_pronoun_speaker_resolves_to_the_person_before_it(nlp):
    doc = nlp("Angela Merkel arrived late. She said that the talks had failed.")
    quotes = find_quotes_tagged(doc, [Mention(Span(0, 13, "Angela Merkel"), "person:angela merkel")])
    assert [(q.speaker.text, q.speaker_entity) for q in quotes] == [("She", "person:angela merkel")]


def seed_quotes(monkeypatch: pytest.MonkeyPatch, prefix: str):
    monkeypatch.setenv("STORYDESK_QUOTES", "tagger")
    path = next(SEEDS.glob(prefix + "_*.txt"))
    return analyse.analyse(path.read_text(encoding="utf-8"), None).quotes


def speaker_of(quotes, words: str) -> str | None:
    return next(q.speaker_entity for q in quotes if words in q.content.text)


def test_seed_block_quotes_without_marks_are_putins(monkeypatch):
    quotes = seed_quotes(monkeypatch, "003")
    blocks = [q for q in quotes if q.kind == "block"]
    assert any(q.content.text.startswith("When something needs to be resolved") for q in blocks)
    assert blocks and all(q.speaker_entity == "person:vladimir putin" for q in blocks)


def test_seed_speakers_named_by_role_pronoun_and_name(monkeypatch):
    quotes = seed_quotes(monkeypatch, "004")
    assert speaker_of(quotes, "confrontational character") == "person:yuri ushakov"  # "he said"
    assert speaker_of(quotes, "reliably guarantee the alliance") == "person:kim jong-un"
    assert speaker_of(quotes, "Russia needs North Korea") == "person:koh yu-hwan"
    assert speaker_of(quotes, "nuclear deterrence factor") == "person:sergei ryabkov"
    quotes = seed_quotes(monkeypatch, "001")
    assert speaker_of(quotes, "enormous quantities of ammunition") == "person:jens stoltenberg"  # the role
    assert speaker_of(quotes, "Around 2,000 Ukrainian soldiers") == "person:vladimir putin"


def test_decoding_restarts_at_each_paragraph(nlp):
    doc = nlp("Taxes would rise next year.\nPrices would fall.")
    probabilities = np.zeros((len(doc), len(LABELS)))
    probabilities[:, [LABELS.index("O"), LABELS.index("B-content"), LABELS.index("I-content")]] = [0.1, 0.3, 0.6]
    labels = decode(doc, probabilities)
    second = next(t.i for t in doc if t.text == "Prices")
    assert labels[0] == "B-content" and labels[second] == "B-content"
    assert all(label == "I-content" for i, label in enumerate(labels) if i not in (0, second) and not doc[i].is_space)
    assert all(labels[t.i] == "O" for t in doc if t.is_space)


def test_the_mix_is_a_weighted_average_of_two_distributions(nlp):
    doc = nlp("The minister said on Monday that taxes would rise.")
    rules = []
    tagger_alone = mixed_probabilities(doc, rules, tagger_weight=1.0)
    assert np.allclose(tagger_alone, label_probabilities(doc))
    mixed = mixed_probabilities(doc, rules)
    assert np.allclose(mixed.sum(1), 1.0) and not np.allclose(mixed, tagger_alone)


def test_each_window_is_labelled_alone(nlp):
    # run together, windows would share padding and the quantiser's range of activations
    second = "Prices will fall, according to the central bank."
    doc = nlp("The minister said on Monday that taxes would rise next year, and that nothing could be done.\n" + second)
    alone = label_probabilities(nlp(second))
    assert np.allclose(label_probabilities(doc)[len(doc) - len(alone) :], alone)


def test_the_encoder_reads_only_sentences_that_may_hold_an_attribution(nlp):
    said = "The minister said on Monday that taxes would rise next year."
    doc = nlp("The bridge opened in 1932 and carries six lanes of traffic.\n" + said)
    crf = crf_label_probabilities(doc, [])
    attend = may_attribute(crf)
    windows = list(_windows(doc, attend))
    assert [window.tokens[0].text for window in windows] == ["The"] and windows[0].tokens[0].idx == doc.text.index(said)
    mixed = mixed_probabilities(doc, [])
    bridge = [t.i for t in doc if t.idx < doc.text.index(said)]
    assert np.allclose(mixed[bridge], crf[bridge])  # the CRF's alone where the encoder did not read
    assert not np.allclose(mixed[len(bridge) :], crf[len(bridge) :])
