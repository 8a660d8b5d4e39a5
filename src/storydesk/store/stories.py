"""The store's story tables: clustering profiles, term document frequencies, stories, their
members and blocking keys, and the story history (merges, splits, rebuilds). Every lookup is
bounded (an index range with a LIMIT), so placing one article costs the same whatever the
number of stories; a merge or split writes the rows of the articles it moves. Profiles and frequencies read while
placing are cached: consecutive placements compare with the same stories' members, and parsing
their JSON and querying their keys' frequencies again was a third of ``storydesk load``."""
from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date

from storydesk.model import UNKNOWN_OUTLET, ArticleProfile, Story, StoryDates, day_in_nearest_year
from storydesk.store.clock import utc_now

DOCUMENT_COUNT = ""  # the term_df row whose df is the number of profiled documents
SQL_VARIABLES = 900  # keys per IN (...) query, under SQLite's default variable limit
CACHED_FREQUENCIES = 1_000_000  # cached term frequencies (about 100 MB) before that cache is emptied
CACHED_PROFILES = 20_000  # cached parsed profiles (about 100 MB) before that cache is emptied
MAX_REDIRECTS = 100  # history rows followed from a story id that no longer exists to the story it became
TITLE_CHARACTERS = 120  # an untitled article's story is titled by the start of its text
TITLE_MEMBERS = 20  # a story's title is chosen among its first members: the cost stays bounded
CUT_TITLE_CHARACTERS = 40  # titles this long or more may have been cut at a site's length cap
TITLE_WORD = re.compile(r"\w{4,}")
ALL_WORDS = re.compile(r"\w+(?:['’]\w+)*")  # words, "ID’d" one of them


@dataclass(frozen=True)
class StoryChange:
    """One entry of the story history: articles that moved from one story to another, when and
    why. ``kind``: merge (the whole story joined another and ceased), split (part of it left;
    the story goes on) or rebuild (re-clustered; the story ceased, its articles are mostly in
    ``into_story``). ``rule`` and ``score`` say what decided it, ``article_id`` the arriving
    article that prompted it (none for a rebuild)."""

    at: str
    kind: str
    story_id: int
    into_story: int
    article_ids: list[int]
    rule: str
    score: float | None
    article_id: int | None


def story_title(title: str | None, text: str) -> str:
    """A story's title from one article: its title, else the start of its text, cut after a
    whole word."""
    if title:
        return title
    if len(text) <= TITLE_CHARACTERS:
        return text
    start = text[:TITLE_CHARACTERS]
    return (start[: start.rfind(" ")] if " " in start else start).rstrip(" ,;:-–—") + "…"


def representative_title(members: Sequence[tuple[str | None, str]], known: Collection[str] = ()) -> str:
    """The title of the member (title, text) whose title is most like the others' (the sum of
    its Jaccard similarities over words of four letters or more, the earliest on a tie): a story
    reads under the headline most of its articles agree with, not under a side story or a social
    post that happened to come first. Titles cut at a site's length cap (``_cut_short``) are
    passed over; if all are, the chosen one loses its piece of a word."""
    titles = [story_title(title, text) for title, text in members]
    words = [frozenset(TITLE_WORD.findall(title.lower())) for title in titles]
    def likeness(i: int) -> float:
        return sum(len(words[i] & other) / len(words[i] | other) for j, other in enumerate(words) if j != i and words[i] | other)
    cut = _cut_short(titles, [title for title, _ in members], [text for _, text in members], known)
    whole = [i for i in range(len(titles)) if i not in cut]
    if whole:
        return titles[max(whole, key=lambda i: (likeness(i), -i))]
    return _without_cut_word(titles[max(range(len(titles)), key=lambda i: (likeness(i), -i))])


def _without_cut_word(title: str) -> str:
    """A cut title without the piece of a word it ends in ("... shooting happ": "... shooting …"),
    so that no story reads under half a word."""
    last = ALL_WORDS.findall(title)[-1]
    return title[: len(title) - len(last)].rstrip(" ,;:-–—") + " …"


def _cut_short(
    titles: Sequence[str], given: Sequence[str | None], texts: Sequence[str], known: Collection[str] = ()
) -> set[int]:
    """The titles cut at a site's length cap ("... shooting that left 6-year-old dea"): of
    CUT_TITLE_CHARACTERS or more, ending in a word written nowhere else in the story's titles and
    texts but the start of a longer one written there ("dea": "dead"), and not among the
    ``known`` words (written in other articles: "gun" is whole although a text says "gunfire")."""
    written = Counter(word for title, text in zip(given, texts) for word in ALL_WORDS.findall(f"{title or ''} {text}".lower()))
    def cut(title: str) -> bool:
        last = ALL_WORDS.findall(title.lower())[-1:]
        if len(title) < CUT_TITLE_CHARACTERS or not last or not title.lower().endswith(last[0]) or written[last[0]] > 1:
            return False
        return last[0] not in known and any(word.startswith(last[0]) and word != last[0] for word in written)
    return {i for i, title in enumerate(titles) if cut(title)}


def last_words(titles: Iterable[str]) -> set[str]:
    """The last word of each title, lowercased: what ``_cut_short`` asks the store about."""
    return {words[-1] for words in (ALL_WORDS.findall(title.lower()) for title in titles) if words}


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
        return None if row is None else ArticleProfile.from_dict(json.loads(row[0]))

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
        self._profiles.update((row[0], ArticleProfile.from_dict(json.loads(row[1]))) for row in rows)
        return [self._profiles[member] for member in members if member in self._profiles]

    def create_story(self, title: str) -> int:
        """A new, empty story; its id is one no story ever had (``story_sequence``), so that an
        old link never lands on another story."""
        now = utc_now()
        story_id = self._db.execute("UPDATE story_sequence SET last = last + 1 RETURNING last").fetchone()[0]
        self._db.execute(
            "INSERT INTO stories(id, title, created_at, updated_at) VALUES (?, ?, ?, ?)", (story_id, title, now, now)
        )
        return story_id

    def add_to_story(self, story_id: int, article_id: int, score: float, keys: Iterable[str], published: str | None) -> None:
        """Make an article a member of a story, index the story under the article's keys, widen
        its stored date range (what the story list is ordered by) and title it again."""
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
        self._retitle(story_id)

    def story_of(self, article_id: int) -> int | None:
        row = self._db.execute("SELECT story_id FROM story_articles WHERE article_id = ?", (article_id,)).fetchone()
        return None if row is None else row[0]

    def story_size(self, story_id: int) -> int:
        row = self._db.execute("SELECT size FROM stories WHERE id = ?", (story_id,)).fetchone()
        return 0 if row is None else row[0]

    def merge_stories(self, story_id: int, into: int, rule: str, score: float, article_id: int | None) -> None:
        """Move every member of ``story_id`` and its keys into ``into`` and forget ``story_id``;
        the merge is recorded in the history, so that ``story_id`` leads to ``into``."""
        moved = self.member_ids(story_id)
        self._db.execute("UPDATE story_articles SET story_id = ? WHERE story_id = ?", (into, story_id))
        self._db.execute(
            "INSERT INTO story_keys(key, story_id, count) SELECT key, ?, count FROM story_keys WHERE story_id = ? AND true"
            " ON CONFLICT(key, story_id) DO UPDATE SET count = count + excluded.count",
            (into, story_id),
        )
        self._db.execute("DELETE FROM story_keys WHERE story_id = ?", (story_id,))
        self._db.execute("DELETE FROM stories WHERE id = ?", (story_id,))
        self._refresh_story(into)
        self.record_change("merge", story_id, into, moved, rule, score, article_id)

    def split_story(
        self, story_id: int, articles: Sequence[int], into: int | None, keys: Mapping[int, Sequence[str]],
        rule: str, score: float, article_id: int | None,
    ) -> int:
        """Move ``articles`` out of ``story_id`` into the story ``into``, or a new one (None);
        index ``story_id`` again under the ``keys`` of its
        remaining members (``keys`` has every member's) and the receiving story under the moved
        ones'; record the split. Returns the receiving story."""
        target = self.create_story("") if into is None else into
        self._db.executemany(
            "UPDATE story_articles SET story_id = ? WHERE article_id = ? AND story_id = ?",
            [(target, article, story_id) for article in articles],
        )
        self._db.execute("DELETE FROM story_keys WHERE story_id = ?", (story_id,))
        self._index_story(story_id, Counter(k for m in self.member_ids(story_id) for k in dict.fromkeys(keys.get(m, ()))))
        self._index_story(target, Counter(k for m in articles for k in dict.fromkeys(keys.get(m, ()))))
        for changed in (story_id, target):
            self._refresh_story(changed)
        self.record_change("split", story_id, target, sorted(articles), rule, score, article_id)
        return target

    def member_ids(self, story_id: int) -> list[int]:
        """A story's member ids, in id order."""
        rows = self._db.execute("SELECT article_id FROM story_articles WHERE story_id = ? ORDER BY article_id", (story_id,))
        return [row[0] for row in rows]

    def _index_story(self, story_id: int, keys: Counter[str]) -> None:
        """Add ``keys`` (each with the number of members holding it) to a story's blocking keys."""
        self._db.executemany(
            "INSERT INTO story_keys(key, story_id, count) VALUES (?, ?, ?)"
            " ON CONFLICT(key, story_id) DO UPDATE SET count = count + excluded.count",
            [(key, story_id, count) for key, count in keys.items()],
        )

    def _refresh_story(self, story_id: int) -> None:
        """A story's size, date range and title read again from its members (after members moved)."""
        self._db.execute(
            "UPDATE stories SET updated_at = ?, (size, first_date, last_date) = (SELECT count(*),"
            " min(CASE WHEN a.published GLOB '[0-9]*' THEN a.published END),"
            " max(CASE WHEN a.published GLOB '[0-9]*' THEN a.published END)"
            " FROM story_articles s JOIN articles a ON a.id = s.article_id WHERE s.story_id = ?) WHERE id = ?",
            (utc_now(), story_id, story_id),
        )
        self._retitle(story_id)

    def _retitle(self, story_id: int) -> None:
        """Title a story by ``representative_title`` of its first TITLE_MEMBERS members written
        in its main language (the one most of them are in; on a tie the first member's), so that
        a story of English articles that a Malay one opened reads in English."""
        members = self._db.execute(
            "WITH members AS (SELECT a.id, a.language FROM story_articles s"
            " JOIN articles a ON a.id = s.article_id WHERE s.story_id = ?),"
            " main AS (SELECT language FROM members GROUP BY language ORDER BY count(*) DESC, min(id) LIMIT 1)"
            " SELECT title, text FROM articles WHERE id IN (SELECT id FROM members"
            " WHERE language IS (SELECT language FROM main)) ORDER BY id LIMIT ?",
            (story_id, TITLE_MEMBERS),
        ).fetchall()
        if members:
            known = self._words_written(last_words(story_title(title, text) for title, text in members))
            self._db.execute("UPDATE stories SET title = ? WHERE id = ?", (representative_title(members, known), story_id))

    def _words_written(self, words: Iterable[str]) -> set[str]:
        """Those of ``words`` some article's text holds as a whole word (the full-text index)."""
        query = "SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT 1"
        return {word for word in words if self._db.execute(query, (f'text : "{word.replace(chr(34), "")}"',)).fetchone()}

    def record_change(
        self, kind: str, story_id: int, into: int, articles: Sequence[int], rule: str, score: float | None, article_id: int | None
    ) -> None:
        """Add an entry to the story history."""
        self._db.execute(
            "INSERT INTO story_history(at, kind, story_id, into_story, articles, rule, score, article_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (utc_now(), kind, story_id, into, json.dumps(list(articles)), rule, None if score is None else round(score, 4), article_id),
        )

    def story_history(self, story_id: int) -> list[StoryChange]:
        """The changes that moved articles out of or into a story, oldest first."""
        rows = self._db.execute(
            "SELECT * FROM story_history WHERE story_id = ? UNION SELECT * FROM story_history WHERE into_story = ? ORDER BY id",
            (story_id, story_id),
        )
        return [
            StoryChange(r["at"], r["kind"], r["story_id"], r["into_story"], json.loads(r["articles"]), r["rule"], r["score"], r["article_id"])
            for r in rows
        ]

    def next_to_sweep(self) -> int | None:
        """The story after the one swept last, in id order (after the newest: the oldest
        again), remembered as swept (``story_sweep``); None when there are no stories."""
        row = self._db.execute(
            "SELECT coalesce((SELECT min(id) FROM stories WHERE id > (SELECT after FROM story_sweep)), (SELECT min(id) FROM stories))"
        ).fetchone()
        if row[0] is not None:
            self._db.execute("UPDATE story_sweep SET after = ?", (row[0],))
        return row[0]

    def history_count(self) -> int:
        """How many entries the story history holds."""
        return self._db.execute("SELECT count(*) FROM story_history").fetchone()[0]

    def current_story(self, story_id: int) -> int | None:
        """The story that ``story_id`` is now: itself while it exists, else the story it was
        merged or rebuilt into, followed on (at most MAX_REDIRECTS steps); None if it never was."""
        for _ in range(MAX_REDIRECTS):
            if self._db.execute("SELECT 1 FROM stories WHERE id = ?", (story_id,)).fetchone():
                return story_id
            row = self._db.execute(
                "SELECT into_story FROM story_history WHERE story_id = ? AND kind IN ('merge', 'rebuild') ORDER BY id DESC LIMIT 1",
                (story_id,),
            ).fetchone()
            if row is None:
                return None
            story_id = row[0]
        return None

    def unplaced(self) -> list[int]:
        """Ids of articles that have an analysis but belong to no story yet."""
        rows = self._db.execute(
            "SELECT n.article_id FROM analyses n LEFT JOIN story_articles s ON s.article_id = n.article_id"
            " WHERE s.article_id IS NULL ORDER BY n.article_id"
        )
        return [row[0] for row in rows]

    def clear_stories(self) -> None:
        """Forget every story, membership, profile and key frequency, before a rebuild clusters
        the whole store again at once (the history and the last story id stay)."""
        for table in ("story_keys", "story_articles", "stories", "profiles", "term_df"):
            self._db.execute(f"DELETE FROM {table}")
        self.forget_cached()

    def stories_since(self, day: str) -> list[int]:
        """Stories with an article published on or after ``day`` (ISO), and undated stories
        changed on or after it: the window ``cluster --rebuild --since`` clusters again."""
        rows = self._db.execute(
            "SELECT id FROM stories WHERE last_date >= ? OR (last_date IS NULL AND updated_at >= ?) ORDER BY id", (day, day)
        )
        return [row[0] for row in rows]

    def memberships(self, stories: Iterable[int] | None = None) -> dict[int, int]:
        """The story of each member of ``stories`` (by default of every story), by article id."""
        if stories is None:
            rows = self._db.execute("SELECT article_id, story_id FROM story_articles")
        else:
            rows = self._rows_in("SELECT article_id, story_id FROM story_articles WHERE story_id IN ({marks})", list(stories))
        return {row[0]: row[1] for row in rows}

    def remove_stories(self, stories: Iterable[int]) -> None:
        """Forget the given stories, their memberships and keys (their articles' profiles stay)."""
        for table, column in (("story_keys", "story_id"), ("story_articles", "story_id"), ("stories", "id")):
            self._db.executemany(f"DELETE FROM {table} WHERE {column} = ?", [(story,) for story in stories])

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
        """A story with its members, outlets and dates: those its dossier gave it when a member
        is undated (``story_dates``), else the range of its members' publication dates."""
        members = self._db.execute(
            "SELECT a.id, a.outlet, a.published FROM story_articles s JOIN articles a ON a.id = s.article_id"
            " WHERE s.story_id = ? ORDER BY a.id",
            (row["id"],),
        ).fetchall()
        outlets = dict.fromkeys(m["outlet"] or UNKNOWN_OUTLET for m in members)
        dated = self._db.execute("SELECT * FROM story_dates WHERE story_id = ?", (row["id"],)).fetchone()
        first, last = publication_range([m["published"] for m in members]) if dated is None else (dated["first"], dated["last"])
        return Story(
            id=row["id"], title=row["title"], article_ids=[m["id"] for m in members],
            first_date=first, last_date=last, outlets=list(outlets),
            first_bound=dated and dated["first_bound"], last_bound=dated and dated["last_bound"],
        )

    def stories_to_date(self) -> list[int]:
        """Stories with an undated member whose dates were not fixed since they last changed."""
        rows = self._db.execute(
            "SELECT DISTINCT s.story_id FROM story_articles s JOIN articles a ON a.id = s.article_id"
            " WHERE coalesce(a.published, '') = '' AND s.story_id NOT IN (SELECT story_id FROM story_dates)"
            " ORDER BY s.story_id"
        )
        return [row[0] for row in rows]

    def save_story_dates(self, story_id: int, dates: StoryDates) -> None:
        """Keep the dates a story's dossier gives it (see ``_story``)."""
        self._db.execute(
            "INSERT OR REPLACE INTO story_dates(story_id, first, last, first_bound, last_bound) VALUES (?, ?, ?, ?, ?)",
            (story_id, dates.first, dates.last, dates.first_bound, dates.last_bound),
        )


def publication_range(published: list[str | None]) -> tuple[str | None, str | None]:
    """The earliest and latest of articles' publication dates (ISO), a day given without its
    year placed in the year nearest the dated days (as the dossier dates it)."""
    dated = [value for value in published if value and value[:1].isdigit()]
    days = [date.fromisoformat(value) for value in dated if len(value) == 10]
    placed = [day_in_nearest_year(value, days) for value in published if value and value.startswith("--")]
    known = sorted(dated + [day.isoformat() for day in placed if day])
    return (known[0], known[-1]) if known else (None, None)
