"""Events inside a story: every dated time expression of every article, with the sentence it
sits in and what its clause says happened, grouped into happenings across articles when the
dates agree and the sentences share their subject, action, place or words; then the articles
that give no date of their own are bounded by the events they report."""
from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache, lru_cache

import pycountry
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from storydesk import vocab
from storydesk.model import Action, Article, Citation, Span, TimeExpr, TimelineEvent
from storydesk.synthesise.dates import (
    WEEKDAY_NAMES,
    ArticleDate,
    When,
    resolve,
    weekday_of,
)
from storydesk.synthesise.text import (
    UnionFind,
    features,
    fold,
    idf_weights,
    local_bodies,
    mentions_in,
    overlap,
    present_tense,
    sentence_at,
)
from storydesk.words import phrase_alternation

# Two sentences with agreeing dates report the same event when the IDF-weighted overlap
# coefficient of their features (content words and entity keys; shared weight over the smaller
# set's weight, so a long sentence is not penalised for saying more) reaches SAME_EVENT, and,
# when both name an event word (signed, ratified, visit...), they name a common one. On the
# seed story, mentions of the same event score 0.2-0.5 and other same-day sentences 0.1-0.2.
# Sharing the clause's subject, its (not light) verb or the sentence's place is as good as
# reaching it: the same actor or action on the same day is one happening.
SAME_EVENT = 0.2
# A weekday-only mention ("signed on Wednesday") dates its article by the event it joins, so it
# must name one of that event's words and pass a higher bar.
SAME_EVENT_BY_WEEKDAY = 0.3
# A sentence with fewer content words than this is a fragment of the one before (a sentence
# splitter cut "ratified today [on 24 October]" in two): it takes that one's features too.
FRAGMENT = 4
# An event this long before the story's first article is background, not part of the story.
BACKGROUND = timedelta(days=365)
# A timeline shows this many happenings at most, those most reported; the rest of the story's
# dated mentions are listed apart (Dossier.more_events). A real story of one day from a few
# outlets dates 30 to 60 sentences (a live blog's every update): a reader wants its main events.
TIMELINE_EVENTS = 8
PLACE_KINDS = ("GPE", "LOC", "FAC")
# The place an article names after a locative word at least this often is where it reports from.
MOST_NAMED = 2
LEAD_SENTENCES = 2  # an article without a dateline names its scene in these first sentences
# A label made without a parse (an analysis stored before actions) keeps this many words; one
# made from a clause at most LABEL_MOST_WORDS.
LABEL_WORDS = 10
# A clause in the first or second person ("we thanked", "you grieve", "my heart hurt", "he gets
# on my nerves") is a quote's words, not a happening told.
SPOKEN_PERSONS = frozenset({"i", "me", "my", "mine", "we", "us", "our", "ours", "you", "your", "yours"})
LABEL_MOST_WORDS = 14


@dataclass
class EventMention:
    """One dated (or weekday-only) time expression of an article, in its sentence, with what its
    clause says happened."""

    article: int
    sentence: Span  # a fragment's sentence starts at the sentence before it
    when: When | None
    weekday: int | None
    features: set[str]
    places: list[str]  # places the sentence names after a locative word
    towns: list[str]  # those of them that are cities, regions or countries (not a street, a building)
    event_words: set[str]  # the event words it names (signing, ratification, visit...)
    fragment: bool = False  # its sentence is a fragment; its features include the sentence before
    action: Action | None = None
    actor: str | None = None  # the entity its clause's subject names
    label: str = ""  # what happened, in headline style: "Lower house ratifies bilateral treaty"
    article_place: str | None = None  # where the article says it is: its dateline, else its most named place
    jurisdiction: str | None = None  # the town whose police (fire department...) the article names most


@dataclass
class EventGroup:
    """Mentions of one event across articles."""

    when: When
    mentions: list[EventMention] = field(default_factory=list)

    def similarity(self, mention: EventMention, weights: dict[str, float]) -> float:
        """How like one of the group's mentions ``mention`` is (single link)."""
        return max((_likeness(mention, other, weights) for other in self.mentions), default=0.0)


def find_mentions(article: Article, article_date: ArticleDate) -> list[EventMention]:
    """The article's time expressions that name a calendar date or a weekday, in their sentences."""
    analysis = article.analysis
    if analysis is None or article.id is None:
        return []
    kinds = {entity.key: entity.kind for entity in analysis.entities}
    event_words = set(vocab.load("synthesise_event_words.txt"))
    actions = {action.time.start: action for action in analysis.actions}
    parts = town_parts(article.text)
    article_place = _article_place(article, kinds, parts)
    jurisdiction = _jurisdiction(article, kinds)
    found = []
    for timex in analysis.timexes:
        when = resolve(timex, article_date.anchor)
        weekday = None if when else weekday_of(timex.value)
        sentence = _sentence_of(article, timex)
        if (when is None and weekday is None) or sentence is None or timex.type not in ("DATE", "TIME"):
            continue
        own = features(analysis, sentence, [Span(timex.start, timex.end, timex.text)])
        fragment = len(own) < FRAGMENT and (previous := sentence_at(analysis, sentence.start - 2)) is not None
        if fragment:
            own |= features(analysis, previous)
            sentence = Span(previous.start, sentence.end, article.text[previous.start : sentence.end])
        action = actions.get(timex.start)
        mention = EventMention(
            article.id, sentence, when, weekday, own, _places(article, sentence, kinds),
            [town for town in _places(article, sentence, kinds, ("GPE",)) if town not in parts], own & event_words, fragment,
            action, _actor(article, action), article_place=article_place, jurisdiction=jurisdiction,
        )
        mention.label = _label(article, mention)
        found.append(mention)
    return found


def _sentence_of(article: Article, timex: TimeExpr) -> Span | None:
    """The sentence a time expression is in; the two it spans when the sentence splitter cut it
    ("At 11:07 a.m." / "Sunday, police responded ...") read as one."""
    analysis = article.analysis
    if (sentence := sentence_at(analysis, timex.start, timex.end)) is not None:
        return sentence
    first, last = sentence_at(analysis, timex.start), sentence_at(analysis, max(timex.start, timex.end - 1))
    if first is None or last is None:
        return None
    return Span(first.start, last.end, article.text[first.start : last.end])


def _places(article: Article, sentence: Span, kinds: dict[str, str], of_kinds: tuple[str, ...] = PLACE_KINDS) -> list[str]:
    """Place names (of ``of_kinds``) in the sentence right after a locative word ("in Kazan",
    "visit to Pyongyang", "in southeast Washington") or before a word for where something
    happens ("a Beverly home"), as written (a capital stays a city even when linked to its
    country)."""
    prepositions = set(vocab.load("synthesise_place_prepositions.txt"))
    scenes = set(vocab.load("synthesise_scene_nouns.txt"))
    parts = set(vocab.load("synthesise_place_parts.txt"))
    text = article.text
    places = []
    for mention in mentions_in(article.analysis, sentence.start, sentence.end):
        before = [word.lower() for word in text[max(sentence.start, mention.span.start - 24) : mention.span.start].split()]
        after = re.match(r"(?:,\s+[A-Z][\w.]*)?[\s-]+(\w+)", text[mention.span.end : sentence.end])
        located = _after_locative(before, prepositions, parts) or (after is not None and after[1].lower() in scenes)
        if (kinds.get(mention.entity) in of_kinds or mention.span.text in towns_before_states(text)) and located and _may_be_place(mention.span.text):
            places.append(_town_of_body(mention.span.text) or mention.span.text)
    return places + [name for name in _untagged_places(article, sentence) if name not in places]


@lru_cache(maxsize=64)
def towns_before_states(text: str) -> frozenset[str]:
    """Names the text writes before a state ("Campbellsburg, Indiana", "in Chubbuck, Idaho"):
    towns, whatever kind the parser gave them."""
    return frozenset(match[1] for match in _BEFORE_STATE_AT.finditer(text) if match[2].lower() in _regions())


def _after_locative(words: list[str], prepositions: set[str], parts: set[str]) -> bool:
    """Whether the (lower-cased) words before a name end with a locative word, maybe with a part
    between ("in Kazan", "in southeast Washington") or a part of it ("west of Hutchinson")."""
    if words and words[-1] in parts:
        words = words[:-1]
    return bool(words) and (words[-1] in prepositions or (len(words) > 1 and words[-1] == "of" and words[-2] in parts))


def _untagged_places(article: Article, sentence: Span) -> list[str]:
    """Names the parser did not tag as places here, written after a locative word in the sentence
    ("a shooting in Manvel on Sunday"), that the headline or the web address names too, that the
    parser tagged as a place elsewhere in the article, or that a time follows ("in Elgin Friday
    afternoon", "in Manvel on Sunday"): a town the parser missed or took for another kind."""
    prepositions = "|".join(re.escape(word) for word in vocab.load("synthesise_place_prepositions.txt"))
    kinds = {entity.key: entity.kind for entity in article.analysis.entities}
    here = mentions_in(article.analysis, sentence.start, sentence.end)
    tagged = {m.span.text for m in here if kinds.get(m.entity) in PLACE_KINDS}
    elsewhere = {m.span.text.lower() for m in article.analysis.mentions if kinds.get(m.entity) in PLACE_KINDS}
    headline = f"{article.extraction.title or ''} {(article.extraction.url or '').replace('-', ' ').replace('_', ' ')}".lower()
    found = []
    for match in re.finditer(rf"\b(?:{prepositions})\s+((?:{_NAME_WORD}\s?){{1,3}})", sentence.text):
        words = list(itertools.takewhile(lambda word: word not in _not_places(), match[1].split()))
        for end in range(len(words), 0, -1):
            name = " ".join(words[:end])
            after = sentence.text[match.start(1) + len(name) :]
            if (
                name.lower() in elsewhere or _before_time(after)
                or re.search(rf"(?<![\w]){re.escape(name.lower())}(?![\w])", headline)
            ):
                if name not in tagged and len(name) > 1 and words[0].lower() not in ENGLISH_STOP_WORDS:
                    found.append(name)
                break
    return found


def town_parts(text: str) -> set[str]:
    """Names the text writes as the name of a part of a town ("the West Pullman neighborhood",
    "the city's East Germantown section"; not "a Winston-Salem neighborhood", one in a town):
    places that are no town, though tagged as one."""
    words = phrase_alternation(vocab.load("synthesise_town_part_words.txt"))
    pattern = rf"(?:\b[Tt]he|['’]s)\s+((?:[A-Z][\w'’-]*\s){{1,3}})(?i:{words})\b"
    return {match[1].strip() for match in re.finditer(pattern, text)}


def _before_time(after: str) -> bool:
    """Whether the words after a name open with a time ("Friday afternoon", "on Sunday", "late
    Monday"): "in Elgin Friday" sets a scene, whatever the parser took Elgin for."""
    kinds = _scene_times()
    words = re.findall(r"[\w’']+", after[:30])
    while words and kinds.get(words[0].lower()) == "opener":
        words = words[1:]
    return bool(words) and (kinds.get(words[0].lower()) == "time" or kinds.get(words[0]) == "time")


@cache
def _scene_times() -> dict[str, str]:
    """Words that open a time after a name (data/synthesise_scene_times.tsv), and weekday names."""
    weekdays = {row[0]: "time" for row in vocab.load_table("timex_weekdays.tsv")}
    return weekdays | dict(vocab.load_table("synthesise_scene_times.tsv"))


def _article_place(article: Article, kinds: dict[str, str], parts: set[str]) -> str | None:
    """Where an article reports from: its dateline's place ("MONCKS CORNER S.C." -> "Moncks
    Corner"), else the place it names most often after a locative word, else the town its lead
    names, else the town its headline names: the first of them that is a town (not one of
    ``parts``, its ``town_parts``); else the first county (then state), with the town the whole
    text names most ("Joplin, Newton County")."""
    dateline = article.extraction.dateline
    whole = Span(0, len(article.text), article.text)
    named = Counter(_places(article, whole, kinds, ("GPE",))).most_common(1)
    found = [
        dateline_place(dateline) if dateline else None,
        named[0][0] if named and named[0][1] >= MOST_NAMED else None,
        _most_named_town(article, kinds),
        _title_town(article, kinds),
    ]
    places = sorted(
        (place for place in found if place and place[0].isupper() and place not in parts),  # not "n’t", "× York"
        key=lambda place: (is_county(place), place.lower() in _regions()),
    )
    if not places or not _holds_towns(places[0]):
        return places[0] if places else None
    anywhere = _most_named_town(article, kinds, lead=False)
    return f"{anywhere}, {places[0]}" if anywhere and not _holds_towns(anywhere) else places[0]


def _title_town(article: Article, kinds: dict[str, str]) -> str | None:
    """The town the headline names ("4 teens wounded in Granger shooting", "Cleveland Police:
    ...", "... - WMC Action News 5 - Memphis, Tennessee"), its headline before the site's name
    first: a place the text tags, or one the headline and the text both write after a locative
    word ("in Compton"), before a local body ("Lodi police") or before a state ("Tampa, Florida")."""
    title = article.extraction.title or ""
    places = {m.span.text for m in article.analysis.mentions if kinds.get(m.entity) == "GPE" and not m.entity.startswith("country:")}
    for part in re.split(r"\s[-–—|]\s", title):
        found = [(match.start(), name) for name in places for match in re.finditer(rf"(?<![\w'’]){re.escape(name)}(?![\w'’])", part)]
        found += [(match.start(1), name) for match in _TITLE_LOCATIVE.finditer(part) if (name := _placed_in(article.text, match[1]))]
        found += [(part.index(name), name) for name in _towns_before_bodies(part)]
        found += [(match.start(1), match[1]) for match in _BEFORE_STATE.finditer(part) if match[2].lower() in _regions()]
        towns = sorted(
            (at, name) for at, name in found
            if not _abbreviation(name) and name.lower() not in _regions() and name.split()[0] not in _not_places()
        )
        if towns:
            return towns[0][1]
    return None


# A word of a place's name: capitalised, initials ("D.C.") or an abbreviation ("Mt. Oliver"),
# which a name after "in" may be.
_NAME_WORD = r"(?:[A-Z](?:\.[A-Z])+\.|(?:Mt|St|Ft|Pt)\.|[A-Z][\w'’]*)"
_TITLE_LOCATIVE = re.compile(rf"\b(?i:in|at|near|outside)\s+((?:{_NAME_WORD}\s?){{1,3}})")
_BEFORE_STATE = re.compile(r"((?:[A-Z][\w'’.]*\s){0,2}[A-Z][\w'’]*),\s+([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\b")
_BEFORE_STATE_AT = re.compile(rf"(?=\b{_BEFORE_STATE.pattern})")  # at every word: overlapping names


def _placed_in(text: str, run: str) -> str | None:
    """The longest first words of a headline's capitalised run that the text too writes after a
    locative word, as a whole name ("in Compton." and not "in Compton Heights")."""
    words = run.split()
    prepositions = "|".join(re.escape(word) for word in vocab.load("synthesise_place_prepositions.txt"))
    for end in range(len(words), 0, -1):
        name = " ".join(words[:end])
        if re.search(rf"\b(?i:{prepositions})\s+{re.escape(name)}(?![\w'’]|\s+[A-Z])", text):
            return name
    return None


def _abbreviation(name: str) -> bool:
    """A state's abbreviation or a station's call letters ("Ga.", "KCBD", "ABC13"): no town."""
    return name.endswith(".") or (name.isupper() and len(name) <= 4) or _call_letters(name)


def _call_letters(name: str) -> bool:
    """A station's name in capitals with its channel ("ABC13", "WLS7")."""
    return name.isupper() and any(c.isdigit() for c in name)


def _may_be_place(name: str) -> bool:
    """Not a station's call letters ("ABC13") nor a time the parser tagged ("Monday's")."""
    return not _call_letters(name) and not (name.split() and _a_time_word(name.split()[0]))


def _a_time_word(word: str) -> bool:
    """A month or weekday, possessive or not ("Monday's")."""
    return re.sub(r"['’]s$", "", word) in _not_places()


@cache
def _not_places() -> frozenset[str]:
    """Capitalised words a headline puts after "in" that are no place: months and weekdays."""
    return frozenset(row[0] for name in ("timex_months.tsv", "timex_weekdays.tsv") for row in vocab.load_table(name))


def is_county(place: str) -> bool:
    """Whether a place is a county or its like ("Harris County", "St. Bernard Parish"), which
    holds towns rather than being one."""
    words = place.split()
    return len(words) > 1 and words[-1].lower() in vocab.load("synthesise_county_words.txt")


def _most_named_town(article: Article, kinds: dict[str, str], lead: bool = True) -> str | None:
    """The town the article's lead (or, with ``lead`` false, its whole text) names most
    ("Kokomo police said", "a Kokomo man"): where news sets its scene. A GPE mention in the first
    LEAD_SENTENCES sentences (or a LOC one before a person: "A Merritt Island man") that is no
    country, no state and no abbreviation ("Ind."), a county only when nothing else is named."""
    sentences = article.analysis.sentences
    lead_end = sentences[min(LEAD_SENTENCES, len(sentences)) - 1].end if sentences and lead else len(article.text)
    lead = [mention for mention in article.analysis.mentions if mention.span.end <= lead_end]
    named = [_town_of_body(m.span.text) or m.span.text for m in lead if kinds.get(m.entity) == "GPE" and not m.entity.startswith("country:")]
    named += [town for m in lead if kinds.get(m.entity) == "ORG" and (town := _town_of_body(m.span.text))]
    named += [m.span.text for m in lead if kinds.get(m.entity) == "LOC" and _before_resident(article.text, m.span.end)]
    named = named or _towns_before_bodies(article.text[:lead_end])
    names = Counter(name for name in named if not name.endswith(".") and name.lower() not in _regions())
    ranked = sorted(names.items(), key=lambda item: (is_county(item[0]), -item[1]))
    return ranked[0][0] if ranked else None


def _before_resident(text: str, end: int) -> bool:
    """Whether a name stands before a word for one person ("A Merritt Island man"): a town's
    resident, even when the parser took the town for a region (LOC)."""
    after = re.match(r"\s+(\w+)", text[end : end + 20])
    return after is not None and after[1].lower() in vocab.load("figure_person_nouns.txt")


def _jurisdiction(article: Article, kinds: dict[str, str]) -> str | None:
    """The town whose own bodies (police, fire department) the article names most ("Chicago
    police said", "the Miami Police Department"): its events happened there, as such a body serves
    that town and no other. No county, no state ("Kentucky State Police"), no word the text also
    writes in lower case ("When police arrived"), no month or weekday ("Monday's police")."""
    names = [m.span.text for m in article.analysis.mentions if kinds.get(m.entity) == "ORG"]
    named = [town for name in names if (town := _town_of_body(name, local_bodies(town_only=True)))]
    named += _towns_before_bodies(article.text, local_bodies(town_only=True))
    lower = set(re.findall(r"\b[a-z]+\b", article.text))
    towns = Counter(
        town for town in named
        if not is_county(town) and town.lower() not in _regions() and not _abbreviation(town)
        if not any(word.lower() in lower or _a_time_word(word) for word in town.split())
    )
    return towns.most_common(1)[0][0] if towns else None


def _towns_before_bodies(lead: str, bodies: list[str] | None = None) -> list[str]:
    """Capitalised words right before a local body on the same line of the lead's text, where the
    parser tagged no place ("Memphis police officers said"): the town the body serves (a headline
    on the line above, "... Flunks Entire Class", is none)."""
    pattern = re.compile(rf"((?:[A-Z][a-z][\w'’-]* ){{1,3}})(?i:{'|'.join(map(re.escape, bodies or local_bodies()))})\b")
    return [town for match in pattern.finditer(lead) if (town := _town_name(match[1]))]


def _town_name(words: str) -> str | None:
    """The town in the words before a body's name, without words such as "The" before it nor a
    word said twice (a label glued on: "Hampton Hampton police"); None when the body is another's
    ("State police", "Kentucky State Police", "Transit police") or the words open a sentence
    ("When police arrived") or name a publication ("Daily News")."""
    split = words.split()
    kept = [word for previous, word in zip([None, *split], split) if word != previous]
    while kept and kept[0].lower() in _ARTICLES | _BODY_WORDS:
        kept = kept[1:]
    while kept and kept[-1].lower() in _BODY_WORDS:
        kept = kept[:-1]
    if not kept or kept[-1].lower() in _NOT_TOWNS - {"city", "county"} or kept[0].lower() in ENGLISH_STOP_WORDS:
        return None
    if len(kept) == 1 and kept[0].lower() in _NOT_TOWNS:
        return None  # "City police"; but "Federal Way police" serve Federal Way, not "Way"
    if any(word.lower() in _publication_words() for word in kept):
        return None  # a credit line before a sentence: "... for New York Daily News Police said"
    return " ".join(kept)


@cache
def _publication_words() -> frozenset[str]:
    return frozenset(vocab.load("synthesise_publication_words.txt"))


_ARTICLES = frozenset({"the", "a", "an"})


# Capitalised words before "police" that name no town ("State police", "The police"), nor do the
# titles of a chief ("Interim Police Chief", "Acting Police Chief").
_NOT_TOWNS = frozenset({
    "the", "a", "an", "state", "local", "city", "county", "transit", "capitol", "campus", "university",
    "military", "park", "border", "federal", "national", "tribal",
    "interim", "acting", "deputy", "assistant", "former", "retired", "department",
})
# Words between a town and its body that belong to the body ("Las Vegas Metropolitan Police").
_BODY_WORDS = frozenset({"metro", "metropolitan"})


def _town_of_body(name: str, bodies: list[str] | None = None) -> str | None:
    """The town a local body is named after ("Raleigh Police Department": Raleigh), or None."""
    words = name.removeprefix("the ").removeprefix("The ")
    for body in bodies or local_bodies():
        if words.lower().endswith(" " + body):
            town = _town_name(words[: -len(body) - 1])
            return town if town and town[0].isupper() else None
    return None


@cache
def _regions() -> frozenset[str]:
    """Names of states and territories (pycountry's ISO 3166-2), which are not towns; not
    provinces, which are often named after their town (Toledo, Lodi)."""
    kinds = {"State", "Territory", "Outlying area", "Federal district"}
    return frozenset(s.name.lower() for s in pycountry.subdivisions if s.type in kinds)


def dateline_place(dateline: str) -> str | None:
    """The place of a dateline: its capitalised words before a comma or a state's abbreviation
    ("ST. LOUIS Mo." -> "St. Louis", "SANTA BARBARA, Calif." -> "Santa Barbara"), in title case."""
    words = dateline.split(",")[0].split()
    if words and _capitalised(words[0], 0):
        kept = words[: next((i for i, word in enumerate(words) if not _capitalised(word, i)), len(words))]
    else:
        kept = words[:-1] if len(words) > 1 else words
    place = " ".join(kept).strip(" .-–—")
    return (place.title() if place.isupper() else place) or None


def _capitalised(word: str, position: int) -> bool:
    """A dateline word of the place: in capitals, not an abbreviation ("N.Y.", "TX" after the first word)."""
    abbreviation = re.fullmatch(r"(?:[A-Z]\.){2,}", word) or (position > 0 and len(word) <= 2)
    return word.isupper() and not abbreviation and (word.isalpha() or word.endswith("."))


def _actor(article: Article, action: Action | None) -> str | None:
    """The entity a clause's subject names: a mention covering most of the subject."""
    if action is None or action.subject is None:
        return None
    subject = action.subject
    covering = [
        m for m in article.analysis.mentions
        if m.span.overlaps(subject) and m.span.end >= subject.end and 2 * (m.span.end - m.span.start) >= subject.end - subject.start
    ]
    return covering[0].entity if covering else None


def _label(article: Article, mention: EventMention) -> str:
    """What happened, headline style: the clause's subject (by the entity's name where it names
    one), its verb in the present tense (a passive as its participle, after "is" or "are" when
    the subject is a pronoun), its object; for a happening a noun names, that noun phrase ("Mass
    shooting"); without a parsed clause, the sentence's first words."""
    action = mention.action
    if action is not None and action.nominal:
        return action.verb.text[0].upper() + action.verb.text[1:]
    if action is None or action.subject is None:
        words = mention.sentence.text.split()
        return " ".join(words[:LABEL_WORDS]) + (" …" if len(words) > LABEL_WORDS else "")
    names = {entity.key: entity.name for entity in article.analysis.entities}
    subject = names.get(mention.actor, action.subject.text) if mention.actor else action.subject.text
    if action.passive and subject.lower() in vocab.load("synthesise_label_pronouns.txt"):
        plural = action.plural or subject.lower() in ("these", "those")  # the analysis's plural counts "they"
        verb = f"{present_tense('be', plural, action.negated)} {action.verb.text}"  # "He is arraigned", not "He arraigned"
    elif action.passive:
        verb = ("not " if action.negated else "") + action.verb.text
    else:  # "I", "you", "we" and "they" take the plural's form ("I lift", not "I lifts")
        verb = present_tense(action.lemma, action.plural or subject.lower() in ("i", "you", "we", "they"), action.negated)
    words = " ".join(part for part in (subject, verb, action.object.text if action.object else "") if part).split()
    label = " ".join(words[:LABEL_MOST_WORDS]) + (" …" if len(words) > LABEL_MOST_WORDS else "")
    return label[0].upper() + label[1:]


def group_mentions(mentions: Sequence[EventMention]) -> list[EventGroup]:
    """Mentions grouped into events: the most precise first, each joining the most similar group
    whose date agrees, else starting one; weekday-only mentions only join a dated group."""
    weights = idf_weights(mention.features for mention in mentions)
    rank = {"day": 0, "week": 1, "month": 2, "year": 3}
    dated = sorted((m for m in mentions if m.when), key=lambda m: (rank[m.when.precision], m.when.lo))
    groups: list[EventGroup] = []
    for mention in dated:
        group = _best_group(mention, groups, weights)
        if group is None:
            groups.append(EventGroup(mention.when, [mention]))
        else:
            group.mentions.append(mention)
    for mention in (m for m in mentions if m.when is None):
        group = _best_group(mention, groups, weights)
        if group is not None:
            group.mentions.append(mention)
    return groups


def _best_group(mention: EventMention, groups: list[EventGroup], weights: dict[str, float]) -> EventGroup | None:
    threshold = SAME_EVENT if mention.when else SAME_EVENT_BY_WEEKDAY
    scored = [(group.similarity(mention, weights), index) for index, group in enumerate(groups) if _dates_agree(mention, group.when)]
    best = max(scored, default=None)
    return groups[best[1]] if best and best[0] >= threshold else None


def _likeness(mention: EventMention, other: EventMention, weights: dict[str, float]) -> float:
    """How alike two mentions' sentences are; 1 for a dated mention sharing the other's subject
    entity, (not light) verb or place; 0 when their event words contradict."""
    if not _same_kind(mention, other):
        return 0.0
    if mention.when is not None and _same_happening(mention, other):
        return 1.0
    return overlap(mention.features, other.features, weights)


def _same_happening(mention: EventMention, other: EventMention) -> bool:
    light = set(vocab.load("synthesise_light_verbs.txt"))
    verbs = [fold(m.action.lemma) if m.action and m.action.lemma not in light else None for m in (mention, other)]
    named = [_happening_kind(m.action) for m in (mention, other)]
    return (
        mention.actor is not None and mention.actor == other.actor
        or verbs[0] is not None and verbs[0] == verbs[1]
        or named[0] is not None and named[0] == named[1]
        or bool(set(mention.places) & set(other.places))
    )


def _happening_kind(action: Action | None) -> str | None:
    """The kind of happening a clause tells (``action_event_nouns.tsv``): by a nominal action's
    noun ("the March 9 shooting": attack), its verb ("five were killed") or its subject's last
    word ("the ambush left five dead")."""
    if action is None:
        return None
    kinds = _happening_kinds()
    words = action.subject.text.lower().split() if action.subject is not None else []
    return kinds.get(action.lemma) or (kinds.get(words[-1]) if words and not action.nominal else None)


@cache
def _happening_kinds() -> dict[str, str]:
    return dict(vocab.load_table("action_event_nouns.tsv"))


def _same_kind(mention: EventMention, other: EventMention) -> bool:
    """Event words do not contradict: both name a common one, or (for dated mentions) one of
    them names none. A weekday-only mention must name one of the other's."""
    if mention.when is None:
        return bool(mention.event_words & other.event_words)
    return bool(mention.event_words & other.event_words) or not (mention.event_words and other.event_words)


def _dates_agree(mention: EventMention, when: When) -> bool:
    """Same date at the coarser precision; a weekday-only mention agrees with any range that
    holds that weekday; a year is only ever the same as the same year."""
    if mention.when is None:
        return when.precision in ("day", "week", "month") and when.allows_weekday(mention.weekday)
    if "year" in (mention.when.precision, when.precision):
        return mention.when == when
    return mention.when.overlaps(when)


def bound_undated(groups: Sequence[EventGroup], dates: dict[int, ArticleDate]) -> None:
    """An article without an exact date that reports, by weekday, an event the story dates is
    published on or after that event; the evidence says which sentence and which articles."""
    for group in groups:
        dating = sorted({m.article for m in group.mentions if m.when is not None})
        for mention in group.mentions:
            article_date = dates[mention.article]
            if mention.when is not None or article_date.bound == "exact":
                continue
            if article_date.when is None or group.when.lo > article_date.when.lo:
                article_date.when, article_date.bound = group.when, "on-or-after"
            article_date.evidence.append(
                f"reports on {WEEKDAY_NAMES[mention.weekday - 1]} an event the story dates {_dated(group)} "
                f"(articles {', '.join(map(str, dating))}): “{mention.sentence.text.strip()}”"
            )


def _dated(group: EventGroup) -> str:
    weekday = _weekday(group)
    return f"{group.when.iso}" if group.when.precision == "day" or weekday is None else f"{group.when.iso} ({weekday})"


def _weekday(group: EventGroup) -> str | None:
    """The weekday the articles give a month-dated event, when they agree on one."""
    weekdays = {m.weekday for m in group.mentions if m.weekday}
    return WEEKDAY_NAMES[weekdays.pop() - 1] if len(weekdays) == 1 and group.when.precision != "day" else None


@dataclass
class Events:
    """A story's dated happenings: the main ones (the timeline), the others in its time, and the
    background long before it (one entry per sentence, with all the dates it gives)."""

    timeline: list[TimelineEvent]
    more: list[TimelineEvent]
    background: list[TimelineEvent]


def to_events(groups: Sequence[EventGroup], story_start: When | None) -> Events:
    """The story's events by date; the timeline holds the TIMELINE_EVENTS most reported ones, the
    background what is dated only by a year before the story's or long before it."""
    ordered = sorted(groups, key=lambda g: (g.when.lo, g.when.hi))
    in_time, background = [], []
    for group in ordered:
        if group.when.precision == "year" and story_start is not None and group.when.hi >= story_start.lo:
            continue  # "this year": a year the story is in says nothing of when its events were
        is_background = group.when.precision == "year" or (
            story_start is not None and group.when.hi < story_start.lo - BACKGROUND
        )
        (background if is_background else in_time).append(group)
    in_time = [group for group in in_time if not all(_spoken(m) for m in group.mentions)]
    # Happenings first, then by reach: "the mayor says" takes the timeline only where nothing else does.
    ranked = sorted(range(len(in_time)), key=lambda i: (not _tells_a_happening(in_time[i]), _reach(in_time[i])))
    main = set(ranked[:TIMELINE_EVENTS])
    timeline = [group for index, group in enumerate(in_time) if index in main]
    more = [group for index, group in enumerate(in_time) if index not in main and _tells_a_happening(group)]
    events = [_event([group], index) for index, group in enumerate(timeline + more, start=1)]
    entries = [_event(joined, len(events) + index, background=True) for index, joined in enumerate(_by_sentence(background), start=1)]
    return Events(events[: len(timeline)], events[len(timeline):], entries)


def _tells_a_happening(group: EventGroup) -> bool:
    """Whether some mention may say that something happened: a noun naming a happening, an event
    word, a verb that is not light ("says", "wrote", "is" alone tell of no event), or a clause the
    parse could not read. Such groups rank first for the timeline and alone fill the overflow;
    the rest may still take the timeline where it has room ("police say" dates many an incident)."""
    light = set(vocab.load("synthesise_light_verbs.txt"))
    return any(m.event_words or m.action is None or m.action.nominal or m.action.lemma not in light for m in group.mentions)


def _spoken(mention: EventMention) -> bool:
    """A clause whose subject or object is in the first or second person ("I", "my heart", "on
    our street"): a quote's words, not a happening told. "US" in capitals is a country."""
    action = mention.action
    phrases = [phrase.text for phrase in (action.subject, action.object) if phrase is not None] if action else []
    words = [word for phrase in phrases for word in re.findall(r"\w+", phrase) if word == "I" or not word.isupper()]
    return any(word.lower() in SPOKEN_PERSONS for word in words)


def _reach(group: EventGroup) -> tuple[int, int, int, float]:
    """How much a happening is the story's (the most first): the articles that report it, whether
    a clause says who did what, how often it is told, the earliest first."""
    acted = any(m.action and m.action.subject and m.event_words for m in group.mentions)
    return -len({m.article for m in group.mentions}), not acted, -len(group.mentions), group.when.lo.toordinal()


def _by_sentence(groups: list[EventGroup]) -> list[list[EventGroup]]:
    """Groups joined when they share a sentence ("the Korean War (1950-1953)"), in date order."""
    joined = UnionFind(len(groups))
    first_with: dict[tuple[int, int], int] = {}
    for index, group in enumerate(groups):
        for mention in group.mentions:
            joined.join(index, first_with.setdefault((mention.article, mention.sentence.start), index))
    return sorted(([groups[i] for i in members] for members in joined.groups()), key=lambda members: members[0].when.lo)


def _event(groups: list[EventGroup], event_id: int, background: bool = False) -> TimelineEvent:
    """An event's entry, dated by its first group, labelled by ``_described``'s mention, its
    place the one its sentences name most, else the one its articles report from (and the label
    says where, when the clause names no part of it)."""
    first = groups[0]
    mentions = [mention for group in groups for mention in group.mentions]
    described = _described(mentions, first.when)
    place = _place(mentions, background)
    return TimelineEvent(
        id=event_id,
        date=first.when.iso,
        precision=first.when.precision,
        what=described.label if _says_where(described.label, place) else f"{described.label} in {place}",
        place=place,
        articles=sorted({m.article for m in mentions}),
        citations=_citations(mentions),
        weekday=_weekday(first),
        sentence=described.sentence.text.strip(),
        dates=sorted({group.when.iso for group in groups}),
    )


def _says_where(label: str, place: str | None) -> bool:
    """Whether a label needs no place after it: there is none, or it names a part of it ("shot in
    Louisiana" for "Baton Rouge, Louisiana")."""
    return not place or any(part.strip() in label for part in place.split(","))


def _described(mentions: list[EventMention], when: When) -> EventMention:
    """The mention whose label tells the event: of its mentions on its own date (not a coarser
    "last month"), in any of its groups, the one with a subject (or a noun naming the happening),
    of the kind of happening most of them tell ("shooting", "killed", "ambush": an attack), a
    clause rather than a bare noun ("Shooting"), a verb that is not light ("say", "be"), an event
    word, a subject that names someone (not "he"), an object that does (not "him"), that says most
    of what the others say, then with an object, shortest; never a quote's words ("I lift them")
    while another mention tells it."""
    candidates = [mention for mention in mentions if mention.when == when] or mentions
    candidates = [mention for mention in candidates if not _spoken(mention)] or candidates
    typical = _typicality(candidates)
    light = set(vocab.load("synthesise_light_verbs.txt"))
    kinds = [_happening_kind(mention.action) for mention in candidates]
    counted = Counter(kind for kind in kinds if kind)
    main_kind = counted.most_common(1)[0][0] if counted else None

    def order(i: int) -> tuple:
        mention, action = candidates[i], candidates[i].action
        return (
            not (action and (action.subject or action.nominal)),
            main_kind is not None and kinds[i] != main_kind,
            bool(action and action.nominal),
            action is None or action.lemma in light, not mention.event_words,
            _unnamed(mention), _pronoun_object(mention),
            -typical[i], not (action and action.object), len(mention.sentence.text),
        )

    return candidates[min(range(len(candidates)), key=order)]


def _unnamed(mention: EventMention) -> bool:
    """Whether the clause's subject is a pronoun the analysis resolved to no one ("He was taken
    to a hospital"): a label that names no one."""
    subject = mention.action.subject if mention.action else None
    return subject is not None and mention.actor is None and subject.text.lower() in vocab.load("synthesise_label_pronouns.txt")


def _pronoun_object(mention: EventMention) -> bool:
    """Whether the clause's object is a bare pronoun ("Dallas police release him"): a label that
    says not whom."""
    obj = mention.action.object if mention.action else None
    return obj is not None and obj.text.lower() in vocab.load("synthesise_object_pronouns.txt")


def _typicality(mentions: list[EventMention]) -> list[int]:
    """For each mention, how many of the others in other articles it shares two features with:
    the sentence most of the outlets' sentences agree with tells the happening best."""
    return [
        sum(1 for other in mentions if other.article != mention.article and len(mention.features & other.features) >= 2)
        for mention in mentions
    ]


def _place(mentions: list[EventMention], background: bool) -> str | None:
    """Where the event was: the place its sentences name most; when that is no town (a street,
    a building, "South Shore", a county) the town its sentences or (for an event of the story's
    time) its articles report from is added: "East 75th Street, Chicago", "Spring, Harris
    County"; then the town whose police the articles name, when the place does not name it
    ("Lawndale, Chicago"), unless the place is a town with its state ("Baton Rouge, Louisiana"
    stays so in a story of Dallas police)."""
    named = Counter(p for m in mentions for p in m.places).most_common(1)
    towns = [p for m in mentions for p in m.towns if not _holds_towns(p) and not _facility(p)]
    if not towns and not background:
        reported_from = [m.article_place for m in mentions if m.article_place]
        towns = [p for p in reported_from if not _holds_towns(p)] or reported_from
    town = Counter(towns).most_common(1)[0][0] if towns else None
    place = _with_town(named[0][0], town, towns) if named else town
    served = Counter(m.jurisdiction for m in mentions if m.jurisdiction).most_common(1)
    if background or not served or (place and _in_a_state(place)):
        return place
    return _with_town(place, served[0][0], []) if place else served[0][0]


def _in_a_state(place: str) -> bool:
    """Whether a place is written as a town and its state ("Baton Rouge, Louisiana")."""
    parts = place.split(", ")
    return len(parts) > 1 and parts[-1].lower() in _regions()


def _with_town(place: str, town: str | None, towns: list[str]) -> str:
    """A place with the town it is in, unless it names it (abbreviated or not: "St Augustine" is
    "St. Augustine") or is one of ``towns`` itself."""
    if town is None or _plain(town) in _plain(place) or place in towns:
        return place
    if _plain(place) in _plain(town):
        return town
    if _holds_towns(place) and not _holds_towns(town):
        return f"{town}, {place}"
    return f"{place}, {town}"


def _plain(name: str) -> str:
    """A place's name as compared: lower case, without the periods of its abbreviations."""
    return name.lower().replace(".", "")


def _facility(place: str) -> bool:
    """A building or a street ("St. Mary's Hospital", "Main Street"), even when tagged a town:
    the town it is in is named after it (data/entity_facility_heads.txt)."""
    return place.split()[-1] in vocab.load("entity_facility_heads.txt")


def _holds_towns(place: str) -> bool:
    """A county or a state ("Harris County", "South Carolina"): a town is named before it."""
    return is_county(place) or place.lower() in _regions()


def _citations(mentions: list[EventMention]) -> list[Citation]:
    """Each sentence once; a sentence inside another cited one (a fragment's) is not cited again."""
    spans = sorted({(m.article, m.sentence.start, m.sentence.end) for m in mentions}, key=lambda c: (c[0], c[1], -c[2]))
    kept: list[Citation] = []
    for article, start, end in spans:
        if not any(c.article == article and c.start <= start and end <= c.end for c in kept):
            kept.append(Citation(article, start, end))
    return kept
