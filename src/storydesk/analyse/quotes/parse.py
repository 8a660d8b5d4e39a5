"""Reading a reporting cue in a spaCy parse: which words cue a quote, who its subject is, what
clause it reports. Shared by the quote finders in ``quotes.py``."""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from storydesk import vocab
from storydesk.analyse.nlp import is_parsed
from storydesk.model import Span
from storydesk.words import phrase_alternation

TEXT_KEY = "storydesk.text"
TAGGED_KEY = "storydesk.tagged"  # Doc.user_data: whether the pipeline tagged parts of speech
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
CHAIN_DEPS = frozenset({"conj", "xcomp", "advcl"})  # a verb chained to another shares its subject
CUE_PARTS = frozenset({"aux", "auxpass", "neg"})
SPEAKER_CUTS = frozenset({"relcl", "acl", "advcl", "cc", "conj"})  # what ends a speaker noun phrase on its right
RELATIVE_PRONOUN_TAGS = frozenset({"WP", "WDT"})  # "who", "which", "that" opening a relative clause
WHEN_ENTITIES = frozenset({"DATE", "TIME"})  # a day or hour is never who speaks
NAMED_SPEAKERS = frozenset({"PERSON", "ORG", "NORP"})  # names that may speak after their verb
EDGE_PUNCT = frozenset({"PUNCT", "SPACE"})
CLAUSE_TAIL = EDGE_PUNCT | {"CCONJ"}  # what a reported clause never ends on
SENTENCE_ENDS = frozenset({".", "!", "?"})
INVERTED_SUBJECT_DEPS = frozenset({"dobj", "npadvmod", "attr", "oprd", "appos", "nsubj"})


def language_file(language: str, name: str) -> tuple[str, ...]:
    """A quote vocabulary in ``language``: ``name`` for English, ``lang/<code>/name`` else
    (none for a language the project has no list for)."""
    return vocab.load(name) if language == "en" else vocab.load_language(language, name)


@cache
def cue_verbs(language: str = "en") -> frozenset[str]:
    """Reporting verbs (data file ``quote_verbs.txt``): lemmas, and in other languages also
    the inflected forms, which a pipeline without a lemmatizer leaves as they are."""
    return frozenset(language_file(language, "quote_verbs.txt"))


@cache
def cue_phrase_pattern(language: str = "en") -> re.Pattern[str]:
    """Prepositional cues such as "according to" (data file ``quote_phrases.txt``) as one pattern."""
    return re.compile(r"\b(?:" + phrase_alternation(language_file(language, "quote_phrases.txt")) + r")\b", re.I)


def text_of(doc: Doc) -> str:
    """``doc.text``, computed once per doc (spaCy rebuilds it from the tokens on every access)."""
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


def span_of(doc: Doc, start: int, end: int) -> Span:
    """A model Span over the doc's text from ``start`` to ``end``."""
    return Span(start, end, text_of(doc)[start:end])


def _edge_punct(token: Token) -> bool:
    """Punctuation a span drops at its edges: by its tag, or where nothing tagged it, by its form."""
    return token.pos_ in EDGE_PUNCT or (not token.pos_ and token.is_punct)


def token_range_span(doc: Doc, first: int, last: int) -> Span | None:
    """The character span of tokens ``first..last`` (inclusive) without edge punctuation."""
    while first <= last and _edge_punct(doc[first]):
        first += 1
    while last >= first and _edge_punct(doc[last]):
        last -= 1
    if first > last:
        return None
    return span_of(doc, doc[first].idx, doc[last].idx + len(doc[last]))


def is_cue_verb(token: Token) -> bool:
    """A reporting verb by lemma, used as a verb; in a pipeline with no tagger (tokens and
    entities only), by its lemma or form alone, written in lower case inside a sentence (a
    capitalised "Fragen" or "Rufe" there is a noun, as German writes nouns, or a name)."""
    doc = token.doc
    verbs = cue_verbs(doc.lang_)
    if doc.lang_ == "en":
        return token.pos_ in ("VERB", "AUX") and token.lemma_.lower() in verbs
    if token.lemma_.lower() not in verbs and token.lower_ not in verbs:
        return False
    tagged = doc.user_data.get(TAGGED_KEY)
    if tagged is None:  # has_annotation reads the whole doc: once per doc, not once per word
        tagged = doc.user_data[TAGGED_KEY] = doc.has_annotation("POS")
    return token.pos_ in ("VERB", "AUX") or not tagged and (token.is_lower or token.is_sent_start)


def cue_span(doc: Doc, verb: Token) -> Span:
    """The cue: the reporting verb with the auxiliaries just before it ("has learned")."""
    first = verb.i
    while first > 0 and doc[first - 1].dep_ in CUE_PARTS and doc[first - 1].head == verb:
        first -= 1
    return span_of(doc, doc[first].idx, verb.idx + len(verb))


def subject_of(verb: Token, quoted: Callable[[int], bool] = lambda offset: False) -> Token | None:
    """The verb's subject, or that of the verb it is chained to ("went on to say", "and added",
    "..., saying"). Climbing from a chained verb skips what cannot be its agent: the subject of a
    subordinate or passive clause ("since elections are held ..., saying") and a subject inside
    a quotation (a participle the parser hung on the quoted clause), whose reporting verb's
    subject is taken instead."""
    current = verb
    for _ in range(4):
        subject = _own_subject(current, quoted)
        if subject is not None and (current is verb or _is_agent_clause(current, subject)):
            return subject
        climbs = current.dep_ in CHAIN_DEPS or current.dep_ == "ccomp" and quoted(current.idx)
        if not climbs or current.head == current:
            return None
        current = current.head
    return None


def _own_subject(verb: Token, quoted: Callable[[int], bool] = lambda offset: False) -> Token | None:
    """The verb's own subject (or the agent of its passive), not inside a quotation (the parser
    may take a quoted title for a second subject: 'Flynn said on “Fox and Friends”')."""
    for child in verb.children:
        if child.dep_ in SUBJECT_DEPS and not quoted(child.idx):
            return child
        if child.dep_ == "agent":
            return next((grand for grand in child.children if grand.dep_ == "pobj"), None)
    return None


def _is_agent_clause(verb: Token, subject: Token) -> bool:
    """Whether a verb reached by climbing may have the speaker for subject: an active clause that
    is not an adverbial clause with a subordinator ("since elections are held", "because ...")."""
    subordinate = verb.dep_ == "advcl" and any(child.dep_ == "mark" for child in verb.children)
    return subject.dep_ == "nsubj" and not subordinate


def governs(verb: Token, token: Token) -> bool:
    """Whether ``verb`` governs ``token`` without a coordinated clause with a subject of its own
    in between ("Putin reiterated that ... and Kim welcomed a “new era”": the era is Kim's)."""
    current = token
    while current.i != verb.i:
        if current.head == current:
            return False
        if current.dep_ == "conj" and current.pos_ in ("VERB", "AUX") and _own_subject(current) is not None:
            return False
        current = current.head
    return True


def misattached_complement(verb: Token) -> Token | None:
    """A "that" clause the parser hung as a relative clause on the noun of the verb's adjunct
    ("said at the summit that NATO had been involved"): told apart from a true relative clause
    by having no gap for "that" to fill (its verb is passive or already has an object)."""
    for prep in (child for child in verb.children if child.dep_ == "prep"):
        for noun in (child for child in prep.children if child.dep_ == "pobj"):
            for clause in noun.subtree:
                if clause.dep_ == "relcl" and clause.left_edge.lower_ == "that" and _no_gap(clause):
                    return clause
    return None


def _no_gap(clause: Token) -> bool:
    deps = [child.dep_ for child in clause.children if child.i != clause.left_edge.i]
    return "nsubjpass" in deps or "nsubj" in deps and "dobj" in deps


def named_before(doc: Doc, pronoun: Token) -> SpacySpan | None:
    """The name that opens a sentence or line right before a subject pronoun, a translation garble
    where the name is the real subject ("Putin I declare that ...", "Pyongyang He called ...")."""
    if pronoun.pos_ != "PRON":
        return None
    first = pronoun.i
    while first > 0 and doc[first - 1].pos_ == "PROPN" and doc[first - 1].ent_type_:
        first -= 1
    opens = first == 0 or doc[first - 1].is_space or doc[first - 1].text in SENTENCE_ENDS
    return doc[first : pronoun.i] if first < pronoun.i and opens else None


def inverted_subject(verb: Token, quoted: Callable[[int], bool] = lambda offset: False) -> Token | None:
    """The speaker after the verb when the small model misses the inversion ("“...,” criticized
    Podoliak", "added the president"): a name object, or a noun when a quote or comma precedes."""
    if verb.doc.lang_ != "en":  # a Universal Dependencies parse: a name after the verb ("a déclaré M. Souleimane")
        return next((c for c in verb.rights if c.ent_type_ in NAMED_SPEAKERS and not quoted(c.idx)), None)
    after_quote = verb.i > 0 and verb.nbor(-1).pos_ == "PUNCT"
    for child in verb.rights:
        if child.ent_type_ in WHEN_ENTITIES or quoted(child.idx):  # "said Monday", 'said on “Fox and Friends”'
            continue
        if child.dep_ in INVERTED_SUBJECT_DEPS and (child.pos_ == "PROPN" or after_quote and child.pos_ == "NOUN"):
            return child
    return None


def speaker_span(doc: Doc, head: Token, cuts: frozenset[str] = SPEAKER_CUTS) -> Span:
    """The speaker noun phrase: the subject's subtree up to the first of ``cuts`` (a relative
    clause, say), keeping appositions and prepositions ("Sean Spicer, chief strategist for the RNC");
    in a document with no parse, the name the head is part of, else the head and the name
    after it ("ministra Ana Ruiz", "Federación de Vecinos")."""
    if not is_parsed(doc):
        name = name_after(doc, head)
        return span_of(doc, name.start_char, name.end_char)
    last = head.i
    for child in head.rights:
        if child.dep_ in cuts:
            break
        last = child.right_edge.i
    lefts = [child for child in head.lefts if child.dep_ != "case"]  # "selon" in "selon l'armée" is the cue
    first = lefts[0].left_edge.i if lefts else head.i
    return token_range_span(doc, first, last) or span_of(doc, head.idx, head.idx + len(head))


def name_after(doc: Doc, head: Token) -> SpacySpan:
    """The head and the capitalised words after it, with the connectors inside a name ("de"),
    or the name the head is part of: a speaker's words in a document with no parse."""
    entity = next((ent for ent in doc.ents if ent.start <= head.i < ent.end), None)
    if entity is not None:
        return entity
    connectors = {word for word, kind in subject_words(doc.lang_).items() if kind == "connector"}
    end = head.i + 1
    while end < len(doc) and doc[end].sent == head.sent:
        if doc[end].is_title and not doc[end].is_sent_start:
            end += 1
        elif doc[end].lower_ in connectors and end + 1 < len(doc) and doc[end + 1].is_title:
            end += 2
        else:
            break
    return doc[head.i : end]


@cache
def subject_words(language: str) -> dict[str, str]:
    """Subject pronouns, determiners and name connectors of a language (``lang/<code>/
    quote_subjects.tsv``), word -> "pronoun", "determiner" or "connector"."""
    return dict(vocab.load_language_table(language, "quote_subjects.tsv"))


def clause_span(doc: Doc, clause: Token) -> Span | None:
    """The reported clause: the complement's whole subtree ("that ..." included), kept to the
    line of its head (a clause never crosses a paragraph break, though the parse may), without
    a conjunction at its end (the parse may hang the "and" before the next verb on the clause:
    'admitted that “...” and added')."""
    first, last = within_line(doc, clause, clause.left_edge.i, clause.right_edge.i)
    while last > clause.i and doc[last].pos_ in CLAUSE_TAIL:
        last -= 1
    return token_range_span(doc, first, last)


def within_line(doc: Doc, anchor: Token, first: int, last: int) -> tuple[int, int]:
    """Token range ``first..last`` (inclusive) narrowed to the line (paragraph) holding ``anchor``."""
    text = text_of(doc)
    line_start = text.rfind("\n", 0, anchor.idx) + 1
    line_end = text.find("\n", anchor.idx)
    line_end = len(text) if line_end < 0 else line_end
    while first < anchor.i and doc[first].idx < line_start:
        first += 1
    while last > anchor.i and doc[last].idx >= line_end:
        last -= 1
    return first, last


def phrase_cues(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges (first, last inclusive) of prepositional cues like "according to"."""
    found = []
    for match in cue_phrase_pattern(doc.lang_).finditer(text_of(doc)):
        span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
        if span is not None and len(span):
            found.append((span.start, span.end - 1))
    return found


def name_phrase(doc: Doc, head: Token) -> Span:
    """The words that name what the noun ``head`` stands for: its left modifiers and "of"
    phrases, no determiner ("South Korean intelligence services", "Officials of the Pentagon")."""
    start = head.left_edge.i
    while start < head.i and doc[start].dep_ in {"det", "predet", "punct"}:
        start += 1
    end = head.i
    for child in head.rights:
        if child.dep_ in {"compound", "flat"} or (child.dep_ == "prep" and _is_name_part(child)):
            end = child.right_edge.i
        else:
            break
    return span_of(doc, doc[start].idx, doc[end].idx + len(doc[end]))


def _is_name_part(prep: Token) -> bool:
    """An "of" phrase, or a preposition inside a name ("Committee for a Responsible Federal Budget")."""
    return prep.lower_ == "of" or (prep.head.pos_ == "PROPN" and any(c.pos_ == "PROPN" for c in prep.children))


def phrase_object(doc: Doc, last: int) -> Token | None:
    """The object of a prepositional cue's last word (the speaker of "according to X"); in a
    Universal Dependencies parse, where the preposition hangs on its noun ("selon l'armée"),
    that noun."""
    word = doc[last]
    if word.dep_ == "case" and word.head.i > word.i:
        return word.head
    return next((child for child in word.children if child.dep_ == "pobj"), None)


@cache
def document_nouns() -> frozenset[str]:
    """Lemmas of what a speaker issues ("statement", "report"; data file ``quote_document_nouns.txt``)."""
    return frozenset(vocab.load("quote_document_nouns.txt"))


def speaking_head(head: Token) -> Token:
    """The word whose entity speaks for a speaker phrase headed by ``head``: the noun a relative
    pronoun stands for ("Stoltenberg, who said"), the author of a statement-like noun ("a report
    from the ministry"), else ``head`` itself."""
    head = antecedent(head)
    return document_author(head) or head


def named_through(doc: Doc, speaker: Span) -> Span | None:
    """The words that name a speaker phrase's speaker where the phrase names it through another
    word, what "who" stands for or a statement's author (``speaking_head``): that word's
    ``name_phrase``; None where the phrase's own head names the speaker."""
    words = doc.char_span(speaker.start, speaker.end, alignment_mode="expand")
    if words is None:
        return None
    through = speaking_head(words.root)
    return None if through.i == words.root.i else name_phrase(doc, through)


def antecedent(word: Token) -> Token:
    """The noun a relative pronoun opening a clause stands for ("the ministry, which estimated"),
    else the word itself; where the parser hung the clause elsewhere ("A 16-year-old who police
    believe was shot ... died"), the noun or adjective right before the pronoun."""
    if word.tag_ not in RELATIVE_PRONOUN_TAGS:
        return word
    if word.head.dep_ == "relcl":
        return word.head.head
    before = word.doc[word.i - 1] if word.i > 0 else None
    return before if before is not None and before.pos_ in ("NOUN", "PROPN", "ADJ") else word


def document_author(noun: Token) -> Token | None:
    """Who issued a statement-like noun: "a statement (published) by X", "a report from X",
    "X's report"; None for any other noun or where no author is named."""
    if noun.lemma_.lower() not in document_nouns():
        return None
    for child in noun.children:
        if child.dep_ == "poss":
            return child
        if child.dep_ == "prep" and child.lower_ in ("by", "from"):
            return phrase_object(noun.doc, child.i)
        if child.dep_ == "acl":
            agent = next((grand for grand in child.children if grand.dep_ == "agent"), None)
            if agent is not None:
                return phrase_object(noun.doc, agent.i)
    return None
