"""A killed ingest leaves nothing behind: SQLite drops its open transaction, and the next opener sweeps what an earlier orgnet staged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orgnet.store.sqlite import SQLiteStore
from orgnet.workers import process_alive, process_token

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")

# An ingest killed mid-transaction: its first tie block is written, then it waits to be killed.
KILLED_INGEST = """
import sys, time
from pathlib import Path
import pandas as pd
import orgnet.store.sqlite as sqlite_store
from orgnet.model import IngestBatch, IngestRecord

put = sqlite_store._put_block

def put_then_hang(connection, period, ties):
    put(connection, period, ties)
    Path(sys.argv[2]).write_text("inside")
    time.sleep(600)

sqlite_store._put_block = put_then_hang
store = sqlite_store.SQLiteStore(sys.argv[1])
ties = pd.DataFrame({
    "source": ["E1", "E2", "E3", "E4"], "target": ["E2", "E3", "E4", "E1"], "period": "2026-05", "channel": "chat",
    "count": 1, "weight": 1.0, "first_seen": pd.Timestamp("2026-05-04T09:00:00"), "last_seen": pd.Timestamp("2026-05-04T09:00:00"),
})
store.apply(IngestBatch(ties=ties), IngestRecord("i1", "interactions", "log.csv", "hash", "2026-05-05T00:00:00Z", {}))
"""


def _wait_for(condition, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_an_ingest_killed_inside_its_transaction_leaves_the_store_as_it_was(tmp_path):
    store_path, inside = tmp_path / "orgnet.db", tmp_path / "inside"
    SQLiteStore(store_path).close()
    ingest = subprocess.Popen([sys.executable, "-c", KILLED_INGEST, str(store_path), str(inside)])
    try:
        assert _wait_for(inside.exists), "the ingest never wrote its block"
        ingest.send_signal(signal.SIGKILL)
        ingest.wait()
        with SQLiteStore(store_path) as store:
            assert store.counts()["ties"] == 0 and store.ingests() == [] and store.periods() == []
            # The lock the killed writer held went with it: the next ingest writes.
            store.put_document("note", "after", "{}")
            assert store.get_document("note", "after") == "{}"
    finally:
        if ingest.poll() is None:
            ingest.kill()


def test_an_opener_leaves_staging_files_of_live_processes_alone(tmp_path):
    store_path = tmp_path / "orgnet.db"
    SQLiteStore(store_path).close()
    live = tmp_path / f".orgnet.db.staging-{process_token()}-abcd1234.db"
    dead = tmp_path / ".orgnet.db.staging-999999999-1-abcd1234.db"
    reused = tmp_path / f".orgnet.db.staging-{os.getpid()}-1-abcd1234.db"  # this pid, but another start time
    old_style = tmp_path / ".orgnet.db.staging-k2j3h4l5.db"
    for file in (live, dead, reused, old_style):
        file.write_bytes(b"x")
    SQLiteStore(store_path).close()
    assert live.exists() and old_style.exists()
    assert not dead.exists() and not reused.exists()
    assert process_alive(process_token()) is True and process_alive("999999999-1") is False and process_alive("k2j3h4l5") is None
