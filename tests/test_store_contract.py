"""The Store contract: every store answers every operation the same way.

Each test runs on the embedded SQLite store and on a real Neo4j
(the local Neo4j Community the session starts, see ``neo4j_server.py``, or the
server ``ORGNET_TEST_NEO4J_URI`` names). The Neo4j store must return exactly
the frames the embedded store returns for the same input.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from pandas.testing import assert_frame_equal
from typer.testing import CliRunner

from orgnet.cli import app
from orgnet.errors import StoreError
from orgnet.model import (
    AUDIENCE_COLUMNS,
    ENGAGEMENT_COLUMNS,
    EXTERNAL_CONTACT_COLUMNS,
    FOLLOWER_COLUMNS,
    IDENTITY_COLUMNS,
    ApiKey,
    AuditEntry,
    IngestBatch,
    IngestRecord,
    StoredResult,
)
from orgnet.store import Store, open_store
from orgnet.store import sqlite as sqlite_store
from orgnet.store.frames import followers_frame, stored_timestamps, timestamps_to_seconds
from orgnet.store.neo4j import Neo4jStore
from orgnet.store.sqlite import SQLiteStore

KINDS = ["sqlite", "neo4j"]

# One worker runs every test here, so that the session starts one Neo4j (see neo4j_server.py).
pytestmark = pytest.mark.xdist_group("neo4j")


def _open(request: pytest.FixtureRequest, kind: str, tmp_path, batch_size: int = 2) -> Store:
    if kind == "sqlite":
        return SQLiteStore(tmp_path / "contract.db")
    where = request.getfixturevalue("bolt_location")
    # A tiny batch size makes every write span several batches (and so several transactions).
    return Neo4jStore(where.uri, where.user, where.password, where.database, batch_size=batch_size)


@pytest.fixture(params=KINDS)
def any_store(request, tmp_path):
    """An empty store of each kind."""
    opened = _open(request, request.param, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def store_pair(request, tmp_path):
    """An empty embedded store and an empty Neo4j store, to compare."""
    embedded = SQLiteStore(tmp_path / "embedded.db")
    graph = _open(request, "neo4j", tmp_path)
    yield embedded, graph
    embedded.close()
    graph.close()


def _stamps(*values: str) -> pd.Series:
    return pd.to_datetime(pd.Series(values), utc=True)


def _people(rows: list[tuple]) -> pd.DataFrame:
    columns = ["person_id", "name", "email", "department", "title", "manager_id", "location", "hire_date", "attributes"]
    return pd.DataFrame(rows, columns=columns)


def _ties(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["source", "target", "period", "channel", "count", "weight", "first_seen", "last_seen"])
    frame["first_seen"] = pd.to_datetime(frame["first_seen"], utc=True)
    frame["last_seen"] = pd.to_datetime(frame["last_seen"], utc=True)
    return frame


def first_batch() -> IngestBatch:
    """People with HR attributes and a report listed before her manager; every other table too."""
    return IngestBatch(
        people=_people(
            [
                ("E2", "Bob Roy", "bob@acme.example", "Engineering", "Engineer", "E1", "Paris", "2021-03-01", {"level": "3"}),
                (
                    "E1",
                    "Ann Lee",
                    "ann@acme.example",
                    "Engineering",
                    "CTO",
                    None,
                    "Paris",
                    "2020-01-06",
                    {"level": "5", "cost_centre": "R&D"},
                ),
                ("E3", "Cy Tan", None, "Sales", None, "E1", "Lyon", None, {}),
            ]
        ),
        identities=pd.DataFrame([("ann@acme.example", "E1"), ("@bob", "E2"), ("bob@acme.example", "E2")], columns=IDENTITY_COLUMNS),
        ties=_ties(
            [
                ("E1", "E2", "2026-01", "email", 2, 1.5, "2026-01-05T09:00:00Z", "2026-01-20T10:00:00Z"),
                ("E2", "E1", "2026-01", "chat", 1, 0.25, "2026-01-07T08:00:00Z", "2026-01-07T08:00:00Z"),
                ("E1", "E3", "2026-02", "email", 3, 3.0, "2026-02-01T00:00:00Z", "2026-02-28T23:59:59Z"),
                # The same key twice in one batch adds up, as in sequential upserts.
                ("E1", "E3", "2026-02", "email", 1, 0.5, "2026-01-31T23:00:00Z", "2026-02-10T00:00:00Z"),
            ]
        ),
        external_contacts=pd.DataFrame([("E1", "2026-01", "email", 4), ("E3", "2026-02", "email", 1)], columns=EXTERNAL_CONTACT_COLUMNS),
        audiences=pd.DataFrame([("person", "E1", "linkedin", 1200), ("brand", "Acme", "linkedin", 50000)], columns=AUDIENCE_COLUMNS),
        followers=pd.DataFrame([("person", "E1", "linkedin", "h1"), ("person", "E1", "linkedin", "h2")], columns=FOLLOWER_COLUMNS),
        engagement=pd.DataFrame(
            [("E1", "2026-01-10", "share", "post-1", "linkedin", 7, 100), ("E2", "2026-02-03", "like", "post-1", "linkedin", None, None)],
            columns=ENGAGEMENT_COLUMNS,
        ).astype({"clicks": "Int64", "impressions": "Int64"}),
        message_keys=["m1", "m2"],
        settings={"period_unit": "month", "domains": "acme.example"},
    )


def second_batch() -> IngestBatch:
    """Updates: Bob moves to Sales under Cy, keeps his name, gains an attribute; ties and counts merge."""
    return IngestBatch(
        people=_people(
            [
                ("E2", None, None, "Sales", None, "E3", None, None, {"level": "4", "site": "HQ"}),
                ("E4", "Di Fox", None, None, None, "E9", None, None, {}),
            ]
        ),
        identities=pd.DataFrame([("@bob", "E4")], columns=IDENTITY_COLUMNS),
        ties=_ties(
            [
                ("E1", "E2", "2026-01", "email", 1, 0.5, "2026-01-01T08:00:00Z", "2026-01-10T00:00:00Z"),
                ("E2", "E1", "2026-03", "email", 5, 2.0, "2026-03-03T00:00:00Z", "2026-03-04T00:00:00Z"),
                ("E4", "E9", "2026-03", "chat", 1, 1.0, "2026-03-05T00:00:00Z", "2026-03-05T00:00:00Z"),
            ]
        ),
        external_contacts=pd.DataFrame([("E1", "2026-01", "email", 6)], columns=EXTERNAL_CONTACT_COLUMNS),
        audiences=pd.DataFrame([("person", "E1", "linkedin", 1300)], columns=AUDIENCE_COLUMNS),
        followers=pd.DataFrame([("person", "E1", "linkedin", "h2"), ("brand", "Acme", "linkedin", "h3")], columns=FOLLOWER_COLUMNS),
        engagement=pd.DataFrame(
            [("E1", "2026-01-10", "share", "post-1", "linkedin", 99, 999), ("E3", "2026-03-31", "post", "post-2", "x", 1, None)],
            columns=ENGAGEMENT_COLUMNS,
        ).astype({"clicks": "Int64", "impressions": "Int64"}),
        message_keys=["m2", "m3"],
        settings={"domains": "acme.example,acme.test"},
    )


def record(ingest_id: str, source: str = "roster", content_hash: str | None = None, at: str = "2026-04-01T00:00:00Z") -> IngestRecord:
    return IngestRecord(ingest_id, source, f"{ingest_id}.csv", content_hash or f"hash-{ingest_id}", at, {"counts": {"rows": 3}})


def apply_both(store: Store) -> None:
    store.apply(first_batch(), record("i1", at="2026-04-01T00:00:00Z"))
    store.apply(second_batch(), record("i2", source="interactions", at="2026-04-02T00:00:00Z"))


def snapshot(store: Store) -> dict:
    """Everything a store reads back, for before/after and store-to-store comparisons."""
    return {
        "settings": store.settings(),
        "people": store.people(),
        "identities": store.identities(),
        "ties": store.ties(),
        "periods": store.periods(),
        "external_contacts": store.external_contacts(),
        "audiences": store.audiences(),
        "followers": store.followers(),
        "engagement": store.engagement(),
        "ingests": store.ingests(),
        "counts": store.counts(),
    }


def assert_same(left: dict, right: dict) -> None:
    assert left.keys() == right.keys()
    for name in left:
        if isinstance(left[name], pd.DataFrame):
            assert_frame_equal(left[name], right[name], obj=name)
        else:
            assert left[name] == right[name], name


# -- every store ---------------------------------------------------------------------


def test_empty_store(any_store):
    assert any_store.people().empty and list(any_store.people().columns)[:2] == ["person_id", "name"]
    assert any_store.ties().empty and any_store.periods() == []
    assert any_store.person_ids() == set()
    assert any_store.find_ingest("roster", "nothing") is None
    assert set(any_store.counts().values()) == {0}


def test_people_sharing_attribute_sets_each_read_back_their_own(any_store):
    """A roster repeats a few attribute sets (read back decoded once per set): each person still gets their own row."""
    sets = [{"level": "3"}, {"level": "5", "cost_centre": "R&D"}, {}, {"level": "3"}, {"level": "5", "cost_centre": "R&D"}, {"site": "HQ"}]
    people = _people(
        [(f"E{i}", f"P{i}", None, "Ops" if i % 2 else "Eng", None, None, None, None, attributes) for i, attributes in enumerate(sets)]
    )
    any_store.apply(IngestBatch(people=people), record("roster"))
    read = any_store.people()
    assert read["person_id"].tolist() == [f"E{i}" for i in range(6)]
    assert read["department"].tolist() == ["Eng", "Ops", "Eng", "Ops", "Eng", "Ops"]
    assert read["level"].tolist() == ["3", "5", None, "3", "5", None]
    assert read["cost_centre"].tolist() == [None, "R&D", None, None, "R&D", None]
    assert read["site"].tolist() == [None, None, None, None, None, "HQ"]


@pytest.mark.parametrize("odd_hash", ["b", "a\x1fb"], ids=["plain", "separator-in-a-hash"])
def test_followers_read_back_in_key_order(any_store, odd_hash):
    """Followers come back sorted by every column, whichever order they went in (the embedded store reads them
    an account at a time, hashes joined by the unit separator; a hash that holds it is read a row at a time)."""
    written = [
        ("person", "E2", "x", "f9"),
        ("person", "E1", "linkedin", odd_hash),
        ("person", "E1", "linkedin", "Z"),
        ("brand", "Acme", "linkedin", "\u00e9"),
        ("person", "E1", "linkedin", "a"),
        ("person", "E1", "instagram", "f9"),
    ]
    any_store.apply(IngestBatch(followers=pd.DataFrame(written, columns=FOLLOWER_COLUMNS)), record("audiences"))
    expected = pd.DataFrame(sorted(written), columns=FOLLOWER_COLUMNS).astype(object)
    assert_frame_equal(any_store.followers(), expected)


def test_apply_and_read_back(any_store):
    apply_both(any_store)
    people = any_store.people().set_index("person_id")
    assert list(people.index) == ["E1", "E2", "E3", "E4"]
    assert any_store.person_ids() == {"E1", "E2", "E3", "E4"}
    assert people.loc["E2", "name"] == "Bob Roy"  # kept: the second source left it empty
    assert people.loc["E2", "department"] == "Sales" and people.loc["E2", "manager_id"] == "E3"
    assert people.loc["E2", "level"] == "4" and people.loc["E2", "site"] == "HQ"
    assert people.loc["E1", "cost_centre"] == "R&D" and people.loc["E3", "level"] is None
    assert any_store.identities().set_index("identity").loc["@bob", "person_id"] == "E4"

    ties = any_store.ties().set_index(["source", "target", "period", "channel"])
    merged = ties.loc[("E1", "E2", "2026-01", "email")]
    assert merged["count"] == 3 and merged["weight"] == 2.0
    assert merged["first_seen"] == pd.Timestamp("2026-01-01T08:00:00Z") and merged["last_seen"] == pd.Timestamp("2026-01-20T10:00:00Z")
    within = ties.loc[("E1", "E3", "2026-02", "email")]
    assert within["count"] == 4 and within["first_seen"] == pd.Timestamp("2026-01-31T23:00:00Z")
    assert len(ties) == 5
    assert any_store.periods() == ["2026-01", "2026-02", "2026-03"]

    assert any_store.external_contacts().loc[0].to_dict() == {"person_id": "E1", "period": "2026-01", "channel": "email", "count": 10}
    assert any_store.audiences().set_index("owner").loc["E1", "follower_count"] == 1300
    assert len(any_store.followers()) == 3
    engagement = any_store.engagement()
    assert engagement.set_index("content_id").loc["post-1"].iloc[0]["clicks"] == 7  # first write wins
    assert pd.isna(engagement.set_index("person_id").loc["E2", "clicks"])
    assert any_store.known_message_keys(["m1", "m3", "m4"]) == {"m1", "m3"}
    assert any_store.settings() == {"period_unit": "month", "domains": "acme.example,acme.test"}
    assert any_store.counts() == {
        "people": 4,
        "identities": 3,
        "ties": 5,
        "periods": 3,
        "external_contacts": 2,
        "audiences": 2,
        "followers": 3,
        "engagement": 3,
        "ingests": 2,
        "results": 0,
    }


def test_period_and_channel_filters(any_store):
    apply_both(any_store)
    assert sorted(set(any_store.ties("2026-02", "2026-03")["period"])) == ["2026-02", "2026-03"]
    assert set(any_store.ties(end="2026-01")["period"]) == {"2026-01"}
    assert set(any_store.ties(channels=["chat"])["channel"]) == {"chat"}
    assert len(any_store.ties("2026-01", "2026-01", ["email"])) == 1
    assert list(any_store.external_contacts("2026-02")["person_id"]) == ["E3"]
    assert list(any_store.engagement("2026-02", "2026-02")["person_id"]) == ["E2"]
    assert list(any_store.engagement(start="2026-03")["date"]) == ["2026-03-31"]


def test_ledger(any_store):
    apply_both(any_store)
    found = any_store.find_ingest("interactions", "hash-i2")
    assert found == record("i2", source="interactions", at="2026-04-02T00:00:00Z")
    assert any_store.find_ingest("roster", "hash-i2") is None
    assert [entry.ingest_id for entry in any_store.ingests()] == ["i1", "i2"]


def test_results_api_keys_and_audit(any_store):
    any_store.put_results([StoredResult("silos", "2026-01", "department", 1, '{"a": 1}', b"\x00\x01")])
    any_store.put_results(
        [
            StoredResult("silos", "2026-01", "department", 2, '{"a": 2}', b"\x02"),
            StoredResult("silos", "2026-01", "location", 1, "{}", b""),
            StoredResult("advocates", "2026-02", "", 1, "{}", bytes(range(256))),
        ]
    )
    found = any_store.get_result("silos", "2026-01", "department")
    assert (found.version, found.fields, found.tables) == (2, '{"a": 2}', b"\x02") and found.created_at
    assert any_store.get_result("advocates", "2026-02").tables == bytes(range(256))
    assert any_store.get_result("silos", "2026-09", "department") is None
    assert any_store.get_result("silos", "2026-01", "level") is None
    results = any_store.results()
    assert list(results.columns) == ["job", "snapshot", "by", "version", "created_at"]
    assert list(zip(results["job"], results["snapshot"], results["by"])) == [
        ("silos", "2026-01", "department"),
        ("silos", "2026-01", "location"),
        ("advocates", "2026-02", ""),
    ]
    # Documents (registered reports, schedule rules) are keyed by kind and key, apart from results.
    any_store.put_document("report", "2026-01_2026-02", '{"v": 1}')
    any_store.put_document("report", "2026-01_2026-02", '{"v": 2}')
    any_store.put_document("schedule", "monthly", "{}")
    assert any_store.get_document("report", "2026-01_2026-02") == '{"v": 2}'
    assert any_store.get_document("schedule", "2026-01_2026-02") is None
    assert any_store.document_keys("report") == ["2026-01_2026-02"]

    key = ApiKey("k1", "hash1", "analyst", "ci", "2026-01-01T00:00:00Z")
    any_store.add_api_key(key)
    any_store.add_api_key(ApiKey("k2", "hash2", "viewer", "bi", "2026-01-02T00:00:00Z"))
    assert any_store.find_api_key("hash1") == key
    assert any_store.revoke_api_key("k1", "2026-02-01T00:00:00Z") is True
    assert any_store.revoke_api_key("k1", "2026-02-02T00:00:00Z") is False
    assert [k.revoked_at for k in any_store.api_keys()] == ["2026-02-01T00:00:00Z", None]

    entries = [AuditEntry("2026-01-01T00:00:00Z", "k1", "analyst", "read", f"person/{n}") for n in range(3)]
    any_store.append_audit(entries)
    assert [e.target for e in any_store.audit_log()] == ["person/2", "person/1", "person/0"]
    assert [e.target for e in any_store.audit_log(limit=1, offset=1)] == ["person/1"]


def test_a_constraint_violation_leaves_nothing(any_store):
    any_store.apply(first_batch(), record("i1"))
    before = snapshot(any_store)
    # The ledger line comes last: everything before it must roll back with it.
    with pytest.raises(Exception):  # noqa: B017 - each store raises its own driver's constraint error
        any_store.apply(second_batch(), record("i1", content_hash="other"))
    assert_same(snapshot(any_store), before)


def test_an_injected_failure_leaves_nothing(any_store, monkeypatch):
    any_store.apply(first_batch(), record("i1"))
    before = snapshot(any_store)
    write = any_store._write

    def write_then_fail(*args):
        write(*args)
        raise RuntimeError("injected failure after every write")

    monkeypatch.setattr(any_store, "_write", write_then_fail)
    with pytest.raises(RuntimeError, match="injected"):
        any_store.apply(second_batch(), record("i2"))
    assert_same(snapshot(any_store), before)


def test_a_failure_while_the_blocks_are_written_leaves_nothing(tmp_path, monkeypatch):
    """The blocks are the ingest's last writes: one written, the next failing, and the store is as before."""
    store = SQLiteStore(tmp_path / "blocks.db")
    store.apply(first_batch(), record("i1"))
    before = snapshot(store)
    written = []
    put = sqlite_store._put_block

    def put_then_fail(connection, period, ties):
        if written:
            raise RuntimeError("injected failure writing a block")
        written.append(period)
        put(connection, period, ties)

    monkeypatch.setattr(sqlite_store, "_put_block", put_then_fail)
    with pytest.raises(RuntimeError, match="writing a block"):
        store.apply(second_batch(), record("i2"))
    assert len(written) == 1
    assert_same(snapshot(store), before)
    store.close()


def test_identical_frames(store_pair):
    embedded, graph = store_pair
    for opened in (embedded, graph):
        apply_both(opened)
    assert_same(snapshot(graph), snapshot(embedded))
    for start, end, channels in [("2026-01", "2026-02", None), ("2026-02", None, ["email"]), (None, "2026-01", ["chat", "email"])]:
        assert_frame_equal(graph.ties(start, end, channels), embedded.ties(start, end, channels))
        assert_frame_equal(graph.external_contacts(start, end), embedded.external_contacts(start, end))
        assert_frame_equal(graph.engagement(start, end), embedded.engagement(start, end))


def test_graph_model(bolt_location):
    where = bolt_location
    with Neo4jStore(where.uri, where.user, where.password, where.database) as graph:
        apply_both(graph)
        rows = graph._read("MATCH (p:Person)-[:REPORTS_TO]->(m:Person) RETURN p.person_id, m.person_id ORDER BY p.person_id")
        # Bob moved from Ann to Cy; Di's manager E9 is on no roster.
        assert rows == [["E2", "E3"], ["E3", "E1"]]
        rows = graph._read("MATCH (p:Person)-[:MEMBER_OF]->(d:Department) RETURN p.person_id, d.name ORDER BY p.person_id")
        assert rows == [["E1", "Engineering"], ["E2", "Sales"], ["E3", "Sales"]]
        assert graph._read("MATCH (p:Person)-[:OWNS]->(a:Audience) RETURN p.person_id, a.platform") == [["E1", "linkedin"]]


def test_neo4j_ties_without_a_count_are_a_clear_error(bolt_location):
    # Ties come back as one list per column; a relationship someone's own Cypher stripped of its count would shift
    # the lists against each other, so the read says so instead.
    where = bolt_location
    with Neo4jStore(where.uri, where.user, where.password, where.database) as graph:
        apply_both(graph)
        assert len(graph.ties()) > 0
        with graph._driver.session(database=where.database) as session:
            session.run("MATCH ()-[n:INTERACTED]->() WITH n LIMIT 1 REMOVE n.count").consume()
        with pytest.raises(StoreError, match="lack a count or a weight"):
            graph.ties()


def test_neo4j_refuses_ties_without_an_end_and_writes_nothing(bolt_location):
    where = bolt_location
    stamp = pd.Timestamp("2026-10-01T09:00:00Z")
    ties = pd.DataFrame(
        {"source": ["E1", None], "target": ["E2", "E1"], "period": "2026-10", "channel": "email", "count": 1, "weight": 1.0}
    ).assign(first_seen=stamp, last_seen=stamp)
    with Neo4jStore(where.uri, where.user, where.password, where.database) as graph:
        before = graph.counts()
        with pytest.raises(StoreError, match="1 tie ends have no person id"):
            graph.apply(IngestBatch(ties=ties), IngestRecord("no-end", "test", "-", "no-end", "2026-11-01T00:00:00Z"))
        assert graph.counts() == before


def test_stored_timestamps_read_seconds_and_text_alike():
    stamps = pd.Series(pd.to_datetime(["2026-10-01T09:30:00Z", "1969-12-31T23:59:59Z", None], utc=True))
    seconds = timestamps_to_seconds(stamps)
    assert seconds == [1790847000, -1, None]
    texts = ["2026-10-01T09:30:00Z", "1969-12-31T23:59:59Z", ""]
    expected = stamps.dt.as_unit("us")
    for values in ([*seconds[:2], ""], texts, np.array(seconds[:2]), [texts[0], -1, None], np.array(texts, dtype=object)):
        read = stored_timestamps(values).reset_index(drop=True)
        pd.testing.assert_series_equal(read, expected[: len(read)], check_names=False)


def test_neo4j_reads_text_timestamps_as_it_reads_its_seconds(bolt_location):
    # orgnet writes a tie's first_seen/last_seen as seconds since 1970; stores written before (and imports of
    # earlier exports) hold ISO-8601 text, which must read back as the very same ties, also beside seconds.
    where = bolt_location
    with Neo4jStore(where.uri, where.user, where.password, where.database) as graph:
        apply_both(graph)
        written = graph.ties()
        with graph._driver.session(database=where.database) as session:
            kinds = session.run("MATCH ()-[n:INTERACTED]->() RETURN DISTINCT valueType(n.first_seen)").value()
            assert kinds == ["INTEGER NOT NULL"]
            session.run(
                "MATCH ()-[n:INTERACTED]->() WITH n LIMIT 2 "
                "SET n.first_seen = toString(datetime({epochSeconds: n.first_seen})), "
                "n.last_seen = left(toString(datetime({epochSeconds: n.last_seen})), 19) + 'Z'"
            ).consume()
            kinds = session.run("MATCH ()-[n:INTERACTED]->() RETURN DISTINCT valueType(n.first_seen)").value()
            assert sorted(kinds) == ["INTEGER NOT NULL", "STRING NOT NULL"]
        pd.testing.assert_frame_equal(graph.ties(), written)


def test_cli_reingest_is_a_no_op(bolt_location, roster_file, monkeypatch):
    where = bolt_location
    monkeypatch.setenv("NEO4J_USER", where.user)
    monkeypatch.setenv("NEO4J_PASSWORD", where.password)
    monkeypatch.setenv("NEO4J_DATABASE", where.database)
    runner = CliRunner()
    first = runner.invoke(app, ["ingest", "roster", str(roster_file), "--store", where.uri, "--json"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["ingest", "roster", str(roster_file), "--store", where.uri, "--json"])
    assert json.loads(again.output)["skipped"] is True
    monkeypatch.setenv("ORGNET_STORE", where.uri)
    with open_store() as opened:
        assert isinstance(opened, Neo4jStore)
        assert opened.counts()["people"] == 4 and len(opened.ingests()) == 1


# -- connection errors -----------------------------------------------------------------


def test_connection_errors_are_one_line(bolt_location):
    where = bolt_location
    with pytest.raises(StoreError, match="has no database 'missing'"):
        Neo4jStore(where.uri, where.user, where.password, "missing")
    with pytest.raises(StoreError, match="cannot reach"):
        Neo4jStore("bolt://127.0.0.1:1", where.user, where.password, where.database)
    with pytest.raises(StoreError, match="cannot open the store"):
        Neo4jStore("bolt://127.0.0.1:notaport", where.user, where.password)
    # Last: Neo4j locks a user out for a while after repeated failures.
    with pytest.raises(StoreError, match="refused the credentials"):
        Neo4jStore(where.uri, where.user, "wrong-password", where.database)


def test_cli_shows_a_store_error_without_traceback(bolt_location, monkeypatch):
    monkeypatch.setenv("NEO4J_USER", "nobody")
    monkeypatch.setenv("NEO4J_PASSWORD", "wrong-password")
    result = CliRunner().invoke(app, ["info", "--store", bolt_location.uri])
    assert result.exit_code == 1
    assert "refused the credentials" in result.output and "Traceback" not in result.output


def test_schedule_runs_never_overlap(any_store):
    assert any_store.runs() == []
    assert any_store.claim_run("monthly", "r1", "2026-11-01T06:00:00Z", "2026-11-01T06:00:01Z", "2026-10-31T06:00:01Z")
    # A second claim while r1 runs is refused, and recorded as skipped with the reason.
    assert not any_store.claim_run("monthly", "r2", "2026-11-01T06:00:00Z", "2026-11-01T06:00:02Z", "2026-10-31T06:00:02Z")
    assert any_store.claim_run("other", "o1", "2026-11-01T06:00:00Z", "2026-11-01T06:00:03Z", "2026-10-31T06:00:03Z")
    any_store.finish_run("r1", "succeeded", "2026-11-01T06:05:00Z", "analysed 2026-10")
    assert any_store.claim_run("monthly", "r3", "2026-12-01T06:00:00Z", "2026-12-01T06:00:01Z", "2026-11-30T06:00:01Z")
    runs = {run.run_id: run for run in any_store.runs("monthly")}
    assert [run.run_id for run in any_store.runs("monthly")] == ["r3", "r2", "r1"]
    assert (runs["r1"].status, runs["r1"].finished_at, runs["r1"].detail) == ("succeeded", "2026-11-01T06:05:00Z", "analysed 2026-10")
    assert runs["r2"].status == "skipped" and "r1" in runs["r2"].detail
    assert runs["r3"].status == "running" and runs["r3"].finished_at is None
    assert len(any_store.runs()) == 4 and len(any_store.runs(limit=1)) == 1


def test_a_stale_run_is_abandoned(any_store):
    assert any_store.claim_run("monthly", "dead", "2026-11-01T06:00:00Z", "2026-11-01T06:00:00Z", "2026-10-31T06:00:00Z")
    # Seven hours later, with runs older than six hours taken as abandoned.
    assert any_store.claim_run("monthly", "next", "2026-11-01T06:00:00Z", "2026-11-01T13:00:00Z", "2026-11-01T07:00:00Z")
    dead = next(run for run in any_store.runs("monthly") if run.run_id == "dead")
    assert dead.status == "failed" and "abandoned" in dead.detail


def _apply_in_thread(store: Store, batch: IngestBatch, ingest: IngestRecord) -> tuple[threading.Thread, list[BaseException]]:
    """Start ``store.apply(batch, ingest)`` on a worker thread: the thread, and the list its error lands in."""
    errors: list[BaseException] = []

    def apply() -> None:
        try:
            store.apply(batch, ingest)
        except BaseException as error:
            errors.append(error)

    worker = threading.Thread(target=apply)
    worker.start()
    return worker, errors


def test_staging_files_an_earlier_orgnets_killed_ingest_left_are_removed_after_a_day(tmp_path):
    stale, recent, other_store = (
        tmp_path / name for name in (".staged.db.staging-old.db", ".staged.db.staging-new.db", ".other.db.staging-old.db")
    )
    for leftover in (stale, recent, other_store):
        leftover.write_bytes(b"")
    two_days_ago = time.time() - 2 * 86_400
    os.utime(stale, (two_days_ago, two_days_ago))
    os.utime(other_store, (two_days_ago, two_days_ago))
    store = SQLiteStore(tmp_path / "staged.db")
    assert not stale.exists()
    # One that may belong to an ingest still running, and another store's, stay.
    assert recent.exists() and other_store.exists()
    store.close()


# -- Neo4j: ingests in tagged batches, and what a dead one leaves -------------------------------------

#: Rows tagged with an ingest id and the ledger line of that id, whatever their state (raw Cypher).
_LEFTOVERS = """
CALL () { MATCH ()-[n]->() WHERE n.ingest = $id RETURN count(n) AS rows
          UNION ALL MATCH (n) WHERE n.ingest = $id RETURN count(n) AS rows }
WITH sum(rows) AS rows
OPTIONAL MATCH (i:Ingest {ingest_id: $id})
RETURN rows, i.status
"""

#: Applies the second batch as ingest i2 and dies (os._exit: no cleanup, no goodbye to the server)
#: once every batch is written and only the commit is left.
_CRASHING_INGEST = textwrap.dedent(
    """
    import os, sys
    sys.path.insert(0, sys.argv[1])
    from test_store_contract import record, second_batch
    from orgnet.store.neo4j import Neo4jStore

    store = Neo4jStore(*sys.argv[2:6], batch_size=2)
    write = store._write

    def write_then_die(*args):
        write(*args)
        os._exit(3)

    store._write = write_then_die
    store.apply(second_batch(), record("i2"))
    """
)


def test_an_ingest_whose_process_died_is_invisible_then_swept(bolt_location, tmp_path):
    where = bolt_location
    with Neo4jStore(where.uri, where.user, where.password, where.database, batch_size=2) as graph:
        graph.apply(first_batch(), record("i1"))
        before = snapshot(graph)
        tests = os.path.dirname(__file__)
        died = subprocess.run(
            [sys.executable, "-c", _CRASHING_INGEST, tests, where.uri, where.user, where.password, where.database],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert died.returncode == 3, died.stderr
        rows, status = graph._read(_LEFTOVERS, id="i2")[0]
        # The dead ingest's batches are in the database, and no reader shows them.
        assert rows > 0 and status == "pending"
        assert_same(snapshot(graph), before)
    # The next store opened on the database removes them.
    with Neo4jStore(where.uri, where.user, where.password, where.database) as reopened:
        assert reopened._read(_LEFTOVERS, id="i2")[0] == [0, None]
        assert_same(snapshot(reopened), before)
        reopened.apply(second_batch(), record("i2"))
        assert reopened.counts()["ingests"] == 2


def test_a_running_ingest_is_not_swept_and_is_invisible_until_it_commits(bolt_location):
    where = bolt_location
    writer = Neo4jStore(where.uri, where.user, where.password, where.database, batch_size=2)
    writer.apply(first_batch(), record("i1"))
    before = snapshot(writer)
    written, release = threading.Event(), threading.Event()
    write = writer._write

    def write_then_wait(*args):
        write(*args)
        written.set()
        assert release.wait(60)

    writer._write = write_then_wait
    worker, errors = _apply_in_thread(writer, second_batch(), record("i2"))
    try:
        assert written.wait(60)
        with Neo4jStore(where.uri, where.user, where.password, where.database) as reader:
            # Opening swept nothing: the ingest holds its ledger line's lock.
            rows, status = reader._read(_LEFTOVERS, id="i2")[0]
            assert rows > 0 and status == "pending"
            assert reader.sweep() == []
            assert_same(snapshot(reader), before)
    finally:
        release.set()
        worker.join(60)
    assert errors == []
    with Neo4jStore(where.uri, where.user, where.password, where.database) as reader:
        assert reader.counts()["ingests"] == 2 and len(reader.ties()) == 5
    writer.close()


def test_neo4j_keeps_what_an_older_orgnet_stored_and_marks_its_results_outdated(bolt_location):
    from orgnet import jobs
    from orgnet.results import OutdatedResult, find, get, load_document, put

    where = bolt_location
    with Neo4jStore(where.uri, where.user, where.password, where.database) as graph:
        # What an orgnet before typed results left: JSON results under name (and name@by) and period, a report.
        graph._write_one(
            "CREATE (:Result {name: 'report', period: '2026-09_2026-10', payload: '{\"id\": \"2026-09_2026-10\"}', created_at: 'then'}), "
            "(:Result {name: 'advocates', period: '2026-10', payload: '[]', created_at: 'then'}), "
            "(:Result {name: 'silos@location', period: '2026-10', payload: '[]', created_at: 'then'})"
        )
    with Neo4jStore(where.uri, where.user, where.password, where.database) as graph:
        assert graph._read("MATCH (r:Result) RETURN count(r)") == [[0]]
        assert load_document(graph, "report", "2026-09_2026-10") == {"id": "2026-09_2026-10"}
        with pytest.raises(OutdatedResult, match="orgnet analyze --period 2026-10"):
            find(graph, jobs.ADVOCATES, "2026-10")
        with pytest.raises(OutdatedResult, match="orgnet analyze --period 2026-10 --by location"):
            find(graph, jobs.SILOS, "2026-10", by="location")
        # A typed result round-trips through the node's bytes as through the embedded store.
        layout = jobs.LayoutPeopleResult(pa.table({"person_id": ["a", "b"], "x": [0.5, None], "y": [1.0, 2.0]}))
        put(graph, jobs.LAYOUT_PEOPLE, "2026-10", layout)
        assert get(graph, jobs.LAYOUT_PEOPLE, "2026-10") == layout


def test_a_persons_neighbourhood_is_the_ties_touching_those_within_reach(any_store):
    apply_both(any_store)
    everything = any_store.tie_columns()
    assert len(everything)
    for person in ["E1", "E2", "E3", "E4", "E9", "nobody"]:
        for hops in (0, 1, 2):
            expected = everything.touching([person], hops).frame()
            assert_frame_equal(any_store.neighbourhood(person, hops).frame().reset_index(drop=True), expected.reset_index(drop=True))
    # E3's only tie is in 2026-02; within 2026-03 alone it has none.
    assert len(any_store.neighbourhood("E3", 2, "2026-03", "2026-03")) == 0
    assert set(any_store.neighbourhood("E4", 0, "2026-03", "2026-03").frame()["target"]) == {"E9"}


def test_followers_of_accounts_out_of_order_are_sorted():
    """SQLite before 3.44 does not promise the order group_concat joins in: whatever order comes, the frame is sorted."""
    accounts = [("person", "E2", "x", ["f2", "f1"]), ("brand", "Acme", "linkedin", ["h"]), ("person", "E1", "linkedin", [])]
    expected = pd.DataFrame(
        [("brand", "Acme", "linkedin", "h"), ("person", "E2", "x", "f1"), ("person", "E2", "x", "f2")], columns=FOLLOWER_COLUMNS
    ).astype(object)
    assert_frame_equal(followers_frame(accounts), expected)
    assert followers_frame([]).empty and list(followers_frame([]).columns) == FOLLOWER_COLUMNS
