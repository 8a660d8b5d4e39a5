"""Quotes and their speakers, by one of four finders chosen by name (``Settings.quotes``):
``rules.py`` (quote marks, reported speech, block quotes, transcript turns), ``crf.py`` (a CRF
stacked on the rules' labels: "learned", and "combined" with the rules' direct and block quotes)
and ``tagger.py`` (a fine-tuned MiniLM mixed with the CRF); the learned finders share
``decode.py``. A finder's module is imported when it is chosen: the tagger's onnxruntime and
tokenizers cost a second at import, which ``storydesk --help`` and the other finders need not pay.
"""
from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

from storydesk.analyse.quotes.marks import is_quoted_name
from storydesk.model import Mention, Quote
from storydesk.settings import SettingsError, current

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["QUOTE_FINDERS", "find_quotes_with", "finder", "quote_system", "quote_system_for"]

# The quote finders a user can choose (Settings.quotes, STORYDESK_QUOTES): the module and function
# of each. "tagger" (a fine-tuned MiniLM mixed with the CRF) is the default: it has the best spans
# and pairs (PolNeAR dev pairs, all quotes: 74.1 F1 against the rules' 55.7), for about twice
# spaCy's time over the whole analysis (`benchmarks/bench.py --analysis-only --pages 40`). "rules"
# takes 1.1 times spaCy's time; "learned" (the CRF trained on PolNeAR) and "combined" lie between.
# docs/benchmarks.md has the figures.
QUOTE_FINDERS: dict[str, tuple[str, str]] = {
    "rules": ("storydesk.analyse.quotes.rules", "find_quotes"),
    "learned": ("storydesk.analyse.quotes.crf", "find_quotes_learned"),
    "combined": ("storydesk.analyse.quotes.crf", "find_quotes_combined"),
    "tagger": ("storydesk.analyse.quotes.tagger", "find_quotes_tagged"),
}


def finder(system: str) -> Callable[[Doc, list[Mention]], list[Quote]]:
    """The quote finder named ``system``, its module imported now if it was not yet."""
    module, function = QUOTE_FINDERS[system]
    return getattr(import_module(module), function)


def quote_system() -> str:
    """The configured quote finder's name (Settings.quotes, STORYDESK_QUOTES), checked."""
    name = current().quotes
    if name not in QUOTE_FINDERS:
        raise SettingsError(f"quotes must be one of {', '.join(QUOTE_FINDERS)}, not {name!r}")
    return name


def quote_system_for(language: str | None, english: str | None = None) -> str:
    """The quote finder for a text in ``language``: ``english`` (default: the configured one)
    for English; the rules, with the language's word lists, for any other, since the learned
    finders learned English."""
    return (english or quote_system()) if language in (None, "en") else "rules"


def find_quotes_with(system: str, doc: Doc, mentions: list[Mention]) -> list[Quote]:
    """The quotes the finder ``system`` finds, less quoted names ("This Week", a programme the
    speaker appeared on): what the analysis and the quote evaluation both keep."""
    return [quote for quote in finder(system)(doc, mentions) if not is_quoted_name(quote.content.text)]
