"""SQLite store of articles. Writes happen inside ``Store.transaction()``: one per article, so an
interrupted ingest never leaves half an article behind and a re-run resumes where it stopped."""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from storydesk.model import (
    Analysis,
    Article,
    DateEvidence,
    DuplicateLink,
    Entity,
    Extraction,
    Origin,
    PublicationDate,
    RemovedLine,
    outlet_name,
)
from storydesk.store.clock import utc_now
from storydesk.store.browse import BrowseQueries
from storydesk.store.schema import MIGRATIONS, SCHEMA_VERSION
from storydesk.store.stories import StoryTables
from storydesk.words import name_keys


class StoreError(Exception):
    """The store file cannot be used (newer schema, not a database, locked)."""


@dataclass(frozen=True)
class SearchHit:
    """A full-text match: the article, a highlighted snippet and the BM25 rank (lower is better)."""

    article: Article
    snippet: str
    rank: float


class Store(StoryTables, BrowseQueries):
    """One SQLite file holding every article, its origins, removed lines and duplicate links."""

    def __init__(self, path: str | Path = "storydesk.db") -> None:
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.create_function("name_keys", 1, lambda name: json.dumps(name_keys(name)), deterministic=True)
            self._db.create_function("outlet_name", 3, _stored_outlet, deterministic=True)
            self.forget_cached()
            self._migrate()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.path}: cannot open store: {error}") from error

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema -------------------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: schema version {version} is newer than this storydesk "
                f"understands ({SCHEMA_VERSION}); upgrade storydesk"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                for statement in _statements(script):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction (BEGIN IMMEDIATE): all of it is stored, or none."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            self.forget_cached()
            raise
        self._db.execute("COMMIT")

    # -- lookups used while ingesting ---------------------------------------------------------

    def article_id_for_content(self, content_hash: str) -> int | None:
        row = self._db.execute("SELECT id FROM articles WHERE content_hash = ?", (content_hash,)).fetchone()
        return None if row is None else row[0]

    def original_with_text(self, text_hash: str) -> int | None:
        """The first stored article with this exact normalised text."""
        row = self._db.execute(
            "SELECT id FROM articles WHERE text_hash = ? ORDER BY id LIMIT 1", (text_hash,)
        ).fetchone()
        return None if row is None else row[0]

    def original_of(self, article_id: int) -> int:
        """The article this one duplicates, or itself when it is an original."""
        row = self._db.execute("SELECT duplicate_of FROM articles WHERE id = ?", (article_id,)).fetchone()
        return article_id if row is None or row[0] is None else row[0]

    def near_candidates(self, buckets: tuple[tuple[int, int], ...]) -> list[tuple[int, bytes]]:
        """Articles sharing at least one LSH bucket, with their signatures, oldest first."""
        if not buckets:
            return []
        clause = " OR ".join(["(b.band = ? AND b.bucket = ?)"] * len(buckets))
        params = [value for pair in buckets for value in pair]
        rows = self._db.execute(
            f"SELECT DISTINCT s.article_id, s.signature FROM minhash_bands b "
            f"JOIN minhash_signatures s ON s.article_id = b.article_id WHERE {clause} ORDER BY s.article_id",
            params,
        ).fetchall()
        return [(row[0], row[1]) for row in rows]

    # -- writes (call inside transaction()) ---------------------------------------------------

    def add_origin(self, article_id: int, origin: Origin) -> bool:
        """Record another place the same content was found; False when already known."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO article_origins(article_id, location, record) VALUES (?, ?, ?)",
            (article_id, origin.location, origin.record or ""),
        )
        return cursor.rowcount == 1

    def add_article(
        self, article: Article, text_hash: str, signature: bytes, buckets: tuple[tuple[int, int], ...]
    ) -> int:
        """Insert an article with its origin, removed lines and MinHash rows; returns its id."""
        ex = article.extraction
        dup = article.duplicate_of
        cursor = self._db.execute(
            """INSERT INTO articles(content_hash, text_hash, location, record, raw_format, url, title,
                   author, site, published, date_precision, date_evidence, date_rejected, dateline,
                   agencies, language, text, duplicate_of, duplicate_kind, duplicate_similarity,
                   ingested_at, outlet, outlet_from)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                article.content_hash, text_hash, article.origin.location, article.origin.record,
                article.raw_format, ex.url, ex.title, ex.author, ex.site, ex.published.value,
                ex.published.precision, _evidence_json(ex.published.evidence),
                _evidence_json(ex.published.rejected), ex.dateline, json.dumps(ex.agencies),
                ex.language, ex.text, dup and dup.article_id, dup and dup.kind,
                dup and dup.similarity, utc_now(), ex.outlet, ex.outlet_from,
            ),
        )
        article_id = cursor.lastrowid
        self.add_origin(article_id, article.origin)
        self._db.executemany(
            "INSERT INTO removed_lines(article_id, line_no, text, reason) VALUES (?, ?, ?, ?)",
            [(article_id, line.line_no, line.text, line.reason) for line in ex.removed],
        )
        self._db.execute(
            "INSERT INTO minhash_signatures(article_id, signature) VALUES (?, ?)", (article_id, signature)
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO minhash_bands(band, bucket, article_id) VALUES (?, ?, ?)",
            [(band, bucket, article_id) for band, bucket in buckets],
        )
        return article_id

    def save_analysis(self, article_id: int, analysis: Analysis) -> None:
        """Store (or replace) an article's analysis, its entities, mentions and quotes."""
        for table in ("analyses", "mentions", "quotes"):
            self._db.execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))
        self._db.execute(
            "INSERT INTO analyses(article_id, version, analysed_at, data) VALUES (?, ?, ?, ?)",
            (article_id, analysis.version, utc_now(), json.dumps(asdict(analysis), ensure_ascii=False)),
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO entities(key, name, kind) VALUES (?, ?, ?)",
            [(e.key, e.name, e.kind) for e in analysis.entities],
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO entity_aliases(entity_key, alias) VALUES (?, ?)",
            [(e.key, alias) for e in analysis.entities for alias in {e.name, *e.aliases}],
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO person_keys(key, entity_key) VALUES (?, ?)",
            [(key, e.key) for e in analysis.entities if e.kind == "PERSON" for key in name_keys(e.name)],
        )
        self._db.executemany(
            "INSERT INTO mentions(article_id, start, end, entity_key, via) VALUES (?, ?, ?, ?, ?)",
            [(article_id, m.span.start, m.span.end, m.entity, m.via) for m in analysis.mentions],
        )
        self._db.executemany(
            "INSERT INTO quotes(article_id, seq, kind, start, end, text, cue, speaker, speaker_entity)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (article_id, seq, q.kind, q.content.start, q.content.end, q.content.text,
                 q.cue and q.cue.text, q.speaker and q.speaker.text, q.speaker_entity)
                for seq, q in enumerate(analysis.quotes)
            ],
        )

    # -- reading back -------------------------------------------------------------------------

    def known_persons(self, names: Iterable[str]) -> list[Entity]:
        """Stored persons, with their aliases, whose name shares a name key (``words.name_keys``:
        how a surname begins) with one of ``names``: what a new article's persons may link to."""
        keys = sorted({key for name in names for key in name_keys(name)})
        if not keys:
            return []
        rows = self._db.execute(
            "SELECT e.key, e.name, e.kind, group_concat(a.alias, char(31)) FROM entities e"
            " LEFT JOIN entity_aliases a ON a.entity_key = e.key"
            f" WHERE e.key IN (SELECT entity_key FROM person_keys WHERE key IN ({','.join('?' * len(keys))}))"
            " GROUP BY e.key",
            keys,
        ).fetchall()
        return [Entity(r[0], r[1], r[2], tuple(r[3].split("\x1f")) if r[3] else ()) for r in rows]

    def needing_analysis(self, version: str | None) -> list[int]:
        """Ids of articles with no analysis, or (given a version) one made by another version."""
        rows = self._db.execute(
            "SELECT a.id FROM articles a LEFT JOIN analyses n ON n.article_id = a.id"
            " WHERE n.article_id IS NULL OR (? IS NOT NULL AND n.version != ?) ORDER BY a.id",
            (version, version),
        ).fetchall()
        return [row[0] for row in rows]

    def analysis(self, article_id: int) -> Analysis | None:
        row = self._db.execute("SELECT data FROM analyses WHERE article_id = ?", (article_id,)).fetchone()
        return None if row is None else Analysis.from_dict(json.loads(row[0]))

    def article_ids(self) -> list[int]:
        return [row[0] for row in self._db.execute("SELECT id FROM articles ORDER BY id")]

    def count(self) -> int:
        return self._db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def articles(self, limit: int | None = None, offset: int = 0) -> Iterator[Article]:
        """Articles in id order, streamed (bounded memory for exports of any size)."""
        cursor = self._db.execute(
            "SELECT * FROM articles ORDER BY id LIMIT ? OFFSET ?", (-1 if limit is None else limit, offset)
        )
        for row in cursor:
            yield self._article(row, with_details=False)

    def article(self, article_id: int) -> Article | None:
        row = self._db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return None if row is None else self._article(row, with_details=True)

    def origins(self, article_id: int) -> list[Origin]:
        """Every place this article's content was found, the first one first."""
        rows = self._db.execute(
            "SELECT location, record FROM article_origins WHERE article_id = ? ORDER BY rowid", (article_id,)
        ).fetchall()
        return [Origin(row[0], row[1] or None) for row in rows]

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """FTS5 search over title and text, best first. A query that is not valid FTS5 syntax
        is searched as plain words."""
        try:
            return self._search(query, limit)
        except sqlite3.OperationalError:
            quoted = " ".join('"' + word.replace('"', '""') + '"' for word in query.split())
            return self._search(quoted, limit) if quoted else []

    def _search(self, match: str, limit: int) -> list[SearchHit]:
        rows = self._db.execute(
            """SELECT a.*, snippet(articles_fts, 1, '[', ']', ' … ', 12) AS snippet, bm25(articles_fts) AS rank
               FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
               WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?""",
            (match, limit),
        ).fetchall()
        return [SearchHit(self._article(row, with_details=False), row["snippet"], row["rank"]) for row in rows]

    def _article(self, row: sqlite3.Row, with_details: bool) -> Article:
        removed = []
        if with_details:
            removed = [
                RemovedLine(r[0], r[1], r[2])
                for r in self._db.execute(
                    "SELECT line_no, text, reason FROM removed_lines WHERE article_id = ? ORDER BY line_no",
                    (row["id"],),
                )
            ]
        extraction = Extraction(
            text=row["text"], title=row["title"], author=row["author"], site=row["site"], url=row["url"],
            published=PublicationDate(
                row["published"], row["date_precision"],
                _evidence_list(row["date_evidence"]), _evidence_list(row["date_rejected"]),
            ),
            dateline=row["dateline"], agencies=json.loads(row["agencies"]), language=row["language"],
            removed=removed, outlet=row["outlet"], outlet_from=row["outlet_from"],
        )
        duplicate = None
        if row["duplicate_of"] is not None:
            duplicate = DuplicateLink(row["duplicate_of"], row["duplicate_kind"], row["duplicate_similarity"])
        return Article(
            origin=Origin(row["location"], row["record"]), content_hash=row["content_hash"],
            raw_format=row["raw_format"], extraction=extraction, id=row["id"],
            duplicate_of=duplicate, ingested_at=row["ingested_at"],
            analysis=self.analysis(row["id"]) if with_details else None,
        )


def _stored_outlet(site: str | None, url: str | None, agencies: str) -> str:
    """``outlet_name`` of an article stored before outlets were (schema 5), as JSON [name, from]."""
    return json.dumps(outlet_name(None, site, url, json.loads(agencies), None))


def _statements(script: str) -> list[str]:
    """Split a migration into statements (sqlite3.complete_statement keeps triggers whole);
    executescript() would commit on its own and break the migration's transaction."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]


def _evidence_json(evidence: list[DateEvidence]) -> str:
    return json.dumps([asdict(item) for item in evidence], ensure_ascii=False)


def _evidence_list(text: str) -> list[DateEvidence]:
    return [DateEvidence(**item) for item in json.loads(text)]
