"""Read-only queries for browsing a store (the web app and the JSON API): paginated full-text
search with totals, stories by the articles that match a query, entities by name, every quote
of one speaker across stories, and a stamp that changes whenever a story's dossier would."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from storydesk.model import UNKNOWN_OUTLET, Entity

# Snippet markers: control characters that never occur in cleaned article text, so the
# web layer can split on them and escape everything else (the CLI's "[...]" markers are
# ambiguous in text that has brackets of its own).
MATCH_START = "\x02"
MATCH_END = "\x03"


@dataclass(frozen=True)
class ArticleHit:
    """A full-text match: the article's listing fields, a snippet with the matched words
    between MATCH_START and MATCH_END, and the BM25 rank (lower is better)."""

    article_id: int
    title: str | None
    outlet: str
    published: str | None
    story_id: int | None
    snippet: str
    rank: float


@dataclass(frozen=True)
class EntitySummary:
    """An entity with its names and how many quotes are attributed to it."""

    key: str
    name: str
    kind: str
    aliases: tuple[str, ...]
    quotes: int


@dataclass(frozen=True)
class QuoteRow:
    """One stored quote with the article (and story) it was found in."""

    article_id: int
    title: str | None
    outlet: str
    published: str | None
    story_id: int | None
    story_title: str | None
    kind: str
    start: int
    end: int
    text: str
    cue: str | None
    speaker: str | None


class BrowseQueries:
    """Browsing queries of ``Store`` (a mixin over its connection ``self._db``)."""

    _db: sqlite3.Connection

    def story_stamp(self, story_id: int) -> tuple | None:
        """What a story's dossier depends on: its last update, size and its members' latest
        analysis; None when there is no such story. A cached dossier is good while this holds."""
        row = self._db.execute(
            "SELECT s.updated_at, s.size, (SELECT max(n.analysed_at) FROM story_articles m"
            " JOIN analyses n ON n.article_id = m.article_id WHERE m.story_id = s.id)"
            " FROM stories s WHERE s.id = ?",
            (story_id,),
        ).fetchone()
        return None if row is None else tuple(row)

    def stories_stamp(self) -> tuple:
        """Changes whenever the story list would: stories added or updated, articles added."""
        return tuple(self._db.execute(
            "SELECT (SELECT count(*) FROM stories), (SELECT max(updated_at) FROM stories), (SELECT max(id) FROM articles)"
        ).fetchone())

    def matching_story_ids(self, query: str, limit: int, offset: int) -> tuple[list[int], int]:
        """Stories having an article that matches the full-text ``query``, best match first,
        and how many there are."""
        # MATERIALIZED: bm25() cannot run once SQLite flattens the match into the aggregate
        sql = (
            "WITH hit AS MATERIALIZED (SELECT rowid AS id, bm25(articles_fts) AS rank FROM articles_fts"
            " WHERE articles_fts MATCH ?) SELECT {} FROM hit JOIN story_articles s ON s.article_id = hit.id"
        )
        match = self._usable_match(query)
        if match is None:
            return [], 0
        total = self._db.execute(sql.format("count(DISTINCT s.story_id)"), (match,)).fetchone()[0]
        rows = self._db.execute(
            sql.format("s.story_id, min(hit.rank) AS best") + " GROUP BY s.story_id ORDER BY best, s.story_id LIMIT ? OFFSET ?",
            (match, limit, offset),
        ).fetchall()
        return [row[0] for row in rows], total

    def search_articles(self, query: str, limit: int, offset: int) -> tuple[list[ArticleHit], int]:
        """Full-text matches (title and text), best first, one page of them and the total."""
        match = self._usable_match(query)
        if match is None:
            return [], 0
        total = self._db.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (match,)).fetchone()[0]
        rows = self._db.execute(
            f"""SELECT a.id, a.title, a.outlet, a.published, s.story_id,
                   snippet(articles_fts, 1, '{MATCH_START}', '{MATCH_END}', ' … ', 16) AS snippet,
                   bm25(articles_fts) AS rank
               FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
               LEFT JOIN story_articles s ON s.article_id = a.id
               WHERE articles_fts MATCH ? ORDER BY rank LIMIT ? OFFSET ?""",
            (match, limit, offset),
        ).fetchall()
        hits = [
            ArticleHit(r["id"], r["title"], r["outlet"] or UNKNOWN_OUTLET,
                       r["published"], r["story_id"], r["snippet"], r["rank"])
            for r in rows
        ]
        return hits, total

    def _usable_match(self, query: str) -> str | None:
        """The query as FTS5 syntax when it is valid, else its words as quoted phrases (as
        ``Store.search`` does); None for a query with no words."""
        if not query.strip():
            return None
        try:
            self._db.execute("SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT 1", (query,)).fetchall()
            return query
        except sqlite3.OperationalError:
            words = " ".join('"' + word.replace('"', '""') + '"' for word in query.split())
            return words or None

    def find_entities(self, name: str, kind: str | None, limit: int, offset: int) -> tuple[list[EntitySummary], int]:
        """Entities whose name or an alias contains ``name`` (case-insensitive), those quoted
        most first, and how many match."""
        where = "WHERE (e.name LIKE ? ESCAPE '\\' OR e.key IN (SELECT entity_key FROM entity_aliases WHERE alias LIKE ? ESCAPE '\\'))"
        pattern = "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params: list[object] = [pattern, pattern]
        if kind:
            where += " AND e.kind = ?"
            params.append(kind)
        total = self._db.execute(f"SELECT count(*) FROM entities e {where}", params).fetchone()[0]
        rows = self._db.execute(
            f"SELECT e.key, (SELECT count(*) FROM quotes q WHERE q.speaker_entity = e.key) AS quoted"
            f" FROM entities e {where} ORDER BY quoted DESC, e.name LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        found = [self.entity(row[0]) for row in rows]
        return [EntitySummary(e.key, e.name, e.kind, e.aliases, row[1]) for e, row in zip(found, rows)], total

    def entity(self, key: str) -> Entity | None:
        """One stored entity with the names it went by."""
        row = self._db.execute("SELECT key, name, kind FROM entities WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        aliases = [r[0] for r in self._db.execute("SELECT alias FROM entity_aliases WHERE entity_key = ? ORDER BY alias", (key,))]
        return Entity(row[0], row[1], row[2], tuple(aliases))

    def quotes_by(self, entity_key: str, limit: int, offset: int) -> tuple[list[QuoteRow], int]:
        """Every quote attributed to an entity, across articles and stories (newest article
        first), one page of them and the total."""
        total = self._db.execute("SELECT count(*) FROM quotes WHERE speaker_entity = ?", (entity_key,)).fetchone()[0]
        rows = self._db.execute(
            """SELECT q.*, a.title, a.outlet, a.published, s.story_id, t.title AS story_title
               FROM quotes q JOIN articles a ON a.id = q.article_id
               LEFT JOIN story_articles s ON s.article_id = a.id LEFT JOIN stories t ON t.id = s.story_id
               WHERE q.speaker_entity = ?
               ORDER BY coalesce(a.published, '') DESC, q.article_id DESC, q.seq LIMIT ? OFFSET ?""",
            (entity_key, limit, offset),
        ).fetchall()
        quotes = [
            QuoteRow(r["article_id"], r["title"], r["outlet"] or UNKNOWN_OUTLET,
                     r["published"], r["story_id"], r["story_title"], r["kind"], r["start"], r["end"], r["text"],
                     r["cue"], r["speaker"])
            for r in rows
        ]
        return quotes, total
