"""Quotes and their speakers: direct quotes (by their marks), partial quotes inside reported
speech, indirect speech (a reporting verb and its clause, "according to ..."), block quotes that
lost their marks (first-person paragraphs placed by a speaker line or a reporting paragraph), and
transcript turns ("WALLACE: ...").

Rules over spaCy's dependency parse plus surface patterns; the vocabularies (reporting verbs,
prepositional cues, first-person words, quotation marks, pronouns) are data files.
"""
from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache, cached_property

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from storydesk import vocab
from storydesk.analyse.nlp import is_parsed, sentence_start_back
from storydesk.analyse.quotes.marks import Quoted, find_quoted
from storydesk.analyse.quotes.parse import (
    SPEAKER_CUTS,
    SUBJECT_DEPS,
    antecedent,
    clause_span,
    cue_span,
    document_author,
    governs,
    inverted_subject,
    is_cue_verb,
    misattached_complement,
    named_before,
    name_after,
    named_through,
    phrase_cues,
    phrase_object,
    span_of,
    speaker_span,
    speaking_head,
    subject_of,
    subject_words,
    text_of,
    token_range_span,
    within_line,
)
from storydesk.model import Mention, Quote, Span

MIN_UNATTRIBUTED_WORDS = 4  # a cue-less direct quote shorter than this is a title or scare quote
# "they" stands for a group or organisation named just before, or for people the article never
# names (experts, residents): it resolves only within its sentence and the one before.
NEAR_PRONOUNS = frozenset({"they"})
NEAR_PRONOUN_SENTENCES = 1
HEADING_WORDS = 12  # a line this short that does not end as a sentence does is a heading
SENTENCE_ENDS = tuple(".!?…:;,)]'’") + tuple(vocab.load("quote_marks.txt"))
PLURAL_TAGS = frozenset({"NNS", "NNPS"})
MIN_ECHO_WORDS = 3  # content words a cue-less quote needs to be recognised in an attributed one
STANDALONE_BEFORE = frozenset(".!?:,;—–-([" + "".join(vocab.load("quote_marks.txt")))
SENTENCE_END = frozenset(".!?,…")
_WORD = re.compile(r"\w+")
_DEFINITE_NOUN = re.compile(r"[Tt]he (\w+)")  # "the commission", "The agency"
# A transcript turn: a paragraph opening (after a quotation mark, if any) with a speaker label
# in capitals and a colon ("WALLACE: ...", "MIKE PENCE: ..."); labels of two letters or more.
_TURN_LABEL = re.compile(r"[\"“”'‘]?(?P<label>[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,2}):\s+(?=\S)")
MIN_TURNS, MIN_TURN_SPEAKERS = 3, 2  # fewer is a heading ("UPDATE: ..."), not a transcript


@dataclass(frozen=True)
class Attribution:
    """Who says it and the words that say so."""

    cue: Span | None
    speaker: Span | None
    speaker_head: int | None = None  # character offset of the speaker's head word


NO_ATTRIBUTION = Attribution(None, None)


TURN_GAP = " \t\n—–-.;"  # what may stand between two turns of one exchange
SENTENCE_BREAK = re.compile(r"[.!?]\s")  # narration between quotes: the exchange starts again
UNPARSED_SPEAKER_WINDOW = 4  # words after a cue verb where an unparsed document's speaker may stand
UNPARSED_ADVERBS = 2  # adverbs that may stand between a verb and its subject after it ("sagte nun Laporte")
LABEL_WORDS = 3  # at most the words of a speaker's name standing as a sentence before a quote ("Der Redakteur.")
CLAUSE_WORDS = 12  # how far back from its verb an unparsed clause's first word may stand


@cache
def _first_person() -> frozenset[str]:
    return frozenset(vocab.load("quote_first_person.txt"))


@cache
def pronoun_antecedents() -> dict[str, tuple[str, ...]]:
    """Pronoun -> entity-key prefixes its antecedent may have (data file ``quote_pronouns.tsv``)."""
    return {row[0]: tuple(row[1].split()) for row in vocab.load_table("quote_pronouns.tsv")}


def find_quotes(doc: Doc, mentions: list[Mention]) -> list[Quote]:
    """Every quote of the document with its kind, cue, speaker span and speaker entity."""
    quoted = find_quoted(text_of(doc))
    phrases = phrase_cues(doc)
    marked = _marked_quotes(doc, quoted, phrases)
    reported = _reported_speech(doc, quoted, phrases, marked)
    reported += _colon_speech(doc, quoted, marked + reported)
    first_person = [item for item in reported if _speaks_in_first_person(item[0])]
    paragraphs = _paragraphs(text_of(doc))
    turns = _transcript_turns(doc, paragraphs)
    blocks = _block_quotes(doc, paragraphs, quoted, [item for item in marked + reported if item not in first_person], turns)
    block_quotes = [quote for quote, _ in blocks]
    reported = [item for item in reported if item not in first_person or not within_any(item[0], block_quotes)]
    marked = [item for item in marked if item[0].speaker is not None or not _holds_a_label(item[0], turns)]
    speakers = SpeakerResolver(doc, mentions)
    found = [speakers.resolve(quote, head) for quote, head in marked + reported + blocks]
    return sorted(_echoes_attributed(found), key=lambda quote: (quote.content.start, quote.content.end))


def _echoes_attributed(quotes: list[Quote]) -> list[Quote]:
    """A quote with no speaker whose content words an attributed quote of the article all
    repeats (a subheading quoting the body: “Russia and Korea do not accept blackmail”, then
    'Putin reiterated that “Russia and Korea ... do not accept the language of blackmail”') has
    that quote's speaker."""
    attributed = [(quote, _content_words(quote.content.text)) for quote in quotes if quote.speaker is not None]
    echoed = []
    for quote in quotes:
        words = _content_words(quote.content.text) if quote.speaker is None else set()
        source = next((q for q, said in attributed if len(words) >= MIN_ECHO_WORDS and words <= said), None)
        echoed.append(replace(quote, speaker=source.speaker, speaker_entity=source.speaker_entity) if source else quote)
    return echoed


def _content_words(text: str) -> set[str]:
    return {word for word in _WORD.findall(text.lower()) if word not in STOP_WORDS}


def _speaks_in_first_person(quote: Quote) -> bool:
    return quote.speaker is not None and quote.speaker.text.lower() in _first_person()


def _holds_a_label(quote: Quote, turns: dict[int, tuple[Span, Span]]) -> bool:
    """Whether the quote's stretch holds a transcript turn's label: the transcript's own marks,
    whose words the turns give with their speakers."""
    return any(quote.content.start <= label.start < quote.content.end for label, _ in turns.values())


def within_any(quote: Quote, outer: list[Quote]) -> bool:
    """Whether the quote's content lies inside the content of one of ``outer``."""
    return any(o.content.start <= quote.content.start and quote.content.end <= o.content.end for o in outer)


# --- attributions -----------------------------------------------------------------------------


def _verb_attribution(doc: Doc, verb: Token, inside: Callable[[int], bool] = lambda offset: False) -> Attribution:
    """The cue and speaker of a reporting verb (speaker None when it has no subject); a pronoun
    right after a name opening the sentence gives way to the name ("Putin I declare ...")."""
    subject = subject_of(verb, inside) or inverted_subject(verb, inside) or _name_just_before(verb)
    if subject is None or subject.dep_ == "expl" or subject.lower_ == "it" and not subject.ent_type_:
        return Attribution(cue_span(doc, verb), None)
    name = named_before(doc, subject)
    if name is not None:
        return Attribution(cue_span(doc, verb), span_of(doc, name.start_char, name.end_char), name[-1].idx)
    return _spoken_by(doc, cue_span(doc, verb), subject, SPEAKER_CUTS)


def _name_just_before(verb: Token) -> Token | None:
    """A person's name right before a verb the parser left without subject ('“...,” Tulsa police
    Chief Chuck Jordan said Monday', parsed as an apposition); in a document with no parse (a
    pipeline of tokens and entities), the subject ``_unparsed_subject`` finds."""
    before = verb.nbor(-1) if verb.i > 0 else None
    if before is not None and before.ent_type_ == "PERSON":
        return before
    return None if is_parsed(verb.doc) else _unparsed_subject(verb)


def _unparsed_subject(verb: Token) -> Token | None:
    """The subject of a reporting verb in a document with no parse, by word order: a pronoun
    right after it ('sagte er', 'las ich'), else the subject opening its clause ('Der Minister
    sagte', 'Jonescu sagte', 'wenn sie erklärt'), else a name among the next words ('dijo el
    vicepresidente Omar Suleimán'), else the noun or name after it ('erwiderte der Kapitän',
    'rief Zwingli', 'sagte nun Laporte'); none for a participle in the passive ('Aus Linz wird
    berichtet:'), whose subject is what is said."""
    following = verb.doc[verb.i + 1 : verb.i + 2]
    if following and subject_words(verb.doc.lang_).get(following[0].lower_) == "pronoun":
        return following[0]
    if _in_the_passive(verb):
        return None
    after = verb.doc[verb.i + 1 : verb.i + 1 + UNPARSED_SPEAKER_WINDOW]
    named = next((token for token in after if token.ent_type_ in ("PERSON", "ORG") and token.ent_iob_ == "B"), None)
    return _subject_opening_clause(verb) or named or _subject_after(verb, UNPARSED_ADVERBS)


def _in_the_passive(verb: Token) -> bool:
    """Whether a reporting verb is a participle after a passive auxiliary of its clause (``passive``
    in ``quote_subjects.tsv``: "wird berichtet", "wurde geschrieben"); an infinitive after one is
    the future ("wird sagen")."""
    words, first = subject_words(verb.doc.lang_), _clause_start(verb)
    auxiliary = any(words.get(token.lower_) == "passive" for token in verb.doc[first if first is not None else verb.i : verb.i])
    return auxiliary and (verb.lower_.startswith("ge") or not verb.lower_.endswith("en"))


def _subject_after(word: Token, skip: int = 0) -> Token | None:
    """In a document with no parse, the subject standing right after a verb or cue, past up to
    ``skip`` adverbs (lower-case words the language's ``quote_subjects.tsv`` does not list): a
    subject pronoun, the word after one or two determiners, or, past adverbs or a verb, a
    capitalised word (a name: 'rief Zwingli')."""
    words, doc = subject_words(word.doc.lang_), word.doc
    at = word.i + 1
    while at < len(doc) and at - word.i <= skip and doc[at].is_lower and words.get(doc[at].lower_, "opener") == "opener":
        at += 1
    following = doc[at : at + 3]
    if not following or following[0].is_punct:
        return None
    if words.get(following[0].lower_) == "pronoun":
        return following[0]
    determiners = 0
    while determiners < min(2, len(following) - 1) and words.get(following[determiners].lower_) == "determiner":
        determiners += 1
    noun = following[determiners]
    named = skip and noun.is_title and not noun.is_sent_start and noun.lower_ not in words
    return noun if noun.is_alpha and (determiners or named) else None


def _subject_opening_clause(word: Token) -> Token | None:
    """In a document with no parse, the subject that opens the clause ending at ``word`` (its
    verb, or the colon after it), past the words that open a clause without being its subject
    (``opener`` in ``quote_subjects.tsv``: "und", "wenn", "dann"): a subject pronoun ("Er
    sagte", "wenn sie erklärt"), the noun after a determiner ("Der Minister sagte", "Der
    Redakteur:"), a capitalised word ("Jonescu sagte", "Hr. Person folgendes Amendement:"), or
    the subject after the verb that opens it ("Nun näherte der König ... und sagte"); None where
    the clause opens with ``word`` or with a word that is no subject (a preposition), or where
    its start is out of sight."""
    words, doc = subject_words(word.doc.lang_), word.doc
    first = _clause_start(word)
    while first is not None and first < word.i and words.get(doc[first].lower_) == "opener":
        first += 1
    if first is None or first == word.i or not (doc[first].is_alpha or _is_abbreviation(doc[first])):
        return None
    kind = words.get(doc[first].lower_)
    if kind == "pronoun":
        return doc[first]
    if kind == "determiner":
        return _last_of_first_run(doc[first + 1 : word.i])
    if kind is None and doc[first].is_lower:  # a verb after an adverb: "Nun näherte der König ... und sagte"
        return _subject_after(doc[first], UNPARSED_ADVERBS)
    return doc[first] if kind is None and doc[first].is_title else None


def _last_of_first_run(words: SpacySpan) -> Token | None:
    """The last of the first run of capitalised words: the noun after the adjectives a German
    noun phrase capitalises before it ("Ein Berliner Universitätsprofessor")."""
    run = list(itertools.takewhile(lambda token: token.is_title, itertools.dropwhile(lambda token: not token.is_title, words)))
    return run[-1] if run else None


def _is_abbreviation(token: Token) -> bool:
    """A capitalised word with its period, a title before a name ("Dr.", "Abg.")."""
    return token.text[:1].isupper() and token.text.endswith(".") and token.text[:-1].isalpha()


def _clause_start(word: Token) -> int | None:
    """The first token of the clause holding ``word``: after the last punctuation mark before it
    in its sentence; None where that lies more than CLAUSE_WORDS tokens back."""
    first = word.i
    while first > word.sent.start and not word.doc[first - 1].is_punct:
        if word.i - first >= CLAUSE_WORDS:
            return None
        first -= 1
    return first


def _phrase_attribution(doc: Doc, first: int, last: int) -> Attribution:
    """The cue and speaker of a prepositional cue ("according to the President")."""
    cue = span_of(doc, doc[first].idx, doc[last].idx + len(doc[last]))
    if not is_parsed(doc):  # "según la Federación de Vecinos": the words after the cue
        subject = _subject_after(doc[last])
        return Attribution(cue, speaker_span(doc, subject) if subject else None, subject.idx if subject else None)
    obj = phrase_object(doc, last)
    if obj is None and last + 1 < len(doc):
        obj = doc[last + 1].head if doc[last + 1].head.i > last else doc[last + 1]
    if obj is None:
        return Attribution(cue, None)
    return _spoken_by(doc, cue, obj, SPEAKER_CUTS - {"acl"})  # "according to a poll conducted by ..." whole


def _spoken_by(doc: Doc, cue: Span, head: Token, cuts: frozenset[str]) -> Attribution:
    """The attribution to the noun phrase headed by ``head``, as PolNeAR marks a source: "who"
    alone in "Stoltenberg, who said", a statement-like noun with its participle ("a statement
    published by the ministry"); the entity comes from ``speaking_head``."""
    if document_author(head) is not None:
        cuts = cuts - {"acl"}
    return Attribution(cue, speaker_span(doc, head, cuts), speaking_head(head).idx)


class _Inside:
    """Fast membership of a character offset in the quoted stretches."""

    def __init__(self, quoted: list[Quoted]) -> None:
        self.starts = [q.open_at for q in quoted]
        self.ends = [(q.close_at + 1) if q.close_at is not None else q.end for q in quoted]

    def __call__(self, offset: int) -> bool:
        at = bisect.bisect_right(self.starts, offset) - 1
        return at >= 0 and offset < self.ends[at]


# --- quotes with marks ------------------------------------------------------------------------


def _marked_quotes(
    doc: Doc, quoted: list[Quoted], phrases: list[tuple[int, int]]
) -> list[tuple[Quote, int | None]]:
    """Direct and partial quotes from the quotation marks, each with its cue and speaker."""
    inside = _Inside(quoted)
    found: list[tuple[Quote, int | None]] = []
    dialogue = _Dialogue(text_of(doc))
    direct = [stretch.open_at for stretch in quoted if _stands_alone(text_of(doc), stretch)]
    for stretch in quoted:
        standalone = _stands_alone(text_of(doc), stretch)
        attribution = _nearest_cue(doc, stretch, inside, phrases, direct if standalone else None)
        if attribution.cue is None and standalone:
            attribution = dialogue.attribute(stretch, _introduced(doc, stretch, inside))
        elif standalone:
            attribution = dialogue.attribute(stretch, attribution)
        kind = "direct" if standalone else "partial"
        short = _words(text_of(doc), stretch) < MIN_UNATTRIBUTED_WORDS
        if attribution.cue is None and (kind == "partial" or attribution.speaker is None and short):
            continue
        content = span_of(doc, stretch.start, stretch.end)
        found.append((Quote(kind, content, attribution.cue, attribution.speaker), attribution.speaker_head))
    return found


class _Dialogue:
    """Who speaks the quotes that have no cue of their own, read in order. Quotes with nothing but
    punctuation between them are turns of one exchange, and so is a quote with a cue or label of
    its own after one with no sentence end between ('— Der Redakteur: „...“'): after a question,
    or once two speakers have taken turns, a cue-less turn is the reply of the speaker before the
    last ('sagte er: „Wie viele?“ „Fünfhundert.“ „Zu viele.“': the third is his again), else it
    goes on in the last speaker's voice; a turn keeps no cue (the cue belongs to the quote it
    tags), so each turn is an attribution of its own. A cue-less quote after narration has the
    speaker and cue of the attributed quote before it ('"X," he said. "Y."', one attribution:
    ``_carried_over``)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.last: Quoted | None = None
        self.turns: list[Attribution] = []
        self.attributed: tuple[Quoted, Attribution] | None = None

    def attribute(self, stretch: Quoted, attribution: Attribution) -> Attribution:
        """The attribution of a standalone quote, given the one its own cue or label gives it."""
        between = self._between(stretch)
        if attribution.speaker is not None or attribution.cue is not None:
            self._take_turn(attribution, between is not None and not SENTENCE_BREAK.search(between))
        elif between is not None and not between.strip(TURN_GAP) and self.turns:
            attribution = self._next_turn(self.last)
        elif self.attributed is not None:
            attribution = _carried_over(self.text, self.attributed, stretch)
        self.last = stretch
        if attribution.speaker is not None:
            self.attributed = (stretch, attribution)
        return attribution

    def _take_turn(self, attribution: Attribution, goes_on: bool) -> None:
        """A quote with its own cue or label: the next turn of the exchange, or the first of a
        new one; a speaker's second part ('„Sire“, sagte Laporte, „...“') is the same turn."""
        if not goes_on or not self.turns:
            self.turns = [attribution]
        elif _speaker_text(self.turns[-1]) == _speaker_text(attribution):
            self.turns[-1] = attribution
        else:
            self.turns.append(attribution)

    def _between(self, stretch: Quoted) -> str | None:
        """The text between the last quote and this one (None before the first)."""
        if self.last is None:
            return None
        return self.text[self.last.close_at + 1 if self.last.close_at is not None else self.last.end : stretch.open_at]

    def _next_turn(self, last: Quoted) -> Attribution:
        """A cue-less turn: the reply of the speaker before the last after a question or once
        the exchange has two turns, else the last speaker going on."""
        if len(self.turns) >= 2 or self.text[last.start : last.end].endswith("?"):
            reply = self.turns[-2] if len(self.turns) >= 2 else NO_ATTRIBUTION
            self.turns.append(reply)
            return _uncued(reply)
        return _uncued(self.turns[-1])


def _speaker_text(attribution: Attribution) -> str | None:
    """The speaker's words, for telling one turn's speaker from another's."""
    return attribution.speaker.text if attribution.speaker is not None else None


def _uncued(attribution: Attribution) -> Attribution:
    """The same speaker without the cue, which belongs to the quote it tags."""
    return replace(attribution, cue=None)


def _words(text: str, stretch: Quoted) -> int:
    return len(_WORD.findall(text, stretch.start, stretch.end))


def _stands_alone(text: str, stretch: Quoted) -> bool:
    """A quote is direct when it starts a sentence or follows a colon, comma or dash; a quote
    that continues the words before it ("called the sanctions “inhumane”") is partial."""
    before = text[: stretch.open_at].rstrip(" \t")
    return not before or before[-1] == "\n" or before[-1] in STANDALONE_BEFORE


def _sentence_window(doc: Doc, stretch: Quoted) -> tuple[int, int]:
    """Token range (first, end-exclusive) where a quote's cue may stand: the sentences the quote
    touches, and the next one when the quote ends its sentence ("“...,” he said." split apart)."""
    first_token = _token_at(doc, stretch.open_at)
    last_token = _token_at(doc, max(stretch.end - 1, stretch.open_at))
    start, end = first_token.sent.start, last_token.sent.end
    if end < len(doc) and doc[end - 1].idx <= (stretch.close_at or stretch.end) + 1:
        end = doc[end].sent.end
    line_start = text_of(doc).rfind("\n", 0, stretch.open_at) + 1
    line_end = text_of(doc).find("\n", stretch.close_at or stretch.end)
    line_end = len(text_of(doc)) if line_end < 0 else line_end
    while start < first_token.i and doc[start].idx < line_start:
        start += 1
    while end > last_token.i + 1 and doc[end - 1].idx >= line_end:
        end -= 1
    return start, end


def _token_at(doc: Doc, offset: int) -> Token:
    """The token holding (or nearest after) a character offset."""
    span = doc.char_span(offset, offset + 1, alignment_mode="expand")
    if span is not None and len(span):
        return span[0]
    starts = [token.idx for token in doc]
    return doc[min(bisect.bisect_right(starts, offset), len(doc) - 1)]


def _nearest_cue(
    doc: Doc, stretch: Quoted, inside: _Inside, phrases: list[tuple[int, int]], others: list[int] | None
) -> Attribution:
    """The reporting cue outside quotes nearest the quote in its sentence window; a partial quote
    (``others`` None) prefers a cue that governs it. A direct quote takes no cue across another
    of the direct quotes that open at ``others`` (sorted): 'sagte er: „Wie viele?“ „Fünfhundert.“'
    cues the question, not the answer. A cue in the quote's own sentences comes before one in the
    sentence after them (which the window holds for '“...,” he said.' split in two)."""
    start, end = _sentence_window(doc, stretch)
    quote_first = _token_at(doc, stretch.start)
    own_end = _token_at(doc, max(stretch.end - 1, stretch.open_at)).sent.end
    candidates: list[tuple[tuple[bool, int], Attribution]] = []
    for token in doc[start:end]:
        if is_cue_verb(token) and not inside(token.idx) and not _across_quotes(others, token.idx, stretch):
            if others is not None or governs(token, quote_first) or _tags_the_quote(doc, token, stretch):
                rank = (token.i >= own_end, _distance(token.idx, stretch))
                candidates.append((rank, _verb_attribution(doc, token, inside)))
    for first, last in phrases:
        if start <= first < end and not inside(doc[first].idx) and not _across_quotes(others, doc[first].idx, stretch):
            candidates.append(((first >= own_end, _distance(doc[first].idx, stretch)), _phrase_attribution(doc, first, last)))
    with_speaker = [c for c in candidates if c[1].speaker is not None]
    pool = with_speaker or candidates
    return min(pool, key=lambda c: c[0])[1] if pool else NO_ATTRIBUTION


def _across_quotes(others: list[int] | None, offset: int, stretch: Quoted) -> bool:
    """Whether one of the quotes opening at ``others`` stands between ``offset`` and the stretch."""
    if not others:
        return False
    low, high = (offset, stretch.open_at) if offset < stretch.open_at else (stretch.open_at, offset)
    at = bisect.bisect_right(others, low)
    return at < len(others) and others[at] < high


def _tags_the_quote(doc: Doc, verb: Token, stretch: Quoted) -> bool:
    """Whether a cue tags the quote right after its closing comma ('Seoul “has ... ,” he noted'):
    only a comma and up to three words (the speaker) between the closing mark and the verb."""
    if stretch.close_at is None or verb.idx < stretch.close_at:
        return False
    between = text_of(doc)[stretch.close_at + 1 : verb.idx]
    comma = text_of(doc)[stretch.close_at - 1] == "," or between.lstrip().startswith(",")
    return comma and "\n" not in between and len(_WORD.findall(between)) <= 3


def _distance(offset: int, stretch: Quoted) -> int:
    if offset < stretch.open_at:
        return stretch.open_at - offset
    return max(0, offset - (stretch.close_at or stretch.end))


def _carried_over(text: str, previous: tuple[Quoted, Attribution], stretch: Quoted) -> Attribution:
    """'"X," he said. "Y."': a cue-less quote right after an attributed one in the same paragraph
    (or opening the next paragraph) has the same speaker."""
    earlier, attribution = previous
    between = text[earlier.end : stretch.open_at]
    line_end = text.find("\n", stretch.end)
    after = text[stretch.end : len(text) if line_end < 0 else line_end]
    is_sentence = text[stretch.end - 1] in SENTENCE_END or after.lstrip()[:1] in SENTENCE_END
    return attribution if is_sentence and between.count("\n") <= 2 and len(between) < 400 else NO_ATTRIBUTION


def _introduced(doc: Doc, stretch: Quoted, inside: _Inside) -> Attribution:
    """'Putin said at the conference: “...”' when the cue sentence ends in a colon; in a document
    with no parse, where no reporting verb stands there and the quote is a sentence (a title,
    'mit dem Titel: „Forstmeister“', is not), the subject of the clause before the colon ('Der
    Redakteur: „...“', 'General Faidherbe hat folgenden Tagsbefehl erlassen: „...“') or a name
    alone as the sentence before the quote, as a play names who speaks ('Rudolph. „...“')."""
    before = text_of(doc)[: stretch.open_at].rstrip()
    if not before.endswith((":", ".")):
        return NO_ATTRIBUTION
    mark = _token_at(doc, len(before) - 1)
    attribution = _colon_cue(doc, mark, inside) if mark.text == ":" else NO_ATTRIBUTION
    if attribution.cue is not None or is_parsed(doc) or _words(text_of(doc), stretch) < MIN_UNATTRIBUTED_WORDS:
        return attribution
    subject = _subject_opening_clause(mark) if mark.text == ":" else _speaker_label(mark) if mark.text == "." else None
    return Attribution(None, speaker_span(doc, subject), subject.idx) if subject is not None else NO_ATTRIBUTION


def _speaker_label(period: Token) -> Token | None:
    """The name that is the whole sentence ending at ``period``: up to LABEL_WORDS capitalised
    words, after a determiner if any, or a pronoun ("Rudolph.", "Ich.", "Der Redakteur."); its
    first word."""
    first = period.sent.start
    words = [token for token in period.doc[first : period.i] if token.is_alpha or _is_abbreviation(token)]
    if not words or len(words) != period.i - first or len(words) > LABEL_WORDS:
        return None
    kinds = subject_words(period.doc.lang_)
    if len(words) == 1 and kinds.get(words[0].lower_) == "pronoun":
        return words[0]
    named = words[1:] if kinds.get(words[0].lower_) == "determiner" else words
    return named[0] if named and all(token.is_title or _is_abbreviation(token) for token in named) else None


def _colon_cue(doc: Doc, colon: Token, inside: _Inside) -> Attribution:
    """The attribution of the last reporting verb before a colon in its sentence, outside quotes
    and with no other colon between."""
    for token in reversed(doc[colon.sent.start : colon.i]):
        if token.text == ":":
            break
        if is_cue_verb(token) and not inside(token.idx):
            return _verb_attribution(doc, token, inside)
    return NO_ATTRIBUTION


# --- reported speech without marks --------------------------------------------------------------


def _reported_speech(
    doc: Doc, quoted: list[Quoted], phrases: list[tuple[int, int]], marked: list[tuple[Quote, int | None]]
) -> list[tuple[Quote, int | None]]:
    """Indirect speech: a reporting verb's clausal complement, and "according to X, ..."."""
    inside = _Inside(quoted)
    direct = [quote.content for quote, _ in marked if quote.kind == "direct"]
    direct_cues = {quote.cue.start for quote, _ in marked if quote.kind == "direct" and quote.cue}
    found: list[tuple[Quote, int | None]] = []
    for token in doc:
        if not is_cue_verb(token) or inside(token.idx) or cue_span(doc, token).start in direct_cues:
            continue
        clause = next((child for child in token.children if child.dep_ == "ccomp"), None) or misattached_complement(token)
        content = clause_span(doc, clause) if clause is not None else None
        if content is None or _mostly_within(content, direct):
            continue
        attribution = _verb_attribution(doc, token, inside)
        if attribution.speaker is not None:
            found.append((Quote("indirect", content, attribution.cue, attribution.speaker), attribution.speaker_head))
    for first, last in phrases:
        content = _according_content(doc, first, last)
        if content is not None and not inside(doc[first].idx) and not _mostly_within(content, direct):
            attribution = _phrase_attribution(doc, first, last)
            found.append((Quote("indirect", content, attribution.cue, attribution.speaker), attribution.speaker_head))
    return found


def _colon_speech(doc: Doc, quoted: list[Quoted], known: list[tuple[Quote, int | None]]) -> list[tuple[Quote, int | None]]:
    """Speech without marks after a reporting verb and a colon ('Huß sprach: Wollt ihr mir das
    Maul verbieten?', 'Man sagt: Macht gute Politik'), to the end of its sentence: direct, or
    indirect where its verbs are in the mood of reported speech ('antwortete: Wolken seyen
    dagewesen'); not where a quote already found holds it. Only in a document with no parse:
    a parse reads "said: the plan is ready" as the verb's clause (reported speech), and the last
    reporting verb before a colon need not be what the colon ends ("said ... asking yourself
    this: ..."), which is all a text without a parse has to go by."""
    if is_parsed(doc):
        return []
    inside = _Inside(quoted)
    taken = [quote.content for quote, _ in known]
    found: list[tuple[Quote, int | None]] = []
    for colon in (token for token in doc if token.text == ":" and not inside(token.idx)):
        content = _speech_after(doc, colon)
        if content is None or inside(content.start) or _mostly_within(content, taken):
            continue
        attribution = _colon_cue(doc, colon, inside)
        if attribution.speaker is not None:
            kind = "indirect" if _in_reported_mood(doc, content) else "direct"
            found.append((Quote(kind, content, attribution.cue, attribution.speaker), attribution.speaker_head))
    return found


@cache
def _subjunctives(language: str) -> frozenset[str]:
    """Verb forms of reported speech (``lang/<code>/quote_subjunctives.txt``)."""
    return frozenset(vocab.load_language(language, "quote_subjunctives.txt"))


def _in_reported_mood(doc: Doc, content: Span) -> bool:
    """Whether words hold a verb form of reported speech ("seien", "könne"): indirect speech."""
    forms = _subjunctives(doc.lang_)
    return bool(forms) and any(word.lower() in forms for word in _WORD.findall(content.text))


def _speech_after(doc: Doc, colon: Token) -> Span | None:
    """The words after a colon to the end of its sentence, and on over sentences that open in
    lower case (the speaker's '!' or '?' inside one utterance: 'Gott! Gott! wenn das dein Vater
    wüßte!'), kept to the colon's line; None when a quotation mark or nothing follows."""
    if colon.i + 1 >= len(doc) or doc[colon.i + 1].text in STANDALONE_BEFORE:
        return None
    last = colon.sent.end - 1
    while last + 1 < len(doc) and doc[last + 1].is_lower and doc[last + 1].sent.start == last + 1:
        last = doc[last + 1].sent.end - 1
    first, last = within_line(doc, colon, colon.i + 1, last)
    return token_range_span(doc, first, last)


def _mostly_within(content: Span, spans: list[Span]) -> bool:
    """Whether half or more of ``content`` lies inside one of ``spans``."""
    size = content.end - content.start
    return any(min(content.end, s.end) - max(content.start, s.start) >= size / 2 for s in spans)


def _according_content(doc: Doc, first: int, last: int) -> Span | None:
    """The rest of the sentence around an "according to X" phrase (the longer side)."""
    phrase_head = doc[first]
    sentence = phrase_head.sent
    phrase_end = max(phrase_head.subtree, key=lambda t: t.i).i if phrase_head.dep_ == "prep" else last
    obj = phrase_object(doc, last)
    if obj is not None:
        phrase_end = max(phrase_end, obj.right_edge.i)
    elif not is_parsed(doc) and (subject := _subject_after(doc[last])) is not None:
        phrase_end = name_after(doc, subject).end - 1
    start, last = within_line(doc, phrase_head, sentence.start, sentence.end - 1)
    left = token_range_span(doc, start, first - 1) if first > start else None
    right = token_range_span(doc, phrase_end + 1, last) if phrase_end < last else None
    sides = [side for side in (left, right) if side is not None]
    return max(sides, key=lambda s: s.end - s.start) if sides else None


# --- block quotes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Paragraph:
    start: int
    end: int


def _paragraphs(text: str) -> list[_Paragraph]:
    """Non-empty lines, trimmed, with their offsets."""
    found, offset = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = offset + line.index(stripped[0])
            found.append(_Paragraph(start, start + len(stripped)))
        offset += len(line) + 1
    return found


def _block_quotes(
    doc: Doc,
    paragraphs: list[_Paragraph],
    quoted: list[Quoted],
    known: list[tuple[Quote, int | None]],
    turns: dict[int, tuple[Span, Span]],
) -> list[tuple[Quote, int | None]]:
    """Transcript turns (the words after a speaker label), and first-person paragraphs without
    marks, placed by the speaker line after them, by the reporting paragraph before them, or by
    the block quote just before them."""
    taken = [q.open_at for q in quoted] + [quote.content.start for quote, _ in known]
    taken.sort()
    found: list[tuple[Quote, int | None]] = []
    last_block: tuple[int, Attribution] | None = None
    for index, paragraph in enumerate(paragraphs):
        if paragraph.start in turns:
            label, content = turns[paragraph.start]
            last_block = (index, Attribution(None, label, label.start))
            found.append((Quote("block", content, None, label), label.start))
            continue
        if not _is_first_person(doc, paragraph) or _holds_any(taken, paragraph):
            continue
        attribution = _speaker_line(doc, paragraphs, index)
        if attribution.speaker is None and index > 0:
            attribution = _reporting_paragraph(doc, paragraphs[index - 1])
        if attribution.speaker is None and last_block is not None and index - last_block[0] <= 2:
            attribution = last_block[1]
        if attribution.speaker is None:
            continue
        content = span_of(doc, paragraph.start, paragraph.end)
        found.append((Quote("block", content, attribution.cue, attribution.speaker), attribution.speaker_head))
        last_block = (index, attribution)
    return found


def _transcript_turns(doc: Doc, paragraphs: list[_Paragraph]) -> dict[int, tuple[Span, Span]]:
    """Paragraph start -> (speaker label, words) of each transcript turn, when the text has at
    least MIN_TURNS of them by MIN_TURN_SPEAKERS speakers."""
    text = text_of(doc)
    turns = {}
    for paragraph in paragraphs:
        label = _TURN_LABEL.match(text, paragraph.start, paragraph.end)
        if label:
            words = span_of(doc, label.end(), paragraph.end)
            turns[paragraph.start] = (span_of(doc, label.start("label"), label.end("label")), words)
    speakers = {label.text for label, _ in turns.values()}
    return turns if len(turns) >= MIN_TURNS and len(speakers) >= MIN_TURN_SPEAKERS else {}


def _holds_any(sorted_offsets: list[int], paragraph: _Paragraph) -> bool:
    at = bisect.bisect_left(sorted_offsets, paragraph.start)
    return at < len(sorted_offsets) and sorted_offsets[at] < paragraph.end


def _paragraph_tokens(doc: Doc, paragraph: _Paragraph) -> list[Token]:
    span = doc.char_span(paragraph.start, paragraph.end, alignment_mode="expand")
    return list(span) if span is not None else []


def _is_first_person(doc: Doc, paragraph: _Paragraph) -> bool:
    """A paragraph in the speaker's own voice: a first-person pronoun, and a full sentence."""
    tokens = _paragraph_tokens(doc, paragraph)
    if len(tokens) < 6 or text_of(doc)[paragraph.end - 1] not in ".!?…":
        return False
    return any(token.lower_ in _first_person() and token.pos_ == "PRON" for token in tokens)


def _speaker_line(doc: Doc, paragraphs: list[_Paragraph], index: int) -> Attribution:
    """The next line when it holds only a person's name ("Wladimir Putin")."""
    if index + 1 >= len(paragraphs):
        return NO_ATTRIBUTION
    line = paragraphs[index + 1]
    tokens = _paragraph_tokens(doc, line)
    names = [token for token in tokens if token.pos_ == "PROPN" or token.ent_type_ == "PERSON"]
    if not 1 <= len(tokens) <= 4 or len(names) != len(tokens) or not all(t.is_title for t in tokens):
        return NO_ATTRIBUTION
    if len(tokens) == 1 and tokens[0].ent_type_ != "PERSON":
        return NO_ATTRIBUTION
    return Attribution(None, span_of(doc, line.start, line.end), tokens[-1].idx)


def _reports_speech(verb: Token) -> bool:
    """A cue verb used for speech: it has a clause, or nothing ("he said in Kazan."), not an
    object or infinitive ("pledged to establish", "called for")."""
    deps = {child.dep_ for child in verb.children}
    return "ccomp" in deps or not deps & {"dobj", "xcomp", "prep", "dative"} or verb.nbor(1).text == ":"


def _reporting_paragraph(doc: Doc, paragraph: _Paragraph) -> Attribution:
    """The speaker named by the last sentence of the paragraph before ("Putin said in Kazan:",
    "Putin stated that ...")."""
    tokens = _paragraph_tokens(doc, paragraph)
    if not tokens:
        return NO_ATTRIBUTION
    for token in reversed(list(tokens[-1].sent)):
        if is_cue_verb(token) and _reports_speech(token):
            attribution = _verb_attribution(doc, token)
            if attribution.speaker is not None:
                return attribution
    return NO_ATTRIBUTION


# --- speaker entities -------------------------------------------------------------------------


def _lone_name(text: str) -> bool:
    """Whether a speaker is one capitalised word ("Tester"), as a surname is."""
    return text.istitle() and text.isalpha()


class SpeakerResolver:
    """Maps a speaker span to an entity key: the mention on its head word (which ``speaking_head``
    may have placed outside the span), a person inside it, for a pronoun the nearest compatible
    mention before it ("they": see ``_near_antecedent``), for "the fund" the organisation named
    before whose name ends so, for a label in capitals or a lone surname the person named before
    with that last name. Where none resolves, a span that names its speaker through another word
    gets that word's phrase as ``speaker_name``."""

    def __init__(self, doc: Doc, mentions: list[Mention]) -> None:
        self.doc = doc
        self.mentions = sorted(mentions, key=lambda m: (m.span.start, m.span.end))
        self.starts = [m.span.start for m in self.mentions]

    def resolve(self, quote: Quote, head: int | None) -> Quote:
        if quote.speaker is None:
            return quote
        entity = self._entity(quote.speaker, head)
        name = None if entity else named_through(self.doc, quote.speaker)
        return replace(quote, speaker_entity=entity, speaker_name=name.text if name else None)

    def _overlapping(self, span: Span) -> list[Mention]:
        last = bisect.bisect_left(self.starts, span.end)
        return [m for m in self.mentions[max(0, last - 20) : last] if m.span.end > span.start]

    def _entity(self, speaker: Span, head: int | None) -> str | None:
        overlapping = self._overlapping(speaker)
        # The head word may stand outside the speaker span ("who" stands for a name before it).
        on_head = self._overlapping(Span(head, head + 1, "")) if head is not None else []
        persons = [m for m in overlapping if m.entity.startswith("person:")]
        # A place on the head word gives way to a person in the span: a poor parse heads
        # "Tulsa police Chief Chuck Jordan" with "Tulsa".
        chosen = [m for m in on_head if not m.entity.startswith("place:")] or persons or on_head
        if chosen:
            return chosen[0].entity
        prefixes = pronoun_antecedents().get(speaker.text.lower())
        if prefixes:  # a pronoun: its antecedent
            if speaker.text.lower() in NEAR_PRONOUNS:
                return self._near_antecedent(speaker, prefixes)
            section, named_after = self._section_start(speaker.start), self._named_later_in_sentence(speaker)
            return self._nearest_before(
                speaker.start, lambda m: m.entity.startswith(prefixes) and m.via != "pronoun" and m.span.start >= section
                and m.entity not in named_after
            )
        head_noun = _DEFINITE_NOUN.fullmatch(speaker.text)
        if head_noun:  # "the commission": the organisation named before with that last word
            noun = head_noun.group(1).lower()
            return self._nearest_before(
                speaker.start, lambda m: m.entity.startswith("org:") and m.span.text.lower().rsplit(" ", 1)[-1] == noun
            )
        if speaker.text.isupper() or _lone_name(speaker.text):
            # a transcript's label ("PENCE") or a surname the model left untagged ("Tester
            # said"): the person of that last name named before
            surname = speaker.text.split()[-1].lower()
            return self._nearest_before(
                speaker.start, lambda m: m.entity.startswith("person:") and m.entity.rsplit(" ", 1)[-1] == surname
            )
        return None

    def _named_later_in_sentence(self, pronoun: Span) -> set[str]:
        """The entities named after a pronoun in its sentence: "He also told Solee" is not Solee
        (a pronoun does not stand for a name its own clause gives)."""
        end = next((start for start in self.sentence_starts if start > pronoun.start), len(self.doc.text))
        return {m.entity for m in self.mentions[bisect.bisect_left(self.starts, pronoun.end) : bisect.bisect_left(self.starts, end)]}

    def _near_antecedent(self, pronoun: Span, prefixes: tuple[str, ...]) -> str | None:
        """What "they" stands for: the nearest subject before it, in its sentence or the one
        before, that may be plural (the subject is what "they" most often takes up): a group or
        organisation named there, or nothing when the subject is several people or things with no
        entity ("Twenty-seven states and industry groups ... They argue") or an earlier "they".
        Singular subjects and those of relative clauses are passed over; with no subject to go by,
        the nearest group or organisation named in those sentences."""
        since = sentence_start_back(self.sentence_starts, pronoun.start, NEAR_PRONOUN_SENTENCES)
        for subject in self._subjects_before(since, pronoun.start):
            named = self._overlapping(span_of(self.doc, subject.idx, subject.idx + len(subject)))
            fitting = [m.entity for m in named if m.entity.startswith(prefixes)]
            if fitting:
                return fitting[0]
            if subject.tag_ in PLURAL_TAGS or subject.lower_ in NEAR_PRONOUNS or any(c.dep_ == "conj" for c in subject.children):
                return None
        return self._nearest_before(
            pronoun.start, lambda m: m.entity.startswith(prefixes) and m.via != "pronoun" and m.span.start >= since
        )

    def _subjects_before(self, start: int, end: int) -> list[Token]:
        """The subjects between the two characters, nearest to ``end`` first, but relative
        pronouns ("policies that create")."""
        words = self.doc.char_span(start, end, alignment_mode="contract") or []
        return [word for word in reversed(list(words)) if word.dep_ in SUBJECT_DEPS and antecedent(word).i == word.i]

    @cached_property
    def sentence_starts(self) -> list[int]:
        """Each sentence's first character, listed only when a pronoun needs it."""
        return [sentence.start_char for sentence in self.doc.sents]

    def _section_start(self, at: int) -> int:
        """Where the section holding character ``at`` begins: after the last heading line before
        it. A pronoun does not reach back over a heading ("Concern in the US and the UK"), where
        the text turns to someone else."""
        return self.heading_ends[bisect.bisect_right(self.heading_ends, at) - 1] if self.heading_ends and self.heading_ends[0] <= at else 0

    @cached_property
    def heading_ends(self) -> list[int]:
        """The end of every heading line: a short line that does not end as a sentence does."""
        ends, position = [], 0
        for line in self.doc.text.split("\n"):
            words = line.split()
            if 0 < len(words) <= HEADING_WORDS and not line.rstrip().endswith(SENTENCE_ENDS):
                ends.append(position + len(line))
            position += len(line) + 1
        return ends

    def _nearest_before(self, before: int, fits: Callable[[Mention], bool]) -> str | None:
        """The entity of the nearest mention before ``before`` that fits."""
        for mention in reversed(self.mentions[: bisect.bisect_left(self.starts, before)]):
            if fits(mention):
                return mention.entity
        return None
