"""Fast engines behind the analytics: igraph and SciPy sparse views of a NetworkX graph.

NetworkX stays the API and the reference oracle; the hot kernels of large
graphs (PageRank, Leiden, betweenness, constraint) run on these views, which
are built once per graph in O(N + E).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable

import igraph as ig
import networkx as nx
import numpy as np
import scipy.sparse as sp

__all__ = ["IndexedGraph", "index_graph", "index_edges"]


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
    """

    nodes: list[Hashable]
    index: dict[Hashable, int]
    sources: np.ndarray
    targets: np.ndarray
    weights: np.ndarray
    directed: bool

    def igraph(self) -> ig.Graph:
        """The same graph as an ``igraph.Graph`` with edge attribute ``weight``."""
        graph = ig.Graph(n=len(self.nodes), directed=self.directed)
        # add_edges takes the (E, 2) array without building Python tuples: about 10x faster at 800k edges.
        graph.add_edges(np.column_stack([self.sources, self.targets]))
        graph.es["weight"] = self.weights
        return graph

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


def index_graph(graph: nx.Graph, weight: str | None = "weight") -> IndexedGraph:
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


def index_edges(edges: "pd.DataFrame", nodes: list[Hashable] | None = None, directed: bool = True) -> IndexedGraph:
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
    sources = labels.get_indexer(edges["source"])
    targets = labels.get_indexer(edges["target"])
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
