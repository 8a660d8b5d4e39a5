"""Where a timeline event happened, on small made-up local news: the town beside a county, a
neighbourhood, a building or a state; the town a headline, a local body or a resident names."""
from __future__ import annotations

import re

from storydesk.eval.dossier import Incident, names_city, stated_in_text
from storydesk.eval.metrics import tokens
from storydesk.model import Action, Analysis, Article, Entity, Extraction, Mention, Origin, PublicationDate, Span, Story, TimeExpr
from storydesk.synthesise import build_dossier
from storydesk.synthesise.events import (
    _places,
    _title_town,
    _town_of_body,
    _towns_before_bodies,
    _with_town,
    town_parts,
    towns_before_states,
)

PUBLISHED = "2015-06-14"  # a Sunday


def _article(
    article_id: int,
    text: str,
    tagged: dict[str, str],
    timexes: dict[str, str],
    title: str | None = None,
    url: str | None = None,
    dateline: str | None = None,
    sentences: list[str] | None = None,
) -> Article:
    """An article with a hand-made analysis: sentences split after ". " (or as given), the names
    of ``tagged`` found with their kinds, time expressions (text: value)."""
    parts = sentences or re.findall(r"[^.]+\.\s*", text)
    spans, at = [], 0
    for part in parts:
        start = text.index(part, at)
        spans.append(Span(start, start + len(part), part))
        at = start + len(part)
    entities = [Entity(f"{kind.lower()}:{name.lower()}", name, kind) for name, kind in tagged.items()]
    mentions = [
        Mention(Span(m.start(), m.end(), name), entity.key)
        for name, entity in zip(tagged, entities) for m in re.finditer(re.escape(name), text)
        if not any(other != name and name in other for other in tagged)
    ]
    found = [(re.search(re.escape(t), text), value) for t, value in timexes.items()]
    analysis = Analysis(
        version="test", sentences=spans, entities=entities, mentions=mentions,
        timexes=[TimeExpr(m.start(), m.end(), m.group(), "DATE", value, True) for m, value in found],
    )
    extraction = Extraction(text=text, title=title, url=url, dateline=dateline, published=PublicationDate(PUBLISHED, "day"))
    return Article(Origin(f"{article_id}.txt"), f"h{article_id}", "text", extraction, id=article_id, analysis=analysis)


def _places_of(*articles: Article) -> list[str | None]:
    dossier = build_dossier(Story(1, "Shooting", [a.id for a in articles]), list(articles))
    return [event.place for event in dossier.timeline]


def test_an_event_placed_in_a_county_is_given_the_town_the_article_names() -> None:
    text = "A Norbury man was shot on Saturday in Kessel County, deputies said."
    article = _article(1, text, {"Norbury": "GPE", "Kessel County": "GPE"}, {"Saturday": "2015-06-13"})
    assert _places_of(article) == ["Norbury, Kessel County"]


def test_a_county_dateline_takes_the_town_the_whole_text_names() -> None:
    text = "A man was shot on Saturday, deputies said. He lived on a farm. The farm lies outside of Norbury, a village."
    article = _article(1, text, {"Norbury": "GPE"}, {"Saturday": "2015-06-13"}, dateline="KESSEL COUNTY, Tenn.")
    assert _places_of(article) == ["Norbury, Kessel County"]


def test_a_neighbourhood_is_in_the_town_whose_police_the_article_names() -> None:
    text = "A man was shot on Saturday in Lindwood, Marlow police said."
    article = _article(1, text, {"Lindwood": "GPE"}, {"Saturday": "2015-06-13"})
    assert _places_of(article) == ["Lindwood, Marlow"]
    for other in ("Dorn Sheriff's Office", "Brisk State Police"):  # a county's, a state's
        county = _article(2, f"A man was shot on Saturday in Lindwood, the {other} said.", {"Lindwood": "GPE"}, {"Saturday": "2015-06-13"})
        assert _places_of(county) == ["Lindwood"]
    opening = _article(3, "A man was shot on Saturday in Lindwood. When police arrived he had died.", {"Lindwood": "GPE"}, {"Saturday": "2015-06-13"})
    assert _places_of(opening) == ["Lindwood"]


def test_a_name_the_text_calls_a_neighbourhood_is_given_the_town_the_article_reports_from() -> None:
    text = "Two men were shot on Saturday in the West Lindwood neighborhood."
    article = _article(1, text, {"West Lindwood": "GPE"}, {"Saturday": "2015-06-13"}, dateline="MARLOW")
    assert _places_of(article) == ["West Lindwood, Marlow"]
    town = _article(2, "Two men were shot on Saturday in West Lindwood.", {"West Lindwood": "GPE"}, {"Saturday": "2015-06-13"}, dateline="MARLOW")
    assert _places_of(town) == ["West Lindwood"]  # nothing says it is a part of Marlow
    assert town_parts("shot in a Marlow neighborhood, the city's Dale section") == {"Dale"}  # one in Marlow


def test_a_name_after_in_that_a_time_follows_or_that_the_text_writes_before_a_state_is_a_town() -> None:
    text = "A boy died after a shooting in Elgin Friday afternoon, deputies said."
    article = _article(1, text, {"Elgin": "ORG"}, {"Friday": "2015-06-12"})
    assert _places_of(article) == ["Elgin"]
    text = "A man was shot on Friday in Norbury, Indiana, deputies said."
    state = _article(3, text, {"Norbury": "PERSON"}, {"Friday": "2015-06-12"})
    assert towns_before_states("went to 69 North Star Road, Norbury, Indiana") >= {"Norbury"}
    assert _places_of(state) == ["Norbury"]


def test_of_the_places_its_articles_report_from_an_event_in_a_county_takes_a_town() -> None:
    def reported(article_id: int, dateline: str) -> Article:
        text = "A teen was shot on Saturday in Kessel County, deputies said."
        return _article(article_id, text, {"Kessel County": "GPE"}, {"Saturday": "2015-06-13"}, dateline=dateline)

    assert _places_of(reported(1, "KESSEL COUNTY"), reported(2, "MARLOW")) == ["Marlow, Kessel County"]


def test_initials_after_in_are_one_name_and_one_letter_is_no_place() -> None:
    text = "A man opened fire in D.C. on Sunday, police said."
    article = _article(1, text, {}, {"Sunday": "2015-06-14"}, title="Gunfire in D.C.", sentences=[text])
    assert _places_of(article) == ["D.C."]
    lone = _article(2, "A man opened fire in D on Sunday.", {}, {"Sunday": "2015-06-14"}, url="https://example.com/d-street")
    assert _places_of(lone) == [None]


def test_call_letters_and_a_weekday_the_parser_tagged_are_no_place() -> None:
    text = "A boy was shot on Sunday, as seen in ABC13 video. He was hurt in Sunday's shooting in Kessel."
    article = _article(1, text, {"Kessel": "GPE", "ABC13": "GPE", "Sunday's": "GPE"}, {"on Sunday": "2015-06-14"})
    kinds = {e.key: e.kind for e in article.analysis.entities}
    assert [_places(article, sentence, kinds) for sentence in article.analysis.sentences] == [[], ["Kessel"]]


def test_a_headline_above_or_a_credit_line_before_police_names_no_town() -> None:
    assert _towns_before_bodies("Memphis police officers said a man was shot.") == ["Memphis"]
    assert _towns_before_bodies("Marlow Marlow police said a man was shot.") == ["Marlow"]  # a label glued on
    assert _towns_before_bodies("Kessel Professor Flunks Entire Class\nPolice said two men ran.") == []
    assert _towns_before_bodies("Photo by Jo Doe for New Kessel Daily News Police said two men ran.") == []
    assert _towns_before_bodies("the Marlow Police Department Interim Police Chief Jo Doe said.") == ["Marlow"]  # a title, no town


def test_a_local_bodys_name_gives_its_town_or_county() -> None:
    assert _town_of_body("Kessel County Sheriff") == "Kessel County"
    assert _town_of_body("Las Vegas Metropolitan Police Department") == "Las Vegas"
    assert _town_of_body("Brisk State Police") is None
    assert _town_of_body("Federal Marsh Police Department") == "Federal Marsh"  # a town's own first word
    assert _town_of_body("Transit Police") is None


def test_the_headline_names_the_town_the_parser_missed() -> None:
    text = "Two people were hurt on Saturday at a party at Granby, deputies said."
    article = _article(1, text, {"Granby": "PERSON"}, {"Saturday": "2015-06-13"}, title="Two hurt in Granby shooting")
    assert _places_of(article) == ["Granby"]
    kinds = {e.key: e.kind for e in article.analysis.entities}
    tv = _article(2, "A girl was hurt.", {}, {}, title="Girl hurt in shooting - WXYZ News 7 - Marlow, Tennessee")
    assert _title_town(tv, {}) == "Marlow" and _title_town(article, kinds) == "Granby"
    bare = _article(3, "A girl was hurt in the evening.", {}, {}, title="Girl hurt in Shooting On Monday")
    assert _title_town(bare, {}) is None  # the text never writes "in Shooting"


def test_a_name_the_parser_did_not_tag_is_a_place_when_the_headline_or_the_text_elsewhere_says_so() -> None:
    text = "Three people were killed in a shooting in Manvel on Sunday."
    headline = _article(1, text, {}, {"Sunday": "2015-06-14"}, title="Three killed in Manvel", dateline="HOUSTON")
    assert _places_of(headline) == ["Manvel"]
    bare = "On Sunday three people were killed in a shooting in Manvel, police said."
    untold = _article(2, bare, {}, {"Sunday": "2015-06-14"}, title="Three killed", dateline="HOUSTON")
    assert _places_of(untold) == ["Houston"]
    later = text + " Police came from Manvel."
    elsewhere = _article(3, later, {}, {"Sunday": "2015-06-14"}, dateline="HOUSTON")
    elsewhere.analysis.entities.append(Entity("gpe:manvel", "Manvel", "GPE"))  # tagged the second time only
    elsewhere.analysis.mentions.append(Mention(Span(later.rindex("Manvel"), len(later) - 1, "Manvel"), "gpe:manvel"))
    assert _places_of(elsewhere) == ["Manvel"]


def test_a_place_before_a_scene_word_or_after_a_part_of_it_is_the_sentences_place() -> None:
    kinds = {"gpe:marlow": "GPE"}
    for text in ("Two men were shot at a Marlow home on Sunday.", "Two men were shot in southeast Marlow on Sunday.",
                 "Two men were shot just west of Marlow on Sunday.", "Two men were shot near Marlow on Sunday."):
        article = _article(1, text, {"Marlow": "GPE"}, {})
        assert _places(article, article.analysis.sentences[0], kinds) == ["Marlow"], text
    article = _article(1, "Two Marlow men were shot on Sunday.", {"Marlow": "GPE"}, {})
    assert _places(article, article.analysis.sentences[0], kinds) == []


def test_a_building_or_a_state_is_given_with_its_town() -> None:
    text = "He was taken to Saint Ann Hospital in Marlow on Monday."
    article = _article(1, text, {"Saint Ann Hospital": "GPE", "Marlow": "GPE"}, {"Monday": "2015-06-15"})
    assert _places_of(article) == ["Saint Ann Hospital, Marlow"]
    assert _with_town("South Carolina", "Marlow", []) == "Marlow, South Carolina"
    assert _with_town("Kessel County", "Norbury, Kessel County", []) == "Norbury, Kessel County"


def test_an_abbreviated_town_is_one_town_written_with_or_without_its_period() -> None:
    assert _with_town("St. Kessel", "St Kessel", []) == "St. Kessel"  # not "St. Kessel, St Kessel"
    text = "Four people were shot on Friday night in Mt. Kessel Borough near the park."
    article = _article(1, text, {}, {"Friday night": "2015-06-12"}, title="Four shot in Mt. Kessel Borough")
    assert _title_town(article, {}) == "Mt. Kessel Borough"  # not "Mt"


def test_a_time_the_sentence_splitter_cut_dates_the_sentence_it_ends_in() -> None:
    text = "At 11:07 a.m. Sunday, police responded to a home in Marlow."
    article = _article(1, text, {"Marlow": "GPE"}, {"11:07 a.m. Sunday": "2015-06-14T11:07"},
                       sentences=["At 11:07 a.m. ", "Sunday, police responded to a home in Marlow."])
    assert _places_of(article) == ["Marlow"]


def test_a_resident_named_by_a_region_the_parser_tagged_gives_the_town() -> None:
    text = "A Merrin Island man was charged on Monday."
    article = _article(1, text, {"Merrin Island": "LOC"}, {"Monday": "2015-06-15"})
    assert _places_of(article) == ["Merrin Island"]


def test_provinces_named_after_their_town_are_towns() -> None:
    article = _article(1, "Lodi police said a girl was shot on Sunday.", {}, {"Sunday": "2015-06-14"})
    assert _places_of(article) == ["Lodi"]  # Lodi is also an Italian province


def test_a_place_names_the_city_through_its_parts_abbreviations_and_spellings() -> None:
    assert names_city("St. Louis", "Saint Louis") and names_city("Ft. Towson", "Fort Towson")
    assert names_city("Roseland, Chicago", "Chicago (Roseland)") and names_city("LaSalle", "La Salle")
    assert not names_city("Roseland, Chicago", "Springfield")
    incident = Incident("gva:1", "2015-06-13", "Saint Louis", 1, 0)
    assert stated_in_text([tokens("a man was shot in St. Louis")], incident).city


def test_a_town_with_its_state_is_not_put_in_the_town_whose_police_the_article_names() -> None:
    text = "A man was shot on Saturday in Lindwood, Vermont. Marlow police said he died."
    article = _article(1, text, {"Lindwood, Vermont": "GPE"}, {"Saturday": "2015-06-13"})
    assert _places_of(article) == ["Lindwood, Vermont"]


def test_a_label_naming_a_part_of_the_place_is_not_followed_by_the_place() -> None:
    text = "A man was shot in Vermont on Saturday in Lindwood, Vermont."
    article = _article(1, text, {"Lindwood, Vermont": "GPE", "Vermont": "GPE"}, {"Saturday": "2015-06-13"})

    def span(words: str, at: int = 0) -> Span:
        start = text.index(words, at)
        return Span(start, start + len(words), words)

    saturday = span("Saturday")
    article.analysis.actions = [Action(saturday, span("shot"), "shoot", span("man"), span("in Vermont"), passive=True)]
    (event,) = build_dossier(Story(1, "Shooting", [1]), [article]).timeline
    assert (event.what, event.place) == ("Man shot in Vermont", "Lindwood, Vermont")


def test_a_weekday_before_police_and_a_word_that_is_no_name_are_no_town() -> None:
    text = "A man was shot on Saturday in Lindwood. Monday's police report said he had died."
    article = _article(1, text, {"Lindwood": "GPE"}, {"Saturday": "2015-06-13"})
    assert _places_of(article) == ["Lindwood"]  # not "Lindwood, Monday's"
    cut = "Marlow police said a man was shot on Saturday near the park."
    odd = _article(2, cut, {"n’t": "GPE"}, {"Saturday": "2015-06-13"}, title="Man shot near the park", dateline="n’t")
    assert _places_of(odd) == ["Marlow"]  # a dateline of "n’t" names no place
