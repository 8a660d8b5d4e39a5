"""The Python API: a Desk is one store plus the operations on it. The CLI and the web app are
thin shells over this class.

    >>> from storydesk import Desk, Settings
    >>> desk = Desk("storydesk.db", settings=Settings.load(quotes="learned"))
    >>> report = desk.ingest(["examples/corpus"])
    >>> [a.title for a in desk.articles()]
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO, Literal

from storydesk.model import Article, Dossier, Entity, IngestProblem, Origin, Story
from storydesk.settings import Settings, using
from storydesk.store import SearchHit, Store
from storydesk.store.browse import ArticleHit, EntitySummary, QuoteRow
from storydesk.store.export import ExportFormat, export_articles
from storydesk.store.stories import StoryChange

if TYPE_CHECKING:
    from storydesk import ingest as sources
    from storydesk.pipeline import IngestReport

# The pipeline (spaCy, scikit-learn), ingest (warcio, feedparser) and synthesise are imported by
# the methods that run them, so that reading a store (stories, articles, search) starts at once.
DossierFormat = Literal["md", "json", "html"]


class Desk:
    """One storydesk store and what can be done with it."""

    def __init__(self, db: str | Path = "storydesk.db", settings: Settings | None = None) -> None:
        """``settings``: by default those of a storydesk.toml beside the store, else of the
        user's config folder, else of the environment (``Settings.load``)."""
        self.settings = Settings.load(store=db) if settings is None else settings
        self.store = Store(db)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Desk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def discover(self, paths: Iterable[str]) -> list[sources.Source | IngestProblem]:
        """The files (and stdin) that ``paths`` name: folders recursively, globs expanded."""
        from storydesk import ingest as sources

        return list(sources.discover(paths))

    def ingest(self, paths: Iterable[str], **options: object) -> IngestReport:
        """Read, extract, dedupe and store every document under ``paths``; idempotent.
        Takes the options of ``ingest_sources``."""
        from storydesk import ingest as sources

        return self.ingest_sources(sources.discover(paths), **options)

    def ingest_sources(
        self,
        found: Iterable[sources.Source | IngestProblem],
        *,
        fetch: bool = False,
        stdin: BinaryIO | None = None,
        analyse: bool = True,
        outlet: str | None = None,
        on_source: Callable[[sources.Source | IngestProblem], None] | None = None,
        on_item: Callable[[str, IngestProblem | None], None] | None = None,
        on_note: Callable[[IngestProblem], None] | None = None,
    ) -> IngestReport:
        """Ingest sources found by ``discover``; ``outlet`` names the outlet of documents that
        do not name theirs (no source field, site name, URL or credit line); the callbacks hear
        of each source, item and note (an article analysed in part)."""
        from storydesk import ingest as sources
        from storydesk import pipeline

        report = pipeline.IngestReport()
        for source in found:
            if on_source is not None:
                on_source(source)
            if isinstance(source, IngestProblem):
                report.problems.append(source)
                if on_item is not None:
                    on_item("problem", source)
                continue
            items = sources.read_source(source, stdin=stdin, fetch=fetch)
            with using(self.settings):
                report.merge(pipeline.ingest(self.store, items, on_item, analyse, outlet, on_note))
        self._date_stories()
        return report

    def _date_stories(self) -> None:
        """After articles were stored, analysed or placed: the dates of the stories they changed
        that hold undated articles (``pipeline.date_stories``)."""
        from storydesk import pipeline

        with using(self.settings):
            pipeline.date_stories(self.store)

    def pending_analysis(self, redo_older: bool = True) -> list[int]:
        """Ids of the stored articles ``analyse`` works on: never analysed, or (``redo_older``)
        analysed by other rules or another spaCy pipeline."""
        from storydesk import pipeline

        with using(self.settings):
            return pipeline.articles_to_analyse(self.store, redo_older)

    def article_ids(self) -> list[int]:
        return self.store.article_ids()

    def analyse(
        self,
        article_ids: Iterable[int] | None = None,
        on_item: Callable[[str, IngestProblem | None], None] | None = None,
    ) -> IngestReport:
        """Analyse the given stored articles (by default every pending one)."""
        from storydesk import pipeline

        ids = self.pending_analysis() if article_ids is None else article_ids
        with using(self.settings):
            report = pipeline.analyse_stored(self.store, ids, on_item)
        self._date_stories()
        return report

    def articles(self, limit: int | None = None, offset: int = 0, story: int | None = None) -> Iterator[Article]:
        """Stored articles in id order; with ``story``, only that story's members."""
        if story is None:
            return self.store.articles(limit, offset)
        found = self.store.story(story)
        members = filter(None, map(self.store.article, found.article_ids if found else []))
        return islice(members, offset, None if limit is None else offset + limit)

    def article(self, article_id: int) -> Article | None:
        return self.store.article(article_id)

    def origins(self, article_id: int) -> list[Origin]:
        return self.store.origins(article_id)

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        return self.store.search(query, limit)

    def export(self, fmt: ExportFormat, out: Path | IO[str]) -> int:
        return export_articles(self.store.articles(), fmt, out)

    def stories(self, limit: int | None = None, offset: int = 0) -> list[Story]:
        """Stories, the most recent first."""
        return list(self.store.stories(limit, offset))

    def story(self, story_id: int) -> Story | None:
        return self.store.story(story_id)

    def story_count(self) -> int:
        return self.store.story_count()

    def unplaced(self) -> list[int]:
        """Ids of analysed articles in no story yet (``cluster`` places them)."""
        return self.store.unplaced()

    def cluster(
        self,
        rebuild: bool = False,
        on_item: Callable[[str, IngestProblem | None], None] | None = None,
        since: date | None = None,
    ) -> int:
        """Place the analysed articles that are in no story; ``rebuild`` forgets every story and
        clusters all articles again at once, or with ``since`` only the stories with an article
        published on or after that day (undated ones: changed since). Returns how many were
        placed."""
        from storydesk import pipeline

        with using(self.settings):
            if rebuild:
                placed = pipeline.rebuild_stories(self.store, on_item, since and since.isoformat())
            else:
                placed = pipeline.place_pending(self.store, on_item)
        self._date_stories()
        return placed

    def current_story(self, story_id: int) -> int | None:
        """The story ``story_id`` is now: itself, or the story it was merged or rebuilt into;
        None when no story ever had that id."""
        return self.store.current_story(story_id)

    def story_history(self, story_id: int) -> list[StoryChange]:
        """The merges, splits and rebuilds that moved articles out of or into a story, oldest first."""
        return self.store.story_history(story_id)

    def dossier(self, story_id: int) -> Dossier | None:
        """The cross-checked dossier of one story (of the story it became, when it was merged
        into another or rebuilt), or None when no story ever had that id."""
        current = self.store.current_story(story_id)
        story = None if current is None else self.store.story(current)
        if story is None:
            return None
        from storydesk import synthesise

        with using(self.settings):
            return synthesise.build_dossier(story, [self.store.article(i) for i in story.article_ids])

    def render_dossier(self, dossier: Dossier, fmt: DossierFormat) -> str:
        """A dossier as Markdown, JSON or a standalone HTML page."""
        with using(self.settings):
            return dossier.to_json() if fmt == "json" else dossier.to_markdown() if fmt == "md" else dossier.to_html()

    # -- browsing (the web app and the JSON API) ------------------------------------------------

    def article_count(self) -> int:
        return self.store.count()

    def story_stamp(self, story_id: int) -> tuple | None:
        """Changes whenever the story's dossier would (members, analyses); None: no such story."""
        return self.store.story_stamp(story_id)

    def stories_stamp(self) -> tuple:
        """Changes whenever the story list would."""
        return self.store.stories_stamp()

    def story_of(self, article_id: int) -> int | None:
        return self.store.story_of(article_id)

    def find_stories(self, query: str, limit: int = 20, offset: int = 0) -> tuple[list[Story], int]:
        """Stories with an article matching the full-text ``query``, best first, and their number."""
        ids, total = self.store.matching_story_ids(query, limit, offset)
        return [story for story in map(self.store.story, ids) if story is not None], total

    def search_page(self, query: str, limit: int = 20, offset: int = 0) -> tuple[list[ArticleHit], int]:
        """One page of full-text matches and their total."""
        return self.store.search_articles(query, limit, offset)

    def entities(self, name: str, kind: str | None = None, limit: int = 20, offset: int = 0) -> tuple[list[EntitySummary], int]:
        """Entities whose name or an alias contains ``name``, the most quoted first, and their number."""
        return self.store.find_entities(name, kind, limit, offset)

    def entity(self, key: str) -> Entity | None:
        return self.store.entity(key)

    def quotes(self, speaker: str, page: int = 100) -> Iterator[QuoteRow]:
        """Every quote of ``speaker`` (an entity key such as ``person:vladimir putin``, else the
        most quoted entity whose name contains it), newest first, read ``page`` at a time."""
        key = self._entity_key(speaker)
        if key is None:
            return
        offset = 0
        while rows := self.quotes_by(key, page, offset)[0]:
            yield from rows
            offset += len(rows)

    def _entity_key(self, speaker: str) -> str | None:
        if self.store.entity(speaker) is not None:
            return speaker
        matches, _ = self.entities(speaker, limit=1)
        return matches[0].key if matches else None

    def quotes_by(self, entity_key: str, limit: int = 20, offset: int = 0) -> tuple[list[QuoteRow], int]:
        """Every quote attributed to one entity across stories, newest first, and their number."""
        return self.store.quotes_by(entity_key, limit, offset)

    # -- processed Parquet (storydesk process / load) -------------------------------------------

    def load(
        self, processed: str | Path, on_item: Callable[[str, IngestProblem | None], None] | None = None
    ) -> IngestReport:
        """Store the articles of a ``storydesk process`` output folder (its finished part files),
        linking duplicates and placing each in its story as ingest does; re-running is safe."""
        from storydesk import pipeline, scale  # scale: the scale extra (pyarrow)

        with using(self.settings):
            report = pipeline.commit_all(self.store, scale.read_prepared(processed), on_item)
        self._date_stories()
        return report
