"""Start-up cost: the wall time of `python -c 'import storydesk'`, of importing the Desk and of
`storydesk --help`, each against `python -c pass` run in the same loop (the interpreter's own
start), median of N rounds. The target is `storydesk --help` under 0.5 s.

    make bench-imports
    .venv/bin/python benchmarks/imports.py --rounds 21

The commands run in turn within each round, so a machine busy for a moment slows them alike;
the CPU time (user + system, of the child process) is printed beside the wall time, as it
varies less on a shared machine.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 0.5
SCRIPT = Path(sys.executable).with_name("storydesk")  # the console script beside this python
COMMANDS: dict[str, list[str]] = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import storydesk": [sys.executable, "-c", "import storydesk"],
    "from storydesk import Desk": [sys.executable, "-c", "from storydesk import Desk"],
    "storydesk --help": [str(SCRIPT), "--help"],
}


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11, help="Runs of each command (the median is reported).")
    parser.add_argument("--json", action="store_true", help="One JSON line instead of the table.")
    args = parser.parse_args()
    for command in COMMANDS.values():  # warm the file cache and the bytecode
        timed(command)
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in COMMANDS}
    for _ in range(args.rounds):
        for name, command in COMMANDS.items():
            runs[name].append(timed(command))
    wall = {name: statistics.median(w for w, _ in values) for name, values in runs.items()}
    cpu = {name: statistics.median(c for _, c in values) for name, values in runs.items()}
    baseline = wall["python -c pass"]
    help_time = wall["storydesk --help"]
    met = help_time < TARGET_SECONDS
    if args.json:
        print(json.dumps({"rounds": args.rounds, "wall": _rounded(wall), "cpu": _rounded(cpu), "target_met": met}))
        return 0
    print(f"median of {args.rounds} rounds; the baseline is python -c pass in the same rounds")
    print(f"{'command':<28} {'wall s':>7} {'x baseline':>11} {'over it':>8} {'cpu s':>7}")
    for name, seconds in wall.items():
        print(f"{name:<28} {seconds:7.3f} {seconds / baseline:11.1f} {seconds - baseline:8.3f} {cpu[name]:7.3f}")
    print(f"storydesk --help: {help_time:.3f} s wall, {cpu['storydesk --help']:.3f} s CPU; target {TARGET_SECONDS} s: {'met' if met else 'NOT met'}")
    return 0


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {name: round(value, 4) for name, value in values.items()}


if __name__ == "__main__":
    sys.exit(main())
