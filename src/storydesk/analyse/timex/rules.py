"""Time expressions in news, resolved to TIMEX3 values against the publication date.

A rule engine in the style of HeidelTime (which is Java and GPL, so not usable here): word
lists live in ``storydesk/data/timex_*`` (English) and ``storydesk/data/lang/<code>/timex_*``
(other languages, whose month and weekday names come from the CLDR through Babel); each rule
is a compiled pattern plus a resolver; candidates are chosen longest-leftmost, then resolved in
text order so that "a day earlier" or "the following week" can refer to the last date
mentioned (narrative anchoring). English has the full rule set; another language has dates,
months, weekdays, relative words, offsets ("hace dos semanas") and durations.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache, partial

from babel import Locale, UnknownLocaleError
from babel.dates import get_day_names, get_month_names

from storydesk import vocab
from storydesk.analyse.timex.calendar import (
    duration,
    format_value,
    nearest_year,
    nearest_weekday,
    safe_date,
    shift,
)
from storydesk.model import TimeExpr
from storydesk.words import fold_accents, phrase_alternation, street_after_number

Resolution = tuple[str, str | None, bool, str | None]  # type, value, anchored, mod


def _alternation(words: object) -> str:
    """A regex alternation of ``words``, longest first so "a couple of" wins over "a"."""
    return "|".join(sorted((w.replace(" ", r"\s+") for w in words), key=len, reverse=True))


def _capitalised(words: object, dotted: bool = False) -> str:
    """A case-sensitive alternation accepting Title-case and UPPER-case forms only; with
    ``dotted``, short forms (abbreviations) may carry their full stop."""
    words = [w.lower() for w in words]
    abbreviations = {w for w in words if any(o != w and o.startswith(w) for o in words)}
    forms = {f for w in words for f in (w[0].upper() + w[1:], w.upper())}
    escaped = (re.escape(f) + (r"\b\.?" if dotted and f.lower() in abbreviations else r"\b") for f in sorted(forms, key=len, reverse=True))
    return "(?-i:" + "|".join(escaped) + ")"


@dataclass(frozen=True)
class Lexicon:
    """One language's word lists, loaded once from the data files."""

    language: str
    numbers: dict[str, str]
    units: dict[str, str]  # singular or plural word -> TIMEX3 letter
    months: dict[str, int]
    weekdays: dict[str, int]
    seasons: dict[str, str]
    parts: dict[str, str]
    modifiers: dict[str, str]
    words: tuple[tuple[re.Pattern[str], str, str], ...]
    sets: dict[str, str]
    future_cues: re.Pattern[str]
    past_cues: re.Pattern[str]
    relative: dict[str, tuple[int, str]]  # "last" -> (-1, "before"), "pasado" -> (-1, "after")
    offsets: tuple[tuple[str, int, bool], ...] = ()  # (pattern with {number} {unit}, sign, narrative)


def _units(rows: tuple[tuple[str, ...], ...]) -> dict[str, str]:
    """Singular and plural unit words -> TIMEX3 letter, from a ``timex_units.tsv`` table's rows."""
    units = {}
    for singular, plural, letter in rows:
        units[singular.lower()] = units[plural.lower()] = letter
    return units


def _cues(words: tuple[str, ...]) -> re.Pattern[str]:
    """A pattern matching any of the cue words as whole words (none: a pattern that never matches)."""
    return re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)" if words else r"(?!)", re.I)


def _relative_words(name: str) -> dict[str, tuple[int, str]]:
    return {word: (int(amount), where) for word, amount, where in vocab.load_table(name)}


def language_of(code: str | None) -> str:
    """The language whose rules read a text: English for English, an unknown or unsupported
    code; else the code, when the CLDR has month names for it."""
    if not code or code == "en":
        return "en"
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return "en"
    return code


@cache
def lexicon(language: str = "en") -> Lexicon:
    """Load a language's ``timex_*`` data files (cached)."""
    if language != "en":
        return _language_lexicon(language)
    seasons_parts = vocab.load_table("timex_seasons_parts.tsv")
    return Lexicon(
        language="en",
        numbers=dict(vocab.load_table("timex_numbers.tsv")),
        units=_units(vocab.load_table("timex_units.tsv")),
        months={name.lower(): int(n) for name, n in vocab.load_table("timex_months.tsv")},
        weekdays={name.lower(): int(n) for name, n in vocab.load_table("timex_weekdays.tsv")},
        seasons={w: code for w, code, kind in seasons_parts if kind == "season"},
        parts={w: code for w, code, kind in seasons_parts if kind == "part"},
        modifiers=dict(vocab.load_table("timex_modifiers.tsv")),
        words=tuple(
            (re.compile(pattern.replace(" ", r"\s+"), re.I), kind, rule)
            for pattern, kind, rule in vocab.load_table("timex_words.tsv")
        ),
        sets=dict(vocab.load_table("timex_sets.tsv")),
        future_cues=_cues(vocab.load("timex_future_cues.txt")),
        past_cues=_cues(vocab.load("timex_past_cues.txt")),
        relative=_relative_words("timex_relative.tsv"),
    )


def _language_lexicon(language: str) -> Lexicon:
    """Another language's lexicon: the CLDR's month and weekday names (with and without
    accents), and the word lists of ``data/lang/<code>/`` where the project has them."""
    def table(name: str) -> tuple[tuple[str, ...], ...]:
        return vocab.load_language_table(language, name)

    def named(names: dict[int, str], number: object) -> dict[str, int]:
        return {form: number(key) for key, name in names.items() for form in {name.lower().rstrip("."), fold_accents(name.lower().rstrip("."))}}

    return Lexicon(
        language=language,
        numbers=dict(table("timex_numbers.tsv")),
        units=_units(table("timex_units.tsv")),
        months=named(get_month_names("wide", locale=language), int),
        weekdays=named(get_day_names("wide", locale=language), lambda key: key + 1),
        seasons={},
        parts={},
        modifiers={},
        words=tuple((re.compile(pattern.replace(" ", r"\s+"), re.I), kind, rule) for pattern, kind, rule in table("timex_words.tsv")),
        sets={},
        future_cues=_cues(tuple(row[0] for row in table("timex_future_cues.txt"))),
        past_cues=_cues(()),
        relative={word: (int(amount), where) for word, amount, where in table("timex_relative.tsv")},
        offsets=tuple((pattern, int(sign), kind == "narrative") for pattern, sign, kind in table("timex_offsets.tsv")),
    )


# ---------------------------------------------------------------- resolution context


@dataclass
class Context:
    """What a resolver may use: the text, the anchor, and the last date mentioned so far."""

    text: str
    anchor: date | None
    lex: Lexicon
    start: int = 0
    end: int = 0
    last_date: tuple[date, str] | None = None  # (a day inside it, its TIMEX3 unit letter)
    last_date_end: int = -1  # where the expression that gave ``last_date`` ends
    last_quarter: tuple[date, str] | None = field(default=None)

    def future(self) -> bool:
        """A dependency-free tense guess: the tense marker nearest before the expression in its
        clause decides (a future cue such as "will", or a past one such as "said"/"-ed"); with
        none before it, a future cue just after it does."""
        left = max(self.text.rfind(".", 0, self.start), self.text.rfind("\n", 0, self.start), self.start - 120)
        before = self.text[left + 1 : self.start]
        cues = [(m.end(), True) for m in self.lex.future_cues.finditer(before)]
        cues += [(m.end(), False) for m in self.lex.past_cues.finditer(before)]
        if cues:
            return max(cues)[1]
        right_stop = [i for i in (self.text.find(".", self.end), self.text.find("\n", self.end)) if i != -1]
        right = min(right_stop + [self.end + 25])
        return bool(self.lex.future_cues.search(self.text[self.end : right]))

    def reference(self, unit: str) -> tuple[date, str] | None:
        """The date a narrative expression ("a day earlier") counts from: the last one mentioned
        when it is at least as precise as ``unit``, or else the anchor."""
        if self.last_date and (self.last_date[1] == "D" or unit not in ("D", "W", "H", "MIN", "S")):
            return self.last_date
        return (self.anchor, "D") if self.anchor else None


def _number(word: str, lex: Lexicon) -> float | str:
    """The value of a number word or numeral ("twenty four" = 24, "several" = "X")."""
    word = re.sub(r"[\s-]+", " ", word.lower()).strip()
    numbers = lex.numbers
    if word in numbers:
        value = numbers[word]
        return value if value == "X" else float(value)
    if re.fullmatch(r"\d+(?:\.\d+)?", word.replace(",", "")):
        return float(word.replace(",", ""))
    if m := re.fullmatch(r"(\d+) 1/2", word):
        return float(m.group(1)) + 0.5
    parts = word.split()
    if len(parts) == 2 and parts[0] in numbers and parts[1] in numbers:
        return float(numbers[parts[0]]) + float(numbers[parts[1]])
    return "X"


def _unit(word: str, lex: Lexicon) -> str:
    return lex.units[word.lower()]


def _relative_amount(word: str, lex: Lexicon) -> int:
    """-1, 0 or +1 for "last"/"this"/"next", their synonyms and their translations."""
    return lex.relative.get(word.lower(), (0, ""))[0]


# ---------------------------------------------------------------- resolvers


def _iso_date(m: re.Match[str], ctx: Context) -> Resolution | None:
    try:
        return "DATE", date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat(), False, None
    except ValueError:
        return None


def _month_day(m: re.Match[str], ctx: Context) -> Resolution | None:
    month = ctx.lex.months[m["mon"].rstrip(".").lower()]
    day = int(m["d"])
    if not 1 <= day <= 31:
        return None
    if m["y"]:
        try:
            return "DATE", safe_date(int(m["y"]), month, day).isoformat(), False, None
        except ValueError:
            return None
    if ctx.anchor is None:
        return "DATE", f"XXXX-{month:02d}-{day:02d}", True, None
    return "DATE", nearest_year(ctx.anchor, month, day, ctx.future()).isoformat(), True, None


def _month_year(m: re.Match[str], ctx: Context) -> Resolution | None:
    month = ctx.lex.months[m["mon"].rstrip(".").lower()]
    return "DATE", f"{int(m['y']):04d}-{month:02d}", False, None


def _month(m: re.Match[str], ctx: Context) -> Resolution | None:
    name = m["mon"]
    if ctx.lex.language == "en" and name.lower().startswith("may") and not m["rel"] and not re.search(r"\b(?:in|of|since|until|by|from|to|early|late|mid)[\s-]+$", ctx.text[max(0, ctx.start - 8) : ctx.start], re.I):
        return None
    month = ctx.lex.months[name.rstrip(".").lower()]
    if ctx.anchor is None:
        return "DATE", f"XXXX-{month:02d}", True, None
    rel = _relative_amount(m["rel"], ctx.lex) if m["rel"] else None
    if rel == 0:
        day = safe_date(ctx.anchor.year, month, 1)
    elif rel == -1:
        day = safe_date(ctx.anchor.year - (month >= ctx.anchor.month), month, 1)
    elif rel == 1:
        day = safe_date(ctx.anchor.year + (month <= ctx.anchor.month), month, 1)
    else:
        day = nearest_year(ctx.anchor, month, None, ctx.future())
    return "DATE", format_value(day, "M"), True, None


def _year(m: re.Match[str], ctx: Context) -> Resolution | None:
    return "DATE", m["y"], False, None


def _spelled_year(m: re.Match[str], ctx: Context) -> Resolution | None:
    """ "nineteen ninety-six", "the year two thousand"."""
    if m["thousand"]:
        rest = _number(m["rest2"], ctx.lex) if m["rest2"] else 0.0
        return ("DATE", str(2000 + int(rest)), False, None) if rest != "X" else None
    century, rest = _number(m["century"], ctx.lex), _number(m["rest"], ctx.lex)
    if century == "X" or rest == "X":
        return None
    return "DATE", f"{int(century)}{int(rest):02d}", False, None


def _decade(m: re.Match[str], ctx: Context) -> Resolution | None:
    decade = m["dec"] or ("19" + m["short"])
    mod = {"early": "START", "mid": "MID", "late": "END"}.get((m["mod"] or "").lower())
    return "DATE", decade[:3], False, mod


def _quarter_number(word: str) -> int | None:
    return {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}.get(word.lower())


def _ordinal_quarter(m: re.Match[str], ctx: Context) -> Resolution | None:
    number = _quarter_number(m["ord"])
    half = m["part"].lower() == "half"
    if number is None or (half and number > 2):
        return None
    label = f"H{number}" if half else f"Q{number}"
    if m["y"] or m["y0"]:
        return "DATE", f"{m['y'] or m['y0']}-{label}", False, None
    rel = m["rel"] or m["rel2"]
    if ctx.anchor is None:
        return "DATE", f"XXXX-{label}", True, None
    year = ctx.anchor.year + (_relative_amount(rel, ctx.lex) if rel else 0)
    current = (ctx.anchor.month - 1) // (6 if half else 3) + 1
    if not rel and number > current and not ctx.future():
        year -= 1
    return "DATE", f"{year}-{label}", True, None


def _named_quarter(m: re.Match[str], ctx: Context) -> Resolution | None:
    """ "the quarter", "the latest quarter": the last quarter mentioned, else the one before the anchor."""
    which = (m["which"] or "").lower()
    if which in ("year-ago", "year-earlier") and ctx.last_quarter:
        return "DATE", format_value(shift(ctx.last_quarter[0], "Y", -1), "Q"), True, None
    if ctx.last_quarter and which in ("", "same"):
        return "DATE", format_value(ctx.last_quarter[0], "Q"), True, None
    if ctx.anchor is None:
        return "DATE", None, True, None
    offset = 0 if which in ("current", "this") else -1
    return "DATE", format_value(shift(ctx.anchor, "Q", offset), "Q"), True, None


def _relative_unit(m: re.Match[str], ctx: Context) -> Resolution | None:
    """ "last year", "this week", "next month", "the following day", "earlier this year"."""
    unit = _unit(m["unit"], ctx.lex)
    amount = _relative_amount(m["rel"], ctx.lex)
    narrative = bool(m.groupdict().get("the")) and m["rel"].lower() in ("following", "previous", "preceding", "next")
    base = ctx.reference(unit) if narrative else ((ctx.anchor, "D") if ctx.anchor else None)
    if base is None:
        return "DATE", None, True, None
    value = format_value(shift(base[0], unit, amount), unit)
    return "DATE", value, True, None


def _ago(m: re.Match[str], ctx: Context) -> Resolution | None:
    """ "three years ago", "a day earlier", "two weeks later", "year-earlier"."""
    direction = m["dir"].lower()
    sign = 1 if direction in ("later", "from now", "hence", "after") else -1
    return _offset(m, ctx, sign, direction in ("earlier", "later", "before", "after"))


def _offset(m: re.Match[str], ctx: Context, sign: int, narrative: bool) -> Resolution | None:
    """A number of units before or after the publication day, or with ``narrative`` the last
    date mentioned ("hace dos semanas", "drei Tage später")."""
    unit = _unit(m["unit"], ctx.lex)
    amount = _number(m["num"], ctx.lex) if m["num"] else 1.0
    base = ctx.reference(unit) if narrative else ((ctx.anchor, "D") if ctx.anchor else None)
    if base is None or amount == "X" or not float(amount).is_integer():
        return "DATE", None, True, None
    if unit == "Y" and ctx.last_date and ctx.last_date[1] in ("Q", "M") and ctx.anchor and ctx.last_date[0].year == ctx.anchor.year:
        base = ctx.last_date  # financial copy: "a year ago" compares with the quarter just named
    granularity = base[1] if unit == "Y" and base[1] in ("Q", "M") else ("Y" if unit in ("DE", "CE") else unit)
    return "DATE", format_value(shift(base[0], unit, sign * int(amount)), granularity), True, None


def _duration(m: re.Match[str], ctx: Context) -> Resolution | None:
    unit = _unit(m["unit"], ctx.lex)
    amount = _number(m["num"], ctx.lex) if m["num"] else 1.0
    return "DURATION", duration(amount, unit), False, None


def _vague_duration(m: re.Match[str], ctx: Context) -> Resolution | None:
    return "DURATION", duration("X", _unit(m["unit"], ctx.lex)), False, None


def _weekday(m: re.Match[str], ctx: Context) -> Resolution | None:
    weekday = ctx.lex.weekdays[m["wd"].lower()]
    part = ctx.lex.parts.get((m.groupdict().get("part") or "").lower())
    kind = "TIME" if part else "DATE"
    suffix = f"T{part}" if part else ""
    if ctx.anchor is None:
        return kind, f"XXXX-WXX-{weekday}{suffix}", True, None
    rel = (m["rel"] or "").lower()
    if rel and _relative_amount(rel, ctx.lex) == 0:
        day = nearest_weekday(ctx.anchor, weekday, future=weekday >= ctx.anchor.isoweekday())
    elif rel:
        day = nearest_weekday(ctx.anchor, weekday, future=_relative_amount(rel, ctx.lex) > 0)
        day = shift(day, "D", 7 * _relative_amount(rel, ctx.lex)) if day == ctx.anchor else day
    else:
        day = nearest_weekday(ctx.anchor, weekday, future=ctx.future())
    return kind, day.isoformat() + suffix, True, None


def _weekend(m: re.Match[str], ctx: Context) -> Resolution | None:
    """ "the weekend": the one just past, or the coming one in a future clause."""
    if ctx.anchor is None:
        return "DATE", "XXXX-WXX-WE", True, None
    saturday = nearest_weekday(ctx.anchor, 6, future=ctx.future())
    return "DATE", format_value(saturday, "WE"), True, None


def _fixed_word(m: re.Match[str], ctx: Context) -> Resolution | None:
    if m.group().lower() == "now" and ctx.text.startswith(",", ctx.end) and re.search(r"(?:^|[.!?\n]\W*)$", ctx.text[: ctx.start]):
        return None  # a sentence-initial "Now, ..." is a discourse marker, not a time
    for pattern, kind, rule in ctx.lex.words:
        if pattern.fullmatch(m.group()):
            return _word_rule(kind, rule, ctx)
    return None


def _word_rule(kind: str, rule: str, ctx: Context) -> Resolution:
    if not rule.startswith("day"):
        return kind, rule, True, None
    if ctx.anchor is None:
        return kind, None, True, None
    offset, _, part = rule[3:].partition("/")
    return kind, shift(ctx.anchor, "D", int(offset)).isoformat() + part, True, None


def _season(m: re.Match[str], ctx: Context) -> Resolution | None:
    code = ctx.lex.seasons[m["season"].lower()]
    if m["y"]:
        return "DATE", f"{m['y']}-{code}", False, None
    if ctx.anchor is None:
        return "DATE", f"XXXX-{code}", True, None
    rel = (m["rel"] or "").lower()
    amount = _relative_amount(rel, ctx.lex) if rel in ("last", "next", "this", "past", "coming") else 0
    return "DATE", f"{ctx.anchor.year + amount}-{code}", True, None


def _set_word(m: re.Match[str], ctx: Context) -> Resolution | None:
    return "SET", ctx.lex.sets[m.group().lower()], False, None


def _every(m: re.Match[str], ctx: Context) -> Resolution | None:
    what = m["what"].lower()
    if what in ctx.lex.weekdays:
        return "SET", f"XXXX-WXX-{ctx.lex.weekdays[what]}", False, None
    if what in ctx.lex.parts:
        return "SET", f"XXXX-XX-XXT{ctx.lex.parts[what]}", False, None
    step = 2 if m["other"] else 1
    return "SET", duration(float(step), _unit(what, ctx.lex)), False, None


def _clock(m: re.Match[str], ctx: Context) -> Resolution | None:
    hour, minute = int(m["h"]), int(m["mi"] or 0)
    if not (1 <= hour <= 12 and minute < 60):
        return None
    hour = hour % 12 + (12 if m["ap"].lower() == "p" else 0)
    return "TIME", f"{_day_of_clock(m, ctx)}T{hour:02d}:{minute:02d}", True, None


def _noon(m: re.Match[str], ctx: Context) -> Resolution | None:
    hour = "T12:00" if m["hour"].lower() == "noon" else "T24:00"
    return "TIME", _day_of_clock(m, ctx) + hour, True, None


def _day_of_clock(m: re.Match[str], ctx: Context) -> str:
    """The day a clock time falls on: the weekday or date after it ("10 p.m. Wednesday",
    "noon Nov. 9"), the day just before it ("Feb. 25, 2017 at about 4:15 p.m."), else the anchor."""
    if m["wd"] and ctx.anchor is not None:
        return nearest_weekday(ctx.anchor, ctx.lex.weekdays[m["wd"].lower()], ctx.future()).isoformat()
    if m["mon"] and 1 <= int(m["d"]) <= 31 and ctx.anchor is not None:
        return nearest_year(ctx.anchor, ctx.lex.months[m["mon"].rstrip(".").lower()], int(m["d"]), ctx.future()).isoformat()
    if ctx.last_date and ctx.last_date[1] == "D" and _joined(ctx.text[ctx.last_date_end : ctx.start]):
        return ctx.last_date[0].isoformat()
    return "XXXX-XX-XX" if ctx.anchor is None else ctx.anchor.isoformat()


def _joined(gap: str) -> bool:
    """Whether the words between a day and a clock time make them one point in time: at most
    three words and a comma ("at about", ", shortly after", "a las"), in any language."""
    return len(gap) <= 30 and not re.search(r"[^\w\s,]|\d", gap) and len(gap.split()) <= 3


# ---------------------------------------------------------------- patterns


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    resolve: Callable[[re.Match[str], Context], Resolution | None]


@cache
def rules(language: str = "en") -> tuple[Rule, ...]:
    """A language's rules, compiled once."""
    if language != "en":
        return _language_rules(lexicon(language))
    lex = lexicon()
    tens, ones = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety", "one|two|three|four|five|six|seven|eight|nine"
    number = (
        rf"(?:(?:{tens})[-\s](?:{ones})"
        r"|\d{1,3}(?:\.\d+)?(?:\s1/2)?|" + _alternation(lex.numbers) + ")"
    )
    units = _alternation(lex.units)
    singular = _alternation(w for w in lex.units if not w.endswith("s"))
    month = _capitalised(lex.months, dotted=True)
    lone_month = _capitalised((w for w in lex.months if len(w) > 3 or w in ("may", "sept")), dotted=True)
    weekday = _capitalised(lex.weekdays)
    season = _alternation(lex.seasons)
    part = _alternation(lex.parts)
    words = _alternation(p.pattern.replace(r"\s+", " ") for p, _, _ in lex.words)
    clock_day = rf"(?:(?:\s+[ECMP][SD]T\b|\s+GMT\b)?,?\s+(?:(?P<wd>{weekday})\b|(?P<mon>{month})\s*(?P<d>\d{{1,2}})\b(?!\d)))?"
    specs: list[tuple[str, str, Callable[[re.Match[str], Context], Resolution | None]]] = [
        ("iso", ISO, _iso_date),
        ("month_day", rf"(?:(?P<wd>{weekday}),?\s+)?\b(?P<mon>{month})\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?!\d|:\d)(?:,?\s+(?P<y>\d{{4}})\b)?", _month_day),
        ("day_month", rf"(?:(?P<wd>{weekday}),?\s+)?\b(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{month})(?:,?\s+(?P<y>\d{{4}})\b)?", _month_day),
        ("month_year", rf"\b(?P<mon>{month}),?\s+(?:of\s+)?(?P<y>1[6-9]\d\d|20\d\d)\b", _month_year),
        ("month", rf"(?:\b(?P<rel>last|next|this|coming|past)\s+)?\b(?P<mon>{lone_month})(?!\s*\d)", _month),
        ("decade", r"(?:\bthe\s+)?(?:\b(?P<mod>early|mid|late)[-\s]?)?(?:\b(?P<dec>1[5-9]\d0|20\d0)|'(?P<short>\d0))'?s\b", _decade),
        ("year", r"(?:\bfiscal(?:\s+year)?\s+)?" + _year_pattern(), _year),
        ("spelled_year", rf"(?:\bthe\s+year\s+)?\b(?P<century>nineteen|eighteen)\s+(?P<rest>(?:{tens})(?:[-\s](?:{ones}))?|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)\b|\bthe\s+year\s+(?P<thousand>two\s+thousand)(?:\s+and\s+(?P<rest2>{ones}))?\b", _spelled_year),
        ("year_range_end", r"(?<=\d{4}[-–])(?P<y>1[6-9]\d\d|20\d\d)\b", _year),
        ("ordinal_quarter", r"(?:\b(?P<rel>this|last|next)\s+year's\s+|\bthe\s+(?:(?P<y0>\d{4})\s+)?(?=\w+\s))?(?:\bfiscal\s+)?\b(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)[-\s](?:fiscal\s+)?(?P<part>quarter|half)\b(?:\s+of\s+(?:(?P<y>\d{4})|(?P<rel2>this|last|next)\s+year))?", _ordinal_quarter),
        ("named_quarter", r"\bthe\s+(?:(?P<which>latest|most\s+recent|recent|current|past|last|previous|year-ago|year-earlier|same)\s+)?(?:fiscal\s+)?quarter\b", _named_quarter),
        ("relative", r"(?:\b(?P<the>the)\s+)?\b(?P<rel>last|past|previous|preceding|next|coming|this|following|current|upcoming)\s+(?P<unit>year|month|week|quarter|decade|century|weekend|day)\b(?!-)", _relative_unit),
        ("ago", rf"\b(?P<num>{number})\s+(?P<unit>{units})\s+(?P<dir>ago|earlier|later|from\s+now|hence)\b", _ago),
        ("year_ago", r"\b(?P<num>)(?P<unit>year|month|quarter|week)-(?P<dir>earlier|ago)\b", _ago),
        ("duration", rf"(?:\bthe\s+)?(?:\b(?:past|last|next|coming|first|previous|following|final|remaining|latest|initial|entire|whole|full)\s+)?\b(?P<num>{number})\s+(?:(?:more|full|straight|consecutive|additional|long|successive)\s+)?(?P<unit>{units})\b(?!-)", _duration),
        ("duration_adjective", rf"\b(?P<num>{number}|\d+)-(?P<unit>{singular})\b(?!-old)", _duration),
        ("bare_units", r"(?<=\bfor\s)(?P<unit>years|months|weeks|decades|centuries)\b", _vague_duration),
        ("weekday", rf"(?:\b(?P<rel>last|next|this|coming|past)\s+)?\b(?P<wd>{weekday})\b(?:\s+(?P<part>{part})\b)?", _weekday),
        ("weekend", r"\bthe\s+weekend\b", _weekend),
        ("word", rf"\b(?:{words})\b", _fixed_word),
        ("season", rf"(?:\b(?P<rel>last|this|next|the|early|late)\s+)\b(?P<season>{season})\b(?!\s+of\s+(?!\d))(?:\s+(?:of\s+)?(?P<y>\d{{4}})\b)?", _season),
        ("season_year", rf"\b(?P<rel>)(?P<season>{season})\s+(?:of\s+)?(?P<y>\d{{4}})\b", _season),
        ("set_word", r"\b(?:" + _alternation(lex.sets) + r")\b", _set_word),
        ("every", rf"\b(?:every|each)\s+(?:(?P<other>other)\s+)?(?P<what>{weekday}|{singular}|{part})\b", _every),
        ("clock", r"\b(?P<h>\d{1,2})(?::(?P<mi>\d\d))?\s*(?P<ap>[ap])\.?m\b\.?" + clock_day, _clock),
        ("noon", r"\b(?P<hour>noon|midnight)\b" + clock_day, _noon),
    ]
    return _compiled(specs)


YEAR = r"(?<![\d$£€.,/-])\b(?P<y>1[6-9]\d\d|20\d\d)\b(?![.,]\d|\s*%|\s*percent|-\d\d-)"


@cache
def _year_pattern() -> str:
    """YEAR, except a number an address noun follows ("the 1700 block of Main Street"; the nouns
    of ``figure_address_nouns.txt``, which keep such numbers out of the figures too) or a house
    number before a street ("1627 Pacific Avenue": ``words.street_after_number``)."""
    return YEAR + rf"(?!\s+(?:{phrase_alternation(vocab.load('figure_address_nouns.txt'))})\b)(?!{street_after_number()})"
ISO = r"\b(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)\b"
Spec = tuple[str, str, Callable[[re.Match[str], Context], Resolution | None]]


def _compiled(specs: list[Spec]) -> tuple[Rule, ...]:
    word_start = r"(?<!\w)(?=[\w'])"  # fails fast inside words: keeps the scan at a few ms per article
    return tuple(Rule(name, re.compile(word_start + pattern, re.I), fn) for name, pattern, fn in specs)


def _language_rules(lex: Lexicon) -> tuple[Rule, ...]:
    """The rules for a language other than English, from its lexicon: "25 de enero de 2011",
    "le 1er février", "am 3. März", "enero de 2011", "el jueves pasado", "letzten Montag",
    "la semana pasada", "hace dos semanas", "hier soir", "tres días"."""
    def words(entries: object) -> str:
        return _alternation(entries) or "(?!)"

    month, weekday, units = words(lex.months), words(lex.weekdays), words(lex.units)
    before = words(w for w, (_, where) in lex.relative.items() if where == "before")
    after = words(w for w, (_, where) in lex.relative.items() if where == "after")
    number = r"(?:\d{1,3}|" + words(lex.numbers) + ")"
    fixed = words(p.pattern.replace(r"\s+", " ") for p, _, _ in lex.words)
    specs: list[Spec] = [
        ("iso", ISO, _iso_date),
        ("day_month", rf"(?:(?P<wd>{weekday}),?\s+)?\b(?P<d>\d{{1,2}})(?:\.|º|°|er|o)?\s*(?:de\s+)?\b(?P<mon>{month})\b(?:,?\s+(?:de\s+|del\s+)?(?P<y>\d{{4}})\b)?", _month_day),
        ("month_year", rf"\b(?P<mon>{month})\s+(?:de\s+|del\s+)?(?P<y>1[6-9]\d\d|20\d\d)\b", _month_year),
        ("month", rf"(?:\b(?P<rel>{before})\s+)?\b(?P<mon>{month})\b(?!\s*\d)", _month),
        ("year", _year_pattern(), _year),
        ("relative", rf"\b(?P<rel>{before})\s+(?P<unit>{units})\b", _relative_unit),
        ("relative_after", rf"\b(?P<unit>{units})\s+(?P<rel>{after})\b", _relative_unit),
        ("weekday", rf"(?:\b(?P<rel>{before})\s+)?\b(?P<wd>{weekday})\b", _weekday),
        ("weekday_after", rf"\b(?P<wd>{weekday})\s+(?P<rel>{after})\b", _weekday),
        ("duration", rf"\b(?P<num>{number})\s+(?P<unit>{units})\b", _duration),
        ("word", rf"\b(?:{fixed})\b", _fixed_word),
    ]
    for template, sign, narrative in lex.offsets:
        pattern = template.replace(" ", r"\s+").format(number=rf"(?P<num>{number})", unit=rf"(?P<unit>{units})")
        specs.append(("offset", rf"\b{pattern}\b", partial(_offset, sign=sign, narrative=narrative)))
    return _compiled(specs)


@cache
def _modifier_prefix(language: str) -> re.Pattern[str]:
    """Words just before an expression that belong to it ("early", "more than", "the end of")."""
    return re.compile(r"\b(?P<mod>" + (_alternation(lexicon(language).modifiers) or "(?!)") + r")[-\s]+$", re.I)


# ---------------------------------------------------------------- engine


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    rule: Rule
    match: re.Match[str]


def _candidates(text: str, language: str) -> list[_Candidate]:
    """Every rule's matches, then the longest-leftmost non-overlapping subset."""
    found = [_Candidate(m.start(), m.end(), rule, m) for rule in rules(language) for m in rule.pattern.finditer(text)]
    found.sort(key=lambda c: (c.start, -(c.end - c.start)))
    chosen: list[_Candidate] = []
    for candidate in found:
        if candidate.end - candidate.start and (not chosen or candidate.start >= chosen[-1].end):
            chosen.append(candidate)
    return chosen


def _with_modifier(ctx: Context, start: int, value: str | None, rule: str) -> tuple[int, str | None]:
    """Extend the span left over a modifier ("early 2024", "more than four decades ago") when
    it fits the expression: quantity modifiers before numbers, position modifiers before dates."""
    text = ctx.text
    m = _modifier_prefix(ctx.lex.language).search(text[max(0, start - 25) : start])
    if not m:
        return start, None
    mod = ctx.lex.modifiers[re.sub(r"\s+", " ", m["mod"].lower())]
    quantity = mod in ("APPROX", "LESS_THAN", "MORE_THAN", "EQUAL_OR_MORE", "EQUAL_OR_LESS")
    numeric_start = rule in ("ago", "duration") and not text[start:].lower().startswith("the")
    if quantity != numeric_start or (mod == "MID" and m.group().endswith(" ")) or value is None and not numeric_start:
        return start, None
    return start - len(m.group()), mod


def find_time_expressions(text: str, anchor: date | None, language: str | None = "en") -> list[TimeExpr]:
    """Find dates, times, durations and sets in ``text`` (written in ``language``, an ISO 639-1
    code) and resolve them to TIMEX3 values against ``anchor`` (the publication date); with no
    anchor, relative values keep what is known."""
    rules_language = language_of(language)
    ctx = Context(text, anchor, lexicon(rules_language))
    found: list[TimeExpr] = []
    for candidate in _candidates(text, rules_language):
        ctx.start, ctx.end = candidate.start, candidate.end
        resolved = candidate.rule.resolve(candidate.match, ctx)
        if resolved is None:
            continue
        kind, value, anchored, mod = resolved
        start, prefix_mod = _with_modifier(ctx, candidate.start, value, candidate.rule.name)
        if found and start < found[-1].end:
            start, prefix_mod = candidate.start, None
        found.append(TimeExpr(start, candidate.end, text[start : candidate.end], kind, value, anchored, prefix_mod or mod))  # type: ignore[arg-type]
        if candidate.rule.name not in ("ago", "year_ago", "named_quarter", "offset"):
            _remember(ctx, kind, value)
    return found


_REMEMBERED = re.compile(r"(?P<y>\d{4})(?:-(?:(?P<m>\d\d)(?:-(?P<d>\d\d))?|Q(?P<q>[1-4])|W(?P<w>\d\d)))?$")


def _remember(ctx: Context, kind: str, value: str | None) -> None:
    """Keep the last specific date mentioned, for narrative expressions that follow it."""
    m = _REMEMBERED.match(value or "") if kind == "DATE" else None
    if not m:
        return
    year = int(m["y"])
    if m["q"]:
        ctx.last_date = ctx.last_quarter = (date(year, int(m["q"]) * 3 - 2, 1), "Q")
    elif m["d"]:
        ctx.last_date, ctx.last_date_end = (safe_date(year, int(m["m"]), int(m["d"])), "D"), ctx.end
    elif m["m"]:
        ctx.last_date = (date(year, int(m["m"]), 1), "M")
    elif m["w"]:
        ctx.last_date = (date.fromisocalendar(year, int(m["w"]), 1), "W") if int(m["w"]) <= 52 else ctx.last_date
    else:
        ctx.last_date = (date(year, 1, 1), "Y")
