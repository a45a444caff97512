"""Analysis benchmark: orgnet's whole analysis of a period against the same jobs in plain NetworkX.

    python bench/analyze.py                              # 50,000 people, 800,000 ties
    python bench/analyze.py --people 5000 --ties 80000   # a quick run
    python bench/analyze.py --skip-networkx              # orgnet's figures only

Generates the benchmark organisation (:func:`orgnet.synth.benchmark_org`),
builds the period's snapshot (:func:`orgnet.analysis.snapshot_from_tables`)
and runs every job of :func:`orgnet.analysis.run_jobs`, printing seconds per
job; layouts are reported on their own line, outside the total (NetworkX has
no layout that finishes on 50,000 people to compare with).

Then the same questions are answered in plain NetworkX and Python on the same
graph: ``nx.pagerank``, ``nx.community.louvain_communities`` (seeded),
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
as skipped. The graph build is shared (both sides need it) and counted on
both sides; jobs with no NetworkX counterpart (pandas on both sides: silo
tables, campaigns) count at orgnet's time on both.

Checks that the answers agree: PageRank's top 10, Louvain's modularity against
Leiden's, constraint and effective size of the people NetworkX did, the group
matrix.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import networkx as nx
import numpy as np

from orgnet.advocates import pagerank
from orgnet.analysis import AnalysisOptions, run_jobs, snapshot_from_tables, worker_count
from orgnet.synth import benchmark_org

LAYOUT_JOBS = ("layout_people", "layout_groups", "group_edges")
#: Target of the issue: seconds for a 50,000-person period, and speed-up over plain NetworkX.
TARGET_SECONDS = 10.0
TARGET_SPEEDUP = 10.0


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--ties", type=int, default=800_000)
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated org, the samples and the jobs")
    parser.add_argument("--by", default="department")
    parser.add_argument("--squad", type=int, default=50)
    parser.add_argument("--sample", type=int, default=2000, help="random people NetworkX's per-person measures draw from")
    parser.add_argument("--slice", type=float, default=20.0, help="seconds each per-person NetworkX measure runs before extrapolating")
    parser.add_argument("--nx-pivots", type=int, default=8, help="betweenness pivots NetworkX runs (extrapolated to orgnet's)")
    parser.add_argument("--networkx-budget", type=float, default=300.0, help="seconds after which no NetworkX job starts")
    parser.add_argument("--skip-networkx", action="store_true")
    args = parser.parse_args()

    print(f"cores: {len(os.sched_getaffinity(0))}", flush=True)
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


if __name__ == "__main__":
    main()
