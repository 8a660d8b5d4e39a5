"""A new user's path: a fresh virtual environment, `pip install` of the core (no extra, at the
versions of constraints.txt), the Python API on the example corpus; then the web extra, and
`storydesk serve` answers. About two minutes (the packages are installed for real), so marked
`install`: CI runs it; `pytest -m "not install"` leaves it out."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from storydesk.extras import EXTRAS

from conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.install

BUILD_FILES = ("pyproject.toml", "README.md", "LICENSE")
NEW_USER = f"""
from storydesk import Desk
with Desk("news.db") as desk:
    report = desk.ingest([{str(EXAMPLES)!r}])
    story = desk.stories()[0]
    print(report.outcomes["added"], "added")
    print("\\n".join(desk.dossier(story.id).to_markdown().splitlines()[:3]))
"""


def _pip(python: Path, *args: str) -> None:
    """This environment's pip, run for ``python`` (the new environment has none of its own)."""
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", *args], check=True, timeout=1500)


@pytest.fixture(scope="module")
def new_user(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the new environment's bin folder, the copy of the project it was installed from). The
    build runs on a copy, since setuptools writes build/ into the folder it builds."""
    base = tmp_path_factory.mktemp("new-user")
    source = base / "storydesk"
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in (*BUILD_FILES, "constraints.txt"):
        shutil.copy2(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(base / "env")], check=True)
    bin_folder = base / "env" / "bin"
    _pip(bin_folder / "python", "-c", str(source / "constraints.txt"), str(source))
    return bin_folder, source


def _run(bin_folder: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(bin_folder / args[0]), *args[1:]], cwd=cwd, capture_output=True, text=True, timeout=600)


def test_the_core_install_has_no_extra(new_user: tuple[Path, Path], tmp_path: Path) -> None:
    bin_folder, _ = new_user
    modules = sorted({module for modules in EXTRAS.values() for module in modules} | {"torch"})
    done = _run(bin_folder, "python", "-c", f"import importlib.util as u; print([m for m in {modules!r} if u.find_spec(m)])", cwd=tmp_path)
    assert done.stdout.strip() == "[]", done.stderr


def test_the_python_api_ingests_the_examples_and_prints_the_dossier(new_user: tuple[Path, Path], tmp_path: Path) -> None:
    bin_folder, _ = new_user
    done = _run(bin_folder, "python", "-c", NEW_USER, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    added, title, _, story_line = done.stdout.splitlines()
    assert added == "5 added"
    assert title.startswith("# ") and story_line.startswith("Story 1 · ")


def test_serve_without_the_web_extra_names_it(new_user: tuple[Path, Path], tmp_path: Path) -> None:
    done = _run(new_user[0], "storydesk", "--db", "news.db", "serve", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().endswith("pip install 'storydesk[web]'") and "Traceback" not in done.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_web_extra_makes_serve_answer(new_user: tuple[Path, Path], tmp_path: Path) -> None:
    bin_folder, source = new_user
    _pip(bin_folder / "python", "-c", str(source / "constraints.txt"), f"{source}[web]")
    port = _free_port()
    server = subprocess.Popen(
        [str(bin_folder / "storydesk"), "--db", "news.db", "serve", "--port", str(port), "--log-level", "warning"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        status, deadline = None, time.monotonic() + 60
        while status is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    status = response.status
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        assert status == 200, server.stderr.read() if server.poll() is not None else "no answer in 60 s"
    finally:
        server.terminate()
        server.wait(timeout=30)
