"""Load benchmark of the API: bounded concurrent clients on loopback, printing p50/p95 latency and errors.

    python bench/api.py --store big.db [--path /api/v1/brokers?limit=50] [--clients 50] [--requests 5000]

Starts ``uvicorn api.app:create_app`` in a child process on a free loopback
port (one worker, as ``orgnet serve`` runs), creates an admin key in the store,
then ``--clients`` clients each send requests back to back until
``--requests`` have been sent in all. The store must already be analysed
(``orgnet analyze``); for the issue's figure use the 50,000-person benchmark org.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time

import httpx
import numpy as np

from orgnet.access import create_key
from orgnet.store import open_store


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _load(url: str, key: str, clients: int, total: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    remaining = total

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal remaining, errors
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            try:
                answer = await http.get(url, headers={"X-API-Key": key})
                ok = answer.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - started)
            errors += not ok

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as http:
        await http.get(url, headers={"X-API-Key": key})  # warm the result cache once
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return latencies, errors


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="An analysed store.")
    parser.add_argument("--path", default="/api/v1/brokers?limit=50", help="Endpoint to load.")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args(argv)

    store = open_store(args.store)
    try:
        _, key = create_key(store, "admin", "bench/api.py")
    finally:
        store.close()
    port = _free_port()
    env = {**os.environ, "ORGNET_STORE": args.store}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        started = time.perf_counter()
        latencies, errors = asyncio.run(_load(base + args.path, key, args.clients, args.requests))
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    ms = np.asarray(latencies) * 1000
    print(f"{args.path}: {len(ms)} requests, {args.clients} clients, {len(ms) / elapsed:,.0f} req/s")
    print(f"p50 {np.percentile(ms, 50):.1f} ms  p95 {np.percentile(ms, 95):.1f} ms  max {ms.max():.1f} ms  errors {errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
