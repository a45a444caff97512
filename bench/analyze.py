"""Analysis benchmark: the whole `orgnet analyze` command against igraph and NetworkX asked directly, side by side.

    python bench/analyze.py                               # 50,000 people, 845,000 ties
    python bench/analyze.py --people 10000                # ties scale with people (16.9 a person)
    python bench/analyze.py --scale                       # 10k, 50k and 250k people: time and peak memory
    python bench/analyze.py --per-job                     # every orgnet job against its plain-NetworkX counterpart

The default run generates the benchmark organisation (:func:`orgnet.synth.benchmark_org`),
puts it in a fresh embedded store and its ties in a Parquet file, then runs,
each as a fresh process of its own (wall time, that process's peak memory and
the sampled peak of all its processes together, ``bench/measure.py``):

* the whole ``orgnet analyze`` command: store read, every job, layouts, store write;
* igraph asked directly for the core kernels on the same ties: build the weighted
  graph, PageRank, Leiden, betweenness from 64 sampled sources, articulation
  points, local transitivity;
* plain NetworkX doing only PageRank and Louvain (graph build included).

and prints the ratios the issue sets: orgnet <= 1.5x igraph, <= 0.3x NetworkX.
``--scale`` does the same at 10,000, 50,000 and 250,000 people (NetworkX only
up to ``--networkx-max`` people: Louvain alone takes minutes beyond).

``--per-job`` is the older, finer comparison: orgnet's jobs in process on the
snapshot's tables, each against the same questions answered in plain NetworkX
and Python on the same graph: ``nx.pagerank``, ``nx.community.louvain_communities`` (seeded),
``nx.betweenness_centrality(k=pivots, seed=...)``, ``nx.constraint`` and
``nx.effective_size``, density, reciprocity, clustering, components,
articulation points and bridges, group matrices and E-I by a Python loop over
the ties, Gould-Fernandez roles by a loop over two-paths, audience unions and
the greedy squad with Python sets. The slow ones are *extrapolated*: NetworkX
betweenness from ``--nx-pivots`` pivots to orgnet's pivot count; clustering,
constraint, effective size and brokerage roles person by person over a
seeded random sample (their ``nodes=`` argument) for ``--slice`` seconds
each, the mean time per person times the number of people. The table says
which figures are measured and which extrapolated. Jobs start only while
less than ``--networkx-budget`` seconds have been spent; those left are shown
as skipped. It checks that the answers agree: PageRank's top 10, Louvain's
modularity against Leiden's, constraint and effective size of the people
NetworkX did, the group matrix.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from measure import memory, print_report, run_measured, script_command, together_mib

from orgnet.advocates import pagerank
from orgnet.analysis import AnalysisOptions, run_jobs, snapshot_from_tables, worker_count
from orgnet.synth import benchmark_org

LAYOUT_JOBS = ("layout_people", "layout_groups", "group_edges")
#: Target of the issue: seconds for a 50,000-person period, and speed-up over plain NetworkX (the per-job comparison).
TARGET_SECONDS = 10.0
TARGET_SPEEDUP = 10.0
#: Targets of the headline comparison: `orgnet analyze` over igraph's core kernels, and over NetworkX's PageRank + Louvain.
TARGET_OVER_IGRAPH = 1.5
TARGET_OVER_NETWORKX = 0.3
#: Ties per person of the benchmark org: 845,000 ties for 50,000 people.
TIES_PER_PERSON = 16.9
SCALES = (10_000, 50_000, 250_000)
PERIOD = "2026-10"


def _timed(function: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = function()
    return value, time.perf_counter() - started


class NetworkXRun:
    """Times plain-NetworkX jobs within a wall-clock budget; each row is measured, extrapolated or skipped."""

    def __init__(self, budget: float, slice_seconds: float):
        self.budget = budget
        self.slice = slice_seconds
        self.spent = 0.0
        self.rows: dict[str, tuple[float | None, str]] = {}
        self.values: dict[str, Any] = {}

    def job(self, name: str, function: Callable[[], Any], scale: float = 1.0, how: str = "measured") -> None:
        """Run ``function`` (unless the budget is spent) and record ``seconds * scale`` under ``name``."""
        if self.spent >= self.budget:
            self.rows[name] = (None, "skipped (budget)")
            return
        value, seconds = _timed(function)
        self.spent += seconds
        self.values[name] = value
        self.rows[name] = (seconds * scale, how if scale == 1.0 else f"{how}: {seconds:.1f} s x {scale:.4g}")
        print(f"  networkx {name}: {seconds:.2f} s{'' if scale == 1.0 else f' (x {scale:.4g})'}", flush=True)

    def per_person(self, name: str, function: Callable[[list], dict], sample: list, population: int) -> None:
        """Run ``function(nodes=[v])`` over ``sample`` (random order) until the time slice is used, and extrapolate.

        The people done are a uniform random prefix of the sample, so their mean
        time estimates the mean over everyone; the figure is that mean times
        ``population``.
        """
        if self.spent >= self.budget:
            self.rows[name] = (None, "skipped (budget)")
            return
        values: dict = {}
        started = time.perf_counter()
        for node in sample:
            values.update(function([node]))
            if time.perf_counter() - started >= self.slice:
                break
        seconds = time.perf_counter() - started
        self.spent += seconds
        self.values[name] = values
        self.rows[name] = (seconds / len(values) * population, f"extrapolated: {len(values)} random people in {seconds:.1f} s")
        print(f"  networkx {name}: {len(values)} people in {seconds:.2f} s", flush=True)


def _group_loop(G: nx.DiGraph, by: str) -> dict[str, Any]:
    """Group matrix, internal/external ties and E-I per group: one Python loop over the ties."""
    group = {node: data.get(by) for node, data in G.nodes(data=True)}
    matrix: Counter = Counter()
    internal: Counter = Counter()
    external: Counter = Counter()
    for u, v in G.edges():
        a, b = group[u], group[v]
        matrix[a, b] += 1
        if a == b:
            internal[a] += 1
        else:
            external[a] += 1
            external[b] += 1
    ei = {g: (external[g] - internal[g]) / max(external[g] + internal[g], 1) for g in set(group.values())}
    return {"matrix": matrix, "ei": ei}


def _roles(G: nx.DiGraph, by: str, nodes: list) -> dict[Any, Counter]:
    """Gould-Fernandez role counts of ``nodes`` by enumerating their open two-paths."""
    group = {node: data.get(by) for node, data in G.nodes(data=True)}
    counts = {}
    for b in nodes:
        roles: Counter = Counter()
        out = set(G.successors(b))
        for a in G.predecessors(b):
            closed = G.succ[a]
            for c in out:
                if c == a or c in closed:
                    continue
                ga, gb, gc = group[a], group[b], group[c]
                if ga == gb == gc:
                    roles["coordinator"] += 1
                elif ga == gc:
                    roles["itinerant"] += 1
                elif gb == gc:
                    roles["gatekeeper"] += 1
                elif ga == gb:
                    roles["representative"] += 1
                else:
                    roles["liaison"] += 1
        counts[b] = roles
    return counts


def _participation(G: nx.DiGraph, by: str) -> dict[Any, float]:
    group = {node: data.get(by) for node, data in G.nodes(data=True)}
    strength: dict[Any, Counter] = defaultdict(Counter)
    for u, v, w in G.edges(data="weight"):
        strength[u][group[v]] += w
        strength[v][group[u]] += w
    return {node: 1 - sum((s / sum(k.values())) ** 2 for s in k.values()) for node, k in strength.items()}


def _reach(audiences, followers, squad: int) -> dict[str, Any]:
    """Audience union, per-brand overlap and the greedy maximum-coverage squad with Python sets."""
    sets: dict[Any, set] = defaultdict(set)
    for owner_type, owner, platform, follower in zip(
        followers["owner_type"], followers["owner"], followers["platform"], followers["follower_hash"]
    ):
        sets[owner_type, owner].add((platform, follower))
    people = {key: value for key, value in sets.items() if key[0] == "person"}
    union = set().union(*people.values()) if people else set()
    brands = set().union(*(v for k, v in sets.items() if k[0] != "person")) if len(sets) > len(people) else set()
    covered: set = set()
    chosen = []
    for _ in range(min(squad, len(people))):
        best = max((key for key in people if key not in chosen), key=lambda key: len(people[key] - covered))
        chosen.append(best)
        covered |= people[best]
    return {"union": len(union), "brand_overlap": len(union & brands), "squad_coverage": len(covered)}


def run_networkx(G: nx.DiGraph, data: dict, args: argparse.Namespace, pivots: int) -> NetworkXRun:
    run = NetworkXRun(args.networkx_budget, args.slice)
    sample = random.Random(args.seed).sample(list(G), min(args.sample, G.number_of_nodes()))
    n = G.number_of_nodes()
    undirected = G.to_undirected()
    for _, _, edge in G.edges(data=True):
        edge["distance"] = 1.0 / edge["weight"]

    def summary():
        return {
            "density": nx.density(G),
            "reciprocity": nx.reciprocity(G),
            "weak": nx.number_weakly_connected_components(G),
            "strong": nx.number_strongly_connected_components(G),
            "groups": _group_loop(G, args.by),
        }

    def louvain():
        found = nx.community.louvain_communities(undirected, weight="weight", seed=args.seed)
        return nx.community.modularity(undirected, found, weight="weight")

    nx_pivots = min(args.nx_pivots, n)
    run.job("summary", summary)
    run.per_person("summary: clustering", lambda nodes: nx.clustering(undirected, nodes=nodes), sample, n)
    run.job("group matrix, silos, E-I", lambda: _group_loop(G, args.by))
    run.job("fragility", lambda: (list(nx.articulation_points(undirected)), list(nx.bridges(undirected))))
    run.job("communities", louvain)
    run.job(
        "brokers: betweenness",
        lambda: nx.betweenness_centrality(G, k=nx_pivots, seed=args.seed, weight="distance"),
        pivots / nx_pivots,
        f"extrapolated from {nx_pivots} pivots",
    )
    run.per_person("brokers: constraint", lambda nodes: nx.constraint(G, nodes=nodes, weight="weight"), sample, n)
    run.per_person("brokers: effective size", lambda nodes: nx.effective_size(G, nodes=nodes, weight="weight"), sample, n)
    run.per_person("brokers: roles", lambda nodes: _roles(G, args.by, nodes), sample, n)
    run.job("brokers: participation", lambda: _participation(G, args.by))
    run.job("advocates: pagerank", lambda: nx.pagerank(G, weight="weight"))
    run.job("reach", lambda: _reach(data["audiences"], data["followers"], args.squad))
    return run


#: orgnet job (result name without ``@by``) -> the NetworkX rows answering the same questions.
COUNTERPARTS = {
    "summary": ("summary", "summary: clustering"),
    "group_matrix": ("group matrix, silos, E-I",),
    "fragility": ("fragility",),
    "communities": ("communities",),
    "brokers": ("brokers: betweenness", "brokers: constraint", "brokers: effective size", "brokers: roles", "brokers: participation"),
    "advocates": ("advocates: pagerank",),
    "reach": ("reach",),
}


def per_job(args: argparse.Namespace) -> None:
    """The per-job comparison (``--per-job``): orgnet's jobs in process against plain NetworkX's answers to the same questions."""
    data, generated = _timed(lambda: benchmark_org(args.people, args.ties, seed=args.seed))
    print(f"generated {len(data['people']):,} people, {len(data['ties']):,} tie rows in {generated:.1f} s", flush=True)

    period = str(data["ties"]["period"].iloc[0])
    tables = (data["people"], data["ties"], data["audiences"], data["followers"], data["engagement"])
    snapshot, build = _timed(lambda: snapshot_from_tables(period, period, period, *tables))
    options = AnalysisOptions(by=args.by, seed=args.seed, squad=args.squad, layout=False)
    # Wall clock: with two cores the brokers job runs in a worker process beside the others.
    (results, jobs), wall = _timed(lambda: run_jobs(snapshot, options))
    orgnet_total = build + wall
    # The whole analysis as `orgnet analyze` runs it, layouts included (the person layout shares the worker).
    (_, with_layouts), wall_with_layouts = _timed(lambda: run_jobs(snapshot, replace(options, layout=True)))
    layouts = {name: with_layouts[name] for name in LAYOUT_JOBS}
    G = snapshot.graph
    print(f"\norgnet: {G.number_of_nodes():,} people, {G.number_of_edges():,} ties")
    print(f"  {'graph build':<28}{build:8.2f} s")
    for name, seconds in jobs.items():
        print(f"  {name:<28}{seconds:8.2f} s")
    print(
        f"  {'jobs, wall clock':<28}{wall:8.2f} s   ({worker_count(options, snapshot)} process{'es' if worker_count(options, snapshot) > 1 else ''})"
    )
    print(
        f"  {'total (build + jobs)':<28}{orgnet_total:8.2f} s   target <= {TARGET_SECONDS:.0f} s: {'met' if orgnet_total <= TARGET_SECONDS else 'NOT met'}"
    )
    print("  layouts (not in total): " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in layouts.items()))
    print(f"  {'total with layouts':<28}{build + wall_with_layouts:8.2f} s   (a second run, layouts included, wall clock)")
    if args.skip_networkx:
        return

    pivots = results["brokers"].attrs["betweenness"]["pivots"]
    print(
        f"\nplain NetworkX (budget {args.networkx_budget:.0f} s; sample {args.sample} people, {args.nx_pivots} pivots for {pivots})",
        flush=True,
    )
    nxrun = run_networkx(G, data, args, pivots)

    print(f"\n{'job':<26}{'orgnet s':>10}{'networkx s':>12}{'speed-up':>10}  networkx figures")
    print(f"{'graph build (both)':<26}{build:10.2f}{build:12.2f}{1:10.1f}  the same graph")
    theirs_total, complete = build, True
    for name, seconds in jobs.items():
        parts = COUNTERPARTS.get(name.split("@")[0])
        if parts is None:
            # Silo tables and campaigns are pandas on both sides: counted at orgnet's time for both.
            theirs_total += seconds
            print(f"{name:<26}{seconds:10.2f}{seconds:12.2f}{1:10.1f}  no NetworkX counterpart (counted as equal)")
            continue
        figures = [nxrun.rows[part] for part in parts]
        if any(figure is None for figure, _ in figures):
            complete = False
            print(f"{name:<26}{seconds:10.2f}{'-':>12}{'-':>10}  " + "; ".join(f"{part}: {how}" for part, (_, how) in zip(parts, figures)))
            continue
        theirs = sum(figure for figure, _ in figures)
        theirs_total += theirs
        detail = "; ".join(f"{part} {figure:.1f} s ({how})" for part, (figure, how) in zip(parts, figures))
        print(f"{name:<26}{seconds:10.2f}{theirs:12.2f}{theirs / seconds:10.1f}  {detail}")
    speedup = theirs_total / orgnet_total
    verdict = "met" if speedup >= TARGET_SPEEDUP else "NOT met"
    print(
        f"{'total (orgnet wall clock)':<26}{orgnet_total:10.2f}{theirs_total:12.2f}{speedup:10.1f}  target >= {TARGET_SPEEDUP:.0f}x: {verdict}"
        + ("" if complete else " (some NetworkX jobs skipped: a lower bound)")
    )
    print(f"NetworkX wall time spent: {nxrun.spent:.0f} s")

    print("\nagreement")
    ours_pr = pagerank(G, indexed=snapshot.indexed)
    if "advocates: pagerank" in nxrun.values:
        theirs = nxrun.values["advocates: pagerank"]

        def top(scores):
            return [node for node, _ in sorted(scores.items(), key=lambda item: -item[1])[:10]]

        print(f"  pagerank top 10 equal: {top(ours_pr) == top(theirs)}")
    if "communities" in nxrun.values:
        ours_q, theirs_q = results["communities"]["modularity"], nxrun.values["communities"]
        print(f"  modularity: orgnet Leiden {ours_q:.4f}, NetworkX Louvain {theirs_q:.4f} ({100 * (ours_q - theirs_q) / theirs_q:+.1f}%)")
    table = results["brokers"].set_index("person_id")
    for name, column in (("brokers: constraint", "constraint"), ("brokers: effective size", "effective_size")):
        if name in nxrun.values:
            theirs = {node: value for node, value in nxrun.values[name].items() if not np.isnan(value)}
            error = max((abs(table.at[node, column] - value) for node, value in theirs.items()), default=0.0)
            print(f"  {column} on the {len(theirs)} people NetworkX did: max |difference| {error:.2e}")
    if "group matrix, silos, E-I" in nxrun.values:
        matrix = results[next(k for k in results if k.startswith("group_matrix"))]
        theirs = nxrun.values["group matrix, silos, E-I"]["matrix"]
        groups = matrix["groups"]
        equal = all(matrix["ties"][i][j] == theirs.get((a, b), 0) for i, a in enumerate(groups) for j, b in enumerate(groups))
        print(f"  group matrix (ties) equal: {equal}")


def igraph_kernels(ties: pd.DataFrame, seed: int) -> dict[str, float]:
    """Seconds igraph takes for the core kernels on a tie table, as an igraph user would ask for them.

    Build the directed weighted graph (ties summed per pair), PageRank, Leiden
    (modularity, on the undirected graph with both directions' weights summed),
    betweenness from 64 sampled sources (distance 1/weight), articulation
    points and local transitivity (undirected).
    """
    import igraph as ig

    timings: dict[str, float] = {}
    started = time.perf_counter()
    codes, names = pd.factorize(pd.concat([ties["source"], ties["target"]], ignore_index=True))
    n_ties = len(ties)
    pairs = (
        pd.DataFrame({"s": codes[:n_ties], "t": codes[n_ties:], "w": ties["weight"].to_numpy()}).groupby(["s", "t"], sort=False)["w"].sum()
    )
    # The fastest load igraph offers here: pairs of Python ints (an (E, 2) NumPy array is about 1.7x slower).
    graph = ig.Graph(n=len(names), directed=True)
    graph.add_edges(zip(pairs.index.get_level_values(0).tolist(), pairs.index.get_level_values(1).tolist()))
    graph.es["weight"] = pairs.to_numpy().tolist()
    timings["build"] = time.perf_counter() - started

    def step(name: str, function: Callable[[], Any]) -> None:
        begun = time.perf_counter()
        function()
        timings[name] = time.perf_counter() - begun

    step("pagerank", lambda: graph.pagerank(weights="weight", directed=True))
    undirected: dict[str, Any] = {}
    step("undirected", lambda: undirected.setdefault("graph", graph.as_undirected(mode="collapse", combine_edges="sum")))
    random.seed(seed)
    step("leiden", lambda: undirected["graph"].community_leiden(objective_function="modularity", weights="weight"))
    sources = np.random.default_rng(seed).choice(graph.vcount(), min(64, graph.vcount()), replace=False).tolist()
    distances = (1.0 / np.asarray(graph.es["weight"])).tolist()
    step("betweenness (64 sources)", lambda: graph.betweenness(directed=True, weights=distances, sources=sources))
    step("articulation points", lambda: undirected["graph"].articulation_points())
    step("local transitivity", lambda: undirected["graph"].transitivity_local_undirected(mode="zero"))
    return timings


def networkx_kernels(ties: pd.DataFrame, seed: int) -> dict[str, float]:
    """Seconds plain NetworkX takes to build the weighted graph of a tie table, then PageRank and Louvain (seeded)."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    pairs = ties.groupby(["source", "target"], sort=False)["weight"].sum()
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(zip(pairs.index.get_level_values(0), pairs.index.get_level_values(1), pairs.to_numpy().tolist()))
    timings["build"] = time.perf_counter() - started
    begun = time.perf_counter()
    nx.pagerank(graph, weight="weight")
    timings["pagerank"] = time.perf_counter() - begun
    begun = time.perf_counter()
    nx.community.louvain_communities(graph.to_undirected(), weight="weight", seed=seed)
    timings["louvain"] = time.perf_counter() - begun
    return timings


def side(args: argparse.Namespace) -> None:
    """One side of the headline comparison, run as a process of its own: the kernels on the ties of a Parquet file."""
    ties = pd.read_parquet(args.ties_file)
    kernels = igraph_kernels if args.side == "igraph" else networkx_kernels
    timings = kernels(ties, args.seed)
    print_report({"timings": timings, "seconds": sum(timings.values())})


def write_benchmark_store(folder: Path, people: int, seed: int) -> tuple[Path, Path, int]:
    """The benchmark org of ``people`` in a fresh store under ``folder``, and its ties as Parquet; returns both paths and the tie rows."""
    from orgnet.model import IngestRecord
    from orgnet.store.sqlite import SQLiteStore
    from orgnet.synth import benchmark_batch

    org = benchmark_org(people, int(people * TIES_PER_PERSON), periods=(PERIOD,), seed=seed)
    store, parquet = folder / f"org-{people}.db", folder / f"ties-{people}.parquet"
    with SQLiteStore(store) as opened:
        opened.apply(
            benchmark_batch(org),
            IngestRecord(f"benchmark-{people}", "benchmark", "-", f"benchmark-{people}-{seed}", "2026-11-01T00:00:00Z", {}),
        )
    org["ties"].to_parquet(parquet)
    return store, parquet, len(org["ties"])


def headline(args: argparse.Namespace, people: int, with_networkx: bool) -> dict[str, Any]:
    """`orgnet analyze` on the org of ``people`` against igraph's and NetworkX's kernels, each a fresh process; prints and returns the figures."""
    with tempfile.TemporaryDirectory(dir=args.scratch) as scratch:
        (store, parquet, ties), made = _timed(lambda: write_benchmark_store(Path(scratch), people, args.seed))
        print(f"\n{people:,} people, {ties:,} tie rows (store and Parquet written in {made:.0f} s)", flush=True)
        command = [sys.executable, "-m", "orgnet", "analyze", "--store", str(store), "--period", PERIOD, "--seed", str(args.seed)]
        orgnet_run = run_measured(command, args.nice)
        print(
            f"  orgnet analyze      {orgnet_run.seconds:8.1f} s  {memory(orgnet_run)}  (whole command, layouts included)",
            flush=True,
        )
        here = Path(__file__).resolve()
        igraph_run = run_measured(
            script_command(here, "--side", "igraph", "--ties-file", str(parquet), "--seed", str(args.seed)), args.nice
        )
        detail = ", ".join(f"{name} {seconds:.1f}" for name, seconds in igraph_run.report["timings"].items())
        print(f"  igraph kernels      {igraph_run.report['seconds']:8.1f} s  peak {igraph_run.peak_mib:8,.0f} MiB  ({detail})", flush=True)
        figures: dict[str, Any] = {"people": people, "ties": ties, "orgnet": orgnet_run, "igraph": igraph_run}
        over_igraph = orgnet_run.seconds / igraph_run.report["seconds"]
        print(
            f"  orgnet / igraph     {over_igraph:8.2f} x  (target <= {TARGET_OVER_IGRAPH}: {'met' if over_igraph <= TARGET_OVER_IGRAPH else 'NOT met'})"
        )
        if with_networkx:
            networkx_run = run_measured(
                script_command(here, "--side", "networkx", "--ties-file", str(parquet), "--seed", str(args.seed)), args.nice
            )
            detail = ", ".join(f"{name} {seconds:.1f}" for name, seconds in networkx_run.report["timings"].items())
            print(
                f"  networkx PR+Louvain {networkx_run.report['seconds']:8.1f} s  peak {networkx_run.peak_mib:8,.0f} MiB  ({detail})",
                flush=True,
            )
            over_networkx = orgnet_run.seconds / networkx_run.report["seconds"]
            verdict = "met" if over_networkx <= TARGET_OVER_NETWORKX else "NOT met"
            print(f"  orgnet / networkx   {over_networkx:8.2f} x  (target <= {TARGET_OVER_NETWORKX}: {verdict})")
            figures["networkx"] = networkx_run
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--ties", type=int, help="tie rows (--per-job; default people x 16.9)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated org, the samples and the jobs")
    parser.add_argument("--scale", action="store_true", help=f"run at {', '.join(f'{n:,}' for n in SCALES)} people")
    parser.add_argument("--networkx-max", type=int, default=50_000, help="largest org NetworkX runs on in --scale")
    parser.add_argument("--skip-networkx", action="store_true")
    parser.add_argument("--nice", type=int, default=0, help="niceness of the measured processes (a shared machine)")
    parser.add_argument("--scratch", type=Path, help="folder for the stores and Parquet files (default the system's temporary folder)")
    parser.add_argument("--per-job", action="store_true", help="the finer in-process comparison, job by job")
    parser.add_argument("--by", default="department")
    parser.add_argument("--squad", type=int, default=50)
    parser.add_argument("--sample", type=int, default=2000, help="random people NetworkX's per-person measures draw from (--per-job)")
    parser.add_argument("--slice", type=float, default=20.0, help="seconds each per-person NetworkX measure runs (--per-job)")
    parser.add_argument("--nx-pivots", type=int, default=8, help="betweenness pivots NetworkX runs, extrapolated (--per-job)")
    parser.add_argument("--networkx-budget", type=float, default=300.0, help="seconds after which no NetworkX job starts (--per-job)")
    parser.add_argument("--side", choices=["igraph", "networkx"], help=argparse.SUPPRESS)
    parser.add_argument("--ties-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        side(args)
        return
    print(f"cores: {len(os.sched_getaffinity(0))}", flush=True)
    if args.per_job:
        args.ties = args.ties or int(args.people * TIES_PER_PERSON)
        per_job(args)
        return
    rows = []
    for people in SCALES if args.scale else (args.people,):
        figures = headline(args, people, not args.skip_networkx and people <= args.networkx_max)
        rows.append(figures)
    if args.scale:
        print(f"\n{'people':>9}{'ties':>11}{'analyze s':>11}{'peak MiB':>10}{'all MiB':>9}{'igraph s':>10}{'ratio':>7}{'us/tie':>8}")
        for row in rows:
            ours, theirs = row["orgnet"], row["igraph"]
            print(
                f"{row['people']:>9,}{row['ties']:>11,}{ours.seconds:>11.1f}{ours.peak_mib:>10,.0f}{together_mib(ours):>9}"
                f"{theirs.report['seconds']:>10.1f}{ours.seconds / theirs.report['seconds']:>7.2f}{1e6 * ours.seconds / row['ties']:>8.1f}"
            )


if __name__ == "__main__":
    main()
