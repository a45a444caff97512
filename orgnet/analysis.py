"""Analyse a snapshot: run every job on the people graph of a period (or range) and store the results.

A *snapshot* is the analysis of one period (``2026-10``) or of a range of
periods (``2026-08..2026-10``), labelled as :func:`orgnet.results.snapshot_label`
does. :func:`analyze` loads the snapshot's data from a store, runs every job
of the registry (:data:`orgnet.jobs.JOBS`) and stores each result through
:mod:`orgnet.results`, so that the API, the CLI and the reports read results
instead of recomputing them.

The jobs are functions of :class:`SnapshotData` and :class:`AnalysisOptions`;
the snapshot's array view (:class:`~orgnet.engine.IndexedGraph`) is built from
the store's tie columns without NetworkX, and the NetworkX graph once, when a
job first asks for it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from orgnet.brokers import EXACT_LIMIT
from orgnet.defaults import DEFAULT_BY, DEFAULT_HOPS, DEFAULT_PROBABILITY, DEFAULT_RUNS
from orgnet.engine import IndexedGraph
from orgnet.errors import OrgnetError
from orgnet.graph import edge_graph
from orgnet.jobs import BROKERS, FRAGILITY, JOBS, LAYOUT_GROUPS, META, Job, JobContext, MetaResult
from orgnet.kernels import Kernels, check_engine, open_kernels
from orgnet.model import AUDIENCE_COLUMNS, ENGAGEMENT_COLUMNS, FOLLOWER_COLUMNS
from orgnet.periods import period_dates, periods_between
from orgnet.results import OutdatedResult, encode, find, parse_snapshot_label, put, put_many, snapshot_label
from orgnet.spread import InternalReach, celf_seeds, expected_spread, internal_reach
from orgnet.store import Store
from orgnet.store.columns import TieColumns
from orgnet.workers import can_fork, start_in_child

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "AnalysisOptions",
    "AnalysisRun",
    "SnapshotData",
    "analyze",
    "analyze_periods",
    "latest_label",
    "load_snapshot",
    "read_social_tables",
    "run_jobs",
    "snapshot_internal_reach",
    "snapshot_result",
    "snapshot_spread_seeds",
    "worker_count",
]

R = TypeVar("R")

#: Below this many people a forked worker costs more than it saves.
PARALLEL_MIN_PEOPLE = 5_000
#: Jobs run, one after the other, in the worker process (see :attr:`AnalysisOptions.workers`):
#: together they take about as long as all the others (on the 50k benchmark org the two processes now end
#: within 0.1 s of each other; with the person layout here instead, this one ended 0.5-0.9 s after the other).
#: They read only the snapshot's people and ties:
#: :func:`analyze` starts them before it reads the audiences, followers and engagement.
_OFFLOADED_JOBS: tuple[Job[Any], ...] = (BROKERS, FRAGILITY, LAYOUT_GROUPS)


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
        heaviest: sampled betweenness, structural holes, brokerage roles),
        fragility and the group layout in a forked child process beside the others, which
        pays on two cores since igraph and SciPy hold the GIL. ``None`` picks 2 for graphs of at least
        :data:`PARALLEL_MIN_PEOPLE` people on a machine with two or more cores
        where ``fork`` exists.
    engine : where the graph kernels run: ``local`` (igraph and SciPy, here) or ``gds`` (Neo4j
        Graph Data Science, on a Neo4j store; see :mod:`orgnet.kernels`).
    """

    by: str = DEFAULT_BY
    resolution: float = 1.0
    seed: int = 0
    exact_limit: int = EXACT_LIMIT
    pivots: int | None = None
    squad: int = 50
    overlap_top: int = 10
    engagement_months: int = 3
    layout: bool = True
    workers: int | None = None
    engine: str = "local"


@dataclass
class SnapshotData:
    """The data of one snapshot: its people, ties, the array view of its graph, and the NetworkX graph on demand.

    ``indexed`` numbers every person (roster order, then people known only
    from ties) with the ties summed per directed pair, built from the tie
    columns without NetworkX. :attr:`graph`, the NetworkX people graph in the
    same node order, is built on first use and kept: NetworkX costs a Python
    dict per tie (seconds at 800,000 ties), which a caller that needs only
    the arrays never pays: :func:`run_jobs` never does, its jobs read
    ``indexed``, which carries the people's attributes and the tie counts.
    ``engagement`` covers the months of
    ``engagement_window`` (first and last ``YYYY-MM``), which ends with the
    snapshot but may start earlier, so that engagement trends have months to
    compare even in a one-month snapshot.
    """

    label: str
    start: str
    end: str
    people: pd.DataFrame
    ties: TieColumns
    indexed: IndexedGraph
    audiences: pd.DataFrame = field(default_factory=pd.DataFrame)
    followers: pd.DataFrame = field(default_factory=pd.DataFrame)
    engagement: pd.DataFrame = field(default_factory=pd.DataFrame)
    engagement_window: tuple[str, str] | None = None

    @cached_property
    def edges(self) -> pd.DataFrame:
        """The ties summed per directed pair (:meth:`orgnet.store.columns.TieColumns.edges`), built on first use.

        Only the NetworkX graph reads this table (0.25 s to build at 845k ties); the jobs read :attr:`indexed`.
        """
        return self.ties.edges()

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
    """What :func:`analyze` did: the snapshot label, the people and ties analysed, the results stored.

    ``seconds`` is the wall-clock time from the first read to the stored results; ``timings`` gives
    each step's own seconds, and since the worker's jobs run beside the main process's, they add up
    to more than ``seconds``.
    """

    label: str
    people: int
    ties: int
    seconds: float
    timings: dict[str, float]
    stored: list[str]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "label": self.label,
            "people": self.people,
            "ties": self.ties,
            "seconds": self.seconds,
            "timings": dict(self.timings),
            "stored": list(self.stored),
        }


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
    return SnapshotData(
        label,
        start,
        end,
        people,
        columns,
        _indexed_ties(columns, people),
        # Absent tables as empty ones with their columns, which the reach and advocates jobs read.
        audiences if audiences is not None else pd.DataFrame(columns=AUDIENCE_COLUMNS),
        followers if followers is not None else pd.DataFrame(columns=FOLLOWER_COLUMNS),
        engagement if engagement is not None else pd.DataFrame(columns=ENGAGEMENT_COLUMNS),
        engagement_window,
    )


def _indexed_ties(ties: TieColumns, people: pd.DataFrame) -> IndexedGraph:
    """The :class:`IndexedGraph` of the ties summed per directed pair (as :func:`orgnet.graph.tie_edges`), from the codes.

    The :class:`IndexedGraph` carries the tie counts and the people table as its attributes, so that the
    jobs read groups and counts from it as they would from the NetworkX graph.

    Nodes are the roster in order, then the people only ties name, in order
    of first appearance along the pairs (each read source then target, as
    NetworkX's ``add_edges_from`` adds them).
    """
    sources, targets, counts, weights = ties.pairs()
    roster = people["person_id"].to_numpy(object) if len(people) else np.zeros(0, dtype=object)
    node_of = pd.Index(roster).get_indexer(ties.people)
    missing = node_of < 0
    # People of the dictionary outside the roster, in order of first appearance; a label no tie uses (after a
    # channel selection) is no node.
    extra = np.zeros(0, dtype=np.int64)
    if missing.any():
        ends = np.column_stack([sources, targets]).ravel()
        seen, first = np.unique(ends[missing[ends]], return_index=True)
        extra = seen[np.argsort(first, kind="stable")]
        node_of[extra] = len(roster) + np.arange(len(extra))
    nodes = [*roster.tolist(), *ties.people[extra].tolist()]
    return IndexedGraph(
        nodes,
        {node: i for i, node in enumerate(nodes)},
        node_of[sources].astype(np.int64),
        node_of[targets].astype(np.int64),
        weights.astype(float),
        True,
        counts=counts.astype(np.int64),
        # The people graph's node attributes: every column but the id, missing values read as absent.
        attributes=people.drop(columns="person_id", errors="ignore").reset_index(drop=True),
    )


def engagement_span(start: str, end: str, months: int) -> tuple[str, str]:
    """First and last month (``YYYY-MM``) of the engagement window of the periods ``start`` to ``end``.

    The window ends with the snapshot's last month and spans at least
    ``months`` months (more when the snapshot itself is longer).
    """
    first, last = period_dates(start)[0][:7], period_dates(end)[1][:7]
    earliest = (pd.Period(last, "M") - (months - 1)).strftime("%Y-%m")
    return min(first, earliest), last


def load_snapshot(
    store: Store, start: str | None = None, end: str | None = None, engagement_months: int = 3, *, social: bool = True
) -> SnapshotData:
    """Read the data of the periods ``start`` to ``end`` from ``store``.

    Parameters
    ----------
    store : the store.
    start, end : period labels; ``start`` alone is one period; neither means
        the latest period that holds ties.
    engagement_months : advocacy engagement is read for at least this many
        months ending with the snapshot (see :func:`engagement_span`).
    social : read the audiences, followers and engagement too; ``False`` leaves them empty
        for :func:`read_social_tables` to fill later.

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
    data = snapshot_from_tables(
        snapshot_label(start, end), start, end, store.people(), store.tie_columns(start, end), engagement_window=window
    )
    if social:
        read_social_tables(store, data)
    return data


def read_social_tables(store: Store, data: SnapshotData) -> None:
    """Read the audiences, the followers and the engagement of ``data``'s engagement window from ``store`` into ``data``."""
    data.audiences, data.followers = store.audiences(), store.followers()
    data.engagement = store.engagement(*(data.engagement_window or data.months))


def snapshot_jobs(options: AnalysisOptions | None = None) -> list[Job[Any]]:
    """The jobs an analysis with ``options`` runs, in order (:data:`orgnet.jobs.JOBS` but :data:`~orgnet.jobs.META`, layouts only when asked)."""
    options = options or AnalysisOptions()
    return [job for job in JOBS if job.compute is not None and (options.layout or not job.layout)]


def run_jobs(
    data: SnapshotData,
    options: AnalysisOptions | None = None,
    progress: Callable[[str], None] | None = None,
    kernels: Kernels | None = None,
    after_start: Callable[[], None] | None = None,
) -> tuple[dict[str, Any], dict[str, float]]:
    """Run every job of :func:`snapshot_jobs` on a snapshot.

    Parameters
    ----------
    data : the snapshot.
    options : :class:`AnalysisOptions`.
    progress : called with each job's name before it runs.
    kernels : the graph kernels the jobs use (:func:`orgnet.kernels.open_kernels`); default the local engine's.
    after_start : called once the worker process has started (at once when there is none), before this
        process's jobs run: reads that only this process's jobs need, which the worker then does not wait for.

    Returns
    -------
    (results, timings): each job's record by job name, and the seconds each job took.
    """
    options = options or AnalysisOptions()
    jobs = snapshot_jobs(options)
    # Given kernels (GDS's) hold a server connection a forked child must not share, and leave it little to do.
    offloaded = [job for job in _OFFLOADED_JOBS if kernels is None and worker_count(options, data) > 1 and job in jobs]
    # The child computes in a context of its own: what it computes comes back by pipe, not through shared memory.
    finish = start_in_child({job.name: _runner(job, JobContext(data, options)) for job in offloaded}) if offloaded else None
    results: dict[str, Any] = {}
    timings: dict[str, float] = {}
    try:
        if after_start is not None:
            after_start()
        context = JobContext(data, options, kernels)
        for job in jobs:
            if job in offloaded:
                continue
            if progress is not None:
                progress(job.name)
            started = time.perf_counter()
            results[job.name] = context.result(job)
            timings[job.name] = time.perf_counter() - started
    except BaseException:
        if finish is not None:
            # This process's error is the one to report; the worker is still waited for, so that it is
            # joined and the objects frozen for it are collected again (see start_in_child).
            with contextlib.suppress(BaseException):
                finish()
        raise
    if finish is not None:
        if progress is not None:
            progress(", ".join(job.name for job in offloaded))
        for name, (value, seconds) in finish().items():
            results[name], timings[name] = value, seconds
    return results, timings


def _runner(job: Job[Any], context: JobContext) -> Callable[[], Any]:
    return lambda: context.result(job)


def worker_count(options: AnalysisOptions, data: SnapshotData) -> int:
    """How many processes :func:`run_jobs` uses for ``data`` (see :attr:`AnalysisOptions.workers`)."""
    if options.workers is not None:
        return options.workers
    return 2 if can_fork() and len(data.indexed.nodes) >= PARALLEL_MIN_PEOPLE else 1


def latest_label(store: Store) -> str:
    """The label of the store's latest period.

    Raises
    ------
    OrgnetError
        When the store holds no ties.
    """
    periods = store.periods()
    if not periods:
        raise OrgnetError("the store holds no ties yet; ingest some sources first")
    return periods[-1]


def snapshot_result(store: Store, job: Job[R], label: str | None = None, options: AnalysisOptions | None = None) -> tuple[str, R]:
    """One result of a snapshot: the stored one, or computed (and stored) when it is missing or outdated.

    Parameters
    ----------
    store : the store.
    job : the job (:mod:`orgnet.jobs`).
    label : snapshot label; default the latest period.
    options : analysis options (``by`` picks the grouping attribute).

    Returns
    -------
    (label, record)
    """
    options = options or AnalysisOptions()
    label = label or latest_label(store)
    try:
        value = find(store, job, label, options.by)
    except OutdatedResult:
        value = None
    if value is None:
        data = load_snapshot(store, *parse_snapshot_label(label), engagement_months=options.engagement_months)
        value = job.run(JobContext(data, options))
        put(store, job, label, value, options.by)
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
    # The cascade runs on people and ties only: the audiences, followers and engagement are not read.
    data = load_snapshot(store, *parse_snapshot_label(label), social=False) if label else load_snapshot(store, social=False)
    missing = sorted({person for person in people if person not in data.indexed.index})
    if missing:
        raise OrgnetError(f"not in the {data.label} graph: {', '.join(missing)}")
    return data.label, internal_reach(data.graph, people, hops, probability=probability, runs=runs, seed=seed, indexed=data.indexed)


def snapshot_spread_seeds(
    store: Store,
    k: int,
    label: str | None = None,
    *,
    engine: str = "local",
    probability: float = DEFAULT_PROBABILITY,
    runs: int = DEFAULT_RUNS,
    seed: int = 0,
) -> tuple[str, pd.DataFrame]:
    """The ``k`` people to start a message from so that it travels furthest inside, in the graph of snapshot ``label``.

    Greedy influence maximisation with CELF under the independent cascade, every tie passing the message on
    with ``probability`` (Kempe et al. 2003; Leskovec et al. 2007): :func:`orgnet.spread.celf_seeds` with the
    local engine, GDS's ``gds.influenceMaximization.celf`` (:func:`orgnet.gds.celf_seeds`) inside Neo4j with
    ``engine="gds"``. Either way the spread of the first ``rank`` seeds is
    :func:`orgnet.spread.expected_spread` of them (``runs`` seeded cascades), so the two engines' seeds are
    scored by one definition.

    Parameters
    ----------
    store : the store (a Neo4j store with GDS for ``engine="gds"``).
    k : number of seeds.
    label : snapshot label; default the latest period.
    engine : ``local`` or ``gds`` (:func:`orgnet.kernels.check_engine`).
    probability, runs, seed : the cascade's tie probability, Monte Carlo runs and seed.

    Returns
    -------
    (label, seeds): the snapshot's label and a DataFrame ``rank`` (1..k), ``person_id``, ``gain`` (the
    engine's own estimate of the seed's marginal spread), ``spread`` and ``stderr`` (expected spread of
    the first ``rank`` seeds and its Monte Carlo standard error). Fewer than ``k`` rows when no one adds spread.

    Raises
    ------
    OrgnetError
        When ``engine`` cannot run on ``store``, or the snapshot holds no ties (see :func:`load_snapshot`).
    """
    check_engine(store, engine)
    data = load_snapshot(store, *parse_snapshot_label(label), social=False) if label else load_snapshot(store, social=False)
    if engine == "gds":
        from orgnet import gds

        with gds.project(store, data.start, data.end) as projected:  # type: ignore[arg-type]
            chosen = gds.celf_seeds(projected, k, probability=probability, runs=runs, seed=seed)
    else:
        chosen = celf_seeds(data.graph, k, probability=probability, runs=runs, seed=seed, indexed=data.indexed)
    people = chosen["person_id"].tolist()
    scored = [
        expected_spread(data.graph, people[:rank], probability=probability, runs=runs, seed=seed, indexed=data.indexed)
        for rank in range(1, len(people) + 1)
    ]
    seeds = pd.DataFrame(
        {
            "rank": np.arange(1, len(people) + 1),
            "person_id": people,
            "gain": chosen["gain"].to_numpy(dtype=float),
            "spread": [estimate.mean for estimate in scored],
            "stderr": [estimate.stderr for estimate in scored],
        }
    )
    return data.label, seeds


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
    :class:`AnalysisRun`; the results are stored under the snapshot label, all
    in one transaction (:data:`~orgnet.jobs.META` records the options, the engine, sizes and timings).

    Raises
    ------
    OrgnetError
        When ``options.engine`` cannot analyse ``store`` (:func:`orgnet.kernels.check_engine`).
    """
    options = options or AnalysisOptions()
    check_engine(store, options.engine)
    started = time.perf_counter()
    # The worker's jobs need only people and ties: it starts before the social tables are read.
    data = load_snapshot(store, start, end, options.engagement_months, social=False)
    load_seconds = time.perf_counter() - started
    social_seconds = []

    def read_social() -> None:
        began = time.perf_counter()
        read_social_tables(store, data)
        social_seconds.append(time.perf_counter() - began)

    with open_kernels(store, data, options.engine) as kernels:
        project_seconds = time.perf_counter() - started - load_seconds
        results, timings = run_jobs(data, options, progress, kernels, after_start=read_social)
    load_seconds += sum(social_seconds)
    steps = {"load": load_seconds, "project": project_seconds} if kernels is not None else {"load": load_seconds}
    timings = {**steps, **timings}
    meta = MetaResult(
        label=data.label,
        start=data.start,
        end=data.end,
        by=options.by,
        resolution=options.resolution,
        seed=options.seed,
        people=len(data.indexed.nodes),
        ties=len(data.indexed.sources),
        computed_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        timings=timings,
        engine=options.engine,
    )
    jobs = {job.name: job for job in snapshot_jobs(options)}
    stored = [encode(META, data.label, meta)] + [encode(jobs[name], data.label, value, options.by) for name, value in results.items()]
    put_many(store, stored)
    seconds = time.perf_counter() - started
    return AnalysisRun(data.label, len(data.indexed.nodes), len(data.indexed.sources), seconds, timings, sorted([META.name, *results]))


def analyze_periods(
    store: Store,
    options: AnalysisOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[AnalysisRun]:
    """Analyse every period of ``store`` on its own (the snapshots growth reports compare)."""
    return [analyze(store, period, period, options, progress) for period in store.periods()]
