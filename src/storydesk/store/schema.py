"""The store's schema as an ordered list of migrations; ``PRAGMA user_version`` is the version.
A store made by an older storydesk is brought up to date when it is opened.

Each migration runs once, in its own transaction, so an upgrade is all-or-nothing.
"""
from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: articles, their origins, removed furniture, MinHash bands, full-text index.
    """
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        content_hash TEXT NOT NULL UNIQUE,
        text_hash TEXT NOT NULL,
        location TEXT NOT NULL,
        record TEXT,
        raw_format TEXT NOT NULL CHECK (raw_format IN ('text', 'html')),
        url TEXT,
        title TEXT,
        author TEXT,
        site TEXT,
        published TEXT,
        date_precision TEXT,
        date_evidence TEXT NOT NULL DEFAULT '[]',
        date_rejected TEXT NOT NULL DEFAULT '[]',
        dateline TEXT,
        agencies TEXT NOT NULL DEFAULT '[]',
        language TEXT,
        text TEXT NOT NULL,
        duplicate_of INTEGER REFERENCES articles(id) ON DELETE SET NULL,
        duplicate_kind TEXT CHECK (duplicate_kind IN ('exact', 'near')),
        duplicate_similarity REAL,
        ingested_at TEXT NOT NULL
    );
    CREATE INDEX articles_text_hash ON articles(text_hash);
    CREATE INDEX articles_duplicate_of ON articles(duplicate_of);
    CREATE INDEX articles_published ON articles(published);

    CREATE TABLE article_origins (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        location TEXT NOT NULL,
        record TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (location, record)
    );
    CREATE INDEX article_origins_article ON article_origins(article_id);

    CREATE TABLE removed_lines (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        line_no INTEGER NOT NULL,
        text TEXT NOT NULL,
        reason TEXT NOT NULL,
        PRIMARY KEY (article_id, line_no)
    );

    CREATE TABLE minhash_signatures (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        signature BLOB NOT NULL
    );
    CREATE TABLE minhash_bands (
        band INTEGER NOT NULL,
        bucket INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        PRIMARY KEY (band, bucket, article_id)
    ) WITHOUT ROWID;

    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    END;
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END;
    """,
    # 2: per-article analysis (the whole Analysis as JSON, versioned), and the parts the store
    # is searched by: entities with their aliases, mentions, quotes by speaker.
    """
    CREATE TABLE analyses (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        version TEXT NOT NULL,
        analysed_at TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX analyses_version ON analyses(version);

    CREATE TABLE entities (
        key TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL
    );
    CREATE TABLE entity_aliases (
        entity_key TEXT NOT NULL REFERENCES entities(key) ON DELETE CASCADE,
        alias TEXT NOT NULL,
        PRIMARY KEY (entity_key, alias)
    );
    CREATE TABLE mentions (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        entity_key TEXT NOT NULL REFERENCES entities(key),
        via TEXT NOT NULL
    );
    CREATE INDEX mentions_article ON mentions(article_id);
    CREATE INDEX mentions_entity ON mentions(entity_key);
    CREATE TABLE quotes (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text TEXT NOT NULL,
        cue TEXT,
        speaker TEXT,
        speaker_entity TEXT,
        PRIMARY KEY (article_id, seq)
    );
    CREATE INDEX quotes_speaker ON quotes(speaker_entity);
    """,
    # 3: stories. Each article's clustering profile (JSON) and the keys it counts under, the
    # document frequency of every key (the empty key counts the documents), stories with their
    # members, and the blocking keys a new article finds candidate stories by.
    """
    CREATE TABLE profiles (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        data TEXT NOT NULL,
        keys TEXT NOT NULL
    );
    CREATE TABLE term_df (
        term TEXT PRIMARY KEY,
        df INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE stories (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        size INTEGER NOT NULL DEFAULT 0,
        first_date TEXT,
        last_date TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX stories_updated ON stories(updated_at);
    CREATE TABLE story_articles (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
        score REAL NOT NULL
    );
    CREATE INDEX story_articles_story ON story_articles(story_id, article_id);
    CREATE TABLE story_keys (
        key TEXT NOT NULL,
        story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
        count INTEGER NOT NULL,
        PRIMARY KEY (key, story_id)
    ) WITHOUT ROWID;
    CREATE INDEX story_keys_story ON story_keys(story_id);
    """,
    # 4: the name keys of known persons (``words.name_keys``, registered as the SQL function
    # name_keys), so that a new article's persons are compared only with known persons whose
    # surname begins alike, not with every person in the store.
    """
    CREATE TABLE person_keys (
        key TEXT NOT NULL,
        entity_key TEXT NOT NULL REFERENCES entities(key) ON DELETE CASCADE,
        PRIMARY KEY (key, entity_key)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO person_keys(key, entity_key)
        SELECT k.value, e.key FROM entities e, json_each(name_keys(e.name)) k WHERE e.kind = 'PERSON';
    """,
    # 5: each article's outlet and where its name came from (``model.outlet_name``, registered
    # as the SQL function outlet_name: a JSON [name, from]); articles stored before are named
    # from their site, URL and agencies (their input's source field was stored as the site).
    """
    ALTER TABLE articles ADD COLUMN outlet TEXT;
    ALTER TABLE articles ADD COLUMN outlet_from TEXT NOT NULL DEFAULT 'unknown';
    UPDATE articles SET (outlet, outlet_from) = (
        SELECT json_extract(named, '$[0]'), json_extract(named, '$[1]') FROM (SELECT outlet_name(site, url, agencies) AS named)
    );
    """,
    # 6: story history. Each merge, split and rebuild that moved articles from one story to
    # another (a merged or rebuilt story's id then leads to the story its articles joined), and
    # the last story id handed out, so that no id is ever given to a second story.
    """
    CREATE TABLE story_history (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('merge', 'split', 'rebuild')),
        story_id INTEGER NOT NULL,
        into_story INTEGER NOT NULL,
        articles TEXT NOT NULL,
        rule TEXT NOT NULL,
        score REAL,
        article_id INTEGER
    );
    CREATE INDEX story_history_story ON story_history(story_id);
    CREATE INDEX story_history_into ON story_history(into_story);
    CREATE TABLE story_sequence (last INTEGER NOT NULL);
    INSERT INTO story_sequence(last) SELECT coalesce(max(id), 0) FROM stories;
    """,
    # 7: the story that placement swept last: each placement revisits the next story in id order
    # too, so that stories placed while the store was small are re-examined as it grows.
    """
    CREATE TABLE story_sweep (after INTEGER NOT NULL);
    INSERT INTO story_sweep(after) VALUES (0);
    """,
    # 8: the dates of stories with undated articles as their dossier gives them (an undated
    # article counted at the bound the story's events give it), for the story list. A row is
    # dropped whenever its story changes or a member is analysed again, and written afresh
    # after the next ingest, analysis or placement.
    """
    CREATE TABLE story_dates (
        story_id INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
        first TEXT,
        last TEXT,
        first_bound TEXT CHECK (first_bound IN ('exact', 'on-or-after')),
        last_bound TEXT CHECK (last_bound IN ('exact', 'on-or-after'))
    );
    CREATE TRIGGER story_dates_story_changed AFTER UPDATE ON stories
    BEGIN DELETE FROM story_dates WHERE story_id = NEW.id; END;
    CREATE TRIGGER story_dates_member_analysed AFTER INSERT ON analyses
    BEGIN DELETE FROM story_dates WHERE story_id = (SELECT story_id FROM story_articles WHERE article_id = NEW.article_id); END;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
