"""Load benchmark of the API: bounded concurrent clients on loopback, printing p50/p95/p99 latency and errors.

    python bench/api.py                          # builds the 50,000-person org in a temporary store
    python bench/api.py --store big.db           # reuses big.db when it is analysed, else builds it there
    python bench/api.py --path "/api/v1/brokers?limit=50" --clients 50 --requests 5000 --workers 2

Builds the benchmark organisation (:func:`orgnet.synth.benchmark_org`: 50,000
people, 800,000 ties) into an SQLite store, analyses it, starts ``uvicorn
orgnet.api.app:create_app`` in a child process on a free loopback port, creates an
admin key, then ``--clients`` clients send requests back to back on
keep-alive connections until ``--requests`` have been sent or ``--seconds``
have passed. The clients run in this process, so they share the machine's
cores with the server: the figures include that contention.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx2
import numpy as np

from orgnet.access import create_key
from orgnet.analysis import AnalysisOptions, analyze
from orgnet.model import CORE_PERSON_FIELDS, IngestBatch, IngestRecord
from orgnet.store import open_store
from orgnet.synth import benchmark_org

#: The endpoint the issue sets the latency target on.
DEFAULT_PATH = "/api/v1/advocates?top=20"


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


def _analysed(path: str) -> bool:
    if not Path(path).exists():
        return False
    store = open_store(path)
    try:
        return bool(len(store.results()))
    finally:
        store.close()


async def _client(host: str, port: int, request: bytes, count: Callable[[], bool], latencies: list[float]) -> int:
    """One keep-alive connection sending ``request`` while ``count()`` allows; returns how many answers were not 200."""
    errors = 0
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
                errors += head[9:12] != b"200"
            except (OSError, asyncio.IncompleteReadError, StopIteration, ValueError):
                errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()
    return errors


async def _load(host: str, port: int, path: str, key: str, clients: int, total: int, seconds: float) -> tuple[list[float], int]:
    # A minimal HTTP/1.1 client: httpx's AsyncClient spends more CPU per request than the server at 50 connections
    # (measured here: 169 req/s with httpx against ~2,500 with this), and the client shares the server's cores.
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nX-API-Key: {key}\r\n\r\n".encode()

    def budget(total: int, seconds: float) -> Callable[[], bool]:
        remaining, deadline = total, time.monotonic() + seconds

        def count() -> bool:
            nonlocal remaining
            remaining -= 1
            return remaining >= 0 and time.monotonic() < deadline

        return count

    # Warm every worker's caches (results, keys) on throwaway connections before measuring.
    warm = budget(4 * clients, seconds)
    await asyncio.gather(*(_client(host, port, request, warm, []) for _ in range(clients)))
    latencies: list[float] = []
    count = budget(total, seconds)
    errors = await asyncio.gather(*(_client(host, port, request, count, latencies) for _ in range(clients)))
    return latencies, sum(errors)


def main(argv: list[str] | None = None) -> int:
    """Build (or reuse) the store, run the benchmark and print its figures; exit status 1 on any error."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="Store to reuse or build (default: a temporary file, removed afterwards).")
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--ties", type=int, default=800_000)
    parser.add_argument("--path", default=DEFAULT_PATH, help="Endpoint to load.")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=5000, help="Most requests in all.")
    parser.add_argument("--seconds", type=float, default=120, help="Most seconds of load.")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes.")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="orgnet-bench-") as scratch:
        location = args.store or str(Path(scratch) / "bench.db")
        if not _analysed(location):
            build_store(location, args.people, args.ties)
        store = open_store(location)
        try:
            _, key = create_key(store, "admin", "bench/api.py")
        finally:
            store.close()
        port = _free_port()
        # Workers share the store and must share the session secret too.
        env = {**os.environ, "ORGNET_STORE": location, "ORGNET_SESSION_SECRET": "bench"}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "orgnet.api.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if httpx2.get(base + "/api/v1/health", timeout=5).status_code == 200:
                        break
                except httpx2.HTTPError:
                    time.sleep(0.2)
            started = time.perf_counter()
            latencies, errors = asyncio.run(_load("127.0.0.1", port, args.path, key, args.clients, args.requests, args.seconds))
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
    ms = np.asarray(latencies) * 1000
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    print(
        f"{args.path}: {len(ms)} requests, {args.clients} clients, {args.workers} workers, {os.cpu_count()} cores, {len(ms) / elapsed:,.0f} req/s"
    )
    print(f"p50 {p50:.1f} ms  p95 {p95:.1f} ms  p99 {p99:.1f} ms  max {ms.max():.1f} ms  errors {errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
