"""The web app and JSON API through FastAPI's test client, over the seed stories plus one
hostile article (built once per module: analysis takes seconds)."""
from __future__ import annotations

import json
import re
import time
from html import unescape
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from storydesk.cli import app as cli_app
from storydesk.desk import Desk
from storydesk.web import create_app, uploads, views
from storydesk.web.app import StampedCache

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "corpus"
LOCAL = "http://127.0.0.1"  # the server answers loopback names only (TestClient's default is "testserver")
HOSTILE_NAME = "hostile.txt"
# Every payload sets window.pwned if it runs; the browser test checks it never does.
HOSTILE = """Gazette <script>window.pwned=1</script> Minister speaks
The minister said on Monday that <img src=x onerror="window.pwned=1"> would be built in Ruritania, according to officials.
"We will build <svg onload=window.pwned=1> forty bridges," the minister told reporters in Strelsau.
Readers can <a href="javascript:window.pwned=1">click here</a> for the plan, </article></main></body><script>window.pwned=1</script> officials added.
"""


def build_seed_store(folder: Path) -> Path:
    """The five seed articles and the hostile one, ingested and analysed into a new store."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / HOSTILE_NAME).write_text(HOSTILE, encoding="utf-8")
    db = folder / "seed.db"
    with Desk(db) as desk:
        report = desk.ingest([str(EXAMPLES), str(folder / HOSTILE_NAME)])
    assert report.outcomes["added"] == 6, report
    return db


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_seed_store(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def client(seed_db: Path, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    with TestClient(create_app(seed_db, data_dir=tmp_path_factory.mktemp("data")), base_url=LOCAL, raise_server_exceptions=False) as made:
        yield made


@pytest.fixture
def fresh_client(tmp_path: Path) -> TestClient:
    """An app over an empty store of its own, for uploads."""
    with TestClient(create_app(tmp_path / "empty.db", data_dir=tmp_path / "data"), base_url=LOCAL, raise_server_exceptions=False) as made:
        yield made


def seed_story(client: TestClient) -> dict:
    stories = client.get("/api/stories", params={"limit": 100}).json()["items"]
    return max(stories, key=lambda s: len(s["article_ids"]))


def hostile_id(client: TestClient) -> int:
    hits = client.get("/api/search", params={"q": "Ruritania"}).json()["items"]
    return hits[0]["article_id"]


# -- pages -----------------------------------------------------------------------------------


def test_stories_page_lists_stories_with_counts_and_dates(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    story = seed_story(client)
    row = re.search(rf'href="/stories/{story["id"]}".*?</tr>', page.text, re.DOTALL).group(0)
    assert f'<td class="num">{len(story["article_ids"])}</td>' in row
    assert f'<td class="num">{len(story["outlets"])}</td>' in row
    # the dates the story page's header shows: two undated articles bounded by the story's events
    listed = re.search(r'<td class="nowrap story-dates">(.*?)</td>', row).group(1)
    header = re.search(r'<span class="story-dates">(.*?)</span>', client.get(f"/stories/{story['id']}").text).group(1)
    assert listed == header == f"≥ {story['first_date']} to {story['last_date']}"
    assert (story["first_bound"], story["last_bound"]) == ("on-or-after", "exact")


def test_stories_search_box_keeps_stories_with_a_matching_article(client: TestClient) -> None:
    story = seed_story(client)
    found = client.get("/", params={"q": "Stoltenberg"}).text
    assert f'href="/stories/{story["id"]}"' in found and "1 stories with an article matching" in found
    assert "0 stories" in client.get("/", params={"q": "zebrafish"}).text


def test_story_page_shows_every_part_of_the_dossier(client: TestClient) -> None:
    story = seed_story(client)
    html = client.get(f"/stories/{story['id']}").text
    assert re.search(r'<svg class="timeline".*?<circle class="event"', html, re.DOTALL)
    assert re.search(r'href="/articles/\d+\?cite=\d+-\d+#cite"', html)
    assert "Vladimir Putin</a>" in html  # a speaker heading, linked to every quote of his
    assert "outlets disagree" in html  # 3,000 vs 1,500 soldiers
    assert re.search(r'<td class="cell reported">●</td>', html) and '<td class="cell left-out">○</td>' in html


def test_a_citation_opens_the_article_at_the_cited_sentence(client: TestClient) -> None:
    story = seed_story(client)
    dossier = client.get(f"/api/stories/{story['id']}").json()
    cited = dossier["summary"][0]["citations"][0]
    article = client.get(f"/api/articles/{cited['article']}").json()
    html = client.get(f"/articles/{cited['article']}", params={"cite": f"{cited['start']}-{cited['end']}"}).text
    body = re.search(r'<article class="text" id="text">(.*?)</article>', html, re.DOTALL).group(1)
    marked = "".join(re.findall(r'<span[^>]*class="[^"]*cited[^"]*"[^>]*>(.*?)</span>', body, re.DOTALL))
    assert 'id="cite"' in html
    assert unescape(marked) == article["extraction"]["text"][cited["start"] : cited["end"]]


def test_article_page_highlights_the_analysis_and_hides_furniture(client: TestClient) -> None:
    html = client.get("/articles/2").text
    body = re.search(r'<article class="text" id="text">(.*?)</article>', html, re.DOTALL).group(1)
    classes = {c for found in re.findall(r'<span[^>]*class="([^"]*)"', body) for c in found.split()}
    assert {"quote", "speaker", "entity", "entity-person", "timex", "figure"} <= classes, classes
    assert re.search(r'<details class="removed">\s*<summary>Removed furniture \(\d+ lines\)', html)
    assert "date evidence" in html and "examples/corpus/001_" in html


def test_search_finds_articles_and_the_person(client: TestClient) -> None:
    html = client.get("/search", params={"q": "Stoltenberg"}).text
    assert "<mark>Stoltenberg</mark>" in html
    assert 'href="/entities/person%3Ajens%20stoltenberg"' in html
    entity = client.get("/entities/person:jens stoltenberg").text
    assert "North Korea has already provided enormous quantities of ammunition" in entity


def test_ingest_form_offers_the_ingest_formats(client: TestClient) -> None:
    html = client.get("/ingest").text
    assert 'type="file"' in html and ".jsonl" in html and ".warc" in html


# -- JSON API --------------------------------------------------------------------------------


def test_api_story_list_is_paginated(client: TestClient) -> None:
    first = client.get("/api/stories", params={"limit": 1}).json()
    assert first["limit"] == 1 and first["offset"] == 0 and len(first["items"]) == 1
    assert first["total"] >= 2 and first["next"] == 1
    second = client.get("/api/stories", params={"limit": 1, "offset": 1}).json()
    assert second["items"][0]["id"] != first["items"][0]["id"]
    assert client.get("/api/stories", params={"limit": 1000}).status_code == 422


def test_api_dossier_is_the_cli_json(client: TestClient, seed_db: Path) -> None:
    story = seed_story(client)
    with Desk(seed_db) as desk:
        expected = json.loads(desk.render_dossier(desk.dossier(story["id"]), "json"))
    assert client.get(f"/api/stories/{story['id']}").json() == expected


def test_api_articles_entities_and_search(client: TestClient) -> None:
    articles = client.get("/api/articles", params={"limit": 2, "offset": 1}).json()
    assert articles["total"] == 6 and [a["id"] for a in articles["items"]] == [2, 3] and articles["next"] == 3
    one = client.get("/api/articles/2").json()
    assert one["id"] == 2 and one["analysis"]["quotes"] and one["origins"] and one["story"]
    entities = client.get("/api/entities", params={"q": "putin", "kind": "PERSON"}).json()
    assert entities["items"][0]["key"] == "person:vladimir putin" and entities["items"][0]["quotes"] > 0
    quotes = client.get("/api/entities/person:vladimir putin", params={"limit": 3}).json()["quotes"]
    assert len(quotes["items"]) == 3 and quotes["total"] > 3 and quotes["next"] == 3
    hits = client.get("/api/search", params={"q": "Stoltenberg"}).json()
    assert hits["total"] == 1 and "[Stoltenberg]" in hits["items"][0]["snippet"]


def test_api_docs_are_served_by_the_app(client: TestClient) -> None:
    docs = client.get("/docs").text
    assert "/static-docs/swagger-ui-bundle.js" in docs and "cdn." not in docs
    assert client.get("/static-docs/swagger-ui-bundle.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/stories", "/api/stories/{story_id}", "/api/search", "/api/ingest"} <= set(paths)


# -- errors and hostile input -----------------------------------------------------------------


def test_errors_are_clear_pages_and_json_without_tracebacks(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    page = client.get("/stories/999")
    assert page.status_code == 404 and "no story 999" in page.text and "<h1>Error 404</h1>" in page.text
    assert client.get("/api/stories/999").json() == {"error": "no story 999", "status": 404}
    assert client.get("/stories/abc").status_code == 422
    assert client.get("/?page=99").status_code == 404
    monkeypatch.setattr(Desk, "stories_stamp", lambda self: 1 / 0)
    crash = client.get("/")
    assert crash.status_code == 500 and "internal error" in crash.text and "Traceback" not in crash.text


def test_hostile_article_renders_as_text_everywhere(client: TestClient) -> None:
    article_id = hostile_id(client)
    story_id = client.get(f"/api/articles/{article_id}").json()["story"]
    for url in (f"/articles/{article_id}", f"/stories/{story_id}", "/search?q=minister", "/?q=Ruritania"):
        page = client.get(url)
        assert page.status_code == 200, url
        body = page.text
        assert "<script>window" not in body and "<img src=x" not in body and "<svg onload" not in body, url
        assert 'href="javascript:' not in body and "</article></main></body><script>" not in body, url
        assert "script-src" not in page.headers["content-security-policy"]
        assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in client.get(f"/articles/{article_id}").text


# -- uploads -----------------------------------------------------------------------------------

ARTICLE = """Bridge opens in Lakeside
LAKESIDE, 3 March 2025 - The mayor of Lakeside opened the new river bridge on Monday.
"This bridge joins our two halves," the mayor said at the ceremony, attended by some 2,000 residents.
"""


def wait_for_job(client: TestClient, job_id: str, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(f"/api/ingest/{job_id}").json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} not done in {seconds} s")


def test_upload_is_ingested_with_per_file_results(fresh_client: TestClient, tmp_path: Path) -> None:
    files = [("files", ("bridge.txt", ARTICLE.encode(), "text/plain")), ("files", ("feed.jsonl", b'{"text": "x"}\nnot json\n', "application/json"))]
    answer = fresh_client.post("/api/ingest", files=files)
    assert answer.status_code == 202
    job = wait_for_job(fresh_client, answer.json()["id"])
    assert job["state"] == "done" and job["files_done"] == 2
    bridge, feed = job["files"]
    assert bridge["outcomes"] == {"added": 1} and bridge["problems"] == []
    assert any("invalid JSON" in p for p in feed["problems"])
    assert fresh_client.get("/api/search", params={"q": "Lakeside"}).json()["total"] == 1
    assert (tmp_path / "data" / "uploads" / job["id"] / "bridge.txt").read_text() == ARTICLE


def test_upload_form_redirects_to_a_job_page(fresh_client: TestClient) -> None:
    answer = fresh_client.post("/ingest", files=[("files", ("bridge.txt", ARTICLE.encode(), "text/plain"))], follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/ingest/")
    wait_for_job(fresh_client, answer.headers["location"].rsplit("/", 1)[1])
    page = fresh_client.get(answer.headers["location"]).text
    assert "bridge.txt" in page and "1 added" in page and 'http-equiv="refresh"' not in page


@pytest.mark.parametrize("name", ["../evil.txt", "a/b.txt", "..\\evil.txt", "/etc/cron.d/x.txt", ".hidden.txt", "photo.png", "tool.exe", ""])
def test_upload_rejects_unsafe_names_and_types(fresh_client: TestClient, tmp_path: Path, name: str) -> None:
    answer = fresh_client.post("/api/ingest", files=[("files", (name, ARTICLE.encode(), "text/plain"))])
    assert answer.status_code in (400, 422), answer.text
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".db" and "-wal" not in p.name and "-shm" not in p.name]
    assert written == []


@pytest.mark.parametrize("name", ["nul\x00.txt", "line\nbreak.txt", "c:evil.txt", "..", "x" * 300 + ".txt"])
def test_checked_name_refuses_control_characters_and_odd_names(name: str) -> None:
    with pytest.raises(uploads.UploadRejected):
        uploads.checked_name(name)


def test_upload_rejects_binary_and_oversized_files(fresh_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = fresh_client.post("/api/ingest", files=[("files", ("a.txt", b"\x89PNG\x00\x00data", "text/plain"))])
    assert binary.status_code == 400 and "binary" in binary.json()["error"]
    fake_gzip = fresh_client.post("/api/ingest", files=[("files", ("a.jsonl.gz", b"plain text", "application/gzip"))])
    assert fake_gzip.status_code == 400
    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", 100)
    big = fresh_client.post("/api/ingest", files=[("files", ("a.txt", b"word " * 100, "text/plain"))])
    assert big.status_code == 413 and "too large" in big.json()["error"]
    page = fresh_client.post("/ingest", files=[("files", ("a.txt", b"word " * 100, "text/plain"))])
    assert page.status_code == 413 and "Nothing was uploaded" in page.text


def test_cross_site_posts_are_refused(fresh_client: TestClient) -> None:
    answer = fresh_client.post(
        "/ingest", files=[("files", ("bridge.txt", ARTICLE.encode(), "text/plain"))], headers={"Origin": "https://evil.example"}
    )
    assert answer.status_code == 403
    sibling = fresh_client.post("/api/ingest", files=[("files", ("b.txt", ARTICLE.encode(), "text/plain"))], headers={"Sec-Fetch-Site": "same-site"})
    assert sibling.status_code == 403


# -- token, serve, cache, views -------------------------------------------------------------------


def test_token_is_required_when_set(seed_db: Path, tmp_path: Path) -> None:
    with TestClient(create_app(seed_db, token="s3cret", data_dir=tmp_path), base_url=LOCAL) as guarded:
        assert guarded.get("/").status_code == 401
        assert guarded.get("/api/stories").json()["status"] == 401
        assert guarded.get("/api/stories", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert guarded.get("/api/stories", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert guarded.get("/?token=s3cret").status_code == 200  # sets the cookie
        assert guarded.get("/stories/1").status_code == 200


def test_serve_refuses_a_public_address_without_token(seed_db: Path) -> None:
    result = CliRunner().invoke(cli_app, ["--db", str(seed_db), "serve", "--host", "0.0.0.0"], env={"STORYDESK_TOKEN": ""})
    assert result.exit_code == 2 and "--token" in result.output


def test_cache_rebuilds_when_the_stamp_changes() -> None:
    cache, made = StampedCache(size=2), []
    build = lambda: made.append(1) or len(made)
    assert cache.get(("dossier", 1), ("t1", 4), build) == 1
    assert cache.get(("dossier", 1), ("t1", 4), build) == 1
    assert cache.get(("dossier", 1), ("t2", 5), build) == 2


def test_segments_cut_overlapping_marks_and_flag_the_citation() -> None:
    text = "Putin said hello on Monday."
    marks = [views.Mark(0, 5, "entity", "Putin"), views.Mark(0, 16, "quote", "q"), views.Mark(20, 26, "timex", "DATE")]
    pieces = views.segments(text, marks, cited=(11, 26))
    assert "".join(p.text for p in pieces) == text
    assert [(p.text, p.css) for p in pieces[:2]] == [("Putin", ["entity", "quote"]), (" said ", ["quote"])]
    cited = [p for p in pieces if p.cited]
    assert "".join(p.text for p in cited) == "hello on Monday" and cited[0].anchor == "cite"


def test_timeline_graphic_places_events_by_date() -> None:
    events = [
        views.TimelineEvent(1, "2024-06", "month", "treaty", None, [1], []),
        views.TimelineEvent(2, "2024-10-24", "day", "ratified", None, [1], []),
        views.TimelineEvent(3, "2024-10-24", "day", "said", None, [1], []),
    ]
    graphic = views.timeline_graphic(events, {1: "/articles/1"})
    x = {dot.number: dot.x for dot in graphic.dots}
    assert x[1] < x[2] == x[3]
    assert {dot.y for dot in graphic.dots if dot.number in (2, 3)} != {graphic.dots[1].y}
    assert graphic.ticks[0].label == "Jun 2024"
