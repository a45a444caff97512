"""Work on the second core: a forked child process that shares the parent's memory and hands back results.

``fork`` gives the child everything the parent holds (a snapshot's graph, an
ingest's ties) without copying or pickling it; only what the child returns
comes back, through a pipe. Callers fall back to doing the work themselves
where :func:`can_fork` says no.

A child never outlives its parent: killed with ``SIGKILL`` mid-ingest, the
parent takes its child with it (Linux's parent-death signal, else a watch on
the parent's pid), so nothing goes on writing beside a store nobody holds.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from orgnet.errors import OrgnetError

__all__ = ["can_fork", "process_alive", "process_token", "start_in_child"]

#: ``prctl`` option that sends the calling process a signal when its parent dies (Linux, <sys/prctl.h>).
_PR_SET_PDEATHSIG = 1
#: How often a child without ``prctl`` looks whether its parent is still there, in seconds.
_PARENT_POLL_SECONDS = 0.2


def can_fork() -> bool:
    """Whether a forked worker can run beside this process: the platform has ``fork`` and the process a second core.

    The cores counted are those this process may run on (its CPU affinity, as
    a container's CPU set limits it), not all the machine has.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return "fork" in multiprocessing.get_all_start_methods() and cores >= 2


def start_in_child(jobs: dict[str, Callable[[], Any]]) -> Callable[[], dict[str, tuple[Any, float]]]:
    """Start ``jobs`` one after the other in a forked process; the returned function waits for them.

    It returns ``{name: (result, seconds)}``; an exception in the child is
    raised again in the parent, and a child that dies is an
    :class:`~orgnet.errors.OrgnetError`. Call it whatever happens in the
    meantime: it joins the child, and until then the garbage collector leaves
    out every object that existed at the fork (``gc.freeze``; a second child
    started before the first is waited for unfreezes them early, which costs
    only copied pages).
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    parent = os.getpid()

    def run() -> None:
        _die_with(parent)
        done: dict[str, tuple[Any, float]] = {}
        try:
            for name, job in jobs.items():
                started = time.perf_counter()
                done[name] = (job(), time.perf_counter() - started)
            sender.send((True, done))
        except BaseException as error:
            sender.send((False, error))

    process = context.Process(target=run, daemon=True)
    # Frozen objects are left out of garbage collection in both processes until the child is done: a
    # collection writes to every object it visits, which would copy each shared page into the writer.
    gc.freeze()
    try:
        process.start()
    except BaseException:
        gc.unfreeze()
        raise
    sender.close()

    def finish() -> dict[str, tuple[Any, float]]:
        try:
            succeeded, value = receiver.recv()
        except EOFError:
            raise OrgnetError(f"a worker process died (exit code {process.exitcode})") from None
        finally:
            process.join()
            gc.unfreeze()
        if not succeeded:
            raise value
        results: dict[str, tuple[Any, float]] = value
        return results

    return finish


def _die_with(parent: int) -> None:
    """Make this (forked) process end when ``parent`` does, however the parent ends."""
    armed = False
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            armed = ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    if not armed:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    # The parent may have died before the signal was armed: then this process has been handed to another.
    if os.getppid() != parent:
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL_SECONDS)
    os._exit(1)


def process_token(pid: int | None = None) -> str:
    """A name for a running process that no later process can share: its pid and its start time.

    A pid alone is reused once the process is gone; with its start time
    (clock ticks after boot, from ``/proc``; ``0`` where there is no
    ``/proc``) a token names one process only.
    """
    pid = os.getpid() if pid is None else pid
    return f"{pid}-{_start_time(pid) or 0}"


def process_alive(token: str) -> bool | None:
    """Whether the process a :func:`process_token` names still runs; ``None`` when the token cannot be read."""
    pid_text, _, start_text = token.partition("-")
    if not (pid_text.isdigit() and start_text.isdigit()):
        return None
    pid, start = int(pid_text), int(start_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    now = _start_time(pid)
    return True if not start or now is None else now == start


def _start_time(pid: int) -> int | None:
    """The start time of ``pid`` in clock ticks after boot (field 22 of ``/proc/PID/stat``), ``None`` when unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    return int(stat.rsplit(")", 1)[1].split()[19])
