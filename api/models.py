"""Request and response shapes of the JSON API; the OpenAPI schema documents every field from them."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ErrorBody",
    "Health",
    "Me",
    "Page",
    "Periods",
    "PersonRow",
    "Contact",
    "GroupCount",
    "EgoSummary",
    "IngestEntry",
    "AuditRow",
    "KeyRow",
    "KeyCreate",
    "KeyCreated",
]

T = TypeVar("T")

Role = Literal["admin", "analyst", "comms", "viewer"]


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
    metrics: dict[str, Any] = Field(description="The person's rows in stored results of this snapshot (advocate score, broker measures, community), by result name.")


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
    """A group-level row: its figures are `null` and `suppressed` is true when the group is below the minimum size."""

    suppressed: bool = Field(description="True when the group has fewer members than the minimum group size; its figures are then `null`.")


class GroupSummary(Suppressible):
    """Size and cohesion of one group."""

    group: str = Field(description="The group (department).")
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
    groups: list[GroupSummary] = Field(description="Per group, small groups suppressed.")


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


class GroupMatrix(BaseModel):
    """The group x group matrix: row sends, column receives."""

    snapshot: str = Field(description="Snapshot label.")
    by: str = Field(description="Attribute the groups are made by.")
    groups: list[str] = Field(description="Row and column order.")
    ties: list[list[float | None]] = Field(description="Ties from row group to column group; `null` where either group is suppressed.")
    weight: list[list[float | None]] = Field(description="Tie weight from row group to column group; `null` where either is suppressed.")
    suppressed: list[str] = Field(description="Groups below the minimum group size.")


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


class Community(Suppressible):
    """One community found by Leiden, described by its dominant group."""

    community: int = Field(description="Community number.")
    size: int | None = Field(description="Members.")
    dominant_group: str | None = Field(description="The group most members belong to.")
    dominant_share: float | None = Field(description="Its share of the members.")
    groups: int | None = Field(description="Groups represented.")
    label: str | None = Field(description="A readable label (`Sales 100%`).")


class Communities(BaseModel):
    """Communities of a snapshot (membership of individuals is in the person-level graph)."""

    snapshot: str = Field(description="Snapshot label.")
    method: str = Field(description="Algorithm.")
    modularity: float | None = Field(description="Modularity of the partition.")
    resolution: float | None = Field(description="Resolution parameter.")
    agreement: dict[str, float | int | None] = Field(description="Agreement with departments: NMI, ARI, counts.")
    communities: list[Community] = Field(description="Largest first.")


class GraphNode(BaseModel):
    """A node of the graph view: a person, a department or a community."""

    id: str = Field(description="Person id, department name or community number.")
    label: str = Field(description="What to show: a name, a department, a community label.")
    x: float | None = Field(description="Stored layout position (`null` when suppressed).")
    y: float | None = Field(description="Stored layout position.")
    department: str | None = Field(None, description="Department (person level).")
    community: int | None = Field(None, description="Community number (person and community levels).")
    size: int | None = Field(None, description="Members (group levels).")
    attributes: dict[str, float | int | str | None] = Field(default_factory=dict, description="Other attributes and metrics to colour, size or hover by.")
    suppressed: bool = Field(False, description="A group below the minimum group size: figures and position hidden.")


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
    level: Literal["person", "department", "community"] = Field(description="What a node is.")
    nodes: list[GraphNode] = Field(description="Nodes with attributes and layout.")
    edges: list[GraphEdge] = Field(description="Edges with weights.")
    focus: str | None = Field(None, description="The person whose ego network this is, when one was asked for.")
