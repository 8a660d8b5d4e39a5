"""storydesk process / load: shards through prepare into Parquet parts on a process pool or Dask,
then into a store; re-runs skip finished shards, dead workers' shards are retried, bad records
are reported, and no half-written part file is ever visible."""
from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from storydesk import pipeline, scale
from storydesk.cli import app
from storydesk.desk import Desk
from storydesk.model import RawDocument
from storydesk.scale.shards import Shard, plan_shards, process_shard

DEADLINE_SECONDS = 30.0  # how long a test waits for a worker to reach the point where it is killed

TEXTS = {
    "a.txt": "Moscow ratified a treaty with Pyongyang on Thursday after a short debate in parliament.\n"
    "The treaty commits both sides to assist each other in case of an armed attack.\n",
    "b.txt": "Farmers in Brittany protested against new rules on water use, blocking roads near Rennes.\n"
    "The regional council said it would meet the farmers' union next week.\n",
    "c.txt": "A storm closed the port of Hamburg for two days, delaying hundreds of container ships.\n"
    "Officials said the port would reopen on Monday if the wind dropped.\n",
}


def write_corpus(folder: Path) -> Path:
    """Three short articles as .txt files and two more as a JSONL file (so: two kinds of shard)."""
    folder.mkdir()
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    lines = [
        {"title": "Rail strike", "text": "Train drivers in Germany began a three-day strike on Wednesday over pay.\n"
         "The union said talks with Deutsche Bahn had failed after four rounds."},
        {"title": "Bridge reopens", "text": "The main bridge in Genoa reopened to traffic after repairs lasting a year.\n"
         "The mayor thanked the engineers who finished the work ahead of schedule."},
    ]
    (folder / "feed.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return folder


def stored(desk: Desk) -> list[tuple]:
    """What a store holds of each article, in a form two stores can be compared by."""
    rows = []
    for article in desk.articles():
        full = desk.article(article.id)
        analysis = full.analysis and (len(full.analysis.entities), len(full.analysis.sentences), full.analysis.version)
        rows.append((article.origin, article.content_hash, article.title, article.text, article.extraction.published.value,
                     article.duplicate_of, len(full.extraction.removed), analysis))
    return sorted(rows, key=lambda row: str(row[0]))


def part_rows(out: Path) -> list[tuple]:
    return sorted((p.article.origin.location, p.article.origin.record, p.article.text) for p in scale.read_prepared(out))


def test_process_then_load_stores_what_ingest_stores(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    report = scale.process([str(corpus)], tmp_path / "out", workers=2, files_per_shard=2)
    assert (report.shards, report.done, report.rows, report.problems) == (3, 3, 5, [])
    assert sorted(p.name for p in (tmp_path / "out").glob("part-*.parquet")) == [f"part-0000{i}.parquet" for i in range(3)]
    with Desk(tmp_path / "loaded.db") as loaded, Desk(tmp_path / "ingested.db") as ingested:
        assert loaded.load(tmp_path / "out").outcomes["added"] == 5
        ingested.ingest([str(corpus)])
        assert stored(loaded) == stored(ingested)
        assert [len(s.article_ids) for s in loaded.stories()] == [len(s.article_ids) for s in ingested.stories()]
        again = loaded.load(tmp_path / "out")
        assert again.outcomes["already-stored"] == 5 and loaded.article_count() == 5


def test_a_rerun_skips_finished_shards(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    scale.process([str(corpus)], tmp_path / "out", workers=2, analyse=False)
    stamps = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out").iterdir()}
    again = scale.process([str(corpus)], tmp_path / "out", workers=2, analyse=False)
    assert (again.shards, again.reused, again.rows) == (2, 2, 5)
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out").iterdir()} == stamps


def test_a_shard_without_its_marker_is_redone(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    scale.process([str(corpus)], tmp_path / "out", workers=1, analyse=False)
    (tmp_path / "out" / "part-00001.json").unlink()
    again = scale.process([str(corpus)], tmp_path / "out", workers=1, analyse=False)
    assert (again.reused, again.done, again.rows) == (1, 2, 5)


def test_a_malformed_jsonl_record_is_reported_and_the_rest_processed(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    feed = corpus / "feed.jsonl"
    good = feed.read_text(encoding="utf-8").splitlines()
    feed.write_text(f"{good[0]}\n{{\"title\": \"broken\", \"text\": \n{good[1]}\n", encoding="utf-8")
    report = scale.process([str(corpus)], tmp_path / "out", workers=2, analyse=False)
    assert report.rows == 5 and report.done == 2
    assert [(p.origin.location, p.origin.record) for p in report.problems] == [(str(feed), "2")]
    marker = json.loads((tmp_path / "out" / "part-00001.json").read_text(encoding="utf-8"))
    assert marker["problems"][0]["record"] == "2" and marker["rows"] == 2


def dying_prepare(raw: RawDocument, flag: str, always: bool = False) -> pipeline.Prepared:
    """Test hook: the worker process dies on the first article about Hamburg (every time when
    ``always``), as a killed or out-of-memory worker would."""
    if "Hamburg" in raw.content and (always or not os.path.exists(flag)):
        Path(flag).touch()
        os._exit(1)
    return pipeline.prepare(raw, analyse=False)


def test_a_shard_whose_worker_dies_is_retried_and_loses_nothing(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    hook = partial(dying_prepare, flag=str(tmp_path / "died"))
    report = scale.process([str(corpus)], tmp_path / "out", workers=2, files_per_shard=1, analyse=False, prepare=hook)
    assert (tmp_path / "died").exists()
    assert (report.shards, report.done, report.rows, report.problems) == (4, 4, 5, [])
    plain = scale.process([str(corpus)], tmp_path / "plain", workers=2, files_per_shard=1, analyse=False)
    assert part_rows(tmp_path / "out") == part_rows(tmp_path / "plain") and plain.rows == 5
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


def test_a_shard_that_always_kills_its_worker_fails_alone(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    hook = partial(dying_prepare, flag=str(tmp_path / "died"), always=True)
    report = scale.process([str(corpus)], tmp_path / "out", workers=2, files_per_shard=1, analyse=False, prepare=hook, attempts=2)
    assert (report.shards, report.done, report.rows) == (4, 3, 4)
    assert [(p.origin.location, p.reason) for p in report.problems] == [
        (str(tmp_path / "in" / "c.txt"), "worker died on every one of 2 attempts")
    ]
    assert not (tmp_path / "out" / "part-00002.parquet").exists()


def stalling_prepare(raw: RawDocument, folder: str) -> pipeline.Prepared:
    """Test hook: logs "pid input" per article to ``folder/calls.log``; the first worker to reach
    the Hamburg article writes its pid to ``folder/pid`` (atomically) and stalls there, mid-shard,
    to be killed from outside; later attempts go on."""
    with open(Path(folder) / "calls.log", "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()} {raw.origin.location}\n")
    pid_file = Path(folder) / "pid"
    if "Hamburg" in raw.content and not pid_file.exists():
        temp = Path(folder) / f"pid-{os.getpid()}.tmp"
        temp.write_text(str(os.getpid()), encoding="utf-8")
        os.replace(temp, pid_file)
        time.sleep(DEADLINE_SECONDS)  # the kill comes long before; if it never does, the test fails on `killed`
    return pipeline.prepare(raw, analyse=False)


def prepared_inputs(folder: Path) -> list[tuple[int, str]]:
    """(pid, input) of every article ``stalling_prepare`` was called on, in call order."""
    lines = (folder / "calls.log").read_text(encoding="utf-8").splitlines()
    return [(int(pid), location) for pid, location in (line.split(" ", 1) for line in lines)]


def wait_for(condition: Callable[[], bool], stop: threading.Event) -> bool:
    """Poll ``condition`` every 0.05 s until it holds (True), ``stop`` is set or the deadline passes."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if stop.wait(0.05) or time.monotonic() > deadline:
            return False
    return True


@contextmanager
def sigkill_when_stalled(folder: Path, ready: Callable[[int], bool] = lambda pid: True) -> Iterator[list[int]]:
    """While the body runs, a thread waits for ``stalling_prepare``'s pid file (and for
    ``ready(pid)``) and SIGKILLs that worker; yields the list of killed pids, filled by then."""
    killed: list[int] = []
    body_over = threading.Event()

    def kill_the_stalled_worker() -> None:
        pid_file = folder / "pid"
        if wait_for(pid_file.exists, body_over):
            pid = int(pid_file.read_text(encoding="utf-8"))
            if wait_for(lambda: ready(pid), body_over):
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    killer = threading.Thread(target=kill_the_stalled_worker, daemon=True)
    killer.start()
    try:
        yield killed
    finally:
        body_over.set()
        killer.join()


def assert_lost_nothing(tmp_path: Path, report: scale.ProcessReport, rerun: scale.ProcessReport) -> None:
    """After a worker died mid-shard: every article is in the parts exactly once (as a plain
    in-process run writes them), no temp file is left, and a re-run reuses every shard."""
    corpus, out, plain = tmp_path / "in", tmp_path / "out", tmp_path / "plain"
    plain.mkdir()
    shards, _ = plan_shards([str(corpus)], files_per_shard=1)
    for shard in shards:
        process_shard(shard, str(plain), analyse=False)
    assert (report.shards, report.done, report.reused, report.rows, report.problems) == (4, 4, 0, 5, [])
    rows = part_rows(out)
    assert rows == part_rows(plain) and len({row[:2] for row in rows}) == len(rows) == 5
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in plain.iterdir())
    assert (rerun.shards, rerun.done, rerun.reused, rerun.rows, rerun.problems) == (4, 4, 4, 5, [])


def test_a_worker_killed_from_outside_mid_shard_loses_no_article(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    hook = partial(stalling_prepare, folder=str(tmp_path))
    run = partial(scale.process, [str(corpus)], tmp_path / "out", workers=2, files_per_shard=1, analyse=False, prepare=hook)
    with sigkill_when_stalled(tmp_path) as killed:
        report = run()
    assert len(killed) == 1
    assert_lost_nothing(tmp_path, report, run())


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[str]:
    """The scheduler address of a LocalCluster of two single-threaded worker processes, whose
    nannies restart a worker that died."""
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_a_dask_worker_killed_from_outside_mid_shard_loses_no_article(tmp_path: Path, dask_cluster: str) -> None:
    corpus = write_corpus(tmp_path / "in")
    reported: set[str] = set()

    def others_reported(pid: int) -> bool:
        """Kill only once the shards this worker finished before are reported (and released)."""
        return {location for by, location in prepared_inputs(tmp_path) if by == pid and "c.txt" not in location} <= reported

    run = partial(scale.process, [str(corpus)], tmp_path / "out", engine="dask", scheduler=dask_cluster, files_per_shard=1,
                  analyse=False, prepare=partial(stalling_prepare, folder=str(tmp_path)),
                  on_shard=lambda result: reported.update(result.shard.inputs))
    with sigkill_when_stalled(tmp_path, ready=others_reported) as killed:
        report = run()
    assert len(killed) == 1
    assert_lost_nothing(tmp_path, report, run())
    times_prepared = Counter(Path(location).name for _, location in prepared_inputs(tmp_path))
    # the killed shard's article twice, no finished shard redone (feed.jsonl holds two articles)
    assert times_prepared == {"a.txt": 1, "b.txt": 1, "c.txt": 2, "feed.jsonl": 2}


def test_a_dask_worker_that_exits_mid_shard_loses_no_article(tmp_path: Path, dask_cluster: str) -> None:
    corpus = write_corpus(tmp_path / "in")
    run = partial(scale.process, [str(corpus)], tmp_path / "out", engine="dask", scheduler=dask_cluster, files_per_shard=1,
                  analyse=False, prepare=partial(dying_prepare, flag=str(tmp_path / "died")))
    report = run()
    assert (tmp_path / "died").exists()
    assert_lost_nothing(tmp_path, report, run())


@pytest.mark.filterwarnings("ignore:Port 8787 is already in use")  # the engine's own cluster next to dask_cluster
def test_a_shard_that_always_kills_its_dask_worker_fails_alone_after_its_attempts(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    hook = partial(dying_prepare, flag=str(tmp_path / "died"), always=True)
    report = scale.process([str(corpus)], tmp_path / "out", engine="dask", workers=2, files_per_shard=1, analyse=False,
                           prepare=hook, attempts=2)
    assert (report.shards, report.done, report.rows) == (4, 3, 4)
    [problem] = report.problems
    assert problem.origin.location == str(corpus / "c.txt")
    assert problem.reason.startswith("failed on every one of 2 attempts: KilledWorker")
    assert not (tmp_path / "out" / "part-00002.parquet").exists()


def interrupted_prepare(raw: RawDocument) -> pipeline.Prepared:
    """Test hook: the run is interrupted at the second article of a shard."""
    if "Brittany" in raw.content:
        raise KeyboardInterrupt
    return pipeline.prepare(raw, analyse=False)


def test_an_interrupted_shard_leaves_no_part_file(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    shard = Shard(0, (str(corpus / "a.txt"), str(corpus / "b.txt")))
    with pytest.raises(KeyboardInterrupt):
        process_shard(shard, str(out), analyse=False, row_group_rows=1, prepare=interrupted_prepare)
    assert list(out.iterdir()) == []


def test_parts_are_written_in_row_groups_of_bounded_size(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    result = process_shard(Shard(7, tuple(str(corpus / name) for name in TEXTS)), str(out), analyse=False, row_group_rows=2)
    metadata = pq.ParquetFile(out / "part-00007.parquet").metadata
    assert result.rows == 3 and (metadata.num_rows, metadata.num_row_groups) == (3, 2)
    assert pq.read_schema(out / "part-00007.parquet").equals(scale.SCHEMA)


def test_the_dask_engine_gives_the_same_rows(tmp_path: Path, dask_cluster: str) -> None:
    corpus = write_corpus(tmp_path / "in")
    local = scale.process([str(corpus)], tmp_path / "local", workers=1, analyse=False)
    dask = scale.process([str(corpus)], tmp_path / "dask", engine="dask", scheduler=dask_cluster, analyse=False)
    assert (dask.shards, dask.done, dask.rows, dask.problems) == (local.shards, local.done, 5, [])
    assert part_rows(tmp_path / "dask") == part_rows(tmp_path / "local")


def test_cli_process_and_load(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    runner = CliRunner()
    db, out = str(tmp_path / "cli.db"), str(tmp_path / "out")
    processed = runner.invoke(app, ["process", str(corpus), "--out", out, "--workers", "2", "--no-analyse", "-q"])
    assert processed.exit_code == 0, processed.output
    assert "2 shards: 2 processed, 0 already done, 0 failed; 5 articles; 0 problems" in processed.stdout
    loaded = runner.invoke(app, ["--db", db, "load", out, "-q"])
    assert loaded.exit_code == 0, loaded.output
    assert "5 added" in loaded.stdout


def test_a_warc_is_one_shard_streamed_with_skips_counted(tmp_path: Path) -> None:
    from test_ingest_warc import crawl

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "crawl.warc.gz").write_bytes(crawl(gzip=True))
    report = scale.process([str(tmp_path / "in")], tmp_path / "out", workers=1, analyse=False)
    assert (report.shards, report.rows, report.problems) == (1, 2, [])
    assert sum(report.skipped.values()) >= 2
    assert all(record.isdigit() for _, record, _ in part_rows(tmp_path / "out"))
