"""Ingest reads every supported format into RawDocuments with their origin and metadata."""
from __future__ import annotations

import email.message
import gzip
import io
import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from storydesk.ingest import Skipped, read_paths, read_source, stdin_source
from storydesk.model import IngestProblem, Origin, RawDocument

ARTICLE = "Putin defends the treaty\n\nMOSCOW (dpa) - The president said on Thursday it was \u201cour business\u201d.\n"
PAGE = "<html><head><title>Treaty</title></head><body><p>The treaty was signed in June.</p></body></html>"


def read(path: Path, **options) -> list:
    return list(read_paths([str(path)], **options))


def documents(items: list) -> list[RawDocument]:
    return [item for item in items if isinstance(item, RawDocument)]


def problems(items: list) -> list[IngestProblem]:
    return [item for item in items if isinstance(item, IngestProblem)]


def write(path: Path, data: str | bytes) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


class FakeResponse(io.BytesIO):
    """What urllib.request.urlopen returns, enough for fetch_html."""

    def __init__(self, body: bytes, url: str, content_type: str = "text/html; charset=utf-8") -> None:
        super().__init__(body)
        self.headers = email.message.Message()
        self.headers["Content-Type"] = content_type
        self._url = url

    def geturl(self) -> str:
        return self._url


@pytest.fixture
def web(monkeypatch) -> dict[str, bytes]:
    """A fake web: urlopen serves the pages put in the returned dict, 404 for others."""
    pages: dict[str, bytes] = {}

    def urlopen(request, timeout):
        url = request.full_url
        if url not in pages:
            raise urllib.error.HTTPError(url, 404, "Not Found", email.message.Message(), None)
        return FakeResponse(pages[url], url)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return pages


@pytest.fixture
def offline(monkeypatch) -> None:
    def urlopen(request, timeout):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)


def test_text_file_is_one_text_document(tmp_path):
    path = write(tmp_path / "a.txt", ARTICLE)
    [doc] = read(path)
    assert doc == RawDocument(origin=Origin(str(path)), format="text", content=ARTICLE)


def test_html_file_is_decoded_by_its_meta_charset(tmp_path):
    page = '<html><head><meta charset="windows-1252"><title>Caf\xe9</title></head><body><p>\u201cNo\u201d</p></body></html>'
    path = write(tmp_path / "a.htm", page.encode("cp1252"))
    [doc] = read(path)
    assert doc.format == "html"
    assert "Caf\xe9" in doc.content and "\u201cNo\u201d" in doc.content


def test_valid_utf8_wins_over_a_wrong_latin1_declaration(tmp_path):
    page = '<html><head><meta charset="iso-8859-1"></head><body><p>M\xfcnchen \u2013 Berlin</p></body></html>'
    [doc] = read(write(tmp_path / "a.html", page))
    assert "M\xfcnchen \u2013 Berlin" in doc.content


def test_bom_is_honoured_and_removed(tmp_path):
    [utf8] = read(write(tmp_path / "a.txt", b"\xef\xbb\xbf" + ARTICLE.encode()))
    [utf16] = read(write(tmp_path / "b.txt", ARTICLE.encode("utf-16")))
    assert utf8.content == ARTICLE and utf16.content == ARTICLE


def test_mostly_utf8_text_with_stray_cp1252_bytes_is_repaired(tmp_path):
    data = ("Stra\xdfe und M\xfcnchen. " * 20).encode() + "He said \x93no\x94.".encode("latin-1")
    [doc] = read(write(tmp_path / "a.txt", data))
    assert doc.content.endswith("He said \u201cno\u201d.")
    assert doc.content.startswith("Stra\xdfe und M\xfcnchen.")


def test_single_byte_text_without_declaration_is_detected(tmp_path):
    text = "Der Vertrag \xfcber gegenseitige Verteidigung wurde im Juni unterzeichnet, sagte der Pr\xe4sident. " * 5
    [doc] = read(write(tmp_path / "a.txt", text.encode("cp1252")))
    assert doc.content == text


def test_json_object_with_field_aliases(tmp_path):
    record = {
        "content": "<p>The treaty was signed.</p>",
        "link": "https://example.org/a",
        "headline": "Treaty",
        "date_publish": "2024-06-19",
        "source": {"id": "x", "name": "Example News"},
        "authors": ["Ann Lee", "Bo Kim"],
    }
    [doc] = read(write(tmp_path / "a.json", json.dumps(record)))
    assert doc == RawDocument(
        origin=Origin(str(tmp_path / "a.json")),
        format="html",
        content="<p>The treaty was signed.</p>",
        url="https://example.org/a",
        title="Treaty",
        date="2024-06-19",
        source="Example News",
        author="Ann Lee, Bo Kim",
    )


def test_json_array_records_are_numbered_by_index_and_bad_ones_reported(tmp_path):
    records = [{"text": "first"}, {"html": PAGE, "outlet": "dpa"}, {"title": "no body"}, ["not", "an", "object"]]
    items = read(write(tmp_path / "a.json", json.dumps(records)))
    assert [(d.origin.record, d.format, d.source) for d in documents(items)] == [("0", "text", None), ("1", "html", "dpa")]
    assert [str(p) for p in problems(items)] == [
        f"{tmp_path / 'a.json'}#2: no text or html field",
        f"{tmp_path / 'a.json'}#3: not a JSON object but a list",
    ]


def test_html_field_is_preferred_to_text(tmp_path):
    [doc] = read(write(tmp_path / "a.json", json.dumps({"text": "plain", "html": PAGE})))
    assert (doc.format, doc.content) == ("html", PAGE)


def test_jsonl_goes_on_after_a_malformed_line(tmp_path):
    lines = [json.dumps({"text": "one"}), '{"text": "two" "url": 1}', "", json.dumps({"text": "three", "site": "AP"})]
    items = read(write(tmp_path / "a.jsonl", "\n".join(lines) + "\n"))
    assert [(d.origin.record, d.content, d.source) for d in documents(items)] == [("1", "one", None), ("4", "three", "AP")]
    [problem] = problems(items)
    assert problem.origin == Origin(str(tmp_path / "a.jsonl"), "2")
    assert problem.reason.startswith("invalid JSON: Expecting ',' delimiter (column")


def test_gzipped_jsonl_and_ndjson(tmp_path):
    body = "".join(json.dumps({"text": f"story {n}"}) + "\n" for n in range(3))
    gz = write(tmp_path / "a.jsonl.gz", gzip.compress(body.encode()))
    nd = write(tmp_path / "b.ndjson", body)
    assert [d.content for d in documents(read(gz))] == ["story 0", "story 1", "story 2"]
    assert len(documents(read(nd))) == 3


def test_json_file_holding_json_lines_is_read_as_lines(tmp_path):
    body = json.dumps({"text": "one"}) + "\n" + json.dumps({"text": "two"}) + "\n"
    assert [(d.origin.record, d.content) for d in documents(read(write(tmp_path / "a.json", body)))] == [
        ("1", "one"),
        ("2", "two"),
    ]


def test_jsonl_line_over_the_limit_is_skipped_with_a_problem(tmp_path):
    lines = [json.dumps({"text": "x" * 500}), json.dumps({"text": "short"})]
    items = read(write(tmp_path / "a.jsonl", "\n".join(lines)), max_document_bytes=100)
    assert [d.content for d in documents(items)] == ["short"]
    assert [str(p) for p in problems(items)] == [f"{tmp_path / 'a.jsonl'}#1: record too large: over the 100 bytes limit"]


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>World Desk</title><link>https://news.example/</link>
<item><title>Treaty signed</title><link>https://news.example/treaty</link>
<pubDate>Wed, 19 Jun 2024 10:00:00 GMT</pubDate><author>desk@news.example (Ann Lee)</author>
<description>Short summary.</description>
<content:encoded><![CDATA[<p>The full treaty story.</p>]]></content:encoded></item>
<item><title>Troops</title><link>https://news.example/troops</link><description>Summary only.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Desk</title>
<entry><title>One</title><link href="https://atom.example/one"/><updated>2024-10-24T08:00:00Z</updated>
<content type="html">&lt;p&gt;Atom body.&lt;/p&gt;</content></entry></feed>"""


def test_rss_entries_become_documents(tmp_path):
    items = read(write(tmp_path / "world.rss", RSS))
    first, second = documents(items)
    assert first.origin == Origin(str(tmp_path / "world.rss"), "0")
    assert (first.format, first.content, first.url, first.title, first.source) == (
        "html",
        "<p>The full treaty story.</p>",
        "https://news.example/treaty",
        "Treaty signed",
        "World Desk",
    )
    assert first.date == "Wed, 19 Jun 2024 10:00:00 GMT"
    assert (second.origin.record, second.format, second.content) == ("1", "text", "Summary only.")


def test_atom_feed_in_an_xml_file_is_sniffed(tmp_path):
    [doc] = read(write(tmp_path / "desk.xml", ATOM))
    assert (doc.content, doc.url, doc.date, doc.source) == (
        "<p>Atom body.</p>",
        "https://atom.example/one",
        "2024-10-24T08:00:00Z",
        "Atom Desk",
    )


def test_xml_that_is_not_a_feed_is_refused(tmp_path):
    path = write(tmp_path / "sitemap.xml", '<?xml version="1.0"?><urlset><url><loc>x</loc></url></urlset>')
    assert [str(p) for p in read(path)] == [f"{path}: unsupported XML (not an RSS or Atom feed)"]


def test_feed_fetch_without_network_falls_back_to_entry_content(tmp_path, offline):
    items = read(write(tmp_path / "world.rss", RSS), fetch=True)
    assert [d.content for d in documents(items)] == ["<p>The full treaty story.</p>", "Summary only."]
    first_problem = problems(items)[0]
    assert first_problem.origin.record == "0"
    assert "https://news.example/treaty" in first_problem.reason
    assert "Temporary failure in name resolution" in first_problem.reason
    assert first_problem.reason.endswith("using the feed entry's own content")


def test_feed_fetch_uses_the_linked_page(tmp_path, web):
    web["https://news.example/treaty"] = PAGE.encode()
    items = read(write(tmp_path / "world.rss", RSS), fetch=True)
    assert documents(items)[0].content == PAGE
    assert [str(p) for p in problems(items)] == [
        f"{tmp_path / 'world.rss'}#1: could not fetch https://news.example/troops: HTTP 404 Not Found;"
        " using the feed entry's own content"
    ]


def test_url_list_without_fetch_gives_one_problem_per_url(tmp_path):
    path = write(tmp_path / "links.txt", "https://a.example/1\n\nhttp://b.example/2\n")
    assert [str(p) for p in read(path)] == [
        "https://a.example/1: not fetched: fetching is off (use --fetch)",
        "http://b.example/2: not fetched: fetching is off (use --fetch)",
    ]


def test_url_list_with_fetch_gives_pages_whose_origin_is_the_url(tmp_path, web):
    web["https://a.example/1"] = PAGE.encode()
    path = write(tmp_path / "links.urls", "# morning run\nhttps://a.example/1\nnot a url\nhttps://a.example/gone\n")
    items = read(path, fetch=True)
    assert documents(items) == [
        RawDocument(origin=Origin("https://a.example/1"), format="html", content=PAGE, url="https://a.example/1")
    ]
    assert [str(p) for p in problems(items)] == [
        f"{path}#3: not a URL: not a url",
        "https://a.example/gone: fetch failed: HTTP 404 Not Found",
    ]


def test_fetch_refuses_non_html_pages(tmp_path, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", lambda request, timeout: FakeResponse(b"%PDF", request.full_url, "application/pdf"))
    [problem] = read(write(tmp_path / "a.urls", "https://a.example/report.pdf\n"), fetch=True)
    assert problem.reason == "fetch failed: not HTML (application/pdf)"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (json.dumps({"text": "one"}).encode() + b"\n" + json.dumps({"text": "two"}).encode() + b"\n", ["one", "two"]),
        (json.dumps([{"text": "one"}, {"text": "two"}], indent=2).encode(), ["one", "two"]),
        (json.dumps({"text": "pretty"}, indent=2).encode(), ["pretty"]),
        (PAGE.encode(), [PAGE]),
        (ARTICLE.encode(), [ARTICLE]),
        (RSS.encode(), ["<p>The full treaty story.</p>", "Summary only."]),
        (gzip.compress(b'{"text": "zipped"}\n'), ["zipped"]),
    ],
    ids=["jsonl", "json-array", "json-object", "html", "text", "rss", "gzip-jsonl"],
)
def test_stdin_is_sniffed(data, expected):
    items = list(read_source(stdin_source(), stdin=io.BytesIO(data)))
    assert [d.content for d in documents(items)] == expected
    assert all(d.origin.location == "<stdin>" for d in documents(items))


def test_stdin_formats_are_told_apart():
    html = documents(list(read_source(stdin_source(), stdin=io.BytesIO(PAGE.encode()))))
    text = documents(list(read_source(stdin_source(), stdin=io.BytesIO(ARTICLE.encode()))))
    assert (html[0].format, text[0].format) == ("html", "text")


def test_empty_stdin_is_a_problem():
    assert [str(p) for p in read_source(stdin_source(), stdin=io.BytesIO(b""))] == ["<stdin>: empty input"]


def test_skipped_is_a_counted_reason_not_a_problem():
    skipped = Skipped(Origin("crawl.warc.gz", "1234"), "HTTP 404")
    assert str(skipped) == "crawl.warc.gz#1234: skipped: HTTP 404"
    assert not isinstance(skipped, IngestProblem)


def test_json_array_is_streamed_across_read_boundaries(tmp_path):
    records = [{"text": f"story {n} \u00e9t\u00e9 " + "word " * (n % 40)} for n in range(3000)]
    path = write(tmp_path / "export.json", json.dumps(records, indent=1))
    assert path.stat().st_size > 200_000
    docs = documents(read(path, max_document_bytes=1_000))
    assert [d.content for d in docs] == [r["text"].strip() for r in records]
    assert docs[-1].origin == Origin(str(path), "2999")


def test_json_array_stops_with_a_problem_at_a_malformed_or_oversized_element(tmp_path):
    """Oversized: larger than what is buffered (64 KB) and the limit; smaller ones are skipped."""
    broken = write(tmp_path / "broken.json", '[{"text": "one"}, {"text": "two"}, {"text": "three" "x"}, {"text": "four"}]')
    huge = write(tmp_path / "huge.json", json.dumps([{"text": "one"}, {"text": "x" * 200_000}, {"text": "three"}]))
    broken_items, huge_items = read(broken), read(huge, max_document_bytes=1_000)
    assert [d.content for d in documents(broken_items)] == ["one", "two"]
    assert [str(p) for p in problems(broken_items)] == [
        f"{broken}#2: invalid JSON: Expecting ',' delimiter; the rest of the array is not read"
    ]
    assert [d.content for d in documents(huge_items)] == ["one"]
    assert [str(p) for p in problems(huge_items)] == [
        f"{huge}#1: record too large: over the 1.0 KB limit; the rest of the array is not read"
    ]


def test_json_array_element_over_the_limit_but_buffered_is_skipped(tmp_path):
    path = write(tmp_path / "a.json", json.dumps([{"text": "one"}, {"text": "x" * 5_000}, {"text": "three"}]))
    items = read(path, max_document_bytes=1_000)
    assert [d.content for d in documents(items)] == ["one", "three"]
    assert [str(p) for p in problems(items)] == [f"{path}#1: record too large: over the 1.0 KB limit"]


def test_single_json_object_over_the_limit_is_refused_with_its_size(tmp_path):
    path = write(tmp_path / "big.json", json.dumps({"text": "word " * 1_000}))
    assert [str(p) for p in read(path, max_document_bytes=1_000)] == [f"{path}: file too large: 5.0 KB > 1.0 KB limit"]
