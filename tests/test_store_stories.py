"""The store's story tables: profiles and term frequencies, bounded candidate lookups, story
membership and date ranges, rebuild."""
from __future__ import annotations

import dataclasses

from storydesk.model import ArticleProfile, StoryDates
from storydesk.store import Store
from storydesk.store.stories import _cut_short, representative_title
from test_store import make_article, put


def profiled(store: Store, text: str, terms: dict[str, float], published: str = "2024-10-24") -> int:
    article_id = put(store, make_article(text, location=f"{text}.txt", published=published))
    with store.transaction():
        store.save_profile(ArticleProfile(article_id, terms=terms, entities={"person:a b": 1.0}), terms)
    return article_id


def test_term_frequencies_count_documents_and_follow_a_replaced_profile(store: Store) -> None:
    first = profiled(store, "one", {"treaty": 2, "pyongyang": 1})
    profiled(store, "two", {"treaty": 1, "kursk": 3})
    assert store.document_frequencies(["treaty", "kursk", "absent"]) == (2, {"treaty": 2, "kursk": 1})
    with store.transaction():
        store.save_profile(ArticleProfile(first, terms={"kursk": 1}), ["kursk"])
    assert store.document_frequencies(["treaty", "kursk", "pyongyang"]) == (2, {"treaty": 1, "kursk": 2, "pyongyang": 0})
    assert store.profile(first).terms == {"kursk": 1}


def test_document_frequencies_of_more_terms_than_one_query_takes(store: Store) -> None:
    terms = {f"term{i}": 1.0 for i in range(2500)}
    profiled(store, "big", terms)
    documents, found = store.document_frequencies(terms)
    assert documents == 1 and len(found) == 2500 and set(found.values()) == {1}


def test_a_story_keeps_members_keys_and_date_range(store: Store) -> None:
    dates = ["2024-10-24", "2024-06-19", "--10-25"]  # the last without its year: the story's
    ids = [profiled(store, f"article {n}", {"treaty": 1}, published) for n, published in enumerate(dates)]
    with store.transaction():
        story = store.create_story("The treaty")
        for article_id, keys in zip(ids, (["e:country:KP", "t:treaty"], ["e:country:KP"], ["t:kursk"])):
            store.add_to_story(story, article_id, 0.8, keys, None)
    listed = store.story(story)
    assert (listed.title, listed.article_ids) == ("A title", ids)  # its first member's
    assert (listed.first_date, listed.last_date) == ("2024-06-19", "2024-10-25")
    assert listed.outlets == ["Example News"]
    assert store.story_of(ids[2]) == story and store.unplaced() == []
    assert [p.article_id for p in store.member_profiles(story, limit=2)] == [ids[2], ids[1]]


def test_the_dates_a_dossier_gives_an_undated_story_are_listed_until_the_story_changes(store: Store) -> None:
    dated = profiled(store, "dated", {"treaty": 1}, "2024-10-24")
    undated = profiled(store, "undated", {"treaty": 1}, "")
    with store.transaction():
        story = store.create_story("The treaty")
        store.add_to_story(story, dated, 0.8, [], "2024-10-24")
        store.add_to_story(story, undated, 0.8, [], None)
    assert store.stories_to_date() == [story]
    with store.transaction():
        store.save_story_dates(story, StoryDates("2024-06", "2024-10-24", "on-or-after", "exact"))
    assert store.stories_to_date() == []
    assert store.story(story).dates == StoryDates("2024-06", "2024-10-24", "on-or-after", "exact")
    later = profiled(store, "later", {"treaty": 1}, "2024-10-30")
    with store.transaction():
        store.add_to_story(story, later, 0.8, [], "2024-10-30")
    assert store.stories_to_date() == [story]  # changed: dated again, and meanwhile its members' range
    assert store.story(story).dates == StoryDates("2024-10-24", "2024-10-30")


def test_a_story_is_titled_in_the_language_most_of_its_articles_are_in(store: Store) -> None:
    def written(title: str, language: str) -> int:
        article = make_article(title, location=f"{title}.txt", title=title)
        return put(store, dataclasses.replace(article, extraction=dataclasses.replace(article.extraction, language=language)))

    opening = written("Tratado firmado en Pionyang", "es")
    with store.transaction():
        story = store.create_story("")
        store.add_to_story(story, opening, 1.0, [], None)
    assert store.story(story).title == "Tratado firmado en Pionyang"
    english = [written("Treaty signed in Pyongyang", "en"), written("Putin and Kim sign a pact", "en")]
    with store.transaction():
        store.add_to_story(story, english[0], 1.0, [], None)
    assert store.story(story).title == "Tratado firmado en Pionyang"  # a tie: the first article's
    with store.transaction():
        store.add_to_story(story, english[1], 1.0, [], None)
    assert store.story(story).title == "Treaty signed in Pyongyang"
    with store.transaction():
        store.split_story(story, english, None, {}, "test", 0.0, None)
    assert store.story(story).title == "Tratado firmado en Pionyang"


def test_stories_under_a_key_come_newest_first_and_stay_bounded(store: Store) -> None:
    article = profiled(store, "x", {"a": 1})
    with store.transaction():
        stories = [store.create_story(f"story {n}") for n in range(30)]
        for n, story in enumerate(stories):
            store.add_to_story(story, article, 1.0, ["common", "rare"] if n == 3 else ["common"], None)
    assert store.stories_under("rare", 50) == [stories[3]]
    assert store.stories_under("common", 10) == stories[::-1][:10]


def test_articles_without_analysis_are_not_waiting_for_a_story_and_clearing_forgets_stories(store: Store) -> None:
    article = profiled(store, "x", {"a": 1})
    assert store.unplaced() == []  # no analysis yet: placed once it is analysed
    with store.transaction():
        store.add_to_story(store.create_story("s"), article, 1.0, ["k"], None)
        store.clear_stories()
    assert store.story_count() == 0 and store.story_of(article) is None and store.stories_under("k", 50) == []
    assert store.profile(article) is None and store.document_frequencies(["a"]) == (0, {})


def test_cached_frequencies_and_profiles_follow_writes_rollbacks_and_other_connections(store: Store) -> None:
    first = profiled(store, "one", {"treaty": 1})
    with store.transaction():
        story = store.create_story("s")
        store.add_to_story(story, first, 1.0, ["t:treaty"], None)
    assert store.document_frequencies(["treaty"]) == (1, {"treaty": 1})
    assert store.member_profiles(story)[0].terms == {"treaty": 1}
    profiled(store, "two", {"treaty": 1})  # counted through the cache
    assert store.document_frequencies(["treaty"]) == (2, {"treaty": 2})
    try:
        with store.transaction():
            store.save_profile(ArticleProfile(first, terms={"kursk": 1}), ["kursk"])
            assert store.document_frequencies(["treaty", "kursk"]) == (2, {"treaty": 1, "kursk": 1})
            raise RuntimeError("abandon")
    except RuntimeError:
        pass
    assert store.document_frequencies(["treaty", "kursk"]) == (2, {"treaty": 2})
    assert store.member_profiles(story)[0].terms == {"treaty": 1}
    with Store(store.path) as other, other.transaction():
        other.save_profile(ArticleProfile(first, terms={"kursk": 2}), ["kursk"])
    assert store.document_frequencies(["treaty", "kursk"]) == (2, {"treaty": 1, "kursk": 1})
    assert store.member_profiles(story)[0].terms == {"kursk": 2}


def test_a_story_reads_under_the_headline_most_of_its_articles_agree_with() -> None:
    members = [
        ("REGION 3 NEWS RELEASE November 4, 2015 - State Police", "..."),
        ("No gun found in vehicle after shooting that killed 6-year-old", "..."),
        ("Officers arrested in shooting of 6-year-old", "..."),
        ("Officers charged in Marksville shooting that killed 6-year-old", "..."),
    ]
    assert representative_title(members) == "Officers charged in Marksville shooting that killed 6-year-old"
    assert representative_title([(None, "A text with no title")]) == "A text with no title"
    assert representative_title([("First headline", ""), ("Second headline", "")]) == "First headline"  # a tie: the earliest
    cut = [  # a site that cuts its titles at 64 characters
        ("Officer involved in Marksville shooting that left 6-year-old dea", "..."),
        ("LSP: No gun found in vehicle after officer-involved shooting tha", "..."),
        ("Officers arrested in shooting of 6-year-old in Marksville", "..."),
        ("Marksville shooting that left 6-year-old dead: officer released", "..."),
    ]
    assert representative_title(cut) == "Marksville shooting that left 6-year-old dead: officer released"
    titles = ["Three shootings kill five in Stockton in four-hour span", "After 5 shooting deaths, Stockton calls in DOJ for help"]
    assert _cut_short(titles, titles, ["", ""]) == set()  # last words written once, but no word starts with them
    lone = [("Teen found dead in Chili's parking lot identified; shooting happ", "Police say it happened at night.")]
    assert representative_title(lone) == "Teen found dead in Chili's parking lot identified; shooting …"
    gun = [("Man dies after he is shot in the leg with a police officer's gun", "A gunfire exchange.")]
    assert representative_title(gun) == "Man dies after he is shot in the leg with a police officer's …"
    assert representative_title(gun, known={"gun"}) == gun[0][0]  # a word other articles write whole
    assert representative_title([(None, "word " * 30)]) == ("word " * 24).strip() + "…"  # a text's start: whole words


def test_a_story_under_a_cut_title_loses_half_a_word_that_no_article_writes_whole(store: Store) -> None:
    texts = {"Another story": "A gun was found.",
             "Man is shot in the leg after an argument with a neighbour over a gun": "The gunfire woke them.",
             "Teen is found dead in the car park; the shooting happ": "It happened at night."}
    stories = {}
    for title, text in texts.items():
        article_id = put(store, make_article(text, location=f"{title}.txt", title=title))
        with store.transaction():
            stories[title] = store.create_story("new")
            store.add_to_story(stories[title], article_id, 1.0, [], None)
    assert store.story(stories["Teen is found dead in the car park; the shooting happ"]).title.endswith("the shooting …")
    whole = "Man is shot in the leg after an argument with a neighbour over a gun"
    assert store.story(stories[whole]).title == whole
