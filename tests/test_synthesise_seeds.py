"""The dossier of the five seed articles (examples/corpus), through the real pipeline: the June
signing and the 24 October events on the timeline, the undated articles dated by the story, the
three "our business" versions as one statement, the 1,500 then 3,000 soldiers as an update, the troop claim."""
from __future__ import annotations

from pathlib import Path

import pytest

from storydesk.ingest import discover, read_source
from storydesk.model import Dossier, Story, StoryDates
from storydesk.pipeline import prepare
from storydesk.synthesise import build_dossier, render_html, render_markdown

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "corpus"


@pytest.fixture(scope="module")
def dossier() -> Dossier:
    """The seeds prepared (cleaned, dated, analysed) with ids 1..5 in file order, as one story."""
    raws = [raw for source in discover([str(SEEDS)]) for raw in read_source(source)]
    articles = []
    for number, raw in enumerate(sorted(raws, key=lambda r: r.origin.location), start=1):
        article = prepare(raw).article
        article.id = number
        articles.append(article)
    return build_dossier(Story(1, "Russia and North Korea", [a.id for a in articles]), articles)


def _article(dossier: Dossier, prefix: str):
    return next(a for a in dossier.articles if Path(a.origin).name.startswith(prefix))


def test_the_june_signing_and_the_24_october_events_are_on_the_timeline(dossier):
    signing = next(e for e in dossier.timeline if e.date.startswith("2024-06"))
    assert signing.place == "Pyongyang" and len(signing.articles) >= 3
    october = [e for e in dossier.timeline if e.date == "2024-10-24"]
    assert october and {"Kazan"} <= {e.place for e in october}
    assert any("ratified" in e.sentence for e in october)


def test_the_timeline_holds_a_handful_of_labelled_events_each_citation_once(dossier):
    assert 2 <= len(dossier.timeline) <= 5
    ratified = next(e for e in dossier.timeline if e.date == "2024-10-24" and "ratifies" in e.what)
    assert ratified.what == "Russia’s lower house of parliament ratifies bilateral treaty"
    assert len([e for e in dossier.timeline if e.date == "2024-10-24"]) == 2  # Putin in Kazan; the ratification
    for event in dossier.timeline + dossier.background:
        assert event.what != event.sentence and len(event.what.split()) < len(event.sentence.split())
        assert len(set(event.citations)) == len(event.citations)
        assert not any(a != b and a.article == b.article and a.start <= b.start and b.end <= a.end
                       for a in event.citations for b in event.citations)


def test_background_lists_each_sentence_once_with_all_its_years(dossier):
    sentences = [e.sentence for e in dossier.background]
    assert len(sentences) == len(set(sentences))
    korean_war = next(e for e in dossier.background if "Korean War" in e.sentence)
    assert korean_war.dates == ["1950", "1953", "2022-02"]


def test_undated_articles_are_dated_from_the_story_with_evidence(dossier):
    for prefix in ("002", "004"):
        entry = _article(dossier, prefix)
        assert (entry.published, entry.date_bound) == ("2024-06", "on-or-after")
        assert any("Wednesday" in evidence for evidence in entry.date_evidence)
    madrid = _article(dossier, "000")
    assert madrid.published == "2024-10-25" and "year from the story" in madrid.date_evidence[-1]


def test_the_our_business_versions_are_one_statement(dossier):
    versions = ("It’s our business", "What we do is our business", "this our business")
    groups = {q.group for q in dossier.quotes if any(v in q.text for v in versions)}
    assert len(groups) == 1
    statement = next(s for s in dossier.statements if s.group in groups)
    assert statement.speaker == "person:vladimir putin" and len(statement.articles) >= 3


def test_the_1500_then_3000_soldiers_are_an_update_ending_with_the_10000_expected(dossier):
    (update,) = [d for d in dossier.discrepancies if 1500.0 in {dossier.figures[i].value for i in d.figures}]
    assert update.kind == "update"
    assert [dossier.figures[i].value for i in update.figures] == [1500.0, 3000.0, 10000.0]
    assert [dossier.figures[i].as_of for i in update.figures] == ["2024-10-24", "2024-10-25", "2024-10-25"]
    assert {dossier.figures[i].event for i in update.figures} == {"deployed"}
    assert not [d for d in dossier.discrepancies if d.kind == "conflict"]


def test_the_troop_claim_has_denials_and_non_denials(dossier):
    troops = dossier.claims[0]
    stances = {s.stance for s in troops.stances}
    assert {"denied", "not denied"} <= stances
    assert any(s.by == "Russia's foreign ministry" and s.stance == "denied" for s in troops.stances)


def test_renderings_cover_every_section(dossier):
    markdown = render_markdown(dossier)
    for heading in ("## Summary", "## Timeline", "## Who said what", "## Figures", "## Claims", "## Coverage"):
        assert heading in markdown
    assert "<script" not in render_html(dossier)
    assert 5 <= len(dossier.summary) <= 8


def test_outlets_are_never_file_names_and_the_story_runs_from_june_to_25_october(dossier):
    assert {(a.outlet, a.outlet_from) for a in dossier.articles} == {("EFE", "credit"), ("unknown outlet", "unknown")}
    markdown = render_markdown(dossier)
    assert not [a for a in dossier.articles if Path(a.origin).name in markdown]
    assert dossier.dates == StoryDates("2024-06", "2024-10-25", "on-or-after", "exact")
