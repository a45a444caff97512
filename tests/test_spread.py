"""Internal spread: k-hop reach against NetworkX, independent cascade against exact and analytic answers, CELF."""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest

import orgnet.spread as spread
from orgnet.defaults import DEFAULT_HOPS, DEFAULT_PROBABILITY, DEFAULT_RUNS
from orgnet.spread import celf_seeds, edge_probabilities, expected_spread, internal_reach, k_hop_reach


def out_star(n: int) -> nx.DiGraph:
    """Hub 0 with ties to 1..n."""
    return nx.DiGraph([(0, i) for i in range(1, n + 1)])


@pytest.mark.parametrize("seed", [1, 2])
def test_k_hop_matches_networkx(seed):
    graph = nx.gnp_random_graph(300, 0.01, directed=True, seed=seed)
    sources = [0, 7, 42]
    for k in (0, 1, 3, 10):
        expected: dict[int, int] = {}
        for s in sources:
            for v, d in nx.single_source_shortest_path_length(graph, s, cutoff=k).items():
                expected[v] = min(expected.get(v, k + 1), d)
        result = k_hop_reach(graph, sources, k)
        assert result.distance == expected
        counts = np.bincount(list(expected.values()), minlength=k + 1)
        assert result.per_hop["new"].tolist() == counts.tolist()
        assert result.per_hop["reached"].iloc[-1] == len(expected)


def test_k_hop_follows_direction_and_rejects_strangers():
    path = nx.DiGraph([(1, 2), (2, 3)])
    assert k_hop_reach(path, [2], 5).distance == {2: 0, 3: 1}
    assert k_hop_reach(path.to_undirected(), [2], 5).distance == {2: 0, 1: 1, 3: 1}
    with pytest.raises(ValueError):
        k_hop_reach(path, ["nobody"], 1)


def test_probability_one_reaches_the_reachable_set_exactly():
    graph = nx.gnp_random_graph(200, 0.015, directed=True, seed=4)
    estimate = expected_spread(graph, [0, 1], probability=1.0, runs=20, seed=0)
    reachable = {0, 1} | nx.descendants(graph, 0) | nx.descendants(graph, 1)
    assert estimate.mean == len(reachable) and estimate.stderr == 0


def test_probability_zero_reaches_the_seeds_only():
    graph = nx.gnp_random_graph(100, 0.05, directed=True, seed=5)
    assert expected_spread(graph, [3, 4, 4], probability=0.0, runs=30, seed=0).mean == 2


def test_star_expectation_within_interval():
    n, p = 30, 0.2
    estimate = expected_spread(out_star(n), [0], probability=p, runs=4000, seed=11)
    assert estimate.ci_low <= 1 + n * p <= estimate.ci_high
    # Binomial standard error sqrt(n p (1 - p) / runs).
    assert estimate.stderr == pytest.approx(math.sqrt(n * p * (1 - p) / 4000), rel=0.1)


def test_path_expectation_within_interval():
    # 0 -> 1 -> 2 -> 3: E = 1 + p + p^2 + p^3.
    p = 0.6
    estimate = expected_spread(nx.path_graph(4, create_using=nx.DiGraph), [0], probability=p, runs=5000, seed=2)
    assert estimate.ci_low <= 1 + p + p**2 + p**3 <= estimate.ci_high


def test_weight_derived_probabilities():
    graph = nx.DiGraph()
    graph.add_edge("a", "b", weight=2.0)
    graph.add_edge("a", "c", weight=0.0)
    p = edge_probabilities(graph, scale=2.0)
    assert p.tolist() == pytest.approx([1 - math.exp(-1), 0.0])
    estimate = expected_spread(graph, ["a"], scale=2.0, runs=4000, seed=3)
    assert estimate.ci_low <= 1 + (1 - math.exp(-1)) <= estimate.ci_high
    with pytest.raises(ValueError):
        edge_probabilities(graph, probability=1.5)


def test_seeded_runs_are_reproducible():
    graph = nx.gnp_random_graph(150, 0.03, directed=True, seed=6)
    first = expected_spread(graph, [0], probability=0.3, runs=200, seed=9)
    assert first == expected_spread(graph, [0], probability=0.3, runs=200, seed=9)


def test_celf_picks_the_hub_first():
    graph = out_star(20)
    graph.add_edges_from([(21, 22), (22, 23)])
    seeds = celf_seeds(graph, 2, probability=0.5, runs=300, seed=1)
    assert seeds["person_id"].tolist()[0] == 0
    assert seeds["gain"].iloc[0] == pytest.approx(11, abs=1)
    assert seeds["person_id"].tolist()[1] == 21
    assert seeds["spread"].is_monotonic_increasing and (seeds["gain"].diff().dropna() <= 0).all()
    with_p1 = celf_seeds(graph, 3, probability=1.0, runs=5, seed=1)
    assert with_p1["person_id"].tolist() == [0, 21]  # then nobody adds anything
    assert with_p1["spread"].tolist() == [21, 24]


def test_celf_matches_plain_greedy_on_common_samples():
    graph = nx.gnp_random_graph(60, 0.06, directed=True, seed=8)
    seeds = celf_seeds(graph, 3, probability=0.3, runs=100, seed=4)
    # Same seed, same samples: the chosen set's spread estimate agrees with expected_spread on them.
    estimate = expected_spread(graph, seeds["person_id"].tolist(), probability=0.3, runs=100, seed=4)
    assert seeds["spread"].iloc[-1] == pytest.approx(estimate.mean)
    singles = [expected_spread(graph, [v], probability=0.3, runs=100, seed=4).mean for v in graph]
    assert seeds["gain"].iloc[0] == pytest.approx(max(singles))


def exact_spread(graph: nx.DiGraph, seeds: set, p: float) -> float:
    """Expected spread by enumerating every live-edge world: sum over edge subsets of p^|live| (1-p)^|dead| |R(seeds)|."""
    edges = list(graph.edges)
    total = 0.0
    for live in itertools.product([False, True], repeat=len(edges)):
        world = nx.DiGraph([edge for edge, kept in zip(edges, live) if kept])
        world.add_nodes_from(graph)
        reached = set(seeds).union(*(nx.descendants(world, s) for s in seeds))
        kept = sum(live)
        total += p**kept * (1 - p) ** (len(edges) - kept) * len(reached)
    return total


# Ten ties, a cycle (5 -> 0) and two routes into 3: 1,024 live-edge worlds, every path length from 1 to 4.
SMALL = nx.DiGraph([(0, 1), (0, 2), (1, 3), (2, 3), (1, 2), (3, 4), (2, 4), (4, 5), (3, 5), (5, 0)])


@pytest.mark.parametrize(("seeds", "p"), [({0}, 0.3), ({0}, 0.6), ({1, 4}, 0.2)])
def test_expected_spread_against_every_live_edge_world(seeds, p):
    exact = exact_spread(SMALL, seeds, p)
    estimate = expected_spread(SMALL, seeds, probability=p, runs=20_000, seed=5)
    # Four standard errors: the seeded estimate misses by more only if the simulation is biased.
    assert abs(estimate.mean - exact) <= 4 * estimate.stderr
    assert estimate.stderr < 0.02


def test_batches_of_simulations_are_the_same_simulations(monkeypatch):
    graph = nx.gnm_random_graph(3000, 9000, directed=True, seed=1)
    whole = expected_spread(graph, [0, 1, 2], probability=0.1, runs=1000, seed=0)
    # Draws split into batches of 7 runs read the same random stream, so the answer is the same to the last digit.
    monkeypatch.setattr(spread, "_DRAWS_PER_BATCH", 9000 * 7)
    assert expected_spread(graph, [0, 1, 2], probability=0.1, runs=1000, seed=0) == whole


def test_internal_reach_is_both_views_with_the_shared_defaults():
    # 0 -> 1 -> 2 -> 3 and 0 -> 4: from {0, 0}, hop 0 has 0, hop 1 has 1 and 4, hop 2 has 2.
    graph = nx.DiGraph([(0, 1), (1, 2), (2, 3), (0, 4)])
    reach = internal_reach(graph, [0, 0])
    assert reach.people == [0] and reach.hops == DEFAULT_HOPS == 2
    assert reach.per_hop.to_dict("records") == [
        {"hop": 0, "new": 1, "reached": 1},
        {"hop": 1, "new": 2, "reached": 3},
        {"hop": 2, "new": 1, "reached": 4},
    ]
    assert reach.reached == 4
    assert (reach.probability, reach.spread.runs) == (DEFAULT_PROBABILITY, DEFAULT_RUNS)
    assert reach.spread == expected_spread(graph, [0], probability=DEFAULT_PROBABILITY, runs=DEFAULT_RUNS, seed=0)
    # Every tie passes the message on: the cascade reaches all five people, whatever the hops.
    certain = internal_reach(graph, [0], 1, probability=1.0, runs=10, seed=3)
    assert (certain.reached, certain.spread.mean, certain.spread.stderr) == (3, 5.0, 0.0)
    assert certain.to_dict()["expected_spread"]["mean"] == 5.0
    with pytest.raises(ValueError, match="nobody"):
        internal_reach(graph, ["nobody"])
