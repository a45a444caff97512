"""Interactions table ingester: hand-computed ties, every tabular format, strict errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from conftest import tie_table, write
from ingest.base import IngestOptions
from ingest.pipeline import ingest_path
from orgnet.errors import IngestError

INTERACTIONS = """sender,recipients,timestamp,channel,duration_hours
ann@acme.example,bob@acme.example;cy@acme.example;partner@other.example,2026-05-04T09:00:00Z,email,
Bob Roy <BOB@acme.example>,@ann,2026-05-05T10:00:00+02:00,chat,
E1,E2;E3,2026-06-01T15:00:00Z,meeting,2
E4,ghost@acme.example;di@acme.example,2026-06-02T08:00:00Z,chat,
"""


def test_hand_computed_ties(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    report = ingest_path(store, "interactions", write(tmp_path / "log.csv", INTERACTIONS))
    assert tie_table(store) == {
        # An e-mail to three recipients (one outside) adds 1/3 to each internal tie.
        ("E1", "E2", "2026-05", "email"): (1, round(1 / 3, 6)),
        ("E1", "E3", "2026-05", "email"): (1, round(1 / 3, 6)),
        ("E2", "E1", "2026-05", "chat"): (1, 1.0),
        # A 2-hour meeting of three attendees: 2 / (3 - 1) = 1 hour to each ordered pair.
        ("E1", "E2", "2026-06", "meeting"): (1, 1.0),
        ("E1", "E3", "2026-06", "meeting"): (1, 1.0),
        ("E2", "E1", "2026-06", "meeting"): (1, 1.0),
        ("E2", "E3", "2026-06", "meeting"): (1, 1.0),
        ("E3", "E1", "2026-06", "meeting"): (1, 1.0),
        ("E3", "E2", "2026-06", "meeting"): (1, 1.0),
        # Di wrote to herself and an unknown colleague: nothing internal remains.
    }
    externals = store.external_contacts()
    assert externals.to_dict("records") == [{"person_id": "E1", "period": "2026-05", "channel": "email", "count": 1}]
    assert report.unknown_internal == {"ghost@acme.example": 1}
    assert report.counts["interactions"] == 4


@pytest.mark.parametrize("suffix", [".tsv", ".jsonl", ".parquet"])
def test_every_tabular_format_gives_the_same_ties(store, roster_file, tmp_path, suffix):
    ingest_path(store, "roster", roster_file)
    frame = pd.read_csv(pd.io.common.StringIO(INTERACTIONS), dtype=str)
    path = tmp_path / f"log{suffix}"
    if suffix == ".tsv":
        frame.to_csv(path, sep="\t", index=False)
    elif suffix == ".jsonl":
        rows = [{k: v for k, v in r.items() if isinstance(v, str)} for r in frame.to_dict("records")]
        for row in rows:
            row["recipients"] = row["recipients"].split(";")
        path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    else:
        frame.to_parquet(path)
    ingest_path(store, "interactions", path)
    reference_store_ties = tie_table(store)
    assert reference_store_ties[("E1", "E2", "2026-05", "email")] == (1, round(1 / 3, 6))
    assert len(reference_store_ties) == 9


def test_channel_option_fills_a_missing_column(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    path = write(tmp_path / "chat.csv", "from,to,time\nE1,E2,2026-07-01T00:00:00Z\n")
    ingest_path(store, "interactions", path, IngestOptions(channel="chat"))
    assert list(store.ties()["channel"]) == ["chat"]


def test_strict_errors_list_twenty_problems_with_lines(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    rows = ["sender,recipients,timestamp,channel"] + [f"E1,E2,not-a-date-{i},chat" for i in range(25)] + [",E2,2026-01-01T00:00:00Z,chat"]
    path = write(tmp_path / "bad.csv", "\n".join(rows) + "\n")
    with pytest.raises(IngestError) as caught:
        ingest_path(store, "interactions", path)
    message = str(caught.value)
    assert message.startswith("ingest stopped: 26 problems, nothing was written")
    assert f"{path}:2: timestamp is not an ISO 8601 date and time" in message
    assert "... and 6 more" in message
    assert len(caught.value.problems) == 26
    assert caught.value.problems[-1].line == 27 and caught.value.problems[-1].reason == "missing sender"
    assert store.counts()["ties"] == 0


def test_unknown_column_is_refused_unless_ignored(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    path = write(tmp_path / "log.csv", "sender,recipients,timestamp,channel,subject\nE1,E2,2026-07-01T00:00:00Z,chat,Salary review\n")
    with pytest.raises(IngestError, match="unknown column 'subject'"):
        ingest_path(store, "interactions", path)
    ingest_path(store, "interactions", path, IngestOptions(ignore_columns=["subject"]))
    assert store.counts()["ties"] == 1
    assert b"Salary review" not in (tmp_path / "orgnet.db").read_bytes()


def test_broadcast_cutoff_drops_and_counts(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    path = write(tmp_path / "log.csv", "sender,recipients,timestamp,channel\nE1,E2;E3;E4,2026-07-01T00:00:00Z,email\nE1,E2,2026-07-01T00:00:00Z,email\n")
    report = ingest_path(store, "interactions", path, IngestOptions(broadcast_cutoff=2))
    assert report.counts["broadcasts_dropped"] == 1
    assert tie_table(store) == {("E1", "E2", "2026-07", "email"): (1, 1.0)}
