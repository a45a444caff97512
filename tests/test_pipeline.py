"""The ingest pipeline: atomic, idempotent, readable while writing, and private when asked."""

from __future__ import annotations

import re
import threading

import pytest
from conftest import write

import orgnet.store.sqlite as sqlite_module
from orgnet.errors import IngestError, OrgnetError
from orgnet.ingest.base import IngestOptions, ProblemLog
from orgnet.ingest.pipeline import ingest_path
from orgnet.privacy import PSEUDONYM_KEY_ENV, Pseudonymiser
from orgnet.store.sqlite import SQLiteStore

LOG = "sender,recipients,timestamp,channel\nann@acme.example,bob@acme.example,2026-05-04T09:00:00Z,email\nE3,E4;E2,2026-05-05T09:00:00Z,chat\n"


def snapshot(store):
    return store.counts(), store.people().to_dict("records"), store.ties().to_dict("records"), store.settings()


def test_reingesting_the_same_content_is_a_noop_that_says_so(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    log = write(tmp_path / "log.csv", LOG)
    ingest_path(store, "interactions", log)
    before = snapshot(store)
    copy = write(tmp_path / "copy-of-log.csv", LOG)
    again = ingest_path(store, "interactions", copy)
    assert again.skipped
    assert "already ingested" in again.notes[0] and str(log) in again.notes[0]
    assert snapshot(store) == before


@pytest.mark.parametrize(
    ("source", "name", "content", "reason"),
    [
        ("roster", "roster.csv", b"", "the file is empty"),
        ("roster", "roster.csv", b"\x00\x01\x02PK\x03\x04garbage" * 20, "the file is binary"),
        ("roster", "roster.csv", b" \n\t\r\n" * 40_000, "the file is empty"),
        ("roster", "roster.csv", "person_id,name\nE1,Zo\xe9\n".encode("latin-1"), "line 2: not UTF-8 text"),
        # The one bad byte is the file's last, past its whole eight-byte words.
        ("roster", "roster.csv", b"person_id,name\n" + b"E1,Ann\n" * 10_000 + "E2,Zo\xe9".encode("latin-1"), "line 10002: not UTF-8 text"),
        ("roster", "roster.csv", b"person_id,name\nE1," + b"x" * (1 << 21) + b"\n", "line 2: longer than"),
        ("ics", "cal.ics", b"", "the file is empty"),
        ("ics", "cal.ics", b"\x00\x01\x02garbage", "binary"),
        ("ics", "cal.ics", b"this is not a calendar\n", "no BEGIN:VCALENDAR"),
        ("ics", "cal.ics", b"BEGIN:VCALENDAR\n" + b"BEGIN:X\n" * 40, "nest more than 16 deep"),
        ("email", "inbox.mbox", b"", "the file is empty"),
        ("email", "inbox.mbox", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("email", "inbox.mbox", b"person_id,name\nE1,Ann\n", "not an mbox file or a message"),
        # A "From " line with no header block after it is not a separator: this is not an mbox.
        ("email", "inbox.mbox", b"From ann@acme.example Mon May  4 09:00:00 2026\n" * 1000, "not an mbox file or a message"),
    ],
    ids=[
        "roster empty",
        "roster binary",
        "roster blank",
        "roster latin-1",
        "roster latin-1 last byte",
        "roster long line",
        "ics empty",
        "ics binary",
        "ics not a calendar",
        "ics nested too deep",
        "email empty",
        "email binary",
        "email not an mbox",
        "email separators without headers",
    ],
)
def test_an_unparsable_file_is_one_clear_error_naming_it_and_writes_nothing(store, tmp_path, source, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    before = snapshot(store)
    with pytest.raises(IngestError) as caught:
        ingest_path(store, source, path)
    assert caught.value.problems[-1].file == str(path)
    assert reason in str(caught.value) and str(path) in str(caught.value)
    assert snapshot(store) == before


def test_a_failure_mid_ingest_leaves_the_store_as_it_was(store, roster_file, tmp_path, monkeypatch):
    ingest_path(store, "roster", roster_file)
    ingest_path(store, "interactions", write(tmp_path / "first.csv", LOG))
    before = snapshot(store)
    roster_update = write(tmp_path / "roster2.csv", "person_id,name,department\nE5,Eve,Legal\nE1,Ann Lee,Board\n")
    ingest_path(store, "roster", roster_update)  # proves the update itself is fine
    store_two = SQLiteStore(tmp_path / "second.db")
    ingest_path(store_two, "roster", roster_file)
    before_two = snapshot(store_two)

    def broken_blocks(connection, ties, changes):
        raise RuntimeError("disk on fire")

    # People and identities are written before the tie blocks: the failure lands in the middle of the transaction.
    monkeypatch.setattr(sqlite_module, "_write_blocks", broken_blocks)
    with pytest.raises(RuntimeError, match="disk on fire"):
        ingest_path(store_two, "roster", roster_update)
    assert snapshot(store_two) == before_two
    assert len(store_two.ingests()) == 1
    store_two.close()
    assert before != snapshot(store)


def test_readers_keep_reading_while_an_ingest_writes(store, roster_file, tmp_path, monkeypatch):
    ingest_path(store, "roster", roster_file)
    reader = SQLiteStore(tmp_path / "orgnet.db")
    inside, release = threading.Event(), threading.Event()
    original = sqlite_module._write_blocks

    def slow_blocks(connection, ties, changes):
        inside.set()
        assert release.wait(10)
        original(connection, ties, changes)

    monkeypatch.setattr(sqlite_module, "_write_blocks", slow_blocks)
    errors = []
    writer = threading.Thread(target=lambda: _run(errors, ingest_path, store, "interactions", write(tmp_path / "log.csv", LOG)))
    writer.start()
    assert inside.wait(10)
    # Mid-transaction: the reader sees the last committed state, without waiting.
    assert reader.counts()["ties"] == 0
    assert len(reader.people()) == 4
    release.set()
    writer.join(10)
    assert not errors
    assert reader.counts()["ties"] == 3
    reader.close()


def _run(errors, function, *args):
    try:
        function(*args)
    except Exception as error:
        errors.append(error)


def test_pseudonymisation_keeps_no_address_or_name(tmp_path, roster_file, monkeypatch):
    key = "correct horse battery staple"
    monkeypatch.setenv(PSEUDONYM_KEY_ENV, key)
    path = tmp_path / "private.db"
    store = SQLiteStore(path)
    ingest_path(store, "roster", roster_file, IngestOptions(pseudonymise=True))
    # Later ingests follow the store's setting without being told.
    ingest_path(store, "interactions", write(tmp_path / "log.csv", LOG))
    pseudonym = Pseudonymiser(key).pseudonym
    ties = store.ties()
    assert set(zip(ties["source"], ties["target"])) == {
        (pseudonym("E1"), pseudonym("E2")),
        (pseudonym("E3"), pseudonym("E4")),
        (pseudonym("E3"), pseudonym("E2")),
    }
    people = store.people().set_index("person_id")
    assert people.loc[pseudonym("E2"), "manager_id"] == pseudonym("E1")
    assert people["name"].isna().all() and people["email"].isna().all()
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("private.db*"))
    # The organisation's domain is kept (it tells colleagues from outsiders); no address, handle or name is.
    for secret in (b"ann@acme.example", b"bob@acme.example", b"bobby@", b"@ann", b"@bob", b"Ann Lee", b"Bob Roy", b"Engineer,"):
        assert secret not in raw
    assert re.search(rb"[\w.+-]+@[\w-]+\.\w+", raw) is None


def test_pseudonymised_store_refuses_another_key_or_none(tmp_path, roster_file, monkeypatch):
    monkeypatch.setenv(PSEUDONYM_KEY_ENV, "first key, long enough")
    store = SQLiteStore(tmp_path / "private.db")
    ingest_path(store, "roster", roster_file, IngestOptions(pseudonymise=True))
    monkeypatch.setenv(PSEUDONYM_KEY_ENV, "another key, long enough")
    with pytest.raises(OrgnetError, match="different key"):
        ingest_path(store, "interactions", write(tmp_path / "log.csv", LOG))
    monkeypatch.delenv(PSEUDONYM_KEY_ENV)
    with pytest.raises(OrgnetError, match=PSEUDONYM_KEY_ENV):
        ingest_path(store, "interactions", write(tmp_path / "log.csv", LOG))
    store.close()


def test_period_unit_is_fixed_by_the_first_ingest(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file, IngestOptions(period_unit="week"))
    ingest_path(store, "interactions", write(tmp_path / "log.csv", LOG), IngestOptions(period_unit="week"))
    assert store.periods() == ["2026-W19"]
    with pytest.raises(OrgnetError, match="aggregates by week"):
        ingest_path(store, "interactions", write(tmp_path / "other.csv", LOG.replace("05-04", "05-06")))


def test_missing_file(store, tmp_path):
    with pytest.raises(OrgnetError, match="no such file"):
        ingest_path(store, "roster", tmp_path / "nope.csv")


def test_what_stops_an_ingest_is_listed_first_not_hidden_behind_the_row_problems():
    # 25 bad rows of a.csv would fill the listing; b.csv, which cannot be read at all, is what no --skip-bad-rows gets around.
    problems = ProblemLog()
    problems.add_lines("a.csv", range(2, 27), "missing recipients")
    lines = str(problems.fatal("b.csv", "the file is binary")).splitlines()
    assert lines[0] == "ingest stopped: 26 problems, nothing was written"
    assert lines[1] == "  b.csv: the file is binary"
    assert lines[2] == "  a.csv:2: missing recipients"
    assert lines[-1] == "  ... and 6 more"
