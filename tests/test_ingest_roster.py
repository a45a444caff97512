"""HR roster ingester on hand-made rosters, good and bad."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import networkx as nx
import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import ROSTER, write

from orgnet.errors import IngestError
from orgnet.ingest.base import IngestOptions
from orgnet.ingest.pipeline import ingest_path
from orgnet.ingest.roster import manager_cycles
from orgnet.store.sqlite import SQLiteStore


def test_people_identities_and_attributes(store, roster_file):
    report = ingest_path(store, "roster", roster_file)
    assert report.counts["people"] == 4
    people = store.people().set_index("person_id")
    assert people.loc["E2", "name"] == "Bob Roy"
    assert people.loc["E2", "manager_id"] == "E1"
    assert people.loc["E3", "department"] == "Sales"
    assert people.loc["E4", "hire_date"] == "2019-05-20"
    # Extra columns are HR attributes.
    assert people.loc["E1", "level"] == "5"
    identities = dict(zip(store.identities()["identity"], store.identities()["person_id"]))
    assert identities["bob@acme.example"] == "E2"
    assert identities["bobby@acme.example"] == "E2"
    assert identities["@bob"] == "E2"
    assert identities["e3"] == "E3"
    assert store.settings()["domains"] == "acme.example"


#: A roster whose values pandas and Arrow would read as missing by default: here every one is text.
LOOKALIKES = """person_id,name,email,department,title,location,manager_id,hire_date,level,region
E1,None,ann@acme.example,NULL,nan,NA,,2020-01-06,5,N/A
E2,Bob Roy,bob@acme.example,#N/A,<NA>,null,E1,2021-03-01,3,NaN
E3,Nan Li,nan@acme.example,n/a,-nan,NA,E1,2022-09-12,3,
"""


def write_roster(path, suffix):
    """LOOKALIKES in another format, typed as that format types it (numbers and dates as Excel or JSON hold them)."""
    frame = pd.read_csv(io.StringIO(LOOKALIKES), dtype=str, keep_default_na=False)
    rows = frame.to_dict("records")
    if suffix == ".xlsx":
        book = openpyxl.Workbook()
        book.active.append(list(frame.columns))
        for row in rows:
            typed = {**row, "level": int(row["level"]), "hire_date": dt.datetime.fromisoformat(row["hire_date"])}
            book.active.append([typed[name] or None for name in frame.columns])
        book.save(path)
    elif suffix == ".jsonl":
        path.write_text("".join(json.dumps({**row, "level": int(row["level"])}) + "\n" for row in rows), encoding="utf-8")
    else:
        pq.write_table(pa.table({name: [value or None for value in frame[name]] for name in frame.columns}), path)
    return path


@pytest.mark.parametrize("suffix", [".xlsx", ".jsonl", ".parquet"])
def test_every_format_stores_the_same_people_as_csv(tmp_path, suffix):
    stores = {}
    for name, path in (("csv", write(tmp_path / "roster.csv", LOOKALIKES)), (suffix, write_roster(tmp_path / f"roster{suffix}", suffix))):
        stores[name] = SQLiteStore(tmp_path / f"{name}.db")
        ingest_path(stores[name], "roster", path)
    csv_people, other_people = (stores[name].people() for name in ("csv", suffix))
    pd.testing.assert_frame_equal(other_people, csv_people)
    people = csv_people.set_index("person_id")
    # "NA" is North America and "None" a surname: none of them is a missing value.
    assert people.loc["E1", ["name", "department", "title", "location", "region"]].tolist() == ["None", "NULL", "nan", "NA", "N/A"]
    assert people.loc["E2", ["department", "title", "location", "region"]].tolist() == ["#N/A", "<NA>", "null", "NaN"]
    assert people.loc["E3", "region"] is None
    assert people.loc["E1", "hire_date"] == "2020-01-06" and people.loc["E1", "level"] == "5"
    for store in stores.values():
        store.close()


def test_column_mapping(store, tmp_path):
    path = write(tmp_path / "hr.csv", "EmployeeNumber,Mail,Org\n7,g@acme.example,Legal\n")
    ingest_path(store, "roster", path, IngestOptions(mapping={"person_id": "EmployeeNumber", "email": "Mail", "department": "Org"}))
    person = store.people().iloc[0]
    assert (person["person_id"], person["email"], person["department"]) == ("7", "g@acme.example", "Legal")


@pytest.mark.parametrize(
    "text, line, reason",
    [
        (ROSTER + "E2,Dup,dup@acme.example,,Sales,,,,,\n", 6, "duplicate person_id 'E2'"),
        (ROSTER + "E5,Eve,eve@acme.example,,Sales,,E99,,,\n", 6, "manager_id 'E99' is not a person"),
        (ROSTER + "E5,Eve,eve@acme.example,,Sales,,E1,,last tuesday,\n", 6, "hire_date 'last tuesday' is not a date"),
        (ROSTER + ",Nobody,no@acme.example,,Sales,,E1,,,\n", 6, "missing person_id"),
    ],
)
def test_bad_rows_name_file_and_line_and_write_nothing(store, tmp_path, text, line, reason):
    path = write(tmp_path / "roster.csv", text)
    with pytest.raises(IngestError) as caught:
        ingest_path(store, "roster", path)
    assert f"{path}:{line}: {reason}" in str(caught.value)
    assert store.counts()["people"] == 0
    assert store.ingests() == []


def test_skip_bad_rows_writes_rejects(store, tmp_path):
    path = write(tmp_path / "roster.csv", ROSTER + "E5,Eve,eve@acme.example,,Sales,,E99,,,\n")
    report = ingest_path(store, "roster", path, IngestOptions(skip_bad_rows=True))
    assert report.rejects == 1
    rejects = pd.read_csv(report.rejects_path)
    assert rejects.to_dict("records") == [
        {"file": str(path), "line": 6, "reason": "manager_id 'E99' is not a person in this roster or the store"}
    ]
    assert store.counts()["people"] == 4


def test_manager_may_already_be_in_the_store(store, tmp_path, roster_file):
    ingest_path(store, "roster", roster_file)
    newcomer = write(tmp_path / "new.csv", "person_id,name,manager_id\nE9,Nia,E1\n")
    ingest_path(store, "roster", newcomer)
    assert store.people().set_index("person_id").loc["E9", "manager_id"] == "E1"


def test_missing_required_column(store, tmp_path):
    path = write(tmp_path / "roster.csv", "name,email\nAnn,ann@acme.example\n")
    with pytest.raises(IngestError, match=r"roster.csv:1: missing column 'person_id' \(or map one with --map person_id=COLUMN\)"):
        ingest_path(store, "roster", path)


CYCLES = """person_id,name,manager_id
A1,Ann,A2
A2,Abe,A1
B1,Bea,B2
B2,Ben,B3
B3,Bo,B1
C1,Cy,C1
D1,Di,A1
D2,Dan,
D3,Dot,D2
"""


def test_manager_cycles_are_refused_naming_the_people(store, tmp_path):
    path = write(tmp_path / "roster.csv", CYCLES)
    with pytest.raises(IngestError) as caught:
        ingest_path(store, "roster", path)
    two = "manager cycle: 'A1' -> 'A2' -> 'A1', each managed by the next"
    three = "manager cycle: 'B1' -> 'B2' -> 'B3' -> 'B1', each managed by the next"
    assert [(p.line, p.reason) for p in caught.value.problems] == [
        (2, two),
        (3, two),
        (4, three),
        (5, three),
        (6, three),
        (7, "person_id 'C1' is their own manager (manager_id)"),
    ]
    assert store.counts()["people"] == 0 and store.ingests() == []


def test_skipping_keeps_the_people_of_a_cycle_without_a_manager(store, tmp_path):
    path = write(tmp_path / "roster.csv", CYCLES)
    report = ingest_path(store, "roster", path, IngestOptions(skip_bad_rows=True))
    managers = store.people().set_index("person_id")["manager_id"].to_dict()
    # Nobody of a cycle is more its top than another: all of them lose their manager; D1 still reports to A1.
    assert managers == {"A1": None, "A2": None, "B1": None, "B2": None, "B3": None, "C1": None, "D1": "A1", "D2": None, "D3": "D2"}
    rejects = pd.read_csv(report.rejects_path)
    assert rejects["line"].tolist() == [2, 3, 4, 5, 6, 7]
    assert all(reason.endswith("; kept without a manager") for reason in rejects["reason"])
    assert report.counts["people"] == 9


def test_a_long_cycle_names_its_first_ten_people_and_counts_them(store, tmp_path):
    ids = [f"P{i:02d}" for i in range(25)]
    rows = "".join(f"{person},{ids[(i + 1) % 25]}\n" for i, person in enumerate(ids))
    with pytest.raises(IngestError) as caught:
        ingest_path(store, "roster", write(tmp_path / "roster.csv", "person_id,manager_id\n" + rows))
    reason = caught.value.problems[0].reason
    assert reason == "manager cycle: " + " -> ".join(repr(person) for person in ids[:10]) + " -> ... (25 people), each managed by the next"
    assert len(caught.value.problems) == 25


@pytest.mark.parametrize("seed", range(20))
def test_manager_cycles_are_networkx_s_cycles_of_the_reporting_graph(seed):
    rng = np.random.default_rng(seed)
    count = int(rng.integers(1, 300))
    ids = np.array([f"p{i}" for i in rng.permutation(count)], dtype=object)
    # Managers: someone in the roster, someone outside it, or nobody; few roots, so cycles are common.
    choice = rng.random(count)
    managers = np.where(choice < 0.9, ids[rng.integers(0, count, count)], np.where(choice < 0.95, "outsider", None)).astype(object)
    cycles = manager_cycles(ids, managers)
    graph = nx.DiGraph([(person, manager) for person, manager in zip(ids, managers) if manager in set(ids)])
    assert sorted(sorted(ids[cycle]) for cycle in cycles) == sorted(sorted(cycle) for cycle in nx.simple_cycles(graph))
    position = {person: row for row, person in enumerate(ids)}
    for cycle in cycles:
        # In order: each row's manager is the next row's person, starting at the cycle's first row.
        assert cycle[0] == cycle.min()
        assert [managers[row] for row in cycle] == [ids[row] for row in np.roll(cycle, -1)]
        assert all(position[ids[row]] == row for row in cycle)


def test_skipping_a_manager_s_row_drops_the_links_to_them(store, tmp_path):
    text = "person_id,name,manager_id,hire_date\nE1,Ann,,someday\nE2,Bob,E1,2021-03-01\nE3,Cy,E2,\n"
    report = ingest_path(store, "roster", write(tmp_path / "roster.csv", text), IngestOptions(skip_bad_rows=True))
    # E1 is set aside, so Bob cannot keep a manager who is not stored; Cy keeps Bob.
    assert store.people().set_index("person_id")["manager_id"].to_dict() == {"E2": None, "E3": "E2"}
    assert pd.read_csv(report.rejects_path).to_dict("records") == [
        {"file": str(tmp_path / "roster.csv"), "line": 2, "reason": "hire_date 'someday' is not a date (use YYYY-MM-DD)"},
        {"file": str(tmp_path / "roster.csv"), "line": 3, "reason": "manager_id 'E1' names a row set aside; kept without a manager"},
    ]


#: Run in a subprocess: a warm-up ingest loads every module the ingest needs, then (as root) the process becomes
#: nobody, whom the read-only drop folder refuses; the interpreter's own folders may be closed to nobody by then.
_AS_NOBODY = """
import json, os, sys
from pathlib import Path
from orgnet.errors import OrgnetError
from orgnet.ingest.base import IngestOptions
from orgnet.ingest.pipeline import ingest_path
from orgnet.ingest.roster import manager_cycles
from orgnet.store.sqlite import SQLiteStore
from orgnet.store.sqlite import SQLiteStore

warm, roster, work = (Path(argument) for argument in sys.argv[1:])
ingest_path(SQLiteStore(warm / "warm.db"), "roster", warm / "roster.csv", IngestOptions(skip_bad_rows=True))
if os.geteuid() == 0:
    os.setgid(65534)
    os.setuid(65534)
os.chdir(work)
store = SQLiteStore(work / "orgnet.db")
try:
    ingest_path(store, "roster", roster, IngestOptions(skip_bad_rows=True, rejects_path=roster.parent / "mine.csv"))
except OrgnetError as error:
    refused = str(error)
report = ingest_path(store, "roster", roster, IngestOptions(skip_bad_rows=True))
print(json.dumps({"refused": refused, "report": report.to_dict(), "ingests": len(store.ingests())}))
"""


def test_a_read_only_drop_folder_sends_the_rejects_to_the_current_folder():
    # Not pytest's tmp_path: its folders are closed to other users, and the ingest may run as nobody.
    scratch = Path(tempfile.mkdtemp(prefix="orgnet-rejects-"))
    try:
        warm, drop, work = (scratch / name for name in ("warm", "drop", "work"))
        for folder in (warm, drop, work):
            folder.mkdir()
        bad_row = "E5,Eve,eve@acme.example,,Sales,,E99,,,\n"
        write(warm / "roster.csv", ROSTER + bad_row)
        roster = write(drop / "roster.csv", ROSTER + bad_row)
        scratch.chmod(0o755)
        work.chmod(0o777)
        drop.chmod(0o555)
        done = subprocess.run(
            [sys.executable, "-c", _AS_NOBODY, str(warm), str(roster), str(work)], capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        assert (
            result["refused"]
            == f"cannot write the rejects file {drop / 'mine.csv'}: its folder is not writable (pass --rejects FILE elsewhere)"
        )
        report = result["report"]
        assert report["notes"][0] == f"{drop} is not writable; the rejects go to the current folder"
        assert report["rejects_path"] == str(work / "roster.csv.rejects.csv")
        assert (work / "roster.csv.rejects.csv").read_text(encoding="utf-8").splitlines()[1:] == [
            f"{roster},6,manager_id 'E99' is not a person in this roster or the store"
        ]
        assert sorted(path.name for path in drop.iterdir()) == ["roster.csv"]
        # The refused ingest wrote nothing: the one ingest is the one that fell back.
        assert result["ingests"] == 1
        if os.geteuid() == 0:
            assert (work / "roster.csv.rejects.csv").stat().st_uid == 65534
    finally:
        drop.chmod(0o755)
        shutil.rmtree(scratch)
