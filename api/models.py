"""Request and response shapes of the JSON API; the OpenAPI schema documents every field from them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from orgnet.defaults import DEFAULT_HOPS, DEFAULT_PROBABILITY, DEFAULT_RUNS
from orgnet.reach import ExternalReach

__all__ = [
    "AuditRow",
    "Contact",
    "EgoSummary",
    "ErrorBody",
    "GroupCount",
    "Health",
    "IngestEntry",
    "KeyCreate",
    "KeyCreated",
    "KeyRow",
    "Me",
    "Page",
    "Periods",
    "PersonRow",
    "from_record",
    "optional_text",
]

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

Role = Literal["admin", "analyst", "comms", "viewer"]


def from_record(model: type[M], record: Mapping[str, Any], **values: Any) -> M:
    """``model`` from a row or the fields of a stored result: every field taken from ``values``, else from ``record``.

    A record may carry more keys than a model shows (the model picks its own).

    Raises
    ------
    KeyError
        When a field of the model is in neither: a column renamed on one side, which must not read as ``null``.
    """
    missing = [name for name in model.model_fields if name not in values and name not in record]
    if missing:
        raise KeyError(f"{model.__name__} needs {', '.join(missing)}, which the stored record lacks")
    return model(**{**{name: record[name] for name in model.model_fields if name not in values}, **values})


def optional_text(value: Any) -> str | None:
    """``value`` as text, ``None`` when it is missing (``None`` or NaN, as pandas leaves empty cells)."""
    return None if value is None or (isinstance(value, float) and value != value) else str(value)


class ErrorBody(BaseModel):
    """Every error answer."""

    error: str = Field(description="Short code of the HTTP status (`not_found`, `forbidden`...).")
    detail: Any = Field(description="What went wrong: a sentence, or for 422 the list of invalid inputs (`loc`, `msg`, `type`).")


class Health(BaseModel):
    """Whether the service is up and its store answers."""

    status: Literal["ok"] = Field(description="Always `ok` when the service answers.")
    version: str = Field(description="orgnet's version.")
    people: int = Field(description="People in the store.")
    periods: int = Field(description="Periods holding ties.")


class Me(BaseModel):
    """The caller as its key identifies it."""

    key_id: str = Field(description="Id of the key used.")
    role: Role = Field(description="Its role.")
    name: str = Field(description="The note given when the key was created.")
    permissions: list[str] = Field(description="What the role may see: summary, groups, people, advocates, admin.")
    min_group_size: int = Field(description="Groups smaller than this have their figures suppressed.")


class Page(BaseModel, Generic[T]):
    """One page of a long list."""

    items: list[T] = Field(description="The rows of this page.")
    total: int = Field(description="Rows in the whole list (after filters).")
    offset: int = Field(description="Index of the first row of this page.")
    limit: int = Field(description="Most rows a page holds.")


class Periods(BaseModel):
    """The periods the store holds and the snapshots analysed."""

    period_unit: str = Field(description="`month` (`2026-10`) or `week` (`2026-W42`).")
    periods: list[str] = Field(description="Periods holding ties, oldest first.")
    analysed: list[str] = Field(description="Snapshot labels (a period or a range `2026-08..2026-10`) with stored results.")
    default: str | None = Field(description="The snapshot served when a request names none.")


class PersonRow(BaseModel):
    """A person as lists show them."""

    person_id: str = Field(description="Stable person id.")
    name: str | None = Field(None, description="Name; `null` when identities are pseudonymised.")
    department: str | None = Field(None, description="Department.")
    title: str | None = Field(None, description="Job title.")
    location: str | None = Field(None, description="Location.")
    manager_id: str | None = Field(None, description="The person's manager.")


class Contact(BaseModel):
    """One tie of a person's ego network, both directions summed."""

    person_id: str = Field(description="The contact.")
    name: str | None = Field(None, description="The contact's name.")
    department: str | None = Field(None, description="The contact's department.")
    weight_out: float = Field(description="Tie weight from the person to the contact.")
    weight_in: float = Field(description="Tie weight from the contact to the person.")
    count: int = Field(description="Interactions in both directions.")


class GroupCount(BaseModel):
    """A group and how many of a person's contacts belong to it."""

    group: str = Field(description="The group (department).")
    contacts: int = Field(description="Contacts in it.")
    weight: float = Field(description="Tie weight (both directions) with them.")


class EgoSummary(BaseModel):
    """One person's ego network in a snapshot."""

    person: PersonRow = Field(description="The person.")
    snapshot: str = Field(description="The snapshot label.")
    attributes: dict[str, str | None] = Field(description="HR attributes beyond the core fields.")
    out_degree: int = Field(description="People the person reached out to.")
    in_degree: int = Field(description="People who reached out to the person.")
    contacts: int = Field(description="Distinct people tied in either direction.")
    strength_out: float = Field(description="Summed weight of outgoing ties.")
    strength_in: float = Field(description="Summed weight of incoming ties.")
    external_share: float | None = Field(description="Share of tie weight with other departments (`null` without ties).")
    top_contacts: list[Contact] = Field(description="Strongest ties, heaviest first.")
    departments: list[GroupCount] = Field(description="Contacts per department, most first.")
    metrics: dict[str, Any] = Field(
        description="The person's rows in stored results of this snapshot (advocate score, broker measures, community), by result name."
    )


class IngestEntry(BaseModel):
    """One line of the ingest ledger."""

    ingest_id: str = Field(description="Ledger id.")
    source: str = Field(description="Ingester (`roster`, `email`...).")
    path: str = Field(description="The file or folder ingested.")
    content_hash: str = Field(description="Hash of its content (re-ingests of the same content are skipped).")
    finished_at: str = Field(description="When it finished (UTC, ISO 8601).")
    counts: dict[str, int] = Field(description="Named figures of the ingest report.")
    rejects: int = Field(description="Rows rejected with --skip-bad-rows.")


class AuditRow(BaseModel):
    """One read of person-level data."""

    at: str = Field(description="When (UTC, ISO 8601).")
    key_id: str = Field(description="Which key read.")
    role: str = Field(description="Its role.")
    action: str = Field(description="What was read (`people.list`, `advocates`...).")
    target: str = Field(description="Which person, snapshot or filter.")


class KeyRow(BaseModel):
    """An API key as listed: never the key itself, nor its hash."""

    key_id: str = Field(description="Key id.")
    role: Role = Field(description="Its role.")
    name: str = Field(description="Whom it is for.")
    created_at: str = Field(description="When it was created.")
    revoked_at: str | None = Field(description="When it was revoked; `null` while live.")


class KeyCreate(BaseModel):
    """A key to create."""

    model_config = ConfigDict(extra="forbid")

    role: Role = Field(description="Role of the new key.")
    name: str = Field("", max_length=200, description="Whom it is for.")


class KeyCreated(BaseModel):
    """A key just created: the only time its secret is shown."""

    key_id: str = Field(description="Key id.")
    role: Role = Field(description="Its role.")
    key: str = Field(description="The secret key; store it now, it cannot be shown again.")


class Suppressible(BaseModel):
    """A group-level row: its figures are `null` and `suppressed` is true when the group is suppressed."""

    suppressed: bool = Field(
        description="True when the group is suppressed: below the minimum group size, or suppressed with such a group so that no "
        "difference of figures isolates it (see the privacy rules); its figures are then `null`."
    )


class _NamedGroup(Suppressible):
    group: str = Field(description="The group (department).")


class GroupFigures(BaseModel):
    """Size and cohesion of a group, or of several groups taken as one."""

    size: int | None = Field(description="Members.")
    people_with_ties: int | None = Field(description="Members with at least one tie.")
    ties_out: int | None = Field(description="Ties its members send.")
    ties_in: int | None = Field(description="Ties its members receive.")
    internal_ties: int | None = Field(description="Ties between members.")
    external_ties: int | None = Field(description="Ties with other groups.")
    internal_share: float | None = Field(description="Share of its ties that stay inside.")
    external_share: float | None = Field(description="Share of its ties that leave it.")
    internal_weight: float | None = Field(description="Tie weight inside.")
    external_weight: float | None = Field(description="Tie weight with other groups.")
    external_weight_share: float | None = Field(description="Share of its tie weight with other groups.")


class GroupSummary(GroupFigures, _NamedGroup):
    """Size and cohesion of one group."""


class SuppressedGroups(GroupFigures):
    """The suppressed groups taken as one group: what the totals hold beyond the groups shown."""

    groups: list[str] = Field(
        description="The suppressed groups: at least two with at least the minimum group size together, unless all are."
    )


class Summary(BaseModel):
    """Headline numbers of a snapshot."""

    snapshot: str = Field(description="Snapshot label.")
    by: str = Field(description="Attribute the groups are made by.")
    people: int = Field(description="People (nodes).")
    people_with_ties: int = Field(description="People with at least one tie.")
    ties: int = Field(description="Directed ties (pairs).")
    total_weight: float = Field(description="Summed tie weight.")
    density: float | None = Field(description="Ties over possible ordered pairs.")
    reciprocity: float | None = Field(description="Share of ties returned.")
    average_clustering: float | None = Field(description="Mean local clustering coefficient.")
    transitivity: float | None = Field(description="Global clustering (closed triangles over connected triples).")
    weak_components: int = Field(description="Weakly connected components.")
    strong_components: int = Field(description="Strongly connected components.")
    largest_weak_share: float | None = Field(description="Share of people in the largest weak component.")
    largest_strong_share: float | None = Field(description="Share of people in the largest strong component.")
    groups: list[GroupSummary] = Field(description="Per group; suppressed groups have `null` figures.")
    suppressed: SuppressedGroups | None = Field(
        None,
        description="The suppressed groups taken together (`null` when none is, or for roles without group figures): "
        "`people`, `people_with_ties` and `ties` are the sums of `size`, `people_with_ties` and `ties_out` over `groups` and this.",
    )


class GrowthPoint(BaseModel):
    """Headline numbers of one analysed period."""

    period: str = Field(description="Period.")
    people: int = Field(description="People.")
    people_with_ties: int = Field(description="People with ties.")
    ties: int = Field(description="Directed ties.")
    total_weight: float = Field(description="Summed tie weight.")
    density: float | None = Field(description="Density.")
    reciprocity: float | None = Field(description="Reciprocity.")


class Growth(BaseModel):
    """Headline numbers over the analysed periods, oldest first."""

    periods: list[GrowthPoint] = Field(description="One point per analysed period.")
    missing: list[str] = Field(description="Periods holding ties that were not analysed.")


class SiloRow(Suppressible):
    """E-I index and conductance of one group (Krackhardt and Stern 1988)."""

    group: str = Field(description="The group.")
    size: int | None = Field(description="Members.")
    internal_ties: int | None = Field(description="Ties inside.")
    external_ties: int | None = Field(description="Ties with other groups.")
    external_share: float | None = Field(description="Share of ties that leave the group.")
    ei_index: float | None = Field(description="(external - internal) / (external + internal) ties, in [-1, 1]; -1 is a closed silo.")
    internal_weight: float | None = Field(description="Tie weight inside.")
    external_weight: float | None = Field(description="Tie weight outside.")
    external_weight_share: float | None = Field(description="Share of tie weight outside.")
    ei_index_weight: float | None = Field(description="E-I index on tie weights.")
    cut_weight: float | None = Field(description="Weight of ties crossing the group's boundary.")
    volume: float | None = Field(description="Summed weighted degree of the members.")
    conductance: float | None = Field(description="Cut weight over the smaller of the two volumes; low is a silo.")


class SiloTable(BaseModel):
    """E-I per group of a snapshot."""

    snapshot: str = Field(description="Snapshot label.")
    groups: list[SiloRow] = Field(description="One row per group, most inward first.")


class PooledCells(BaseModel):
    """A matrix's cells between each group and the suppressed groups taken together.

    Each row of the matrix plus `sent`, each column plus `received`, and all cells plus both lists and `within`, are the totals.
    """

    sent: list[float | None] = Field(description="From each group (in `groups` order) to the suppressed groups; `null` for those.")
    received: list[float | None] = Field(description="From the suppressed groups to each group; `null` for those.")
    within: float = Field(description="Among the suppressed groups.")


class GroupMatrix(BaseModel):
    """The group x group matrix: row sends, column receives."""

    snapshot: str = Field(description="Snapshot label.")
    by: str = Field(description="Attribute the groups are made by.")
    groups: list[str] = Field(description="Row and column order.")
    ties: list[list[float | None]] = Field(description="Ties from row group to column group; `null` where either group is suppressed.")
    weight: list[list[float | None]] = Field(description="Tie weight from row group to column group; `null` where either is suppressed.")
    suppressed: list[str] = Field(description="The suppressed groups (see the privacy rules).")
    pooled_ties: PooledCells | None = Field(None, description="Ties between each group shown and the suppressed groups together.")
    pooled_weight: PooledCells | None = Field(None, description="The same on tie weight.")


class SiloPair(Suppressible):
    """Two groups and how much less they talk than their sizes predict."""

    group_a: str = Field(description="First group.")
    group_b: str = Field(description="Second group.")
    size_a: int | None = Field(description="Members of the first.")
    size_b: int | None = Field(description="Members of the second.")
    ties: int | None = Field(description="Ties between them (both directions).")
    weight: float | None = Field(description="Their tie weight.")
    expected: float | None = Field(description="Ties expected if ties ignored groups.")
    ratio: float | None = Field(description="Observed over expected ties.")
    density: float | None = Field(description="Ties over possible cross pairs.")
    silo: bool | None = Field(description="Whether the pair counts as a silo pair.")


class FragileBridge(Suppressible):
    """A pair of groups whose ties run through few people (suppressed when either group is small)."""

    group_a: str = Field(description="First group.")
    group_b: str = Field(description="Second group.")
    ties: int | None = Field(description="Ties between them.")
    weight: float | None = Field(description="Their tie weight.")
    people: int | None = Field(description="People carrying those ties.")
    carriers: int | None = Field(description="How few people carry most of the weight.")
    carrier_ids: list[str] | None = Field(description="Those people.")
    top_carriers: list[str] | None = Field(description="The heaviest carriers.")
    top_shares: list[float] | None = Field(description="Their shares of the pair's weight.")
    fragile: bool | None = Field(description="Whether the pair hangs on very few people.")


class Fragility(BaseModel):
    """Where the network hangs on single people or ties."""

    snapshot: str = Field(description="Snapshot label.")
    articulation_points: list[str] = Field(description="People whose removal disconnects the network.")
    bridges: list[list[str]] = Field(description="Ties whose removal disconnects it.")
    carriers: list[FragileBridge] = Field(description="Group pairs and the people who carry their ties, fragile ones first.")


class BrokerRow(BaseModel):
    """Brokerage measures of one person."""

    person_id: str = Field(description="The person.")
    name: str | None = Field(None, description="Name.")
    group: str | None = Field(description="The person's group.")
    betweenness: float | None = Field(description="Normalised betweenness centrality.")
    betweenness_stderr: float | None = Field(description="Standard error of the sampled betweenness (0 when exact).")
    constraint: float | None = Field(description="Burt's constraint; low means many structural holes.")
    effective_size: float | None = Field(description="Burt's effective size of the ego network.")
    coordinator: int | None = Field(description="Gould-Fernandez coordinator brokerages (within the own group).")
    itinerant: int | None = Field(description="Itinerant brokerages (between members of one other group).")
    gatekeeper: int | None = Field(description="Gatekeeper brokerages (into the own group).")
    representative: int | None = Field(description="Representative brokerages (out of the own group).")
    liaison: int | None = Field(description="Liaison brokerages (between two other groups).")
    brokerage: int | None = Field(description="All brokerages.")
    participation: float | None = Field(description="Participation coefficient: how evenly ties spread over groups.")
    other_groups: int | None = Field(description="Other groups the person is tied to.")
    boundary_spanner: bool | None = Field(
        description="Tied to enough other groups, evenly enough (`other_groups` and `participation` over their thresholds)."
    )


class Community(Suppressible):
    """One community found by Leiden, described by its dominant group."""

    community: int = Field(description="Community number.")
    size: int | None = Field(description="Members.")
    dominant_group: str | None = Field(description="The group most members belong to.")
    dominant_share: float | None = Field(description="Its share of the members.")
    groups: int | None = Field(description="Groups represented.")
    label: str | None = Field(description="A readable label (`Sales 100%`).")


class SuppressedCommunities(BaseModel):
    """The suppressed communities taken together: the sizes of the communities shown plus `size` are every person's."""

    communities: int = Field(description="How many communities are suppressed.")
    size: int = Field(description="Their members together.")


class Communities(BaseModel):
    """Communities of a snapshot (membership of individuals is in the person-level graph)."""

    snapshot: str = Field(description="Snapshot label.")
    by: str = Field(description="The grouping attribute the communities were analysed with and are compared to.")
    method: str = Field(description="Algorithm.")
    modularity: float | None = Field(description="Modularity of the partition.")
    resolution: float | None = Field(description="Resolution parameter.")
    agreement: dict[str, float | int | None] = Field(description="Agreement with the groups of `by`: NMI, ARI, counts.")
    sentence: str = Field(description="The agreement in words: whether the communities follow the groups or cut across them.")
    communities: list[Community] = Field(description="Largest first.")
    suppressed: SuppressedCommunities | None = Field(None, description="The suppressed communities taken together (`null` when none is).")


class GraphNode(BaseModel):
    """A node of the graph view: a person, a department or a community."""

    id: str = Field(description="Person id, department name or community number.")
    label: str = Field(description="What to show: a name, a department, a community label.")
    x: float | None = Field(description="Stored layout position (`null` when suppressed).")
    y: float | None = Field(description="Stored layout position.")
    department: str | None = Field(None, description="Department (person level).")
    group: str | None = Field(None, description="The person's group of the view's `by` (person level).")
    community: int | None = Field(None, description="Community number (person and community levels).")
    size: int | None = Field(None, description="Members (group levels).")
    attributes: dict[str, float | int | str | None] = Field(
        default_factory=dict, description="Other attributes and metrics to colour, size or hover by."
    )
    suppressed: bool = Field(False, description="A suppressed group (see the privacy rules): figures and position hidden.")


class GraphEdge(BaseModel):
    """A tie of the graph view, summed over the snapshot's periods and channels."""

    source: str = Field(description="Source node id.")
    target: str = Field(description="Target node id.")
    weight: float | None = Field(description="Summed tie weight (`null` when an end is suppressed).")
    count: int | None = Field(description="Interactions.")
    suppressed: bool = Field(False, description="An end is a suppressed group.")


class GraphView(BaseModel):
    """The graph of a snapshot at one level."""

    snapshot: str = Field(description="Snapshot label.")
    level: Literal["person", "group", "community"] = Field(
        description="What a node is: a person, a group of `by` (departments by default) or a community."
    )
    by: str = Field("department", description="The grouping attribute: of the groups, of the communities' analysis, of a person's `group`.")
    nodes: list[GraphNode] = Field(description="Nodes with attributes and layout.")
    edges: list[GraphEdge] = Field(description="Edges with weights.")
    focus: str | None = Field(None, description="The person whose ego network this is, when one was asked for.")


class AdvocateRow(BaseModel):
    """One person ranked as an advocate: the score, its four weighted components, the measures behind them and why."""

    rank: int = Field(description="Rank among everyone in the snapshot (1 = best).")
    person_id: str = Field(description="The person.")
    name: str | None = Field(None, description="Name; `null` when identities are pseudonymised.")
    department: str | None = Field(None, description="Department.")
    location: str | None = Field(None, description="Location.")
    score: float = Field(description="Advocate score in (0, 1]: the sum of the four components.")
    influence: float = Field(description="Weighted percentile of internal influence (PageRank and eigenvector centrality).")
    engagement: float = Field(description="Weighted percentile of advocacy actions per month and their trend.")
    reach: float = Field(description="Weighted percentile of unique external followers.")
    bridging: float = Field(description="Weighted percentile of departments and communities the person talks with.")
    pagerank: float | None = Field(None, description="PageRank on the tie graph.")
    eigenvector: float | None = Field(None, description="Eigenvector centrality.")
    actions_per_month: float | None = Field(None, description="Advocacy actions (shares, posts...) per month in the window.")
    engagement_trend: float | None = Field(None, description="Fitted change of monthly actions per month.")
    followers: float | None = Field(None, description="Summed follower counts of the person's accounts.")
    unique_reach: float | None = Field(None, description="Distinct followers.")
    marginal_reach: float | None = Field(None, description="Followers nobody ranked above reaches.")
    groups_reached: int | None = Field(None, description="Departments the person has ties with.")
    communities_reached: int | None = Field(None, description="Communities the person has ties with.")
    explain: str = Field(description="The score in one sentence.")


class AdvocateList(Page[AdvocateRow]):
    """A page of the advocate ranking of a snapshot."""

    snapshot: str = Field(description="Snapshot label.")


class ReachPlatform(BaseModel):
    """How many distinct people the employees' own accounts reach on one platform (`all`: every platform together)."""

    platform: str = Field(description="Platform, or `all`.")
    accounts: int = Field(description="Employee accounts.")
    accounts_with_ids: int = Field(description="Accounts whose follower identifiers were given (hashed).")
    follower_sum: float = Field(description="Summed follower counts: the reach if no two accounts shared a follower.")
    follower_sum_with_ids: float = Field(description="Summed followers of the accounts with identifiers.")
    unique_followers: float = Field(description="Distinct followers of the accounts with identifiers: their union.")
    overlap: float = Field(description="Followers counted more than once: `follower_sum_with_ids - unique_followers`.")
    count_only_followers: float = Field(
        description="Summed followers of accounts known only by a count: at most this many distinct people, never added to the union."
    )
    count_only_largest: float = Field(
        description="The largest audience known only by a count (for `all`, the platforms' largest added up): at least this many distinct people."
    )
    method: str = Field(description="`exact`, or `hll` (HyperLogLog estimate) on large audiences.")
    relative_error: float = Field(description="Standard relative error of the estimate (0 when exact).")


class BrandOverlap(BaseModel):
    """Employees' audiences against the brand accounts' on one platform (`all`: together)."""

    platform: str = Field(description="Platform, or `all`.")
    employees_unique: float = Field(description="Distinct followers of employees' accounts (with identifiers).")
    brand_unique: float = Field(description="Distinct followers of the brand accounts.")
    union: float = Field(description="Distinct followers of either.")
    overlap: float = Field(description="Followers of both.")
    employees_only: float = Field(description="People only employees reach.")
    brand_only: float = Field(description="People only the brand reaches.")
    employees_only_share: float = Field(description="Share of the employees' audience the brand does not reach.")
    employees_count_only: float = Field(description="Followers of employee accounts known only by a count (outside the comparison).")
    method: str = Field(description="`exact` or `hll`.")
    relative_error: float = Field(description="Standard relative error (0 when exact).")


class SquadPoint(BaseModel):
    """The greedy squad after its k-th member."""

    k: int = Field(description="Squad size.")
    person_id: str | None = Field(description="The member added at this size; `null` for roles that see aggregates only.")
    gain: float = Field(description="What this member adds to the greedy's objective (`unique_reach`).")
    gain_ids: int = Field(description="New distinct followers with known ids this member adds.")
    unique_reach: float = Field(
        description="The greedy's objective: distinct followers with known ids of the first k members plus their count-only followers in full."
    )
    unique_reach_ids: int = Field(description="Distinct followers with known ids of the first k members: their external reach.")
    count_only_reach: float = Field(description="Their followers known only by counts (summed: the range's high end).")
    count_only_low: float = Field(
        description="The least those count-only followers can be: the largest count-only audience per platform, summed."
    )
    follower_sum: float = Field(description="Their summed follower counts (the naive reach).")


class Squad(BaseModel):
    """The squad of k employees that together reach the most distinct followers (greedy maximum coverage)."""

    size: int = Field(description="Members: `squad` when asked, else the analysis' squad size (or fewer when fewer people have audiences).")
    members: list[str] | None = Field(description="Members in the order chosen; `null` for roles that see aggregates only.")
    curve: list[SquadPoint] = Field(description="Unique reach after each member: the reach curve.")
    reach: ExternalReach = Field(description="External reach of the squad's accounts (the definition of `ReachView.employees`).")
    unique_reach: float = Field(description="The greedy's objective for the whole squad (count-only followers counted in full).")
    upper_bound: float | None = Field(
        description="No squad of this size can score more on that objective (`null` for a squad smaller than the stored one)."
    )
    ratio: float | None = Field(description="Guaranteed share of the best possible squad (1 - 1/e for greedy).")
    guarantee: str = Field(description="The guarantee in words.")


class OverlapRow(BaseModel):
    """Audience overlap (Jaccard index of follower sets) of one squad member with the others."""

    person_id: str = Field(description="The member.")
    jaccard: dict[str, float | None] = Field(description="Member -> shared followers over followers of either.")


class ReachView(BaseModel):
    """Combined reach of the employees' social audiences in a snapshot."""

    snapshot: str = Field(description="Snapshot label.")
    people_shown: bool = Field(description="Whether squad members and their overlaps are named (roles with the advocates permission).")
    employees: ExternalReach = Field(
        description="External reach of every employee's accounts: `known`, the exact union of follower ids where ids are known "
        "(or its HyperLogLog estimate, `method` `hll`), and apart from it the followers of accounts known only by a count, "
        "between `count_only_low` (the largest such audience) and `count_only_high` (their sum)."
    )
    platforms: list[ReachPlatform] = Field(description="Union and overlap per platform, then `all`.")
    brand: list[BrandOverlap] = Field(description="Employees' audiences against the brand accounts'.")
    squad: Squad = Field(description="The best squad and its reach curve.")
    overlap: list[OverlapRow] | None = Field(
        description="Pairwise audience overlap of the top squad members; `null` for aggregate-only roles."
    )


#: What one internal-reach request may ask of the server, for the GET query and the POST body alike (the CLI,
#: which runs on the user's own machine, allows more hops and runs): starting people, hops, Monte Carlo runs, seed.
REACH_MAX_PEOPLE = 100
REACH_MAX_HOPS = 4
REACH_MIN_RUNS, REACH_MAX_RUNS = 10, 1000
REACH_MAX_SEED = 2**32 - 1


class InternalReachQuery(BaseModel):
    """Whom a message started by some people reaches inside the organisation."""

    model_config = ConfigDict(extra="forbid")

    people: list[str] = Field(
        min_length=1, max_length=REACH_MAX_PEOPLE, description=f"Person ids who start the message (1 to {REACH_MAX_PEOPLE})."
    )
    hops: int = Field(DEFAULT_HOPS, ge=1, le=REACH_MAX_HOPS, description="Largest number of directed hops counted.")
    probability: float = Field(
        DEFAULT_PROBABILITY, gt=0, le=1, description="Chance that a tie passes the message on (independent cascade)."
    )
    runs: int = Field(DEFAULT_RUNS, ge=REACH_MIN_RUNS, le=REACH_MAX_RUNS, description="Monte Carlo runs of the cascade.")
    seed: int = Field(0, ge=0, le=REACH_MAX_SEED, description="Random seed: the same query gives the same answer.")


class HopCount(BaseModel):
    """People first reached at one hop."""

    hop: int = Field(description="Hops from the nearest starting person (0: the starting people).")
    new: int = Field(description="People first reached at this hop.")
    reached: int = Field(description="People reached within this many hops.")


class SpreadEstimateModel(BaseModel):
    """Monte Carlo estimate of the expected number of people reached under the independent cascade."""

    mean: float = Field(description="Expected people reached (starting people included).")
    stderr: float = Field(description="Standard error of the mean.")
    ci_low: float = Field(description="Lower end of the 95% confidence interval.")
    ci_high: float = Field(description="Upper end of the 95% confidence interval.")
    runs: int = Field(description="Simulations run.")


class InternalReach(BaseModel):
    """Internal reach from given people: k-hop counts and the expected cascade spread."""

    snapshot: str = Field(description="Snapshot label.")
    people: list[str] = Field(description="The starting people (distinct, sorted).")
    hops: int = Field(description="Largest hop counted.")
    per_hop: list[HopCount] = Field(description="People reached per hop, 0..hops.")
    reached: int = Field(description="People within `hops` hops.")
    probability: float = Field(description="Tie activation probability of the cascade.")
    seed: int = Field(description="Random seed of the cascade.")
    spread: SpreadEstimateModel = Field(description="Expected cascade spread with its 95% interval.")
    people_in_graph: int = Field(description="People in the snapshot's graph.")
    rounded_to: int = Field(
        1, description="Every people count is a multiple of this: 1 (exact) for roles with person-level access, 10 for the others."
    )


class CampaignRow(BaseModel):
    """How far one piece of shared content travelled through employees' audiences."""

    content_id: str = Field(description="The content.")
    first_date: str | None = Field(description="First share.")
    last_date: str | None = Field(description="Last share.")
    platforms: str | None = Field(description="Platforms it was shared on, comma separated.")
    sharers: int = Field(description="People who shared or posted it.")
    shares: int = Field(description="Shares and posts.")
    follower_sum: float = Field(description="Summed follower counts of the sharers.")
    unique_reach: float = Field(description="Distinct followers of the sharers.")
    count_only_reach: float = Field(description="Followers known only by counts.")
    clicks: int | None = Field(description="Clicks reported.")
    impressions: int | None = Field(description="Impressions reported.")
    reactions: int | None = Field(description="Likes and comments on it.")
    clicks_per_share: float | None = Field(description="Clicks per share.")
    impressions_per_share: float | None = Field(description="Impressions per share.")
    engagement_per_share: float | None = Field(description="Clicks and impressions per share.")
    reactions_per_share: float | None = Field(description="Reactions per share.")
    leaders: int | None = Field(description="Sharers who manage people.")
    leader_reach: float | None = Field(description="Distinct followers of the sharing leaders.")
    others_reach: float | None = Field(description="Distinct followers of the other sharers.")
    leader_marginal_reach: float | None = Field(description="Followers only the leaders reach.")
    leader_share: float | None = Field(description="Share of the unique reach only leaders bring.")


class CampaignList(Page[CampaignRow]):
    """Campaigns of a snapshot, widest unique reach first."""

    snapshot: str = Field(description="Snapshot label.")
