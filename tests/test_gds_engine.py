"""``orgnet analyze --engine gds``: on the samples (2026-10) the typed results GDS's kernels give agree with the local
engine's, the jobs GDS lacks give the same results, and the API answers a GDS-analysed Neo4j store as a local one."""

from __future__ import annotations

import json

import pytest
from api_fixtures import make_app, samples_store  # noqa: F401
from conftest import SAMPLES
from fastapi.testclient import TestClient
from neo4j_server import empty_database
from typer.testing import CliRunner

from orgnet.access import create_key
from orgnet.cli import app
from orgnet.ingest.samples import ingest_samples
from orgnet.jobs import ADVOCATES, BROKERS, COMMUNITIES, FRAGILITY, META, SILOS, SUMMARY
from orgnet.results import get
from orgnet.store.neo4j import Neo4jStore
from orgnet.store.sqlite import SQLiteStore

# On the worker that runs the session's one Neo4j (see neo4j_server.py).
pytestmark = pytest.mark.xdist_group("neo4j")

PERIOD = "2026-10"


def _credentials(monkeypatch: pytest.MonkeyPatch, where) -> None:
    monkeypatch.setenv("NEO4J_USER", where.user)
    monkeypatch.setenv("NEO4J_PASSWORD", where.password)
    monkeypatch.setenv("NEO4J_DATABASE", where.database)


@pytest.fixture(scope="module")
def gds_store(neo4j_server):
    """Every sample source in the session's Neo4j, 2026-10 analysed by ``orgnet analyze --engine gds``."""
    where = empty_database(neo4j_server)
    with pytest.MonkeyPatch.context() as patch, Neo4jStore(where.uri, where.user, where.password, where.database) as store:
        ingest_samples(store, SAMPLES)
        _credentials(patch, where)
        printed = CliRunner().invoke(app, ["analyze", "--engine", "gds", "--period", PERIOD, "--store", where.uri, "--json"])
        assert printed.exit_code == 0, printed.output
        (run,) = json.loads(printed.output)
        assert run["label"] == PERIOD and "project" in run["timings"]
        yield store


def _top(table, column: str, k: int) -> list[str]:
    rows = sorted(table.select(["person_id", column]).to_pylist(), key=lambda row: (-row[column], row["person_id"]))
    return [row["person_id"] for row in rows[:k]]


def test_the_engine_is_recorded_and_the_snapshot_is_the_same(gds_store, analysed):
    ours, theirs = get(gds_store, META, PERIOD), get(analysed, META, PERIOD)
    assert (ours.engine, theirs.engine) == ("gds", "local")
    assert (ours.people, ours.ties) == (theirs.people, theirs.ties)


def test_pagerank_top_10_identical(gds_store, analysed):
    ours, theirs = get(gds_store, ADVOCATES, PERIOD).table, get(analysed, ADVOCATES, PERIOD).table
    assert _top(ours, "pagerank", 10) == _top(theirs, "pagerank", 10)
    assert sum(ours.column("pagerank").to_pylist()) == pytest.approx(1.0)


def test_communities_modularity_within_2_percent_and_nmi_within_002(gds_store, analysed):
    ours, theirs = get(gds_store, COMMUNITIES, PERIOD), get(analysed, COMMUNITIES, PERIOD)
    assert (ours.method, theirs.method) == ("leiden-gds", "leiden")
    assert ours.modularity is not None and theirs.modularity is not None
    assert abs(ours.modularity - theirs.modularity) <= 0.02 * theirs.modularity
    assert ours.agreement["nmi"] == pytest.approx(theirs.agreement["nmi"], abs=0.02)
    # The same people, each in one community, numbered by size as the local engine numbers them.
    sizes = ours.labels.column("size").to_pylist()
    assert sum(sizes) == ours.membership.num_rows == theirs.membership.num_rows and sizes == sorted(sizes, reverse=True)


def test_articulation_points_and_bridges_identical(gds_store, analysed):
    ours, theirs = get(gds_store, FRAGILITY, PERIOD), get(analysed, FRAGILITY, PERIOD)
    assert sorted(ours.articulation_points) == sorted(theirs.articulation_points)
    assert {frozenset(pair) for pair in ours.bridges} == {frozenset(pair) for pair in theirs.bridges}
    assert theirs.bridges  # the samples plant single points of failure
    # The carriers are computed locally on the same ties, whichever engine ran the rest.
    assert ours.carriers.sort_by([("group_a", "ascending"), ("group_b", "ascending")]).equals(
        theirs.carriers.sort_by([("group_a", "ascending"), ("group_b", "ascending")])
    )


def test_betweenness_top_20_overlap_at_equal_pivots(gds_store, analysed):
    ours, theirs = get(gds_store, BROKERS, PERIOD), get(analysed, BROKERS, PERIOD)
    # 300 people: both engines are exact (every person a pivot).
    assert ours.betweenness["exact"] and theirs.betweenness["exact"] and ours.betweenness["pivots"] == theirs.betweenness["pivots"]
    assert len(set(_top(ours.table, "betweenness", 20)) & set(_top(theirs.table, "betweenness", 20))) >= 15


def test_clustering_and_components_as_the_local_engine(gds_store, analysed):
    ours, theirs = get(gds_store, SUMMARY, PERIOD), get(analysed, SUMMARY, PERIOD)
    assert ours.average_clustering == pytest.approx(theirs.average_clustering, abs=1e-12)
    assert ours.transitivity == pytest.approx(theirs.transitivity, abs=1e-12)
    assert (ours.weak_components, ours.largest_weak_share) == (theirs.weak_components, theirs.largest_weak_share)
    silos = [get(store, SILOS, PERIOD).table.sort_by("group") for store in (gds_store, analysed)]
    assert silos[0].equals(silos[1])


def test_reach_seeds_from_gds_start_as_the_local_ones_and_are_scored_alike(gds_store, sample_store_path, neo4j_server, monkeypatch):
    # GDS's CELF inside Neo4j against the local CELF, both sets scored by the same expected spread (300 runs, seed 7).
    _credentials(monkeypatch, neo4j_server)
    found = {}
    for engine, store in (("gds", neo4j_server.uri), ("local", str(sample_store_path))):
        printed = CliRunner().invoke(
            app,
            ["reach", "--seeds", "3", "--engine", engine, "--runs", "300", "--seed", "7", "--period", PERIOD, "--store", store, "--json"],
        )
        assert printed.exit_code == 0, printed.output
        found[engine] = json.loads(printed.output)
    gds_seeds, local_seeds = found["gds"]["seeds"], found["local"]["seeds"]
    assert found["gds"]["engine"] == "gds" and [row["rank"] for row in gds_seeds] == [1, 2, 3]
    assert gds_seeds[0]["person_id"] == local_seeds[0]["person_id"]
    # The first seed alone is scored identically by both; GDS's own gain for it is larger (orgnet/gds.py says why not).
    assert gds_seeds[0]["spread"] == pytest.approx(local_seeds[0]["spread"])
    assert gds_seeds[-1]["spread"] >= 0.9 * local_seeds[-1]["spread"]


def test_the_api_answers_a_gds_analysed_store_as_a_local_one(gds_store, samples_store, neo4j_server):  # noqa: F811
    where = neo4j_server
    apps = {
        "gds": make_app(where.uri, neo4j_user=where.user, neo4j_password=where.password, neo4j_database=where.database),
        "local": make_app(samples_store),
    }
    answers = {}
    for engine, served in apps.items():
        with SQLiteStore(samples_store) as local:
            key = create_key(gds_store if engine == "gds" else local, "analyst", "gds engine test")[1]
        with TestClient(served) as client:
            headers = {"Authorization": f"Bearer {key}"}
            answers[engine] = {
                path: client.get(f"/api/v1/{path}?period={PERIOD}", headers=headers)
                for path in ("summary", "communities", "brokers", "advocates", "silos", "silos/fragile-bridges")
            }
    for path, answer in answers["gds"].items():
        local = answers["local"][path]
        assert answer.status_code == local.status_code == 200, (path, answer.text)
        assert _shape(answer.json()) == _shape(local.json()), path
    summaries = [answers[engine]["summary"].json() for engine in ("gds", "local")]
    assert summaries[0]["groups"] == summaries[1]["groups"] and summaries[0]["transitivity"] == pytest.approx(summaries[1]["transitivity"])
    assert answers["gds"]["silos"].json() == answers["local"]["silos"].json()
    assert [row["person_id"] for row in answers["gds"]["brokers"].json()["items"][:3]] == [
        row["person_id"] for row in answers["local"]["brokers"].json()["items"][:3]
    ]


def _shape(value):
    """The keys of a JSON answer, recursively (a list by its first item): what a client relies on."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return None


def test_engine_gds_on_an_sqlite_store_is_a_clear_error(tmp_path, monkeypatch):
    for arguments, environment in ((["--engine", "gds"], None), ([], "gds")):
        if environment:
            monkeypatch.setenv("ORGNET_ENGINE", environment)
        printed = CliRunner().invoke(app, ["analyze", *arguments, "--store", str(tmp_path / "local.db")])
        assert printed.exit_code != 0
        assert "--engine gds runs the graph algorithms inside Neo4j Graph Data Science, and this store is not Neo4j" in printed.output
