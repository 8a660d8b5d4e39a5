"""What happened at each time expression: the clause a date sits in, read from the parse as its
subject, verb and object, so that the synthesise stage (which has no parse) can label a timeline
event "Duma ratifies treaty" rather than quote the whole sentence."""
from __future__ import annotations

from functools import cache

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from storydesk import vocab
from storydesk.analyse.quotes.marks import find_quoted
from storydesk.analyse.quotes.parse import RELATIVE_PRONOUN_TAGS, antecedent, cue_verbs, span_of, subject_of
from storydesk.model import Action, Mention, Span, TimeExpr

OBJECT_DEPS = ("dobj", "attr", "oprd", "dative")  # in order of preference
PLURAL_TAGS = frozenset({"NNS", "NNPS"})
PLURAL_PRONOUNS = frozenset({"we", "they", "you"})
PERSON_PRONOUNS = frozenset({"he", "she"})
SINGULAR_NUMBERS = frozenset({"one", "1"})
SKIPPED_LEFT = frozenset({"det", "predet", "punct", "cc", "prep"})  # what a noun phrase drops on its left
NEGATIVE_DETERMINERS = frozenset({"no", "neither"})  # a determiner it keeps: "no gun was found" is no "gun found"
CLIMB = 6  # how many heads a time expression climbs to find its verb
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})
SUBJECT_ASIDES = frozenset({"relcl", "appos", "acl"})  # clauses on a subject a label leaves out
# How a time expression's words hang below the noun they date: "March 9 shooting", "shooting on
# March 9", "Sunday's attack", "Sunday night's shooting".
NOUN_MODIFIER_DEPS = frozenset({"compound", "nmod", "npadvmod", "poss", "nummod", "amod", "prep", "pobj"})


def find_actions(doc: Doc, timexes: list[TimeExpr]) -> list[Action]:
    """One action per DATE or TIME expression whose clause the parse gives a verb."""
    found = []
    dated = [t for t in timexes if t.type in ("DATE", "TIME")]
    quoted = [(q.start, q.end) for q in find_quoted(doc.text)] if dated else []
    for timex in dated:
        span = doc.char_span(timex.start, timex.end, alignment_mode="expand")
        if span is None or not len(span):
            continue
        time = Span(timex.start, timex.end, timex.text)
        if (noun := _event_noun_above(span.root)) is not None:
            found.append(_nominal_action(doc, noun, span, time))
        elif (verb := _verb_above(span.root)) is not None:
            found.append(_action(doc, _happening(verb, timex, dated, quoted), time))
    return found


def _event_noun_above(token: Token) -> Token | None:
    """The noun naming a happening that a time expression modifies ("the March 9 shooting",
    "Sunday's attack", "the shooting on March 9"), climbing no further than a verb."""
    current = token
    for _ in range(CLIMB):
        head = current.head
        if head == current or head.pos_ in ("VERB", "AUX") or current.dep_ not in NOUN_MODIFIER_DEPS:
            return None
        if head.pos_ == "NOUN" and head.lemma_.lower() in event_nouns():
            return head
        current = head
    return None


@cache
def event_nouns() -> frozenset[str]:
    """The words that name a happening (``action_event_nouns.tsv``: "shooting", "attack")."""
    return frozenset(noun for noun, _ in vocab.load_table("action_event_nouns.tsv"))


def _nominal_action(doc: Doc, noun: Token, time_tokens: SpacySpan, time: Span) -> Action:
    """The happening a noun names: the clause of its relative clause with the noun for subject
    ("the March 9 shooting that left five adults dead": "Shooting leaves five adults"), else the
    noun phrase itself without the date ("mass shooting of Tim Beatty")."""
    clause = next((c for c in noun.rights if c.dep_ == "relcl" and c.pos_ in ("VERB", "AUX")), None)
    if clause is not None and (subject := subject_of(clause)) is not None and antecedent(subject) == noun:
        return _action(doc, clause, time, leave_out=time_tokens)
    phrase = _phrase(doc, noun, leave_out=time_tokens)
    return Action(time=time, verb=phrase, lemma=noun.lemma_.lower(), nominal=True)


def _happening(verb: Token, timex: TimeExpr, timexes: list[TimeExpr], quoted: list[tuple[int, int]]) -> Token:
    """The verb that says what happened at ``timex``: the first of verbs sharing a subject ("was
    shot and taken"); the main clause's, for a clause of the same moment ("were hit by shots as
    they stood outside Thursday": "hit"); what was reported, for a reporting verb whose report is
    in the reporter's words and holds this time or none of its own ("police said Friday that two
    men were arrested", "he was in the vestibule Friday when ..., sources said": "arrested",
    "was"; a quote stays its speaker's)."""
    while verb.dep_ == "conj" and verb.head.pos_ == "VERB" and not any(c.dep_ in SUBJECT_DEPS for c in verb.children):
        verb = verb.head  # "was shot and taken to a hospital Monday": the first of the verbs sharing a subject
    marks = {child.lower_ for child in verb.children if child.dep_ == "mark"}
    if verb.dep_ == "advcl" and marks & _simultaneous_marks() and verb.head.pos_ in ("VERB", "AUX"):
        return verb.head
    if verb.lemma_.lower() in cue_verbs():
        reports = _report_clauses(verb)
        in_words = reports and not any(start <= reports[0].idx < end for start, end in quoted)
        if in_words and (_inside(timex, reports[0]) or not any(_inside(t, reports[0]) for t in timexes)):
            return reports[0]
    return verb


def _report_clauses(verb: Token) -> list[Token]:
    """The verbs of the clauses a reporting verb reports ("said [two men were arrested]")."""
    return [c for c in verb.children if c.dep_ == "ccomp" and c.pos_ in ("VERB", "AUX")]


@cache
def _simultaneous_marks() -> frozenset[str]:
    return frozenset(vocab.load("action_simultaneous_marks.txt"))


def _inside(timex: TimeExpr, clause: Token) -> bool:
    """Whether the time expression lies in the clause's words."""
    start, end = clause.left_edge.idx, clause.right_edge.idx + len(clause.right_edge)
    return start <= timex.start and timex.end <= end


def _verb_above(token: Token) -> Token | None:
    """The nearest verb governing ``token`` (itself excluded), within the sentence."""
    current = token
    for _ in range(CLIMB):
        if current.head == current:
            return current if current.pos_ in ("VERB", "AUX") and current != token else None
        current = current.head
        if current.pos_ == "VERB" or (current.pos_ == "AUX" and current.dep_ == "ROOT"):
            return current
    return None


def _action(doc: Doc, verb: Token, time: Span, leave_out: SpacySpan | None = None) -> Action:
    """The clause of ``verb``: a verb it completes is the object of the verb above ("avoided
    denying this", "did not rule out supplying weapons"); a participle on a noun has that noun for
    passive subject ("the treaties signed in 1961"). Noun phrases leave out ``leave_out``'s words."""
    complement = None
    while verb.dep_ == "xcomp" and verb.head.pos_ in ("VERB", "AUX") and verb.head != verb:
        complement, verb = verb, verb.head
    on_noun = verb.dep_ == "acl" and verb.tag_ == "VBN"
    subject = verb.head if on_noun else _nearest_subject(verb) or subject_of(verb)
    subject = antecedent(subject) if subject is not None else None
    obj = _object(verb)
    particle = " ".join(c.lower_ for c in verb.children if c.dep_ == "prt")
    return Action(
        time=time,
        verb=span_of(doc, verb.idx, verb.idx + len(verb)),
        lemma=f"{verb.lemma_.lower()} {particle}".strip(),
        subject=_phrase(doc, subject, leave_out) if subject is not None else None,
        object=_with_result(doc, verb, obj, _phrase(doc, obj, leave_out), time) if obj is not None else (
            _complement(doc, complement) or _report(doc, verb) or _predicate(doc, verb, time)
        ),
        plural=subject is not None and _is_plural(subject),
        negated=any(child.dep_ == "neg" for child in verb.children),
        passive=on_noun or any(child.dep_ in ("auxpass", "nsubjpass") for child in verb.children) or _reduced_passive(verb),
    )


def _reduced_passive(verb: Token) -> bool:
    """A verb of harm in the past with a subject and no object ("A man shot to death Sunday"):
    what was done to the subject, which the parser read as done by it."""
    children = list(verb.children)
    return (
        verb.tag_ in ("VBD", "VBN") and verb.lemma_.lower() in vocab.load("action_reduced_passive_verbs.txt")
        and any(child.dep_ == "nsubj" for child in children)
        and not any(child.dep_ in ("dobj", "obj", "ccomp", "xcomp") for child in children)
        and not any(child.dep_ == "prep" and child.lower_ in ("at", "into", "toward", "towards") for child in children)
    )


def _nearest_subject(verb: Token) -> Token | None:
    """Of two or more subjects the parser gave a verb, the one nearest before it: a page's marker
    the parser took for one ("UPDATE @ 5:30 p.m.: Police have released ...") stands further off."""
    subjects = [child for child in verb.lefts if child.dep_ in SUBJECT_DEPS]
    return subjects[-1] if len(subjects) > 1 else None


def _with_result(doc: Doc, verb: Token, obj: Token, phrase: Span, time: Span) -> Span:
    """The object's phrase with what the verb made of it after it ("left five adults dead"), or,
    for a pronoun, with the verb's first phrase after it ("kept her on life support")."""
    result = next((c for c in verb.children if c.dep_ == "oprd" and c.i > obj.i), None)
    if result is not None:
        return span_of(doc, phrase.start, result.right_edge.idx + len(result.right_edge))
    after = _first_phrase(doc, verb, time, ("prep",), obj.i) if obj.tag_ == "PRP" else None
    return span_of(doc, phrase.start, after.end) if after is not None else phrase


def _complement(doc: Doc, verb: Token | None) -> Span | None:
    """A completing verb with its object ("supplying weapons")."""
    if verb is None:
        return None
    obj = _object(verb)
    end = _phrase(doc, obj).end if obj is not None and obj.i > verb.i else verb.idx + len(verb)
    first = next((c for c in verb.lefts if c.dep_ == "aux" and c.lower_ == "to"), verb)
    return span_of(doc, first.idx, end)


def _report(doc: Doc, verb: Token) -> Span | None:
    """What a reporting verb with its own time reports: the report's subject, verb and object,
    without a clause on the subject ("confirmed Thursday that Jackson, who is not related to the
    victim, was arrested": "Jackson was arrested"), so that a label says more than "Florip
    confirms"."""
    if verb.lemma_.lower() not in cue_verbs():
        return None
    report = next((c for c in _report_clauses(verb) if c.i > verb.i), None)
    subject = subject_of(report) if report is not None else None
    if subject is None or not verb.i < subject.i < report.i:
        return None
    obj = _object(report)
    last = _bounds(obj)[1] if obj is not None and obj.i > report.i else report.i
    aside = {t.i for c in subject.children if c.dep_ in SUBJECT_ASIDES for t in c.subtree}
    if aside:
        aside |= {c.i for c in subject.children if c.dep_ == "punct"}  # the commas around it
    kept = [t for t in doc[_bounds(subject)[0] : last + 1] if t.i not in aside]
    return Span(kept[0].idx, doc[last].idx + len(doc[last]), _words_of(kept))


def _words_of(tokens: list[Token]) -> str:
    """The text of tokens with gaps between them (a clause left out), one space at each gap."""
    pieces = [t.text_with_ws if t.whitespace_ or following.i == t.i + 1 else f"{t.text} " for t, following in zip(tokens, tokens[1:])]
    return " ".join(("".join(pieces) + tokens[-1].text).split())


def _predicate(doc: Doc, verb: Token, time: Span) -> Span | None:
    """What a verb with no noun after it says of its subject: for a form of "be", its adjective
    or else its first prepositional phrase; for another verb, that phrase ("was in critical
    condition", "is dead", "got out of surgery", "died at the hospital"), never the clause's
    ``time`` nor a phrase of time or attribution ("after the shooting", "according to police":
    ``action_skipped_prepositions.txt``), for a label that says more than "He is" or "He gets"."""
    return _first_phrase(doc, verb, time, ("acomp", "prep") if verb.lemma_ == "be" else ("prep",), verb.i)


def _first_phrase(doc: Doc, verb: Token, time: Span, deps: tuple[str, ...], after: int) -> Span | None:
    """The verb's first child phrase of ``deps`` (in that order of preference) after token
    ``after`` that is neither the clause's ``time`` nor a phrase of time or attribution."""
    skipped = vocab.load("action_skipped_prepositions.txt")
    for dep in deps:
        for child in (c for c in verb.children if c.dep_ == dep and c.i > after and c.lower_ not in skipped):
            last = child.right_edge
            while last.i > child.i and last.dep_ in ("cc", "punct"):
                last = last.nbor(-1)  # "outside the home and": "outside the home"
            start, end = child.left_edge.idx, last.idx + len(last)
            if not (start < time.end and time.start < end):
                return span_of(doc, start, end)
    return None


def _object(verb: Token) -> Token | None:
    """The verb's object, not a relative pronoun ("that the president avoided denying")."""
    objects = (c for dep in OBJECT_DEPS for c in verb.children if c.dep_ == dep)
    return next((c for c in objects if c.tag_ not in RELATIVE_PRONOUN_TAGS), None)


def _phrase(doc: Doc, head: Token, leave_out: SpacySpan | None = None) -> Span:
    """A noun phrase with its coordinated nouns ("North Korea and Russia"), without determiner,
    clauses or prepositions other than "of", nor a left modifier inside ``leave_out`` (the date
    of "the March 9 shooting")."""
    first, last = _bounds(head, leave_out)
    for conjunct in (c for c in head.rights if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN", "PRON")):
        last = _bounds(conjunct)[1]
    return span_of(doc, doc[first].idx, doc[last].idx + len(doc[last]))


def _bounds(head: Token, leave_out: SpacySpan | None = None) -> tuple[int, int]:
    """First and last token of the noun phrase headed by ``head``, without its determiner unless
    that negates ("no gun"); with ``leave_out``, it starts after those words (a phrase is one
    stretch of text: "deadly March 9 shooting" -> "shooting")."""
    after = leave_out.end if leave_out is not None and leave_out.end <= head.i else 0
    lefts = [c for c in head.lefts if (c.dep_ not in SKIPPED_LEFT or c.lower_ in NEGATIVE_DETERMINERS) and c.left_edge.i >= after]
    first = lefts[0].left_edge.i if lefts else head.i
    last = head.i
    for child in head.rights:
        if child.dep_ in ("compound", "flat", "nummod"):
            last = child.i
        elif child.dep_ == "prep" and child.lower_ == "of" and (objects := [g for g in child.children if g.dep_ == "pobj"]):
            last = _bounds(objects[0])[1]
        else:
            break
    return first, last


def _is_plural(subject: Token) -> bool:
    """Whether a subject takes the plural verb: a plural noun or pronoun, nouns joined, or a
    number above one ("Two of them die")."""
    return (
        subject.tag_ in PLURAL_TAGS
        or (subject.tag_ == "CD" and subject.lower_ not in SINGULAR_NUMBERS)
        or subject.lower_ in PLURAL_PRONOUNS
        or any(c.dep_ == "conj" for c in subject.children)
    )


def pronoun_subjects(doc: Doc, actions: list[Action], mentions: list[Mention]) -> list[Mention]:
    """Mentions for the "he" and "she" that are an action's subject and stand for the person the
    clause before names as its subject ("David Scott was shot five times. He was taken to
    Stroger Hospital": Scott), so that a timeline label names the person. A person named
    elsewhere in that clause (a spokesman, a witness) is not taken: a pronoun subject continues
    the subject before it."""
    found: dict[tuple[int, int], Mention] = {}
    for action in actions:
        subject = action.subject
        if subject is None or subject.text.lower() not in PERSON_PRONOUNS or any(m.span.overlaps(subject) for m in mentions):
            continue
        pronoun = doc.char_span(subject.start, subject.end)
        before = _subject_before(pronoun[0]) if pronoun is not None else None
        if before is not None and (person := _person_at(mentions, before.idx)) is not None:
            found[(subject.start, subject.end)] = Mention(subject, person, "pronoun")
    return list(found.values())


def _person_at(mentions: list[Mention], offset: int) -> str | None:
    """The person a mention covering ``offset`` names."""
    return next((m.entity for m in mentions if m.entity.startswith("person:") and m.span.start <= offset < m.span.end), None)


def _subject_before(pronoun: Token) -> Token | None:
    """The subject of the clause a pronoun subject follows: its sentence's main clause when the
    pronoun is in another clause of it, else the previous sentence's main clause (what it
    reports, when that is a report: "Scott was shot, police said")."""
    sentence = pronoun.sent
    if pronoun.head != sentence.root:
        clause = sentence.root
    elif sentence.start > 0:
        clause = pronoun.doc[sentence.start - 1].sent.root
    else:
        return None
    if clause.lemma_.lower() in cue_verbs():
        clause = next(iter(_report_clauses(clause)), clause)
    subject = subject_of(clause)
    return subject if subject is not None and subject.i < pronoun.i else None
