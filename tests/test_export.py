"""``orgnet export``: GraphML and GEXF that NetworkX (and Gephi) read back, neo4j-admin CSV headers, on every store."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from test_store_contract import apply_both
from typer.testing import CliRunner

from orgnet.cli import app
from orgnet.store.neo4j import Neo4jStore
from orgnet.store.sqlite import SQLiteStore

runner = CliRunner()
# With the store contract's Neo4j tests, on the worker that runs the session's one Neo4j.
pytestmark = pytest.mark.xdist_group("neo4j")


@pytest.fixture(params=["sqlite", "bolt"])
def filled(request, tmp_path, monkeypatch) -> str:
    """A store location holding the contract suite's two ingests, with its credentials in the environment."""
    if request.param == "sqlite":
        location = str(tmp_path / "export.db")
        with SQLiteStore(location) as opened:
            apply_both(opened)
        return location
    where = request.getfixturevalue("bolt_location")
    with Neo4jStore(where.uri, where.user, where.password, where.database) as opened:
        apply_both(opened)
    monkeypatch.setenv("NEO4J_USER", where.user)
    monkeypatch.setenv("NEO4J_PASSWORD", where.password)
    monkeypatch.setenv("NEO4J_DATABASE", where.database)
    return where.uri


def export(*args: str):
    result = runner.invoke(app, ["export", *args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("suffix, reader", [(".graphml", nx.read_graphml), (".gexf", nx.read_gexf)])
def test_graph_files(filled, tmp_path, suffix, reader):
    path = tmp_path / f"org{suffix}"
    assert export(str(path), "--store", filled)["files"] == [str(path)]
    graph = reader(path)
    # E9 is on no roster but a tie names him, so he is a node without fields.
    assert set(graph.nodes) == {"E1", "E2", "E3", "E4", "E9"}
    assert graph.nodes["E1"]["department"] == "Engineering" and graph.nodes["E1"]["cost_centre"] == "R&D"
    assert graph.number_of_edges() == 5
    edge = next(
        data for s, t, data in graph.edges(data=True) if (s, t, data["period"], data["channel"]) == ("E1", "E2", "2026-01", "email")
    )
    assert int(edge["count"]) == 3 and float(edge["weight"]) == 2.0 and edge["first_seen"] == "2026-01-01T08:00:00Z"


def test_period_filters(filled, tmp_path):
    one = tmp_path / "one.graphml"
    export(str(one), "--store", filled, "--period", "2026-03")
    assert {d["period"] for *_, d in nx.read_graphml(one).edges(data=True)} == {"2026-03"}
    span = tmp_path / "span.gexf"
    export(str(span), "--store", filled, "--from", "2026-02", "--to", "2026-03", "--channel", "email")
    assert {(d["period"], d["channel"]) for *_, d in nx.read_gexf(span).edges(data=True)} == {("2026-02", "email"), ("2026-03", "email")}


def test_neo4j_csv(filled, tmp_path):
    folder = tmp_path / "import"
    files = [Path(f).name for f in export(str(folder), "--store", filled, "--format", "neo4j-csv")["files"]]
    assert "import.sh" in files and "interacted_header.csv" in files
    header = (folder / "interacted_header.csv").read_text().strip()
    assert header == ":START_ID(Person),:END_ID(Person),:TYPE,period,channel,count:long,weight:double,first_seen:long,last_seen:long"
    people_header = (folder / "people_header.csv").read_text().strip().split(",")
    assert people_header[0] == "person_id:ID(Person)" and people_header[-2:] == ["in_roster:boolean", ":LABEL"]
    people = pd.read_csv(folder / "people.csv", header=None, names=people_header, dtype=str)
    assert set(people["person_id:ID(Person)"]) == {"E1", "E2", "E3", "E4", "E9"}
    assert people.set_index("person_id:ID(Person)").loc["E9", "in_roster:boolean"] == "false"
    ties = pd.read_csv(folder / "interacted.csv", header=None)
    assert len(ties) == 5 and set(ties[2]) == {"INTERACTED"}
    # Seconds since 1970, as the Neo4j store writes them: the fixture's earliest tie starts 2026-01-01T08:00:00Z.
    assert ties[7].dtype == "int64" and ties[7].min() == int(pd.Timestamp("2026-01-01T08:00:00Z").timestamp())
    reports = pd.read_csv(folder / "reports_to.csv", header=None)
    assert sorted(map(tuple, reports.values.tolist())) == [("E2", "E3", "REPORTS_TO"), ("E3", "E1", "REPORTS_TO")]
    assert "--relationships=interacted_header.csv,interacted.csv" in (folder / "import.sh").read_text()


def test_clear_errors(tmp_path):
    result = runner.invoke(app, ["export", str(tmp_path / "org.txt"), "--store", str(tmp_path / "x.db")])
    assert result.exit_code == 1 and "--format" in result.output
    result = runner.invoke(app, ["export", str(tmp_path / "a.gexf"), "--period", "2026-01", "--from", "2026-01"])
    assert result.exit_code == 1 and "either --period" in result.output
