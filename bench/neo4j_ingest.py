"""Benchmark: ingest the benchmark organisation into a Bolt store and print rows per second.

Usage::

    .venv/bin/python bench/neo4j_ingest.py                      # bundled ArcadeDB Bolt server
    .venv/bin/python bench/neo4j_ingest.py --people 5000 --ties 80000 --batch-size 20000
    NEO4J_USER=neo4j NEO4J_PASSWORD=... .venv/bin/python bench/neo4j_ingest.py --uri bolt://localhost:7687

Without ``--uri`` it starts the bundled server with the test suite's launcher
(``tests/bolt_server.py``) in a temporary folder. Each table is applied as its
own ingest (one transaction each), so the figures separate people from ties;
``--uri`` writes into the database ``NEO4J_DATABASE`` names, which should be empty.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from bolt_server import start_bolt_server

from orgnet.model import CORE_PERSON_FIELDS, IngestBatch, IngestRecord
from orgnet.settings import DEFAULT_NEO4J_BATCH_SIZE
from orgnet.store.neo4j import Neo4jStore

__all__ = ["benchmark_batches", "main"]


def benchmark_batches(n_people: int, n_ties: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """People (8 departments, 8-ary reporting tree, a ``level`` attribute) and ``n_ties`` distinct ties in one month.

    Generated here with NumPy so the benchmark depends only on the store.
    """
    rng = np.random.default_rng(seed)
    ids = np.char.add("P", np.arange(n_people).astype(str)).astype(object)
    managers = np.concatenate([[None], ids[(np.arange(1, n_people) - 1) // 8]])
    people = pd.DataFrame(dict.fromkeys(CORE_PERSON_FIELDS), index=range(n_people))
    people["person_id"] = ids
    people["name"] = np.char.add("Person ", np.arange(n_people).astype(str)).astype(object)
    people["department"] = np.array([f"D{d}" for d in range(8)], dtype=object)[rng.integers(0, 8, n_people)]
    people["manager_id"] = managers
    people["attributes"] = [{"level": str(level)} for level in rng.integers(1, 8, n_people)]
    # Distinct (source, target) pairs without self-ties: oversample, deduplicate, trim.
    pairs = rng.integers(0, n_people, size=(int(n_ties * 1.2) + 100, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    codes = np.unique(pairs[:, 0].astype(np.int64) * n_people + pairs[:, 1])
    codes = rng.permutation(codes)[:n_ties]
    first = pd.Timestamp("2026-10-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 15 * 86400, len(codes)), unit="s")
    ties = pd.DataFrame(
        {
            "source": ids[codes // n_people],
            "target": ids[codes % n_people],
            "period": "2026-10",
            "channel": np.array(["email", "chat"], dtype=object)[rng.integers(0, 2, len(codes))],
            "count": rng.integers(1, 20, len(codes)),
            "weight": rng.random(len(codes)) * 5,
            "first_seen": first,
            "last_seen": first + pd.to_timedelta(rng.integers(0, 15 * 86400, len(codes)), unit="s"),
        }
    )
    return people, ties


def _timed(store: Neo4jStore, name: str, batch: IngestBatch, rows: int) -> float:
    started = time.perf_counter()
    store.apply(batch, IngestRecord(f"bench-{name}", "bench", name, f"bench-{name}-{time.time_ns()}", "2026-11-01T00:00:00Z"))
    seconds = time.perf_counter() - started
    print(f"{name:>8}: {rows:>9,} rows in {seconds:7.1f} s = {rows / seconds:>9,.0f} rows/s", flush=True)
    return seconds


def main(argv: list[str] | None = None) -> None:
    """Generate the organisation, apply it, print rows/s per table and overall."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--ties", type=int, default=800_000)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_NEO4J_BATCH_SIZE, help="rows per UNWIND statement")
    parser.add_argument("--uri", help="an existing server (credentials from NEO4J_USER/NEO4J_PASSWORD/NEO4J_DATABASE)")
    args = parser.parse_args(argv)

    people, ties = benchmark_batches(args.people, args.ties)
    server = None
    with tempfile.TemporaryDirectory() as folder:
        try:
            if args.uri:
                store = Neo4jStore.connect(args.uri)
                store.batch_size = args.batch_size
            else:
                started = time.perf_counter()
                server = start_bolt_server(Path(folder))
                server.create_database("bench")
                print(f"bundled Bolt server up in {time.perf_counter() - started:.1f} s ({server.uri})")
                store = Neo4jStore(server.uri, "root", server.password, "bench", batch_size=args.batch_size)
            with store:
                print(f"server: {store._driver.get_server_info().agent}, batch size {args.batch_size:,}")
                total = _timed(store, "people", IngestBatch(people=people), len(people))
                total += _timed(store, "ties", IngestBatch(ties=ties), len(ties))
                rows = len(people) + len(ties)
                print(f"   total: {rows:>9,} rows in {total:7.1f} s = {rows / total:>9,.0f} rows/s")
                counts = store.counts()
                assert counts["people"] == len(people) and counts["ties"] == len(ties), counts
        finally:
            if server is not None:
                server.stop()


if __name__ == "__main__":
    main()
