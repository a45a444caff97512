"""Work on the second core: a forked child process that shares the parent's memory and hands back results.

``fork`` gives the child everything the parent holds (a snapshot's graph, an
ingest's ties) without copying or pickling it; only what the child returns
comes back, through a pipe. Callers fall back to doing the work themselves
where :func:`can_fork` says no.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from typing import Any

from orgnet.errors import OrgnetError

__all__ = ["can_fork", "start_in_child"]


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
    :class:`~orgnet.errors.OrgnetError`.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def run() -> None:
        done: dict[str, tuple[Any, float]] = {}
        try:
            for name, job in jobs.items():
                started = time.perf_counter()
                done[name] = (job(), time.perf_counter() - started)
            sender.send((True, done))
        except BaseException as error:
            sender.send((False, error))

    process = context.Process(target=run, daemon=True)
    process.start()
    sender.close()

    def finish() -> dict[str, tuple[Any, float]]:
        try:
            succeeded, value = receiver.recv()
        except EOFError:
            raise OrgnetError(f"a worker process died (exit code {process.exitcode})") from None
        finally:
            process.join()
        if not succeeded:
            raise value
        return value

    return finish
