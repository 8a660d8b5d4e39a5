"""publication_date_from_text: the strongest clue wins, page-header render dates are rejected,
weak or conflicting clues give no date. Fixtures are made-up texts."""
from storydesk.extract.text_dates import is_date_line, publication_date_from_text

PROSE = "The regional parliament voted on the new water law after many months of difficult talks between the parties in the chamber."


def _date(lines: list[str], dateline: str | None = None) -> tuple[str | None, str | None]:
    result = publication_date_from_text(lines, dateline)
    return result.value, result.precision


def test_labelled_date_line_wins():
    result = publication_date_from_text(["Water law passes", "Published: 12 March 2024", PROSE])
    assert (result.value, result.precision) == ("2024-03-12", "day")
    assert result.evidence[0].source == "line:published" and result.evidence[0].line_no == 2


def test_iso_date_with_label_and_other_languages():
    assert _date([" date 2023-05-07 A kicker?", "Headline", PROSE]) == ("2023-05-07", "day")
    assert _date(["Publicado el 3 de junio de 2023", PROSE]) == ("2023-06-03", "day")
    assert _date(["Veröffentlicht am 24. Oktober 2022", PROSE]) == ("2022-10-24", "day")


def test_updated_only_is_no_publication_date():
    result = publication_date_from_text(["Headline", "Updated: 5 May 2024", PROSE])
    assert result.value is None
    assert result.rejected[0].source.startswith("updated")


def test_dateline_without_year_is_day_no_year():
    result = publication_date_from_text(["Headline", "LISBON 3 Mar. () –", PROSE], dateline="LISBON 3 Mar.")
    assert (result.value, result.precision) == ("--03-03", "day-no-year")
    assert result.evidence[0].source == "dateline"


def test_page_header_date_is_rejected_and_lends_its_year_to_the_body_phrase():
    lines = ["Monday, December 2, 2024", "Headline", PROSE, "The law was signed today [on 15 November], the minister said."]
    result = publication_date_from_text(lines)
    assert (result.value, result.precision) == ("2024-11-15", "day")
    assert result.rejected[0].source == "page-header (conflicts with body date)"
    assert result.rejected[0].line_no == 1


def test_page_header_date_alone_gives_no_date():
    result = publication_date_from_text(["Monday, December 2, 2024", "Headline", PROSE])
    assert result.value is None
    assert result.rejected[0].source.startswith("page-header")


def test_date_line_below_the_headline_is_used():
    assert _date(["Headline", "By Jane Roe", "September 4, 2025", PROSE]) == ("2025-09-04", "day")


def test_date_line_later_than_the_body_date_is_rejected():
    lines = ["Headline", "March 30, 2024", PROSE, "Today, Tuesday, March 5, the vote took place."]
    result = publication_date_from_text(lines)
    assert result.value == "2024-03-05"
    assert any("conflicts" in item.source for item in result.rejected)


def test_conflicting_weak_clues_give_no_date():
    lines = ["Headline", PROSE, "It was signed today, 4 May.", "On Friday, June 7, it enters into force."]
    result = publication_date_from_text(lines)
    assert result.value is None and len(result.rejected) == 2


def test_no_clue_no_date():
    assert _date(["Headline", PROSE, "He said on Thursday that the talks would resume in March."]) == (None, None)


def test_ambiguous_numeric_dates_are_ignored():
    assert _date(["Headline", "04/05/2024", PROSE]) == (None, None)
    assert _date(["Headline", "24/05/2024", PROSE]) == ("2024-05-24", "day")


def test_is_date_line():
    assert is_date_line("Sunday, November 24, 2024")
    assert is_date_line("Updated: 12.05.2024 14:30")
    assert not is_date_line("The treaty signed on 24 October changes the rules for both countries.")


def test_dotted_numeric_dates_are_day_first():
    assert _date(["Headline", "06.05.2018", PROSE]) == ("2018-05-06", "day")
    assert _date(["Headline", "Datum: 12.01.2017", PROSE]) == ("2017-01-12", "day")
    assert _date(["Headline", "31.02.2017", PROSE]) == (None, None)  # no such day


def test_written_dates_are_read_from_their_parts_in_every_configured_language():
    assert _date(["Headline", "4 de septiembre de 2025", PROSE]) == ("2025-09-04", "day")
    assert _date(["Headline", "12. Mai 2012", PROSE]) == ("2012-05-12", "day")
    assert _date(["Headline", "Sept. 3, 2021", PROSE]) == ("2021-09-03", "day")
    assert _date(["Headline", "1er mars 2020", PROSE]) == ("2020-03-01", "day")
    assert _date(["Headline", "Published: 31 April 2024", PROSE]) == (None, None)


def test_a_date_line_below_the_standfirst_is_in_the_head():
    lines = ["Water law passes", PROSE, "Hamburg, 2. November 2021", PROSE, PROSE]
    assert _date(lines) == ("2021-11-02", "day")


def test_lines_above_the_headline_do_not_end_the_head():
    lines = [f"Home » News » {PROSE}", "Water law passes", PROSE, "2. November 2021", PROSE]
    assert publication_date_from_text(lines, headline="Water law passes").value == "2021-11-02"


def test_a_date_opening_the_lead_is_its_dateline():
    result = publication_date_from_text(["Water law passes", f"Berlin, 01.02.2022 – {PROSE}", PROSE])
    assert (result.value, result.evidence[0].source) == ("2022-02-01", "dateline")


def test_a_byline_with_its_date_dates_the_article():
    assert _date(["Water law passes", "by Jane Roe · Dec 20, 2025 at 3:00 am", PROSE]) == ("2025-12-20", "day")
    assert _date(["Water law passes", "Dec 20, 2025 • Jane Roe in Politics and Government", PROSE]) == ("2025-12-20", "day")
