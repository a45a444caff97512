"""Ingest benchmark: `orgnet ingest interactions` of a CSV against DuckDB's one-statement aggregation of the same file.

    python bench/ingest.py                     # 50,000 people, 1.9 million rows, one month
    python bench/ingest.py --people 10000      # rows scale with people (38 a person)
    python bench/ingest.py --scale             # 10k, 50k and 250k people: time and peak memory
    python bench/ingest.py --keep DIR          # keep the files and stores

Generates a roster and an interactions CSV with the seeded generator
(``orgnet.synth``; conversations repeat as real logs do, the generator's
default of one conversation per eight rows), ingests the roster, then times,
each as a fresh process of its own (wall time, that process's peak memory and
the sampled peak of all its processes together, ``bench/measure.py``):

* the whole ``orgnet ingest interactions`` command: read, check, resolve
  identities, weight, aggregate, write the ties in one transaction;
* DuckDB asked for the same aggregation in one statement into a database file,
  ``CREATE TABLE tie AS SELECT sender, recipient, month, channel, count(*),
  min(timestamp), max(timestamp) FROM read_csv(...) GROUP BY ALL`` (the file's
  ``recipients`` lists unnested into one recipient a row first). DuckDB does
  less: no identity resolution, weights, checks of bad rows or dates.

and prints the ratio the issue sets: orgnet <= 2.0x DuckDB. DuckDB is in the
``bench`` extra (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would hide the `ingest` package.
sys.path = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]

from orgnet.synth import write_interactions_csv, write_roster_csv  # noqa: E402

sys.path.append(str(Path(__file__).resolve().parent))
from measure import memory, print_report, run_measured, script_command, together_mib  # noqa: E402

#: Rows per person of the benchmark month: 1.9 million rows for 50,000 people.
ROWS_PER_PERSON = 38
SCALES = (10_000, 50_000, 250_000)
TARGET_OVER_DUCKDB = 2.0

DUCKDB_STATEMENT = """
CREATE TABLE tie AS
SELECT sender, recipient, substr(timestamp, 1, 7) AS month, channel,
       count(*) AS count, min(timestamp) AS first_seen, max(timestamp) AS last_seen
FROM (
    SELECT sender, unnest(string_split(recipients, ';')) AS recipient, timestamp, channel
    FROM read_csv(?, header = true, types = {'timestamp': 'VARCHAR'})
)
GROUP BY ALL
"""


def duckdb_side(csv: Path, database: Path) -> None:
    """DuckDB's side, run as a process of its own: the one statement, then the rows it wrote."""
    import time

    import duckdb

    started = time.perf_counter()
    with duckdb.connect(str(database)) as connection:
        connection.execute(DUCKDB_STATEMENT, [str(csv)])
        (ties,) = connection.execute("SELECT count(*) FROM tie").fetchone() or (0,)
    print_report({"seconds": time.perf_counter() - started, "ties": ties})


def ingest_run(folder: Path, people: int, rows: int, months: int, conversations: int | None, nice: int) -> dict:
    """Generate the files for ``people``, ingest them with orgnet and aggregate them with DuckDB; print and return the figures."""
    import time

    started = time.perf_counter()
    roster = write_roster_csv(folder / f"roster-{people}.csv", people)
    interactions = write_interactions_csv(folder / f"interactions-{people}.csv", rows, people, threads=conversations, months=months)
    generated = time.perf_counter() - started
    store = folder / f"bench-{people}.db"
    orgnet = [sys.executable, "-m", "orgnet"]
    subprocess.run([*orgnet, "ingest", "roster", str(roster), "--store", str(store)], check=True, capture_output=True)
    print(f"\n{people:,} people, {rows:,} rows ({interactions.stat().st_size / 1e6:,.0f} MB), generated in {generated:.0f} s", flush=True)
    ours = run_measured([*orgnet, "ingest", "interactions", str(interactions), "--store", str(store)], nice)
    ties = _stored_ties(store)
    print(
        f"  orgnet ingest  {ours.seconds:7.1f} s  {memory(ours)}  {rows / ours.seconds:10,.0f} rows/s  -> {ties:,} ties",
        flush=True,
    )
    theirs = run_measured(
        script_command(Path(__file__).resolve(), "--side", "duckdb", "--csv", str(interactions), "--db", str(folder / f"duck-{people}.db")),
        nice,
    )
    print(
        f"  duckdb         {theirs.report['seconds']:7.1f} s  peak {theirs.peak_mib:7,.0f} MiB  "
        f"{rows / theirs.report['seconds']:10,.0f} rows/s  -> {theirs.report['ties']:,} sender-recipient rows",
        flush=True,
    )
    ratio = ours.seconds / theirs.report["seconds"]
    print(f"  orgnet / duckdb {ratio:6.2f} x  (target <= {TARGET_OVER_DUCKDB}: {'met' if ratio <= TARGET_OVER_DUCKDB else 'NOT met'})")
    return {"people": people, "rows": rows, "ties": ties, "orgnet": ours, "duckdb": theirs}


def _stored_ties(store: Path) -> int:
    from orgnet.store.sqlite import SQLiteStore

    with SQLiteStore(store) as opened:
        return opened.counts()["ties"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50_000, help="people in the roster")
    parser.add_argument("--rows", type=int, help=f"interaction rows (default {ROWS_PER_PERSON} a person)")
    parser.add_argument("--months", type=int, default=1, help="months the rows spread over")
    parser.add_argument("--conversations", type=int, help="distinct conversations the rows repeat (default rows / 8)")
    parser.add_argument("--scale", action="store_true", help=f"run at {', '.join(f'{n:,}' for n in SCALES)} people")
    parser.add_argument("--nice", type=int, default=0, help="niceness of the measured processes (a shared machine)")
    parser.add_argument("--keep", type=Path, help="write the files and stores here instead of a temporary folder")
    parser.add_argument("--side", choices=["duckdb"], help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        duckdb_side(args.csv, args.db)
        return
    if importlib.util.find_spec("duckdb") is None:
        sys.exit("bench/ingest.py compares with DuckDB, which is not installed: pip install -e '.[bench]'")
    print(f"cores: {len(os.sched_getaffinity(0))}", flush=True)
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for people in SCALES if args.scale else (args.people,):
            rows = args.rows if args.rows and not args.scale else people * ROWS_PER_PERSON
            results.append(ingest_run(folder, people, rows, args.months, args.conversations, args.nice))
    if args.scale:
        print(
            f"\n{'people':>9}{'rows':>12}{'ties':>11}{'ingest s':>10}{'peak MiB':>10}{'all MiB':>9}{'duckdb s':>10}{'ratio':>7}{'us/row':>8}"
        )
        for row in results:
            ours, theirs = row["orgnet"], row["duckdb"]
            print(
                f"{row['people']:>9,}{row['rows']:>12,}{row['ties']:>11,}{ours.seconds:>10.1f}{ours.peak_mib:>10,.0f}{together_mib(ours):>9}"
                f"{theirs.report['seconds']:>10.1f}{ours.seconds / theirs.report['seconds']:>7.2f}{1e6 * ours.seconds / row['rows']:>8.2f}"
            )


if __name__ == "__main__":
    main()
