"""Composes the stages: ingest -> extract/clean -> dedupe -> analyse -> store -> cluster, one
article at a time.

``prepare`` is a pure function of one document (it can run in another process); ``commit``
writes one prepared article in one transaction, linking it to an earlier copy, its entities to
those the store already knows, and placing it in its story.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Literal

from storydesk import analyse as analysis_stage
from storydesk import cluster, dedupe
from storydesk.extract import extract
from storydesk.model import Analysis, Article, ArticleProfile, DuplicateLink, IngestProblem, RawDocument, Skipped
from storydesk.store import Store

Outcome = Literal["added", "exact-duplicate", "near-duplicate", "already-stored"]


@dataclass
class Prepared:
    """One document ready to store: the article (with its analysis, unless analysis was off or
    failed, which ``analysis_error`` says) and its dedupe fingerprint."""

    article: Article
    fingerprint: dedupe.Fingerprint
    analysis_error: str | None = None

    @property
    def analysis_problem(self) -> IngestProblem | None:
        """The failed analysis as a problem naming the article's origin; None if it did not fail."""
        return None if self.analysis_error is None else IngestProblem(self.article.origin, self.analysis_error)


@dataclass
class RunProblems:
    """The problems and skips of a run (ingest, process), which make its exit status."""

    problems: list[IngestProblem] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def add_problems(self, problems: Iterable[IngestProblem], skipped: Counter[str]) -> None:
        self.problems.extend(problems)
        self.skipped.update(skipped)


@dataclass
class IngestReport(RunProblems):
    """What an ingest run did, for the summary line and the exit status."""

    outcomes: Counter[str] = field(default_factory=Counter)

    def merge(self, other: IngestReport) -> None:
        self.outcomes.update(other.outcomes)
        self.add_problems(other.problems, other.skipped)


def content_hash(raw: RawDocument) -> str:
    """Identity of a document's content, whatever its origin: same bytes, same article."""
    normalised = "\n".join(line.rstrip() for line in raw.content.strip().splitlines())
    return hashlib.sha256(f"{raw.format}\n{normalised}".encode()).hexdigest()


def prepare(
    raw: RawDocument, digest: str | None = None, analyse: bool = True, outlet: str | None = None
) -> Prepared | IngestProblem:
    """Extract/clean one document (``outlet``: the outlet's name when nothing in it says),
    fingerprint and analyse its text; a document with no text is a problem. A failed analysis
    does not lose the article: it is stored without one."""
    extraction = extract(raw, outlet)
    if not extraction.text.strip():
        return IngestProblem(raw.origin, "no article text found")
    article = Article(raw.origin, digest or content_hash(raw), raw.format, extraction)
    prepared = Prepared(article, dedupe.fingerprint(extraction.text))
    if analyse:
        article.analysis, prepared.analysis_error = analyse_text(extraction.text, extraction.published.value)
    return prepared


def guarded(prepare_one: Callable[[RawDocument], Prepared | IngestProblem], raw: RawDocument) -> Prepared | IngestProblem:
    """``prepare_one(raw)``; an extractor's exception on hostile input is that document's problem."""
    try:
        return prepare_one(raw)
    except Exception as error:  # third-party parsers on hostile input must not stop the batch
        return IngestProblem(raw.origin, f"extraction failed: {type(error).__name__}: {error}")


def analyse_prepared(batch: Sequence[Prepared]) -> None:
    """Analyse prepared articles together (one spaCy batch); when the batch fails, each is
    analysed alone so that only the article at fault goes without an analysis."""
    articles = [item.article for item in batch]
    try:
        analyses = analysis_stage.analyse_many([(a.text, a.extraction.published.value) for a in articles])
    except Exception:  # one hostile text fails the batch: find it by analysing one at a time
        for item in batch:
            item.article.analysis, item.analysis_error = analyse_text(item.article.text, item.article.extraction.published.value)
        return
    for article, analysis in zip(articles, analyses):
        article.analysis = analysis


def analyse_text(text: str, published: str | None) -> tuple[Analysis | None, str | None]:
    """The analysis of a text, or the reason it failed (spaCy or a rule on hostile input)."""
    try:
        return analysis_stage.analyse(text, published), None
    except Exception as error:  # one article's failed analysis must not stop the batch
        return None, f"analysis failed: {type(error).__name__}: {error}"


def save_analysis(store: Store, article_id: int, analysis: Analysis) -> None:
    """Store an analysis with its entity keys linked to those the store already knows
    (call inside a transaction)."""
    persons = [entity.name for entity in analysis.entities if entity.kind == "PERSON"]
    store.save_analysis(article_id, analysis_stage.relink(analysis, store.known_persons(persons)))


def commit(store: Store, prepared: Prepared) -> Outcome:
    """Store one prepared article in its own transaction; an identical document already
    stored only gains this origin."""
    article, fingerprint = prepared.article, prepared.fingerprint
    with store.transaction():
        existing = store.article_id_for_content(article.content_hash)
        if existing is not None:
            store.add_origin(existing, article.origin)
            return "already-stored"
        article.duplicate_of = find_original(store, fingerprint)
        article.id = store.add_article(article, fingerprint.text_hash, fingerprint.signature, fingerprint.buckets)
        if article.analysis is not None:
            save_analysis(store, article.id, article.analysis)
            place(store, article)
    if article.duplicate_of is None:
        return "added"
    return "exact-duplicate" if article.duplicate_of.kind == "exact" else "near-duplicate"


def find_original(store: Store, fingerprint: dedupe.Fingerprint) -> DuplicateLink | None:
    """The earliest stored article this one copies, exactly or nearly; originals only, so
    copies of copies point at the first."""
    exact = store.original_with_text(fingerprint.text_hash)
    if exact is not None:
        return DuplicateLink(store.original_of(exact), "exact", 1.0)
    best: DuplicateLink | None = None
    for article_id, signature in store.near_candidates(fingerprint.buckets):
        score = dedupe.similarity(fingerprint.signature, signature)
        if score >= dedupe.NEAR_DUPLICATE_JACCARD and (best is None or score > best.similarity):
            best = DuplicateLink(article_id, "near", round(score, 3))
    return best and DuplicateLink(store.original_of(best.article_id), "near", best.similarity)


def ingest(
    store: Store,
    items: Iterable[RawDocument | IngestProblem | Skipped],
    on_item: Callable[[str, IngestProblem | None], None] | None = None,
    analyse: bool = True,
    outlet: str | None = None,
) -> IngestReport:
    """Store every document of ``items``; problems are collected and the batch goes on.
    ``on_item(status, problem)`` hears of each item as it is done; ``outlet`` names the outlet
    of the documents that do not name theirs."""
    report = IngestReport()
    for item in items:
        status, problem = _ingest_one(store, item, analyse, outlet)
        if problem is not None:
            report.problems.append(problem)
        if status == "skipped":
            report.skipped[item.reason] += 1
        elif status != "problem":
            report.outcomes[status] += 1
        if on_item is not None:
            on_item(status, problem)
    return report


def _ingest_one(
    store: Store, item: RawDocument | IngestProblem | Skipped, analyse: bool, outlet: str | None
) -> tuple[str, IngestProblem | None]:
    """Store one item; already-stored content is recognised by its hash before any extraction."""
    if isinstance(item, IngestProblem):
        return "problem", item
    if isinstance(item, Skipped):
        return "skipped", None
    digest = content_hash(item)
    existing = store.article_id_for_content(digest)
    if existing is not None:
        with store.transaction():
            store.add_origin(existing, item.origin)
        return "already-stored", None
    prepared = guarded(partial(prepare, digest=digest, analyse=analyse, outlet=outlet), item)
    if isinstance(prepared, IngestProblem):
        return "problem", prepared
    return commit(store, prepared), prepared.analysis_problem


def articles_to_analyse(store: Store, redo_older: bool = True) -> list[int]:
    """Stored articles with no analysis, and (``redo_older``) those analysed by another
    version of the rules or another spaCy pipeline."""
    return store.needing_analysis(analysis_stage.analysis_version() if redo_older else None)


def analyse_stored(
    store: Store,
    article_ids: Iterable[int],
    on_item: Callable[[str, IngestProblem | None], None] | None = None,
) -> IngestReport:
    """Analyse stored articles, one transaction per article; a failure is reported and the
    rest go on."""
    report = IngestReport()
    for article_id in article_ids:
        article = store.article(article_id)
        analysis, error = analyse_text(article.text, article.extraction.published.value)
        problem = None if error is None else IngestProblem(article.origin, error)
        if analysis is not None:
            article.analysis = analysis
            with store.transaction():
                save_analysis(store, article_id, analysis)
                _profile_or_place(store, article)
            report.outcomes["analysed"] += 1
        else:
            report.problems.append(problem)
        if on_item is not None:
            on_item("analysed" if problem is None else "problem", problem)
    return report


def place(store: Store, article: Article) -> int:
    """Put a stored, analysed article into the story it belongs to, or start one (call inside
    the article's transaction); returns the story id. A copy joins its original's story."""
    profile, keys = _save_profile(store, article)
    documents, frequencies = store.document_frequencies(keys)
    idf = cluster.Idf(documents, frequencies, lookup=lambda more: store.document_frequencies(more)[1])
    blocking = cluster.blocking_keys(profile, idf)
    story_id, score = _story_of_original(store, article)
    if story_id is None:
        candidates = {
            sid: store.member_profiles(sid, cluster.MAX_MEMBERS)
            for sid in store.story_candidates(blocking, limit=cluster.MAX_CANDIDATES)
        }
        story_id, score = cluster.place(profile, candidates, idf)
    if story_id is None:
        story_id = store.create_story(article.title or article.text[:120])
    store.add_to_story(story_id, article.id, score, blocking, article.extraction.published.value)
    return story_id


def _save_profile(store: Store, article: Article) -> tuple[ArticleProfile, set[str]]:
    """Profile an article for clustering and store the profile with its document keys."""
    profile = cluster.profile(article)
    keys = cluster.document_keys(profile)
    store.save_profile(profile, keys)
    return profile, keys


def _story_of_original(store: Store, article: Article) -> tuple[int | None, float]:
    """The story of the article this one copies, with the copy's similarity."""
    if article.duplicate_of is None:
        return None, 0.0
    return store.story_of(article.duplicate_of.article_id), article.duplicate_of.similarity


def _profile_or_place(store: Store, article: Article) -> None:
    """After a (re-)analysis: refresh the profile of an article already in a story (its story
    stays until a rebuild), or place it."""
    if store.story_of(article.id) is None:
        place(store, article)
    else:
        _save_profile(store, article)


def place_pending(store: Store, on_item: Callable[[str, IngestProblem | None], None] | None = None) -> int:
    """Place every analysed article that is in no story yet, one transaction each."""
    placed = 0
    for article_id in store.unplaced():
        article = store.article(article_id)
        with store.transaction():
            place(store, article)
        placed += 1
        if on_item is not None:
            on_item("placed", None)
    return placed


def rebuild_stories(store: Store, on_item: Callable[[str, IngestProblem | None], None] | None = None) -> int:
    """Forget every story, profile and key frequency, and place all analysed articles again in
    the order they were stored, as a fresh ingest would (after a change of the clustering model)."""
    with store.transaction():
        store.clear_stories()
    return place_pending(store, on_item)


def commit_all(
    store: Store,
    prepared: Iterable[Prepared],
    on_item: Callable[[str, IngestProblem | None], None] | None = None,
) -> IngestReport:
    """Store articles prepared elsewhere (``storydesk process``), each by ``commit`` in its own
    transaction and placed in its story; content already stored only gains the origin, so
    loading twice is safe. A failed analysis recorded with the article is reported again."""
    report = IngestReport()
    for item in prepared:
        outcome = commit(store, item)
        report.outcomes[outcome] += 1
        problem = item.analysis_problem
        if problem is not None:
            report.problems.append(problem)
        if on_item is not None:
            on_item(outcome, problem)
    return report
