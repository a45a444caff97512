"""The embedded store: one SQLite file in WAL mode, no server.

WAL lets readers (the API, ``orgnet info``) keep reading the last committed
state while an ingest writes; each :meth:`SQLiteStore.apply` is one
``BEGIN IMMEDIATE`` transaction, so a failed ingest leaves the file as it was.

The calendar ledger (:mod:`orgnet.store.calendar`) lives in three tables of
its own, ``calendar_event``, ``calendar_tie`` and ``calendar_contact``. They
are created when any store opens, so a store made before them simply starts
its ledger empty (no ``user_version`` step is needed): calendar events
ingested before it are not in the ledger, and a later copy of one of them
counts again.

Ties live as one columnar block per period in ``tie_block``
(:class:`~orgnet.store.columns.TieColumns` as Arrow IPC bytes, with its tie
count). An ingest's transaction rewrites the block of each period it wrote:
the old block merged with the batch's ties in columns, as an upsert merges
rows (counts and weights add up, ``first_seen`` the earliest, ``last_seen``
the latest), then the calendar ledger's changes added. No tie is bound row
by row: 389k ties reach the file in a few blobs (``bench/ingest.py``).
Stores of schema version 2 and earlier also kept every tie as a keyed row
in a ``tie`` table; :func:`_upgrade` builds the blocks from those rows
where needed and drops the table. ``tie`` is then a view that holds
nothing and takes no writes, so an older orgnet opening the store sees no
ties and its ingest fails, rather than overwriting blocks it cannot read.

A store object reads on connections of its own, never on the one it writes
with, so no read waits for a write, in this process or in another.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from orgnet.errors import StoreBusy, StoreError
from orgnet.model import (
    CORE_PERSON_FIELDS,
    RESULT_INDEX_COLUMNS,
    ApiKey,
    AuditEntry,
    IngestBatch,
    IngestRecord,
    ScheduleRun,
    StoredResult,
    empty_frame,
)
from orgnet.periods import period_dates
from orgnet.store import SETTING_PERIOD_UNIT
from orgnet.store.batching import chunks
from orgnet.store.calendar import TIE_CHANGE_COLUMNS, contribution_frames, contribution_rows, event_rows, events_frame, plan_calendar
from orgnet.store.columns import TieColumns
from orgnet.store.frames import clean_value, followers_frame, frame_from_rows, people_frame, person_rows, ties_frame
from orgnet.workers import process_alive

__all__ = ["SQLiteStore"]

#: Page cache of an ingest's write, in KiB (SQLite's default is 2 MiB). A large ingest's new pages do not spill
#: to the WAL and come back while its transaction runs (when ties were rows: 389k of them bound 10% less CPU and
#: wrote in 30% less time). SQLite takes the pages as it needs them, so a small ingest uses no more memory.
_INGEST_CACHE_KIB = 64 * 1024

#: Seconds a write waits for the file's write lock, held by another connection, before it fails ("database is locked").
_WRITE_WAIT = 30.0
#: The audit log's writer waits less at a time: it tries again (see orgnet.api.audit), and a shutdown waits for it.
_AUDIT_WAIT = 5.0
#: Idle read connections kept for the next reads; more are opened while more threads read at once.
_READERS_KEPT = 8

#: Before schema version 3 a large ingest's forked child wrote half its tie rows to a staging file beside the store.
#: One named by no live process is a killed ingest's leftover, removed by the next opener of the store; one whose
#: name says nothing of its process is removed once it is older than this.
_STALE_STAGING_SECONDS = 24 * 3600

#: Joins an account's follower hashes in one text when the followers are read (the ASCII unit separator).
_JOINED = "\x1f"

#: ``PRAGMA user_version`` of the current layout; 0 is a store made before ties were keyed by period first,
#: 1 one made before each period's ties were also kept as a columnar block (``tie_block``), 2 one that kept
#: every tie as a row too.
_SCHEMA_VERSION = 3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS setting (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS person (
    person_id TEXT PRIMARY KEY, name TEXT, email TEXT, department TEXT, title TEXT,
    manager_id TEXT, location TEXT, hire_date TEXT, attributes TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS identity (identity TEXT PRIMARY KEY, person_id TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tie_block (
    period TEXT PRIMARY KEY, rows INTEGER NOT NULL, people BLOB NOT NULL, ties BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS external_contact (
    person_id TEXT NOT NULL, period TEXT NOT NULL, channel TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (person_id, period, channel)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audience (
    owner_type TEXT NOT NULL, owner TEXT NOT NULL, platform TEXT NOT NULL, follower_count INTEGER NOT NULL,
    PRIMARY KEY (owner_type, owner, platform)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS follower (
    owner_type TEXT NOT NULL, owner TEXT NOT NULL, platform TEXT NOT NULL, follower_hash TEXT NOT NULL,
    PRIMARY KEY (owner_type, owner, platform, follower_hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS engagement (
    person_id TEXT NOT NULL, date TEXT NOT NULL, action TEXT NOT NULL, content_id TEXT NOT NULL,
    platform TEXT NOT NULL, clicks INTEGER, impressions INTEGER,
    UNIQUE (person_id, date, action, content_id, platform)
);
CREATE TABLE IF NOT EXISTS message_key (key TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS calendar_event (
    key TEXT PRIMARY KEY, series TEXT NOT NULL, recurrence TEXT, sequence INTEGER NOT NULL, stamp TEXT NOT NULL,
    cancelled INTEGER NOT NULL, occurrences TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS calendar_event_by_series ON calendar_event (series);
CREATE TABLE IF NOT EXISTS calendar_tie (
    key TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL, period TEXT NOT NULL, channel TEXT NOT NULL,
    count INTEGER NOT NULL, weight REAL NOT NULL,
    PRIMARY KEY (key, period, source, target, channel)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS calendar_contact (
    key TEXT NOT NULL, person_id TEXT NOT NULL, period TEXT NOT NULL, channel TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (key, person_id, period, channel)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ingest (
    ingest_id TEXT PRIMARY KEY, source TEXT NOT NULL, path TEXT NOT NULL, content_hash TEXT NOT NULL,
    finished_at TEXT NOT NULL, report TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ingest_by_hash ON ingest (source, content_hash);
CREATE TABLE IF NOT EXISTS api_key (
    key_id TEXT PRIMARY KEY, key_hash TEXT NOT NULL UNIQUE, role TEXT NOT NULL, name TEXT NOT NULL,
    created_at TEXT NOT NULL, revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS audit (
    at TEXT NOT NULL, key_id TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit (at);
CREATE TABLE IF NOT EXISTS job_result (
    job TEXT NOT NULL, snapshot TEXT NOT NULL, by TEXT NOT NULL, version INTEGER NOT NULL, fields TEXT NOT NULL,
    tables BLOB NOT NULL, created_at TEXT NOT NULL,
    PRIMARY KEY (job, snapshot, by)
);
CREATE TABLE IF NOT EXISTS document (
    kind TEXT NOT NULL, key TEXT NOT NULL, payload TEXT NOT NULL, created_at TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE TABLE IF NOT EXISTS schedule_run (
    run_id TEXT PRIMARY KEY, job TEXT NOT NULL, scheduled_for TEXT NOT NULL, started_at TEXT NOT NULL,
    status TEXT NOT NULL, finished_at TEXT, detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS schedule_run_by_job ON schedule_run (job, status);
"""

_PERSON_UPSERT = """
INSERT INTO person (person_id, name, email, department, title, manager_id, location, hire_date, attributes)
VALUES (:person_id, :name, :email, :department, :title, :manager_id, :location, :hire_date, :attributes)
ON CONFLICT (person_id) DO UPDATE SET
    name = coalesce(excluded.name, name), email = coalesce(excluded.email, email),
    department = coalesce(excluded.department, department), title = coalesce(excluded.title, title),
    manager_id = coalesce(excluded.manager_id, manager_id), location = coalesce(excluded.location, location),
    hire_date = coalesce(excluded.hire_date, hire_date), attributes = json_patch(attributes, excluded.attributes)
"""
_TIE_COLUMNS = "source, target, period, channel, count, weight, first_seen, last_seen"
#: What ``tie`` is once a store holds its ties in blocks only (see the module's notes): no rows, no writes.
_TIE_GUARD = f"CREATE VIEW IF NOT EXISTS tie ({_TIE_COLUMNS}) AS SELECT {', '.join(['NULL'] * 8)} WHERE 0"
_EXTERNAL_UPSERT = """
INSERT INTO external_contact (person_id, period, channel, count) VALUES (?, ?, ?, ?)
ON CONFLICT (person_id, period, channel) DO UPDATE SET count = count + excluded.count
"""
_AUDIENCE_UPSERT = """
INSERT INTO audience (owner_type, owner, platform, follower_count) VALUES (?, ?, ?, ?)
ON CONFLICT (owner_type, owner, platform) DO UPDATE SET follower_count = excluded.follower_count
"""


class SQLiteStore:
    """The embedded :class:`~orgnet.store.Store` on one SQLite file.

    Parameters
    ----------
    path : the database file; created (with its folder) when missing.

    Notes
    -----
    Thread-safe, with three kinds of connection to the one file:

    * writes (:meth:`apply`, results, keys, runs) go through one connection
      under a lock, one at a time (SQLite lets one connection write a file at
      a time anyway);
    * reads borrow a connection of their own (:class:`_Readers`: reused, one
      per thread reading at that moment), so in WAL mode a read never waits
      for a write, whether this object, another one or another process
      holds the write lock: it sees the last committed state;
    * :meth:`append_audit` writes on a third connection, so the service's
      audit writer and this object's other writes never wait for each other
      in this process; it waits :data:`_AUDIT_WAIT` seconds at most for the
      file's write lock, then raises :class:`~orgnet.errors.StoreBusy`.
    """

    def __init__(self, path: str | Path):
        self.location = str(path)
        target = Path(path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._connection = _connect(target, _WRITE_WAIT)
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA synchronous=NORMAL")
            self._connection.executescript(_SCHEMA)
            if _needs_upgrade(self._connection):
                _upgrade(self._connection)
            _retire_json_results(self._connection)
        except sqlite3.DatabaseError as error:
            raise StoreError(f"cannot open the store {self.location}: {error}") from error
        self._lock = threading.RLock()
        # Absolute: a reader opened after the process changed its folder must open the same file.
        self._readers = _Readers(target.resolve(), self.location)
        self._audit: sqlite3.Connection | None = None
        self._audit_lock = threading.Lock()
        _remove_leftover_staging(target.resolve())

    def close(self) -> None:
        self._readers.close()
        with self._audit_lock:
            if self._audit is not None:
                self._audit.close()
        with self._lock:
            self._connection.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -----------------------------------------------------------------

    def _rows(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple]:
        with self._readers.connection() as connection:
            return connection.execute(sql, parameters).fetchall()

    def settings(self) -> dict[str, str]:
        return dict(self._rows("SELECT name, value FROM setting"))

    def people(self) -> pd.DataFrame:
        with self._readers.connection() as connection:
            rows = connection.execute(f"SELECT {', '.join(CORE_PERSON_FIELDS)}, attributes FROM person").fetchall()
        return people_frame(rows)

    def person_ids(self) -> set[str]:
        return {row[0] for row in self._rows("SELECT person_id FROM person")}

    def identities(self) -> pd.DataFrame:
        return frame_from_rows("identities", self._rows(_ordered("SELECT identity, person_id FROM identity")), ordered=True)

    def tie_columns(
        self,
        start: str | None = None,
        end: str | None = None,
        channels: Sequence[str] | None = None,
    ) -> TieColumns:
        with self._readers.connection() as connection:
            blocks = _blocks(connection, "period, people, ties", start, end)
        return TieColumns.concat([TieColumns.from_block(*block) for block in blocks]).select(channels)

    def ties(
        self,
        start: str | None = None,
        end: str | None = None,
        channels: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        return self.tie_columns(start, end, channels).frame()

    def neighbourhood(self, person: str, hops: int, start: str | None = None, end: str | None = None) -> TieColumns:
        # The period's block costs ~0.1 s at 845k ties and the search runs in NumPy. Indexed queries by source and
        # target, hop by hop, would hand a busy person's 2-hop ties (often a third of the period) over as Python tuples.
        return self.tie_columns(start, end).touching([person], hops)

    def periods(self) -> list[str]:
        with self._readers.connection() as connection:
            return _stored_periods(connection)

    def external_contacts(self, start: str | None = None, end: str | None = None) -> pd.DataFrame:
        where, parameters = _period_filter("period", start, end)
        sql = "SELECT person_id, period, channel, count FROM external_contact"
        return frame_from_rows("external_contacts", self._rows(_ordered(_with_where(sql, where)), parameters), ordered=True)

    def audiences(self) -> pd.DataFrame:
        sql = "SELECT owner_type, owner, platform, follower_count FROM audience"
        return frame_from_rows("audiences", self._rows(_ordered(sql)), ordered=True)

    def followers(self) -> pd.DataFrame:
        # One row per account, its hashes joined in key order (GROUP BY walks the table's key).
        try:
            grouped = self._rows(
                "SELECT owner_type, owner, platform, count(*), group_concat(follower_hash, ?) FROM follower "
                "GROUP BY owner_type, owner, platform ORDER BY owner_type, owner, platform",
                (_JOINED,),
            )
        except (sqlite3.OperationalError, sqlite3.DataError):
            # A hash that is not UTF-8 text (a hand-made store), or an account past SQLite's longest text.
            grouped = None
        accounts = [(owner_type, owner, platform, joined.split(_JOINED)) for owner_type, owner, platform, _, joined in grouped or []]
        if grouped is None or any(len(hashes) != count for (*_, hashes), (*_, count, _) in zip(accounts, grouped)):
            # Or a hash holding the separator: read a row per follower.
            sql = "SELECT owner_type, owner, platform, follower_hash FROM follower"
            return frame_from_rows("followers", self._rows(_ordered(sql)), ordered=True)
        return followers_frame(accounts)

    def engagement(self, start: str | None = None, end: str | None = None) -> pd.DataFrame:
        where, parameters = _period_filter("date", period_dates(start)[0] if start else None, period_dates(end)[1] if end else None)
        sql = "SELECT person_id, date, action, content_id, platform, clicks, impressions FROM engagement"
        return frame_from_rows("engagement", self._rows(_ordered(_with_where(sql, where)), parameters), ordered=True)

    def known_message_keys(self, keys: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in chunks(list(keys), 900):
            sql = f"SELECT key FROM message_key WHERE key IN ({', '.join('?' * len(chunk))})"
            found.update(row[0] for row in self._rows(sql, chunk))
        return found

    def calendar_events(self, series: Sequence[str] | None = None) -> pd.DataFrame:
        with self._lock:
            return _stored_events(self._connection, series)

    def find_ingest(self, source: str, content_hash: str) -> IngestRecord | None:
        rows = self._rows(
            "SELECT ingest_id, source, path, content_hash, finished_at, report FROM ingest "
            "WHERE source = ? AND content_hash = ? ORDER BY finished_at LIMIT 1",
            (source, content_hash),
        )
        return _record(rows[0]) if rows else None

    def ingests(self) -> list[IngestRecord]:
        rows = self._rows("SELECT ingest_id, source, path, content_hash, finished_at, report FROM ingest ORDER BY finished_at, ingest_id")
        return [_record(row) for row in rows]

    def counts(self) -> dict[str, int]:
        tables = {
            "people": "person",
            "identities": "identity",
            "external_contacts": "external_contact",
            "audiences": "audience",
            "followers": "follower",
            "engagement": "engagement",
            "ingests": "ingest",
            "results": "job_result",
        }
        counts = {name: self._rows(f"SELECT count(*) FROM {table}")[0][0] for name, table in tables.items()}
        counts["ties"] = self._rows("SELECT coalesce(sum(rows), 0) FROM tie_block")[0][0]
        counts["periods"] = len(self.periods())
        return counts

    # -- writing -----------------------------------------------------------------

    def apply(self, batch: IngestBatch, record: IngestRecord) -> None:
        with self._lock, _ingest_cache(self._connection), self._transaction() as connection:
            changes = self._write(connection, batch, record)
            _write_blocks(connection, batch.ties, changes)

    def _write(self, connection: sqlite3.Connection, batch: IngestBatch, record: IngestRecord) -> pd.DataFrame:
        """Every statement of one ingest but the tie blocks'; runs inside :meth:`apply`'s transaction.

        Returns the calendar ledger's changes to the ties (:data:`~orgnet.store.calendar.TIE_CHANGE_COLUMNS`).
        """
        connection.executemany(
            "INSERT INTO setting (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            list(batch.settings.items()),
        )
        connection.executemany(_PERSON_UPSERT, person_rows(batch.people))
        connection.executemany(
            "INSERT INTO identity (identity, person_id) VALUES (?, ?) ON CONFLICT (identity) DO UPDATE SET person_id = excluded.person_id",
            _tuples(batch.identities),
        )
        connection.executemany(_EXTERNAL_UPSERT, _tuples(batch.external_contacts))
        connection.executemany(_AUDIENCE_UPSERT, _tuples(batch.audiences))
        connection.executemany("INSERT OR IGNORE INTO follower VALUES (?, ?, ?, ?)", _tuples(batch.followers))
        connection.executemany("INSERT OR IGNORE INTO engagement VALUES (?, ?, ?, ?, ?, ?, ?)", _tuples(batch.engagement))
        connection.executemany("INSERT OR IGNORE INTO message_key VALUES (?)", [(key,) for key in batch.message_keys])
        changes = _write_calendar(connection, batch, record)
        connection.execute(
            "INSERT INTO ingest VALUES (?, ?, ?, ?, ?, ?)",
            (
                record.ingest_id,
                record.source,
                record.path,
                record.content_hash,
                record.finished_at,
                json.dumps(record.report, sort_keys=True),
            ),
        )
        return changes

    def _transaction(self):
        return _Transaction(self._connection)

    def put_results(self, results: Sequence[StoredResult]) -> None:
        created = _utc_now()
        rows = [(r.job, r.snapshot, r.by, r.version, r.fields, r.tables, created) for r in results]
        with self._lock, self._transaction() as connection:
            connection.executemany(
                "INSERT INTO job_result VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job, snapshot, by) DO UPDATE SET "
                "version = excluded.version, fields = excluded.fields, tables = excluded.tables, created_at = excluded.created_at",
                rows,
            )

    def get_result(self, job: str, snapshot: str, by: str = "") -> StoredResult | None:
        rows = self._rows(
            "SELECT version, fields, tables, created_at FROM job_result WHERE job = ? AND snapshot = ? AND by = ?", (job, snapshot, by)
        )
        if not rows:
            return None
        version, fields, tables, created = rows[0]
        return StoredResult(job, snapshot, by, int(version), fields, bytes(tables), created)

    def results(self) -> pd.DataFrame:
        rows = self._rows("SELECT job, snapshot, by, version, created_at FROM job_result ORDER BY snapshot, job, by")
        return pd.DataFrame.from_records(rows, columns=list(RESULT_INDEX_COLUMNS))

    def put_document(self, kind: str, key: str, payload: str) -> None:
        with self._lock, self._transaction() as connection:
            connection.execute(
                "INSERT INTO document VALUES (?, ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET "
                "payload = excluded.payload, created_at = excluded.created_at",
                (kind, key, payload, _utc_now()),
            )

    def get_document(self, kind: str, key: str) -> str | None:
        rows = self._rows("SELECT payload FROM document WHERE kind = ? AND key = ?", (kind, key))
        return rows[0][0] if rows else None

    def document_keys(self, kind: str) -> list[str]:
        return [row[0] for row in self._rows("SELECT key FROM document WHERE kind = ? ORDER BY key", (kind,))]

    def add_api_key(self, key: ApiKey) -> None:
        with self._lock, self._transaction() as connection:
            connection.execute(
                "INSERT INTO api_key VALUES (?, ?, ?, ?, ?, ?)",
                (key.key_id, key.key_hash, key.role, key.name, key.created_at, key.revoked_at),
            )

    def api_keys(self) -> list[ApiKey]:
        rows = self._rows("SELECT key_id, key_hash, role, name, created_at, revoked_at FROM api_key ORDER BY created_at, key_id")
        return [ApiKey(*row) for row in rows]

    def find_api_key(self, key_hash: str) -> ApiKey | None:
        rows = self._rows("SELECT key_id, key_hash, role, name, created_at, revoked_at FROM api_key WHERE key_hash = ?", (key_hash,))
        return ApiKey(*rows[0]) if rows else None

    def revoke_api_key(self, key_id: str, revoked_at: str) -> bool:
        with self._lock, self._transaction() as connection:
            cursor = connection.execute("UPDATE api_key SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL", (revoked_at, key_id))
            return cursor.rowcount == 1

    def append_audit(self, entries: Sequence[AuditEntry]) -> None:
        rows = [(e.at, e.key_id, e.role, e.action, e.target) for e in entries]
        with self._audit_lock:
            try:
                if self._audit is None:
                    self._audit = _connect(self._readers.path, _AUDIT_WAIT)
                with _Transaction(self._audit) as connection:
                    connection.executemany("INSERT INTO audit VALUES (?, ?, ?, ?, ?)", rows)
            except sqlite3.DatabaseError as error:
                if error.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                    raise StoreBusy(f"the store {self.location} is locked by another writer ({error})") from error
                raise StoreError(f"cannot write the audit log to {self.location}: {error}") from error

    def audit_log(self, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
        rows = self._rows(
            "SELECT at, key_id, role, action, target FROM audit ORDER BY at DESC, rowid DESC LIMIT ? OFFSET ?", (limit, offset)
        )
        return [AuditEntry(*row) for row in rows]

    def claim_run(self, job: str, run_id: str, scheduled_for: str, started_at: str, stale_before: str) -> bool:
        # BEGIN IMMEDIATE takes the file's write lock, so the check and the insert
        # are one step even for schedulers in other processes.
        with self._lock, self._transaction() as connection:
            connection.execute(
                "UPDATE schedule_run SET status = 'failed', finished_at = ?, "
                "detail = 'abandoned: no finish recorded (the scheduler stopped during the run)' "
                "WHERE job = ? AND status = 'running' AND started_at < ?",
                (started_at, job, stale_before),
            )
            running = connection.execute(
                "SELECT run_id FROM schedule_run WHERE job = ? AND status = 'running' ORDER BY started_at LIMIT 1", (job,)
            ).fetchall()
            status, finished_at, detail = (
                ("skipped", started_at, f"run {running[0][0]} of {job} is still running") if running else ("running", None, "")
            )
            connection.execute(
                "INSERT INTO schedule_run VALUES (?, ?, ?, ?, ?, ?, ?)",
                (run_id, job, scheduled_for, started_at, status, finished_at, detail),
            )
            return not running

    def finish_run(self, run_id: str, status: str, finished_at: str, detail: str = "") -> None:
        with self._lock, self._transaction() as connection:
            connection.execute(
                "UPDATE schedule_run SET status = ?, finished_at = ?, detail = ? WHERE run_id = ?", (status, finished_at, detail, run_id)
            )

    def runs(self, job: str | None = None, limit: int = 50) -> list[ScheduleRun]:
        rows = self._rows(
            "SELECT run_id, job, scheduled_for, started_at, status, finished_at, detail FROM schedule_run "
            "WHERE ? IS NULL OR job = ? ORDER BY started_at DESC, rowid DESC LIMIT ?",
            (job, job, limit),
        )
        return [ScheduleRun(*row) for row in rows]


class _Readers:
    """The read connections of one store: each read borrows one, and gives it back for the next.

    A thread that reads while others do gets a connection of its own, so reads
    run side by side and none waits for another, nor (WAL) for a writer. Up to
    :data:`_READERS_KEPT` idle connections are kept open; one given back when
    that many wait is closed, so a burst of readers leaves nothing behind.
    Read connections are ``query_only``: a write slipped onto one fails.
    """

    def __init__(self, path: Path, location: str):
        self.path = path
        self._location = location
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    @contextlib.contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """A read connection, for the block only."""
        with self._lock:
            if self._closed:
                raise StoreError(f"the store {self._location} is closed")
            connection = self._idle.pop() if self._idle else None
        if connection is None:
            try:
                connection = _connect(self.path, _WRITE_WAIT)
                connection.execute("PRAGMA query_only = ON")
            except sqlite3.DatabaseError as error:
                raise StoreError(f"cannot read the store {self._location}: {error}") from error
        try:
            yield connection
        finally:
            with self._lock:
                keep = not self._closed and len(self._idle) < _READERS_KEPT
                if keep:
                    self._idle.append(connection)
            if not keep:
                connection.close()

    def close(self) -> None:
        """Close the idle connections; those lent out close when they come back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


def _connect(path: Path, wait: float) -> sqlite3.Connection:
    """A connection to ``path`` usable from any thread (one at a time), in autocommit mode, waiting ``wait`` s for locks."""
    return sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=wait)


@contextlib.contextmanager
def _ingest_cache(connection: sqlite3.Connection) -> Iterator[None]:
    """:data:`_INGEST_CACHE_KIB` of page cache on ``connection`` while an ingest writes; its own cache size after."""
    (previous,) = connection.execute("PRAGMA cache_size").fetchone()
    connection.execute(f"PRAGMA cache_size = -{_INGEST_CACHE_KIB}")
    try:
        yield
    finally:
        connection.execute(f"PRAGMA cache_size = {int(previous)}")


def _staging_prefix(store: Path) -> str:
    return f".{store.name}.staging-"


def _remove_leftover_staging(store: Path) -> None:
    """Delete the staging files an earlier orgnet's ingest left beside ``store`` whose process is gone, best effort.

    A file's name carries the token of the process that made it: when that
    process no longer runs, nothing will merge or delete the file. Files
    without a token go once they are older than a day.
    """
    prefix = _staging_prefix(store)
    now = time.time()
    for leftover in store.parent.glob(f"{prefix}*.db"):
        pid, _, rest = leftover.name[len(prefix) :].partition("-")
        alive = process_alive(f"{pid}-{rest.partition('-')[0]}")
        with contextlib.suppress(OSError):
            if alive is False or (alive is None and now - leftover.stat().st_mtime > _STALE_STAGING_SECONDS):
                leftover.unlink()


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on any exception."""

    def __init__(self, connection: sqlite3.Connection):
        self._connection = connection

    def __enter__(self) -> sqlite3.Connection:
        self._connection.execute("BEGIN IMMEDIATE")
        return self._connection

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            try:
                self._connection.execute("COMMIT")
            except BaseException:
                # A failed COMMIT (disk full, I/O error) can leave the transaction open: the next BEGIN would fail.
                if self._connection.in_transaction:
                    self._connection.execute("ROLLBACK")
                raise
        else:
            self._connection.execute("ROLLBACK")


def _needs_upgrade(connection: sqlite3.Connection) -> bool:
    """Whether the store is older than this orgnet's layout: an earlier version number, or tie rows in a ``tie`` table."""
    return connection.execute("PRAGMA user_version").fetchone()[0] < _SCHEMA_VERSION or _holds_tie_rows(connection)


def _holds_tie_rows(connection: sqlite3.Connection) -> bool:
    """Whether ``tie`` is still an earlier orgnet's table of tie rows (not the guard view)."""
    return connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tie'").fetchone() is not None


def _upgrade(connection: sqlite3.Connection) -> None:
    """Bring a store made by an earlier orgnet to the current layout, in one transaction.

    Up to version 2 every tie was also a row of a ``tie`` table (keyed by
    source first up to version 0, by period first after), and the rows were
    what the blocks were checked against. Every period's block is built from
    its rows (a writer without blocks, such as an orgnet before them, may have
    changed the rows and kept the count), blocks of periods without rows go,
    then the table goes and the guard view :data:`_TIE_GUARD` takes its name.
    A store another process has just upgraded is left alone.
    """
    with _Transaction(connection):
        if not _needs_upgrade(connection):
            return
        if _holds_tie_rows(connection):
            periods = [row[0] for row in connection.execute("SELECT DISTINCT period FROM tie ORDER BY period")]
            connection.execute("DELETE FROM tie_block WHERE period NOT IN (SELECT DISTINCT period FROM tie)")
            for period in periods:
                _put_block(connection, period, _rows_of(connection, period))
            connection.execute("DROP TABLE tie")
        connection.execute(_TIE_GUARD)
        connection.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _retire_json_results(connection: sqlite3.Connection) -> None:
    """Move what an orgnet before typed results kept in its ``result`` table (``name``, ``period``, JSON ``payload``).

    Registered reports and schedule rules (rows named ``report`` and
    ``schedule``, keyed by report id and job name in the column then called
    ``period``) become documents as they were. Every other row was a job's
    JSON result, which this orgnet does not read: it stays listed, as a
    result of schema version 0 under its old name, so that a reader is told
    to run ``orgnet analyze`` for its snapshot (:mod:`orgnet.results`)
    rather than finding nothing. One transaction; a store another process
    has just moved is left alone.
    """
    with _Transaction(connection):
        if connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'result'").fetchone() is None:
            return
        connection.execute(
            "INSERT OR IGNORE INTO document SELECT name, period, payload, created_at FROM result WHERE name IN ('report', 'schedule')"
        )
        connection.execute(
            "INSERT OR IGNORE INTO job_result SELECT name, period, '', 0, '{}', x'', created_at FROM result "
            "WHERE name NOT IN ('report', 'schedule')"
        )
        connection.execute("DROP TABLE result")


def _stored_periods(connection: sqlite3.Connection, start: str | None = None, end: str | None = None) -> list[str]:
    """The periods from ``start`` to ``end`` (open ends for ``None``) that hold ties, sorted."""
    return [row[0] for row in _blocks(connection, "period", start, end)]


def _blocks(connection: sqlite3.Connection, columns: str, start: str | None, end: str | None) -> list[tuple]:
    """``columns`` of the tie blocks of the periods ``start`` to ``end`` (open ends for ``None``), by period."""
    where, parameters = _period_filter("period", start, end)
    return connection.execute(f"{_with_where(f'SELECT {columns} FROM tie_block', where)} ORDER BY period", parameters).fetchall()


def _stored_block(connection: sqlite3.Connection, period: str) -> TieColumns:
    """The ties of ``period`` from its block (none when it has no block)."""
    block = connection.execute("SELECT people, ties FROM tie_block WHERE period = ?", (period,)).fetchone()
    return TieColumns.from_block(period, *block) if block else TieColumns.empty()


def _rows_of(connection: sqlite3.Connection, period: str) -> TieColumns:
    """The ties of ``period`` from an earlier orgnet's ``tie`` rows (see :func:`_upgrade`)."""
    rows = connection.execute(f"SELECT {_TIE_COLUMNS} FROM tie WHERE period = ?", (period,)).fetchall()
    return TieColumns.from_frame(ties_frame(rows))


def _put_block(connection: sqlite3.Connection, period: str, ties: TieColumns) -> None:
    """Replace the block of ``period`` by ``ties`` (remove it when there are none)."""
    if not len(ties):
        connection.execute("DELETE FROM tie_block WHERE period = ?", (period,))
        return
    people, columns = ties.to_block()
    connection.execute(
        "INSERT INTO tie_block (period, rows, people, ties) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (period) DO UPDATE SET rows = excluded.rows, people = excluded.people, ties = excluded.ties",
        (period, len(ties), people, columns),
    )


def _write_blocks(connection: sqlite3.Connection, ties: pd.DataFrame, changes: pd.DataFrame) -> None:
    """Write an ingest's ``ties`` and the calendar ledger's ``changes`` into the blocks of their periods, inside its transaction.

    Each period's new block is its old one merged with the batch's ties
    (:meth:`~orgnet.store.columns.TieColumns.merged`), then the ledger's
    changes added (:meth:`~orgnet.store.columns.TieColumns.adjusted`): what
    the ledger takes back may come from ties this ingest has just added to.
    """
    added = TieColumns.from_frame(ties).by_period() if len(ties) else {}
    changed = {str(period): part for period, part in changes.groupby("period", sort=False)} if len(changes) else {}
    for period in sorted(set(added) | set(changed)):
        block = _stored_block(connection, period).merged(added.get(period, TieColumns.empty()))
        if period in changed:
            block = block.adjusted(changed[period])
        _put_block(connection, period, block)


_CALENDAR_EVENT_FIELDS = "key, series, recurrence, sequence, stamp, cancelled, occurrences"


def _stored_events(connection: sqlite3.Connection, series: Sequence[str] | None) -> pd.DataFrame:
    """The calendar ledger entries of these series (all of them for ``None``)."""
    sql = f"SELECT {_CALENDAR_EVENT_FIELDS} FROM calendar_event"
    if series is None:
        return events_frame(connection.execute(sql).fetchall())
    rows: list[tuple] = []
    for chunk in chunks(sorted(set(series)), 900):
        rows += connection.execute(f"{sql} WHERE series IN ({', '.join('?' * len(chunk))})", chunk).fetchall()
    return events_frame(rows)


def _stored_contributions(connection: sqlite3.Connection, keys: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What these calendar events added to the ties and the external contacts."""
    ties: list[tuple] = []
    contacts: list[tuple] = []
    for chunk in chunks(sorted(set(keys)), 900):
        marks = ", ".join("?" * len(chunk))
        ties += connection.execute(
            f"SELECT key, source, target, period, channel, count, weight FROM calendar_tie WHERE key IN ({marks})", chunk
        ).fetchall()
        contacts += connection.execute(
            f"SELECT key, person_id, period, channel, count FROM calendar_contact WHERE key IN ({marks})", chunk
        ).fetchall()
    return contribution_frames(ties, contacts)


def _write_calendar(connection: sqlite3.Connection, batch: IngestBatch, record: IngestRecord) -> set[str]:
    """The calendar ledger's step of an ingest (:func:`orgnet.store.calendar.plan_calendar`), inside its transaction.

    Returns its changes to the ties (:data:`~orgnet.store.calendar.TIE_CHANGE_COLUMNS`), for :func:`_write_blocks`.
    """
    if batch.calendar_events.empty:
        return empty_frame(TIE_CHANGE_COLUMNS)
    stored = _stored_events(connection, batch.calendar_events["series"].tolist())
    unit = batch.settings.get(SETTING_PERIOD_UNIT) or dict(connection.execute("SELECT name, value FROM setting").fetchall()).get(
        SETTING_PERIOD_UNIT, "month"
    )
    plan = plan_calendar(batch, stored, lambda keys: _stored_contributions(connection, keys), unit)
    cleared = [(key,) for key in plan.cleared]
    connection.executemany("DELETE FROM calendar_tie WHERE key = ?", cleared)
    connection.executemany("DELETE FROM calendar_contact WHERE key = ?", cleared)
    connection.executemany(
        f"INSERT OR REPLACE INTO calendar_event ({_CALENDAR_EVENT_FIELDS}) VALUES (?, ?, ?, ?, ?, ?, ?)", event_rows(plan.events)
    )
    ties, contacts = contribution_rows(plan)
    connection.executemany("INSERT INTO calendar_tie VALUES (?, ?, ?, ?, ?, ?, ?)", ties)
    connection.executemany("INSERT INTO calendar_contact VALUES (?, ?, ?, ?, ?)", contacts)
    contact_changes = [(c, person, p, ch) for person, p, ch, c in _tuples(plan.contact_changes)]
    connection.executemany(
        "UPDATE external_contact SET count = count + ? WHERE person_id = ? AND period = ? AND channel = ?", contact_changes
    )
    connection.executemany(
        "DELETE FROM external_contact WHERE person_id = ? AND period = ? AND channel = ? AND count <= 0",
        [row[1:] for row in contact_changes],
    )
    record.report.setdefault("counts", {}).update(plan.counts)
    return plan.tie_changes


def _period_filter(column: str, start: str | None, end: str | None) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    parameters: list[Any] = []
    if start:
        where.append(f"{column} >= ?")
        parameters.append(start)
    if end:
        where.append(f"{column} <= ?")
        parameters.append(end)
    return where, parameters


def _with_where(sql: str, where: list[str]) -> str:
    return f"{sql} WHERE {' AND '.join(where)}" if where else sql


def _ordered(sql: str) -> str:
    """``sql`` (``SELECT a, b FROM ...``) ordered by every column it selects, in turn: the order of
    :func:`~orgnet.store.frames.frame_from_rows` (NULLs first, text by code point), which SQLite reads straight
    off a table's primary key when the columns are its key."""
    return f"{sql} ORDER BY {sql[len('SELECT ') : sql.index(' FROM ')]}"


def _tuples(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(clean_value(v) for v in row) for row in frame.itertuples(index=False, name=None)]


def _record(row: tuple) -> IngestRecord:
    ingest_id, source, path, content_hash, finished_at, report = row
    return IngestRecord(ingest_id, source, path, content_hash, finished_at, json.loads(report))
