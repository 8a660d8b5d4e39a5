"""A short extractive summary: the sentences most central across the story's articles and nearest
their leads, picked by maximal marginal relevance over TF-IDF vectors so that no two say the
same, each citing every article that carries it (near-identical sentences in other outlets)."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from storydesk import meaning, vocab
from storydesk.model import Article, Citation, Quote, Span, SummarySentence
from storydesk.words import WORD

SUMMARY_LENGTH = 6
MIN_WORDS = 8  # shorter "sentences" are headings, captions and fragments
RELEVANCE_WEIGHT = 0.7  # MMR lambda: relevance against redundancy with what is already picked
# A news article says what happened first: an article's n-th sentence (from 0) adds
# LEAD_WEIGHT / (n + 1) to its centrality, so that the leads open the summary and details follow.
LEAD_WEIGHT = 0.5
QUOTED_KINDS = frozenset({"direct", "partial", "block", "mixed"})
CARRIES = 0.5  # cosine at which another article's sentence says the same thing (it is cited too)
# Two sentences in two languages: the encoder's cosine counts from 0 at UNRELATED to a full word
# cosine at TRANSLATED (a translation scores 0.75 to 0.9; another sentence of the story 0.3 to 0.6).
UNRELATED, TRANSLATED = 0.5, 0.75
# A phone number (202-727-9099, (313) 596-1616, 389-4869, 1-800-...): an appeal for tips.
PHONE_NUMBER = re.compile(r"\(?\b\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b|\b\d{3}-\d{4}\b|\b1-8\d\d-")


@dataclass
class _Sentence:
    article: int
    start: int
    end: int
    text: str
    position: int  # its place among its article's sentences, from 0


def summarise(articles: Sequence[Article], dispute: Sequence[Citation] = (), length: int = SUMMARY_LENGTH) -> list[SummarySentence]:
    """Up to ``length`` sentences that each stand alone, most central first, each with its
    citations; when the story has a main ``dispute`` (its sides' citations), the most central
    sentence stating it is among them."""
    sentences = _candidates(articles)
    if not sentences:
        return []
    vectors = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(s.text for s in sentences)
    languages = {article.id: article.extraction.language for article in articles}
    similarity = _with_translations(cosine_similarity(vectors), sentences, languages)
    centrality = _centrality(sentences, similarity) + LEAD_WEIGHT / (1 + np.array([s.position for s in sentences]))
    stating = [i for i, s in enumerate(sentences) if any(_holds(s, citation) for citation in dispute)]
    first = [max(stating, key=lambda i: centrality[i])] if stating else []
    picked = _mmr(centrality, similarity, length, first)
    return [_cited(index, sentences, similarity) for index in sorted(picked, key=lambda i: -centrality[i])]


def _with_translations(
    similarity: np.ndarray, sentences: list[_Sentence], languages: dict[int | None, str | None]
) -> np.ndarray:
    """The word similarity, and for sentences of articles in two languages what they mean
    (``meaning``): a translation scores 1, so it is cited with the sentence picked, never picked
    beside it."""
    language = [languages.get(s.article) for s in sentences]
    across = meaning.different_languages(language, language)
    if not across.any() or not meaning.available():
        return similarity
    meant = meaning.similarities([s.text for s in sentences], [s.text for s in sentences])
    worth = meaning.worth(meant, UNRELATED, TRANSLATED)
    return np.where(across, np.maximum(similarity, worth), similarity)


def _holds(sentence: _Sentence, citation: Citation) -> bool:
    """Whether the sentence holds (overlaps) the cited stretch."""
    return sentence.article == citation.article and sentence.start < citation.end and citation.start < sentence.end


def _candidates(articles: Sequence[Article]) -> list[_Sentence]:
    """Sentences long enough to be statements that read on their own: ending as sentences do,
    quotation marks balanced, and not mostly someone's words (those are under who said what,
    with their speaker), no appeal giving a phone number ("Anyone with information is asked to
    call 202-727-9099"); without a dash a dateline left before the first."""
    return [
        _Sentence(article.id, span.start, span.end, span.text.strip().lstrip("—–-― ").strip(), position)
        for article in articles if article.analysis
        for position, span in enumerate(article.analysis.sentences)
        if len(span.text.split()) >= MIN_WORDS and span.text.rstrip().endswith((".", "!", "?", "”", '"'))
        and _quotes_balanced(span.text) and not _mostly_quoted(span, article.analysis.quotes)
        and _stands_alone(span.text) and not PHONE_NUMBER.search(span.text)
    ]


def _stands_alone(text: str) -> bool:
    """A sentence that opens with a connective or a pronoun leans on the one before it."""
    first = WORD.search(text)
    return first is None or first.group().lower() not in _dependent_openers()


@cache
def _dependent_openers() -> frozenset[str]:
    return frozenset(vocab.load("synthesise_dependent_openers.txt"))


def _quotes_balanced(text: str) -> bool:
    return text.count('"') % 2 == 0 and text.count("“") == text.count("”")


def _mostly_quoted(sentence: Span, quotes: Sequence[Quote]) -> bool:
    """Whether over half the sentence lies inside a direct, partial or block quote."""
    inside = sum(
        max(0, min(sentence.end, q.content.end) - max(sentence.start, q.content.start))
        for q in quotes if q.kind in QUOTED_KINDS
    )
    return inside > (sentence.end - sentence.start) / 2


def _centrality(sentences: list[_Sentence], similarity: np.ndarray) -> np.ndarray:
    """How much of a sentence the other articles say: the sum, over the other articles, of its
    best similarity to one of their sentences (so a story told by many outlets wins)."""
    articles = np.array([s.article for s in sentences])
    scores = np.zeros(len(sentences))
    for article in set(articles):
        columns = articles == article
        best = similarity[:, columns].max(axis=1)
        scores += np.where(articles == article, 0.0, best)
    return scores / max(scores.max(), 1e-9)


def _mmr(centrality: np.ndarray, similarity: np.ndarray, length: int, first: list[int]) -> list[int]:
    """Maximal marginal relevance from ``first`` on: each pick the most central sentence least
    like those already picked, never a sentence one of them carries (cited with it: the same
    sentence in two articles, or its translation, is one summary sentence)."""
    picked = list(first)
    while len(picked) < min(length, len(centrality)):
        redundancy = similarity[:, picked].max(axis=1) if picked else np.zeros(len(centrality))
        score = RELEVANCE_WEIGHT * centrality - (1 - RELEVANCE_WEIGHT) * redundancy
        score[picked] = -np.inf
        if picked:
            score[(similarity[:, picked] >= CARRIES).any(axis=1)] = -np.inf
        if not np.isfinite(score.max()):
            break
        picked.append(int(score.argmax()))
    return picked


def _cited(index: int, sentences: list[_Sentence], similarity: np.ndarray) -> SummarySentence:
    """The sentence with, per article, its own citation or that article's most similar sentence
    when that one says the same."""
    chosen = sentences[index]
    citations = {chosen.article: Citation(chosen.article, chosen.start, chosen.end)}
    for other in np.argsort(-similarity[index]):
        candidate = sentences[other]
        if similarity[index, other] >= CARRIES and candidate.article not in citations:
            citations[candidate.article] = Citation(candidate.article, candidate.start, candidate.end)
    return SummarySentence(chosen.text, sorted(citations), sorted(citations.values(), key=lambda c: c.article))
