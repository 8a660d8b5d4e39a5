"""Article profiles: the compact, storable summary the clusterer compares articles by (content
words, canonical entities, places, the days spoken of, figures, publication date)."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache

from spacy.lang.en.stop_words import STOP_WORDS

from storydesk import vocab
from storydesk.cluster.idf import entity_key, word_key
from storydesk.cluster.meaning import GIST_CHARS
from storydesk.model import Analysis, Article, ArticleProfile
from storydesk.words import AGE, WORD, ages_in_digits, singular

MAX_TERMS = 150  # profiles are stored as JSON per article: keep the most frequent words only
LEAD_SENTENCES = 3  # the lead: title and first sentences, where news says who, what and where
PLACE_KINDS = frozenset({"GPE", "LOC", "FAC"})
CONFUSED_KINDS = frozenset({"org", "place"})  # entity-key prefixes spaCy's small model mixes up
MIN_WORD_LENGTH = 3
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONTH = re.compile(r"^\d{4}-\d{2}$")
YEAR = re.compile(r"^\d{4}$")


@cache
def stop_words() -> frozenset[str]:
    """spaCy's English stop words plus news wording that says nothing of the event
    (``cluster_stopwords.txt``)."""
    return frozenset(STOP_WORDS) | frozenset(w.lower() for w in vocab.load("cluster_stopwords.txt"))


def content_words(text: str) -> Iterable[str]:
    """The normalised content words of ``text``: letters only, stop words out."""
    stops = stop_words()
    for match in WORD.finditer(text):
        word = match.group()
        if len(word) >= MIN_WORD_LENGTH and word.lower() not in stops:
            normal = singular(word)
            if normal not in stops:
                yield normal


def profile(article: Article) -> ArticleProfile:
    """The profile of one article: its title and text words, and from its analysis (when
    present) entities, places, days and figures. Pure: reads nothing but ``article``."""
    words = Counter(content_words(article.title or ""))
    words.update(content_words(article.text))
    published = article.extraction.published.value
    analysis = article.analysis
    return ArticleProfile(
        article_id=article.id,
        terms=_top(words, MAX_TERMS),
        entities=_entity_counts(analysis) if analysis else {},
        places=_places(analysis) if analysis else (),
        days=_days(analysis),
        figures=tuple(sorted({*(_figures(analysis) if analysis else ()), *_ages(article)})),
        published=published,
        lead=_lead(article),
        language=article.extraction.language,
        gist=_gist(article),
    )


def _gist(article: Article) -> str:
    """The title and the lead's first words, up to GIST_CHARS characters."""
    return " ".join(f"{article.title or ''}\n{article.text}".split())[:GIST_CHARS]


def _lead(article: Article) -> dict[str, float]:
    """Word and entity keys of the title and the first sentences (lines, without analysis)."""
    text, analysis = article.text, article.analysis
    if analysis and analysis.sentences:
        end = analysis.sentences[min(LEAD_SENTENCES, len(analysis.sentences)) - 1].end
    else:
        end = sum(len(line) + 1 for line in text.split("\n")[:LEAD_SENTENCES])
    counts = Counter(word_key(w) for w in content_words(f"{article.title or ''}\n{text[:end]}"))
    if analysis:
        counts.update(entity_key(comparable(m.entity)) for m in analysis.mentions if m.entity and m.span.start < end)
    return _top(counts, MAX_TERMS)


def _top(counts: Counter[str], limit: int) -> dict[str, float]:
    """The ``limit`` highest counts, ties broken alphabetically so profiles are reproducible."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return {term: float(count) for term, count in ranked}


def _entity_counts(analysis: Analysis) -> dict[str, float]:
    """Mentions per canonical entity (an entity with no mention listed counts once)."""
    counts = Counter(comparable(mention.entity) for mention in analysis.mentions if mention.entity)
    for entity in analysis.entities:
        counts.setdefault(comparable(entity.key), 1)
    return {key: float(count) for key, count in sorted(counts.items())}


def _places(analysis: Analysis) -> tuple[str, ...]:
    return tuple(sorted({comparable(entity.key) for entity in analysis.entities if entity.kind in PLACE_KINDS}))


def comparable(key: str) -> str:
    """An entity key with organisation and place kinds merged ("org:perth", "place:perth" ->
    "name:perth"): the small model often mistakes one for the other, the name is what counts."""
    kind, _, name = key.partition(":")
    return f"name:{name}" if kind in CONFUSED_KINDS else key


def _days(analysis: Analysis | None) -> tuple[str, ...]:
    """The calendar values (day, month or year) the time expressions resolve to; relative
    values the analysis could not anchor are left out. The publication date is not one of them:
    every article of a day shares it, whatever it reports (it weighs in through the gap prior)."""
    values = {t.value for t in analysis.timexes if t.value} if analysis else set()
    return tuple(sorted(v for v in values if DAY.match(v) or MONTH.match(v) or YEAR.match(v)))


def _ages(article: Article) -> set[str]:
    """The ages the title and text give ("a 3-year-old girl", "a three-year-old girl": "3
    year-old"), compared with the figures: local news names a victim by age before any name,
    so two reports of one shooting share it and two shootings in one city mostly do not."""
    return {f"{number} {unit.lower()}-old" for number, unit in AGE.findall(ages_in_digits(f"{article.title or ''}\n{article.text}"))}


def _figures(analysis: Analysis) -> tuple[str, ...]:
    """Each figure as "value head-noun" ("23 pirate"), so "23 pirates" and "23 Somali pirates"
    agree."""
    found = set()
    for figure in analysis.figures:
        words = WORD.findall(figure.counts)
        found.add(f"{figure.value:g} {singular(words[-1])}" if words else f"{figure.value:g}")
    return tuple(sorted(found))
