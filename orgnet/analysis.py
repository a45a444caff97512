"""Analyse a snapshot: run every job on the people graph of a period (or range) and store the results.

A *snapshot* is the analysis of one period (``2026-10``) or of a range of
periods (``2026-08..2026-10``), labelled as :func:`orgnet.results.snapshot_label`
does. :func:`analyze` loads the snapshot's data from a store, runs the jobs
of :func:`run_jobs` and saves each output under its name (see
:data:`RESULT_NAMES`), so that the API, the CLI and the reports read results
instead of recomputing them.

The jobs are pure functions of :class:`SnapshotData`; the snapshot's array view
(:class:`~orgnet.engine.IndexedGraph`) is built from the store's tie columns
without NetworkX, and the NetworkX graph once, when a job first asks for it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from orgnet.advocates import advocates
from orgnet.brokers import EXACT_LIMIT, brokers
from orgnet.communities import attribute_agreement, find_communities, label_communities
from orgnet.defaults import DEFAULT_HOPS, DEFAULT_PROBABILITY, DEFAULT_RUNS
from orgnet.engine import IndexedGraph
from orgnet.errors import OrgnetError
from orgnet.fragility import fragility
from orgnet.graph import edge_graph
from orgnet.layout import group_edges, group_layout, person_layout
from orgnet.periods import period_dates, periods_between
from orgnet.reach import brand_overlap, campaigns, jaccard_matrix, max_coverage, owner_audiences, reach_summary
from orgnet.results import load_result, parse_snapshot_label, save_result, snapshot_label
from orgnet.silos import silo_metrics, silo_pairs, vertical_lateral
from orgnet.spread import InternalReach, internal_reach
from orgnet.store import Store
from orgnet.store.columns import TieColumns
from orgnet.summary import group_matrix, network_summary
from orgnet.workers import can_fork, start_in_child

__all__ = [
    "GROUP_RESULT_NAMES",
    "RESULT_NAMES",
    "AnalysisOptions",
    "AnalysisRun",
    "SnapshotData",
    "analyze",
    "analyze_periods",
    "group_jobs",
    "grouped_name",
    "load_snapshot",
    "run_jobs",
    "snapshot_internal_reach",
    "snapshot_jobs",
    "snapshot_result",
    "worker_count",
]

#: Results whose content depends on the grouping attribute; stored as ``name`` for
#: departments and ``name@attribute`` for any other attribute (see :func:`grouped_name`).
GROUP_RESULT_NAMES = ("summary", "group_matrix", "silos", "silo_pairs", "vertical", "fragility")

#: Below this many people a forked worker costs more than it saves.
PARALLEL_MIN_PEOPLE = 5_000
#: Jobs run, one after the other, in the worker process (see :attr:`AnalysisOptions.workers`):
#: together they take about as long as all the others.
_OFFLOADED_JOBS = ("brokers", "layout_people")

#: Every result :func:`analyze` stores for a snapshot.
RESULT_NAMES = (
    "meta",
    *GROUP_RESULT_NAMES,
    "communities",
    "brokers",
    "advocates",
    "reach",
    "campaigns",
    "layout_people",
    "layout_groups",
    "group_edges",
)


@dataclass
class AnalysisOptions:
    """Parameters of an analysis.

    Attributes
    ----------
    by : HR attribute defining the groups (department by default; location,
        level, any attribute a source carried).
    resolution : Leiden resolution (1 is plain modularity).
    seed : seed of every randomised job (communities, sampled betweenness, layouts).
    exact_limit : up to this many people betweenness is exact; above, sampled.
    pivots : number of sampled betweenness pivots (default: the brokers job's own).
    squad : size of the greedy maximum-coverage squad (and length of its reach curve).
    overlap_top : how many top advocates the audience-overlap (Jaccard) matrix compares.
    engagement_months : advocates' actions per month and their trend are taken
        over at least this many months ending with the snapshot, so a rising
        advocate shows in a one-month snapshot too.
    layout : whether to compute and store layouts (the network explorer needs them).
    workers : 1 runs every job in this process; 2 runs the brokers job (the
        heaviest: sampled betweenness, structural holes, brokerage roles) and
        the person layout in a forked child process beside the others, which
        pays on two cores since igraph and SciPy hold the GIL. ``None`` picks 2 for graphs of at least
        :data:`PARALLEL_MIN_PEOPLE` people on a machine with two or more cores
        where ``fork`` exists.
    """

    by: str = "department"
    resolution: float = 1.0
    seed: int = 0
    exact_limit: int = EXACT_LIMIT
    pivots: int | None = None
    squad: int = 50
    overlap_top: int = 10
    engagement_months: int = 3
    layout: bool = True
    workers: int | None = None


@dataclass
class SnapshotData:
    """The data of one snapshot: its people, ties, the array view of its graph, and the NetworkX graph on demand.

    ``indexed`` numbers every person (roster order, then people known only
    from ties) with the ties summed per directed pair, built from the tie
    columns without NetworkX. :attr:`graph`, the NetworkX people graph in the
    same node order, is built on first use and kept: NetworkX costs a Python
    dict per tie (seconds at 800,000 ties), which a caller that needs only
    the arrays never pays. ``engagement`` covers the months of
    ``engagement_window`` (first and last ``YYYY-MM``), which ends with the
    snapshot but may start earlier, so that engagement trends have months to
    compare even in a one-month snapshot.
    """

    label: str
    start: str
    end: str
    people: pd.DataFrame
    ties: TieColumns
    edges: pd.DataFrame
    indexed: IndexedGraph
    audiences: pd.DataFrame = field(default_factory=pd.DataFrame)
    followers: pd.DataFrame = field(default_factory=pd.DataFrame)
    engagement: pd.DataFrame = field(default_factory=pd.DataFrame)
    engagement_window: tuple[str, str] | None = None

    @cached_property
    def graph(self) -> nx.DiGraph[str]:
        """The NetworkX people graph (:func:`orgnet.graph.edge_graph` of :attr:`edges`), built on first use."""
        graph = edge_graph(self.edges, self.people)
        if list(graph) != self.indexed.nodes:
            raise AssertionError("the NetworkX graph numbers its nodes unlike the snapshot's arrays")
        return graph

    @property
    def months(self) -> tuple[str, str]:
        """First and last calendar month (``YYYY-MM``) of the snapshot, whatever its period unit."""
        return period_dates(self.start)[0][:7], period_dates(self.end)[1][:7]


@dataclass
class AnalysisRun:
    """What :func:`analyze` did: the snapshot label, the people and ties analysed, seconds per job."""

    label: str
    people: int
    ties: int
    timings: dict[str, float]
    stored: list[str]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {"label": self.label, "people": self.people, "ties": self.ties, "timings": dict(self.timings), "stored": list(self.stored)}


def grouped_name(name: str, by: str) -> str:
    """The stored name of a group-level result: ``name`` for departments, ``name@by`` otherwise."""
    return name if by == "department" else f"{name}@{by}"


def snapshot_from_tables(
    label: str,
    start: str,
    end: str,
    people: pd.DataFrame,
    ties: pd.DataFrame | TieColumns,
    audiences: pd.DataFrame | None = None,
    followers: pd.DataFrame | None = None,
    engagement: pd.DataFrame | None = None,
    engagement_window: tuple[str, str] | None = None,
) -> SnapshotData:
    """Build a :class:`SnapshotData` from tables (as a store returns them).

    Every person of ``people`` is a node, tied or not; people who only appear
    in ties (a Viva export's collaborators, say) are added too, in the order
    NetworkX's ``add_edges_from`` meets them. ``ties`` is a tie table or its
    columns (:meth:`orgnet.store.Store.tie_columns`). ``engagement_window``
    defaults to the snapshot's own months.
    """
    columns = ties if isinstance(ties, TieColumns) else TieColumns.from_frame(ties)
    edges, indexed = _summed_edges(columns, people)
    return SnapshotData(
        label,
        start,
        end,
        people,
        columns,
        edges,
        indexed,
        audiences if audiences is not None else pd.DataFrame(),
        followers if followers is not None else pd.DataFrame(),
        engagement if engagement is not None else pd.DataFrame(),
        engagement_window,
    )


def _summed_edges(ties: TieColumns, people: pd.DataFrame) -> tuple[pd.DataFrame, IndexedGraph]:
    """The ties summed per directed pair (as :func:`orgnet.graph.tie_edges`), and their :class:`IndexedGraph`, from the codes.

    Nodes are the roster in order, then the people only ties name, in order
    of first appearance along the pairs (each read source then target, as
    NetworkX's ``add_edges_from`` adds them).
    """
    sources, targets, _, weights = ties.pairs()
    roster = people["person_id"].to_numpy(object) if len(people) else np.zeros(0, dtype=object)
    node_of = pd.Index(roster).get_indexer(ties.people)
    missing = node_of < 0
    if missing.any():
        ends = np.column_stack([sources, targets]).ravel()
        seen, first = np.unique(ends[missing[ends]], return_index=True)
        node_of[seen[np.argsort(first, kind="stable")]] = len(roster) + np.arange(len(seen))
    nodes = [*roster.tolist(), *ties.people[np.flatnonzero(missing)][np.argsort(node_of[missing], kind="stable")].tolist()]
    indexed = IndexedGraph(
        nodes,
        {node: i for i, node in enumerate(nodes)},
        node_of[sources].astype(np.int64),
        node_of[targets].astype(np.int64),
        weights.astype(float),
        True,
    )
    return ties.edges(), indexed


def engagement_span(start: str, end: str, months: int) -> tuple[str, str]:
    """First and last month (``YYYY-MM``) of the engagement window of the periods ``start`` to ``end``.

    The window ends with the snapshot's last month and spans at least
    ``months`` months (more when the snapshot itself is longer).
    """
    first, last = period_dates(start)[0][:7], period_dates(end)[1][:7]
    earliest = (pd.Period(last, "M") - (months - 1)).strftime("%Y-%m")
    return min(first, earliest), last


def load_snapshot(store: Store, start: str | None = None, end: str | None = None, engagement_months: int = 3) -> SnapshotData:
    """Read the data of the periods ``start`` to ``end`` from ``store``.

    Parameters
    ----------
    store : the store.
    start, end : period labels; ``start`` alone is one period; neither means
        the latest period that holds ties.
    engagement_months : advocacy engagement is read for at least this many
        months ending with the snapshot (see :func:`engagement_span`).

    Returns
    -------
    :class:`SnapshotData`

    Raises
    ------
    OrgnetError
        When the store holds no ties, or none in the periods asked for.
    """
    periods = store.periods()
    if not periods:
        raise OrgnetError("the store holds no ties yet; ingest some sources first")
    start = start or periods[-1]
    end = end or start
    if start > end:
        raise OrgnetError(f"--from {start} comes after --to {end}")
    if not periods_between(periods, start, end):
        raise OrgnetError(f"no ties in {snapshot_label(start, end)}; the store holds {periods[0]} .. {periods[-1]}")
    window = engagement_span(start, end, engagement_months)
    return snapshot_from_tables(
        snapshot_label(start, end),
        start,
        end,
        store.people(),
        store.tie_columns(start, end),
        store.audiences(),
        store.followers(),
        store.engagement(*window),
        window,
    )


def group_jobs(data: SnapshotData, by: str = "department") -> dict[str, Callable[[], Any]]:
    """The group-level jobs of a snapshot for the attribute ``by``, by result name (not yet run)."""
    graph, indexed = data.graph, data.indexed

    def matrix() -> dict[str, Any]:
        ties = group_matrix(graph, by, value="ties", indexed=indexed)
        weight = group_matrix(graph, by, value="weight", indexed=indexed)
        return {"by": by, "groups": [str(g) for g in ties.index], "ties": ties.to_numpy().tolist(), "weight": weight.to_numpy().tolist()}

    def vertical() -> dict[str, Any]:
        result = vertical_lateral(graph, by, indexed=indexed)
        return {"people": result.people.reset_index(), "groups": result.groups.reset_index()}

    return {
        "summary": lambda: network_summary(graph, by, indexed=indexed).to_dict(),
        "group_matrix": matrix,
        "silos": lambda: silo_metrics(graph, by, indexed=indexed).reset_index(),
        "silo_pairs": lambda: silo_pairs(graph, by, indexed=indexed),
        "vertical": vertical,
        "fragility": lambda: fragility(graph, by, indexed=indexed).to_dict(),
    }


def snapshot_jobs(data: SnapshotData, options: AnalysisOptions | None = None) -> dict[str, Callable[[], Any]]:
    """Every job of a snapshot, by stored result name (see :data:`RESULT_NAMES`), not yet run.

    Group-level names carry ``@by`` for attributes other than department.
    """
    options = options or AnalysisOptions()
    graph, indexed = data.graph, data.indexed
    # Advocates count the communities each person reaches; they reuse the communities job's partition.
    found_communities: dict[str, Any] = {}

    def communities() -> dict[str, Any]:
        found = find_communities(graph, resolution=options.resolution, seed=options.seed, indexed=indexed)
        found_communities["membership"] = found.membership
        return {
            **found.to_dict(),
            "agreement": attribute_agreement(graph, found, options.by),
            "labels": label_communities(graph, found, options.by).reset_index(),
        }

    def broker_table() -> pd.DataFrame:
        table = brokers(graph, options.by, k=options.pivots, exact_limit=options.exact_limit, seed=options.seed, indexed=indexed)
        return table.rename_axis("person_id").reset_index()

    jobs: dict[str, Callable[[], Any]] = {grouped_name(name, options.by): job for name, job in group_jobs(data, options.by).items()}

    def advocate_table() -> pd.DataFrame:
        if "membership" not in found_communities:
            communities()
        return advocates(
            graph,
            data.engagement,
            data.audiences,
            data.followers,
            start=(data.engagement_window or data.months)[0],
            end=(data.engagement_window or data.months)[1],
            by=options.by,
            communities=found_communities["membership"],
            indexed=indexed,
        )

    def reach() -> dict[str, Any]:
        audiences = owner_audiences(data.audiences, data.followers)
        squad = max_coverage(audiences, k=options.squad)
        return {
            "summary": reach_summary(data.audiences, data.followers),
            "brand": brand_overlap(data.audiences, data.followers),
            "squad": squad.to_dict(),
            "overlap": jaccard_matrix(audiences, squad.members[: options.overlap_top]).reset_index(),
        }

    jobs["communities"] = communities
    jobs["brokers"] = broker_table
    jobs["advocates"] = advocate_table
    jobs["reach"] = reach
    jobs["campaigns"] = lambda: campaigns(
        data.engagement, data.audiences, data.followers, data.people, start=data.months[0], end=data.months[1]
    )
    if options.layout:
        jobs["layout_people"] = lambda: person_layout(graph, options.seed, by=options.by, indexed=indexed)
        jobs["layout_groups"] = lambda: group_layout(graph, options.by, seed=options.seed, indexed=indexed)
        jobs["group_edges"] = lambda: group_edges(graph, options.by, indexed=indexed)
    return jobs


def run_jobs(
    data: SnapshotData,
    options: AnalysisOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[dict[str, Any], dict[str, float]]:
    """Run every job on a snapshot.

    Parameters
    ----------
    data : the snapshot.
    options : :class:`AnalysisOptions`.
    progress : called with each job's name before it runs.

    Returns
    -------
    (results, timings): results by stored name (see :func:`snapshot_jobs`)
    and the seconds each job took.
    """
    options = options or AnalysisOptions()
    jobs = snapshot_jobs(data, options)
    offloaded = {name: jobs.pop(name) for name in _OFFLOADED_JOBS if worker_count(options, data) > 1 and name in jobs}
    finish = start_in_child(offloaded) if offloaded else None
    results: dict[str, Any] = {}
    timings: dict[str, float] = {}
    for name, job in jobs.items():
        if progress is not None:
            progress(name)
        started = time.perf_counter()
        results[name] = job()
        timings[name] = time.perf_counter() - started
    if finish is not None:
        if progress is not None:
            progress(", ".join(offloaded))
        for name, (value, seconds) in finish().items():
            results[name], timings[name] = value, seconds
    return results, timings


def worker_count(options: AnalysisOptions, data: SnapshotData) -> int:
    """How many processes :func:`run_jobs` uses for ``data`` (see :attr:`AnalysisOptions.workers`)."""
    if options.workers is not None:
        return options.workers
    return 2 if can_fork() and len(data.indexed.nodes) >= PARALLEL_MIN_PEOPLE else 1


def snapshot_result(store: Store, name: str, label: str | None = None, options: AnalysisOptions | None = None) -> tuple[str, Any]:
    """One result of a snapshot: the stored one, or computed (and stored) when missing.

    Parameters
    ----------
    store : the store.
    name : a result name of :func:`snapshot_jobs` without the ``@by`` suffix.
    label : snapshot label; default the latest period.
    options : analysis options (``by`` picks the grouping attribute).

    Returns
    -------
    (label, value) with ``value`` as stored (plain JSON values).
    """
    options = options or AnalysisOptions()
    if label is None:
        periods = store.periods()
        if not periods:
            raise OrgnetError("the store holds no ties yet; ingest some sources first")
        label = periods[-1]
    stored_name = grouped_name(name, options.by) if name in GROUP_RESULT_NAMES else name
    value = load_result(store, stored_name, label)
    if value is None:
        data = load_snapshot(store, *parse_snapshot_label(label), engagement_months=options.engagement_months)
        jobs = snapshot_jobs(data, options)
        if stored_name not in jobs:
            raise OrgnetError(f"no result called {name!r}; results are {', '.join(sorted(jobs))}")
        save_result(store, stored_name, label, jobs[stored_name]())
        value = load_result(store, stored_name, label)
    return label, value


def snapshot_internal_reach(
    store: Store,
    people: list[str],
    label: str | None = None,
    *,
    hops: int = DEFAULT_HOPS,
    probability: float = DEFAULT_PROBABILITY,
    runs: int = DEFAULT_RUNS,
    seed: int = 0,
) -> tuple[str, InternalReach]:
    """Internal reach (:func:`orgnet.spread.internal_reach`) of ``people`` in the graph of snapshot ``label``.

    Parameters
    ----------
    store : the store.
    people : person ids who start the message.
    label : snapshot label; default the latest period.
    hops, probability, runs, seed : see :func:`orgnet.spread.internal_reach`.

    Returns
    -------
    (label, reach): the snapshot's label and its :class:`~orgnet.spread.InternalReach`.

    Raises
    ------
    OrgnetError
        When some people are not in the snapshot's graph (they are named), or
        the snapshot holds no ties (see :func:`load_snapshot`).
    """
    data = load_snapshot(store, *parse_snapshot_label(label)) if label else load_snapshot(store)
    missing = sorted({person for person in people if person not in data.indexed.index})
    if missing:
        raise OrgnetError(f"not in the {data.label} graph: {', '.join(missing)}")
    return data.label, internal_reach(data.graph, people, hops, probability=probability, runs=runs, seed=seed, indexed=data.indexed)


def analyze(
    store: Store,
    start: str | None = None,
    end: str | None = None,
    options: AnalysisOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> AnalysisRun:
    """Analyse the periods ``start`` to ``end`` of ``store`` and store every result.

    Parameters
    ----------
    store : the store to read and write.
    start, end : period labels (``start`` alone: one period; neither: the latest).
    options : :class:`AnalysisOptions`.
    progress : called with each job's name before it runs.

    Returns
    -------
    :class:`AnalysisRun`; the results are stored under the snapshot label
    (``meta`` records the options, sizes and timings).
    """
    options = options or AnalysisOptions()
    started = time.perf_counter()
    data = load_snapshot(store, start, end, options.engagement_months)
    load_seconds = time.perf_counter() - started
    results, timings = run_jobs(data, options, progress)
    timings = {"load": load_seconds, **timings}
    results["meta"] = {
        "label": data.label,
        "start": data.start,
        "end": data.end,
        "by": options.by,
        "resolution": options.resolution,
        "seed": options.seed,
        "people": len(data.indexed.nodes),
        "ties": len(data.indexed.sources),
        "computed_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "timings": timings,
    }
    for name, value in results.items():
        save_result(store, name, data.label, value)
    return AnalysisRun(data.label, len(data.indexed.nodes), len(data.indexed.sources), timings, sorted(results))


def analyze_periods(
    store: Store,
    options: AnalysisOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[AnalysisRun]:
    """Analyse every period of ``store`` on its own (the snapshots growth reports compare)."""
    return [analyze(store, period, period, options, progress) for period in store.periods()]
