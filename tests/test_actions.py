"""The clause at each time expression, read from the parse (analyse/actions.py), and its trip
through the store's JSON."""
from __future__ import annotations

from dataclasses import asdict

from storydesk.analyse import analyse
from storydesk.model import Analysis


def _actions(text: str, published: str = "2024-10-25") -> dict[str, tuple]:
    return {
        a.time.text: (a.subject.text if a.subject else None, a.lemma, a.object.text if a.object else None, a.plural, a.negated, a.passive)
        for a in analyse(text, published).actions
    }


def test_subject_verb_object_of_a_dated_clause():
    text = "Russia's lower house of parliament ratified a bilateral treaty with North Korea on Thursday."
    assert _actions(text)["Thursday"] == ("Russia's lower house of parliament", "ratify", "bilateral treaty", False, False, False)


def test_coordinated_subjects_are_plural_and_a_completing_verb_is_the_object():
    text = "North Korea and Russia signed a mutual defense agreement on Wednesday."
    assert _actions(text)["Wednesday"][:4] == ("North Korea and Russia", "sign", "mutual defense agreement", True)
    text = "Russian President Vladimir Putin did not rule out supplying weapons to North Korea on Thursday."
    assert _actions(text)["Thursday"][1:5] == ("rule out", "supplying weapons", False, True)


def test_a_participle_on_a_noun_is_that_noun_passive():
    text = "The agreement will replace the diplomatic treaties signed between Moscow and Pyongyang in 1961."
    assert _actions(text)["1961"] == ("diplomatic treaties", "sign", "between Moscow and Pyongyang", True, False, True)


def test_a_clause_of_the_same_moment_dates_its_main_clause():
    text = "Police say a woman was hit by shots from a passing car as she stood outside a house Thursday afternoon."
    assert _actions(text, "2016-01-16")["Thursday afternoon"][:2] == ("woman", "hit")


def test_a_dated_report_is_labelled_by_what_it_reports_unless_that_has_its_own_time():
    assert _actions("Police said Friday that two men were arrested.", "2016-01-16")["Friday"][:2] == ("two men", "arrest")
    found = _actions("Investigators said Monday that the shooting happened Saturday.", "2016-01-16")
    assert found["Monday"][:2] == ("Investigators", "say") and found["Saturday"][:2] == ("shooting", "happen")
    after = _actions("A girl was shot and taken to a hospital Monday, police said.", "2016-01-16")
    assert after["Monday"][:2] == ("girl", "shoot")
    assert _actions("“We will win,” he said Monday.", "2016-01-16")["Monday"][:2] == ("he", "say")  # a quote stays a quote


def test_of_two_subjects_the_nearest_before_the_verb_acts():
    text = "UPDATE @ 5:30 p.m. (Jan. 20): Police have released camera footage from a chase on Friday."
    assert _actions(text, "2016-01-20")["Friday"][:3] == ("Police", "release", "camera footage")


def test_actions_survive_the_store_and_old_analyses_load_without_them():
    analysis = analyse("A man was shot early Saturday morning outside a shop in Chicago.", "2024-03-09")
    data = asdict(analysis)
    assert Analysis.from_dict(data).actions == analysis.actions and analysis.actions
    del data["actions"]
    assert Analysis.from_dict(data).actions == []


def test_a_verb_of_harm_with_no_object_tells_what_was_done_to_its_subject():
    text = "A Mundelein man shot to death early Sunday when gunfire erupted was a bystander, police say."
    assert _actions(text, "2016-09-26")["early Sunday"][:2] == ("Mundelein man", "shoot")
    assert _actions(text, "2016-09-26")["early Sunday"][5] is True
    shooter = _actions("The gunman shot at officers on Sunday, police say.", "2016-09-26")["Sunday"]
    assert shooter[:2] == ("gunman", "shoot") and shooter[5] is False


def test_a_relative_pronoun_the_parser_hung_on_the_wrong_verb_stands_for_the_noun_before_it():
    text = "A 16-year-old who police believe was shot during a dispute over a pair shoes died on Tuesday."
    assert _actions(text, "2016-11-09")["Tuesday"][:2] == ("16-year-old", "die")


def test_a_form_of_be_takes_what_it_says_of_its_subject_for_object():
    found = _actions("Two victims were in critical condition at a hospital on Sunday.", "2016-11-09")["Sunday"]
    assert found[:3] == ("Two victims", "be", "in critical condition")
    assert _actions("He was on Sunday at home.", "2016-11-09")["Sunday"][2] == "at home"  # not the time itself


def test_a_date_on_a_noun_naming_a_happening_dates_that_happening_not_the_clause():
    text = "Police had arrested two men in the March 9 shooting that left five adults dead."
    action = next(a for a in analyse(text, "2016-04-07").actions if a.time.text == "March 9")
    assert (action.subject.text, action.lemma, action.object.text) == ("shooting", "leave", "five adults dead")
    text = "Police are still searching for the gunman in Sunday's mass shooting at a nightclub."
    action = next(a for a in analyse(text, "2016-04-07").actions if a.time.text == "Sunday")
    assert (action.verb.text, action.lemma, action.nominal) == ("mass shooting", "shooting", True)
    assert _actions("A man was shot Sunday in Detroit.", "2016-04-07")["Sunday"][:2] == ("man", "shoot")


def test_a_verb_with_no_object_takes_its_first_phrase_that_says_what_happened():
    found = _actions("The boy's mother said he got out of surgery Friday morning.", "2017-02-10")["Friday morning"]
    assert found[1:3] == ("get", "out of surgery")
    assert _actions("He was released from jail Wednesday.", "2017-02-10")["Wednesday"][2] == "from jail"
    hearing = _actions("A hearing was scheduled on Jan. 10, according to court records.", "2017-01-05")["Jan. 10"]
    assert hearing[1:3] == ("schedule", None)  # neither the time nor whose account


def test_a_pronoun_object_takes_the_verbs_first_phrase_after_it():
    assert _actions("The family kept her on life support until Sunday.", "2016-05-30")["Sunday"][2] == "her on life support"
    assert _actions("Police arrested John Smith in Ohio on Friday.", "2016-05-30")["Friday"][2] == "John Smith"


def test_a_report_with_its_own_time_is_the_object_of_its_reporting_verb():
    text = "Joe Florip confirmed Thursday that Willie Jackson, who is not related to the victim, was arrested this week."
    assert _actions(text, "2017-01-05")["Thursday"][:3] == ("Joe Florip", "confirm", "Willie Jackson was arrested")


def test_a_report_holding_the_time_is_what_happened_then_not_its_reporters_saying():
    text = "He was in the vestibule of a building Friday night when someone shot him, sources said."
    assert _actions(text, "2016-01-16")["Friday night"][:3] == ("He", "be", "in the vestibule of a building")


def test_a_number_above_one_takes_the_plural_verb():
    assert _actions("Two of them died Sunday at the hospital.", "2016-01-16")["Sunday"][3] is True
    assert _actions("One of them died Sunday at the hospital.", "2016-01-16")["Sunday"][3] is False


def test_a_pronoun_subject_stands_for_the_person_the_clause_before_has_for_subject():
    def pronouns(text: str) -> list[tuple[str, str]]:
        return [(m.span.text, m.entity) for m in analyse(text, "2016-01-16").mentions if m.via == "pronoun"]

    assert pronouns("Police said David Scott was shot Friday. He died on Saturday.") == [("He", "person:david scott")]
    # a spokesman named in the clause before is not who "he" is: the subject there is "a man"
    assert pronouns("A man was shot on Friday, police spokesman Tom Smith said. He was pronounced dead on Saturday.") == []


def test_a_negative_determiner_stays_in_its_phrase():
    found = _actions("Police said no gun was found in the car on Thursday.", "2016-01-16")["Thursday"]
    assert found[:2] == ("no gun", "find")  # not "gun found"
    assert _actions("Police found no weapon at the scene on Friday.", "2016-01-16")["Friday"][2] == "no weapon"
