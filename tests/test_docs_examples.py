"""The console and Python examples of README.md and docs/*.md print what they show
(scripts/docs_examples.py runs them on the sample corpus; `--update` rewrites them when an output
changes on purpose), and the README's Python example runs on the sample corpus."""
from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("docs_examples", ROOT / "scripts" / "docs_examples.py")
docs_examples = importlib.util.module_from_spec(_spec)
sys.modules["docs_examples"] = docs_examples
_spec.loader.exec_module(docs_examples)


@pytest.fixture(scope="module")
def runner():
    made = docs_examples.Runner()
    yield made
    made.close()


def test_readme_and_docs_examples_print_what_they_show(runner) -> None:
    differences = [d for path in docs_examples.documents(ROOT) for d in docs_examples.check_file(path, runner, False)]
    assert not differences, "\n\n".join(map(str, differences)) + "\n\n(.venv/bin/python scripts/docs_examples.py --update)"


def test_a_wrong_output_is_found_and_update_rewrites_only_it(tmp_path: Path, runner) -> None:
    page = tmp_path / "page.md"
    page.write_text("text\n\n```console\n$ storydesk stories --json\nwrong\n$ storydesk serve\nkept\n```\n", encoding="utf-8")
    [difference] = docs_examples.check_file(page, runner, update=False)
    assert difference.command.line == "$ storydesk stories --json"
    assert "wrong" in page.read_text(encoding="utf-8")
    docs_examples.check_file(page, runner, update=True)
    written = page.read_text(encoding="utf-8")
    assert '"article_ids": [' in written and "wrong" not in written
    assert written.startswith("text\n\n```console\n") and written.endswith("$ storydesk serve\nkept\n```\n")
    assert docs_examples.check_file(page, runner, update=False) == []


def test_a_block_opening_with_an_ingest_starts_with_no_store(tmp_path: Path, runner) -> None:
    page = tmp_path / "page.md"
    page.write_text("```console\n$ storydesk ingest --no-analyse examples/corpus\n```\n", encoding="utf-8")
    [difference] = docs_examples.check_file(page, runner, update=False)
    assert difference.actual == ["5 added; 0 duplicates linked; 0 already stored; 0 failed"]


def test_head_and_width_abridge_and_timings_do_not_count() -> None:
    text = "```console head=2 width=10\n$ storydesk docs\n```\n"
    [(start, end, block)] = docs_examples.parse(Path("page.md"), text)
    assert (start, end, block.head, block.width) == (1, 2, 2, 10)
    assert block.abridge(["short", "a line longer than ten", "third", ""]) == ["short", "a line lo…", "…"]
    assert docs_examples.normalised(["took 1.5 s, 20 ms each"]) == docs_examples.normalised(["took 2.25 s, 9 ms each"])
    assert docs_examples.normalised(["5 added"]) != docs_examples.normalised(["4 added"])


def test_a_python_example_runs_on_the_sample_store_and_update_rewrites_its_output(tmp_path: Path, runner) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "```pycon\n>>> from storydesk import Desk\n>>> with Desk('storydesk.db') as desk:\n"
        "...     print(desk.article_count())\nwrong\n>>> int('x')\n```\n",
        encoding="utf-8",
    )
    first, second = docs_examples.check_file(page, runner, update=False)
    assert first.command.output == ["wrong"] and first.actual == ["5"]
    assert second.actual[0] == docs_examples.TRACEBACK and second.actual[-1].startswith("ValueError: invalid literal")
    docs_examples.check_file(page, runner, update=True)
    written = page.read_text(encoding="utf-8")
    assert "...     print(desk.article_count())\n5\n>>> int('x')\nTraceback" in written and "wrong" not in written
    assert docs_examples.check_file(page, runner, update=False) == []


def test_the_readmes_python_example_runs_on_the_sample_corpus(tmp_path: Path, monkeypatch, capsys) -> None:
    [code] = re.findall(r"^```python\n(.*?)^```$", (ROOT / "README.md").read_text(encoding="utf-8"), re.S | re.M)
    shutil.copytree(ROOT / "examples" / "corpus", tmp_path / "examples" / "corpus")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own example
    assert namespace["report"].outcomes["added"] == 5 and len(namespace["titles"]) == 5
    assert "## Where the outlets disagree" in capsys.readouterr().out
    assert any(row.speaker for row in namespace["said"])
