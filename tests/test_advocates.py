"""Advocates: PageRank and eigenvector centrality against NetworkX, percentile scoring, filters and explanations by hand."""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from orgnet.advocates import (
    ADVOCATE_COLUMNS,
    COMPONENTS,
    AdvocateWeights,
    _explanations,
    activity,
    advocates,
    bridging,
    eigenvector,
    pagerank,
    percentile_rank,
    select_advocates,
)
from orgnet.graph import people_graph, undirected_graph
from orgnet.model import TIE_COLUMNS


def random_digraph(n: int, m: int, seed: int) -> nx.DiGraph:
    """Random weighted digraph with dangling nodes (no out-ties) and one isolated node."""
    graph = nx.gnm_random_graph(n, m, seed=seed, directed=True)
    rng = random.Random(seed)
    for u, v in graph.edges:
        graph[u][v]["weight"] = rng.uniform(0.5, 4.0)
    graph.add_node(n)
    return graph


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pagerank_equals_networkx(seed):
    graph = random_digraph(120, 300, seed)
    assert any(graph.out_degree(v) == 0 for v in graph)
    ours = pagerank(graph, alpha=0.85)
    theirs = nx.pagerank(graph, alpha=0.85, weight="weight", tol=1e-12, max_iter=1000)
    assert max(abs(ours[v] - theirs[v]) for v in graph) < 1e-6
    assert sum(ours.values()) == pytest.approx(1.0)


def test_pagerank_unweighted_and_alpha():
    graph = random_digraph(60, 150, 7)
    ours = pagerank(graph, alpha=0.7, weight=None)
    theirs = nx.pagerank(graph, alpha=0.7, weight=None, tol=1e-12, max_iter=1000)
    assert max(abs(ours[v] - theirs[v]) for v in graph) < 1e-6


@pytest.mark.parametrize("n, m, seed", [(40, 160, 4), (300, 1500, 5)])
def test_eigenvector_equals_networkx(n, m, seed):
    graph = random_digraph(n, m, seed)
    graph.remove_node(n)  # connected view, so the leading eigenvector is unique
    assert nx.is_connected(graph.to_undirected())
    ours = eigenvector(graph)
    theirs = nx.eigenvector_centrality(undirected_graph(graph), weight="weight", tol=1e-12, max_iter=10_000)
    assert max(abs(ours[v] - theirs[v]) for v in graph) < 1e-6


def test_eigenvector_gives_isolated_people_zero():
    graph = random_digraph(30, 120, 9)
    assert eigenvector(graph)[30] == 0.0
    assert list(eigenvector(nx.DiGraph([(1, 2)])).values()) == pytest.approx([2**-0.5, 2**-0.5])


def test_activity_level_and_least_squares_trend():
    engagement = pd.DataFrame(
        {
            # a: 1, 2, 3 actions in Jan..Mar -> slope 1; b: 3 in January only -> slope -1.5
            "person_id": ["a"] * 6 + ["b"] * 3 + ["c"],
            "date": ["2026-01-02", "2026-02-03", "2026-02-04", "2026-03-01", "2026-03-02", "2026-03-03"]
            + ["2026-01-05"] * 3
            + ["2026-05-01"],
            "action": ["share"] * 9 + ["like"],
        }
    )
    table = activity(engagement, start="2026-01", end="2026-03", people=["a", "b", "z"])
    assert table.loc["a", "actions_per_month"] == pytest.approx(2.0)
    assert table.loc["a", "engagement_trend"] == pytest.approx(1.0)
    assert table.loc["b", "engagement_trend"] == pytest.approx(-1.5)
    assert table.loc["z", "actions"] == 0
    assert (table["months"] == 3).all()
    only_likes = activity(engagement, actions=["like"])
    assert list(only_likes.index) == ["c"] and only_likes.loc["c", "actions_per_month"] == 1.0


def test_percentile_rank_counts_ties_from_the_bottom():
    assert percentile_rank([0, 0, 0, 5]).tolist() == [0.25, 0.25, 0.25, 1.0]
    assert percentile_rank([3, 1, 2]).tolist() == pytest.approx([1.0, 1 / 3, 2 / 3])
    # pandas' rank (method="min") is the reference on exact values, NaN included.
    values = [2.0, float("nan"), 0.5, 2.0, 7.0, 0.5, 0.0]
    assert percentile_rank(values) == pytest.approx(pd.Series(values).rank(method="min").to_numpy() / 7, nan_ok=True)
    # Values one rounding error apart are ties, values a millionth apart are not.
    assert percentile_rank([0.1 + 0.2, 0.3, 0.3 + 1e-6]).tolist() == pytest.approx([1 / 3, 1 / 3, 1.0])


def test_people_in_the_same_position_score_the_same():
    # A hub and three leaves, each tied both ways to the hub: the leaves' PageRanks differ in their last bits.
    star = nx.DiGraph([("h", leaf) for leaf in "xyz"] + [(leaf, "h") for leaf in "xyz"])
    nx.set_node_attributes(star, {"h": "A", "x": "B", "y": "C", "z": "D"}, "department")
    table = advocates(star).set_index("person_id")
    # Hub: influence 1, engagement and reach 1/4 (nobody acts or has followers), bridging 1 (3 departments, the most):
    # 0.3 + 0.3 / 4 + 0.3 / 4 + 0.1. Each leaf: every percentile 1/4, so 1/4.
    assert table.loc["h", "score"] == pytest.approx(0.55)
    assert table.loc[["x", "y", "z"], "score"].tolist() == pytest.approx([0.25, 0.25, 0.25])
    assert table["rank"].to_dict() == {"h": 1, "x": 2, "y": 3, "z": 4}


def test_weights_are_validated():
    with pytest.raises(ValidationError):
        AdvocateWeights(influence=-1)
    with pytest.raises(ValidationError):
        AdvocateWeights(influence=0, engagement=0, reach=0, bridging=0)


def tiny_org():
    """Four people: A talks to everyone, B and C to A, D to C; A shares most and has the biggest audience."""
    people = pd.DataFrame(
        {
            "person_id": ["A", "B", "C", "D"],
            "name": ["Ann", "Bob", "Cy", "Di"],
            "department": ["Sales", "Eng", "Eng", "HR"],
            "location": ["Paris", "Paris", "Lyon", "Lyon"],
            "manager_id": [None, "A", "A", "C"],
        }
    )
    pairs = [("A", "B"), ("A", "C"), ("A", "D"), ("B", "A"), ("C", "A"), ("D", "C")]
    ties = pd.DataFrame([(s, t, "2026-03", "email", 1, 1.0, None, None) for s, t in pairs], columns=TIE_COLUMNS)
    graph = people_graph(ties, people)
    engagement = pd.DataFrame(
        {
            "person_id": ["A"] * 6 + ["B"],
            "date": ["2026-01-10", "2026-02-10", "2026-02-11", "2026-03-10", "2026-03-11", "2026-03-12", "2026-02-01"],
            "action": ["share"] * 7,
            "content_id": ["c"] * 7,
            "platform": ["li"] * 7,
            "clicks": [0] * 7,
            "impressions": [0] * 7,
        }
    )
    audiences = pd.DataFrame(
        [("person", "A", "li", 4), ("person", "B", "li", 3), ("person", "D", "li", 50)],
        columns=["owner_type", "owner", "platform", "follower_count"],
    )
    followers = pd.DataFrame(
        [("person", "A", "li", h) for h in ["f1", "f2", "f3", "f4"]] + [("person", "B", "li", h) for h in ["f3", "f4", "f5"]],
        columns=["owner_type", "owner", "platform", "follower_hash"],
    )
    return graph, engagement, audiences, followers


def test_advocates_by_hand():
    graph, engagement, audiences, followers = tiny_org()
    table = advocates(graph, engagement, audiences, followers, start="2026-01", end="2026-03")
    assert list(table.columns) == ADVOCATE_COLUMNS
    assert table["person_id"].tolist() == ["A", "D", "B", "C"]
    assert table["rank"].tolist() == [1, 2, 3, 4]
    rows = table.set_index("person_id")
    a = rows.loc["A"]
    # A: best PageRank and eigenvector (influence 1), best level and trend
    # (engagement 1), reach 4 is 3rd of 4 below D's 50 (3/4), groups 2 of
    # [2, 1, 2, 2] (2/4): 0.3 + 0.3 + 0.3 * 3/4 + 0.1 * 2/4.
    assert a["score"] == pytest.approx(0.875)
    assert a["actions_per_month"] == pytest.approx(2.0)
    assert a["engagement_trend"] == pytest.approx(1.0)
    assert (a["unique_reach"], a["marginal_reach"], a["groups_reached"]) == (4, 4, 2)
    assert table[list(COMPONENTS)].sum(axis=1).to_numpy() == pytest.approx(table["score"].to_numpy())
    assert (
        a["explain"]
        == "Top 25% internal influence; 2 actions/month, rising; reaches 4 unique followers (4 not reached by those ranked above); talks with 2 of 3 departments."
    )
    # D's 50 count-only followers are assumed unshared; B adds only f5 to A's f1..f4.
    assert rows.loc["D", "unique_reach"] == 50 and rows.loc["D", "marginal_reach"] == 50
    assert rows.loc["B", "followers"] == 3 and rows.loc["B", "unique_reach"] == 3 and rows.loc["B", "marginal_reach"] == 1
    assert "reaches 3 unique followers (1 not reached by those ranked above)" in rows.loc["B", "explain"]
    # B: PageRank tied lowest with D (1/4), eigenvector 2nd lowest (2/4);
    # 1/3 action a month above C and D (3/4), trend 0 tied lowest (1/4);
    # reach 3 above C's 0 (2/4); one group, the lowest (1/4).
    influence = 0.5 * 0.25 + 0.5 * 0.5
    engagement_part = 0.75 * 0.75 + 0.25 * 0.25
    expected = 0.3 * influence + 0.3 * engagement_part + 0.3 * 0.5 + 0.1 * 0.25
    assert rows.loc["B", "score"] == pytest.approx(expected)
    assert rows.loc["B", "explain"].startswith("Top 100% internal influence; 0.3 actions/month, steady;")


def test_explanations_by_hand():
    # One action a month, falling by 2 over a 3-month window; 10.5 actions rising; nothing at all.
    ranked = pd.DataFrame(
        {
            "top_share": [0.004, 0.25, 1.0],
            "actions_per_month": [1.0, 10.5, 0.0],
            "engagement_trend": [-1.0, 3.0, 0.0],
            "unique_reach": [1234.0, 0.0, 0.0],
            "marginal_reach": [1000.0, 0.0, 0.0],
            "groups_reached": [3, 1, 0],
            "communities_reached": pd.array([2, None, 0], dtype="Int64"),
        }
    )
    assert _explanations(ranked, months=3, by="location", total_groups=4, total_communities=5).tolist() == [
        "Top 1% internal influence; 1 action/month, falling; reaches 1,234 unique followers (1,000 not reached by those "
        "ranked above); talks with 3 of 4 locations and 2 of 5 communities.",
        "Top 25% internal influence; 10 actions/month, rising; no known social audience; talks with 1 of 4 locations.",
        "Top 100% internal influence; no advocacy actions; no known social audience; talks with 0 of 4 locations and 0 of 5 communities.",
    ]
    without_communities = _explanations(ranked.head(1), months=1, by="department", total_groups=4, total_communities=0)
    assert without_communities.tolist() == [
        "Top 1% internal influence; 1 action/month, steady; reaches 1,234 unique followers (1,000 not reached by those "
        "ranked above); talks with 3 of 4 departments."
    ]


def test_filters_keep_scores_and_rerank():
    graph, engagement, audiences, followers = tiny_org()
    everyone = advocates(graph, engagement, audiences, followers).set_index("person_id")
    lyon = advocates(graph, engagement, audiences, followers, filters={"location": "Lyon"})
    assert set(lyon["person_id"]) == {"C", "D"}
    assert lyon["rank"].tolist() == [1, 2]
    for _, row in lyon.iterrows():
        assert row["score"] == pytest.approx(everyone.loc[row["person_id"], "score"])
    # min_actions counts actions a month: B's one share over January to March is 1/3 a month; C and D have none.
    eng = advocates(graph, engagement, audiences, followers, filters={"department": ["Eng", "HR"]}, min_actions=0.3)
    assert eng["person_id"].tolist() == ["B"]
    # B ranks first here, so nobody above covers f3, f4.
    assert eng["marginal_reach"].tolist() == [3]
    assert advocates(graph, engagement, audiences, followers, filters={"department": ["Eng", "HR"]}, min_actions=0.34).empty
    tied = advocates(graph, min_ties=3)
    assert tied["person_id"].tolist() == ["A"]


def test_selecting_from_a_ranking_keeps_its_ranks_and_reads_filters_as_advocates_does():
    graph, engagement, audiences, followers = tiny_org()
    everyone = advocates(graph, engagement, audiences, followers)
    # Everyone's ranking, as orgnet analyze stores it: A 1, D 2, B 3, C 4 (see test_advocates_by_hand).
    paris = select_advocates(everyone, filters={"location": "Paris"})
    assert paris[["person_id", "rank"]].values.tolist() == [["A", 1], ["B", 3]]
    for filters, min_actions in [({"department": ["Eng", "HR"]}, 0.3), ({"location": "Lyon"}, 0), ({}, 1.5)]:
        kept = select_advocates(everyone, filters=filters, min_actions=min_actions)
        ranked = advocates(graph, engagement, audiences, followers, filters=filters, min_actions=min_actions)
        assert set(kept["person_id"]) == set(ranked["person_id"])
    # A alone acts 1.5 times a month or more (6 shares over January to March: 2 a month).
    assert select_advocates(everyone, min_actions=1.5)["person_id"].tolist() == ["A"]
    assert select_advocates(everyone, top=2)["person_id"].tolist() == ["A", "D"]
    with pytest.raises(ValueError, match="'level'"):
        select_advocates(everyone, filters={"level": 3})


def test_custom_weights_and_communities():
    graph, engagement, audiences, followers = tiny_org()
    only_reach = advocates(graph, engagement, audiences, followers, weights=AdvocateWeights(influence=0, engagement=0, reach=1, bridging=0))
    assert only_reach["person_id"].tolist()[0] == "D"
    assert only_reach.iloc[0]["score"] == pytest.approx(1.0)
    table = advocates(graph, communities={"A": 0, "B": 0, "C": 1, "D": 1}).set_index("person_id")
    assert table.loc["A", "communities_reached"] == 2
    assert "and 2 of 2 communities" in table.loc["A", "explain"]
    assert "no advocacy actions" in table.loc["A", "explain"] and "no known social audience" in table.loc["A", "explain"]


def test_bridging_ignores_unknown_groups():
    graph = nx.DiGraph([(1, 2), (1, 3), (4, 1)])
    nx.set_node_attributes(graph, {1: "X", 2: "Y", 3: "X"}, "department")
    result = bridging(graph)
    assert result.loc[1, "groups_reached"] == 2  # 2 (Y) and 3 (X); 4 has no department
    assert result.attrs["groups"] == 2


def test_empty_graph():
    assert advocates(nx.DiGraph()).empty
    assert list(advocates(nx.DiGraph()).columns) == ADVOCATE_COLUMNS


def test_a_few_thousand_people_agree_with_plain_computations():
    """3,000 people and 20,000 dated actions: the vectorised table, person by person, against NetworkX and plain Python.

    (How fast it is: bench/analyze.py, which runs the advocates job on 50,000 people.)
    """
    rng = np.random.default_rng(0)
    graph = nx.gnm_random_graph(3000, 15000, seed=1, directed=True)
    nx.set_node_attributes(graph, {v: f"D{v % 7}" for v in graph}, "department")
    engagement = pd.DataFrame(
        {"person_id": rng.integers(0, 3000, 20000), "date": [f"2026-{m:02d}-01" for m in rng.integers(1, 13, 20000)], "action": "share"}
    )
    table = advocates(graph, engagement, weight=None).set_index("person_id").sort_index()
    assert table.index.tolist() == list(range(3000))
    theirs = nx.pagerank(graph, weight=None, tol=1e-12, max_iter=1000)
    assert np.abs(table["pagerank"].to_numpy() - np.array([theirs[v] for v in range(3000)])).max() < 1e-6
    # Twelve months in the window: a person's actions a month are their count over 12.
    counts = engagement["person_id"].value_counts().reindex(range(3000), fill_value=0).to_numpy()
    assert table["actions_per_month"].to_numpy() == pytest.approx(counts / 12)
    departments = nx.get_node_attributes(graph, "department")
    reached = [len({departments[u] for u in nx.all_neighbors(graph, v)}) for v in range(3000)]
    assert table["groups_reached"].tolist() == reached
    ranked = table.sort_values("rank")
    assert ranked["rank"].tolist() == list(range(1, 3001)) and ranked["score"].is_monotonic_decreasing
