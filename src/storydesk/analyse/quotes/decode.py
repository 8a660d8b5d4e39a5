"""The quote finders' shared decoding: the BIO labels (source, cue, content) a learned finder
gives each token, turned into Quotes whose speakers resolve as the rule finder's do, and one
finder's quotes added to another's. Used by the CRF (``crf.py``) and the tagger (``tagger.py``)."""
from __future__ import annotations

import bisect
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Token

from storydesk.analyse.quotes.marks import find_quoted
from storydesk.analyse.quotes.parse import cue_span, speaker_span, speaking_head, subject_of, text_of
from storydesk.analyse.quotes.rules import SpeakerResolver
from storydesk.model import Mention, Quote, Span

ROLES = ("source", "cue", "content")  # the labelled parts of an attribution, as in PolNeAR
LABELS = ("O", *(f"{tag}-{role}" for role in ROLES for tag in ("B", "I")))


def paragraphs(doc: Doc) -> list[list[Token]]:
    """The doc's non-space tokens grouped by paragraph (a line break ends one): the sequences the
    finders label and decode."""
    found: list[list[Token]] = [[]]
    for token in doc:
        if not token.is_space:
            found[-1].append(token)
        if "\n" in token.text or "\n" in token.whitespace_:
            found.append([])
    return [paragraph for paragraph in found if paragraph]


@dataclass(frozen=True)
class Layout:
    """Where each token sits: inside quotation marks or not, and its sentence's bounds."""

    inside_marks: list[bool]
    sentence_start: list[int]  # per token, the index of its sentence's first token
    sentence_end: list[int]  # and of its last


def token_layout(doc: Doc) -> Layout:
    """Each token's place: inside quotation marks or not, and its sentence's bounds."""
    stretches = find_quoted(text_of(doc))
    starts = [q.open_at for q in stretches]
    ends = [(q.close_at + 1) if q.close_at is not None else q.end for q in stretches]

    def inside(offset: int) -> bool:
        at = bisect.bisect_right(starts, offset) - 1
        return at >= 0 and offset < ends[at]

    sentence_start, sentence_end = [0] * len(doc), [0] * len(doc)
    for sentence in doc.sents:
        sentence_start[sentence.start : sentence.end] = [sentence.start] * len(sentence)
        sentence_end[sentence.start : sentence.end] = [sentence.end - 1] * len(sentence)
    return Layout([inside(t.idx) for t in doc], sentence_start, sentence_end)


@dataclass(frozen=True)
class _Piece:
    role: str
    first: int  # token index, inclusive
    last: int
    paragraph: int
    sentence: int  # index of the sentence's first token


def _pieces(doc: Doc, labels: list[str], layout: Layout, lines: list[list[Token]]) -> list[_Piece]:
    """The labelled spans in order; a span never crosses a paragraph (``lines``, the doc's)."""
    paragraph_of = [0] * len(doc)
    for number, tokens in enumerate(lines):
        for token in tokens:
            paragraph_of[token.i] = number
    found: list[_Piece] = []
    for i, label in enumerate(labels):
        tag, _, role = label.partition("-")
        current = found[-1] if found else None
        continues = current and current.role == role and current.last == i - 1 and paragraph_of[i] == current.paragraph
        if tag == "I" and continues and not _opens_quoted_sentence(layout, i):
            found[-1] = _Piece(role, current.first, i, current.paragraph, current.sentence)
        elif tag in ("B", "I"):
            found.append(_Piece(role, i, i, paragraph_of[i], layout.sentence_start[i]))
    return found


def _opens_quoted_sentence(layout: Layout, index: int) -> bool:
    """Whether token ``index`` starts a sentence inside quotation marks after one outside them:
    there the CRF often runs reported speech and the next direct quote into one content."""
    return index == layout.sentence_start[index] and layout.inside_marks[index] and not layout.inside_marks[index - 1]


def _gap(a: _Piece, b: _Piece) -> int:
    return max(a.first - b.last, b.first - a.last, 0)


def _nearest(pieces: list[_Piece], anchor: _Piece) -> _Piece | None:
    """The piece nearest ``anchor`` in its sentence, else in its paragraph."""
    same_paragraph = [p for p in pieces if p.paragraph == anchor.paragraph]
    same_sentence = [p for p in same_paragraph if p.sentence == anchor.sentence]
    candidates = same_sentence or same_paragraph
    return min(candidates, key=lambda p: _gap(p, anchor)) if candidates else None


def _span(doc: Doc, piece: _Piece | None) -> Span | None:
    if piece is None:
        return None
    start, end = doc[piece.first].idx, doc[piece.last].idx + len(doc[piece.last])
    return Span(start, end, text_of(doc)[start:end])


def _kind(doc: Doc, inside_marks: list[bool], piece: _Piece) -> str:
    """"direct" when every word of the content is inside quotation marks, "mixed" when some
    are ('that "there were issues"': the "that" is the reporter's), "indirect" when none are and
    a verb says what was said, else "topic" ("dismissed the drama": what was spoken of)."""
    tokens = [doc[i] for i in range(piece.first, piece.last + 1) if not (doc[i].is_punct or doc[i].is_space)]
    inside = [inside_marks[token.i] for token in tokens]
    if inside and all(inside):
        return "direct"
    if any(inside):
        return "mixed"
    return "indirect" if any(token.pos_ in ("VERB", "AUX") for token in tokens) else "topic"


def quotes_from_labels(doc: Doc, labels: list[str], mentions: list[Mention]) -> list[Quote]:
    """One Quote per labelled content: its nearest cue, the source nearest that cue (or the
    content when it has no cue), the speaker's entity resolved as the rule finder does (the
    mention on the source's head word, a person inside it, a pronoun's antecedent)."""
    layout, lines = token_layout(doc), paragraphs(doc)
    pieces = _pieces(doc, labels, layout, lines)
    by_role = {role: [p for p in pieces if p.role == role] for role in ROLES}
    speakers = SpeakerResolver(doc, mentions)
    found = []
    for content in by_role["content"]:
        cue = _nearest(by_role["cue"], content)
        source = _nearest(by_role["source"], cue or content)
        quote = Quote(_kind(doc, layout.inside_marks, content), _span(doc, content), _span(doc, cue), _span(doc, source))
        if cue is None and source is None and (introduced := _introduction(doc, lines, content)) is not None:
            quote = replace(quote, cue=cue_span(doc, introduced[0]), speaker=introduced[1])
            head = speaking_head(introduced[2]).idx
        else:
            head = speaking_head(doc[source.first : source.last + 1].root).idx if source else None
        found.append(speakers.resolve(quote, head))
    return found


def _introduction(doc: Doc, lines: list[list[Token]], content: _Piece) -> tuple[Token, Span, Token] | None:
    """For a content with no cue or source in its paragraph, the paragraph before when it ends by
    introducing it ("Caddell continued:", "The New York Times reports:"): its last verb, the
    verb's subject phrase and the subject's head."""
    if content.paragraph == 0 or content.first > lines[content.paragraph][0].i + 1:
        return None  # the content does not open its paragraph (a mark may come first)
    before = lines[content.paragraph - 1]
    if len(before) < 2 or before[-1].text != ":" or before[-2].pos_ != "VERB":
        return None
    subject = subject_of(before[-2])
    return (before[-2], speaker_span(doc, subject), subject) if subject is not None else None


def merge_quotes(first: list[Quote], second: list[Quote]) -> list[Quote]:
    """All of ``first``, plus the quotes of ``second`` whose content overlaps none of them."""
    extra = [q for q in second if not any(q.content.overlaps(k.content) for k in first)]
    return sorted(first + extra, key=lambda quote: (quote.content.start, quote.content.end))
