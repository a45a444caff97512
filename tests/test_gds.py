"""orgnet.gds: GDS inside the session's Neo4j agrees with the local engine on the bundled samples (2026-10)."""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from orgnet import gds
from orgnet.advocates import pagerank
from orgnet.analysis import load_snapshot
from orgnet.brokers import betweenness
from orgnet.communities import find_communities, modularity
from orgnet.fragility import articulation_points, bridges
from orgnet.graph import undirected_graph
from orgnet.model import CORE_PERSON_FIELDS, IngestBatch, IngestRecord
from orgnet.snapshots import list_snapshots
from orgnet.spread import celf_seeds, expected_spread
from orgnet.store.neo4j import Neo4jStore
from orgnet.store.sqlite import SQLiteStore

# On the worker that runs the session's one Neo4j (see neo4j_server.py).
pytestmark = pytest.mark.xdist_group("neo4j")

PERIOD = "2026-10"


@pytest.fixture(scope="module")
def local(sample_store_path):
    """The samples' snapshot as the local engine builds it."""
    with SQLiteStore(sample_store_path) as store:
        return load_snapshot(store, PERIOD, PERIOD)


@pytest.fixture(scope="module")
def projected(neo4j_server, sample_store_path):
    """The samples' people and ties in the session's Neo4j, and their snapshot projected into GDS."""
    where = neo4j_server
    with SQLiteStore(sample_store_path) as samples:
        people, ties = samples.people(), samples.ties()
    extra = [name for name in people.columns if name not in CORE_PERSON_FIELDS]
    people["attributes"] = [{k: v for k, v in row.items() if v is not None} for row in people[extra].to_dict("records")]
    with Neo4jStore(where.uri, where.user, where.password, where.database) as store:
        with store._driver.session(database=where.database) as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
        batch = IngestBatch(people=people[[*CORE_PERSON_FIELDS, "attributes"]], ties=ties)
        store.apply(batch, IngestRecord("samples", "samples", "samples", "samples", "2026-11-01T00:00:00Z"))
        # An order, so that the directed graph numbers the people by person_id: left to the database, the numbering
        # follows its node ids, which it reuses after the delete above in an order set by the tests run before.
        with gds.project(store, PERIOD, PERIOD, order=sorted(people["person_id"])) as graph:
            yield graph


def _top(values: dict, k: int) -> list:
    return [node for node, _ in sorted(values.items(), key=lambda item: (-item[1], item[0]))[:k]]


def test_the_projection_is_the_local_graph(projected, local):
    assert projected.node_count == local.graph.number_of_nodes()
    assert projected.relationship_count == local.graph.number_of_edges()


def test_pagerank_top_10_identical(projected, local):
    ours = gds.pagerank(projected)
    assert ours["pagerank"].sum() == pytest.approx(1.0)
    assert _top(ours.set_index("person_id")["pagerank"].to_dict(), 10) == _top(pagerank(local.graph), 10)


def test_leiden_modularity_within_2_percent(projected, local):
    ours = gds.leiden(projected)
    # Both partitions scored by the same function on the same graph.
    theirs = find_communities(local.graph).modularity
    mine = modularity(local.graph, dict(zip(ours["person_id"], ours["community"])))
    assert mine == pytest.approx(ours.attrs["modularity"], abs=1e-9)
    assert abs(mine - theirs) <= 0.02 * theirs


def test_articulation_points_and_bridges_identical(projected, local):
    assert list(gds.articulation_points(projected)["person_id"]) == sorted(articulation_points(local.graph))
    theirs = sorted(tuple(sorted(pair)) for pair in bridges(local.graph))
    assert [tuple(pair) for pair in gds.bridges(projected).itertuples(index=False)] == theirs
    assert theirs  # the samples plant single points of failure


def test_betweenness_top_20_overlap(projected, local):
    ours = gds.betweenness(projected).set_index("person_id")["betweenness"]
    theirs = betweenness(local.graph).values
    assert len(set(_top(ours.to_dict(), 20)) & set(_top(theirs, 20))) >= 15
    # Exact on both sides here: the values themselves agree.
    assert ours.to_dict() == pytest.approx(theirs, abs=1e-4)


def test_sampled_betweenness_ranks_the_same_brokers(projected, local):
    # The two engines draw different pivots: at 150 of the samples' 300 people two independent draws of the local
    # engine alone share 14-16 of their top 20, so the comparison is made where sampling noise leaves 17-19.
    ours = gds.betweenness(projected, pivots=250, seed=7).set_index("person_id")["betweenness"]
    theirs = betweenness(local.graph, k=250, seed=7).values
    assert len(set(_top(ours.to_dict(), 20)) & set(_top(theirs, 20))) >= 15


def test_sampled_betweenness_is_on_the_local_scale_with_bounded_errors(projected, local):
    from orgnet.brokers import error_bound

    found = gds.GdsKernels(projected, local.indexed).betweenness(k=100, exact_limit=3000, seed=7)
    exact = betweenness(local.graph).values
    nodes = local.indexed.nodes
    # Scaled by n / pivots: the sampled values add up to about the exact ones (GDS alone returns a third).
    assert sum(found.values.values()) == pytest.approx(sum(exact.values()), rel=0.3)
    assert not found.exact and found.pivots == 100 and found.error_bound == pytest.approx(error_bound(len(nodes), 100))
    stderr = np.array([found.stderr[node] for node in nodes])
    # Present for everyone, and positive wherever the estimate is.
    values = np.array([found.values[node] for node in nodes])
    assert np.isfinite(stderr).all() and ((stderr > 0) == (values > 0)).all()


def test_celf_seeds_start_from_the_local_engines_first_seed(projected, local):
    ours = gds.celf_seeds(projected, 3, probability=0.1, runs=300, seed=7)
    theirs = celf_seeds(local.graph, 3, probability=0.1, runs=300, seed=7)
    assert list(ours["rank"]) == [1, 2, 3] and ours["person_id"].is_unique and ours["gain"].is_monotonic_decreasing
    # GDS's correlated cascades share draws by adjacency position, so its picks follow the projection's numbering:
    # the fixture's order (before it gave one, a run under pytest -n 2 once picked E0229, the local third seed).
    assert ours["person_id"].iloc[0] == theirs["person_id"].iloc[0]
    # Both seed sets scored on the same 4,000 local cascades. They differ beyond the Monte Carlo error (57.7 vs
    # 60.5, stderr 0.4, measured): GDS's cascades are not the local model's (orgnet/gds.py says so), so its later
    # seeds are chosen on other gains; its set still reaches within 10% of the local greedy set.
    scored = [expected_spread(local.graph, frame["person_id"], probability=0.1, runs=4000, seed=1) for frame in (ours, theirs)]
    assert scored[0].mean >= 0.9 * scored[1].mean


def _java_doubles(seed: int, count: int) -> list[float]:
    """The first ``count`` values of ``new java.util.SplittableRandom(seed).nextDouble()`` (SplitMix64, Steele et al. 2014)."""
    mask, state, values = (1 << 64) - 1, seed & ((1 << 64) - 1), []
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        values.append(((z ^ (z >> 31)) >> 11) * 2.0**-53)
    return values


def test_celf_first_gain_is_gds_cascade_with_every_node_reseeded(projected, local):
    """Why GDS's gains run above the local spread: GDS 2.13's cascades are not independent across people.

    Its influence maximisation (ICInitTask) makes a new SplittableRandom(randomSeed + simulation) for every
    node a cascade reaches and draws one number per relationship, so in one simulation the k-th relationship
    of every person shares one draw (k in GDS's adjacency order, targets by ascending node id). Replayed
    here from the projection, the first seed's spread under that model is GDS's gain to the last digit,
    and the independent cascade's (orgnet.spread) is far lower: the correlated coins, all live or all dead
    together, reach further.
    """
    runs, probability, seed = 300, 0.1, 7
    first = gds.celf_seeds(projected, 1, probability=probability, runs=runs, seed=seed).iloc[0]
    rows = projected.stream(
        "CALL gds.graph.relationships.stream($name) YIELD sourceNodeId, targetNodeId "
        "RETURN gds.util.asNode(sourceNodeId).person_id, gds.util.asNode(targetNodeId).person_id"
    )
    # GDS's own numbering, which orders each adjacency list: the fixture's order, by person_id (every node here is
    # a roster person).
    assert set(local.graph) == set(local.people["person_id"])
    number = {person: k for k, person in enumerate(sorted(local.graph))}
    adjacency: dict[int, list[int]] = {}
    for source, target in rows:
        adjacency.setdefault(number[source], []).append(number[target])
    start = number[first["person_id"]]
    adjacency = {node: sorted(targets) for node, targets in adjacency.items()}
    longest = max(map(len, adjacency.values()))
    total = 0
    for simulation in range(runs):
        live = [draw < probability for draw in _java_doubles(seed + simulation, longest)]
        reached, frontier = {start}, [start]
        while frontier:
            node = frontier.pop()
            for k, target in enumerate(adjacency.get(node, [])):
                if live[k] and target not in reached:
                    reached.add(target)
                    frontier.append(target)
        total += len(reached)
    assert first["gain"] == pytest.approx(total / runs, rel=1e-12)
    independent = expected_spread(local.graph, [first["person_id"]], probability=probability, runs=4000, seed=1)
    assert first["gain"] > independent.mean + 5 * independent.stderr


def test_eigenvector_is_that_of_the_degree_normalised_matrix(projected, local):
    ours = gds.eigenvector(projected).set_index("person_id")["eigenvector"]
    assert (ours**2).sum() == pytest.approx(1.0)
    # GDS's definition, computed here by hand: the leading eigenvector of A D^-1.
    nodes = sorted(local.graph.nodes)
    adjacency = nx.to_numpy_array(undirected_graph(local.graph), nodelist=nodes, weight="weight")
    values, vectors = np.linalg.eig(adjacency / adjacency.sum(axis=0))
    expected = np.abs(np.real(vectors[:, np.argmax(np.real(values))]))
    assert ours.reindex(nodes).to_numpy() == pytest.approx(expected / np.linalg.norm(expected), abs=0.015)
    # Not Bonacich's (the local engine's) vector: GDS normalises each tie by its end's degree, so the two rank
    # leaders differently (11 of the top 20 in common on the samples); orgnet/gds.py's docstring says so.


def test_components_and_clustering_as_networkx(projected, local):
    components = gds.components(projected)
    theirs = {frozenset(c) for c in nx.weakly_connected_components(local.graph)}
    assert {frozenset(group) for _, group in components.groupby("component")["person_id"]} == theirs
    simple = nx.Graph(undirected_graph(local.graph))
    ours = gds.clustering(projected).set_index("person_id")
    assert ours["triangles"].to_dict() == nx.triangles(simple)
    assert ours["clustering"].to_dict() == pytest.approx(nx.clustering(simple), abs=1e-12)


def test_estimate_sizes_every_step_before_projecting(projected):
    estimate = gds.estimate(projected.store, PERIOD, PERIOD)
    assert list(estimate["step"]) == ["projection", *gds._ESTIMATES]
    assert (estimate["bytes_min"] > 0).all() and (estimate["bytes_max"] >= estimate["bytes_min"]).all()
    # A larger snapshot (every period) needs more.
    everything = gds.estimate(projected.store)
    assert everything.loc[0, "bytes_max"] > estimate.loc[0, "bytes_max"]
    assert isinstance(estimate.loc[0, "required_memory"], str) and isinstance(estimate, pd.DataFrame)


def test_analyze_estimate_prints_the_same_sizes_and_analyses_nothing(projected, neo4j_server, monkeypatch):
    from typer.testing import CliRunner

    from orgnet.cli import app

    monkeypatch.setenv("NEO4J_USER", neo4j_server.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    monkeypatch.setenv("NEO4J_DATABASE", neo4j_server.database)
    printed = CliRunner().invoke(app, ["analyze", "--estimate", "--period", PERIOD, "--store", neo4j_server.uri, "--json"])
    assert printed.exit_code == 0, printed.output
    answer = json.loads(printed.output)
    expected = gds.estimate(projected.store, PERIOD, PERIOD)
    assert answer["snapshot"] == PERIOD
    assert [step["step"] for step in answer["steps"]] == list(expected["step"])
    assert [step["bytes_max"] for step in answer["steps"]] == expected["bytes_max"].tolist()
    # Nothing was analysed: no result was stored.
    assert list_snapshots(projected.store) == []


def test_analyze_estimate_needs_a_neo4j_store(tmp_path):
    from typer.testing import CliRunner

    from orgnet.cli import app

    printed = CliRunner().invoke(app, ["analyze", "--estimate", "--store", str(tmp_path / "local.db")])
    assert printed.exit_code != 0
    assert "--estimate asks Neo4j Graph Data Science" in printed.output
