"""E-mail ingester: hand-computed ties from tiny mailboxes, dedup within and across ingests, bad mail, no text kept."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import database_bytes, tie_table, write

from orgnet.errors import IngestError
from orgnet.ingest.base import IngestOptions
from orgnet.ingest.pipeline import ingest_path

DATA = Path(__file__).parent / "data" / "email"
MAILBOXES = DATA / "mailboxes"

# By hand, from tests/data/email/mailboxes (ann.mbox, then the Maildir):
EXPECTED = {
    # m1: Ann to Bob and Cy, Cc Di: three recipients, 1/3 each. Its copy in maildir/cur counts nothing.
    ("E1", "E2", "2026-05", "email"): (1, round(1 / 3, 6)),
    ("E1", "E3", "2026-05", "email"): (1, round(1 / 3, 6)),
    ("E1", "E4", "2026-05", "email"): (1, round(1 / 3, 6)),
    # m2: Bob to Ann, Cc an outside partner: 1/2 to Ann; the partner is only an external count.
    ("E2", "E1", "2026-05", "email"): (1, 0.5),
    # m3 (no Message-ID): Cy to Ann and ghost@acme.example, Ann again in Cc: two recipients, 1/2 each.
    ("E3", "E1", "2026-06", "email"): (1, 0.5),
    # m4 in maildir/new: 30 June 23:30 at -02:00 is 1 July 01:30 UTC.
    ("E4", "E1", "2026-07", "email"): (1, 1.0),
}


def test_hand_computed_ties_and_counts(store, roster_file):
    ingest_path(store, "roster", roster_file)
    report = ingest_path(store, "email", MAILBOXES)
    assert tie_table(store) == EXPECTED
    assert store.external_contacts().to_dict("records") == [{"person_id": "E2", "period": "2026-05", "channel": "email", "count": 1}]
    assert report.unknown_internal == {"ghost@acme.example": 1}
    counts = report.counts
    # tmp/ holds mail still being delivered: not read, so 3 + 1 (cur) + 1 (new) messages.
    assert (counts["mailboxes"], counts["messages"], counts["duplicates_skipped"], counts["without_message_id"]) == (2, 5, 1, 1)
    assert (counts["interactions"], counts["broadcasts_dropped"], counts["external_interactions"]) == (4, 0, 1)
    first_seen = store.ties().set_index(["source", "target"])["first_seen"]
    assert pd.Timestamp(first_seen[("E4", "E1")]) == pd.Timestamp("2026-07-01T01:30:00Z")


def test_a_single_mbox_and_a_single_maildir(store, roster_file):
    ingest_path(store, "roster", roster_file)
    report = ingest_path(store, "email", MAILBOXES / "maildir")
    assert report.counts["messages"] == 2
    assert tie_table(store) == {
        ("E1", "E2", "2026-05", "email"): (1, round(1 / 3, 6)),
        ("E1", "E3", "2026-05", "email"): (1, round(1 / 3, 6)),
        ("E1", "E4", "2026-05", "email"): (1, round(1 / 3, 6)),
        ("E4", "E1", "2026-07", "email"): (1, 1.0),
    }


def test_a_message_counted_by_an_earlier_ingest_counts_once(store, roster_file):
    ingest_path(store, "roster", roster_file)
    ingest_path(store, "email", MAILBOXES)
    # later.mbox holds m1 again and m5 (Ann to Bob, 20 May).
    report = ingest_path(store, "email", DATA / "later.mbox")
    assert (report.counts["messages"], report.counts["duplicates_skipped"], report.counts["interactions"]) == (2, 1, 1)
    expected = dict(EXPECTED)
    expected[("E1", "E2", "2026-05", "email")] = (2, round(1 / 3 + 1, 6))
    assert tie_table(store) == expected


def test_broadcast_cutoff_drops_and_counts(store, roster_file):
    ingest_path(store, "roster", roster_file)
    report = ingest_path(store, "email", MAILBOXES, IngestOptions(broadcast_cutoff=2))
    # m1 has three recipients: dropped; the rest have at most two.
    assert report.counts["broadcasts_dropped"] == 1
    assert tie_table(store) == {key: value for key, value in EXPECTED.items() if key[0] != "E1"}


def test_bad_messages_name_file_and_line_in_strict_mode(store, roster_file):
    ingest_path(store, "roster", roster_file)
    with pytest.raises(IngestError) as caught:
        ingest_path(store, "email", DATA / "broken.mbox")
    problems = [(Path(p.file).name, p.line, p.reason) for p in caught.value.problems]
    assert problems == [
        ("broken.mbox", 10, "no From address"),
        ("broken.mbox", 18, "Date 'the fourth of May' is not an RFC 5322 date"),
    ]
    assert store.ties().empty


def test_skip_bad_rows_keeps_the_good_message_and_writes_rejects(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    rejects = tmp_path / "rejects.csv"
    report = ingest_path(store, "email", DATA / "broken.mbox", IngestOptions(skip_bad_rows=True, rejects_path=rejects))
    assert report.rejects == 2
    assert tie_table(store) == {("E1", "E2", "2026-05", "email"): (1, 1.0)}
    lines = pd.read_csv(rejects)["line"].tolist()
    assert lines == [10, 18]


def test_a_bad_message_in_a_maildir_names_its_file(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    (tmp_path / "box" / "cur").mkdir(parents=True)
    bad = write(tmp_path / "box" / "cur" / "1.host:2,S", "To: bob@acme.example\nDate: Mon, 04 May 2026 09:00:00 +0000\n\nhi\n")
    with pytest.raises(IngestError) as caught:
        ingest_path(store, "email", tmp_path / "box")
    assert [(p.file, p.line) for p in caught.value.problems] == [(str(bad), 1)]


def test_a_folder_without_mail_is_a_clear_error(store, tmp_path):
    (tmp_path / "empty").mkdir()
    write(tmp_path / "empty" / "notes.txt", "no mail here\n")
    with pytest.raises(IngestError, match="no mailbox found"):
        ingest_path(store, "email", tmp_path / "empty")


def test_subjects_and_bodies_never_reach_the_store(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    ingest_path(store, "email", MAILBOXES)
    ingest_path(store, "email", DATA / "later.mbox")
    ingest_path(store, "email", DATA / "broken.mbox", IngestOptions(skip_bad_rows=True, rejects_path=tmp_path / "rejects.csv"))
    store.close()
    stored = database_bytes(tmp_path)
    assert b"SECRET" not in stored and b"launch" not in stored
    # Message-IDs are kept only as keyed hashes.
    assert b"m1@acme.example" not in stored
