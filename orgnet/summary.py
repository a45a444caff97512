"""Network summary: the size, density and cohesion of a people graph, overall and per group.

Every group-level figure works for any HR attribute through ``by`` (a node
attribute of the people graph: ``department``, ``location``, ``level``, a Viva
``Organization``...). People without the attribute form the explicit group
:data:`UNKNOWN`; nobody is dropped.

The kernels run on edge arrays (:class:`orgnet.engine.IndexedGraph`) with NumPy
and igraph, so a 50,000-person, 800,000-tie graph takes well under a second
once indexed. Pass ``indexed`` when the caller already built the arrays for
other jobs of the same graph.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from orgnet.engine import IndexedGraph, PeopleGraph, index_graph, node_values, nodes_of, tie_counts
from orgnet.kernels import Kernels, kernels_of

__all__ = [
    "UNKNOWN",
    "NetworkSummary",
    "codes_of",
    "component_labels",
    "group_codes",
    "group_matrix",
    "group_tie_totals",
    "merged_group",
    "network_summary",
    "pooled_cells",
]

#: The group of people who lack the attribute a group analysis is done ``by``.
UNKNOWN = "(unknown)"

#: Columns of :attr:`NetworkSummary.groups`.
GROUP_SUMMARY_COLUMNS = [
    "size",
    "people_with_ties",
    "ties_out",
    "ties_in",
    "internal_ties",
    "external_ties",
    "internal_share",
    "external_share",
    "internal_weight",
    "external_weight",
    "external_weight_share",
]


def _missing(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and value != value)


def indexed_of(G: PeopleGraph, indexed: IndexedGraph | None = None, weight: str | None = "weight") -> IndexedGraph:
    """The :class:`~orgnet.engine.IndexedGraph` a function of ``G`` computes on.

    ``G`` itself when it is one (used as it is, whatever ``weight``); else
    ``indexed`` after checking it numbers the nodes of ``G``, else a fresh index of ``G``.

    Raises
    ------
    ValueError
        When ``indexed`` does not describe ``G``.
    """
    if isinstance(G, IndexedGraph):
        if indexed is not None and indexed is not G and indexed.nodes != G.nodes:
            raise ValueError("`indexed` does not describe G: the nodes differ")
        return G
    if indexed is None:
        return index_graph(G, weight=weight)
    if len(indexed.nodes) != G.number_of_nodes():
        raise ValueError("`indexed` does not describe G: node or edge counts differ")
    # NetworkX counts edges by summing every node's degree; a snapshot's jobs ask ~20 times.
    if G not in indexed.described:
        if len(indexed.sources) != G.number_of_edges():
            raise ValueError("`indexed` does not describe G: node or edge counts differ")
        indexed.described.add(G)
    return indexed


def group_codes(
    G: PeopleGraph, by: str | Mapping[Hashable, Hashable] = "department", nodes: list[Hashable] | None = None
) -> tuple[list[Hashable], np.ndarray]:
    """Number the groups of an HR attribute (or of a node -> group mapping) and give each node its group's number.

    Parameters
    ----------
    G : NetworkX graph whose nodes carry the attribute ``by``, or an
        :class:`~orgnet.engine.IndexedGraph` with an attribute table (:func:`orgnet.engine.node_values`).
    by : node attribute that defines the groups, or a node -> group mapping.
    nodes : nodes to code, in this order; defaults to every node of ``G``.

    Returns
    -------
    labels : group labels, sorted by their text, with :data:`UNKNOWN` last
        (present only when some node lacks the attribute or is missing from
        the mapping, or its value is missing as :func:`codes_of` reads it).
    codes : int64 array, ``labels[codes[i]]`` is the group of ``nodes[i]``.

    Notes
    -----
    O(N). Only groups with at least one member exist, so no group is empty.

    Examples
    --------
    Four people: ``a`` and ``b`` in X, ``c`` in Y, ``d`` without a department
    (the "(unknown)" group):

    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_weighted_edges_from([("a", "b", 2.0), ("a", "c", 1.0), ("c", "a", 0.5), ("d", "c", 1.0)])
    >>> nx.set_node_attributes(G, {"a": "X", "b": "X", "c": "Y"}, "department")
    >>> labels, codes = group_codes(G)
    >>> labels, codes.tolist()
    (['X', 'Y', '(unknown)'], [0, 0, 1, 2])
    """
    if isinstance(by, Mapping):
        return codes_of([by.get(node) for node in (nodes_of(G) if nodes is None else nodes)])
    return codes_of(node_values(G, by, nodes))


def codes_of(values: Sequence[Hashable]) -> tuple[list[Hashable], np.ndarray]:
    """Number the distinct groups of a sequence of group values, as :func:`group_codes` does for nodes.

    Parameters
    ----------
    values : one group value per item; ``None``, NaN (and the other values pandas reads as missing, such as
        ``pd.NA`` and ``NaT``) and the empty string are missing.

    Returns
    -------
    labels : the distinct values sorted by their text, with :data:`UNKNOWN`
        last when some value is missing.
    codes : int64 array, ``labels[codes[i]]`` is the group of ``values[i]``.

    Examples
    --------
    >>> labels, codes = codes_of(["Y", None, "X", "Y"])
    >>> labels, codes.tolist()
    (['X', 'Y', '(unknown)'], [1, 2, 0, 1])
    """
    # Factorised in C (None and NaN come back as -1); the rest works on the few distinct values.
    raw, distinct = pd.factorize(np.fromiter(values, dtype=object, count=len(values)))
    present = [(value, not _missing(value)) for value in distinct]
    labels: list[Hashable] = sorted((value for value, kept in present if kept), key=lambda value: (str(value), str(type(value))))
    if (raw < 0).any() or not all(kept for _, kept in present):
        labels.append(UNKNOWN)
    position = {label: i for i, label in enumerate(labels)}
    unknown_code = len(labels) - 1
    # The code of each distinct value, then the missing values' (a raw -1 reads the last entry).
    recode = np.array([position[value] if kept else unknown_code for value, kept in present] + [unknown_code], dtype=np.int64)
    codes: np.ndarray = recode[raw]
    return labels, codes


@dataclass
class GroupTieTotals:
    """Ties and weights of each group, split into internal and external (see :func:`group_tie_totals`)."""

    internal_ties: np.ndarray
    external_ties: np.ndarray
    internal_weight: np.ndarray
    external_weight: np.ndarray
    ties_out: np.ndarray
    ties_in: np.ndarray


def group_tie_totals(codes: np.ndarray, k: int, sources: np.ndarray, targets: np.ndarray, weights: np.ndarray) -> GroupTieTotals:
    """Count each group's internal and external ties from edge arrays.

    A tie is *internal* to group ``g`` when both ends are in ``g``, and
    *external* to ``g`` when exactly one end is in ``g``, whatever its
    direction: a tie from Sales to Legal is external to both.

    Parameters
    ----------
    codes : group code of every node (as :func:`group_codes` returns).
    k : number of groups.
    sources, targets, weights : edge arrays, one entry per tie.

    Returns
    -------
    :class:`GroupTieTotals` of length-``k`` arrays.

    Notes
    -----
    O(N + E + k) with :func:`numpy.bincount`.

    Examples
    --------
    Three people in groups 0, 0 and 1; ties 0 -> 1 (weight 2) inside group 0, 1
    -> 2 (weight 1) from group 0 to 1:

    >>> import numpy as np
    >>> totals = group_tie_totals(np.array([0, 0, 1]), 2, np.array([0, 1]), np.array([1, 2]), np.array([2.0, 1.0]))
    >>> totals.internal_ties.tolist(), totals.external_ties.tolist(), totals.external_weight.tolist()
    ([1, 0], [1, 1], [1.0, 1.0])
    """
    cs, ct = codes[sources], codes[targets]
    same = cs == ct
    internal_ties = np.bincount(cs[same], minlength=k).astype(np.int64)
    internal_weight = np.bincount(cs[same], weights=weights[same], minlength=k)
    cross = ~same
    external_ties = (np.bincount(cs[cross], minlength=k) + np.bincount(ct[cross], minlength=k)).astype(np.int64)
    external_weight = np.bincount(cs[cross], weights=weights[cross], minlength=k) + np.bincount(
        ct[cross], weights=weights[cross], minlength=k
    )
    return GroupTieTotals(
        internal_ties=internal_ties,
        external_ties=external_ties,
        internal_weight=internal_weight,
        external_weight=external_weight,
        ties_out=np.bincount(cs, minlength=k).astype(np.int64),
        ties_in=np.bincount(ct, minlength=k).astype(np.int64),
    )


def share_of(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """``part / whole`` with 0 where ``whole`` is 0."""
    part = np.asarray(part, dtype=float)
    whole = np.asarray(whole, dtype=float)
    return np.divide(part, whole, out=np.zeros_like(part), where=whole > 0)


@dataclass
class NetworkSummary:
    """Whole-network figures of a people graph, and one row per group in :attr:`groups`.

    Attributes
    ----------
    by : the attribute the groups come from.
    people : number of people (nodes), with or without ties.
    people_with_ties : people who sent or received at least one tie.
    ties : directed ties (ordered pairs of people with any interaction).
    total_weight : sum of tie weights.
    density : ``ties / (people * (people - 1))``.
    reciprocity : share of ties whose reverse tie also exists.
    average_clustering : mean unweighted local clustering of the undirected graph.
    transitivity : global clustering (closed triplets / triplets) of the undirected graph.
    weak_components, strong_components : number of components, isolated people included.
    largest_weak_share, largest_strong_share : share of people in the largest one.
    groups : DataFrame indexed by group with :data:`GROUP_SUMMARY_COLUMNS`.
    """

    by: str
    people: int
    people_with_ties: int
    ties: int
    total_weight: float
    density: float
    reciprocity: float
    average_clustering: float
    transitivity: float
    weak_components: int
    strong_components: int
    largest_weak_share: float
    largest_strong_share: float
    groups: pd.DataFrame = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form; ``groups`` becomes a list of records with a ``group`` key."""
        figures = {key: value for key, value in asdict(self).items() if key != "groups"}
        groups = self.groups.reset_index().rename(columns={self.groups.index.name or "index": "group"})
        figures["groups"] = [
            {key: (value.item() if isinstance(value, np.generic) else value) for key, value in record.items()}
            for record in groups.to_dict("records")
        ]
        return figures


def component_labels(n: int, sources: np.ndarray, targets: np.ndarray, connection: str) -> np.ndarray:
    """Component label of each of the nodes 0..n-1 of a directed edge list: ``connection`` ``"weak"`` or ``"strong"`` (SciPy).

    Examples
    --------
    A path 0 -> 1 -> 2 is one weak component and three strong ones:

    >>> import numpy as np
    >>> sources, targets = np.array([0, 1]), np.array([1, 2])
    >>> component_labels(3, sources, targets, "weak").tolist(), len(set(component_labels(3, sources, targets, "strong")))
    ([0, 0, 0], 3)
    """
    from scipy.sparse.csgraph import connected_components

    matrix = sp.csr_matrix((np.ones(len(sources)), (sources, targets)), shape=(n, n))
    labels: np.ndarray = connected_components(matrix, directed=True, connection=connection)[1]
    return labels


def _reciprocity(indexed: IndexedGraph) -> float:
    """Share of a directed graph's ``m > 0`` edges ``(u, v)`` whose reverse ``(v, u)`` is an edge too (a self-loop is its own).

    When each directed pair is one edge (a snapshot's ties, a NetworkX ``DiGraph``), the D pairs that are not
    loops span P distinct unordered pairs, of which D - P are tied both ways: 2 (D - P) reciprocated edges, from
    the undirected pairs the summary builds anyway. Repeated edges (a hand-made edge table) are matched one by one.
    """
    n = len(indexed.nodes)
    s, t = indexed.sources, indexed.targets
    m, loops = len(s), int((s == t).sum())
    keys = np.sort(s * n + t)
    if not np.any(keys[1:] == keys[:-1]):
        return float((2 * (m - loops - len(indexed.undirected_pairs)) + loops) / m)
    reverse = t * n + s
    found = np.minimum(np.searchsorted(keys, reverse), m - 1)
    return float((keys[found] == reverse).sum() / m)


def network_summary(
    G: PeopleGraph, by: str = "department", *, indexed: IndexedGraph | None = None, kernels: Kernels | None = None
) -> NetworkSummary:
    """Summarise a people graph: size, density, reciprocity, clustering, components, and per-group tie shares.

    For ``n`` people and ``m`` directed ties with weights ``w``:

    - density ``= m / (n (n - 1))`` (``nx.density``);
    - reciprocity ``= |{(u, v) in E : (v, u) in E}| / m`` (``nx.overall_reciprocity``);
    - average clustering ``= (1/n) sum_v T(v) / (d(v) (d(v) - 1) / 2)`` on the
      *unweighted, undirected* graph (a tie in either direction is one edge),
      where ``T(v)`` counts triangles through ``v`` and people with degree < 2
      count as 0 (``nx.average_clustering(G.to_undirected())``);
    - transitivity ``= 3 * triangles / connected triplets`` on the same graph;
    - weak and strong components count isolated people as components of one.

    Per group ``g`` (rows of :attr:`NetworkSummary.groups`): ``size`` members,
    ``people_with_ties``, ``ties_out``/``ties_in`` (ties sent/received by members),
    ``internal_ties`` ``I_g`` (both ends in ``g``), ``external_ties`` ``E_g``
    (exactly one end in ``g``, either direction), ``internal_share = I/(I+E)``,
    ``external_share = E/(I+E)`` (the share of the group's ties that leave it),
    and the same on weights: ``internal_weight``, ``external_weight``,
    ``external_weight_share``.

    Parameters
    ----------
    G : people graph (``nx.DiGraph`` from :func:`orgnet.graph.people_graph`;
        an undirected graph is read as ties listed once).
    by : node attribute defining the groups; people without it go in :data:`UNKNOWN`.
    indexed : optional :class:`~orgnet.engine.IndexedGraph` of ``G`` (any node order).
    kernels : where clustering, transitivity and weak components come from (:mod:`orgnet.kernels`;
        default computed here, on igraph and SciPy).

    Returns
    -------
    :class:`NetworkSummary` (``to_dict()`` for JSON).

    Notes
    -----
    O(N + E log E) with NumPy and igraph. An empty graph gives zeros. Shares
    whose denominator is zero (a group without ties) are 0. With a single group
    every tie is internal.

    References
    ----------
    .. [1] Wasserman, S. and Faust, K. (1994). *Social Network Analysis: Methods
       and Applications*. Cambridge University Press.
    .. [2] Watts, D. J. and Strogatz, S. H. (1998). Collective dynamics of
       "small-world" networks. *Nature* 393, 440-442.

    Examples
    --------
    The Krackhardt kite, each tie both ways: density 18 / 45, every tie
    reciprocated, and NetworkX's average clustering (0.52) and transitivity:

    >>> import networkx as nx
    >>> summary = network_summary(nx.krackhardt_kite_graph().to_directed())
    >>> summary.people, summary.ties, round(summary.density, 4), summary.reciprocity
    (10, 36, 0.4, 1.0)
    >>> round(summary.average_clustering, 4), round(summary.transitivity, 4)
    (0.52, 0.5789)
    """
    kernels = kernels_of(G, indexed, kernels)
    indexed = kernels.indexed
    n = len(indexed.nodes)
    s, t, w = indexed.sources, indexed.targets, indexed.weights
    m = len(s)
    directed = indexed.directed
    labels, codes = group_codes(G, by, indexed.nodes)
    k = len(labels)

    degree = np.bincount(s, minlength=n) + np.bincount(t, minlength=n)
    # An undirected graph's ties are all reciprocated.
    reciprocity = _reciprocity(indexed) if directed and m else float(m > 0)
    pairs = n * (n - 1) if directed else n * (n - 1) / 2

    if n:
        average_clustering = float(np.mean(kernels.local_clustering()))
        transitivity = kernels.transitivity()
        # Sizes of the distinct labels: an engine may label a component by any number (GDS by a node id).
        weak = np.unique(kernels.weak_components(), return_counts=True)[1]
        strong = np.bincount(component_labels(n, s, t, "strong")) if directed else weak
    else:
        average_clustering = transitivity = 0.0
        weak = strong = np.zeros(0, dtype=np.int64)

    totals = group_tie_totals(codes, k, s, t, w)
    group_table = pd.DataFrame(
        {
            "size": np.bincount(codes, minlength=k),
            "people_with_ties": np.bincount(codes[degree > 0], minlength=k),
            "ties_out": totals.ties_out,
            "ties_in": totals.ties_in,
            "internal_ties": totals.internal_ties,
            "external_ties": totals.external_ties,
            "internal_share": share_of(totals.internal_ties, totals.internal_ties + totals.external_ties),
            "external_share": share_of(totals.external_ties, totals.internal_ties + totals.external_ties),
            "internal_weight": totals.internal_weight,
            "external_weight": totals.external_weight,
            "external_weight_share": share_of(totals.external_weight, totals.internal_weight + totals.external_weight),
        },
        index=pd.Index(labels, name="group", dtype=object),
    )[GROUP_SUMMARY_COLUMNS]
    return NetworkSummary(
        by=by,
        people=n,
        people_with_ties=int((degree > 0).sum()),
        ties=m,
        total_weight=float(w.sum()),
        density=float(m / pairs) if pairs else 0.0,
        reciprocity=reciprocity,
        average_clustering=average_clustering,
        transitivity=transitivity,
        weak_components=len(weak),
        strong_components=len(strong),
        largest_weak_share=float(weak.max() / n) if n else 0.0,
        largest_strong_share=float(strong.max() / n) if n else 0.0,
        groups=group_table,
    )


def _edge_values(G: PeopleGraph, indexed: IndexedGraph, value: str) -> np.ndarray:
    if value == "ties":
        return np.ones(len(indexed.sources))
    if value == "weight":
        return indexed.weights
    if value == "count":
        return tie_counts(G, indexed)
    raise ValueError(f"value must be 'ties', 'weight' or 'count', not {value!r}")


def group_matrix(G: PeopleGraph, by: str = "department", value: str = "ties", *, indexed: IndexedGraph | None = None) -> pd.DataFrame:
    """Directed group-by-group matrix of ties: row = sending group, column = receiving group.

    ``M[a, b] = sum over ties (u, v) with group(u) = a and group(v) = b of x(u, v)``
    where ``x`` is 1 (``value="ties"``: number of directed ties), the tie
    ``weight`` (``value="weight"``) or the tie's ``count`` of interactions
    (``value="count"``; 1 where the edge has no ``count``). The diagonal holds
    ties inside each group.

    Parameters
    ----------
    G : people graph (an undirected graph's edges are read in their stored direction).
    by : node attribute defining the groups; people without it go in :data:`UNKNOWN`.
    value : ``"ties"``, ``"weight"`` or ``"count"``.
    indexed : optional :class:`~orgnet.engine.IndexedGraph` of ``G``.

    Returns
    -------
    Square DataFrame, index and columns the group labels in the same order
    (named ``source_group`` and ``target_group``); ints for ``"ties"`` and
    ``"count"``, floats for ``"weight"``. Groups without ties have zero rows.

    Notes
    -----
    O(N + E + k^2) with :func:`numpy.bincount`. ``value="count"`` reads every
    edge's attribute from a NetworkX ``G`` (an IndexedGraph gives its counts array) and is slower than the other two.

    References
    ----------
    .. [1] Krackhardt, D. and Stern, R. N. (1988). Informal networks and
       organizational crises: an experimental simulation. *Social Psychology
       Quarterly* 51(2), 123-140.

    Examples
    --------
    Four people: ``a`` and ``b`` in X, ``c`` in Y, ``d`` without a department;
    ties ``a -> b`` (2), ``a -> c`` (1), ``c -> a`` (0.5) and ``d -> c`` (1),
    counted from group (rows) to group (columns):

    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_weighted_edges_from([("a", "b", 2.0), ("a", "c", 1.0), ("c", "a", 0.5), ("d", "c", 1.0)])
    >>> nx.set_node_attributes(G, {"a": "X", "b": "X", "c": "Y"}, "department")
    >>> group_matrix(G).to_numpy().tolist()
    [[1, 1, 0], [1, 0, 0], [0, 1, 0]]
    >>> group_matrix(G, value="weight").to_numpy().tolist()
    [[2.0, 1.0, 0.0], [0.5, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    indexed = indexed_of(G, indexed)
    labels, codes = group_codes(G, by, indexed.nodes)
    k = len(labels)
    values = _edge_values(G, indexed, value)
    flat = codes[indexed.sources] * k + codes[indexed.targets]
    matrix = np.bincount(flat, weights=values, minlength=k * k).reshape(k, k)
    if value != "weight":
        matrix = np.rint(matrix).astype(np.int64)
    return pd.DataFrame(
        matrix,
        index=pd.Index(labels, name="source_group", dtype=object),
        columns=pd.Index(labels, name="target_group", dtype=object),
    )


def pooled_cells(groups: Sequence[Hashable], values: Sequence[Sequence[float]], members: Collection[Hashable]) -> dict[str, Any]:
    """A group matrix's cells between each group and a set of groups taken together.

    For the matrix ``M`` of :func:`group_matrix` (row sends, column receives)
    and the set ``P`` of ``members``: ``sent[a] = sum_{b in P} M[a, b]`` and
    ``received[a] = sum_{b in P} M[b, a]`` for every group ``a`` outside
    ``P`` (``None`` for the groups in ``P``), and ``within = sum_{a, b in P} M[a, b]``.
    With these, every row and column of the matrix and its grand total are
    sums of the cells between groups outside ``P`` and these pooled cells.

    Parameters
    ----------
    groups : row and column labels of the matrix, in order.
    values : the square matrix, row by row.
    members : the groups taken together (labels of ``groups``; others are ignored).

    Returns
    -------
    ``{"sent": [...], "received": [...], "within": x}``, the lists aligned with ``groups``.

    Examples
    --------
    >>> pooled_cells(["X", "Y", "Z"], [[1, 2, 3], [4, 5, 6], [7, 8, 9]], {"Y", "Z"})
    {'sent': [5.0, None, None], 'received': [11.0, None, None], 'within': 28.0}
    """
    matrix = np.asarray(values, dtype=float).reshape(len(groups), len(groups))
    pooled = np.fromiter((g in members for g in groups), dtype=bool, count=len(groups))
    sent = matrix[:, pooled].sum(axis=1)
    received = matrix[pooled, :].sum(axis=0)
    return {
        "sent": [None if p else float(v) for p, v in zip(pooled, sent)],
        "received": [None if p else float(v) for p, v in zip(pooled, received)],
        "within": float(matrix[np.ix_(pooled, pooled)].sum()),
    }


def merged_group(
    groups: Sequence[Mapping[str, Any]],
    matrix_groups: Sequence[Hashable],
    ties: Sequence[Sequence[float]],
    weight: Sequence[Sequence[float]],
    members: Collection[Hashable],
) -> dict[str, Any]:
    """The :data:`GROUP_SUMMARY_COLUMNS` of several groups taken as one group.

    Member counts and ties sent or received add up over the groups; the
    internal and external figures do not (a tie between two of them is
    external to each but internal to their union), so they come from the
    group matrix: for the set ``P``, ``I_P = sum_{a, b in P} M[a, b]`` and
    ``E_P = sum_{a in P, b not in P} (M[a, b] + M[b, a])``, on ties and on
    weights, and the shares follow as in :func:`network_summary`.

    Parameters
    ----------
    groups : per-group records of :meth:`NetworkSummary.to_dict` (``group``
        and :data:`GROUP_SUMMARY_COLUMNS`).
    matrix_groups, ties, weight : labels and matrices of :func:`group_matrix`
        (``value="ties"`` and ``value="weight"``) on the same graph and grouping.
    members : the groups taken together.

    Returns
    -------
    A record with :data:`GROUP_SUMMARY_COLUMNS`, as :func:`network_summary`
    would give for one group holding every member of ``members``.

    Examples
    --------
    The graph of :func:`group_matrix`'s example, with Y and the people
    without a department taken together: one tie inside them (``d -> c``),
    two with X:

    >>> rows = [{"group": "Y", "size": 1, "people_with_ties": 1, "ties_out": 1, "ties_in": 2},
    ...         {"group": "(unknown)", "size": 1, "people_with_ties": 1, "ties_out": 1, "ties_in": 0}]
    >>> merged = merged_group(rows, ["X", "Y", "(unknown)"], [[1, 1, 0], [1, 0, 0], [0, 1, 0]],
    ...                       [[2.0, 1.0, 0.0], [0.5, 0.0, 0.0], [0.0, 1.0, 0.0]], {"Y", "(unknown)"})
    >>> merged["size"], merged["ties_out"], merged["internal_ties"], merged["external_ties"], merged["external_weight"]
    (2, 2, 1, 2, 1.5)
    """
    chosen = [row for row in groups if row["group"] in members]
    record: dict[str, Any] = {
        column: sum(int(row[column]) for row in chosen) for column in ("size", "people_with_ties", "ties_out", "ties_in")
    }
    for name, values in (("ties", ties), ("weight", weight)):
        cells = pooled_cells(matrix_groups, values, members)
        record[f"internal_{name}"] = cells["within"]
        record[f"external_{name}"] = sum(v for v in (*cells["sent"], *cells["received"]) if v is not None)
    internal_ties, external_ties = round(record["internal_ties"]), round(record["external_ties"])
    touching = internal_ties + external_ties
    weight_total = record["internal_weight"] + record["external_weight"]
    record.update(
        internal_ties=internal_ties,
        external_ties=external_ties,
        internal_share=internal_ties / touching if touching else 0.0,
        external_share=external_ties / touching if touching else 0.0,
        external_weight_share=record["external_weight"] / weight_total if weight_total > 0 else 0.0,
    )
    return {column: record[column] for column in GROUP_SUMMARY_COLUMNS}
