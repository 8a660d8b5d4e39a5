"""Claims confirmed, denied or left unanswered, and by whom: sentences with a stance cue (data
file ``synthesise_stance_cues.tsv``), what they take a stance on, and the stances on the same
claim grouped across articles."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from storydesk import vocab
from storydesk.model import Article, Citation, Claim, Span, Stance
from storydesk.synthesise.text import (
    UnionFind,
    content_words,
    entity_names,
    first_word,
    features,
    idf_weights,
    mentions_in,
    overlap,
    sentence_at,
)

# Two stances are on the same claim when the IDF-weighted overlap coefficient of what they are
# about (content words and entities, the stance-holder's left out) reaches this; "ruled out the
# deployment of North Korean soldiers" and "denied reports of North Korean troop movements"
# share the soldier/deploy classes and the North Korean group.
SAME_CLAIM = 0.35
# A claim pointed at ("denied this") is the text before the cue when that has this many content
# words of its own, else the sentence before.
POINTED_CLAIM = 5
CLAIM_WORDS = 3  # the fewest content words of a claim said before its cue ("X was ruled out by Y")
# "(reports|accusations|...) that X" and "(deny|denies|denied|confirm...) that X": X is the claim,
# also after whom it was confirmed to ("confirmed with KHOU 11 News that X", "denied to TASS that X")
# or when ("confirmed Thursday that X", "denied on Monday that X").
CLAIM_CLAUSE = re.compile(
    r"\b(?:reports?|allegations?|accusations?|claims?|suggestions?|speculation|rumou?rs?|den(?:y|ies|ied)|"
    r"confirm(?:s|ed)?|acknowledged|rejected)(?:\s+(?:to|with)\s+[^.;:!?“\"]{1,40}?|\s+(?:on\s+)?(?-i:[A-Z][a-z]+))?"
    r"\s+that\s+(?P<claim>[^.;:!?“\"]+)",
    re.IGNORECASE,
)
REPORT_NOUN = re.compile(r"^(?:the\s+)?(?:reports?|allegations?|accusations?|claims?|rumou?rs?)\s+(?:of|about)\s+", re.IGNORECASE)
# An aside between commas on a noun: an age or a relative clause ("Jackson, 25, was", "Jackson,
# who is not related to the victim, was").
ASIDE = re.compile(r",\s(?:\d{1,3}|who|which|whose)\b[^,]*,")
CIRCUMSTANCE = re.compile(
    r",\s|\s(?:on|last|this)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|"
    r"\s(?:in response to|in view of|because|after|although|while|when|despite|specifying|stressing)\b",
    re.IGNORECASE,
)
# After a cue, its agent ("ruled out by detectives") or a circumstance ("confirmed at a briefing",
# "confirmed Sunday") or nothing: what was confirmed or denied was said before the cue.
_CLAIM_BEFORE = re.compile(r"\s*(?:(?:by|at|in|on|during|after|before|to|with|for|from|earlier|later|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|[.,;]|$)", re.IGNORECASE)
_CLAIM_HEAD_END = re.compile(r"(?:,?\s+(?:has|have|had|was|were|is|are|been|be)\b)+\s*$|,\s*[^,]{0,60}$", re.IGNORECASE)
_AGENT = re.compile(r"\s+by\s+(?P<by>[^,.;:!?]{2,60}?)\s*(?:[,.;:!?]|$)")
_CONJUNCTIONS = frozenset({"and", "but", "although", "while", "yet"})
_UNNAMED_PRONOUNS = frozenset({"they", "we", "i"})  # no one the analysis names; in a quote, its speaker
HOLDER_WORDS = 4  # the most words before a cue taken as its holder when no entity is named there
PRONOUN_SUBJECTS = frozenset({"he", "she", "it", "they"})
CLAUSE_START = re.compile(r"[,;:]\s|\s(?:and|but|although|while)\s")
ACTOR_KINDS = ("PERSON", "ORG", "GPE")


@dataclass
class _Found:
    article: Article
    sentence: Span
    cue: re.Match
    stance: str
    by: str | None
    about: set[str]
    claim_text: str


@cache
def _cues() -> tuple[tuple[re.Pattern, str], ...]:
    return tuple((re.compile(pattern, re.IGNORECASE), stance) for pattern, stance in vocab.load_table("synthesise_stance_cues.tsv"))


def story_claims(articles: Sequence[Article], dates: dict[int, str | None]) -> list[Claim]:
    """The claims of the story on which someone took a stance, most stances first."""
    found = [item for article in articles if article.analysis for item in _stances(article)]
    weights = idf_weights(item.about for item in found)
    groups = UnionFind(len(found))
    for first in range(len(found)):
        for second in range(first + 1, len(found)):
            if _same_claim(found[first].about, found[second].about, weights):
                groups.join(first, second)
    return [
        Claim(about=_about([found[i] for i in members]), stances=[_stance(found[i], dates) for i in members])
        for members in groups.groups()
    ]


def _same_claim(first: set[str], second: set[str], weights: dict[str, float]) -> bool:
    """Enough of what the two are about is shared, and, where both name entities, one of them:
    "supplying weapons to North Korea" and "supplying weapons to Russia" are two claims."""
    named = [{f for f in about if ":" in f} for about in (first, second)]
    if all(named) and not named[0] & named[1]:
        return False
    return overlap(first, second, weights) >= SAME_CLAIM


def _stances(article: Article) -> list[_Found]:
    """The sentences of an article that take a stance, with who takes it and on what; a question
    ("Can you confirm he has his hands clear?") takes none."""
    found = []
    for sentence in article.analysis.sentences:
        if sentence.text.rstrip(" \n\"”’'").endswith("?"):
            continue
        for pattern, stance in _cues():
            cue = pattern.search(sentence.text)
            if cue is not None:
                by = _holder(article, sentence, cue)
                about, claim_text = _claim(article, sentence, cue, by)
                if not _only_a_pronoun(claim_text):
                    found.append(_Found(article, sentence, cue, stance, by, about, claim_text))
                break
    return found


def _only_a_pronoun(claim_text: str) -> bool:
    """A stance on a pronoun that points back to no proposition, up to the first mark ("We
    flatly deny them,” he said": the party permits asked for): no claim a reader can check."""
    words = re.split(r"[,.;:!?”\"]", claim_text, maxsplit=1)[0].strip().lower()
    return words in vocab.load("synthesise_object_pronouns.txt")


def _holder(article: Article, sentence: Span, cue: re.Match) -> str | None:
    """Who takes the stance: the names inside the cue ("neither Pyongyang nor Moscow"); else the
    speaker of the quote the cue sits in; else, in the cue's clause, "he"/"she" as the last person
    quoted before, the first person named, the first organisation or place named; else the words
    before the cue when they are a few plain words ("The two countries denied"), not a fragment of
    a longer clause ("A caller in the")."""
    analysis = article.analysis
    names = entity_names(analysis)
    kinds = {entity.key: entity.kind for entity in analysis.entities}
    cue_start, cue_end = sentence.start + cue.start(), sentence.start + cue.end()
    inside_cue = [m for m in mentions_in(analysis, cue_start, cue_end) if kinds.get(m.entity) in ACTOR_KINDS]
    if inside_cue:
        return " and ".join(dict.fromkeys(names.get(m.entity, m.span.text) for m in inside_cue))
    quoted = [  # the quote the cue sits in, or the one its clause calls something ('called the claims “absurd”')
        q for q in analysis.quotes if (q.speaker or q.speaker_entity)
        and (
            q.content.start <= cue_start < q.content.end
            or _in_clause_after(article.text, cue_end, q.content.start, sentence.end)
        )
    ]
    clause_start = sentence.start + max((m.end() for m in CLAUSE_START.finditer(sentence.text, 0, cue.start())), default=0)
    if quoted:
        speaker = quoted[0]
        if clause_start > speaker.content.start and (own := _clause_holder(article, names, kinds, clause_start, cue_start)):
            return own  # the quote reports another's stance: "..., although police did not confirm a motive"
        if speaker.speaker_entity is None and (speaker.speaker_text or "").lower() in PRONOUN_SUBJECTS:
            return None  # a pronoun the analysis could not resolve ("He" after a heading) names no one
        return names.get(speaker.speaker_entity or "", speaker.speaker_text)
    agent = _AGENT.match(sentence.text, cue.end())
    if agent:  # "has been ruled out by crime scene detectives"
        named = [m for m in mentions_in(analysis, sentence.start + agent.start("by"), sentence.start + agent.end("by")) if kinds.get(m.entity) in ACTOR_KINDS]
        return names.get(named[0].entity) if named else agent.group("by")
    return _clause_holder(article, names, kinds, clause_start, cue_start)


def _clause_holder(
    article: Article, names: dict[str, str], kinds: dict[str, str], clause_start: int, cue_start: int
) -> str | None:
    """Who the cue's clause names before the cue (``names`` and ``kinds`` of the article's
    entities): "he"/"she" as the last person quoted before, the first person named, the first
    organisation or place named, else a few plain words; no one for "they", "we" and "I"."""
    words = article.text[clause_start:cue_start].split()
    if words and words[0].lower() in _CONJUNCTIONS:
        words = words[1:]
    if words and words[0].lower() in _UNNAMED_PRONOUNS:
        return None  # "they", "we", "I": no one the analysis can name
    if words and words[0].lower() in vocab.load("synthesise_pronouns.txt"):
        return _last_person_quoted(article, clause_start)
    actors = [m for m in mentions_in(article.analysis, clause_start, cue_start) if kinds.get(m.entity) in ACTOR_KINDS]
    people = [m for m in actors if kinds.get(m.entity) == "PERSON"]
    if people or actors:
        return names.get((people or actors)[0].entity)
    return " ".join(words) if 0 < len(words) <= HOLDER_WORDS and all(w.isalpha() for w in words) else None


def _in_clause_after(text: str, cue_end: int, start: int, sentence_end: int) -> bool:
    """Whether an offset lies after the cue in the cue's own clause, no clause break between
    ("Although police have not confirmed it, friends said X": X is the friends' words)."""
    return cue_end <= start < sentence_end and CLAUSE_START.search(text, cue_end, start) is None


def _last_person_quoted(article: Article, before: int) -> str | None:
    """The speaker of the last quote before an offset whose speaker is a person ("he" in news
    copy is most often the person just quoted)."""
    names = entity_names(article.analysis)
    speakers = [q.speaker_entity for q in article.analysis.quotes if q.content.end <= before and q.speaker_entity in names]
    people = [key for key in speakers if key.startswith("person:")]
    return names[people[-1]] if people else None


def _claim(article: Article, sentence: Span, cue: re.Match, by: str | None) -> tuple[set[str], str]:
    """What the stance is on: the sentence's words outside the cue (and the sentence before,
    when the claim is only pointed at: "denied this", "described the statements as rumours")."""
    cue_span = Span(sentence.start + cue.start(), sentence.start + cue.end(), cue.group())
    about = features(article.analysis, sentence, [cue_span])
    holder_words = set(content_words(by or ""))
    claim_text = sentence.text[cue.end():].strip().strip(" ,.”\"")
    before = sentence.text[: cue.start()]
    if _CLAIM_BEFORE.match(sentence.text[cue.end():]) and len(set(content_words(before)) - holder_words) >= CLAIM_WORDS:
        claim_text = _CLAIM_HEAD_END.sub("", before).strip(" ,")  # "X has been ruled out by Y", "X, Y confirmed at"
    near = " ".join(before.split()[-4:] + [cue.group()] + sentence.text[cue.end():].split()[:4]).lower()
    if any(re.search(_anaphor(word), near) for word in vocab.load("synthesise_anaphors.txt")):
        if (main := _main_clause_claim(article, sentence, cue)) is not None:
            claim_text = main
        elif len(set(content_words(before)) - holder_words) >= POINTED_CLAIM:
            claim_text = before.strip(" ,")
        elif (previous := sentence_at(article.analysis, sentence.start - 2)) is not None:
            about |= features(article.analysis, previous)
            claim_text = previous.text
    return {feature for feature in about if feature not in holder_words}, claim_text


def _main_clause_claim(article: Article, sentence: Span, cue: re.Match) -> str | None:
    """What "it" points forward to when the cue sits in a concessive clause opening the sentence
    ("Although police have not confirmed it, friends said the fight was over money"): what the
    main clause reports (a quote's content there: "the fight was over money"), else that clause."""
    opener = _concessive_opener().match(sentence.text)
    comma = sentence.text.find(", ", cue.end())
    if opener is None or comma < 0:
        return None
    main_start = sentence.start + comma + 2
    reported = [q.content.text for q in article.analysis.quotes if main_start <= q.content.start < sentence.end]
    return reported[0] if reported else sentence.text[comma + 2 :]


@cache
def _concessive_opener() -> re.Pattern[str]:
    """A sentence's concessive first word ("Although", "Even though": the data file's)."""
    words = vocab.load("synthesise_concessive_openers.txt")
    return re.compile(r"\s*(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


def _anaphor(words: str) -> str:
    """A pattern for an anaphor of ``synthesise_anaphors.txt`` in a cue's window; "that" only where
    no clause follows it ("denied that." points back; "denied that he fled" does not)."""
    return rf"\b{re.escape(words)}\b" + (r"(?!\s+\w)" if words == "that" else "")


def _about(group: list[_Found]) -> str:
    """A claim's wording: the proposition of its stances, a clause ("North Korean troops are in
    Russia") before a noun phrase, the shortest of those with three content words, else of those
    with two ("The shooting was gang-related"), none a fragment ("As being dead"), else the first
    stance's sentence; a capital first."""
    found = [
        _named(proposition(item.sentence.text, item.claim_text), item.by, item.claim_text in item.sentence.text)
        for item in group
    ]
    found = [(clause, text) for clause, text in found if not _fragment(text)]
    for least in (3, 2):
        if worded := [(clause, text) for clause, text in found if len(content_words(text)) >= least]:
            text = min(worded, key=lambda pair: (not pair[0], len(pair[1])))[1]
            return text[0].upper() + text[1:]  # a heading
    return group[0].sentence.text.strip()


def _fragment(text: str) -> bool:
    """Whether a wording opens as a piece of a longer sentence ("As being dead at the scene")."""
    return first_word(text).lower() in vocab.load("synthesise_claim_fragment_openers.txt")


def proposition(sentence: str, claim_text: str) -> tuple[bool, str]:
    """What was denied or confirmed, as a clause when the sentence gives one ("reports that X",
    "does not deny that X": X) and whether it is one; else the claim text without its report
    noun ("reports of X": X) and cut before a time or circumstance that follows it."""
    reported = CLAIM_CLAUSE.search(sentence) or CLAIM_CLAUSE.search(claim_text)
    if reported:
        return True, _trimmed(reported.group("claim"))
    text = REPORT_NOUN.sub("", claim_text.strip(" ,.“”\"'‘’"), count=1)
    return False, _trimmed(text)


def _named(found: tuple[bool, str], holder: str | None, same_sentence: bool) -> tuple[bool, str]:
    """A proposition whose subject is a pronoun for the one who takes the stance ("He called
    accusations that he supplies weapons absurd") names them: "Pyongyang supplies weapons". Only
    in the stance's own sentence: in the sentence before, "he" is someone else ("He was taken to
    hospital. Police have not confirmed this.")."""
    clause, text = found
    first, _, rest = text.partition(" ")
    if holder and rest and same_sentence and first.lower() in PRONOUN_SUBJECTS:
        return clause, f"{holder} {rest}"
    return clause, text


def _trimmed(text: str) -> str:
    """A proposition cut at the first clause break or trailing circumstance ("on Thursday",
    "in response to ...") that leaves three content words, without quotation marks nor an aside
    between commas ("Willie Jackson, 25, was arrested": "Willie Jackson was arrested")."""
    text = ASIDE.sub("", text.replace("“", "").replace("”", "").replace('"', ""))
    for cut in CIRCUMSTANCE.finditer(text):
        if len(content_words(text[: cut.start()])) >= 3:
            return text[: cut.start()].strip(" ,.;:\n")
    return text.strip(" ,.;:\n")


def _stance(item: _Found, dates: dict[int, str | None]) -> Stance:
    return Stance(
        by=item.by,
        stance=item.stance,
        article=item.article.id,
        date=dates.get(item.article.id),
        span=Citation(item.article.id, item.sentence.start, item.sentence.end),
        text=item.sentence.text.strip(),
    )
