"""The figures suppression shows instead of a group's: suppressed groups taken together, pooled matrix cells, and
which groups a community holds, checked against the analysis run on a graph where the groups really are one."""

from __future__ import annotations

import networkx as nx
import pytest

from orgnet.communities import community_composition
from orgnet.summary import GROUP_SUMMARY_COLUMNS, group_matrix, merged_group, network_summary, pooled_cells


def _karate(merge: dict[str, str] | None = None) -> nx.DiGraph:
    """Zachary's karate club, each tie both ways plus a few one-way ties, in four departments (one left without)."""
    G = nx.karate_club_graph().to_directed()
    G.remove_edges_from([(0, 1), (33, 32), (5, 16)])
    names = {0: "Admin", 1: "Board", 2: "Coaching", 3: None}
    for node in G:
        department = names[node % 4] if node < 30 else "Board"
        if department is not None:
            G.nodes[node]["department"] = (merge or {}).get(department, department)
    nx.set_edge_attributes(G, {e: 1.0 + (e[0] * 7 + e[1]) % 5 for e in G.edges}, "weight")
    return G


@pytest.mark.parametrize("members", [{"Board", "(unknown)"}, {"Admin", "Coaching", "Board"}, {"Coaching"}])
def test_merged_group_is_the_summary_of_the_groups_made_one(members):
    G = _karate()
    summary = network_summary(G).to_dict()
    ties, weight = group_matrix(G), group_matrix(G, value="weight")
    merged = merged_group(summary["groups"], list(ties.index), ties.to_numpy().tolist(), weight.to_numpy().tolist(), members)
    # The same graph with the members' departments renamed to one: network_summary's own row for it.
    H = G.copy()
    for node in H:
        if H.nodes[node].get("department", "(unknown)") in members:
            H.nodes[node]["department"] = "Pool"
    expected = next(row for row in network_summary(H).to_dict()["groups"] if row["group"] == "Pool")
    assert list(merged) == GROUP_SUMMARY_COLUMNS
    for column in GROUP_SUMMARY_COLUMNS:
        assert merged[column] == pytest.approx(expected[column]), column


def test_pooled_cells_complete_every_row_column_and_the_total():
    G = _karate()
    matrix = group_matrix(G)
    groups, values = list(matrix.index), matrix.to_numpy()
    members = {"Board", "Coaching"}
    cells = pooled_cells(groups, values.tolist(), members)
    shown = [i for i, g in enumerate(groups) if g not in members]
    for i in shown:
        assert values[i, shown].sum() + cells["sent"][i] == values[i].sum()
        assert values[shown, i].sum() + cells["received"][i] == values[:, i].sum()
    total = values[:, shown][shown].sum() + sum(cells["sent"][i] for i in shown) + sum(cells["received"][i] for i in shown)
    assert total + cells["within"] == G.number_of_edges()
    assert [cells["sent"][i] for i, g in enumerate(groups) if g in members] == [None, None]


def test_community_composition_counts_members_per_group():
    G = _karate()
    membership = {node: node % 3 for node in G}
    composition = community_composition(membership, nx.get_node_attributes(G, "department"))
    for community, row in composition.iterrows():
        people = [n for n, c in membership.items() if c == community]
        for group, count in row.items():
            assert count == sum(G.nodes[n].get("department", "(unknown)") == group for n in people)
    assert int(composition.to_numpy().sum()) == G.number_of_nodes()
