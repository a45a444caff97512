"""Calendar ingester: hand-computed meeting ties, one count per meeting, personal time, bad files, budgets, privacy."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import database_bytes, tie_table, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from orgnet.cli import app
from orgnet.errors import IngestError, OrgnetError
from orgnet.ingest import ics_recurrence
from orgnet.ingest.base import IngestOptions
from orgnet.ingest.pipeline import ingest_path
from orgnet.store.sqlite import SQLiteStore

DATA = Path(__file__).parent / "data" / "ics"
SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


def both_ways(a: str, b: str, period: str, count: int, weight: float) -> dict:
    return {(a, b, period, "meeting"): (count, round(weight, 6)), (b, a, period, "meeting"): (count, round(weight, 6))}


def calendar(*events: str, method: str = "", head: str = "") -> str:
    """An iCalendar text of ``events`` (each the lines between BEGIN:VEVENT and END:VEVENT)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//orgnet tests//EN", *([f"METHOD:{method}"] if method else []), *head.splitlines()]
    for event in events:
        lines += ["BEGIN:VEVENT", *event.strip().splitlines(), "END:VEVENT"]
    return "\r\n".join([*lines, "END:VCALENDAR", ""])


def meeting(uid: str, start: str, end: str, *people: str, extra: str = "") -> str:
    """A VEVENT body: ``people[0]`` organises, the others attend."""
    lines = [f"UID:{uid}", "DTSTAMP:20260701T000000Z", f"DTSTART:{start}", f"DTEND:{end}", f"ORGANIZER:mailto:{people[0]}@acme.example"]
    lines += [f"ATTENDEE:mailto:{person}@acme.example" for person in people[1:]]
    return "\n".join([*lines, *extra.strip().splitlines()])


# By hand, from tests/data/ics/team.ics:
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
# Daily 30 min from 29 June, no end: the last meeting of the file starts in June, so the series stops at 30 June.
STANDUP = both_ways("E2", "E4", "2026-06", 2, 1.0)
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
    assert (counts["all_day_skipped"], counts["cancelled_skipped"], counts["copies_merged"]) == (1, 1, 0)
    assert (counts["recurring"], counts["occurrences"], counts["interactions"]) == (2, 4, 7)
    assert report.unknown_internal == {} and report.notes == []
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
    (tmp_path / "calendars" / "linked.ics").symlink_to(DATA / "broken.ics")
    report = ingest_path(store, "ics", tmp_path / "calendars")
    assert (report.counts["files"], report.counts["symlinks_skipped"]) == (1, 1)
    assert tie_table(store) == EXPECTED


def test_bad_events_name_file_and_line(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    with pytest.raises(IngestError) as caught:
        ingest_path(store, "ics", DATA / "broken.ics")
    problems = [(Path(p.file).name, p.line, p.reason) for p in caught.value.problems]
    assert problems == [("broken.ics", 12, "event without DTSTART"), ("broken.ics", 19, "the event ends before it starts")]
    report = ingest_path(store, "ics", DATA / "broken.ics", IngestOptions(skip_bad_rows=True, rejects_path=tmp_path / "rejects.csv"))
    assert report.rejects == 2
    assert tie_table(store) == both_ways("E1", "E2", "2026-05", 1, 1.0)


# -- one meeting, counted once ---------------------------------------------------------------------

# A monthly steering meeting on the first Tuesday, 09:00 UTC, 1 h, as the invite e-mails of its attendees hold it.
STEERING = "UID:steering@acme.example\nORGANIZER:mailto:ann@acme.example\n"
REQUEST = (
    STEERING
    + """SEQUENCE:0
DTSTAMP:20251215T100000Z
DTSTART:20260106T090000Z
DTEND:20260106T100000Z
RRULE:FREQ=MONTHLY;BYDAY=1TU
ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:bob@acme.example
ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:cy@acme.example"""
)
# Version 1 of the series: Di joins every meeting.
UPDATE = REQUEST.replace("SEQUENCE:0", "SEQUENCE:1").replace("DTSTAMP:20251215T100000Z", "DTSTAMP:20260220T100000Z") + (
    "\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:di@acme.example"
)
# April's meeting moves to the 9th and lasts 2 h.
APRIL = (
    STEERING
    + """SEQUENCE:1
DTSTAMP:20260325T100000Z
RECURRENCE-ID:20260407T090000Z
DTSTART:20260409T090000Z
DTEND:20260409T110000Z
ATTENDEE:mailto:bob@acme.example
ATTENDEE:mailto:cy@acme.example
ATTENDEE:mailto:di@acme.example"""
)
# May's meeting is cancelled.
MAY_CANCELLED = (
    STEERING
    + """SEQUENCE:2
DTSTAMP:20260420T100000Z
RECURRENCE-ID:20260505T090000Z
DTSTART:20260505T090000Z
DTEND:20260505T100000Z
STATUS:CANCELLED"""
)
# Bob accepts: a reply, not a version of the meeting.
REPLY = (
    STEERING
    + """SEQUENCE:1
DTSTAMP:20260221T080000Z
DTSTART:20260106T090000Z
ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@acme.example"""
)


# June's meeting moves to 1 July, in an invite of its own sent after everything above.
JUNE_MOVED = calendar(
    STEERING
    + """SEQUENCE:3
DTSTAMP:20260520T100000Z
RECURRENCE-ID:20260602T090000Z
DTSTART:20260701T090000Z
DTEND:20260701T100000Z
ATTENDEE:mailto:bob@acme.example
ATTENDEE:mailto:cy@acme.example
ATTENDEE:mailto:di@acme.example""",
    method="REQUEST",
)


def steering_mail(folder: Path) -> Path:
    """Every attendee's copy of every invite: 4 of the request, 2 of the update and of April's move, the cancellation, 3 replies."""
    files = {
        "ann/request.ics": calendar(REQUEST, method="REQUEST"),
        "bob/request.ics": calendar(REQUEST, method="REQUEST"),
        "bob/request-attachment.ics": calendar(REQUEST, method="REQUEST"),
        "cy/request.ics": calendar(REQUEST, method="REQUEST"),
        "bob/update.ics": calendar(UPDATE, method="REQUEST"),
        "di/update.ics": calendar(UPDATE, method="REQUEST"),
        "cy/april.ics": calendar(APRIL, method="REQUEST"),
        "di/april.ics": calendar(APRIL, method="REQUEST"),
        "di/may-cancelled.ics": calendar(MAY_CANCELLED, method="CANCEL"),
        "ann/reply-bob.ics": calendar(REPLY, method="REPLY"),
        "ann/reply-bob-again.ics": calendar(REPLY, method="REPLY"),
        "ann/reply-cy.ics": calendar(REPLY.replace("bob@", "cy@"), method="REPLY"),
    }
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        write(folder / name, text)
    return folder


def all_pairs(period: str, weight: float) -> dict:
    people = ["E1", "E2", "E3", "E4"]
    return {(a, b, period, "meeting"): (1, round(weight, 6)) for a in people for b in people if a != b}


# Version 1 (Ann, Bob, Cy, Di: n = 4, 1 h -> 1/3 a pair) on the first Tuesdays of January, February, March
# and June; April's is the moved one (2 h -> 2/3 a pair), May's is cancelled. 5 meetings, not one per copy.
STEERING_TIES = {
    **all_pairs("2026-01", 1 / 3),
    **all_pairs("2026-02", 1 / 3),
    **all_pairs("2026-03", 1 / 3),
    **all_pairs("2026-04", 2 / 3),
    **all_pairs("2026-06", 1 / 3),
}


def test_one_meeting_counted_once_across_every_copy_and_update(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    report = ingest_path(store, "ics", steering_mail(tmp_path / "mail"), IngestOptions(until=dt.date(2026, 6, 30)))
    assert tie_table(store) == STEERING_TIES
    counts = report.counts
    # 12 files of 12 events: 3 replies; the series in 6 copies (5 merged), April's in 2 (1 merged), May's once.
    assert (counts["files"], counts["events"], counts["replies_skipped"], counts["copies_merged"]) == (12, 12, 3, 6)
    assert (counts["cancelled_skipped"], counts["recurring"], counts["occurrences"], counts["interactions"]) == (1, 1, 4, 5)
    assert (counts["merged_with_store"], counts["replaced_in_store"], counts["occurrences_overridden"]) == (0, 0, 0)


def test_the_store_keeps_one_version_across_ingests(store, roster_file, tmp_path):
    options = IngestOptions(until=dt.date(2026, 7, 31))
    ingest_path(store, "roster", roster_file)
    ingest_path(store, "ics", steering_mail(tmp_path / "mail"), options)
    # With July in the horizon, July's first Tuesday (the 7th) counts too.
    assert tie_table(store) == {**STEERING_TIES, **all_pairs("2026-07", 1 / 3)}
    # Cy's own export arrives later: the request again (an older version) and the update (the same one).
    export = write(tmp_path / "cy-export.ics", calendar(REQUEST.replace("UID", "X-GOOGLE-ID:1\nUID"), UPDATE))
    again = ingest_path(store, "ics", export, options)
    assert (again.counts["copies_merged"], again.counts["merged_with_store"], again.counts["replaced_in_store"]) == (1, 1, 0)
    assert tie_table(store) == {**STEERING_TIES, **all_pairs("2026-07", 1 / 3)}
    # Then June's meeting moves to 1 July in an invite of its own: June's ties go, July counts two meetings.
    moved = ingest_path(store, "ics", write(tmp_path / "june.ics", JUNE_MOVED), options)
    assert moved.counts["occurrences_overridden"] == 1
    july = {key: (2, round(2 / 3, 6)) for key in all_pairs("2026-07", 0)}
    assert tie_table(store) == {key: value for key, value in STEERING_TIES.items() if key[2] != "2026-06"} | july
    # The whole series is cancelled: every meeting of it, moved ones included, leaves the store.
    cancel = STEERING + "SEQUENCE:4\nDTSTAMP:20260601T100000Z\nDTSTART:20260106T090000Z\nSTATUS:CANCELLED"
    done = ingest_path(store, "ics", write(tmp_path / "cancel.ics", calendar(cancel, method="CANCEL")), options)
    assert done.counts["replaced_in_store"] == 1
    assert tie_table(store) == {}
    # The ledger holds hashes and versions, never the UID.
    ledger = store.calendar_events()
    assert len(ledger) == 4 and not ledger["key"].str.contains("steering").any()
    assert ledger.loc[ledger["recurrence"].isna(), "cancelled"].tolist() == [True]


def test_a_series_read_again_further_counts_its_later_occurrences(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    weekly = meeting("weekly-sync@acme.example", "20260601T090000Z", "20260601T100000Z", "ann", "bob", extra="RRULE:FREQ=WEEKLY")
    ingest_path(store, "ics", write(tmp_path / "invite.ics", calendar(weekly, method="REQUEST")))
    # Alone, the invite holds June only: Mondays 1, 8, 15, 22 and 29 June.
    assert tie_table(store) == both_ways("E1", "E2", "2026-06", 5, 5.0)
    # Ann's export a month later holds the same version and a July meeting: the series now reaches July's Mondays.
    export = calendar(weekly, meeting("july@acme.example", "20260715T090000Z", "20260715T100000Z", "cy", "di"))
    later = ingest_path(store, "ics", write(tmp_path / "export.ics", export))
    assert (later.counts["replaced_in_store"], later.counts["merged_with_store"]) == (1, 0)
    assert tie_table(store) == {
        **both_ways("E1", "E2", "2026-06", 5, 5.0),
        **both_ways("E1", "E2", "2026-07", 4, 4.0),  # 6, 13, 20 and 27 July
        **both_ways("E3", "E4", "2026-07", 1, 1.0),
    }


# -- personal time is not an error -----------------------------------------------------------------


def test_a_personal_calendar_export_goes_in_strictly(store, roster_file):
    ingest_path(store, "roster", roster_file)
    report = ingest_path(store, "ics", DATA / "personal.ics")
    counts = report.counts
    # Focus blocks and a reminder (whose e-mail alarm names people), a holiday and a birthday series since 1985,
    # a lunch with only Ann, a three-day offsite and a cancelled review: skipped by kind, none a bad row.
    assert report.rejects == 0 and report.notes == []
    assert (counts["events"], counts["no_attendees_skipped"], counts["all_day_skipped"]) == (12, 2, 2)
    assert (counts["organiser_only_skipped"], counts["long_events_dropped"], counts["cancelled_skipped"]) == (1, 1, 1)
    assert (counts["recurring"], counts["occurrences"], counts["interactions"]) == (1, 2, 6)
    assert (counts["declined_dropped"], counts["resources_dropped"]) == (2, 1)
    assert tie_table(store) == {
        # One-to-one, Tuesdays 10:00 Paris from 5 to 26 May, 12 May excluded, 19 May moved to the 20th (1 h):
        # 0.5 + 0.5 + 1.0; then the kick-off, 1.5 h with Bob and Cy (Di declined, the room is no one): 0.75 a pair.
        **both_ways("E1", "E2", "2026-05", 4, 2.75),
        **both_ways("E1", "E3", "2026-05", 1, 0.75),
        **both_ways("E2", "E3", "2026-05", 1, 0.75),
        # The customer call, 45 min with an outside partner: n = 3, 0.375 a pair.
        **both_ways("E1", "E4", "2026-05", 1, 0.375),
        # Cy's pipeline review, which Ann declined: Cy and Bob, 1 h.
        **both_ways("E2", "E3", "2026-06", 1, 1.0),
    }
    seen = store.ties().set_index(["source", "target", "period"])
    # 10:00 in Paris in May is 08:00 UTC; the kick-off's DTSTART carries trailing spaces.
    assert seen.loc[("E1", "E2", "2026-05"), "first_seen"] == pd.Timestamp("2026-05-05T08:00:00Z")
    assert seen.loc[("E1", "E2", "2026-05"), "last_seen"] == pd.Timestamp("2026-05-26T08:00:00Z")
    assert seen.loc[("E1", "E3", "2026-05"), "first_seen"] == pd.Timestamp("2026-05-07T07:00:00Z")


def test_outlook_zones_windows_names_and_its_own_definitions(store, roster_file):
    ingest_path(store, "roster", roster_file)
    report = ingest_path(store, "ics", DATA / "outlook.ics")
    assert report.counts["unknown_tzids"] == 0
    seen = store.ties().set_index(["source", "target", "period"])["first_seen"]
    # "W. Europe Standard Time" is Europe/Berlin: 10:00 in June is 08:00 UTC.
    assert seen[("E1", "E2", "2026-06")] == pd.Timestamp("2026-06-02T08:00:00Z")
    # A zone known only by the file's VTIMEZONE: 09:00 is 14:00 UTC in winter (-05:00), 13:00 in summer (-04:00).
    assert seen[("E1", "E4", "2026-01")] == pd.Timestamp("2026-01-15T14:00:00Z")
    assert seen[("E1", "E4", "2026-07")] == pd.Timestamp("2026-07-16T13:00:00Z")
    # The quarterly review: 1.5 h, Ann, Bob and Cy (an optional attendee still attends): 0.75 a pair.
    assert tie_table(store)[("E2", "E3", "2026-06", "meeting")] == (1, 0.75)


# -- one bad file does not sink a folder -----------------------------------------------------------


def bad_folder(folder: Path) -> Path:
    folder.mkdir()
    write(folder / "a-good.ics", calendar(meeting("good@acme.example", "20260504T090000Z", "20260504T100000Z", "ann", "bob")))
    (folder / "b-binary.ics").write_bytes(b"BEGIN:VCALENDAR\r\n\x00\x01\x02\x03")
    write(folder / "c-garbage.ics", "<html><body>Not found</body></html>\n")
    (folder / "d-empty.ics").write_bytes(b"")
    # Windows-1252: "Céline" and an en dash in a name, bytes that are not UTF-8.
    latin = calendar(
        meeting("latin@acme.example", "20260505T090000Z", "20260505T110000Z", "cy", "di").replace("ORGANIZER:", "ORGANIZER;CN=Céline – Cy:")
    )
    (folder / "e-latin.ics").write_bytes(latin.encode("windows-1252"))
    return folder


def test_one_unreadable_file_is_one_rejected_item(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    folder = bad_folder(tmp_path / "drop")
    report = ingest_path(store, "ics", folder, IngestOptions(skip_bad_rows=True))
    assert (report.counts["files"], report.counts["files_rejected"], report.rejects) == (5, 3, 3)
    rejects = pd.read_csv(report.rejects_path)
    assert [(Path(f).name, line) for f, line in zip(rejects["file"], rejects["line"])] == [
        ("b-binary.ics", 0),
        ("c-garbage.ics", 0),
        ("d-empty.ics", 0),
    ]
    assert "binary" in rejects["reason"][0] and "no BEGIN:VCALENDAR" in rejects["reason"][1] and "empty" in rejects["reason"][2]
    assert tie_table(store) == {**both_ways("E1", "E2", "2026-05", 1, 1.0), **both_ways("E3", "E4", "2026-05", 1, 2.0)}
    assert report.notes[0] == "not UTF-8, read in the encoding named: e-latin.ics (windows-1252)"


def test_without_skipping_the_unreadable_file_is_the_error_shown_first(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    folder = bad_folder(tmp_path / "drop")
    # A bad event in the good file comes first in file order, yet the unreadable file is what stops the ingest.
    write(folder / "a-good.ics", calendar(meeting("good@acme.example", "20260504T090000Z", "20260504T080000Z", "ann", "bob")))
    with pytest.raises(IngestError) as caught:
        ingest_path(store, "ics", folder)
    lines = str(caught.value).splitlines()
    assert lines[1] == f"  {folder / 'b-binary.ics'}: the file is binary, not text (NUL bytes found)"
    assert f"{folder / 'a-good.ics'}:4: the event ends before it starts" in lines[2]
    assert tie_table(store) == {} and store.calendar_events().empty


def test_a_folder_of_nothing_readable_is_an_error(store, tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    write(folder / "x.ics", "garbage\n")
    with pytest.raises(IngestError, match="no calendar file could be read"):
        ingest_path(store, "ics", folder, IngestOptions(skip_bad_rows=True))


# -- what real producers write -----------------------------------------------------------------------


def test_what_real_producers_write_is_read_and_reported(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    doubled = meeting(
        "doubled@acme.example",
        "20260504T090000Z ",
        "20260504T100000Z  ",
        "ann",
        "bob",
        extra="DTSTART:20260505T090000Z\nDTSTAMP:20260702T000000Z",
    )
    unknown = meeting("mars@acme.example", "20260506T090000", "20260506T100000", "ann", "cy").replace(
        "DTSTART:", "DTSTART;TZID=Mars/Olympus_Mons:"
    )
    blank = meeting("blank@acme.example", "20260507T090000", "20260507T093000", "bob", "cy").replace("DTSTART:", "DTSTART;TZID=:")
    # An unfolded line of a long description: not a content line, passed over.
    broken_fold = meeting(
        "fold@acme.example",
        "20260508T090000z",
        "20260508T100000z",
        "cy",
        "di",
        extra="DESCRIPTION:SECRET first line\nSECRET second line without a colon",
    )
    report = ingest_path(store, "ics", write(tmp_path / "real.ics", calendar(doubled, unknown, blank, broken_fold)))
    assert tie_table(store) == {
        **both_ways("E1", "E2", "2026-05", 1, 1.0),  # the first DTSTART (4 May), the DTEND's trailing spaces dropped
        **both_ways("E1", "E3", "2026-05", 1, 1.0),  # Mars time taken as UTC
        **both_ways("E2", "E3", "2026-05", 1, 0.5),  # a blank TZID is an unknown one
        **both_ways("E3", "E4", "2026-05", 1, 1.0),  # a lower-case z is UTC too
    }
    assert (report.counts["repeated_properties"], report.counts["unknown_tzids"], report.counts["lines_ignored"]) == (1, 2, 1)
    assert report.notes == [
        "unknown TZID, its times taken as UTC: '', 'Mars/Olympus_Mons'",
        "given more than once in one event, the first taken: DTSTAMP (1), DTSTART (1)",
    ]
    seen = store.ties().set_index(["source", "target"])["first_seen"]
    assert seen[("E1", "E2")] == pd.Timestamp("2026-05-04T09:00:00Z") and seen[("E1", "E3")] == pd.Timestamp("2026-05-06T09:00:00Z")


def test_values_that_cannot_be_read_are_bad_rows_on_the_event_line(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    events = [
        meeting("a@acme.example", "2026-05-04 09:00", "20260504T100000Z", "ann", "bob"),  # lines 4 to 11
        meeting("b@acme.example", "20260504T090000Z", "20260504T100000Z", "ann", "bob", extra="SEQUENCE:99999999999999"),  # 12 to 20
        meeting("c@acme.example", "20260504T090000Z", "20260504T100000Z", "ann", "bob", extra="RRULE:FREQ=WEEKLY;INTERVAL=0"),  # 21 to 29
        meeting("d@acme.example", "20260504T090000Z", "20260504T100000Z", "ann", "bob", extra="RRULE:FREQ=SOMETIMES"),  # 30 to 38
        meeting("e@acme.example", "20260504T090000Z", "20260504T100000Z", "ann", "bob").replace(
            "DTEND:20260504T100000Z", "DURATION:soon"
        ),  # 39 to 46
        meeting("f@acme.example", "20260504T090000Z", "20260504T100000Z", "ann", "bob").replace(
            "ORGANIZER:", 'ORGANIZER;CN="unclosed:'
        ),  # 47 to 54
    ]
    # The file ends inside the last event, which starts on line 55.
    cut_short = calendar(*events).removesuffix("END:VCALENDAR\r\n") + "BEGIN:VEVENT\r\nUID:g@acme.example\r\nDTSTART:20260504T090000Z\r\n"
    with pytest.raises(IngestError) as caught:
        ingest_path(store, "ics", write(tmp_path / "bad.ics", cut_short))
    assert [(p.line, p.reason) for p in caught.value.problems] == [
        (4, "DTSTART '2026-05-04 09:00' is not a date or a date-time"),
        (12, "SEQUENCE '99999999999999' is not a whole number from 0 to 2,147,483,647"),
        (21, "RRULE 'FREQ=WEEKLY;INTERVAL=0': INTERVAL must be a whole number of at least 1"),
        (30, "RRULE 'FREQ=SOMETIMES': FREQ must be one of SECONDLY, MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY"),
        (39, "DURATION 'soon' is not a duration"),
        (47, "line 52: the ORGANIZER line cannot be split into parameters and a value (an unclosed quote, or no ':')"),
        (55, "END:VEVENT missing: the file ends inside this event"),
    ]
    assert tie_table(store) == {} and store.calendar_events().empty and [r.source for r in store.ingests()] == ["roster"]


# -- bounded work ------------------------------------------------------------------------------------


def test_an_impossible_rule_costs_its_budget_and_counts_once(store, roster_file, tmp_path, monkeypatch):
    # A tenth of a second each keeps the test short; the default is half a second.
    monkeypatch.setattr(ics_recurrence, "EVENT_SECONDS", 0.1)
    ingest_path(store, "roster", roster_file)
    february_30 = meeting(
        "feb30@acme.example", "20260504T090000Z", "20260504T100000Z", "ann", "bob", extra="RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"
    )
    every_second = meeting(
        "secondly@acme.example", "20260505T090000Z", "20260505T100000Z", "ann", "cy", extra="RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30"
    )
    report = ingest_path(store, "ics", write(tmp_path / "impossible.ics", calendar(february_30, every_second)))
    assert (report.counts["expansions_timed_out"], report.counts["recurring"], report.counts["occurrences"]) == (2, 2, 2)
    # Each counts as written, once.
    assert tie_table(store) == {**both_ways("E1", "E2", "2026-05", 1, 1.0), **both_ways("E1", "E3", "2026-05", 1, 1.0)}


def test_a_series_stops_at_its_occurrence_budget(store, roster_file, tmp_path, monkeypatch):
    # 500 occurrences instead of 10,000, and time enough for them however busy the machine.
    monkeypatch.setattr(ics_recurrence, "MAX_OCCURRENCES", 500)
    monkeypatch.setattr(ics_recurrence, "EVENT_SECONDS", 60.0)
    ingest_path(store, "roster", roster_file)
    # A 1-minute meeting every minute from 1 May, 00:00 UTC: the 500th starts at 08:19.
    minutely = meeting("minutely@acme.example", "20260501T000000Z", "20260501T000100Z", "ann", "bob", extra="RRULE:FREQ=MINUTELY")
    report = ingest_path(store, "ics", write(tmp_path / "minutely.ics", calendar(minutely)), IngestOptions(until=dt.date(2026, 5, 31)))
    assert (report.counts["occurrences_capped"], report.counts["occurrences"], report.counts["expansions_timed_out"]) == (1, 500, 0)
    assert tie_table(store) == both_ways("E1", "E2", "2026-05", 500, 500 / 60)
    assert store.ties()["last_seen"].max() == pd.Timestamp("2026-05-01T08:19:00Z")


def test_long_events_are_dropped_and_counted(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    year = meeting("year@acme.example", "20260101T000000Z", "20261231T235959Z", "ann", "bob")
    three_hours = meeting("workshop@acme.example", "20260504T090000Z", "20260504T120000Z", "ann", "cy")
    path = write(tmp_path / "long.ics", calendar(year, three_hours))
    report = ingest_path(store, "ics", path)
    assert report.counts["long_events_dropped"] == 1
    assert tie_table(store) == both_ways("E1", "E3", "2026-05", 1, 3.0)
    with pytest.raises(OrgnetError):
        IngestOptions(max_event_hours=0)
    shorter = ingest_path(
        store,
        "ics",
        write(tmp_path / "long2.ics", calendar(three_hours.replace("workshop", "workshop-2"))),
        IngestOptions(max_event_hours=2),
    )
    assert shorter.counts["long_events_dropped"] == 1


def test_series_expand_to_the_last_period_of_the_files_or_to_until(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    # A weekly Monday meeting from 1 June with no end, invited on 1 January (DTSTAMP), and a meeting in August.
    weekly = meeting("weekly@acme.example", "20260601T090000Z", "20260601T100000Z", "ann", "bob", extra="RRULE:FREQ=WEEKLY").replace(
        "DTSTAMP:20260701T000000Z", "DTSTAMP:20260101T000000Z"
    )
    august = meeting("august@acme.example", "20260812T090000Z", "20260812T100000Z", "cy", "di")
    text = calendar(weekly, august)
    ingest_path(store, "ics", write(tmp_path / "series.ics", text))
    # Mondays of June (1, 8, 15, 22, 29), July (6, 13, 20, 27) and August (3, 10, 17, 24, 31): up to the end of August.
    assert {key[2]: value for key, value in tie_table(store).items() if key[0] == "E1"} == {
        "2026-06": (5, 5.0),
        "2026-07": (4, 4.0),
        "2026-08": (5, 5.0),
    }
    # --until 15 June: 1, 8 and 15 June.
    with SQLiteStore(tmp_path / "other.db") as second:
        ingest_path(second, "roster", roster_file)
        ingest_path(second, "ics", write(tmp_path / "series2.ics", text), IngestOptions(until=dt.date(2026, 6, 15)))
        assert tie_table(second)[("E1", "E2", "2026-06", "meeting")] == (3, 3.0)


# -- no traceback, nothing kept that should not be ---------------------------------------------------


def test_titles_descriptions_locations_and_uids_never_reach_the_store(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    for name in ("team.ics", "personal.ics", "outlook.ics"):
        ingest_path(store, "ics", DATA / name)
    store.close()
    stored = database_bytes(tmp_path)
    assert b"SECRET" not in stored and b"war room" not in stored
    for uid in (b"planning@acme.example", b"one-to-one-0004@google.com", b"040000008200E00074C5B7101A82E008"):
        assert uid not in stored


def test_the_cli_prints_a_refusal_and_no_traceback(tmp_path, roster_file):
    store = str(tmp_path / "cli.db")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", "roster", str(roster_file), "--store", store]).exit_code == 0
    folder = bad_folder(tmp_path / "drop")
    refused = runner.invoke(app, ["ingest", "ics", str(folder), "--store", store])
    assert refused.exit_code == 1 and isinstance(refused.exception, SystemExit) and "Traceback" not in refused.output
    assert "b-binary.ics: the file is binary" in refused.output.replace("\n", "")
    done = runner.invoke(app, ["ingest", "ics", str(folder), "--store", store, "--skip-bad-rows", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["counts"]["files_rejected"] == 3


CONTENT_LINES = st.sampled_from(
    [
        "BEGIN:VEVENT",
        "END:VEVENT",
        "BEGIN:VALARM",
        "END:VALARM",
        "BEGIN:VTIMEZONE",
        "END:VTIMEZONE",
        "BEGIN:STANDARD",
        "END:STANDARD",
        "TZID:Custom",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:-9999",
        "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "UID:x@acme.example",
        "UID:",
        "RECURRENCE-ID:20260504T090000Z",
        "RECURRENCE-ID;VALUE=DATE:99991231",
        "SEQUENCE:1",
        "SEQUENCE:-1",
        "DTSTAMP:20260701T000000Z",
        "DTSTAMP:00010101T000000Z",
        "DTSTART:20260504T090000Z",
        "DTSTART;TZID=Custom:20260504T090000",
        "DTSTART;TZID=:20260504T090000",
        "DTSTART;VALUE=DATE:20260504",
        "DTSTART:99991231T235959",
        "DTSTART;TZID=America/New_York:99991231T230000",
        "RDATE;TZID=America/New_York:99991231T230000",
        "DTSTAMP;TZID=Asia/Tokyo:00010101T010000",
        "DTSTART:00010101T000000Z",
        "DTSTART:20261340T250000",
        "DTEND:20260504T100000Z",
        "DTEND:20250504T100000Z",
        "DURATION:P99999999W",
        "DURATION:-PT1H",
        "RRULE:FREQ=DAILY;COUNT=3",
        "RRULE:FREQ=MINUTELY;UNTIL=20260504",
        "RRULE:FREQ=WEEKLY;UNTIL=garbage",
        "RRULE:FREQ=MONTHLY;BYSETPOS=99;BYDAY=MO",
        "RDATE;VALUE=PERIOD:20260510T090000Z/PT1H",
        "EXDATE:20260505T090000Z,garbage",
        "STATUS:CANCELLED",
        "ORGANIZER:mailto:ann@acme.example",
        "ATTENDEE:mailto:bob@acme.example",
        "ATTENDEE;PARTSTAT=DECLINED:mailto:cy@acme.example",
        'ATTENDEE;CN="a:b";CUTYPE=ROOM:mailto:room@acme.example',
        'ATTENDEE;CN="unclosed:mailto:x',
        "METHOD:CANCEL",
        "SUMMARY:SECRET",
        " folded continuation",
        "no colon here",
        ":",
        ";;;",
        "X-\x00-NUL",
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.lists(CONTENT_LINES, max_size=30), skip=st.booleans())
def test_no_input_gives_a_traceback(store, tmp_path, monkeypatch, body, skip):
    # Impossible rules are common here: a fiftieth of a second each keeps the test short.
    monkeypatch.setattr(ics_recurrence, "EVENT_SECONDS", 0.02)
    path = tmp_path / "fuzz.ics"
    path.write_text("BEGIN:VCALENDAR\r\n" + "\r\n".join(body) + "\r\nEND:VCALENDAR\r\n", encoding="utf-8")
    before = (tie_table(store), store.calendar_events())
    try:
        ingest_path(store, "ics", path, IngestOptions(skip_bad_rows=skip, rejects_path=tmp_path / "rejects.csv"))
    except IngestError:
        assert tie_table(store) == before[0]
        pd.testing.assert_frame_equal(store.calendar_events(), before[1])


# -- the bundled samples -----------------------------------------------------------------------------


def test_the_sample_calendar_has_no_copies_and_no_personal_time(store, truths):
    ingest_path(store, "roster", SAMPLES / "roster.csv")
    report = ingest_path(store, "ics", SAMPLES / "calendar")
    counts, planted = report.counts, truths["calendar"]
    assert (counts["events"], counts["interactions"]) == (planted["events"], planted["events"])
    assert counts["interactions"] - counts["large_meetings_dropped"] == planted["kept_events"]
    assert (counts["large_meetings_dropped"], counts["declined_dropped"]) == (planted["big_meetings"], planted["declined_attendees"])
    skipped = (
        "copies_merged",
        "no_attendees_skipped",
        "organiser_only_skipped",
        "all_day_skipped",
        "long_events_dropped",
        "cancelled_skipped",
    )
    assert [counts[name] for name in skipped] == [0] * len(skipped)
    assert report.rejects == 0 and counts["unknown_tzids"] == 0
