"""Single points of failure: the people and ties whose loss would cut the network or a group from another.

* :func:`articulation_points` and :func:`bridges`: people and ties whose
  removal disconnects the undirected tie graph (Hopcroft & Tarjan 1973, run
  by igraph).
* :func:`cross_group_carriers`: for every pair of groups, who carries the
  weight of the ties between them, and whether a handful of people carry
  nearly all of it (a fragile link between, say, Sales and Legal).

:func:`fragility` returns all three.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from orgnet.engine import IndexedGraph, PeopleGraph
from orgnet.kernels import Kernels, LocalKernels, kernels_of
from orgnet.summary import UNKNOWN, group_codes, indexed_of

__all__ = [
    "CARRIER_COLUMNS",
    "Fragility",
    "articulation_points",
    "bridges",
    "cross_group_carriers",
    "fragility",
]

#: Columns of :func:`cross_group_carriers`.
CARRIER_COLUMNS = [
    "group_a",
    "group_b",
    "ties",
    "weight",
    "people",
    "top_carriers",
    "top_shares",
    "carriers",
    "carrier_ids",
    "fragile",
]


def _cut_points(kernels: Kernels) -> list[Hashable]:
    nodes = kernels.indexed.nodes
    return [nodes[i] for i in kernels.articulation_points().tolist()]


def _cut_ties(kernels: Kernels) -> list[tuple[Hashable, Hashable]]:
    nodes = kernels.indexed.nodes
    return [(nodes[u], nodes[v]) for u, v in kernels.bridges().tolist()]


def articulation_points(G: PeopleGraph, *, indexed: IndexedGraph | None = None) -> list[Hashable]:
    """People whose departure would split the network (cut vertices of the undirected tie graph).

    A node is an articulation point when removing it (and its ties) increases
    the number of connected components of the undirected graph, tie direction
    ignored.

    Parameters
    ----------
    G : people graph, directed or not.
    indexed : the :class:`~orgnet.engine.IndexedGraph` of ``G``, if already built.

    Returns
    -------
    list of nodes, in the order of ``G``; the same set as
    ``nx.articulation_points(G.to_undirected())``.

    Notes
    -----
    Hopcroft-Tarjan depth-first search in igraph, O(N + E). Self-loops and
    isolated people never make an articulation point.

    References
    ----------
    .. [1] Hopcroft, J., Tarjan, R. (1973). Algorithm 447: efficient algorithms
       for graph manipulation. Communications of the ACM 16(6), 372-378.

    Examples
    --------
    Heather (7) and Ike (8) hold the Krackhardt kite's tail, as
    ``nx.articulation_points`` finds:

    >>> import networkx as nx
    >>> articulation_points(nx.krackhardt_kite_graph())
    [7, 8]
    """
    return _cut_points(LocalKernels(G, indexed, None))


def bridges(G: PeopleGraph, *, indexed: IndexedGraph | None = None) -> list[tuple[Hashable, Hashable]]:
    """Ties whose loss would split the network (bridges of the undirected tie graph).

    A tie is a bridge when removing it increases the number of connected
    components of the undirected graph; both directions of a reciprocated
    tie are one undirected tie.

    Parameters
    ----------
    G : people graph, directed or not.
    indexed : the :class:`~orgnet.engine.IndexedGraph` of ``G``, if already built.

    Returns
    -------
    list of ``(u, v)`` pairs, ``u`` before ``v`` in the order of ``G``; the
    same set of edges as ``nx.bridges(G.to_undirected())``.

    Notes
    -----
    Tarjan's bridge-finding in igraph, O(N + E).

    References
    ----------
    .. [1] Tarjan, R. E. (1974). A note on finding the bridges of a graph.
       Information Processing Letters 2(6), 160-161.

    Examples
    --------
    >>> import networkx as nx
    >>> bridges(nx.krackhardt_kite_graph())
    [(7, 8), (8, 9)]
    """
    return _cut_ties(LocalKernels(G, indexed, None))


def cross_group_carriers(
    G: PeopleGraph,
    by: str | Mapping[Hashable, Hashable] = "department",
    *,
    weight: str | None = "weight",
    share: float = 0.8,
    max_carriers: int = 2,
    top: int = 3,
    limit: int = 10,
    include_unknown: bool = False,
    indexed: IndexedGraph | None = None,
) -> pd.DataFrame:
    r"""Who carries the ties between each pair of groups, and whether that link hangs on a few people.

    For groups :math:`A \ne B`, the *cross weight* :math:`W_{AB}` is the total
    weight of ties between a member of A and a member of B (either
    direction; each tie counted once). A tie counts for both its endpoints, so
    person :math:`i`'s **share** is

    .. math:: s_i = \frac{\sum_{\text{cross ties } e \ni i} w_e}{W_{AB}}

    (shares sum to 2 over the pair's people). The **carriers** are the fewest
    people whose ties together (union, each tie once) carry at least ``share``
    of :math:`W_{AB}`, found greedily: repeatedly take the person whose
    not-yet-covered cross ties weigh most. The link is **fragile** when
    ``carriers <= max_carriers``.

    Parameters
    ----------
    G : people graph, directed or not.
    by : node attribute defining the groups, or a mapping node -> group.
    weight : edge attribute of tie strength, or ``None`` to count ties.
    share : part of the cross weight the carriers must cover (0 < share <= 1).
    max_carriers : largest carrier count that makes a link fragile.
    top : number of people listed in ``top_carriers``.
    limit : most carriers searched for; pairs that need more get ``carriers``
        NA (they are far from fragile).
    include_unknown : also report pairs with the group of people whose
        attribute is missing (:data:`~orgnet.summary.UNKNOWN`).
    indexed : the :class:`~orgnet.engine.IndexedGraph` of ``G``, if already built.

    Returns
    -------
    DataFrame with :data:`CARRIER_COLUMNS`, one row per pair of groups with at
    least one tie between them (``group_a`` < ``group_b`` in label order):
    ``ties`` (number of cross ties; a reciprocated pair of people is two ties
    in a directed graph), ``weight`` (:math:`W_{AB}`), ``people`` (people with
    cross ties), ``top_carriers`` and ``top_shares`` (the ``top`` largest
    :math:`s_i`, node ids and shares), ``carriers`` (nullable Int64),
    ``carrier_ids`` (the greedy carriers, in the order taken, up to ``limit``)
    and ``fragile``. Fragile pairs come first, then by decreasing weight.

    Notes
    -----
    Vectorised over all pairs at once: each greedy round is one ``bincount``
    over the uncovered cross ties, so the time is O(E * min(limit, carriers)).
    Greedy is exact for one carrier and an upper bound on the fewest
    carriers in general (within a factor :math:`\ln` of optimal; the exact
    minimum is NP-hard), which errs on the side of *not* flagging.
    Self-loops are ignored.

    Examples
    --------
    Two triangles, Sales and Legal, whose two cross ties both run through
    ``s1``:

    >>> import networkx as nx
    >>> G = nx.Graph([("s1", "s2"), ("s2", "s3"), ("s1", "s3"), ("l1", "l2"), ("l2", "l3"), ("l1", "l3"), ("s1", "l1"), ("s1", "l2")])
    >>> nx.set_node_attributes(G, {p: "Sales" if p[0] == "s" else "Legal" for p in G}, "department")
    >>> row = cross_group_carriers(G, weight=None).iloc[0]
    >>> int(row["ties"]), row["top_carriers"], row["top_shares"], row["carrier_ids"], bool(row["fragile"])
    (2, ['s1', 'l1', 'l2'], [1.0, 0.5, 0.5], ['s1'], True)
    """
    if not 0 < share <= 1:
        raise ValueError("share must lie in (0, 1]")
    indexed = indexed_of(G, indexed, weight)
    nodes = indexed.nodes
    n = len(nodes)
    labels, codes = group_codes(G, by, nodes)
    sources, targets = indexed.sources, indexed.targets
    weights = indexed.weights if weight is not None else np.ones(len(sources))
    group_s, group_t = codes[sources], codes[targets]
    cross = (sources != targets) & (group_s != group_t)
    if not include_unknown and labels and labels[-1] == UNKNOWN:
        unknown = len(labels) - 1
        cross &= (group_s != unknown) & (group_t != unknown)
    a, b, w = sources[cross], targets[cross], weights[cross].astype(float)
    if len(a) == 0:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in CARRIER_COLUMNS})
    g_low = np.minimum(codes[a], codes[b])
    g_high = np.maximum(codes[a], codes[b])
    n_groups = len(labels)
    pair_keys, pair_of_tie = np.unique(g_low * n_groups + g_high, return_inverse=True)
    n_pairs = len(pair_keys)
    pair_ties = np.bincount(pair_of_tie, minlength=n_pairs)
    pair_weight = np.bincount(pair_of_tie, weights=w, minlength=n_pairs)

    # One entry per (tie, endpoint); a "carrier" is a (pair, person) combination.
    entry_tie = np.concatenate([np.arange(len(a)), np.arange(len(a))])
    entry_person = np.concatenate([a, b])
    combos, combo_of_entry = np.unique(pair_of_tie[entry_tie] * n + entry_person, return_inverse=True)
    combo_pair = combos // n
    combo_person = combos % n
    combo_share = np.bincount(combo_of_entry, weights=w[entry_tie], minlength=len(combos)) / pair_weight[combo_pair]
    pair_people = np.bincount(combo_pair, minlength=n_pairs)
    starts = np.concatenate([[0], np.cumsum(pair_people)[:-1]])

    # Top carriers by share: combos sorted by (pair, -share, person).
    order = np.lexsort((combo_person, -combo_share, combo_pair))
    rank = np.arange(len(order)) - starts[combo_pair[order]]
    listed = order[rank < top]

    # Greedy cover, all pairs in lockstep.
    covered = np.zeros(len(a), dtype=bool)
    # NumPy's stubs type a bincount as integers, weighted or not: the annotation keeps the float.
    covered_weight: np.ndarray = np.zeros(n_pairs)
    target = share * pair_weight * (1 - 1e-12)
    done = np.zeros(n_pairs, dtype=bool)
    count = np.zeros(n_pairs, dtype=np.int64)
    chosen: list[np.ndarray] = []
    for _ in range(limit):
        open_entries = ~covered[entry_tie] & ~done[pair_of_tie[entry_tie]]
        if not open_entries.any():
            break
        gain = np.bincount(combo_of_entry[open_entries], weights=w[entry_tie[open_entries]], minlength=len(combos))
        best = np.maximum.reduceat(gain, starts)
        is_best = (gain == best[combo_pair]) & (best[combo_pair] > 0) & ~done[combo_pair]
        candidates = np.flatnonzero(is_best)
        _, first = np.unique(combo_pair[candidates], return_index=True)
        picked = candidates[first]
        chosen.append(picked)
        count[combo_pair[picked]] += 1
        picked_mask = np.zeros(len(combos), dtype=bool)
        picked_mask[picked] = True
        covered[entry_tie[picked_mask[combo_of_entry]]] = True
        covered_weight = np.bincount(pair_of_tie[covered], weights=w[covered], minlength=n_pairs)
        done |= covered_weight >= target
    picked_all = np.concatenate(chosen) if chosen else np.empty(0, dtype=np.int64)

    carrier_ids: list[list[Hashable]] = [[] for _ in range(n_pairs)]
    for combo in picked_all:
        carrier_ids[combo_pair[combo]].append(nodes[combo_person[combo]])
    top_ids: list[list[Hashable]] = [[] for _ in range(n_pairs)]
    top_shares: list[list[float]] = [[] for _ in range(n_pairs)]
    for combo in listed:
        top_ids[combo_pair[combo]].append(nodes[combo_person[combo]])
        top_shares[combo_pair[combo]].append(float(combo_share[combo]))
    carriers = pd.array(np.where(done, count, 0), dtype="Int64")
    carriers[~done] = pd.NA
    frame = pd.DataFrame(
        {
            "group_a": [labels[key // n_groups] for key in pair_keys],
            "group_b": [labels[key % n_groups] for key in pair_keys],
            "ties": pair_ties.astype(np.int64),
            "weight": pair_weight,
            "people": pair_people.astype(np.int64),
            "top_carriers": top_ids,
            "top_shares": top_shares,
            "carriers": carriers,
            "carrier_ids": carrier_ids,
            "fragile": done & (count <= max_carriers),
        }
    )
    return frame.sort_values(["fragile", "weight"], ascending=[False, False], kind="stable").reset_index(drop=True)


@dataclass
class Fragility:
    """Single points of failure of a people graph (see :func:`fragility`).

    Attributes
    ----------
    articulation_points : people whose departure splits the network.
    bridges : ties whose loss splits the network, as ``(u, v)`` pairs.
    carriers : :func:`cross_group_carriers` table, one row per pair of groups.
    """

    articulation_points: list[Hashable]
    bridges: list[tuple[Hashable, Hashable]]
    carriers: pd.DataFrame = field(repr=False)

    @property
    def fragile_pairs(self) -> pd.DataFrame:
        """The rows of :attr:`carriers` whose link hangs on a few people."""
        return self.carriers[self.carriers["fragile"].astype(bool)].reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        """Plain form (make it JSON-ready with :func:`orgnet.results.to_jsonable`)."""
        return {
            "articulation_points": list(self.articulation_points),
            "bridges": [list(pair) for pair in self.bridges],
            "carriers": self.carriers,
        }


def fragility(
    G: PeopleGraph,
    by: str | Mapping[Hashable, Hashable] = "department",
    *,
    weight: str | None = "weight",
    share: float = 0.8,
    max_carriers: int = 2,
    top: int = 3,
    indexed: IndexedGraph | None = None,
    kernels: Kernels | None = None,
) -> Fragility:
    """Articulation points, bridges and cross-group carriers of a people graph in one call.

    Parameters
    ----------
    G : people graph.
    by, weight, share, max_carriers, top : as in :func:`cross_group_carriers`.
    indexed : the :class:`~orgnet.engine.IndexedGraph` of ``G``, if already built.
    kernels : where articulation points and bridges come from (:mod:`orgnet.kernels`; default
        :func:`articulation_points` and :func:`bridges` of ``G``).

    Returns
    -------
    :class:`Fragility`

    Notes
    -----
    O(N + E * min(10, carriers)).

    Examples
    --------
    Two triangles, Sales and Legal, whose two cross ties both run through
    ``s1``: without ``s1`` Sales' other two people are cut off, and one person
    carries the whole Sales-Legal link:

    >>> import networkx as nx
    >>> G = nx.Graph([("s1", "s2"), ("s2", "s3"), ("s1", "s3"), ("l1", "l2"), ("l2", "l3"), ("l1", "l3"), ("s1", "l1"), ("s1", "l2")])
    >>> nx.set_node_attributes(G, {p: "Sales" if p[0] == "s" else "Legal" for p in G}, "department")
    >>> found = fragility(G, weight=None)
    >>> found.articulation_points, found.bridges, found.fragile_pairs["carrier_ids"].tolist()
    (['s1'], [], [['s1']])
    """
    kernels = kernels_of(G, indexed, kernels, weight)
    return Fragility(
        _cut_points(kernels),
        _cut_ties(kernels),
        cross_group_carriers(G, by, weight=weight, share=share, max_carriers=max_carriers, top=top, indexed=kernels.indexed),
    )
