"""Single points of failure: articulation points and bridges against NetworkX, cross-group carriers by hand."""

from __future__ import annotations

import random

import networkx as nx
import pandas as pd
import pytest

from orgnet.fragility import CARRIER_COLUMNS, articulation_points, bridges, cross_group_carriers, fragility


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("seed", range(5))
def test_articulation_points_and_bridges_equal_networkx(directed, seed):
    graph = nx.gnm_random_graph(80, 95, seed=seed, directed=directed)
    graph.add_edge(3, 3)
    undirected = nx.Graph(graph.to_undirected())
    undirected.remove_edges_from(nx.selfloop_edges(undirected))
    assert set(articulation_points(graph)) == set(nx.articulation_points(undirected))
    assert {frozenset(edge) for edge in bridges(graph)} == {frozenset(edge) for edge in nx.bridges(undirected)}


def test_reciprocated_tie_is_still_a_bridge():
    graph = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c")])
    assert bridges(graph) == [("a", "b"), ("b", "c")]
    assert articulation_points(graph) == ["b"]


def two_departments() -> nx.DiGraph:
    """Sales and Legal, five people each, fully tied inside; Sales' s0 carries almost every tie to Legal."""
    graph = nx.DiGraph()
    for prefix, department in (("s", "Sales"), ("l", "Legal")):
        people = [f"{prefix}{i}" for i in range(5)]
        graph.add_nodes_from(people, department=department)
        graph.add_edges_from(((a, b) for a in people for b in people if a != b), weight=1.0)
    graph.add_edge("s0", "l0", weight=3.0)
    graph.add_edge("s0", "l1", weight=1.0)
    graph.add_edge("l2", "s0", weight=1.0)
    return graph


def test_one_person_bridging_two_departments_is_fragile():
    graph = two_departments()
    result = fragility(graph)
    assert result.articulation_points == ["s0"]
    assert result.bridges == []
    frame = result.carriers
    assert list(frame.columns) == CARRIER_COLUMNS
    row = frame.iloc[0]
    assert (row["group_a"], row["group_b"]) == ("Legal", "Sales")
    assert row["ties"] == 3 and row["weight"] == 5.0 and row["people"] == 4
    assert row["top_carriers"] == ["s0", "l0", "l1"]
    assert row["top_shares"] == pytest.approx([1.0, 0.6, 0.2])
    assert row["carriers"] == 1 and row["carrier_ids"] == ["s0"]
    assert bool(row["fragile"])
    assert len(result.fragile_pairs) == 1


def test_spread_out_link_is_not_fragile():
    graph = two_departments()
    graph.remove_edges_from([("s0", "l0"), ("s0", "l1"), ("l2", "s0")])
    # Five disjoint ties of equal weight: any carrier covers 1/5, so 4 are needed for 80 %.
    graph.add_edges_from(((f"s{i}", f"l{i}") for i in range(5)), weight=1.0)
    row = cross_group_carriers(graph).iloc[0]
    assert row["carriers"] == 4
    assert not row["fragile"]
    assert cross_group_carriers(graph, share=0.4).iloc[0]["carriers"] == 2
    assert bool(cross_group_carriers(graph, share=0.4).iloc[0]["fragile"])
    assert pd.isna(cross_group_carriers(graph, limit=3).iloc[0]["carriers"])


def test_greedy_covers_the_union_not_the_sum_of_shares():
    graph = nx.Graph()
    graph.add_nodes_from(["a1", "a2", "a3"], department="A")
    graph.add_nodes_from(["b1", "b2", "b3"], department="B")
    # a1-b1 carries half; their shares sum to 1 but together they carry only 50 %.
    graph.add_weighted_edges_from([("a1", "b1", 2.0), ("a2", "b2", 1.0), ("a3", "b3", 1.0)])
    row = cross_group_carriers(graph).iloc[0]
    assert row["carriers"] == 3
    assert not row["fragile"]


def test_pairs_with_the_unknown_group_are_optional():
    graph = two_departments()
    graph.add_node("x")
    graph.add_edge("x", "s1", weight=1.0)
    assert len(cross_group_carriers(graph)) == 1
    assert set(cross_group_carriers(graph, include_unknown=True)["group_b"]) == {"Sales", "(unknown)"}


def test_carriers_by_brute_force_on_random_graphs():
    rng = random.Random(1)
    for seed in range(5):
        graph = nx.gnm_random_graph(30, 60, seed=seed, directed=True)
        groups = {node: rng.choice("ABC") for node in graph}
        for u, v in graph.edges:
            graph[u][v]["weight"] = rng.uniform(0.5, 2.0)
        frame = cross_group_carriers(graph, by=groups, limit=100)
        for row in frame.itertuples():
            cross = [(u, v, d["weight"]) for u, v, d in graph.edges(data=True) if {groups[u], groups[v]} == {row.group_a, row.group_b}]
            total = sum(w for _, _, w in cross)
            assert row.ties == len(cross) and row.weight == pytest.approx(total)
            # The chosen carriers cover >= 80 %, and one fewer of them would not.
            chosen = set(row.carrier_ids)
            assert len(chosen) == row.carriers
            assert sum(w for u, v, w in cross if u in chosen or v in chosen) >= 0.8 * total - 1e-9
            fewer = set(row.carrier_ids[:-1])
            assert sum(w for u, v, w in cross if u in fewer or v in fewer) < 0.8 * total
            shares = {}
            for u, v, w in cross:
                shares[u] = shares.get(u, 0) + w / total
                shares[v] = shares.get(v, 0) + w / total
            assert row.top_shares == pytest.approx(sorted(shares.values(), reverse=True)[:3])


def test_no_cross_ties_gives_an_empty_table():
    graph = nx.path_graph(4)
    nx.set_node_attributes(graph, "Sales", "department")
    frame = cross_group_carriers(graph)
    assert frame.empty and list(frame.columns) == CARRIER_COLUMNS
