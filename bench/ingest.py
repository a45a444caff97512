"""Ingest benchmark: CSV interactions -> aggregated ties in the embedded store, rows per second.

Generates a roster and an interactions CSV with the seeded generator
(``orgnet.synth``), ingests the roster, then times ``orgnet ingest
interactions`` end to end (read, check, resolve identities, weight,
aggregate, write in one transaction) and prints the figures.

    python bench/ingest.py [--rows 4000000] [--people 50000] [--months 1] [--conversations N] [--keep DIR]

The default is one month of a 50,000-person organisation: 4 million rows
repeating 500,000 conversations, about 800,000 ties. The ingest collapses
repeated conversations before it builds edges, so ``--conversations`` equal
to ``--rows`` (no message repeats another) shows the slowest case.

Target (issue 3): at least 500,000 rows/s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would hide the `ingest` package.
sys.path = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]

from orgnet.ingest.pipeline import ingest_path  # noqa: E402
from orgnet.store.sqlite import SQLiteStore  # noqa: E402
from orgnet.synth import write_interactions_csv, write_roster_csv  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4_000_000, help="interaction rows to generate")
    parser.add_argument("--people", type=int, default=50_000, help="people in the roster")
    parser.add_argument("--months", type=int, default=1, help="months the rows spread over")
    parser.add_argument("--conversations", type=int, help="distinct conversations the rows repeat (default rows / 8)")
    parser.add_argument("--keep", type=Path, help="write the files and store here instead of a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        roster = write_roster_csv(folder / "roster.csv", args.people)
        interactions = write_interactions_csv(
            folder / "interactions.csv", args.rows, args.people, threads=args.conversations, months=args.months
        )
        generated = time.perf_counter() - started
        size_mb = interactions.stat().st_size / 1e6
        store = SQLiteStore(folder / "bench.db")
        ingest_path(store, "roster", roster)
        started = time.perf_counter()
        report = ingest_path(store, "interactions", interactions)
        seconds = time.perf_counter() - started
        ties = store.counts()["ties"]
        store.close()
    conversations = args.conversations or max(args.rows // 8, 1)
    print(
        f"generated      {args.rows:,} rows ({size_mb:,.0f} MB), {conversations:,} conversations, {args.people:,} people in {generated:.1f} s"
    )
    print(f"ingested       {report.counts['rows']:,} rows -> {ties:,} ties in {seconds:.2f} s")
    print(f"throughput     {report.counts['rows'] / seconds:,.0f} rows/s (target 500,000)")


if __name__ == "__main__":
    main()
