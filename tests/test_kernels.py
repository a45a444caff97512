"""orgnet.kernels: the local engine's kernels against NetworkX, and the seam the jobs take them through."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from orgnet.advocates import advocates
from orgnet.engine import index_graph
from orgnet.kernels import LocalKernels, kernels_of


@pytest.fixture
def kite() -> nx.DiGraph:
    """The Krackhardt kite, each tie both ways, with a weighted tail and an isolated person."""
    G = nx.krackhardt_kite_graph().to_directed()
    nx.set_edge_attributes(G, {edge: 1.0 + (sum(edge) % 3) for edge in G.edges}, "weight")
    G.add_node(10)
    return G


def test_local_kernels_are_networkx_answers_in_node_order(kite):
    kernels = LocalKernels(kite)
    nodes = kernels.indexed.nodes
    simple = nx.Graph(kite.to_undirected())
    assert [nodes[i] for i in kernels.articulation_points()] == sorted(nx.articulation_points(simple))
    assert {frozenset((nodes[u], nodes[v])) for u, v in kernels.bridges()} == {frozenset(pair) for pair in nx.bridges(simple)}
    assert kernels.local_clustering() == pytest.approx([nx.clustering(simple)[v] for v in nodes])
    assert kernels.transitivity() == pytest.approx(nx.transitivity(simple))
    labels = kernels.weak_components()
    assert {frozenset(np.asarray(nodes)[labels == c]) for c in set(labels)} == {frozenset(c) for c in nx.weakly_connected_components(kite)}
    pagerank = nx.pagerank(kite, weight="weight", tol=1e-12)
    assert kernels.pagerank() == pytest.approx([pagerank[v] for v in nodes], abs=1e-6)


def test_a_job_function_uses_the_kernels_it_is_given(kite):
    unweighted = LocalKernels(kite, weight=None)
    table = advocates(kite, kernels=unweighted).set_index("person_id")
    pagerank = nx.pagerank(kite, weight=None, tol=1e-12)
    assert table["pagerank"].to_dict() == pytest.approx(pagerank, abs=1e-6)
    # Without them, the tie weights count (as nx.pagerank with weight="weight").
    weighted = advocates(kite).set_index("person_id")["pagerank"].to_dict()
    assert weighted == pytest.approx(nx.pagerank(kite, weight="weight", tol=1e-12), abs=1e-6) and weighted != pytest.approx(
        pagerank, abs=1e-6
    )


def test_kernels_of_another_node_order_are_refused(kite):
    kernels = LocalKernels(kite)
    backwards = nx.DiGraph()
    backwards.add_nodes_from(sorted(kite, reverse=True))
    backwards.add_edges_from(kite.edges(data=True))
    reordered = index_graph(backwards)
    assert kernels_of(kite, kernels.indexed, kernels) is kernels
    with pytest.raises(ValueError, match="number the people differently"):
        kernels_of(kite, reordered, kernels)
