"""Layouts: determinism, finite positions for everyone, groups kept apart, group edges summed by hand."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from orgnet.layout import ISOLATED, group_edges, group_labels, group_layout, person_layout
from orgnet.summary import UNKNOWN


def planted(sizes=(30, 40, 50), p_in=0.3, p_out=0.01, seed=1) -> nx.Graph:
    """Stochastic block model whose blocks are the departments D0, D1..., plus one isolated person in D0."""
    k = len(sizes)
    probabilities = [[p_in if i == j else p_out for j in range(k)] for i in range(k)]
    G = nx.stochastic_block_model(list(sizes), probabilities, seed=seed)
    for node, block in G.nodes(data="block"):
        G.nodes[node]["department"] = f"D{block}"
    G.add_node("loner", department="D0")
    return G


def tiny() -> nx.DiGraph:
    """Five people in three departments (one person without a department)."""
    G = nx.DiGraph()
    G.add_nodes_from(
        [("a", {"department": "X"}), ("b", {"department": "X"}), ("c", {"department": "Y"}), ("d", {"department": "Z"}), ("e", {})]
    )
    G.add_edge("a", "b", weight=5.0, count=5)
    G.add_edge("a", "c", weight=2.0, count=3)
    G.add_edge("c", "a", weight=1.5, count=1)
    G.add_edge("b", "c", weight=1.0, count=1)
    G.add_edge("d", "c", weight=4.0, count=2)
    G.add_edge("e", "a", weight=0.5, count=1)
    return G


@pytest.mark.parametrize("method", ["fr", "groups"])
def test_same_seed_same_layout(method):
    G = planted()
    first = person_layout(G, seed=7, method=method)
    second = person_layout(G, seed=7, method=method)
    assert first.equals(second)
    assert not first.equals(person_layout(G, seed=8, method=method))


@pytest.mark.parametrize("method", ["fr", "groups"])
def test_everyone_gets_finite_coordinates(method):
    G = planted()
    layout = person_layout(G, method=method)
    assert list(layout.columns) == ["person_id", "x", "y"]
    assert set(layout["person_id"]) == set(G)
    assert len(layout) == G.number_of_nodes()
    assert np.isfinite(layout[["x", "y"]].to_numpy()).all()
    # The isolated person is placed, and not on top of someone else.
    xy = layout.set_index("person_id")[["x", "y"]]
    others = xy.drop(index="loner").to_numpy()
    assert np.min(np.hypot(*(others - xy.loc["loner"].to_numpy()).T)) > 0


def test_graph_without_ties_and_empty_graph():
    G = nx.Graph()
    assert person_layout(G).empty
    G.add_nodes_from(range(5))
    layout = person_layout(G, method="groups", by=None)
    assert len(layout) == 5 and np.isfinite(layout[["x", "y"]].to_numpy()).all()
    assert len({(round(x, 6), round(y, 6)) for x, y in zip(layout["x"], layout["y"])}) == 5


def test_members_are_closest_to_their_own_group_centre():
    G = planted(sizes=(30, 40, 50, 60))
    layout = person_layout(G, seed=3, method="groups").set_index("person_id")
    centres = group_layout(G, seed=3).set_index("group")
    groups = group_labels(G)
    for person, (x, y) in layout[["x", "y"]].iterrows():
        distance = np.hypot(centres["x"] - x, centres["y"] - y)
        assert distance.idxmin() == groups[person]


def test_group_layout_sizes_and_internal_weight():
    G = tiny()
    table = group_layout(G).set_index("group")
    assert list(table.index) == ["X", "Y", "Z", UNKNOWN]
    assert table["size"].to_dict() == {"X": 2, "Y": 1, "Z": 1, UNKNOWN: 1}
    assert table.loc["X", "internal_weight"] == pytest.approx(5.0)
    assert table.loc["Y", "internal_weight"] == 0.0
    assert np.isfinite(table[["x", "y"]].to_numpy()).all()


def test_group_edges_sum_the_cross_group_ties_by_hand():
    G = tiny()
    merged = group_edges(G).set_index(["source_group", "target_group"])
    # X-Y: a->c 2.0, c->a 1.5, b->c 1.0; Y-Z: d->c 4.0; X-unknown: e->a 0.5. a->b stays inside X.
    assert merged["weight"].to_dict() == pytest.approx({("X", "Y"): 4.5, ("Y", "Z"): 4.0, ("X", UNKNOWN): 0.5})
    assert merged.loc[("X", "Y"), "ties"] == 3
    assert merged.loc[("X", "Y"), "count"] == 5
    cross = sum(w for u, v, w in G.edges(data="weight") if G.nodes[u].get("department") != G.nodes[v].get("department"))
    assert merged["weight"].sum() == pytest.approx(cross)

    directed = group_edges(G, directed=True).set_index(["source_group", "target_group"])
    assert directed.loc[("X", "Y"), "weight"] == pytest.approx(3.0)
    assert directed.loc[("Y", "X"), "weight"] == pytest.approx(1.5)
    assert directed.loc[("Z", "Y"), "weight"] == pytest.approx(4.0)
    assert directed["weight"].sum() == pytest.approx(cross)


def test_groups_from_a_mapping_or_from_communities():
    G = planted(sizes=(20, 20))
    mapping = {node: ("left" if node in range(20) else "right") for node in G if node != "loner"}
    table = group_layout(G, by=mapping).set_index("group")
    assert table["size"].to_dict() == {"left": 20, "right": 20, UNKNOWN: 1}

    communities = group_labels(G, by=None)
    assert communities["loner"] == ISOLATED
    assert len(set(communities.values())) >= 3
    layout = person_layout(G, method="groups", by=None)
    assert np.isfinite(layout[["x", "y"]].to_numpy()).all()


def test_group_discs_never_overlap_even_for_unequal_groups():
    G = planted(sizes=(5, 200, 40, 40, 3), p_in=0.2, p_out=0.02)
    table = group_layout(G, seed=5)
    xy, radius = table[["x", "y"]].to_numpy(), np.sqrt(table["size"].to_numpy(dtype=float))
    for i in range(len(table)):
        for j in range(i + 1, len(table)):
            assert np.hypot(*(xy[i] - xy[j])) >= radius[i] + radius[j]
    layout = person_layout(G, seed=5, method="groups").set_index("person_id")
    centres = table.set_index("group")
    groups = group_labels(G)
    for person, (x, y) in layout[["x", "y"]].iterrows():
        g = groups[person]
        assert np.hypot(x - centres.loc[g, "x"], y - centres.loc[g, "y"]) <= np.sqrt(centres.loc[g, "size"]) + 1e-9
