"""Communities on Zachary's karate club, modularity against NetworkX, and NMI/ARI against hand-computed values."""

from __future__ import annotations

import json
import math

import networkx as nx
import numpy as np
import pytest
from test_summary import random_people_graph

from orgnet.communities import (
    Communities,
    adjusted_rand_index,
    attribute_agreement,
    find_communities,
    label_communities,
    modularity,
    normalized_mutual_info,
)
from orgnet.graph import undirected_graph
from orgnet.summary import UNKNOWN


@pytest.fixture(scope="module")
def karate() -> nx.Graph:
    """Zachary's karate club; ``club`` is the faction each member joined after the split."""
    return nx.karate_club_graph()


@pytest.mark.parametrize("engine", ["igraph", "leidenalg"])
def test_leiden_finds_the_best_known_partition_of_the_karate_club(karate, engine):
    found = find_communities(karate, weight=None, engine=engine)
    # Best modularity of the unweighted karate club is 0.4198 (Brandes et al. 2008), four communities.
    assert 0.41 <= found.modularity <= 0.42
    assert found.modularity == pytest.approx(nx.community.modularity(karate, found.sets(), weight=None))
    assert sorted(found.sizes, reverse=True) == found.sizes and sum(found.sizes) == 34
    agreement = attribute_agreement(karate, found, by="club")
    assert agreement["nmi"] > 0.4 and agreement["ari"] > 0
    assert agreement["communities"] == len(found.sizes) and agreement["groups"] == 2


@pytest.mark.parametrize("weight", [None, "weight"])
def test_two_communities_at_low_resolution_are_the_two_factions(karate, weight):
    found = find_communities(karate, weight=weight, resolution=0.5)
    assert len(found.sizes) == 2
    faction = {node: karate.nodes[node]["club"] for node in karate}
    # Name each community after its majority faction and count who ended up on the other side.
    majority = {
        c: max(("Mr. Hi", "Officer"), key=lambda f: sum(1 for n, k in found.membership.items() if k == c and faction[n] == f))
        for c in (0, 1)
    }
    misplaced = sum(1 for node, c in found.membership.items() if faction[node] != majority[c])
    assert misplaced <= 2
    assert majority[0] != majority[1]
    assert attribute_agreement(karate, found, by="club")["ari"] > 0.75


def test_weighted_modularity_and_resolution_agree_with_networkx(karate):
    directed = karate.to_directed()
    found = find_communities(directed, resolution=1.3, seed=7)
    reference = undirected_graph(directed)  # both directions summed: twice karate's weights
    assert found.modularity == pytest.approx(nx.community.modularity(reference, found.sets(), weight="weight"))
    assert found.quality == pytest.approx(nx.community.modularity(reference, found.sets(), weight="weight", resolution=1.3))
    assert found.method == "leiden" and found.resolution == 1.3


def test_louvain_and_the_seed(karate):
    louvain = find_communities(karate, method="louvain", weight=None)
    assert louvain.method == "louvain"
    assert 0.37 <= louvain.modularity <= 0.42
    assert louvain.modularity == pytest.approx(nx.community.modularity(karate, louvain.sets(), weight=None))
    assert find_communities(karate, seed=3).membership == find_communities(karate, seed=3).membership
    with pytest.raises(ValueError):
        find_communities(karate, method="girvan-newman")


def test_isolated_people_and_empty_graphs():
    G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("d", "e"), ("e", "f"), ("f", "d"), ("c", "d")])
    G.add_node("loner")
    found = find_communities(G, weight=None)
    assert found.sizes == [3, 3, 1]
    assert found.membership["loner"] == 2
    # Equal sizes: the community of the earlier node ("a") comes first.
    assert found.membership["a"] == found.membership["b"] == found.membership["c"] == 0
    assert found.modularity == pytest.approx(nx.community.modularity(undirected_graph(G), found.sets(), weight=None))
    json.dumps(found.to_dict())
    empty = find_communities(nx.DiGraph())
    assert empty.sizes == [] and empty.modularity == 0.0
    no_ties = nx.DiGraph()
    no_ties.add_nodes_from("xy")
    assert find_communities(no_ties).modularity == 0.0 and find_communities(no_ties).sizes == [1, 1]


@pytest.mark.parametrize("seed", [5, 6])
def test_modularity_of_any_partition_equals_networkx(seed):
    G = random_people_graph(seed)
    rng = np.random.default_rng(seed)
    membership = {node: int(rng.integers(0, 4)) for node in G}
    sets = [{n for n, c in membership.items() if c == k} for k in range(4)]
    sets = [s for s in sets if s]
    reference = undirected_graph(G)
    for weight in ("weight", None):
        for resolution in (1.0, 0.6):
            expected = nx.community.modularity(reference, sets, weight=weight, resolution=resolution)
            assert modularity(G, membership, weight=weight, resolution=resolution) == pytest.approx(expected)
            assert modularity(G, sets, weight=weight, resolution=resolution) == pytest.approx(expected)


def test_nmi_and_ari_identities():
    a = [0, 0, 1, 1, 2, 2]
    assert normalized_mutual_info(a, a) == pytest.approx(1.0)
    assert adjusted_rand_index(a, a) == pytest.approx(1.0)
    # Renaming the communities changes nothing.
    renamed = ["x", "x", "y", "y", "z", "z"]
    assert normalized_mutual_info(a, renamed) == pytest.approx(1.0)
    assert adjusted_rand_index(renamed, a) == pytest.approx(1.0)
    # Two trivial partitions agree; one trivial and one not share no information.
    assert normalized_mutual_info([1] * 5, [2] * 5) == 1.0 and adjusted_rand_index([1] * 5, [2] * 5) == 1.0
    assert normalized_mutual_info([0] * 4, [0, 1, 2, 3]) == 0.0
    assert adjusted_rand_index([0] * 4, [0, 1, 2, 3]) == 0.0
    # Independent labelings of many items: both near 0.
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 5, 20000), rng.integers(0, 5, 20000)
    assert abs(normalized_mutual_info(x, y)) < 0.01 and abs(adjusted_rand_index(x, y)) < 0.01
    assert normalized_mutual_info(x, y) == pytest.approx(normalized_mutual_info(y, x))
    with pytest.raises(ValueError):
        normalized_mutual_info([0, 1], [0])


def test_nmi_and_ari_by_hand():
    # Crossed halves: every cell of the 2x2 contingency table holds 1.
    # I = 0 -> NMI 0. ARI: sum C(n_ij, 2) = 0; rows 2, columns 2, C(4, 2) = 6; E = 4/6; (0 - 2/3) / (2 - 2/3) = -1/2.
    assert normalized_mutual_info([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(0.0)
    assert adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(-0.5)
    # a = two groups of 3, b = three groups of 2; table [[2, 1, 0], [0, 1, 2]], n = 6.
    # ARI: sum C(n_ij, 2) = 2; rows 3 + 3 = 6; columns 1 + 1 + 1 = 3; E = 6 * 3 / 15 = 1.2;
    #      (2 - 1.2) / ((6 + 3) / 2 - 1.2) = 0.8 / 3.3 = 8/33.
    # NMI: I = 2 * (2/6) ln(6*2 / (3*2)) = (2/3) ln 2; H(a) = ln 2, H(b) = ln 3; NMI = (2/3) ln 2 / ((ln 2 + ln 3) / 2).
    a, b = [0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]
    assert adjusted_rand_index(a, b) == pytest.approx(8 / 33)
    assert normalized_mutual_info(a, b) == pytest.approx((4 / 3) * math.log(2) / math.log(6))


def test_label_communities_by_dominant_group():
    G = nx.DiGraph()
    G.add_nodes_from(
        [
            ("a", {"department": "Sales"}),
            ("b", {"department": "Sales"}),
            ("c", {"department": "Sales"}),
            ("d", {"department": "Legal"}),
            ("e", {"department": "Legal"}),
            ("f", {}),
        ]
    )
    membership = {"a": 0, "b": 0, "c": 0, "d": 0, "e": 1, "f": 1}
    table = label_communities(G, membership, top=2)
    assert table.index.tolist() == [0, 1]
    assert table["size"].tolist() == [4, 2]
    assert table["dominant_group"].tolist() == ["Sales", "Legal"]
    assert table["dominant_share"].tolist() == pytest.approx([0.75, 0.5])
    assert table["groups"].tolist() == [2, 2]
    assert table.loc[0, "label"] == "Sales 75%, Legal 25%"
    assert table.loc[1, "label"] == f"Legal 50%, {UNKNOWN} 50%"
    agreement = attribute_agreement(G, membership)
    assert agreement["groups"] == 3 and agreement["communities"] == 2
    wrapped = Communities(membership=membership, sizes=[4, 2], modularity=0.0, quality=0.0, method="leiden", resolution=1.0, seed=0)
    assert label_communities(G, wrapped, top=2).equals(table)


def test_the_agreement_sentence_reads_nmi_against_its_thresholds():
    from orgnet.communities import agreement_sentence

    assert "follow the department lines closely" in agreement_sentence(0.6, 0.1)
    assert "partly follow the location lines" in agreement_sentence(0.59, 0.5, "location")
    assert "cut across the level lines" in agreement_sentence(0.29, 0.0, "level")
    assert "not known" in agreement_sentence(None, None)


def test_top_connectors_rank_each_community_by_score():
    from orgnet.communities import top_connectors

    membership = {"a": 1, "b": 1, "c": 1, "d": 0, "e": 2}
    score = {"a": 0.2, "b": 0.9, "c": 0.2, "d": 0.0}
    # Equal scores keep node order; a node without a score comes last; every community is listed.
    assert top_connectors(membership, score, top=2) == {0: ["d"], 1: ["b", "a"], 2: ["e"]}
