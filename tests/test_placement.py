"""One placement algorithm, two indexes: articles ingested into the store end in the same
stories as the same articles placed in order into a ``MemoryIndex`` (what evaluation and
training measure), with the candidate caps of ``cluster.online`` binding or not."""
from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

import pytest

from storydesk.cluster import MemoryIndex, online, place_article, profile
from storydesk.desk import Desk
from storydesk.model import ArticleProfile
from storydesk.eval.runs import iter_records
from test_cluster import QUAKE_A, QUAKE_B

from conftest import bench_file

OTHER_NEWS = [
    "Floods cut roads in Bavaria\nHeavy rain flooded the Danube valley near Passau on Tuesday, "
    "and firefighters evacuated 300 residents, the Bavarian interior ministry said.",
    "Passau flood waters recede\nResidents of Passau returned home on Thursday as the Danube fell, "
    "the Bavarian interior ministry said after 300 people were evacuated.",
    "Chile copper strike ends\nWorkers at the Escondida mine in Chile ended a 43-day strike on Friday "
    "after BHP agreed to a bonus, the union said.",
]


def stories_in_store(desk: Desk) -> list[list[int]]:
    """The store's stories as sorted lists of article ids."""
    return sorted(story.article_ids for story in desk.stories())


def stories_in_memory(desk: Desk) -> list[list[int]]:
    """The stored articles placed in id order into a MemoryIndex (copies into their original's
    story, as ingest places them), as sorted lists of article ids."""
    index = MemoryIndex()
    for article_id in desk.article_ids():
        article = desk.article(article_id)
        copy = article.duplicate_of
        original = (index.story_of(copy.article_id), copy.similarity) if copy else (None, 0.0)
        place_article(index, profile(article), "", original)
    return sorted(index.stories())


def ingest_texts(desk: Desk, folder: Path, texts: list[str]) -> None:
    folder.mkdir()
    for number, text in enumerate(texts):
        (folder / f"{number:03d}.txt").write_text(text, encoding="utf-8")
    desk.ingest([str(folder)])


CAPS = pytest.mark.parametrize("caps", [(50, 20, 20), (1, 2, 1)], ids=["shipped caps", "caps that bind"])


def set_caps(monkeypatch: pytest.MonkeyPatch, caps: tuple[int, int, int]) -> None:
    """Stories read per key, candidates compared, members read per candidate."""
    for name, value in zip(("CANDIDATES_PER_KEY", "MAX_CANDIDATES", "MAX_MEMBERS"), caps):
        monkeypatch.setattr(online, name, value)


@CAPS
def test_store_and_memory_place_articles_in_the_same_stories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caps: tuple[int, int, int]
) -> None:
    set_caps(monkeypatch, caps)
    with Desk(tmp_path / "desk.db") as desk:
        ingest_texts(desk, tmp_path / "texts", [*QUAKE_A, *OTHER_NEWS, *QUAKE_B, QUAKE_A[0] + " Aid arrived."])
        stored = stories_in_store(desk)
        assert stored == stories_in_memory(desk)
        assert len(stored) > 2 and any(len(story) > 1 for story in stored)


@pytest.mark.bench
@CAPS
def test_store_and_memory_agree_on_ecbplus_dev_articles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caps: tuple[int, int, int]
) -> None:
    set_caps(monkeypatch, caps)
    records = [r for r in iter_records(bench_file("clustering", "ecbplus-dev.jsonl.gz")) if str(r["topic"]) in {"12", "18", "41"}]
    path = tmp_path / "subset.jsonl"
    path.write_text("".join(json.dumps({"text": r["text"]}) + "\n" for r in islice(records, 36)), encoding="utf-8")
    with Desk(tmp_path / "desk.db") as desk:
        desk.ingest([str(path)])
        stored = stories_in_store(desk)
        assert stored == stories_in_memory(desk)
        assert len(stored) > 2 and any(len(story) > 1 for story in stored)


def test_memory_index_lists_stories_and_members_newest_first_as_the_store_does() -> None:
    index = MemoryIndex()
    stories = [index.create_story(str(n)) for n in range(3)]
    for number, story in enumerate([0, 1, 2, 0]):
        index.save_profile(ArticleProfile(article_id=number), ["t:k"])
        index.add_to_story(stories[story], number, 1.0, ["k"] if story else ["k", "first"], None)
    assert index.stories_under("k", 2) == [2, 1] and index.stories_under("first", 50) == [0]
    assert [p.article_id for p in index.member_profiles(0, 5)] == [3, 0]
    assert index.document_frequencies(["t:k", "t:never"]) == (4, {"t:k": 4})
