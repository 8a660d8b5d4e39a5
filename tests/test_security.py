"""Attacks on `storydesk serve` and on its uploads (issue 22), each with the answer it must get:
DNS rebinding (400), integers past SQLite's range (422, never 500), HEAD and the favicon (200),
disguised upload names (400), the API docs without inline script, long articles analysed in
part. Script injection, traversal and size limits are in test_web.py."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from storydesk.analyse import cut
from storydesk.cli import app as cli_app
from storydesk.web import api, create_app, pages, uploads
from storydesk.web.app import split_host

PORT = 8765
LOCAL = f"http://127.0.0.1:{PORT}"
ARTICLE = "The minister said on Monday that forty bridges would be built in Ruritania, officials said.\n"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    """An app told it listens on PORT, over an empty store, with no token."""
    folder = tmp_path_factory.mktemp("security")
    with TestClient(create_app(folder / "s.db", data_dir=folder / "data", port=PORT), base_url=LOCAL, raise_server_exceptions=False) as made:
        yield made


def upload(client: TestClient, name: str, host: str | None = None) -> int:
    headers = {"host": host} if host else {}
    return client.post("/api/ingest", files=[("files", (name, ARTICLE.encode(), "text/plain"))], headers=headers).status_code


# -- 1. DNS rebinding: only loopback names on the bound port, unless a token names more ---------

REBINDING = [  # (Host header, expected status of a GET)
    ("127.0.0.1:8765", 200),
    ("localhost:8765", 200),
    ("LOCALHOST:8765", 200),
    ("[::1]:8765", 200),
    ("evil.example:8765", 400),
    ("evil.example", 400),
    ("localhost.evil.example:8765", 400),
    ("127.0.0.1.nip.io:8765", 400),
    ("localhost:9999", 400),  # another port: not this server's name
    ("localhost", 400),  # port 80
    ("localhost:abc", 400),
    ("", 400),
]


@pytest.mark.parametrize(("host", "status"), REBINDING)
def test_host_header_decides_whether_a_request_is_answered(served: TestClient, host: str, status: int) -> None:
    assert served.get("/", headers={"host": host}).status_code == status
    assert served.get("/api/stories", headers={"host": host}).status_code == status


def test_a_rebound_name_can_neither_read_nor_upload_and_the_page_says_why(served: TestClient) -> None:
    page = served.get("/stories/1", headers={"host": "evil.example:8765"})
    assert page.status_code == 400 and "<h1>Error 400</h1>" in page.text
    assert "evil.example:8765" in page.text and "--allow-host" in page.text
    assert upload(served, "bridge.txt", host="evil.example:8765") == 400
    assert served.get("/api/articles", headers={"host": "evil.example:8765"}).json()["status"] == 400


def test_without_a_port_the_app_answers_loopback_names_on_any_port(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path / "s.db", data_dir=tmp_path / "d"), base_url="http://localhost:1234") as client:
        assert client.get("/").status_code == 200
        assert client.get("/", headers={"host": "evil.example:1234"}).status_code == 400


def test_with_a_token_allow_host_names_the_public_names(tmp_path: Path) -> None:
    app = create_app(tmp_path / "s.db", token="s3cret", data_dir=tmp_path / "d", port=PORT, allow_hosts=("News.Example.org",))
    bearer = {"authorization": "Bearer s3cret"}
    with TestClient(app, base_url="https://news.example.org") as client:
        assert client.get("/api/stories", headers=bearer).status_code == 200
        assert client.get("/api/stories").status_code == 401
        assert client.get("/api/stories", headers={**bearer, "host": "other.example.org"}).status_code == 400
        assert client.get("/api/stories", headers={**bearer, "host": f"localhost:{PORT}"}).status_code == 200


def test_allow_host_without_a_token_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--token"):
        create_app(tmp_path / "s.db", allow_hosts=("news.example.org",))
    result = CliRunner().invoke(
        cli_app, ["--db", str(tmp_path / "s.db"), "serve", "--allow-host", "news.example.org"], env={"STORYDESK_TOKEN": ""}
    )
    assert result.exit_code == 2 and "--token" in result.output


@pytest.mark.parametrize(
    ("host", "parts"),
    [("localhost:8765", ("localhost", 8765)), ("[::1]:80", ("[::1]", 80)), ("[::1]", ("[::1]", 80)), ("a.b", ("a.b", 80)),
     ("a:99999999", ("a", None)), ("a:-1", ("a", None))],
)
def test_split_host(host: str, parts: tuple) -> None:
    assert split_host(host) == parts


# -- 2. integers: bounded where they are parsed, 422 out of range, never 500 ----------------------

OUT_OF_RANGE = [-1, 2**63, 10**30, "x", "1.5"]


def integer_parameters(client: TestClient) -> list[tuple[str, str, bool]]:
    """(route path, integer parameter, in the path) for every GET route with one."""
    found = []
    for route in [*client.app.routes, *api.router.routes, *pages.router.routes]:
        if isinstance(route, APIRoute) and "GET" in route.methods:
            for param, in_path in [(p, True) for p in route.dependant.path_params] + [(p, False) for p in route.dependant.query_params]:
                if param.field_info.annotation is int:
                    found.append((route.path, param.name, in_path))
    return found


def url_with(route: str, name: str, value: object, in_path: bool) -> str:
    path = route.replace("{key:path}", "person:nobody").replace("{job_id}", "nojob")
    path = path.replace(f"{{{name}}}", str(value))
    for other in ("story_id", "article_id"):
        path = path.replace(f"{{{other}}}", "1")
    return path + ("?q=x" if in_path else f"?q=x&{name}={value}")


def test_every_integer_parameter_is_found(served: TestClient) -> None:
    names = {(route, name) for route, name, _ in integer_parameters(served)}
    assert {("/stories/{story_id}", "story_id"), ("/articles/{article_id}", "article_id"), ("/search", "page"),
            ("/", "page"), ("/entities/{key:path}", "page"), ("/api/articles", "offset"), ("/api/search", "offset"),
            ("/api/entities/{key:path}", "offset"), ("/api/stories/{story_id}", "story_id")} <= names
    assert len(names) >= 16


@pytest.mark.parametrize("value", [0, *OUT_OF_RANGE])
def test_every_route_bounds_its_integers(served: TestClient, value: object) -> None:
    for route, name, in_path in integer_parameters(served):
        answer = served.get(url_with(route, name, value, in_path))
        where = f"{route} {name}={value}"
        assert answer.status_code < 500, where
        if value != 0 or name.endswith("_id") or name == "page" or name == "limit":
            assert answer.status_code == 422, where
            if route.startswith("/api/"):
                assert answer.json()["status"] == 422, where
            else:
                assert "<h1>Error 422</h1>" in answer.text, where


def test_the_largest_sqlite_integer_is_a_plain_miss(served: TestClient) -> None:
    largest = 2**63 - 1
    assert served.get(f"/articles/{largest}").status_code == 404
    assert served.get(f"/api/stories/{largest}").status_code == 404
    assert served.get("/api/articles", params={"offset": largest}).json()["items"] == []


# -- 3. HEAD and the favicon ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/search?q=x", "/ingest", "/docs", "/api/stories", "/favicon.ico", "/static/style.css"])
def test_head_answers_as_get_without_a_body(served: TestClient, path: str) -> None:
    got, head = served.get(path), served.head(path)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-security-policy"] == got.headers["content-security-policy"]


def test_head_of_a_missing_page_is_its_error(served: TestClient) -> None:
    head = served.head("/stories/999")
    assert head.status_code == 404 and head.content == b""


def test_favicon_is_served(served: TestClient) -> None:
    icon = served.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content.startswith(b"\x00\x00\x01\x00")  # an ICO header


# -- 4. upload names that hide what they are ------------------------------------------------------

DISGUISED_NAMES = [
    "invoice\u202etxt.exe.txt",  # right-to-left override
    "report\u2067.txt",  # right-to-left isolate
    "a\u200bb.txt",  # zero-width space
    "a\u200db.txt",  # zero-width joiner
    "\ufeffbom.txt",  # byte-order mark
    "soft\u00adhyphen.txt",
    "line\u2028sep.txt",
    "del\x7f.txt",
]


@pytest.mark.parametrize("name", DISGUISED_NAMES)
def test_disguised_upload_names_are_refused(served: TestClient, name: str) -> None:
    assert upload(served, name) == 400
    with pytest.raises(uploads.UploadRejected, match="invisible"):
        uploads.checked_name(name)


@pytest.mark.parametrize("name", ["tab\there.txt", "bell\x07.txt", "esc\x1b[31m.txt", "nel\x85.txt"])
def test_control_characters_are_refused(name: str) -> None:
    """(An HTTP client percent-encodes these; a hand-made request need not.)"""
    with pytest.raises(uploads.UploadRejected, match="control"):
        uploads.checked_name(name)


@pytest.mark.parametrize("name", ["Zürich report.txt", "新闻.txt", "مقال.txt", "crawl.warc.gz"])
def test_names_in_any_script_are_accepted(name: str) -> None:
    assert uploads.checked_name(name) == name


def test_outlet_names_refuse_invisible_characters_too(served: TestClient) -> None:
    answer = served.post("/api/ingest", files=[("files", ("a.txt", ARTICLE.encode(), "text/plain"))], data={"outlet": "Gazette\u202e"})
    assert answer.status_code == 400 and "invisible" in answer.json()["error"]


def test_upload_picker_offers_gzipped_files(served: TestClient) -> None:
    accept = served.get("/ingest").text.split('accept="', 1)[1].split('"', 1)[0]
    assert ".gz" in accept.split(",") and ".warc" in accept.split(",")


# -- 6. API docs without inline script ------------------------------------------------------------


def test_docs_run_no_inline_script(served: TestClient) -> None:
    docs = served.get("/docs")
    policy = docs.headers["content-security-policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    scripts = docs.text.count("<script")
    assert scripts == docs.text.count('<script src="') == 2
    assert served.get("/static/docs.js").status_code == 200
    assert "SwaggerUIBundle" in served.get("/static/docs.js").text


# -- 5. long articles: analysed on their first sentences, stored whole, placed, said so ----------


def long_text(sentences: int) -> str:
    return "".join(f"The minister said on day {n} that bridge {n} would be built in Ruritania. " for n in range(sentences))


def test_a_long_text_is_cut_after_a_whole_sentence() -> None:
    text = long_text(200)
    part = cut.analysed_part(text, limit=1000)
    assert len(part) <= 1000 and text.startswith(part) and part.endswith("Ruritania. ")
    assert cut.analysed_part(text, limit=len(text)) == text
    assert cut.analysed_part("word " * 400, limit=1000).endswith("word ")  # no sentence end: whole words
    assert cut.analysed_part("x" * 2000, limit=1000) == "x" * 1000


def test_a_long_upload_is_analysed_in_part_stored_whole_placed_and_said_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cut, "MAX_ANALYSED_CHARS", 3000)
    text = long_text(150).strip()
    with TestClient(create_app(tmp_path / "s.db", data_dir=tmp_path / "d"), base_url=LOCAL) as client:
        job = client.post("/api/ingest", files=[("files", ("long.txt", text.encode(), "text/plain"))]).json()
        for _ in range(600):
            job = client.get(f"/api/ingest/{job['id']}").json()
            if job["state"] in ("done", "failed"):
                break
            time.sleep(0.1)
        [result] = job["files"]
        assert result["outcomes"] == {"added": 1} and result["problems"] == []
        [note] = result["notes"]
        assert f"a long article ({len(text):,} characters): only its first" in note and "E088" not in note
        assert "only its first" in client.get(f"/ingest/{job['id']}").text
        article_id = client.get("/api/articles").json()["items"][0]["id"]
        stored = client.get(f"/api/articles/{article_id}").json()
        cut_at = stored["analysis"]["cut_at"]
        assert 2900 < cut_at <= 3000 and stored["story"] is not None
        page = client.get(f"/articles/{article_id}")
        assert f"Its analysis was cut at character {cut_at:,}" in page.text
        assert f'href="/articles/{article_id}/text"' in page.text and "bridge 149 " not in page.text
        whole = client.get(f"/articles/{article_id}/text")
        assert whole.headers["content-type"].startswith("text/plain") and whole.text == text


def test_a_short_article_page_says_nothing_of_a_cut(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path / "s.db", data_dir=tmp_path / "d"), base_url=LOCAL) as client:
        job = client.post("/api/ingest", files=[("files", ("short.txt", ARTICLE.encode(), "text/plain"))]).json()
        while client.get(f"/api/ingest/{job['id']}").json()["state"] not in ("done", "failed"):
            time.sleep(0.1)
        assert client.get(f"/api/ingest/{job['id']}").json()["files"][0]["notes"] == []
        assert 'id="cut"' not in client.get("/articles/1").text
