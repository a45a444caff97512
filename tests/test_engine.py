"""The array engine: triangles of the tie pattern and the masked products summed over them."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from orgnet.engine import IndexedGraph, igraph_of_edges, index_graph


def _graph(seed: int) -> nx.DiGraph:
    # Preferential attachment makes hubs, whose many triangles must all be found and located.
    undirected = nx.barabasi_albert_graph(120, 4, seed=seed)
    rng = np.random.default_rng(seed)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(125))  # a few people without ties
    for u, v in undirected.edges():
        direction = rng.integers(3)
        if direction in (0, 2):
            graph.add_edge(u, v, weight=float(rng.integers(1, 9)))
        if direction in (1, 2):
            graph.add_edge(v, u, weight=float(rng.integers(1, 9)))
    graph.add_edge(7, 7, weight=3.0)  # self-loops stay out of the pattern
    return graph


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_triangles_match_networkx(seed):
    graph = _graph(seed)
    triangles = index_graph(graph).triangles
    undirected = nx.Graph(graph.to_undirected())
    undirected.remove_edges_from(nx.selfloop_edges(undirected))
    assert len(triangles) == sum(nx.triangles(undirected).values()) // 3


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_masked_product_equals_sparse_product(seed):
    graph = _graph(seed)
    indexed = index_graph(graph)
    n = len(indexed.nodes)
    keep = indexed.sources != indexed.targets
    A = sp.csr_matrix((indexed.weights[keep], (indexed.sources[keep], indexed.targets[keep])), shape=(n, n))
    A.sort_indices()
    AT = A.T.tocsr()
    AT.sort_indices()
    mutual = (A + AT).tocsr()
    mutual.sort_indices()
    for X, Y, mask in [(A, AT, A), (mutual, mutual, mutual), (AT, A, mutual), (A, A, AT)]:
        expected = np.asarray((X @ Y)[mask.nonzero()]).ravel()
        assert indexed.triangles.masked_product(X, Y, mask) == pytest.approx(expected)


def test_triangles_of_graphs_without_ties():
    graph = nx.DiGraph()
    graph.add_nodes_from("abc")
    indexed = index_graph(graph)
    assert len(indexed.triangles) == 0
    empty = sp.csr_matrix((3, 3))
    assert len(indexed.triangles.masked_product(empty, empty, empty)) == 0


def test_an_indexed_graph_reads_attributes_and_counts_as_the_networkx_graph_gives_them():
    import pandas as pd

    from orgnet.engine import has_attribute, node_values, tie_counts
    from orgnet.graph import edge_graph

    # c has no department, d no level; e is known only from a tie (no row at all).
    people = pd.DataFrame(
        {"person_id": ["a", "b", "c", "d"], "department": ["X", "Y", None, "X"], "level": [3, 4, 5, float("nan")], "blank": [None] * 4}
    )
    edges = pd.DataFrame({"source": ["a", "c", "e"], "target": ["b", "a", "a"], "count": [4, 1, 7], "weight": [2.0, 0.5, 1.0]})
    G = edge_graph(edges, people)
    nodes = list(G)
    index = {node: i for i, node in enumerate(nodes)}
    arrays = IndexedGraph(
        nodes,
        index,
        np.array([index[s] for s in edges["source"]]),
        np.array([index[t] for t in edges["target"]]),
        edges["weight"].to_numpy(),
        True,
        counts=edges["count"].to_numpy(),
        attributes=people.drop(columns="person_id"),
    )
    for name in ("department", "level", "blank", "absent"):
        assert node_values(arrays, name) == node_values(G, name) == [G.nodes[v].get(name) for v in nodes]
        assert node_values(arrays, name, ["e", "b"]) == node_values(G, name, ["e", "b"])
        assert has_attribute(arrays, name) == has_attribute(G, name) == (name in ("department", "level"))
    assert node_values(arrays, "department") == ["X", "Y", None, "X", None]
    assert tie_counts(arrays, arrays).tolist() == tie_counts(G, arrays).tolist() == [4.0, 1.0, 7.0]


def test_igraph_of_edges_keeps_the_edges_their_order_and_attributes():
    graph = igraph_of_edges(4, np.array([2, 0, 3]), np.array([0, 1, 0]), directed=True, weight=np.array([0.5, 2.0, 1.0]))
    assert graph.vcount() == 4 and graph.is_directed()
    assert graph.get_edgelist() == [(2, 0), (0, 1), (3, 0)]
    assert graph.es["weight"] == [0.5, 2.0, 1.0]
    empty = igraph_of_edges(3, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), directed=False, weight=np.zeros(0))
    assert empty.vcount() == 3 and empty.ecount() == 0 and not empty.is_directed()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_undirected_ties_sum_both_directions_like_networkx(seed):
    graph = _graph(seed)
    indexed = index_graph(graph)
    expected = nx.Graph()
    for u, v, weight in graph.edges(data="weight"):
        if u != v:
            previous = expected.get_edge_data(u, v, {"weight": 0.0})["weight"]
            expected.add_edge(u, v, weight=previous + weight)
    low, high, weights = indexed.undirected_ties
    nodes = np.asarray(indexed.nodes)
    found = {(int(min(a, b)), int(max(a, b))): w for a, b, w in zip(nodes[low], nodes[high], weights)}
    assert found == {(min(u, v), max(u, v)): w for u, v, w in expected.edges(data="weight")}
    keys = low * len(nodes) + high
    assert np.all(np.diff(keys) > 0)
    assert np.array_equal(indexed.undirected_pairs, np.column_stack([low, high]))
    with pytest.raises(ValueError):
        weights[0] = 0.0  # shared by every job: nobody may write into it
