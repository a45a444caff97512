"""Dates an ingest accepts: representable, inside the window, refused by line otherwise, in every timestamped source."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import tie_table, write

from orgnet.errors import IngestError, OrgnetError
from orgnet.ingest.base import IngestOptions
from orgnet.ingest.dates import DateWindow, epoch_seconds, utc_instants
from orgnet.ingest.pipeline import ingest_path
from orgnet.periods import utc_datetime64

# Out of range three ways: beyond datetime64[ns] (year 9999 used to wrap to 1816, 1600 to 2184), and merely implausible (1985).
FAR_FUTURE, FAR_PAST, TOO_EARLY = "9999-05-04T09:00:00Z", "1600-05-04T09:00:00Z", "1985-05-04T09:00:00Z"


def _interactions(*timestamps: str) -> str:
    rows = [f"ann@acme.example,bob@acme.example,{stamp},chat" for stamp in timestamps]
    return "\n".join(["sender,recipients,timestamp,channel", *rows]) + "\n"


def test_a_window_refuses_what_is_outside_and_keeps_microsecond_years():
    window = DateWindow.for_ingest(today=dt.date(2026, 12, 1))
    assert str(window) == "1990-01-01 to 2027-12-02"
    instants = utc_instants(pd.to_datetime(pd.Series([FAR_FUTURE, FAR_PAST, TOO_EARLY, "1990-01-01T00:00:00Z", None]), utc=True))
    # Nothing wrapped on the way: the years are the ones written.
    assert [str(value)[:4] for value in instants[:4]] == ["9999", "1600", "1985", "1990"]
    assert window.outside(instants).tolist() == [True, True, True, False, False]
    # The last accepted day is whole; the day after it is not.
    edge = utc_instants(pd.to_datetime(pd.Series(["2027-12-02T23:59:59Z", "2027-12-03T00:00:00Z"]), utc=True))
    assert window.outside(edge).tolist() == [False, True]


def test_conversion_to_nanoseconds_never_wraps():
    with pytest.raises(ValueError, match="do not fit datetime64"):
        utc_datetime64(pd.to_datetime(pd.Series([FAR_FUTURE]), utc=True))
    window = DateWindow.for_ingest(today=dt.date(2026, 12, 1))
    converted = window.nanoseconds(utc_instants(pd.to_datetime(pd.Series([FAR_FUTURE, "2026-05-04T09:00:00Z"]), utc=True)))
    assert converted.dtype == np.dtype("datetime64[ns]")
    assert np.isnat(converted[0]) and str(converted[1]).startswith("2026-05-04T09:00")


def test_epoch_seconds_beyond_any_year_are_refused_not_overflowed():
    instants = epoch_seconds(np.array([1e300, -1e300, 1714813200.0001, np.nan]))
    assert [str(value)[:4] for value in instants[:3]] == ["9999", "0001", "2024"]
    assert np.isnat(instants[3])
    window = DateWindow.for_ingest(today=dt.date(2026, 12, 1))
    assert window.outside(instants).tolist() == [True, True, False, False]
    assert window.outside_seconds(1e300) and window.outside_seconds(float("inf")) and not window.outside_seconds(1714813200.0)


def test_options_refuse_a_window_beyond_what_can_be_stored():
    with pytest.raises(OrgnetError, match="outside the dates orgnet can store"):
        IngestOptions(accept_dates_from=dt.date(1600, 1, 1))
    with pytest.raises(OrgnetError, match="is after"):
        IngestOptions(accept_dates_from=dt.date(2026, 1, 2), accept_dates_to=dt.date(2026, 1, 1))
    with pytest.raises(OrgnetError, match="--meeting-cutoff is between 2 and 1,000"):
        IngestOptions(meeting_cutoff=5000)
    with pytest.raises(OrgnetError, match="--broadcast-cutoff"):
        IngestOptions(broadcast_cutoff=0)


def test_csv_rows_out_of_range_name_their_lines_and_nothing_is_written(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    before = store.counts()
    log = write(tmp_path / "log.csv", _interactions("2026-05-04T09:00:00Z", FAR_FUTURE, FAR_PAST, TOO_EARLY))
    with pytest.raises(IngestError) as raised:
        ingest_path(store, "interactions", log)
    lines = [(problem.line, problem.reason.split(" is ")[0]) for problem in raised.value.problems]
    assert lines == [(3, f"timestamp {FAR_FUTURE!r}"), (4, f"timestamp {FAR_PAST!r}"), (5, f"timestamp {TOO_EARLY!r}")]
    assert all("--accept-dates-from" in problem.reason for problem in raised.value.problems)
    assert store.counts() == before and len(store.ingests()) == 1


def test_skipping_keeps_the_good_rows_and_reports_the_date_range(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    log = write(tmp_path / "log.csv", _interactions("2026-05-04T09:00:00Z", "2026-06-30T17:30:00+02:00", FAR_FUTURE))
    report = ingest_path(store, "interactions", log, IngestOptions(skip_bad_rows=True))
    assert report.rejects == 1
    assert (report.first_date, report.last_date) == ("2026-05-04T09:00:00Z", "2026-06-30T15:30:00Z")
    assert tie_table(store) == {("E1", "E2", "2026-05", "chat"): (1, 1.0), ("E1", "E2", "2026-06", "chat"): (1, 1.0)}
    # The default snapshot stays where the data is: no period in 2216 or 1816.
    assert store.periods() == ["2026-05", "2026-06"]


def test_a_wider_window_accepts_old_dates(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    log = write(tmp_path / "log.csv", _interactions(TOO_EARLY))
    ingest_path(store, "interactions", log, IngestOptions(accept_dates_from=dt.date(1980, 1, 1)))
    assert store.periods() == ["1985-05"]


def test_parquet_timestamps_are_judged_too(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    path = tmp_path / "log.parquet"
    pd.DataFrame(
        {"sender": ["ann@acme.example"] * 2, "recipients": ["bob@acme.example"] * 2, "timestamp": ["2026-05-04T09:00:00Z", FAR_FUTURE]}
    ).assign(channel="chat").to_parquet(path)
    with pytest.raises(IngestError) as raised:
        ingest_path(store, "interactions", path)
    assert [problem.line for problem in raised.value.problems] == [2]


MBOX = """From ann@acme.example Mon May  4 09:00:00 2026
From: Ann Lee <ann@acme.example>
To: bob@acme.example
Date: Mon, 04 May 2026 09:00:00 +0000
Message-ID: <1@acme.example>

hello

From ann@acme.example Fri Dec 31 09:00:00 9999
From: Ann Lee <ann@acme.example>
To: bob@acme.example
Date: Fri, 31 Dec 9999 09:00:00 +0000
Message-ID: <2@acme.example>

far away
"""


def test_mbox_messages_out_of_range_name_their_line(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    with pytest.raises(IngestError) as raised:
        ingest_path(store, "email", write(tmp_path / "box.mbox", MBOX))
    [problem] = raised.value.problems
    assert problem.line == 9 and "Date 'Fri, 31 Dec 9999" in problem.reason
    report = ingest_path(store, "email", tmp_path / "box.mbox", IngestOptions(skip_bad_rows=True))
    assert report.last_date == "2026-05-04T09:00:00Z"
    assert tie_table(store) == {("E1", "E2", "2026-05", "email"): (1, 1.0)}


ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:far@acme.example
DTSTAMP:20260401T000000Z
DTSTART:99990504T090000Z
DTEND:99990504T100000Z
ORGANIZER:mailto:ann@acme.example
ATTENDEE:mailto:bob@acme.example
END:VEVENT
END:VCALENDAR
"""


def test_calendar_events_out_of_range_name_their_line(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    with pytest.raises(IngestError) as raised:
        ingest_path(store, "ics", write(tmp_path / "far.ics", ICS))
    [problem] = raised.value.problems
    assert problem.line == 4 and problem.reason.startswith("DTSTART '9999-05-04T09:00:00+00:00' is outside")


def _slack_export(folder, ts: object):
    users = [
        {"id": "U1", "name": "ann", "profile": {"email": "ann@acme.example"}},
        {"id": "U2", "name": "bob", "profile": {"email": "bob@acme.example"}},
    ]
    folder.mkdir()
    write(folder / "users.json", json.dumps(users))
    (folder / "general").mkdir()
    messages = [
        {"type": "message", "user": "U1", "ts": "1777885200.000100", "text": "<@U2> hi"},
        {"type": "message", "user": "U1", "ts": ts, "text": "<@U2> later"},
    ]
    write(folder / "general" / "2026-05-04.json", json.dumps(messages))
    return folder


@pytest.mark.parametrize("ts", ["1e300", 1e300, "-1e300", "253402300800.5"])
def test_slack_ts_beyond_any_date_is_a_problem_not_a_traceback(store, roster_file, tmp_path, ts):
    ingest_path(store, "roster", roster_file)
    export = _slack_export(tmp_path / "export", ts)
    with pytest.raises(IngestError) as raised:
        ingest_path(store, "slack", export)
    [problem] = raised.value.problems
    assert problem.file.endswith("2026-05-04.json") and problem.reason.startswith("message 2: ts")
    assert "outside the accepted dates" in problem.reason or "not a Slack timestamp" in problem.reason
    report = ingest_path(store, "slack", export, IngestOptions(skip_bad_rows=True))
    assert report.rejects == 1 and store.periods() == ["2026-05"]


def test_viva_and_engagement_dates_out_of_range_are_bad_rows(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    engagement = write(
        tmp_path / "engagement.csv",
        "person_id,date,action,content_id,platform\nE1,2026-05-04,share,c1,linkedin\nE2,9999-01-01,share,c1,linkedin\n",
    )
    with pytest.raises(IngestError) as raised:
        ingest_path(store, "engagement", engagement)
    assert [(p.line, p.reason.split(" is ")[0]) for p in raised.value.problems] == [(3, "date '9999-01-01'")]
    viva = write(
        tmp_path / "viva.csv",
        "PrimaryCollaborator_PersonId,SecondaryCollaborator_PersonId,MetricDate,StrongTieScore\nE1,E2,5/4/2026,1\nE1,E3,1/1/1970,1\n",
    )
    with pytest.raises(IngestError) as raised:
        ingest_path(store, "viva", viva)
    assert [(p.line, p.reason.split(" is ")[0]) for p in raised.value.problems] == [(3, "MetricDate '1/1/1970'")]


def test_the_cli_prints_the_refusal_and_no_traceback(tmp_path, roster_file):
    log = write(tmp_path / "log.csv", _interactions(FAR_FUTURE))
    store = str(tmp_path / "cli.db")
    run = [sys.executable, "-m", "orgnet", "ingest"]
    subprocess.run([*run, "roster", str(roster_file), "--store", store], check=True, capture_output=True)
    done = subprocess.run([*run, "interactions", str(log), "--store", store], capture_output=True, text=True)
    assert done.returncode != 0
    assert "log.csv:2: timestamp '9999-05-04T09:00:00Z' is outside the accepted dates" in done.stderr + done.stdout
    assert "Traceback" not in done.stderr + done.stdout
    accepted = subprocess.run(
        [
            *run,
            "interactions",
            str(write(tmp_path / "old.csv", _interactions(TOO_EARLY))),
            "--store",
            store,
            "--accept-dates-from",
            "1980-01-01",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(accepted.stdout)["first_date"] == "1985-05-04T09:00:00Z"
