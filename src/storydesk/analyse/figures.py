"""Figures: numbers that count or measure something in the world, what they count, what happened
to it, who asserts them, how firmly and as of when ("some 3,000 North Korean soldiers" deployed,
estimated by South Korean intelligence).

Rules over spaCy's NER and dependency parse: no library does this step (number parsers such as
dateparser's or text2num read values, not what a number counts or who vouches for it). Every
vocabulary (number words, hedges, units, cues) is a data file in ``storydesk/data/figure_*``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache

from spacy.tokens import Doc, Token

from storydesk import vocab
from storydesk.analyse.actions import event_nouns
from storydesk.analyse.quotes.parse import antecedent, name_phrase, named_through, speaking_head
from storydesk.model import Figure, Mention, Modality, Quote, Span, TimeExpr
from storydesk.words import street_after_number

COUNT_LABELS = frozenset({"CARDINAL", "QUANTITY", "PERCENT", "MONEY"})
# Dependencies that start a new clause; xcomp stays in its parent's clause ("expected to reach").
CLAUSE_DEPS = frozenset({"ROOT", "ccomp", "advcl", "relcl", "csubj", "csubjpass", "parataxis", "acl"})
DEFINITE = frozenset({"the", "these", "those", "both", "its", "their", "our", "his", "her", "my", "your"})
COUNTED_PRONOUNS = frozenset({"them", "those", "these", "us"})  # "two of them": counts what they stand for
DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
NOT_A_COUNT = re.compile(r"[:/]|^\d+(?:st|nd|rd|th)$|^0\d")
YEAR = re.compile(r"1\d{3}|20\d{2}")
LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
DASHES = frozenset({"-", "–", "—"})
MAX_CLAUSE_CLIMB = 12  # heads walked up from a figure to its attribution verb
CALENDAR = re.compile(r"\d{4}")  # a TIMEX3 value naming a calendar time ("2024-10-24", "2024-W43")
# How the words that may say a figure's event hang on it, its noun or their verb.
SUBJECT_OR_OBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "meta", "npadvmod"})
NOUN_EVENT_DEPS = frozenset({"amod", "acl", "compound", "advmod"})  # "others wounded", "death toll", "one man fatally"
VERB_EVENT_DEPS = frozenset({"xcomp", "oprd", "acomp", "advmod", "dobj"})  # "found shot dead", "fatally", "suffered injuries"
WORDS_BEFORE_EVENT = 3  # words read after a figure for its event when the parse hangs none on it
NOUNS = frozenset({"NOUN", "PROPN"})
EVENT_PREPOSITIONS = frozenset({"to", "into", "at", "from", "with", "in"})
SKIPPED_BEFORE_EVENT = frozenset({"AUX", "ADV", "PART"})  # "were", "critically", "not"


@dataclass(frozen=True)
class _Rules:
    """The figure vocabularies, loaded and compiled once."""

    numbers: dict[str, tuple[float, str]]
    upper: dict[str, float]  # a vague amount's upper bound
    event_words: dict[str, str]  # a word's form -> the event it says
    event_lemmas: dict[str, str]  # a verb's lemma -> the event it says
    event_rank: dict[str, int]  # the event that wins when a clause gives several: lowest first
    part_cues: frozenset[str]
    part_modifiers: frozenset[str]
    frequency_nouns: frozenset[str]
    person_nouns: frozenset[str]
    address_nouns: frozenset[str]
    hedges_before: tuple[tuple[str, ...], ...]  # longest first
    hedges_clause: frozenset[str]
    units: dict[str, str]
    label_nouns: frozenset[str]
    phone_numbers: dict[str, frozenset[str]]  # an emergency number -> the words that call it
    attribution_verbs: frozenset[str]
    attribution_preps: frozenset[str]
    estimate: re.Pattern[str]
    forecast: re.Pattern[str]
    denial: re.Pattern[str]


def _cue_pattern(name: str) -> re.Pattern[str]:
    """A regex matching any cue of data file ``name`` as whole words in a space-joined clause."""
    cues = sorted(vocab.load(name), key=len, reverse=True)
    return re.compile(r"(?<!\S)(?:" + "|".join(re.escape(cue.lower()) for cue in cues) + r")(?!\S)")


@cache
def _rules() -> _Rules:
    hedges = vocab.load_table("figure_hedges.tsv")
    vague = vocab.load_table("figure_vague_amounts.tsv")
    events = vocab.load_table("figure_events.tsv")
    return _Rules(
        numbers={word: (float(value), kind) for word, value, kind in vocab.load_table("figure_number_words.tsv")}
        | {phrase: (float(lower), "vague") for phrase, lower, _ in vague},
        upper={phrase: float(upper) for phrase, _, upper in vague},
        event_words={word: event for word, event, how in events if how == "word"},
        event_lemmas={word: event for word, event, how in events if how == "lemma"},
        event_rank={event: rank for rank, event in enumerate(dict.fromkeys(event for _, event, _ in events))},
        part_cues=frozenset(vocab.load("figure_part_cues.txt")),
        part_modifiers=frozenset(vocab.load("figure_part_modifiers.txt")),
        frequency_nouns=frozenset(vocab.load("figure_frequency_nouns.txt")),
        person_nouns=frozenset(vocab.load("figure_person_nouns.txt")),
        address_nouns=frozenset(vocab.load("figure_address_nouns.txt")),
        hedges_before=tuple(
            sorted((tuple(phrase.split()) for phrase, where in hedges if where == "before"), key=len, reverse=True)
        ),
        hedges_clause=frozenset(phrase for phrase, where in hedges if where == "clause"),
        units=dict(vocab.load_table("figure_units.tsv")),
        label_nouns=frozenset(vocab.load("figure_label_nouns.txt")),
        phone_numbers={number: frozenset(words.split()) for number, words in vocab.load_table("figure_phone_numbers.tsv")},
        attribution_verbs=frozenset(vocab.load("figure_attribution_cues.txt")),
        attribution_preps=frozenset(vocab.load("figure_attribution_preps.txt")),
        estimate=_cue_pattern("figure_estimate_cues.txt"),
        forecast=_cue_pattern("figure_forecast_cues.txt"),
        denial=_cue_pattern("figure_denial_cues.txt"),
    )


def find_figures(
    doc: Doc, quotes: Sequence[Quote], mentions: Sequence[Mention], timexes: Sequence[TimeExpr] = ()
) -> list[Figure]:
    """The figures of ``doc`` in text order; a figure whose counted noun is elided ("will increase
    to 10,000") counts what the previous figure of its sentence counts, and what happened to it
    unless it says; with no noun at all ("1 killed, 3 injured"), it counts its event's word; one
    of a pronoun ("Two of them died") counts the noun of the figure before it in its sentence or
    the one before ("Four men were shot."): what "them" stands for."""
    rules = _rules()
    figures: list[Figure] = []
    clauses = _ClauseIndex()
    last_counts: dict[int, tuple[str, str | None]] = {}  # sentence start -> its latest figure's noun and event
    for start, end, numbers in _number_runs(doc, rules):
        event, event_word = _event(doc, numbers, rules)
        if _is_not_a_count(doc, numbers, event, rules):
            continue
        sentence = numbers[0].sent.start
        counts = _counted(doc, end, numbers, rules)
        if counts.lower() in COUNTED_PRONOUNS:
            counts = _noun_before(doc, sentence, last_counts) or counts
        if counts and not _unit(doc, numbers[0].i, end, rules):
            last_counts[sentence] = counts, event
        elif not counts and sentence in last_counts:
            counts, event = last_counts[sentence][0], event or last_counts[sentence][1]
        counts = counts or (_event_noun(doc, event_word) if event_word is not None else "")
        value = _value(numbers, rules)
        if not counts or value is None:
            continue
        figure = _figure(doc, start, end, numbers, value, counts, quotes, mentions, clauses, rules)
        figures.append(replace(figure, event=event, when=_when(clauses.tokens(_root(numbers)), timexes)))
    figures.extend(_one_person_counts(doc, quotes, mentions, clauses, timexes, rules))
    return sorted(figures, key=lambda figure: figure.span.start)


def _one_person_counts(
    doc: Doc, quotes: Sequence[Quote], mentions: Sequence[Mention], clauses: _ClauseIndex, timexes: Sequence[TimeExpr], rules: _Rules
) -> Iterator[Figure]:
    """"A man was killed", "another man was wounded": one person, counted when something happened
    to them; a part of the toll (what the story counts of all), never its rival."""
    for token in doc:
        noun = token.head
        if token.lower_ not in ("a", "an", "another") or token.dep_ != "det" or noun.lemma_.lower() not in rules.person_nouns:
            continue
        event, _ = _event(doc, [noun], rules)
        if event is None:
            continue
        figure = _figure(doc, token.i, noun.i + 1, [token], 1.0, _noun_phrase(doc, noun, token.i), quotes, mentions, clauses, rules)
        yield replace(figure, event=event, part=True, when=_when(clauses.tokens(noun), timexes))


def _number_runs(doc: Doc, rules: _Rules) -> Iterator[tuple[int, int, list[Token]]]:
    """Each number of each candidate range as (start, end, its tokens); a range may hold several
    ("5 percent to 25 percent"). The first keeps the range's leading words ("some"), each extends
    over the units written after it."""
    for start, end in _candidate_ranges(doc, rules):
        runs = list(_runs(doc, (t for t in doc[start:end] if _is_number_token(t, rules)), rules))
        for index, (first, last) in enumerate(runs):
            yield (start if index == 0 else first), _unit_end(doc, last, end, rules), list(doc[first:last])


def _runs(doc: Doc, numbers: Iterable[Token], rules: _Rules) -> Iterator[tuple[int, int]]:
    """Token ranges of numbers written together ("1.5 million", "twenty-five", "tens of thousands")."""
    run: list[int] = []
    for token in numbers:
        if run and not _continues(doc, run[-1], token, rules):
            yield run[0], run[-1] + 1
            run = []
        run.append(token.i)
    if run:
        yield run[0], run[-1] + 1


def _continues(doc: Doc, previous: int, token: Token, rules: _Rules) -> bool:
    """Whether number ``token`` goes on the number ending at token ``previous``."""
    if token.i == previous + 1:
        return True
    if token.i != previous + 2:
        return False
    between = doc[previous + 1]
    glued = between.text in DASHES and not doc[previous].whitespace_ and not between.whitespace_
    magnitudes = all(rules.numbers.get(t.lower_, (0, "unit"))[1] != "unit" for t in (doc[previous], token))
    return glued or (between.lower_ == "of" and magnitudes)


def _unit_end(doc: Doc, end: int, limit: int, rules: _Rules) -> int:
    """The end of a number's span once the units written right after it are added ("12 percent")."""
    while end < limit and (doc[end].is_space or _unit(doc, end, end + 1, rules, look_back=False)):
        end += 1
    return end


def _noun_before(doc: Doc, sentence: int, last_counts: dict[int, tuple[str, str | None]]) -> str | None:
    """What the latest figure of the sentence starting at token ``sentence``, or else of the
    sentence before it, counts."""
    if sentence in last_counts:
        return last_counts[sentence][0]
    before = doc[sentence - 1].sent.start if sentence > 0 else None
    return last_counts[before][0] if before in last_counts else None


def _figure(
    doc: Doc,
    start: int,
    end: int,
    numbers: list[Token],
    value: float,
    counts: str,
    quotes: Sequence[Quote],
    mentions: Sequence[Mention],
    clauses: _ClauseIndex,
    rules: _Rules,
) -> Figure:
    """One figure, read around the number tokens ``numbers`` of token range ``start:end``."""
    root = _root(numbers)
    clause = clauses.tokens(root)
    hedge_start, hedges = _hedges(doc, numbers, clause, rules)
    verb, holder = _attribution(root, rules)
    asserted_by, source = _asserter(doc, numbers[0].idx, holder, quotes, mentions)
    return Figure(
        span=_char_span(doc, min(start, hedge_start), end - 1),
        value=value,
        counts=counts,
        asserted_by=asserted_by,
        source=source,
        hedges=hedges,
        modality=_modality(clause, verb, holder, rules),
        upper=rules.upper.get(_vague(numbers, rules)),
        part=_is_part(root, rules),
    )


def _candidate_ranges(doc: Doc, rules: _Rules) -> list[tuple[int, int]]:
    """Token ranges that may hold a figure: NER's counts and amounts, dates written only in number
    words (the small model tags "Two thousand five hundred" DATE) or counting a plural noun
    ("2000 Ukraine soldiers"), and numbers NER missed."""
    ranges = [
        (ent.start, ent.end)
        for ent in doc.ents
        if ent.label_ in COUNT_LABELS
        or (ent.label_ == "DATE" and all(token.lower_ in rules.numbers or _counts_plural_noun(token) for token in ent))
    ]
    ranges.extend(_unlabelled_numbers(doc, rules))
    return sorted(ranges)


def _unlabelled_numbers(doc: Doc, rules: _Rules) -> Iterator[tuple[int, int]]:
    """Runs of number tokens outside any named entity."""
    return _runs(doc, (t for t in doc if not t.ent_type_ and _is_number_token(t, rules)), rules)


def _is_number_token(token: Token, rules: _Rules) -> bool:
    return token.lower_ in rules.numbers or (token.like_num and DIGITS.fullmatch(token.text) is not None) or (
        token.like_num and token.lower_.replace("-", "").isalpha()
    )


def _is_not_a_count(doc: Doc, numbers: list[Token], event: str | None, rules: _Rules) -> bool:
    """Years, times, ordinals, ranges and phone numbers ("called 911"), labels ("Article 51"),
    addresses ("the 300 block", "4000 Belmont Ave."), names ("21 News"), list numbers, and number
    words that refer rather than count ("the two countries", "one of them"), unless something
    happened to what they name ("one man was killed", "Four dead")."""
    first, last, root = numbers[0], numbers[-1], _root(numbers)
    if any(NOT_A_COUNT.search(token.text) for token in numbers) or _joined_by_dash(doc, first, last):
        return True
    if len(numbers) == 1 and YEAR.fullmatch(first.text) and not _counts_plural_noun(first):
        return True
    if _is_label(doc, first, root, rules) or _is_list_number(doc, first, last) or _is_phoned(numbers, rules):
        return True
    if last.i + 1 < len(doc) and doc[last.i + 1].lower_ in rules.address_nouns:  # "the 300 block of"
        return True
    if _street().match(doc.text, last.idx + len(last.text)):  # "4000 Belmont Ave."
        return True
    if event is not None and root.dep_ != "det":  # "a man was killed" states no count
        return False
    if _names_a_proper_noun(root):  # "21 News spoke with the mother"
        return True
    return not any(DIGITS.fullmatch(token.text) for token in numbers) and _is_referring_word(doc, first, root, rules)


def _is_phoned(numbers: list[Token], rules: _Rules) -> bool:
    """An emergency number that is called ("called 911", "a 911 caller"), not a count."""
    number = numbers[0]
    callers = rules.phone_numbers.get(number.text)
    return len(numbers) == 1 and callers is not None and number.head.lemma_.lower() in callers


@cache
def _street() -> re.Pattern[str]:
    return re.compile(street_after_number())


def _names_a_proper_noun(root: Token) -> bool:
    """A number before a singular proper noun is part of a name, not a count ("21 News", "8
    Mile"); "3 Marines" and "2 Ohio men" count plurals."""
    return root.dep_ == "nummod" and root.head.i > root.i and root.head.tag_ == "NNP"


def _joined_by_dash(doc: Doc, first: Token, last: Token) -> bool:
    """A number glued by a dash to another number (a range, a phone number, a score) or to a word
    after it (a modifier: "a two-way race", "a 10-year plan")."""
    before = doc[first.i - 2 : first.i] if first.i >= 2 else None
    after = doc[last.i + 1 : last.i + 3] if last.i + 2 < len(doc) else None
    glued_before = before is not None and before[1].text in DASHES and not before[0].whitespace_ and before[0].like_num
    glued_after = after is not None and after[0].text in DASHES and not last.whitespace_ and not after[0].whitespace_
    return glued_before or glued_after


def _counts_plural_noun(token: Token) -> bool:
    return token.dep_ == "nummod" and token.head.i > token.i and token.head.tag_ == "NNS"


def _is_label(doc: Doc, first: Token, root: Token, rules: _Rules) -> bool:
    """A number that names its noun rather than counting it: written after it ("Article 51")."""
    follows_head = root.dep_ == "nummod" and root.head.i < root.i
    return follows_head or (first.i > 0 and doc[first.i - 1].lower_ in rules.label_nouns)


def _is_list_number(doc: Doc, first: Token, last: Token) -> bool:
    """A number opening a line and followed by "." or ")"."""
    at_line_start = first.i == 0 or doc[first.i - 1].text_with_ws.endswith("\n")
    return at_line_start and last.i + 1 < len(doc) and doc[last.i + 1].text in {".", ")"}


def _is_referring_word(doc: Doc, first: Token, root: Token, rules: _Rules) -> bool:
    """A spelled-out number that is not a count: not attached to a noun ("one of the parties"), or
    a small one after a definite word ("the two countries")."""
    if rules.numbers.get(root.lower_, (0.0, ""))[1] == "vague":
        return False
    value = _value([first], rules) or 0
    if root.dep_ != "nummod" or (value == 1 and root is first):
        return True
    small = value < 10
    return small and first.i > 0 and doc[first.i - 1].lower_ in DEFINITE


def _root(numbers: list[Token]) -> Token:
    """The number token the others hang from ("million" in "1.5 million")."""
    inside = {token.i for token in numbers}
    return next((token for token in numbers if token.head.i not in inside or token.head is token), numbers[-1])


def _vague(numbers: list[Token], rules: _Rules) -> str:
    """The vague count the number tokens spell ("thousands", "tens of thousands"), or ""."""
    phrase = " ".join(token.lower_ for token in numbers)
    return phrase if rules.numbers.get(phrase, (0.0, ""))[1] == "vague" else ""


def _value(numbers: list[Token], rules: _Rules) -> float | None:
    """The value of digits and number words ("3,000", "1.5 million", "two thousand five hundred")."""
    vague = _vague(numbers, rules)
    if vague:
        return rules.numbers[vague][0]
    total = current = 0.0
    for token in numbers:
        if token.text in DASHES:
            continue
        if DIGITS.fullmatch(token.text):
            current += float(token.text.replace(",", ""))
            continue
        value, kind = rules.numbers.get(token.lower_, (None, ""))
        if value is None:
            return None
        if kind == "scale" and value < 1000:
            current = (current or 1) * value
        elif kind == "scale":
            total, current = total + (current or 1) * value, 0.0
        else:
            current += value
    return total + current


def _counted(doc: Doc, end: int, numbers: list[Token], rules: _Rules) -> str:
    """What the figure counts: its unit (percent, a currency), the noun it modifies, or the noun
    after "of" ("thousands of North Korean soldiers"); "" when elided."""
    unit = _unit(doc, numbers[0].i, end + 1, rules)
    if unit:
        return unit
    root = numbers[-1] if _vague(numbers, rules) else _root(numbers)
    if root.dep_ == "nummod" and root.head.i > root.i and root.head.pos_ in {"NOUN", "PROPN"}:
        head = root.head
        while head.dep_ == "compound" and head.head.i > head.i:  # "three president debates"
            head = head.head
        return _modified_noun(doc, head, max(end, head.left_edge.i))
    of_object = _of_object(root)
    return _noun_phrase(doc, of_object, of_object.left_edge.i) if of_object is not None else ""


def _event(doc: Doc, numbers: list[Token], rules: _Rules) -> tuple[str | None, Token | None]:
    """What happened to what a figure counts ("four people were killed": killed) and the word
    that says it: from the words the parse hangs on the figure, its noun or their verb, else
    from the verb written just before it or the words written right after it (headlines:
    "4 Dead, 2 Critically Hurt")."""
    root = _root(numbers)
    noun = root.head if root.dep_ == "nummod" and root.head.i > root.i and root.head.pos_ in NOUNS else root
    if _acts(noun) or noun.lower_ in rules.frequency_nouns:  # "shot seven times" counts no one shot
        return None, None
    if noun is not root and noun.lemma_.lower() in event_nouns():  # "Five shootings, three dead": happenings
        return None, None
    said = [word for word in _event_words(root, noun) if _event_of(word, rules)]
    if not said:  # no parse worth the name: the verb just before ("injured 13 people"), or the word after
        before = [doc[numbers[0].i - 1]] if numbers[0].i > 0 and doc[numbers[0].i - 1].pos_ == "VERB" else []
        said = [word for word in [*before, *_words_after(doc, max(noun.i, numbers[-1].i))] if _event_of(word, rules)][:1]
    word = min(said, key=lambda w: rules.event_rank[_event_of(w, rules) or ""], default=None)
    return (_event_of(word, rules), word) if word is not None else (None, None)


def _event_noun(doc: Doc, word: Token) -> str:
    """What a figure without a noun counts: the word saying its event ("4 dead", "1 killed"), or the
    noun that word qualifies ("the death toll rose to 5": "death toll")."""
    head = word.head if word.dep_ == "compound" else word
    return _noun_phrase(doc, head, word.i).lower()


def _acts(noun: Token) -> bool:
    """Whether a figure's noun does to others what its verb says: it did it, nothing happened to
    it ("two gunmen killed three people", "a man shot and killed a teenager")."""
    verb = noun.head
    verbs = [verb, *(child for child in verb.children if child.dep_ == "conj" and child.pos_ == "VERB")]
    return noun.dep_ == "nsubj" and any(child.dep_ == "dobj" for each in verbs for child in each.children)


def _event_of(token: Token, rules: _Rules) -> str | None:
    verb_event = rules.event_lemmas.get(token.lemma_.lower()) if token.pos_ in {"VERB", "AUX"} else None
    return rules.event_words.get(token.lower_) or verb_event


def _event_words(root: Token, noun: Token) -> Iterator[Token]:
    """The words that may say what happened to a figure's noun: the noun, its modifiers ("others
    wounded", "death toll"), the verb it is subject or object of with that verb's complements
    and coordinated verbs ("shot and killed", "found shot dead"), and the number's adverbs
    ("one fatally"); for a number a verb reaches "to" ("the death toll rose to 5"), the verb's subject."""
    yield noun
    for modifier in (child for word in {root, noun} for child in word.children if child.dep_ in NOUN_EVENT_DEPS):
        yield modifier
        yield from _complements(modifier)
    verb = noun.head
    if noun.dep_ in SUBJECT_OR_OBJECT_DEPS and verb is not noun:
        for each in _coordinated(verb, noun):
            yield each
            yield from _complements(each)
    preposition = root.head
    if root.dep_ == "pobj" and preposition.lower_ == "to" and preposition.head.pos_ in {"VERB", "AUX"}:
        subject = next((child for child in preposition.head.children if child.dep_ in {"nsubj", "nsubjpass"}), None)
        if subject is not None:
            yield subject
            yield from (child for child in subject.children if child.dep_ == "compound")


def _complements(word: Token) -> Iterator[Token]:
    """A word's complements and adverbs, and theirs ("found shot dead", "critically wounded"),
    and the objects of its prepositions that may say an event, with their adjectives ("shot to
    death", "sent to the hospital", "in critical condition")."""
    for child in word.children:
        if child.dep_ in VERB_EVENT_DEPS:
            yield child
            yield from _complements(child)
        elif child.dep_ == "prep" and child.lower_ in EVENT_PREPOSITIONS:
            for grand in (grand for grand in child.children if grand.dep_ == "pobj"):
                yield grand
                yield from (modifier for modifier in grand.children if modifier.dep_ == "amod")  # "in critical condition"


def _coordinated(verb: Token, noun: Token) -> list[Token]:
    """A verb with the verbs coordinated with it that share the noun ("were shot and killed", "shot
    and killed three people"; not "were killed and two others wounded", nor "killing a woman and
    wounding two officers", whose verbs have their own subject or object)."""
    role = {"dobj"} if noun.dep_ == "dobj" else {"nsubj", "nsubjpass"}
    first = verb.head if verb.dep_ == "conj" else verb
    chain = [first, *(child for child in first.children if child.dep_ == "conj" and child.pos_ in {"VERB", "ADJ"})]
    return [each for each in chain if each is verb or not _has_own(each, role)]


def _has_own(verb: Token, deps: set[str]) -> bool:
    return any(child.dep_ in deps for child in verb.children)


def _words_after(doc: Doc, last: int) -> Iterator[Token]:
    """The word written after token ``last`` past auxiliaries and adverbs ("2 Critically Hurt",
    "3 were injured"), within a few words and before any punctuation or other number."""
    for token in doc[last + 1 : last + 1 + WORDS_BEFORE_EVENT]:
        if token.is_punct or token.like_num or token.sent.start != doc[last].sent.start:
            return
        if token.pos_ not in SKIPPED_BEFORE_EVENT:
            yield token
            return


def _is_part(root: Token, rules: _Rules) -> bool:
    """A figure that is a part of a whole: "two of the victims", "of them", "including two
    children", "the next two" (``figure_part_modifiers.txt``)."""
    if root.i > 0 and root.doc[root.i - 1].lower_ in rules.part_modifiers:
        return True
    of_object = _of_object(root)
    if of_object is not None and (of_object.pos_ == "PRON" or any(c.lower_ in DEFINITE for c in of_object.children)):
        return True
    counted = root.head if root.dep_ == "nummod" else root
    return counted.dep_ == "pobj" and counted.head.lower_ in rules.part_cues


def _when(clause: list[Token], timexes: Sequence[TimeExpr]) -> str | None:
    """The calendar value of the first date the figure's clause gives ("on Monday": "2013-01-21")."""
    if not clause:
        return None
    start, end = clause[0].idx, clause[-1].idx + len(clause[-1])
    return next(
        (t.value for t in timexes if t.type == "DATE" and t.value and CALENDAR.match(t.value) and start <= t.start < end),
        None,
    )


def _unit(doc: Doc, start: int, end: int, rules: _Rules, look_back: bool = True) -> str:
    """The unit written in a token range, or just before it ("12 percent", "$1.5 billion"), with
    the percent's "of" phrase when it has one ("percent of voters")."""
    for token in doc[max(start - look_back, 0) : min(end, len(doc))]:
        pair = f"{token.lower_} {doc[token.i + 1].lower_}" if token.i + 1 < len(doc) else ""
        unit = rules.units.get(token.text) or rules.units.get(token.lower_) or rules.units.get(pair)
        if unit:
            of_object = _of_object(token) if unit.startswith("percent") else None
            return f"{unit} of {_noun_phrase(doc, of_object, of_object.left_edge.i)}" if of_object is not None else unit
    return ""


def _of_object(token: Token) -> Token | None:
    """The object of the token's "of" preposition, if any."""
    for child in token.rights:
        if child.dep_ == "prep" and child.lower_ == "of":
            return next((grand for grand in child.children if grand.dep_ == "pobj"), None)
    return None


def _modified_noun(doc: Doc, head: Token, start: int) -> str:
    """The noun a number modifies with the words between them, up to a conjunction or another
    number ("12 Somali and 11 Yemeni pirates": "Somali pirates" for 12)."""
    for token in doc[start : head.i]:
        if token.dep_ == "cc" or token.is_punct or token.like_num:
            return " ".join([*(word.text for word in doc[start : token.i]), head.text])
    return _noun_phrase(doc, head, start)


def _noun_phrase(doc: Doc, head: Token, start: int) -> str:
    """The noun ``head`` with its modifiers from token ``start`` on, without determiners."""
    while start < head.i and doc[start].dep_ in {"det", "poss", "predet", "case", "punct"}:
        start += 1
    return doc[start : head.i + 1].text


def _written_start(doc: Doc, first: Token, rules: _Rules) -> int:
    """The token where the number as written starts: its currency symbol if one precedes it."""
    before = doc[first.i - 1] if first.i > 0 else None
    glued_symbol = before is not None and not before.whitespace_ and before.text in rules.units and not before.is_alpha
    return first.i - 1 if glued_symbol else first.i


def _hedges(doc: Doc, numbers: list[Token], clause: list[Token], rules: _Rules) -> tuple[int, tuple[str, ...]]:
    """The hedges on a figure and the token where the written figure starts (its hedge included)."""
    start = _written_start(doc, numbers[0], rules)
    hedges = []
    for phrase in rules.hedges_before:
        words = tuple(token.lower_ for token in doc[max(start - len(phrase), 0) : start])
        if words == phrase:
            hedges.append(" ".join(phrase))
            start -= len(phrase)
            break
    vague = _vague(numbers, rules)
    if vague:
        hedges.append(f"{vague} of")
    hedges.extend(token.lower_ for token in clause if token.lower_ in rules.hedges_clause)
    return start, tuple(dict.fromkeys(hedges))


class _ClauseIndex:
    """Each token's clause (the tokens up to the next clause boundary), computed per sentence on demand."""

    def __init__(self) -> None:
        self._heads: dict[int, int] = {}
        self._done: set[int] = set()

    def tokens(self, token: Token) -> list[Token]:
        sentence = token.sent
        if sentence.start not in self._done:
            self._done.add(sentence.start)
            self._heads.update((member.i, _clause_head(member).i) for member in sentence)
        head = self._heads[token.i]
        return [member for member in sentence if self._heads[member.i] == head]


def _clause_head(token: Token) -> Token:
    """The verb that heads the clause ``token`` is in."""
    while token.dep_ not in CLAUSE_DEPS and token.head is not token:
        if token.dep_ == "conj" and token.pos_ in {"VERB", "AUX"}:
            return token
        token = token.head
    return token


def _attribution(root: Token, rules: _Rules) -> tuple[Token | None, Token | None]:
    """The attribution of a figure's sentence as (cue, the head of who asserts): a reporting verb
    above the figure ("intelligence estimates that ..."), "according to X", or "..., X said"."""
    figure_tokens = range(root.left_edge.i, root.right_edge.i + 1)
    token = _clause_head(root)
    for _ in range(MAX_CLAUSE_CLIMB):
        subject = _subject(token) if token.lemma_.lower() in rules.attribution_verbs else None
        if subject is not None and subject.i not in figure_tokens and root.i not in range(
            subject.left_edge.i, subject.right_edge.i + 1
        ):
            return token, subject
        if token.head is token:
            break
        token = token.head
    return _sentence_attribution(root, rules)


def _sentence_attribution(root: Token, rules: _Rules) -> tuple[Token | None, Token | None]:
    """An attribution anywhere in the sentence: "according to X", or a reporting verb heading the
    sentence or set beside it ("..., police said")."""
    sentence = root.sent
    for token in sentence:
        if token.lower_ in rules.attribution_preps:
            holder = _object(token)
            if holder is not None:
                return token, holder
    for token in sentence:
        if token.dep_ in {"ROOT", "parataxis"} and token.lemma_.lower() in rules.attribution_verbs:
            subject = _subject(token)
            if subject is not None and not (subject.left_edge.i <= root.i <= subject.right_edge.i):
                return token, subject
    return None, None


def _subject(verb: Token) -> Token | None:
    """The active subject of a verb, the agent of a passive one, or the subject it shares with the
    verb it is coordinated with."""
    for child in verb.children:
        if child.dep_ == "nsubj":
            return child
        if child.dep_ == "agent":
            return _object(child)
    return _subject(verb.head) if verb.dep_ == "conj" and verb.head is not verb else None


def _object(token: Token) -> Token | None:
    """The object of a preposition-like word, through one nested preposition ("according to X")."""
    for child in token.children:
        if child.dep_ in {"pobj", "dobj"}:
            return child
        if child.dep_ == "prep":
            nested = next((grand for grand in child.children if grand.dep_ == "pobj"), None)
            if nested is not None:
                return nested
    return None


def _asserter(
    doc: Doc, offset: int, holder: Token | None, quotes: Sequence[Quote], mentions: Sequence[Mention]
) -> tuple[str | None, Span | None]:
    """Who asserts the figure at character ``offset``: the speaker of the quote it sits in, else
    the sentence's attribution (its entity key when a mention covers its head word, else its text;
    for a relative pronoun, the noun it stands for)."""
    for quote in quotes:
        if not quote.content.start <= offset < quote.content.end:
            continue
        if quote.speaker is not None:
            # "officials, who said" and "a statement by the EU's envoy" are the officials' and the envoy's
            source = named_through(doc, quote.speaker) or quote.speaker
            return quote.speaker_entity or LEADING_ARTICLE.sub("", source.text), source
    if holder is None:
        return None, None
    source = name_phrase(doc, antecedent(holder))  # "the agency, which estimated" is the agency's
    head = speaking_head(holder)  # "a complaint filed by the SEC" is the SEC's
    entity = next((m.entity for m in mentions if m.span.start <= head.idx < m.span.end and m.entity), None)
    return entity or source.text, source


def _char_span(doc: Doc, first: int, last: int) -> Span:
    """The model Span of tokens ``first`` to ``last`` inclusive."""
    tokens = doc[first : last + 1]
    return Span(tokens.start_char, tokens.end_char, tokens.text)


def _modality(clause: list[Token], cue: Token | None, holder: Token | None, rules: _Rules) -> Modality:
    """Denial, forecast, estimate or fact, from the figure's clause and its attribution cue."""
    context = [*clause, *(token for token in (cue, holder) if token is not None)]
    words = " ".join(token.lower_ for token in context)
    lemmas = " ".join(token.lemma_.lower() for token in context)
    clause_words = " ".join(token.lower_ for token in clause)
    clause_lemmas = " ".join(token.lemma_.lower() for token in clause)
    if rules.denial.search(words) or rules.denial.search(lemmas):
        return "denial"
    if rules.forecast.search(clause_words) or rules.forecast.search(clause_lemmas):
        return "forecast"
    if rules.estimate.search(words) or rules.estimate.search(lemmas):
        return "estimate"
    return "fact"
