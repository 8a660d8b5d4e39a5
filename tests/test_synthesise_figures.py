"""Figures across a story's articles: compared only when noun, event, source and time agree;
a source's figures moving forward in time are an update, not a conflict; vague amounts and
parts of a whole are listed, never compared; every figure has its "as of" date."""
from __future__ import annotations

from storydesk.model import Analysis, Article, DateEvidence, Extraction, Figure, Origin, PublicationDate, Span, Story
from storydesk.synthesise import build_dossier
from storydesk.synthesise.render import render_markdown


def _figure(text: str, number: str, value: float, counts: str = "people", event: str | None = "killed", **more) -> Figure:
    start = text.index(number)
    return Figure(Span(start, start + len(number), number), value, counts, "police", Span(0, 6, "Police"), **({"event": event} | more))


def _article(article_id: int, text: str, published: str, *figures: Figure) -> Article:
    extraction = Extraction(text=text, title=f"Article {article_id}", published=PublicationDate(published, "day", [DateEvidence("meta", published)]))
    analysis = Analysis(version="test", sentences=[Span(0, len(text), text)], figures=list(figures))
    return Article(Origin(f"/news/{article_id}.txt"), f"hash{article_id}", "text", extraction, id=article_id, analysis=analysis)


def _dossier(*articles: Article):
    return build_dossier(Story(1, "Shooting", [a.id for a in articles]), list(articles))


FOUR = "Police said four people were killed."
FIVE = "Police said five people were killed."


def test_different_values_for_one_quantity_source_and_time_are_a_conflict():
    dossier = _dossier(_article(1, FOUR, "2013-07-11", _figure(FOUR, "four", 4)), _article(2, FIVE, "2013-07-11", _figure(FIVE, "five", 5)))
    (conflict,) = dossier.discrepancies
    assert (conflict.kind, sorted(dossier.figures[i].value for i in conflict.figures)) == ("conflict", [4, 5])
    assert conflict.about == "people killed (according to Police)"
    assert [f.as_of for f in dossier.figures] == ["2013-07-11", "2013-07-11"]


def test_a_source_figure_moving_forward_in_time_is_an_update_ending_with_its_forecast():
    later = "Police said five people were killed, and six could be."
    dossier = _dossier(
        _article(1, FOUR, "2013-07-11", _figure(FOUR, "four", 4)),
        _article(2, later, "2013-07-12", _figure(later, "five", 5), _figure(later, "six", 6, modality="forecast")),
    )
    (update,) = dossier.discrepancies
    assert update.kind == "update"
    assert [dossier.figures[i].value for i in update.figures] == [4, 5, 6]
    assert update.about == "people killed (according to Police)"
    (told,) = [d for d in dossier.disputes if d.kind == "update"]
    assert told.told == "four on 11 Jul 2013, five on 12 Jul 2013, six expected"


def test_a_count_that_falls_or_a_years_total_beside_a_days_count_is_no_update():
    three = "Police said three people were killed."
    falling = _dossier(
        _article(1, FOUR, "2013-07-11", _figure(FOUR, "four", 4)),
        _article(2, three, "2013-07-12", _figure(three, "three", 3)),
    )
    assert falling.discrepancies == []
    year, day = "Police said 192 people were killed in 2013.", "Police said 219 people were killed."
    totals = _dossier(
        _article(1, year, "2013-07-11", _figure(year, "192", 192, when="2013")),
        _article(2, day, "2013-07-18", _figure(day, "219", 219)),
    )
    assert totals.discrepancies == []

def test_counts_that_say_not_what_happened_are_no_update():
    many, few = "Police said more than 1,200 people live there.", "Police said 13 people were there."
    dossier = _dossier(
        _article(1, many, "2013-03-11", _figure(many, "1,200", 1200, event=None)),
        _article(2, few, "2013-03-14", _figure(few, "13", 13, event=None)),
    )
    assert dossier.discrepancies == []


def test_a_bound_agrees_with_a_value_inside_it():
    three = "Police said at least three people were killed."
    dossier = _dossier(
        _article(1, three, "2013-07-11", _figure(three, "three", 3, hedges=("at least",))),
        _article(2, FIVE, "2013-07-11", _figure(FIVE, "five", 5)),
    )
    assert dossier.discrepancies == []
    two = "Police said two people were killed."
    dossier = _dossier(
        _article(1, three, "2013-07-11", _figure(three, "three", 3, hedges=("at least",))),
        _article(2, two, "2013-07-11", _figure(two, "two", 2)),
    )
    assert [d.kind for d in dossier.discrepancies] == ["conflict"]


def test_a_clause_date_is_the_figures_as_of_date():
    dossier = _dossier(
        _article(1, FOUR, "2013-07-12", _figure(FOUR, "four", 4, when="2013-07-11")),
        _article(2, FIVE, "2013-07-12", _figure(FIVE, "five", 5)),
    )
    assert [f.as_of for f in dossier.figures] == ["2013-07-11", "2013-07-12"]
    assert [d.kind for d in dossier.discrepancies] == ["update"]


def test_figures_of_different_events_are_different_quantities():
    hurt = "Police said five people were injured."
    dossier = _dossier(_article(1, FOUR, "2013-07-11", _figure(FOUR, "four", 4)), _article(2, hurt, "2013-07-11", _figure(hurt, "five", 5, event="injured")))
    assert dossier.discrepancies == []
    assert [(f.event, f.quantity) for f in dossier.figures] == [("killed", 1), ("injured", 2)]


def test_a_part_and_a_vague_amount_are_never_rivals():
    part = "Police said two of the people were killed."
    vague = "Police said dozens of people were killed."
    dossier = _dossier(
        _article(1, FOUR, "2013-07-11", _figure(FOUR, "four", 4)),
        _article(2, part, "2013-07-11", _figure(part, "two", 2, part=True)),
        _article(3, vague, "2013-07-11", _figure(vague, "dozens", 24, upper=99)),
    )
    assert dossier.discrepancies == []
    assert [(f.part, f.upper) for f in dossier.figures] == [(False, None), (True, None), (False, 99)]


def test_people_of_different_ages_are_different_quantities():
    fifteen, fourteen = "A 15-year-old boy was killed.", "A 14-year-old boy was killed."
    dossier = _dossier(
        _article(1, fifteen, "2016-10-30", _figure(fifteen, "A 15-year-old boy", 1, counts="15-year-old boy", part=True)),
        _article(2, fourteen, "2016-11-01", _figure(fourteen, "A 14-year-old boy", 1, counts="14-year-old boy", part=True)),
    )
    assert [f.quantity for f in dossier.figures] == [1, 2]


def test_one_age_in_digits_and_in_words_is_one_quantity():
    digits, words = "A 14-year-old boy was shot.", "A fourteen-year-old boy was shot."
    dossier = _dossier(
        _article(1, digits, "2017-02-09", _figure(digits, "A 14-year-old boy", 1, counts="14-year-old boy", part=True)),
        _article(2, words, "2017-02-09", _figure(words, "A fourteen-year-old boy", 1, counts="fourteen-year-old boy", part=True)),
    )
    assert dossier.figures[0].quantity == dossier.figures[1].quantity
    assert "“A fourteen-year-old boy” (part of a total)" in render_markdown(dossier)  # a victim of a toll


def test_a_figure_given_by_a_pronoun_names_no_source_and_a_large_value_is_written_out():
    from storydesk.synthesise.render import quantities

    text = "They said two million people were killed."
    figure = Figure(Span(10, 21, "two million"), 2e6, "people", "they", Span(0, 4, "They"), event="killed")
    dossier = _dossier(_article(1, text, "2013-07-11", figure))
    assert dossier.figures[0].asserted_by is None
    assert [value.text for q in quantities(dossier) for value in q.values] == ["2,000,000"]


def test_a_count_with_no_noun_but_its_event_counts_people():
    headline = "4 Dead in Overnight Shooting"
    dossier = _dossier(
        _article(1, FOUR, "2013-07-11", _figure(FOUR, "four", 4)),
        _article(2, headline, "2013-07-11", _figure(headline, "4", 4, counts="Dead")),
    )
    assert [f.quantity for f in dossier.figures] == [1, 1]
