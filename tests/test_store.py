"""The SQLite store: schema and migrations, one transaction per article, read-back, search, exports."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from storydesk import dedupe
from storydesk.model import (
    Analysis,
    Article,
    DateEvidence,
    DuplicateLink,
    Extraction,
    Origin,
    PublicationDate,
    Quote,
    RemovedLine,
    Span,
)
from storydesk.store import Store, StoreError
from storydesk.store.export import export_articles
from storydesk.store.schema import SCHEMA_VERSION


def make_article(text: str, location: str = "a.txt", title: str = "A title", published: str = "2024-10-24") -> Article:
    precision = "day-no-year" if published.startswith("--") else "day"
    extraction = Extraction(
        text=text, title=title, site="Example News", outlet="Example News", outlet_from="site",
        published=PublicationDate(published, precision, [DateEvidence("line", f"date {published}", 0)]),
        dateline="MADRID 25 Oct.", agencies=["EFE"], language="en",
        removed=[RemovedLine(3, "Follow us on Google News", "social-prompt")],
    )
    return Article(Origin(location), content_hash=f"hash-of-{location}-{text}", raw_format="text", extraction=extraction)


def put(store: Store, article: Article) -> int:
    fp = dedupe.fingerprint(article.text)
    with store.transaction():
        return store.add_article(article, fp.text_hash, fp.signature, fp.buckets)


def test_new_store_is_wal_with_foreign_keys_and_current_schema(store: Store, tmp_path: Path) -> None:
    assert store.schema_version == SCHEMA_VERSION
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as first:
        put(first, make_article("Putin spoke in Kazan on Thursday."))
    with Store(tmp_path / "s.db") as second:
        assert second.count() == 1 and second.schema_version == SCHEMA_VERSION


def test_store_from_a_newer_storydesk_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    sqlite3.connect(path).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer"):
        Store(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="notes.db"):
        Store(path)


def test_article_round_trip_keeps_every_field(store: Store) -> None:
    article_id = put(store, make_article("Putin spoke in Kazan on Thursday."))
    back = store.article(article_id)
    assert back is not None
    assert back.text == "Putin spoke in Kazan on Thursday."
    assert back.extraction.published == PublicationDate("2024-10-24", "day", [DateEvidence("line", "date 2024-10-24", 0)])
    assert back.extraction.agencies == ["EFE"] and back.extraction.dateline == "MADRID 25 Oct."
    assert back.extraction.removed == [RemovedLine(3, "Follow us on Google News", "social-prompt")]
    assert store.origins(article_id) == [Origin("a.txt")]


def test_a_stored_analysis_keeps_the_speakers_name_and_older_ones_read_without_it() -> None:
    quote = Quote("indirect", Span(0, 9, "Prices up"), speaker=Span(20, 23, "who"), speaker_name="bakers")
    stored = json.loads(json.dumps(dataclasses.asdict(Analysis("20", quotes=[quote]))))
    assert Analysis.from_dict(stored).quotes == [quote]
    del stored["quotes"][0]["speaker_name"]  # written before the field existed
    (older,) = Analysis.from_dict(stored).quotes
    assert older.speaker_name is None and older.speaker_text == "who"
    assert quote.speaker_text == "bakers"


def test_a_failed_transaction_leaves_nothing_half_written(store: Store) -> None:
    with pytest.raises(RuntimeError):
        with store.transaction():
            fp = dedupe.fingerprint("Half an article")
            store.add_article(make_article("Half an article"), fp.text_hash, fp.signature, fp.buckets)
            raise RuntimeError("interrupted")
    assert store.count() == 0
    assert store._db.execute("SELECT count(*) FROM removed_lines").fetchone()[0] == 0
    assert store._db.execute("SELECT count(*) FROM minhash_bands").fetchone()[0] == 0


def test_duplicate_links_and_origins(store: Store) -> None:
    original = put(store, make_article("The same wire copy.", "one.txt"))
    copy = make_article("The same wire copy.", "two.txt")
    copy.duplicate_of = DuplicateLink(original, "exact", 1.0)
    copy_id = put(store, copy)
    assert store.article(copy_id).duplicate_of == DuplicateLink(original, "exact", 1.0)
    assert store.original_of(copy_id) == original and store.original_of(original) == original
    with store.transaction():
        assert store.add_origin(original, Origin("mirror.warc", "1024")) is True
        assert store.add_origin(original, Origin("mirror.warc", "1024")) is False
    assert store.origins(original) == [Origin("one.txt"), Origin("mirror.warc", "1024")]


def test_search_ranks_matches_and_tolerates_bad_syntax(store: Store) -> None:
    put(store, make_article("Stoltenberg warned of a serious escalation.", "s.txt", "Stoltenberg warns"))
    put(store, make_article("The treaty was ratified in Moscow.", "t.txt", "Treaty ratified"))
    hits = store.search("stoltenberg")
    assert [h.article.title for h in hits] == ["Stoltenberg warns"]
    assert "[Stoltenberg]" in hits[0].snippet
    assert [h.article.title for h in store.search('treaty AND "ratified"')] == ["Treaty ratified"]
    assert [h.article.title for h in store.search('ratified" (')] == ["Treaty ratified"]
    assert store.search("nothing-like-this") == []


def test_exports_write_every_article(store: Store, tmp_path: Path) -> None:
    for n in range(3):
        put(store, make_article(f"Article number {n} about the treaty.", f"{n}.txt", f"Title {n}"))
    stream = io.StringIO()
    assert export_articles(store.articles(), "jsonl", stream) == 3
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["extraction"]["title"] for line in lines] == ["Title 0", "Title 1", "Title 2"]

    export_articles(store.articles(), "csv", tmp_path / "a.csv")
    with (tmp_path / "a.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["title"] for r in rows] == ["Title 0", "Title 1", "Title 2"] and rows[0]["published"] == "2024-10-24"

    export_articles(store.articles(), "parquet", tmp_path / "a.parquet")
    table = pq.read_table(tmp_path / "a.parquet")
    assert table.num_rows == 3 and table.column("agencies").to_pylist()[0] == '["EFE"]'


def test_empty_parquet_export_is_a_valid_file(store: Store, tmp_path: Path) -> None:
    assert export_articles(store.articles(), "parquet", tmp_path / "empty.parquet") == 0
    assert pq.read_table(tmp_path / "empty.parquet").num_rows == 0


def test_a_store_of_an_older_schema_is_migrated_and_keeps_its_articles(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path, isolation_level=None)
    from storydesk.store.sqlite import _statements
    from storydesk.store.schema import MIGRATIONS

    for statement in _statements(MIGRATIONS[0]):
        db.execute(statement)
    db.execute("PRAGMA user_version = 1")
    db.execute(
        "INSERT INTO articles(content_hash, text_hash, location, raw_format, text, ingested_at)"
        " VALUES ('h', 't', 'old.txt', 'text', 'Stored by version one.', '2024-01-01')"
    )
    db.close()
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION > 1
        assert store.article(1).text == "Stored by version one." and store.needing_analysis(None) == [1]


def test_persons_known_to_a_store_of_schema_3_are_found_by_name_key(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    db = sqlite3.connect(path, isolation_level=None)
    from storydesk.store.sqlite import _statements
    from storydesk.store.schema import MIGRATIONS

    for script in MIGRATIONS[:3]:
        for statement in _statements(script):
            db.execute(statement)
    db.execute("PRAGMA user_version = 3")
    db.executemany("INSERT INTO entities(key, name, kind) VALUES (?, ?, ?)", [
        ("person:vladimir putin", "Vladimir Putin", "PERSON"), ("person:kim jong-un", "Kim Jong-un", "PERSON"),
        ("person:jens stoltenberg", "Jens Stoltenberg", "PERSON"), ("org:putin fund", "Putin Fund", "ORG"),
    ])
    db.execute("INSERT INTO entity_aliases(entity_key, alias) VALUES ('person:vladimir putin', 'Putin')")
    db.close()
    with Store(path) as store:
        found = store.known_persons(["Wladimir Putin", "Kim"])
        assert sorted(e.key for e in found) == ["person:kim jong-un", "person:vladimir putin"]
        assert next(e for e in found if e.name == "Vladimir Putin").aliases == ("Putin",)
        assert store.known_persons([]) == [] and store.known_persons(["Mark Rutte"]) == []
