"""The audit log under writes: reads never wait for the store's write lock, a read that cannot be audited is refused, nothing queued is lost.

Everything runs on a copy of the analysed samples store through the real app,
with a second SQLite connection in ``BEGIN IMMEDIATE`` as the other writer (an
ingest in another process holds the same lock). No timing is asserted: each
wait has a generous deadline, and what is checked is which reads were
answered, which were refused and which entries reached the store.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from api_fixtures import make_app, role_keys, samples_store  # noqa: F401
from fastapi.testclient import TestClient

from orgnet.access import Principal, hash_key
from orgnet.api.audit import AuditBuffer
from orgnet.model import ApiKey
from orgnet.store.sqlite import SQLiteStore

pytestmark = pytest.mark.xdist_group("api")

#: Generous: how long a read, or an entry reaching the store, may take on a busy machine before the test fails.
DEADLINE = 20.0


@pytest.fixture
def store_copy(tmp_path: Path, samples_store: Path) -> Path:  # noqa: F811
    """A private copy of the analysed samples store, so that locking it disturbs no other test."""
    copy = tmp_path / "orgnet.db"
    with contextlib.closing(sqlite3.connect(samples_store)) as source, contextlib.closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    return copy


@contextlib.contextmanager
def write_locked(path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection holding the store's write lock (``BEGIN IMMEDIATE``) for the block, as an ingest does."""
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        try:
            yield writer
        finally:
            writer.execute("ROLLBACK")


def hold_write_lock(path: Path, seconds: float) -> threading.Thread:
    """Like :func:`write_locked`, for ``seconds`` from now, on a thread of its own; returns once the lock is taken."""
    taken = threading.Event()

    def hold() -> None:
        with write_locked(path):
            taken.set()
            time.sleep(seconds)

    holder = threading.Thread(target=hold)
    holder.start()
    assert taken.wait(DEADLINE)
    return holder


def audit_targets(path: Path, action: str = "advocates") -> list[str]:
    """The targets of the ``action`` entries in the store's audit table, oldest first (read past any write lock: WAL)."""
    with contextlib.closing(sqlite3.connect(path)) as reader:
        return [row[0] for row in reader.execute("SELECT target FROM audit WHERE action = ? ORDER BY rowid", (action,))]


def eventually(check: Callable[[], bool], what: str) -> None:
    """Wait until ``check()`` holds, failing with ``what`` after :data:`DEADLINE` seconds."""
    deadline = time.monotonic() + DEADLINE
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {DEADLINE:.0f} s: {what}")
        time.sleep(0.05)


def advocates(client: TestClient, key: str, offset: int):
    """One audited read, told apart from the others by its offset (the entry's target ends ``offset=N limit=30``)."""
    return client.get(f"/api/v1/advocates?top=30&offset={offset}", headers={"X-API-Key": key})


def target(offset: int) -> str:
    return f"2026-10 department= top=30 offset={offset} limit=30"


def test_audited_reads_answer_while_another_connection_holds_the_write_lock(store_copy, role_keys):  # noqa: F811
    # key_ttl=0 and result_ttl=0: every read looks its key and the result index up in the store, so none
    # can be answered from memory alone while a write is under way.
    with TestClient(make_app(store_copy, key_ttl=0, result_ttl=0, audit_interval=0.1)) as client:
        key = role_keys["comms"]
        assert advocates(client, key, 0).status_code == 200
        eventually(lambda: audit_targets(store_copy) == [target(0)], "the first entry is written")
        with write_locked(store_copy) as writer:
            assert advocates(client, key, 1).status_code == 200
            time.sleep(0.5)  # let the audit writer try for the lock: what follows must not queue behind it
            pool = ThreadPoolExecutor(16)
            try:
                answers = [pool.submit(advocates, client, key, offset) for offset in range(2, 42)]
                statuses = [answer.result(timeout=DEADLINE).status_code for answer in answers]
                # Answered, every one, while the lock is still held; none of their entries can be in the store yet.
                assert statuses == [200] * 40
                assert writer.in_transaction and audit_targets(store_copy) == [target(0)]
                # The admin's audit view cannot show them yet either: it says so rather than show a log missing reads.
                view = client.get("/api/v1/audit", headers={"X-API-Key": role_keys["admin"]})
                assert view.status_code == 503 and view.json()["error"] == "service_unavailable"
                assert "not written yet" in view.json()["detail"] and view.headers["retry-after"]
            finally:
                pool.shutdown(wait=False, cancel_futures=True)
        # Released: every answered read's entry lands, each once.
        eventually(lambda: len(audit_targets(store_copy)) == 42, "every entry is written once the lock is released")
        assert sorted(audit_targets(store_copy)) == sorted(target(offset) for offset in range(42))
        log = client.get("/api/v1/audit?limit=100", headers={"X-API-Key": role_keys["admin"]}).json()["items"]
        assert sum(e["action"] == "advocates" and e["role"] == "comms" for e in log) == 42


def test_reads_of_a_store_do_not_wait_for_its_own_write_in_another_thread(tmp_path):
    with SQLiteStore(tmp_path / "orgnet.db") as store:
        store.put_document("report", "r1", '{"v": 1}')
        store.add_api_key(ApiKey("k1", hash_key("orgnet_secret"), "comms", "test", "2026-10-01T00:00:00Z"))
        wrote, release = threading.Event(), threading.Event()

        def slow_write() -> None:
            # A write of this very store object, stopped half-way: inside its transaction, under its lock.
            with store._lock, store._transaction() as connection:
                connection.execute("UPDATE document SET payload = '{\"v\": 2}'")
                wrote.set()
                release.wait(DEADLINE)

        writing = threading.Thread(target=slow_write)
        writing.start()
        try:
            assert wrote.wait(DEADLINE)
            reader = ThreadPoolExecutor(1)
            read = reader.submit(lambda: (store.get_document("report", "r1"), store.find_api_key(hash_key("orgnet_secret"))))
            payload, found = read.result(timeout=DEADLINE)
            reader.shutdown(wait=False)
            # The last committed state, not the write under way.
            assert payload == '{"v": 1}' and found is not None and found.key_id == "k1"
        finally:
            release.set()
            writing.join()
        assert store.get_document("report", "r1") == '{"v": 2}'


def test_a_read_that_cannot_be_audited_is_refused_and_logged(store_copy, role_keys, caplog):  # noqa: F811
    caplog.set_level(logging.WARNING, logger="orgnet.api")
    with TestClient(make_app(store_copy, audit_interval=0.1)) as client:
        key = role_keys["analyst"]
        with contextlib.closing(sqlite3.connect(store_copy, isolation_level=None)) as admin:
            # The store now refuses audit rows, as a read-only or full disk would.
            admin.execute("CREATE TRIGGER audit_refused BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit table refuses rows'); END")
            assert advocates(client, key, 0).status_code == 200  # answered before the writer found out: its entry waits
            answered = [0]
            offsets = iter(range(1, 10_000))

            def refused() -> bool:
                offset = next(offsets)
                answer = advocates(client, key, offset)
                if answer.status_code == 200:
                    answered.append(offset)
                return answer.status_code == 503

            eventually(refused, "reads are refused once the audit cannot be written")
            answer = advocates(client, key, 10_000)
            assert answer.status_code == 503 and answer.headers["content-type"] == "application/json"
            assert answer.json()["error"] == "service_unavailable" and answer.headers["retry-after"]
            assert answer.json()["detail"] == "the read cannot be audited now: the audit log cannot be written; try again later"
            failures = [r for r in caplog.records if r.name == "orgnet.api" and r.levelno == logging.ERROR]
            assert any("cannot be written" in r.getMessage() and "audit table refuses rows" in r.getMessage() for r in failures)
            admin.execute("DROP TRIGGER audit_refused")
        # The store takes rows again: reads are answered again, and the entries that waited are written.
        eventually(lambda: advocates(client, key, 20_000).status_code == 200, "reads are answered again")
        answered.append(20_000)
    # Every answered read is in the log, once; no refused one is.
    assert sorted(audit_targets(store_copy)) == sorted(target(offset) for offset in answered)
    assert any("written again" in r.getMessage() for r in caplog.records if r.name == "orgnet.api")


def test_reads_beyond_the_queue_are_refused_while_the_store_stays_locked(store_copy, role_keys, caplog):  # noqa: F811
    caplog.set_level(logging.WARNING, logger="orgnet.api")
    with TestClient(make_app(store_copy, audit_interval=0.1, audit_queue=3)) as client:
        key = role_keys["comms"]
        with write_locked(store_copy):
            assert [advocates(client, key, offset).status_code for offset in range(3)] == [200, 200, 200]
            full = advocates(client, key, 3)
            assert full.status_code == 503 and full.json()["error"] == "service_unavailable"
            assert "the audit log is full" in full.json()["detail"]
            refused = [r.getMessage() for r in caplog.records if r.name == "orgnet.api" and r.levelno == logging.ERROR]
            assert any("full" in message and "(3 entries wait)" in message and "refused" in message for message in refused)
        eventually(lambda: advocates(client, key, 4).status_code == 200, "reads are answered once the entries are written")
    assert sorted(audit_targets(store_copy)) == sorted(target(offset) for offset in (0, 1, 2, 4))


def test_nothing_queued_is_lost_on_shutdown(store_copy, role_keys):  # noqa: F811
    # An interval and a batch larger than the test: only the shutdown writes the entries.
    with TestClient(make_app(store_copy, audit_interval=60, audit_batch=10_000)) as client:
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda offset: advocates(client, role_keys["analyst"], offset).status_code, range(100)))
        assert statuses == [200] * 100
        assert audit_targets(store_copy) == []
        # Another writer holds the store as the service stops: the shutdown waits for it.
        holder = hold_write_lock(store_copy, 1.0)
    holder.join()
    assert sorted(audit_targets(store_copy)) == sorted(target(offset) for offset in range(100))


def test_entries_the_store_never_takes_are_counted_in_the_log_at_shutdown(tmp_path, caplog):
    caplog.set_level(logging.ERROR, logger="orgnet.api")
    with SQLiteStore(tmp_path / "orgnet.db") as store:
        buffer = AuditBuffer(store, interval=0.05, batch=100, capacity=100, shutdown_wait=0.5)
        with write_locked(tmp_path / "orgnet.db"):
            for n in range(3):
                buffer.record(Principal("k1", "analyst"), "people.ego", f"E{n}")
            buffer.close()
        assert store.audit_log() == []
    lost = [r.getMessage() for r in caplog.records if r.name == "orgnet.api"]
    assert any("3 entries could not be written before shutdown" in message for message in lost)


def test_entries_that_waited_are_written_in_the_order_of_the_reads(tmp_path):
    with SQLiteStore(tmp_path / "orgnet.db") as store:
        buffer = AuditBuffer(store, interval=0.05, batch=2, capacity=1000)
        with write_locked(tmp_path / "orgnet.db"):
            for n in range(5):
                buffer.record(Principal("k1", "analyst"), "people.ego", f"E{n}")
        buffer.flush(timeout=DEADLINE)
        assert [(e.role, e.target) for e in reversed(store.audit_log())] == [("analyst", f"E{n}") for n in range(5)]
        buffer.close()
