"""The pages' figures and tables built from stored results: the network explorer's and the Silos page's.

:func:`explorer_figure` turns a :class:`~orgnet.api.models.GraphView` into the
plotly figure the Network page draws. Colours come from
:func:`explorer_colors`, a map over every group of the grouping drawn and every community of
the snapshot (not only those drawn), so a group (a department, a location...) keeps its colour when it
is drilled into and a community keeps its own at person level.

:func:`silo_view` gathers what the Silos page shows: the pairs of groups
against what their sizes predict (heatmap and table), the E-I bars, and
the top-down against side-to-side table, suppressed groups hidden in all.

:func:`communities_view` gathers what the Communities page shows: formal (the groups of ``by``) against informal
(the communities) as a heatmap of members, the agreement in words, and each community's size, dominant groups and
top connectors, suppressed communities and groups hidden.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from orgnet.access import suppress_groups, suppress_pairs
from orgnet.api.grouping import DEFAULT_BY, grouped_result
from orgnet.api.models import GraphView
from orgnet.api.snapshots import Snapshots
from orgnet.api.suppression import community_members
from orgnet.brokers import network_roles, rank_brokers
from orgnet.communities import agreement_sentence, top_connectors
from orgnet.jobs import BROKERS, COMMUNITIES, SILO_PAIRS, SILOS, SUMMARY, VERTICAL
from orgnet.viz import category_colors
from orgnet.viz.network import group_network_figure, network_figure, side_labels
from orgnet.viz.silos import ei_bar, silo_heatmap, silo_ratio_heatmap

__all__ = [
    "BROKERS_SHOWN",
    "SILO_PAIRS_SHOWN",
    "CommunitiesView",
    "SiloView",
    "broker_rows",
    "communities_view",
    "community_name",
    "explorer_colors",
    "explorer_figure",
    "silo_view",
    "squad_rows",
]

#: Brokers listed on the Network page, by betweenness.
BROKERS_SHOWN = 10

#: Rows of the silo pairs table on the Silos page (the most cut-off pairs; the API pages through all).
SILO_PAIRS_SHOWN = 12


def community_name(community: int) -> str:
    """How a community is named in legends and colour maps: ``community 3``."""
    return f"community {community}"


def explorer_colors(groups: Iterable[str], communities: Iterable[int]) -> dict[Hashable, str]:
    """One colour per group (of the grouping drawn) and one per community (:func:`community_name`) of a snapshot.

    Parameters
    ----------
    groups : every group of the snapshot in the grouping drawn (its departments, its locations...).
    communities : every community number of the snapshot.

    Returns
    -------
    dict name -> colour, groups and communities each coloured in their sorted order from
    :data:`orgnet.viz.PALETTE` (:func:`orgnet.viz.category_colors`), so the map is the same whichever part is drawn.
    """
    colors = category_colors(groups)
    colors.update(category_colors(community_name(c) for c in sorted(set(communities))))
    return colors


def _person_figure(view: GraphView, color_by: str, size_by: str | None, colors: dict[Hashable, str]) -> go.Figure:
    records = [
        {
            "id": n.id,
            "label": n.label,
            "x": n.x,
            "y": n.y,
            "department": n.department,
            view.by: n.group,
            "community": None if n.community is None else community_name(n.community),
            **n.attributes,
        }
        for n in view.nodes
    ]
    # Every attribute stays a column, so that sizes (degree, betweenness...) and hovers can read the metrics.
    core = list(dict.fromkeys(["id", "label", "x", "y", "department", view.by, "community"]))
    nodes = pd.DataFrame.from_records(records) if records else pd.DataFrame(columns=core)
    edges = pd.DataFrame([e.model_dump() for e in view.edges], columns=["source", "target", "weight"])
    size = size_by if size_by in nodes.columns else None
    figure = network_figure(
        nodes,
        edges,
        color_by="community" if color_by == "community" else view.by,
        size_by=size,
        highlight=view.focus,
        color_map=colors,
    )
    figure.update_layout(legend={"title": {"text": "community" if color_by == "community" else view.by}})
    return figure


def explorer_figure(view: GraphView, color_by: str, size_by: str | None, colors: dict[Hashable, str]) -> go.Figure:
    """The Network page's figure of ``view``.

    Parameters
    ----------
    view : a person, department or community view (suppressed groups are left out of the drawing).
    color_by : ``group`` (the view's ``by``) or ``community``, for person views.
    size_by : a person metric of the view's nodes, or ``None`` for a fixed size.
    colors : :func:`explorer_colors` of the snapshot.

    Returns
    -------
    ``go.Figure``; each node point's ``customdata`` is its node id (a person id, a department, a community number as
    text), which is what a click drills down by. Group nodes are labelled with their name; communities, whose
    labels may repeat ("Engineering 100%"), are keyed by their number and labelled in a column beside the plot, with
    leader lines (:func:`orgnet.viz.network.side_labels`), so that labels of communities in the dense centre do not
    overlap.
    """
    if view.level == "person":
        return _person_figure(view, color_by, size_by, colors)
    shown = [n for n in view.nodes if not n.suppressed]
    communities = view.level == "community"
    groups = pd.DataFrame(
        [
            {
                "group": n.id,
                "label": f"{n.label} ({community_name(int(n.id))})" if communities else n.label,
                "color": community_name(int(n.id)) if communities else n.id,
                "x": n.x,
                "y": n.y,
                "size": n.size,
                **n.attributes,
            }
            for n in shown
        ],
        columns=["group", "label", "color", "x", "y", "size", "internal_weight"],
    )
    edges = pd.DataFrame(
        [{"source_group": e.source, "target_group": e.target, "weight": e.weight} for e in view.edges if not e.suppressed],
        columns=["source_group", "target_group", "weight"],
    )
    figure = group_network_figure(
        groups, edges, color_by="color", color_map=colors, hover_fields=["size", "internal_weight"], show_labels=not communities
    )
    figure.update_layout(legend={"title": {"text": "community" if communities else view.by}})
    # Communities crowd the centre (each at its members' mean position): their labels stand in a column beside it.
    return side_labels(figure, groups) if communities else figure


@dataclass(frozen=True)
class SiloView:
    """What the Silos page shows of a snapshot, suppressed groups hidden."""

    heatmap: go.Figure
    ei: go.Figure
    pairs: list[dict[str, Any]]
    vertical: list[dict[str, Any]]


def silo_view(snapshots: Snapshots, label: str, hidden: set[str], by: str = DEFAULT_BY) -> SiloView:
    """The Silos page's figures and tables of snapshot ``label`` grouped by ``by``; the groups of ``hidden`` are
    suppressed in all.

    Returns
    -------
    :class:`SiloView`: ``heatmap`` (:func:`orgnet.viz.silos.silo_ratio_heatmap` of the stored silo pairs, the
    within-group ties of the stored summary on the diagonal's hover), ``ei`` (:func:`orgnet.viz.silos.ei_bar`),
    ``pairs`` (the :data:`SILO_PAIRS_SHOWN` shown pairs with the lowest ratio, as stored: lowest first) and
    ``vertical`` (each shown group's shares of top-down and side-to-side ties, most top-down first).
    """
    summary = grouped_result(snapshots, SUMMARY, label, by).groups.to_pylist()
    groups = sorted(str(row["group"]) for row in summary)
    within = {str(row["group"]): row["internal_ties"] for row in summary}
    stored_pairs = grouped_result(snapshots, SILO_PAIRS, label, by).table.to_pylist()
    heatmap = silo_ratio_heatmap(
        pd.DataFrame.from_records(stored_pairs, columns=["group_a", "group_b", "ties", "expected", "ratio"]),
        groups,
        within,
        suppressed=hidden,
        kind=by,
        title=f"Ties between {by}s against what their sizes predict",
    )
    ei = grouped_result(snapshots, SILOS, label, by).table.select(["group", "ei_index", "size"]).to_pandas()
    ei.loc[ei["group"].isin(hidden), ["ei_index", "size"]] = None
    bars = ei_bar(ei, title=f"E-I index per {by} (-1: every tie inside, a closed silo)")
    pairs = [row for row in suppress_pairs(stored_pairs, hidden) if not row["suppressed"]][:SILO_PAIRS_SHOWN]
    vertical = [
        row for row in suppress_groups(grouped_result(snapshots, VERTICAL, label, by).groups.to_pylist(), hidden) if not row["suppressed"]
    ]
    vertical.sort(key=lambda row: (-(row.get("vertical_share") or 0.0), str(row["group"])))
    return SiloView(heatmap, bars, pairs, vertical)


#: Connectors named per community on the Communities page.
CONNECTORS_SHOWN = 3


@dataclass(frozen=True)
class CommunitiesView:
    """What the Communities page shows of a snapshot (see :func:`communities_view`)."""

    heatmap: go.Figure
    nmi: float | None
    ari: float | None
    sentence: str
    rows: list[dict[str, Any]]


def communities_view(
    snapshots: Snapshots, label: str, hidden_groups: set[str], hidden: set[int], by: str = DEFAULT_BY, people: bool = False
) -> CommunitiesView:
    """Formal against informal for snapshot ``label``: the communities analysed with the grouping ``by`` against its groups.

    Parameters
    ----------
    hidden_groups, hidden : the suppressed groups and communities (:mod:`orgnet.api.suppression`): their rows and
        columns of the heatmap are blank, and a suppressed community's row in the table says only that it is.
    people : whether the caller may see people: then each shown community lists its top connectors (the
        :data:`CONNECTORS_SHOWN` members of highest betweenness) with their names.

    Returns
    -------
    :class:`CommunitiesView`: ``heatmap`` (:func:`orgnet.viz.silos.silo_heatmap` of members per community and group),
    ``nmi`` and ``ari`` as stored, ``sentence`` (:func:`orgnet.communities.agreement_sentence`) and ``rows`` (the stored
    community labels, largest first, with ``suppressed`` and, for ``people``, ``connectors``: ``(id, name)`` pairs).
    """
    stored = grouped_result(snapshots, COMMUNITIES, label, by)
    counts = community_members(snapshots, label, by)
    mask = pd.DataFrame(
        [[int(c) in hidden or str(g) in hidden_groups for g in counts.columns] for c in counts.index],
        index=counts.index,
        columns=counts.columns,
    )
    members = counts.rename(index=community_name).rename_axis(index="community", columns=by)
    mask = mask.set_axis(members.index, axis=0).set_axis(members.columns, axis=1)
    heatmap = silo_heatmap(members, "members", mask, title=f"Members of each {by} in each community", colorscale="Blues")
    heatmap.update_layout(xaxis_title_text=by, yaxis_title_text="community")
    connectors: dict[int, list[str]] = {}
    if people:
        table = grouped_result(snapshots, BROKERS, label, by).table
        score = dict(zip(table.column("person_id").to_pylist(), table.column("betweenness").to_pylist()))
        connectors = top_connectors(stored.membership_map(), score, CONNECTORS_SHOWN)
    names = snapshots.people()["name"]
    rows = []
    for row in suppress_groups(stored.labels.to_pylist(), hidden, key="community"):
        if people and not row["suppressed"]:
            row["connectors"] = [(p, names.get(p) if isinstance(names.get(p), str) else None) for p in connectors.get(row["community"], [])]
        rows.append(row)
    nmi, ari = stored.agreement.get("nmi"), stored.agreement.get("ari")
    return CommunitiesView(heatmap, nmi, ari, agreement_sentence(nmi, ari, by), rows)


def squad_rows(snapshots: Snapshots, label: str, members: list[str], names: dict[str, str]) -> list[dict[str, Any]]:
    """The squad's members in greedy order, each with name, department and Cross & Prusak roles as a broker.

    Returns
    -------
    rows with ``person_id``, ``name`` (``None`` when the store names no one), ``department`` and ``roles``
    (:func:`orgnet.brokers.network_roles` over the whole snapshot; empty for someone who brokers nothing).
    """
    table = snapshots.result(BROKERS, label).table.to_pandas().set_index("person_id")
    roles = network_roles(table)
    departments = snapshots.people()["department"]
    return [
        {
            "person_id": member,
            "name": names.get(member),
            "department": departments.get(member) if isinstance(departments.get(member), str) else None,
            "roles": roles.get(member, []),
        }
        for member in members
    ]


def broker_rows(snapshots: Snapshots, label: str, names: dict[str, str], top: int = BROKERS_SHOWN) -> list[dict[str, Any]]:
    """The ``top`` brokers of snapshot ``label`` by betweenness, each with name, group and Cross & Prusak roles.

    Returns
    -------
    rows with ``person_id``, ``name`` (``None`` when the store names no one), ``group``, ``roles``
    (:func:`orgnet.brokers.network_roles`, roles given over the whole snapshot), ``betweenness``,
    ``effective_size`` and ``other_groups``.
    """
    table = snapshots.result(BROKERS, label).table.to_pandas().set_index("person_id")
    table["roles"] = network_roles(table)
    ranked = rank_brokers(table).head(top)
    return [
        {
            "person_id": str(person),
            "name": names.get(str(person)),
            "group": row["group"],
            "roles": row["roles"],
            "betweenness": float(row["betweenness"]),
            "effective_size": float(row["effective_size"]),
            "other_groups": int(row["other_groups"]),
        }
        for person, row in ranked.iterrows()
    ]
