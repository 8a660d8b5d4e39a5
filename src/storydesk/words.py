"""Word helpers any stage may use (the bottom layer, beside ``model`` and ``vocab``): what a
word is, accents folded, a word's singular and a name's spelling-neutral skeleton, so that
outlets' wordings and spellings compare."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

from storydesk import vocab

WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")  # letters, with inner apostrophes and hyphens
_NON_LETTERS = re.compile(r"[^a-z ]+")
NAME_KEY_LETTERS = 3  # a surname's first letters: spellings of one name rarely differ there
AGE = re.compile(r"\b(\d{1,3})-(year|month|week|day)s?-old\b", re.IGNORECASE)  # "a 15-year-old boy"
_WORDED_AGE = re.compile(r"\b([a-z]+(?:-[a-z]+)?)(?=-(?:year|month|week|day)s?-old\b)", re.IGNORECASE)


def ages_in_digits(text: str) -> str:
    """The text with ages written in words given in digits ("a fourteen-year-old boy": "a
    14-year-old boy"), so that ``AGE`` finds them and two outlets' wordings of one age agree."""
    def digits(match: re.Match[str]) -> str:
        value = _number_words_value(match.group(1).lower())
        return str(value) if value else match.group()
    return _WORDED_AGE.sub(digits, text)


def _number_words_value(words: str) -> int | None:
    """The value of number words that add up ("twenty-one": 21), None for other words: an age's
    words in plain text, where the figure reader (``analyse/figures.py``) needs a parsed doc."""
    units = _unit_numbers()
    parts = words.split("-")
    return sum(units[part] for part in parts) if all(part in units for part in parts) else None


@cache
def _unit_numbers() -> dict[str, int]:
    """The number words that add to a number (``figure_number_words.tsv``), "a" aside."""
    table = vocab.load_table("figure_number_words.tsv")
    return {word: int(float(value)) for word, value, kind in table if kind == "unit" and word != "a"}


@cache
def street_after_number() -> str:
    """A regex of what follows a house number: up to three capitalised words or ordinals, a
    direction before them, and a street type ("1627 Pacific Avenue", "4000 E. Main St.":
    ``address_street_types.txt``, case kept), so that neither dates nor figures read it."""
    types = phrase_alternation(vocab.load("address_street_types.txt"))
    return rf"(?-i:\s+(?:[NSEW]\.?\s+)?(?:(?:[A-Z][\w'’-]*|\d+(?:st|nd|rd|th))\s+){{1,3}}(?:{types}))(?!\w)"


def phrase_alternation(phrases: Iterable[str]) -> str:
    """A regex alternation of literal phrases, longest first, any run of spaces between their
    words ("(?!)", which never matches, for none)."""
    ordered = sorted(phrases, key=len, reverse=True)
    return "|".join(r"\s+".join(map(re.escape, phrase.split())) for phrase in ordered) or "(?!)"


def singular(word: str) -> str:
    """Lower-case, without a possessive, and English plural endings stripped: Harman's
    S-stemmer (1991). Written here because none of our dependencies ships a stemmer, and
    spaCy's lemmatiser needs a tagged Doc that stored analyses do not keep."""
    word = word.lower().replace("’", "'").removesuffix("'s")
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


def fold_accents(text: str) -> str:
    """``text`` without diacritics ("Mikhaílo" -> "Mikhailo")."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@cache
def _transliterations() -> tuple[tuple[str, str], ...]:
    return tuple((a, b) for a, b in vocab.load_table("entity_transliterations.tsv"))


@cache
def skeleton(name: str) -> str:
    """A spelling-neutral form of a name for comparison: no accents, lower case, hyphens as
    spaces, transliteration variants folded ("Wladimir Putin" -> "vladimir putin")."""
    text = _NON_LETTERS.sub("", fold_accents(name).lower().replace("-", " "))
    for letters, replacement in _transliterations():
        text = text.replace(letters, replacement)
    return " ".join(text.split())


def name_keys(name: str) -> tuple[str, ...]:
    """Blocking keys of a person's name: the first letters of the skeleton's last and first
    words (surname last, or family name first as in "Kim Jong-un"). Two spellings of one
    surname share them, so a new name is compared only with known names sharing a key."""
    words = skeleton(name).split()
    return tuple(dict.fromkeys(word[:NAME_KEY_LETTERS] for word in (words[-1:] + words[:1])))
