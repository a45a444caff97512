"""Graph views of a snapshot from its stored layouts: person, group (of any grouping ``by``) and community level.

Shared by the ``/graph`` route and the network explorer page. Layouts come
from the stored layout results (:data:`~orgnet.jobs.LAYOUT_PEOPLE`, :data:`~orgnet.jobs.LAYOUT_GROUPS`); the
community-level view places each community at the mean position of its
members and sums the ties between communities, once per analysed snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from orgnet.api.grouping import DEFAULT_BY
from orgnet.api.models import GraphEdge, GraphNode, GraphView, optional_text
from orgnet.api.snapshots import Snapshots
from orgnet.api.suppression import hidden_communities, hidden_groups
from orgnet.ego import ego_members, members_graph, tie_degrees
from orgnet.jobs import BROKERS, COMMUNITIES, GROUP_EDGES, LAYOUT_GROUPS, LAYOUT_PEOPLE

__all__ = ["TooLarge", "community_view", "group_view", "membership", "person_view"]

#: Per-person columns of the brokers result put on person nodes.
BROKER_METRICS = ("betweenness", "effective_size", "brokerage", "participation")


class TooLarge(ValueError):
    """A person-level view would hold more people than the service sends at once."""


def membership(snapshots: Snapshots, label: str, by: str = DEFAULT_BY) -> dict[str, int]:
    """Person -> community number of a snapshot (the partition analysed with the grouping ``by``)."""
    return snapshots.result(COMMUNITIES, label, by=by).membership_map()


def _group_edges(edges: pd.DataFrame, hidden: set) -> list[GraphEdge]:
    result = []
    for row in edges.to_dict("records"):
        source, target = str(row["source_group"]), str(row["target_group"])
        small = source in hidden or target in hidden
        result.append(
            GraphEdge(
                source=source,
                target=target,
                weight=None if small else float(row["weight"]),
                count=None if small else int(row["count"]),
                suppressed=small,
            )
        )
    return result


def _group_nodes(groups: pd.DataFrame, key: str, labels: dict, hidden: set[str], level: str) -> list[GraphNode]:
    nodes = []
    for row in groups.to_dict("records"):
        ident = str(row[key])
        small = ident in hidden
        nodes.append(
            GraphNode(
                id=ident,
                # A suppressed community's label would name the departments it holds.
                label=ident if small else str(labels.get(row[key], ident)),
                x=None if small else float(row["x"]),
                y=None if small else float(row["y"]),
                community=int(row[key]) if level == "community" else None,
                size=None if small else int(row["size"]),
                attributes={} if small else {"internal_weight": float(row.get("internal_weight") or 0.0)},
                suppressed=small,
            )
        )
    return nodes


def group_view(snapshots: Snapshots, label: str, min_size: int, by: str = DEFAULT_BY) -> GraphView:
    """Group-level view (groups of ``by``, departments by default): stored group layout and group edges, suppressed
    groups hidden (see :mod:`orgnet.api.suppression`)."""
    groups = snapshots.result(LAYOUT_GROUPS, label, by=by).table.to_pandas()
    edges = snapshots.result(GROUP_EDGES, label, by=by).table.to_pandas()
    hidden = hidden_groups(snapshots, label, min_size, among=groups["group"], by=by)
    nodes = _group_nodes(groups, "group", {}, hidden, "group")
    return GraphView(snapshot=label, level="group", by=by, nodes=nodes, edges=_group_edges(edges, hidden))


def _community_tables(snapshots: Snapshots, label: str, by: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    layout = snapshots.result(LAYOUT_PEOPLE, label, by=by).table.to_pandas()
    members = membership(snapshots, label, by)
    layout["community"] = layout["person_id"].map(members)
    groups = (
        layout.dropna(subset=["community"])
        .groupby("community")
        .agg(x=("x", "mean"), y=("y", "mean"), size=("person_id", "size"))
        .reset_index()
    )
    graph = snapshots.graph(label)
    ties = pd.DataFrame(
        ((s, t, d.get("weight", 0.0), d.get("count", 0)) for s, t, d in graph.edges(data=True)),
        columns=["source", "target", "weight", "count"],
    )
    ties["source_group"] = ties["source"].map(members)
    ties["target_group"] = ties["target"].map(members)
    ties = ties.dropna(subset=["source_group", "target_group"])
    internal = ties[ties["source_group"] == ties["target_group"]].groupby("source_group")["weight"].sum()
    groups["internal_weight"] = groups["community"].map(internal).fillna(0.0)
    edges = (
        ties[ties["source_group"] != ties["target_group"]]
        .groupby(["source_group", "target_group"])
        .agg(weight=("weight", "sum"), count=("count", "sum"))
        .reset_index()
    )
    for table, columns in ((groups, ["community"]), (edges, ["source_group", "target_group"])):
        table[columns] = table[columns].astype(int)
    return groups, edges


def community_view(snapshots: Snapshots, label: str, min_size: int, by: str = DEFAULT_BY) -> GraphView:
    """Community-level view: each community at its members' mean position, ties summed between communities; suppressed
    communities (see :mod:`orgnet.api.suppression`, by the grouping ``by``) hidden."""
    groups, edges = snapshots.derived(f"community_graph:{by}", label, lambda: _community_tables(snapshots, label, by))
    stored = snapshots.result(COMMUNITIES, label, by=by).labels
    labels = dict(zip(stored.column("community").to_pylist(), stored.column("label").to_pylist()))
    hidden = {str(c) for c in hidden_communities(snapshots, label, min_size, by)}
    nodes = _group_nodes(groups, "community", labels, hidden, "community")
    return GraphView(snapshot=label, level="community", by=by, nodes=nodes, edges=_group_edges(edges, hidden))


def _check_size(chosen: set[str], max_nodes: int) -> None:
    if len(chosen) > max_nodes:
        raise TooLarge(
            f"{len(chosen):,} people is more than {max_nodes:,} at once; filter by group, community or person, or ask for level=group"
        )


def _in_groups(people: pd.DataFrame, chosen: set[str], wanted: dict[str, str], keep: str | None) -> set[str]:
    """The people of ``chosen`` (people-table rows) whose attributes hold every ``attribute: value`` of ``wanted``;
    ``keep`` (the focus of an ego view) stays whatever its attributes."""
    for attribute, value in wanted.items():
        holds = people[attribute].astype("string").eq(value).fillna(False).to_numpy(bool)
        chosen &= set(people.index[holds]) | {keep}
    return chosen


def person_view(
    snapshots: Snapshots,
    label: str,
    max_nodes: int,
    *,
    department: str | None = None,
    community: int | None = None,
    person: str | None = None,
    hops: int = 1,
    by: str = DEFAULT_BY,
    group: str | None = None,
) -> GraphView:
    """Person-level view of the people in a department, a group of ``by``, a community, or within ``hops`` of ``person``.

    Communities, layout and each node's ``group`` are those of the grouping ``by``, so a group or a community drilled
    into keeps the colour it has at group level.

    Raises
    ------
    KeyError : ``person`` is not in the snapshot.
    TooLarge : the selection holds more than ``max_nodes`` people.
    """
    members = membership(snapshots, label, by)
    people = snapshots.people()
    wanted = {attribute: value for attribute, value in (("department", department), (by, group)) if value is not None}
    if person is None:
        graph = snapshots.graph(label)
        chosen = _in_groups(people, set(graph), wanted, None)
        if community is not None:
            chosen = {p for p in chosen if members.get(p) == community}
        _check_size(chosen, max_nodes)
        degree: Callable[[str], int] = graph.degree
    else:
        # Only the ties around the person: the snapshot's whole graph took ~20 s to build at 50,000 people.
        ties = snapshots.neighbourhood(label, person, hops)
        if person not in people.index and person not in set(ties.people):
            raise KeyError(person)
        chosen = _in_groups(people, set(ego_members(ties, person, hops)), wanted, person)
        if community is not None:
            chosen = {p for p in chosen if members.get(p) == community or p == person}
        # Counted before any graph is built: a refused view costs the search only.
        _check_size(chosen, max_nodes)
        graph = members_graph(ties, people, sorted(chosen))
        degree = tie_degrees(ties, sorted(chosen)).__getitem__
    groups = people[by] if by in people.columns else pd.Series(dtype=object)
    positions = snapshots.result(LAYOUT_PEOPLE, label, by=by).table
    layout = dict(zip(positions.column("person_id").to_pylist(), zip(positions.column("x").to_pylist(), positions.column("y").to_pylist())))
    metrics: dict[str, dict[str, Any]] = {}
    brokers = snapshots.optional_result(BROKERS, label)
    if brokers is not None:
        table = brokers.table.filter(pc.is_in(brokers.table.column("person_id"), pa.array(sorted(chosen), pa.string())))
        for row in table.select(["person_id", *BROKER_METRICS]).to_pylist():
            metrics[row.pop("person_id")] = row
    nodes = []
    for ident in sorted(chosen):
        data = graph.nodes[ident]
        x, y = layout.get(ident, (None, None))
        attributes = {
            "title": optional_text(data.get("title")),
            "location": optional_text(data.get("location")),
            "degree": degree(ident),
            **metrics.get(ident, {}),
        }
        nodes.append(
            GraphNode(
                id=str(ident),
                label=optional_text(data.get("name")) or str(ident),
                x=x,
                y=y,
                department=optional_text(data.get("department")),
                group=optional_text(groups.get(ident)),
                community=members.get(ident),
                attributes=attributes,
            )
        )
    edges = [
        GraphEdge(source=str(s), target=str(t), weight=float(d.get("weight", 0.0)), count=int(d.get("count", 0)))
        for s, t, d in graph.subgraph(chosen).edges(data=True)
    ]
    return GraphView(snapshot=label, level="person", by=by, nodes=nodes, edges=edges, focus=person)
