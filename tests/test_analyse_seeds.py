"""The issue's expectations on the seed articles, through the real analysis: quotes attributed
to their speakers (block quotes and the speaker line included), "on Thursday" resolved against
the publication date, and soldier figures attributed to their sources."""
from __future__ import annotations

from pathlib import Path

import pytest

from storydesk.analyse import analyse
from storydesk.extract.clean import clean_text
from storydesk.model import Analysis, Figure, Quote

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "corpus"
PUTIN = "person:vladimir putin"


def _analysed(prefix: str) -> Analysis:
    """The analysis of the seed article whose file name starts with ``prefix``."""
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    cleaned = clean_text(path.read_text(encoding="utf-8"))
    return analyse(cleaned.text, cleaned.published.value if cleaned.published else None)


@pytest.fixture(scope="module")
def seeds() -> dict[str, Analysis]:
    """Every seed analysed once for the module (spaCy runs once per seed)."""
    return {prefix: _analysed(prefix) for prefix in ("000", "001", "002", "003", "004")}


def _quotes_with(analysis: Analysis, fragment: str) -> list[Quote]:
    found = [quote for quote in analysis.quotes if fragment in quote.content.text]
    assert found, f"no quote contains {fragment!r}"
    return found


def _figure(analysis: Analysis, number: str) -> Figure:
    return next(figure for figure in analysis.figures if number in figure.span.text)


@pytest.mark.parametrize(
    ("seed", "fragment", "speaker"),
    [
        ("000", "It’s our business", PUTIN),
        ("000", "we are ready to seek compromises", PUTIN),
        ("001", "What we do is our business", PUTIN),
        ("001", "Russian troops are advancing on all fronts", PUTIN),
        ("001", "enormous quantities of ammunition", "person:jens stoltenberg"),
        ("002", "We reserve the right to supply weapons", PUTIN),
        ("002", "does not have to worry", PUTIN),
        ("003", "when the time comes to decide something", PUTIN),
        ("004", "it will not have any confrontational character", "person:yuri ushakov"),
        ("004", "mutual assistance in case of aggression against a party", PUTIN),
        ("004", "hegemonic and neocolonialist practices", PUTIN),
        ("004", "North Korea expresses its full support", "person:kim jong-un"),
        ("004", "actively cooperates with Russia", "person:mikhaílo podoliak"),
        ("004", "Russia needs North Korea’s support in weapons", "person:koh yu-hwan"),
        ("004", "The nuclear deterrence factor", "person:sergei ryabkov"),
        ("004", "The Labor party wants to leave us defenseless", "person:grant shapps"),
    ],
)
def test_quotes_are_attributed_to_their_speakers(seeds, seed, fragment, speaker):
    assert {quote.speaker_entity for quote in _quotes_with(seeds[seed], fragment)} == {speaker}


@pytest.mark.parametrize(
    "fragment",
    [
        "When something needs to be resolved, we will certainly resolve it.",
        "But I want to say that this is our sovereign decision",
        "As you know, our Strategic Partnership Treaty was ratified today",
    ],
)
def test_block_quotes_of_003_are_putins(seeds, fragment):
    (quote,) = _quotes_with(seeds["003"], fragment)
    assert (quote.kind, quote.speaker_entity) == ("block", PUTIN)


def test_the_speaker_line_attributes_the_block_quote_of_001(seeds):
    blocks = [quote for quote in seeds["001"].quotes if quote.kind == "block"]
    assert [(q.speaker.text, q.speaker_entity) for q in blocks] == [("Wladimir Putin", PUTIN)]
    assert blocks[0].content.text.startswith("We have never doubted")


def test_no_quote_runs_into_the_speaker_line(seeds):
    for quote in seeds["001"].quotes:
        assert quote.kind == "block" or "Wladimir Putin" not in quote.content.text


def test_no_first_person_or_non_agent_speakers_in_narration(seeds):
    speakers = {quote.speaker.text.lower() for a in seeds.values() for quote in a.quotes if quote.speaker}
    assert not speakers & {"i", "we", "early elections", "the global association treaty"}


def test_a_bare_korea_beside_russia_is_the_korea_of_the_article(seeds):
    keys = {m.entity for m in seeds["004"].mentions if m.span.text == "Korea"}
    assert keys == {"country:KP"}


@pytest.mark.parametrize("seed", ["001", "003"])
def test_thursday_is_the_day_of_publication(seeds, seed):
    thursdays = [t for t in seeds[seed].timexes if t.text.lower().endswith("thursday")]
    assert thursdays and {t.value for t in thursdays} == {"2024-10-24"}


@pytest.mark.parametrize(("seed", "number"), [("000", "3,000"), ("000", "10,000"), ("003", "1,500")])
def test_soldier_figures_come_from_south_korean_intelligence(seeds, seed, number):
    figure = _figure(seeds[seed], number)
    assert "soldiers" in figure.counts
    assert figure.asserted_by == "org:KR intelligence"
    assert "south korean intelligence" in figure.source.text.lower()


def test_the_2000_encircled_soldiers_are_putins_figure(seeds):
    figure = _figure(seeds["001"], "2,000")
    assert (figure.counts, figure.asserted_by) == ("Ukrainian soldiers", PUTIN)
