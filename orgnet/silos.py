"""Silos: how closed each group is, which group pairs barely talk, and top-down versus side-to-side collaboration.

Groups come from any HR attribute through ``by``; people without it form the
explicit group :data:`orgnet.summary.UNKNOWN`.

Directed ties and the E-I index: Krackhardt and Stern defined the index on
undirected ties. orgnet counts every *directed* tie once, in both of its
groups: a tie from Sales to Legal is one external tie of Sales and one of
Legal, and a reciprocated pair is two ties. A group that only receives ties
from outside is therefore not mistaken for a silo.

All kernels work on edge arrays (NumPy ``bincount``), never Python loops over ties.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from orgnet.engine import IndexedGraph, PeopleGraph, node_values
from orgnet.summary import GroupTieTotals, group_codes, group_tie_totals, indexed_of, share_of

__all__ = [
    "SILO_COLUMNS",
    "SILO_PAIR_COLUMNS",
    "TIE_KINDS",
    "VerticalLateral",
    "conductance",
    "ei_index",
    "network_ei_index",
    "silo_metrics",
    "silo_pairs",
    "tie_directions",
    "vertical_lateral",
]

#: Columns of :func:`silo_metrics`.
SILO_COLUMNS = [
    "size",
    "internal_ties",
    "external_ties",
    "external_share",
    "ei_index",
    "internal_weight",
    "external_weight",
    "external_weight_share",
    "ei_index_weight",
    "cut_weight",
    "volume",
    "conductance",
]
#: Columns of :func:`silo_pairs`.
SILO_PAIR_COLUMNS = [
    "group_a",
    "group_b",
    "size_a",
    "size_b",
    "ties",
    "weight",
    "expected",
    "ratio",
    "density",
    "silo",
]
#: Kinds of tie in :func:`tie_directions`, in this order.
TIE_KINDS = ("vertical", "lateral_within", "lateral_across")


def _check_weight(weight: str | None) -> None:
    if weight not in (None, "weight"):
        raise ValueError("weight must be 'weight' (tie weights) or None (ties counted)")


def _ei(external: np.ndarray, internal: np.ndarray) -> np.ndarray:
    """(E - I) / (E + I), NaN where a group has no ties."""
    external = np.asarray(external, dtype=float)
    internal = np.asarray(internal, dtype=float)
    total = external + internal
    ei: np.ndarray = np.divide(external - internal, total, out=np.full_like(total, np.nan), where=total > 0)
    return ei


def _groups_and_totals(
    G: PeopleGraph, by: str, indexed: IndexedGraph | None
) -> tuple[IndexedGraph, list[Hashable], np.ndarray, GroupTieTotals]:
    indexed = indexed_of(G, indexed)
    labels, codes = group_codes(G, by, indexed.nodes)
    totals = group_tie_totals(codes, len(labels), indexed.sources, indexed.targets, indexed.weights)
    return indexed, labels, codes, totals


def ei_index(
    G: PeopleGraph, by: str = "department", weight: str | None = None, *, indexed: IndexedGraph | None = None
) -> dict[Hashable, float]:
    """Krackhardt and Stern's E-I index of every group.

    ``EI_g = (E_g - I_g) / (E_g + I_g)``, where ``I_g`` counts the ties with
    both ends in group ``g`` and ``E_g`` the ties with exactly one end in ``g``.
    Each directed tie counts once, in either direction (see the module notes).
    -1 means every tie of the group stays inside it (a silo), +1 that every tie
    leaves it.

    Parameters
    ----------
    G : people graph (``nx.DiGraph``).
    by : node attribute defining the groups; people without it go in :data:`~orgnet.summary.UNKNOWN`.
    weight : ``None`` counts ties; ``"weight"`` sums tie weights instead.
    indexed : optional :class:`~orgnet.engine.IndexedGraph` of ``G``.

    Returns
    -------
    dict group -> E-I index, NaN for a group without ties.

    Notes
    -----
    O(N + E). With a single group every tie is internal and its index is -1.

    References
    ----------
    .. [1] Krackhardt, D. and Stern, R. N. (1988). Informal networks and
       organizational crises: an experimental simulation. *Social Psychology
       Quarterly* 51(2), 123-140.

    Examples
    --------
    Five people: ``a`` manages ``b`` (Eng) and ``c`` (Sales), ``c`` manages
    ``d`` and ``e`` (Sales). Ties ``a -> b``, ``c -> d`` and ``d -> e`` stay
    inside a department, ``b -> c`` and ``b -> d`` cross from Eng to Sales. Eng
    has 1 tie inside and 2 across, ``(2 - 1) / 3``; Sales 2 and 2:

    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("b", "c"), ("b", "d"), ("c", "d"), ("d", "e")])
    >>> nx.set_node_attributes(G, {"a": "Eng", "b": "Eng", "c": "Sales", "d": "Sales", "e": "Sales"}, "department")
    >>> nx.set_node_attributes(G, {"b": "a", "c": "a", "d": "c", "e": "c"}, "manager_id")
    >>> {group: round(value, 4) for group, value in ei_index(G).items()}
    {'Eng': 0.3333, 'Sales': 0.0}
    """
    _check_weight(weight)
    _, labels, _, totals = _groups_and_totals(G, by, indexed)
    values = _ei(totals.external_ties, totals.internal_ties) if weight is None else _ei(totals.external_weight, totals.internal_weight)
    return dict(zip(labels, values.tolist()))


def network_ei_index(G: PeopleGraph, by: str = "department", weight: str | None = None, *, indexed: IndexedGraph | None = None) -> float:
    """Organisation-wide E-I index: ``(E - I) / (E + I)`` over all ties.

    ``E`` counts ties between two different groups and ``I`` ties inside one
    group, each tie once (or their weights with ``weight="weight"``).

    Parameters
    ----------
    G, by, weight, indexed : as in :func:`ei_index`.

    Returns
    -------
    float in [-1, 1]; NaN for a graph without ties.

    References
    ----------
    .. [1] Krackhardt, D. and Stern, R. N. (1988). Informal networks and
       organizational crises. *Social Psychology Quarterly* 51(2), 123-140.

    Examples
    --------
    The five people of :func:`ei_index`: two of the five ties cross, ``(2 - 3) /
    5``:

    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("b", "c"), ("b", "d"), ("c", "d"), ("d", "e")])
    >>> nx.set_node_attributes(G, {"a": "Eng", "b": "Eng", "c": "Sales", "d": "Sales", "e": "Sales"}, "department")
    >>> nx.set_node_attributes(G, {"b": "a", "c": "a", "d": "c", "e": "c"}, "manager_id")
    >>> network_ei_index(G)
    -0.2
    """
    _check_weight(weight)
    indexed = indexed_of(G, indexed)
    _, codes = group_codes(G, by, indexed.nodes)
    cross = codes[indexed.sources] != codes[indexed.targets]
    values = np.ones(len(cross)) if weight is None else indexed.weights
    return float(_ei(values[cross].sum(), values[~cross].sum()))


def _conductance(cut: np.ndarray, volume: np.ndarray, total_volume: float) -> np.ndarray:
    smaller = np.minimum(volume, total_volume - volume)
    values: np.ndarray = np.divide(cut, smaller, out=np.full_like(cut, np.nan, dtype=float), where=smaller > 0)
    return values


def conductance(
    G: PeopleGraph, by: str = "department", weight: str | None = "weight", *, indexed: IndexedGraph | None = None
) -> dict[Hashable, float]:
    """Conductance of every group: how much of its tie volume crosses its boundary.

    ``phi(S) = cut(S) / min(vol(S), vol(V \\ S))`` on the undirected graph (both
    directions of a tie added): ``cut(S)`` is the weight of ties with exactly
    one end in ``S`` and ``vol(S)`` the sum of the weighted degrees of the
    members of ``S`` (``2 * internal + cut``). Low conductance means a
    closed group.

    Parameters
    ----------
    G : people graph.
    by : node attribute defining the groups; people without it go in :data:`~orgnet.summary.UNKNOWN`.
    weight : ``"weight"`` (default) uses tie weights; ``None`` counts ties.
    indexed : optional :class:`~orgnet.engine.IndexedGraph` of ``G``.

    Returns
    -------
    dict group -> conductance in [0, 1], NaN when ``min(vol(S), vol(V \\ S))``
    is 0 (a group without ties, or a single group holding every tie).

    Notes
    -----
    O(N + E). Equals ``nx.conductance(undirected_graph(G), S, weight=weight)``.

    References
    ----------
    .. [1] Kannan, R., Vempala, S. and Vetta, A. (2004). On clusterings: good,
       bad and spectral. *Journal of the ACM* 51(3), 497-515.

    Examples
    --------
    The five people of :func:`ei_index`. Each department's volume: Eng 1 + 3 =
    4, Sales 2 + 3 + 1 = 6; two ties cut between them, so ``2 / min(4, 6)`` and
    ``2 / min(6, 4)``:

    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("b", "c"), ("b", "d"), ("c", "d"), ("d", "e")])
    >>> nx.set_node_attributes(G, {"a": "Eng", "b": "Eng", "c": "Sales", "d": "Sales", "e": "Sales"}, "department")
    >>> nx.set_node_attributes(G, {"b": "a", "c": "a", "d": "c", "e": "c"}, "manager_id")
    >>> conductance(G)
    {'Eng': 0.5, 'Sales': 0.5}
    """
    _check_weight(weight)
    _, labels, _, totals = _groups_and_totals(G, by, indexed)
    if weight is None:
        internal, cut = totals.internal_ties.astype(float), totals.external_ties.astype(float)
    else:
        internal, cut = totals.internal_weight, totals.external_weight
    volume = 2 * internal + cut
    return dict(zip(labels, _conductance(cut, volume, volume.sum()).tolist()))


def silo_metrics(G: PeopleGraph, by: str = "department", *, indexed: IndexedGraph | None = None) -> pd.DataFrame:
    """Every silo figure of every group in one table.

    For group ``g`` with ``I`` internal and ``E`` external ties (each directed
    tie once, either direction):

    - ``external_share = E / (E + I)``;
    - ``ei_index = (E - I) / (E + I)`` (Krackhardt and Stern), on ties counted;
    - ``external_weight_share`` and ``ei_index_weight``: the same on weights;
    - ``cut_weight`` (weight of ties crossing the boundary), ``volume``
      (``2 * internal_weight + cut_weight``) and
      ``conductance = cut_weight / min(volume, total volume - volume)``.

    Parameters
    ----------
    G : people graph.
    by : node attribute defining the groups; people without it go in :data:`~orgnet.summary.UNKNOWN`.
    indexed : optional :class:`~orgnet.engine.IndexedGraph` of ``G``.

    Returns
    -------
    DataFrame indexed by ``group`` with :data:`SILO_COLUMNS`, most closed
    groups (lowest ``ei_index``) first. Shares are 0 and indices NaN for a group without ties.

    Notes
    -----
    O(N + E + k log k).

    References
    ----------
    .. [1] Krackhardt, D. and Stern, R. N. (1988). Informal networks and
       organizational crises. *Social Psychology Quarterly* 51(2), 123-140.
    .. [2] Kannan, R., Vempala, S. and Vetta, A. (2004). On clusterings: good,
       bad and spectral. *Journal of the ACM* 51(3), 497-515.

    Examples
    --------
    The five people of :func:`ei_index`, most closed first:

    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("b", "c"), ("b", "d"), ("c", "d"), ("d", "e")])
    >>> nx.set_node_attributes(G, {"a": "Eng", "b": "Eng", "c": "Sales", "d": "Sales", "e": "Sales"}, "department")
    >>> nx.set_node_attributes(G, {"b": "a", "c": "a", "d": "c", "e": "c"}, "manager_id")
    >>> table = silo_metrics(G)
    >>> table.index.tolist(), table["size"].tolist(), table["ei_index"].round(4).tolist()
    (['Sales', 'Eng'], [3, 2], [0.0, 0.3333])
    >>> table["external_share"].round(4).tolist(), table["conductance"].tolist()
    ([0.5, 0.6667], [0.5, 0.5])
    """
    _, labels, codes, totals = _groups_and_totals(G, by, indexed)
    volume = 2 * totals.internal_weight + totals.external_weight
    table = pd.DataFrame(
        {
            "size": np.bincount(codes, minlength=len(labels)),
            "internal_ties": totals.internal_ties,
            "external_ties": totals.external_ties,
            "external_share": share_of(totals.external_ties, totals.internal_ties + totals.external_ties),
            "ei_index": _ei(totals.external_ties, totals.internal_ties),
            "internal_weight": totals.internal_weight,
            "external_weight": totals.external_weight,
            "external_weight_share": share_of(totals.external_weight, totals.internal_weight + totals.external_weight),
            "ei_index_weight": _ei(totals.external_weight, totals.internal_weight),
            "cut_weight": totals.external_weight,
            "volume": volume,
            "conductance": _conductance(totals.external_weight, volume, volume.sum()),
        },
        index=pd.Index(labels, name="group", dtype=object),
    )
    return table.sort_values("ei_index", kind="stable", na_position="last")[SILO_COLUMNS]


def silo_pairs(
    G: PeopleGraph,
    by: str = "department",
    *,
    value: str = "ties",
    threshold: float = 0.2,
    indexed: IndexedGraph | None = None,
) -> pd.DataFrame:
    """Group pairs that talk far less than their sizes predict, ranked from the most cut off.

    Null model: the ``X`` ties between different groups fall on pairs in
    proportion to the number of possible person pairs, so pair ``{a, b}``
    expects ``expected_ab = X * n_a n_b / sum_{c<d} n_c n_d``. The pair's
    ``ratio = observed_ab / expected_ab`` is 1 when it gets its fair share,
    0 when its groups never interact; pairs with ``ratio < threshold`` are
    flagged ``silo``. ``density = ties / (2 n_a n_b)`` is the share of
    possible directed ties that exist.

    Parameters
    ----------
    G : people graph.
    by : node attribute defining the groups; people without it go in :data:`~orgnet.summary.UNKNOWN`.
    value : ``"ties"`` (default) compares tie counts, ``"weight"`` tie weights.
    threshold : ratio below which a pair is a silo.
    indexed : optional :class:`~orgnet.engine.IndexedGraph` of ``G``.

    Returns
    -------
    DataFrame with :data:`SILO_PAIR_COLUMNS`, one row per unordered pair of
    distinct groups (``ties`` and ``weight`` summed over both directions;
    ``expected`` and ``ratio`` in units of ``value``), sorted by ratio
    ascending, then by ``expected`` descending (a pair that should talk a lot
    and does not comes first).

    Notes
    -----
    O(N + E + k^2). With fewer than two groups the table is empty. When no tie
    crosses groups at all, every pair has ``expected = 0`` and ``ratio = 0``
    and is a silo.

    References
    ----------
    .. [1] Blau, P. M. (1977). *Inequality and Heterogeneity: A Primitive Theory
       of Social Structure*. Free Press. (Contact between groups in proportion
       to their sizes as the baseline.)
    .. [2] Krackhardt, D. and Stern, R. N. (1988). Informal networks and
       organizational crises. *Social Psychology Quarterly* 51(2), 123-140.

    Examples
    --------
    Three groups of two people: 3 ties cross groups, and each pair of groups has
    4 possible person pairs of the 12, so each expects one tie. B and C, with
    none, are a silo:

    >>> import networkx as nx
    >>> G = nx.Graph([("A1", "B1"), ("A2", "B2"), ("A1", "C1")])
    >>> G.add_nodes_from(["B1", "B2"], department="B")
    >>> G.add_nodes_from(["A1", "A2"], department="A")
    >>> G.add_nodes_from(["C1", "C2"], department="C")
    >>> pairs = silo_pairs(G)
    >>> [(row.group_a, row.group_b, row.ties, row.expected, row.ratio, row.silo) for row in pairs.itertuples()]
    [('B', 'C', 0, 1.0, 0.0, True), ('A', 'C', 1, 1.0, 1.0, False), ('A', 'B', 2, 1.0, 2.0, False)]
    """
    if value not in ("ties", "weight"):
        raise ValueError("value must be 'ties' or 'weight'")
    indexed = indexed_of(G, indexed)
    labels, codes = group_codes(G, by, indexed.nodes)
    k = len(labels)
    cs, ct = codes[indexed.sources], codes[indexed.targets]
    low, high = np.minimum(cs, ct), np.maximum(cs, ct)
    flat = low * k + high
    ties = np.bincount(flat, minlength=k * k).reshape(k, k)
    weight = np.bincount(flat, weights=indexed.weights, minlength=k * k).reshape(k, k)
    sizes = np.bincount(codes, minlength=k)
    a, b = np.triu_indices(k, 1)
    observed = (ties if value == "ties" else weight)[a, b].astype(float)
    possible = sizes[a].astype(float) * sizes[b]
    expected = observed.sum() * possible / possible.sum() if len(a) else possible
    ratio = np.divide(observed, expected, out=np.zeros_like(observed), where=expected > 0)
    table = pd.DataFrame(
        {
            "group_a": pd.Series([labels[i] for i in a], dtype=object),
            "group_b": pd.Series([labels[j] for j in b], dtype=object),
            "size_a": sizes[a],
            "size_b": sizes[b],
            "ties": ties[a, b],
            "weight": weight[a, b],
            "expected": expected,
            "ratio": ratio,
            "density": np.divide(ties[a, b], 2 * possible, out=np.zeros_like(possible), where=possible > 0),
            "silo": ratio < threshold,
        },
        columns=SILO_PAIR_COLUMNS,
    )
    order = np.lexsort((-table["expected"].to_numpy(), table["ratio"].to_numpy()))
    return table.iloc[order].reset_index(drop=True)


def _tie_kind_codes(G: PeopleGraph, by: str, manager: str, indexed: IndexedGraph) -> tuple[list[Hashable], np.ndarray, np.ndarray]:
    """Group labels, node group codes, and each tie's kind as an index into :data:`TIE_KINDS`."""
    labels, codes = group_codes(G, by, indexed.nodes)
    position = indexed.index
    boss = np.fromiter(
        (position.get(value, -1) for value in node_values(G, manager, indexed.nodes)), dtype=np.int64, count=len(indexed.nodes)
    )
    s, t = indexed.sources, indexed.targets
    vertical = (boss[s] == t) | (boss[t] == s)
    kind = np.where(vertical, 0, np.where(codes[s] == codes[t], 1, 2))
    return labels, codes, kind


def tie_directions(
    G: PeopleGraph,
    by: str = "department",
    *,
    manager: str = "manager_id",
    indexed: IndexedGraph | None = None,
) -> pd.DataFrame:
    """Classify every tie as top-down (``vertical``) or side-to-side (``lateral_within``, ``lateral_across``).

    A tie ``(u, v)`` is ``vertical`` when one end is the other's manager
    (``manager(u) = v`` or ``manager(v) = u``); otherwise ``lateral_within``
    when both ends are in the same group and ``lateral_across`` when not.

    Parameters
    ----------
    G : people graph whose nodes carry ``manager`` (a person id) and ``by``.
    by : node attribute defining the groups; people without it go in :data:`~orgnet.summary.UNKNOWN`
        (so two such people count as the same group).
    manager : node attribute naming a person's manager.
    indexed : optional :class:`~orgnet.engine.IndexedGraph` of ``G``.

    Returns
    -------
    DataFrame with ``source``, ``target``, ``weight``, ``kind`` (one of
    :data:`TIE_KINDS`), ``source_group`` and ``target_group``, one row per tie.

    Notes
    -----
    O(N + E). A manager who is not a node of ``G`` gives no vertical tie.
    Skip-level ties (a person and their manager's manager) are lateral.

    References
    ----------
    .. [1] Cross, R. and Parker, A. (2004). *The Hidden Power of Social
       Networks: Understanding How Work Really Gets Done in Organizations*.
       Harvard Business School Press.

    Examples
    --------
    The five people of :func:`ei_index`, ``a`` managing ``b`` and ``c``, ``c``
    managing ``d`` and ``e``:

    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("b", "c"), ("b", "d"), ("c", "d"), ("d", "e")])
    >>> nx.set_node_attributes(G, {"a": "Eng", "b": "Eng", "c": "Sales", "d": "Sales", "e": "Sales"}, "department")
    >>> nx.set_node_attributes(G, {"b": "a", "c": "a", "d": "c", "e": "c"}, "manager_id")
    >>> tie_directions(G).set_index(["source", "target"])["kind"].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {('a', 'b'): 'vertical', ('b', 'c'): 'lateral_across', ('b', 'd'): 'lateral_across',
     ('c', 'd'): 'vertical', ('d', 'e'): 'lateral_within'}
    """
    indexed = indexed_of(G, indexed)
    labels, codes, kind = _tie_kind_codes(G, by, manager, indexed)
    nodes = np.asarray(indexed.nodes, dtype=object)
    group_labels = np.asarray(labels, dtype=object)
    return pd.DataFrame(
        {
            "source": nodes[indexed.sources],
            "target": nodes[indexed.targets],
            "weight": indexed.weights,
            "kind": np.asarray(TIE_KINDS, dtype=object)[kind],
            "source_group": group_labels[codes[indexed.sources]],
            "target_group": group_labels[codes[indexed.targets]],
        }
    )


@dataclass
class VerticalLateral:
    """Top-down versus side-to-side collaboration, per person and per group (see :func:`vertical_lateral`).

    Attributes
    ----------
    people : DataFrame indexed by ``person`` with ``group``, ``ties``,
        ``vertical``, ``lateral_within``, ``lateral_across`` (ties counted, or
        weights), their ``*_share`` columns and ``vertical_only``.
    groups : the same columns (without ``group``) indexed by ``group``, plus ``size``.
    vertical_people : people flagged ``vertical_only``, most vertical first.
    vertical_groups : groups flagged ``vertical_only``, most vertical first.
    threshold, weight, by : the parameters used.
    """

    people: pd.DataFrame = field(repr=False)
    groups: pd.DataFrame = field(repr=False)
    vertical_people: list[Hashable]
    vertical_groups: list[Hashable]
    threshold: float
    weight: str | None
    by: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (tables as lists of records)."""
        return {
            "by": self.by,
            "threshold": self.threshold,
            "weight": self.weight,
            "vertical_people": list(self.vertical_people),
            "vertical_groups": list(self.vertical_groups),
            "people": self.people.reset_index().to_dict("records"),
            "groups": self.groups.reset_index().to_dict("records"),
        }


def _kind_table(owner: np.ndarray, kind: np.ndarray, values: np.ndarray, size: int, threshold: float) -> pd.DataFrame:
    """Sum tie ``values`` per (``owner``, ``kind``) into amounts, shares and the ``vertical_only`` flag."""
    kinds = len(TIE_KINDS)
    amounts = np.bincount(owner * kinds + kind, weights=values, minlength=size * kinds).reshape(size, kinds)
    total = amounts.sum(axis=1)
    table = pd.DataFrame({"ties": total})
    for i, name in enumerate(TIE_KINDS):
        table[name] = amounts[:, i]
    for i, name in enumerate(TIE_KINDS):
        table[f"{name}_share"] = share_of(amounts[:, i], total)
    table["vertical_only"] = (total > 0) & (table["vertical_share"].to_numpy() >= threshold)
    return table


def vertical_lateral(
    G: PeopleGraph,
    by: str = "department",
    *,
    threshold: float = 0.9,
    weight: str | None = None,
    manager: str = "manager_id",
    indexed: IndexedGraph | None = None,
) -> VerticalLateral:
    """Shares of top-down and side-to-side collaboration of every person and group.

    Each tie is classified as in :func:`tie_directions`. For a person ``v``,
    ``vertical_share(v) = vertical(v) / ties(v)`` where ``ties(v)`` counts (or
    weighs) the ties ``v`` sends or receives; likewise ``lateral_within_share``
    and ``lateral_across_share``, and the three shares add up to 1. For a group,
    the ties touching any member count once each. People and groups whose
    ``vertical_share >= threshold`` (and who have ties) are ``vertical_only``:
    they work up and down their reporting line and little with peers.

    Parameters
    ----------
    G : people graph whose nodes carry ``manager`` and ``by``.
    by : node attribute defining the groups; people without it go in :data:`~orgnet.summary.UNKNOWN`.
    threshold : vertical share at or above which someone is ``vertical_only``
        (1.0 flags only those whose every tie is vertical).
    weight : ``None`` counts ties; ``"weight"`` sums tie weights.
    manager : node attribute naming a person's manager.
    indexed : optional :class:`~orgnet.engine.IndexedGraph` of ``G``.

    Returns
    -------
    :class:`VerticalLateral`.

    Notes
    -----
    O(N + E + N log N). People without ties have zero amounts, zero shares and are never flagged.

    References
    ----------
    .. [1] Cross, R. and Parker, A. (2004). *The Hidden Power of Social
       Networks*. Harvard Business School Press.
    .. [2] Burt, R. S. (1992). *Structural Holes: The Social Structure of
       Competition*. Harvard University Press.

    Examples
    --------
    The five people of :func:`ei_index`: Eng's three ties are one vertical and
    two across; Sales' four are one vertical, one within and two across. Only
    ``a`` talks along reporting lines alone:

    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("b", "c"), ("b", "d"), ("c", "d"), ("d", "e")])
    >>> nx.set_node_attributes(G, {"a": "Eng", "b": "Eng", "c": "Sales", "d": "Sales", "e": "Sales"}, "department")
    >>> nx.set_node_attributes(G, {"b": "a", "c": "a", "d": "c", "e": "c"}, "manager_id")
    >>> result = vertical_lateral(G)
    >>> shares = ["vertical_share", "lateral_within_share", "lateral_across_share"]
    >>> result.groups.loc["Eng", shares].round(4).tolist(), result.groups.loc["Sales", shares].tolist()
    ([0.3333, 0.0, 0.6667], [0.25, 0.25, 0.5])
    >>> result.vertical_people
    ['a']
    """
    _check_weight(weight)
    indexed = indexed_of(G, indexed)
    labels, codes, kind = _tie_kind_codes(G, by, manager, indexed)
    s, t = indexed.sources, indexed.targets
    values = np.ones(len(s)) if weight is None else indexed.weights
    n, k = len(indexed.nodes), len(labels)

    # Each tie belongs to both of its people, and to both of its groups unless it stays inside one.
    people = _kind_table(np.concatenate([s, t]), np.tile(kind, 2), np.tile(values, 2), n, threshold)
    people.index = pd.Index(indexed.nodes, name="person", dtype=object)
    people.insert(0, "group", pd.Series(np.asarray(labels, dtype=object)[codes], index=people.index, dtype=object))

    cs, ct = codes[s], codes[t]
    cross = cs != ct
    groups = _kind_table(
        np.concatenate([cs, ct[cross]]), np.concatenate([kind, kind[cross]]), np.concatenate([values, values[cross]]), k, threshold
    )
    groups.index = pd.Index(labels, name="group", dtype=object)
    groups.insert(0, "size", np.bincount(codes, minlength=k))

    def flagged(table: pd.DataFrame) -> list[Hashable]:
        chosen = table[table["vertical_only"]].sort_values(["vertical_share", "ties"], ascending=False, kind="stable")
        return chosen.index.tolist()

    return VerticalLateral(
        people=people,
        groups=groups,
        vertical_people=flagged(people),
        vertical_groups=flagged(groups),
        threshold=threshold,
        weight=weight,
        by=by,
    )
