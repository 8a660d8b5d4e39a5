"""Ingest through the pipeline: idempotent re-runs, duplicate links, one transaction per article."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from storydesk import pipeline
from storydesk.analyse import ANALYSIS_VERSION
from storydesk.desk import Desk
from storydesk.model import DuplicateLink, Origin, RawDocument
from storydesk.store import Store

from conftest import EXAMPLES

WIRE = (
    "MOSCOW (Reuters) - The lower house of parliament ratified a treaty with its neighbour on Thursday, "
    "the speaker said, after a debate that lasted less than an hour.\n"
    "The treaty commits both sides to assist each other in case of an armed attack, according to the text "
    "published by the parliament, and replaces agreements signed in 1961 and 2000.\n"
    "Officials said the agreement would enter into force once both leaders had signed the ratification "
    "documents, which they expected to happen within weeks.\n"
    "Analysts said the vote was a formality but showed how quickly relations had deepened since the war began.\n"
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    with Desk(tmp_path / "desk.db") as opened:
        yield opened


def test_ingesting_the_examples_twice_adds_them_once(desk: Desk) -> None:
    first = desk.ingest([str(EXAMPLES)])
    assert first.outcomes["added"] == 5 and not first.problems
    second = desk.ingest([str(EXAMPLES)])
    assert second.outcomes["already-stored"] == 5 and second.outcomes["added"] == 0
    assert desk.store.count() == 5


def test_same_content_elsewhere_gains_an_origin(desk: Desk, tmp_path: Path) -> None:
    one = write(tmp_path, "one.txt", WIRE)
    two = write(tmp_path, "two.txt", WIRE)
    desk.ingest([str(one)])
    report = desk.ingest([str(two)])
    assert report.outcomes["already-stored"] == 1 and desk.store.count() == 1
    assert [o.location for o in desk.origins(1)] == [str(one), str(two)]


def test_syndicated_copy_with_other_furniture_is_linked_not_dropped(desk: Desk, tmp_path: Path) -> None:
    write(tmp_path, "a_wire.txt", WIRE)
    write(tmp_path, "b_outlet.txt", "World\n\n" + WIRE.replace("less than an hour", "under an hour") + "\nFollow us on Facebook\n")
    report = desk.ingest([str(tmp_path)])
    assert report.outcomes["added"] == 1 and report.outcomes["near-duplicate"] == 1
    copy = desk.article(2)
    assert copy is not None and copy.duplicate_of is not None
    assert copy.duplicate_of.article_id == 1 and copy.duplicate_of.kind == "near"


def test_same_text_in_another_container_is_an_exact_duplicate(desk: Desk, tmp_path: Path) -> None:
    write(tmp_path, "a.txt", WIRE)
    framed = WIRE + "Follow us on Twitter\n"  # differs as input, same body once cleaned
    write(tmp_path, "b.jsonl", json.dumps({"text": framed, "url": "https://example.org/a"}) + "\n")
    report = desk.ingest([str(tmp_path)])
    assert report.outcomes["exact-duplicate"] == 1
    assert desk.article(2).duplicate_of == DuplicateLink(1, "exact", 1.0)


def test_an_interrupted_ingest_leaves_whole_articles_and_resumes(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    real_add = Store.add_article
    calls = {"n": 0}

    def failing_add(self: Store, *args: object) -> int:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # the user pressed Ctrl-C in the middle of the third article
        return real_add(self, *args)

    monkeypatch.setattr(Store, "add_article", failing_add)
    with pytest.raises(KeyboardInterrupt):
        desk.ingest([str(EXAMPLES)])
    assert desk.store.count() == 2
    db = desk.store._db
    assert db.execute("SELECT count(DISTINCT article_id) FROM minhash_signatures").fetchone()[0] == 2
    assert db.execute("SELECT count(*) FROM removed_lines WHERE article_id NOT IN (SELECT id FROM articles)").fetchone()[0] == 0

    monkeypatch.setattr(Store, "add_article", real_add)
    report = desk.ingest([str(EXAMPLES)])
    assert report.outcomes["already-stored"] == 2 and report.outcomes["added"] == 3
    assert desk.store.count() == 5


def test_an_extractor_crash_is_a_problem_and_the_batch_goes_on(desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_prepare = pipeline.prepare

    def fragile_prepare(raw: RawDocument, **options: object):
        if "explode" in raw.content:
            raise ValueError("parser stack overflow")
        return real_prepare(raw, **options)

    monkeypatch.setattr(pipeline, "prepare", fragile_prepare)
    write(tmp_path, "a.txt", "explode " + WIRE)
    write(tmp_path, "b.txt", WIRE)
    report = desk.ingest([str(tmp_path)])
    assert report.outcomes["added"] == 1
    assert [str(p) for p in report.problems] == [f"{tmp_path / 'a.txt'}: extraction failed (ValueError): the document could not be read"]


def test_a_document_with_no_text_is_reported(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        report = pipeline.ingest(store, [RawDocument(Origin("page.html"), "html", "<html><head><script>var x = 1;</script></head><body>  </body></html>")])
    assert [p.reason for p in report.problems] == ["no article text found"]


def test_a_page_whose_body_is_a_sign_up_form_has_no_article_text(tmp_path: Path) -> None:
    form = "Just One More Thing...\n\nWe have sent you a verification email. Please check your email and click on the link.\n\nClose"
    raw = RawDocument(Origin("feed.jsonl", "1"), "text", form, title="Five people hurt in Elm Street shooting Monday")
    with Store(tmp_path / "s.db") as store:
        report = pipeline.ingest(store, [raw])
        assert store.article_ids() == []
    assert [str(p) for p in report.problems] == ["feed.jsonl#1: no article text found"]


def test_container_date_wins_and_page_date_is_kept_as_rejected(tmp_path: Path) -> None:
    raw = RawDocument(Origin("feed.jsonl", "1"), "text", "date 2024-10-24\n" + WIRE, date="2024-10-25T08:00:00Z")
    prepared = pipeline.prepare(raw)
    published = prepared.article.extraction.published
    assert published.value == "2024-10-25" and published.evidence[0].source == "input:date"
    assert any("2024-10-24" in e.text for e in published.rejected)


def test_a_relative_container_date_is_no_date(tmp_path: Path) -> None:
    raw = RawDocument(Origin("feed.jsonl", "2"), "text", WIRE, date="yesterday")
    assert pipeline.prepare(raw).article.extraction.published.value is None


def test_an_rfc822_feed_date_is_read(tmp_path: Path) -> None:
    raw = RawDocument(Origin("feed.rss", "0"), "text", WIRE, date="Thu, 24 Oct 2024 10:00:00 GMT")
    assert pipeline.prepare(raw).article.extraction.published.value == "2024-10-24"


def test_articles_are_analysed_as_they_are_stored(desk: Desk) -> None:
    desk.ingest([str(EXAMPLES)])
    assert desk.pending_analysis() == []
    article = desk.article(2)  # 001: the BRICS press conference in Kazan
    analysis = article.analysis
    assert analysis is not None and analysis.version.startswith(f"{ANALYSIS_VERSION}+")
    names = {e.key: e.name for e in analysis.entities}
    assert names["person:vladimir putin"] == "Vladimir Putin"
    assert any(q.speaker_entity == "person:vladimir putin" and "our business" in q.content.text for q in analysis.quotes)
    assert any(t.text == "Thursday" and t.value == "2024-10-24" for t in analysis.timexes)
    assert any(f.value == 2000 and f.asserted_by == "person:vladimir putin" for f in analysis.figures)


def test_entities_link_across_articles(desk: Desk, tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "Russian President Vladimir Putin said on Monday that talks would go on.\n")
    write(tmp_path, "b.txt", "Putin told reporters in Moscow that the treaty was a sovereign decision.\n")
    desk.ingest([str(tmp_path / "a.txt")])
    desk.ingest([str(tmp_path / "b.txt")])
    second = desk.article(2).analysis
    assert "person:vladimir putin" in {m.entity for m in second.mentions}


def test_a_failed_analysis_keeps_the_article_and_analyse_retries(desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = pipeline.analysis_stage.analyse
    monkeypatch.setattr(pipeline.analysis_stage, "analyse", lambda text, published, language: 1 / 0)
    write(tmp_path, "a.txt", WIRE)
    report = desk.ingest([str(tmp_path)])
    assert report.outcomes["added"] == 1
    assert [p.reason for p in report.problems] == ["analysis failed (ZeroDivisionError): the article is stored without an analysis"]
    assert desk.article(1).analysis is None and desk.pending_analysis() == [1]
    monkeypatch.setattr(pipeline.analysis_stage, "analyse", real)
    assert desk.analyse().outcomes["analysed"] == 1
    assert desk.article(1).analysis is not None and desk.pending_analysis() == []


def test_ingest_without_analysis_then_analyse(desk: Desk) -> None:
    desk.ingest([str(EXAMPLES)], analyse=False)
    assert len(desk.pending_analysis()) == 5
    report = desk.analyse()
    assert report.outcomes["analysed"] == 5 and desk.pending_analysis() == []


def raw_text(name: str, text: str) -> RawDocument:
    return RawDocument(origin=Origin(name), format="text", content=text)


def test_articles_analysed_together_get_the_analyses_they_get_alone() -> None:
    texts = [path.read_text(encoding="utf-8") for path in sorted(EXAMPLES.glob("*.txt"))[:3]]
    batch = [pipeline.prepare(raw_text(f"a{n}.txt", text), analyse=False) for n, text in enumerate(texts)]
    pipeline.analyse_prepared(batch)
    alone = [pipeline.prepare(raw_text(f"a{n}.txt", text)) for n, text in enumerate(texts)]
    assert [item.article.analysis for item in batch] == [item.article.analysis for item in alone]
    assert all(item.article.analysis.quotes for item in batch)


def test_a_failing_batch_is_analysed_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    batch = [pipeline.prepare(raw_text(f"{n}.txt", WIRE.replace("treaty", word)), analyse=False)
             for n, word in enumerate(("treaty", "POISON", "pact"))]

    def fail_on_poison(text: str, published: str | None, language: str | None):
        if "POISON" in text:
            raise ValueError("hostile text")
        return analyse(text, published, language)

    analyse = pipeline.analysis_stage.analyse
    monkeypatch.setattr(pipeline.analysis_stage, "analyse", fail_on_poison)
    monkeypatch.setattr(pipeline.analysis_stage, "analyse_many", lambda items: [fail_on_poison(*item) for item in items])
    pipeline.analyse_prepared(batch)
    assert [item.article.analysis is not None for item in batch] == [True, False, True]
    assert batch[1].analysis_error == "analysis failed (ValueError): the article is stored without an analysis"
