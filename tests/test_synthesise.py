"""The synthesise stage on small hand-written articles: dates fixed by the story, statements
grouped across outlets, figure discrepancies, claims, coverage, summary and safe rendering."""
from __future__ import annotations

import dataclasses

import re
from datetime import date

from storydesk.analyse import analyse
from storydesk.model import (
    Action,
    Analysis,
    Article,
    DateEvidence,
    Entity,
    Extraction,
    Figure,
    Mention,
    Origin,
    PublicationDate,
    Quote,
    Span,
    Story,
    TimeExpr,
)
from storydesk.synthesise import build_dossier, render_html, render_markdown
from storydesk.synthesise.render import quantities
from storydesk.synthesise.dates import (
    month,
    nearest_weekday,
    parse_value,
    place_in_year,
)
from storydesk.synthesise.claims import proposition
from storydesk.synthesise.dates import ArticleDate
from storydesk.synthesise.events import dateline_place, find_mentions
from storydesk.synthesise.render import who_said_what
from storydesk.synthesise.summary import summarise
from storydesk.synthesise.text import present_tense

ENTITIES = {
    "Anna Berg": Entity("person:anna berg", "Anna Berg", "PERSON"),
    "Geneva": Entity("place:geneva", "Geneva", "GPE"),
    "Norland": Entity("country:NL", "Norland", "GPE"),
    "Norland intelligence": Entity("org:norland intelligence", "Norland intelligence", "ORG"),
    "Mike Edmonson": Entity("person:mike edmonson", "Mike Edmonson", "PERSON"),
    "Michael Edmonson": Entity("person:michael edmonson", "Michael Edmonson", "PERSON"),
    "Michelle Edmonson": Entity("person:michelle edmonson", "Michelle Edmonson", "PERSON"),
}


def _span(text: str, fragment: str) -> Span:
    start = text.index(fragment)
    return Span(start, start + len(fragment), fragment)


def _article(
    article_id: int,
    text: str,
    published: str | None = None,
    timexes: tuple[tuple[str, str], ...] = (),
    quotes: tuple[tuple[str, str], ...] = (),
    figures: tuple[Figure, ...] = (),
    site: str | None = None,
) -> Article:
    """An article with a hand-made analysis: sentences split at ". ", the entities of ENTITIES
    found by name, time expressions (text, value), quotes (content, speaker name) said directly
    (a speaker not in ENTITIES: unresolved)."""
    sentences = [Span(m.start(), m.end(), m.group()) for m in re.finditer(r"[^.]+[.]", text)]
    mentions = [
        Mention(Span(m.start(), m.end(), name), entity.key)
        for name, entity in ENTITIES.items() for m in re.finditer(re.escape(name), text)
        if not any(other != name and name in other and other in text for other in ENTITIES)
    ]
    analysis = Analysis(
        version="test",
        sentences=sentences,
        entities=[e for name, e in ENTITIES.items() if name in text],
        mentions=mentions,
        timexes=[TimeExpr(*_bounds(text, t), t, "DATE", v, v.startswith("XXXX")) for t, v in timexes],
        quotes=[Quote("direct", _span(text, c), speaker=_span(text, s), speaker_entity=ENTITIES[s].key if s in ENTITIES else None) for c, s in quotes],
        figures=list(figures),
    )
    extraction = Extraction(
        text=text, title=f"Article {article_id}", site=site, outlet=site, outlet_from="site" if site else "unknown",
        published=PublicationDate(published, "day" if published else None, [DateEvidence("meta", published)] if published else []),
    )
    return Article(Origin(f"/news/{article_id}.txt"), f"hash{article_id}", "text", extraction, id=article_id, analysis=analysis)


def _bounds(text: str, fragment: str) -> tuple[int, int]:
    span = _span(text, fragment)
    return span.start, span.end


def _dossier(*articles: Article):
    return build_dossier(Story(7, "Water treaty", [a.id for a in articles]), list(articles))


SIGNED = "The water treaty was signed in Geneva on Thursday by Norland and its neighbour."
SIGNED_AGAIN = "Norland signed the water treaty on Thursday in Geneva after long talks."


def test_calendar_helpers():
    assert nearest_weekday(date(2024, 10, 25), 4) == date(2024, 10, 24)  # the Thursday before a Friday
    assert nearest_weekday(date(2024, 6, 19), 4) == date(2024, 6, 20)  # the Thursday after a Wednesday
    anchor = month(2024, 6)
    assert place_in_year(9, None, anchor).iso == "2023-09"  # "in September", looking back
    assert place_in_year(7, 4, anchor).iso == "2024-07-04"  # "on July 4", a little ahead
    assert parse_value("2024-W43").precision == "week" and parse_value("XXXX-06") is None


def test_an_undated_article_is_dated_by_the_event_it_reports_on_a_weekday():
    dated = _article(1, SIGNED, "2024-03-08", timexes=(("Thursday", "2024-03-07"),))
    undated = _article(2, SIGNED_AGAIN, timexes=(("Thursday", "XXXX-WXX-4"),))
    dossier = _dossier(dated, undated)
    event = dossier.timeline[0]
    assert (event.date, event.precision, event.place, event.articles) == ("2024-03-07", "day", "Geneva", [1, 2])
    second = dossier.articles[1]
    assert (second.published, second.date_bound) == ("2024-03-07", "on-or-after")
    assert "dates 2024-03-07 (articles 1)" in second.date_evidence[0]


def test_a_weekday_that_does_not_fit_the_event_dates_nothing():
    dated = _article(1, SIGNED, "2024-03-08", timexes=(("Thursday", "2024-03-07"),))
    undated = _article(2, SIGNED_AGAIN.replace("Thursday", "Monday"), timexes=(("Monday", "XXXX-WXX-1"),))
    second = _dossier(dated, undated).articles[1]
    assert second.published is None and second.date_evidence == []


def test_a_day_without_year_takes_the_year_of_the_story():
    dated = _article(1, SIGNED, "2024-03-08")
    partly = _article(2, SIGNED_AGAIN)
    partly.extraction.published = PublicationDate("--03-09", "day-no-year", [DateEvidence("dateline", "9 Mar")])
    second = _dossier(dated, partly).articles[1]
    assert second.published == "2024-03-09"
    assert second.date_evidence[-1] == "year from the story: article 1 is dated 2024-03-08"


def _action(text: str, time: str, subject: str, verb: str, lemma: str, obj: str | None = None, **flags: bool) -> Action:
    return Action(_span(text, time), _span(text, verb), lemma, _span(text, subject), _span(text, obj) if obj else None, **flags)


def test_an_event_is_labelled_by_its_clause_and_the_full_sentence_kept():
    article = _article(1, SIGNED_AGAIN, "2024-03-08", timexes=(("Thursday", "2024-03-07"),))
    article.analysis.actions = [_action(SIGNED_AGAIN, "Thursday", "Norland", "signed", "sign", "the water treaty")]
    event = _dossier(article).timeline[0]
    assert event.what == "Norland signs the water treaty in Geneva"
    assert event.sentence == SIGNED_AGAIN and event.dates == ["2024-03-07"]
    passive = _article(2, SIGNED, "2024-03-08", timexes=(("Thursday", "2024-03-07"),))
    passive.analysis.actions = [_action(SIGNED, "Thursday", "The water treaty", "signed", "sign", passive=True)]
    assert _dossier(passive).timeline[0].what == "The water treaty signed in Geneva"


def test_a_happening_a_noun_names_is_labelled_by_that_noun_on_its_own_date():
    text = "Police arrested two men on Thursday in the March 9 shooting at a cookout."
    article = _article(1, text, "2024-03-22", timexes=(("Thursday", "2024-03-21"), ("March 9", "2024-03-09")))
    shooting = Action(_span(text, "March 9"), _span(text, "shooting"), "shooting", nominal=True)
    article.analysis.actions = [_action(text, "Thursday", "Police", "arrested", "arrest", "two men", plural=True), shooting]
    assert [(e.date, e.what) for e in _dossier(article).timeline] == [
        ("2024-03-09", "Shooting"), ("2024-03-21", "Police arrest two men"),
    ]
    # a sentence longer than the noun's: the clause wins as a clause, not by being shorter
    told = "Five people were killed on March 9, the sheriff's office reported in a long statement issued late on Friday."
    second = _article(2, told, "2024-03-22", timexes=(("March 9", "2024-03-09"),))
    second.analysis.actions = [_action(told, "March 9", "Five people", "killed", "kill", passive=True, plural=True)]
    timeline = _dossier(article, second).timeline
    assert [(e.date, e.what, e.articles) for e in timeline][0] == ("2024-03-09", "Five people killed", [1, 2])


def test_a_clause_in_the_first_or_second_person_is_words_said_not_a_happening():
    def on_thursday(article_id: int, text: str, subject: str, verb: str, lemma: str, obj: str | None = None) -> Article:
        article = _article(article_id, text, "2024-03-08", timexes=(("Thursday", "2024-03-07"),))
        article.analysis.actions = [_action(text, "Thursday", subject, verb, lemma, obj)]
        return article

    said = "We thanked the mayor of Geneva on Thursday."
    article = on_thursday(1, said, "We", "thanked", "thank", "the mayor")
    assert _dossier(article).timeline == []
    assert _dossier(on_thursday(3, "You grieve for a while on Thursday.", "You", "grieve", "grieve")).timeline == []
    assert _dossier(on_thursday(6, "He got on my nerves on Thursday.", "He", "got", "get", "on my nerves")).timeline == []
    landed = on_thursday(7, "US troops landed in Geneva on Thursday.", "US troops", "landed", "land")
    assert [e.what[:9] for e in _dossier(landed).timeline] == ["US troops"]  # a country, not "us"
    spoken = on_thursday(4, "We buried the victims of the shooting in Geneva on Thursday.", "We", "buried", "bury", "the victims")
    also = on_thursday(5, "The mayor of Geneva was at the funeral on Thursday.", "mayor of Geneva", "was", "be", "at the funeral")
    assert [e.what for e in _dossier(spoken, also).timeline] == ["Mayor of Geneva is at the funeral"]  # not "We bury"
    article.analysis.actions = [_action(said, "Thursday", "mayor", "thanked", "thank", "the mayor")]
    assert _dossier(article).timeline[0].what.startswith("Mayor thanks")
    lift = "I lift the water treaty on Thursday."
    label = _article(2, lift, "2024-03-08", timexes=(("Thursday", "2024-03-07"),))
    label.analysis.actions = [_action(lift, "Thursday", "I", "lift", "lift", "the water treaty")]
    assert [m.label for m in find_mentions(label, ArticleDate())] == ["I lift the water treaty"]

def test_a_happening_takes_the_timeline_before_someone_only_speaking(monkeypatch):
    monkeypatch.setattr("storydesk.synthesise.events.TIMELINE_EVENTS", 1)
    spoke = "The mayor of Geneva spoke on Friday."
    spoken = [_article(n, spoke, "2024-03-09", timexes=(("Friday", "2024-03-08"),)) for n in (1, 2)]
    for article in spoken:
        article.analysis.actions = [_action(spoke, "Friday", "mayor of Geneva", "spoke", "speak")]
    flood = "The river flooded the old town of Geneva on Thursday."
    flooded = _article(3, flood, "2024-03-09", timexes=(("Thursday", "2024-03-07"),))
    flooded.analysis.actions = [_action(flood, "Thursday", "river", "flooded", "flood", "the old town")]
    (event,) = _dossier(*spoken, flooded).timeline  # the mayor's speaking is in two articles, the flood in one
    assert event.what.startswith("River floods")


def test_an_event_is_labelled_by_a_clause_whose_subject_names_someone():
    unnamed = "He was taken to a hospital on Saturday."
    named = "Anna Berg was taken to the old city hospital on Saturday."
    first = _article(1, unnamed, "2024-03-10", timexes=(("Saturday", "2024-03-09"),))
    first.analysis.actions = [_action(unnamed, "Saturday", "He", "taken", "take", passive=True)]
    second = _article(2, named, "2024-03-10", timexes=(("Saturday", "2024-03-09"),))
    second.analysis.actions = [_action(named, "Saturday", "Anna Berg", "taken", "take", passive=True)]
    timeline = _dossier(first, second).timeline
    assert len(timeline) == 1 and timeline[0].articles == [1, 2]
    assert timeline[0].what == "Anna Berg taken"  # not the shorter "He is taken"
    assert _dossier(first).timeline[0].what == "He is taken"  # alone, a pronoun's passive keeps its "is"


def test_an_event_is_labelled_by_a_clause_whose_object_names_someone():
    bare = "Marlow police released him on Saturday."
    named = "Marlow police released Anna Berg from the old county jail on Saturday."
    first = _article(1, bare, "2024-03-10", timexes=(("Saturday", "2024-03-09"),))
    first.analysis.actions = [_action(bare, "Saturday", "Marlow police", "released", "release", "him", plural=True)]
    second = _article(2, named, "2024-03-10", timexes=(("Saturday", "2024-03-09"),))
    second.analysis.actions = [_action(named, "Saturday", "Marlow police", "released", "release", "Anna Berg", plural=True)]
    (event,) = _dossier(first, second).timeline
    assert event.what == "Marlow police release Anna Berg"  # not "Marlow police release him"


def test_sentences_of_one_actor_on_one_day_are_one_event_cited_once_each():
    text = "Anna Berg spoke to waiting reporters outside parliament on Thursday. Anna Berg then left the old building quietly by car on Thursday."
    article = _article(1, text, "2024-03-08", timexes=(("Thursday", "2024-03-07"),))
    second = text.index("then")
    article.analysis.timexes.append(TimeExpr(text.rindex("Thursday"), len(text) - 1, "Thursday", "DATE", "2024-03-07", True))
    article.analysis.actions = [
        _action(text, "Thursday", "Anna Berg", "spoke", "speak"),
        Action(Span(text.rindex("Thursday"), len(text) - 1, "Thursday"), _span(text, "left"), "leave",
               Span(second - 10, second - 1, "Anna Berg"), _span(text, "the old building")),
    ]
    timeline = _dossier(article).timeline
    assert len(timeline) == 1 and len(timeline[0].citations) == 2
    assert timeline[0].what == "Anna Berg leaves the old building"  # the clause with an object


def test_a_time_of_day_dates_its_event_and_the_dateline_places_it():
    text = "A man was shot early Saturday morning outside a shop."
    article = _article(1, text, "2024-03-09")
    article.analysis.timexes = [TimeExpr(*_bounds(text, "early Saturday morning"), "early Saturday morning", "TIME", "2024-03-09TMO", True)]
    article.extraction.dateline = "MONCKS CORNER S.C."
    event = _dossier(article).timeline[0]
    assert (event.date, event.precision, event.place) == ("2024-03-09", "day", "Moncks Corner")
    assert event.what.startswith("A man was shot") and event.what.endswith("in Moncks Corner")  # no parse: first words


def test_a_dateline_names_its_place_without_state_or_date():
    assert dateline_place("ST. LOUIS Mo.") == "St. Louis"
    assert dateline_place("ROCHESTER N.Y.") == "Rochester"
    assert dateline_place("NAVARRO COUNTY TX") == "Navarro County"
    assert dateline_place("MADRID 25 Oct.") == "Madrid"
    assert dateline_place("Edmonton Ky.") == "Edmonton"


def test_present_tense_in_headline_style():
    assert present_tense("ratify", False) == "ratifies" and present_tense("sign", True) == "sign"
    assert present_tense("rule out", False, negated=True) == "does not rule out"
    assert present_tense("be", True) == "are" and present_tense("watch", False) == "watches"


def test_versions_of_one_statement_are_grouped_across_outlets_but_not_across_speakers():
    first = _article(1, "“It is our own business,” Anna Berg said.", quotes=(("It is our own business,", "Anna Berg"),))
    second = _article(2, "“What we do is our business,” Anna Berg said.", quotes=(("What we do is our business,", "Anna Berg"),))
    other = _article(3, "“Business is good,” Norland said.", quotes=(("Business is good,", "Norland"),))
    dossier = _dossier(first, second, other)
    grouped = [s for s in dossier.statements if len(s.versions) > 1]
    assert len(grouped) == 1 and grouped[0].articles == [1, 2] and grouped[0].speaker_name == "Anna Berg"
    assert dossier.quotes[2].group != grouped[0].group


def test_a_speaker_named_by_a_nickname_is_the_one_of_that_formal_name():
    said = "“The water will stay in the valley for good,” {} said."
    texts = [said.format(name) for name in ("Mike Edmonson", "Michael Edmonson", "Michelle Edmonson")]
    dossier = _dossier(*(
        _article(i, text, quotes=((text[: text.index("”")], name),))
        for i, (text, name) in enumerate(zip(texts, ("Mike Edmonson", "Michael Edmonson", "Michelle Edmonson")), 1)
    ))
    speakers = {dossier.quotes[i].speaker for s in dossier.statements for i in s.versions}
    assert speakers == {"person:michael edmonson", "person:michelle edmonson"}


def test_a_quote_is_shown_without_the_marks_that_enclose_it_but_keeps_those_inside():
    whole = _article(1, "“It is our own business,” Anna Berg said.", quotes=(("“It is our own business,”", "Anna Berg"),))
    mixed = _article(2, "Anna Berg called it “our business” and “nobody else’s”.", quotes=(("“our business” and “nobody else’s”", "Anna Berg"),))
    texts = [quote.text for quote in _dossier(whole, mixed).quotes]
    assert texts == ["It is our own business,", "“our business” and “nobody else’s”"]


def _soldiers(
    text: str, number: str, value: float, source: str, modality: str = "estimate", counts: str = "Norland soldiers",
    event: str | None = "deployed",
) -> Figure:
    return Figure(_span(text, number), value, counts, ENTITIES[source].key, _span(text, source), (), modality, event)


def test_the_same_quantity_from_the_same_source_with_different_values_is_a_discrepancy():
    one = "Norland intelligence estimates that 3,000 Norland soldiers were sent, and 10,000 will follow."
    two = "Norland intelligence said 1,500 soldiers were sent."
    three = "Anna Berg said 800 soldiers were sent."
    dossier = _dossier(
        _article(1, one, figures=(_soldiers(one, "3,000", 3000, "Norland intelligence"),
                                  _soldiers(one, "10,000", 10000, "Norland intelligence", "forecast"))),
        _article(2, two, figures=(_soldiers(two, "1,500", 1500, "Norland intelligence", "fact", "soldiers"),)),
        _article(3, three, figures=(_soldiers(three, "800", 800, "Anna Berg", "fact", "soldiers"),)),
    )
    assert len(dossier.discrepancies) == 1
    flagged = [dossier.figures[i] for i in dossier.discrepancies[0].figures]
    assert sorted(f.value for f in flagged) == [1500, 3000]  # not the forecast, not another source
    assert "Norland soldiers" in dossier.discrepancies[0].about


def test_bare_counts_that_say_not_what_happened_to_what_they_count_are_never_rivals():
    one = "Norland intelligence said four soldiers returned fire."
    two = "Norland intelligence said two soldiers were there."
    dossier = _dossier(
        _article(1, one, figures=(_soldiers(one, "four", 4, "Norland intelligence", "fact", "soldiers", None),)),
        _article(2, two, figures=(_soldiers(two, "two", 2, "Norland intelligence", "fact", "soldiers", None),)),
    )
    assert len(dossier.figures) == 2 and dossier.figures[0].quantity == dossier.figures[1].quantity
    assert dossier.discrepancies == []


def test_figures_are_shown_by_what_they_count_and_what_happened_to_it_the_rest_apart():
    one = "Norland intelligence said 300 soldiers were deployed on Monday."
    two = "Norland intelligence said 300 soldiers were deployed, at a cost of $4,000."
    cost = Figure(_span(two, "$4,000"), 4000, "dollars", None, None, (), "fact", None)
    dossier = _dossier(
        _article(1, one, "2024-03-05", figures=(_soldiers(one, "300", 300, "Norland intelligence", "fact", "soldiers"),)),
        _article(2, two, "2024-03-09", figures=(_soldiers(two, "300", 300, "Norland intelligence", "fact", "soldiers"), cost)),
    )
    shown = quantities(dossier)
    assert [(q.what, q.event, q.reports, q.agreement, q.minor) for q in shown] == [
        ("soldiers", "deployed", 2, "2 articles agree", False), ("dollars", None, 1, "one article", True),
    ]
    figures = render_markdown(dossier).split("## Figures")[1].split("## Claims")[0]
    rows = [line for line in figures.splitlines() if line.startswith("| soldiers")]
    assert len(rows) == 1 and "2 articles agree" in rows[0] and "[1:" in rows[0] and "[2:" in rows[0]
    assert "Other figures, each in one article and of nothing that happened: $4,000 (dollars)" in figures


def test_a_figure_one_article_gives_twice_is_one_article_not_two_that_agree():
    text = "Norland intelligence said 300 soldiers were deployed. Again: Norland intelligence said 300 soldiers were deployed."
    first = _soldiers(text, "300", 300, "Norland intelligence", "fact", "soldiers")
    start = text.index("300", text.index("Again"))
    twice = (first, dataclasses.replace(first, span=Span(start, start + 3, "300")))
    dossier = _dossier(_article(1, text, figures=twice))
    [shown] = quantities(dossier)
    assert (shown.reports, shown.articles, shown.agreement) == (2, 1, "one article")


def test_coverage_names_the_figures_more_than_one_outlet_gave_and_who_left_them_out():
    one = "Norland intelligence said 300 soldiers were deployed on Monday."
    two = "Norland intelligence said 300 soldiers were deployed, at a cost of $4,000."
    three = "The water treaty was signed in Geneva by Norland and its neighbour after long talks."
    cost = Figure(_span(two, "$4,000"), 4000, "dollars", None, None, (), "fact", None)
    dossier = _dossier(
        _article(1, one, "2024-03-05", figures=(_soldiers(one, "300", 300, "Norland intelligence", "fact", "soldiers"),), site="Daily One"),
        _article(2, two, "2024-03-09", figures=(_soldiers(two, "300", 300, "Norland intelligence", "fact", "soldiers"), cost), site="Daily Two"),
        _article(3, three, "2024-03-09", site="Daily Three"),
    )
    soldiers = next(f.quantity for f in dossier.figures if f.what == "soldiers")
    assert [dossier.coverage[o].figures for o in ("Daily Two", "Daily Three")] == [
        {"reported": [soldiers], "left_out": []}, {"reported": [], "left_out": [soldiers]},
    ]  # the cost, said by one outlet, is no one's omission
    row = next(line for line in render_markdown(dossier).split("## Coverage")[1].splitlines() if line.startswith("| Daily Three"))
    assert row.endswith("|  | soldiers deployed |")

def test_a_claim_confirmed_to_a_medium_is_the_clause_after_it():
    sentence = "Neighbors confirmed with KHOU 11 News that one of the injured victims is Brandy Rusher."
    assert proposition(sentence, sentence) == (True, "one of the injured victims is Brandy Rusher")
    dated = "Sheriff Jo Doe confirmed Thursday that Anna Berg, who is not related to the victim, was arrested."
    assert proposition(dated, dated) == (True, "Anna Berg was arrested")  # the day and the aside left out
    aged = "Police confirmed that Anna Berg, 25, was arrested."
    assert proposition(aged, aged) == (True, "Anna Berg was arrested")


def test_a_claim_is_not_worded_by_a_fragment_of_its_sentence():
    text = "Sergeant Anna Berg said one person was confirmed as being dead at the scene."
    claims = _dossier(_article(1, text)).claims
    assert [c.about for c in claims] == [text]  # not "As being dead at the scene"


def test_a_claim_said_before_its_cue_is_what_was_confirmed_or_ruled_out():
    passive = _article(1, "A treaty between Norland and its neighbour has been ruled out by Anna Berg.")
    circumstance = _article(2, "Eight Norland soldiers crossed the mountain border, Anna Berg confirmed at a briefing Sunday.")
    said = [[(c.about, [(s.stance, s.by) for s in c.stances]) for c in _dossier(a).claims] for a in (passive, circumstance)]
    assert said == [
        [("A treaty between Norland and its neighbour", [("denied", "Anna Berg")])],
        [("Eight Norland soldiers crossed the mountain border", [("confirmed", "Anna Berg")])],
    ]


def test_a_that_clause_after_a_denial_is_no_pointer_and_they_names_no_one():
    clause = _article(1, "Her lawyer spoke after court, saying only that Anna Berg denies any involvement in the border crossing.")
    they = _article(2, "Police found no weapon, but they are not ruling out other causes of the mountain blaze.")
    said = [(c.about, [(s.stance, s.by) for s in c.stances]) for c in _dossier(clause, they).claims]
    assert said == [
        ("Any involvement in the border crossing", [("denied", "Anna Berg")]),
        ("Other causes of the mountain blaze", [("not ruled out", None)]),
    ]

def test_it_in_a_concessive_clause_points_to_the_main_clause_not_the_sentence_before():
    taken = "He was taken to Geneva Hospital in serious condition. "
    concessive = _article(
        1, taken + "Although police have not confirmed it, friends of the men said the fight was about the water treaty.",
        quotes=(("the fight was about the water treaty", "friends of the men"),),
    )
    pointed = _article(2, taken + "Police have not confirmed this.")
    said = [[(c.about, [(s.stance, s.by) for s in c.stances]) for c in _dossier(a).claims] for a in (concessive, pointed)]
    assert said == [
        [("The fight was about the water treaty", [("unconfirmed", "police")])],
        [("He was taken to Geneva Hospital in serious condition", [("unconfirmed", "Police")])],
    ]  # not "police was taken to Geneva Hospital": the "he" of the sentence before is someone else


def test_a_claim_of_two_content_words_is_worded_by_its_clause_not_the_whole_sentence():
    text = "Although police have not confirmed it, friends said the fight was gang-related."
    claims = _dossier(_article(1, text, quotes=(("the fight was gang-related", "friends"),))).claims
    assert [c.about for c in claims] == ["The fight was gang-related"]


def test_denials_and_non_denials_of_one_claim_are_grouped_with_who_took_them():
    first = _article(1, "Anna Berg denied that Norland soldiers crossed the border.")
    second = _article(2, "Norland did not deny that its soldiers crossed the border.")
    third = _article(3, "The water treaty was signed in Geneva by Norland.")
    claims = _dossier(first, second, third).claims
    assert len(claims) == 1
    assert [(s.stance, s.by) for s in claims[0].stances] == [("denied", "Anna Berg"), ("not denied", "Norland")]


def test_a_court_denying_bail_or_dismissing_charges_takes_no_stance_on_a_claim():
    decisions = _article(
        1,
        "The judge denied him bail on Friday. Bond was denied. The charges against the man were dismissed in May. "
        "Prosecutors dismissed the case. Police said the motion was denied. The families were denied any justice.",
    )
    denial = _article(2, "Anna Berg denied the reports that Norland soldiers crossed the border.")
    dossier = _dossier(decisions, denial)
    assert [[(s.stance, s.article) for s in claim.stances] for claim in dossier.claims] == [[("denied", 2)]]


def test_background_holds_years_before_the_story_not_the_story_own_year():
    text = "Norland signed the water treaty in 2009. The first meeting of this year, 2024, was held in Geneva."
    article = _article(1, text, "2024-03-08", timexes=(("2009", "2009"), ("2024", "2024")))
    assert [event.dates for event in _dossier(article).background] == [["2009"]]


def test_a_topic_a_speaker_spoke_of_is_not_listed_as_a_statement():
    text = "Anna Berg dismissed the drama. “It is our own business,” Anna Berg said."
    article = _article(1, text, quotes=(("the drama", "Anna Berg"), ("It is our own business,", "Anna Berg")))
    topic = dataclasses.replace(article.analysis.quotes[0], kind="topic")
    article = dataclasses.replace(article, analysis=dataclasses.replace(article.analysis, quotes=[topic, article.analysis.quotes[1]]))
    assert [quote.text for quote in _dossier(article).quotes] == ["It is our own business,"]


def test_a_local_body_the_analysis_left_unresolved_speaks_by_its_words():
    text = "Auburn police said a fight broke out. Officers said two groups argued. A spokesman said it was late."
    article = _article(1, text)
    quotes = [
        Quote("indirect", _span(text, "a fight broke out"), speaker=_span(text, "Auburn police")),
        Quote("indirect", _span(text, "two groups argued"), speaker=_span(text, "Officers")),
        Quote("indirect", _span(text, "it was late"), speaker=_span(text, "A spokesman")),
    ]
    dossier = _dossier(dataclasses.replace(article, analysis=dataclasses.replace(article.analysis, quotes=quotes)))
    said = who_said_what(dossier)
    assert [(speaker.name, speaker.key) for speaker in said.speakers] == [("Auburn police", "body:auburn police")]
    assert [statement.text for statement in said.unattributed] == ["two groups argued", "it was late"]


def test_a_local_body_named_as_an_organisation_and_in_plain_words_is_one_speaker():
    first_text = "Auburn Police said a fight broke out."
    second_text = "Auburn police said two groups argued."
    body = Entity("org:auburn police", "Auburn Police", "ORG")
    first = _article(1, first_text)
    quote = Quote("indirect", _span(first_text, "a fight broke out"), speaker=_span(first_text, "Auburn Police"), speaker_entity=body.key)
    first = dataclasses.replace(first, analysis=dataclasses.replace(first.analysis, entities=[body], quotes=[quote]))
    second = _article(2, second_text)
    quote = Quote("indirect", _span(second_text, "two groups argued"), speaker=_span(second_text, "Auburn police"))
    second = dataclasses.replace(second, analysis=dataclasses.replace(second.analysis, quotes=[quote]))
    said = who_said_what(_dossier(first, second))
    assert [(speaker.key, len(speaker.shown + speaker.folded)) for speaker in said.speakers] == [("body:auburn police", 2)]


def test_a_body_named_in_full_alone_or_by_its_initials_is_one_speaker_named_in_full():
    texts = [
        "Auburn Police Department said a fight broke out.", "Police said two groups argued.",
        "APD said it was late.", "Auburn police said the bar closed.", "EMS said two were hurt.",
    ]
    initials = Entity("org:apd", "APD", "ORG")
    articles = []
    for number, text in enumerate(texts, 1):
        speaker = text.split(" said ")[0]
        quote = Quote("indirect", _span(text, text.split(" said ")[1].rstrip(".")), speaker=_span(text, speaker),
                      speaker_entity=initials.key if speaker == "APD" else None)
        article = _article(number, text)
        articles.append(dataclasses.replace(article, analysis=dataclasses.replace(
            article.analysis, entities=[initials] if speaker == "APD" else [], quotes=[quote])))
    said = who_said_what(_dossier(*articles))
    assert [(s.name, len(s.shown + s.folded)) for s in said.speakers] == [("Auburn Police Department", 4)]
    assert [statement.text for statement in said.unattributed] == ["two were hurt"]  # no entity, no body


def test_a_surname_alone_is_the_one_person_of_the_story_with_that_full_name():
    first = _article(1, "“We are ready,” Anna Berg said.", quotes=(("We are ready,", "Anna Berg"),))
    text = "“The talks went well,” Berg said. “Geneva is calm,” Norland said."
    surname = Entity("person:berg", "Berg", "PERSON")
    second = _article(2, text)
    quotes = [
        Quote("direct", _span(text, "The talks went well,"), speaker=_span(text, "Berg"), speaker_entity=surname.key),
        Quote("direct", _span(text, "Geneva is calm,"), speaker=_span(text, "Norland said")),
    ]
    second = dataclasses.replace(second, analysis=dataclasses.replace(second.analysis, entities=[surname], quotes=quotes))
    said = who_said_what(_dossier(first, second))
    assert [(speaker.name, len(speaker.shown + speaker.folded)) for speaker in said.speakers] == [("Anna Berg", 2)]


def test_a_town_the_parser_took_for_the_speaker_of_its_police_gives_the_police():
    text = "Geneva police said a fight broke out."
    article = _article(1, text)
    quote = Quote("indirect", _span(text, "a fight broke out"), speaker=_span(text, "Geneva police"), speaker_entity="place:geneva")
    article = dataclasses.replace(article, analysis=dataclasses.replace(article.analysis, quotes=[quote]))
    assert [(s.key, s.name) for s in who_said_what(_dossier(article)).speakers] == [("body:geneva police", "Geneva police")]


def test_a_quote_reporting_another_s_unconfirmed_stance_gives_it_to_them_and_a_question_takes_none():
    text = "Anna Berg said the two men had quarrelled over the water, although police did not immediately confirm a motive."
    article = _article(1, text)
    said = "the two men had quarrelled over the water, although police did not immediately confirm a motive"
    quote = Quote("indirect", _span(text, said), _span(text, "said"), _span(text, "Anna Berg"), "person:anna berg")
    dossier = _dossier(dataclasses.replace(article, analysis=dataclasses.replace(article.analysis, quotes=[quote])))
    assert [[(s.stance, s.by) for s in c.stances] for c in dossier.claims] == [[("unconfirmed", "police")]]
    could = _dossier(_article(3, "Anna Berg could not confirm that the old dam was opened at night."))
    assert [[(s.stance, s.by) for s in c.stances] for c in could.claims] == [[("unconfirmed", "Anna Berg")]]
    curly = _dossier(_article(4, "Anna Berg didn’t deny that the old dam was opened at night."))
    assert [[(s.stance, s.by) for s in c.stances] for c in curly.claims] == [[("not denied", "Anna Berg")]]
    asked = "Can you confirm that the dam was opened?"
    question = _article(2, asked)
    question.analysis.sentences = [Span(0, len(asked), asked)]
    assert _dossier(question).claims == []


def test_a_claim_held_by_an_unresolved_pronoun_names_no_one_and_does_not_lead():
    text = "Anna Berg spoke about the treaty. He called accusations that he sends soldiers to Geneva “absurd.”"
    article = _article(1, text)
    quote = Quote("mixed", _span(text, "accusations that he sends soldiers to Geneva “absurd.”"), speaker=_span(text, "He"))
    dossier = _dossier(dataclasses.replace(article, analysis=dataclasses.replace(article.analysis, quotes=[quote])))
    [claim] = dossier.claims
    assert [(s.stance, s.by) for s in claim.stances] == [("denied", None)]
    assert not [d for d in dossier.disputes if d.kind == "claim"]
    resolved = dataclasses.replace(quote, speaker_entity="person:anna berg")
    dossier = _dossier(dataclasses.replace(article, analysis=dataclasses.replace(article.analysis, quotes=[resolved])))
    assert [(s.stance, s.by) for s in dossier.claims[0].stances] == [("denied", "Anna Berg")]
    assert [d.kind for d in dossier.disputes] == ["claim"]


def test_a_stance_on_a_pronoun_that_points_back_to_nothing_is_no_claim():
    text = "Anna Berg said the Norland parties are chances for violence. “We flatly deny them,” Anna Berg said."
    dossier = _dossier(_article(1, text, "2024-03-08", quotes=(("We flatly deny them,", "Anna Berg"),)))
    assert dossier.claims == [] and dossier.disputes == []


def test_coverage_and_summary_cite_every_outlet_that_carries_a_sentence():
    same = "The water treaty was signed in Geneva by Norland and its neighbour after long talks."
    first = _article(1, same, "2024-03-08", site="Daily One")
    second = _article(2, same + " Other news follows here for readers today.", "2024-03-08")
    dossier = _dossier(first, second)
    assert dossier.summary[0].articles == [1, 2]
    assert {a.outlet_from for a in dossier.articles} == {"site", "unknown"}
    assert set(dossier.coverage) == {"Daily One", "article 2"}  # an unknown outlet is its article


def test_the_summary_leaves_quoted_words_to_who_said_what():
    quoted = "We will never sign a treaty that takes our water away from the valley."
    text = f"{quoted} The water treaty was signed in Geneva by Norland and its neighbour after long talks. Anna Berg spoke."
    summary = [s.sentence for s in _dossier(_article(1, text, "2024-03-08", quotes=((quoted, "Anna Berg"),))).summary]
    assert summary == ["The water treaty was signed in Geneva by Norland and its neighbour after long talks."]


def test_the_summary_leaves_out_appeals_for_tips():
    appeal = "Anyone with information is asked to call Norland police at (313) 596-1616 or 389-4869 today."
    text = f"The water treaty was signed in Geneva by Norland and its neighbour after long talks. {appeal}"
    summary = [s.sentence for s in _dossier(_article(1, text, "2024-03-08")).summary]
    assert summary == ["The water treaty was signed in Geneva by Norland and its neighbour after long talks."]


def test_one_outlets_same_words_in_two_of_its_articles_are_one_version_citing_both():
    quoted = "We will never sign a treaty that takes our water away from the valley."
    text = f"{quoted} Anna Berg said so in Geneva."
    update = f"{quoted.replace('We', 'WE', 1)} Anna Berg said so in Geneva on Friday."
    dossier = _dossier(
        _article(1, text, "2024-03-08", quotes=((quoted, "Anna Berg"),), site="Daily One"),
        _article(2, update, "2024-03-09", quotes=((quoted.replace("We", "WE", 1), "Anna Berg"),), site="Daily One"),
    )
    lines = [line for line in render_markdown(dossier).splitlines() if "takes our water" in line]
    assert lines == [f"- Daily One, quoted: “{quoted}” [1:0-{len(quoted)}] [2:0-{len(quoted)}]"]
    html = render_html(dossier)
    assert html.count("takes our water away") == 1 and "[Daily One 2:0-" in html


def test_two_outlets_same_words_are_one_version_under_the_speaker_named_once():
    quoted = "We will never sign a treaty that takes our water away from the valley."
    between = "The talks are over and nothing more will be said by us this year."
    second = "The valley is ours and it will stay ours for as long as we live here."
    text = (f"{quoted} Anna Berg said so in Geneva. “{between}” Norland intelligence said. “{second}” Anna Berg"
            " added. Neighbours said the talks went on.")
    said = ((quoted, "Anna Berg"), (between, "Norland intelligence"), (second, "Anna Berg"), ("the talks went on", "Neighbours"))
    dossier = _dossier(
        _article(1, text, "2024-03-08", quotes=said, site="Daily One"),
        _article(2, text, "2024-03-08", quotes=said, site="Daily Two"),
        _article(3, f"{quoted} Anna Berg said so.", "2024-03-08", quotes=said[:1], site="Daily Three"),
    )
    assert [s.speaker_name for s in dossier.statements][:3] == ["Anna Berg", "Norland intelligence", "Anna Berg"]
    markdown = render_markdown(dossier)
    shared = markdown.split("### Carried by more than one outlet")[1].split("### Unattributed")[0]
    assert shared.count("Anna Berg") == 1, shared  # named once above both statements
    lines = [line for line in shared.splitlines() if "takes our water" in line]
    assert lines == [f"- Daily One, Daily Two, Daily Three, quoted: “{quoted}” [1:0-{len(quoted)}] [2:0-{len(quoted)}] [3:0-{len(quoted)}]"]
    unattributed = markdown.split("### Unattributed")[1].split("## Figures")[0]
    assert unattributed.count("the talks went on") == 1 and "Daily One, Daily Two" in unattributed
    html = render_html(dossier)
    assert html.count("takes our water away") == 1 and html.count("the talks went on") == 1
    row = next(line for line in markdown.split("## Coverage")[1].splitlines() if line.startswith("| Daily One"))
    assert "| Anna Berg (2); Norland intelligence; unattributed |" in row  # whose words, not group numbers


def test_renderings_escape_article_text():
    text = "Norland <script>alert(1)</script> said | the water treaty was signed in Geneva on Thursday."
    dossier = _dossier(_article(1, text, "2024-03-08", timexes=(("Thursday", "2024-03-07"),)))
    html = render_html(dossier)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "said \\| the water" in render_markdown(dossier)


def test_the_json_dossier_has_the_documented_sections():
    data = _dossier(_article(1, SIGNED, "2024-03-08", timexes=(("Thursday", "2024-03-07"),))).to_dict()
    assert data["story"] == {"id": 7, "title": "Water treaty"}
    for key in ("articles", "timeline", "quotes", "figures", "discrepancies", "claims", "coverage", "summary"):
        assert key in data
    assert data["timeline"][0]["citations"] == [{"article": 1, "start": 0, "end": len(SIGNED)}]


def test_the_timeline_keeps_the_most_reported_happenings_and_lists_the_rest_apart() -> None:
    from storydesk.analyse import analyse
    from storydesk.model import Extraction, Origin, PublicationDate, Story
    from storydesk.synthesise.events import TIMELINE_EVENTS

    days = [f"On March {day}, the council of Norland met about item {day}." for day in range(1, 13)]
    texts = [" ".join(days), "On March 11, the council of Norland met about item 11 and voted on it."]
    articles = []
    for number, text in enumerate(texts, start=1):
        extraction = Extraction(text=text, published=PublicationDate("2024-03-20", "day"))
        articles.append(Article(Origin(f"a{number}.txt"), f"h{number}", "text", extraction, id=number,
                                analysis=analyse(text, "2024-03-20")))
    dossier = build_dossier(Story(1, "Norland council", [1, 2]), articles)
    assert len(dossier.timeline) == TIMELINE_EVENTS and dossier.more_events
    assert len(dossier.timeline) + len(dossier.more_events) >= 12
    twice = next(e for e in dossier.timeline + dossier.more_events if e.date == "2024-03-11")
    assert twice in dossier.timeline and twice.articles == [1, 2]
    assert [e.date for e in dossier.timeline] == sorted(e.date for e in dossier.timeline)


def test_the_overflow_of_the_timeline_leaves_out_what_only_says_someone_spoke() -> None:
    from storydesk.analyse import analyse
    from storydesk.model import Extraction, Origin, Story
    from storydesk.synthesise.events import TIMELINE_EVENTS

    days = [f"On March {day}, the council of Norland met about item {day}." for day in range(1, TIMELINE_EVENTS + 2)]
    spoke = "On March 15, Mayor Anna Berg spoke to reporters at length."
    text = " ".join([*days, spoke])
    extraction = Extraction(text=text, published=PublicationDate("2024-03-20", "day"))
    article = Article(Origin("a.txt"), "h", "text", extraction, id=1, analysis=analyse(text, "2024-03-20"))
    dossier = build_dossier(Story(1, "Norland council", [1]), [article])
    dated = {e.date for e in dossier.timeline + dossier.more_events}
    assert f"2024-03-{TIMELINE_EVENTS + 1:02d}" in dated and "2024-03-15" not in dated

def test_an_articles_web_address_is_a_link_only_when_a_reader_can_follow_it() -> None:
    from storydesk.model import Extraction, Origin, Story
    from storydesk.synthesise.dossier import web_link

    assert web_link("https://news.example.com/a?b=1") == "https://news.example.com/a?b=1"
    assert web_link("javascript:alert(1)") is None and web_link("file:///etc/passwd") is None
    extraction = Extraction(text="A bridge opened.", title="Bridge", url="https://news.example.com/bridge")
    dossier = build_dossier(Story(1, "Bridge", [1]), [Article(Origin("x.jsonl", "1"), "h", "text", extraction, id=1)])
    assert "[Bridge](<https://news.example.com/bridge>)" in render_markdown(dossier)
    assert '<a href="https://news.example.com/bridge">Bridge</a>' in render_html(dossier)


def test_an_events_place_names_its_town_beside_a_street_and_falls_back_to_the_town_named_most() -> None:
    from storydesk.analyse import analyse
    from storydesk.model import Extraction, Origin, PublicationDate, Story

    def story(text: str):
        extraction = Extraction(text=text, published=PublicationDate("2015-06-14", "day"))
        article = Article(Origin("a.txt"), "h", "text", extraction, id=1, analysis=analyse(text, "2015-06-14"))
        return build_dossier(Story(1, "Shooting", [1]), [article])

    street = story("A man was shot on Saturday at Main Street, Chicago police said. The Chicago mayor spoke.")
    assert [e.place for e in street.timeline] == ["Main Street, Chicago"]
    county = story("A man was shot on Saturday, Chicago police said. The Cook County coroner and the Chicago mayor spoke.")
    assert [e.place for e in county.timeline] == ["Chicago"]


def test_a_lead_that_names_only_its_towns_police_gives_the_town() -> None:
    from storydesk.synthesise.events import _town_of_body, _towns_before_bodies

    assert _towns_before_bodies("A girl was shot.\nMemphis police officers said. The Fort Wayne Police Department said.") == [
        "Memphis", "Fort Wayne"]
    assert _towns_before_bodies("State police said. The police said.") == []
    assert _town_of_body("the Raleigh Police Department") == "Raleigh" and _town_of_body("Police") is None


def test_rumours_deny_only_as_what_something_is_called() -> None:
    from storydesk.analyse import analyse
    from storydesk.model import Extraction, Origin, PublicationDate, Story

    def claims(text: str):
        extraction = Extraction(text=text, published=PublicationDate("2016-10-24", "day"))
        article = Article(Origin("a.txt"), "h", "text", extraction, id=1, analysis=analyse(text, "2016-10-24"))
        return build_dossier(Story(1, "Manhunt", [1]), [article]).claims

    assert claims("Rumors of his return east to Lincoln County circulated Monday afternoon.") == []
    (called,) = claims("The ministry called reports that it sent troops to the border “baseless rumours.”")
    assert [s.stance for s in called.stances] == ["denied"] and called.about == "The ministry sent troops to the border"


def test_a_sentence_two_articles_carry_is_one_summary_sentence_citing_both() -> None:
    shared = "The incident happened in a mobile home park in the 200 block of Oak Shore Drive."
    texts = [
        f"{shared} Deputies said a man called them at 1:30 a.m. to say he had shot his wife.",
        f"Three people died in the shooting on Sunday. {shared}",
        "Deputies were called to the mobile home park on Oak Shore Drive early on Sunday.",
    ]
    articles = [
        Article(Origin(f"{n}.txt"), str(n), "text", Extraction(text=text, language="en"), id=n, analysis=analyse(text, None, "en"))
        for n, text in enumerate(texts, start=1)
    ]
    summary = summarise(articles)
    assert [s.sentence for s in summary].count(shared) == 1
    assert next(s for s in summary if s.sentence == shared).articles == [1, 2]


def test_the_medium_a_statement_was_said_to_closes_its_line():
    quoted = "We will never sign a treaty that takes our water away from the valley."
    text = f"Anna Berg told TASS: {quoted} The talks go on."
    lines = render_markdown(_dossier(_article(1, text, "2024-03-08", quotes=((quoted, "Anna Berg"),)))).splitlines()
    (line,) = [line for line in lines if "takes our water" in line]
    assert line.startswith("- article 1, quoted:") and line.endswith("(said first to TASS, as an article reports)")


def test_an_appeal_or_a_refusal_is_no_statement():
    text = "Anna Berg declined to comment. Anna Berg said the treaty was signed. Anna Berg vowed to fight the treaty."
    article = _article(1, text, "2024-03-08")
    said = [
        Quote("indirect", _span(text, part), _span(text, cue), _span(text, "Anna Berg"), "person:anna berg")
        for part, cue in (("to comment", "declined"), ("the treaty was signed", "said"), ("to fight the treaty", "vowed"))
    ]
    dossier = _dossier(dataclasses.replace(article, analysis=dataclasses.replace(article.analysis, quotes=said)))
    assert [q.text for q in dossier.quotes] == ["the treaty was signed", "to fight the treaty"]  # a vow commits her


def test_a_question_in_the_reporters_words_what_was_seen_and_a_cue_taken_by_a_quote_state_nothing():
    text = (
        "Anna Berg has not said whether the treaty was signed. Anna Berg asked if the treaty was signed. "
        "Anna Berg saw the dam break. Anna Berg said the water is clean. "
        "Anna Berg told her son what happened. “The dam broke at night,” Anna Berg said. "
        "Anna Berg was charged with arson. Anna Berg said the injuries are. No charges were filed."
    )
    article = _article(1, text, "2024-03-08")
    said_at = text.rindex("said")
    parts = (
        ("whether the treaty was signed", "has not said"), ("if the treaty was signed", "asked"),
        ("the dam break", "saw"), ("the water is clean", "said the water"),
        ("arson", "was charged with"), ("the injuries are", "said the injuries"),
    )
    said = [
        Quote("indirect", _span(text, part), _span(text, cue), _span(text, "Anna Berg"), "person:anna berg")
        for part, cue in parts
    ] + [
        Quote(kind, _span(text, part), Span(said_at, said_at + 4, "said"), _span(text, "Anna Berg"), "person:anna berg")
        for kind, part in (("indirect", "her son what happened."), ("direct", "“The dam broke at night,”"))
    ] + [Quote("indirect", _span(text, "No charges were filed."))]  # neither cue nor speaker
    dossier = _dossier(dataclasses.replace(article, analysis=dataclasses.replace(article.analysis, quotes=said)))
    assert [q.text for q in dossier.quotes] == ["if the treaty was signed", "the water is clean", "The dam broke at night,"]


def test_a_paraphrase_is_shown_without_the_that_introducing_it():
    text = "Anna Berg said that the treaty was signed in Geneva."
    article = _article(1, text, "2024-03-08")
    said = [Quote("indirect", _span(text, "that the treaty was signed in Geneva"), speaker=_span(text, "Anna Berg"), speaker_entity="person:anna berg")]
    dossier = _dossier(dataclasses.replace(article, analysis=dataclasses.replace(article.analysis, quotes=said)))
    assert [(q.text, q.span.start) for q in dossier.quotes] == [("the treaty was signed in Geneva", text.index("that"))]
