"""Ego networks against NetworkX (ego_graph, degrees, cut sizes) on Zachary's karate club, and hand-computed cases."""

from __future__ import annotations

import doctest
from collections import Counter

import networkx as nx
import pytest

import orgnet.ego
from orgnet.ego import CONTACT_COLUMNS, GROUP_COLUMNS, ego_network
from orgnet.summary import UNKNOWN


@pytest.fixture(scope="module")
def karate() -> nx.DiGraph:
    """Zachary's karate club as a directed graph: each tie u -> v (u < v) with its weight, the way back for one tie in three.

    Groups are the two clubs of the split (``club``).
    """
    club = nx.karate_club_graph()
    G = nx.DiGraph()
    G.add_nodes_from(club.nodes(data=True))
    for index, (u, v, data) in enumerate(sorted(club.edges(data=True))):
        G.add_edge(u, v, weight=float(data["weight"]), count=int(data["weight"]) + 1)
        if index % 3 == 0:
            G.add_edge(v, u, weight=0.5, count=1)
    return G


def test_contacts_are_the_ego_graph_without_the_ego(karate):
    for person in karate:
        ego = ego_network(karate, person, by="club")
        expected = set(nx.ego_graph(karate, person, radius=1, undirected=True)) - {person}
        assert set(ego.contacts["person_id"]) == expected
        assert len(ego.contacts) == len(expected)


def test_degrees_and_strengths_are_networkx_degrees(karate):
    for person in karate:
        ego = ego_network(karate, person, by="club")
        assert (ego.out_degree, ego.in_degree) == (karate.out_degree(person), karate.in_degree(person))
        assert ego.strength_out == pytest.approx(karate.out_degree(person, weight="weight"))
        assert ego.strength_in == pytest.approx(karate.in_degree(person, weight="weight"))


def test_each_contact_sums_both_directions(karate):
    for person in (0, 5, 33):
        ego = ego_network(karate, person, by="club")
        for row in ego.contacts.to_dict("records"):
            other = row["person_id"]
            out = karate.edges[person, other] if karate.has_edge(person, other) else {"weight": 0.0, "count": 0}
            back = karate.edges[other, person] if karate.has_edge(other, person) else {"weight": 0.0, "count": 0}
            assert row["weight_out"] == out["weight"] and row["weight_in"] == back["weight"]
            assert row["weight"] == out["weight"] + back["weight"] and row["count"] == out["count"] + back["count"]
            assert row["group"] == karate.nodes[other]["club"]


def test_external_share_is_the_weighted_cut_to_the_other_club(karate):
    for person in karate:
        ego = ego_network(karate, person, by="club")
        contacts = set(nx.all_neighbors(karate, person))
        other_club = {u for u in contacts if karate.nodes[u]["club"] != karate.nodes[person]["club"]}
        # A directed cut counts the edges of both directions, as the share does.
        expected = nx.cut_size(karate, {person}, other_club, weight="weight") / nx.cut_size(karate, {person}, contacts, weight="weight")
        assert ego.external_share == pytest.approx(expected)


def test_groups_count_the_contacts_of_each_club(karate):
    for person in (0, 33):
        ego = ego_network(karate, person, by="club")
        clubs = Counter(karate.nodes[u]["club"] for u in set(nx.all_neighbors(karate, person)))
        assert dict(zip(ego.groups["group"], ego.groups["contacts"])) == dict(clubs)
        assert ego.groups["weight"].sum() == pytest.approx(ego.strength_out + ego.strength_in)
        assert list(ego.groups["contacts"]) == sorted(clubs.values(), reverse=True)


def test_a_hand_computed_ego():
    G = nx.DiGraph()
    G.add_nodes_from([("ann", {"department": "Eng"}), ("bob", {"department": "Eng"}), ("cy", {"department": "Sales"})])
    G.add_nodes_from(["dee", "eve"])  # no department: the unknown group
    G.add_edge("ann", "bob", weight=2.0, count=4)
    G.add_edge("bob", "ann", weight=1.0, count=1)
    G.add_edge("ann", "cy", weight=1.5, count=2)
    G.add_edge("dee", "ann")  # no attributes: weight 1, one interaction
    G.add_edge("ann", "ann", weight=9.0, count=9)  # a self-loop is ignored
    G.add_edge("cy", "bob", weight=5.0, count=5)  # not one of ann's ties
    ego = ego_network(G, "ann")
    assert (ego.person, ego.group) == ("ann", "Eng")
    assert (ego.out_degree, ego.in_degree) == (2, 2)
    assert (ego.strength_out, ego.strength_in) == (3.5, 2.0)
    # Weight with bob 3.0 (inside Eng), cy 1.5 and dee 1.0 (outside): 2.5 / 5.5.
    assert ego.external_share == pytest.approx(2.5 / 5.5)
    assert list(ego.contacts.columns) == CONTACT_COLUMNS
    assert ego.contacts.values.tolist() == [
        ["bob", "Eng", 2.0, 1.0, 3.0, 5],
        ["cy", "Sales", 1.5, 0.0, 1.5, 2],
        ["dee", UNKNOWN, 0.0, 1.0, 1.0, 1],
    ]
    assert list(ego.groups.columns) == GROUP_COLUMNS
    # One contact in each group: the heaviest group first.
    assert ego.groups.values.tolist() == [["Eng", 1, 3.0], ["Sales", 1, 1.5], [UNKNOWN, 1, 1.0]]


def test_equal_weights_are_ordered_by_id_and_groups_by_contacts_then_weight():
    G = nx.DiGraph()
    G.add_node("v", team="a")
    for other, team, weight in (("z", "b", 1.0), ("y", "b", 1.0), ("x", "c", 4.0), ("w", "c", 1.0), ("u", "d", 9.0)):
        G.add_node(other, team=team)
        G.add_edge("v", other, weight=weight)
    ego = ego_network(G, "v", by="team")
    assert list(ego.contacts["person_id"]) == ["u", "x", "w", "y", "z"]
    assert ego.groups.values.tolist() == [["c", 2, 5.0], ["b", 2, 2.0], ["d", 1, 9.0]]
    assert ego.external_share == 1.0


def test_unweighted_counts_each_tie_once():
    G = nx.DiGraph([("a", "b", {"weight": 7.0}), ("b", "a", {"weight": 3.0}), ("c", "a", {"weight": 2.0})])
    ego = ego_network(G, "a", weight=None)
    assert (ego.strength_out, ego.strength_in) == (1.0, 2.0)
    assert dict(zip(ego.contacts["person_id"], ego.contacts["weight"])) == {"b": 2.0, "c": 1.0}


def test_a_person_without_ties_has_no_share():
    G = nx.DiGraph()
    G.add_node("alone", department="Eng")
    ego = ego_network(G, "alone")
    assert (ego.out_degree, ego.in_degree, ego.strength_out, ego.strength_in) == (0, 0, 0.0, 0.0)
    assert ego.external_share is None and ego.contacts.empty and ego.groups.empty
    assert list(ego.contacts.columns) == CONTACT_COLUMNS and list(ego.groups.columns) == GROUP_COLUMNS


def test_bad_input_is_refused():
    with pytest.raises(nx.NodeNotFound, match="nobody"):
        ego_network(nx.DiGraph([("a", "b")]), "nobody")
    with pytest.raises(nx.NetworkXNotImplemented):
        ego_network(nx.Graph([("a", "b")]), "a")
    with pytest.raises(nx.NetworkXNotImplemented):
        ego_network(nx.MultiDiGraph([("a", "b")]), "a")


def test_docstring_examples():
    result = doctest.testmod(orgnet.ego)
    assert result.attempted > 0 and result.failed == 0


@pytest.fixture(scope="module")
def samples(sample_store_path):
    from orgnet.store.sqlite import SQLiteStore

    with SQLiteStore(sample_store_path) as opened:
        yield opened


@pytest.mark.parametrize("radius", [0, 1, 2])
def test_an_ego_view_from_the_ties_around_a_person_is_networkx_ego_graph_of_the_whole_graph(samples, radius):
    from orgnet.ego import neighbourhood_graph, tie_degrees
    from orgnet.graph import people_graph

    people = samples.people()
    start, end = "2026-09", "2026-10"
    whole = people_graph(samples.ties(start, end), people)
    # The busiest person, a quiet one, and someone on the roster without a tie in these months if there is one.
    by_degree = sorted(whole, key=lambda node: (whole.degree(node), node))
    chosen = [by_degree[-1], by_degree[len(by_degree) // 2], by_degree[0]]
    for person in chosen:
        ties = samples.neighbourhood(person, radius, start, end)
        ours = neighbourhood_graph(ties, people, person, radius)
        theirs = whole.subgraph(nx.ego_graph(whole, person, radius=radius, undirected=True))
        assert set(ours) == set(theirs)
        assert dict(ours.nodes(data=True)) == dict(theirs.nodes(data=True))
        assert set(ours.edges) == set(theirs.edges)
        for u, v, data in theirs.edges(data=True):
            assert ours.edges[u, v]["count"] == data["count"]
            assert ours.edges[u, v]["weight"] == pytest.approx(data["weight"])
        assert tie_degrees(ties, sorted(theirs)) == {node: whole.degree(node) for node in theirs}
        # The store read is the period's ties around the person, nothing more.
    # The store read is the period's ties around the people, not all of them (the quiet person's, at least).
    assert len(samples.neighbourhood(chosen[1], radius, start, end)) < len(samples.tie_columns(start, end))


def test_the_ego_summary_from_the_neighbourhood_is_the_one_of_the_whole_graph(samples):
    from pandas.testing import assert_frame_equal

    from orgnet.ego import neighbourhood_graph
    from orgnet.graph import people_graph

    people = samples.people()
    whole = people_graph(samples.ties("2026-10", "2026-10"), people)
    for person in sorted(whole, key=whole.degree)[-3:]:
        ours = ego_network(neighbourhood_graph(samples.neighbourhood(person, 1, "2026-10", "2026-10"), people, person, 1), person)
        theirs = ego_network(whole, person)
        assert (ours.out_degree, ours.in_degree, ours.group) == (theirs.out_degree, theirs.in_degree, theirs.group)
        assert ours.strength_out == pytest.approx(theirs.strength_out) and ours.external_share == pytest.approx(theirs.external_share)
        assert_frame_equal(ours.contacts, theirs.contacts)
        assert_frame_equal(ours.groups, theirs.groups)


def test_a_person_neither_on_the_roster_nor_in_a_tie_is_not_found(samples):
    from orgnet.ego import neighbourhood_graph

    with pytest.raises(nx.NodeNotFound):
        neighbourhood_graph(samples.neighbourhood("nobody", 2), samples.people(), "nobody", 2)
