"""Calendar ingester: hand-computed meeting ties, declines, recurrences, size cutoff, bad events, no text kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import database_bytes, tie_table, write

from orgnet.errors import IngestError
from orgnet.ingest.base import IngestOptions
from orgnet.ingest.pipeline import ingest_path

DATA = Path(__file__).parent / "data" / "ics"


def both_ways(a: str, b: str, period: str, count: int, weight: float) -> dict:
    return {(a, b, period, "meeting"): (count, round(weight, 6)), (b, a, period, "meeting"): (count, round(weight, 6))}


# By hand, from tests/data/ics/team.ics (exported 1 July 2026, its DTSTAMP):
PLANNING = {  # 1.5 h; Ann (organiser, also listed), Bob, Di; Cy declined, the room is no one: n = 3, 1.5/2 each pair.
    **both_ways("E1", "E2", "2026-05", 1, 0.75),
    **both_ways("E1", "E4", "2026-05", 1, 0.75),
    **both_ways("E2", "E4", "2026-05", 1, 0.75),
}
CUSTOMER_CALL = both_ways("E3", "E4", "2026-05", 1, 0.5 / 2)  # 30 min, Cy, Di and an outside partner: n = 3.
WEEKLY = {
    # Weekly 1 h, COUNT=4 from 1 June: 1 and 22 June as written (8 June excluded) -> 2 x 1.0 for Ann-Bob;
    # the 15 June occurrence moved to the 16th, 2 h with Cy too: n = 3, 2/2 = 1.0 each pair.
    **both_ways("E1", "E2", "2026-06", 3, 3.0),
    **both_ways("E1", "E3", "2026-06", 1, 1.0),
    **both_ways("E2", "E3", "2026-06", 1, 1.0),
}
STANDUP = both_ways("E2", "E4", "2026-06", 2, 1.0)  # daily 30 min from 29 June, no end: 29 and 30 June before the export.
EXPECTED = {**PLANNING, **CUSTOMER_CALL, **WEEKLY, **STANDUP}


def test_hand_computed_meeting_ties_and_counts(store, roster_file):
    ingest_path(store, "roster", roster_file)
    report = ingest_path(store, "ics", DATA / "team.ics")
    assert tie_table(store) == EXPECTED
    # Cy and Di each met the outside partner once.
    assert store.external_contacts().to_dict("records") == [
        {"person_id": "E3", "period": "2026-05", "channel": "meeting", "count": 1},
        {"person_id": "E4", "period": "2026-05", "channel": "meeting", "count": 1},
    ]
    counts = report.counts
    assert (counts["events"], counts["declined_dropped"], counts["resources_dropped"]) == (7, 1, 1)
    assert (counts["all_day_skipped"], counts["cancelled_skipped"]) == (1, 1)
    assert (counts["recurring"], counts["occurrences"], counts["interactions"]) == (2, 4, 7)
    assert report.unknown_internal == {}
    # 10:00 in Paris (summer time) is 08:00 UTC.
    first_seen = store.ties().set_index(["source", "target"])["first_seen"]
    assert pd.Timestamp(first_seen[("E3", "E4")]) == pd.Timestamp("2026-05-05T08:00:00Z")


def test_meeting_cutoff_drops_and_counts(store, roster_file):
    ingest_path(store, "roster", roster_file)
    report = ingest_path(store, "ics", DATA / "team.ics", IngestOptions(meeting_cutoff=2))
    # Planning, the customer call and the moved weekly occurrence have three attendees each.
    assert report.counts["large_meetings_dropped"] == 3
    assert tie_table(store) == {**both_ways("E1", "E2", "2026-06", 2, 2.0), **STANDUP}


def test_a_folder_of_calendars(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    folder = tmp_path / "calendars" / "ann"
    folder.mkdir(parents=True)
    shutil.copy(DATA / "team.ics", folder / "team.ICS")
    write(tmp_path / "calendars" / "readme.txt", "not a calendar\n")
    report = ingest_path(store, "ics", tmp_path / "calendars")
    assert report.counts["files"] == 1
    assert tie_table(store) == EXPECTED


def test_bad_events_name_file_and_line(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    with pytest.raises(IngestError) as caught:
        ingest_path(store, "ics", DATA / "broken.ics")
    problems = [(Path(p.file).name, p.line, p.reason) for p in caught.value.problems]
    assert problems == [
        ("broken.ics", 12, "event without DTSTART"),
        ("broken.ics", 19, "event without organizer or attendees"),
    ]
    report = ingest_path(store, "ics", DATA / "broken.ics", IngestOptions(skip_bad_rows=True, rejects_path=tmp_path / "rejects.csv"))
    assert report.rejects == 2
    assert tie_table(store) == both_ways("E1", "E2", "2026-05", 1, 1.0)


def test_titles_descriptions_and_locations_never_reach_the_store(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    ingest_path(store, "ics", DATA / "team.ics")
    store.close()
    stored = database_bytes(tmp_path)
    assert b"SECRET" not in stored and b"war room" not in stored
