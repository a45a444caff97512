"""A killed ingest leaves nothing behind: its forked child dies with it and the next opener sweeps the staging file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import orgnet.store.sqlite as sqlite_store
from orgnet.model import IngestBatch, IngestRecord
from orgnet.store.sqlite import SQLiteStore
from orgnet.workers import can_fork, process_alive, process_token

pytestmark = pytest.mark.skipif(not can_fork() or not Path("/proc/self/stat").exists(), reason="needs fork, two cores and /proc")

# A parent that stages half of its ties in a child which then hangs, as a large ingest's child would still be writing.
KILLED_INGEST = """
import sys, time
import pandas as pd
import orgnet.store.sqlite as sqlite_store
from orgnet.model import IngestBatch, IngestRecord

def hang(path, ties):
    path.write_bytes(b"half-written staging file")
    time.sleep(600)

sqlite_store._write_staging = hang
store = sqlite_store.SQLiteStore(sys.argv[1], staged_ties=2)
ties = pd.DataFrame({
    "source": ["E1", "E2", "E3", "E4"], "target": ["E2", "E3", "E4", "E1"], "period": "2026-05", "channel": "chat",
    "count": 1, "weight": 1.0, "first_seen": pd.Timestamp("2026-05-04T09:00:00"), "last_seen": pd.Timestamp("2026-05-04T09:00:00"),
})
batch = IngestBatch()
batch.ties = ties
store.apply(batch, IngestRecord("i1", "interactions", "log.csv", "hash", "2026-05-05T00:00:00Z", {}))
"""


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _wait_for(condition, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_killed_ingest_takes_its_child_along_and_the_next_opener_removes_the_staging_file(tmp_path):
    store_path = tmp_path / "orgnet.db"
    parent = subprocess.Popen([sys.executable, "-c", KILLED_INGEST, str(store_path)])
    try:
        assert _wait_for(lambda: any(tmp_path.glob(".orgnet.db.staging-*.db")) and _children(parent.pid)), "the ingest never staged"
        [child] = _children(parent.pid)
        [staging] = tmp_path.glob(".orgnet.db.staging-*.db")
        assert staging.name.startswith(f".orgnet.db.staging-{process_token(parent.pid)}-")
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        # The child would sleep ten minutes; the parent-death signal ends it with the parent.
        assert _wait_for(lambda: not Path(f"/proc/{child}").exists() or "zombie" in _state(child), 10), "the child outlived its parent"
        assert staging.exists()
        SQLiteStore(store_path).close()
        assert not staging.exists()
        assert SQLiteStore(store_path).counts()["ties"] == 0
    finally:
        if parent.poll() is None:
            parent.kill()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return "zombie"


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


def test_closing_after_an_interrupted_merge_rolls_back_and_detaches(tmp_path):
    # As when Ctrl-C lands between the staged merge and the rollback: the transaction is still open.
    store = SQLiteStore(tmp_path / "orgnet.db", staged_ties=2)
    ties = pd.DataFrame(
        {
            "source": ["E1", "E2", "E3", "E4"],
            "target": ["E2", "E3", "E4", "E1"],
            "period": "2026-05",
            "channel": "chat",
            "count": 1,
            "weight": 1.0,
            "first_seen": pd.Timestamp("2026-05-04T09:00:00"),
            "last_seen": pd.Timestamp("2026-05-04T09:00:00"),
        }
    )
    staged = sqlite_store._StagedTies(ties, (tmp_path / "orgnet.db").resolve())
    connection = store._connection
    connection.execute("BEGIN IMMEDIATE")
    staged.merge(connection)
    staged.close(connection)
    assert not connection.in_transaction
    assert [row[1] for row in connection.execute("PRAGMA database_list")] == ["main"]
    assert not staged.path.exists()
    assert store.counts()["ties"] == 0
    batch = IngestBatch()
    batch.ties = ties
    store.apply(batch, IngestRecord("i1", "interactions", "log.csv", "hash", "2026-05-05T00:00:00Z", {}))
    assert store.counts()["ties"] == 4
