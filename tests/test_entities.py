"""Entities: one canonical key per real thing, on made-up sentences and on the seed articles."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from storydesk.analyse.entities import find_entities, link_across
from storydesk.extract.clean import clean_text
from storydesk.model import Entity

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "corpus"


def keys_by_text(nlp, text: str) -> dict[str, set[str]]:
    """Each mention's text -> the entity keys it was resolved to; checks offsets on the way."""
    entities, mentions = find_entities(nlp(text))
    assert {m.entity for m in mentions} == {e.key for e in entities}
    found: dict[str, set[str]] = defaultdict(set)
    for mention in mentions:
        assert text[mention.span.start : mention.span.end] == mention.span.text
        found[mention.span.text].add(mention.entity)
    return found


def entity(nlp, text: str, key: str) -> Entity:
    entities, _ = find_entities(nlp(text))
    return next(e for e in entities if e.key == key)


PUTIN = "person:vladimir putin"


def test_one_person_under_names_variants_and_roles(nlp):
    text = (
        "Russian President Vladimir Putin met reporters in Kazan on Thursday. "
        "Putin said the talks had gone well. Wladimir Putin then left the city. "
        "The Russian president did not take questions, and the Kremlin leader flew home."
    )
    found = keys_by_text(nlp, text)
    for name in ("Vladimir Putin", "Putin", "Wladimir Putin", "The Russian president", "the Kremlin leader"):
        assert found[name] == {PUTIN}, name
    putin = entity(nlp, text, PUTIN)
    assert putin.name == "Vladimir Putin" and putin.kind == "PERSON"
    assert set(putin.aliases) == {"Putin", "Wladimir Putin"}


def test_role_mentions_are_marked_as_roles(nlp):
    _, mentions = find_entities(nlp("Russian President Vladimir Putin spoke. The Russian president smiled."))
    assert {m.span.text for m in mentions if m.via == "role"} == {"Russian President", "The Russian president"}


def test_north_korea_under_every_name(nlp):
    text = (
        "North Korea signed the treaty. The DPRK is a close ally of Moscow, and Russia respects "
        "the Democratic People's Republic of Korea. Pyongyang denied the reports on Monday."
    )
    found = keys_by_text(nlp, text)
    for name in ("North Korea", "DPRK", "Democratic People's Republic of Korea", "Pyongyang"):
        assert found[name] == {"country:KP"}, name
    assert entity(nlp, text, "country:KP").name == "North Korea"


def test_capital_as_city_and_as_state(nlp):
    found = keys_by_text(nlp, "Putin arrived in Pyongyang on Tuesday. The EU warned Pyongyang against any escalation.")
    assert found["Pyongyang"] == {"place:pyongyang", "country:KP"}


@pytest.mark.parametrize(
    ("text", "name", "key"),
    [
        ("Moscow blamed Kyiv for the lack of progress.", "Kyiv", "country:UA"),
        ("Moscow blamed kyiv for the lack of progress.", "kyiv", "country:UA"),
        ("Kiev is trying to restore access to the troops.", "Kiev", "country:UA"),
        ("The delegation flew to Kyiv on Monday.", "Kyiv", "place:kyiv"),
        ("Sirens sounded in the streets of Kiev overnight.", "Kiev", "place:kyiv"),
        ("Neither Pyongyang nor Moscow has confirmed this.", "Moscow", "country:RU"),
        ("It is up to Moscow and Pyongyang to decide.", "Pyongyang", "country:KP"),
    ],
)
def test_kyiv_and_capitals_rule(nlp, text, name, key):
    assert key in keys_by_text(nlp, text)[name]


def test_apposition_introduces_role_resolved_later(nlp):
    text = (
        "For the designated new head of the Munich Security Conference, Jens Stoltenberg, this is "
        "an escalation. \"Russia and North Korea are linked,\" said the former NATO Secretary-General."
    )
    found = keys_by_text(nlp, text)
    assert found["the former NATO Secretary-General"] == {"person:jens stoltenberg"}
    assert found["the designated new head of the Munich Security Conference"] == {"person:jens stoltenberg"}


def test_role_goes_to_the_person_of_that_nationality(nlp):
    text = (
        "Russian President Vladimir Putin met Chinese President Xi Jinping in Kazan. "
        "Putin spoke first. The Chinese president then said that trade had grown."
    )
    assert keys_by_text(nlp, text)["The Chinese president"] == {"person:xi jinping"}


def test_role_goes_to_the_person_of_that_party(nlp):
    text = (
        "Republican Governor John Smith spoke in Austin on Monday. Democratic Governor Jane Doe "
        "replied on Tuesday. The Republican governor said the budget would pass."
    )
    assert keys_by_text(nlp, text)["The Republican governor"] == {"person:john smith"}


def test_a_candidate_is_known_only_as_the_article_introduced_them(nlp):
    text = (
        "Libertarian presidential candidate Gary Johnson spoke in Denver. Hillary Clinton spoke in Ohio. "
        "The Democratic presidential candidate said taxes would rise. The Libertarian candidate disagreed. "
        "Johnson left early. The former New Mexico governor said so twice."
    )
    found = keys_by_text(nlp, text)
    assert "The Democratic presidential candidate" not in found  # not Johnson, and no guess at Clinton
    assert found["The Libertarian candidate"] == {"person:gary johnson"}
    assert found["The former New Mexico governor"] == {"person:gary johnson"}  # a candidacy rules out no office


def test_apposition_after_the_name(nlp):
    found = keys_by_text(nlp, "The treaty was announced by Yuri Ushakov, Putin's advisor on international politics.")
    assert found["Putin's advisor on international politics"] == {"person:yuri ushakov"}


def test_role_without_anyone_to_refer_to_stays_unresolved(nlp):
    entities, mentions = find_entities(nlp("The president said on Monday that the talks had failed."))
    assert not [m for m in mentions if m.via == "role"]
    assert not [e for e in entities if e.kind == "PERSON"]


def test_listed_officials_are_not_one_person(nlp):
    text = "Putin arrived in Hanoi. He will meet the president, the prime minister and the head of parliament."
    assert not [m for m in find_entities(nlp(text))[1] if m.via == "role"]


def test_word_glued_to_a_name_is_cut(nlp):
    text = "North Korea welcomed Vladimir Putinwho thanked the leader for his support. Putin then left."
    _, mentions = find_entities(nlp(text))
    assert "Vladimir Putin" in {m.span.text for m in mentions if m.entity == PUTIN}


def test_a_plural_common_noun_opening_a_sentence_names_no_one(nlp):
    found = keys_by_text(nlp, "Detectives said the man was shot twice. Friends said she was kind. CrimeStoppers is offering a reward.")
    assert "Detectives" not in found and "Friends" not in found
    assert found["CrimeStoppers"] == {"org:crimestoppers"}

def test_a_name_ending_in_an_organisations_or_a_places_word_is_no_person(nlp):
    found = keys_by_text(nlp, "Caulsen told Clearwater County Chief Deputy Ryan Solee he felt fly overs by Border Patrol were harassment.")
    assert found["Border Patrol"] == {"org:border patrol"} and found["Clearwater County"] == {"place:clearwater county"}
    assert found["Caulsen"] == {"person:caulsen"}


def test_a_name_ending_in_a_buildings_word_stays_a_person_whose_surname_speaks(nlp):
    text = "Harold Hall knows the pain of these shootings. \"We must all come together,\" Hall said."
    assert keys_by_text(nlp, text)["Harold Hall"] == {"person:harold hall"}
    assert keys_by_text(nlp, "Crowds filled Kim Il Sung Square.")["Kim Il Sung Square"] == {"place:kim il sung square"}


def test_known_place_is_never_a_product(nlp):
    found = keys_by_text(nlp, "The Ukrainian incursion into the Kursk region continued.")
    assert found["Kursk"] == {"place:kursk"}


def test_surname_tagged_as_organisation_joins_the_person(nlp):
    text = "The advisor Mikhaílo Podoliak accused Pyongyang of helping Russia. \"It is murder,\" criticized Podoliak."
    assert keys_by_text(nlp, text)["Podoliak"] == {"person:mikhaílo podoliak"}


def test_surname_that_names_a_country_joins_the_person_named_before(nlp):
    text = ("The man in the gray hoodie, Shawn Jordan, watched. \"I just started crying,\" said Jordan, 42. "
            "Jordan police said nothing. Later he flew to Jordan.")
    found = keys_by_text(nlp, text)
    assert found["Jordan"] == {"person:shawn jordan", "country:JO"}
    _, mentions = find_entities(nlp(text))
    persons = [m.span.start for m in mentions if m.entity == "person:shawn jordan" and m.via != "pronoun"]
    assert persons == [text.index("Shawn"), text.index("Jordan, 42")]


def _person(key: str, name: str) -> Entity:
    return Entity(key, name, "PERSON")


def test_link_across_surname_and_transliteration():
    known = [
        _person(PUTIN, "Vladimir Putin"),
        _person("person:kim jong-un", "Kim Jong-un"),
        Entity("country:RU", "Russia", "GPE"),
    ]
    mine = [
        _person("person:putin", "Putin"),
        _person("person:wladimir putin", "Wladimir Putin"),
        _person("person:jens stoltenberg", "Jens Stoltenberg"),
        _person(PUTIN, "Vladimir Putin"),
    ]
    assert link_across(mine, known) == {"person:putin": PUTIN, "person:wladimir putin": PUTIN}


def test_link_across_leaves_an_ambiguous_surname_alone():
    known = [_person("person:kim jong-un", "Kim Jong-un"), _person("person:kim yo-jong", "Kim Yo-jong")]
    assert link_across([_person("person:kim", "Kim")], known) == {}


def seed_keys(nlp, number: int) -> dict[str, set[str]]:
    path = sorted(SEEDS.glob(f"{number:03d}_*.txt"))
    if not path:
        pytest.skip("seed articles not present")
    return keys_by_text(nlp, clean_text(path[0].read_text(encoding="utf-8")).text)


def test_seed_putin_and_stoltenberg(nlp):
    found = seed_keys(nlp, 1)
    for name in ("Vladimir Putin", "Putin", "Wladimir Putin", "Kremlin leader", "the President"):
        assert found[name] == {PUTIN}, name
    assert found["the former NATO Secretary-General"] == {"person:jens stoltenberg"}
    assert found["Democratic People's Republic of Korea"] == {"country:KP"}
    assert found["Kiev"] == {"country:UA"}
    assert found["Kursk"] == {"place:kursk"}


def test_seed_role_and_lowercase_kyiv(nlp):
    found = seed_keys(nlp, 0)
    assert found["The Russian president"] == {PUTIN}
    assert found["kyiv"] == {"country:UA"}
    assert found["Pyongyang"] == {"country:KP"}
    assert found["Kursk"] == {"place:kursk"}


def test_seed_persons_and_roles_in_a_long_article(nlp):
    found = seed_keys(nlp, 4)
    expected = {
        "Kim Jong-un": "person:kim jong-un",
        "Yuri Ushakov": "person:yuri ushakov",
        "Podoliak": "person:mikhaílo podoliak",
        "Grant Shapps": "person:grant shapps",
        "Sergei Ryabkov": "person:sergei ryabkov",
        "Vladimir Putin": PUTIN,
        "the Russian president": PUTIN,
        "the North Korean leader": "person:kim jong-un",
    }
    for name, key in expected.items():
        assert found[name] == {key}, name


def test_seed_dprk_with_curly_apostrophe_and_kim(nlp):
    found = seed_keys(nlp, 2)
    assert found["Democratic People’s Republic of Korea"] == {"country:KP"}
    assert found["the North Korean leader"] == {"person:kim jong-un"}


def test_name_after_a_title_is_a_person_whatever_the_model_says(nlp):
    text = "German Chancellor Olaf Scholz arrived late. The chancellor said he would not attend."
    found = keys_by_text(nlp, text)
    assert found["Olaf Scholz"] == {"person:olaf scholz"}
    assert found["The chancellor"] == {"person:olaf scholz"}


def test_role_word_modifying_another_noun_is_no_role(nlp):
    text = "Dennis Francis, the head of the UN General Assembly, spoke. The General Assembly voted."
    _, mentions = find_entities(nlp(text))
    assert {m.span.text for m in mentions if m.via == "role"} == {"the head of the UN General Assembly"}


def test_a_name_shared_by_two_states_means_the_one_the_article_is_about(nlp):
    text = (
        "North Korea tested a missile. Pyongyang said North Korea will not stop. "
        "Seoul protested. Russia and Korea signed a pact, North Korea said."
    )
    assert keys_by_text(nlp, text)["Korea"] == {"country:KP"}


def test_a_shared_name_stays_a_place_when_neither_state_dominates(nlp):
    text = "North Korea and South Korea met. Korea has a long history."
    assert not keys_by_text(nlp, text)["Korea"] & {"country:KP", "country:KR"}


def test_abbreviated_place_names_share_the_written_out_key() -> None:
    from storydesk.analyse.entities.gazetteer import normalise

    assert normalise("Mt. Cook") == normalise("Mt Cook") == normalise("Mount Cook") == "mount cook"


def test_a_state_body_is_one_organisation_however_worded(nlp):
    text = (
        "Recently, South Korean intelligence reported that 1,500 soldiers had left. "
        "The South Korean Intelligence services estimate that some 3,000 soldiers are there. "
        "South Korea's spy agency said more would follow. North Korean troops were seen."
    )
    found = keys_by_text(nlp, text)
    for wording in ("South Korean intelligence", "South Korean Intelligence services", "South Korea's spy agency"):
        assert found[wording] == {"org:KR intelligence"}
    names = {entity.name for entity in find_entities(nlp(text))[0] if entity.key == "org:KR intelligence"}
    assert names == {"South Korea's intelligence"}  # one name, whichever wording came first
    assert not any(key.startswith("org:") for key in found.get("North Korean troops", ()))
    assert found["South Korea"] == {"country:KR"}  # the country keeps its own mention


def test_a_state_body_the_model_tagged_whole_shares_the_key(nlp):
    text = "The Russian Defence Ministry denied the report. Russia's defence ministry later said the same."
    keys = {key for keys in keys_by_text(nlp, text).values() for key in keys}
    assert "org:RU defence ministry" in keys
    assert not any(key.startswith("org:") and key != "org:RU defence ministry" for key in keys)


def test_a_state_body_speaks_for_itself(nlp):
    from storydesk.analyse.quotes.rules import find_quotes

    doc = nlp("South Korean intelligence said that 3,000 North Korean soldiers had arrived in Russia.")
    quotes = find_quotes(doc, find_entities(doc)[1])
    assert [q.speaker_entity for q in quotes] == ["org:KR intelligence"]


def test_a_state_body_of_a_country_shares_the_key(nlp):
    text = (
        "The intelligence services of South Korea estimate that 3,000 soldiers arrived. "
        "South Korean intelligence said more would follow. The Armed Forces of Ukraine said "
        "40 drones were shot down; Ukraine's armed forces said more. A friend of Ukraine spoke."
    )
    found = keys_by_text(nlp, text)
    assert found["intelligence services of South Korea"] == found["South Korean intelligence"] == {"org:KR intelligence"}
    assert found["Armed Forces of Ukraine"] == found["Ukraine's armed forces"] == {"org:UA military"}
    assert found["Ukraine"] == {"country:UA"}  # "a friend of Ukraine" names no body


def test_an_acronym_defined_in_brackets_names_the_organisation_throughout(nlp):
    text = (
        "South Korea's National Intelligence Service (NIS) said 1,500 soldiers had left. "
        "The NIS later said more would follow. Kenya's National Intelligence Service was not involved."
    )
    entities, mentions = find_entities(nlp(text))
    assert [m.span.text for m in mentions if m.entity == "org:KR intelligence"] == [
        "South Korea's National Intelligence Service",
        "NIS",
        "NIS",
    ]
    assert "org:KE intelligence" in {e.key for e in entities}  # the country names the body, not the words
    assert keys_by_text(nlp, "The NIS said more would follow.")["NIS"] == {"org:nis"}  # undefined, it stays itself


def test_an_acronym_that_is_one_state_body_shares_its_key(nlp):
    text = "The SBU said it had detained an agent. The Security Service of Ukraine gave no name."
    found = keys_by_text(nlp, text)
    assert found["SBU"] == found["Security Service of Ukraine"] == {"org:UA security service"}
