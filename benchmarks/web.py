"""Web app latency on a store of 10,000 articles: the story list and a story page, timed with
20 concurrent clients on loopback (median and 99th percentile), bounded in requests and time.

    make bench-web                                                    # build once (~10 min), then time
    .venv/bin/python benchmarks/web.py build --store /tmp/storydesk-web-bench.db
    .venv/bin/python benchmarks/web.py run --store /tmp/storydesk-web-bench.db --clients 20 --requests 2000

The store (built once, reused while it exists): every distinct article text of the bench
corpora (../shared/bench: ECB+ train and dev, PolNeAR train and dev, WCXB dev gold texts),
ingested by the real pipeline (``pipeline.prepare`` in a process pool, ``pipeline.commit`` in
this process: extraction, dedupe, spaCy analysis, story placement; about 20 minutes on 2
cores). There are about 2,500 such texts, so the store is filled up to 10,000 with copies: a
real text with one distinct line appended (its own content hash), carrying the analysis of its
source, stored by the store calls ``pipeline.commit`` makes (linked as a near duplicate found
by the LSH bands, then placed in its source's story, as syndicated wire copy is), 500 to a
transaction. The stories are therefore about four times bigger than the corpora's own, which
makes the story pages harder, not easier, to serve.

``run`` starts ``storydesk serve`` (uvicorn, one process) on a free loopback port, warms every
timed URL once (the first dossier of a story is built and cached; its cold time is reported
apart), then has ``--clients`` threads request story-list pages and story pages (the largest
stories and a sample of others) until ``--requests`` are done or ``--seconds`` have passed.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from storydesk import dedupe, pipeline
from storydesk.eval.runs import iter_records
from storydesk.model import Article, IngestProblem, Origin, RawDocument
from storydesk.store import Store

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench"
SOURCES = (
    ("clustering/ecbplus-train.jsonl.gz", "doc_id"),
    ("clustering/ecbplus-dev.jsonl.gz", "doc_id"),
    ("quotes/polnear-train.jsonl.gz", "article"),
    ("quotes/polnear-dev.jsonl.gz", "article"),
    ("extraction/wcxb-dev-articles.jsonl.gz", "id"),
)
DEFAULT_STORE = Path("/tmp/storydesk-web-bench.db")
COPIES = "generated-copies"  # the origin of the copies
COPY_BATCH = 500


# -- building the store -------------------------------------------------------------------


def real_documents(bench: Path) -> Iterator[RawDocument]:
    """Every distinct article text of the bench corpora, as already-extracted text."""
    seen: set[str] = set()
    for name, id_field in SOURCES:
        path = bench / name
        for record in iter_records(path):
            key = str(record[id_field])
            if key in seen or not record.get("text"):
                continue
            seen.add(key)
            yield RawDocument(
                Origin(name, key), "text", record["text"], url=record.get("url"),
                title=record.get("title"), date=record.get("date"),
            )


def _prepare(raw: RawDocument) -> pipeline.Prepared | IngestProblem:
    """pipeline.prepare in a worker process (a failure becomes a problem, as in ingest)."""
    try:
        return pipeline.prepare(raw)
    except Exception as error:  # one hostile text must not stop the build
        return IngestProblem(raw.origin, f"{type(error).__name__}: {error}")


def ingest_real(store: Store, bench: Path, workers: int) -> None:
    """Ingest the real texts: analysis in ``workers`` processes, each commit in this one."""
    with ProcessPoolExecutor(workers) as pool:
        for done, prepared in enumerate(pool.map(_prepare, real_documents(bench), chunksize=8), start=1):
            if not isinstance(prepared, IngestProblem) and prepared.article.analysis is not None:
                pipeline.commit(store, prepared)
            if done % 200 == 0:
                print(f"  {done} real texts", file=sys.stderr)


def copy_of(article: Article, number: int) -> pipeline.Prepared:
    """A copy of a stored article with one distinct line appended; its analysis (whose offsets
    all fall in the unchanged text before that line) is the source's."""
    text = f"{article.text}\nCopy {number} of article {article.id}, republished."
    extraction = replace(article.extraction, text=text, removed=[])
    copy = Article(
        Origin(COPIES, str(number)), f"copy-{number}-{article.content_hash}",
        "text", extraction, analysis=article.analysis,
    )
    return pipeline.Prepared(copy, dedupe.fingerprint(text))


def add_copies(store: Store, size: int) -> None:
    """Fill the store up to ``size`` with copies of its real articles, ``COPY_BATCH`` per
    transaction, by the store calls ``pipeline.commit`` makes (link, insert, analysis, place);
    the person keys are not re-linked, as the source's stored analysis already is."""
    real = [a.id for a in store.articles() if a.origin.location != COPIES]
    number = store.count()
    while store.count() < size:
        with store.transaction():
            for _ in range(min(COPY_BATCH, size - store.count())):
                prepared = copy_of(store.article(real[number % len(real)]), number)
                article, fingerprint = prepared.article, prepared.fingerprint
                article.duplicate_of = pipeline.find_original(store, fingerprint)
                article.id = store.add_article(article, fingerprint.text_hash, fingerprint.signature, fingerprint.buckets)
                store.save_analysis(article.id, article.analysis)
                pipeline.place(store, article)
                number += 1
        print(f"  {store.count()} articles", file=sys.stderr)


def build(path: Path, bench: Path, size: int, workers: int) -> None:
    """Fill the store at ``path`` up to ``size`` articles (real texts first, then copies);
    an interrupted build resumes."""
    started = time.perf_counter()
    with Store(path) as store:
        if store.count() == 0:
            ingest_real(store, bench, workers)
            print(f"{store.count()} real articles in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        add_copies(store, size)
        print(
            f"{store.count()} articles, {store.story_count()} stories in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )


# -- timing the server --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def story_sample(path: Path, count: int) -> list[tuple[int, int]]:
    """(story id, size) of the largest stories and of a random sample of the others."""
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT id, size FROM stories ORDER BY size DESC, id").fetchall()
    largest, others = rows[: count // 2], rows[count // 2 :]
    return largest + random.Random(1).sample(others, min(len(others), count - len(largest)))


def fetch(url: str) -> float:
    """Seconds to GET ``url`` and read the whole body; raises on a non-200 answer."""
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as answer:
        answer.read()
        if answer.status != 200:
            raise RuntimeError(f"{url}: HTTP {answer.status}")
    return time.perf_counter() - start


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            fetch(url)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer at {url}")


def hammer(urls: dict[str, list[str]], clients: int, requests: int, seconds: float) -> dict[str, list[float]]:
    """``clients`` threads each request a random URL of a random kind until ``requests`` are done
    or ``seconds`` pass; the latencies by kind."""
    times: dict[str, list[float]] = {kind: [] for kind in urls}
    lock = threading.Lock()
    issued = [0]
    deadline = time.monotonic() + seconds

    def client(seed: int) -> None:
        chooser = random.Random(seed)
        while time.monotonic() < deadline:
            with lock:
                if issued[0] >= requests:
                    return
                issued[0] += 1
            kind = chooser.choice(list(urls))
            elapsed = fetch(chooser.choice(urls[kind]))
            with lock:
                times[kind].append(elapsed)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(path: Path, clients: int, requests: int, seconds: float, stories: int) -> dict:
    """Serve the store and time the story list and story pages under concurrent load."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "storydesk", "--db", str(path), "serve", "--port", str(port), "--log-level", "warning"],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    try:
        wait_for(base + "/")
        sample = story_sample(path, stories)
        with sqlite3.connect(path) as db:
            pages = max(1, db.execute("SELECT count(*) FROM stories").fetchone()[0] // 50)
        urls = {
            "story list": [f"{base}/?page={n}" for n in random.Random(2).sample(range(1, pages + 1), min(pages, 20))] + [base + "/"],
            "story page": [f"{base}/stories/{story_id}" for story_id, _ in sample],
        }
        cold = {story_id: fetch(f"{base}/stories/{story_id}") for story_id, _ in sample}
        for url in urls["story list"]:
            fetch(url)
        started = time.perf_counter()
        times = hammer(urls, clients, requests, seconds)
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    sizes = dict(sample)
    biggest = max(sizes, key=sizes.get)
    result = {
        "clients": clients,
        "requests": sum(len(v) for v in times.values()),
        "requests_per_second": round(sum(len(v) for v in times.values()) / elapsed, 1),
        "stories_timed": len(sample),
        "largest_story_articles": sizes[biggest],
        "cold_dossier_ms_largest": round(cold[biggest] * 1000, 1),
        "cold_dossier_ms_median": round(statistics.median(cold.values()) * 1000, 1),
    }
    for kind, values in times.items():
        key = kind.replace(" ", "_")
        result[f"{key}_median_ms"] = round(statistics.median(values) * 1000, 1)
        result[f"{key}_p99_ms"] = round(percentile(values, 0.99) * 1000, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("build", help="build the benchmark store (once)")
    make.add_argument("--store", type=Path, default=DEFAULT_STORE)
    make.add_argument("--bench", type=Path, default=BENCH)
    make.add_argument("--articles", type=int, default=10_000)
    make.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    time_it = commands.add_parser("run", help="serve the store and time it")
    time_it.add_argument("--store", type=Path, default=DEFAULT_STORE)
    time_it.add_argument("--clients", type=int, default=20)
    time_it.add_argument("--requests", type=int, default=2000, help="at most this many timed requests")
    time_it.add_argument("--seconds", type=float, default=120, help="and at most this long")
    time_it.add_argument("--stories", type=int, default=40, help="story pages timed: the largest half, a sample of the rest")
    args = parser.parse_args()
    if args.command == "build":
        if not args.bench.exists():
            sys.exit(f"benchmark corpora not found: {args.bench}")
        build(args.store, args.bench, args.articles, args.workers)
    else:
        if not args.store.exists():
            sys.exit(f"no store at {args.store}: run `benchmarks/web.py build` first")
        print(json.dumps(run(args.store, args.clients, args.requests, args.seconds, args.stories)))


if __name__ == "__main__":
    main()
