"""The dossier evaluation on real stories: each fact's test on hand-built dossiers, both ways;
the text's statements; the sample; an end-to-end run through ingest on a tiny hand-written
file; and a small sample of the GVA dev file."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import bench_file
from storydesk.eval.dossier import (
    FactHits, Flags, Incident, Judged, evaluate_dossiers, flags, found_in_dossier, main_story, names_city, select,
    stated_in_text, summarise,
)
from storydesk.eval.metrics import tokens
from storydesk.model import Citation, Discrepancy, Dispute, Dossier, FigureReport, Story, TimelineEvent

INCIDENT = Incident("gva:1", "2017-03-04", "Springfield", killed=2, injured=3)


def event(date: str, place: str | None, precision: str = "day") -> TimelineEvent:
    return TimelineEvent(1, date, precision, "a shooting", place, [1], [Citation(1, 0, 5)])


def figure(value: float, what: str, event: str | None = None) -> FigureReport:
    return FigureReport(value, str(value), what, None, [], "fact", 1, Citation(1, 0, 1), None, 1, event=event)


def dossier(timeline=(), figures=(), discrepancies=()) -> Dossier:
    return Dossier(Story(1, "t"), timeline=list(timeline), figures=list(figures), discrepancies=list(discrepancies))


def test_the_day_counts_only_on_the_incident_day_at_day_precision() -> None:
    assert found_in_dossier(dossier([event("2017-03-04", None)]), INCIDENT).day
    assert not found_in_dossier(dossier([event("2017-03-05", None)]), INCIDENT).day
    assert not found_in_dossier(dossier([event("2017-03-04", None, "month")]), INCIDENT).day


def test_the_city_counts_when_an_events_place_names_it() -> None:
    assert found_in_dossier(dossier([event("2017-03-01", "south Springfield")]), INCIDENT).city
    assert not found_in_dossier(dossier([event("2017-03-01", "Illinois")]), INCIDENT).city
    assert names_city("Montréal", "MONTREAL") and names_city("Tulsa", "Tulsa County")
    assert not names_city("Springfield", "Springfield Gardens Heights".replace("Springfield", "Spring"))
    assert not names_city("York", "New York City".replace("York", "Yorktown"))


def test_killed_and_injured_count_by_value_and_by_event_or_noun() -> None:
    found = found_in_dossier(dossier(figures=[figure(2, "people", "killed"), figure(3, "wounded")]), INCIDENT)
    assert found.killed and found.injured
    wrong_value = found_in_dossier(dossier(figures=[figure(3, "people", "killed"), figure(2, "injuries")]), INCIDENT)
    assert not wrong_value.killed and not wrong_value.injured
    no_word = found_in_dossier(dossier(figures=[figure(2, "people"), figure(3, "shots")]), INCIDENT)
    assert not no_word.killed and not no_word.injured


def test_a_conflict_is_false_when_a_true_count_meets_a_number_that_is_neither() -> None:
    figures = [figure(2, "dead"), figure(5, "dead"), figure(3, "dead")]
    false_conflict = dossier(figures=figures, discrepancies=[Discrepancy("dead", [0, 1])])
    assert flags(false_conflict, INCIDENT) == Flags(1, 0, True, False)
    true_sides = dossier(figures=figures, discrepancies=[Discrepancy("dead", [0, 2], "update")])
    assert flags(true_sides, INCIDENT) == Flags(0, 1, False, False)
    false_update = dossier(figures=figures, discrepancies=[Discrepancy("dead", [2, 1], "update")])
    assert flags(false_update, INCIDENT) == Flags(0, 1, False, True)
    leading = dossier()
    leading.disputes = [Dispute(kind="claim", about="the man fired first", sides=[], told="denied by his lawyer")]
    assert flags(leading, INCIDENT).claims_leading == 1


def test_what_the_text_states() -> None:
    stating = "On Saturday two people were killed in Springfield and 3 others hurt"
    assert stated_in_text([tokens(stating)], INCIDENT) == FactHits(True, True, True, True)
    silent = "A man was killed in Riverton on Sunday; a woman was injured, and two were arrested much later than that"
    assert stated_in_text([tokens(silent)], INCIDENT) == FactHits(False, False, False, False)
    assert stated_in_text([tokens("shooting of March 4th")], INCIDENT).day
    assert not stated_in_text([tokens("shooting of March 5th")], INCIDENT).day
    one_killed = Incident("gva:9", "2017-03-04", "Springfield", killed=1, injured=0)
    assert not stated_in_text([tokens("a man was killed")], one_killed).killed
    assert stated_in_text([tokens("one man was killed")], one_killed).killed


def test_the_main_story_holds_most_articles_the_earliest_on_a_tie() -> None:
    assert main_story([7, 3, 7, None]) == 7
    assert main_story([7, 3]) == 3
    assert main_story([None]) is None


def test_the_sample_draws_shared_incidents_with_facts_and_as_many_lone_articles() -> None:
    records = [{"label": label} for label in ["a", "b", "a", "c", "d", "e", "e", "f"]]
    for with_facts in "ae":
        incidents = {with_facts: INCIDENT}
        chosen = select(records, 1, incidents)
        assert select(records, 1, incidents) == chosen and select(records, None, incidents) == records
        assert [r["label"] for r in chosen if r["label"] in "ae"] == [with_facts, with_facts] and len(chosen) == 3
        assert chosen == [r for r in records if r in chosen]  # file order


def test_false_discrepancies_are_a_share_of_stories_scored_once() -> None:
    hits = FactHits(True, False, True, False)
    judged = [
        Judged("gva:1", 5, hits, hits, Flags(1, 0, True, False)),
        Judged("gva:2", 5, hits, hits, Flags(1, 0, False, False)),
        Judged("gva:3", 6, hits, hits, Flags(0, 2, False, False, claims_leading=1)),
    ]
    incidents = {f"gva:{i}": Incident(f"gva:{i}", "2017-01-01", "X", i - 1, 0) for i in (1, 2, 3)}
    result = summarise(judged, incidents)
    assert result["stories_scored"] == 2 and result["conflicts"] == 1 and result["updates"] == 2
    assert result["false_conflicts_story_share"] == 0.5 and result["false_updates_story_share"] == 0.0
    assert result["claim_disputes_story_share"] == 0.5
    assert result["day_on_timeline"] == 1.0 and result["city_as_event_place"] == 0.0
    assert result["incidents_with_deaths"] == 2 and result["killed_found"] == 1.0 and result["incidents_with_injuries"] == 0


ARTICLES = [
    ("gva:1", "2017-03-05", "Two killed in Springfield shooting",
     "Two people were killed and three were wounded in a shooting in Springfield on Saturday night, police said. "
     "The shooting happened outside a bar on Main Street in Springfield."),
    ("gva:1", "2017-03-05", "Springfield bar shooting leaves two dead",
     "Police in Springfield said two people were killed and three wounded on Saturday outside a Main Street bar."),
    ("gva:2", "2016-07-10", "Man shot in Riverton",
     "A man was killed in Riverton, police said. The Riverton police are looking for a suspect."),
    ("gva:2", "2016-07-11", "Riverton police seek suspect",
     "Riverton police are still looking for the suspect in the killing of a man."),
    ("gva:3", "2015-01-02", "Lone story", "A woman was injured in Oakdale on Thursday, police in Oakdale said."),
]
FACTS = [
    Incident("gva:1", "2017-03-04", "Springfield", 2, 3),
    Incident("gva:2", "2016-07-09", "Riverton", 1, 0),
    Incident("gva:3", "2015-01-01", "Oakdale", 0, 1),
]


def write_fixture(folder: Path) -> tuple[Path, Path]:
    articles, facts = folder / "articles.jsonl", folder / "facts.jsonl"
    articles.write_text("".join(
        json.dumps({"id": str(i), "url": f"https://example.org/{i}", "title": title, "date": day, "text": text,
                    "label": label}) + "\n"
        for i, (label, day, title, text) in enumerate(ARTICLES)
    ))
    facts.write_text("".join(
        json.dumps({"label": f.label, "date": f.day, "city": f.city, "killed": f.killed, "injured": f.injured}) + "\n"
        for f in FACTS
    ))
    return articles, facts


def test_evaluate_ingests_without_labels_and_scores_incidents_of_two_articles(tmp_path: Path) -> None:
    articles, facts = write_fixture(tmp_path)
    predictions = tmp_path / "predictions.jsonl"
    result = evaluate_dossiers(articles, facts, store=tmp_path / "kept.db", predictions=predictions)
    assert result["articles"] == 5 and result["incidents_scored"] == 2 and result["gold_clusters"] == 3
    assert result["day_stated_in_text"] == 0.5 and result["city_stated_in_text"] == 1.0
    assert result["killed_stated_in_text"] == 0.5 and result["injured_stated_in_text"] == 1.0
    assert result["incidents_with_deaths"] == 2 and result["incidents_with_injuries"] == 1
    assert 0.0 < result["bcubed_f1"] <= 1.0 and result["stories"] >= 1
    ingested = [json.loads(line) for line in (tmp_path / "kept.ingest.jsonl").read_text().splitlines()]
    assert len(ingested) == 5 and all(set(line) == {"url", "title", "date", "source", "text"} for line in ingested)
    lines = [json.loads(line) for line in predictions.read_text().splitlines()]
    assert [line["label"] for line in lines] == ["gva:1", "gva:2"] and all(line["story"] for line in lines)
    assert lines[0]["found"]["day"]  # "on Saturday", published Sunday 5 March: the 4th on the timeline


@pytest.mark.bench
def test_evaluate_on_a_small_sample_of_the_gva_dev_file() -> None:
    articles = bench_file("stories", "gva-dev-ingest.jsonl.gz")
    facts = bench_file("stories", "gva-dev-facts.jsonl.gz")
    result = evaluate_dossiers(articles, facts, sample=3)
    assert result["incidents_scored"] == 3 and result["articles"] >= 9
    assert 0.0 <= result["day_on_timeline"] <= 1.0 and result["city_stated_in_text"] > 0.0
    assert result["bcubed_f1"] > 0.5
