"""Ego networks: one person's direct ties, both directions, summed per contact and per group.

:func:`neighbourhood_graph` builds the NetworkX graph of an ego view from
the ties around the person only (``Store.neighbourhood``), so a view of one
person in a 50,000-person snapshot never builds the whole graph.

The ego network of a person ``v`` is ``v``, everyone ``v`` is tied to in
either direction (its *contacts*, the nodes of NetworkX's
``ego_graph(G, v, radius=1, undirected=True)`` but ``v``) and the ties
between ``v`` and them (Marsden 2002). :func:`ego_network` describes it from
``v``'s side: how many people ``v`` reaches out to and hears from, how much
weight flows each way, and how much of it crosses ``v``'s group boundary.

References
----------
.. [1] Marsden, P. V. (2002). Egocentric and sociocentric measures of network
   centrality. Social Networks, 24(4), 407-422.
.. [2] Krackhardt, D., & Stern, R. N. (1988). Informal networks and
   organizational crises: an experimental simulation. Social Psychology
   Quarterly, 51(2), 123-140.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from networkx.utils import not_implemented_for

from orgnet.graph import edge_graph
from orgnet.store.columns import TieColumns
from orgnet.summary import UNKNOWN

__all__ = [
    "CONTACT_COLUMNS",
    "GROUP_COLUMNS",
    "EgoNetwork",
    "ego_members",
    "ego_network",
    "members_graph",
    "neighbourhood_graph",
    "tie_degrees",
]

#: Columns of :attr:`EgoNetwork.contacts`.
CONTACT_COLUMNS = ["person_id", "group", "weight_out", "weight_in", "weight", "count"]
#: Columns of :attr:`EgoNetwork.groups`.
GROUP_COLUMNS = ["group", "contacts", "weight"]


@dataclass(frozen=True)
class EgoNetwork:
    """One person's ego network, as :func:`ego_network` describes it.

    Attributes
    ----------
    person : the ego.
    group : the ego's group (:data:`orgnet.summary.UNKNOWN` when it has none).
    out_degree, in_degree : contacts the ego has a tie to, and a tie from.
    strength_out, strength_in : summed weight of those ties.
    external_share : share of the ego's tie weight (both directions) with
        contacts of another group; ``None`` when the ego has no tie weight.
    contacts : one row per contact (:data:`CONTACT_COLUMNS`), heaviest first,
        ties by ``person_id``.
    groups : one row per group of contacts (:data:`GROUP_COLUMNS`), most
        contacts first, then most weight, then by name.
    """

    person: Hashable
    group: Hashable
    out_degree: int
    in_degree: int
    strength_out: float
    strength_in: float
    external_share: float | None
    contacts: pd.DataFrame
    groups: pd.DataFrame


@not_implemented_for("undirected")
@not_implemented_for("multigraph")
def ego_network(
    G: nx.DiGraph[Any], person: Hashable, by: str = "department", weight: str | None = "weight", count: str = "count"
) -> EgoNetwork:
    """The direct ties of ``person`` in both directions, summed per contact and per group.

    For the ego ``v`` with contacts ``N(v)`` (successors and predecessors but
    ``v``) and tie weights ``w``, the strengths are
    ``s_out = sum_{u in N(v)} w(v, u)`` and ``s_in = sum_{u in N(v)} w(u, v)``,
    each contact's weight is ``w(v, u) + w(u, v)`` (a missing tie weighs 0),
    and the external share is

    ``E(v) = sum_{u in N(v), g(u) != g(v)} (w(v, u) + w(u, v)) / (s_out + s_in)``

    for the group ``g`` of each person. ``2 E(v) - 1`` is the E-I index of
    Krackhardt & Stern (1988) [2]_ taken over ``v``'s own ties.

    Parameters
    ----------
    G : NetworkX DiGraph; a tie ``u -> v`` is an edge.
    person : the ego, a node of ``G``.
    by : node attribute that names a person's group; people without it form
        the group :data:`orgnet.summary.UNKNOWN`, as in every orgnet figure.
    weight : edge attribute holding the tie weight, or ``None`` to weigh
        every tie 1 (an edge without the attribute weighs 1, as in NetworkX).
    count : edge attribute holding the number of interactions (1 when absent).

    Returns
    -------
    EgoNetwork
        Degrees, strengths, the external share, and the contacts and groups
        tables.

    Raises
    ------
    NetworkXNotImplemented
        If ``G`` is undirected or a multigraph.
    NodeNotFound
        If ``person`` is not in ``G``.

    Notes
    -----
    ``O(d)`` for the ego's degree ``d``. Self-loops are ignored (orgnet
    never makes them), so ``out_degree`` and ``strength_out`` equal
    ``G.out_degree(person)`` and ``G.out_degree(person, weight=weight)`` on a
    graph without them. A person without ties has no contacts and an
    external share of ``None``.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_nodes_from([("ann", {"department": "Eng"}), ("bob", {"department": "Eng"}), ("cy", {"department": "Sales"})])
    >>> G.add_edge("ann", "bob", weight=3.0, count=3)
    >>> G.add_edge("cy", "ann", weight=1.0, count=2)
    >>> ego = ego_network(G, "ann")
    >>> ego.out_degree, ego.in_degree, ego.strength_out, ego.strength_in
    (1, 1, 3.0, 1.0)
    >>> ego.external_share
    0.25
    >>> ego.contacts[["person_id", "group", "weight", "count"]].values.tolist()
    [['bob', 'Eng', 3.0, 3], ['cy', 'Sales', 1.0, 2]]
    """
    if person not in G:
        raise nx.NodeNotFound(f"person {person!r} is not in the graph")
    ties_out = {u: data for u, data in G.succ[person].items() if u != person}
    ties_in = {u: data for u, data in G.pred[person].items() if u != person}
    people = list(dict.fromkeys([*ties_out, *ties_in]))

    def weights(ties: dict[Hashable, dict[str, Any]]) -> np.ndarray:
        return np.array([float(ties[u].get(weight, 1.0)) if weight is not None and u in ties else float(u in ties) for u in people])

    def counts(ties: dict[Hashable, dict[str, Any]]) -> np.ndarray:
        return np.array([int(ties[u].get(count, 1)) if u in ties else 0 for u in people], dtype=np.int64)

    own = G.nodes[person].get(by, UNKNOWN)
    w_out, w_in = weights(ties_out), weights(ties_in)
    contacts = pd.DataFrame(
        {
            "person_id": pd.Series(people, dtype=object),
            "group": pd.Series([G.nodes[u].get(by, UNKNOWN) for u in people], dtype=object),
            "weight_out": w_out,
            "weight_in": w_in,
            "weight": w_out + w_in,
            "count": counts(ties_out) + counts(ties_in),
        },
        columns=CONTACT_COLUMNS,
    )
    contacts = contacts.sort_values(["weight", "person_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    groups = (
        contacts.groupby("group", sort=True)
        .agg(contacts=("person_id", "size"), weight=("weight", "sum"))
        .reset_index()
        .sort_values(["contacts", "weight", "group"], ascending=[False, False, True], kind="stable")
        .reset_index(drop=True)
    )
    total = float(contacts["weight"].sum())
    external = float(contacts.loc[contacts["group"] != own, "weight"].sum())
    return EgoNetwork(
        person=person,
        group=own,
        out_degree=len(ties_out),
        in_degree=len(ties_in),
        strength_out=float(w_out.sum()),
        strength_in=float(w_in.sum()),
        external_share=external / total if total > 0 else None,
        contacts=contacts,
        groups=groups[GROUP_COLUMNS],
    )


def neighbourhood_graph(ties: TieColumns, people: pd.DataFrame, person: str, radius: int) -> nx.DiGraph[str]:
    """The people within ``radius`` ties of ``person`` and the ties among them, as a NetworkX graph.

    For the people graph ``G = people_graph(every tie, people)`` of a
    snapshot (:func:`orgnet.graph.people_graph`) this is
    ``G.subgraph(nx.ego_graph(G, person, radius=radius, undirected=True))``:
    a tie in either direction is a hop, ties are summed per directed pair
    (``weight``, ``count``) and members carry their roster columns.

    Parameters
    ----------
    ties : at least every tie of the snapshot with an end within ``radius`` of
        ``person`` (what ``Store.neighbourhood(person, radius, ...)`` reads);
        more do no harm.
    people : the roster (as :meth:`orgnet.store.Store.people` returns it).
    person : the ego.
    radius : hops from the ego (0: the ego alone).

    Returns
    -------
    ``nx.DiGraph`` of the members.

    Raises
    ------
    NodeNotFound
        If ``person`` is neither on the roster nor in any tie.

    Notes
    -----
    O(radius * E) NumPy over ``ties``, then NetworkX over the members' ties
    only. :func:`ego_members` and :func:`members_graph` are its two steps, for
    a caller that filters or counts the members before building the graph.

    Examples
    --------
    A chain ann -> bob -> cy -> dee: one hop from bob reaches ann and cy, and the tie cy -> dee stays out:

    >>> ties = TieColumns.from_frame(pd.DataFrame({
    ...     "period": ["2026-10"] * 3, "source": ["ann", "bob", "cy"], "target": ["bob", "cy", "dee"],
    ...     "channel": ["email"] * 3, "count": [2, 1, 4], "weight": [2.0, 1.0, 4.0],
    ...     "first_seen": ["2026-10-01T09:00:00Z"] * 3, "last_seen": ["2026-10-02T09:00:00Z"] * 3}))
    >>> people = pd.DataFrame({"person_id": ["ann", "bob", "cy", "dee"], "department": ["Eng", "Eng", "Sales", "Sales"]})
    >>> G = neighbourhood_graph(ties, people, "bob", 1)
    >>> sorted(G.edges(data="weight"))
    [('ann', 'bob', 2.0), ('bob', 'cy', 1.0)]
    >>> G.nodes["cy"]["department"]
    'Sales'
    """
    members = ego_members(ties, person, radius)
    if len(members) == 1 and not (len(people) and (people["person_id"] == person).any()) and person not in set(ties.people):
        raise nx.NodeNotFound(f"person {person!r} is not in the graph")
    return members_graph(ties, people, members)


def ego_members(ties: TieColumns, person: str, radius: int) -> list[str]:
    """``person`` and everyone within ``radius`` ties (either direction) of them, sorted (see :func:`neighbourhood_graph`).

    Examples
    --------
    >>> ties = TieColumns.from_frame(pd.DataFrame({
    ...     "period": ["2026-10"] * 3, "source": ["ann", "bob", "cy"], "target": ["bob", "cy", "dee"],
    ...     "channel": ["email"] * 3, "count": [2, 1, 4], "weight": [2.0, 1.0, 4.0],
    ...     "first_seen": ["2026-10-01T09:00:00Z"] * 3, "last_seen": ["2026-10-02T09:00:00Z"] * 3}))
    >>> people = pd.DataFrame({"person_id": ["ann", "bob", "cy", "dee"], "department": ["Eng", "Eng", "Sales", "Sales"]})
    >>> ego_members(ties, "ann", 2), ego_members(ties, "dee", 0)
    (['ann', 'bob', 'cy'], ['dee'])
    """
    return sorted(set(ties.people[ties.reached([person], radius)].tolist()) | {person})


def members_graph(ties: TieColumns, people: pd.DataFrame, members: list[str]) -> nx.DiGraph[str]:
    """The NetworkX graph of ``members``: the ties among them summed per directed pair, their roster columns as attributes.

    ``ties`` must hold every tie among ``members``; members without a tie
    among them are nodes all the same.

    Examples
    --------
    >>> ties = TieColumns.from_frame(pd.DataFrame({
    ...     "period": ["2026-10"] * 3, "source": ["ann", "bob", "cy"], "target": ["bob", "cy", "dee"],
    ...     "channel": ["email"] * 3, "count": [2, 1, 4], "weight": [2.0, 1.0, 4.0],
    ...     "first_seen": ["2026-10-01T09:00:00Z"] * 3, "last_seen": ["2026-10-02T09:00:00Z"] * 3}))
    >>> people = pd.DataFrame({"person_id": ["ann", "bob", "cy", "dee"], "department": ["Eng", "Eng", "Sales", "Sales"]})
    >>> G = members_graph(ties, people, ["ann", "cy", "dee"])
    >>> sorted(G.nodes), list(G.edges(data="count"))
    (['ann', 'cy', 'dee'], [('cy', 'dee', 4)])
    """
    among = np.zeros(len(ties.people), dtype=bool)
    codes = ties.codes_of(members)
    among[codes[codes >= 0]] = True
    roster = people[people["person_id"].isin(members)] if len(people) else people
    graph = edge_graph(ties.take(among[ties.source] & among[ties.target]).edges(), roster)
    graph.add_nodes_from(members)
    return graph


def tie_degrees(ties: TieColumns, people: list[str]) -> dict[str, int]:
    """Each person's degree in the people graph of ``ties``: the directed pairs it is an end of (``G.degree`` of a DiGraph).

    ``ties`` must hold every tie of each of ``people`` (``Store.neighbourhood``
    with the radius of the view does); a person without ties has degree 0.

    Examples
    --------
    >>> ties = TieColumns.from_frame(pd.DataFrame({
    ...     "period": ["2026-10"] * 3, "source": ["ann", "bob", "cy"], "target": ["bob", "cy", "dee"],
    ...     "channel": ["email"] * 3, "count": [2, 1, 4], "weight": [2.0, 1.0, 4.0],
    ...     "first_seen": ["2026-10-01T09:00:00Z"] * 3, "last_seen": ["2026-10-02T09:00:00Z"] * 3}))
    >>> people = pd.DataFrame({"person_id": ["ann", "bob", "cy", "dee"], "department": ["Eng", "Eng", "Sales", "Sales"]})
    >>> tie_degrees(ties, ["ann", "bob", "nobody"])
    {'ann': 1, 'bob': 2, 'nobody': 0}
    """
    sources, targets, _, _ = ties.pairs()
    degree = np.bincount(sources, minlength=len(ties.people)) + np.bincount(targets, minlength=len(ties.people))
    codes = ties.codes_of(people)
    return {person: int(degree[code]) if code >= 0 else 0 for person, code in zip(people, codes.tolist())}
