"""Network summary and group matrix: hand-computed figures on a six-person org and NetworkX as the oracle."""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from orgnet.engine import index_edges, index_graph
from orgnet.graph import people_graph, tie_edges
from orgnet.model import PERSON_COLUMNS, TIE_COLUMNS
from orgnet.summary import UNKNOWN, group_codes, group_matrix, network_summary

# The six-person org used across the summary and silo tests.
#
#   A (Engineering) manages B, C (Engineering) and D (Sales); D manages E (Sales).
#   F has no department: the "(unknown)" group.
#
#   tie      weight count  groups
#   A -> B   2      2      Eng -> Eng
#   B -> A   1      1      Eng -> Eng
#   B -> C   3      1      Eng -> Eng
#   C -> A   1      1      Eng -> Eng
#   C -> D   1      1      Eng -> Sales
#   D -> E   4      1      Sales -> Sales
#   E -> D   1      1      Sales -> Sales
#   F -> E   2      1      (unknown) -> Sales
PEOPLE = [
    ("A", "Engineering", None, "Paris"),
    ("B", "Engineering", "A", "Paris"),
    ("C", "Engineering", "A", "Lyon"),
    ("D", "Sales", "A", "Lyon"),
    ("E", "Sales", "D", None),
    ("F", None, None, "Paris"),
]
TIES = [
    ("A", "B", 2.0, 2),
    ("B", "A", 1.0, 1),
    ("B", "C", 3.0, 1),
    ("C", "A", 1.0, 1),
    ("C", "D", 1.0, 1),
    ("D", "E", 4.0, 1),
    ("E", "D", 1.0, 1),
    ("F", "E", 2.0, 1),
]


def org_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    people = pd.DataFrame(
        [{**dict.fromkeys(PERSON_COLUMNS), "person_id": p, "department": d, "manager_id": m, "location": loc} for p, d, m, loc in PEOPLE]
    ).astype(object)
    people = people.where(people.notna(), None)
    stamp = pd.Timestamp("2026-05-04T09:00:00Z")
    ties = pd.DataFrame(
        [
            {
                "source": s,
                "target": t,
                "period": "2026-05",
                "channel": "email",
                "count": c,
                "weight": w,
                "first_seen": stamp,
                "last_seen": stamp,
            }
            for s, t, w, c in TIES
        ],
        columns=TIE_COLUMNS,
    )
    return people, ties


def org_graph() -> nx.DiGraph:
    people, ties = org_tables()
    return people_graph(ties, people)


def test_group_codes_put_people_without_the_attribute_in_an_explicit_unknown_group():
    G = org_graph()
    labels, codes = group_codes(G, "department", list("ABCDEF"))
    assert labels == ["Engineering", "Sales", UNKNOWN]
    assert codes.tolist() == [0, 0, 0, 1, 1, 2]
    labels, codes = group_codes(G, "location", list("ABCDEF"))
    assert labels == ["Lyon", "Paris", UNKNOWN]
    assert codes.tolist() == [1, 1, 0, 0, 2, 1]
    # An attribute nobody has: everyone is unknown, nobody is dropped.
    assert group_codes(G, "level") == ([UNKNOWN], pytest.approx(np.zeros(6)))


def test_network_summary_of_the_hand_made_org():
    summary = network_summary(org_graph())
    assert summary.people == 6 and summary.people_with_ties == 6
    assert summary.ties == 8 and summary.total_weight == 15.0
    assert summary.density == pytest.approx(8 / 30)
    # A<->B and D<->E are reciprocated: 4 of 8 ties.
    assert summary.reciprocity == pytest.approx(0.5)
    # Undirected: triangle A-B-C, then the path C-D-E-F. Local clustering A 1, B 1, C 1/3, others 0.
    assert summary.average_clustering == pytest.approx((1 + 1 + 1 / 3) / 6)
    # One triangle; connected triplets centred on A 1, B 1, C 3, D 1, E 1.
    assert summary.transitivity == pytest.approx(3 / 7)
    assert summary.weak_components == 1 and summary.largest_weak_share == 1.0
    # Strong components {A, B, C}, {D, E}, {F}.
    assert summary.strong_components == 3 and summary.largest_strong_share == 0.5

    groups = summary.groups
    assert groups.index.tolist() == ["Engineering", "Sales", UNKNOWN]
    assert groups["size"].tolist() == [3, 2, 1]
    assert groups["ties_out"].tolist() == [5, 2, 1]
    assert groups["ties_in"].tolist() == [4, 4, 0]
    assert groups["internal_ties"].tolist() == [4, 2, 0]
    # Eng: C->D; Sales: C->D and F->E; unknown: F->E.
    assert groups["external_ties"].tolist() == [1, 2, 1]
    assert groups["external_share"].tolist() == pytest.approx([0.2, 0.5, 1.0])
    assert groups["internal_share"].tolist() == pytest.approx([0.8, 0.5, 0.0])
    assert groups["internal_weight"].tolist() == pytest.approx([7, 5, 0])
    assert groups["external_weight"].tolist() == pytest.approx([1, 3, 2])
    assert groups["external_weight_share"].tolist() == pytest.approx([1 / 8, 3 / 8, 1.0])

    record = json.loads(json.dumps(summary.to_dict()))
    assert record["ties"] == 8 and record["groups"][2] == {**record["groups"][2], "group": UNKNOWN, "size": 1}


def test_components_are_counted_whatever_numbers_the_engine_labels_them_with():
    from orgnet.kernels import LocalKernels

    class NodeIdLabels(LocalKernels):
        """Labels each component by a large node id, as GDS's WCC does."""

        def weak_components(self) -> np.ndarray:
            return super().weak_components() * 10 + 3

    G = org_graph()
    G.add_edge("X", "Y", weight=1.0, count=1)  # a second component of two
    summary = network_summary(G, kernels=NodeIdLabels(G))
    assert summary.weak_components == 2 == nx.number_weakly_connected_components(G)
    assert summary.largest_weak_share == pytest.approx(6 / 8)


def test_group_matrix_by_ties_weight_and_interactions():
    G = org_graph()
    labels = ["Engineering", "Sales", UNKNOWN]
    ties = group_matrix(G, "department")
    assert ties.index.tolist() == labels and ties.columns.tolist() == labels
    assert ties.to_numpy().tolist() == [[4, 1, 0], [0, 2, 0], [0, 1, 0]]
    weight = group_matrix(G, "department", value="weight")
    assert weight.to_numpy().tolist() == [[7.0, 1.0, 0.0], [0.0, 5.0, 0.0], [0.0, 2.0, 0.0]]
    # A -> B carries 2 interactions.
    count = group_matrix(G, "department", value="count")
    assert count.to_numpy().tolist() == [[5, 1, 0], [0, 2, 0], [0, 1, 0]]
    with pytest.raises(ValueError):
        group_matrix(G, value="people")


def test_a_precomputed_index_in_another_node_order_gives_the_same_answers():
    people, ties = org_tables()
    G = people_graph(ties, people)
    reversed_nodes = list(reversed(list(G)))
    indexed = index_edges(tie_edges(ties), nodes=reversed_nodes)
    fast, plain = network_summary(G, indexed=indexed).to_dict(), network_summary(G).to_dict()
    assert fast.pop("groups") == plain.pop("groups")
    assert fast.pop("by") == plain.pop("by")
    assert fast == pytest.approx(plain)
    pd.testing.assert_frame_equal(group_matrix(G, value="count", indexed=indexed), group_matrix(G, value="count"))
    with pytest.raises(ValueError):
        network_summary(G, indexed=index_graph(nx.path_graph(3, create_using=nx.DiGraph)))


def random_people_graph(seed: int) -> nx.DiGraph:
    G = nx.gnp_random_graph(80, 0.04, directed=True, seed=seed)
    G.add_nodes_from(range(80, 85))  # isolated people
    rng = np.random.default_rng(seed)
    for u, v in G.edges:
        G[u][v]["weight"] = float(rng.integers(1, 5))
    for node in G:
        if node % 7:
            G.nodes[node]["department"] = f"D{node % 4}"
    return G


@pytest.mark.parametrize("seed", [1, 2])
def test_network_summary_agrees_with_networkx(seed):
    G = random_people_graph(seed)
    summary = network_summary(G)
    undirected = G.to_undirected()
    assert summary.people == G.number_of_nodes() and summary.ties == G.number_of_edges()
    assert summary.people_with_ties == sum(1 for node in G if G.degree(node) > 0)
    assert summary.total_weight == pytest.approx(G.size(weight="weight"))
    assert summary.density == pytest.approx(nx.density(G))
    assert summary.reciprocity == pytest.approx(nx.overall_reciprocity(G))
    assert summary.average_clustering == pytest.approx(nx.average_clustering(undirected))
    assert summary.transitivity == pytest.approx(nx.transitivity(undirected))
    weak = list(nx.weakly_connected_components(G))
    strong = list(nx.strongly_connected_components(G))
    assert summary.weak_components == len(weak)
    assert summary.strong_components == len(strong)
    assert summary.largest_weak_share == pytest.approx(max(map(len, weak)) / len(G))
    assert summary.largest_strong_share == pytest.approx(max(map(len, strong)) / len(G))
    # Every person is in exactly one group, the unknown one included.
    assert summary.groups["size"].sum() == len(G)
    assert summary.groups.loc[UNKNOWN, "size"] == sum(1 for node in G if node % 7 == 0)

    matrix = group_matrix(G, value="weight")
    group = {node: G.nodes[node].get("department", UNKNOWN) for node in G}
    for a in matrix.index:
        for b in matrix.columns:
            expected = sum(w for u, v, w in G.edges(data="weight") if group[u] == a and group[v] == b)
            assert matrix.loc[a, b] == pytest.approx(expected)


def test_summary_of_graphs_without_ties():
    empty = network_summary(nx.DiGraph())
    assert empty.people == 0 and empty.ties == 0 and empty.density == 0.0 and empty.groups.empty
    lonely = nx.DiGraph()
    lonely.add_nodes_from([("a", {"department": "X"}), ("b", {})])
    summary = network_summary(lonely)
    assert summary.ties == 0 and summary.reciprocity == 0.0 and summary.average_clustering == 0.0
    assert summary.weak_components == 2 and summary.largest_weak_share == 0.5
    assert summary.groups["external_share"].tolist() == [0.0, 0.0]
    assert group_matrix(lonely).to_numpy().tolist() == [[0, 0], [0, 0]]


def test_reciprocity_counts_a_self_loop_as_its_own_reverse():
    # a <-> b, a -> c, c -> c: the two ties of a <-> b and the loop are reciprocated, 3 of 4.
    G = nx.DiGraph([("a", "b"), ("b", "a"), ("a", "c"), ("c", "c")])
    nx.set_edge_attributes(G, 1.0, "weight")
    assert network_summary(G).reciprocity == pytest.approx(3 / 4)


def test_reciprocity_of_repeated_edges_matches_them_one_by_one():
    # a -> b twice and b -> a once: every one of the three edges has its reverse.
    repeated = index_edges(pd.DataFrame({"source": ["a", "a", "b", "a"], "target": ["b", "b", "a", "c"], "weight": 1.0}))
    assert network_summary(repeated).reciprocity == pytest.approx(3 / 4)
