"""Story placement cost as the store grows: the time to place one new article into its story
(profile, candidate stories by blocking keys, similarity, write, and the revisits: the story
and its runners-up, one story more in turn, with the merges and splits they make) in a store
of 1k, 10k and 100k articles: the median and 99th percentile, the median as a ratio to the
smallest store measured in the same run, how many merges and splits the timed placements made,
and the median of placement alone (revisits switched off), timed in turn with the full
placement so that the machine's load hits both alike.

    make bench-stories                                       # 1k, 10k, 100k: about 30 minutes
    .venv/bin/python benchmarks/placement.py --sizes 1000 10000 --probes 100

The store is filled with generated articles (no spaCy: a vocabulary with a Zipf law, stories
with their own words, entities and places, dates advancing a day per 200 articles) placed by
the real `pipeline.place`, in batches of one transaction; each probe article is then placed in
its own transaction, as ingest does, and timed; every other probe is placed without revisits.
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from storydesk.cluster import online
from storydesk.model import Analysis, Article, Entity, Extraction, Mention, Origin, PublicationDate, Span
from storydesk.pipeline import place
from storydesk.store import Store

SEED = 20241024
VOCABULARY = 40_000  # background words, drawn with a Zipf law
STORY_WORDS = 25  # words of a story's own
WORDS_PER_ARTICLE = 220
STORY_SHARE = 0.35  # share of an article's words taken from its story's words
ARTICLES_PER_STORY = 6  # a new story starts every ~6 articles
ARTICLES_PER_DAY = 200
BATCH = 500  # articles per transaction while filling the store


@dataclass(frozen=True)
class Topic:
    """A generated story: its own words, two persons, an organisation and a place."""

    words: tuple[str, ...]
    entities: tuple[Entity, ...]


class Generator:
    """Deterministic generated articles about a growing set of stories."""

    def __init__(self, seed: int = SEED) -> None:
        self.random = random.Random(seed)
        self.background = [f"w{n}" for n in range(VOCABULARY)]
        # stop words are out of profiles, so the law starts below its head
        self.weights = [1 / (rank + 1000) for rank in range(VOCABULARY)]
        self.topics: list[Topic] = []
        self.made = 0

    def _topic(self) -> Topic:
        number = len(self.topics)
        words = tuple(f"s{number}x{n}" for n in range(STORY_WORDS))
        entities = (
            Entity(f"person:p{number} a", f"P{number} A", "PERSON"),
            Entity(f"person:p{number} b", f"P{number} B", "PERSON"),
            Entity(f"org:o{number % 500}", f"O{number % 500}", "ORG"),
            Entity(f"place:c{number % 200}", f"C{number % 200}", "GPE"),
        )
        return Topic(words, entities)

    def article(self) -> Article:
        """The next article: a new story now and then, else one of the recent stories."""
        if not self.topics or self.random.random() < 1 / ARTICLES_PER_STORY:
            self.topics.append(self._topic())
        topic = self.random.choice(self.topics[-50:])
        own = round(WORDS_PER_ARTICLE * STORY_SHARE)
        words = self.random.choices(topic.words, k=own)
        words += self.random.choices(self.background, self.weights, k=WORDS_PER_ARTICLE - own)
        self.random.shuffle(words)
        text = " ".join(words)
        mentions = [Mention(Span(0, 1, text[:1]), entity.key) for entity in topic.entities]
        day = (date(2024, 1, 1) + timedelta(days=self.made // ARTICLES_PER_DAY)).isoformat()
        self.made += 1
        extraction = Extraction(text=text, title=" ".join(words[:8]), published=PublicationDate(day, "day"))
        return Article(
            Origin(f"generated/{self.made}.txt"), f"generated-{self.made}", "text", extraction,
            analysis=Analysis("bench", entities=list(topic.entities), mentions=mentions),
        )


def add(store: Store, article: Article) -> None:
    """Store a generated article and place it (inside the caller's transaction)."""
    article.id = store.add_article(article, article.content_hash, b"", ())
    place(store, article)


def fill(store: Store, generator: Generator, size: int) -> None:
    """Add generated articles until the store holds ``size``, a transaction per batch."""
    while store.count() < size:
        with store.transaction():
            for _ in range(min(BATCH, size - store.count())):
                add(store, generator.article())


@contextmanager
def without_revisits() -> Iterator[None]:
    """Placement alone, as before revisits: neither the story joined nor the sweep's story is
    re-examined."""
    revisit, sweep = online.revisits.revisit, online.sweep
    online.revisits.revisit = online.sweep = lambda *args: None
    try:
        yield
    finally:
        online.revisits.revisit, online.sweep = revisit, sweep


def probe(store: Store, generator: Generator, probes: int) -> tuple[list[float], list[float]]:
    """Seconds to place each of ``probes`` new articles, one transaction each, as ingest does,
    and, in turn with them, as many placed without revisits."""
    times: tuple[list[float], list[float]] = ([], [])
    for number in range(2 * probes):
        article = generator.article()
        alone = number % 2 == 1
        with without_revisits() if alone else nullcontext():
            start = time.perf_counter()
            with store.transaction():
                add(store, article)
            times[alone].append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--probes", type=int, default=300, help="articles placed and timed at each size")
    args = parser.parse_args()
    generator = Generator()
    rows = []
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "placement.db") as store:
        for size in sorted(args.sizes):
            fill(store, generator, size)
            before = store.history_count()
            times, alone = probe(store, generator, args.probes)
            times.sort()
            p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
            rows.append((size, store.story_count(), statistics.median(times), p99, store.history_count() - before, statistics.median(alone)))
    base = rows[0][2]
    print(f"{'articles':>9} {'stories':>8} {'median ms':>10} {'p99 ms':>8} {'x smallest':>11} {'merges+splits':>14} {'alone ms':>9}")
    for size, stories, median, p99, changes, alone in rows:
        print(f"{size:>9} {stories:>8} {median * 1000:>10.2f} {p99 * 1000:>8.2f} {median / base:>11.2f} {changes:>14} {alone * 1000:>9.2f}")


if __name__ == "__main__":
    main()
