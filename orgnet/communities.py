"""Communities: who actually works together, found by Leiden, and how well they match the org chart.

Communities are found on the undirected weighted people graph (both
directions of a tie summed) by maximising modularity with the Leiden
algorithm: the objective of ``leidenalg``'s ``RBConfigurationVertexPartition``,
so ``resolution=1`` is Newman's modularity. igraph's own Leiden is the default
engine and ``leidenalg`` the alternative (same objective, about ten times
slower on a 50,000-person graph); Louvain (igraph's multilevel) is the
fallback method. Agreement with an HR attribute is measured by normalised
mutual information and the adjusted Rand index, computed here from a
contingency table (scikit-learn is not a dependency).
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

from orgnet.engine import IndexedGraph, PeopleGraph, node_values, nodes_of, undirected_edges
from orgnet.summary import codes_of, group_codes, indexed_of

K = TypeVar("K", bound=Hashable)

__all__ = [
    "Communities",
    "adjusted_rand_index",
    "agreement_sentence",
    "attribute_agreement",
    "community_composition",
    "find_communities",
    "label_communities",
    "modularity",
    "normalized_mutual_info",
    "partition_of",
    "top_connectors",
]


@dataclass
class Communities:
    """A partition of the people into communities (see :func:`find_communities`).

    Attributes
    ----------
    membership : node -> community id; ids are 0..c-1 by decreasing size
        (largest community 0).
    sizes : ``sizes[i]`` is the number of people in community ``i``.
    modularity : Newman's modularity (resolution 1) of the partition on the
        undirected weighted graph, as ``nx.community.modularity`` computes it.
    quality : the objective the algorithm maximised, modularity at ``resolution``.
    method : what ran: ``"leiden"`` (igraph), ``"leiden-leidenalg"`` or ``"louvain"``.
    resolution, seed : the parameters used.
    """

    membership: dict[Hashable, int] = field(repr=False)
    sizes: list[int]
    modularity: float
    quality: float
    method: str
    resolution: float
    seed: int | None

    def sets(self) -> list[set[Hashable]]:
        """The communities as a list of node sets, in id order (as NetworkX returns them)."""
        groups: list[set[Hashable]] = [set() for _ in self.sizes]
        for node, community in self.membership.items():
            groups[community].add(node)
        return groups

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "membership": dict(self.membership),
            "sizes": list(self.sizes),
            "modularity": self.modularity,
            "quality": self.quality,
            "method": self.method,
            "resolution": self.resolution,
            "seed": self.seed,
        }


def _modularity_of_codes(n: int, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, codes: np.ndarray, resolution: float) -> float:
    """``sum_c L_c / m - resolution * (d_c / 2m)^2`` from undirected edges listed once."""
    m = values.sum()
    if m <= 0:
        return 0.0
    c = int(codes.max()) + 1 if len(codes) else 0
    inside = codes[rows] == codes[cols]
    internal = np.bincount(codes[rows][inside], weights=values[inside], minlength=c)
    degree = np.bincount(rows, weights=values, minlength=n) + np.bincount(cols, weights=values, minlength=n)
    community_degree = np.bincount(codes, weights=degree, minlength=c)
    return float(internal.sum() / m - resolution * np.sum((community_degree / (2 * m)) ** 2))


def _ordered_codes(raw: np.ndarray) -> np.ndarray:
    """Renumber community ids by decreasing size, ties broken by the first node in index order."""
    _, first, inverse, counts = np.unique(raw, return_index=True, return_inverse=True, return_counts=True)
    order = np.lexsort((first, -counts))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[inverse.reshape(-1)]


def find_communities(
    G: PeopleGraph,
    *,
    resolution: float = 1.0,
    weight: str | None = "weight",
    seed: int | None = 0,
    method: str = "leiden",
    engine: str = "igraph",
    n_iterations: int = -1,
    indexed: IndexedGraph | None = None,
) -> Communities:
    """Find communities by maximising modularity with Leiden (or Louvain).

    The objective is the generalised modularity of Reichardt and Bornholdt

    ``Q_gamma = (1 / 2m) sum_ij (A_ij - gamma k_i k_j / 2m) delta(c_i, c_j)``

    on the undirected graph whose edge weight ``A_ij`` sums both directions of
    the ties between ``i`` and ``j``; ``k_i`` is the weighted degree, ``m``
    the total weight and ``gamma`` the ``resolution`` (1 is Newman's
    modularity; lower values give fewer, larger communities).

    Parameters
    ----------
    G : people graph (directed or undirected).
    resolution : ``gamma`` above.
    weight : edge attribute with the tie weight, or ``None`` for the unweighted
        graph (every pair of people with a tie in either direction counts 1).
    seed : random seed, for reproducible partitions.
    method : ``"leiden"`` or ``"louvain"`` (igraph's ``community_multilevel``).
    engine : which Leiden implementation: ``"igraph"`` (igraph's C
        ``community_leiden`` with the modularity objective, the default) or
        ``"leidenalg"`` (``leidenalg.RBConfigurationVertexPartition``). Both
        optimise the same ``Q_gamma``; igraph's is about ten times faster on a
        50,000-person graph. When ``leidenalg`` cannot be imported, igraph's is used.
    n_iterations : Leiden iterations; negative runs until the partition is stable.
    indexed : optional :class:`~orgnet.engine.IndexedGraph` of ``G`` (built with the same ``weight``).

    Returns
    -------
    :class:`Communities`: ``membership`` (node -> id, largest community 0),
    ``sizes``, ``modularity`` (at resolution 1), ``quality`` (at ``resolution``),
    ``method`` (``"leiden"``, ``"leiden-leidenalg"`` or ``"louvain"``: what ran).

    Notes
    -----
    Leiden runs in about O(E) per iteration (50,000 people and 800,000 ties:
    under a second with igraph). Isolated people each form their own community
    of one. A graph without ties has modularity 0. Leiden guarantees connected
    communities, which Louvain does not.

    References
    ----------
    .. [1] Traag, V. A., Waltman, L. and van Eck, N. J. (2019). From Louvain to
       Leiden: guaranteeing well-connected communities. *Scientific Reports* 9, 5233.
    .. [2] Blondel, V. D., Guillaume, J.-L., Lambiotte, R. and Lefebvre, E. (2008).
       Fast unfolding of communities in large networks. *J. Stat. Mech.* P10008.
    .. [3] Reichardt, J. and Bornholdt, S. (2006). Statistical mechanics of
       community detection. *Physical Review E* 74, 016110.
    .. [4] Newman, M. E. J. (2006). Modularity and community structure in
       networks. *PNAS* 103(23), 8577-8582.

    Examples
    --------
    Leiden finds the karate club's best known partition: four communities,
    modularity 0.4198 (Brandes et al. 2008):

    >>> import networkx as nx
    >>> found = find_communities(nx.karate_club_graph(), weight=None)
    >>> round(found.modularity, 4), found.sizes
    (0.4198, [12, 11, 6, 5])
    """
    import igraph as ig

    if method not in ("leiden", "louvain"):
        raise ValueError("method must be 'leiden' or 'louvain'")
    if engine not in ("igraph", "leidenalg"):
        raise ValueError("engine must be 'igraph' or 'leidenalg'")
    indexed = indexed_of(G, indexed, weight=weight)
    n = len(indexed.nodes)
    rows, cols, values = undirected_edges(indexed, weighted=weight is not None)
    # The snapshot's shared undirected graph has these pairs in this order; the weights go with each call.
    graph = indexed.undirected_igraph

    if method == "leiden" and engine == "leidenalg":
        try:
            import leidenalg
        except ImportError:
            engine = "igraph"
    if n == 0:
        raw = np.zeros(0, dtype=np.int64)
    elif method == "leiden" and engine == "leidenalg":
        method = "leiden-leidenalg"
        partition = leidenalg.find_partition(
            graph,
            leidenalg.RBConfigurationVertexPartition,
            weights=values.tolist(),
            resolution_parameter=resolution,
            n_iterations=n_iterations,
            seed=seed,
        )
        raw = np.asarray(partition.membership, dtype=np.int64)
    else:
        # igraph draws from Python's `random` module; a private generator keeps the seed local.
        ig.set_random_number_generator(random.Random(seed))
        try:
            if method == "leiden":
                clustering = graph.community_leiden(
                    objective_function="modularity", weights=values.tolist(), resolution=resolution, n_iterations=n_iterations
                )
            else:
                clustering = graph.community_multilevel(weights=values.tolist(), resolution=resolution)
        finally:
            ig.set_random_number_generator(random)
        raw = np.asarray(clustering.membership, dtype=np.int64)

    return partition_of(indexed, raw, method=method, resolution=resolution, seed=seed, edges=(rows, cols, values))


def partition_of(
    indexed: IndexedGraph,
    labels: np.ndarray,
    *,
    method: str,
    resolution: float = 1.0,
    seed: int | None = None,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> Communities:
    """The :class:`Communities` of a partition found elsewhere: ``labels[i]`` is the community of ``indexed.nodes[i]``.

    Parameters
    ----------
    indexed : the graph the partition was found on.
    labels : any integer community label per node (renumbered 0.. by decreasing size, as
        :func:`find_communities` numbers them).
    method : what found it (``"leiden"``, ``"leiden-gds"``...).
    resolution, seed : the parameters it was found with; the quality is modularity at ``resolution``.
    edges : the undirected edges to score it on, as :func:`orgnet.engine.undirected_edges` lists them
        (default: those of ``indexed``, weighted).

    Returns
    -------
    :class:`Communities`, its modularity and quality computed here on ``indexed`` (O(N + E)).

    Examples
    --------
    The karate club's two factions after its split score the modularity ``nx.community.modularity``
    gives them (0.3582 unweighted):

    >>> import networkx as nx
    >>> import numpy as np
    >>> from orgnet.engine import index_graph
    >>> G = nx.karate_club_graph()
    >>> indexed = index_graph(G, weight=None)
    >>> factions = np.array([G.nodes[v]["club"] == "Officer" for v in indexed.nodes], dtype=int)
    >>> found = partition_of(indexed, factions, method="factions")
    >>> round(found.modularity, 4), found.sizes
    (0.3582, [17, 17])
    """
    n = len(indexed.nodes)
    rows, cols, values = edges if edges is not None else undirected_edges(indexed)
    codes = _ordered_codes(np.asarray(labels, dtype=np.int64)) if n else np.zeros(0, dtype=np.int64)
    return Communities(
        membership=dict(zip(indexed.nodes, codes.tolist())),
        sizes=np.bincount(codes).tolist() if n else [],
        modularity=_modularity_of_codes(n, rows, cols, values, codes, 1.0),
        quality=_modularity_of_codes(n, rows, cols, values, codes, resolution),
        method=method,
        resolution=resolution,
        seed=seed,
    )


def _membership_codes(membership: Mapping[Hashable, Hashable] | Iterable[Iterable[Hashable]], nodes: Sequence[Hashable]) -> np.ndarray:
    """Community code of every node in ``nodes``, from a node -> id mapping or a list of node sets."""
    if not isinstance(membership, Mapping):
        membership = {node: i for i, group in enumerate(membership) for node in group}
    labels = [membership[node] for node in nodes]
    return pd.factorize(pd.Series(labels, dtype=object))[0].astype(np.int64)


def modularity(
    G: PeopleGraph,
    communities: Mapping[Hashable, Hashable] | Iterable[Iterable[Hashable]],
    weight: str | None = "weight",
    resolution: float = 1.0,
    *,
    indexed: IndexedGraph | None = None,
) -> float:
    """Modularity of a partition of the undirected version of ``G`` (vectorised).

    ``Q = sum_c [ L_c / m - resolution * (d_c / 2m)^2 ]`` where ``L_c`` is the
    weight of edges inside community ``c``, ``d_c`` the summed weighted degree
    of its members and ``m`` the total weight; both directions of a directed
    tie are summed into one undirected edge, as :func:`orgnet.graph.undirected_graph` does.

    Parameters
    ----------
    G : people graph.
    communities : node -> community id, or an iterable of node sets covering every node.
    weight : edge attribute with the weight, or ``None`` for the unweighted
        graph (every pair of people with a tie in either direction counts 1).
    resolution : ``gamma`` of the generalised modularity.
    indexed : optional :class:`~orgnet.engine.IndexedGraph` of ``G`` (same ``weight``).

    Returns
    -------
    float; 0 for a graph without ties.

    Notes
    -----
    O(N + E). Equals ``nx.community.modularity(undirected_graph(G), sets,
    weight=weight, resolution=resolution)``; self-loops are ignored (people
    graphs have none).

    References
    ----------
    .. [1] Newman, M. E. J. (2006). Modularity and community structure in
       networks. *PNAS* 103(23), 8577-8582.

    Examples
    --------
    The split the karate club actually made, by NetworkX's
    ``nx.community.modularity``:

    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> round(modularity(G, {node: G.nodes[node]["club"] for node in G}, weight=None), 4)
    0.3582
    """
    indexed = indexed_of(G, indexed, weight=weight)
    rows, cols, values = undirected_edges(indexed, weighted=weight is not None)
    codes = _membership_codes(communities, indexed.nodes)
    return _modularity_of_codes(len(indexed.nodes), rows, cols, values, codes, resolution)


def _contingency(labels_a: Sequence[Hashable], labels_b: Sequence[Hashable]) -> sp.csr_matrix:
    a = pd.factorize(pd.Series(list(labels_a), dtype=object))[0]
    b = pd.factorize(pd.Series(list(labels_b), dtype=object))[0]
    if len(a) != len(b):
        raise ValueError("the two labelings must have the same length")
    return sp.csr_matrix((np.ones(len(a)), (a, b)), shape=(a.max(initial=-1) + 1, b.max(initial=-1) + 1))


def _entropy(counts: np.ndarray, total: float) -> float:
    p = counts[counts > 0] / total
    return float(-(p * np.log(p)).sum())


def normalized_mutual_info(labels_a: Sequence[Hashable], labels_b: Sequence[Hashable]) -> float:
    """Normalised mutual information of two labelings of the same items.

    ``NMI = I(A; B) / ((H(A) + H(B)) / 2)`` (arithmetic-mean normalisation),
    with ``I(A; B) = sum_ij (n_ij / n) log(n n_ij / (a_i b_j))`` from the
    contingency table ``n_ij`` (row sums ``a_i``, column sums ``b_j``) and
    ``H`` the Shannon entropy. 1 for identical partitions (up to renaming),
    0 for independent ones.

    Parameters
    ----------
    labels_a, labels_b : sequences of hashable labels, one per item, same length.

    Returns
    -------
    float in [0, 1]. Both single-cluster (or empty): 1. Exactly one of them single-cluster: 0.

    Notes
    -----
    O(n) with a sparse contingency table. Matches scikit-learn's
    ``normalized_mutual_info_score(average_method="arithmetic")``.

    References
    ----------
    .. [1] Danon, L., Diaz-Guilera, A., Duch, J. and Arenas, A. (2005). Comparing
       community structure identification. *J. Stat. Mech.* P09008.
    .. [2] Strehl, A. and Ghosh, J. (2002). Cluster ensembles. *JMLR* 3, 583-617.

    Examples
    --------
    Crossed halves share no information; renaming the communities changes
    nothing:

    >>> normalized_mutual_info([0, 0, 1, 1], [0, 1, 0, 1])
    0.0
    >>> round(normalized_mutual_info([0, 0, 1, 1], ["x", "x", "y", "y"]), 12)
    1.0
    """
    table = _contingency(labels_a, labels_b)
    n = float(table.sum())
    rows_a, cols_b = np.asarray(table.sum(axis=1)).ravel(), np.asarray(table.sum(axis=0)).ravel()
    if (len(rows_a) <= 1 and len(cols_b) <= 1) or n == 0:
        return 1.0
    table = table.tocoo()
    nij = table.data
    mutual = float(np.sum(nij / n * (np.log(nij * n) - np.log(rows_a[table.row] * cols_b[table.col]))))
    normaliser = (_entropy(rows_a, n) + _entropy(cols_b, n)) / 2
    if normaliser <= 0:
        return 1.0
    return float(min(max(mutual / normaliser, 0.0), 1.0))


def _pairs(x: np.ndarray) -> float:
    return float(np.sum(x * (x - 1.0)) / 2)


def adjusted_rand_index(labels_a: Sequence[Hashable], labels_b: Sequence[Hashable]) -> float:
    """Adjusted Rand index of two labelings of the same items (Hubert and Arabie).

    ``ARI = (sum_ij C(n_ij, 2) - E) / ((sum_i C(a_i, 2) + sum_j C(b_j, 2)) / 2 - E)``
    with ``E = sum_i C(a_i, 2) sum_j C(b_j, 2) / C(n, 2)``, from the
    contingency table ``n_ij`` with row sums ``a_i`` and column sums ``b_j``.
    1 for identical partitions, about 0 for independent ones, negative when
    they agree less than chance.

    Parameters
    ----------
    labels_a, labels_b : sequences of hashable labels, one per item, same length.

    Returns
    -------
    float <= 1. When the denominator vanishes (both partitions trivial in the
    same way, e.g. both a single cluster or both all singletons) the result is 1.

    Notes
    -----
    O(n) with a sparse contingency table. Matches scikit-learn's ``adjusted_rand_score``.

    References
    ----------
    .. [1] Hubert, L. and Arabie, P. (1985). Comparing partitions. *Journal of
       Classification* 2, 193-218.

    Examples
    --------
    Crossed halves: every pair agreement is below chance, ``(0 - 2/3) / (2 -
    2/3) = -1/2``:

    >>> round(adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]), 12)
    -0.5
    >>> adjusted_rand_index([0, 0, 1, 1], ["x", "x", "y", "y"])
    1.0
    """
    table = _contingency(labels_a, labels_b)
    n = float(table.sum())
    together = _pairs(table.tocoo().data)
    rows_a = _pairs(np.asarray(table.sum(axis=1)).ravel())
    cols_b = _pairs(np.asarray(table.sum(axis=0)).ravel())
    all_pairs = n * (n - 1) / 2
    expected = rows_a * cols_b / all_pairs if all_pairs else 0.0
    denominator = (rows_a + cols_b) / 2 - expected
    if denominator == 0:
        return 1.0
    return float((together - expected) / denominator)


def attribute_agreement(
    G: PeopleGraph,
    communities: Mapping[Hashable, Hashable] | Iterable[Iterable[Hashable]] | Communities,
    by: str = "department",
) -> dict[str, float]:
    """How closely communities follow an HR attribute: NMI and ARI between the two partitions.

    High values mean people collaborate along the org chart's lines (or
    whatever ``by`` is); low values mean the real working groups cut across it.

    Parameters
    ----------
    G : people graph whose nodes carry ``by``.
    communities : a :class:`Communities`, node -> id mapping, or list of node sets covering every node.
    by : node attribute; people without it form the group :data:`~orgnet.summary.UNKNOWN`.

    Returns
    -------
    dict with ``nmi`` (:func:`normalized_mutual_info`), ``ari``
    (:func:`adjusted_rand_index`), ``communities`` and ``groups`` (how many of each).

    Notes
    -----
    O(N).

    References
    ----------
    .. [1] Danon, L. et al. (2005). Comparing community structure identification. *J. Stat. Mech.* P09008.
    .. [2] Hubert, L. and Arabie, P. (1985). Comparing partitions. *Journal of Classification* 2, 193-218.

    Examples
    --------
    Partitions that are the same up to names agree fully:

    >>> import networkx as nx
    >>> G = nx.path_graph(4)
    >>> nx.set_node_attributes(G, {0: "X", 1: "X", 2: "Y", 3: "Y"}, "department")
    >>> {name: round(value, 12) for name, value in attribute_agreement(G, {0: 0, 1: 0, 2: 1, 3: 1}).items()}
    {'nmi': 1.0, 'ari': 1.0, 'communities': 2, 'groups': 2}
    """
    if isinstance(communities, Communities):
        communities = communities.membership
    nodes = nodes_of(G)
    found = _membership_codes(communities, nodes)
    labels, groups = group_codes(G, by, nodes)
    return {
        "nmi": normalized_mutual_info(found, groups),
        "ari": adjusted_rand_index(found, groups),
        "communities": int(found.max(initial=-1) + 1),
        "groups": len(labels),
    }


def community_composition(
    communities: Mapping[Hashable, int] | Communities, groups: Mapping[Hashable, Hashable] | pd.Series
) -> pd.DataFrame:
    """Members of each group in each community: the contingency table of communities and an HR attribute.

    ``N[c, g] = |{v : community(v) = c and group(v) = g}|``.

    Parameters
    ----------
    communities : a :class:`Communities` or node -> community id (ints from 0).
    groups : node -> group (a department, a location...); nodes it lacks,
        or whose group is ``None``, NaN or empty, are in the group
        :data:`~orgnet.summary.UNKNOWN`.

    Returns
    -------
    DataFrame indexed by ``community`` (0..c-1) with one column of member
    counts per group, in the order of :func:`orgnet.summary.codes_of`.

    Notes
    -----
    O(N + c k) for ``c`` communities and ``k`` groups. Rows sum to the
    communities' sizes.

    Examples
    --------
    >>> community_composition({"a": 0, "b": 0, "c": 1}, {"a": "Sales", "b": "Legal", "c": "Sales"}).to_dict("index")
    {0: {'Legal': 1, 'Sales': 1}, 1: {'Legal': 0, 'Sales': 1}}
    """
    if isinstance(communities, Communities):
        communities = communities.membership
    nodes = list(communities)
    found = np.fromiter((communities[node] for node in nodes), dtype=np.int64, count=len(nodes))
    labels, codes = codes_of([groups.get(node) for node in nodes])
    c, k = int(found.max(initial=-1) + 1), len(labels)
    counts = np.bincount(found * k + codes, minlength=c * k).reshape(c, k)
    return pd.DataFrame(counts, index=pd.Index(range(c), name="community"), columns=pd.Index(labels, dtype=object))


def label_communities(
    G: PeopleGraph,
    communities: Mapping[Hashable, int] | Communities,
    by: str = "department",
    top: int = 3,
) -> pd.DataFrame:
    """Name each community by the groups that dominate it.

    A community's label lists its ``top`` largest groups with their shares of
    its members, e.g. ``"Sales 80%, Legal 15%"``; ``dominant_share`` is the
    largest group's share (1 for a community inside one group).

    Parameters
    ----------
    G : people graph whose nodes carry ``by``.
    communities : a :class:`Communities` or node -> community id (ints from 0).
    by : node attribute; people without it form the group :data:`~orgnet.summary.UNKNOWN`.
    top : how many groups the label names.

    Returns
    -------
    DataFrame indexed by ``community`` (sorted) with ``size``,
    ``dominant_group``, ``dominant_share``, ``groups`` (number of distinct
    groups among its members) and ``label``.

    Notes
    -----
    O(N + c k) for ``c`` communities and ``k`` groups (see
    :func:`community_composition`). Equal shares are broken by group order.
    A label names every group it shows: the service suppresses a community
    with members in a group it suppresses (:func:`orgnet.access.suppressed_communities`),
    so no label it shows names such a group.

    Examples
    --------
    Three Sales people and one Legal in community 0, one Legal and one person
    without a department in community 1:

    >>> import networkx as nx
    >>> G = nx.Graph()
    >>> G.add_nodes_from([("a", {"department": "Sales"}), ("b", {"department": "Sales"}), ("c", {"department": "Sales"})])
    >>> G.add_nodes_from([("d", {"department": "Legal"}), ("e", {"department": "Legal"}), ("f", {})])
    >>> label_communities(G, {"a": 0, "b": 0, "c": 0, "d": 0, "e": 1, "f": 1}, top=2)["label"].tolist()
    ['Sales 75%, Legal 25%', 'Legal 50%, (unknown) 50%']
    """
    if isinstance(communities, Communities):
        communities = communities.membership
    members = list(communities)
    composition = community_composition(communities, dict(zip(members, node_values(G, by, members))))
    labels, counts = list(composition.columns), composition.to_numpy()
    sizes = counts.sum(axis=1)
    order = np.argsort(-counts, axis=1, kind="stable")
    rows = []
    for community in range(len(counts)):
        size = int(sizes[community])
        named = [j for j in order[community, :top] if counts[community, j] > 0]
        rows.append(
            {
                "size": size,
                "dominant_group": labels[named[0]] if named else None,
                "dominant_share": counts[community, named[0]] / size if named else 0.0,
                "groups": int((counts[community] > 0).sum()),
                "label": ", ".join(f"{labels[j]} {counts[community, j] / size:.0%}" for j in named),
            }
        )
    table = pd.DataFrame(rows, columns=["size", "dominant_group", "dominant_share", "groups", "label"])
    table.index = pd.Index(range(len(counts)), name="community")
    return table


#: NMI at or above which communities are said to follow the groups closely, and below which they cut across them.
FOLLOWS_CLOSELY, CUTS_ACROSS = 0.6, 0.3


def agreement_sentence(nmi: float | None, ari: float | None, by: str = "department") -> str:
    """The formal-against-informal verdict in words: how closely the communities follow the groups of ``by``.

    NMI (:func:`normalized_mutual_info`) decides the verdict: at least :data:`FOLLOWS_CLOSELY` the communities
    follow the groups closely, under :data:`CUTS_ACROSS` they cut across them, partly in between. ARI
    (:func:`adjusted_rand_index`) is quoted beside it: it counts pairs of people placed together in both, so it
    stays low when communities split or merge groups even where NMI is high.

    Parameters
    ----------
    nmi, ari : the agreement of :func:`attribute_agreement`; ``None`` when it is unknown.
    by : the grouping attribute, named in the sentence.

    Returns
    -------
    One sentence, with both values to two decimals.

    Examples
    --------
    >>> agreement_sentence(0.8, 0.57)
    'The communities follow the department lines closely (NMI 0.80, ARI 0.57; 1 would mean each community is one department, 0 no relation): people work mostly inside their department.'
    >>> agreement_sentence(0.1, 0.02, "location")
    'The communities cut across the location lines (NMI 0.10, ARI 0.02; 1 would mean each community is one location, 0 no relation): the real working groups mix locations.'
    """
    if nmi is None or ari is None:
        return f"The communities' agreement with the {by} lines is not known."
    if nmi >= FOLLOWS_CLOSELY:
        verdict, meaning = "follow the {by} lines closely", f"people work mostly inside their {by}"
    elif nmi >= CUTS_ACROSS:
        verdict, meaning = "partly follow the {by} lines", f"much of the real collaboration crosses {by} lines"
    else:
        verdict, meaning = "cut across the {by} lines", f"the real working groups mix {by}s"
    return (
        f"The communities {verdict.format(by=by)} (NMI {nmi:.2f}, ARI {ari:.2f}; 1 would mean each community is one {by}, "
        f"0 no relation): {meaning}."
    )


def top_connectors(membership: Mapping[K, int], score: Mapping[K, float | None], top: int = 3) -> dict[int, list[K]]:
    """The ``top`` members of each community with the highest ``score`` (betweenness: who connects it most).

    Parameters
    ----------
    membership : node -> community id.
    score : node -> score; nodes it lacks (or with a missing score) come last.
    top : how many per community.

    Returns
    -------
    community id -> its members, best first; equal scores in node order. Every community of ``membership`` is a key.

    Notes
    -----
    O(N log N) (one sort of every member).

    Examples
    --------
    >>> top_connectors({"a": 0, "b": 0, "c": 1, "d": 0}, {"a": 0.1, "b": 0.5, "c": 0.0}, top=2)
    {0: ['b', 'a'], 1: ['c']}
    """
    nodes = list(membership)
    table = pd.DataFrame(
        {
            "node": pd.Series(nodes, dtype=object),
            "community": np.fromiter((membership[v] for v in nodes), dtype=np.int64, count=len(nodes)),
            "score": pd.Series([score.get(v) for v in nodes], dtype=float),
        }
    )
    ranked = table.sort_values(["community", "score"], ascending=[True, False], kind="stable", na_position="last")
    best = ranked.groupby("community", sort=True).head(top)
    found: dict[int, list[K]] = {int(c): [] for c in np.unique(table["community"])}
    for community, members in best.groupby("community", sort=True)["node"]:
        found[int(community)] = list(members)
    return found
