"""Entities with one canonical name per real thing, from spaCy's NER corrected by rules.

Countries get ISO keys ("country:KP") whatever they are called (North Korea, DPRK, the
Democratic People's Republic of Korea); a capital stands for its state when used as one
("Pyongyang denied", "blamed Kyiv", "Moscow and Pyongyang"), else it is the city
("place:kyiv", "a visit to Pyongyang"). "The Kremlin" stays an organisation ("org:kremlin"):
the Russian presidency, not the state, so statements keep their institutional speaker.
Persons are grouped by name structure (surname, transliteration) and role phrases are resolved
to the person the article introduced with that role (see roles.py)."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan
from spacy.vocab import Vocab

from storydesk import vocab
from storydesk.analyse.entities import gazetteer as gaz
from storydesk.analyse.entities.persons import group_names, link_persons
from storydesk.analyse.entities.roles import (
    CAMPAIGN_CLASSES,
    Profile,
    RolePhrase,
    conflicts,
    find_role_phrases,
    listed_together,
    qualifiers_agree,
    role_classes,
    role_words,
    roles_agree,
)
from storydesk.analyse.nlp import sentence_start_back
from storydesk.analyse.quotes.parse import cue_verbs
from storydesk.model import Entity, EntityKind, Mention, Span

WANTED_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT"})
KEY_PREFIX = {"ORG": "org", "GPE": "place", "LOC": "place", "FAC": "place", "NORP": "group", "EVENT": "event"}
RECENT_SENTENCES = 2  # a role noun with no introduced holder may mean a person named this far back
NOT_AN_ENTITY = "-"  # the label entity_label_fixes.tsv gives to words that name nothing
# Capitalised words before a title that say when, not which side ("Former President X").
TITLE_MODIFIERS = frozenset({"former", "acting", "interim", "then", "late", "incoming", "outgoing", "current", "new"})
LOWER_CASE_WORDS = "storydesk.lower_case_words"  # doc.user_data key
SHARED_NAME_DOMINANCE = 3  # how much more often the article must name one state sharing a name
_POSSESSIVE = frozenset({"'s", "’s", "'", "’"})
ACRONYM = re.compile(r"[A-Z][A-Z0-9]{1,5}")  # "NIS", "MI6": what an article may define in brackets after a name


@dataclass
class _Found:
    """One name in the text, once resolved: its tokens, entity key, canonical name, kind, and
    character offsets (which may cut into the last token: "Vladimir Putin|who")."""

    span: SpacySpan
    key: str = ""
    name: str = ""
    kind: EntityKind = "OTHER"
    via: str = "name"
    end: int = -1

    def __post_init__(self) -> None:
        if self.end < 0:
            self.end = self.span.end_char

    @property
    def text(self) -> str:
        return self.span.text[: self.end - self.span.start_char]


def find_entities(doc: Doc) -> tuple[list[Entity], list[Mention]]:
    """The entities of an article and every mention of them (names, aliases, role phrases)."""
    spans = _candidate_spans(doc)
    persons = [s for s in spans if _is_person(s)]
    others = _shared_names_resolved([_resolve_other(s) for s in spans if not _is_person(s)])
    persons, others = _persons_named_elsewhere(persons, others)
    bodies = _state_bodies_around(doc, others)
    # An organisation the model found across a body's words ("defence ministry later" in
    # "Russia's defence ministry later") is that body, mistaken.
    others = [f for f in others if not (f.kind == "ORG" and any(_overlap(f, body) for body in bodies))]
    found = _defined_acronyms(doc, _resolve_persons(persons) + [f for f in others if f.key] + bodies)
    found += _resolve_roles(doc, [f for f in found if f.kind == "PERSON"], [f for f in found if f.kind != "PERSON"])
    found.sort(key=lambda f: f.span.start_char)
    return _entities(found), [_mention(f) for f in found]


# --- candidate names -----------------------------------------------------------------------


def _candidate_spans(doc: Doc) -> list[SpacySpan]:
    """The model's entities of the wanted labels (or known places/countries under any label),
    plus gazetteer names the model missed; trimmed of "the", possessives and spaces."""
    kept = []
    for ent in doc.ents:
        ent = _trim(ent)
        if ent is not None and (ent.label_ in WANTED_LABELS or _gazetteer_name(ent.text, doc.lang_)):
            ent = _relabel(ent)
            if ent.label_ != NOT_AN_ENTITY:
                kept.append(ent)
    taken = {i for ent in kept for i in range(ent.start, ent.end)}
    for _, start, end in _gazetteer_matcher(doc.vocab)(doc):
        span = doc[start:end]
        if not taken.intersection(range(start, end)) and _acceptable_gazetteer_hit(span.text):
            kept.append(SpacySpan(doc, start, end, label="GPE"))
            taken.update(range(start, end))
    return sorted(kept, key=lambda s: s.start)


def _trim(span: SpacySpan) -> SpacySpan | None:
    """``span`` without a leading determiner, a trailing possessive or surrounding white space."""
    start, end = span.start, span.end
    while start < end and (span.doc[start].is_space or span.doc[start].pos_ == "DET"):
        start += 1
    while end > start and (span.doc[end - 1].is_space or span.doc[end - 1].text in _POSSESSIVE):
        end -= 1
    return SpacySpan(span.doc, start, end, label=span.label_) if end > start else None


@cache
def _label_fixes() -> dict[str, str]:
    return {name: label for name, label in vocab.load_table("entity_label_fixes.tsv")}


@cache
def _facility_heads() -> frozenset[str]:
    return frozenset(vocab.load("entity_facility_heads.txt"))


@cache
def _body_heads() -> dict[str, str]:
    return dict(vocab.load_table("entity_body_heads.tsv"))


def _relabel(span: SpacySpan) -> SpacySpan:
    """Correct the small model's label: a listed name, a plural common noun opening a sentence
    (none), a known place or country (never a PRODUCT or PERSON), a person's name ending in
    "Square"/"Airport" (a facility), in "Patrol"/"Department" (an organisation) or in
    "County" (a place), unless its last word speaks elsewhere as a surname ("Harold Hall ...
    Hall said": a building says nothing)."""
    label = _label_fixes().get(span.text)
    if label is None and _common_noun_opening(span):
        label = NOT_AN_ENTITY
    if label is None and _gazetteer_name(span.text, span.doc.lang_):
        label = "GPE"
    if label is None and span.label_ != "PERSON" and _after_title(span):
        label = "PERSON"
    if label is None and span.label_ == "PERSON" and span[-1].text in _facility_heads() and not _surname_speaks(span):
        label = "FAC"
    if label is None and span.label_ == "PERSON":
        label = _body_heads().get(span[-1].text)
    return SpacySpan(span.doc, span.start, span.end, label=label) if label else span


def _surname_speaks(span: SpacySpan) -> bool:
    """Whether the span's last word is, elsewhere in the article, the subject of a reporting verb."""
    verbs = cue_verbs(span.doc.lang_)
    return any(
        token.text == span[-1].text and token.dep_ == "nsubj" and token.head.lemma_ in verbs
        for token in span.doc if not span.start <= token.i < span.end
    )


def _common_noun_opening(span: SpacySpan) -> bool:
    """A plural common noun capitalised because it opens its sentence ("Detectives said",
    "Friends described her"), which the small model takes for an organisation: no name, unless
    it is a body the analysis knows (``entity_state_bodies.tsv``: "Police")."""
    token = span[0]
    return (
        len(span) == 1 and token.is_sent_start and token.tag_ == "NNS" and token.text[1:].islower()
        and token.lower_ not in _state_body_words()
    )


@cache
def _state_body_words() -> frozenset[str]:
    return frozenset(words for words, _ in vocab.load_table("entity_state_bodies.tsv"))


def _after_title(span: SpacySpan) -> bool:
    """Whether a name of two or more words follows a capitalised role noun, as a person's
    name follows a title ("German Chancellor Olaf Scholz", tagged ORG by the small model)."""
    if len(span) < 2 or span.start == 0:
        return False
    title = span.doc[span.start - 1]
    return title.is_title and title.lower_ in role_classes()


def _gazetteer_name(text: str, language: str) -> bool:
    key = gaz.normalise(text)
    return key in gaz.places() or key in gaz.country_codes(language)


def _acceptable_gazetteer_hit(text: str) -> bool:
    """A gazetteer hit the model missed counts when capitalised, or lower-case for a listed
    place ("blamed kyiv"): lower-case country words ("us", "china") are ordinary words."""
    return text[:1].isupper() or (text.islower() and gaz.normalise(text) in gaz.places())


@cache
def _gazetteer_matcher(vocabulary: Vocab) -> PhraseMatcher:
    matcher = PhraseMatcher(vocabulary, attr="LOWER")
    tokenizer = _tokenizer_for(vocabulary)
    matcher.add("PLACE", [tokenizer(name) for name in set(gaz.gazetteer_names(vocabulary.lang))])
    return matcher


def _tokenizer_for(vocabulary: Vocab):
    """A plain whitespace/punctuation tokenizer on ``vocabulary`` (its language's rules) for
    building patterns."""
    from spacy.util import get_lang_class

    return get_lang_class(vocabulary.lang)(vocab=vocabulary).tokenizer


# --- places, countries, organisations, groups ---------------------------------------------


def _resolve_other(span: SpacySpan) -> _Found:
    """Key and canonical name for a non-person name."""
    key = gaz.normalise(span.text)
    code = gaz.country_codes(span.doc.lang_).get(key)
    if code:
        return _country(span, code, via="name" if key == gaz.short_names()[code].lower() else "alias")
    place = gaz.places().get(key)
    if place:
        if place.kind == "capital" and _stands_for_state(span):
            return _country(span, place.country, via="alias")
        kind: EntityKind = "LOC" if place.kind in ("river", "sea") else "GPE"
        via = "name" if key == place.name.lower() else "alias"
        return _Found(span, "place:" + place.name.lower(), place.name, kind, via)
    label = span.label_ if span.label_ in KEY_PREFIX else "ORG"
    body = (_state_body(span) or _state_agency(span)) if label == "ORG" else None
    if body:
        return body
    if label == "NORP" and key.endswith("ans"):  # "Ukrainians" is the group "Ukrainian"
        key = key[:-1]
    name = " ".join(span.text.split())
    return _Found(span, f"{KEY_PREFIX[label]}:{key}", name, label)  # type: ignore[arg-type]


def _shared_names_resolved(others: list[_Found]) -> list[_Found]:
    """A name several states share ("Korea") means the one of them the article is about: the
    state it names at least ``SHARED_NAME_DOMINANCE`` times as often as any other sharing it."""
    counts = Counter(f.key for f in others if f.key.startswith("country:"))
    resolved = []
    for found in others:
        codes = gaz.shared_heads().get(gaz.normalise(found.span.text))
        if codes:
            ranked = sorted((counts[f"country:{code}"], code) for code in codes)
            (runner_up, _), (top, code) = ranked[-2], ranked[-1]
            if top >= 2 and top >= SHARED_NAME_DOMINANCE * runner_up:
                found = _country(found.span, code, via="alias")
        resolved.append(found)
    return resolved


def _country(span: SpacySpan, code: str, via: str) -> _Found:
    return _Found(span, f"country:{code}", gaz.short_names()[code], "GPE", via)


def _stands_for_state(span: SpacySpan) -> bool:
    """Whether a capital's name stands for its state: the subject of a verb, a possessive
    ("Pyongyang's nuclear bet"), the object of a listed verb or preposition ("accused
    Pyongyang", "against Moscow"), or coordinated with a country or another capital."""
    root = span.root
    cues = gaz.state_cues()
    if root.dep_ in ("nsubj", "nsubjpass"):
        return True
    if root.dep_ == "poss":
        return root.head.ent_type_ not in ("FAC", "GPE", "LOC", "PERSON")
    if root.dep_ == "dobj" and root.head.lemma_.lower() in cues.get("verb", ()):
        return True
    if root.dep_ == "pobj" and root.head.lower_ in cues.get("prep", ()):
        return True
    partners = [root.head] if root.dep_ == "conj" else []
    partners += [child for child in root.children if child.dep_ == "conj"]
    return any(_gazetteer_name(p.text, p.doc.lang_) for p in partners)


# --- state bodies ("South Korean intelligence", "Russia's defence ministry") -----------------


@cache
def _longest_body() -> int:
    """The number of words of the longest state-body phrase."""
    return max(len(phrase.split()) for phrase in gaz.state_bodies())


def _country_named(text: str, language: str) -> str | None:
    """The ISO code of the country a name or nationality adjective names."""
    return gaz.country_codes(language).get(gaz.normalise(text)) or gaz.demonym_country(text)


def _body_named(tokens: SpacySpan) -> str | None:
    """The state body the tokens name ("intelligence services" -> "intelligence"), if any."""
    return gaz.state_bodies().get(" ".join(token.lower_ for token in tokens))


def _body_at(doc: Doc, position: int) -> tuple[int, str] | None:
    """The end token and the body of the longest state-body phrase starting at ``position``
    (after a possessive, if one stands there)."""
    if position < len(doc) and doc[position].text in _POSSESSIVE:
        position += 1
    for end in range(min(len(doc), position + _longest_body()), position, -1):
        body = _body_named(doc[position:end])
        if body:
            return end, body
    return None


def _body_before_of(doc: Doc, position: int) -> tuple[int, str] | None:
    """The first token and the body of the longest state-body phrase followed by "of" just
    before ``position`` ("the armed forces of| Ukraine")."""
    of = position - 1
    if of < 1 or doc[of].lower_ != "of":
        return None
    for start in range(max(0, of - _longest_body()), of):
        body = _body_named(doc[start:of])
        if body:
            return start, body
    return None


def _state_body(span: SpacySpan) -> _Found | None:
    """A state body the model tagged as one organisation ("Russian Defence Ministry", "Armed
    Forces of Ukraine"), keyed by its country and body so that every wording of it is one
    entity, and widened to the body's last word where the model stopped short ("South Korean
    Intelligence| services")."""
    doc = span.doc
    for split in range(span.start + 1, span.end):
        after = _body_at(doc, split)
        code = _country_named(doc[span.start : split].text, doc.lang_) if after and after[0] >= span.end else None
        if code:
            return _body_mention(doc[span.start : after[0]], code, after[1])
        before = _body_before_of(doc, split)
        code = _country_named(doc[split:span.end].text, doc.lang_) if before and before[0] == span.start else None
        if code:
            return _body_mention(span, code, before[1])
    return None


def _body_mention(span: SpacySpan, code: str, body: str) -> _Found:
    """A mention of a country's state body, named alike whatever the wording ("Russia's defence
    ministry"), so that every article in the store shows the one name."""
    country = gaz.short_names()[code]
    possessive = "'" if country.endswith("s") else "'s"
    return _Found(span, f"org:{code} {body}", f"{country}{possessive} {body}", "ORG")


def _state_agency(span: SpacySpan) -> _Found | None:
    """A state body named by an acronym that is its alone ("the FSB")."""
    agency = gaz.state_agencies().get(span.text.strip())
    return _body_mention(span, *agency) if agency else None


def _state_bodies_around(doc: Doc, others: list[_Found]) -> list[_Found]:
    """State bodies named by a country or nationality the model tagged alone ("South Korean" +
    "intelligence", "the intelligence services of" + "South Korea"): the body is the speaker of
    "South Korean intelligence reported", not the nationality. The country's own mention stays."""
    found = []
    for qualifier in others:
        code = qualifier.key.removeprefix("country:") if qualifier.key.startswith("country:") else None
        code = gaz.demonym_country(qualifier.span.text) if qualifier.kind == "NORP" else code
        if not code:
            continue
        after, before = _body_at(doc, qualifier.span.end), _body_before_of(doc, qualifier.span.start)
        if after:
            found.append(_body_mention(doc[qualifier.span.start : after[0]], code, after[1]))
        elif before and qualifier.kind == "GPE":
            found.append(_body_mention(doc[before[0] : qualifier.span.end], code, before[1]))
    return found


def _defined_acronyms(doc: Doc, found: list[_Found]) -> list[_Found]:
    """An acronym the article defines in brackets after an organisation's name ("South Korea's
    National Intelligence Service (NIS)") names that organisation there and wherever it stands
    again in the article, whether or not the model tagged it."""
    meaning = {}
    for f in found:
        end = f.span.end
        if f.kind == "ORG" and end + 2 < len(doc) and doc[end].text == "(" and doc[end + 2].text == ")":
            acronym = doc[end + 1].text
            if ACRONYM.fullmatch(acronym) and acronym != f.text:
                meaning.setdefault(acronym, f)
    if not meaning:
        return found
    kept = [f for f in found if f.text not in meaning]
    taken = {i for f in kept for i in range(f.span.start, f.span.end)}
    for token in doc:
        named = meaning.get(token.text)
        if named and token.i not in taken:
            kept.append(_Found(doc[token.i : token.i + 1], named.key, named.name, named.kind, "alias"))
    return kept


def _overlap(a: _Found, b: _Found) -> bool:
    return a.span.start < b.span.end and b.span.start < a.span.end


# --- persons ------------------------------------------------------------------------------


def _is_person(span: SpacySpan) -> bool:
    return span.label_ == "PERSON"


@cache
def _honorifics(language: str) -> frozenset[str]:
    """Honorifics before names (``entity_honorifics.txt``), with the language's own ("M.", "Frau")."""
    return frozenset(vocab.load("entity_honorifics.txt") + vocab.load_language(language, "entity_honorifics.txt"))


def _person_name_span(span: SpacySpan) -> SpacySpan:
    """A person span without honorifics or titles in front ("President Vladimir Putin" -> the name)."""
    start, honorifics = span.start, _honorifics(span.doc.lang_)
    while start < span.end - 1 and (span.doc[start].text in honorifics or span.doc[start].lower_ in role_classes()):
        start += 1
    return SpacySpan(span.doc, start, span.end, label="PERSON")


def _persons_named_elsewhere(persons: list[SpacySpan], others: list[_Found]) -> tuple[list[SpacySpan], list[_Found]]:
    """Names the model tagged as an organisation or other but which are a person's name or
    surname in this article ("criticized Podoliak" tagged ORG) become that person's mentions, and
    so does a place's name that is the surname of a person named before it, where it is not used
    as a place ("The man, Shawn Jordan, ... said Jordan, 42", not "Jordan police" or "in Jordan")."""
    names = {gaz.normalise(w) for p in persons for w in (p.text, p[-1].text, p[0].text)}
    moved = [
        f.span for f in others
        if len(f.span) == 1 and (
            (f.kind in ("ORG", "OTHER") and f.span.text.lower() in names)
            or (f.kind in ("GPE", "LOC", "FAC") and _surname_named_before(f.span, persons) and not _used_as_place(f.span[0]))
        )
    ]
    persons = sorted(persons + [SpacySpan(s.doc, s.start, s.end, label="PERSON") for s in moved], key=lambda s: s.start)
    return persons, [f for f in others if f.span not in moved]


def _surname_named_before(span: SpacySpan, persons: list[SpacySpan]) -> bool:
    """Whether a person whose name of two words or more ends in this one word is named before it."""
    word = gaz.normalise(span.text)
    return any(len(p) > 1 and p.end <= span.start and gaz.normalise(p[-1].text) == word for p in persons)


def _used_as_place(token: Token) -> bool:
    """Whether a one-word name reads as a place where it stands: a modifier of a noun ("Jordan
    police") or the object of a preposition of place ("in Jordan")."""
    return token.dep_ == "compound" or (token.head.dep_ == "prep" and token.head.lower_ in _place_prepositions())


@cache
def _place_prepositions() -> frozenset[str]:
    return frozenset(vocab.load("entity_place_prepositions.txt"))


def _resolve_persons(spans: list[SpacySpan]) -> list[_Found]:
    """One key per person: names cleaned, glued words cut, spellings grouped."""
    spans = [_person_name_span(s) for s in spans]
    one_word = {s.text.lower() for s in spans if len(s) == 1}
    found = [_Found(s, kind="PERSON", end=s.end_char - _glued_length(s, one_word)) for s in spans]
    names = [" ".join(f.text.split()) for f in found]
    groups = group_names(names)
    for f, name in zip(found, names, strict=True):
        f.key, f.name = groups[name].key, groups[name].canonical
        f.via = "name" if set(name.lower().split()) <= set(f.name.lower().split()) else "alias"
    return found


def _glued_length(span: SpacySpan, one_word: set[str]) -> int:
    """Length of a word glued to the end of a name by a typo ("Vladimir Putinwho" -> 3): when
    the last token begins with a surname the article uses alone and the rest is lower case."""
    last = span[-1].text
    if len(span) < 2:
        return 0
    for surname in one_word:
        rest = last[len(surname) :]
        if last.lower().startswith(surname) and len(rest) >= 2 and rest.isalpha() and rest.islower():
            return len(rest)
    return 0


# --- role phrases -------------------------------------------------------------------------


def _resolve_roles(doc: Doc, persons: list[_Found], others: list[_Found]) -> list[_Found]:
    """Mentions for role phrases: introductions next to a name (title or apposition) and later
    references ("the Russian president") resolved to the person they describe."""
    person_tokens = {i for f in persons for i in range(f.span.start, f.span.end)}
    phrases = find_role_phrases(doc, person_tokens)
    for phrase in phrases:
        phrase.qualifiers = _qualifiers(doc, phrase, others)
    starts = {f.span.start: f for f in persons}
    ends = {f.span.end: f for f in persons}
    profiles: dict[str, Profile] = {}
    found, references = [], []
    listed = listed_together(phrases, doc)
    sentence_starts = [sentence.start for sentence in doc.sents]
    for index, phrase in enumerate(phrases):
        person = _introduced(doc, phrase, starts, ends)
        if person is not None:
            profiles.setdefault(person.key, Profile()).add(phrase)
            found.append(_role_mention(doc, phrase, person))
        elif phrase.definite and index not in listed:
            references.append(phrase)
    for phrase in references:
        window_start = sentence_start_back(sentence_starts, phrase.start, RECENT_SENTENCES)
        person = _referent(phrase, persons, profiles, window_start)
        if person is not None:
            profiles.setdefault(person.key, Profile()).add(phrase)
            found.append(_role_mention(doc, phrase, person))
    return found


def _qualifiers(doc: Doc, phrase: RolePhrase, others: list[_Found]) -> set[str]:
    """Entity keys of the countries and organisations named in a role phrase; a nationality or a
    seat of government gives the country ("Russian", "Kremlin" -> country:RU); a capitalised
    word the model left untagged is a group ("Libertarian" in "Libertarian presidential candidate")."""
    qualifiers = set()
    named = set()
    for found in others:
        if phrase.start <= found.span.start and found.span.end <= phrase.end:
            qualifiers.add(found.key)
            named.update(range(found.span.start, found.span.end))
            code = gaz.institutions().get(gaz.normalise(found.span.text))
            if found.kind == "NORP":
                code = gaz.demonym_country(found.span.text)
            if code:
                qualifiers.add(f"country:{code}")
    for token in doc[phrase.start : phrase.end]:
        if token.i not in named and _untagged_affiliation(token):
            qualifiers.add(f"group:{token.lower_}")
    return qualifiers


def _untagged_affiliation(token: Token) -> bool:
    """A capitalised adjective or name inside a role phrase that is no role word, no title
    modifier ("Former") and not written in lower case elsewhere in the article: a party or
    movement the model did not tag ("Libertarian")."""
    return (
        token.pos_ in ("ADJ", "PROPN")
        and token.text[:1].isupper()
        and token.lower_ not in role_words()
        and token.lower_ not in TITLE_MODIFIERS
        and token.lower_ not in _lower_case_words(token.doc)
    )


def _lower_case_words(doc: Doc) -> frozenset[str]:
    """The words the article writes in lower case (cached on the document)."""
    if LOWER_CASE_WORDS not in doc.user_data:
        doc.user_data[LOWER_CASE_WORDS] = frozenset(t.text for t in doc if t.text.islower())
    return doc.user_data[LOWER_CASE_WORDS]


def _introduced(doc: Doc, phrase: RolePhrase, starts: dict, ends: dict) -> _Found | None:
    """The person a role phrase introduces: "Russian President Vladimir Putin", "the North
    Korean leader, Kim Jong-un", "Jens Stoltenberg, the former NATO Secretary-General"."""
    if phrase.end in starts:
        return starts[phrase.end]
    if phrase.end < len(doc) and doc[phrase.end].text == "," and phrase.end + 1 in starts:
        return starts[phrase.end + 1]
    if phrase.start > 0 and doc[phrase.start - 1].text == "," and phrase.start - 1 in ends:
        return ends[phrase.start - 1]
    return None


def _referent(
    phrase: RolePhrase, persons: list[_Found], profiles: dict[str, Profile], window_start: int
) -> _Found | None:
    """Who a role reference means: the person described so far with that role (the latest named
    before it), else the latest person named since ``window_start`` (a token index, a few
    sentences back) whom the article does not describe otherwise (a role of another kind,
    another country). What a resolved reference says of its person is learnt for the next
    ones ("the North Korean leader" makes Kim North Korean)."""
    before = [p for p in persons if p.span.start < phrase.start]
    fitting = [p for p in before if p.key in profiles and roles_agree(phrase, profiles[p.key])]
    fitting = [p for p in fitting if qualifiers_agree(phrase, profiles[p.key])]
    if fitting:
        return fitting[-1]
    if phrase.role_class in CAMPAIGN_CLASSES:  # only to a person the article described so
        return None
    for person in reversed(before):
        if person.span.start < window_start:
            break
        if not conflicts(phrase, profiles.get(person.key, Profile())):
            return person
    return None


def _role_mention(doc: Doc, phrase: RolePhrase, person: _Found) -> _Found:
    return _Found(doc[phrase.start : phrase.end], person.key, person.name, "PERSON", "role")


# --- output -------------------------------------------------------------------------------


def _mention(found: _Found) -> Mention:
    span = Span(found.span.start_char, found.end, found.text)
    return Mention(span, found.key, found.via)  # type: ignore[arg-type]


def _entities(found: list[_Found]) -> list[Entity]:
    """One Entity per key, in order of first mention, with the other names it was called."""
    entities: dict[str, tuple[_Found, list[str]]] = {}
    for f in found:
        first, aliases = entities.setdefault(f.key, (f, []))
        text = " ".join(f.text.split())
        if f.via != "role" and text != first.name and text not in aliases:
            aliases.append(text)
    return [Entity(key, first.name, first.kind, tuple(aliases)) for key, (first, aliases) in entities.items()]


def link_across(entities: list[Entity], known: Iterable[Entity]) -> dict[str, str]:
    """This article's entity keys -> keys of already-known entities naming the same real thing:
    a surname alone ("person:putin") to the one known person of that surname, a transliterated
    name ("Wladimir Putin") to the known spelling. Keys already known are left out."""
    known_persons = [(e.key, e.name) for e in known if e.kind == "PERSON"]
    known_keys = {key for key, _ in known_persons}
    links = {}
    for entity in entities:
        if entity.kind != "PERSON" or entity.key in known_keys:
            continue
        target = link_persons(entity.name, known_persons)
        if target is not None and target != entity.key:
            links[entity.key] = target
    return links
