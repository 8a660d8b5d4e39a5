"""Content words of a stretch of text, folded so that outlets' wordings compare: lower case,
stop words out, plurals folded, synonyms of events and things into one class (data file
``synthesise_word_classes.tsv``), and the article's sentences and entities looked up by span."""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from storydesk import vocab
from storydesk.model import Analysis, Mention, Span
from storydesk.words import WORD, singular

_FIRST_WORD = re.compile(r"\W*(\w+)")  # a text's first run of word characters, past any mark


@cache
def _classes() -> dict[str, str]:
    return {word: word_class for word, word_class in vocab.load_table("synthesise_word_classes.tsv")}


def fold(word: str) -> str:
    """One word in its singular, then mapped to its class (plurals are what most often differ
    between outlets' wordings of the same thing)."""
    word = singular(word)
    return _classes().get(word, word)


def first_word(text: str) -> str:
    """A text's first word as written, past any quotation mark or punctuation ("" for none)."""
    found = _FIRST_WORD.match(text)
    return found.group(1) if found else ""


def content_words(text: str) -> list[str]:
    """The folded content words of ``text``, in order (stop words are scikit-learn's list)."""
    words = (match.group() for match in WORD.finditer(text))
    return [fold(word) for word in words if word.lower() not in ENGLISH_STOP_WORDS and len(word) > 1]


def idf_weights(documents: Iterable[Iterable[str]]) -> dict[str, float]:
    """Smoothed inverse document frequency of each feature over ``documents``, so that the
    story's ever-present names (its protagonists) weigh little when sentences are compared."""
    counts: Counter[str] = Counter()
    total = 0
    for document in documents:
        counts.update(set(document))
        total += 1
    return {feature: math.log((1 + total) / (1 + count)) + 1 for feature, count in counts.items()}


def overlap(first: set[str], second: set[str], weights: dict[str, float]) -> float:
    """Weighted overlap coefficient: the shared features' weight over the lighter set's weight."""
    if not first or not second:
        return 0.0
    lighter = min(sum(weights.get(f, 1.0) for f in first), sum(weights.get(f, 1.0) for f in second))
    return sum(weights.get(feature, 1.0) for feature in first & second) / lighter


def sentence_at(analysis: Analysis, start: int, end: int | None = None) -> Span | None:
    """The sentence of ``analysis`` that holds offset ``start`` (and ``end`` when given)."""
    for sentence in analysis.sentences:
        if sentence.start <= start < sentence.end and (end is None or end <= sentence.end + 1):
            return sentence
    return None


def mentions_in(analysis: Analysis, start: int, end: int) -> list[Mention]:
    """The entity mentions inside the stretch [start, end)."""
    return [mention for mention in analysis.mentions if start <= mention.span.start and mention.span.end <= end]


def entity_names(analysis: Analysis | None) -> dict[str, str]:
    """Entity key -> canonical name, from one analysis."""
    return {} if analysis is None else {entity.key: entity.name for entity in analysis.entities}


def features(analysis: Analysis, span: Span, skip: Sequence[Span] = ()) -> set[str]:
    """What a stretch of text is about: the keys of the entities it mentions and the folded
    content words outside those mentions and the ``skip`` spans (e.g. its time expression)."""
    mentions = mentions_in(analysis, span.start, span.end)
    text = span.text
    for part in [*skip, *(mention.span for mention in mentions)]:
        offset = part.start - span.start
        if 0 <= offset < len(text):
            text = text[:offset] + " " * (part.end - part.start) + text[offset + part.end - part.start:]
    return set(content_words(text)) | {mention.entity for mention in mentions}


class UnionFind:
    """Groups of indexes joined pairwise (single link), so grouping does not depend on order."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def join(self, first: int, second: int) -> None:
        self.parent[self.find(first)] = self.find(second)

    def groups(self) -> list[list[int]]:
        """The groups, each in index order, largest first."""
        found: dict[int, list[int]] = {}
        for item in range(len(self.parent)):
            found.setdefault(self.find(item), []).append(item)
        return sorted(found.values(), key=lambda members: (-len(members), members[0]))


@cache
def _verb_forms() -> dict[str, tuple[str, str]]:
    return {lemma: (singular_form, plural_form) for lemma, singular_form, plural_form in vocab.load_table("synthesise_verb_forms.tsv")}


def present_tense(lemma: str, plural: bool, negated: bool = False) -> str:
    """A verb in the present tense, headline style: "ratifies", "sign", "does not rule out"
    (a particle stays after the verb)."""
    verb, _, particle = lemma.partition(" ")
    if negated and verb not in ("be", "have"):
        verb, particle = ("do" if plural else "does") + " not " + verb, particle
        return f"{verb} {particle}".strip()
    singular_form, plural_form = _verb_forms().get(verb, (_third_person(verb), verb))
    form = plural_form if plural else singular_form
    return " ".join(part for part in (form, "not" if negated else "", particle) if part)


def _third_person(verb: str) -> str:
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if len(verb) > 2 and verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def local_bodies(town_only: bool = False) -> list[str]:
    """The local bodies of ``data/synthesise_local_bodies.txt`` (with ``town_only``, those that
    serve one town: not those of ``synthesise_county_bodies.txt``)."""
    county = set(vocab.load("synthesise_county_bodies.txt")) if town_only else set()
    return [body for body in vocab.load("synthesise_local_bodies.txt") if body not in county]
