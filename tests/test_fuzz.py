"""Fuzzing ingest in the test suite, bounded (fixed seed, 24 inputs, three of each kind, about
20 seconds): every problem one line naming its file, no good article lost, no crash, no local
file read, the store's integrity check ok. ``make fuzz`` runs the longer count."""
from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from storydesk.ingest import read_paths
from storydesk.model import IngestProblem, RawDocument


def load_fuzz():
    spec = importlib.util.spec_from_file_location("fuzz", ROOT / "benchmarks" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["fuzz"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


fuzz = load_fuzz()


def test_hostile_batches_lose_no_article_and_crash_nothing(tmp_path: Path) -> None:
    tally = fuzz.run(24, seed=22, folder=tmp_path)
    assert tally.failures == []
    assert (tally.inputs, tally.lost, tally.crashes) == (24, 0, 0)
    assert set(tally.kinds.values()) == {3} and tally.errors > 24


def problems_of(path: Path) -> list[str]:
    return [item.reason for item in read_paths([str(path)]) if isinstance(item, IngestProblem)]


@pytest.mark.parametrize("suffix", [".txt.gz", ".jsonl.gz"])
def test_a_gzip_bomb_is_refused_while_inflating(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"bomb{suffix}"
    path.write_bytes(fuzz.make_bombs()[suffix])
    [reason] = problems_of(path)
    assert reason.startswith("gzip bomb refused: 28 KB inflated past 20 MB") or reason.startswith("file too large")


def test_a_warc_bomb_is_refused_before_warcio_inflates_it(tmp_path: Path) -> None:
    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(fuzz.make_bombs()[".warc.gz"])
    [reason] = problems_of(path)
    assert "more than 100 times the file holds" in reason


def test_an_external_entity_reads_no_local_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(fuzz.SECRET)
    suffix, data = fuzz.external_entity(secret)(random.Random(1))
    feed = tmp_path / f"feed{suffix}"
    feed.write_bytes(data)
    items = list(read_paths([str(feed)]))
    assert [str(i) for i in items] == [f"{feed}: feed declares XML entities (<!ENTITY>): refused unread (entity bombs, external entities)"]


def test_an_entity_bomb_is_refused_unread(tmp_path: Path) -> None:
    suffix, data = fuzz.entity_bomb(random.Random(2))
    feed = tmp_path / f"lol{suffix}"
    feed.write_bytes(data)
    assert problems_of(feed) == ["feed declares XML entities (<!ENTITY>): refused unread (entity bombs, external entities)"]


def test_a_warc_with_lying_lengths_keeps_its_honest_records(tmp_path: Path) -> None:
    """(A record declaring fewer bytes than it holds still loses the next one: warcio does not resync.)"""
    body = b"<html><body><p>" + b"honest words " * 30 + b"</p></body></html>"
    path = tmp_path / "lies.warc.gz"
    path.write_bytes(b"".join(fuzz.gzip.compress(r) for r in (fuzz.warc_record("https://a/1", body, 20_000), fuzz.warc_record("https://a/2", body))))
    items = list(read_paths([str(path)]))
    assert [i.url for i in items if isinstance(i, RawDocument)] == ["https://a/2"]
    assert all("\n" not in str(i) and str(i).startswith(str(path)) for i in items if isinstance(i, IngestProblem))
