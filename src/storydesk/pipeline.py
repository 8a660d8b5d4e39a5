"""Composes the stages: ingest -> extract/clean -> dedupe -> store, one article at a time.

``prepare`` is a pure function of one document (it can run in another process); ``commit``
writes one prepared article in one transaction, linking it to an earlier copy when there is one.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from storydesk import dedupe
from storydesk.extract import extract
from storydesk.model import Article, DuplicateLink, IngestProblem, RawDocument, Skipped
from storydesk.store import Store

Outcome = Literal["added", "exact-duplicate", "near-duplicate", "already-stored"]


@dataclass
class Prepared:
    """One document ready to store: the article and its dedupe fingerprint."""

    article: Article
    fingerprint: dedupe.Fingerprint


@dataclass
class IngestReport:
    """What an ingest run did, for the summary line and the exit status."""

    outcomes: Counter[str] = field(default_factory=Counter)
    problems: list[IngestProblem] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def merge(self, other: IngestReport) -> None:
        self.outcomes.update(other.outcomes)
        self.problems.extend(other.problems)
        self.skipped.update(other.skipped)


def content_hash(raw: RawDocument) -> str:
    """Identity of a document's content, whatever its origin: same bytes, same article."""
    normalised = "\n".join(line.rstrip() for line in raw.content.strip().splitlines())
    return hashlib.sha256(f"{raw.format}\n{normalised}".encode()).hexdigest()


def prepare(raw: RawDocument, digest: str | None = None) -> Prepared | IngestProblem:
    """Extract/clean one document and fingerprint its text; a document with no text is a problem."""
    extraction = extract(raw)
    if not extraction.text.strip():
        return IngestProblem(raw.origin, "no article text found")
    article = Article(raw.origin, digest or content_hash(raw), raw.format, extraction)
    return Prepared(article, dedupe.fingerprint(extraction.text))


def commit(store: Store, prepared: Prepared) -> Outcome:
    """Store one prepared article in its own transaction; an identical document already
    stored only gains this origin."""
    article, fingerprint = prepared.article, prepared.fingerprint
    with store.transaction():
        existing = store.article_id_for_content(article.content_hash)
        if existing is not None:
            store.add_origin(existing, article.origin)
            return "already-stored"
        article.duplicate_of = _original(store, fingerprint)
        article.id = store.add_article(article, fingerprint.text_hash, fingerprint.signature, fingerprint.buckets)
    if article.duplicate_of is None:
        return "added"
    return "exact-duplicate" if article.duplicate_of.kind == "exact" else "near-duplicate"


def _original(store: Store, fingerprint: dedupe.Fingerprint) -> DuplicateLink | None:
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
) -> IngestReport:
    """Store every document of ``items``; problems are collected and the batch goes on.
    ``on_item(status, problem)`` hears of each item as it is done."""
    report = IngestReport()
    for item in items:
        status, problem = _ingest_one(store, item)
        if problem is not None:
            report.problems.append(problem)
        elif status == "skipped":
            report.skipped[item.reason] += 1
        else:
            report.outcomes[status] += 1
        if on_item is not None:
            on_item(status, problem)
    return report


def _ingest_one(store: Store, item: RawDocument | IngestProblem | Skipped) -> tuple[str, IngestProblem | None]:
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
    try:
        prepared = prepare(item, digest)
    except Exception as error:  # third-party parsers on hostile input must not stop the batch
        prepared = IngestProblem(item.origin, f"extraction failed: {type(error).__name__}: {error}")
    if isinstance(prepared, IngestProblem):
        return "problem", prepared
    return commit(store, prepared), None
