"""Load benchmark of the API: concurrent clients on loopback while the store is written, printing latency, errors and the audit.

    python bench/api.py                          # builds the 50,000-person org in a temporary store
    python bench/api.py --store big.db           # reuses big.db when it is analysed, else builds it there
    python bench/api.py --during ingest          # only the scenario with a large ingest running
    python bench/api.py --path "/api/v1/brokers?limit=50" --clients 50 --requests 5000 --workers 2

Builds the benchmark organisation (:func:`orgnet.synth.benchmark_org`: 50,000
people, 800,000 ties) into an SQLite store, analyses it, starts ``uvicorn
orgnet.api.app:create_app`` in a child process on a free loopback port, creates an
admin key, then ``--clients`` clients send requests back to back on
keep-alive connections, in three scenarios (``--during``):

* ``none``: the store is left alone; ``--requests`` requests or ``--seconds`` seconds;
* ``ingest``: ``orgnet ingest interactions`` runs in a subprocess on an interactions
  table of the benchmark org's people (``--rows`` rows, 4 million by default,
  about 800,000 ties: :func:`orgnet.synth.write_interactions_csv`, a fresh seed
  each run so no earlier ingest holds the same content; the store holds the
  org's roster, so the addresses resolve); the load lasts as long as the
  ingest, whose transaction holds the write lock for several seconds;
* ``lock``: another process holds the store's write lock (``BEGIN IMMEDIATE``)
  for ``--lock-seconds`` (40); the load lasts that long and 5 s more, while the
  service writes the audit entries that waited.

After the server has shut down, the audit log must hold one entry per answered
request (every request the bench sent is an audited read). The clients run in
this process, so they share the machine's cores with the server and the
writer: the figures include that contention. Exit status 1 on any error or a
missing audit entry.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import datetime as dt
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import numpy as np

from orgnet.access import create_key
from orgnet.analysis import AnalysisOptions, analyze
from orgnet.ingest.pipeline import ingest_path
from orgnet.model import CORE_PERSON_FIELDS, IngestBatch, IngestRecord
from orgnet.store import open_store
from orgnet.synth import benchmark_org, write_interactions_csv, write_roster_csv

#: The endpoint the issue sets the latency target on.
DEFAULT_PATH = "/api/v1/advocates?top=20"
SCENARIOS = ("none", "ingest", "lock")
#: Seconds the load goes on after an external write lock is released: the service then writes what waited.
AFTER_LOCK = 5.0

# A process that takes the store's write lock, says so, holds it, then lets go.
_HOLD_LOCK = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("ROLLBACK")
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build_store(path: str, n_people: int, n_ties: int) -> None:
    """Write the benchmark organisation into the store at ``path`` and analyse it (prints what took how long)."""
    started = time.perf_counter()
    frames = benchmark_org(n_people=n_people, n_ties=n_ties)
    people = frames["people"].copy()
    extra = [c for c in people.columns if c not in CORE_PERSON_FIELDS]
    # Stores take HR attributes beyond the core fields as one dict per person.
    people["attributes"] = people[extra].to_dict("records") if extra else [{} for _ in range(len(people))]
    batch = IngestBatch(
        people=people.drop(columns=extra),
        ties=frames["ties"],
        audiences=frames["audiences"],
        followers=frames["followers"],
        engagement=frames["engagement"],
        settings={"period_unit": "month"},
    )
    record = IngestRecord(
        ingest_id="bench",
        source="benchmark_org",
        path=f"benchmark_org({n_people}, {n_ties})",
        content_hash=f"bench-{n_people}-{n_ties}",
        finished_at=dt.datetime.now(dt.UTC).isoformat(),
        report={"counts": {"people": n_people, "ties": n_ties}},
    )
    store = open_store(path)
    try:
        store.apply(batch, record)
        print(f"built {n_people:,} people, {n_ties:,} ties in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        analyze(store, options=AnalysisOptions(layout=True))
        print(f"analysed in {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        store.close()


def ensure_roster(path: str, scratch: Path, n_people: int) -> None:
    """Ingest the benchmark org's roster into the store at ``path`` unless it has identities already.

    :func:`build_store` writes people but no identities; without them every
    address of the ingest scenario would be unknown and the ingest would write no tie.
    """
    store = open_store(path)
    try:
        if not store.counts()["identities"]:
            ingest_path(store, "roster", write_roster_csv(scratch / "roster.csv", n_people))
    finally:
        store.close()


def _analysed(path: str) -> bool:
    if not Path(path).exists():
        return False
    store = open_store(path)
    try:
        return bool(len(store.results()))
    finally:
        store.close()


async def _client(host: str, port: int, request: bytes, count: Callable[[], bool], latencies: list[float]) -> collections.Counter:
    """One keep-alive connection sending ``request`` while ``count()`` allows; returns how many answers had which status."""
    statuses: collections.Counter = collections.Counter()
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while count():
            started = time.perf_counter()
            try:
                writer.write(request)
                await writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
                await reader.readexactly(length)
                statuses[head[9:12].decode()] += 1
            except (OSError, asyncio.IncompleteReadError, StopIteration, ValueError):
                statuses["no answer"] += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()
    return statuses


def _budget(total: float, seconds: float, until: Callable[[], bool] = lambda: False) -> Callable[[], bool]:
    """A gate that lets ``total`` requests through within ``seconds``, and none once ``until()`` is true."""
    remaining, deadline = total, time.monotonic() + seconds

    def count() -> bool:
        nonlocal remaining
        remaining -= 1
        return remaining >= 0 and time.monotonic() < deadline and not until()

    return count


async def _load(host: str, port: int, request: bytes, clients: int, count: Callable[[], bool]) -> tuple[list[float], collections.Counter]:
    latencies: list[float] = []
    answers = await asyncio.gather(*(_client(host, port, request, count, latencies) for _ in range(clients)))
    return latencies, sum(answers, collections.Counter())


@contextlib.contextmanager
def _writer(scenario: str, store: str, scratch: Path, args: argparse.Namespace) -> Iterator[Callable[[], bool]]:
    """Start the scenario's writer; yields a function telling whether the load should stop (the writer is done)."""
    if scenario == "none":
        yield lambda: False
        return
    if scenario == "ingest":
        seed = time.time_ns() % 2**32
        table = write_interactions_csv(scratch / f"interactions-{seed}.csv", args.rows, args.people, seed=seed, months=1)
        command = [sys.executable, "-m", "orgnet", "ingest", "interactions", str(table), "--store", store, "--json"]
        writer = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=lambda: os.nice(args.ingest_nice)
        )
        stop_after = 0.0
    else:
        writer = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, store, str(args.lock_seconds)], stdout=subprocess.PIPE, text=True)
        if writer.stdout.readline().strip() != "locked":
            raise SystemExit("the lock holder did not take the write lock")
        stop_after = AFTER_LOCK
    started = time.monotonic()
    ended: list[float] = []

    def done() -> bool:
        if not ended and writer.poll() is not None:
            ended.append(time.monotonic())
        return bool(ended) and time.monotonic() > ended[0] + stop_after

    try:
        yield done
    finally:
        output, _ = writer.communicate(timeout=600)
        took = (ended[0] if ended else time.monotonic()) - started
        if scenario == "ingest" and not writer.returncode:
            what = f"ingest of {args.rows:,} rows, {json.loads(output)['counts']['ties']:,} ties"
        else:
            what = "ingest" if scenario == "ingest" else "write lock"
        print(f"  {what}: {took:.1f} s, exit status {writer.returncode}", flush=True)
        if writer.returncode:
            print(output, file=sys.stderr)


def _serve(location: str, port: int, workers: int) -> subprocess.Popen:
    # Workers share the store and must share the session secret too.
    env = {**os.environ, "ORGNET_STORE": location, "ORGNET_SESSION_SECRET": "bench"}
    command = ["uvicorn", "orgnet.api.app:create_app", "--factory", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(
        [sys.executable, "-m", *command, "--workers", str(workers), "--log-level", "warning", "--no-access-log"], env=env
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=5).status_code == 200:
                break
        except httpx2.HTTPError:
            time.sleep(0.2)
    return server


def _audited(location: str, key_id: str) -> int:
    with contextlib.closing(sqlite3.connect(location)) as connection:
        return connection.execute("SELECT count(*) FROM audit WHERE key_id = ?", (key_id,)).fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    """Build (or reuse) the store, run the scenarios and print their figures; exit status 1 on any error."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="Store to reuse or build (default: a temporary file, removed afterwards).")
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--ties", type=int, default=800_000)
    parser.add_argument("--path", default=DEFAULT_PATH, help="Endpoint to load.")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=5000, help="Most requests of the quiet scenario.")
    parser.add_argument("--seconds", type=float, default=120, help="Most seconds of load per scenario.")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes.")
    parser.add_argument("--warm", type=float, default=10, help="Seconds of load before the first scenario, not measured.")
    parser.add_argument("--during", default=",".join(SCENARIOS), help="Scenarios to run, comma-separated: none, ingest, lock.")
    parser.add_argument("--rows", type=int, default=4_000_000, help="Interaction rows of the ingest scenario.")
    parser.add_argument("--ingest-nice", type=int, default=0, help="Niceness of the ingest (10: it yields the cores to the service).")
    parser.add_argument("--lock-seconds", type=float, default=40, help="Seconds the lock scenario holds the write lock.")
    args = parser.parse_args(argv)
    scenarios = [s.strip() for s in args.during.split(",") if s.strip()]
    if unknown := set(scenarios) - set(SCENARIOS):
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")

    failed = False
    with tempfile.TemporaryDirectory(prefix="orgnet-bench-") as scratch:
        location = args.store or str(Path(scratch) / "bench.db")
        if not _analysed(location):
            build_store(location, args.people, args.ties)
        if "ingest" in scenarios:
            ensure_roster(location, Path(scratch), args.people)
        store = open_store(location)
        try:
            key_id, key = create_key(store, "admin", "bench/api.py")
        finally:
            store.close()
        port = _free_port()
        server = _serve(location, port, args.workers)
        answered = 0
        try:
            # A minimal HTTP/1.1 client: httpx's AsyncClient spends more CPU per request than the server at 50
            # connections (measured here: 169 req/s with httpx against ~2,500 with this), and it shares the cores.
            request = f"GET {args.path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-API-Key: {key}\r\n\r\n".encode()
            # Warm every worker's caches (results, keys) on throwaway connections before measuring, long enough
            # for the workers' own start-up work (the ranking built in the background, then a collection) to end.
            _, warm = asyncio.run(_load("127.0.0.1", port, request, args.clients, _budget(float("inf"), args.warm)))
            answered += warm["200"]
            print(f"{args.path}: {args.clients} clients, {args.workers} workers, {os.cpu_count()} cores", flush=True)
            for scenario in scenarios:
                with _writer(scenario, location, Path(scratch), args) as done:
                    total = args.requests if scenario == "none" else float("inf")
                    started = time.perf_counter()
                    latencies, statuses = asyncio.run(_load("127.0.0.1", port, request, args.clients, _budget(total, args.seconds, done)))
                    elapsed = time.perf_counter() - started
                answered += statuses["200"]
                errors = sum(n for status, n in statuses.items() if status != "200")
                failed |= errors > 0
                ms = np.asarray(latencies) * 1000
                p50, p95, p99 = np.percentile(ms, [50, 95, 99])
                detail = ", ".join(f"{n} x {status}" for status, n in sorted(statuses.items()) if status != "200")
                print(
                    f"  during {scenario}: {len(ms):,} requests in {elapsed:.1f} s ({len(ms) / elapsed:,.0f} req/s)  "
                    f"p50 {p50:.1f} ms  p95 {p95:.1f} ms  p99 {p99:.1f} ms  max {ms.max():.1f} ms  errors {errors}"
                    + (f" ({detail})" if detail else ""),
                    flush=True,
                )
        finally:
            # SIGTERM: uvicorn shuts its workers down cleanly, and each writes the audit entries it still holds.
            server.terminate()
            server.wait(timeout=120)
        audited = _audited(location, key_id)
        failed |= audited != answered
        print(f"audit: {audited:,} entries for {answered:,} answered reads{'' if audited == answered else '  MISSING ENTRIES'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
