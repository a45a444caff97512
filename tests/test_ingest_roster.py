"""HR roster ingester on hand-made rosters, good and bad."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import ROSTER, write

from orgnet.errors import IngestError
from orgnet.ingest.base import IngestOptions
from orgnet.ingest.pipeline import ingest_path


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


def test_excel_roster_reads_like_csv(store, tmp_path, roster_file):
    path = tmp_path / "roster.xlsx"
    pd.read_csv(roster_file, dtype=str).to_excel(path, index=False)
    ingest_path(store, "roster", path)
    assert sorted(store.people()["person_id"]) == ["E1", "E2", "E3", "E4"]
    assert store.people().set_index("person_id").loc["E1", "level"] == "5"


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
