"""The Neo4j store: orgnet's people graph in Neo4j (or any Bolt server that speaks Cypher 5).

Chosen by a ``bolt://``, ``neo4j://`` or ``neo4j+s://`` location; the user,
password and database come from ``NEO4J_USER``, ``NEO4J_PASSWORD`` and
``NEO4J_DATABASE``. Only the official ``neo4j`` driver is used, through
managed transactions and parameters: values never enter Cypher text.

Graph model (``docs/neo4j.md`` has the full description)::

    (:Person {person_id, name, email, department, title, manager_id, location,
              hire_date, in_roster, ...HR attributes})
    (:Person)-[:REPORTS_TO]->(:Person)
    (:Person)-[:MEMBER_OF]->(:Department {name})
    (:Person)-[:INTERACTED {period, channel, count, weight, first_seen, last_seen}]->(:Person)
    (:Person)-[:OWNS]->(:Audience {owner_type, owner, platform, follower_count})
    (:Identity {identity, person_id})  (:ExternalContact {person_id, period, channel, count})
    (:Follower {owner_type, owner, platform, follower_hash})
    (:Engagement {person_id, date, action, content_id, platform, clicks, impressions})
    (:MessageKey {key})  (:Setting {name, value})
    (:CalendarEvent {key, series, recurrence, sequence, stamp, cancelled, occurrences})
    (:CalendarTie {key, source, target, period, channel, count, weight})
    (:CalendarContact {key, person_id, period, channel, count})
    (:Ingest {ingest_id, source, path, content_hash, finished_at, report})
    (:Result {name, period, payload, created_at})  (:ApiKey {...})  (:AuditEntry {...})
    (:ScheduleLock {job, claimed_at})  (:ScheduleRun {run_id, job, scheduled_for, started_at, status, finished_at, detail})

Timestamps stay ISO-8601 UTC strings (as in the embedded store), so that they
compare as strings and read back identically on every server.

Every :meth:`Neo4jStore.apply` is one managed write transaction that sends
its rows in ``UNWIND $rows AS row MERGE ...`` batches: a failed ingest rolls
back whole, and a large ingest costs one round trip per batch, not per row.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import neo4j
import pandas as pd
from neo4j.exceptions import AuthError, ClientError, ConfigurationError, DriverError, Neo4jError, ServiceUnavailable

from orgnet.errors import StoreError
from orgnet.model import (
    CALENDAR_CONTACT_COLUMNS,
    CALENDAR_EVENT_COLUMNS,
    CALENDAR_TIE_COLUMNS,
    CORE_PERSON_FIELDS,
    ApiKey,
    AuditEntry,
    IngestBatch,
    IngestRecord,
    ScheduleRun,
)
from orgnet.periods import period_dates
from orgnet.settings import DEFAULT_NEO4J_BATCH_SIZE, NEO4J_DATABASE_ENV, NEO4J_PASSWORD_ENV, NEO4J_USER_ENV, Settings, load_settings
from orgnet.store import SETTING_PERIOD_UNIT
from orgnet.store.batching import chunks
from orgnet.store.calendar import contribution_frames, contribution_rows, event_rows, events_frame, plan_calendar
from orgnet.store.frames import clean_value, frame_from_rows, people_frame, person_rows, tie_rows, ties_frame

__all__ = ["SCHEMA", "Neo4jStore"]

#: Person properties that are not HR attributes: ``in_roster`` marks people a
#: roster listed, as opposed to tie endpoints known only from interactions.
_PERSON_MARK = "in_roster"

#: The calendar ledger's constraint and indexes (:mod:`orgnet.store.calendar`).
_CALENDAR_SCHEMA = (
    "CREATE CONSTRAINT calendar_event_key IF NOT EXISTS FOR (n:CalendarEvent) REQUIRE n.key IS UNIQUE",
    "CREATE INDEX calendar_event_series IF NOT EXISTS FOR (n:CalendarEvent) ON (n.series)",
    "CREATE INDEX calendar_tie_key IF NOT EXISTS FOR (n:CalendarTie) ON (n.key)",
    "CREATE INDEX calendar_contact_key IF NOT EXISTS FOR (n:CalendarContact) ON (n.key)",
)

#: Constraints and indexes, created idempotently when a store is opened.
#: Composite uniqueness (``REQUIRE (a, b) IS UNIQUE``) is in Neo4j Community;
#: node keys and existence constraints (Enterprise only) are not used.
SCHEMA = (
    "CREATE CONSTRAINT person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.person_id IS UNIQUE",
    "CREATE INDEX person_manager IF NOT EXISTS FOR (n:Person) ON (n.manager_id)",
    "CREATE CONSTRAINT department_name IF NOT EXISTS FOR (n:Department) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT identity_key IF NOT EXISTS FOR (n:Identity) REQUIRE n.identity IS UNIQUE",
    "CREATE INDEX interacted_period IF NOT EXISTS FOR ()-[r:INTERACTED]-() ON (r.period)",
    "CREATE CONSTRAINT external_contact_key IF NOT EXISTS FOR (n:ExternalContact) REQUIRE (n.person_id, n.period, n.channel) IS UNIQUE",
    "CREATE CONSTRAINT audience_key IF NOT EXISTS FOR (n:Audience) REQUIRE (n.owner_type, n.owner, n.platform) IS UNIQUE",
    "CREATE CONSTRAINT follower_key IF NOT EXISTS FOR (n:Follower) REQUIRE (n.owner_type, n.owner, n.platform, n.follower_hash) IS UNIQUE",
    "CREATE CONSTRAINT engagement_key IF NOT EXISTS FOR (n:Engagement) REQUIRE (n.person_id, n.date, n.action, n.content_id, n.platform) IS UNIQUE",
    "CREATE CONSTRAINT message_key IF NOT EXISTS FOR (n:MessageKey) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT setting_name IF NOT EXISTS FOR (n:Setting) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT ingest_id IF NOT EXISTS FOR (n:Ingest) REQUIRE n.ingest_id IS UNIQUE",
    "CREATE INDEX ingest_by_hash IF NOT EXISTS FOR (n:Ingest) ON (n.source, n.content_hash)",
    "CREATE CONSTRAINT result_key IF NOT EXISTS FOR (n:Result) REQUIRE (n.name, n.period) IS UNIQUE",
    "CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (n:ApiKey) REQUIRE n.key_id IS UNIQUE",
    "CREATE CONSTRAINT api_key_hash IF NOT EXISTS FOR (n:ApiKey) REQUIRE n.key_hash IS UNIQUE",
    "CREATE INDEX audit_at IF NOT EXISTS FOR (n:AuditEntry) ON (n.at)",
    "CREATE CONSTRAINT schedule_lock_job IF NOT EXISTS FOR (n:ScheduleLock) REQUIRE n.job IS UNIQUE",
    "CREATE CONSTRAINT schedule_run_id IF NOT EXISTS FOR (n:ScheduleRun) REQUIRE n.run_id IS UNIQUE",
    *_CALENDAR_SCHEMA,
)

# -- writes of one ingest, in order; each takes $rows ---------------------------------

_SETTINGS = "UNWIND $rows AS row MERGE (s:Setting {name: row.name}) SET s.value = row.value"
# coalesce keeps a field an earlier source filled when this one leaves it empty,
# and += merges HR attributes key by key, as the embedded store's json_patch does.
_PEOPLE = """
UNWIND $rows AS row
MERGE (p:Person {person_id: row.person_id})
SET p.name = coalesce(row.name, p.name), p.email = coalesce(row.email, p.email),
    p.department = coalesce(row.department, p.department), p.title = coalesce(row.title, p.title),
    p.manager_id = coalesce(row.manager_id, p.manager_id), p.location = coalesce(row.location, p.location),
    p.hire_date = coalesce(row.hire_date, p.hire_date), p.in_roster = true
SET p += row.attributes
"""
_LEAVE_DEPARTMENT = """
UNWIND $rows AS row
MATCH (:Person {person_id: row.person_id})-[m:MEMBER_OF]->(d:Department)
WHERE d.name <> row.value
DELETE m
"""
_JOIN_DEPARTMENT = """
UNWIND $rows AS row
MATCH (p:Person {person_id: row.person_id})
MERGE (d:Department {name: row.value})
MERGE (p)-[:MEMBER_OF]->(d)
"""
_LEAVE_MANAGER = """
UNWIND $rows AS row
MATCH (:Person {person_id: row.person_id})-[r:REPORTS_TO]->(m:Person)
WHERE m.person_id <> row.value
DELETE r
"""
# Reporting lines whose report or manager arrived in this batch: a report may
# come before her manager (in the batch or in an earlier ingest), so both
# directions are linked; two statements, because an OR of the two lookups
# would scan every person instead of using the two indexes.
_REPORTS_TO = """
UNWIND $ids AS id
MATCH (p:Person {person_id: id})
MATCH (m:Person {person_id: p.manager_id})
MERGE (p)-[:REPORTS_TO]->(m)
"""
_REPORTED_BY = """
UNWIND $ids AS id
MATCH (p:Person {manager_id: id})
MATCH (m:Person {person_id: id})
MERGE (p)-[:REPORTS_TO]->(m)
"""
_IDENTITIES = "UNWIND $rows AS row MERGE (i:Identity {identity: row.identity}) SET i.person_id = row.person_id"
# Tie endpoints are merged, not matched, so a tie to someone no roster listed
# is kept (as the embedded store keeps it); such people lack in_roster.
_TIES = """
UNWIND $rows AS row
MERGE (s:Person {person_id: row.source})
MERGE (d:Person {person_id: row.target})
MERGE (s)-[t:INTERACTED {period: row.period, channel: row.channel}]->(d)
ON CREATE SET t.count = row.count, t.weight = row.weight, t.first_seen = row.first_seen, t.last_seen = row.last_seen
ON MATCH SET t.count = t.count + row.count, t.weight = t.weight + row.weight,
    t.first_seen = CASE WHEN row.first_seen < t.first_seen THEN row.first_seen ELSE t.first_seen END,
    t.last_seen = CASE WHEN row.last_seen > t.last_seen THEN row.last_seen ELSE t.last_seen END
"""
_EXTERNAL_CONTACTS = """
UNWIND $rows AS row
MERGE (e:ExternalContact {person_id: row.person_id, period: row.period, channel: row.channel})
ON CREATE SET e.count = row.count
ON MATCH SET e.count = e.count + row.count
"""
_AUDIENCES = """
UNWIND $rows AS row
MERGE (a:Audience {owner_type: row.owner_type, owner: row.owner, platform: row.platform})
SET a.follower_count = row.follower_count
"""
_OWNS = """
UNWIND $rows AS row
MATCH (a:Audience {owner_type: row.owner_type, owner: row.owner, platform: row.platform})
MATCH (p:Person {person_id: row.owner})
MERGE (p)-[:OWNS]->(a)
"""
_FOLLOWERS = """
UNWIND $rows AS row
MERGE (:Follower {owner_type: row.owner_type, owner: row.owner, platform: row.platform, follower_hash: row.follower_hash})
"""
# First write wins for clicks and impressions, as INSERT OR IGNORE does.
_ENGAGEMENT = """
UNWIND $rows AS row
MERGE (e:Engagement {person_id: row.person_id, date: row.date, action: row.action, content_id: row.content_id, platform: row.platform})
ON CREATE SET e.clicks = row.clicks, e.impressions = row.impressions
"""
_MESSAGE_KEYS = "UNWIND $rows AS row MERGE (:MessageKey {key: row.key})"
# CREATE, not MERGE: a second ledger line with the same id is a constraint
# violation that rolls the whole ingest back, as the embedded store's primary key does.
_INGEST = """
CREATE (:Ingest {ingest_id: $ingest_id, source: $source, path: $path, content_hash: $content_hash,
                 finished_at: $finished_at, report: $report})
"""


class Neo4jStore:
    """The :class:`~orgnet.store.Store` on a Neo4j (Bolt) server.

    Parameters
    ----------
    uri : ``bolt://``, ``neo4j://``, ``neo4j+s://``... location of the server.
    user, password : credentials.
    database : the database to use; ``None`` for the server's default.
    batch_size : rows per ``UNWIND`` statement when writing.

    Notes
    -----
    Use :meth:`connect` to build one from the environment. The constructor
    checks that the server answers, the credentials hold and the database
    exists, then creates constraints and indexes (idempotently); each
    failure is a :class:`~orgnet.errors.StoreError` with one clear line.
    """

    def __init__(
        self,
        uri: str,
        user: str = "neo4j",
        password: str = "",
        database: str | None = None,
        batch_size: int = DEFAULT_NEO4J_BATCH_SIZE,
    ):
        if batch_size < 1:
            raise StoreError(f"the Neo4j batch size must be at least 1, not {batch_size}")
        self.location = uri
        self.database = database
        self.batch_size = batch_size
        self._user = user
        try:
            self._driver = neo4j.GraphDatabase.driver(uri, auth=(user, password))
        except (ConfigurationError, ValueError) as error:
            raise StoreError(f"cannot open the store {uri}: {error}") from None
        try:
            with self._errors():
                self._driver.verify_connectivity()
                for statement in SCHEMA:
                    self._driver.execute_query(statement, database_=database)
        except ValueError as error:  # the driver's word for an address it cannot resolve
            self._driver.close()
            raise StoreError(f"cannot open the store {uri}: {error}") from None
        except StoreError:
            self._driver.close()
            raise

    @classmethod
    def connect(cls, uri: str, settings: Settings | None = None) -> Neo4jStore:
        """Open the store at ``uri`` with the credentials of ``settings`` (read from the environment when ``None``):
        ``NEO4J_USER`` (default ``neo4j``), ``NEO4J_PASSWORD``, ``NEO4J_DATABASE`` (default: the server's) and
        ``ORGNET_NEO4J_BATCH_SIZE``."""
        settings = settings or load_settings()
        return cls(
            uri,
            user=settings.neo4j_user,
            password=settings.neo4j_password.get_secret_value(),
            database=settings.neo4j_database,
            batch_size=settings.neo4j_batch_size,
        )

    def close(self) -> None:
        self._driver.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn the driver's errors into one-line :class:`StoreError` messages."""
        where = f"Neo4j at {self.location}"
        try:
            yield
        except AuthError:
            raise StoreError(
                f"{where} refused the credentials of user {self._user!r}; set {NEO4J_USER_ENV} and {NEO4J_PASSWORD_ENV}"
            ) from None
        except ServiceUnavailable as error:
            raise StoreError(f"cannot reach {where}: {_first_line(error)}") from None
        except ClientError as error:
            if error.code and error.code.endswith("DatabaseNotFound"):
                raise StoreError(
                    f"{where} has no database {self.database or '(default)'!r}; create it or set {NEO4J_DATABASE_ENV}"
                ) from None
            raise StoreError(f"{where} rejected a query: {_first_line(error.message or error)}") from None
        except (Neo4jError, DriverError) as error:
            raise StoreError(f"{where} failed: {_first_line(getattr(error, 'message', None) or error)}") from None

    # -- reading -----------------------------------------------------------------

    def _read(self, cypher: str, **parameters: Any) -> list[list[Any]]:
        with self._errors():
            records = self._driver.execute_query(cypher, parameters, database_=self.database, routing_=neo4j.RoutingControl.READ).records
        return [list(record.values()) for record in records]

    def settings(self) -> dict[str, str]:
        return dict(self._read("MATCH (s:Setting) RETURN s.name, s.value"))

    def people(self) -> pd.DataFrame:
        rows = []
        for (properties,) in self._read("MATCH (p:Person) WHERE p.in_roster = true RETURN properties(p)"):
            row = {name: properties.get(name) for name in CORE_PERSON_FIELDS}
            row["attributes"] = {k: v for k, v in properties.items() if k not in CORE_PERSON_FIELDS and k != _PERSON_MARK}
            rows.append(row)
        return people_frame(rows)

    def person_ids(self) -> set[str]:
        return {person_id for (person_id,) in self._read("MATCH (p:Person) WHERE p.in_roster = true RETURN p.person_id")}

    def identities(self) -> pd.DataFrame:
        return frame_from_rows("identities", self._read("MATCH (i:Identity) RETURN i.identity, i.person_id"))

    def ties(
        self,
        start: str | None = None,
        end: str | None = None,
        channels: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        rows = self._read(
            "MATCH (s:Person)-[t:INTERACTED]->(d:Person) "
            f"WHERE {_RANGE.format(field='t.period')} AND ($channels IS NULL OR t.channel IN $channels) "
            "RETURN s.person_id, d.person_id, t.period, t.channel, t.count, t.weight, t.first_seen, t.last_seen",
            start=start,
            end=end,
            channels=list(channels) if channels else None,
        )
        return ties_frame(rows)

    def periods(self) -> list[str]:
        return [row[0] for row in self._read("MATCH ()-[t:INTERACTED]->() RETURN DISTINCT t.period AS period ORDER BY period")]

    def external_contacts(self, start: str | None = None, end: str | None = None) -> pd.DataFrame:
        rows = self._read(
            f"MATCH (e:ExternalContact) WHERE {_RANGE.format(field='e.period')} RETURN e.person_id, e.period, e.channel, e.count",
            start=start,
            end=end,
        )
        return frame_from_rows("external_contacts", rows)

    def audiences(self) -> pd.DataFrame:
        rows = self._read("MATCH (a:Audience) RETURN a.owner_type, a.owner, a.platform, a.follower_count")
        return frame_from_rows("audiences", rows)

    def followers(self) -> pd.DataFrame:
        rows = self._read("MATCH (f:Follower) RETURN f.owner_type, f.owner, f.platform, f.follower_hash")
        return frame_from_rows("followers", rows)

    def engagement(self, start: str | None = None, end: str | None = None) -> pd.DataFrame:
        rows = self._read(
            f"MATCH (e:Engagement) WHERE {_RANGE.format(field='e.date')} "
            "RETURN e.person_id, e.date, e.action, e.content_id, e.platform, e.clicks, e.impressions",
            start=period_dates(start)[0] if start else None,
            end=period_dates(end)[1] if end else None,
        )
        return frame_from_rows("engagement", rows)

    def known_message_keys(self, keys: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in chunks(list(keys), self.batch_size):
            found.update(row[0] for row in self._read("UNWIND $keys AS key MATCH (m:MessageKey {key: key}) RETURN m.key", keys=chunk))
        return found

    def find_ingest(self, source: str, content_hash: str) -> IngestRecord | None:
        rows = self._read(
            f"MATCH (i:Ingest {{source: $source, content_hash: $content_hash}}) RETURN {_INGEST_FIELDS} ORDER BY i.finished_at LIMIT 1",
            source=source,
            content_hash=content_hash,
        )
        return _record(rows[0]) if rows else None

    def ingests(self) -> list[IngestRecord]:
        rows = self._read(f"MATCH (i:Ingest) RETURN {_INGEST_FIELDS} ORDER BY i.finished_at, i.ingest_id")
        return [_record(row) for row in rows]

    def counts(self) -> dict[str, int]:
        labels = {
            "identities": "Identity",
            "external_contacts": "ExternalContact",
            "audiences": "Audience",
            "followers": "Follower",
            "engagement": "Engagement",
            "ingests": "Ingest",
            "results": "Result",
        }
        counts = {"people": self._read("MATCH (p:Person) WHERE p.in_roster = true RETURN count(p)")[0][0]}
        tie_count, period_count = self._read("MATCH ()-[t:INTERACTED]->() RETURN count(t), count(DISTINCT t.period)")[0]
        counts["ties"] = tie_count
        for name, label in labels.items():
            # Labels cannot be parameters; these come from the fixed table above.
            counts[name] = self._read(f"MATCH (n:{label}) RETURN count(n)")[0][0]
        counts["periods"] = period_count
        return counts

    # -- writing -----------------------------------------------------------------

    def apply(self, batch: IngestBatch, record: IngestRecord) -> None:
        with self._errors(), self._driver.session(database=self.database) as session:
            session.execute_write(self._write, batch, record)

    def _write(self, tx: neo4j.ManagedTransaction, batch: IngestBatch, record: IngestRecord) -> None:
        """Every statement of one ingest; runs inside :meth:`apply`'s transaction (and reruns on a transient error)."""
        self._unwind(tx, _SETTINGS, [{"name": k, "value": v} for k, v in batch.settings.items()])
        people = [_person_parameters(row) for row in person_rows(batch.people)]
        self._unwind(tx, _PEOPLE, people)
        for field, leave, join in (("department", _LEAVE_DEPARTMENT, _JOIN_DEPARTMENT), ("manager_id", _LEAVE_MANAGER, None)):
            # One row per person with the last value given, as sequential upserts would leave it.
            latest = {row["person_id"]: row[field] for row in people if row[field] is not None}
            rows = [{"person_id": k, "value": v} for k, v in latest.items()]
            self._unwind(tx, leave, rows)
            if join:
                self._unwind(tx, join, rows)
        for chunk in chunks(sorted({row["person_id"] for row in people}), self.batch_size):
            tx.run(_REPORTS_TO, ids=chunk).consume()
            tx.run(_REPORTED_BY, ids=chunk).consume()
        self._unwind(tx, _IDENTITIES, _maps(batch.identities))
        ties = [
            {"source": s, "target": t, "period": p, "channel": c, "count": n, "weight": w, "first_seen": f, "last_seen": la}
            for s, t, p, c, n, w, f, la in tie_rows(batch.ties)
        ]
        self._unwind(tx, _TIES, ties)
        self._unwind(tx, _EXTERNAL_CONTACTS, _maps(batch.external_contacts))
        audiences = _maps(batch.audiences)
        self._unwind(tx, _AUDIENCES, audiences)
        self._unwind(tx, _OWNS, [row for row in audiences if row["owner_type"] == "person"])
        self._unwind(tx, _FOLLOWERS, _maps(batch.followers))
        self._unwind(tx, _ENGAGEMENT, _maps(batch.engagement))
        self._unwind(tx, _MESSAGE_KEYS, [{"key": key} for key in batch.message_keys])
        self._write_calendar(tx, batch, record)
        tx.run(
            _INGEST,
            ingest_id=record.ingest_id,
            source=record.source,
            path=record.path,
            content_hash=record.content_hash,
            finished_at=record.finished_at,
            report=json.dumps(record.report, sort_keys=True),
        ).consume()

    def _unwind(self, tx: neo4j.ManagedTransaction, cypher: str, rows: list[dict[str, Any]]) -> None:
        for chunk in chunks(rows, self.batch_size):
            tx.run(cypher, rows=chunk).consume()

    # -- the calendar ledger (orgnet.store.calendar) -------------------------------

    def calendar_events(self, series: Sequence[str] | None = None) -> pd.DataFrame:
        if series is None:
            return events_frame(self._read(f"MATCH (e:CalendarEvent) RETURN {_CALENDAR_EVENT_FIELDS}"))
        rows: list[list[Any]] = []
        for chunk in chunks(sorted(set(series)), self.batch_size):
            rows += self._read(_CALENDAR_STORED, values=chunk)
        return events_frame(rows)

    def _calendar_read(self, tx: neo4j.ManagedTransaction, cypher: str, values: list[str]) -> list[list[Any]]:
        """Rows of a read inside the write transaction, ``$values`` sent in batches."""
        rows: list[list[Any]] = []
        for chunk in chunks(sorted(set(values)), self.batch_size):
            rows += [list(record.values()) for record in tx.run(cypher, values=chunk)]
        return rows

    def _write_calendar(self, tx: neo4j.ManagedTransaction, batch: IngestBatch, record: IngestRecord) -> None:
        """The calendar ledger's step of an ingest (:func:`orgnet.store.calendar.plan_calendar`), after its ties."""
        if batch.calendar_events.empty:
            return
        stored = events_frame(self._calendar_read(tx, _CALENDAR_STORED, batch.calendar_events["series"].tolist()))
        unit = batch.settings.get(SETTING_PERIOD_UNIT) or next(
            (value for (value,) in tx.run(_SETTING_VALUE, name=SETTING_PERIOD_UNIT).values()), "month"
        )

        def contributions(keys: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
            return contribution_frames(
                self._calendar_read(tx, _CALENDAR_TIES_OF, list(keys)), self._calendar_read(tx, _CALENDAR_CONTACTS_OF, list(keys))
            )

        plan = plan_calendar(batch, stored, contributions, unit)
        cleared = [{"key": key} for key in plan.cleared]
        self._unwind(tx, _CALENDAR_CLEAR_TIES, cleared)
        self._unwind(tx, _CALENDAR_CLEAR_CONTACTS, cleared)
        self._unwind(tx, _CALENDAR_EVENTS, [dict(zip(CALENDAR_EVENT_COLUMNS, row)) for row in event_rows(plan.events)])
        ties, contacts = contribution_rows(plan)
        self._unwind(tx, _CALENDAR_TIES, [dict(zip(CALENDAR_TIE_COLUMNS, row)) for row in ties])
        self._unwind(tx, _CALENDAR_CONTACTS, [dict(zip(CALENDAR_CONTACT_COLUMNS, row)) for row in contacts])
        tie_changes, contact_changes = _maps(plan.tie_changes), _maps(plan.contact_changes)
        self._unwind(tx, _TIE_CHANGES, tie_changes)
        self._unwind(tx, _TIE_REMOVALS, tie_changes)
        self._unwind(tx, _CONTACT_CHANGES, contact_changes)
        self._unwind(tx, _CONTACT_REMOVALS, contact_changes)
        # Set, not added: a transaction the driver reruns must not count twice.
        record.report.setdefault("counts", {}).update(plan.counts)

    def _write_one(self, cypher: str, **parameters: Any) -> list[list[Any]]:
        """One statement in its own write transaction; returns its rows."""
        with self._errors():
            records = self._driver.execute_query(cypher, parameters, database_=self.database).records
        return [list(record.values()) for record in records]

    def put_result(self, name: str, period: str, payload: str) -> None:
        self._write_one(
            "MERGE (r:Result {name: $name, period: $period}) SET r.payload = $payload, r.created_at = $created_at",
            name=name,
            period=period,
            payload=payload,
            created_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )

    def get_result(self, name: str, period: str) -> str | None:
        rows = self._read("MATCH (r:Result {name: $name, period: $period}) RETURN r.payload", name=name, period=period)
        return rows[0][0] if rows else None

    def results(self) -> pd.DataFrame:
        rows = self._read("MATCH (r:Result) RETURN r.name, r.period, r.created_at ORDER BY r.period, r.name")
        return pd.DataFrame.from_records([tuple(row) for row in rows], columns=["name", "period", "created_at"])

    def add_api_key(self, key: ApiKey) -> None:
        self._write_one(
            "CREATE (:ApiKey {key_id: $key_id, key_hash: $key_hash, role: $role, name: $name, "
            "created_at: $created_at, revoked_at: $revoked_at})",
            key_id=key.key_id,
            key_hash=key.key_hash,
            role=key.role,
            name=key.name,
            created_at=key.created_at,
            revoked_at=key.revoked_at,
        )

    def api_keys(self) -> list[ApiKey]:
        rows = self._read(f"MATCH (k:ApiKey) RETURN {_KEY_FIELDS} ORDER BY k.created_at, k.key_id")
        return [ApiKey(*row) for row in rows]

    def find_api_key(self, key_hash: str) -> ApiKey | None:
        rows = self._read(f"MATCH (k:ApiKey {{key_hash: $key_hash}}) RETURN {_KEY_FIELDS}", key_hash=key_hash)
        return ApiKey(*rows[0]) if rows else None

    def revoke_api_key(self, key_id: str, revoked_at: str) -> bool:
        rows = self._write_one(
            "MATCH (k:ApiKey {key_id: $key_id}) WHERE k.revoked_at IS NULL SET k.revoked_at = $revoked_at RETURN count(k)",
            key_id=key_id,
            revoked_at=revoked_at,
        )
        return bool(rows and rows[0][0] == 1)

    def append_audit(self, entries: Sequence[AuditEntry]) -> None:
        # seq orders entries logged in the same second, as SQLite's rowid does.
        base = time.time_ns()
        rows = [
            {"at": e.at, "key_id": e.key_id, "role": e.role, "action": e.action, "target": e.target, "seq": base + i}
            for i, e in enumerate(entries)
        ]
        with self._errors(), self._driver.session(database=self.database) as session:
            session.execute_write(
                lambda tx: self._unwind(
                    tx,
                    "UNWIND $rows AS row CREATE (:AuditEntry {at: row.at, key_id: row.key_id, role: row.role, "
                    "action: row.action, target: row.target, seq: row.seq})",
                    rows,
                )
            )

    def audit_log(self, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
        rows = self._read(
            "MATCH (a:AuditEntry) RETURN a.at, a.key_id, a.role, a.action, a.target "
            "ORDER BY a.at DESC, a.seq DESC SKIP $offset LIMIT $limit",
            limit=limit,
            offset=offset,
        )
        return [AuditEntry(*row) for row in rows]

    def claim_run(self, job: str, run_id: str, scheduled_for: str, started_at: str, stale_before: str) -> bool:
        def claim(tx: neo4j.ManagedTransaction) -> bool:
            # Writing the job's lock node first takes its write lock: a second claimer
            # waits here until this transaction ends, then sees this run as running.
            tx.run(_CLAIM_LOCK, job=job, started_at=started_at).consume()
            tx.run(_ABANDON_STALE, job=job, stale_before=stale_before, now=started_at).consume()
            running = [record[0] for record in tx.run(_RUNNING, job=job)]
            tx.run(
                _CREATE_RUN,
                run_id=run_id,
                job=job,
                scheduled_for=scheduled_for,
                started_at=started_at,
                status="skipped" if running else "running",
                finished_at=started_at if running else None,
                detail=f"run {running[0]} of {job} is still running" if running else "",
            ).consume()
            return not running

        with self._errors(), self._driver.session(database=self.database) as session:
            return session.execute_write(claim)

    def finish_run(self, run_id: str, status: str, finished_at: str, detail: str = "") -> None:
        self._write_one(
            "MATCH (r:ScheduleRun {run_id: $run_id}) SET r.status = $status, r.finished_at = $finished_at, r.detail = $detail",
            run_id=run_id,
            status=status,
            finished_at=finished_at,
            detail=detail,
        )

    def runs(self, job: str | None = None, limit: int = 50) -> list[ScheduleRun]:
        rows = self._read(
            "MATCH (r:ScheduleRun) WHERE $job IS NULL OR r.job = $job "
            "RETURN r.run_id, r.job, r.scheduled_for, r.started_at, r.status, r.finished_at, r.detail "
            "ORDER BY r.started_at DESC, r.run_id DESC LIMIT $limit",
            job=job,
            limit=limit,
        )
        return [ScheduleRun(*row) for row in rows]


_CALENDAR_EVENT_FIELDS = "e.key, e.series, e.recurrence, e.sequence, e.stamp, e.cancelled, e.occurrences"
_CALENDAR_STORED = f"UNWIND $values AS s MATCH (e:CalendarEvent {{series: s}}) RETURN {_CALENDAR_EVENT_FIELDS}"
_CALENDAR_TIES_OF = (
    "UNWIND $values AS k MATCH (c:CalendarTie {key: k}) RETURN c.key, c.source, c.target, c.period, c.channel, c.count, c.weight"
)
_CALENDAR_CONTACTS_OF = "UNWIND $values AS k MATCH (c:CalendarContact {key: k}) RETURN c.key, c.person_id, c.period, c.channel, c.count"
_CALENDAR_CLEAR_TIES = "UNWIND $rows AS row MATCH (c:CalendarTie {key: row.key}) DELETE c"
_CALENDAR_CLEAR_CONTACTS = "UNWIND $rows AS row MATCH (c:CalendarContact {key: row.key}) DELETE c"
_CALENDAR_EVENTS = """
UNWIND $rows AS row
MERGE (e:CalendarEvent {key: row.key})
SET e.series = row.series, e.recurrence = row.recurrence, e.sequence = row.sequence, e.stamp = row.stamp,
    e.cancelled = row.cancelled, e.occurrences = row.occurrences
"""
_CALENDAR_TIES = """
UNWIND $rows AS row
CREATE (:CalendarTie {key: row.key, source: row.source, target: row.target, period: row.period, channel: row.channel,
                      count: row.count, weight: row.weight})
"""
_CALENDAR_CONTACTS = """
UNWIND $rows AS row
CREATE (:CalendarContact {key: row.key, person_id: row.person_id, period: row.period, channel: row.channel, count: row.count})
"""
_TIE_CHANGES = """
UNWIND $rows AS row
MATCH (:Person {person_id: row.source})-[t:INTERACTED {period: row.period, channel: row.channel}]->(:Person {person_id: row.target})
SET t.count = t.count + row.count, t.weight = t.weight + row.weight
"""
_TIE_REMOVALS = """
UNWIND $rows AS row
MATCH (:Person {person_id: row.source})-[t:INTERACTED {period: row.period, channel: row.channel}]->(:Person {person_id: row.target})
WHERE t.count <= 0
DELETE t
"""
_CONTACT_CHANGES = """
UNWIND $rows AS row
MATCH (e:ExternalContact {person_id: row.person_id, period: row.period, channel: row.channel})
SET e.count = e.count + row.count
"""
_CONTACT_REMOVALS = """
UNWIND $rows AS row
MATCH (e:ExternalContact {person_id: row.person_id, period: row.period, channel: row.channel})
WHERE e.count <= 0
DELETE e
"""
_SETTING_VALUE = "MATCH (s:Setting {name: $name}) RETURN s.value"

_CLAIM_LOCK = "MERGE (l:ScheduleLock {job: $job}) SET l.claimed_at = $started_at"
_ABANDON_STALE = """
MATCH (r:ScheduleRun {job: $job, status: 'running'}) WHERE r.started_at < $stale_before
SET r.status = 'failed', r.finished_at = $now, r.detail = 'abandoned: no finish recorded (the scheduler stopped during the run)'
"""
_RUNNING = "MATCH (r:ScheduleRun {job: $job, status: 'running'}) RETURN r.run_id ORDER BY r.started_at"
_CREATE_RUN = """
CREATE (:ScheduleRun {run_id: $run_id, job: $job, scheduled_for: $scheduled_for, started_at: $started_at,
                      status: $status, finished_at: $finished_at, detail: $detail})
"""

#: An inclusive range on ``field`` whose open ends are null parameters.
_RANGE = "($start IS NULL OR {field} >= $start) AND ($end IS NULL OR {field} <= $end)"
_INGEST_FIELDS = "i.ingest_id, i.source, i.path, i.content_hash, i.finished_at, i.report"
_KEY_FIELDS = "k.key_id, k.key_hash, k.role, k.name, k.created_at, k.revoked_at"


def _person_parameters(row: dict[str, Any]) -> dict[str, Any]:
    """A person row with its HR attributes as a map; attributes named like a core field are dropped,
    since :func:`~orgnet.store.frames.people_frame` shows the core field under that name anyway."""
    attributes = json.loads(row.pop("attributes"))
    row["attributes"] = {k: v for k, v in attributes.items() if k not in CORE_PERSON_FIELDS and k != _PERSON_MARK}
    return row


def _maps(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``frame`` as dicts of plain Python values (``None`` for missing)."""
    columns = list(frame.columns)
    return [dict(zip(columns, map(clean_value, row))) for row in frame.itertuples(index=False, name=None)]


def _record(row: list[Any]) -> IngestRecord:
    ingest_id, source, path, content_hash, finished_at, report = row
    return IngestRecord(ingest_id, source, path, content_hash, finished_at, json.loads(report))


def _first_line(error: object) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
