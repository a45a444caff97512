"""``--engine gds`` against the local engine on the 50,000-person benchmark org, in the suite's real Neo4j.

The org's people and its 800,000 ties of 2026-10 (``orgnet.synth.benchmark_org``) go into Neo4j and into an
embedded store as the same batch; each engine analyses its store and the typed results are compared by the
issue's criteria: PageRank top 10 identical, modularity within 2%, communities' NMI against departments within
0.02, articulation points and bridges identical (the org has none: neither engine may find one). Betweenness is
left to ``bench/gds_agreement.py``: two estimates share 15 of their top 20 only from about 3,600 pivots each on
this org (the bench works the number out), minutes of each engine's time, where the samples' test compares
exact betweenness.
"""

from __future__ import annotations

import pytest
from neo4j_server import empty_database
from test_gds_engine import _top

from orgnet.analysis import AnalysisOptions, analyze
from orgnet.jobs import ADVOCATES, COMMUNITIES, FRAGILITY, META
from orgnet.model import IngestBatch, IngestRecord
from orgnet.results import get
from orgnet.store.neo4j import Neo4jStore
from orgnet.store.sqlite import SQLiteStore
from orgnet.synth import benchmark_org

# On the worker that runs the session's one Neo4j (see neo4j_server.py).
pytestmark = pytest.mark.xdist_group("neo4j")

PERIOD = "2026-10"


def test_gds_agrees_with_the_local_engine_on_the_50k_org(neo4j_server, tmp_path):
    """One test, so that the two analyses (about two minutes) run once: a module fixture is set up again when the
    neo4j group's tests of other modules run between this module's."""
    org = benchmark_org(50_000, 800_000)
    batch = IngestBatch(people=org["people"], ties=org["ties"])
    record = IngestRecord("benchmark", "bench", "benchmark org", "benchmark-org", "2026-11-01T00:00:00Z", {})
    where = empty_database(neo4j_server)
    try:
        with Neo4jStore(where.uri, where.user, where.password, where.database) as gds, SQLiteStore(tmp_path / "local.db") as local:
            for store, engine in ((gds, "gds"), (local, "local")):
                store.apply(batch, record)
                analyze(store, PERIOD, PERIOD, AnalysisOptions(layout=False, engine=engine))
            found = {job.name: (get(gds, job, PERIOD), get(local, job, PERIOD)) for job in (META, ADVOCATES, COMMUNITIES, FRAGILITY)}
    finally:
        empty_database(neo4j_server)

    ours, theirs = found[META.name]
    assert (ours.engine, theirs.engine) == ("gds", "local")
    assert (ours.people, ours.ties) == (theirs.people, theirs.ties) and ours.people == 50_000

    ours, theirs = found[ADVOCATES.name]
    assert _top(ours.table, "pagerank", 10) == _top(theirs.table, "pagerank", 10), "PageRank top 10"

    ours, theirs = found[COMMUNITIES.name]
    assert (ours.method, theirs.method) == ("leiden-gds", "leiden")
    assert abs(ours.modularity - theirs.modularity) <= 0.02 * theirs.modularity, (ours.modularity, theirs.modularity)
    assert ours.agreement["nmi"] == pytest.approx(theirs.agreement["nmi"], abs=0.02), "NMI against departments"

    ours, theirs = found[FRAGILITY.name]
    assert sorted(ours.articulation_points) == sorted(theirs.articulation_points)
    assert {frozenset(pair) for pair in ours.bridges} == {frozenset(pair) for pair in theirs.bridges}
