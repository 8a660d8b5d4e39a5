"""Timelines of long stories in their own language (``bench/README.md``, languages/): the
articles of an ML-Crisis file are ingested in file order through ``Desk`` into a store, as
``storydesk ingest`` does (their date, outlet and text: never the crisis label), and each crisis's
timeline, the day-precision events of the stories whose articles are mostly that crisis's, is
scored against the editors' timeline by date F1: the days both hold, the field's first measure."""
from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from storydesk.eval.ingested import ingested
from storydesk.eval.runs import Track, iter_records, untracked
from storydesk.model import Dossier


def evaluate_timelines(
    articles: Path, timelines: Path, store: Path | None = None, progress: Track = untracked
) -> dict[str, Any]:
    """Ingest the articles into a temporary store (or ``store``, kept) and score each crisis's
    days: those of its stories' main timelines, and those of every dated event they hold."""
    started = time.perf_counter()
    gold = {crisis: {entry["date"] for entry in entries} for crisis, entries in json.loads(Path(timelines).read_text(encoding="utf-8")).items()}
    records = list(iter_records(Path(articles)))
    with ingested(records, store, progress) as run:
        owners = crisis_stories(records, run.stories)
        dossiers = {story: run.desk.dossier(story) for story in progress(sorted(owners), len(owners), "dossiers")}
        languages = Counter(article.extraction.language for article in run.desk.articles())
    by_crisis: dict[str, Any] = {}
    for crisis, days in sorted(gold.items()):
        held = [dossiers[story] for story, owner in owners.items() if owner == crisis and dossiers[story] is not None]
        by_crisis[crisis] = {
            "gold_days": len(days),
            "stories": len(held),
            "main": date_scores(main_days(held), days),
            "all_events": date_scores(event_days(held), days),
        }
    return {
        "articles": len(records),
        "languages": dict(languages.most_common()),
        "crises": by_crisis,
        **{f"mean_{part}_f1": mean(result[part]["f1"] for result in by_crisis.values()) for part in ("main", "all_events")},
        "ingest_seconds": run.seconds,
        "seconds": time.perf_counter() - started,
    }


def crisis_stories(records: Sequence[dict[str, Any]], stories: dict[int, int]) -> dict[int, str]:
    """Each story's crisis: the label most of its articles carry (read only to score)."""
    labels: dict[int, Counter] = defaultdict(Counter)
    for line, record in enumerate(records, 1):
        if line in stories:
            labels[stories[line]][record["label"]] += 1
    return {story: counts.most_common(1)[0][0] for story, counts in labels.items()}


def main_days(dossiers: Iterable[Dossier]) -> set[str]:
    """The days of the stories' main timelines."""
    return {event.date for dossier in dossiers for event in dossier.timeline if event.precision == "day"}


def event_days(dossiers: Iterable[Dossier]) -> set[str]:
    """The days of every dated event the stories hold: main timeline and other happenings."""
    return main_days(dossiers) | {
        event.date for dossier in dossiers for event in dossier.more_events if event.precision == "day"
    }


def date_scores(found: set[str], gold: set[str]) -> dict[str, float | int]:
    """Date precision, recall and F1 of the days found against the gold days."""
    hits = len(found & gold)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"days": len(found), "hits": hits, "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def mean(values: Iterable[float]) -> float:
    found = list(values)
    return round(sum(found) / len(found), 4) if found else 0.0
