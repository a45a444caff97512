"""E-mail ingester: hand-computed ties from tiny mailboxes of every layout, dedup within and across ingests and
formats, list rewrites, mbox splitting, hostile mail, links, and no text kept."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROSTER, SAMPLES, database_bytes, tie_table, write

from orgnet.errors import IngestError
from orgnet.identity import IdentityResolver
from orgnet.ingest import email_mailboxes
from orgnet.ingest.base import IngestContext, IngestOptions, ProblemLog
from orgnet.ingest.email import read
from orgnet.ingest.pipeline import ingest_path
from orgnet.model import IngestReport
from orgnet.privacy import HashKey

DATA = Path(__file__).parent / "data" / "email"
MAILBOXES = DATA / "mailboxes"
MIXED = DATA / "mixed"

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


@pytest.mark.parametrize("block", [1, 5, 64])
def test_mbox_lines_are_counted_right_across_blocks(store, roster_file, monkeypatch, block):
    # Newlines are counted a block at a time; blocks this small put boundaries inside lines and separators.
    monkeypatch.setattr(email_mailboxes, "_LINE_BLOCK", block)
    ingest_path(store, "roster", roster_file)
    with pytest.raises(IngestError) as caught:
        ingest_path(store, "email", DATA / "broken.mbox")
    assert [p.line for p in caught.value.problems] == [10, 18]


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
    with pytest.raises(IngestError, match="no e-mail found"):
        ingest_path(store, "email", tmp_path / "empty")


def test_subjects_and_bodies_never_reach_the_store(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    ingest_path(store, "email", MAILBOXES)
    ingest_path(store, "email", DATA / "later.mbox")
    ingest_path(store, "email", DATA / "broken.mbox", IngestOptions(skip_bad_rows=True, rejects_path=tmp_path / "rejects.csv"))
    # Every layout, body "From " lines and addresses only in bodies (ghost-*), list mail, display names.
    reports = [ingest_path(store, "email", MIXED), ingest_path(store, "email", DATA / "lists.mbox")]
    store.close()
    stored = database_bytes(tmp_path)
    assert b"SECRET" not in stored and b"launch" not in stored and b"ghost-" not in stored
    shown = json.dumps([report.to_dict() for report in reports])
    assert "SECRET" not in shown and "ghost" not in shown and "Zed" not in shown
    # Message-IDs are kept only as keyed hashes.
    assert b"m1@acme.example" not in stored


# By hand, from tests/data/email/mixed: an mbox, a Maildir (with a Maildir++ .Sent), a .eml file and an
# Enron-style folder of message files (maildir/<user>/<folder>/<n>.), side by side in one folder.
MIXED_TIES = {
    # x1, Ann to Bob and Cy, is in archive.mbox, saved.eml and enron/ann/sent/1.: it counts once.
    ("E1", "E2", "2026-05", "email"): (1, 0.5),
    ("E1", "E3", "2026-05", "email"): (1, 0.5),
    # x2, Bob to Di, is in archive.mbox and maildir/new.
    ("E2", "E4", "2026-05", "email"): (1, 1.0),
    # x3, Cy (an encoded-word name) to Ann (an encoded word holding a comma).
    ("E3", "E1", "2026-06", "email"): (1, 1.0),
    # x4 in maildir/cur: Di to Ann, Cc Bob.
    ("E4", "E1", "2026-06", "email"): (1, 0.5),
    ("E4", "E2", "2026-06", "email"): (1, 0.5),
    # x5 in maildir/.Sent/cur: Ann to Di.
    ("E1", "E4", "2026-06", "email"): (1, 1.0),
    # x6 in enron/bob/inbox/1. (07:30 at -07:00), and a message without Message-ID in enron/bob/inbox/2.
    ("E3", "E2", "2026-07", "email"): (1, 1.0),
    ("E1", "E2", "2026-07", "email"): (1, 1.0),
}


def test_every_layout_in_one_folder_and_each_message_once(store, roster_file):
    ingest_path(store, "roster", roster_file)
    report = ingest_path(store, "email", MIXED)
    assert tie_table(store) == MIXED_TIES
    counts = report.counts
    # Mailboxes: archive.mbox, the Maildir, its .Sent, the folder of saved.eml, enron/ann/sent, enron/bob/inbox.
    # Messages: 3 in the mbox, 1 each in cur/, new/, .Sent/cur/ (tmp/ is not read), saved.eml, 3 Enron files.
    assert (counts["mailboxes"], counts["messages"], counts["duplicates_skipped"], counts["interactions"]) == (6, 10, 3, 7)
    assert counts["without_message_id"] == 1
    # notes.txt (its "Remember:" line is no mail header), index.csv, dovecot-uidlist, .Sent/maildirfolder.
    assert counts["files_ignored"] == 4
    # The mbox's bodies hold three "From " lines that are not separators; ">From" is no "From " line.
    assert counts["body_from_lines"] == 3
    assert report.unknown_internal == {}
    assert (report.first_date, report.last_date) == ("2026-05-11T09:00:00Z", "2026-07-02T09:00:00Z")


def test_a_message_in_one_format_counted_before_in_another_counts_once(store, roster_file):
    ingest_path(store, "roster", roster_file)
    ingest_path(store, "email", MIXED / "archive.mbox")
    # saved.eml is x1 again, already counted from the mbox by the earlier ingest.
    report = ingest_path(store, "email", MIXED / "saved.eml")
    assert (report.counts["mailboxes"], report.counts["messages"], report.counts["duplicates_skipped"]) == (1, 1, 1)
    assert report.counts["interactions"] == 0
    report = ingest_path(store, "email", MIXED / "maildir")
    # x2 in new/ was counted from the mbox; x4 and x5 (.Sent) are new.
    assert (report.counts["messages"], report.counts["duplicates_skipped"], report.counts["interactions"]) == (3, 1, 2)
    assert tie_table(store) == {key: value for key, value in MIXED_TIES.items() if key[1:3] != ("E2", "2026-07")}


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_mbox_from_lines_of_bodies_start_no_message(store, roster_file, tmp_path, newline):
    ingest_path(store, "roster", roster_file)
    text = (
        "From ann@acme.example Mon May  4 09:00:00 2026\n"
        "From: ann@acme.example\n"
        "To: bob@acme.example\n"
        "Date: Mon, 04 May 2026 09:00:00 +0000\n"
        "Message-ID: <c1@acme.example>\n"
        "\n"
        "From the desk of Ann: write to ghost-one@acme.example\n"
        "From here on, unquoted\n"
        "To: ghost-two@acme.example\n"
        "Date: Tue, 05 May 2026 09:00:00 +0000\n"
        "\n"
        "From the archive, forwarded:\n"
        "  ghost-three@acme.example wrote\n"
        "\n"
        "From bob@acme.example Tue May  5 10:00:00 2026\n"
        "From: bob@acme.example\n"
        "To: ann@acme.example\n"
        "Date: Tue, 05 May 2026 10:00:00 +0000\n"
        "\n"
        "From me: ghost-four@acme.example\n"
    )
    mbox = tmp_path / "crafted.mbox"
    mbox.write_bytes(text.replace("\n", newline).encode())
    report = ingest_path(store, "email", mbox)
    assert tie_table(store) == {("E1", "E2", "2026-05", "email"): (1, 1.0), ("E2", "E1", "2026-05", "email"): (1, 1.0)}
    assert (report.counts["messages"], report.counts["body_from_lines"]) == (2, 4)
    # Splitting at every "From " line made ghost-two a recipient of a message made of body text.
    assert report.unknown_internal == {}
    assert "ghost" not in json.dumps(report.to_dict())


def test_an_mbox_of_a_million_body_from_lines_is_one_message(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    path = tmp_path / "million.mbox"
    head = b"From ann@acme.example Mon May  4 09:00:00 2026\nFrom: ann@acme.example\nTo: bob@acme.example\n"
    path.write_bytes(head + b"Date: Mon, 04 May 2026 09:00:00 +0000\n\n" + b"From x@acme.example Mon May  4 09:00:00 2026\n" * 1_000_000)
    report = ingest_path(store, "email", path)
    assert (report.counts["messages"], report.counts["body_from_lines"], report.counts["interactions"]) == (1, 1_000_000, 1)
    assert tie_table(store) == {("E1", "E2", "2026-05", "email"): (1, 1.0)}


# By hand, from tests/data/email/lists.mbox, with "Bob Roy" among Bob's aliases.
LIST_TIES = {
    # l1: Google Groups, author in X-Original-From, Cc Bob (the group is an outside recipient): 1/2.
    # l6: "Ann via Phone" carries no list field: a message of Ann's like any other, to Bob.
    ("E1", "E2", "2026-05", "email"): (2, 1.5),
    # l2: Mailman, author in Reply-To, Cc Di.
    ("E3", "E4", "2026-05", "email"): (1, 0.5),
    # l3: "Bob Roy via Sales" as an encoded word, Reply-To the list: the name is Bob's alias. Cc Cy.
    ("E2", "E3", "2026-05", "email"): (1, 0.5),
    # l7: Reply-To lists the list and Di, Cc Bob.
    ("E4", "E2", "2026-05", "email"): (1, 0.5),
    # l4 (nobody to credit) and l5 (an outside author, Pat) tie no two people.
}


def test_list_rewrites_are_credited_to_their_authors(store, tmp_path):
    roster = write(tmp_path / "roster.csv", ROSTER.replace("@bob;bobby@acme.example", "@bob;bobby@acme.example;Bob Roy"))
    ingest_path(store, "roster", roster)
    report = ingest_path(store, "email", DATA / "lists.mbox")
    assert tie_table(store) == LIST_TIES
    counts = report.counts
    # Rewritten: l1, l2, l3, l4, l5, l7; l4 ("Zed Nobody via Staff") is credited to nobody and left out.
    assert (counts["messages"], counts["list_rewritten"], counts["list_uncredited"], counts["interactions"]) == (7, 6, 1, 6)
    # The list address of l4 is in the organisation's domain: credited to it, it would be an unknown person.
    assert report.unknown_internal == {}
    # Outside contacts: Ann (l1: the group; l5: from Pat), Cy (l2), Bob (l3) and Di (l7) with the lists.
    contacts = store.external_contacts().set_index("person_id")["count"].to_dict()
    assert contacts == {"E1": 2, "E2": 1, "E3": 1, "E4": 1}
    assert counts["external_interactions"] == 5


def test_a_list_rewrite_without_the_alias_is_not_credited_to_the_list(store, roster_file):
    ingest_path(store, "roster", roster_file)
    report = ingest_path(store, "email", DATA / "lists.mbox")
    # Without "Bob Roy" among Bob's aliases, l3 joins l4 among the uncredited.
    assert (report.counts["list_rewritten"], report.counts["list_uncredited"]) == (6, 2)
    assert tie_table(store) == {key: value for key, value in LIST_TIES.items() if key[0] != "E2"}
    assert report.unknown_internal == {}


def _messages(folder: Path, *names: str) -> None:
    """Write one message per name (Ann to Bob, 4 May 2026) under ``folder``."""
    for number, name in enumerate(names):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write(
            path,
            f"From: ann@acme.example\nTo: bob@acme.example\nDate: Mon, 04 May 2026 09:00:00 +0000\n"
            f"Message-ID: <{name.replace('/', '.')}{number}@acme.example>\n\nSECRET\n",
        )


def test_links_out_of_the_folder_are_never_followed(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    outside = tmp_path / "outside"
    outside.mkdir()
    # What lies outside: Di writing to Cy, as an mbox, a Maildir and one message.
    write(outside / "secret.mbox", "From di@acme.example Mon May  4 09:00:00 2026\n" + DI_TO_CY)
    (outside / "box" / "cur").mkdir(parents=True)
    write(outside / "box" / "cur" / "1.host:2,S", DI_TO_CY)
    write(outside / "one.eml", DI_TO_CY)
    folder = tmp_path / "drop"
    _messages(folder, "maildir/cur/1.host:2,S", "maildir/new/2.host", "saved.eml")
    (folder / "secret.mbox").symlink_to(outside / "secret.mbox")
    (folder / "linked").symlink_to(outside / "box", target_is_directory=True)
    (folder / "maildir" / "cur" / "3.host:2,S").symlink_to(outside / "one.eml")
    (folder / "maildir" / ".Linked").symlink_to(outside / "box", target_is_directory=True)
    (folder / "maildir" / "new" / "4.eml").symlink_to(folder / "saved.eml")
    report = ingest_path(store, "email", folder)
    assert tie_table(store) == {("E1", "E2", "2026-05", "email"): (3, 3.0)}
    assert (report.counts["messages"], report.counts["symlinks_skipped"]) == (3, 5)


def test_the_folder_given_may_itself_be_a_link(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    _messages(tmp_path / "real", "cur/1.host:2,S", "one.eml")
    (tmp_path / "named").symlink_to(tmp_path / "real", target_is_directory=True)
    report = ingest_path(store, "email", tmp_path / "named")
    assert (report.counts["messages"], report.counts["interactions"]) == (2, 2)


def _state(store) -> tuple:
    """What an ingest could change: the store's counts (ingests included), ties, outside contacts and settings."""
    return store.counts(), tie_table(store), store.external_contacts().to_dict("records"), store.settings()


DI_TO_CY = "From: di@acme.example\nTo: cy@acme.example\nDate: Mon, 04 May 2026 09:00:00 +0000\nMessage-ID: <out@acme.example>\n\nSECRET\n"
GOOD = b"From: ann@acme.example\nTo: bob@acme.example\nDate: Mon, 04 May 2026 09:00:00 +0000\nMessage-ID: <good@acme.example>\n\nhi\n"


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        # Binary garbage where the headers should be: no header line at all.
        (bytes(range(256)) * 4 + b"\n", "no From address"),
        (b"From: \xff\xfe\x00<<@@>>\nTo: bob@acme.example\nDate: Mon, 04 May 2026 09:00:00 +0000\n", "no readable address"),
        # The strict parser's case: alice or bob? Neither is credited.
        (b"From: ann@acme.example <di@acme.example>\nTo: bob@acme.example\nDate: Mon, 04 May 2026 09:00:00 +0000\n", "no readable address"),
        (b"From: ann@acme.example\nTo: bob@acme.example\nDate: Mon, 04 May 0000 09:00:00 +0000\n", "year before 1000"),
        (b"From: ann@acme.example\nTo: bob@acme.example\nDate: Fri, 31 Dec 9999 23:59:00 -2359\n", "outside the dates orgnet can store"),
        (b"From: ann@acme.example\nTo: bob@acme.example\nDate: Mon, 01 Jan 99999999999999 00:00:00 +0000\n", "not an RFC 5322 date"),
        (
            b"From: ann@acme.example\nX-Huge: " + b"x" * 10_000_000 + b"\nTo: bob@acme.example\n",
            "header block is longer than 1,048,576 bytes",
        ),
    ],
    ids=["binary", "garbage-from", "ambiguous-from", "year-0", "year-10000-in-utc", "year-of-14-digits", "10-MB-line"],
)
def test_hostile_messages_are_bad_rows_naming_file_and_line(store, roster_file, tmp_path, header, reason):
    ingest_path(store, "roster", roster_file)
    folder = tmp_path / "box"
    (folder / "cur").mkdir(parents=True)
    (folder / "cur" / "1.good").write_bytes(GOOD)
    (folder / "cur" / "2.bad").write_bytes(header + b"\nSECRET\n")
    mbox = tmp_path / "box.mbox"
    mbox.write_bytes(
        b"From a Mon May  4 09:00:00 2026\n" + GOOD + b"\nFrom b Mon May  4 09:00:00 2026\nX-Note: next\n" + header + b"\nSECRET\n"
    )
    for path, where in ((folder, (str(folder / "cur" / "2.bad"), 1)), (mbox, (str(mbox), 9))):
        before = _state(store)
        with pytest.raises(IngestError) as caught:
            ingest_path(store, "email", path)
        [problem] = caught.value.problems
        assert (problem.file, problem.line) == where and reason in problem.reason
        assert _state(store) == before
    report = ingest_path(store, "email", mbox, IngestOptions(skip_bad_rows=True, rejects_path=tmp_path / "rejects.csv"))
    assert (report.rejects, report.counts["interactions"]) == (1, 1)
    assert tie_table(store) == {("E1", "E2", "2026-05", "email"): (1, 1.0)}


def test_the_header_block_ends_at_the_first_line_that_is_no_header(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    # No blank line before the body: the body's "Cc:" line is not a header of this message.
    eml = write(tmp_path / "a.eml", GOOD.decode().replace("\n\nhi\n", "\nhello ghost@acme.example\nCc: ghost@acme.example\n"))
    report = ingest_path(store, "email", eml)
    assert tie_table(store) == {("E1", "E2", "2026-05", "email"): (1, 1.0)}
    assert report.unknown_internal == {}


@contextmanager
def _unreadable(*paths: Path):
    """``paths`` unreadable while the block runs; root reads everything, so then the block runs as nobody."""
    modes = [path.stat().st_mode for path in paths]
    for path in paths:
        path.chmod(0)
    root = os.geteuid() == 0
    if root:
        os.seteuid(65534)
    try:
        yield
    finally:
        if root:
            os.seteuid(0)
        for path, mode in zip(paths, modes):
            path.chmod(mode)


def test_unreadable_files_and_folders_of_a_maildir_are_bad_items_naming_them():
    # Outside pytest's temporary folders, which only their owner may enter (the reader may run as nobody).
    folder = Path(tempfile.mkdtemp())
    try:
        folder.chmod(0o755)
        _messages(folder, "cur/1.host:2,S", "cur/2.host:2,S", "new/3.host", ".Secret/cur/4.host:2,S")
        context = IngestContext(
            options=IngestOptions(),
            resolver=IdentityResolver(pd.DataFrame({"identity": ["ann@acme.example", "bob@acme.example"], "person_id": ["E1", "E2"]}), []),
            known_people={"E1", "E2"},
            report=IngestReport("email", str(folder)),
            problems=ProblemLog(),
            hash_key=lambda: HashKey("a hashing key of the test"),
        )
        # The pipeline is not used: its content hash reads every file before any ingester can say which it could not.
        with _unreadable(folder / "cur" / "2.host:2,S", folder / ".Secret"):
            batch = read(folder, context)
        assert [(p.file, p.line, p.reason) for p in context.problems.problems] == [
            (str(folder / ".Secret"), 0, "cannot read the folder (Permission denied)"),
            (str(folder / "cur" / "2.host:2,S"), 0, "cannot read the file (Permission denied)"),
        ]
        assert (context.report.counts["messages"], context.report.counts["interactions"]) == (2, 2)
        assert batch.ties[["source", "target", "count"]].to_dict("records") == [{"source": "E1", "target": "E2", "count": 2}]
    finally:
        shutil.rmtree(folder)


def test_the_sample_email_gives_the_counts_of_its_truths(store, truths):
    ingest_path(store, "roster", SAMPLES / "roster.csv")
    report = ingest_path(store, "email", SAMPLES / "email")
    email, counts = truths["email"], report.counts
    assert counts["messages"] == email["mbox_messages"] + email["maildir_messages"]
    assert (counts["duplicates_skipped"], counts["interactions"]) == (email["duplicates"], email["unique_messages"])
    assert counts["broadcasts_dropped"] == email["broadcasts"]
    assert counts["interactions"] - counts["broadcasts_dropped"] == email["kept_messages"]
    assert counts["external_interactions"] == email["messages_with_external"]
    assert report.unknown_internal == email["unknown_internal"]
    assert report.rejects == 0
