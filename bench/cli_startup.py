"""Start-up benchmark: how long ``orgnet --help`` and a command's ``--help`` take, against a bare Python.

    python bench/cli_startup.py              # 9 runs of each
    python bench/cli_startup.py --runs 21

Each command runs as a fresh process (``python -m orgnet ...``, what the
``orgnet`` script does), so every figure includes the interpreter's start and
every import the command makes; the median wall time of ``--runs`` runs is
printed, with the bare interpreter (``python -c pass``) as the floor. A second
table lists the heavy libraries each command loaded (read from
``sys.modules`` at exit): none should appear for ``--help``, since commands
import what they use when they run. ``python -X importtime -c "import
orgnet.cli"`` shows where the rest of the time goes.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time

#: Libraries that only the commands that use them may import.
HEAVY = ("pandas", "numpy", "pyarrow", "scipy", "networkx", "igraph", "plotly", "fastapi", "neo4j")
#: Target of issue 12: ``orgnet --help`` was about 1.5 s when every command module imported the analytics at start.
TARGET_SECONDS = 0.5
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "orgnet --help": [sys.executable, "-m", "orgnet", "--help"],
    "orgnet ingest --help": [sys.executable, "-m", "orgnet", "ingest", "--help"],
    "orgnet analyze --help": [sys.executable, "-m", "orgnet", "analyze", "--help"],
    "orgnet report --help": [sys.executable, "-m", "orgnet", "report", "--help"],
}
# Run the command as python -m orgnet does, then print what it imported.
_PROBE = """
import runpy, sys
sys.argv = ["orgnet", *sys.argv[1:]]
try:
    runpy.run_module("orgnet", run_name="__main__")
except SystemExit:
    pass
sys.stderr.write("imported:" + ",".join(name for name in {heavy!r} if name in sys.modules) + "\\n")
"""


def timed_runs(command: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds of ``runs`` runs of ``command``, after one warm-up run that fills the file cache.

    CPU seconds are the operating system's accounting of each finished child: on a shared machine they move
    less than wall seconds do.
    """
    subprocess.run(command, capture_output=True, check=True)
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        wall.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall, cpu


def heavy_imports(arguments: list[str]) -> list[str]:
    """The libraries of :data:`HEAVY` that ``orgnet ARGUMENTS`` has imported by the time it exits."""
    probe = subprocess.run([sys.executable, "-c", _PROBE.format(heavy=HEAVY), *arguments], capture_output=True, text=True, check=True)
    line = probe.stderr.strip().splitlines()[-1]
    return [name for name in line.removeprefix("imported:").split(",") if name]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="Runs of each command (the median is printed).")
    args = parser.parse_args()
    print(f"{'command':<24} {'wall s':>7} {'min':>6} {'max':>6} {'cpu s':>7}  heavy libraries imported (medians of {args.runs} runs)")
    for name, command in COMMANDS.items():
        wall, cpu = timed_runs(command, args.runs)
        loaded = "" if name.startswith("python") else ", ".join(heavy_imports(command[3:])) or "none"
        print(f"{name:<24} {statistics.median(wall):>7.3f} {min(wall):>6.3f} {max(wall):>6.3f} {statistics.median(cpu):>7.3f}  {loaded}")
    print(f"target: orgnet --help under {TARGET_SECONDS} s wall (it took about 1.5 s when every command module imported the analytics)")


if __name__ == "__main__":
    main()
