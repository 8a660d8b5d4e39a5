"""Time expressions: extents and TIMEX3 values on made-up sentences, with and without an anchor."""
from __future__ import annotations

from datetime import date

import pytest

from storydesk.analyse.timex import find_time_expressions

ANCHOR = date(2024, 10, 24)  # a Thursday, ISO week 43


def only(text: str, anchor: date | None = ANCHOR) -> tuple[str, str, str | None]:
    """The single expression found in ``text``: (extent, type, value)."""
    found = find_time_expressions(text, anchor)
    assert len(found) == 1, found
    expression = found[0]
    assert text[expression.start : expression.end] == expression.text
    return expression.text, expression.type, expression.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Putin spoke on Thursday in Moscow.", ("Thursday", "DATE", "2024-10-24")),
        ("The envoy arrived on Tuesday.", ("Tuesday", "DATE", "2024-10-22")),
        ("The summit will open on Monday.", ("Monday", "DATE", "2024-10-28")),
        ("He’ll open the summit on Monday.", ("Monday", "DATE", "2024-10-28")),
        ("The summit won’t open on Monday.", ("Monday", "DATE", "2024-10-28")),
        ("Talks are scheduled to resume on Saturday.", ("Saturday", "DATE", "2024-10-26")),
        ("He met them this Wednesday.", ("this Wednesday", "DATE", "2024-10-23")),
        ("The law passed today.", ("today", "DATE", "2024-10-24")),
        ("The law passed yesterday.", ("yesterday", "DATE", "2024-10-23")),
        ("The vote is tomorrow.", ("tomorrow", "DATE", "2024-10-25")),
        ("The treaty was signed in June.", ("June", "DATE", "2024-06")),
        ("Troops arrived last year.", ("last year", "DATE", "2023")),
        ("Talks resume next month.", ("next month", "DATE", "2024-11")),
        ("The war has gone on since 2022.", ("2022", "DATE", "2022")),
        ("More troops will come in the coming months.", ("the coming months", "DATE", "FUTURE_REF")),
        ("Some are now at the front.", ("now", "DATE", "PRESENT_REF")),
        ("Some are currently at the front.", ("currently", "DATE", "PRESENT_REF")),
        ("Trade collapsed in the 1990s.", ("the 1990s", "DATE", "199")),
        ("The talks lasted two weeks.", ("two weeks", "DURATION", "P2W")),
        ("The plant closed three years ago.", ("three years ago", "DATE", "2021")),
        ("The board meets every Monday.", ("every Monday", "SET", "XXXX-WXX-1")),
        ("It was signed on 24 October.", ("24 October", "DATE", "2024-10-24")),
        ("It was signed on Oct. 24, 2024.", ("Oct. 24, 2024", "DATE", "2024-10-24")),
        ("It was signed on 2024-10-24.", ("2024-10-24", "DATE", "2024-10-24")),
        ("Profit rose in the third quarter.", ("the third quarter", "DATE", "2024-Q3")),
        ("Shelling resumed this week.", ("this week", "DATE", "2024-W43")),
        ("Shelling resumed in recent days.", ("recent days", "DATE", "PAST_REF")),
        ("Prices fell in the past 24 hours.", ("the past 24 hours", "DURATION", "PT24H")),
        ("In the last twenty four hours prices fell.", ("the last twenty four hours", "DURATION", "PT24H")),
        ("Sales hit a five-year low.", ("five-year", "DURATION", "P5Y")),
        ("Prices rose last fall.", ("last fall", "DATE", "2023-FA")),
        ("The vote is at 3 p.m.", ("3 p.m.", "TIME", "2024-10-24T15:00")),
        ("The shop closes daily.", ("daily", "SET", "P1D")),
    ],
)
def test_expression_extent_and_value(text: str, expected: tuple[str, str, str]) -> None:
    assert only(text) == expected


def test_year_range_gives_both_years() -> None:
    found = find_time_expressions("The Korean War (1950-1953) ended in an armistice.", ANCHOR)
    assert [(t.text, t.value) for t in found] == [("1950", "1950"), ("1953", "1953")]


def test_a_house_number_before_block_is_not_a_year() -> None:
    found = find_time_expressions("Shots were fired in the 1700 block of Main Street in 2015.", ANCHOR)
    assert [(t.text, t.value) for t in found] == [("2015", "2015")]


def test_a_house_number_before_a_street_is_not_a_year() -> None:
    found = find_time_expressions("The club at 1802 Seventh Ave. and the square at 1627 N. Pacific Street closed in 2015.", ANCHOR)
    assert [t.text for t in found] == ["2015"]


def test_narrative_reference_for_earlier() -> None:
    found = find_time_expressions("The deal was signed on Oct. 10, 2024. A day earlier, talks stalled.", ANCHOR)
    assert [(t.text, t.value) for t in found] == [("Oct. 10, 2024", "2024-10-10"), ("A day earlier", "2024-10-09")]


def test_modifiers_are_part_of_the_extent() -> None:
    found = find_time_expressions("Talks began more than four decades ago and end early next year.", ANCHOR)
    assert [(t.text, t.value, t.mod) for t in found] == [
        ("more than four decades ago", "1984", "MORE_THAN"),
        ("early next year", "2025", "START"),
    ]


def test_absolute_and_relative_are_flagged() -> None:
    absolute, relative = find_time_expressions("In 2022 and yesterday.", ANCHOR)
    assert (absolute.anchored, relative.anchored) == (False, True)


def test_modal_may_and_verb_march_are_not_months() -> None:
    assert find_time_expressions("Troops may march north, officials said.", ANCHOR) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Putin spoke on Thursday.", ("Thursday", "DATE", "XXXX-WXX-4")),
        ("It was signed on 24 October.", ("24 October", "DATE", "XXXX-10-24")),
        ("The treaty was signed in June.", ("June", "DATE", "XXXX-06")),
        ("Troops arrived last year.", ("last year", "DATE", None)),
        ("The talks lasted two weeks.", ("two weeks", "DURATION", "P2W")),
        ("It was signed in 2024.", ("2024", "DATE", "2024")),
    ],
)
def test_without_anchor_keeps_what_is_known(text: str, expected: tuple[str, str, str | None]) -> None:
    assert only(text, None) == expected
    assert find_time_expressions(text, None)[0].anchored == (expected[2] != "2024" and expected[1] == "DATE")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The company announced on Monday that it would cut jobs.", ("Monday", "DATE", "2024-10-21")),
        ("Colonel Ames will command the crew of the shuttle Columbia for a long science mission to the station in December.", ("December", "DATE", "2024-12")),
    ],
)
def test_tense_from_nearest_cue_before(text: str, expected: tuple[str, str, str]) -> None:
    """The nearest tense cue before the expression decides, even past the old 60-character window."""
    assert only(text) == expected


def test_sentence_initial_now_comma_is_a_discourse_marker() -> None:
    assert find_time_expressions("The plan failed. Now, he says, it looks grim.", ANCHOR) == []
    assert only("Prices are high right now, traders say.") == ("now", "DATE", "PRESENT_REF")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He was seized at 10 p.m. Tuesday, police said.", ("10 p.m. Tuesday", "TIME", "2024-10-22T22:00")),
        ("Talks broke off at noon Wednesday.", ("noon Wednesday", "TIME", "2024-10-23T12:00")),
        ("The offer runs until 5 p.m. EST, Nov. 6.", ("5 p.m. EST, Nov. 6", "TIME", "2024-11-06T17:00")),
    ],
)
def test_clock_time_takes_the_day_after_it(text: str, expected: tuple[str, str, str]) -> None:
    assert only(text) == expected


@pytest.mark.parametrize(
    ("text", "clock"),
    [
        ("On October 20, 2024 at about 4:15 pm police responded.", ("4:15 pm", "TIME", "2024-10-20T16:15")),
        ("Police were called Saturday, shortly after 4 p.m.", ("4 p.m.", "TIME", "2024-10-19T16:00")),
        # further from the day, the clock reads on the publication day
        ("They met Saturday, and police said the car was found at 4 p.m.", ("4 p.m.", "TIME", "2024-10-24T16:00")),
    ],
)
def test_clock_time_right_after_a_day_takes_that_day(text: str, clock: tuple[str, str, str]) -> None:
    found = find_time_expressions(text, ANCHOR)
    assert (found[-1].text, found[-1].type, found[-1].value) == clock


def test_date_before_a_colon_is_still_a_date() -> None:
    assert only("The editorial on Saturday, Oct. 26: a detour.") == ("Saturday, Oct. 26", "DATE", "2024-10-26")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The dam was built in nineteen seventy-nine.", ("nineteen seventy-nine", "DATE", "1979")),
        ("The goal is full employment by the year two thousand.", ("the year two thousand", "DATE", "2000")),
    ],
)
def test_spelled_out_years(text: str, expected: tuple[str, str, str]) -> None:
    assert only(text) == expected
