"""Write constraints.txt: the exact versions installed in this environment of storydesk's
requirements with the given extras and of theirs, all the way down. ``make`` and CI install with
``pip install -c constraints.txt``, so the project's own installs are reproducible while
pyproject.toml keeps ranges for users. A pin of a package not installed here (torch, of the
train extra) is kept from the current file.

    .venv/bin/python scripts/constraints.py            # extras all and test
    .venv/bin/python scripts/constraints.py --check    # exit 1 when the file is out of date
"""
from __future__ import annotations

import argparse
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
HEADER = "# Exact versions for the project's own installs (make, CI): scripts/constraints.py writes it.\n"


def installed_closure(project: str, extras: set[str]) -> dict[str, str]:
    """Canonical name -> installed version of every distribution ``project[extras]`` needs."""
    found: dict[str, str] = {}
    pending = [(project, frozenset(extras))]
    seen: set[tuple[str, frozenset[str]]] = set()
    while pending:
        name, wanted = pending.pop()
        if (name, wanted) in seen:
            continue
        seen.add((name, wanted))
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if canonicalize_name(name) != canonicalize_name(project):
            found[canonicalize_name(dist.metadata["Name"])] = dist.version
        for line in dist.requires or []:
            requirement = Requirement(line)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": extra}) for extra in wanted or {""}):
                pending.append((requirement.name, frozenset(requirement.extras)))
    return found


def pins(text: str) -> dict[str, str]:
    """Canonical name -> version of each ``name==version`` line."""
    found = {}
    for line in text.splitlines():
        name, sep, version = line.partition("==")
        if sep and not line.startswith("#"):
            found[canonicalize_name(name.strip())] = version.strip()
    return found


def _installed(name: str) -> bool:
    try:
        metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extras", nargs="+", default=["all", "test"])
    parser.add_argument("--output", type=Path, default=ROOT / "constraints.txt")
    parser.add_argument("--check", action="store_true", help="Only compare with the file.")
    args = parser.parse_args()
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    kept = {name: version for name, version in pins(current).items() if not _installed(name)}
    chosen = {**kept, **installed_closure("storydesk", set(args.extras))}
    text = HEADER + "".join(f"{name}=={version}\n" for name, version in sorted(chosen.items()))
    if args.check:
        if text != current:
            print(f"{args.output} is out of date: run scripts/constraints.py", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"{len(chosen)} pins written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
