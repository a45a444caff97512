"""Fast engines behind the analytics: igraph and SciPy sparse views of a NetworkX graph.

NetworkX stays the API and the reference oracle; the hot kernels of large
graphs (PageRank, Leiden, betweenness, constraint) run on these views, which
are built once per graph in O(N + E).

An :class:`IndexedGraph` with the people's attributes and the tie counts
(as a snapshot's is, :func:`orgnet.analysis.snapshot_from_tables`) stands in
for the NetworkX graph: every analytics function takes either
(:data:`PeopleGraph`) and reads a graph only through :func:`node_values`,
:func:`has_attribute`, :func:`tie_counts` and
:func:`orgnet.summary.indexed_of`, so the jobs run without NetworkX and
library users keep its API.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain, permutations
from typing import TYPE_CHECKING, Any, TypeAlias

import igraph as ig
import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

__all__ = [
    "IndexedGraph",
    "PeopleGraph",
    "Triangles",
    "has_attribute",
    "igraph_of_edges",
    "index_edges",
    "index_graph",
    "node_values",
    "nodes_of",
    "tie_counts",
    "undirected_edges",
    "unique_keys",
]


@dataclass(frozen=True)
class Triangles:
    """Every triangle of a graph's undirected tie pattern, located in that pattern's CSR arrays.

    Attributes
    ----------
    pattern : symmetric 0/1 CSR matrix of the ties (either direction), without
        self-loops, with sorted indices.
    positions : dict ``(u, v) -> array``: for each triangle, numbered corners
        0, 1, 2, the position in ``pattern.data`` of the entry (corner u, corner v).
    """

    pattern: sp.csr_matrix
    positions: dict[tuple[int, int], np.ndarray]

    def __len__(self) -> int:
        return len(self.positions[0, 1])

    @cached_property
    def _pattern_keys(self) -> np.ndarray:
        """``row * n + column`` of every entry of :attr:`pattern`, sorted (it is canonical CSR)."""
        return _entry_keys(self.pattern)

    def _positions_of(self, matrix: sp.csr_matrix) -> np.ndarray:
        """Position in ``pattern`` of every stored entry of ``matrix`` (canonical CSR, pattern a subset)."""
        pattern = self.pattern
        # Matrices built from the pattern's own arrays (mutual weights) skip the search.
        if np.array_equal(matrix.indptr, pattern.indptr) and np.array_equal(matrix.indices, pattern.indices):
            return np.arange(pattern.nnz)
        keys, wanted = self._pattern_keys, _entry_keys(matrix)
        position = np.searchsorted(keys, wanted)
        if np.any(position >= len(keys)) or not np.array_equal(keys[position], wanted):
            raise ValueError("matrix has entries outside the tie pattern")
        return position

    def masked_product(self, X: sp.csr_matrix, Y: sp.csr_matrix, mask: sp.csr_matrix) -> np.ndarray:
        """``(X @ Y)[i, j]`` at every stored entry of ``mask``, in ``mask``'s CSR order.

        ``X``, ``Y`` and ``mask`` are canonical CSR matrices (sorted indices,
        no duplicates) whose entries lie in the tie pattern. Then a term
        ``X[i, q] Y[q, j]`` at a mask entry ``(i, j)`` needs ties i-q, q-j
        and i-j between three distinct people (the pattern has no self-loops):
        a triangle. So the product is a sum over the triangles, six terms each,
        in O(T + E) instead of the O(sum of squared degrees) of ``X @ Y``.
        """
        return self.masked_products([(X, Y)], mask)[0]

    def masked_products(self, pairs: Sequence[tuple[sp.csr_matrix, sp.csr_matrix]], mask: sp.csr_matrix) -> list[np.ndarray]:
        """:meth:`masked_product` of each ``(X, Y)`` of ``pairs`` at ``mask``, each matrix located in the pattern once."""
        # By identity: the matrices live as long as this call, and one often serves as X, Y or mask at once.
        positions: dict[int, np.ndarray] = {}
        values: dict[int, np.ndarray] = {}

        def located(matrix: sp.csr_matrix) -> np.ndarray:
            if id(matrix) not in positions:
                positions[id(matrix)] = self._positions_of(matrix)
            return positions[id(matrix)]

        def on_pattern(matrix: sp.csr_matrix) -> np.ndarray:
            if id(matrix) not in values:
                values[id(matrix)] = np.zeros(self.pattern.nnz)
                values[id(matrix)][located(matrix)] = matrix.data
            return values[id(matrix)]

        at = located(mask)
        found = []
        for X, Y in pairs:
            x, y = on_pattern(X), on_pattern(Y)
            product = np.zeros(self.pattern.nnz)
            for u, w, v in permutations(range(3)):
                ends = self.positions[u, v]
                product += np.bincount(ends, weights=x[self.positions[u, w]] * y[self.positions[w, v]], minlength=len(product))
            found.append(product[at])
        return found


def igraph_of_edges(n: int, sources: np.ndarray, targets: np.ndarray, directed: bool, **attributes: np.ndarray) -> ig.Graph:
    """An ``igraph.Graph`` on nodes ``0..n-1`` with edges ``sources[i] -> targets[i]``.

    Parameters
    ----------
    n : number of nodes.
    sources, targets : integer arrays of edge ends (equal lengths).
    directed : whether the graph is directed.
    **attributes : edge attribute name -> array of one value per edge.

    Returns
    -------
    The graph, its edges numbered in the order given.

    Notes
    -----
    The one place orgnet hands edge arrays to igraph: pairs of Python ints fed
    to ``add_edges`` load about 1.7x faster than an ``(E, 2)`` NumPy array
    (0.33 s against 0.57 s for 845k edges).
    """
    graph = ig.Graph(n=n, directed=directed)
    graph.add_edges(zip(sources.tolist(), targets.tolist()))
    for name, values in attributes.items():
        graph.es[name] = values.tolist()
    return graph


def unique_keys(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an integer array, as ``np.unique(keys)``.

    Sort-based: NumPy 2's hash-based ``np.unique`` (without ``return_inverse``)
    takes seconds on a million int64 pair keys that ``np.sort`` orders in 20 ms.
    """
    keys = np.sort(keys)
    return keys[np.concatenate([[True], keys[1:] != keys[:-1]])] if len(keys) else keys


def undirected_edges(indexed: IndexedGraph, weighted: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each unordered pair of tied nodes once: the undirected edge list of ``indexed``.

    Parameters
    ----------
    indexed : the graph, directed or not.
    weighted : sum the weights of the pair's edges (both directions); else every pair weighs 1.

    Returns
    -------
    rows, cols : int64 node indices of each pair, ``rows < cols``, sorted by ``(rows, cols)``.
    weights : float64 weight of each pair.

    Notes
    -----
    O(E log E) once per graph: the weighted pairs are :attr:`IndexedGraph.undirected_ties`, shared
    (read-only) by every caller. Self-loops are dropped.
    """
    rows, cols, weights = indexed.undirected_ties
    return rows, cols, weights if weighted else np.ones(len(rows))


def _entry_keys(matrix: sp.csr_matrix) -> np.ndarray:
    """``row * n_cols + column`` of every stored entry: sorted for a canonical CSR matrix."""
    rows = np.repeat(np.arange(matrix.shape[0], dtype=np.int64), np.diff(matrix.indptr))
    return rows * matrix.shape[1] + matrix.indices


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (when it runs) for the block: for bursts of short-lived tuples."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def list_triangles(pattern: sp.csr_matrix, graph: ig.Graph) -> Triangles:
    """Find every triangle of a symmetric 0/1 CSR pattern (no self-loops, sorted indices).

    ``graph`` is the simple undirected igraph of the same ties (nodes numbered
    as the pattern's rows, :attr:`IndexedGraph.undirected_igraph`): igraph
    lists its triangles in C (``list_triangles``, a degree-ordered wedge
    search as Chiba & Nishizeki's 1985, O(E^1.5) at worst). Each triangle's
    corner pairs (0, 1), (0, 2) and (1, 2) are then located in the pattern by
    binary search of its sorted entry keys, and the reversed pairs through the
    pattern's transpose permutation. About 1 s, igraph's graph included, for
    the 870,000 triangles of a 50,000-person, 845,000-tie org, where a NumPy
    wedge search took 1.6-1.9 s; igraph answers with a Python tuple per
    triangle, about 150 bytes each while the list lives.
    """
    n = pattern.shape[0]
    # igraph answers with a tuple per triangle: the collector would scan the growing list again and again.
    with _collector_paused():
        listed = graph.list_triangles()
        corners = np.fromiter(chain.from_iterable(listed), dtype=np.int64, count=3 * len(listed)).reshape(-1, 3)
        del listed
    keys = _entry_keys(pattern)
    # transpose[p]: the position of (j, i) for the entry (i, j) at p (the pattern is symmetric).
    numbered = sp.csr_matrix((np.arange(pattern.nnz, dtype=np.int64), pattern.indices, pattern.indptr), shape=pattern.shape)
    flipped = numbered.T.tocsr()
    flipped.sort_indices()
    transpose = flipped.data
    positions = {}
    for u, v in ((0, 1), (0, 2), (1, 2)):
        wanted = corners[:, u] * n + corners[:, v]
        # igraph lists a corner's triangles together, so the first two searches walk the keys nearly in order;
        # the third's queries are sorted first.
        order = np.arange(len(wanted)) if u == 0 else np.argsort(wanted)
        found = np.empty(len(wanted), dtype=np.int64)
        found[order] = np.searchsorted(keys, wanted[order])
        positions[u, v], positions[v, u] = found, transpose[found]
    return Triangles(pattern, positions)


@dataclass(frozen=True)
class IndexedGraph:
    """A graph's nodes numbered 0..n-1 with array views of its edges.

    Attributes
    ----------
    nodes : node labels, in index order
    index : label -> index
    sources, targets, weights : edge arrays (one entry per edge of the graph;
        an undirected graph lists each edge once)
    directed : whether the edges are directed
    counts : interactions of each edge (the people graph's ``count`` edge
        attribute), ``None`` when not known
    attributes : node attribute table whose row ``i`` describes ``nodes[i]``
        (the people table of a snapshot); nodes past its last row, and
        missing values, have no attribute. ``None``: no attributes known

    Notes
    -----
    With ``attributes`` (and ``counts``) an :class:`IndexedGraph` stands in
    for the NetworkX people graph wherever a function reads a graph
    (:func:`node_values`, :func:`tie_counts`): a snapshot's jobs run on it
    without building NetworkX. Views that several jobs need (:attr:`tie_pattern`, :attr:`triangles`,
    :attr:`undirected_ties`, :attr:`undirected_pairs`, :attr:`undirected_igraph`, :attr:`weighted_igraph`) are built on first
    use and cached on the instance, so a snapshot's jobs share them.
    """

    nodes: list[Hashable]
    index: dict[Hashable, int]
    sources: np.ndarray
    targets: np.ndarray
    weights: np.ndarray
    directed: bool
    counts: np.ndarray | None = field(default=None, compare=False)
    attributes: pd.DataFrame | None = field(default=None, compare=False)

    @cached_property
    def described(self) -> weakref.WeakSet[nx.Graph[Any]]:
        """NetworkX graphs already checked to be the graph these arrays describe (see ``orgnet.summary.indexed_of``)."""
        return weakref.WeakSet()

    @cached_property
    def tie_pattern(self) -> sp.csr_matrix:
        """Symmetric 0/1 CSR matrix of the ties in either direction, self-loops left out, sorted indices."""
        n = len(self.nodes)
        keep = self.sources != self.targets
        sources, targets = self.sources[keep], self.targets[keep]
        ties = sp.csr_matrix((np.ones(len(sources)), (sources, targets)), shape=(n, n))
        # A sparse sum merges duplicates in linear time; np.unique of the keys is ~50x slower here.
        pattern = (ties + ties.T).tocsr()
        pattern.data[:] = 1.0
        pattern.sort_indices()
        return pattern

    @cached_property
    def triangles(self) -> Triangles:
        """:class:`Triangles` of :attr:`tie_pattern`, listed on first use and kept for every job."""
        return list_triangles(self.tie_pattern, self.undirected_igraph)

    @cached_property
    def undirected_ties(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The distinct undirected ties ``(low, high, weight)``, sorted, self-loops left out: read-only arrays.

        ``weight`` sums the pair's edges (both directions), in the order of the edge arrays, as
        ``np.bincount`` of ``np.unique``'s inverse does; one argsort of the pair keys serves both.
        """
        n = max(len(self.nodes), 1)
        low = np.minimum(self.sources, self.targets)
        high = np.maximum(self.sources, self.targets)
        keep = low != high
        keys = low[keep] * n + high[keep]
        order = np.argsort(keys)
        ordered = keys[order]
        starts = np.concatenate([[True], ordered[1:] != ordered[:-1]]) if len(ordered) else np.zeros(0, dtype=bool)
        inverse = np.empty(len(keys), dtype=np.int64)
        inverse[order] = np.cumsum(starts) - 1
        distinct = ordered[starts]
        # bincount of nothing is int64 even with weights: keep the dtype float for empty graphs too.
        weights = np.bincount(inverse, weights=self.weights[keep], minlength=len(distinct)).astype(float, copy=False)
        ties = (distinct // n, distinct % n, weights)
        for array in ties:
            array.setflags(write=False)
        return ties

    @cached_property
    def undirected_pairs(self) -> np.ndarray:
        """``(P, 2)`` array of the distinct undirected ties ``(low, high)``, self-loops left out, sorted."""
        low, high, _ = self.undirected_ties
        return np.column_stack([low, high])

    @cached_property
    def undirected_igraph(self) -> ig.Graph:
        """Simple undirected ``igraph.Graph`` of :attr:`undirected_pairs`, built once and shared (never modify it)."""
        pairs = self.undirected_pairs
        return igraph_of_edges(len(self.nodes), pairs[:, 0], pairs[:, 1], directed=False)

    @cached_property
    def weighted_igraph(self) -> ig.Graph:
        """The same graph as an ``igraph.Graph`` with edge attribute ``weight``, built once and shared (never modify it)."""
        return igraph_of_edges(len(self.nodes), self.sources, self.targets, self.directed, weight=self.weights)

    def adjacency(self, symmetric: bool = False) -> sp.csr_matrix:
        """Weighted adjacency matrix ``A[i, j]`` = weight of i -> j.

        With ``symmetric=True`` a directed graph's two directions are summed
        (``A + A.T``); an undirected graph is always symmetric.
        """
        n = len(self.nodes)
        matrix = sp.csr_matrix((self.weights, (self.sources, self.targets)), shape=(n, n))
        if symmetric or not self.directed:
            matrix = matrix + matrix.T
            if not self.directed:
                # Self-loops are counted once, not twice.
                matrix.setdiag(matrix.diagonal() / 2)
        return matrix.tocsr()


#: What the analytics functions read: a NetworkX people graph, or an :class:`IndexedGraph` carrying its attributes.
PeopleGraph: TypeAlias = "nx.Graph[Any] | IndexedGraph"


def _column(G: IndexedGraph, name: str) -> pd.Series | None:
    attributes = G.attributes
    return None if attributes is None or name not in attributes.columns else attributes[name]


def nodes_of(G: PeopleGraph) -> list[Hashable]:
    """The nodes of ``G`` in its order: ``list(G)`` of a NetworkX graph, an :class:`IndexedGraph`'s :attr:`~IndexedGraph.nodes`."""
    return G.nodes if isinstance(G, IndexedGraph) else list(G)


def has_attribute(G: PeopleGraph, name: str) -> bool:
    """Whether some node of ``G`` carries the attribute ``name`` (a missing value in an attribute table does not count)."""
    if isinstance(G, IndexedGraph):
        column = _column(G, name)
        return column is not None and bool(column.notna().any())
    return any(name in data for _, data in G.nodes(data=True))


def node_values(G: PeopleGraph, name: str, nodes: Sequence[Hashable] | None = None) -> list[Any]:
    """The attribute ``name`` of each of ``nodes`` (default every node of ``G``, in its order), ``None`` where a node has none.

    Parameters
    ----------
    G : a NetworkX graph (node attributes), or an :class:`IndexedGraph` (its :attr:`~IndexedGraph.attributes` table).
    name : the attribute.
    nodes : the nodes to read, in this order.

    Returns
    -------
    list of the values as Python objects, ``None`` for a missing one: what
    ``G.nodes[node].get(name)`` gives on the people graph
    :func:`orgnet.graph.edge_graph` builds from the same table.

    Notes
    -----
    O(N). On an :class:`IndexedGraph` the column is read in one pass, without NetworkX.
    """
    if not isinstance(G, IndexedGraph):
        node_data = G.nodes
        return [node_data[node].get(name) for node in (nodes_of(G) if nodes is None else nodes)]
    column = _column(G, name)
    if column is None:
        values: list[Any] = [None] * len(G.nodes)
    else:
        found = column.tolist()
        values = [None if gone else value for value, gone in zip(found, column.isna().tolist())]
        values += [None] * (len(G.nodes) - len(values))
    if nodes is None or nodes is G.nodes:
        return values
    return [values[G.index[node]] for node in nodes]


def tie_counts(G: PeopleGraph, indexed: IndexedGraph) -> np.ndarray:
    """Interactions of each edge of ``indexed`` (the ``count`` edge attribute, 1 where absent), in its edge order.

    ``G`` is the graph ``indexed`` describes: an :class:`IndexedGraph` gives its
    :attr:`~IndexedGraph.counts`; a NetworkX graph its edge attribute, read edge by edge.
    """
    if isinstance(G, IndexedGraph):
        return np.ones(len(G.sources)) if G.counts is None else G.counts.astype(float)
    lookup, nodes = G.edges, indexed.nodes
    return np.fromiter(
        (lookup[nodes[u], nodes[v]].get("count", 1) for u, v in zip(indexed.sources.tolist(), indexed.targets.tolist())),
        dtype=float,
        count=len(indexed.sources),
    )


def index_graph(graph: nx.Graph[Any], weight: str | None = "weight") -> IndexedGraph:
    """Number the nodes of ``graph`` and collect its edges as arrays.

    Parameters
    ----------
    graph : a NetworkX graph or digraph.
    weight : edge attribute holding the weight; ``None`` (or a missing
        attribute) counts as 1.

    Returns
    -------
    :class:`IndexedGraph`
    """
    nodes = list(graph.nodes())
    index = {node: i for i, node in enumerate(nodes)}
    edges = list(graph.edges(data=weight, default=1.0)) if weight else [(u, v, 1.0) for u, v in graph.edges()]
    sources = np.fromiter((index[u] for u, _, _ in edges), dtype=np.int64, count=len(edges))
    targets = np.fromiter((index[v] for _, v, _ in edges), dtype=np.int64, count=len(edges))
    weights = np.fromiter((float(w) for _, _, w in edges), dtype=float, count=len(edges))
    return IndexedGraph(nodes, index, sources, targets, weights, graph.is_directed())


def index_edges(edges: pd.DataFrame, nodes: list[Hashable] | None = None, directed: bool = True) -> IndexedGraph:
    """Build an :class:`IndexedGraph` straight from an edge table, without NetworkX (vectorised).

    Parameters
    ----------
    edges : DataFrame with ``source``, ``target`` and ``weight`` (as
        :func:`orgnet.graph.tie_edges` returns).
    nodes : every node, in the order to number them (people without ties
        included); defaults to the sorted endpoints of ``edges``.
    directed : whether the edges are directed.

    Returns
    -------
    :class:`IndexedGraph` equal to ``index_graph(people_graph(...))`` up to node order.
    """
    import pandas as pd

    if nodes is None:
        nodes = sorted(set(edges["source"]).union(edges["target"]))
    labels = pd.Index(nodes)
    sources = labels.get_indexer(pd.Index(edges["source"]))
    targets = labels.get_indexer(pd.Index(edges["target"]))
    if (sources < 0).any() or (targets < 0).any():
        raise ValueError("edges name nodes missing from `nodes`")
    return IndexedGraph(
        list(nodes),
        {node: i for i, node in enumerate(nodes)},
        sources.astype(np.int64),
        targets.astype(np.int64),
        edges["weight"].to_numpy(dtype=float),
        directed,
    )
