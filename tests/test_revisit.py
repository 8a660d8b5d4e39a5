"""Revisiting recent decisions through ingest: a story merges with a runner-up once articles
bridge them, a story splits when its members fall into two groups, the history records both,
and an old story id still leads somewhere (the Desk, the web page and the API). A merge is
part of the arriving article's transaction: killed inside it, the store is as before and the
next ingest completes it."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storydesk.cluster import MemoryIndex, place_article, profile
from storydesk.desk import Desk
from storydesk.model import ArticleProfile
from storydesk.store import Store
from storydesk.store.schema import SCHEMA_VERSION
from test_cluster import QUAKE_A, QUAKE_B

ROOT = Path(__file__).resolve().parents[1]

RESCUE = (
    "Rescuers dig through rubble in Concepcion\nFirefighters from Santiago pulled survivors from a "
    "collapsed apartment block in Concepcion on Thursday, as aftershocks shook the Biobio region and the "
    'navy brought water and tents. "We heard voices under the concrete," fire chief Juan Perez said.'
)
BRIDGES = [
    "Chile sends navy to quake city\nThe navy brought water and tents to Concepcion, where firefighters "
    "from Santiago searched a collapsed apartment block after the magnitude 7.1 earthquake that killed "
    "40 people, President Michelle Bachelet said.",
    "Navy tents for Concepcion survivors\nSantiago firefighters kept searching the collapsed apartment "
    "block in Concepcion on Friday while the navy set up tents and water points, three days after the "
    "7.1 earthquake killed 40, Michelle Bachelet said.",
]
# The quake story, a rescue report it does not yet resemble (a story of its own), then two
# reports that tell both: the first joins the quake story, and the rescue story, now alike to it,
# merges into it; the second joins the one story.
MERGING = [*QUAKE_A, RESCUE, *BRIDGES]
COMPARED = (
    "Two earthquakes compared\nThe magnitude 7.1 earthquake in Concepcion, Chile, on March 3, 2010 "
    "killed 40 people; the 6.4 earthquake in Padang, Indonesia, on October 12, 2012 killed 12."
)
PADANG = (
    "Padang buries quake victims\nFamilies in Padang buried 12 people killed by the 6.4 earthquake that "
    "struck Sumatra on October 12, 2012, and Susilo Bambang Yudhoyono sent ministers to Indonesia's west coast."
)
CONCEPCION = (
    "Concepcion counts the cost\nEngineers inspected 500 buildings in Concepcion after the 7.1 earthquake "
    "of March 3, 2010 that killed 40, Michelle Bachelet's government in Chile said."
)
# An article comparing two quakes joins the Chile story and brings the Indonesia reports in
# after it (the first of them starts a story of its own, merged in at once); once each quake has
# four reports, they fall apart: the story splits (three reports are a small group, absorbed by
# the larger story its best pairs resemble; with four each, apart).
SPLITTING = [QUAKE_A[0], COMPARED, *QUAKE_B, QUAKE_A[1], QUAKE_A[2], PADANG, CONCEPCION]


def write_texts(folder: Path, texts: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for number, text in enumerate(texts):
        (folder / f"{number:03d}.txt").write_text(text, encoding="utf-8")
    return folder


def stories(desk: Desk) -> list[list[int]]:
    return sorted(story.article_ids for story in desk.stories())


def check_consistent(db: Path) -> None:
    """The store's story tables agree with each other: every analysed article in one story,
    sizes and keys of existing stories only, no empty story."""
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    assert con.execute(
        "SELECT count(*) FROM analyses n LEFT JOIN story_articles s USING (article_id) WHERE s.story_id IS NULL"
    ).fetchone() == (0,)
    assert con.execute(
        "SELECT count(*) FROM stories t WHERE size != (SELECT count(*) FROM story_articles s WHERE s.story_id = t.id) OR size = 0"
    ).fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM story_keys WHERE story_id NOT IN (SELECT id FROM stories)").fetchone() == (0,)
    con.close()


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A store where the rescue story merged into the quake story, and its input folder."""
    folder = write_texts(tmp_path_factory.mktemp("merging") / "texts", MERGING)
    db = folder.parent / "merged.db"
    with Desk(db) as desk:
        desk.ingest([str(folder)])
    return db, folder


def test_a_merge_keeps_every_article_and_quote(merged: tuple[Path, Path]) -> None:
    db, _ = merged
    with Desk(db) as desk:
        assert stories(desk) == [[1, 2, 3, 4, 5, 6]]
        (change,) = desk.story_history(desk.stories()[0].id)
        assert (change.kind, change.article_ids, change.article_id) == ("merge", [4], 5)  # 5 brought the rescue story in
        assert change.rule in {"average link", "absorbed"} and change.score > 0
        dossier = desk.dossier(change.story_id)  # the merged story's id leads to the story it joined
        assert dossier.story.id == change.into_story
        assert {a.id for a in dossier.articles} == {1, 2, 3, 4, 5, 6}
        assert any("voices under the concrete" in q.text for q in dossier.quotes)
        assert desk.store.quotes_by("person:juan perez", 10, 0)[1] == 1
    check_consistent(db)


def test_re_running_ingest_after_a_merge_adds_nothing(merged: tuple[Path, Path]) -> None:
    db, folder = merged
    with Desk(db) as desk:
        before = (desk.stories(), [desk.story_history(s.id) for s in desk.stories()], desk.store.document_frequencies([]))
        report = desk.ingest([str(folder)])
        assert report.outcomes == {"already-stored": len(MERGING)}
        assert (desk.stories(), [desk.story_history(s.id) for s in desk.stories()], desk.store.document_frequencies([])) == before
    check_consistent(db)


def test_a_merged_story_redirects_on_the_web_and_in_the_api(merged: tuple[Path, Path], tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from storydesk.web import create_app

    db, _ = merged
    with Desk(db) as desk:
        change = desk.story_history(desk.stories()[0].id)[0]
        assert desk.current_story(change.story_id) == change.into_story and desk.current_story(999) is None
    old, into = change.story_id, change.into_story
    with TestClient(create_app(db, data_dir=tmp_path / "data"), base_url="http://127.0.0.1") as client:
        page = client.get(f"/stories/{old}", follow_redirects=False)
        assert (page.status_code, page.headers["location"]) == (301, f"/stories/{into}?from={old}")
        landed = client.get(f"/stories/{old}")
        assert landed.status_code == 200 and f"Story {old} has joined this story" in landed.text
        assert f"story {old} (1 article) joined this story (" in landed.text and "when article 5 arrived" in landed.text
        plain = client.get(f"/stories/{into}").text
        assert "has joined this story" not in plain and 'id="history"' in plain
        assert "has joined this story" not in client.get(f"/stories/{into}?from={into}").text  # only a story that joined it
        api = client.get(f"/api/stories/{old}", follow_redirects=False)
        assert (api.status_code, api.headers["location"]) == (301, f"/api/stories/{into}")
        history = client.get(f"/api/stories/{old}/history").json()
        assert (history["now"], [(c["kind"], c["story_id"], c["into_story"]) for c in history["changes"]]) == (into, [("merge", old, into)])
        assert client.get(f"/api/stories/{into}/history").json()["changes"] == history["changes"]
        assert client.get("/api/stories/999/history").status_code == 404
        assert client.get("/stories/999", follow_redirects=False).status_code == 404


def test_the_dossier_command_says_when_a_story_id_has_joined_another(merged: tuple[Path, Path]) -> None:
    from typer.testing import CliRunner

    from storydesk.cli import app

    db, _ = merged
    with Desk(db) as desk:
        change = desk.story_history(desk.stories()[0].id)[0]
    moved = CliRunner().invoke(app, ["dossier", str(change.story_id), "--db", str(db)])
    assert moved.exit_code == 0
    assert f"story {change.story_id} has joined story {change.into_story}" in moved.output
    assert "has joined" not in CliRunner().invoke(app, ["dossier", str(change.into_story), "--db", str(db)]).output


def test_a_split_never_loses_an_article(tmp_path: Path) -> None:
    folder = write_texts(tmp_path / "texts", SPLITTING)
    with Desk(tmp_path / "split.db") as desk:
        for number, path in enumerate(sorted(folder.iterdir()), start=1):
            desk.ingest([str(path)])
            assert sorted(a for story in stories(desk) for a in story) == list(range(1, number + 1))
            check_consistent(tmp_path / "split.db")
        assert stories(desk) == [[1, 5, 6, 8], [2, 3, 4, 7]]
        changes = desk.story_history(desk.story_of(1))
        split = next(change for change in changes if change.kind == "split")
        assert (split.article_ids, split.rule, split.article_id) == ([2, 3, 4, 7], "apart", 8)
        # each part is titled again from its own members: the headline most like theirs
        assert [desk.story(desk.story_of(a)).title for a in (1, 2)] == ["Chile quake toll rises to 40", "Sumatra quake leaves 12 dead"]
        assert changes[-1].kind == "split" and desk.current_story(changes[-1].story_id) == changes[-1].story_id  # a story that split goes on


@pytest.mark.parametrize("texts", [MERGING, SPLITTING], ids=["merging", "splitting"])
def test_store_and_memory_agree_with_revisits(tmp_path: Path, texts: list[str]) -> None:
    with Desk(tmp_path / "desk.db") as desk:
        desk.ingest([str(write_texts(tmp_path / "texts", texts))])
        index = MemoryIndex()
        for article_id in desk.article_ids():
            place_article(index, profile(desk.article(article_id)), "")
        assert sorted(index.stories()) == stories(desk)
        rows = sqlite3.connect(tmp_path / "desk.db").execute("SELECT kind, articles, rule, article_id FROM story_history ORDER BY id")
        changes = [(kind, json.loads(moved), rule, article) for kind, moved, rule, article in rows]
        assert [(kind, moved, rule, article) for kind, _, _, moved, rule, _, article in index.history] == changes
        assert changes  # the agreement covers a revisit


def test_story_ids_are_never_given_twice_and_a_store_of_schema_5_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "v5.db"
    Store(path).close()
    db = sqlite3.connect(path, isolation_level=None)  # as storydesk with schema 5 left it
    db.executescript(
        "DROP TABLE story_history; DROP TABLE story_sequence; DROP TABLE story_sweep; DROP TABLE story_dates;"
        " DROP TRIGGER story_dates_story_changed; DROP TRIGGER story_dates_member_analysed; PRAGMA user_version = 5;"
    )
    db.execute("INSERT INTO stories(id, title, created_at, updated_at) VALUES (7, 'old', '2024-01-01', '2024-01-01')")
    db.close()
    with Store(path) as store, store.transaction():
        assert store.schema_version == SCHEMA_VERSION and store.story_history(7) == []
        newest = store.create_story("new")
        assert newest == 8
        store.merge_stories(newest, 7, "average link", 0.5, None)
        assert store.create_story("newer") == 9  # not 8 again: a link to story 8 leads to story 7
        assert store.current_story(8) == 7 and store.current_story(9) == 9 and store.current_story(10) is None


def test_rebuild_since_a_day_reclusters_that_window_only(tmp_path: Path) -> None:
    from datetime import date

    dated = [(QUAKE_A[0], "2010-03-04"), (QUAKE_B[0], "2012-10-13"), (QUAKE_B[1], "2012-10-14")]
    path = tmp_path / "dated.jsonl"
    path.write_text("".join(json.dumps({"text": text, "date": day}) + "\n" for text, day in dated), encoding="utf-8")
    with Desk(tmp_path / "desk.db") as desk:
        desk.ingest([str(path)])
        assert [desk.article(a).extraction.published.value for a in desk.article_ids()] == [day for _, day in dated]
        chile, indonesia = desk.story_of(1), desk.story_of(2)
        assert desk.cluster(rebuild=True, since=date(2012, 10, 1)) == 2
        assert desk.story_of(1) == chile and desk.story_history(chile) == []  # outside the window: untouched
        rebuilt = desk.story_of(2)
        assert rebuilt != indonesia and desk.story(rebuilt).article_ids == [2, 3]
        assert desk.current_story(indonesia) == rebuilt and desk.story_history(indonesia)[0].kind == "rebuild"
    check_consistent(tmp_path / "desk.db")


KILLED_INSIDE_A_MERGE = """
import sys, time
from pathlib import Path
from storydesk.desk import Desk
from storydesk.store import Store
from storydesk.store.schema import SCHEMA_VERSION

recorded = Store.record_change

def record_then_hang(self, kind, *args):
    if kind == "merge":  # the members have moved and the old story is gone; nothing is committed
        Path(sys.argv[3]).write_text("inside the merge")
        time.sleep(600)
    recorded(self, kind, *args)

Store.record_change = record_then_hang
with Desk(sys.argv[1]) as desk:
    desk.ingest([sys.argv[2]])
"""


def test_a_kill_inside_a_merge_leaves_the_store_as_before_and_the_next_ingest_completes_it(
    tmp_path: Path, merged: tuple[Path, Path]
) -> None:
    clean_db, folder = merged
    db, marker = tmp_path / "killed.db", tmp_path / "marker"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen([sys.executable, "-c", KILLED_INSIDE_A_MERGE, str(db), str(folder), str(marker)], env=env)
    deadline = time.monotonic() + 300
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marker.exists(), "the merge was never reached"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    check_consistent(db)
    with Desk(db) as desk:
        assert desk.article_ids() == [1, 2, 3, 4]  # the article whose placement merged went with the merge
        assert stories(desk) == [[1, 2, 3], [4]]
        assert all(desk.story_history(s.id) == [] for s in desk.stories())
        desk.ingest([str(folder)])
        with Desk(clean_db) as clean:
            assert stories(desk) == stories(clean) == [[1, 2, 3, 4, 5, 6]]
            assert [c.kind for c in desk.story_history(desk.stories()[0].id)] == ["merge"]
    check_consistent(db)


def test_memory_index_merges_and_splits_keep_members_and_keys() -> None:
    index = MemoryIndex()
    first, second = index.create_story(""), index.create_story("")
    for article, story, keys in [(1, first, ["a", "b"]), (2, first, ["b"]), (3, second, ["c"])]:
        index.save_profile(ArticleProfile(article_id=article), [])
        index.add_to_story(story, article, 1.0, keys, None)
    index.merge_stories(second, first, "average link", 0.5, 3)
    assert index.stories() == [[1, 2, 3]] and index.stories_under("c", 5) == [first] and index.story_of(3) == first
    moved = index.split_story(first, [2, 3], None, {1: ["a"], 2: ["b"], 3: ["c"]}, "apart", 0.1, 3)
    assert moved == 2 and index.stories() == [[1], [2, 3]]
    assert index.stories_under("a", 5) == [first] and index.stories_under("b", 5) == [moved] == index.stories_under("c", 5)
    assert [entry[0] for entry in index.history] == ["merge", "split"]


def test_the_sweep_takes_every_story_in_turn_in_both_indexes(store: Store) -> None:
    memory = MemoryIndex()
    with store.transaction():
        store._db.executemany(  # the store's members are stored articles
            "INSERT INTO articles(id, content_hash, text_hash, location, raw_format, text, ingested_at)"
            " VALUES (?, ?, 't', 'x', 'text', 'x', 'now')",
            [(article, str(article)) for article in (1, 2, 3)],
        )
        for index in (memory, store):
            assert index.next_to_sweep() is None
            made = [index.create_story("") for _ in range(3)]
            for article, story in enumerate(made, start=1):
                index.save_profile(ArticleProfile(article_id=article), [])
                index.add_to_story(story, article, 1.0, [], None)
            index.merge_stories(made[1], made[0], "average link", 0.5, None)
            swept = [index.next_to_sweep() for _ in range(3)]
            assert swept == [made[0], made[2], made[0]]  # in id order, a merged story passed over, then from the first again


def test_cluster_since_needs_rebuild_and_a_day(merged: tuple[Path, Path]) -> None:
    from typer.testing import CliRunner

    from storydesk.cli import app

    db, _ = merged
    runner = CliRunner()
    alone = runner.invoke(app, ["cluster", "--since", "2024-10-01", "--db", str(db)])
    assert alone.exit_code == 2 and "give --rebuild too" in alone.output
    assert runner.invoke(app, ["cluster", "--rebuild", "--since", "October", "--db", str(db)]).exit_code == 2
    rebuilt = runner.invoke(app, ["cluster", "--rebuild", "--since", "2030-01-01", "--db", str(db), "--quiet"])
    assert rebuilt.exit_code == 0 and rebuilt.output.strip() == "0 placed; 1 stories"  # no story that late
