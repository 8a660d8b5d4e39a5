"""The command line end to end: ingest, docs, doc, search, export, and failures that name the file."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from storydesk.cli import app

from conftest import EXAMPLES

runner = CliRunner()


def run(db: Path, *args: str, input: str | None = None):
    return runner.invoke(app, ["--db", str(db), *args], input=input, env={"COLUMNS": "240"})


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "cli.db"
    result = run(path, "ingest", "-q", str(EXAMPLES))
    assert result.exit_code == 0, result.output
    assert "5 added" in result.stdout
    return path


def test_docs_lists_every_article_with_its_date_evidence(db: Path) -> None:
    rows = json.loads(run(db, "docs", "--json").stdout)
    assert len(rows) == 5
    by_name = {Path(r["origin"]).name: r for r in rows}
    assert by_name["001_1b4e6add465ee7b5.txt"]["published"] == "2024-10-24"
    assert by_name["003_d04a2fc185788203.txt"]["published"] != "2024-11-24"
    assert all(r["language"] == "en" for r in rows)
    table = run(db, "docs").stdout
    assert "Putin" in table and "001_1b4e6add465ee7b5.txt" in table


def test_doc_shows_text_fields_and_removed_lines(db: Path) -> None:
    rows = json.loads(run(db, "docs", "--json").stdout)
    spanish = next(r for r in rows if r["origin"].endswith("002_fce9f84e509673d9.txt"))
    shown = json.loads(run(db, "doc", str(spanish["id"]), "--json").stdout)
    assert "EFE" in shown["extraction"]["agencies"]
    removed = {" ".join(line["text"].split()) for line in shown["extraction"]["removed"]}
    assert "For Latest Updates Follow us on Google News" in removed
    assert shown["origins"] == [spanish["origin"]]
    text = run(db, "doc", str(spanish["id"])).stdout
    assert "removed lines" in text and "Russian President Vladimir Putin did not rule out" in text


def test_doc_of_a_missing_id_fails_clearly(db: Path) -> None:
    result = run(db, "doc", "999")
    assert result.exit_code == 1 and "no article 999" in result.stderr


def test_search_finds_stoltenberg(db: Path) -> None:
    hits = json.loads(run(db, "search", "Stoltenberg", "--json").stdout)
    assert len(hits) == 1 and "[Stoltenberg]" in hits[0]["snippet"]
    assert "no match" in run(db, "search", "zebra").stderr


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_writes_every_article(db: Path, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"out.{fmt}"
    result = run(db, "export", "--format", fmt, "-o", str(target))
    assert result.exit_code == 0 and "5 articles written" in result.stderr
    if fmt == "parquet":
        assert pq.read_table(target).num_rows == 5
    elif fmt == "jsonl":
        assert len(target.read_text(encoding="utf-8").splitlines()) == 5
    else:
        assert target.read_text(encoding="utf-8").startswith("id,location,record")


def test_bad_files_are_named_and_the_batch_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    (folder / "broken.jsonl").write_text('{"text": "A fine article about the treaty signed in the capital on Wednesday."}\n{not json\n')
    (folder / "good.txt").write_text("The parliament ratified the treaty on Thursday after a short debate.\n")
    result = run(tmp_path / "bad.db", "ingest", "-q", str(folder))
    assert result.exit_code == 1
    assert "empty.txt" in result.stderr and "image.html" in result.stderr and "broken.jsonl" in result.stderr
    assert "2 added" in result.stdout
    again = run(tmp_path / "bad.db", "ingest", "-q", str(folder))
    assert "2 already stored" in again.stdout


def test_stdin_and_the_installed_command(tmp_path: Path) -> None:
    text = (EXAMPLES / "001_1b4e6add465ee7b5.txt").read_text(encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "storydesk", "--db", str(tmp_path / "s.db"), "ingest", "-q", "-"],
        input=text.encode(), capture_output=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert b"1 added" in done.stdout


def test_unusable_store_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"garbage" * 1000)
    result = run(bogus, "docs")
    assert result.exit_code == 2 and "cannot open store" in result.stderr


def test_the_command_list_gives_each_command_its_help_as_one_paragraph(tmp_path: Path) -> None:
    listing = run(tmp_path / "none.db", "--help").stdout
    (row,) = [line for line in listing.splitlines() if "│ analyse " in line]
    assert row.rstrip(" │").endswith("Exit status 1 when any analysis failed."), listing  # the docstring's line breaks gone
