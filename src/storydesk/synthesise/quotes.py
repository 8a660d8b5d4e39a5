"""Who said what: every quote of the story with its canonical speaker, and the versions of one
statement (translated or cut differently by different outlets, or in another language) grouped
together, with the medium it was first said to where an article names it ("told TASS")."""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import numpy as np
from nicknames import NickNamer
from rapidfuzz import fuzz

from storydesk import meaning, vocab
from storydesk.model import Article, Citation, Quote, QuoteReport, Statement
from storydesk.synthesise.text import (
    UnionFind,
    content_words,
    entity_names,
    first_word,
    local_bodies,
    mentions_in,
)
from storydesk.words import phrase_alternation

# Two quotes of the same speaker are versions of one statement when some clause of one and some
# clause of the other have nearly the same content words: rapidfuzz's token_sort_ratio on the
# folded content words (stop words out, so "It's our business", "What we do is our business"
# and "this our business" all reduce to "business") reaches this score. 80 lets a translation
# differ by a word or an inflection ("our agreements" / "the arrangements") in a clause of eight.
SAME_CLAUSE = 80
# A version cut short: a whole quote of one clause of at most this many content words, all of
# them inside a clause of the other quote ("What we do is our business" in "What and how we
# will do within the framework of this article is our business").
CUT_CLAUSE = 3
SPEAKER_KINDS = ("PERSON", "ORG", "NORP", "GPE")  # what may speak: people, bodies, groups, states
_THAT = re.compile(r"that\s+(?=\S)")
_INFINITIVE = re.compile(r"to [a-z]+\b")
_LAST_WORD = re.compile(r"([\w'’]+)\W*$")  # a quote's last word, before any mark
VERBATIM = ("direct", "block", "partial", "mixed")  # kinds that quote the speaker's own words
CLAUSE_BREAK = re.compile(r"[.;:!?…()\[\]]+|,\s|\s[-–—]\s")
# Two quotes of one speaker in two languages are one statement when what they mean is this close
# (the multilingual encoder's cosine: a translation scores 0.75 to 0.9, another statement of the
# same speaker on the same story 0.4 to 0.65).
SAME_STATEMENT = 0.7
ORIGINAL_WINDOW = 160  # characters around a quote where "told TASS" may name its first medium


def story_quotes(articles: Sequence[Article]) -> tuple[list[QuoteReport], list[Statement]]:
    """Every quote of the story (a quote inside a longer one of the same article left out, and
    the topics a speaker spoke of), each with its statement group, and the statements themselves,
    most widely carried first."""
    found = [
        (article, quote) for article in articles if article.analysis
        for quote in _outermost([q for q in article.analysis.quotes if q.kind != "topic"])  # no statement in it
        if not _states_nothing(quote, article.analysis.quotes)
    ]
    clauses = [_clauses(quote.content.text, _name_words(article, quote)) for article, quote in found]
    speakers, names = _story_speakers(found)
    groups = UnionFind(len(found))
    for first in range(len(found)):
        for second in range(first + 1, len(found)):
            verbatim = found[first][1].kind in VERBATIM and found[second][1].kind in VERBATIM
            if speakers[first] and speakers[first] == speakers[second] and _share_clause(clauses[first], clauses[second], verbatim):
                groups.join(first, second)
            elif not speakers[first] and not speakers[second] and _same_words(found[first][1], found[second][1]):
                groups.join(first, second)
    for first, second in _translations(found, speakers):
        groups.join(first, second)
    return _reports(found, groups, speakers, names)


def _same_words(first: Quote, second: Quote) -> bool:
    """Two quotes of no resolved speaker that are one report in two articles (a station's copy
    of its sister station's): the same words, said by the same words (letter case aside)."""
    def words(quote: Quote) -> tuple[str, str]:
        return quote.content.text.casefold(), (quote.speaker_text or "").casefold()
    return words(first) == words(second)


def _story_speakers(found: list[tuple[Article, Quote]]) -> tuple[list[str | None], dict[str, str]]:
    """Each quote's speaker key and each key's name; a person named by a surname alone in one
    article ("Henderson") is the one person of the story whose full name ends with it ("Eric
    Henderson"), when there is exactly one, and a person named by a nickname ("Mike Edmonson")
    the one person of that surname and the formal given name ("Michael Edmonson")."""
    known = {article.id: _speaker_kinds_and_names(article) for article, _ in found}
    said = [_speaker(quote, *known[article.id]) for article, quote in found]
    speakers = [key for key, _ in said]
    names: dict[str, str] = {}
    for key, name in said:
        if key and name:
            names.setdefault(key, name)
    people = [key for key in names if key.startswith("person:")]
    full = _bodies_joined(names)
    for key in people:
        if " " not in names[key].strip():
            longer = [other for other in people if other != key and names[other].split()[-1:] == [names[key].strip()]]
            if len(longer) == 1:
                full[key] = longer[0]
    for key in [key for key in people if key not in full]:
        formal = [other for other in people if other != key and other not in full and _nickname_of(names[key], names[other])]
        if len(formal) == 1:
            full[key] = formal[0]
    return [full.get(speaker, speaker) if speaker else None for speaker in speakers], names


def _nickname_of(name: str, other: str) -> bool:
    """Whether ``name`` is ``other`` by a nickname: the same surname, and a given name that is
    one of the other's nicknames ("Mike Edmonson", "Michael Edmonson"; the nicknames package)."""
    words, others = name.casefold().split(), other.casefold().split()
    if len(words) < 2 or len(words) != len(others) or words[1:] != others[1:] or words[0] == others[0]:
        return False
    return words[0] in _nicknames().nicknames_of(others[0])


@cache
def _nicknames() -> NickNamer:
    return NickNamer()


def _bodies_joined(names: dict[str, str]) -> dict[str, str]:
    """Organisation and local-body speakers the story names several ways, each to its fullest
    name: "Austin Police", "Austin Police Department" and "Austin-Police Dept." are one body;
    "Police" alone, or initials ("APD"), are the one body of the story they can stand for."""
    plain = {key: _plain_body(name) for key, name in names.items() if key.startswith(("org:", "body:"))}
    by_plain: dict[str, list[str]] = {}
    for key, words in plain.items():
        by_plain.setdefault(words, []).append(key)
    joined = {}
    for keys in by_plain.values():
        fullest = max(keys, key=lambda key: (len(names[key]), key))
        joined.update({key: fullest for key in keys if key != fullest})
    targets = sorted({joined.get(key, key) for key in plain})
    for key in [key for key in plain if key not in joined]:
        initials = names[key].strip()
        stands_for = [
            target for target in targets if target != key and (
                (plain[key] in _body_words() and plain[target].endswith(" " + plain[key]))
                or (ACRONYM.fullmatch(initials) and _initials(names[target]) == initials.lower())
            )
        ]
        if len(stands_for) == 1:
            joined[key] = stands_for[0]
    return joined


ACRONYM = re.compile(r"[A-Z]{2,6}")
_BODY_SUFFIXES = re.compile(r"^(?:the )?(.*?)(?: (?:department|dept\.?|office))?$")


def _plain_body(name: str) -> str:
    """A body's name as compared: lower case, hyphens as spaces, without "the" and a last
    "department" or "office" ("the Austin-Travis County Sheriff's Office" -> "austin travis
    county sheriff's")."""
    words = " ".join(re.sub(r"[-‐–]", " ", name.lower().replace("’", "'")).split())
    return _BODY_SUFFIXES.match(words).group(1)


@cache
def _body_words() -> frozenset[str]:
    """The local bodies' own words, plain ("police", "sheriff's", "fire")."""
    return frozenset(_plain_body(body) for body in local_bodies())


def _initials(name: str) -> str:
    """The first letters of a name's capitalised words ("Austin Police Department" -> "apd")."""
    return "".join(word[0] for word in re.split(r"[\s-]+", name) if word[:1].isupper()).lower()


def _translations(found: list[tuple[Article, Quote]], speakers: list[str | None]) -> list[tuple[int, int]]:
    """Pairs of quotes of one speaker in two languages that say the same (``meaning``); none
    when the story has one language or the encoder is not installed."""
    language = [article.extraction.language for article, _ in found]
    across = meaning.different_languages(language, language)
    pairs = [
        (int(first), int(second)) for first, second in zip(*np.nonzero(np.triu(across, 1)))
        if speakers[first] and speakers[first] == speakers[second]
    ]
    if not pairs or not meaning.available():
        return []
    involved = sorted({i for pair in pairs for i in pair})
    vectors = dict(zip(involved, meaning.vectors([without_enclosing_marks(found[i][1].content.text) for i in involved])))
    return [(a, b) for a, b in pairs if vectors[a] @ vectors[b] >= SAME_STATEMENT]


def original_medium(article: Article, quote: Quote) -> str | None:
    """The medium an article says a quote was first said to ("told TASS", "in an interview with
    Rossiya 1", "en una entrevista con El País"): the capitalised name after a cue of
    ``quote_original_cues.txt`` (and ``lang/<code>/``) near the quote, when the analysis reads
    it as an organisation or it is written in capitals; never a person or a place ("told Putin")."""
    start = max(0, quote.content.start - ORIGINAL_WINDOW)
    around = article.text[start : quote.content.end + ORIGINAL_WINDOW]
    for found in _original_pattern(article.extraction.language or "en").finditer(around):
        medium = found["medium"].strip().rstrip(".")
        kinds = _kinds_at(article, start + found.start("medium"), start + found.end("medium"))
        if not kinds & {"PERSON", "GPE", "LOC"} and ("ORG" in kinds or medium.replace(" ", "").isupper()):
            return medium
    return None


def _kinds_at(article: Article, start: int, end: int) -> set[str]:
    """The kinds of the entities the analysis mentions between two offsets."""
    kinds = {entity.key: entity.kind for entity in article.analysis.entities}
    return {kinds.get(m.entity, "") for m in article.analysis.mentions if m.entity and m.span.start < end and m.span.end > start}


@cache
def _original_pattern(language: str) -> re.Pattern[str]:
    """The cues of ``language`` (and English) followed by a capitalised name."""
    cues = vocab.load("quote_original_cues.txt") + vocab.load_language(language, "quote_original_cues.txt")
    name = r"(?P<medium>(?:[A-Z][\w'’.-]*|\d+)(?:[ \t]+(?:[A-Z][\w'’.-]*|\d+))*)"  # words on one line
    return re.compile(rf"\b(?i:{phrase_alternation(cues)})\s+(?:the\s+)?{name}")


def _states_nothing(quote: Quote, quotes: Sequence[Quote]) -> bool:
    """A paraphrase that states nothing of its speaker's: only what someone was asked, declined or
    is expected to do ("declined to comment"), unless its cue commits the speaker ("agreed to");
    a question in the reporter's words ("have not said whether ..."), unless its cue asks; what
    someone saw or seeks ("are looking to see if ..."), or a court's act ("was charged with");
    words cut short ("his injuries are"); words with neither cue nor speaker; or a sentence
    hung on the cue of a quote standing between them (the finder's error: "He was able to tell
    his wife what happened. “He said ...,” Anderson said.")."""
    if quote.kind != "indirect":
        return False
    cue = quote.cue.text if quote.cue else ""
    if (not cue and quote.speaker is None) or _cut_short(quote.content.text):
        return True
    if _INFINITIVE.match(quote.content.text):
        return not _cue_words("quote_commitment_cues.txt").search(cue)
    if first_word(quote.content.text) in vocab.load("quote_question_openers.txt"):  # in lower case only
        return not _cue_words("quote_asking_cues.txt").search(cue)
    return bool(_cue_words("quote_non_speech_cues.txt").search(cue)) or _cue_taken(quote, quotes)


def _cut_short(text: str) -> bool:
    """Whether words end where a clause cannot ("his injuries are", "they couldn't")."""
    last = _LAST_WORD.search(text)
    word = last.group(1).lower() if last else ""
    return word in vocab.load("quote_dangling_ends.txt") or word.endswith(("n't", "n’t"))


def _cue_taken(quote: Quote, quotes: Sequence[Quote]) -> bool:
    """Whether a quote between the paraphrase and its cue has that cue: the cue is that quote's."""
    return quote.cue is not None and any(
        other.cue == quote.cue and quote.content.end <= other.content.start < quote.cue.start for other in quotes
    )


@cache
def _cue_words(name: str) -> re.Pattern[str]:
    """The cue words of data file ``name``, each line a word's beginning."""
    return re.compile(r"\b(?:%s)\w*" % "|".join(map(re.escape, vocab.load(name))), re.IGNORECASE)


def _outermost(quotes: Sequence[Quote]) -> list[Quote]:
    """The quotes not overlapping a longer quote (an indirect quote and the partial quote inside
    it are one report; the longer keeps the words)."""
    def length(quote: Quote) -> int:
        return quote.content.end - quote.content.start

    return [
        quote for quote in quotes
        if not any(
            other is not quote and length(other) > length(quote)
            and other.content.overlaps(quote.content)
            for other in quotes
        )
    ]


def _speaker_kinds_and_names(article: Article) -> tuple[dict[str, str], dict[str, str]]:
    """The kind and the name of each entity of the article, read once for all its quotes."""
    return {entity.key: entity.kind for entity in article.analysis.entities}, entity_names(article.analysis)


def _speaker(quote: Quote, kinds: dict[str, str], names: dict[str, str]) -> tuple[str | None, str | None]:
    """The quote's speaker key and name when the analysis resolved it to a person, organisation,
    group or country, or when the article names a local body ("Auburn police", "the sheriff's
    office": ``body:`` and its words, also when the entity is named so or the parser took the
    town for the speaker: "Raleigh Police" the organisation, "Dayton police" resolved to Dayton);
    None (unattributed) for a pronoun, a bare noun or a phrase no entity stands for (``kinds``
    and ``names``: the quote's article's entities)."""
    entity = quote.speaker_entity if kinds.get(quote.speaker_entity or "") in SPEAKER_KINDS else None
    body = (local_body(names.get(entity, "")) if entity else None) or local_body(quote.speaker_text or "")
    if body:
        return f"body:{body.lower()}", body
    return entity, names.get(entity) if entity else None


def local_body(words: str) -> str | None:
    """The local body a speaker's words name ("Auburn police", "Police", "the Harris County
    Sheriff's Office"), without "the", else None: police and sheriffs are local news's first
    source, and spaCy seldom makes an entity of them."""
    bodies = "|".join(map(re.escape, local_bodies()))
    match = re.fullmatch(rf"(?:[Tt]he )?((?:[A-Z][\w.'’-]* )*(?i:{bodies}))", words.strip())
    return match.group(1)[0].upper() + match.group(1)[1:] if match else None


def _name_words(article: Article, quote: Quote) -> set[str]:
    """The folded words of the entity names mentioned inside a quote."""
    inside = mentions_in(article.analysis, quote.content.start, quote.content.end)
    return {word for mention in inside for word in content_words(mention.span.text)}


def _clauses(text: str, name_words: set[str]) -> list[tuple[str, frozenset[str]]]:
    """The clauses of a quote: its folded content words as a string, and those of them that are
    not part of a name (a clause must share one of these to match: names alone say little)."""
    found = []
    for part in CLAUSE_BREAK.split(text):
        words = content_words(part)
        if words:
            found.append((" ".join(words), frozenset(words) - name_words))
    return found


def _share_clause(first: list[tuple[str, frozenset[str]]], second: list[tuple[str, frozenset[str]]], verbatim: bool) -> bool:
    """Some clause of one is some clause of the other, or (both quoting words verbatim) one
    quote is a cut of the other."""
    if any(a[1] & b[1] and fuzz.token_sort_ratio(a[0], b[0]) >= SAME_CLAUSE for a in first for b in second):
        return True
    return verbatim and (_cut_of(first, second) or _cut_of(second, first))


def _cut_of(short: list[tuple[str, frozenset[str]]], other: list[tuple[str, frozenset[str]]]) -> bool:
    """``short`` is one short clause whose words (names included) all sit in a clause of ``other``."""
    if len(short) != 1 or not short[0][1]:
        return False
    words = set(short[0][0].split())
    return len(words) <= CUT_CLAUSE and any(words <= set(clause.split()) for clause, _ in other)


def _reports(
    found: list[tuple[Article, Quote]], groups: UnionFind, speakers: list[str | None], names: dict[str, str]
) -> tuple[list[QuoteReport], list[Statement]]:
    """Quote reports numbered by statement (those carried by the most outlets, then articles,
    first), and the statements."""
    def reach(indexes: list[int]) -> tuple[int, int, int]:
        carried = [found[i][0] for i in indexes]
        return -len({a.outlet_label for a in carried}), -len({a.id for a in carried}), -len(indexes)

    members = sorted(groups.groups(), key=lambda indexes: (*reach(indexes), indexes[0]))
    number = {index: group for group, indexes in enumerate(members, start=1) for index in indexes}
    reports = [
        _report(article, quote, number[index], speakers[index], names.get(speakers[index] or ""))
        for index, (article, quote) in enumerate(found)
    ]
    outlets = {article.id: article.outlet_label for article, _ in found}
    statements = [_statement(group, indexes, reports, outlets) for group, indexes in enumerate(members, start=1)]
    for statement in statements:
        statement.original = next(filter(None, (original_medium(*found[i]) for i in statement.versions)), None)
    return reports, statements


def _report(article: Article, quote: Quote, group: int, speaker: str | None, name: str | None) -> QuoteReport:
    return QuoteReport(
        speaker=speaker,
        speaker_name=name,
        text=_said(quote),
        kind=quote.kind,
        article=article.id,
        span=Citation(article.id, quote.content.start, quote.content.end),
        group=group,
        worded=None if speaker else quote.speaker_text,
        language=article.extraction.language,
    )


def _said(quote: Quote) -> str:
    """A quote's words as the dossier shows them: without enclosing quotation marks, and a
    paraphrase without the "that" introducing it ("that Moscow remains willing": "Moscow ...")."""
    text = without_enclosing_marks(quote.content.text)
    introduced = _THAT.match(text) if quote.kind != "direct" else None
    return text[introduced.end():] if introduced else text


def without_enclosing_marks(text: str) -> str:
    """A quote's words without the two quotation marks that enclose all of them (the tagger's
    spans include them, as PolNeAR's do; the dossier sets its own), else as they are."""
    marks = set(vocab.load("quote_marks.txt"))
    inner = text.strip()
    if len(inner) > 1 and inner[0] in marks and inner[-1] in marks and not marks & set(inner[1:-1]):
        return inner[1:-1].strip()
    return text


def _statement(group: int, versions: list[int], reports: list[QuoteReport], outlets: dict[int, str]) -> Statement:
    """A statement's text is its shortest direct (or block) version, else its shortest version."""
    quoted = [i for i in versions if reports[i].kind in ("direct", "block")] or versions
    shortest = reports[min(quoted, key=lambda i: len(reports[i].text))]
    return Statement(
        group=group,
        speaker=shortest.speaker,
        speaker_name=shortest.speaker_name,
        text=shortest.text,
        articles=sorted({reports[i].article for i in versions}),
        versions=versions,
        outlets=list(dict.fromkeys(outlets[reports[i].article] for i in versions)),
        languages=list(dict.fromkeys(reports[i].language for i in versions if reports[i].language)),
    )
