"""Settings and the Python API: arguments over a storydesk.toml over the environment; --db and
--config before or after the command; the Desk's notebook methods."""
from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from storydesk import Desk, Dossier, Settings
from storydesk.cli import app

from conftest import EXAMPLES

ARTICLE = EXAMPLES / "000_fcf03e8924f3ec65.txt"


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "240"})


def test_arguments_win_over_the_file_and_the_file_over_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "storydesk.toml").write_text('quotes = "learned"\nmax_analysed_chars = 5000\n', encoding="utf-8")
    monkeypatch.setenv("STORYDESK_QUOTES", "tagger")
    monkeypatch.setenv("STORYDESK_SPACY_MODEL", "en_core_web_sm")
    found = Settings.load(store=tmp_path / "news.db")
    assert (found.quotes, found.max_analysed_chars, found.spacy_model) == ("learned", 5000, "en_core_web_sm")
    assert Settings.load(store=tmp_path / "news.db", quotes="combined").quotes == "combined"
    assert Settings.load(store=tmp_path / "elsewhere" / "news.db").quotes == "tagger"


def test_a_file_under_a_storydesk_table_and_the_user_config_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    (tmp_path / "config" / "storydesk").mkdir(parents=True)
    (tmp_path / "config" / "storydesk" / "storydesk.toml").write_text('[storydesk]\ndata = "vocab"\n', encoding="utf-8")
    assert Settings.load(store=tmp_path / "news.db").data == tmp_path / "config" / "storydesk" / "vocab"  # relative to the file


def test_bad_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown settings: colour"):
        Settings.load(colour="red")
    (tmp_path / "bad.toml").write_text("max_analysed_chars = 0\n", encoding="utf-8")
    with pytest.raises(ValueError, match="positive whole number"):
        Settings.load(config=tmp_path / "bad.toml")


def test_the_clustering_thresholds_are_read_like_the_other_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "storydesk.toml").write_text("place_threshold = 0.6\ncluster_threshold = 1\n", encoding="utf-8")
    monkeypatch.setenv("STORYDESK_PLACE_THRESHOLD", "0.9")
    monkeypatch.setenv("STORYDESK_ABSORB_THRESHOLD", "0.25")
    found = Settings.load(store=tmp_path / "news.db")
    assert (found.place_threshold, found.cluster_threshold, found.absorb_threshold) == (0.6, 1.0, 0.25)
    assert Settings.load(store=tmp_path / "news.db", place_threshold=0.5).place_threshold == 0.5
    assert Settings.load(store=tmp_path / "elsewhere" / "news.db").place_threshold == 0.9
    assert Settings().place_threshold is None  # the learned value
    for bad in (1.5, "high", True):
        with pytest.raises(ValueError, match="place_threshold must be a number from 0 to 1"):
            Settings.load(place_threshold=bad)


def test_the_clustering_thresholds_reach_the_placement_and_the_rebuild(tmp_path: Path) -> None:
    never = Settings(quotes="rules", place_threshold=1.0, cluster_threshold=1.0, absorb_threshold=1.0)
    with Desk(tmp_path / "news.db", settings=never) as desk:
        desk.ingest([str(EXAMPLES)])
        assert desk.story_count() == 5  # no article reaches a story, no revisit merges two
    with Desk(tmp_path / "news.db", settings=Settings(quotes="rules")) as desk:
        desk.cluster(rebuild=True)
        assert desk.story_count() < 5  # the learned thresholds group the sample's one story
    with Desk(tmp_path / "news.db", settings=Settings(quotes="rules", cluster_threshold=1.0, absorb_threshold=1.0)) as desk:
        desk.cluster(rebuild=True)
        assert desk.story_count() == 5


def test_two_desks_in_one_process_analyse_with_their_own_quote_finder(tmp_path: Path) -> None:
    versions = []
    for finder in ("rules", "learned"):
        with Desk(tmp_path / f"{finder}.db", settings=Settings(quotes=finder)) as desk:
            desk.ingest([str(ARTICLE)])
            versions.append(desk.article(1).analysis.version)
    assert "+rules+" in versions[0] and "+learned+" in versions[1]


@pytest.mark.parametrize("place", ["before", "after"])
def test_db_is_accepted_before_or_after_the_command(tmp_path: Path, place: str) -> None:
    db = ["--db", str(tmp_path / "x.db")]
    ingest = [*db, "ingest", "-q", str(ARTICLE)] if place == "before" else ["ingest", "-q", str(ARTICLE), *db]
    assert invoke(*ingest).exit_code == 0
    listing = invoke(*db, "docs") if place == "before" else invoke("docs", *db)
    assert listing.exit_code == 0 and str(ARTICLE) in listing.stdout
    assert (tmp_path / "x.db").is_file()


@pytest.mark.parametrize("place", ["before", "after"])
def test_config_is_accepted_before_or_after_the_command(tmp_path: Path, place: str) -> None:
    config = tmp_path / "strict.toml"
    config.write_text("max_analysed_chars = 300\n", encoding="utf-8")
    db = tmp_path / "x.db"
    options = ["--db", str(db), "--config", str(config)]
    args = [*options, "ingest", "-q", str(ARTICLE)] if place == "before" else ["ingest", "-q", str(ARTICLE), *options]
    assert invoke(*args).exit_code == 0
    with Desk(db) as desk:
        assert desk.article(1).analysis.cut_at <= 300


def test_a_broken_config_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text("quotes = \n", encoding="utf-8")
    result = invoke("docs", "--db", str(tmp_path / "x.db"), "--config", str(tmp_path / "broken.toml"))
    assert result.exit_code == 2 and "is not valid TOML" in result.stderr and "line" not in result.stderr
    missing = invoke("docs", "--db", str(tmp_path / "x.db"), "--config", str(tmp_path / "missing.toml"))
    assert missing.exit_code == 2 and "no settings file" in missing.stderr and "Errno" not in missing.stderr


def test_a_wrong_quote_finder_or_an_unknown_key_is_refused_when_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="quotes must be one of rules"):
        Settings.load(quotes="bogus")
    (tmp_path / "typo.toml").write_text('quote = "tagger"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="unknown settings in .*typo.toml: quote"):
        Settings.load(config=tmp_path / "typo.toml")
    (tmp_path / "data.toml").write_text('data = "vocab"\n', encoding="utf-8")
    assert Settings.load(config=tmp_path / "data.toml").data == tmp_path / "vocab"
    monkeypatch.setenv("STORYDESK_QUOTES", "bogus")
    result = invoke("ingest", str(ARTICLE), "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 2 and "quotes must be one of" in result.stderr and "Traceback" not in result.output


def test_a_missing_spacy_pipeline_ends_the_ingest_in_one_line_and_stores_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYDESK_SPACY_MODEL", "no_such_pipeline")
    result = invoke("ingest", str(ARTICLE), "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 2 and "no spaCy pipeline available" in result.stderr and "tried: no_such_pipeline" in result.stderr
    with Desk(tmp_path / "x.db", settings=Settings.load(spacy_model="no_such_pipeline")) as desk:
        assert desk.store.count() == 0


def test_the_notebook_methods(tmp_path: Path) -> None:
    with Desk(tmp_path / "seed.db") as desk:
        desk.ingest([str(EXAMPLES)])
        story = desk.stories()[0]
        members = [desk.article(a.id) for a in desk.articles(story=story.id)]
        assert [a.id for a in members] == list(story.article_ids)
        dossier = desk.dossier(story.id)
        assert isinstance(dossier, Dossier)
        assert dossier.to_markdown().startswith("#") and '"story"' in dossier.to_json() and "<html" in dossier.to_html()
        speaker = next(q.speaker_entity for a in members for q in a.analysis.quotes if q.speaker_entity)
        quotes = list(desk.quotes(speaker))
        assert quotes and quotes == desk.quotes_by(speaker, 1000)[0]
        assert list(desk.quotes("no such speaker at all")) == []


def test_the_article_page_cuts_an_unanalysed_article_at_the_desks_limit(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from storydesk.web import create_app

    (tmp_path / "long.txt").write_text("".join(f"The minister said bridge {n} would be built. " for n in range(100)), encoding="utf-8")
    settings = Settings.load(max_analysed_chars=1000)
    with Desk(tmp_path / "s.db", settings=settings) as desk:
        desk.ingest([str(tmp_path / "long.txt")], analyse=False)
    with TestClient(create_app(tmp_path / "s.db", settings=settings, data_dir=tmp_path / "d"), base_url="http://127.0.0.1") as client:
        page = client.get("/articles/1").text
    assert "bridge 5 " in page and "bridge 99 " not in page and "Only its first" in page
