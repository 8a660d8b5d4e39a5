"""Quotes and speakers on made-up sentences and on the seed articles' quotes (speakers only)."""
from __future__ import annotations

from pathlib import Path

import pytest

from storydesk.analyse import analyse
from storydesk.analyse.quotes.marks import find_quoted
from storydesk.analyse.quotes.rules import find_quotes
from storydesk.model import Mention, Quote, Span

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "corpus"


def ent_mentions(doc) -> list[Mention]:
    """Stand-in mentions from spaCy's entities while the entities stage is elsewhere."""
    prefix = {"PERSON": "person:", "ORG": "org:", "GPE": "country:", "NORP": "group:"}
    return [
        Mention(Span(ent.start_char, ent.end_char, ent.text), prefix[ent.label_] + ent.text.lower())
        for ent in doc.ents
        if ent.label_ in prefix
    ]


def quotes_of(nlp, text: str) -> list[Quote]:
    doc = nlp(text)
    return find_quotes(doc, ent_mentions(doc))


def only(quotes: list[Quote], kind: str) -> list[Quote]:
    return [quote for quote in quotes if quote.kind == kind]


def test_marks_straight_curly_and_paragraph_spanning():
    text = 'He said "one two." Then “three\n“four,” she said.'
    contents = [text[q.start : q.end] for q in find_quoted(text)]
    assert contents == ["one two.", "three\n“four,"]


def test_marks_a_closing_mark_set_off_by_a_space_closes():
    """A straight mark with a space before it and punctuation after it closes its quote (text
    tokenized with spaces around marks, as old German corpora are)."""
    text = 'Er sagt: „Wir haben ", sagt er, „nur wenig Leute. " Dann ging er.'
    assert [text[q.start : q.end] for q in find_quoted(text)] == ["Wir haben", "nur wenig Leute."]


def test_marks_a_quote_inside_a_quote_in_the_same_low_marks_stays_inside():
    """German sets a quote inside a quote in the same „ “ marks: the outer quote holds it."""
    text = "Er erzählte: „Wir fuhren, bis einer „Land!“ rief. Da sprangen wir.“ Dann schwieg er."
    assert [text[q.start : q.end] for q in find_quoted(text)] == ["Wir fuhren, bis einer „Land!“ rief. Da sprangen wir."]


def test_direct_quote_with_speaker_and_cue(nlp):
    quotes = quotes_of(nlp, "“We will not give up the fight,” Maria Lopez said on Monday.")
    (quote,) = only(quotes, "direct")
    assert quote.content.text == "We will not give up the fight,"
    assert quote.cue.text == "said"
    assert quote.speaker.text == "Maria Lopez"
    assert quote.speaker_entity == "person:maria lopez"


def test_multi_part_direct_quote_shares_the_speaker(nlp):
    text = '"The plan is ready," John Carter said. "We start building next spring."'
    quotes = only(quotes_of(nlp, text), "direct")
    assert [q.content.text for q in quotes] == ["The plan is ready,", "We start building next spring."]
    assert {q.speaker.text for q in quotes} == {"John Carter"}


def test_partial_quote_inside_reported_speech(nlp):
    quotes = quotes_of(nlp, "Prime Minister Anna Berg called the new tariffs “unfair and dangerous” on Tuesday.")
    (quote,) = only(quotes, "partial")
    assert quote.content.text == "unfair and dangerous"
    assert quote.cue.text == "called"
    assert quote.speaker_entity == "person:anna berg"


def test_indirect_speech_with_that_clause(nlp):
    quotes = quotes_of(nlp, "Michael Brown stated that the company would close two factories next year.")
    (quote,) = only(quotes, "indirect")
    assert quote.content.text == "that the company would close two factories next year"
    assert quote.cue.text == "stated"
    assert quote.speaker.text == "Michael Brown"


def test_indirect_speech_with_the_speaker_after_the_clause(nlp):
    quotes = quotes_of(nlp, "The talks will resume next week, Peter Wilson said.")
    (quote,) = only(quotes, "indirect")
    assert quote.content.text == "The talks will resume next week"
    assert quote.speaker.text == "Peter Wilson"


def test_according_to(nlp):
    quotes = quotes_of(nlp, "According to Sarah Miller, the bridge will open in May.")
    (quote,) = only(quotes, "indirect")
    assert quote.cue.text == "According to"
    assert quote.speaker.text == "Sarah Miller"
    assert quote.content.text == "the bridge will open in May"


@pytest.mark.parametrize(
    "phrase",
    [
        "a statement published by the Russian defence ministry",
        "a report from the Russian defence ministry",
        "the Russian defence ministry's latest estimate",
    ],
)
def test_according_to_a_statement_is_its_authors_word(phrase):
    analysis = analyse(f"The bridge will open in May, according to {phrase}.", "2024-10-24")
    (quote,) = only(analysis.quotes, "indirect")
    assert quote.speaker.text == phrase  # the whole phrase, as PolNeAR marks a source
    assert quote.speaker_entity == "org:RU defence ministry"


def test_a_statement_said_is_its_authors_word():
    text = "A statement published by the Russian defence ministry said the bridge would open in May."
    analysis = analyse(text, "2024-10-24")
    (quote,) = only(analysis.quotes, "indirect")
    assert quote.speaker.text == "A statement published by the Russian defence ministry"
    assert quote.speaker_entity == "org:RU defence ministry"


@pytest.mark.parametrize(
    "text, pronoun, entity",
    [
        ("The plan was praised by Jens Stoltenberg, who said it would work.", "who", "person:jens stoltenberg"),
        ("Analysts cited the Russian defence ministry, which said they left.", "which", "org:RU defence ministry"),
    ],
)
@pytest.mark.parametrize("finder", ["rules", "tagger"])
def test_a_relative_pronoun_speaks_for_the_noun_it_stands_for(monkeypatch, finder, text, pronoun, entity):
    monkeypatch.setenv("STORYDESK_QUOTES", finder)
    (quote,) = [q for q in analyse(text, "2024-10-24").quotes if q.cue is not None and q.cue.text == "said"]
    assert quote.speaker.text == pronoun  # as PolNeAR marks the source
    assert quote.speaker_entity == entity


@pytest.mark.parametrize(("finder", "speaker"), [("rules", "Chuck Jordan"), ("tagger", "Tulsa police Chief Chuck Jordan")])
def test_a_day_is_never_the_speaker_and_a_name_before_the_verb_is(monkeypatch, finder, speaker):
    monkeypatch.setenv("STORYDESK_QUOTES", finder)
    text = (
        "Police are investigating the shooting.\n“I will just make this promise to you: We will achieve "
        "justice in this case,” Tulsa police Chief Chuck Jordan said Monday. “I want to assure our community.”"
    )
    quotes = analyse(text, "2016-09-19").quotes  # the small model parses "said" without a subject here
    # the person, not the town the poor parse heads the tagger's source span with
    assert [(q.speaker.text, q.speaker_entity) for q in quotes] == [(speaker, "person:chuck jordan")] * 2


@pytest.mark.parametrize("finder", ["rules", "tagger"])
def test_a_surname_the_model_left_untagged_is_the_person_of_that_name(monkeypatch, finder):
    monkeypatch.setenv("STORYDESK_QUOTES", finder)
    text = (
        "The hearing was led by Jon Tester and David Vitter.\n"
        "“Every time you say that,” Tester said, referring to the excuse."
    )
    quotes = [q for q in analyse(text, "2016-09-20").quotes if "Every time" in q.content.text]
    assert [(q.speaker.text, q.speaker_entity) for q in quotes] == [("Tester", "person:jon tester")]


def test_neither_a_time_nor_a_quoted_title_after_the_verb_is_the_speaker(nlp):
    text = (
        "“There's a severe disconnect between this White House and frankly the president and our military,” "
        "Flynn, a top Trump surrogate, said Thursday morning on Fox News’s “Fox and Friends.”"
    )
    speakers = {q.speaker.text for q in quotes_of(nlp, text) if q.speaker is not None}
    assert not speakers & {"Thursday morning", "morning", "Fox"}


def test_the_organisation_named_before_speaks_as_the_noun_it_ends_with():
    text = "The International Monetary Fund cut its forecast on Tuesday. The fund said that growth would slow."
    (quote,) = analyse(text, "2016-10-04").quotes
    assert (quote.speaker.text, quote.speaker_entity) == ("The fund", "org:international monetary fund")


def test_they_stands_only_for_a_group_named_in_its_sentence_or_the_one_before():
    near = "Republicans met on Monday. They said that the timing was not intentional."
    (quote,) = analyse(near, "2016-09-19").quotes
    assert quote.speaker_entity == "group:republican"
    far = (
        "Republicans met on Monday. The meeting was long. Nobody left early. The room was hot. "
        "They said that the timing was not intentional."
    )
    (quote,) = analyse(far, "2016-09-19").quotes
    assert quote.speaker.text == "They" and quote.speaker_entity is None


@pytest.mark.parametrize(
    "text, entity",
    [
        # the subject before "they" is plural and no entity: not the court named after it
        (
            "Twenty-seven states and industry groups are challenging the rules before the Court of Appeals. "
            "They argue that the agency overstepped its authority.",
            None,
        ),
        # a singular subject is passed over for the plural one before it, not the nearest name
        (
            "Democrats noted that Pagliano invoked his rights before the House Benghazi Committee. "
            "They said that his attorney had offered a deal.",
            "group:democrats",
        ),
    ],
)
def test_they_takes_up_the_subject_before_it(text, entity):
    quote = next(q for q in analyse(text, "2016-09-19").quotes if q.speaker is not None and q.speaker.text == "They")
    assert quote.speaker_entity == entity


def test_according_to_a_statement_by_no_one_named_has_no_entity(nlp):
    (quote,) = only(quotes_of(nlp, "The bridge will open in May, according to a statement by the council."), "indirect")
    assert quote.speaker.text == "a statement by the council" and quote.speaker_entity is None


def test_a_reported_clause_never_ends_on_the_conjunction_before_the_next_verb(nlp):
    text = (
        "Putin admitted that “in the current context this seems something extraordinary” and added that "
        "“we have hardly changed anything” and that the situation requires change."
    )
    contents = [q.content.text for q in quotes_of(nlp, text) if q.kind == "indirect"]
    assert contents and not any(content.endswith("and") for content in contents)


def test_a_statement_by_someone_no_entity_names_is_shown_as_its_author(nlp):
    text = "The bridge will close in May, according to a statement published by the city's transport commissioner."
    (quote,) = only(quotes_of(nlp, text), "indirect")
    assert quote.speaker.text.startswith("a statement published by") and quote.speaker_entity is None
    assert quote.speaker_text == "city's transport commissioner"


def test_a_subheading_quoting_the_body_has_the_bodys_speaker(nlp):
    text = (
        "“Russia and Korea do not accept blackmail”\n"
        "Putin reiterated that “Russia and Korea pursue an independent foreign policy and do not "
        "accept the language of blackmail,” and Kim welcomed a new era.\n"
        "“Talks with Korea will go on in the spring of next year”\n"
    )
    quotes = quotes_of(nlp, text)
    headline = next(q for q in quotes if q.content.text == "Russia and Korea do not accept blackmail")
    assert headline.speaker.text == "Putin" and headline.cue is None
    unrelated = next(q for q in quotes if q.content.text.startswith("Talks"))
    assert unrelated.speaker is None  # its words are in no attributed quote


def test_block_quote_with_speaker_line(nlp):
    text = (
        "The minister spoke to reporters in Lisbon on Friday.\n"
        "We have always kept our promises to the farmers. Our plan protects their income.\n"
        "Carlos Mendes\n"
        "The opposition rejected the plan."
    )
    (quote,) = only(quotes_of(nlp, text), "block")
    assert quote.content.text.startswith("We have always kept our promises")
    assert quote.speaker.text == "Carlos Mendes"


def test_block_quote_introduced_by_the_previous_paragraph(nlp):
    text = (
        "Helen Park stated that the treaty would be signed soon.\n"
        "We are ready to sign it. Our partners know our position well.\n"
    )
    (quote,) = only(quotes_of(nlp, text), "block")
    assert quote.speaker.text == "Helen Park"


def test_transcript_turns_are_their_labels_words(nlp):
    text = (
        "Senator Ana Ruiz spoke to the host on Sunday. Partial transcript:\n"
        "\"HOST: Will you run for governor again next year?\n"
        "\"RUIZ: I have not decided yet. My family comes first, and we will talk about it.\n"
        "\"HOST: When will you decide?\n"
        "\"RUIZ: By the end of the summer, I think."
    )
    turns = only(quotes_of(nlp, text), "block")
    assert [(q.speaker.text, q.content.text[:14]) for q in turns] == [
        ("HOST", "Will you run f"), ("RUIZ", "I have not dec"), ("HOST", "When will you "), ("RUIZ", "By the end of ")
    ]
    assert {q.speaker_entity for q in turns if q.speaker.text == "RUIZ"} == {"person:ana ruiz"}
    assert not only(quotes_of(nlp, text), "direct")  # the transcript's own marks are not quotes of their own


def test_one_label_in_capitals_is_a_heading_not_a_transcript(nlp):
    text = "UPDATE: The minister resigned on Monday. I was told so by her office.\nThe vote is on Friday."
    assert not only(quotes_of(nlp, text), "block")


def test_pronoun_speaker_resolves_to_the_previous_person(nlp):
    text = "Robert Chen visited the plant on Monday. “Production will double by June,” he said."
    (quote,) = only(quotes_of(nlp, text), "direct")
    assert quote.speaker.text == "he"
    assert quote.speaker_entity == "person:robert chen"


def test_a_pronoun_never_stands_for_a_name_its_own_sentence_gives():
    text = "Caulsen told Chief Deputy Ryan Solee he felt harassed. He also told Solee where the rifle he fired was located."
    speakers = [q.speaker_entity for q in analyse(text, "2016-08-10").quotes if "rifle" in q.content.text]
    assert speakers == ["person:caulsen"]  # not Solee, whom "He" told


def test_a_scare_quote_without_a_cue_is_not_a_quote(nlp):
    quotes = quotes_of(nlp, "The so-called “Blue Line” agreement replaces the old treaties.")
    assert quotes == []


# --- the seeds ---------------------------------------------------------------------------------


def seed_quotes(nlp, prefix: str) -> list[Quote]:
    path = next(SEEDS.glob(prefix + "_*.txt"), None)
    if path is None:
        pytest.skip("seed article not available")
    return quotes_of(nlp, path.read_text(encoding="utf-8"))


def quote_with(quotes: list[Quote], words: str) -> Quote:
    return next(quote for quote in quotes if words in quote.content.text)


def test_seed_001_block_quote_and_speaker_line(nlp):
    quotes = seed_quotes(nlp, "001")
    block = next(q for q in quotes if q.kind == "block" and "is our business" in q.content.text)
    assert block.speaker.text == "Wladimir Putin"
    assert quote_with(quotes, "Around 2,000 Ukrainian soldiers").speaker.text == "Putin"
    assert quote_with(quotes, "enormous quantities of ammunition").speaker.text == "the former NATO Secretary-General"


def test_seed_003_first_person_paragraphs_are_putins(nlp):
    quotes = seed_quotes(nlp, "003")
    blocks = only(quotes, "block")
    assert any(q.content.text.startswith("When something needs to be resolved") for q in blocks)
    assert any(q.content.text.startswith("But I want to say") for q in blocks)
    assert any(q.content.text.startswith("As you know") for q in blocks)
    assert all(q.speaker_entity and "putin" in q.speaker_entity for q in blocks)


def test_seed_004_speakers(nlp):
    quotes = seed_quotes(nlp, "004")
    assert "ushakov" in quote_with(quotes, "confrontational character").speaker_entity
    assert quote_with(quotes, "reliably guarantee the alliance").speaker.text == "Kim Jong-un"
    assert quote_with(quotes, "mass murder of Ukrainians").speaker.text == "Podoliak"
    assert quote_with(quotes, "Russia needs North Korea").speaker_entity == "person:koh yu-hwan"
    assert quote_with(quotes, "nuclear deterrence factor").speaker_entity == "person:sergei ryabkov"


def test_seed_002_partial_and_pronoun_speakers(nlp):
    quotes = seed_quotes(nlp, "002")
    assert quote_with(quotes, "inhumane").kind == "partial"
    assert quote_with(quotes, "inhumane").speaker.text == "Putin"
    assert quote_with(quotes, "we can also say").speaker_entity == "person:putin"


def test_reported_clause_stays_on_its_line(nlp):
    text = "We will win this war and we will rebuild every town.\nMaria Lopez\nThe army is advancing on all fronts, Lopez continued."
    indirect = only(quotes_of(nlp, text), "indirect")
    assert indirect and all("\n" not in q.content.text and "Maria" not in q.content.text for q in indirect)


def test_a_subordinate_passive_clause_is_not_the_speaker(nlp):
    text = "Peter Wilson repeated the warning, since new elections are held in May, saying: “The opposition would leave us defenceless.”"
    (quote,) = only(quotes_of(nlp, text), "direct")
    assert quote.speaker.text == "Peter Wilson"


def test_a_name_before_a_pronoun_subject_is_the_speaker(nlp):
    text = "Main points\nMerkel I declare that “the agreement signed today guarantees mutual help”, she added."
    speakers = {q.speaker.text for q in quotes_of(nlp, text) if q.cue and q.cue.text == "declare"}
    assert speakers == {"Merkel"}


def test_a_coordinated_clause_keeps_its_own_partial_quote(nlp):
    text = "Anna Berg reiterated that the talks will continue, and John Carter welcomed a “new chapter” in relations."
    assert not [q for q in only(quotes_of(nlp, text), "partial") if q.speaker and q.speaker.text == "Anna Berg"]


def test_a_cue_after_the_closing_comma_tags_a_partial_quote(nlp):
    text = "The neighbour “has nothing to fear from the new treaty,” she noted."
    (quote,) = only(quotes_of(nlp, text), "partial")
    assert (quote.cue.text, quote.speaker.text) == ("noted", "she")


def test_said_at_an_event_that_clause_is_reported(nlp):
    text = "He also said at the end of the summit that NATO had long been involved in the war."
    (quote,) = only(quotes_of(nlp, text), "indirect")
    assert quote.content.text.startswith("that NATO had long been involved")


@pytest.mark.parametrize("finder", ["rules", "tagger"])
def test_a_programme_in_quotation_marks_is_a_name_not_a_quote(finder):
    from storydesk.analyse.entities import find_entities
    from storydesk.analyse.nlp import load_pipeline
    from storydesk.analyse.quotes import find_quotes_with

    text = ('Senator Jane Roe appeared on ABC\u2019s \u201cThis Week.\u201d '
            '\u201cWe will pass the bill,\u201d Roe said on \u201cFox News Sunday.\u201d')
    doc = load_pipeline()(text)
    contents = [q.content.text for q in find_quotes_with(finder, doc, find_entities(doc)[1])]
    assert not [c for c in contents if "This Week" in c or c.startswith("Fox News")], contents
    assert any("We will pass the bill" in c for c in contents), contents


def test_a_quoted_name_is_told_from_speech():
    from storydesk.analyse.quotes.marks import is_quoted_name

    assert is_quoted_name("Fox News Sunday") and is_quoted_name("The Art of the Deal")
    assert not is_quoted_name("It is our business") and not is_quoted_name("Yes")
    assert not is_quoted_name("groundless stereotypical rumours.")


@pytest.mark.parametrize("finder", ["rules", "tagger"])
def test_a_pronoun_does_not_reach_back_over_a_heading(monkeypatch, finder):
    monkeypatch.setenv("STORYDESK_QUOTES", finder)
    said = "Sergei Ryabkov, the deputy minister, said the talks went well.\n"
    called = "He called the accusations “absurd and made up.”"
    speakers = {
        heading: [q.speaker_entity for q in analyse(said + heading + called, "2024-06-20").quotes if "absurd" in q.content.text]
        for heading in ("", "Concern in the United States and Britain\n")
    }
    assert speakers[""] == ["person:sergei ryabkov"]  # the same section: the pronoun is his
    assert speakers["Concern in the United States and Britain\n"] == [None]
