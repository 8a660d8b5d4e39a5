"""The cluster stage on small hand-written articles: profiles, two events of one kind told
apart, online placement joining and starting stories, and batch/online agreement."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from storydesk.analyse import analyse
from storydesk.cluster import (
    Idf,
    blocking_keys,
    cluster,
    document_keys,
    grouping,
    pairs,
    place,
    place_in_order,
    profile,
    similarity,
)
from storydesk.model import Article, ArticleProfile, Extraction, Origin, PublicationDate

QUAKE_A = [
    ("Earthquake kills 40 in Chile\nA magnitude 7.1 earthquake struck central Chile near Concepcion "
     "on March 3, 2010, killing 40 people, President Michelle Bachelet said."),
    ("Chile quake toll rises to 40\nRescuers in Concepcion searched collapsed buildings after the "
     "magnitude 7.1 earthquake of March 3, 2010. Michelle Bachelet visited the city."),
    ("Bachelet tours Concepcion after quake\nChile's president Michelle Bachelet said 40 people died "
     "when the 7.1 earthquake hit Concepcion on March 3, 2010."),
]
QUAKE_B = [
    ("Earthquake rocks Indonesia\nA magnitude 6.4 earthquake hit Padang on the island of Sumatra "
     "on October 12, 2012, killing 12 people, Indonesian officials said. Susilo Bambang Yudhoyono "
     "sent aid."),
    ("Sumatra quake leaves 12 dead\nThe 6.4 earthquake that struck Padang in Indonesia on October 12, "
     "2012 destroyed homes; President Susilo Bambang Yudhoyono promised help."),
]


def article(text: str, index: int, published: str | None = None, analysed: bool = True) -> Article:
    return Article(
        origin=Origin("test", str(index)),
        content_hash=str(index),
        raw_format="text",
        extraction=Extraction(text=text, title=text.split("\n", 1)[0], published=PublicationDate(value=published)),
        id=index,
        analysis=analyse(text, published) if analysed else None,
    )


@pytest.fixture(scope="module")
def profiles() -> list[ArticleProfile]:
    return [profile(article(text, i)) for i, text in enumerate(QUAKE_A + QUAKE_B)]


def test_profile_keeps_words_entities_places_days_and_figures(profiles: list[ArticleProfile]) -> None:
    first = profiles[0]
    assert first.article_id == 0
    assert first.terms["earthquake"] == 3  # the title, then the same line and the body in the text
    assert "said" not in first.terms and "the" not in first.terms
    assert "person:michelle bachelet" in first.entities
    assert any("chile" in place.lower() or place.endswith(":CL") for place in first.places)
    assert "2010-03-03" in first.days
    assert "40 people" in first.figures


def test_lead_holds_the_title_and_first_sentences_only() -> None:
    text = QUAKE_A[0] + " Rescuers came.\nA second paragraph. Another sentence.\nLater, Sebastian Pinera visited Talca."
    lead = profile(article(text, 0)).lead
    assert "t:earthquake" in lead and "e:person:michelle bachelet" in lead
    assert "t:talca" not in lead and not any("pinera" in key for key in lead)


def test_profile_without_analysis_has_words_only() -> None:
    plain = profile(article(QUAKE_A[0], 9, published="2010-03-04", analysed=False))
    assert plain.terms["concepcion"] == 1
    assert plain.entities == {} and plain.figures == ()
    assert plain.days == () and plain.published == "2010-03-04"  # the date weighs in by the gap prior
    assert "t:concepcion" in plain.lead


def test_the_ages_a_text_gives_are_compared_with_its_figures() -> None:
    text = "Girl, 3, shot in car\nA 3-year-old girl and a 16-month-old boy were shot in a car on Main Street."
    assert {"3 year-old", "16 month-old"} <= set(profile(article(text, 7, analysed=False)).figures)
    worded = "Girl, 3, shot in car\nA three-year-old girl and a twenty-one-year-old man were shot in a car."
    assert {"3 year-old", "21 year-old"} <= set(profile(article(worded, 7, analysed=False)).figures)

def test_two_earthquakes_are_two_stories(profiles: list[ArticleProfile]) -> None:
    labels = cluster(profiles)
    assert labels[0] == labels[1] == labels[2]
    assert labels[3] == labels[4]
    assert labels[0] != labels[3]


def test_similarity_is_higher_within_an_event(profiles: list[ArticleProfile]) -> None:
    idf = Idf.from_profiles(profiles)
    within = similarity(profiles[0], profiles[1], idf)
    across = similarity(profiles[0], profiles[3], idf)
    assert 0.0 <= across < within <= 1.0


def test_publication_dates_months_apart_lower_the_similarity() -> None:
    near = [profile(article(QUAKE_A[0], 0, "2010-03-04", False)), profile(article(QUAKE_A[1], 1, "2010-03-05", False))]
    far = [near[0], profile(article(QUAKE_A[1], 1, "2010-09-05", False))]
    idf = Idf.from_profiles(near)
    assert similarity(*far, idf) < similarity(*near, idf)


def test_a_person_in_common_caps_what_months_apart_cost() -> None:
    model = pairs.load_model()
    ann = ArticleProfile(article_id=1, published="2015-01-01", terms={"shooting": 1.0}, entities={"person:ann lee": 1.0})
    later = [dataclasses.replace(ann, article_id=2, published=day) for day in ("2015-01-02", "2015-03-01", "2016-01-01")]
    named = pairs.gap_penalty([ann], later, model, np.ones((1, 3), dtype=bool))[0]
    unnamed = pairs.gap_penalty([ann], later, model, np.zeros((1, 3), dtype=bool))[0]
    assert named[0] == unnamed[0] == 0.0  # a day apart costs nothing
    assert unnamed[1] < unnamed[2] and named[1] < unnamed[1]
    assert named[2] == model.gap_shared_person_cap < unnamed[2]
    bo = dataclasses.replace(ann, article_id=3, entities={"person:bo tan": 1.0})  # names someone else
    idf = Idf.from_profiles([ann, bo, later[2]])

    def logit_lost(row: ArticleProfile) -> float:
        score = pairs.pair_scores([row], [later[2]], idf)[0, 0]
        return float(model.logit(pairs.pair_features([row], [later[2]], idf))[0, 0] - np.log(score / (1 - score)))

    assert logit_lost(ann) == pytest.approx(named[2]) and logit_lost(bo) == pytest.approx(unnamed[2])


def test_place_joins_the_right_story_or_starts_one(profiles: list[ArticleProfile]) -> None:
    idf = Idf.from_profiles(profiles)
    candidates = {7: profiles[:2], 8: profiles[3:4]}
    assert place(profiles[2], candidates, idf)[0] == 7
    assert place(profiles[4], candidates, idf)[0] == 8
    story, score = place(profiles[4], {7: profiles[:2]}, idf)
    assert story is None and 0.0 <= score < 0.5


def test_memory_index_places_articles_one_at_a_time(profiles: list[ArticleProfile]) -> None:
    assert place_in_order(profiles) == [0, 0, 0, 1, 1]


def test_blocking_keys_rank_rare_keys_first(profiles: list[ArticleProfile]) -> None:
    idf = Idf.from_profiles(profiles)
    keys = blocking_keys(profiles[3], idf, limit=5)
    assert len(keys) == 5
    assert all(key in document_keys(profiles[3]) for key in keys)
    assert "t:earthquake" not in keys  # in every article: no use for finding candidates


def test_idf_is_smoothed() -> None:
    idf = Idf(3, {"t:quake": 3, "t:padang": 1})
    assert idf.weight("t:quake") == pytest.approx(1.0)
    assert idf.weight("t:never") > idf.weight("t:padang") > idf.weight("t:quake")


def test_text_alone_ranks_the_same_event_first() -> None:
    """Without an analysis only words count, so scores are lower (the model was learned with
    entities and dates) but still rank the same earthquake above the other."""
    plain = [profile(article(text, i, analysed=False)) for i, text in enumerate(QUAKE_A + QUAKE_B)]
    idf = Idf.from_profiles(plain)
    assert similarity(plain[0], plain[2], idf) > similarity(plain[0], plain[3], idf)
    assert similarity(plain[3], plain[4], idf) > similarity(plain[2], plain[4], idf)


def test_blocked_batch_agrees_with_dense(profiles: list[ArticleProfile], monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch too large to compare every pair is split by blocking keys first; on articles
    whose same-story pairs share a key the result is the same."""
    dense = cluster(profiles)
    monkeypatch.setattr(grouping, "DENSE_LIMIT", 2)
    assert cluster(profiles) == dense


def test_empty_and_single_inputs(profiles: list[ArticleProfile]) -> None:
    idf = Idf.from_profiles(profiles)
    assert cluster([]) == []
    assert cluster(profiles[:1]) == [0]
    assert place(profiles[0], {}, idf) == (None, 0.0)
    assert place(profiles[0], {3: []}, idf) == (None, 0.0)


def test_small_groups_join_the_large_group_they_most_resemble() -> None:
    """A lone article whose best three pairs with a large group reach the absorb threshold joins
    it; one resembling nothing stays alone."""
    scores = np.full((6, 6), 0.05)
    scores[:4, :4] = 0.9
    scores[4, :3] = scores[:3, 4] = 0.5  # like three members of the group, not the fourth
    np.fill_diagonal(scores, 1.0)
    labels = [0, 0, 0, 0, 1, 2]
    assert grouping.absorb_small(scores, labels, 0.4) == [0, 0, 0, 0, 0, 1]
    assert grouping.absorb_small(scores, labels, 0.6) == [0, 0, 0, 0, 1, 2]


def person_profile(counts: dict[str, float]) -> ArticleProfile:
    return ArticleProfile(article_id=0, terms={"arrest": 2.0}, entities={f"person:{k}": v for k, v in counts.items()})


def test_main_person_is_named_most_and_at_least_twice() -> None:
    assert pairs.main_person(person_profile({"jackson": 3, "coach": 1})) == "person:jackson"
    assert pairs.main_person(person_profile({"jackson": 1})) is None  # named once
    assert pairs.main_person(person_profile({"jackson": 2, "williams": 2})) is None  # a tie


def test_two_articles_about_different_people_conflict() -> None:
    jackson, williams = person_profile({"jackson": 3}), person_profile({"williams": 2, "jackson": 1})
    other_jackson, nobody = person_profile({"jackson": 2}), person_profile({})
    conflicts = pairs.pair_features([jackson], [williams, other_jackson, nobody], Idf.from_profiles([jackson]))
    assert conflicts["main_person_conflict"].tolist() == [[1.0, 0.0, 0.0]]


def test_place_uses_the_placement_threshold_of_the_model_given(profiles: list[ArticleProfile]) -> None:
    idf = Idf.from_profiles(profiles)
    story, score = place(profiles[1], {7: profiles[:1]}, idf)
    assert story == 7
    strict = dataclasses.replace(pairs.load_model(), place_threshold=min(1.0, score + 0.01))
    assert place(profiles[1], {7: profiles[:1]}, idf, strict) == (None, score)


def test_idf_looks_up_the_frequencies_it_lacks_once() -> None:
    asked: list[list[str]] = []
    idf = Idf(10, {"t:quake": 5}, lookup=lambda keys: asked.append(sorted(keys)) or {"t:padang": 1})
    expected = [np.log(11 / 6) + 1, np.log(11 / 2) + 1, np.log(11) + 1]
    assert idf.weights(["t:quake", "t:padang", "t:never"]) == pytest.approx(expected)
    assert idf.weight("t:padang") == pytest.approx(expected[1]) and asked == [["t:never", "t:padang"]]


def test_pair_features_do_not_depend_on_the_keys_numbered_before(profiles: list[ArticleProfile]) -> None:
    """Profiles' numbered keys are kept between calls; a profile replaced under the same article
    id is numbered anew."""
    idf = Idf.from_profiles(profiles)
    stored = [dataclasses.replace(p, article_id=100 + i) for i, p in enumerate(profiles)]
    kept = pairs.pair_features(stored[:1], stored[1:], idf)
    pairs._KEY_NUMBERS.clear()
    fresh = pairs.pair_features(stored[:1], stored[1:], idf)
    assert all(np.array_equal(kept[name], fresh[name]) for name in pairs.FEATURES)
    replaced = dataclasses.replace(stored[1], terms={"volcano": 2.0}, lead={})
    assert pairs.pair_features(stored[:1], [replaced], idf)["words"][0, 0] < kept["words"][0, 0]


def test_blocked_components_are_capped_weakest_links_first(profiles: list[ArticleProfile], monkeypatch: pytest.MonkeyPatch) -> None:
    """A component over MAX_COMPONENT articles is split at a higher threshold, so no dense
    comparison of more than MAX_COMPONENT forms; one a link of 1.0 holds is cut in runs."""
    idf = Idf.from_profiles(profiles)
    monkeypatch.setattr(grouping, "MAX_COMPONENT", 2)
    components = grouping._components(profiles, idf, 0.0)
    assert sorted(i for c in components for i in c) == list(range(5)) and max(map(len, components)) <= 2
    everyone = grouping.sparse.csr_matrix(np.ones((5, 5)))
    assert grouping._capped(everyone, np.arange(5), 0.5) == [[0, 1], [2, 3], [4]]
    monkeypatch.setattr(grouping, "DENSE_LIMIT", 2)
    assert all(labels.count(label) <= 2 for labels in [cluster(profiles)] for label in labels)
