"""The store's story tables: clustering profiles, term document frequencies, stories, their
members and blocking keys. Every lookup is bounded (an index range with a LIMIT), so placing
one article costs the same whatever the number of stories. Profiles and frequencies read while
placing are cached: consecutive placements compare with the same stories' members, and parsing
their JSON and querying their keys' frequencies again was a third of ``storydesk load``."""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import asdict, fields
from datetime import date

from storydesk.model import UNKNOWN_OUTLET, ArticleProfile, Story, day_in_nearest_year
from storydesk.store.clock import utc_now

DOCUMENT_COUNT = ""  # the term_df row whose df is the number of profiled documents
SQL_VARIABLES = 900  # keys per IN (...) query, under SQLite's default variable limit
CACHED_FREQUENCIES = 1_000_000  # cached term frequencies (about 100 MB) before that cache is emptied
CACHED_PROFILES = 20_000  # cached parsed profiles (about 100 MB) before that cache is emptied


class StoryTables:
    """Story methods of ``Store`` (a mixin over its connection ``self._db``)."""

    _db: sqlite3.Connection
    _frequencies: dict[str, int | None]  # term -> stored document frequency (None: no row yet)
    _profiles: dict[int, ArticleProfile]
    _data_version: int | None

    # -- caches -------------------------------------------------------------------------------

    def forget_cached(self) -> None:
        """Drop the cached profiles and frequencies (after a rollback, or when another
        connection has written to the file)."""
        self._frequencies, self._profiles, self._data_version = {}, {}, None

    def _check_cached(self) -> None:
        """Forget the caches when another connection committed since they were filled (SQLite's
        ``data_version`` changes only for other connections' commits)."""
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            self.forget_cached()
            self._data_version = version

    # -- profiles and document frequencies ----------------------------------------------------

    def save_profile(self, profile: ArticleProfile, keys: Iterable[str]) -> None:
        """Store (or replace) an article's profile with the keys (words, entities...) it counts
        under, keeping every key's document frequency true."""
        row = self._db.execute("SELECT keys FROM profiles WHERE article_id = ?", (profile.article_id,)).fetchone()
        if row is not None:
            self._count_keys(json.loads(row[0]), -1)
        self._profiles.pop(profile.article_id, None)
        keys = sorted(set(keys))
        self._db.execute(
            "INSERT OR REPLACE INTO profiles(article_id, data, keys) VALUES (?, ?, ?)",
            (profile.article_id, json.dumps(asdict(profile), ensure_ascii=False), json.dumps(keys, ensure_ascii=False)),
        )
        self._count_keys(keys, +1)

    def _count_keys(self, keys: Iterable[str], step: int) -> None:
        """Add ``step`` to the document frequency of each key and to the document count, in the
        table and in the cache."""
        counted = (DOCUMENT_COUNT, *keys)
        self._db.executemany(
            "INSERT INTO term_df(term, df) VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
            [(key, step) for key in counted],
        )
        cached = self._frequencies
        for key in counted:
            if key in cached:
                cached[key] = (cached[key] or 0) + step

    def profile(self, article_id: int | None) -> ArticleProfile | None:
        row = self._db.execute("SELECT data FROM profiles WHERE article_id = ?", (article_id,)).fetchone()
        return None if row is None else profile_from_dict(json.loads(row[0]))

    def document_frequencies(self, keys: Iterable[str]) -> tuple[int, dict[str, int]]:
        """The number of profiled documents and the document frequency of each of ``keys`` that
        has been counted."""
        self._check_cached()
        wanted = set(keys) | {DOCUMENT_COUNT}
        self._read_frequencies(wanted)
        found = {key: self._frequencies[key] for key in wanted if self._frequencies[key] is not None}
        documents = found.pop(DOCUMENT_COUNT, 0)
        return documents, found

    def _read_frequencies(self, keys: Collection[str]) -> None:
        """Bring the frequencies of ``keys`` into the cache (None for a key never counted)."""
        missing = [key for key in keys if key not in self._frequencies]
        if len(self._frequencies) + len(missing) > CACHED_FREQUENCIES:
            self._frequencies, missing = {}, list(keys)
        self._frequencies.update(dict.fromkeys(missing))
        self._frequencies.update(self._rows_in("SELECT term, df FROM term_df WHERE term IN ({marks})", missing))

    def _rows_in(self, query: str, values: list) -> Iterator[sqlite3.Row]:
        """The rows of ``query``, whose ``{marks}`` is an IN list, for all ``values``: one query
        per SQL_VARIABLES of them."""
        for start in range(0, len(values), SQL_VARIABLES):
            chunk = values[start : start + SQL_VARIABLES]
            yield from self._db.execute(query.format(marks=",".join("?" * len(chunk))), chunk)

    # -- stories ------------------------------------------------------------------------------

    def stories_under(self, key: str, limit: int) -> list[int]:
        """The newest ``limit`` stories indexed under ``key``, newest first (what placement
        ranks candidates from, ``cluster.online``)."""
        rows = self._db.execute("SELECT story_id FROM story_keys WHERE key = ? ORDER BY story_id DESC LIMIT ?", (key, limit))
        return [row[0] for row in rows]

    def member_profiles(self, story_id: int, limit: int = 20) -> list[ArticleProfile]:
        """The profiles of a story's newest ``limit`` members, newest first."""
        self._check_cached()
        rows = self._db.execute(
            "SELECT article_id FROM story_articles WHERE story_id = ? ORDER BY article_id DESC LIMIT ?", (story_id, limit)
        )
        members = [row[0] for row in rows]
        missing = [member for member in members if member not in self._profiles]
        if len(self._profiles) + len(missing) > CACHED_PROFILES:
            self._profiles, missing = {}, members
        rows = self._rows_in("SELECT article_id, data FROM profiles WHERE article_id IN ({marks})", missing)
        self._profiles.update((row[0], profile_from_dict(json.loads(row[1]))) for row in rows)
        return [self._profiles[member] for member in members if member in self._profiles]

    def create_story(self, title: str) -> int:
        now = utc_now()
        cursor = self._db.execute(
            "INSERT INTO stories(title, created_at, updated_at) VALUES (?, ?, ?)", (title, now, now)
        )
        return cursor.lastrowid

    def add_to_story(self, story_id: int, article_id: int, score: float, keys: Iterable[str], published: str | None) -> None:
        """Make an article a member of a story, index the story under the article's keys and
        widen its stored date range (what the story list is ordered by)."""
        self._db.execute(
            "INSERT OR REPLACE INTO story_articles(article_id, story_id, score) VALUES (?, ?, ?)",
            (article_id, story_id, round(score, 4)),
        )
        self._db.executemany(
            "INSERT INTO story_keys(key, story_id, count) VALUES (?, ?, 1)"
            " ON CONFLICT(key, story_id) DO UPDATE SET count = count + 1",
            [(key, story_id) for key in dict.fromkeys(keys)],
        )
        day = published if published and published[:1].isdigit() else None
        self._db.execute(
            "UPDATE stories SET size = size + 1, updated_at = ?,"
            " first_date = CASE WHEN ? IS NULL OR (first_date IS NOT NULL AND first_date <= ?) THEN first_date ELSE ? END,"
            " last_date = CASE WHEN ? IS NULL OR (last_date IS NOT NULL AND last_date >= ?) THEN last_date ELSE ? END"
            " WHERE id = ?",
            (utc_now(), day, day, day, day, day, day, story_id),
        )

    def story_of(self, article_id: int) -> int | None:
        row = self._db.execute("SELECT story_id FROM story_articles WHERE article_id = ?", (article_id,)).fetchone()
        return None if row is None else row[0]

    def unplaced(self) -> list[int]:
        """Ids of articles that have an analysis but belong to no story yet."""
        rows = self._db.execute(
            "SELECT n.article_id FROM analyses n LEFT JOIN story_articles s ON s.article_id = n.article_id"
            " WHERE s.article_id IS NULL ORDER BY n.article_id"
        )
        return [row[0] for row in rows]

    def clear_stories(self) -> None:
        """Forget every story, membership, profile and key frequency, before a rebuild clusters
        the whole store again at once."""
        for table in ("story_keys", "story_articles", "stories", "profiles", "term_df"):
            self._db.execute(f"DELETE FROM {table}")
        self.forget_cached()

    def story_count(self) -> int:
        return self._db.execute("SELECT count(*) FROM stories").fetchone()[0]

    def stories(self, limit: int | None = None, offset: int = 0) -> Iterator[Story]:
        """Stories newest first (by their latest article's date, then by id)."""
        rows = self._db.execute(
            "SELECT * FROM stories ORDER BY coalesce(last_date, '') DESC, id DESC LIMIT ? OFFSET ?",
            (-1 if limit is None else limit, offset),
        ).fetchall()
        for row in rows:
            yield self._story(row)

    def story(self, story_id: int) -> Story | None:
        row = self._db.execute("SELECT * FROM stories WHERE id = ?", (story_id,)).fetchone()
        return None if row is None else self._story(row)

    def _story(self, row: sqlite3.Row) -> Story:
        members = self._db.execute(
            "SELECT a.id, a.outlet, a.published FROM story_articles s JOIN articles a ON a.id = s.article_id"
            " WHERE s.story_id = ? ORDER BY a.id",
            (row["id"],),
        ).fetchall()
        outlets = dict.fromkeys(m["outlet"] or UNKNOWN_OUTLET for m in members)
        first, last = publication_range([m["published"] for m in members])
        return Story(
            id=row["id"], title=row["title"], article_ids=[m["id"] for m in members],
            first_date=first, last_date=last, outlets=list(outlets),
        )


def publication_range(published: list[str | None]) -> tuple[str | None, str | None]:
    """The earliest and latest of articles' publication dates (ISO), a day given without its
    year placed in the year nearest the dated days (as the dossier dates it)."""
    dated = [value for value in published if value and value[:1].isdigit()]
    days = [date.fromisoformat(value) for value in dated if len(value) == 10]
    placed = [day_in_nearest_year(value, days) for value in published if value and value.startswith("--")]
    known = sorted(dated + [day.isoformat() for day in placed if day])
    return (known[0], known[-1]) if known else (None, None)


def profile_from_dict(data: Mapping) -> ArticleProfile:
    """An ArticleProfile back from its stored JSON form (JSON lists become the tuples they were)."""
    values = {f.name: data[f.name] for f in fields(ArticleProfile) if f.name in data}
    return ArticleProfile(**{name: tuple(v) if isinstance(v, list) else v for name, v in values.items()})
