"""Calendar values for the synthesise stage: a date with its precision as a range of days,
time-expression values placed against an anchor (a weekday, a month without its year), and
the publication dates of the story's articles, with a year taken from the story when the
article gives none."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from storydesk.model import Article, TimeExpr, day_in_nearest_year

WEEKDAY_NAMES = tuple(calendar.day_name)  # Monday first, as ISO weekdays 1..7
LOOK_AHEAD = timedelta(days=31)  # how far past its anchor a month named without a year may lie
TIME_OF_DAY = re.compile(r"T[\w:.+-]*$")  # the time part of a TIMEX3 value: "T03:00", "TNI" (night)


@dataclass(frozen=True)
class When:
    """A date as the range of days it may be, and how precise it is."""

    lo: date
    hi: date
    precision: str  # "day", "week", "month", "year"

    @property
    def iso(self) -> str:
        if self.precision == "day":
            return self.lo.isoformat()
        if self.precision == "week":
            year, week, _ = self.lo.isocalendar()
            return f"{year}-W{week:02d}"
        return self.lo.isoformat()[: 7 if self.precision == "month" else 4]

    def overlaps(self, other: When) -> bool:
        return self.lo <= other.hi and other.lo <= self.hi

    def allows_weekday(self, weekday: int) -> bool:
        """Whether some day of this range falls on ISO ``weekday``."""
        return (self.hi - self.lo).days >= 6 or any(
            (self.lo + timedelta(days=offset)).isoweekday() == weekday for offset in range((self.hi - self.lo).days + 1)
        )


def day(value: date) -> When:
    return When(value, value, "day")


def month(year: int, month_no: int) -> When:
    return When(date(year, month_no, 1), date(year, month_no, calendar.monthrange(year, month_no)[1]), "month")


def parse_value(value: str | None) -> When | None:
    """A fully resolved TIMEX3/ISO value (day, ISO week, month, year) as a When; None otherwise.
    A time of day ("2014-06-07TMO" for "early Saturday morning") is its day."""
    if not value:
        return None
    value = TIME_OF_DAY.sub("", value)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return day(date.fromisoformat(value))
        if match := re.fullmatch(r"(\d{4})-W(\d{2})", value):
            monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
            return When(monday, monday + timedelta(days=6), "week")
        if match := re.fullmatch(r"(\d{4})-(\d{2})", value):
            return month(int(match[1]), int(match[2]))
        if re.fullmatch(r"\d{4}", value):
            return When(date(int(value), 1, 1), date(int(value), 12, 31), "year")
    except ValueError:  # a malformed value from an odd text ("2024-13")
        return None
    return None


def weekday_of(value: str | None) -> int | None:
    """The ISO weekday of an unanchored weekday value ("XXXX-WXX-3" -> 3)."""
    match = re.fullmatch(r"XXXX-WXX-([1-7])", TIME_OF_DAY.sub("", value or ""))
    return int(match[1]) if match else None


def nearest_weekday(anchor: date, weekday: int) -> date:
    """The day of ``weekday`` nearest ``anchor`` (the week around the article's own day: news
    speaks of the last few days or the next few)."""
    ahead = (weekday - anchor.isoweekday()) % 7
    return anchor + timedelta(days=ahead) if ahead <= 3 else anchor - timedelta(days=7 - ahead)


def place_in_year(month_no: int, day_no: int | None, anchor: When) -> When | None:
    """A month (and day) named without a year, in the latest year that puts it no later than a
    month after the anchor: news mostly looks back, and looks ahead only a little."""
    for year in (anchor.hi.year + 1, anchor.hi.year, anchor.hi.year - 1):
        try:
            candidate = day(date(year, month_no, day_no)) if day_no else month(year, month_no)
        except ValueError:  # 29 February of a common year
            continue
        if candidate.lo <= anchor.hi + LOOK_AHEAD:
            return candidate
    return None


def resolve(timex: TimeExpr, anchor: When | None) -> When | None:
    """The calendar range a time expression names: its own value when resolved, else (given an
    anchor) a weekday placed in the anchor's week or a month-day placed in the anchor's year."""
    resolved = parse_value(timex.value)
    if resolved is not None or anchor is None or not timex.value:
        return resolved
    weekday = weekday_of(timex.value)
    if weekday is not None:
        return day(nearest_weekday(anchor.lo, weekday)) if anchor.precision == "day" else None
    if match := re.fullmatch(r"XXXX-(\d{2})(?:-(\d{2}))?", timex.value):
        return place_in_year(int(match[1]), int(match[2]) if match[2] else None, anchor)
    return None


@dataclass
class ArticleDate:
    """An article's publication date as the dossier knows it: exact, or bounded below by the
    story ("on-or-after"), or unknown; with the evidence for it."""

    when: When | None = None
    bound: str | None = None
    evidence: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> When | None:
        """The date to resolve the article's own time expressions against (only an exact one)."""
        return self.when if self.bound == "exact" else None


def own_date(article: Article, story_days: list[tuple[date, int]]) -> ArticleDate:
    """An article's own publication date, a day-no-year one given the year of the nearest
    dated article of the story (``story_days``: (day, article id) of the dated articles)."""
    published = article.extraction.published
    evidence = [f"{clue.source}: {clue.text}" for clue in published.evidence]
    when = parse_value(published.value)
    if when is not None:
        return ArticleDate(when, "exact", evidence)
    candidate = day_in_nearest_year(published.value, [known for known, _ in story_days])
    if candidate is None:
        return ArticleDate(evidence=evidence)
    known, article_id = min(story_days, key=lambda item: abs((candidate - item[0]).days))
    note = f"year from the story: article {article_id} is dated {known.isoformat()}"
    return ArticleDate(day(candidate), "exact", [*evidence, note])
