"""orgnet.brokers.pivots_for_ranking and error_bound: the pivot count a stable sampled top needs, against NetworkX's exact betweenness."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from orgnet.brokers import Betweenness, betweenness, error_bound, pivots_for_ranking


def _top(values: dict, k: int) -> set:
    return {node for node, _ in sorted(values.items(), key=lambda item: (-item[1], item[0]))[:k]}


def _sampled(values: list[float], stderr: list[float], pivots: int) -> Betweenness:
    nodes = range(len(values))
    return Betweenness(dict(zip(nodes, values)), dict(zip(nodes, stderr)), False, pivots, 0.1, 0.95, True, "weight", "inverse", 0)


def test_the_pivots_solve_the_separation_by_hand():
    # 101 people; the 2nd is 0.01 above the 4th, each with standard error 0.01 at 10 pivots.
    pilot = _sampled([0.05, 0.04, 0.035, 0.03, *[0.0] * 97], [0.01] * 101, 10)
    # 2 z^2 (se2^2 + se4^2) k0 / phi(k0) (1/k - 1/100) <= gap^2 with z = 2, phi(10) = 0.9.
    per_pivot = 2 * 4 * 2e-4 * 10 / 0.9
    expected = math.ceil(1 / (0.01**2 / per_pivot + 1 / 100))
    assert pivots_for_ranking(pilot, top=3, keep=2) == expected == 64
    # A wider gap needs fewer, no gap needs everyone, an exact pilot needs nothing more.
    assert pivots_for_ranking(_sampled([0.05, 0.04, 0.035, 0.0, *[0.0] * 97], [0.01] * 101, 10), top=3, keep=2) < expected
    assert pivots_for_ranking(_sampled([0.05, 0.03, 0.03, 0.03, *[0.0] * 97], [0.01] * 101, 10), top=3, keep=2) == 101
    assert pivots_for_ranking(betweenness(nx.krackhardt_kite_graph()), top=3, keep=2) == 10
    with pytest.raises(ValueError):
        pivots_for_ranking(pilot, top=3, keep=4)


def test_two_draws_at_the_chosen_pivots_share_the_exact_top():
    graph = nx.powerlaw_cluster_graph(700, 3, 0.3, seed=4).to_directed()
    rng = np.random.default_rng(4)
    nx.set_edge_attributes(graph, {edge: float(rng.uniform(1, 5)) for edge in graph.edges}, "weight")
    exact = nx.betweenness_centrality(graph, weight=lambda u, v, d: 1 / d["weight"])
    pilot = betweenness(graph, k=32, seed=0)
    pivots = pivots_for_ranking(pilot, top=10, keep=7)
    assert 32 < pivots < 700
    draws = [betweenness(graph, k=pivots, seed=seed).values for seed in (1, 2)]
    assert len(_top(draws[0], 10) & _top(draws[1], 10)) >= 7
    assert all(len(_top(draw, 10) & _top(exact, 10)) >= 7 for draw in draws)
    # The pilot alone does not get there: the count is needed, not padding.
    assert len(_top(pilot.values, 10) & _top(exact, 10)) < 10


def test_error_bound_is_hoeffding_and_the_sampled_estimate_states_it():
    assert error_bound(1000, 101, 0.95) == pytest.approx(math.sqrt(math.log(2 * 1000 / 0.05) / 200))
    assert error_bound(10, 10) == 0.0
    found = betweenness(nx.gnm_random_graph(200, 800, seed=1, directed=True), k=40, seed=3)
    assert found.error_bound == pytest.approx(error_bound(200, 40))
    with pytest.raises(ValueError):
        error_bound(100, 1)
