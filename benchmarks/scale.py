"""Scale benchmark: ``storydesk process`` then ``storydesk load`` on generated corpora of growing
size (1k, 10k, 100k articles by default), timing both phases and sampling the peak memory of the
whole process tree (this process, the pool's forkserver and its workers), then plotting total
time and time per article against size (``docs/scale.png``).

    make bench-scale                                    # 1k, 10k, 100k: hours on 2 cores
    make bench-scale SCALE_ARGS="--sizes 1000 10000"
    make bench-scale SCALE_ARGS="--sizes 100000 --add"  # one more point beside docs/scale.json's
    .venv/bin/python benchmarks/scale.py --sizes 500 2000 --plot /tmp/scale.png

Articles are generated (deterministically) from the sentences of the texts in ../shared/bench
(PolNeAR, WCXB, ECB+): article k takes 6 sentences of one source text, in their order, and 2
sentences of others, so that articles about one source form stories and no two are copies. They
are dated over one year and credited to 40 outlets, and written as JSONL.gz files of
``--per-file`` articles (one shard each). Without ../shared/bench the sentences of the example
articles are used, and the output says so.
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench import TreeMemory  # this folder's throughput benchmark: the same process-tree sampler
from storydesk import scale
from storydesk.desk import Desk
from storydesk.eval.runs import iter_records
from storydesk.pipeline import IngestReport

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BENCH = ROOT.parent / "shared" / "bench"
EXAMPLES = ROOT / "examples" / "corpus"
SOURCE_FILES = (
    ("quotes/polnear-train.jsonl.gz", "text"),
    ("quotes/polnear-dev.jsonl.gz", "text"),
    ("extraction/wcxb-dev-articles.jsonl.gz", "text"),
    ("clustering/ecbplus-train.jsonl.gz", "text"),
    ("clustering/ecbplus-dev.jsonl.gz", "text"),
)
SEED = 20241024
OWN_SENTENCES = 6  # from the article's source text: what makes articles of one source a story
OTHER_SENTENCES = 2  # from anywhere: what keeps two articles of one source from being copies
OUTLETS = 40
FIRST_DAY = date(2024, 1, 1)
DAYS = 366
_SENTENCE_END = re.compile(r"(?<=[.!?\"”])\s+(?=[\"“A-Z])")
MIN_WORDS, MAX_WORDS = 6, 60


@dataclass(frozen=True)
class Sources:
    """Sentences grouped by the text they come from, and where the texts were found."""

    texts: list[list[str]]
    origin: str


@dataclass
class Measure:
    """One size: how long each phase took, what it produced, and the peak memory of the tree."""

    articles: int
    process_seconds: float
    load_seconds: float
    outcomes: dict[str, int]
    stories: int
    peak_memory_mb: float
    reference_seconds: list[float] = field(default_factory=list)  # before and after; see reference()

    @property
    def total_seconds(self) -> float:
        return self.process_seconds + self.load_seconds

    @property
    def machine_pace(self) -> float | None:
        """Mean seconds of the reference run around this size: how slow the machine was."""
        return sum(self.reference_seconds) / len(self.reference_seconds) if self.reference_seconds else None


# --- corpus ---------------------------------------------------------------------------------


def load_sources(bench: Path) -> Sources:
    """The sentences of every distinct bench text with at least 8 usable sentences; the example
    articles' when ../shared/bench is absent."""
    texts: dict[str, None] = {}
    for name, text_field in SOURCE_FILES:
        if (bench / name).exists():
            texts.update((record[text_field], None) for record in iter_records(bench / name) if record.get(text_field))
    origin = f"{bench} (PolNeAR, WCXB, ECB+ texts)"
    if not texts:
        texts = {path.read_text(encoding="utf-8"): None for path in sorted(EXAMPLES.glob("*.txt"))}
        origin = f"GENERATED from {EXAMPLES} (../shared/bench not found)"
    split = [sentences(text) for text in texts]
    return Sources([group for group in split if len(group) >= OWN_SENTENCES + 2], origin)


def sentences(text: str) -> list[str]:
    """The prose sentences of ``text``: split at sentence ends and line breaks, 6 to 60 words."""
    found = (part.strip() for line in text.splitlines() for part in _SENTENCE_END.split(line))
    return [sentence for sentence in found if MIN_WORDS <= len(sentence.split()) <= MAX_WORDS]


def article(number: int, total: int, sources: Sources) -> dict[str, str]:
    """Article ``number`` of a corpus of ``total``: a JSONL record (the same for the same inputs)."""
    rng = random.Random(SEED * 1_000_003 + number)
    own = sources.texts[number % len(sources.texts)]
    picks = sorted(rng.sample(range(len(own)), OWN_SENTENCES))
    body = [own[index] for index in picks]
    for _ in range(OTHER_SENTENCES):
        other = rng.choice(sources.texts)
        body.insert(rng.randrange(1, len(body) + 1), rng.choice(other))
    day = FIRST_DAY + timedelta(days=number * DAYS // total)
    return {
        "id": f"scale-{number}",
        "title": body[0][:90],
        "text": "\n\n".join(body),
        "date": day.isoformat(),
        "source": f"outlet-{number % OUTLETS:02d}.example",
    }


def write_corpus(folder: Path, total: int, per_file: int, sources: Sources) -> list[Path]:
    """The corpus of ``total`` articles as JSONL.gz files of ``per_file``; kept and reused when a
    complete one made from the same sources is already there (the folder's ORIGIN file names
    them; the files are written under a temp name, then renamed)."""
    origin_file = folder / "ORIGIN"
    if folder.exists() and (not origin_file.exists() or origin_file.read_text(encoding="utf-8") != sources.origin):
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    origin_file.write_text(sources.origin, encoding="utf-8")
    paths = []
    for first in range(0, total, per_file):
        path = folder / f"articles-{first // per_file:05d}.jsonl.gz"
        if not path.exists():
            temp = path.with_name("." + path.name + ".tmp")
            with gzip.open(temp, "wt", encoding="utf-8") as out:
                for number in range(first, min(first + per_file, total)):
                    out.write(json.dumps(article(number, total, sources)) + "\n")
            temp.rename(path)
        paths.append(path)
    return paths


# --- measuring ------------------------------------------------------------------------------


def measure(size: int, workdir: Path, sources: Sources, workers: int, per_file: int, references: int) -> Measure:
    """Process then load a corpus of ``size`` articles into a fresh output folder and store,
    between two runs of the reference (``references`` articles)."""
    corpus = write_corpus(workdir / f"corpus-{size}", size, per_file, sources)
    before = reference(workdir, sources, workers, references)
    started = time.perf_counter()
    with TreeMemory() as memory:
        report, loaded, stories, processed_at = process_and_load(corpus, workdir, f"{size}", workers)
    finished = time.perf_counter()
    if report.failed or loaded.failed:
        _say(f"{size}: {len(report.problems)} process problems, {len(loaded.problems)} load problems")
    after = reference(workdir, sources, workers, references)
    return Measure(size, processed_at - started, finished - processed_at, dict(loaded.outcomes), stories,
                   memory.peak_bytes / 2**20, [before, after])


def process_and_load(
    corpus: Sequence[Path], workdir: Path, name: str, workers: int
) -> tuple[scale.ProcessReport, IngestReport, int, float]:
    """``storydesk process`` into a fresh folder, then ``storydesk load`` into a fresh store:
    both reports, the number of stories and when processing ended (perf_counter)."""
    processed, store = workdir / f"processed-{name}", workdir / f"store-{name}.db"
    shutil.rmtree(processed, ignore_errors=True)
    for leftover in workdir.glob(f"store-{name}.db*"):
        leftover.unlink()
    report = scale.process([str(path) for path in corpus], processed, workers=workers)
    processed_at = time.perf_counter()
    with Desk(store) as desk:
        loaded = desk.load(processed)
        stories = desk.story_count()
    return report, loaded, stories, processed_at


def reference(workdir: Path, sources: Sources, workers: int, articles: int) -> float:
    """Seconds to process and load the same ``articles`` articles: this machine's pace now. A
    shared virtual machine's speed drifts over hours (here one shard, alone, took 26.5 s on one
    day and about 18 s per worker, with two at work, the day before), so sizes run hours apart
    are compared per article and also at one pace. The first run of a benchmark is a warm-up and
    not counted: cold, it took 14.2 s, and 9.3 s a minute later (after the 1,000-article size)."""
    corpus = write_corpus(workdir / f"corpus-reference-{articles}", articles, articles, sources)
    started = time.perf_counter()
    process_and_load(corpus, workdir, "reference", workers)
    return time.perf_counter() - started


def earlier_measures(path: Path | None, origin: str, workers: int) -> dict[int, Measure]:
    """The measures already in ``path`` by size, when it holds a run on the same corpus with as
    many workers (a different run's figures are not comparable and are dropped)."""
    if path is None or not path.exists():
        return {}
    report = json.loads(path.read_text(encoding="utf-8"))
    if report.get("corpus") != origin or report.get("workers") != workers:
        _say(f"{path}: another corpus or number of workers; its measures are not kept")
        return {}
    return {row["articles"]: Measure(**row) for row in report["measures"]}


def _say(message: str) -> None:
    print(f"[scale] {message}", file=sys.stderr, flush=True)


# --- report ---------------------------------------------------------------------------------


def render(measures: Sequence[Measure], origin: str, workers: int) -> str:
    """A plain-text table: per size, each phase's seconds and ms per article (also at the first
    size's machine pace), stories, memory, and the reference's seconds before and after."""
    header = (f"{'articles':>9}{'process s':>11}{'load s':>9}{'total s':>9}{'ms/article':>12}{'at pace':>9}"
              f"{'added':>8}{'stories':>9}{'peak MB':>9}{'reference s':>14}")
    lines = [f"corpus: {origin}", f"workers: {workers} (local engine)", "", header, "-" * len(header)]
    for row in measures:
        paced = paced_ms_per_article(row, measures[0])
        lines.append(
            f"{row.articles:>9}{row.process_seconds:>11.1f}{row.load_seconds:>9.1f}{row.total_seconds:>9.1f}"
            f"{1000 * row.total_seconds / row.articles:>12.1f}{'-' if paced is None else f'{paced:.1f}':>9}"
            f"{row.outcomes.get('added', 0):>8}{row.stories:>9}{row.peak_memory_mb:>9.0f}"
            f"{' / '.join(f'{value:.1f}' for value in row.reference_seconds) or '-':>14}"
        )
    first, last = measures[0], measures[-1]
    growth = (last.total_seconds / first.total_seconds) / (last.articles / first.articles)
    lines.append(f"\ntime per article at {last.articles} over at {first.articles}: {growth:.2f} (1.00 = linear)")
    paced = paced_ms_per_article(last, first)
    if paced is not None:
        lines.append(f"the same at the first size's pace: {paced / (1000 * first.total_seconds / first.articles):.2f}")
    lines.append("at pace = ms/article x the first size's reference seconds / this size's (the reference:"
                 " the same articles processed and loaded before and after each size)")
    return "\n".join(lines)


def paced_ms_per_article(row: Measure, first: Measure) -> float | None:
    """Milliseconds per article had the machine run at the pace it had around ``first``."""
    if row.machine_pace is None or first.machine_pace is None:
        return None
    return 1000 * row.total_seconds / row.articles * first.machine_pace / row.machine_pace


def plot(measures: Sequence[Measure], path: Path, workers: int) -> None:
    """Total time against size on log-log axes with the linear line through the smallest run,
    and milliseconds per article per phase (flat = linear)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [row.articles for row in measures]
    figure, (total_axis, per_axis) = plt.subplots(1, 2, figsize=(10, 4))
    total_axis.loglog(sizes, [row.total_seconds for row in measures], "o-", label="process + load")
    base = measures[0].total_seconds / sizes[0]
    total_axis.loglog(sizes, [base * size for size in sizes], "--", color="grey", label="linear")
    total_axis.set(xlabel="articles", ylabel="seconds", title=f"Total time ({workers} workers)")
    total_axis.legend()
    for label, values in (("process", [row.process_seconds for row in measures]),
                          ("load", [row.load_seconds for row in measures]),
                          ("total", [row.total_seconds for row in measures])):
        per_axis.semilogx(sizes, [1000 * value / size for value, size in zip(values, sizes)], "o-", label=label)
    paced = [paced_ms_per_article(row, measures[0]) for row in measures]
    if None not in paced:
        per_axis.semilogx(sizes, paced, "s--", label="total, at the first size's pace")
    per_axis.set(xlabel="articles", ylabel="ms per article", title="Time per article")
    per_axis.set_ylim(bottom=0)  # after every line: a limit set earlier would clip the later ones
    for row in measures:
        per_axis.annotate(f"{row.peak_memory_mb:.0f} MB", (row.articles, 1000 * row.load_seconds / row.articles),
                          textcoords="offset points", xytext=(0, 8), ha="center", fontsize=8)
    per_axis.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)


def main(argv: Sequence[str] | None = None) -> list[Measure]:
    """Parse the options, measure every size in turn, print the table, write JSON and the plot."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--per-file", type=int, default=250, help="articles per JSONL.gz file (one shard)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/storydesk-scale"))
    parser.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH)
    parser.add_argument("--json", type=Path, help="write the measures here")
    parser.add_argument("--plot", type=Path, help="write the PNG plot here (needs matplotlib)")
    parser.add_argument("--reference", type=int, default=100,
                        help="articles of the reference run timed before and after each size (default 100)")
    parser.add_argument("--add", action="store_true",
                        help="keep the other sizes already in --json (same corpus and workers): run one size at a time")
    options = parser.parse_args(argv)
    sources = load_sources(options.bench_dir)
    kept = earlier_measures(options.json, sources.origin, options.workers) if options.add else {}
    fresh = {}
    if options.reference:
        _say("reference warm-up (not counted)")
        reference(options.workdir, sources, options.workers, options.reference)
    for size in sorted(options.sizes):
        _say(f"{size} articles")
        fresh[size] = measure(size, options.workdir, sources, options.workers, options.per_file, options.reference)
        _say(json.dumps(asdict(fresh[size])))
    measures = [row for _, row in sorted((kept | fresh).items())]
    print(render(measures, sources.origin, options.workers))
    if options.json:
        report: dict[str, Any] = {"corpus": sources.origin, "workers": options.workers,
                                  "measures": [asdict(row) for row in measures]}
        options.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if options.plot:
        plot(measures, options.plot, options.workers)
    return measures


if __name__ == "__main__":
    main()
