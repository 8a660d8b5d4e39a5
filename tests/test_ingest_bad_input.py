"""Bad input never raises: each problem is one clear line naming the file (and record), and
reading goes on with the next record or file."""
from __future__ import annotations

import gzip
import os
import json
import time
from pathlib import Path

import pytest

import storydesk.ingest.read
from storydesk.ingest import read_paths
from storydesk.model import IngestProblem, RawDocument


def messages(*paths: Path, **options) -> list[str]:
    return [str(item) for item in read_paths([str(p) for p in paths], **options) if isinstance(item, IngestProblem)]


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_empty_and_whitespace_only_files(tmp_path):
    empty = write(tmp_path / "empty.txt", b"")
    blank = write(tmp_path / "blank.html", b" \n\t\r\n ")
    assert messages(empty, blank) == [f"{empty}: empty file", f"{blank}: whitespace-only file"]


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF document"),
        (b"PK\x03\x04\x14\x00\x00\x00", "ZIP archive"),
        (gzip.compress(b"hello world"), "gzip data"),
        (b"some text\x00\x00\x00more", "NUL bytes"),
        (bytes(range(1, 32)) * 40, "control characters"),
    ],
)
def test_binary_content_is_refused_with_what_it_is(tmp_path, data, kind):
    path = write(tmp_path / "page.txt", data)
    assert messages(path) == [f"{path}: binary content ({kind})"]


def test_undecodable_text(tmp_path, monkeypatch):
    monkeypatch.setattr(storydesk.ingest.decode, "_web_charsets", lambda: ("utf_8",))
    path = write(tmp_path / "a.txt", "na\xefve caf\xe9 r\xe9sum\xe9 d\xe9j\xe0 vu".encode("cp1252"))
    assert messages(path) == [f"{path}: undecodable text: not UTF-8 and no character set fits"]


def test_truncated_gzip_keeps_the_records_before_the_cut(tmp_path):
    lines = "".join(json.dumps({"text": f"story {n} " + "word " * 50}) + "\n" for n in range(200))
    data = gzip.compress(lines.encode())
    path = write(tmp_path / "a.jsonl.gz", data[: len(data) // 2])
    items = list(read_paths([str(path)]))
    docs = [item for item in items if isinstance(item, RawDocument)]
    assert docs and docs[0].content.startswith("story 0")
    assert str(items[-1]) == f"{path}: truncated gzip stream after {len(docs)} records"


def test_truncated_gzip_single_document(tmp_path):
    data = gzip.compress(("<p>" + "text " * 2000 + "</p>").encode())
    path = write(tmp_path / "a.html.gz", data[:-20])
    assert messages(path) == [f"{path}: truncated gzip stream after 0 records"]


def test_corrupt_gzip(tmp_path):
    path = write(tmp_path / "a.jsonl.gz", b"\x1f\x8b\x08\x00garbage-garbage-garbage")
    [message] = messages(path)
    assert message.startswith(f"{path}: corrupt gzip stream after 0 records")


def test_invalid_json_file_names_line_and_column(tmp_path):
    path = write(tmp_path / "a.json", b'{"text": "x",\n "url": }')
    assert messages(path) == [f"{path}: invalid JSON: Expecting value (line 2, column 9)"]


def test_json_scalar_is_refused(tmp_path):
    path = write(tmp_path / "a.json", b'"just a string"')
    assert messages(path) == [f"{path}: JSON holds a str, not an object or an array of objects"]


def test_jsonl_problems_name_their_line_and_the_rest_is_read(tmp_path):
    lines = [b'{"text": "ok"}', b'{"title": "no body"}', b"[1, 2]", b'{"text": "ok too"', b'{"html": "<p>fine</p>"}']
    path = write(tmp_path / "a.jsonl", b"\n".join(lines))
    items = list(read_paths([str(path)]))
    assert [d.origin.record for d in items if isinstance(d, RawDocument)] == ["1", "5"]
    assert [str(p) for p in items if isinstance(p, IngestProblem)] == [
        f"{path}#2: no text or html field",
        f"{path}#3: not a JSON object but a list",
        f"{path}#4: invalid JSON: Expecting ',' delimiter (column 18)",
    ]


def test_huge_single_document_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as sparse:
        sparse.truncate(200 * 1024 * 1024)
    started = time.perf_counter()
    assert messages(path) == [f"{path}: file too large: 210 MB > 20 MB limit"]
    assert time.perf_counter() - started < 1.0


def test_huge_gzipped_document_is_refused_after_the_limit(tmp_path):
    path = write(tmp_path / "huge.txt.gz", gzip.compress(b"word " * 200_000))
    assert messages(path, max_document_bytes=100_000) == [f"{path}: file too large: over the 100 KB limit"]


def test_stream_formats_have_no_file_size_limit(tmp_path):
    lines = "".join(json.dumps({"text": f"story {n}"}) + "\n" for n in range(100))
    path = write(tmp_path / "a.jsonl", lines.encode())
    docs = [item for item in read_paths([str(path)], max_document_bytes=100) if isinstance(item, RawDocument)]
    assert len(docs) == 100


def test_unreadable_file(tmp_path, monkeypatch):
    path = write(tmp_path / "secret.txt", b"text")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(storydesk.ingest.read, "open", refuse, raising=False)
    assert messages(path) == [f"{path}: unreadable: Permission denied"]


def test_a_bug_in_a_reader_becomes_a_problem_and_the_batch_goes_on(tmp_path, monkeypatch):
    def broken(stream, options):
        raise RuntimeError("boom")
        yield  # a generator, like every reader

    monkeypatch.setitem(storydesk.ingest.read.READERS, "html", broken)
    page = write(tmp_path / "a.html", b"<p>x</p>")
    text = write(tmp_path / "b.txt", b"still read")
    items = list(read_paths([str(page), str(text)]))
    assert [str(item) if isinstance(item, IngestProblem) else item.content for item in items] == [
        f"{page}: unexpected error: RuntimeError: boom",
        "still read",
    ]


def test_binary_file_with_a_stream_format_name_is_one_problem(tmp_path):
    path = write(tmp_path / "export.jsonl", gzip.compress(b'{"text": "zipped but misnamed"}\n' * 50))
    assert messages(path) == [f"{path}: binary content (gzip data)"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="permissions do not bind root")
def test_file_without_read_permission(tmp_path):
    path = write(tmp_path / "secret.html", b"<p>x</p>")
    path.chmod(0)
    try:
        assert messages(path) == [f"{path}: unreadable: Permission denied"]
    finally:
        path.chmod(0o600)


def test_json_nested_too_deeply_is_one_problem_and_the_next_line_is_read(tmp_path):
    deep = b"[" * 100_000 + b"]" * 100_000
    lines = write(tmp_path / "a.jsonl", deep + b'\n{"text": "still read"}\n')
    whole = write(tmp_path / "a.json", b'{"a": ' * 100_000 + b"1" + b"}" * 100_000)
    array = write(tmp_path / "b.json", b"[" + deep + b"]")
    items = list(read_paths([str(lines), str(whole), str(array)]))
    assert [str(item) if isinstance(item, IngestProblem) else item.content for item in items] == [
        f"{lines}#1: invalid JSON: nested too deeply",
        "still read",
        f"{whole}: invalid JSON: nested too deeply",
        f"{array}#0: invalid JSON: nested too deeply; the rest of the array is not read",
    ]


def test_an_article_the_store_refuses_is_a_problem_and_the_batch_goes_on(tmp_path, monkeypatch):
    import sqlite3

    from storydesk.desk import Desk
    from storydesk.store.sqlite import Store

    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.txt").write_text(f"Story {name}\n\nThe council of {name} met on Monday and voted.\n", encoding="utf-8")
    original = Store.add_article

    def refuse_b(self, article, *args, **kwargs):
        if article.origin.location.endswith("b.txt"):
            raise sqlite3.IntegrityError("UNIQUE constraint failed: removed_lines.article_id, removed_lines.line_no")
        return original(self, article, *args, **kwargs)

    monkeypatch.setattr(Store, "add_article", refuse_b)
    with Desk(tmp_path / "x.db") as desk:
        report = desk.ingest([str(tmp_path / f"{name}.txt") for name in ("a", "b", "c")])
        assert report.outcomes["added"] == 2
        (problem,) = report.problems
        assert "b.txt" in str(problem) and "could not be stored" in str(problem) and "UNIQUE" not in str(problem)
        assert desk.store.count() == 2
        assert desk.store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
