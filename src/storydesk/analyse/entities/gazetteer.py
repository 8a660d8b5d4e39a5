"""Country, place and nationality names for entity resolution: ISO 3166 names from pycountry,
plus the project's data files (short names, aliases, capitals and places the small model misses);
in a text of another language, also the countries' names in that language from the CLDR (through
Babel), so that "Corea del Norte", "Nordkorea" and "Corée du Nord" are the one North Korea."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pycountry
from babel import Locale, UnknownLocaleError

from storydesk import vocab
from storydesk.words import fold_accents

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def normalise(name: str) -> str:
    """A name as a lookup key: straight apostrophes, no leading "the", no possessive, one space,
    lower case, abbreviations written out ("Mt Cook" -> "mount cook")."""
    name = _SPACES.sub(" ", name.translate(_APOSTROPHES)).strip()
    name = _LEADING_THE.sub("", name)
    name = name.removesuffix("'s")
    expansions = _abbreviations()
    return " ".join(expansions.get(word, word) for word in name.lower().split(" "))


@cache
def _abbreviations() -> dict[str, str]:
    """Abbreviation -> the word it stands for (``entity_abbreviations.tsv``)."""
    return dict(vocab.load_table("entity_abbreviations.tsv"))


@dataclass(frozen=True)
class Place:
    """A place from the places table: its canonical name, country and kind (capital, city ...)."""

    name: str
    country: str
    kind: str


def _iso_variants(name: str) -> list[str]:
    """An ISO name and its natural order: "Korea, Republic of" -> also "Republic of Korea"."""
    variants = [name]
    bare = re.sub(r"\s*\(.*?\)", "", name)
    variants.append(bare)
    if ", " in bare:
        head, tail = bare.split(", ", 1)
        variants.append(f"{tail} {head}")
        variants.append(head)
    return variants


@cache
def short_names() -> dict[str, str]:
    """ISO alpha-2 -> the readable short name used as the country entity's canonical name."""
    names = {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    for code, short, *_ in vocab.load_table("entity_country_names.tsv"):
        if short != "-":
            names[code] = short
    return names


@cache
def country_codes(language: str = "en") -> dict[str, str]:
    """Normalised country name or alias -> ISO alpha-2; for a text in another ``language``, also
    the countries' names in it (an English name keeps its country where the two differ)."""
    if language != "en":
        codes = dict(country_codes())
        for code, name in translated_countries(language).items():
            for form in {normalise(name), normalise(fold_accents(name))}:
                codes.setdefault(form, code)
        return codes
    codes = {}
    for country in pycountry.countries:
        for name in _iso_names(country):
            variants = _iso_variants(name)
            for variant in variants[:-1] if ", " in name else variants:
                codes.setdefault(normalise(variant), country.alpha_2)
    for head, head_codes in _iso_heads().items():
        if len(head_codes) == 1:
            codes.setdefault(head, next(iter(head_codes)))
    for code, short, *rest in vocab.load_table("entity_country_names.tsv"):
        aliases = rest[0].split("|") if rest else []
        for alias in aliases + ([short] if short != "-" else []):
            codes[normalise(alias)] = code
    return codes


@cache
def translated_countries(language: str) -> dict[str, str]:
    """ISO alpha-2 -> the country's name in ``language`` (the CLDR's, through Babel); none for
    a language the CLDR does not know."""
    try:
        territories = Locale.parse(language).territories
    except (UnknownLocaleError, ValueError):
        return {}
    known = {country.alpha_2 for country in pycountry.countries}
    return {code: name for code, name in territories.items() if code in known}


def _iso_names(country) -> list[str]:
    return [n for n in (country.name, getattr(country, "official_name", ""), getattr(country, "common_name", "")) if n]


@cache
def _iso_heads() -> dict[str, frozenset[str]]:
    """The head of each inverted ISO name ("Korea, Republic of" -> "korea") -> the codes it heads."""
    heads: dict[str, set[str]] = {}
    for country in pycountry.countries:
        for name in _iso_names(country):
            if ", " in name:
                heads.setdefault(normalise(_iso_variants(name)[-1]), set()).add(country.alpha_2)
    return {head: frozenset(codes) for head, codes in heads.items()}


def shared_heads() -> dict[str, frozenset[str]]:
    """Names shared by several states ("korea": KP and KR, "congo": CD and CG) -> their codes."""
    return {head: codes for head, codes in _iso_heads().items() if len(codes) > 1}


@cache
def places() -> dict[str, Place]:
    """Normalised place name or spelling -> the place."""
    found: dict[str, Place] = {}
    for name, country, kind, *rest in vocab.load_table("entity_places.tsv"):
        place = Place(name, country, kind)
        for spelling in [name] + (rest[0].split("|") if rest else []):
            found[normalise(spelling)] = place
    return found


@cache
def demonyms() -> dict[str, str]:
    """Nationality adjective (lower case) -> ISO alpha-2, from the data file then by rule."""
    return {normalise(word): code for word, code in vocab.load_table("entity_demonyms.tsv")}


_DEMONYM_ENDINGS = ("ian", "an", "ese", "ish", "i", "n")


def demonym_country(word: str) -> str | None:
    """The country a nationality adjective names: the table, else a unique country whose short
    name the adjective's stem begins ("Ukrainian" -> "Ukrain" -> Ukraine)."""
    key = normalise(word)
    if key in demonyms():
        return demonyms()[key]
    for ending in _DEMONYM_ENDINGS:
        if key.endswith(ending) and len(key) - len(ending) >= 4:
            stem = key[: -len(ending)]
            matches = {code for code, name in short_names().items() if name.lower().startswith(stem)}
            if len(matches) == 1:
                return matches.pop()
    return None


@cache
def institutions() -> dict[str, str]:
    """Seat-of-government name (normalised) -> the country it governs ("kremlin" -> RU)."""
    return {normalise(name): code for name, code in vocab.load_table("entity_institutions.tsv")}


@cache
def state_bodies() -> dict[str, str]:
    """Words naming a state body after its country ("intelligence services") -> the body
    ("intelligence")."""
    return dict(vocab.load_table("entity_state_bodies.tsv"))


@cache
def state_agencies() -> dict[str, tuple[str, str]]:
    """Acronyms naming one state body anywhere ("FSB") -> its country and body ("RU", "security service")."""
    return {acronym: (code, body) for acronym, code, body in vocab.load_table("entity_state_agencies.tsv")}


@cache
def state_cues() -> dict[str, frozenset[str]]:
    """Words that make a capital stand for its state: {"verb": lemmas, "prep": prepositions}."""
    cues: dict[str, set[str]] = {}
    for kind, word in vocab.load_table("entity_state_cues.tsv"):
        cues.setdefault(kind, set()).add(word.lower())
    return {kind: frozenset(words) for kind, words in cues.items()}


def gazetteer_names(language: str = "en") -> list[str]:
    """Every spelling to look for in text even where the model tagged nothing (or the wrong
    type); in another ``language``, with its names of the countries."""
    spellings = [spelling for row in vocab.load_table("entity_places.tsv") for spelling in _row_spellings(row)]
    for _code, _short, *rest in vocab.load_table("entity_country_names.tsv"):
        spellings += [a for a in (rest[0].split("|") if rest else []) if len(a) > 3]
    spellings += [c.name for c in pycountry.countries if "," not in c.name and "(" not in c.name]
    if language != "en":
        spellings += [name for name in translated_countries(language).values() if "(" not in name]
    return spellings


def _row_spellings(row: tuple[str, ...]) -> list[str]:
    return [row[0]] + (row[3].split("|") if len(row) > 3 else [])
