"""Smoke test of benchmarks/extraction_sets.py on written pages: every set is timed against
trafilatura and reported per set and over all pages. Not a timed test."""
from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path
from types import ModuleType

from conftest import ROOT

PARAGRAPH = ("The harbour authority said on Monday that the new container terminal would open in March "
             "after two years of building work and a long dispute over dredging permits.")


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("extraction_sets", ROOT / "benchmarks" / "extraction_sets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_set_is_timed_against_trafilatura(tmp_path: Path, capsys) -> None:
    files = []
    for name in ("first", "second"):
        path = tmp_path / f"{name}.jsonl.gz"
        with gzip.open(path, "wt", encoding="utf-8") as out:
            for n in range(5):
                out.write(json.dumps({"id": str(n), "html": f"<html><body><article><p>{PARAGRAPH}</p></article></body></html>"}) + "\n")
        files.append(str(path))
    report = load_script().main([*files, "--pages", "2", "--repeat", "2"])
    assert set(report["sets"]) == {"first", "second"}
    assert all(row["pages"] == 2 and row["ratio"] > 0 for row in report["sets"].values())
    assert report["all"]["pages"] == 4
    assert "ratio" in capsys.readouterr().out
