"""discover turns files, folders, globs and "-" into Sources, streaming, in a stable order."""
from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storydesk.ingest import Source, discover, read_paths
from storydesk.model import IngestProblem, Origin, RawDocument


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def labels(found: list) -> list[str]:
    return [str(item) if isinstance(item, IngestProblem) else item.label for item in found]


def test_folder_is_walked_sorted_skipping_hidden_and_unsupported(tmp_path):
    tree(tmp_path, {"b.txt": "b", "a.html": "<p>a</p>", "sub/c.jsonl": "{}", ".hidden.txt": "h",
                    ".git/d.txt": "d", "notes.pdf": "%PDF", "sub/e.warc.gz": "x", "README": "r"})
    found = list(discover([str(tmp_path)]))
    assert labels(found) == [str(tmp_path / n) for n in ("a.html", "b.txt", "sub/c.jsonl", "sub/e.warc.gz")]
    assert found[1] == Source(tmp_path / "b.txt", str(tmp_path / "b.txt"), 1)


def test_missing_and_unsupported_paths_are_problems(tmp_path):
    tree(tmp_path, {"notes.pdf": "%PDF"})
    found = list(discover([str(tmp_path / "nope.txt"), str(tmp_path / "notes.pdf")]))
    assert [item.reason.split(";")[0] for item in found] == ["no such file or directory", "unsupported file type (.pdf)"]
    assert found[1].origin == Origin(str(tmp_path / "notes.pdf"))


def test_globs_and_recursive_globs(tmp_path):
    tree(tmp_path, {"data/a.html": "a", "data/b.txt": "b", "data/deep/c.html": "c", "data/x.pdf": "x"})
    assert labels(discover([str(tmp_path / "data" / "*.html")])) == [str(tmp_path / "data/a.html")]
    assert labels(discover([str(tmp_path / "data" / "**" / "*.html")])) == [
        str(tmp_path / "data/a.html"),
        str(tmp_path / "data/deep/c.html"),
    ]
    assert labels(discover([str(tmp_path / "none" / "*.txt")])) == [f"{tmp_path / 'none' / '*.txt'}: no files match"]


def test_a_file_named_twice_is_read_once(tmp_path):
    tree(tmp_path, {"a.txt": "a"})
    assert labels(discover([str(tmp_path), str(tmp_path / "a.txt")])) == [str(tmp_path / "a.txt")]


def test_dash_is_stdin():
    assert list(discover(["-"])) == [Source(None, "<stdin>", None)]


@pytest.fixture
def many_files(tmp_path) -> Iterator[Path]:
    """A folder of 10,000 one-line text files, removed afterwards (pytest keeps old tmp dirs).
    They are hard links to one file: creating 10,000 inodes takes seconds on a busy disk."""
    original = tmp_path / "article.txt"
    original.write_text("Article text.\n", encoding="utf-8")
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(10_000):
        os.link(original, folder / f"{n:05d}.txt")
    yield folder
    shutil.rmtree(folder)


def test_ten_thousand_files(many_files):
    folder = many_files
    started = time.perf_counter()
    found = discover([str(folder)])
    first = next(found)  # streams: the first source comes before the rest are looked at
    assert first.label == str(folder / "00000.txt")
    docs = [item for item in read_paths([str(folder)]) if isinstance(item, RawDocument)]
    assert len(docs) == 10_000
    assert docs[-1].origin == Origin(str(folder / "09999.txt"))
    assert time.perf_counter() - started < 30


def test_unlistable_folder_is_a_problem(tmp_path, monkeypatch):
    tree(tmp_path, {"locked/a.txt": "a"})

    def refuse(path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "scandir", refuse)
    assert labels(discover([str(tmp_path / "locked")])) == [f"{tmp_path / 'locked'}: unreadable folder: Permission denied"]
