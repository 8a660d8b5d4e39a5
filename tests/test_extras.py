"""Light installs: the CLI and the rules finder load none of the extras' modules, a command
whose extra is missing says in one line what to install, and storydesk.extras names the same
packages as pyproject.toml's extras."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from storydesk.extras import EXTRAS

from conftest import EXAMPLES, ROOT

# The extras' modules (and torch, which no install of ours may pull in).
EXTRA_MODULES = sorted({module for modules in EXTRAS.values() for module in modules} | {"torch"})
# What the help must not load either: the analysis and its numerics.
CORE_HEAVY = ["numpy", "scipy", "sklearn", "spacy", "trafilatura"]

# Runs the CLI on the arguments in sys.argv (one JSON list of argument lists) in this process,
# then prints which of the named modules got imported, as the last line.
RUN_AND_LIST = """
import json, sys
from storydesk.cli import app
watched = set(json.loads(sys.argv[1]))
for args in json.loads(sys.argv[2]):
    try:
        app(args)
    except SystemExit as stop:
        assert not stop.code, (args, stop.code)
print(json.dumps(sorted(watched & {name.split(".")[0] for name in sys.modules})))
"""

# The same CLI with some modules made unimportable, as if their extra were not installed.
WITHOUT = """
import sys
for name in sys.argv[1].split(","):
    sys.modules[name] = None
from storydesk.cli import app
app(sys.argv[2:])
"""


def _run(code: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYDESK_")}
    env["XDG_CONFIG_HOME"] = str(cwd)  # no user settings file
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _loaded(watched: list[str], commands: list[list[str]], cwd: Path) -> list[str]:
    done = _run(RUN_AND_LIST, json.dumps(watched), json.dumps(commands), cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_help_loads_no_extra_and_no_analysis(tmp_path: Path) -> None:
    assert _loaded(EXTRA_MODULES + CORE_HEAVY, [["--help"], ["ingest", "--help"]], tmp_path) == []


def test_ingest_and_dossier_load_no_extra(tmp_path: Path) -> None:
    db = str(tmp_path / "news.db")
    commands = [["--db", db, "ingest", "-q", str(EXAMPLES)], ["--db", db, "dossier", "1"], ["--db", db, "export", "-f", "csv", "-o", str(tmp_path / "a.csv")]]
    assert _loaded(EXTRA_MODULES + ["spacy"], commands, tmp_path) == ["spacy"]  # spacy: the ingest did analyse


@pytest.mark.parametrize(
    ("blocked", "args", "extra"),
    [
        ("fastapi", ["serve"], "web"),
        ("pyarrow", ["process", str(EXAMPLES), "--out", "parts"], "scale"),
        ("distributed", ["load", "."], "scale"),
        ("pyarrow", ["export", "-f", "parquet", "-o", "a.parquet"], "parquet"),
    ],
)
def test_a_missing_extra_is_named_in_one_line(tmp_path: Path, blocked: str, args: list[str], extra: str) -> None:
    done = _run(WITHOUT, blocked, "--db", str(tmp_path / "news.db"), *args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: ")
    assert line.endswith(f" needs the {extra} extra ({blocked} not installed): pip install 'storydesk[{extra}]'")


def _declared(extra: str, table: dict[str, list[str]]) -> set[str]:
    """The distributions an extra names, with those its requirements' extras add
    (storydesk[parquet], dask[distributed])."""
    found: set[str] = set()
    for line in table[extra]:
        requirement = Requirement(line)
        if requirement.name == "storydesk":
            for inner in requirement.extras:
                found |= _declared(inner, table)
            continue
        found.add(canonicalize_name(requirement.name))
        for needed in map(Requirement, metadata.requires(requirement.name) or []):
            if needed.marker and any(needed.marker.evaluate({"extra": inner}) for inner in requirement.extras):
                found.add(canonicalize_name(needed.name))
    return found


def test_each_extras_modules_come_from_its_packages_in_pyproject() -> None:
    table = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    providers = metadata.packages_distributions()
    for extra, modules in EXTRAS.items():
        declared = _declared(extra, table)
        for module in modules:
            assert set(map(canonicalize_name, providers[module])) & declared, (extra, module)
    assert set(EXTRAS) <= set(table)
