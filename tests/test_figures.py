"""Figures: values, what they count, who asserts them, hedges and modality, on made-up sentences
and on the seed articles."""
from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from storydesk.analyse.figures import find_figures
from storydesk.model import Analysis, Figure, Mention, Quote, Span, TimeExpr

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "corpus"
NAMED = ("PERSON", "ORG", "GPE", "NORP")


def ner_mentions(doc: Doc) -> list[Mention]:
    """Stand-in for the entities stage: one mention per named entity, keyed by label and text."""
    return [
        Mention(Span(ent.start_char, ent.end_char, ent.text), f"{ent.label_.lower()}:{ent.text.lower()}")
        for ent in doc.ents
        if ent.label_ in NAMED
    ]


def figures_of(nlp: Language, text: str, quotes: list[Quote] | None = None) -> list[Figure]:
    doc = nlp(text)
    return find_figures(doc, quotes or [], ner_mentions(doc))


def test_estimate_then_forecast_carry_the_counted_noun_and_the_source(nlp: Language) -> None:
    text = (
        "The South Korean intelligence services estimate that some 3,000 North Korean soldiers have "
        "already arrived in Russia and that the number will increase to 10,000 in the coming months."
    )
    first, second = figures_of(nlp, text)
    assert (first.span.text, first.value, first.counts) == ("some 3,000", 3000, "North Korean soldiers")
    assert (first.hedges, first.modality) == (("some",), "estimate")
    assert first.source is not None and first.source.text == "South Korean intelligence services"
    assert text[first.source.start : first.source.end] == first.source.text
    assert (second.value, second.counts, second.modality, second.hedges) == (10000, "North Korean soldiers", "forecast", ())
    assert second.asserted_by == first.asserted_by == "South Korean intelligence services"


def test_a_figure_in_a_quote_belongs_to_its_speaker(nlp: Language) -> None:
    text = '"Around 2,000 Ukrainian soldiers were blocked in the Kursk region," the president told reporters.'
    content = text.index("Around"), text.index(',"')
    speaker = Span(text.index("the president"), text.index(" told"), "the president")
    quote = Quote("direct", Span(*content, text[slice(*content)]), speaker=speaker, speaker_entity="person:vladimir putin")
    (figure,) = figures_of(nlp, text, [quote])
    assert (figure.value, figure.counts, figure.hedges) == (2000, "Ukrainian soldiers", ("around",))
    assert (figure.asserted_by, figure.source) == ("person:vladimir putin", speaker)


def test_numbers_joined_by_and_count_their_own_noun(nlp: Language) -> None:
    somali, yemeni = figures_of(nlp, "Marine commandos boarded the vessels to nab 12 Somali and 11 Yemeni pirates.")
    assert (somali.counts, yemeni.counts) == ("Somali pirates", "Yemeni pirates")


def test_quote_speaker_text_loses_its_article_when_no_entity(nlp: Language) -> None:
    text = "The intelligence services said that 3,000 soldiers had arrived."
    speaker = Span(0, len("The intelligence services"), "The intelligence services")
    content = Span(text.index("3,000"), len(text) - 1, text[text.index("3,000") : -1])
    (figure,) = figures_of(nlp, text, [Quote("indirect", content, speaker=speaker)])
    assert (figure.asserted_by, figure.source) == ("intelligence services", speaker)


def test_a_relative_pronoun_speaker_gives_way_to_the_noun_it_stands_for(nlp: Language) -> None:
    text = "Officials at the ministry, who said that 10,000 troops could follow, declined to comment."
    who = text.index("who")
    content = Span(text.index("10,000"), text.index(", declined"), text[text.index("10,000") : text.index(", declined")])
    (figure,) = figures_of(nlp, text, [Quote("indirect", content, speaker=Span(who, who + 3, "who"))])
    assert figure.asserted_by == "Officials"
    assert figure.source is not None and text[figure.source.start : figure.source.end] == "Officials"


def test_a_quoted_statement_by_someone_no_entity_names_is_its_authors(nlp: Language) -> None:
    text = "Some 40 trucks cross daily, according to a statement published by the city's transport commissioner."
    phrase = text[text.index("a statement") : -1]
    speaker = Span(text.index("a statement"), len(text) - 1, phrase)
    content = Span(0, text.index(", according"), text[: text.index(", according")])
    (figure,) = figures_of(nlp, text, [Quote("indirect", content, speaker=speaker)])
    assert figure.asserted_by == "city's transport commissioner"


def test_a_relative_clause_attribution_is_its_antecedents(nlp: Language) -> None:
    (figure,) = figures_of(nlp, "The agency, which estimated that 3,000 soldiers had crossed, briefed lawmakers.")
    assert figure.source is not None and figure.source.text == "agency"
    assert figure.asserted_by == "agency"


def test_clause_hedge_and_reported_fact(nlp: Language) -> None:
    text = "Recently, South Korean intelligence reported that its neighbour had allegedly transferred 1,500 soldiers to Russia."
    (figure,) = figures_of(nlp, text)
    assert (figure.value, figure.counts, figure.hedges, figure.modality) == (1500, "soldiers", ("allegedly",), "fact")
    assert figure.asserted_by == "South Korean intelligence"


def test_according_to_names_the_entity_of_its_object(nlp: Language) -> None:
    (figure,) = figures_of(nlp, "According to the United Nations, at least 27 civilians died in the attack.")
    assert (figure.value, figure.counts, figure.hedges) == (27, "civilians", ("at least",))
    assert figure.span.text == "at least 27"
    assert figure.source is not None and figure.source.text == "United Nations"
    assert figure.asserted_by is not None and figure.asserted_by.endswith("united nations")


@pytest.mark.parametrize("phrase", ["a report from the United Nations", "a statement published by the United Nations"])
def test_according_to_a_report_names_its_author(nlp: Language, phrase: str) -> None:
    (figure,) = figures_of(nlp, f"According to {phrase}, at least 27 civilians died in the attack.")
    assert figure.asserted_by is not None and figure.asserted_by.endswith("united nations")


def test_denial_and_forecast_from_the_attribution_and_the_clause(nlp: Language) -> None:
    (denied,) = figures_of(nlp, "The ministry denied that 500 soldiers had been sent.")
    assert (denied.modality, denied.asserted_by) == ("denial", "ministry")
    (expected,) = figures_of(nlp, "An estimated 3,000 troops are expected to arrive by December, officials say.")
    assert (expected.modality, expected.asserted_by, expected.hedges) == ("forecast", "officials", ("an estimated",))


@pytest.mark.parametrize(
    ("text", "value", "counts"),
    [
        ("The plan will build 1.5 million new homes.", 1_500_000, "new homes"),
        ("The government will spend $1.5 billion on roads.", 1_500_000_000, "dollars"),
        ("Turnout fell by 12 percent of voters.", 12, "percent of voters"),
        ("Two thousand five hundred protesters gathered outside.", 2500, "protesters"),
        ("Rescuers found twenty-five survivors.", 25, "survivors"),
        ("Commandos captured 12 Somali pirates and a boat.", 12, "Somali pirates"),
    ],
)
def test_values_in_digits_words_money_and_percent(nlp: Language, text: str, value: float, counts: str) -> None:
    (figure,) = figures_of(nlp, text)
    assert (figure.value, figure.counts) == (value, counts)


def test_vague_counts_are_hedged_ranges(nlp: Language) -> None:
    (figure,) = figures_of(nlp, "Dozens of people were killed in the attack.")
    assert (figure.value, figure.upper, figure.counts, figure.hedges) == (24, 99, "people", ("dozens of",))
    (figure,) = figures_of(nlp, "Tens of thousands of people marched through the capital.")
    assert (figure.value, figure.upper, figure.counts, figure.hedges) == (20000, 99999, "people", ("tens of thousands of",))
    (figure,) = figures_of(nlp, "Rescuers found 12 survivors.")
    assert figure.upper is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Four people were killed and two others wounded.", [(4, "people", "killed"), (2, "others", "injured")]),
        ("4 Dead, 2 Critically Hurt in Overnight Shooting", [(4, "dead", "killed"), (2, "Critically Hurt", "injured")]),
        ("1 killed, 3 injured in shooting", [(1, "killed", "killed"), (3, "injured", "injured")]),
        ("The death toll rose to 5.", [(5, "death toll", "killed")]),
        ("Police said four people were found shot dead at an apartment.", [(4, "people", "killed")]),
        ("Three people were shot to death.", [(3, "people", "killed")]),
        ("Three people were shot, one fatally.", [(3, "people", "shot"), (1, "people", "killed")]),
        ("One man was killed and three others were injured.", [(1, "man", "killed"), (3, "others", "injured")]),
        ("Police arrested two men.", [(2, "men", "arrested")]),
        ("He was shot seven times.", [(7, "times", None)]),
        ("A gunman went on a rampage killing a woman and wounding two officers.", [(1, "woman", "killed"), (2, "officers", "injured")]),
        ("Two gunmen killed three people.", [(2, "gunmen", None), (3, "people", "killed")]),
        ("The shooting sent five people to the hospital.", [(5, "people", "injured")]),
        ("2000 Ukraine soldiers encircled in Kursk", [(2000, "Ukraine soldiers", "encircled")]),
        ("Police closed the 2500 block of Main Street.", []),  # an address, not a count
    ],
)
def test_a_figure_carries_what_happened_to_what_it_counts(nlp: Language, text: str, expected: list) -> None:
    assert [(f.value, f.counts, f.event) for f in figures_of(nlp, text)] == expected


def test_one_person_to_whom_something_happened_is_a_part_of_one(nlp: Language) -> None:
    (killed,) = figures_of(nlp, "A man was shot and killed Saturday night, police said.")
    assert (killed.span.text, killed.value, killed.counts, killed.event, killed.part) == ("A man", 1, "man", "killed", True)
    wounded = figures_of(nlp, "Two men were killed and a woman was injured.")
    assert [(f.value, f.event, f.part) for f in wounded] == [(2, "killed", False), (1, "injured", True)]
    assert figures_of(nlp, "A woman said the shooting scared her.") == []
    # the man who shot and killed is no part of the dead
    assert figures_of(nlp, "Police believe that a 22-year-old man shot and killed 14-year-old Todd Webb.") == []
    another = figures_of(nlp, "One man was killed and another man was wounded.")
    assert [(f.value, f.event, f.part) for f in another] == [(1, "killed", False), (1, "injured", True)]


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Five people were shot and 2 of the victims fled.", [False, True]),
        ("Four people were killed, including two children.", [False, True]),
    ],
)
def test_a_part_of_a_whole_is_marked(nlp: Language, text: str, parts: list[bool]) -> None:
    assert [f.part for f in figures_of(nlp, text)] == parts


def test_a_figure_takes_the_date_of_its_clause(nlp: Language) -> None:
    text = "Police said four people were found dead on Monday. Two men were arrested."
    monday = text.index("Monday")
    timexes = [TimeExpr(monday, monday + 6, "Monday", "DATE", "2013-01-21", True), TimeExpr(0, 5, "Police", "DATE", "PAST_REF", False)]
    doc = nlp(text)
    first, second = find_figures(doc, [], ner_mentions(doc), timexes)
    assert (first.when, second.when) == ("2013-01-21", None)


def test_stored_figures_from_before_events_still_load() -> None:
    old = {"span": {"start": 0, "end": 5, "text": "3,000"}, "value": 3000, "counts": "soldiers", "asserted_by": None,
           "source": None, "hedges": ["some"], "modality": "estimate"}
    data = {"version": "21", "sentences": [], "entities": [], "mentions": [], "quotes": [], "timexes": [], "figures": [old]}
    (figure,) = Analysis.from_dict(data).figures
    assert (figure.value, figure.event, figure.upper, figure.part, figure.when) == (3000, None, None, False, None)
    new = replace(figure, event="deployed", upper=9999.0, part=True, when="2024-10-25")
    assert Analysis.from_dict(asdict(replace(Analysis.from_dict(data), figures=[new]))).figures == [new]


def test_a_range_gives_one_figure_per_number(nlp: Language) -> None:
    low, high = figures_of(nlp, "The tax would rise from 5 percent to 25 percent next year.")
    assert (low.span.text, low.value, high.span.text, high.value) == ("5 percent", 5, "25 percent", 25)


def test_money_span_keeps_its_symbol_and_hedge(nlp: Language) -> None:
    (figure,) = figures_of(nlp, "The senator has never raised more than $525,000 in a single race.")
    assert (figure.span.text, figure.value, figure.counts, figure.hedges) == (
        "more than $525,000",
        525000,
        "dollars",
        ("more than",),
    )


@pytest.mark.parametrize(
    "text",
    [
        "Assistance is given in accordance with Article 51 of the UN Charter.",
        "The old treaty was signed in 1961 and the war began in 2022.",
        "They have been allies since the Korean War (1950-1953).",
        "The two countries signed the agreement at 10:30 on the 24th.",
        "For details call 555-1234 or see chapter 3.",
        "The first troops arrived; one of the parties objected.",
        "He leads a two-way race and at one point spoke of a 10-year plan.",
    ],
)
def test_years_labels_ranges_times_and_references_are_not_figures(nlp: Language, text: str) -> None:
    assert figures_of(nlp, text) == []


@pytest.mark.skipif(not SEEDS.is_dir(), reason="examples/corpus not present")
def test_seed_figures(nlp: Language) -> None:
    from storydesk.extract.clean import clean_text

    found: dict[float, Figure] = {}
    for path in sorted(SEEDS.glob("*.txt")):
        for figure in figures_of(nlp, clean_text(path.read_text(encoding="utf-8")).text):
            found.setdefault(figure.value, figure)
    assert {3000, 10000, 2000, 27, 1500} <= set(found)
    assert not {51, 4, 1961, 2022, 1950, 1953} & set(found)
    for value in (3000, 10000, 1500):
        assert "south korean intelligence" in (found[value].asserted_by or "").lower()
    assert found[2000].asserted_by is not None and "putin" in found[2000].asserted_by
    assert (found[3000].modality, found[10000].modality) == ("estimate", "forecast")
    assert (found[3000].event, found[10000].event, found[1500].event, found[2000].event) == ("deployed", "deployed", "deployed", "encircled")


def test_a_number_in_an_address_is_no_count(nlp: Language) -> None:
    found = figures_of(nlp, "Police said two men were shot in the 300 block of Main Street on Friday.")
    assert [(f.value, f.counts) for f in found] == [(2, "men")]


def test_a_count_of_happenings_says_nothing_happened_to_them(nlp: Language) -> None:
    found = figures_of(nlp, "Five shootings, four days, three people dead.")
    assert [(f.value, f.counts, f.event) for f in found] == [(5, "shootings", None), (3, "people", "killed")]


def test_a_number_told_in_turn_is_a_part(nlp: Language) -> None:
    parts = [f.part for f in figures_of(nlp, "The next two were shot and killed. Seven people died in the rampage.")]
    assert parts == [True, False]
    assert [f.part for f in figures_of(nlp, "The other two victims were wounded.")] == [True]


def test_a_house_number_and_a_station_name_are_no_counts(nlp: Language) -> None:
    found = figures_of(nlp, "Police were called to the 4000 Belmont Ave. area where 2 men were shot at 3100 E. Main Street.")
    assert [(f.value, f.counts) for f in found] == [(2, "men")]
    assert figures_of(nlp, "21 News spoke with the boy's mother on Friday.") == []
    assert [(f.value, f.counts) for f in figures_of(nlp, "3 Marines and 2 Ohio men were hurt.")] == [(3, "Marines"), (2, "Ohio men")]


def test_someone_in_critical_condition_was_injured(nlp: Language) -> None:
    found = figures_of(nlp, "Police said three people were shot; two are in critical condition.")
    assert [(f.value, f.event) for f in found] == [(3, "shot"), (2, "injured")]
    assert [(f.value, f.event) for f in figures_of(nlp, "Three men were arrested in Chicago.")] == [(3, "arrested")]


def test_deceased_victims_were_killed_whatever_happened_to_them_after(nlp: Language) -> None:
    found = figures_of(nlp, "The three deceased victims were sent to the Medical Examiner's Office for autopsy.")
    assert [(f.value, f.counts, f.event) for f in found] == [(3, "deceased victims", "killed")]


def test_a_part_of_them_counts_what_they_stand_for_in_the_figure_before(nlp: Language) -> None:
    shot, died = figures_of(nlp, "Four men were shot on Friday. Two of them died at the hospital.")
    assert (shot.counts, died.counts, died.value, died.part) == ("men", "men", 2, True)
    (alone,) = figures_of(nlp, "The mayor spoke on Friday. Two of them died at the hospital.")
    assert alone.counts == "them"  # no figure before: nothing to stand for


def test_an_emergency_number_called_is_no_count(nlp: Language) -> None:
    assert figures_of(nlp, "A 911 caller reported shots fired.") == []
    assert figures_of(nlp, "The gunman had called 911 before the ambush.") == []
    assert [f.counts for f in figures_of(nlp, "Officers answered 12 calls.")] == ["calls"]
