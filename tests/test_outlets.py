"""An article's outlet: the input's source field, the page's site name, the URL's registered
domain, a credit line, the name given at ingest, else "unknown outlet", never a file name; stored
with where it came from, and named for articles stored before outlets were."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from fastapi.testclient import TestClient

from storydesk.desk import Desk
from storydesk.extract import extract
from storydesk.model import Origin, RawDocument, outlet_name, registered_domain
from storydesk.store import Store
from storydesk.store.schema import MIGRATIONS
from storydesk.web.app import create_app
from storydesk.words import name_keys
from test_cli import run
from test_web import wait_for_job

PROSE = [
    "The city council approved the new budget on Tuesday after a debate that lasted well into the night.",
    "Council members said the plan would fund repairs to the old bridge and extend the bus service.",
    "The mayor thanked residents for their patience and promised that work would begin in the spring.",
]
ARTICLE = "\n\n".join(["Council passes the city budget after a long night", *PROSE])


def _extracted(text: str, **container: str):
    return extract(RawDocument(Origin("/in/000_fcf03e8924f3ec65.txt"), "text", text, **container))


def test_the_name_comes_from_the_first_thing_that_gives_one() -> None:
    url = "https://news.example.co.uk/politics/budget"
    assert outlet_name("Daily Planet", "Planet Online", url, ["AFP"], "Given") == ("Daily Planet", "source")
    assert outlet_name(None, "Planet Online", url, ["AFP"], "Given") == ("Planet Online", "site")
    assert outlet_name(None, None, url, ["AFP"], "Given") == ("example.co.uk", "domain")
    assert outlet_name(None, "  ", None, ["EFE", "AP"], "Given") == ("EFE/AP", "credit")
    assert outlet_name(None, None, None, [], "Given") == ("Given", "given")
    assert outlet_name(None, None, None, [], None) == (None, "unknown")


def test_a_registered_domain_comes_from_the_public_suffix_list() -> None:
    assert registered_domain("https://news.example.co.uk/a") == "example.co.uk"
    assert registered_domain("http://www.bbc.co.uk/news") == "bbc.co.uk"
    assert registered_domain("edition.cnn.com/2024/story") == "cnn.com"
    assert registered_domain("https://192.168.1.1/page") is None
    assert registered_domain("/news/relative-link") is None


def test_an_archive_copy_is_named_by_the_archived_page_not_the_archive() -> None:
    wayback = "http://web.archive.org/web/20160110085637/http://usnews.nbcnews.com:80/_news/2013/01/07/a-story"
    assert registered_domain(wayback) == "nbcnews.com"
    assert registered_domain("https://archive.org/details/a-film") == "archive.org"


def test_a_text_with_no_clue_has_an_unknown_outlet_not_its_file_name() -> None:
    extraction = _extracted(ARTICLE)
    assert (extraction.outlet, extraction.outlet_from) == (None, "unknown")
    assert _extracted(ARTICLE, source="Lakeside Herald").outlet == "Lakeside Herald"


def test_a_credit_line_closing_the_article_names_the_agency() -> None:
    for credit, agency in (("(dpa)", "dpa"), ("– AP", "AP"), ("Source: AFP", "AFP"), ("EFE", "EFE")):
        extraction = _extracted(f"{ARTICLE}\n\n{credit}")
        assert (extraction.outlet, extraction.outlet_from) == (agency, "credit"), credit
        assert credit not in extraction.text
    photo = _extracted(ARTICLE.replace(PROSE[0], f"The mayor at the council – -/Kremlin/dpa\n\n{PROSE[0]}"))
    assert photo.outlet is None  # a photo credit is not the copy's


def test_a_page_without_a_site_name_is_named_by_its_registered_domain() -> None:
    body = "".join(f"<p>{p}</p>" for p in PROSE)
    page = f"<html><head><title>Budget</title></head><body><article>{body}</article></body></html>"
    extraction = extract(RawDocument(Origin("page.html"), "html", page, url="https://www.news.example.co.uk/b"))
    assert (extraction.site, extraction.outlet, extraction.outlet_from) == (None, "example.co.uk", "domain")
    named = page.replace("<head>", '<head><meta property="og:site_name" content="Example News">')
    extraction = extract(RawDocument(Origin("page.html"), "html", named, url="https://www.news.example.co.uk/b"))
    assert (extraction.outlet, extraction.outlet_from) == ("Example News", "site")


def test_jsonl_source_and_url_fields_name_the_stored_outlets(tmp_path: Path) -> None:
    records = [
        {"text": ARTICLE, "source": "Lakeside Herald"},
        {"text": ARTICLE.replace("Tuesday", "Monday"), "url": "https://news.example.co.uk/budget"},
        {"text": ARTICLE.replace("Tuesday", "Friday")},
    ]
    (tmp_path / "in.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    with Desk(tmp_path / "s.db") as desk:
        desk.ingest([str(tmp_path / "in.jsonl")], analyse=False, outlet="Given Gazette")
        named = [(a.outlet, a.extraction.outlet_from) for a in desk.articles()]
    assert named == [("Lakeside Herald", "source"), ("example.co.uk", "domain"), ("Given Gazette", "given")]


def test_ingest_outlet_option_names_what_names_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    db = tmp_path / "s.db"
    assert run(db, "ingest", "--no-analyse", "--outlet", "Daily Planet", str(tmp_path / "a.txt")).exit_code == 0
    shown = run(db, "doc", "1").output
    assert "outlet: Daily Planet (given)" in shown and "a.txt (" not in shown


def test_a_store_made_before_outlets_names_its_articles_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.create_function("name_keys", 1, lambda name: json.dumps(name_keys(name)))
    for script in MIGRATIONS[:4]:
        db.executescript(script)
    rows = [("a", "Example News", None), ("b", None, "https://news.example.co.uk/x"), ("c", None, None)]
    for key, site, url in rows:
        db.execute(
            "INSERT INTO articles(content_hash, text_hash, location, raw_format, site, url, text, ingested_at)"
            " VALUES (?, ?, ?, 'text', ?, ?, 'Some text.', '2024-10-24T00:00:00Z')",
            (key, key, f"/in/{key}.txt", site, url),
        )
    db.execute("PRAGMA user_version = 4")
    db.commit()
    db.close()
    with Store(path) as store:
        named = [(a.outlet, a.extraction.outlet_from) for a in store.articles()]
    assert named == [("Example News", "site"), ("example.co.uk", "domain"), ("unknown outlet", "unknown")]


def test_an_upload_names_the_outlet_of_articles_that_name_none(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path / "s.db", data_dir=tmp_path / "data"), base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        files = [("files", ("bridge.txt", ARTICLE.encode(), "text/plain"))]
        answer = client.post("/api/ingest", files=files, data={"outlet": " Lakeside Herald "})
        job = wait_for_job(client, answer.json()["id"])
        assert (job["state"], job["outlet"]) == ("done", "Lakeside Herald")
        assert client.get("/api/articles").json()["items"][0]["outlet"] == "Lakeside Herald"
        refused = client.post("/api/ingest", files=files, data={"outlet": "bad\x00name"})
        assert refused.status_code == 400
