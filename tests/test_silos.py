"""Silo metrics and top-down versus side-to-side ties, on the six-person org of test_summary worked out by hand."""

from __future__ import annotations

import json
import math

import networkx as nx
import numpy as np
import pytest
from test_summary import org_graph, random_people_graph

from orgnet.graph import undirected_graph
from orgnet.silos import (
    SILO_COLUMNS,
    SILO_PAIR_COLUMNS,
    conductance,
    ei_index,
    network_ei_index,
    silo_metrics,
    silo_pairs,
    tie_directions,
    vertical_lateral,
)
from orgnet.summary import UNKNOWN

ENG, SALES = "Engineering", "Sales"

# Ties of the org (see test_summary): Eng internal A->B 2, B->A 1, B->C 3, C->A 1;
# C->D 1 (Eng -> Sales); Sales internal D->E 4, E->D 1; F->E 2 (unknown -> Sales).
#
#            I (weight)   E (weight)
#   Eng      4 (7)        1 (1)
#   Sales    2 (5)        2 (3)
#   unknown  0 (0)        1 (2)


def test_ei_index_by_hand():
    G = org_graph()
    assert ei_index(G) == pytest.approx({ENG: (1 - 4) / 5, SALES: 0.0, UNKNOWN: 1.0})
    assert ei_index(G, weight="weight") == pytest.approx({ENG: (1 - 7) / 8, SALES: (3 - 5) / 8, UNKNOWN: 1.0})
    # Two of eight ties cross groups (weights 3 of 15).
    assert network_ei_index(G) == pytest.approx((2 - 6) / 8)
    assert network_ei_index(G, weight="weight") == pytest.approx((3 - 12) / 15)
    with pytest.raises(ValueError):
        ei_index(G, weight="count")


def test_conductance_by_hand():
    G = org_graph()
    # Weighted: vol(V) = 2 * 15 = 30. Eng vol = 2*7 + 1 = 15 -> 1/15; Sales 2*5 + 3 = 13 -> 3/13; unknown 2 -> 2/2.
    assert conductance(G) == pytest.approx({ENG: 1 / 15, SALES: 3 / 13, UNKNOWN: 1.0})
    # Ties counted: vol(V) = 16. Eng 2*4 + 1 = 9, complement 7 -> 1/7; Sales 2*2 + 2 = 6 -> 2/6; unknown 1 -> 1.
    assert conductance(G, weight=None) == pytest.approx({ENG: 1 / 7, SALES: 1 / 3, UNKNOWN: 1.0})


@pytest.mark.parametrize("weight", ["weight", None])
def test_conductance_agrees_with_networkx(weight):
    G = random_people_graph(3)
    undirected = undirected_graph(G)
    found = conductance(G, weight=weight)
    for group, value in found.items():
        members = {node for node in G if G.nodes[node].get("department", UNKNOWN) == group}
        if weight is None:
            for u, v in undirected.edges:
                undirected[u][v]["ties"] = int(G.has_edge(u, v)) + int(G.has_edge(v, u))
        expected = nx.conductance(undirected, members, weight="weight" if weight else "ties")
        assert value == pytest.approx(expected)


def test_silo_metrics_table():
    table = silo_metrics(org_graph())
    assert list(table.columns) == SILO_COLUMNS
    # Most closed first: Eng (-0.6), Sales (0), unknown (+1).
    assert table.index.tolist() == [ENG, SALES, UNKNOWN]
    assert table["size"].tolist() == [3, 2, 1]
    assert table["ei_index"].tolist() == pytest.approx([-0.6, 0.0, 1.0])
    assert table["ei_index_weight"].tolist() == pytest.approx([-0.75, -0.25, 1.0])
    assert table["external_share"].tolist() == pytest.approx([0.2, 0.5, 1.0])
    assert table["volume"].tolist() == pytest.approx([15, 13, 2])
    assert table["conductance"].tolist() == pytest.approx([1 / 15, 3 / 13, 1.0])


def test_a_single_group_and_a_group_without_ties():
    G = nx.DiGraph()
    G.add_nodes_from([("a", {"department": "X"}), ("b", {"department": "X"}), ("c", {"department": "Y"})])
    G.add_edge("a", "b", weight=1.0)
    table = silo_metrics(G)
    assert table.loc["X", "ei_index"] == -1.0
    # X holds every tie: vol(V \ X) = 0, conductance undefined. Y has no ties at all.
    assert math.isnan(table.loc["X", "conductance"])
    assert math.isnan(table.loc["Y", "ei_index"]) and table.loc["Y", "external_share"] == 0.0
    assert table.index.tolist() == ["X", "Y"]  # NaN last
    only_one = nx.DiGraph([("a", "b")])
    assert silo_pairs(only_one).empty
    assert list(silo_pairs(only_one).columns) == SILO_PAIR_COLUMNS


def test_silo_pairs_against_a_size_proportional_null():
    pairs = silo_pairs(org_graph())
    assert list(pairs.columns) == SILO_PAIR_COLUMNS
    # Sizes Eng 3, Sales 2, unknown 1: possible pairs 6, 3, 2 (total 11). Cross ties: Eng-Sales 1, Sales-unknown 1 (X = 2).
    # Expected ties: 12/11, 6/11, 4/11. Ratios: 11/12, 0, 11/4.
    assert list(zip(pairs["group_a"], pairs["group_b"])) == [(ENG, UNKNOWN), (ENG, SALES), (SALES, UNKNOWN)]
    assert pairs["ties"].tolist() == [0, 1, 1]
    assert pairs["weight"].tolist() == pytest.approx([0, 1, 2])
    assert pairs["expected"].tolist() == pytest.approx([6 / 11, 12 / 11, 4 / 11])
    assert pairs["ratio"].tolist() == pytest.approx([0, 11 / 12, 11 / 4])
    assert pairs["density"].tolist() == pytest.approx([0, 1 / 12, 1 / 4])
    assert pairs["silo"].tolist() == [True, False, False]
    assert silo_pairs(org_graph(), threshold=0.95)["silo"].tolist() == [True, True, False]
    # On weights: X = 3, expected 18/11, 9/11, 6/11; ratios 0, 11/18, 22/6.
    by_weight = silo_pairs(org_graph(), value="weight")
    assert by_weight["ratio"].tolist() == pytest.approx([0, 11 / 18, 22 / 6])


def test_silo_pairs_when_no_tie_crosses_groups():
    G = nx.DiGraph()
    G.add_nodes_from([("a", {"department": "X"}), ("b", {"department": "X"}), ("c", {"department": "Y"})])
    G.add_edge("a", "b", weight=1.0)
    pairs = silo_pairs(G)
    assert pairs["expected"].tolist() == [0.0] and pairs["ratio"].tolist() == [0.0] and pairs["silo"].tolist() == [True]


# Reporting lines: B, C, D report to A; E reports to D.
#   A->B vertical, B->A vertical, B->C lateral_within, C->A vertical,
#   C->D lateral_across (D reports to A, not C), D->E vertical, E->D vertical, F->E lateral_across.


def test_tie_directions_on_a_hand_made_org_chart():
    ties = tie_directions(org_graph()).set_index(["source", "target"])
    assert ties["kind"].to_dict() == {
        ("A", "B"): "vertical",
        ("B", "A"): "vertical",
        ("B", "C"): "lateral_within",
        ("C", "A"): "vertical",
        ("C", "D"): "lateral_across",
        ("D", "E"): "vertical",
        ("E", "D"): "vertical",
        ("F", "E"): "lateral_across",
    }
    assert ties.loc[("F", "E"), "source_group"] == UNKNOWN and ties.loc[("F", "E"), "target_group"] == SALES


def test_vertical_and_lateral_shares_per_person_and_group():
    result = vertical_lateral(org_graph())
    people = result.people
    # Each tie counts for both of its people; every person but F has three ties.
    assert people["ties"].to_dict() == {"A": 3, "B": 3, "C": 3, "D": 3, "E": 3, "F": 1}
    assert people["vertical_share"].to_dict() == pytest.approx({"A": 1, "B": 2 / 3, "C": 1 / 3, "D": 2 / 3, "E": 2 / 3, "F": 0})
    assert people["lateral_within_share"].to_dict() == pytest.approx({"A": 0, "B": 1 / 3, "C": 1 / 3, "D": 0, "E": 0, "F": 0})
    assert people["lateral_across_share"].to_dict() == pytest.approx({"A": 0, "B": 0, "C": 1 / 3, "D": 1 / 3, "E": 1 / 3, "F": 1})
    assert people.loc["F", "group"] == UNKNOWN
    assert result.vertical_people == ["A"]
    # Groups: Eng has 5 ties (3 vertical, 1 within, 1 across), Sales 4 (2 vertical, 2 across), unknown 1 (across).
    groups = result.groups
    assert groups["ties"].to_dict() == {ENG: 5, SALES: 4, UNKNOWN: 1}
    assert groups["vertical_share"].to_dict() == pytest.approx({ENG: 0.6, SALES: 0.5, UNKNOWN: 0})
    assert groups["lateral_within_share"].to_dict() == pytest.approx({ENG: 0.2, SALES: 0, UNKNOWN: 0})
    assert groups["lateral_across_share"].to_dict() == pytest.approx({ENG: 0.2, SALES: 0.5, UNKNOWN: 1})
    assert groups["size"].tolist() == [3, 2, 1]
    assert result.vertical_groups == []

    lower = vertical_lateral(org_graph(), threshold=0.6)
    assert lower.vertical_people == ["A", "B", "D", "E"]
    assert lower.vertical_groups == [ENG]
    json.dumps(lower.to_dict())


def test_vertical_shares_on_weights():
    result = vertical_lateral(org_graph(), weight="weight")
    # C: B->C 3 within, C->A 1 vertical, C->D 1 across.
    assert result.people.loc["C", ["vertical", "lateral_within", "lateral_across"]].tolist() == pytest.approx([1, 3, 1])
    assert result.people.loc["C", "vertical_share"] == pytest.approx(0.2)
    # B: A->B 2 and B->A 1 vertical, B->C 3 within.
    assert result.people.loc["B", "vertical_share"] == pytest.approx(0.5)


def test_a_manager_outside_the_graph_makes_no_vertical_tie():
    G = nx.DiGraph()
    G.add_node("x", department="X", manager_id="boss-not-in-graph")
    G.add_node("y", department="X", manager_id="x")
    G.add_node("z", department="Y")
    G.add_edges_from([("x", "z", {"weight": 1.0}), ("y", "x", {"weight": 1.0})])
    kinds = tie_directions(G).set_index(["source", "target"])["kind"].to_dict()
    assert kinds == {("x", "z"): "lateral_across", ("y", "x"): "vertical"}


def test_silo_figures_agree_with_a_plain_loop_on_a_random_graph():
    G = random_people_graph(4)
    group = {node: G.nodes[node].get("department", UNKNOWN) for node in G}
    found = ei_index(G, weight="weight")
    for g, value in found.items():
        internal = sum(w for u, v, w in G.edges(data="weight") if group[u] == group[v] == g)
        external = sum(w for u, v, w in G.edges(data="weight") if (group[u] == g) != (group[v] == g))
        assert value == pytest.approx((external - internal) / (external + internal))
    assert np.isclose(sum(silo_pairs(G)["ties"]), sum(1 for u, v in G.edges if group[u] != group[v]))
