"""Stories through the pipeline: articles are placed as they are stored, copies join their
original's story, unrelated news starts its own story, a rebuild places everything again."""
from __future__ import annotations

from pathlib import Path

import pytest

from storydesk import cluster
from storydesk.desk import Desk
from storydesk.model import StoryDates
from test_pipeline import WIRE, write

from conftest import EXAMPLES

EARTHQUAKE = (
    "A magnitude 6.1 earthquake struck northern Chile on Saturday, the US Geological Survey said, "
    "shaking buildings in Antofagasta and cutting power to thousands of homes.\n"
    "Chile's emergency office said two people were injured by falling debris and that schools would "
    "stay closed on Monday while engineers inspected them.\n"
    "The quake's epicentre was 40 kilometres east of Antofagasta at a depth of 60 kilometres, "
    "the geological survey said, and several aftershocks followed.\n"
)


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    with Desk(tmp_path / "desk.db") as opened:
        yield opened


def test_the_seed_articles_make_one_story(desk: Desk) -> None:
    desk.ingest([str(EXAMPLES)])
    stories = desk.stories()
    assert len(stories) == 1
    story = stories[0]
    assert story.article_ids == [1, 2, 3, 4, 5] and desk.unplaced() == []
    assert story.title == desk.article(1).title
    # two articles are undated: the story's events bound them ("on Wednesday" after June's treaty)
    assert story.dates == desk.dossier(story.id).dates == StoryDates("2024-06", "2024-10-25", "on-or-after", "exact")
    assert story.outlets == ["unknown outlet", "EFE"]  # never the files' names


def test_unrelated_news_starts_its_own_story_and_a_copy_joins_its_original(desk: Desk, tmp_path: Path) -> None:
    desk.ingest([str(EXAMPLES)])
    desk.ingest([str(write(tmp_path, "quake.txt", EARTHQUAKE))])
    desk.ingest([str(write(tmp_path, "quake-copy.txt", "Follow us on Twitter\n" + EARTHQUAKE))])
    seeds, quake = desk.stories()  # newest first: an undated story comes last
    assert seeds.article_ids == [1, 2, 3, 4, 5]
    assert quake.article_ids == [6, 7] and desk.article(7).duplicate_of.article_id == 6


def test_articles_stored_without_analysis_are_placed_once_analysed(desk: Desk, tmp_path: Path) -> None:
    desk.ingest([str(write(tmp_path, "wire.txt", WIRE))], analyse=False)
    assert desk.stories() == [] and desk.unplaced() == []
    desk.analyse()
    assert [s.article_ids for s in desk.stories()] == [[1]]


def test_rebuild_places_every_article_again_with_the_same_result(desk: Desk, tmp_path: Path) -> None:
    desk.ingest([str(EXAMPLES), str(write(tmp_path, "quake.txt", EARTHQUAKE))])
    before = sorted(s.article_ids for s in desk.stories())
    assert desk.cluster(rebuild=True) == 6
    assert sorted(s.article_ids for s in desk.stories()) == before
    assert desk.cluster() == 0  # nothing left unplaced


def test_rebuild_clusters_the_store_at_once_and_keeps_copies_with_their_originals(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk.ingest([str(EXAMPLES), str(write(tmp_path, "quake.txt", EARTHQUAKE))])
    desk.ingest([str(write(tmp_path, "quake-copy.txt", "Follow us on Twitter\n" + EARTHQUAKE))])
    articles = [desk.article(article_id) for article_id in desk.article_ids()]
    batch = cluster.cluster([cluster.profile(article) for article in articles])
    assert desk.cluster(rebuild=True) == 7
    groups = {label: [a.id for a, other in zip(articles, batch) if other == label] for label in batch}
    assert sorted(s.article_ids for s in desk.stories()) == sorted(groups.values())
    assert desk.story_count() == len(groups) and desk.cluster() == 0
    monkeypatch.setattr(cluster, "cluster", lambda profiles, idf, model: [0] * (len(profiles) - 1) + [1])  # the copy alone
    desk.cluster(rebuild=True)
    assert [s.article_ids for s in desk.stories()] == [[1, 2, 3, 4, 5, 6, 7]]  # the copy stays with its original
