"""Per-stage throughput benchmark: each storydesk stage against a baseline run in the same
process on the same inputs (trafilatura alone on the pages, spaCy alone on the texts), with
peak memory. Models are loaded and every stage warmed up before anything is timed.

    make bench                                  # 30 pages and 30 texts, parallel group included
    make bench BENCH_ARGS="--pages 200 --json bench.json"
    .venv/bin/python benchmarks/bench.py --pages 50 --repeat 3
    .venv/bin/python benchmarks/bench.py --no-parallel     # the stages alone, about 4 minutes
    STORYDESK_QUOTES=rules .venv/bin/python benchmarks/bench.py --no-parallel    # another quote finder
    .venv/bin/python benchmarks/bench.py --analysis-only --pages 40    # spaCy against the analysis alone

The parallel group runs the whole per-article pipeline through ``storydesk.scale.process`` with
1 and 2 workers on the local engine and on a Dask LocalCluster, over the same pages written as
JSONL container files of ``--pages-per-shard`` pages, one shard each. The default is 1 page: a
shard's own cost (a Parquet file, a marker, a task) is milliseconds against about a second per
page, and on a 30-page corpus bigger shards leave one worker idle at the end (15 shards of 2
pages cap 2 workers at 30/16 = 1.88x); ``--pages-per-shard 5`` looks more like real shards.
Each row is compared with "trafilatura + spaCy (baseline)" from the ingest group and with the
same engine's 1-worker row (speedup); start-up and the peak memory of the whole process tree
are reported beside it (see ``bench_parallel``). Unlike the sequential rows, the workers see
the corpus's words for the first time (spaCy's first-sight cost, about 12%, is primed away
there), as a single real run would.

The corpus is the first N pages of ../shared/bench/extraction (WCXB dev articles) and the first
N article texts of ../shared/bench/quotes (PolNeAR dev, then train); without ../shared/bench it
is generated from the example articles (deterministic), and the output says so.
"""
from __future__ import annotations

import argparse
import html
import itertools
import json
import math
import os
import random
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, Self, TypeVar

import psutil
import trafilatura
from spacy.language import Language
from spacy.tokens import Doc

from storydesk import pipeline, scale
from storydesk.analyse import analyse
from storydesk.analyse.entities import find_entities
from storydesk.analyse.figures import find_figures
from storydesk.analyse.nlp import load_pipeline
from storydesk.analyse.quotes import finder, quote_system
from storydesk.analyse.timex import find_time_expressions
from storydesk.desk import Desk
from storydesk.eval.runs import iter_records
from storydesk.extract.clean import clean_text
from storydesk.extract.html import extract_html
from storydesk.extract.language import detect_language
from storydesk.extract.visible_text import visible_text
from storydesk.model import Origin, RawDocument

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BENCH = ROOT.parent / "shared" / "bench"
EXAMPLES = ROOT / "examples" / "corpus"
PAGES_FILE = Path("extraction", "wcxb-dev-articles.jsonl.gz")
TEXT_FILES = (Path("quotes", "polnear-dev.jsonl.gz"), Path("quotes", "polnear-train.jsonl.gz"))
# PolNeAR texts carry no date; time expressions are resolved against a day of its period
# (2015-2016) so that the resolution code runs as it does on dated articles.
POLNEAR_ANCHOR = "2016-06-01"
SYNTHETIC_ANCHOR = "2024-10-25"
# About 4 minutes on 2 loaded cores without the parallel group: spaCy alone takes ~1.4 s of
# CPU per WCXB page here. The parallel group runs the pipeline 4 more times (1 and 2 workers).
DEFAULT_PAGES = 30
SYNTHETIC_SEED = 20240625
SYNTHETIC_PARAGRAPHS = 12  # paragraphs per generated article
MIN_PROSE_WORDS = 8  # an example line with fewer words is furniture, not a paragraph to reuse
PAGES_PER_SHARD = 1
WORKER_COUNTS = (1, 2)
SPEEDUP_TARGET = 1.8  # 2 workers over 1 on this 2-core machine (issue 6)
ANALYSIS_TIME_TARGET = 1.5  # the whole analysis, default quote finder, in times spaCy's own time
MEMORY_SAMPLE_SECONDS = 0.2

R = TypeVar("R")
S = TypeVar("S")


@dataclass(frozen=True)
class Corpus:
    """The fixed inputs: HTML pages (extraction, text mode, ingest) and article texts (analysis)."""

    pages: list[str]
    texts: list[str]
    published: str
    source: str


@dataclass
class Row:
    """One timed stage. ``baseline`` names the row it is compared with; a ``part`` runs on the
    baseline's output, so all its time is added to the baseline's. A parallel row names its
    engine and workers, its start-up and the peak memory of the process tree; its CPU time is
    None (the work is in other processes)."""

    group: str
    stage: str
    items: int
    seconds: float
    cpu_seconds: float | None
    baseline: str | None = None
    part: bool = False
    engine: str | None = None
    workers: int | None = None
    startup_seconds: float | None = None
    peak_memory_mb: float | None = None

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds > 0 else math.inf


# --- corpus ---------------------------------------------------------------------------------


def load_corpus(bench: Path, count: int) -> Corpus:
    """The benchmark corpus from ``bench`` when its files are there, else a generated one."""
    if (bench / PAGES_FILE).exists() and (bench / TEXT_FILES[0]).exists():
        pages = list(itertools.islice(_field_values([bench / PAGES_FILE], "html"), count))
        texts = list(itertools.islice(_field_values([bench / f for f in TEXT_FILES], "text"), count))
        source = f"{bench}: first {len(pages)} WCXB dev pages, first {len(texts)} PolNeAR texts (dev, then train)"
        return Corpus(pages, texts, POLNEAR_ANCHOR, source)
    return synthetic_corpus(count)


def _field_values(paths: Sequence[Path], name: str) -> Iterator[str]:
    """One field of every record of some JSONL.gz files, in order (missing files skipped)."""
    for path in paths:
        if path.exists():
            yield from (record[name] for record in iter_records(path))


def synthetic_corpus(count: int) -> Corpus:
    """``count`` articles recombined from the example articles' prose paragraphs (a fixed seed,
    so every run gets the same corpus), each also wrapped in a page with furniture."""
    paragraphs = [
        line.strip()
        for path in sorted(EXAMPLES.glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if len(line.split()) >= MIN_PROSE_WORDS
    ]
    rng = random.Random(SYNTHETIC_SEED)
    per_article = min(SYNTHETIC_PARAGRAPHS, len(paragraphs))
    texts = ["\n".join(rng.sample(paragraphs, per_article)) for _ in range(count)]
    pages = [_as_page(number, text) for number, text in enumerate(texts)]
    source = f"SYNTHETIC: {count} articles recombined from {EXAMPLES} (../shared/bench not found)"
    return Corpus(pages, texts, SYNTHETIC_ANCHOR, source)


def _as_page(number: int, text: str) -> str:
    """An HTML news page around ``text``: navigation, headline, date, paragraphs, footer."""
    body = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines())
    headline = html.escape(text.split(".")[0][:90])
    return (
        f"<html><head><title>{headline}</title>"
        f'<meta property="article:published_time" content="{SYNTHETIC_ANCHOR}"></head><body>'
        "<nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/europe'>Europe</a></nav>"
        f"<article><h1>{headline}</h1><p class='byline'>By Staff Writer {number}</p>{body}</article>"
        "<aside><h2>Related</h2><ul><li><a href='/a'>More news</a></li></ul></aside>"
        "<footer>Follow us on social media. All rights reserved.</footer></body></html>"
    )


# --- timing ---------------------------------------------------------------------------------


class Stopwatch:
    """Wall (perf_counter) and CPU (process_time) seconds accumulated per named step."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def time(self, name: str, work: Callable[..., R], *args: Any) -> R:
        """``work(*args)``, its time added to step ``name``."""
        wall, cpu = time.perf_counter(), time.process_time()
        result = work(*args)
        self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - wall
        self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu
        return result


def best_of(repeat: int, run_once: Callable[[Stopwatch], None]) -> Stopwatch:
    """The best (least) time of each step over ``repeat`` runs of ``run_once``. Each run times
    the contenders item by item in turn, so a change of machine load hits them alike."""
    runs = []
    for _ in range(max(1, repeat)):
        runs.append(Stopwatch())
        run_once(runs[-1])
    best = Stopwatch()
    for name in runs[0].wall:
        best.wall[name] = min(run.wall[name] for run in runs)
        best.cpu[name] = min(run.cpu[name] for run in runs)
    return best


def in_turn(number: int, first: Callable[[], R], second: Callable[[], S]) -> tuple[R, S]:
    """Both results, the calls made in turn: ``first`` first on even items, ``second`` first on
    odd ones, so neither always gets what the other left warm (trafilatura's lru_caches)."""
    if number % 2:
        later = second()
        return first(), later
    earlier = first()
    return earlier, second()


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def warm_up(corpus: Corpus, workdir: Path) -> None:
    """Load every model and lazily built rule table before timing (load time is not throughput)."""
    page, text = corpus.pages[0], corpus.texts[0]
    load_pipeline()(text)
    analyse(text, corpus.published)
    trafilatura.extract(page)
    extract_html(page)
    clean_text(visible_text(page))
    detect_language(text)
    (path,) = write_pages(corpus.pages[:1], workdir / "warm-up")
    with Desk(workdir / "warm-up.db") as desk:
        desk.ingest([str(path)])


def prime_vocabulary(nlp: Language, texts: Sequence[str]) -> None:
    """Parse every text once, untimed. spaCy's first sight of a word costs more (new lexemes,
    lemmatizer cache): about 12% on the first pass over new texts. Primed, both contenders run
    as in a long run over a corpus whose words have been seen."""
    for text in texts:
        nlp(text)


def write_pages(pages: Sequence[str], folder: Path) -> list[Path]:
    """The pages as numbered .html files in ``folder`` (the input of the ingest stage)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{number:05d}.html" for number in range(len(pages))]
    for path, page in zip(paths, pages):
        path.write_text(page, encoding="utf-8")
    return paths


# --- stages ---------------------------------------------------------------------------------

TRAFILATURA = "trafilatura.extract (baseline)"
SPACY = "spaCy nlp(text) (baseline)"
ANALYSE = "analyse (spaCy + our parts)"
PARTS = ("find_entities", "find_quotes", "find_figures", "find_time_expressions")
INGEST_BASELINE = "trafilatura + spaCy (baseline)"


def rows_of(
    group: str, watch: Stopwatch, items: int, baselines: dict[str, str | None], parts: Sequence[str] = ()
) -> list[Row]:
    """One row per timed step, in the order given, with the baseline each is compared with."""
    return [
        Row(group, name, items, watch.wall[name], watch.cpu[name], baseline, name in parts)
        for name, baseline in baselines.items()
    ]


def bench_extraction(corpus: Corpus, repeat: int) -> list[Row]:
    """trafilatura alone vs our HTML extraction (trafilatura + fallback + our dates)."""
    def run_once(watch: Stopwatch) -> None:
        for number, page in enumerate(corpus.pages):
            in_turn(number, partial(watch.time, TRAFILATURA, trafilatura.extract, page),
                    partial(watch.time, "extract_html", extract_html, page))

    watch = best_of(repeat, run_once)
    return rows_of("extraction", watch, len(corpus.pages), {TRAFILATURA: None, "extract_html": TRAFILATURA})


def bench_text_mode(corpus: Corpus, repeat: int) -> list[Row]:
    """The page's visible text (lxml walk), then our cleaner on that text (no baseline: the
    cleaner has no off-the-shelf equivalent)."""
    def run_once(watch: Stopwatch) -> None:
        for page in corpus.pages:
            watch.time("clean_text (on visible text)", clean_text, watch.time("visible_text", visible_text, page))

    watch = best_of(repeat, run_once)
    steps = {"visible_text": None, "clean_text (on visible text)": None}
    return rows_of("text mode", watch, len(corpus.pages), steps)


def bench_analysis(corpus: Corpus, repeat: int) -> list[Row]:
    """spaCy alone vs the whole analysis, then each of our parts alone on spaCy's doc (quotes
    by the finder STORYDESK_QUOTES chooses, as in the analysis)."""
    nlp, anchor = load_pipeline(), date.fromisoformat(corpus.published)
    find_quotes = finder(quote_system())
    prime_vocabulary(nlp, corpus.texts)

    def run_once(watch: Stopwatch) -> None:
        for number, text in enumerate(corpus.texts):
            doc, _ = in_turn(number, partial(watch.time, SPACY, nlp, text),
                             partial(watch.time, ANALYSE, analyse, text, corpus.published))
            _, mentions = watch.time("find_entities", find_entities, doc)
            quotes = watch.time("find_quotes", find_quotes, doc, mentions)
            watch.time("find_figures", find_figures, doc, quotes, mentions)
            watch.time("find_time_expressions", find_time_expressions, text, anchor)

    watch = best_of(repeat, run_once)
    steps = {SPACY: None, ANALYSE: SPACY} | {part: SPACY for part in PARTS}
    return rows_of("analysis", watch, len(corpus.texts), steps, PARTS)


def bench_ingest(corpus: Corpus, workdir: Path, repeat: int) -> list[Row]:
    """trafilatura then spaCy on each page vs Desk.ingest of the same page as an .html file
    (extraction, language, dedupe, analysis, one transaction in a fresh store per run)."""
    nlp, paths = load_pipeline(), write_pages(corpus.pages, workdir / "pages")
    prime_vocabulary(nlp, [trafilatura.extract(page) or "" for page in corpus.pages])
    runs = itertools.count()

    def run_once(watch: Stopwatch) -> None:
        with Desk(workdir / f"bench-{next(runs)}.db") as desk:
            for number, (page, path) in enumerate(zip(corpus.pages, paths)):
                in_turn(number, partial(watch.time, INGEST_BASELINE, _extract_and_parse, nlp, page),
                        partial(watch.time, "Desk.ingest (whole pipeline)", desk.ingest, [str(path)]))

    watch = best_of(repeat, run_once)
    steps = {INGEST_BASELINE: None, "Desk.ingest (whole pipeline)": INGEST_BASELINE}
    return rows_of("ingest", watch, len(corpus.pages), steps)


def _extract_and_parse(nlp: Language, page: str) -> Doc:
    """The baselines' work on one page: trafilatura's text, parsed by spaCy."""
    return nlp(trafilatura.extract(page) or "")


# --- parallel -------------------------------------------------------------------------------


class TreeMemory:
    """Peak summed RSS of this process and all its descendants, sampled by a background thread
    while in the ``with`` block. Not RUSAGE_CHILDREN: its ru_maxrss is the largest peak of any
    one waited-for child, not a sum, and leaves out processes still running (Dask workers, the
    forkserver) and pool workers, which are the forkserver's children, not ours. A page two
    forked processes share is counted in both, so the sum errs high."""

    def __init__(self) -> None:
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        root = psutil.Process()
        while True:
            self.peak_bytes = max(self.peak_bytes, tree_rss(root))
            if self._stop.wait(MEMORY_SAMPLE_SECONDS):
                return


def tree_rss(root: psutil.Process) -> int:
    """Resident bytes of ``root`` and its descendants now (one that exits meanwhile counts 0)."""
    total = 0
    for process in [root, *root.children(recursive=True)]:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def write_shards(pages: Sequence[str], folder: Path, per_shard: int) -> list[str]:
    """The pages as JSONL container files of ``per_shard`` records each (one shard apiece)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for start in range(0, len(pages), per_shard):
        path = folder / f"pages-{start:05d}.jsonl"
        lines = (json.dumps({"html": page}, ensure_ascii=False) for page in pages[start:start + per_shard])
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(str(path))
    return paths


def process_stage(engine: str, workers: int) -> str:
    """The row name of a parallel run ("process local, 2 workers")."""
    return f"process {engine}, {workers} worker{'s' if workers > 1 else ''}"


def bench_parallel(corpus: Corpus, workdir: Path, repeat: int, per_shard: int) -> list[Row]:
    """The whole pipeline through ``scale.process`` with 1 and 2 workers, local and Dask. Each of
    ``repeat`` runs times every setting once, in turn, and a row keeps its best run: this
    machine's speed drifts over minutes, and settings timed in turn meet the drift alike. An
    untimed call first starts the forkserver, a one-off per parent process. Start-up is timed
    apart: for local, a call on the first page alone (a fresh pool's fork, model load and one
    page: every process() call pays it again, so it is inside the row's seconds too); for Dask,
    the LocalCluster's start plus every worker's first page, paid once per cluster and not in
    the row's seconds, which are those of process() on the warm cluster."""
    paths = write_shards(corpus.pages, workdir / "shards", per_shard)
    first = write_shards(corpus.pages[:1], workdir / "first", 1)
    scale.process(first, workdir / "forkserver-warm-up", engine="local", workers=1)
    warm = RawDocument(Origin("warm-up"), "html", corpus.pages[0])
    settings = [(engine, workers) for engine in ("local", "dask") for workers in WORKER_COUNTS]
    runs: dict[tuple[str, int], list[ParallelRun]] = {setting: [] for setting in settings}
    for run in range(max(1, repeat)):
        for engine, workers in settings:
            _progress(f"parallel: {process_stage(engine, workers)}, run {run + 1}")
            out = workdir / f"{engine}-{workers}-{run}"
            timed = _local_run(paths, first, out, workers) if engine == "local" else _dask_run(paths, warm, out, workers)
            runs[engine, workers].append(timed)
    return [_parallel_row(len(corpus.pages), engine, workers, runs[engine, workers]) for engine, workers in settings]


@dataclass(frozen=True)
class ParallelRun:
    """One timed process() call: its seconds, its engine's start-up and the tree's peak memory."""

    seconds: float
    startup_seconds: float
    peak_bytes: int


def _local_run(paths: list[str], first: list[str], out: Path, workers: int) -> ParallelRun:
    """A fresh pool's start-up (the first page alone), then the timed call over every shard."""
    start = time.perf_counter()
    scale.process(first, out / "start", engine="local", workers=workers)
    startup = time.perf_counter() - start
    return _timed_process(paths, out / "run", startup, engine="local", workers=workers)


def _dask_run(paths: list[str], warm: RawDocument, out: Path, workers: int) -> ParallelRun:
    """A LocalCluster like the one the dask engine starts (dashboard off), started and given
    each worker its first page before the clock starts, then the timed call."""
    from dask.distributed import Client, LocalCluster

    start = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        client.run(pipeline.prepare, warm)
        startup = time.perf_counter() - start
        return _timed_process(paths, out / "run", startup, engine="dask", workers=workers,
                              scheduler=cluster.scheduler_address)


def _timed_process(paths: list[str], out: Path, startup: float, **engine: Any) -> ParallelRun:
    """Wall seconds of one process() call into a fresh folder (no shard reused) and the peak
    memory of the process tree meanwhile."""
    with TreeMemory() as memory:
        start = time.perf_counter()
        report = scale.process(paths, out, **engine)
        seconds = time.perf_counter() - start
    if report.done != len(paths):
        raise RuntimeError(f"{engine}: {report.done} of {len(paths)} shards done: {report.problems[:3]}")
    return ParallelRun(seconds, startup, memory.peak_bytes)


def _parallel_row(pages: int, engine: str, workers: int, runs: list[ParallelRun]) -> Row:
    """A setting's row: its best run's seconds, its least start-up, its highest peak memory."""
    return Row("parallel", process_stage(engine, workers), pages, min(run.seconds for run in runs), None,
               INGEST_BASELINE, engine=engine, workers=workers,
               startup_seconds=min(run.startup_seconds for run in runs),
               peak_memory_mb=max(run.peak_bytes for run in runs) / 2**20)


# --- report ---------------------------------------------------------------------------------


def summarise(rows: list[Row]) -> list[dict[str, Any]]:
    """Each row with its rate, its baseline's rate, the ratio of the two rates, and the time it
    adds to its baseline as a share of the baseline's time (wall and CPU); a parallel row also
    with its speedup over the same engine's 1-worker row."""
    by_stage = {row.stage: row for row in rows}
    table = []
    for row in rows:
        base = by_stage.get(row.baseline) if row.baseline else None
        entry = asdict(row) | {"rate": row.rate, "baseline_rate": None, "ratio": None,
                               "added_share": None, "added_cpu_share": None, "speedup": None}
        if base is not None:
            entry |= {"baseline_rate": base.rate, "ratio": row.rate / base.rate,
                      "added_share": _added(row.seconds, base.seconds, row.part),
                      "added_cpu_share": _added(row.cpu_seconds, base.cpu_seconds, row.part)}
        one_worker = by_stage.get(process_stage(row.engine, 1)) if row.engine else None
        if one_worker is not None:
            entry["speedup"] = row.rate / one_worker.rate
        table.append(entry)
    return table


def _added(seconds: float | None, baseline_seconds: float | None, part: bool) -> float | None:
    """Time added to the baseline's, as a share of it (a part's own time is all added)."""
    if seconds is None or baseline_seconds is None:
        return None
    return (seconds if part else seconds - baseline_seconds) / baseline_seconds


def speedups(table: list[dict[str, Any]]) -> dict[str, float]:
    """Each engine's speedup of its most workers over 1 worker."""
    return {row["engine"]: row["speedup"] for row in table if row["engine"] and row["workers"] == max(WORKER_COUNTS)}


# (title, width, report key, format) of the table's columns; parallel rows have their own.
Column = tuple[str, int, str, str]
STAGE_COLUMNS: tuple[Column, ...] = (
    ("items", 6, "items", "d"), ("seconds", 9, "seconds", ".2f"), ("items/s", 9, "rate", ".2f"),
    ("base/s", 9, "baseline_rate", ".2f"), ("ratio", 7, "ratio", ".2f"), ("added", 7, "added_share", ".0%"),
    ("cpu s", 9, "cpu_seconds", ".2f"), ("added cpu", 10, "added_cpu_share", ".0%"),
)
PARALLEL_COLUMNS: tuple[Column, ...] = STAGE_COLUMNS[:5] + (
    ("speedup", 8, "speedup", ".2f"), ("startup s", 10, "startup_seconds", ".2f"),
    ("peak MB", 9, "peak_memory_mb", ".0f"),
)


def render(report: dict[str, Any]) -> str:
    """The report as a plain-text table with its notes."""
    lines = [
        f"corpus: {report['corpus']}",
        f"repeat: {report['repeat']} (best taken)",
        f"quote finder: {report['quote_finder']} (STORYDESK_QUOTES)",
        *_table(report["rows"]),
    ]
    lines += [
        "",
        "seconds = wall (perf_counter); ratio = items/s over baseline items/s; added = time added to",
        "the baseline's, as a share of it (a part: its own time on spaCy's doc); cpu = process_time.",
        (f"our analysis work as a share of spaCy's time: {_number(report['analysis_added_share'], '.1%')} wall,"
         f" {_number(report['analysis_added_cpu_share'], '.1%')} CPU (target: under 33%)"),
        (f"the whole analysis takes {1 + report['analysis_added_share']:.2f} times spaCy's time wall,"
         f" {1 + report['analysis_added_cpu_share']:.2f} CPU (target: at most {ANALYSIS_TIME_TARGET})"),
        f"peak memory (maxrss of this process alone): {report['peak_memory_mb']:.0f} MB",
        (f"load average (1 min) at start/end: {report['load_average'][0]:.2f} / {report['load_average'][1]:.2f}"
         f" on {os.cpu_count()} CPUs"),
    ]
    return "\n".join(lines + (_parallel_notes(report) if report["parallel_speedup"] else []))


def _parallel_notes(report: dict[str, Any]) -> list[str]:
    """What the parallel columns mean, and the speedup of each engine against its target."""
    speedup = ", ".join(f"{engine} {value:.2f}" for engine, value in report["parallel_speedup"].items())
    return [
        "",
        f"parallel: scale.process over {report['shards']} JSONL shards of at most {report['pages_per_shard']} page(s).",
        "ratio = items/s over the sequential baseline's; speedup = over the same engine's 1-worker items/s;",
        "startup s: local = a fresh pool's first page (every call pays it, so it is inside seconds too),",
        "dask = LocalCluster start + each worker's first page (once per cluster, not inside seconds);",
        "peak MB = highest summed RSS of this process and all its descendants, sampled every",
        f"{MEMORY_SAMPLE_SECONDS} s (pages that forked processes share are counted in each).",
        f"speedup 1 -> 2 workers: {speedup} (target {SPEEDUP_TARGET})",
    ]


def _table(rows: list[dict[str, Any]]) -> list[str]:
    """The rows under a header, group by group; a header again where the columns change."""
    lines: list[str] = []
    columns, group = None, None
    for row in rows:
        wanted = PARALLEL_COLUMNS if row["engine"] else STAGE_COLUMNS
        if wanted is not columns:
            columns = wanted
            header = f"{'stage':<38}" + "".join(f"{title:>{width}}" for title, width, _, _ in columns)
            lines += ["", header, "-" * len(header)]
        if row["group"] != group:
            group = row["group"]
            lines.append(f"[{group}]")
        stage = ("  " if row["part"] else "") + row["stage"]
        lines.append(f"{stage:<38}" + "".join(f"{_number(row[key], spec):>{width}}" for _, width, key, spec in columns))
    return lines


def _number(value: float | None, spec: str) -> str:
    return "" if value is None else format(value, spec)


def peak_memory_mb() -> float:
    """This process's peak resident memory (Linux reports ru_maxrss in kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(
    corpus: Corpus, repeat: int, pages_per_shard: int | None = PAGES_PER_SHARD, analysis_only: bool = False
) -> dict[str, Any]:
    """Warm up, time every stage (the parallel group unless ``pages_per_shard`` is None; the
    analysis group alone if ``analysis_only``), and gather the report."""
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="storydesk-bench-") as tmp:
        workdir = Path(tmp)
        _progress("loading models and warming up")
        warm_up(corpus, workdir)
        rows: list[Row] = []
        groups = (("extraction", bench_extraction), ("text mode", bench_text_mode), ("analysis", bench_analysis))
        for name, stage in groups[2:] if analysis_only else groups:
            _progress(name)
            rows += stage(corpus, repeat)
        if not analysis_only:
            _progress("ingest")
            rows += bench_ingest(corpus, workdir, repeat)
        if pages_per_shard is not None:
            rows += bench_parallel(corpus, workdir, repeat, pages_per_shard)
    table = summarise(rows)
    analysis = next(row for row in table if row["stage"] == ANALYSE)
    return {
        "corpus": corpus.source,
        "repeat": repeat,
        "quote_finder": quote_system(),
        "rows": table,
        "analysis_added_share": analysis["added_share"],
        "analysis_added_cpu_share": analysis["added_cpu_share"],
        "pages_per_shard": pages_per_shard,
        "shards": math.ceil(len(corpus.pages) / pages_per_shard) if pages_per_shard else None,
        "parallel_speedup": speedups(table),
        "speedup_target": SPEEDUP_TARGET,
        "peak_memory_mb": peak_memory_mb(),
        "load_average": [load_start, os.getloadavg()[0]],
    }


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Parse the options, run the benchmark, print the table (and write JSON); returns the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=DEFAULT_PAGES, help=f"pages and texts (default {DEFAULT_PAGES})")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement, best taken (default 1)")
    parser.add_argument("--json", type=Path, help="also write the report as JSON to this file")
    parser.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH, help="benchmark data folder")
    parser.add_argument("--pages-per-shard", type=int, default=PAGES_PER_SHARD,
                        help=f"pages per JSONL shard in the parallel group (default {PAGES_PER_SHARD})")
    parser.add_argument("--no-parallel", action="store_true", help="skip the parallel group (scale.process)")
    parser.add_argument("--analysis-only", action="store_true", help="time the analysis group alone")
    options = parser.parse_args(argv)
    per_shard = None if options.no_parallel or options.analysis_only else max(1, options.pages_per_shard)
    report = run(load_corpus(options.bench_dir, options.pages), options.repeat, per_shard, options.analysis_only)
    print(render(report))
    if options.json:
        options.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
