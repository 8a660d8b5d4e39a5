"""The Python API: a Desk is one store plus the operations on it. The CLI and the web app are
thin shells over this class.

    >>> from storydesk.desk import Desk
    >>> desk = Desk("storydesk.db")
    >>> report = desk.ingest(["examples/corpus"])
    >>> [a.title for a in desk.articles()]
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, BinaryIO

from storydesk import ingest as sources
from storydesk import pipeline
from storydesk.model import Article, IngestProblem, Origin
from storydesk.pipeline import IngestReport
from storydesk.store import SearchHit, Store
from storydesk.store.export import ExportFormat, export_articles


class Desk:
    """One storydesk store and what can be done with it."""

    def __init__(self, db: str | Path = "storydesk.db") -> None:
        self.store = Store(db)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Desk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def discover(self, paths: Iterable[str]) -> list[sources.Source | IngestProblem]:
        """The files (and stdin) that ``paths`` name: folders recursively, globs expanded."""
        return list(sources.discover(paths))

    def ingest(self, paths: Iterable[str], **options: object) -> IngestReport:
        """Read, extract, dedupe and store every document under ``paths``; idempotent.
        Takes the options of ``ingest_sources``."""
        return self.ingest_sources(sources.discover(paths), **options)

    def ingest_sources(
        self,
        found: Iterable[sources.Source | IngestProblem],
        *,
        fetch: bool = False,
        stdin: BinaryIO | None = None,
        analyse: bool = True,
        on_source: Callable[[sources.Source | IngestProblem], None] | None = None,
        on_item: Callable[[str, IngestProblem | None], None] | None = None,
    ) -> IngestReport:
        """Ingest sources found by ``discover``; the callbacks hear of each source and item."""
        report = IngestReport()
        for source in found:
            if on_source is not None:
                on_source(source)
            if isinstance(source, IngestProblem):
                report.problems.append(source)
                if on_item is not None:
                    on_item("problem", source)
                continue
            items = sources.read_source(source, stdin=stdin, fetch=fetch)
            report.merge(pipeline.ingest(self.store, items, on_item, analyse))
        return report

    def pending_analysis(self, redo_older: bool = True) -> list[int]:
        """Ids of the stored articles ``analyse`` works on: never analysed, or (``redo_older``)
        analysed by other rules or another spaCy pipeline."""
        return pipeline.articles_to_analyse(self.store, redo_older)

    def article_ids(self) -> list[int]:
        return self.store.article_ids()

    def analyse(
        self,
        article_ids: Iterable[int] | None = None,
        on_item: Callable[[str, IngestProblem | None], None] | None = None,
    ) -> IngestReport:
        """Analyse the given stored articles (by default every pending one)."""
        ids = self.pending_analysis() if article_ids is None else article_ids
        return pipeline.analyse_stored(self.store, ids, on_item)

    def articles(self, limit: int | None = None, offset: int = 0) -> Iterator[Article]:
        return self.store.articles(limit, offset)

    def article(self, article_id: int) -> Article | None:
        return self.store.article(article_id)

    def origins(self, article_id: int) -> list[Origin]:
        return self.store.origins(article_id)

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        return self.store.search(query, limit)

    def export(self, fmt: ExportFormat, out: Path | IO[str]) -> int:
        return export_articles(self.store.articles(), fmt, out)
