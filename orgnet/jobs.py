"""The registry of jobs: every result :func:`orgnet.analysis.analyze` stores, declared once.

A :class:`Job` names a result, says whether it depends on the grouping
attribute (``by``: department, location...), carries the function that
computes it from a snapshot and the *record* it returns: a frozen dataclass
whose fields are scalars, small lists and dicts, or tables (``pyarrow.Table``)
whose columns and types are declared by an Arrow schema (``field(metadata=columns(schema))``).
The job constants (:data:`ADVOCATES`, :data:`SILOS`...) are typed
(``Job[AdvocatesResult]``), so that ``orgnet.results.get(store, ADVOCATES,
label)`` returns an :class:`AdvocatesResult` to a type checker too.

:data:`JOBS` lists them in the order :func:`orgnet.analysis.run_jobs` runs
them. Nothing else spells a result's name: the store keys a result by
(``job.name``, snapshot, ``by``), and :mod:`orgnet.results` writes and reads
it (tables as Arrow IPC, the rest as JSON). A job's ``version`` is the
version of its record's layout: change a record's fields or a table's
schema and raise it, so that results stored before are reported as
outdated instead of read wrongly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import pandas as pd
import pyarrow as pa

from orgnet.advocates import ADVOCATE_COLUMNS
from orgnet.brokers import BROKER_COLUMNS
from orgnet.errors import OrgnetError
from orgnet.fragility import CARRIER_COLUMNS
from orgnet.reach import BRAND_OVERLAP_COLUMNS, CAMPAIGN_COLUMNS, REACH_SUMMARY_COLUMNS, ExternalReach
from orgnet.silos import SILO_COLUMNS, SILO_PAIR_COLUMNS
from orgnet.summary import GROUP_SUMMARY_COLUMNS

if TYPE_CHECKING:
    from orgnet.analysis import AnalysisOptions, SnapshotData
    from orgnet.engine import PeopleGraph
    from orgnet.kernels import Kernels

__all__ = [
    "ADVOCATES",
    "BROKERS",
    "CAMPAIGNS",
    "COMMUNITIES",
    "FRAGILITY",
    "GROUP_EDGES",
    "GROUP_MATRIX",
    "JOBS",
    "LAYOUT_GROUPS",
    "LAYOUT_PEOPLE",
    "META",
    "REACH",
    "SILOS",
    "SILO_PAIRS",
    "SUMMARY",
    "VERTICAL",
    "AdvocatesResult",
    "BrokersResult",
    "CampaignsResult",
    "CommunitiesResult",
    "FragilityResult",
    "GroupEdgesResult",
    "GroupMatrixResult",
    "Job",
    "JobContext",
    "LayoutGroupsResult",
    "LayoutPeopleResult",
    "MetaResult",
    "ReachResult",
    "ResultSchemaError",
    "SiloPairsResult",
    "SilosResult",
    "SummaryResult",
    "VerticalResult",
    "columns",
    "job_named",
    "record_fields",
    "table_fields",
    "table_schema",
    "to_table",
]

R = TypeVar("R")

_STRING, _INT, _FLOAT, _BOOL = pa.string(), pa.int64(), pa.float64(), pa.bool_()


class ResultSchemaError(OrgnetError):
    """A job produced a table whose columns are not the ones its record declares."""


def columns(schema: pa.Schema) -> dict[str, pa.Schema]:
    """The metadata of a record field holding a table with the columns of ``schema`` (names and Arrow types, in order).

    ``table: pa.Table = field(metadata=columns(SCHEMA))``.)
    """
    return {"schema": schema}


def table_schema(declared: dataclasses.Field[Any]) -> pa.Schema | None:
    """The declared schema of a record field, ``None`` for a field that is not a table."""
    schema = declared.metadata.get("schema")
    return schema if isinstance(schema, pa.Schema) else None


def table_fields(record: type[Any]) -> dict[str, pa.Schema]:
    """The table fields of a record class and their schemas, in declaration order."""
    found = {}
    for declared in dataclasses.fields(record):
        schema = table_schema(declared)
        if schema is not None:
            found[declared.name] = schema
    return found


def record_fields(value: Any) -> dict[str, Any]:
    """A record's fields by name, tables included as they are (a shallow :func:`dataclasses.asdict`)."""
    return {item.name: getattr(value, item.name) for item in dataclasses.fields(value)}


def to_table(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """``frame`` as an Arrow table of ``schema``, converted column by column (its index is dropped).

    Raises
    ------
    ResultSchemaError
        When ``frame`` lacks a declared column or has one the schema does not
        declare, or a column does not convert to its declared type.
    """
    missing = [name for name in schema.names if name not in frame.columns]
    extra = [str(name) for name in frame.columns if name not in schema.names]
    if missing or extra:
        raise ResultSchemaError(f"table columns differ from the declared schema: missing {missing}, undeclared {extra}")
    try:
        return pa.Table.from_pandas(frame[list(schema.names)], preserve_index=False).cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as error:
        raise ResultSchemaError(f"a table does not convert to its declared schema: {error}") from error


def _schema(*columns: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field(name, kind) for name, kind in columns])


def _typed(
    names: Sequence[str],
    *,
    strings: Sequence[str] = (),
    ints: Sequence[str] = (),
    bools: Sequence[str] = (),
    lists: Mapping[str, pa.DataType] | None = None,
) -> pa.Schema:
    """The schema of the columns ``names`` (an analytics module's own list, in its order): floats but those named.

    Raises
    ------
    ValueError
        When a column typed here is not among ``names`` (a rename the declaration missed).
    """
    kinds: dict[str, pa.DataType] = {
        **dict.fromkeys(strings, _STRING),
        **dict.fromkeys(ints, _INT),
        **dict.fromkeys(bools, _BOOL),
        **{name: pa.list_(kind) for name, kind in (lists or {}).items()},
    }
    unknown = sorted(set(kinds) - set(names))
    if unknown:
        raise ValueError(f"typed columns {unknown} are not among {list(names)}")
    return _schema(*((name, kinds.get(name, _FLOAT)) for name in names))


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class MetaResult:
    """What an analysis ran on: the snapshot, the options, the engine of its graph kernels, its size, when, and the seconds each step took."""

    label: str
    start: str
    end: str
    by: str
    resolution: float
    seed: int
    people: int
    ties: int
    computed_at: str
    timings: dict[str, float]
    #: ``local`` (igraph and SciPy in the orgnet process) or ``gds`` (Neo4j Graph Data Science; see :mod:`orgnet.kernels`).
    engine: str


GROUP_SUMMARY_SCHEMA = _typed(
    ["group", *GROUP_SUMMARY_COLUMNS],
    strings=["group"],
    ints=["size", "people_with_ties", "ties_out", "ties_in", "internal_ties", "external_ties"],
)


@dataclass(frozen=True)
class SummaryResult:
    """Headline figures of the network and, per group, size and cohesion (:func:`orgnet.summary.network_summary`)."""

    by: str
    people: int
    people_with_ties: int
    ties: int
    total_weight: float
    density: float | None
    reciprocity: float | None
    average_clustering: float | None
    transitivity: float | None
    weak_components: int
    strong_components: int
    largest_weak_share: float | None
    largest_strong_share: float | None
    groups: pa.Table = field(metadata=columns(GROUP_SUMMARY_SCHEMA))


@dataclass(frozen=True)
class GroupMatrixResult:
    """Ties and tie weight from each group (row) to each group (column), groups in ``groups`` order."""

    by: str
    groups: list[str]
    ties: list[list[int]]
    weight: list[list[float]]


SILO_SCHEMA = _typed(["group", *SILO_COLUMNS], strings=["group"], ints=["size", "internal_ties", "external_ties"])


@dataclass(frozen=True)
class SilosResult:
    """E-I index and conductance per group (:func:`orgnet.silos.silo_metrics`)."""

    table: pa.Table = field(metadata=columns(SILO_SCHEMA))


SILO_PAIR_SCHEMA = _typed(SILO_PAIR_COLUMNS, strings=["group_a", "group_b"], ints=["size_a", "size_b", "ties"], bools=["silo"])


@dataclass(frozen=True)
class SiloPairsResult:
    """Pairs of groups and how much less they talk than their sizes predict (:func:`orgnet.silos.silo_pairs`)."""

    table: pa.Table = field(metadata=columns(SILO_PAIR_SCHEMA))


_VERTICAL_FIGURES = [
    "ties",
    "vertical",
    "lateral_within",
    "lateral_across",
    "vertical_share",
    "lateral_within_share",
    "lateral_across_share",
]
VERTICAL_PEOPLE_SCHEMA = _typed(
    ["person", "group", *_VERTICAL_FIGURES, "vertical_only"], strings=["person", "group"], bools=["vertical_only"]
)
VERTICAL_GROUPS_SCHEMA = _typed(
    ["group", "size", *_VERTICAL_FIGURES, "vertical_only"], strings=["group"], ints=["size"], bools=["vertical_only"]
)


@dataclass(frozen=True)
class VerticalResult:
    """Top-down versus side-to-side collaboration per person and per group (:func:`orgnet.silos.vertical_lateral`)."""

    people: pa.Table = field(metadata=columns(VERTICAL_PEOPLE_SCHEMA))
    groups: pa.Table = field(metadata=columns(VERTICAL_GROUPS_SCHEMA))


CARRIER_SCHEMA = _typed(
    CARRIER_COLUMNS,
    strings=["group_a", "group_b"],
    ints=["ties", "people", "carriers"],
    bools=["fragile"],
    lists={"top_carriers": _STRING, "top_shares": _FLOAT, "carrier_ids": _STRING},
)


@dataclass(frozen=True)
class FragilityResult:
    """Single points of failure and the people each cross-group link hangs on (:func:`orgnet.fragility.fragility`)."""

    articulation_points: list[str]
    bridges: list[list[str]]
    carriers: pa.Table = field(metadata=columns(CARRIER_SCHEMA))


MEMBERSHIP_SCHEMA = _schema(("person_id", _STRING), ("community", _INT))
COMMUNITY_LABEL_SCHEMA = _schema(
    ("community", _INT), ("size", _INT), ("dominant_group", _STRING), ("dominant_share", _FLOAT), ("groups", _INT), ("label", _STRING)
)


@dataclass(frozen=True)
class CommunitiesResult:
    """The partition into communities, its quality, its agreement with the groups and a label per community."""

    method: str
    modularity: float | None
    quality: float | None
    resolution: float
    seed: int | None
    sizes: list[int]
    agreement: dict[str, float | None]
    membership: pa.Table = field(metadata=columns(MEMBERSHIP_SCHEMA))
    labels: pa.Table = field(metadata=columns(COMMUNITY_LABEL_SCHEMA))

    def membership_map(self) -> dict[str, int]:
        """Person id -> community number."""
        people = cast(list[str], self.membership.column("person_id").to_pylist())
        return dict(zip(people, cast(list[int], self.membership.column("community").to_pylist())))


BROKER_SCHEMA = _typed(
    ["person_id", *BROKER_COLUMNS],
    strings=["person_id", "group"],
    ints=["coordinator", "itinerant", "gatekeeper", "representative", "liaison", "brokerage", "other_groups"],
    bools=["boundary_spanner"],
)


@dataclass(frozen=True)
class BrokersResult:
    """Betweenness, structural holes and brokerage roles per person (:func:`orgnet.brokers.brokers`).

    ``betweenness`` says how betweenness was computed (exact or sampled, the pivots, the seed).
    """

    betweenness: dict[str, Any]
    table: pa.Table = field(metadata=columns(BROKER_SCHEMA))

    @property
    def attrs(self) -> dict[str, Any]:
        """What :func:`orgnet.brokers.brokers` puts in its table's ``attrs``: ``{"betweenness": ...}``."""
        return {"betweenness": self.betweenness}


ADVOCATE_SCHEMA = _typed(
    ADVOCATE_COLUMNS,
    strings=["person_id", "name", "department", "location", "explain"],
    ints=["rank", "groups_reached", "communities_reached"],
)


@dataclass(frozen=True)
class AdvocatesResult:
    """The advocate ranking: score, components, the measures behind them and why (:func:`orgnet.advocates.advocates`)."""

    table: pa.Table = field(metadata=columns(ADVOCATE_SCHEMA))


REACH_PLATFORM_SCHEMA = _typed(REACH_SUMMARY_COLUMNS, strings=["platform", "method"], ints=["accounts", "accounts_with_ids"])
BRAND_SCHEMA = _typed(BRAND_OVERLAP_COLUMNS, strings=["platform", "method"])
SQUAD_CURVE_SCHEMA = _schema(
    ("k", _INT),
    ("person_id", _STRING),
    ("gain", _FLOAT),
    ("gain_ids", _INT),
    ("unique_reach", _FLOAT),
    ("unique_reach_ids", _INT),
    ("count_only_reach", _FLOAT),
    ("count_only_low", _FLOAT),
    ("follower_sum", _FLOAT),
)


@dataclass(frozen=True)
class ReachResult:
    """External reach of the employees' audiences: overall, per platform, against the brand, the best squad and its overlaps.

    ``employees`` and ``squad_reach`` are the external reach (:class:`orgnet.reach.ExternalReach`, its one
    definition) of every employee's accounts and of the squad's. ``squad_unique_reach`` and
    ``squad_upper_bound`` are the greedy's own objective, which counts count-only followers in full.
    """

    employees: ExternalReach
    squad_reach: ExternalReach
    squad_members: list[str]
    squad_unique_reach: float
    squad_upper_bound: float
    squad_ratio: float | None
    squad_guarantee: str
    #: Member -> member -> Jaccard index of their follower sets, for the first squad members.
    overlap: dict[str, dict[str, float | None]]
    platforms: pa.Table = field(metadata=columns(REACH_PLATFORM_SCHEMA))
    brand: pa.Table = field(metadata=columns(BRAND_SCHEMA))
    squad_curve: pa.Table = field(metadata=columns(SQUAD_CURVE_SCHEMA))


CAMPAIGN_SCHEMA = _typed(
    CAMPAIGN_COLUMNS,
    strings=["content_id", "first_date", "last_date", "platforms"],
    ints=["sharers", "shares", "clicks", "impressions", "reactions", "leaders"],
)


@dataclass(frozen=True)
class CampaignsResult:
    """How far each piece of shared content travelled (:func:`orgnet.reach.campaigns`)."""

    table: pa.Table = field(metadata=columns(CAMPAIGN_SCHEMA))


@dataclass(frozen=True)
class LayoutPeopleResult:
    """A position per person for the network explorer (:func:`orgnet.layout.person_layout`)."""

    table: pa.Table = field(metadata=columns(_schema(("person_id", _STRING), ("x", _FLOAT), ("y", _FLOAT))))


@dataclass(frozen=True)
class LayoutGroupsResult:
    """A position per group (:func:`orgnet.layout.group_layout`)."""

    table: pa.Table = field(
        metadata=columns(_schema(("group", _STRING), ("x", _FLOAT), ("y", _FLOAT), ("size", _INT), ("internal_weight", _FLOAT)))
    )


@dataclass(frozen=True)
class GroupEdgesResult:
    """Ties between groups, summed (:func:`orgnet.layout.group_edges`)."""

    table: pa.Table = field(
        metadata=columns(_schema(("source_group", _STRING), ("target_group", _STRING), ("ties", _INT), ("count", _INT), ("weight", _FLOAT)))
    )


# --------------------------------------------------------------------------- jobs


class JobContext:
    """What a job's function is given: the snapshot, the options, the graph kernels and the results of the jobs it builds on.

    :meth:`result` computes another job's result once per context, so that
    a job reusing another's (advocates reuse the communities' partition)
    does not run it twice. :attr:`kernels` gives the kernel results
    (PageRank, Leiden, betweenness...) of the engine the analysis runs on
    (:mod:`orgnet.kernels`); a job asks it and never knows which engine answers.
    """

    def __init__(self, data: SnapshotData, options: AnalysisOptions, kernels: Kernels | None = None):
        self.data = data
        self.options = options
        self._kernels = kernels
        self._done: dict[str, Any] = {}

    @property
    def kernels(self) -> Kernels:
        """The kernels given (GDS's), else the local engine's of the snapshot's graph, made on first use."""
        if self._kernels is None:
            from orgnet.kernels import LocalKernels

            self._kernels = LocalKernels(self.graph, self.data.indexed)
        return self._kernels

    @property
    def graph(self) -> PeopleGraph:
        """The graph the jobs' functions read: the snapshot's :class:`~orgnet.engine.IndexedGraph`, people attributes and tie counts included.

        The analytics functions take it where they take a NetworkX graph
        (:data:`orgnet.engine.PeopleGraph`), so a snapshot's jobs never build
        the NetworkX graph (a Python dict a tie: seconds at 800,000 ties).
        """
        return self.data.indexed

    def result(self, job: Job[R]) -> R:
        """``job``'s result on this snapshot, computed on first use."""
        if job.name not in self._done:
            self._done[job.name] = job.run(self)
        value: R = self._done[job.name]
        return value


@dataclass(frozen=True, eq=False)
class Job(Generic[R]):
    """One result of an analysis: its name, whether it depends on ``by``, its record and how it is computed.

    Attributes
    ----------
    name : the key results are stored under (with the snapshot and ``by``).
    record : the frozen dataclass the job returns.
    grouped : whether the result depends on the grouping attribute; then a
        result is kept per attribute (``by`` is part of its key).
    compute : the function of a :class:`JobContext`; ``None`` for
        :data:`META`, which :func:`orgnet.analysis.analyze` writes itself.
    version : version of the record's layout (see the module's notes).
    layout : a layout job, skipped when the options ask for no layouts.
    """

    name: str
    record: type[R]
    grouped: bool
    compute: Callable[[JobContext], R] | None
    version: int = 1
    layout: bool = False

    def run(self, context: JobContext) -> R:
        """Compute the result on ``context``'s snapshot."""
        if self.compute is None:
            raise OrgnetError(f"the {self.name} result is written by orgnet analyze, not computed on its own")
        value = self.compute(context)
        if not isinstance(value, self.record):
            raise ResultSchemaError(f"job {self.name} returned {type(value).__name__}, not {self.record.__name__}")
        return value

    def key_by(self, by: str | None) -> str:
        """The ``by`` part of this job's key: the attribute (department by default) when grouped, ``""`` otherwise."""
        return (by or "department") if self.grouped else ""


def _plain_groups(frame: pd.DataFrame, index: str = "group") -> pd.DataFrame:
    """A table indexed by group with the index as a ``group`` column."""
    return frame.rename_axis(index).reset_index()


def _summary(context: JobContext) -> SummaryResult:
    from orgnet.summary import network_summary

    found = network_summary(context.graph, context.options.by, indexed=context.data.indexed, kernels=context.kernels)
    figures = {item.name: getattr(found, item.name) for item in dataclasses.fields(found) if item.name != "groups"}
    return SummaryResult(**figures, groups=to_table(_plain_groups(found.groups), GROUP_SUMMARY_SCHEMA))


def _group_matrix(context: JobContext) -> GroupMatrixResult:
    from orgnet.summary import group_matrix

    graph, by, indexed = context.graph, context.options.by, context.data.indexed
    ties = group_matrix(graph, by, value="ties", indexed=indexed)
    weight = group_matrix(graph, by, value="weight", indexed=indexed)
    return GroupMatrixResult(
        by, [str(g) for g in ties.index], ties.to_numpy().astype(int).tolist(), weight.to_numpy().astype(float).tolist()
    )


def _silos(context: JobContext) -> SilosResult:
    from orgnet.silos import silo_metrics

    found = silo_metrics(context.graph, context.options.by, indexed=context.data.indexed)
    return SilosResult(to_table(_plain_groups(found), SILO_SCHEMA))


def _silo_pairs(context: JobContext) -> SiloPairsResult:
    from orgnet.silos import silo_pairs

    return SiloPairsResult(to_table(silo_pairs(context.graph, context.options.by, indexed=context.data.indexed), SILO_PAIR_SCHEMA))


def _vertical(context: JobContext) -> VerticalResult:
    from orgnet.silos import vertical_lateral

    found = vertical_lateral(context.graph, context.options.by, indexed=context.data.indexed)
    return VerticalResult(
        to_table(_plain_groups(found.people, "person"), VERTICAL_PEOPLE_SCHEMA),
        to_table(_plain_groups(found.groups), VERTICAL_GROUPS_SCHEMA),
    )


def _fragility(context: JobContext) -> FragilityResult:
    from orgnet.fragility import fragility

    found = fragility(context.graph, context.options.by, indexed=context.data.indexed, kernels=context.kernels)
    return FragilityResult(
        [str(p) for p in found.articulation_points],
        [[str(u), str(v)] for u, v in found.bridges],
        to_table(found.carriers, CARRIER_SCHEMA),
    )


def _communities(context: JobContext) -> CommunitiesResult:
    from orgnet.communities import attribute_agreement, label_communities

    graph, options = context.graph, context.options
    found = context.kernels.communities(options.resolution, options.seed)
    membership = pd.DataFrame({"person_id": [str(p) for p in found.membership], "community": list(found.membership.values())})
    agreement: dict[str, float | None] = {
        str(k): (None if v is None else float(v)) for k, v in attribute_agreement(graph, found, options.by).items()
    }
    labels = label_communities(graph, found, options.by).rename_axis("community").reset_index()
    return CommunitiesResult(
        found.method,
        found.modularity,
        found.quality,
        found.resolution,
        found.seed,
        [int(s) for s in found.sizes],
        agreement,
        to_table(membership, MEMBERSHIP_SCHEMA),
        to_table(labels, COMMUNITY_LABEL_SCHEMA),
    )


def _brokers(context: JobContext) -> BrokersResult:
    from orgnet.brokers import brokers

    options = context.options
    found = brokers(
        context.graph,
        options.by,
        k=options.pivots,
        exact_limit=options.exact_limit,
        seed=options.seed,
        indexed=context.data.indexed,
        kernels=context.kernels,
    )
    return BrokersResult(dict(found.attrs.get("betweenness", {})), to_table(found.rename_axis("person_id").reset_index(), BROKER_SCHEMA))


def _advocates(context: JobContext) -> AdvocatesResult:
    from orgnet.advocates import advocates

    data = context.data
    window = data.engagement_window or data.months
    membership = cast(dict[Hashable, Hashable], context.result(COMMUNITIES).membership_map())
    found = advocates(
        context.graph,
        data.engagement,
        data.audiences,
        data.followers,
        start=window[0],
        end=window[1],
        by=context.options.by,
        communities=membership,
        indexed=data.indexed,
        kernels=context.kernels,
    )
    return AdvocatesResult(to_table(found, ADVOCATE_SCHEMA))


def _reach(context: JobContext) -> ReachResult:
    from orgnet.reach import brand_overlap, external_reach, jaccard_matrix, max_coverage, owner_audiences, reach_summary

    data, options = context.data, context.options
    audiences = owner_audiences(data.audiences, data.followers)
    squad = max_coverage(audiences, k=options.squad)
    overlap = jaccard_matrix(audiences, squad.members[: options.overlap_top])
    pairs = {
        str(member): {str(other): (None if pd.isna(value) else float(value)) for other, value in row.items()}
        for member, row in overlap.iterrows()
    }
    return ReachResult(
        external_reach(data.audiences, data.followers),
        external_reach(data.audiences, data.followers, owners=squad.members),
        [str(m) for m in squad.members],
        float(squad.unique_reach),
        float(squad.upper_bound),
        squad.ratio,
        squad.guarantee,
        pairs,
        to_table(reach_summary(data.audiences, data.followers), REACH_PLATFORM_SCHEMA),
        to_table(brand_overlap(data.audiences, data.followers), BRAND_SCHEMA),
        to_table(squad.curve, SQUAD_CURVE_SCHEMA),
    )


def _campaigns(context: JobContext) -> CampaignsResult:
    from orgnet.reach import campaigns

    data = context.data
    found = campaigns(data.engagement, data.audiences, data.followers, data.people, start=data.months[0], end=data.months[1])
    return CampaignsResult(to_table(found, CAMPAIGN_SCHEMA))


def _layout_people(context: JobContext) -> LayoutPeopleResult:
    from orgnet.layout import person_layout

    options = context.options
    found = person_layout(context.graph, options.seed, by=options.by, indexed=context.data.indexed)
    return LayoutPeopleResult(to_table(found, table_fields(LayoutPeopleResult)["table"]))


def _layout_groups(context: JobContext) -> LayoutGroupsResult:
    from orgnet.layout import group_layout

    options = context.options
    found = group_layout(context.graph, options.by, seed=options.seed, indexed=context.data.indexed)
    return LayoutGroupsResult(to_table(found, table_fields(LayoutGroupsResult)["table"]))


def _group_edges(context: JobContext) -> GroupEdgesResult:
    from orgnet.layout import group_edges

    found = group_edges(context.graph, context.options.by, indexed=context.data.indexed)
    return GroupEdgesResult(to_table(found, table_fields(GroupEdgesResult)["table"]))


# Version 2: the engine that ran the graph kernels.
META: Job[MetaResult] = Job("meta", MetaResult, grouped=False, compute=None, version=2)
SUMMARY: Job[SummaryResult] = Job("summary", SummaryResult, grouped=True, compute=_summary)
GROUP_MATRIX: Job[GroupMatrixResult] = Job("group_matrix", GroupMatrixResult, grouped=True, compute=_group_matrix)
SILOS: Job[SilosResult] = Job("silos", SilosResult, grouped=True, compute=_silos)
SILO_PAIRS: Job[SiloPairsResult] = Job("silo_pairs", SiloPairsResult, grouped=True, compute=_silo_pairs)
VERTICAL: Job[VerticalResult] = Job("vertical", VerticalResult, grouped=True, compute=_vertical)
FRAGILITY: Job[FragilityResult] = Job("fragility", FragilityResult, grouped=True, compute=_fragility)
COMMUNITIES: Job[CommunitiesResult] = Job("communities", CommunitiesResult, grouped=True, compute=_communities)
BROKERS: Job[BrokersResult] = Job("brokers", BrokersResult, grouped=True, compute=_brokers)
ADVOCATES: Job[AdvocatesResult] = Job("advocates", AdvocatesResult, grouped=True, compute=_advocates)
# Version 2: the figure of external reach (employees, squad_reach), count_only_largest for unique_upper_bound.
# Version 3: an ExternalReach's account counts may be unknown (None: a smaller squad read from the stored curve).
# Version 4: the squad curve's count_only_low, the per-platform lower bound of a smaller squad's count-only followers.
REACH: Job[ReachResult] = Job("reach", ReachResult, grouped=False, compute=_reach, version=4)
CAMPAIGNS: Job[CampaignsResult] = Job("campaigns", CampaignsResult, grouped=False, compute=_campaigns)
LAYOUT_PEOPLE: Job[LayoutPeopleResult] = Job("layout_people", LayoutPeopleResult, grouped=True, compute=_layout_people, layout=True)
LAYOUT_GROUPS: Job[LayoutGroupsResult] = Job("layout_groups", LayoutGroupsResult, grouped=True, compute=_layout_groups, layout=True)
GROUP_EDGES: Job[GroupEdgesResult] = Job("group_edges", GroupEdgesResult, grouped=True, compute=_group_edges, layout=True)

#: Every job, :data:`META` first, the others in the order an analysis runs them.
JOBS: tuple[Job[Any], ...] = (
    META,
    SUMMARY,
    GROUP_MATRIX,
    SILOS,
    SILO_PAIRS,
    VERTICAL,
    FRAGILITY,
    COMMUNITIES,
    BROKERS,
    ADVOCATES,
    REACH,
    CAMPAIGNS,
    LAYOUT_PEOPLE,
    LAYOUT_GROUPS,
    GROUP_EDGES,
)

_BY_NAME: Mapping[str, Job[Any]] = {job.name: job for job in JOBS}


def job_named(name: str) -> Job[Any]:
    """The job called ``name`` (for a command line's argument).

    Raises
    ------
    OrgnetError
        When no job has that name (the message lists them).
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        raise OrgnetError(f"no result called {name!r}; results are {', '.join(sorted(_BY_NAME))}") from None
