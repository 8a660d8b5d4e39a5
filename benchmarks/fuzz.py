"""Hostile input against ingest, bounded (a fixed seed, a fixed count): every batch holds one
hostile file and one good article, goes through ``Desk.ingest`` into one store, and must give
one-line problems naming the file (and record), store the good article, read no local file and
leave the store's integrity check ok.

Kinds: random bytes, truncated and deeply nested HTML, JSON Lines with wrong types in every
field, WARC records with lying lengths, feeds with entity bombs (billion laughs) and external
entities (XXE on a local file), gzip bombs (.txt.gz, .jsonl.gz, .warc.gz). Prints inputs tried,
errors reported, articles lost and crashes; exit status 1 unless both of the last are 0.

    python benchmarks/fuzz.py [--count 120] [--seed 22]
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from storydesk.desk import Desk
from storydesk.model import IngestProblem

SECRET = "STORYDESK-FUZZ-SECRET-7f3a"  # written to a local file the XXE feeds name
BOMB_BYTES = 30_000_000  # inflated size of a gzip bomb: past the 20 MB document limit
FIELDS = ("text", "html", "content", "body", "title", "url", "date", "source", "author")
WRONG_VALUES = (0, -1, 2**64, 1.5e308, True, None, [], {}, [[[[]]]], {"a": {"b": {}}}, ["x", 1, None], "", "\x00")
GOOD = (
    "The mayor of {town} said on Tuesday that {n} new bridges would be built over the river by next spring. "
    "\"We have waited long enough,\" she told reporters at the town hall. Work starts in {month}.\n"
)
TOWNS = ("Eastbrook", "Millford", "Ashdale", "Northgate", "Riverton", "Stonebridge", "Westmere", "Oakhaven")


@dataclass
class Tally:
    """What a fuzz run found."""

    inputs: int = 0
    errors: int = 0
    lost: int = 0
    crashes: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def crash(self, message: str) -> None:
        self.crashes += 1
        self.failures.append(message)


def good_article(rng: random.Random, n: int) -> str:
    month = rng.choice(("March", "April", "May", "June"))
    return GOOD.format(town=f"{rng.choice(TOWNS)} {n}", n=rng.randint(2, 99), month=month) * 3


def random_bytes(rng: random.Random) -> tuple[str, bytes]:
    suffix = rng.choice((".txt", ".html", ".jsonl", ".json", ".warc", ".xml", ".rss"))
    return suffix, rng.randbytes(rng.randint(1, 4096))


def truncated_html(rng: random.Random) -> tuple[str, bytes]:
    page = f"<html><head><title>Bridges</title></head><body><article><p>{good_article(rng, 0)}</p></article></body></html>"
    return ".html", page.encode()[: rng.randint(1, len(page))]


def nested_html(rng: random.Random) -> tuple[str, bytes]:
    depth = rng.choice((1_000, 10_000, 50_000))
    tag = rng.choice(("div", "span", "b", "table", "ul"))
    return ".html", (f"<{tag}>" * depth + "deep text" + f"</{tag}>" * rng.randint(0, depth)).encode()


def wrong_types(rng: random.Random) -> tuple[str, bytes]:
    lines = [json.dumps({name: value}) for name in FIELDS for value in WRONG_VALUES]
    lines += [json.dumps({"text": value, "title": rng.choice(WRONG_VALUES)}) for value in WRONG_VALUES]
    lines += ["[" * 100_000 + "]" * 100_000, "{" * 50_000, '{"text": "x"' * 1000, "nul\x00l"]
    rng.shuffle(lines)
    return ".jsonl", "\n".join(lines).encode()


def warc_record(uri: str, body: bytes, declared: int | None = None) -> bytes:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body
    length = len(http) if declared is None else declared
    headers = (
        f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Record-ID: <urn:uuid:{abs(hash(uri)):032x}>\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {length}\r\n\r\n"
    )
    return headers.encode() + http + b"\r\n\r\n"


def lying_warc(rng: random.Random) -> tuple[str, bytes]:
    body = f"<html><body><p>{good_article(rng, 1)}</p></body></html>".encode()
    honest = len(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n") + len(body)
    lie = rng.choice((0, 1, honest // 2, honest + 7, honest * 50, 2**40, -5))
    records = [warc_record("https://a.example/1", body, lie), warc_record("https://a.example/2", body)]
    if rng.random() < 0.5:
        return ".warc", b"".join(records)
    return ".warc.gz", b"".join(gzip.compress(record) for record in records)


def entity_bomb(rng: random.Random) -> tuple[str, bytes]:
    levels = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, rng.randint(5, 12)))
    top = levels.count("<!ENTITY")
    feed = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">{levels}]>'
        f'<rss version="2.0"><channel><title>t</title><item><title>a</title><description>&l{top};</description></item></channel></rss>'
    )
    return ".rss", feed.encode()


def external_entity(secret: Path) -> Callable[[random.Random], tuple[str, bytes]]:
    def make(rng: random.Random) -> tuple[str, bytes]:
        where = rng.choice((f"file://{secret}", str(secret), f"file://{secret.parent}/../{secret.parent.name}/{secret.name}"))
        kind = rng.choice(("SYSTEM", "PUBLIC \"-//x//\""))
        feed = (
            f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe {kind} "{where}">]>'
            '<rss version="2.0"><channel><title>&xxe;</title><item><title>&xxe;</title>'
            "<description>Leak: &xxe; end.</description></item></channel></rss>"
        )
        return rng.choice((".rss", ".xml")), feed.encode()

    return make


def gzip_bomb(bombs: dict[str, bytes]) -> Callable[[random.Random], tuple[str, bytes]]:
    def make(rng: random.Random) -> tuple[str, bytes]:
        suffix = rng.choice(sorted(bombs))
        return suffix, bombs[suffix]

    return make


def make_bombs() -> dict[str, bytes]:
    """Small files that inflate past the document limit (made once: compressing takes a moment)."""
    spaces = gzip.compress(b" " * BOMB_BYTES, 9)
    lines = gzip.compress(b'{"text": "' + b"a" * BOMB_BYTES + b'"}\n', 9)
    warc = gzip.compress(warc_record("https://bomb.example/", b"<p>" + b"0" * BOMB_BYTES + b"</p>"), 9)
    return {".txt.gz": spaces, ".jsonl.gz": lines, ".warc.gz": warc}


def generators(secret: Path) -> dict[str, Callable[[random.Random], tuple[str, bytes]]]:
    return {
        "random bytes": random_bytes, "truncated HTML": truncated_html, "nested HTML": nested_html,
        "JSON wrong types": wrong_types, "WARC lying lengths": lying_warc, "entity bomb": entity_bomb,
        "external entity": external_entity(secret), "gzip bomb": gzip_bomb(make_bombs()),
    }


def check_problems(problems: list[IngestProblem], hostile: Path, tally: Tally) -> None:
    """Each problem is one line naming its file; a reader's own bug is a crash."""
    for problem in problems:
        line = str(problem)
        if "\n" in line or not problem.origin.location == str(hostile):
            tally.crash(f"unclear problem: {line[:200]!r}")
        elif "unexpected error" in line or "Traceback" in line:
            tally.crash(f"reader bug: {line[:200]}")


def run(count: int, seed: int, folder: Path) -> Tally:
    """``count`` batches from ``seed`` into one store under ``folder``."""
    rng = random.Random(seed)
    secret = folder / "secret.txt"
    secret.write_text(SECRET)
    kinds = generators(secret)
    names = sorted(kinds)
    tally = Tally()
    with Desk(folder / "fuzz.db") as desk, sqlite3.connect(folder / "fuzz.db") as check:
        for n in range(count):
            kind = names[n % len(names)]
            suffix, data = kinds[kind](rng)
            batch = folder / f"batch{n:04d}"
            batch.mkdir()
            hostile, good = batch / f"hostile{suffix}", batch / "good.txt"
            hostile.write_bytes(data)
            good.write_text(good_article(rng, n))
            tally.inputs += 1
            tally.kinds[kind] += 1
            try:
                report = desk.ingest([str(hostile), str(good)])
            except Exception as error:  # noqa: BLE001 - counted: the point of fuzzing
                tally.crash(f"{kind} #{n}: {type(error).__name__}: {error}")
                continue
            tally.errors += len(report.problems)
            check_problems(report.problems, hostile, tally)
            if not _stored_and_placed(check, good):
                tally.lost += 1
                tally.failures.append(f"{kind} #{n}: the good article is not stored, analysed and in a story")
    _check_store(folder / "fuzz.db", tally)
    return tally


def _stored_and_placed(check: sqlite3.Connection, good: Path) -> bool:
    """Whether the batch's good article is stored with an analysis and in a story."""
    row = check.execute(
        "SELECT count(*) FROM articles JOIN analyses ON analyses.article_id = articles.id "
        "JOIN story_articles ON story_articles.article_id = articles.id WHERE articles.location = ?",
        (str(good),),
    ).fetchone()
    return row[0] == 1


def _check_store(db: Path, tally: Tally) -> None:
    """SQLite's integrity and foreign-key checks, and no stored text holding the secret."""
    with sqlite3.connect(db) as connection:
        if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            tally.crash("store integrity check failed")
        if connection.execute("PRAGMA foreign_key_check").fetchall():
            tally.crash("store foreign key check failed")
        leaked = connection.execute(
            "SELECT count(*) FROM articles WHERE text LIKE ?1 OR title LIKE ?1 OR site LIKE ?1", (f"%{SECRET}%",)
        ).fetchone()[0]
        if leaked:
            tally.crash(f"{leaked} stored articles hold the local file an external entity named")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=120, help="hostile inputs to try (one batch each)")
    parser.add_argument("--seed", type=int, default=22)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="storydesk-fuzz-") as folder:
        tally = run(args.count, args.seed, Path(folder))
    for failure in tally.failures:
        print(f"FAIL {failure}")
    print("kinds: " + ", ".join(f"{kind} {n}" for kind, n in sorted(tally.kinds.items())))
    print(f"inputs tried: {tally.inputs}")
    print(f"errors reported: {tally.errors}")
    print(f"articles lost: {tally.lost}")
    print(f"crashes: {tally.crashes}")
    print(f"seconds: {time.perf_counter() - started:.0f}")
    return 1 if tally.lost or tally.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
