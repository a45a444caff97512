"""How the benchmarks measure one side of a comparison: wall time, the peak memory of its largest process, and
the sampled peak of all its processes together.

Each side runs as a process of its own, started fresh and waited for with
``os.wait4``, which gives the largest peak resident memory of that process
and of the processes it forked and waited for (Linux merges a reaped child's
peak into its parent's): the largest single process, not their sum. Linux
also counts in a process's peak the memory of the process it was forked from
(the larger of the two is kept across ``exec``), and the benchmark holds its
generated tables, so a side is not started from it directly: a small
launcher (:data:`_LAUNCHER`, a bare interpreter of about 10 MiB) forks and
execs the command, times it and reports its peak. The launcher also samples,
every 0.1 s or less often (at most 2% of a core goes to sampling), the proportional set size of the command and all its
descendants together (pages they share counted once; children forked by a
process's main thread, as ``orgnet.workers`` forks them), whose largest
sample is the memory the whole command needed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Measured", "memory", "print_report", "run_measured", "script_command", "together_mib"]


@dataclass(frozen=True)
class Measured:
    """One measured command: wall seconds, the peak resident memory of its largest process and the sampled peak
    of all its processes together (MiB; ``None`` where ``/proc`` does not list children), and the JSON report it printed
    last (if any)."""

    seconds: float
    peak_mib: float
    tree_peak_mib: float | None
    report: dict[str, Any]


#: Run as ``python -c _LAUNCHER REPORT COMMAND...``: forks and execs COMMAND, waits for it while sampling the
#: proportional set size of it and its descendants, and writes ``seconds peak_kib tree_peak_kib status`` to the
#: file REPORT (``tree_peak_kib`` -1: not sampled; ``status``: COMMAND's wait status).
_LAUNCHER = """
import os, select, sys, time

def descendants(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listed:
            children = listed.read().split()
    except OSError:
        return None
    found = [pid]
    for child in children:
        found += descendants(int(child)) or []
    return found

def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            return next((int(line.split()[1]) for line in rollup if line.startswith("Pss:")), 0)
    except OSError:
        return 0

started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    except OSError as error:
        print(f"cannot run {sys.argv[2]}: {error}", file=sys.stderr)
        os._exit(127)
# A pidfd turns readable the moment the command ends: the pause between samples does not lengthen its time.
ended = os.pidfd_open(pid)
tree_peak, pause = 0, 0.1
while not select.select([ended], [], [], pause)[0]:
    sampled = time.perf_counter()
    tree = descendants(pid)
    tree_peak = tree_peak if tree_peak < 0 else -1 if tree is None else max(tree_peak, sum(map(pss_kib, tree)))
    # The kernel walks every page of a process for its PSS (10 ms for 650 MiB): keep that under 2% of a core.
    pause = max(0.1, 50 * (time.perf_counter() - sampled))
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as report:
    report.write(f"{seconds} {usage.ru_maxrss} {tree_peak} {status}")
"""


def run_measured(command: list[str], nice: int = 0) -> Measured:
    """Run ``command`` to its end (at niceness ``nice``) from a small launcher; raise with its output when it fails."""
    command = ["nice", "-n", str(nice), *command] if nice else command
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err, tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "measured"
        launched = subprocess.run([sys.executable, "-c", _LAUNCHER, str(report), *command], stdout=out, stderr=err, text=True)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
        if launched.returncode != 0 or not report.exists():
            raise RuntimeError(f"the launcher of {' '.join(command)} failed ({launched.returncode}):\n{stderr[-4000:]}")
        seconds, peak_kib, tree_peak_kib, status = report.read_text().split()
    returncode = os.waitstatus_to_exitcode(int(status))
    if returncode != 0:
        how = f"killed by {signal.Signals(-returncode).name}" if returncode < 0 else f"exit status {returncode}"
        raise RuntimeError(f"{' '.join(command)} failed ({how}):\n{stdout[-2000:]}\n{stderr[-4000:]}")
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    # Linux reports ru_maxrss in KiB.
    tree_peak_mib = int(tree_peak_kib) / 1024 if int(tree_peak_kib) >= 0 else None
    return Measured(float(seconds), int(peak_kib) / 1024, tree_peak_mib, json.loads(lines[-1]) if lines else {})


def together_mib(run: Measured) -> str:
    """The sampled peak of all ``run``'s processes in MiB, as a table cell (``-``: not sampled)."""
    return "-" if run.tree_peak_mib is None else f"{run.tree_peak_mib:,.0f}"


def memory(run: Measured) -> str:
    """``run``'s memory as the benchmarks print it: its largest process's peak, then all its processes' sampled peak."""
    return f"peak {run.peak_mib:8,.0f} MiB (all processes, sampled: {together_mib(run)} MiB)"


def script_command(script: str | Path, *arguments: str) -> list[str]:
    """The command that runs a benchmark script (one side: ``--side ...``) with this interpreter."""
    return [sys.executable, str(script), *arguments]


def print_report(report: dict[str, Any]) -> None:
    """A side's report, printed as the last line of its output (what :func:`run_measured` reads back)."""
    print(json.dumps(report), flush=True)
