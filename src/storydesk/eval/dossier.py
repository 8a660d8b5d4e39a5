"""Evaluation of dossiers on real stories (``bench/README.md``, stories/): the articles of a GVA
file are ingested in file order through ``Desk`` into a store, as ``storydesk ingest`` does
(their date, url, title and text only: never the label), and for each incident with two or more
articles the story holding most of them is scored against the incident's facts: its day on the
timeline, its city as an event's place, the numbers killed and injured as figures, and the
discrepancies flagged that are not real. Beside each fact, how often the articles' text states it."""
from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from storydesk import vocab
from storydesk.desk import Desk
from storydesk.eval.clustering import scores
from storydesk.eval.ingested import ingested
from storydesk.eval.metrics import tokens
from storydesk.eval.runs import Track, iter_records, untracked
from storydesk.model import Discrepancy, Dossier, FigureReport
from storydesk.words import fold_accents

NEAR_WORDS = 5  # a number states a count when written this many words or fewer from a count word
STATED_IN_TEXT = (
    "share of incidents for which some article of the incident (its input text, lower-cased \\w+ "
    "words) writes the fact: the day as its weekday name or month name and day number; the city's "
    "words in a row (abbreviations such as St. written out); a count as digits or a number word at most 5 words from a deaths or injuries "
    "word (data/eval_dossier_words.tsv)"
)
_DAY_NUMBER = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?")


@dataclass(frozen=True)
class Incident:
    """One incident's facts from the Gun Violence Archive."""

    label: str
    day: str
    city: str
    killed: int
    injured: int


@dataclass(frozen=True)
class FactHits:
    """Which of an incident's facts something (a dossier, the articles' text) gives."""

    day: bool
    city: bool
    killed: bool
    injured: bool


@dataclass(frozen=True)
class Flags:
    """A dossier's discrepancies by kind, and whether any of a kind is false for the incident."""

    conflicts: int
    updates: int
    false_conflict: bool
    false_update: bool
    claims_leading: int = 0  # claims the dossier opens with as disputed (denied, or stances that differ)


@dataclass(frozen=True)
class Judged:
    """One scored incident: the story taken for it and what its dossier and its articles give."""

    label: str
    story: int | None
    found: FactHits
    stated: FactHits
    flags: Flags


def evaluate_dossiers(
    articles: Path,
    facts: Path,
    sample: int | None = None,
    store: Path | None = None,
    predictions: Path | None = None,
    progress: Track = untracked,
) -> dict[str, Any]:
    """Ingest the articles (``sample``: N incidents of two or more articles and N lone
    articles, drawn by a hash of the label) into a temporary store, or into ``store`` kept
    for inspection, and score every incident with two or more articles; write one
    ``Judged`` line per incident to ``predictions``."""
    started = time.perf_counter()
    incidents = load_incidents(Path(facts))
    records = select(list(iter_records(Path(articles))), sample, incidents)
    with ingested(records, store, progress) as run:
        judged = judge_all(run.desk, records, run.stories, incidents, progress)
        story_count = run.desk.story_count()
    if predictions is not None:
        with Path(predictions).open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(asdict(one)) + "\n" for one in judged)
    gold = [r["label"] for r in records]
    return {
        "articles": len(records),
        "stories": story_count,
        **summarise(judged, incidents),
        **scores(run.labels(len(records)), gold),
        "ingest_seconds": run.seconds,
        "seconds": time.perf_counter() - started,
    }


def select(records: list[dict[str, Any]], sample: int | None, incidents: dict[str, Incident]) -> list[dict[str, Any]]:
    """All records, or those of ``sample`` incidents with facts and two or more articles and
    of as many incidents with one, drawn by a hash of the label, in file order."""
    if sample is None:
        return records
    sizes = Counter(r["label"] for r in records)
    drawn = sorted(sizes, key=lambda label: hashlib.sha1(label.encode()).hexdigest())
    shared = [label for label in drawn if sizes[label] >= 2 and label in incidents][:sample]
    lone = [label for label in drawn if sizes[label] == 1][:sample]
    chosen = set(shared) | set(lone)
    return [r for r in records if r["label"] in chosen]


def load_incidents(path: Path) -> dict[str, Incident]:
    return {
        f["label"]: Incident(f["label"], f["date"], f["city"], int(f["killed"]), int(f["injured"]))
        for f in iter_records(path)
    }


def judge_all(
    desk: Desk,
    records: Sequence[dict[str, Any]],
    stories: dict[int, int],
    incidents: dict[str, Incident],
    progress: Track,
) -> list[Judged]:
    """Judge every incident with two or more records, each story's dossier built once."""
    lines: dict[str, list[int]] = defaultdict(list)
    for line, record in enumerate(records, 1):
        lines[record["label"]].append(line)
    scored = [label for label, found in lines.items() if len(found) >= 2 and label in incidents]
    dossiers: dict[int, Dossier | None] = {}
    judged = []
    for label in progress(scored, len(scored), "score"):
        story = main_story([stories.get(line) for line in lines[label]])
        if story is not None and story not in dossiers:
            dossiers[story] = desk.dossier(story)
        texts = [records[line - 1].get("text") or "" for line in lines[label]]
        judged.append(judge(incidents[label], story, dossiers.get(story), texts))
    return judged


def main_story(stories: Iterable[int | None]) -> int | None:
    """The story holding most of an incident's articles (the earliest on a tie)."""
    counts = Counter(story for story in stories if story is not None)
    return min(counts, key=lambda story: (-counts[story], story)) if counts else None


def judge(incident: Incident, story: int | None, dossier: Dossier | None, texts: Sequence[str]) -> Judged:
    stated = stated_in_text([tokens(fold_accents(text)) for text in texts], incident)
    if dossier is None:
        return Judged(incident.label, story, FactHits(False, False, False, False), stated, Flags(0, 0, False, False))
    return Judged(incident.label, story, found_in_dossier(dossier, incident), stated, flags(dossier, incident))


def found_in_dossier(dossier: Dossier, incident: Incident) -> FactHits:
    """The README's dossier facts: an event of day precision on the day, an event's place
    naming the city, a figure of each count saying deaths or injuries."""
    return FactHits(
        day=any(e.precision == "day" and e.date == incident.day for e in dossier.timeline),
        city=any(e.place and names_city(e.place, incident.city) for e in dossier.timeline),
        killed=any(counts(f, incident.killed, "deaths") for f in dossier.figures),
        injured=any(counts(f, incident.injured, "injuries") for f in dossier.figures),
    )


def names_city(place: str, city: str) -> bool:
    """Whether a place names the city: the words of the place or of one of its comma-separated
    parts ("Roseland, Chicago") run inside the city's ("Chicago (Roseland)"), or the city's inside
    them, or they are the city's written apart or together ("LaSalle", "La Salle"); case and accents
    folded, abbreviations written out ("St. Louis" is "Saint Louis")."""
    city_words = place_words(city)
    return any(
        contains(part_words, city_words) or contains(city_words, part_words) or "".join(part_words) == "".join(city_words)
        for part_words in map(place_words, [place, *place.split(",")])
    )


def place_words(text: str | Sequence[str]) -> list[str]:
    """A place's words (or a text's, already folded), each abbreviation of a place name written
    out (data/eval_place_abbreviations.tsv)."""
    words = tokens(fold_accents(text)) if isinstance(text, str) else text
    return [place_abbreviations().get(word, word) for word in words]


def contains(words: Sequence[str], run: Sequence[str]) -> bool:
    """Whether ``run`` (not empty) occurs in ``words`` as consecutive words."""
    n = len(run)
    return n > 0 and any(list(words[i : i + n]) == list(run) for i in range(len(words) - n + 1))


def counts(figure: FigureReport, count: int, kind: str) -> bool:
    """A figure of value ``count`` (not 0) whose event or counted noun says ``kind``."""
    return count > 0 and figure.value == count and not count_words(kind).isdisjoint(tokens(f"{figure.event or ''} {figure.what}"))


def flags(dossier: Dossier, incident: Incident) -> Flags:
    kinds = Counter(d.kind for d in dossier.discrepancies)
    false_kinds = {d.kind for d in dossier.discrepancies if is_false(d, dossier, incident)}
    claims = sum(1 for dispute in dossier.disputes if dispute.kind == "claim")
    return Flags(kinds["conflict"], kinds["update"], "conflict" in false_kinds, "update" in false_kinds, claims)


def is_false(discrepancy: Discrepancy, dossier: Dossier, incident: Incident) -> bool:
    """One side is the true number killed or injured and another a number that is neither."""
    truths = {incident.killed, incident.injured}
    values = {dossier.figures[i].value for i in discrepancy.figures}
    return bool(values & truths) and bool(values - truths)


def stated_in_text(texts: Sequence[Sequence[str]], incident: Incident) -> FactHits:
    """Whether some text (its folded words) states each fact, as ``STATED_IN_TEXT`` says."""
    day = date.fromisoformat(incident.day)
    city = place_words(incident.city)
    return FactHits(
        day=any(states_day(words, day) for words in texts),
        city=any(contains(place_words(words), city) for words in texts),
        killed=incident.killed > 0 and any(states_count(words, incident.killed, "deaths") for words in texts),
        injured=incident.injured > 0 and any(states_count(words, incident.injured, "injuries") for words in texts),
    )


def states_day(words: Sequence[str], day: date) -> bool:
    """The day's weekday name, or its month's name (or abbreviation) before its day number."""
    weekday, months = weekday_names()[day.isoweekday()], month_names()[day.month]
    if weekday in words:
        return True
    return any(
        word in months and (match := _DAY_NUMBER.fullmatch(after)) is not None and int(match.group(1)) == day.day
        for word, after in zip(words, words[1:])
    )


def states_count(words: Sequence[str], count: int, kind: str) -> bool:
    """``count`` in digits or as a number word at most ``NEAR_WORDS`` words from a ``kind`` word."""
    written = {str(count)} | number_words().get(count, set())
    nouns = count_words(kind)
    at_numbers = [i for i, word in enumerate(words) if word in written]
    at_nouns = [i for i, word in enumerate(words) if word in nouns]
    return any(abs(i - j) <= NEAR_WORDS for i in at_numbers for j in at_nouns)


def summarise(judged: Sequence[Judged], incidents: dict[str, Incident]) -> dict[str, Any]:
    """Shares over the scored incidents (counts over those with deaths or injuries), beside
    how often the text states each; false discrepancies as a share of the stories scored."""
    with_deaths = [j for j in judged if incidents[j.label].killed > 0]
    with_injuries = [j for j in judged if incidents[j.label].injured > 0]
    result: dict[str, Any] = {"incidents_scored": len(judged)}
    for fact, key, over in (
        ("day", "day_on_timeline", judged),
        ("city", "city_as_event_place", judged),
        ("killed", "killed_found", with_deaths),
        ("injured", "injured_found", with_injuries),
    ):
        result[key] = share(getattr(j.found, fact) for j in over)
        result[f"{fact}_stated_in_text"] = share(getattr(j.stated, fact) for j in over)
    result["incidents_with_deaths"], result["incidents_with_injuries"] = len(with_deaths), len(with_injuries)
    return {**result, **flag_shares(judged), "stated_in_text": STATED_IN_TEXT}


def flag_shares(judged: Sequence[Judged]) -> dict[str, Any]:
    """Per story scored (once, however many incidents took it): its discrepancies, and whether
    one is false for an incident it was taken for."""
    by_story: dict[int, list[Judged]] = defaultdict(list)
    for one in judged:
        if one.story is not None:
            by_story[one.story].append(one)
    first = [group[0].flags for group in by_story.values()]
    return {
        "stories_scored": len(by_story),
        "conflicts": sum(f.conflicts for f in first),
        "updates": sum(f.updates for f in first),
        "false_conflicts_story_share": share(any(j.flags.false_conflict for j in g) for g in by_story.values()),
        "false_updates_story_share": share(any(j.flags.false_update for j in g) for g in by_story.values()),
        "claim_disputes_story_share": share(f.claims_leading > 0 for f in first),
    }


def share(hits: Iterable[bool]) -> float:
    values = list(hits)
    return sum(values) / len(values) if values else 0.0


@cache
def count_words(kind: str) -> frozenset[str]:
    """The words that say a count is of deaths or of injuries."""
    return frozenset(word for row_kind, word in vocab.load_table("eval_dossier_words.tsv") if row_kind == kind)


@cache
def number_words() -> dict[int, set[str]]:
    """Number words by value (figures' units; not the article "a", which states no count alone)."""
    words: dict[int, set[str]] = defaultdict(set)
    for word, value, kind in vocab.load_table("figure_number_words.tsv"):
        if kind == "unit" and word != "a":
            words[int(float(value))].add(word.lower())
    return words


@cache
def place_abbreviations() -> dict[str, str]:
    return dict(vocab.load_table("eval_place_abbreviations.tsv"))


@cache
def month_names() -> dict[int, frozenset[str]]:
    names: dict[int, set[str]] = defaultdict(set)
    for name, number in vocab.load_table("timex_months.tsv"):
        names[int(number)].add(name.lower())
    return {number: frozenset(found) for number, found in names.items()}


@cache
def weekday_names() -> dict[int, str]:
    return {int(number): name.lower() for name, number in vocab.load_table("timex_weekdays.tsv")}
