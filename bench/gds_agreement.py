"""Benchmark: one snapshot analysed by the local engine and by Neo4j Graph Data Science, its agreement figures and timings.

Usage::

    nice -n 10 .venv/bin/python bench/gds_agreement.py              # the 50,000-person benchmark org, local Neo4j
    .venv/bin/python bench/gds_agreement.py --samples                # the bundled samples instead
    .venv/bin/python bench/gds_agreement.py --pivots 256             # the betweenness pivots of both engines
    NEO4J_USER=neo4j NEO4J_PASSWORD=... .venv/bin/python bench/gds_agreement.py --uri bolt://localhost:7687

The data is ``orgnet.synth.benchmark_org()`` (50,000 people, 800,000 ties in 2026-10, with audiences, followers
and engagement) or, with ``--samples``, the bundled samples. Without ``--uri`` it starts the local Neo4j Community
with GDS (``orgnet.graph_server``, ``--heap`` of JVM heap) in a temporary folder; with ``--uri`` it empties the
database ``NEO4J_DATABASE`` names first: give it a scratch one. The data goes in as one ingest, then
:func:`orgnet.analysis.analyze` runs on that store twice, ``engine="local"`` and ``engine="gds"``, without layouts,
and the typed results of each are read back and compared: PageRank top 10, modularity, NMI of communities vs
departments, articulation points and bridges, betweenness top 20 at equal pivots (beside the overlap of two local
draws of those pivots, the sampling noise), clustering. Then the seconds of each engine's steps. The pivots are, by
default, those at which two sampled estimates should share 15 of their top 20
(:func:`orgnet.brokers.pivots_for_ranking` on a local pilot of the default pivots).
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import time
from pathlib import Path
from typing import Any

from neo4j_bench import empty, neo4j_store

from orgnet.analysis import AnalysisOptions, analyze, load_snapshot
from orgnet.brokers import DEFAULT_PIVOTS, betweenness, pivots_for_ranking
from orgnet.jobs import ADVOCATES, BROKERS, COMMUNITIES, FRAGILITY, SUMMARY
from orgnet.model import IngestBatch, IngestRecord
from orgnet.results import get
from orgnet.store.neo4j import Neo4jStore

__all__ = ["main"]

PERIOD = "2026-10"
SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


def _load(store: Neo4jStore, samples: bool, people: int, ties: int) -> None:
    """Empty the database and ingest the data to compare on."""
    empty(store)
    started = time.perf_counter()
    if samples:
        from orgnet.ingest.samples import ingest_samples

        ingest_samples(store, SAMPLES)
    else:
        from orgnet.synth import benchmark_org

        org = benchmark_org(people, ties)
        store.apply(
            IngestBatch(**org), IngestRecord("bench-gds", "bench", "benchmark org", f"bench-gds-{time.time_ns()}", "2026-11-01T00:00:00Z")
        )
    print(f"ingested in {time.perf_counter() - started:.1f} s: {store.counts()}", flush=True)


def _agreement_pivots(store: Neo4jStore, seed: int) -> int:
    """The pivots at which two sampled betweenness estimates share 15 of their top 20, from a local pilot."""
    data = load_snapshot(store, PERIOD, PERIOD)
    pilot = betweenness(data.graph, k=DEFAULT_PIVOTS, seed=seed, indexed=data.indexed)
    pivots = pivots_for_ranking(pilot, top=20, keep=15)
    print(f"betweenness pivots from a pilot of {DEFAULT_PIVOTS}: {pivots} (standard errors of the top 20's boundary)", flush=True)
    return pivots


def _analysed(store: Neo4jStore, options: AnalysisOptions) -> dict[str, Any]:
    """Analyse the period with ``options`` and read its typed results back."""
    run = analyze(store, PERIOD, PERIOD, options)
    found: dict[str, Any] = {job.name: get(store, job, PERIOD) for job in (ADVOCATES, COMMUNITIES, FRAGILITY, BROKERS, SUMMARY)}
    found["timings"] = run.timings
    return found


def _top(table: Any, column: str, k: int) -> list[str]:
    rows = sorted(table.select(["person_id", column]).to_pylist(), key=lambda row: (-row[column], row["person_id"]))
    return [row["person_id"] for row in rows[:k]]


def _compare(store: Neo4jStore, local: dict[str, Any], gds: dict[str, Any], options: AnalysisOptions) -> None:
    print("\nagreement (local vs GDS)")
    tops = [_top(found[ADVOCATES.name].table, "pagerank", 10) for found in (local, gds)]
    print(f"  PageRank top 10 identical: {tops[0] == tops[1]} ({len(set(tops[0]) & set(tops[1]))} of 10 in common)")
    ours, theirs = gds[COMMUNITIES.name], local[COMMUNITIES.name]
    print(
        f"  modularity: local {theirs.modularity:.4f}, GDS {ours.modularity:.4f} "
        f"({100 * (ours.modularity - theirs.modularity) / theirs.modularity:+.2f}%; {len(theirs.sizes)} vs {len(ours.sizes)} communities)"
    )
    print(
        f"  NMI vs departments: local {theirs.agreement['nmi']:.4f}, GDS {ours.agreement['nmi']:.4f} "
        f"(difference {ours.agreement['nmi'] - theirs.agreement['nmi']:+.4f})"
    )
    ours, theirs = gds[FRAGILITY.name], local[FRAGILITY.name]
    same_points = sorted(ours.articulation_points) == sorted(theirs.articulation_points)
    same_bridges = {frozenset(p) for p in ours.bridges} == {frozenset(p) for p in theirs.bridges}
    print(f"  articulation points identical: {same_points} ({len(theirs.articulation_points)} local, {len(ours.articulation_points)} GDS)")
    print(f"  bridges identical: {same_bridges} ({len(theirs.bridges)} local, {len(ours.bridges)} GDS)")
    ours, theirs = gds[BROKERS.name], local[BROKERS.name]
    top = [_top(found.table, "betweenness", 20) for found in (theirs, ours)]
    pivots = theirs.betweenness["pivots"]
    line = f"  betweenness top 20 in common: {len(set(top[0]) & set(top[1]))} of 20 ({pivots} pivots each, exact: {theirs.betweenness['exact']})"
    if not theirs.betweenness["exact"]:
        data = load_snapshot(store, PERIOD, PERIOD)
        again = betweenness(data.graph, k=pivots, seed=options.seed + 1, indexed=data.indexed).values
        redrawn = sorted(again, key=lambda person: (-again[person], person))[:20]
        line += f"; two local draws of {pivots} pivots share {len(set(top[0]) & set(redrawn))}"
    print(line)
    ours, theirs = gds[SUMMARY.name], local[SUMMARY.name]
    print(
        f"  average clustering: local {theirs.average_clustering:.6f}, GDS {ours.average_clustering:.6f}; "
        f"transitivity {theirs.transitivity:.6f}, {ours.transitivity:.6f}; weak components {theirs.weak_components}, {ours.weak_components}"
    )


def _timings(local: dict[str, Any], gds: dict[str, Any]) -> None:
    print("\nseconds        local      GDS")
    steps = list(dict.fromkeys([*gds["timings"], *local["timings"]]))
    for step in steps:
        figures = [found["timings"].get(step) for found in (local, gds)]
        print(f"  {step:<12}" + "".join(f"{'-' if value is None else f'{value:.1f}':>9}" for value in figures))
    print(f"  {'total':<12}" + "".join(f"{sum(found['timings'].values()):>9.1f}" for found in (local, gds)))


def main(argv: list[str] | None = None) -> None:
    """Load the data into Neo4j, analyse it with each engine, print the agreement and the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", action="store_true", help="the bundled samples instead of the benchmark org")
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--ties", type=int, default=800_000)
    parser.add_argument(
        "--pivots",
        default="auto",
        help="betweenness pivots of both engines: a number, 'job' (the brokers job's) or 'auto' (from the standard error)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--uri", help="an existing server with GDS (credentials from NEO4J_USER/NEO4J_PASSWORD/NEO4J_DATABASE)")
    parser.add_argument("--heap", default="4g", help="JVM heap of the local Neo4j")
    args = parser.parse_args(argv)

    with neo4j_store(args.uri, args.heap, "1g") as store:
        _load(store, args.samples, args.people, args.ties)
        pivots = None if args.pivots == "job" else _agreement_pivots(store, args.seed) if args.pivots == "auto" else int(args.pivots)
        options = AnalysisOptions(layout=False, seed=args.seed, pivots=pivots)
        local = _analysed(store, dataclasses.replace(options, engine="local"))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        print(f"local analysis done; peak memory of this process so far {peak:.2f} GiB", flush=True)
        gds = _analysed(store, dataclasses.replace(options, engine="gds"))
        _compare(store, local, gds, options)
        _timings(local, gds)


if __name__ == "__main__":
    main()
