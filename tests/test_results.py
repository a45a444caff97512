"""Stored results: typed records whose tables keep their declared Arrow schemas, keyed by job, snapshot and grouping.

Also what a store an older orgnet wrote says: reports and schedule rules are kept,
its JSON results are reported as outdated with the command that recomputes them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import sqlite3
import typing

import pandas as pd
import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from orgnet import jobs
from orgnet.access import create_key
from orgnet.analysis import analyze
from orgnet.api.app import create_app
from orgnet.api.reports import REPORT_DOCUMENT, list_reports
from orgnet.api.settings import Settings
from orgnet.results import NotAnalysed, OutdatedResult, decode, encode, find, get, has, load_document, put
from orgnet.snapshots import find_snapshot, list_snapshots
from orgnet.store.sqlite import SQLiteStore


def test_every_job_reads_back_as_its_record_with_its_declared_columns(analysed):
    for job in jobs.JOBS:
        value = get(analysed, job, "2026-10")
        assert type(value) is job.record
        for name, schema in jobs.table_fields(job.record).items():
            table = getattr(value, name)
            assert table.schema.equals(schema), (job.name, name)
            assert table.num_rows > 0, (job.name, name)


def test_a_round_trip_keeps_every_value_and_missing_ones_as_missing():
    frame = pd.DataFrame({"person_id": ["a", "b", "c"], "x": [0.5, float("nan"), -1.0], "y": [1.0, 2.0, 3.0]})
    value = jobs.LayoutPeopleResult(jobs.to_table(frame, jobs.table_fields(jobs.LayoutPeopleResult)["table"]))
    back = decode(jobs.LAYOUT_PEOPLE, encode(jobs.LAYOUT_PEOPLE, "2026-10", value))
    assert back.table.to_pylist() == [
        {"person_id": "a", "x": 0.5, "y": 1.0},
        {"person_id": "b", "x": None, "y": 2.0},
        {"person_id": "c", "x": -1.0, "y": 3.0},
    ]
    summary = get_summary_like()
    assert decode(jobs.SUMMARY, encode(jobs.SUMMARY, "2026-10", summary)) == dataclasses.replace(summary, density=None)


def get_summary_like() -> jobs.SummaryResult:
    groups = pa.Table.from_pylist([], schema=jobs.GROUP_SUMMARY_SCHEMA)
    return jobs.SummaryResult("department", 2, 0, 0, 0.0, float("nan"), None, None, None, 2, 2, 0.5, 0.5, groups)


def test_a_table_must_have_exactly_its_declared_columns():
    schema = jobs.table_fields(jobs.LayoutPeopleResult)["table"]
    with pytest.raises(jobs.ResultSchemaError, match=r"missing \['y'\]"):
        jobs.to_table(pd.DataFrame({"person_id": ["a"], "x": [1.0]}), schema)
    with pytest.raises(jobs.ResultSchemaError, match=r"undeclared \['z'\]"):
        jobs.to_table(pd.DataFrame({"person_id": ["a"], "x": [1.0], "y": [1.0], "z": [1.0]}), schema)
    with pytest.raises(jobs.ResultSchemaError, match="declared schema"):
        jobs.to_table(pd.DataFrame({"person_id": ["a"], "x": ["left"], "y": [1.0]}), schema)
    wrong = jobs.LayoutPeopleResult(pa.table({"person_id": ["a"], "x": [1], "y": [1]}))
    with pytest.raises(jobs.ResultSchemaError, match="not of its declared schema"):
        encode(jobs.LAYOUT_PEOPLE, "2026-10", wrong)


def test_the_grouping_is_part_of_the_key_only_for_grouped_jobs(analysed):
    assert jobs.SILOS.key_by(None) == "department" and jobs.SILOS.key_by("location") == "location"
    assert jobs.REACH.key_by("location") == ""
    assert get(analysed, jobs.REACH, "2026-10", by="location") == get(analysed, jobs.REACH, "2026-10")
    with pytest.raises(NotAnalysed, match="orgnet analyze --period 2026-10 --by level"):
        get(analysed, jobs.SILOS, "2026-10", by="level")


def test_a_result_of_another_layout_version_is_outdated_not_misread(analysed):
    newer = dataclasses.replace(jobs.ADVOCATES, version=jobs.ADVOCATES.version + 1)
    assert has(analysed, jobs.ADVOCATES, "2026-10") and not has(analysed, newer, "2026-10")
    with pytest.raises(OutdatedResult, match=r"layout version 1; this orgnet reads version 2\. Run orgnet analyze --period 2026-10"):
        get(analysed, newer, "2026-10")


@pytest.fixture
def older_store(sample_store_path, tmp_path):
    """The ingested samples with a ``result`` table as an orgnet before typed results left it: JSON results, a report, a rule."""
    path = tmp_path / "older.db"
    shutil.copy(sample_store_path, path)
    rows = [
        ("meta", "2026-10", json.dumps({"label": "2026-10", "people": 300, "ties": 10, "computed_at": "2026-11-01T00:00:00Z"})),
        ("advocates", "2026-10", json.dumps([{"person_id": "E0001", "rank": 1}])),
        ("silos", "2026-10", "[]"),
        ("silos@location", "2026-10", "[]"),
        ("report", "2026-09_2026-10", json.dumps({"id": "2026-09_2026-10", "created_at": "2026-11-01T00:00:00Z", "path": "/r"})),
        ("schedule", "monthly", json.dumps({"cron": "0 6 1 * *", "timezone": "UTC", "since": "2026-11-01T00:00:00Z"})),
    ]
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE result (name TEXT NOT NULL, period TEXT NOT NULL, payload TEXT NOT NULL, created_at TEXT NOT NULL, "
            "PRIMARY KEY (name, period))"
        )
        connection.executemany("INSERT INTO result VALUES (?, ?, ?, '2026-11-01T00:00:00Z')", rows)
    return path


def test_a_store_an_older_orgnet_wrote_says_to_analyse_again(older_store):
    with SQLiteStore(older_store) as store:
        assert load_document(store, "schedule", "monthly")["cron"] == "0 6 1 * *"
        assert [r["id"] for r in list_reports(store)] == ["2026-09_2026-10"]
        assert load_document(store, REPORT_DOCUMENT, "2026-09_2026-10")["path"] == "/r"
        for job, by, command in (
            (jobs.ADVOCATES, None, "--period 2026-10 to"),
            (jobs.SILOS, None, "--period 2026-10 to"),
            (jobs.SILOS, "location", "--period 2026-10 --by location to"),
            (jobs.META, None, "--period 2026-10 to"),
        ):
            with pytest.raises(OutdatedResult, match=rf"before typed results.*Run orgnet analyze {command}"):
                find(store, job, "2026-10", by)
        with pytest.raises(NotAnalysed, match="no stored silos result for 2026-10 by level"):
            get(store, jobs.SILOS, "2026-10", by="level")
        with pytest.raises(OutdatedResult, match="orgnet analyze --period 2026-10"):
            find_snapshot(store, "2026-10")
        assert list_snapshots(store) == []
        admin = create_key(store, "admin")[1]
    with TestClient(create_app(Settings(store=str(older_store), session_secret="test-secret"))) as client:
        answer = client.get("/api/v1/advocates?period=2026-10", headers={"X-API-Key": admin})
        assert answer.status_code == 404
        assert "Run orgnet analyze --period 2026-10 to compute it again" in answer.json()["detail"]
    with SQLiteStore(older_store) as store:
        analyze(store, "2026-10")
        assert get(store, jobs.ADVOCATES, "2026-10").table.num_rows == 300
        assert find_snapshot(store, "2026-10").people == 300
        # A grouped result written since is read under its key; the old marker is only consulted when nothing is stored.
        assert get(store, jobs.SILOS, "2026-10").table.num_rows > 0
    # The move happens once: the old table is gone, and opening again changes nothing.
    with sqlite3.connect(older_store) as connection:
        assert connection.execute("SELECT count(*) FROM sqlite_master WHERE name = 'result'").fetchone()[0] == 0


def test_put_replaces_one_result_in_place(analysed):
    before = get(analysed, jobs.LAYOUT_PEOPLE, "2026-10")
    moved = jobs.LayoutPeopleResult(before.table.set_column(1, "x", pa.array([0.0] * before.table.num_rows)))
    put(analysed, jobs.LAYOUT_PEOPLE, "2026-10", moved)
    assert get(analysed, jobs.LAYOUT_PEOPLE, "2026-10").table.column("x").to_pylist() == [0.0] * before.table.num_rows
    put(analysed, jobs.LAYOUT_PEOPLE, "2026-10", before)
    assert get(analysed, jobs.LAYOUT_PEOPLE, "2026-10") == before


#: Each job's layout version and a fingerprint of its record's layout (fields, types, table schemas). A change of
#: layout that keeps the version would have older stored results read as if they were of the new layout: raise the
#: job's version, then record the new fingerprint here.
LAYOUTS = {
    "meta": (2, "4c61df92444d"),
    "summary": (1, "e29401566642"),
    "group_matrix": (1, "55b14518697c"),
    "silos": (1, "c95a04925fd6"),
    "silo_pairs": (1, "9df6c92d3a96"),
    "vertical": (1, "4e2802dcddc0"),
    "fragility": (1, "ba0b53b66272"),
    "communities": (1, "d6904035622c"),
    "brokers": (1, "f6503a7aef01"),
    "advocates": (1, "ae0ef1f5651e"),
    "reach": (4, "0cfcb6b4098a"),
    "campaigns": (1, "193762883317"),
    "layout_people": (1, "e7be20d51551"),
    "layout_groups": (1, "6a094aba9eea"),
    "group_edges": (1, "bc8497f0ad70"),
}


def layout_fingerprint(job: jobs.Job[typing.Any]) -> str:
    hints = typing.get_type_hints(job.record)
    parts = []
    for declared in dataclasses.fields(job.record):
        schema = jobs.table_schema(declared)
        parts.append(f"{declared.name}:{schema.to_string(show_schema_metadata=False) if schema is not None else hints[declared.name]}")
        if dataclasses.is_dataclass(hints[declared.name]):
            parts += [f"{declared.name}.{inner.name}:{inner.type}" for inner in dataclasses.fields(hints[declared.name])]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


def test_a_record_layout_changes_only_with_its_version():
    assert {job.name: (job.version, layout_fingerprint(job)) for job in jobs.JOBS} == LAYOUTS
