"""How the benchmarks measure one side of a comparison: wall time and the peak memory of its own process.

Each side runs as a process of its own, started fresh (never forked from the
benchmark, whose own tables would count in a forked child's memory), and is
waited for with ``os.wait4``, which gives that process's own peak resident
memory. A process it forks itself (``orgnet analyze`` runs its heaviest jobs
in a worker) is not counted in that figure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Measured", "print_report", "run_measured", "script_command"]


@dataclass(frozen=True)
class Measured:
    """One measured process: wall seconds, peak resident memory (MiB), and the JSON report it printed last (if any)."""

    seconds: float
    peak_mib: float
    report: dict[str, Any]


def run_measured(command: list[str], nice: int = 0) -> Measured:
    """Run ``command`` to its end (at niceness ``nice``); raise with its output when it fails."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(["nice", "-n", str(nice), *command] if nice else command, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{stdout[-2000:]}\n{stderr[-4000:]}")
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    # Linux reports ru_maxrss in KiB.
    return Measured(seconds, usage.ru_maxrss / 1024, json.loads(lines[-1]) if lines else {})


def script_command(script: str | Path, *arguments: str) -> list[str]:
    """The command that runs a benchmark script (one side: ``--side ...``) with this interpreter."""
    return [sys.executable, str(script), *arguments]


def print_report(report: dict[str, Any]) -> None:
    """A side's report, printed as the last line of its output (what :func:`run_measured` reads back)."""
    print(json.dumps(report), flush=True)
