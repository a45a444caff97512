"""Brokers: betweenness, structural holes, Gould-Fernandez roles and participation against known answers and NetworkX."""

from __future__ import annotations

import math
import random

import networkx as nx
import numpy as np
import pytest

from orgnet.brokers import (
    BROKER_COLUMNS,
    BROKER_ORDERS,
    ROLES,
    betweenness,
    brokerage_roles,
    brokers,
    constraint,
    effective_size,
    participation,
    rank_brokers,
)
from orgnet.engine import index_graph


def random_graph(n: int, m: int, seed: int, directed: bool) -> nx.Graph:
    """A random graph with float weights (ties in path length are then improbable) and one isolated node."""
    graph = nx.gnm_random_graph(n, m, seed=seed, directed=directed)
    rng = random.Random(seed)
    for u, v in graph.edges:
        graph[u][v]["weight"] = rng.uniform(0.5, 4.0)
    graph.add_node("isolated")
    return graph


def with_distance(graph: nx.Graph) -> nx.Graph:
    graph = graph.copy()
    for _, _, data in graph.edges(data=True):
        data["distance"] = 1.0 / data["weight"]
    return graph


def assert_same(ours: dict, theirs: dict, tol: float = 1e-9) -> None:
    assert ours.keys() == theirs.keys()
    for node, value in theirs.items():
        if math.isnan(value):
            assert math.isnan(ours[node]), node
        else:
            assert ours[node] == pytest.approx(value, abs=tol), node


# ------------------------------------------------------------- betweenness


def test_florentine_medici_is_the_top_broker():
    values = betweenness(nx.florentine_families_graph()).values
    assert max(values, key=values.get) == "Medici"
    # Published: 0.522 (normalised), e.g. Padgett's families in NetworkX's docs.
    assert values["Medici"] == pytest.approx(0.521978, abs=1e-6)


def test_krackhardt_kite_heather_brokers_diane_has_most_ties():
    kite = nx.krackhardt_kite_graph()
    values = betweenness(kite).values
    assert max(values, key=values.get) == 7
    assert values[7] == pytest.approx(0.388889, abs=1e-6)
    # Fernando and Garth (5, 6) have 0.231, Diane (3) only 0.102.
    assert values[5] == pytest.approx(0.231481, abs=1e-6)
    assert values[3] == pytest.approx(0.101852, abs=1e-6)
    degree = dict(kite.degree)
    assert max(degree, key=degree.get) == 3


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("normalized", [False, True])
def test_exact_betweenness_equals_networkx(directed, weighted, normalized):
    graph = random_graph(60, 180, seed=7, directed=directed)
    reference = nx.betweenness_centrality(with_distance(graph), weight="distance" if weighted else None, normalized=normalized)
    result = betweenness(graph, weight="weight" if weighted else None, normalized=normalized)
    assert result.exact and result.error_bound == 0
    assert_same(result.values, reference)


def test_direct_distance_uses_the_weight_as_length():
    graph = random_graph(40, 100, seed=3, directed=False)
    reference = nx.betweenness_centrality(graph, weight="weight")
    assert_same(betweenness(graph, distance="direct").values, reference)


@pytest.mark.parametrize("directed", [False, True])
def test_sampling_every_node_is_exact(directed):
    graph = random_graph(50, 150, seed=11, directed=directed)
    exact = betweenness(graph)
    sampled = betweenness(graph, k=10_000, seed=1)
    assert sampled.exact and sampled.pivots == graph.number_of_nodes()
    assert_same(sampled.values, exact.values)
    assert set(sampled.stderr.values()) == {0.0}


def test_sampled_betweenness_is_within_its_stated_error():
    graph = nx.barabasi_albert_graph(2000, 3, seed=5)
    rng = random.Random(5)
    for u, v in graph.edges:
        graph[u][v]["weight"] = rng.uniform(0.5, 4.0)
    exact = betweenness(graph)
    sampled = betweenness(graph, k=200, seed=0)
    assert not sampled.exact and sampled.pivots == 200
    nodes = list(graph)
    truth = np.array([exact.values[v] for v in nodes])
    estimate = np.array([sampled.values[v] for v in nodes])
    stderr = np.array([sampled.stderr[v] for v in nodes])
    errors = np.abs(estimate - truth)
    # The distribution-free bound holds for every node at once.
    assert np.all(errors <= sampled.error_bound)
    assert errors.max() < 0.03
    # The standard error is a plug-in estimate, trustworthy where many pivots
    # contribute: the top brokers.
    top = np.argsort(-truth)[:20]
    assert np.mean(errors[top] <= 3 * stderr[top]) >= 0.8
    assert np.corrcoef(estimate, truth)[0, 1] > 0.97
    assert set(top[:5]) <= set(np.argsort(-estimate)[:10])


def test_sampling_is_seeded_and_used_above_the_limit():
    graph = random_graph(200, 600, seed=2, directed=True)
    first = betweenness(graph, exact_limit=100, seed=3)
    assert not first.exact and first.pivots == 64
    assert first.values == betweenness(graph, exact_limit=100, seed=3).values


def test_betweenness_rejects_non_positive_weights():
    graph = nx.Graph()
    graph.add_edge(1, 2, weight=0.0)
    graph.add_edge(2, 3, weight=1.0)
    with pytest.raises(ValueError):
        betweenness(graph)
    assert betweenness(graph, weight=None).values[2] == 1.0


# ------------------------------------------------------------- structural holes


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("weight", [None, "weight"])
@pytest.mark.parametrize("seed", [1, 2])
def test_constraint_and_effective_size_equal_networkx(directed, weight, seed):
    graph = random_graph(40, 110, seed=seed, directed=directed)
    ours_constraint = constraint(graph, weight=weight)
    ours_size = effective_size(graph, weight=weight)
    assert_same(ours_constraint, nx.constraint(graph, weight=weight))
    # NetworkX's node-by-node path (the literal formulas) calls a node without
    # *out*-ties isolated (NaN); orgnet only a node without any tie.
    senders = [node for node in graph if len(graph[node])]
    in_only = [node for node in graph if node not in senders and graph.degree(node)]
    assert not directed or in_only
    assert_same({node: ours_constraint[node] for node in senders}, nx.constraint(graph, nodes=senders, weight=weight))
    # NetworkX's whole-graph sparse path (3.6) normalises m_jq by the wrong
    # maximum when weighted or directed; the node-by-node path is the reference.
    assert_same({node: ours_size[node] for node in senders}, nx.effective_size(graph, nodes=senders, weight=weight))
    assert math.isnan(ours_size["isolated"]) and math.isnan(ours_constraint["isolated"])
    assert all(not math.isnan(ours_size[node]) for node in in_only)


def test_structural_holes_florentine():
    florentine = nx.florentine_families_graph()
    ours = constraint(florentine, weight=None)
    assert_same(ours, nx.constraint(florentine))
    assert min(ours, key=ours.get) == "Medici"
    sizes = effective_size(florentine, weight=None)
    assert_same(sizes, nx.effective_size(florentine))
    assert sizes["Medici"] == pytest.approx(6 - 2 * 1 / 6)


def test_effective_size_by_hand():
    graph = nx.Graph()
    graph.add_weighted_edges_from([(0, 1, 1.0), (0, 2, 2.0), (1, 2, 1.0)])
    # p_01 = 1/3, p_02 = 2/3; m_12 = 1 (node 1's ties weigh 1 and 1), m_21 = 1/2.
    assert effective_size(graph)[0] == pytest.approx((1 - 2 / 3) + (1 - 1 / 3 * 1 / 2))


def test_indexed_graph_is_reused():
    graph = random_graph(30, 60, seed=4, directed=True)
    indexed = index_graph(graph)
    assert_same(constraint(graph, indexed=indexed), constraint(graph))
    with pytest.raises(ValueError):
        constraint(nx.path_graph(3), indexed=indexed)


# ------------------------------------------------------------- Gould-Fernandez


def one_path(groups: str) -> nx.DiGraph:
    graph = nx.DiGraph([("a", "b"), ("b", "c")])
    nx.set_node_attributes(graph, dict(zip("abc", groups)), "department")
    return graph


@pytest.mark.parametrize(
    "groups, role",
    [("XXX", "coordinator"), ("XYX", "itinerant"), ("XYY", "gatekeeper"), ("XXY", "representative"), ("XYZ", "liaison")],
)
def test_each_role_by_hand(groups, role):
    roles = brokerage_roles(one_path(groups))
    assert roles.loc["b", role] == 1
    assert roles.loc["b", "brokerage"] == 1
    assert roles.drop(index="b")["brokerage"].sum() == 0


def test_closed_and_returning_paths_do_not_broker():
    graph = one_path("XYZ")
    graph.add_edge("a", "c")
    graph.add_edge("b", "a")
    roles = brokerage_roles(graph)
    # a -> b -> c is closed; c is not reached from b back to a; b -> a -> c is closed too.
    assert roles["brokerage"].sum() == 0


def brute_force_roles(graph: nx.DiGraph, group: dict) -> dict:
    counts = {node: dict.fromkeys(ROLES, 0) for node in graph}
    for b in graph:
        for a in graph.predecessors(b):
            for c in graph.successors(b):
                if len({a, b, c}) < 3 or graph.has_edge(a, c):
                    continue
                ga, gb, gc = group[a], group[b], group[c]
                if ga == gb == gc:
                    role = "coordinator"
                elif ga == gc:
                    role = "itinerant"
                elif gb == gc:
                    role = "gatekeeper"
                elif ga == gb:
                    role = "representative"
                else:
                    role = "liaison"
                counts[b][role] += 1
    return counts


@pytest.mark.parametrize("seed", range(8))
def test_roles_equal_brute_force(seed):
    rng = random.Random(seed)
    graph = nx.gnm_random_graph(35, rng.randint(30, 250), seed=seed, directed=True)
    group = {node: rng.choice("ABCD") for node in graph}
    nx.set_node_attributes(graph, group, "department")
    roles = brokerage_roles(graph)
    expected = brute_force_roles(graph, group)
    for node in graph:
        assert roles.loc[node, list(ROLES)].to_dict() == expected[node]
    assert brokerage_roles(graph, by=group).equals(roles)


def test_undirected_graph_counts_both_directions():
    graph = nx.gnm_random_graph(25, 50, seed=3)
    group = {node: node % 3 for node in graph}
    roles = brokerage_roles(graph, by=group)
    expected = brute_force_roles(graph.to_directed(), group)
    for node in graph:
        assert roles.loc[node, list(ROLES)].to_dict() == expected[node]
    assert (roles["gatekeeper"] == roles["representative"]).all()


# ------------------------------------------------------------- participation


def test_participation_by_hand():
    graph = nx.Graph()
    groups = {"hub": "A", "a1": "A", "a2": "A", "b1": "B", "b2": "B", "c1": "C", "alone": "C"}
    for node, group in groups.items():
        graph.add_node(node, department=group)
    graph.add_edges_from([("hub", "a1"), ("hub", "a2"), ("hub", "b1"), ("hub", "b2"), ("a1", "a2")], weight=1.0)
    graph.add_edge("hub", "c1", weight=4.0)
    unweighted = participation(graph, weight=None)
    assert unweighted["hub"] == pytest.approx(1 - ((2 / 5) ** 2 + (2 / 5) ** 2 + (1 / 5) ** 2))
    assert unweighted["a1"] == pytest.approx(0.0)
    assert math.isnan(unweighted["alone"])
    weighted = participation(graph)
    assert weighted["hub"] == pytest.approx(1 - ((2 / 8) ** 2 + (2 / 8) ** 2 + (4 / 8) ** 2))
    # Any node -> group mapping, such as communities.
    communities = {"hub": 0, "a1": 0, "a2": 0, "b1": 1, "b2": 1, "c1": 1}
    assert participation(graph, by=communities, weight=None)["hub"] == pytest.approx(1 - (0.4**2 + 0.6**2))


def test_directed_ties_count_for_both_ends():
    graph = nx.DiGraph()
    graph.add_nodes_from([(1, {"department": "A"}), (2, {"department": "A"}), (3, {"department": "B"})])
    graph.add_edges_from([(1, 2), (2, 1), (3, 1)])
    assert participation(graph, weight=None)[1] == pytest.approx(1 - ((2 / 3) ** 2 + (1 / 3) ** 2))


# ------------------------------------------------------------- brokers table


def test_brokers_table():
    graph = nx.DiGraph()
    departments = {"s1": "Sales", "s2": "Sales", "l1": "Legal", "l2": "Legal", "e1": "Eng", "e2": "Eng", "x": None}
    for node, department in departments.items():
        graph.add_node(node, **({"department": department} if department else {}))
    for a, b in [("s1", "s2"), ("l1", "l2"), ("e1", "e2")]:
        graph.add_edge(a, b, weight=1.0)
        graph.add_edge(b, a, weight=1.0)
    # s1 talks to one person of each group.
    for other in ("l1", "e1", "x"):
        graph.add_edge("s1", other, weight=1.0)
    frame = brokers(graph)
    assert list(frame.columns) == BROKER_COLUMNS
    assert frame.index.name == "person_id"
    assert frame.loc["s1", "group"] == "Sales" and frame.loc["x", "group"] == "(unknown)"
    assert frame.loc["s1", "other_groups"] == 2  # Legal and Eng; unknown does not count
    # s2 counts twice (a tie each way): 2 of 5 ties in Sales, 1 each in Legal, Eng and unknown.
    assert frame.loc["s1", "participation"] == pytest.approx(1 - (2**2 + 1 + 1 + 1) / 5**2)
    assert bool(frame.loc["s1", "boundary_spanner"])
    assert frame["boundary_spanner"].sum() == 1
    assert frame.loc["s1", "betweenness"] == frame["betweenness"].max()
    assert frame.loc["s1", "representative"] == 1 * 3  # s2 -> s1 -> {l1, e1, x}
    assert frame.attrs["betweenness"]["exact"] is True
    isolated = graph.copy()
    isolated.add_node("new", department="Eng")
    assert math.isnan(brokers(isolated).loc["new", "constraint"])


def test_brokers_are_ranked_best_first_by_any_measure():
    table = brokers(nx.krackhardt_kite_graph(), weight=None)
    table.loc[9, "constraint"] = float("nan")  # as for someone without ties
    for order in BROKER_ORDERS:
        ranked = rank_brokers(table, order)
        values = ranked[order].dropna().tolist()
        assert values == sorted(values, reverse=order != "constraint")
        assert set(ranked.index) == set(table.index) and ranked.index.name == "person_id"
    # Equal values go to the person id: Fernando and Garth (5, 6) share their betweenness.
    assert rank_brokers(table).index.tolist()[:5] == [7, 5, 6, 8, 3]
    assert rank_brokers(table, "constraint").index[-1] == 9
    with pytest.raises(ValueError, match="one of betweenness"):
        rank_brokers(table, "degree")
