"""Viva Insights ingester: hand-computed ties and weights, HR attributes on people, pseudonyms, strict rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import tie_table, write

from orgnet.errors import IngestError
from orgnet.ingest.base import IngestOptions
from orgnet.ingest.pipeline import ingest_path
from orgnet.privacy import PSEUDONYM_KEY_ENV, Pseudonymiser

EXPORT = Path(__file__).parent / "data" / "viva" / "person_to_person.csv"
KEY = "viva-test-key-0123456789"


def test_hand_computed_ties_and_weights(store, roster_file):
    ingest_path(store, "roster", roster_file)
    report = ingest_path(store, "viva", EXPORT)
    assert tie_table(store) == {
        # Two weekly rows of May add up: 0.8 + 0.6.
        ("E1", "E2", "2026-05", "viva"): (2, 1.4),
        # bob@acme.example is Bob's roster address; V9 is nobody on the roster, so a new person.
        ("E2", "V9", "2026-05", "viva"): (1, 0.5),
        # 6/7/2026 is Viva's M/D/YYYY: 7 June.
        ("V9", "E1", "2026-06", "viva"): (1, 1.25),
    }
    assert (report.counts["people"], report.counts["new_people"]) == (3, 1)
    assert report.notes == ["columns not read: DiverseTieScore"]


def test_attributes_land_on_people(store, roster_file):
    ingest_path(store, "roster", roster_file)
    ingest_path(store, "viva", EXPORT)
    people = store.people().set_index("person_id")
    # The latest MetricDate wins: Ann was L5 in May, L6 in June.
    assert people.loc["E1", "LevelDesignation"] == "L6"
    assert people.loc["E2", "LevelDesignation"] == "L3"
    # The roster owns a roster person's department; Viva's Organization stays an attribute.
    assert people.loc["E1", "department"] == "Engineering" and people.loc["E1", "Organization"] == "R&D"
    assert people.loc["E1", "name"] == "Ann Lee"
    # A person only Viva knows takes Organization as department.
    assert people.loc["V9", "department"] == "Finance" and people.loc["V9", "LevelDesignation"] == "L4"
    assert people.loc["V9", "Organization"] is None
    assert "E3" in people.index and people.loc["E3", "LevelDesignation"] is None


def test_pseudonymised_ingest_matches_the_roster(store, roster_file, monkeypatch):
    monkeypatch.setenv(PSEUDONYM_KEY_ENV, KEY)
    options = IngestOptions(pseudonymise=True)
    ingest_path(store, "roster", roster_file, options)
    ingest_path(store, "viva", EXPORT, options)
    alias = Pseudonymiser(KEY).pseudonym
    assert tie_table(store) == {
        (alias("E1"), alias("E2"), "2026-05", "viva"): (2, 1.4),
        (alias("E2"), alias("V9"), "2026-05", "viva"): (1, 0.5),
        (alias("V9"), alias("E1"), "2026-06", "viva"): (1, 1.25),
    }
    assert set(store.people()["person_id"]) == {alias(p) for p in ("E1", "E2", "E3", "E4", "V9")}


def test_score_option_and_a_second_export_reuse_viva_people(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    ingest_path(store, "viva", EXPORT)
    later = write(
        tmp_path / "july.csv",
        "PrimaryCollaborator_PersonId,SecondaryCollaborator_PersonId,MetricDate,DiverseTieScore\nV9,E3,2026-07-05,0.3\n",
    )
    report = ingest_path(store, "viva", later, IngestOptions(score_column="DiverseTieScore"))
    assert report.counts["new_people"] == 0
    assert tie_table(store)[("V9", "E3", "2026-07", "viva")] == (1, 0.3)


def test_metric_date_is_required(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    path = write(tmp_path / "p2p.csv", "PrimaryCollaborator_PersonId,SecondaryCollaborator_PersonId,StrongTieScore\nE1,E2,1\n")
    with pytest.raises(IngestError, match=r"p2p\.csv:1: missing column 'MetricDate' \(or map one with --map metric_date=COLUMN\)"):
        ingest_path(store, "viva", path)
    write(tmp_path / "p2p.csv", "PrimaryCollaborator_PersonId,SecondaryCollaborator_PersonId,StrongTieScore,Week\nE1,E2,1,2026-05-04\n")
    ingest_path(store, "viva", path, IngestOptions(mapping={"metric_date": "Week"}))
    assert tie_table(store) == {("E1", "E2", "2026-05", "viva"): (1, 1.0)}


def test_bad_rows_name_file_and_line_or_are_set_aside(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    path = tmp_path / "p2p.csv"
    shutil.copy(EXPORT, path)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("E3,E4,2026-05-10,strong,0,,,,\nE3,,2026-05-10,1,0,,,,\nE3,E4,last week,1,0,,,,\n")
    with pytest.raises(IngestError) as caught:
        ingest_path(store, "viva", path)
    message = str(caught.value)
    assert f"{path}:6: StrongTieScore 'strong' is not a non-negative number" in message
    assert f"{path}:7: missing SecondaryCollaborator_PersonId" in message
    assert f"{path}:8: MetricDate 'last week' is not a date" in message
    assert store.counts()["ties"] == 0
    report = ingest_path(store, "viva", path, IngestOptions(skip_bad_rows=True))
    assert report.rejects == 3 and Path(report.rejects_path).exists()
    assert store.counts()["ties"] == 3
