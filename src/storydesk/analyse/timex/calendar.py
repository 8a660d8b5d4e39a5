"""Calendar arithmetic and TIMEX3 value formatting for the time-expression resolver.

Written here because TIMEX3 granularities (ISO weeks, quarters, decades, seasons) and
month-end-safe shifting are not what dateutil or dateparser return.
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta




def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def shift(day: date, unit: str, amount: int) -> date:
    """``day`` moved by ``amount`` calendar units (TIMEX3 letters: Y, M, W, D, Q, DE, CE, WE)."""
    if unit in ("D",):
        return day + timedelta(days=amount)
    if unit in ("W", "WE"):
        return day + timedelta(weeks=amount)
    months = {"M": 1, "Q": 3, "Y": 12, "DE": 120, "CE": 1200}.get(unit)
    return add_months(day, amount * months) if months else day


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def format_value(day: date, unit: str) -> str:
    """The TIMEX3 value naming the ``unit``-sized period that contains ``day``."""
    if unit == "D":
        return day.isoformat()
    if unit == "W":
        return iso_week(day)
    if unit == "WE":
        return iso_week(day) + "-WE"
    if unit == "M":
        return f"{day.year:04d}-{day.month:02d}"
    if unit == "Q":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    if unit == "DE":
        return f"{day.year:04d}"[:3]
    if unit == "CE":
        return f"{day.year:04d}"[:2]
    return f"{day.year:04d}"


def duration(amount: float | str, unit: str) -> str:
    """A TIMEX3 duration such as P3D, PT24H, P2W, PXY (``amount`` "X" when unspecified)."""
    if unit == "2W":
        amount, unit = (amount * 2 if amount != "X" else "X"), "W"
    if unit == "WE":
        return "P2D" if amount == 1 else f"P{amount}WE"
    if isinstance(amount, float) and amount.is_integer():
        amount = int(amount)
    if isinstance(amount, float):
        amount = f"{amount:g}"
    time_unit = {"H": "H", "MIN": "M", "S": "S"}.get(unit)
    return f"PT{amount}{time_unit}" if time_unit else f"P{amount}{unit}"


def nearest_weekday(anchor: date, weekday: int, future: bool) -> date:
    """The day with ISO ``weekday`` nearest to ``anchor``: on or before it, or on or after it."""
    gap = (weekday - anchor.isoweekday()) % 7 if future else -((anchor.isoweekday() - weekday) % 7)
    return anchor + timedelta(days=gap)


def nearest_year(anchor: date, month: int, day: int | None, future: bool) -> date:
    """``month`` (and ``day``) in the year that puts it nearest the anchor, distances on the
    side against the tense counting double (news looks back unless the clause is future)."""

    def cost(candidate: date) -> float:
        gap = (candidate - anchor).days
        against_tense = gap < 0 if future else gap > 0
        return abs(gap) * (2.0 if against_tense else 1.0)

    years = (anchor.year - 1, anchor.year, anchor.year + 1)
    return min((safe_date(year, month, day or 15) for year in years), key=cost)


def safe_date(year: int, month: int, day: int) -> date:
    """A date with the day clamped to the month's length (raises ValueError on bad months)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))
