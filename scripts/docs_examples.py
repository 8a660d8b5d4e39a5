"""Keep the console and Python examples of README.md and docs/*.md true: run each one and check
that the lines under a command are what it prints, or, with ``--update``, write them there.

An example is a fenced block marked ```console. Its lines starting with ``$ storydesk`` are
commands; the lines after one, up to the next ``$``, are its output. A block runs in a fresh
folder holding the repository's ``examples/`` and a store, ``storydesk.db``, into which
``storydesk ingest examples/corpus`` has put the sample corpus; a block whose first command is
an ``ingest`` starts with no store. That ingest is made once and replayed wherever a block
opens with it. A block's commands run in order in this process (typer's test runner, stdout
and stderr as a terminal shows them), so each sees what the ones before it did.

Left as written: lines that do not start with ``$ storydesk`` (shell, other programs) and the
commands that need a server, a cluster, the network or ../shared (``serve``, ``eval``,
``--engine dask``, ``--fetch``, URLs, paths into ../shared).

A block marked ```pycon is Python as the interpreter shows it: ``>>> `` and ``... `` lines are
code, the lines after them, up to the next ``>>> ``, what it prints (an expression's repr, or
an exception's last line under ``Traceback (most recent call last):``). It runs in a fresh
folder with the sample corpus's store, each block in a namespace of its own.

The fence's info string can abridge: ``console head=N`` keeps the first N lines of each
command's output and then a line ``…``; ``width=W`` cuts a longer line to W characters, the
last one ``…``. Timings and the folder's path are normalised before comparing.

    .venv/bin/python scripts/docs_examples.py            # check; exit status 1 on a difference
    .venv/bin/python scripts/docs_examples.py --update   # rewrite the outputs in place
"""
from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import os
import re
import shlex
import shutil
import sys
import tempfile
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from typer.testing import CliRunner

from storydesk.cli import app

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```(?P<kind>console|pycon)(?P<options>(?:\s+\w+=\d+)*)\s*$")
PROMPT = "$ "
PY_PROMPT, PY_MORE = ">>> ", "... "
TRACEBACK = "Traceback (most recent call last):"
COMMAND = "$ storydesk "
ELLIPSIS = "…"
SAMPLE_INGEST = ["ingest", "examples/corpus"]
NOT_RUN_COMMANDS = {"serve", "eval"}
NOT_RUN_MARKS = ("../shared", "--fetch", "--engine dask", "http://", "https://")
TIMING = re.compile(r"\b\d+(?:\.\d+)?(?= ?(?:s|ms|seconds)\b)")


@dataclass
class Command:
    """One ``$ storydesk ...`` line of an example and the output written under it."""

    line: str
    line_no: int
    output: list[str] = field(default_factory=list)
    more: list[str] = field(default_factory=list)  # a Python statement's ``... `` lines

    @property
    def source(self) -> str:
        """A Python example's code, without its prompts."""
        return "\n".join(line[len(PY_PROMPT):] for line in [self.line, *self.more])

    @property
    def args(self) -> list[str]:
        return shlex.split(self.line[len("$ storydesk"):], comments=True)

    @property
    def runs(self) -> bool:
        if self.line.startswith(PY_PROMPT):
            return True
        return self.line.startswith(COMMAND) and not (
            self.args[:1] and self.args[0] in NOT_RUN_COMMANDS or any(mark in self.line for mark in NOT_RUN_MARKS)
        )


@dataclass
class Block:
    """One ```console or ```pycon block: its options, the lines before its first prompt, its
    commands (any ``$`` or ``>>>`` line: of a console block only those that ``runs`` are run)."""

    path: Path
    head: int | None
    width: int | None
    preamble: list[str]
    commands: list[Command]
    python: bool = False

    def lines(self) -> list[str]:
        return self.preamble + [line for c in self.commands for line in [c.line, *c.more, *c.output]]

    def starts_empty(self) -> bool:
        """A console block opening with an ingest shows that ingest: it starts with no store."""
        first = next((c for c in self.commands if c.runs), None)
        return not self.python and first is not None and first.args[:1] == ["ingest"]

    def abridge(self, output: list[str]) -> list[str]:
        """The output as the block shows it: its first ``head`` lines, each at most ``width``."""
        shown = [line.rstrip() for line in output]
        while shown and not shown[-1]:
            shown.pop()
        if self.head is not None and len(shown) > self.head:
            shown = shown[: self.head] + [ELLIPSIS]
        if self.width is not None:
            shown = [line if len(line) <= self.width else line[: self.width - 1] + ELLIPSIS for line in shown]
        return shown


def parse(path: Path, text: str) -> Iterator[tuple[int, int, Block]]:
    """Each example block of a Markdown text: the index of its first and past-last inner line."""
    lines = text.split("\n")
    at = 0
    while at < len(lines):
        opened = FENCE.match(lines[at])
        if opened is None:
            at += 1
            continue
        end = next((i for i in range(at + 1, len(lines)) if lines[i].startswith("```")), len(lines))
        options = dict(option.split("=") for option in opened["options"].split())
        yield at + 1, end, _block(path, lines, at + 1, end, options, opened["kind"] == "pycon")
        at = end + 1


def _block(path: Path, lines: list[str], start: int, end: int, options: dict[str, str], python: bool) -> Block:
    preamble: list[str] = []
    commands: list[Command] = []
    prompt = PY_PROMPT if python else PROMPT
    for no in range(start, end):
        line = lines[no]
        if line.startswith(prompt):
            commands.append(Command(line, no + 1))
        elif python and commands and not commands[-1].output and (line + " ").startswith(PY_MORE):
            commands[-1].more.append(line)
        elif commands:
            commands[-1].output.append(line)
        else:
            preamble.append(line)
    head, width = options.get("head"), options.get("width")
    return Block(path, head and int(head), width and int(width), preamble, commands, python)


@contextlib.contextmanager
def _as_a_reader(cwd: Path) -> Iterator[None]:
    """In ``cwd`` with no STORYDESK_ variable set, as a reader trying the example would be."""
    unset = {name: os.environ.pop(name) for name in list(os.environ) if name.startswith("STORYDESK_")}
    try:
        with contextlib.chdir(cwd):
            yield
    finally:
        os.environ.update(unset)


class Runner:
    """Runs commands in fresh folders, each with the sample corpus's store, ingested once."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="storydesk-docs-"))
        self.runner = CliRunner()
        self.sample: Path | None = None
        self.sample_output: list[str] = []
        self.folders = 0

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def folder(self) -> Path:
        """A fresh working folder holding the repository's ``examples/``."""
        self.folders += 1
        made = self.root / f"run{self.folders}"
        made.mkdir()
        (made / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
        return made

    def copy_sample(self, cwd: Path) -> list[str]:
        """Put the sample corpus's store into ``cwd``; the output of the ingest that made it."""
        if self.sample is None:
            made = self.folder()
            self.sample_output = self.run(SAMPLE_INGEST, made)
            self.sample = made / "storydesk.db"
        for part in self.sample.parent.glob("storydesk.db*"):
            shutil.copy(part, cwd / part.name)
        return self.sample_output

    def run(self, args: list[str], cwd: Path) -> list[str]:
        """What the command prints, stdout and stderr as a terminal interleaves them."""
        with _as_a_reader(cwd):
            result = self.runner.invoke(app, args)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise RuntimeError(f"storydesk {shlex.join(args)} failed: {result.exception!r}") from result.exception
        return result.output.replace(str(cwd), ".").split("\n")

    def run_python(self, source: str, cwd: Path, namespace: dict) -> list[str]:
        """What a Python statement prints in ``cwd``, as the interpreter shows it."""
        printed = io.StringIO()
        with _as_a_reader(cwd):
            try:
                with contextlib.redirect_stdout(printed):
                    exec(compile(source + "\n", "<example>", "single"), namespace)
            except Exception as error:  # an example may show the error a user meets
                printed.write(TRACEBACK + "\n  ...\n" + "".join(traceback.format_exception_only(error)))
        return printed.getvalue().replace(str(cwd), ".").split("\n")

    def outputs(self, block: Block) -> Iterator[tuple[Command, list[str]]]:
        """Each command of the block that runs, with its output as the block shows it."""
        cwd = self.folder()
        replay = block.starts_empty()
        if not replay:
            self.copy_sample(cwd)
        namespace: dict = {"__name__": "__example__"}
        for command in filter(lambda c: c.runs, block.commands):
            if block.python:
                output = self.run_python(command.source, cwd, namespace)
            elif replay and command.args == SAMPLE_INGEST:
                output = self.copy_sample(cwd)
            else:
                output = self.run(command.args, cwd)
            replay = False
            yield command, block.abridge(output)


def normalised(lines: list[str]) -> list[str]:
    """Lines with what legitimately varies (timings) replaced."""
    return [TIMING.sub("N", line) for line in lines]


def documents(root: Path) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


@dataclass
class Difference:
    path: Path
    command: Command
    actual: list[str]

    def __str__(self) -> str:
        diff = difflib.unified_diff(self.command.output, self.actual, "written", "printed", lineterm="")
        return f"{self.path}:{self.command.line_no}: {self.command.line}\n" + "\n".join(diff)


def check_file(path: Path, runner: Runner, update: bool) -> list[Difference]:
    """The commands of one file whose written output differs from what they print; with
    ``update``, the file is rewritten with the printed outputs."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    differences: list[Difference] = []
    spans = []
    for start, end, block in parse(path, text):
        for command, actual in runner.outputs(block):
            if normalised(actual) != normalised(command.output):
                differences.append(Difference(path, replace(command), actual))  # keeps what was written
                command.output = actual
        spans.append((start, end, block.lines()))
    if update and differences:
        for start, end, replaced in reversed(spans):
            lines[start:end] = replaced
        path.write_text("\n".join(lines), encoding="utf-8")
    return differences


def check(paths: list[Path], update: bool = False) -> list[Difference]:
    runner = Runner()
    try:
        return [difference for path in paths for difference in check_file(path, runner, update)]
    finally:
        runner.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="Rewrite the outputs in place.")
    parser.add_argument("files", nargs="*", type=Path, help="Markdown files (default: README.md, docs/*.md).")
    options = parser.parse_args()
    differences = check(options.files or documents(ROOT), options.update)
    for difference in differences:
        print(difference, file=sys.stderr)
    verb = "updated" if options.update else "differ"
    print(f"{len(differences)} example outputs {verb}", file=sys.stderr)
    return 1 if differences and not options.update else 0


if __name__ == "__main__":
    sys.exit(main())
