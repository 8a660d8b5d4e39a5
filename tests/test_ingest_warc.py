"""WARC files: HTML responses become documents named by byte offset; the rest is skipped and
counted; truncated and malformed archives give problems after the good records."""
from __future__ import annotations

import gzip as gzip_module
import io
from pathlib import Path

import pytest

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storydesk.ingest import Skipped, read_paths, read_source, stdin_source
from storydesk.model import IngestProblem, RawDocument

PAGE = "<html><body><p>Caf\xe9 talks on the treaty, page {n}.</p></body></html>"


def response(writer: WARCWriter, url: str, body: bytes, status: str = "200 OK", content_type: str = "text/html"):
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers)


def crawl(*, gzip: bool) -> bytes:
    """A small crawl: two latin-1 HTML pages, an image, a 404, a request record."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip)
    writer.write_record(response(writer, "https://a.example/1", PAGE.format(n=1).encode("latin-1"), content_type="text/html; charset=iso-8859-1"))
    writer.write_record(writer.create_warc_record("https://a.example/1", "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"), length=18))
    writer.write_record(response(writer, "https://a.example/logo.png", b"\x89PNG\r\n\x1a\n", content_type="image/png"))
    writer.write_record(response(writer, "https://a.example/gone", b"<html>gone</html>", status="404 Not Found"))
    writer.write_record(response(writer, "https://a.example/2", PAGE.format(n=2).encode("latin-1"), content_type="text/html; charset=iso-8859-1"))
    return buffer.getvalue()


def read(path: Path) -> list:
    return list(read_paths([str(path)]))


def test_warc_gz_pages_skips_and_offsets(tmp_path):
    data = crawl(gzip=True)
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(data)
    items = read(path)
    docs = [item for item in items if isinstance(item, RawDocument)]
    assert [(d.url, d.format, d.content) for d in docs] == [
        ("https://a.example/1", "html", PAGE.format(n=1)),
        ("https://a.example/2", "html", PAGE.format(n=2)),
    ]
    assert docs[0].origin.record == "0"
    assert data[int(docs[1].origin.record) : int(docs[1].origin.record) + 2] == b"\x1f\x8b"  # a gzip member starts there
    assert [s.reason for s in items if isinstance(s, Skipped)] == ["not HTML (image/png)", "HTTP 404"]
    assert not [item for item in items if isinstance(item, IngestProblem)]


def test_uncompressed_warc_offsets_point_at_records(tmp_path):
    data = crawl(gzip=False)
    path = tmp_path / "crawl.warc"
    path.write_bytes(data)
    docs = [item for item in read(path) if isinstance(item, RawDocument)]
    assert len(docs) == 2
    assert all(data[int(d.origin.record) :].startswith(b"WARC/1.") for d in docs)


def test_truncated_warc_gz_keeps_the_records_before_the_cut(tmp_path):
    data = crawl(gzip=True)
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[:-40])
    items = read(path)
    assert [d.url for d in items if isinstance(d, RawDocument)] == ["https://a.example/1"]
    [problem] = [item for item in items if isinstance(item, IngestProblem)]
    assert problem.reason.startswith("truncated")


def test_record_cut_in_its_payload_is_a_problem(tmp_path):
    data = crawl(gzip=False)
    path = tmp_path / "cut.warc"
    path.write_bytes(data[:-30])
    problems = [item for item in read(path) if isinstance(item, IngestProblem)]
    assert [p.reason for p in problems] == ["truncated WARC record"]
    assert problems[0].origin.record is not None


@pytest.mark.parametrize("cut", [10, 40, 200, 400])
def test_warc_cut_in_its_last_record_gives_one_problem(tmp_path, cut):
    data = crawl(gzip=False)
    last = data.rindex(b"WARC/1.")
    path = tmp_path / "cut.warc"
    path.write_bytes(data[: last + cut])
    items = read(path)
    assert [d.url for d in items if isinstance(d, RawDocument)] == ["https://a.example/1"]
    [problem] = [item for item in items if isinstance(item, IngestProblem)]
    assert problem.reason.startswith(("truncated", "malformed"))
    assert str(last) in str(problem)


def test_garbage_between_records_stops_with_a_malformed_record_problem(tmp_path):
    data = crawl(gzip=False)
    second = data.index(b"WARC/1.", 10)
    path = tmp_path / "bad.warc"
    path.write_bytes(data[:second] + b"this is not a WARC header\r\n\r\n" + data[second:])
    items = read(path)
    assert [d.url for d in items if isinstance(d, RawDocument)] == ["https://a.example/1"]
    [problem] = [item for item in items if isinstance(item, IngestProblem)]
    assert problem.reason == f"malformed WARC record at offset {second}: Invalid WARC record, first line: this is not a WARC header"


def test_not_a_warc_at_all(tmp_path):
    path = tmp_path / "fake.warc"
    path.write_bytes(b"hello, I am not an archive\n")
    [problem] = read(path)
    assert isinstance(problem, IngestProblem) and problem.reason.startswith("malformed WARC record at offset 0")


def test_gzipped_warc_on_stdin():
    items = list(read_source(stdin_source(), stdin=io.BytesIO(crawl(gzip=True))))
    assert [d.url for d in items if isinstance(d, RawDocument)] == ["https://a.example/1", "https://a.example/2"]


def test_resource_records_and_gzip_encoded_responses_are_pages(tmp_path):
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    page = b"<html><body><p>resource page</p></body></html>"
    writer.write_record(writer.create_warc_record("https://r.example/", "resource", payload=io.BytesIO(page), length=len(page), warc_content_type="text/html"))
    encoded = gzip_module.compress(b"<html><body><p>encoded page</p></body></html>")
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record("https://g.example/", "response", payload=io.BytesIO(encoded), length=len(encoded), http_headers=headers))
    path = tmp_path / "wget.warc.gz"
    path.write_bytes(buffer.getvalue())
    assert [(d.url, d.content) for d in read(path)] == [
        ("https://r.example/", "<html><body><p>resource page</p></body></html>"),
        ("https://g.example/", "<html><body><p>encoded page</p></body></html>"),
    ]


def test_record_over_the_size_limit_is_a_problem_and_the_next_is_read(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(crawl(gzip=True))
    items = list(read_paths([str(path)], max_document_bytes=40))
    assert [p.reason for p in items if isinstance(p, IngestProblem)] == ["record too large: over the 40 bytes limit"] * 2
    assert [s.reason for s in items if isinstance(s, Skipped)] == ["not HTML (image/png)", "HTTP 404"]
