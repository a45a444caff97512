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
    (:Person)-[:INTERACTED {period, channel, count, weight, first_seen, last_seen, ingest}]->(:Person)
    (:Person)-[:OWNS]->(:Audience {owner_type, owner, platform, follower_count})
    (:Identity {identity, person_id})  (:ExternalContact {person_id, period, channel, count, ingest})
    (:Follower {owner_type, owner, platform, follower_hash, ingest})
    (:Engagement {person_id, date, action, content_id, platform, clicks, impressions, ingest})
    (:MessageKey {key, ingest})  (:Setting {name, value})
    (:CalendarEvent {key, series, recurrence, sequence, stamp, cancelled, occurrences})
    (:CalendarTie {key, source, target, period, channel, count, weight})
    (:CalendarContact {key, person_id, period, channel, count})
    (:Ingest {ingest_id, status, started_at, source, path, content_hash, finished_at, report})
    (:JobResult {job, snapshot, by, version, fields, tables, created_at})  (:Document {kind, key, payload, created_at})
    (:ApiKey {...})  (:AuditEntry {...})
    (:ScheduleLock {job, claimed_at})  (:ScheduleRun {run_id, job, scheduled_for, started_at, status, finished_at, detail})

A tie's ``first_seen`` and ``last_seen`` are whole seconds since 1970 UTC:
an integer fills one of the four property blocks of a record where ISO-8601
text takes three, which makes writing ties about a tenth faster. Text ones
(stores written before, imports of an earlier ``orgnet export --format
neo4j-csv``) read back the same (:func:`~orgnet.store.frames.stored_timestamps`).
Other timestamps (ledger, calendar, results) stay ISO-8601 UTC text, as in the
embedded store.

An ingest is not one transaction, so that its size is bounded by no
transaction's memory (:meth:`Neo4jStore.apply`): its bulky tables (ties,
external contacts, followers, engagement, message keys) go in as batches of
their own transactions, each row tagged with the ingest's id, and readers see
a tagged row only once its ingest's ledger line says ``committed``. The
tables bounded by the organisation's size (people, identities, audiences,
settings) are written by the transaction that flips that line, so the ingest
appears all at once. A failed ingest removes its batches; one whose process
died is removed by the next :class:`Neo4jStore` opened on the database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

import neo4j
import numpy as np
import pandas as pd
from neo4j.exceptions import AuthError, ClientError, ConfigurationError, DriverError, Neo4jError, ServiceUnavailable, TransientError

from orgnet.aggregate import merge_ties
from orgnet.errors import StoreError
from orgnet.model import (
    CALENDAR_CONTACT_COLUMNS,
    CALENDAR_EVENT_COLUMNS,
    CALENDAR_TIE_COLUMNS,
    CORE_PERSON_FIELDS,
    ENGAGEMENT_COLUMNS,
    RESULT_INDEX_COLUMNS,
    TIE_COLUMNS,
    TIE_KEY,
    ApiKey,
    AuditEntry,
    IngestBatch,
    IngestRecord,
    ScheduleRun,
    StoredResult,
)
from orgnet.periods import PeriodUnit, period_dates
from orgnet.settings import DEFAULT_NEO4J_BATCH_SIZE, NEO4J_DATABASE_ENV, NEO4J_PASSWORD_ENV, NEO4J_USER_ENV, Settings, load_settings
from orgnet.store import SETTING_PERIOD_UNIT
from orgnet.store.batching import chunks
from orgnet.store.calendar import contribution_frames, contribution_rows, event_rows, events_frame, plan_calendar
from orgnet.store.columns import TieColumns
from orgnet.store.frames import (
    clean_value,
    followers_frame,
    frame_from_rows,
    people_frame,
    person_rows,
    ties_frame_of_columns,
    timestamps_to_seconds,
)

__all__ = ["SCHEMA", "TIE_MATCH", "Neo4jStore", "tie_parameters"]

#: Sessions writing an ingest's batches side by side: two keep the server busy while this process encodes.
DEFAULT_WRITERS = 2

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
    "CREATE CONSTRAINT audience_key IF NOT EXISTS FOR (n:Audience) REQUIRE (n.owner_type, n.owner, n.platform) IS UNIQUE",
    "CREATE INDEX message_key_key IF NOT EXISTS FOR (n:MessageKey) ON (n.key)",
    "CREATE CONSTRAINT setting_name IF NOT EXISTS FOR (n:Setting) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT ingest_id IF NOT EXISTS FOR (n:Ingest) REQUIRE n.ingest_id IS UNIQUE",
    "CREATE INDEX ingest_by_hash IF NOT EXISTS FOR (n:Ingest) ON (n.source, n.content_hash)",
    "CREATE CONSTRAINT job_result_key IF NOT EXISTS FOR (n:JobResult) REQUIRE (n.job, n.snapshot, n.by) IS UNIQUE",
    "CREATE CONSTRAINT document_key IF NOT EXISTS FOR (n:Document) REQUIRE (n.kind, n.key) IS UNIQUE",
    "CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (n:ApiKey) REQUIRE n.key_id IS UNIQUE",
    "CREATE CONSTRAINT api_key_hash IF NOT EXISTS FOR (n:ApiKey) REQUIRE n.key_hash IS UNIQUE",
    "CREATE INDEX audit_at IF NOT EXISTS FOR (n:AuditEntry) ON (n.at)",
    "CREATE CONSTRAINT schedule_lock_job IF NOT EXISTS FOR (n:ScheduleLock) REQUIRE n.job IS UNIQUE",
    "CREATE CONSTRAINT schedule_run_id IF NOT EXISTS FOR (n:ScheduleRun) REQUIRE n.run_id IS UNIQUE",
    *_CALENDAR_SCHEMA,
    # Stores made before ingests were written in tagged batches kept one node per key; now each ingest
    # adds its own (readers combine them), so those keys are no longer unique. A period index on ties is
    # dropped too: every write paid for it and no read used it.
    "DROP CONSTRAINT external_contact_key IF EXISTS",
    "DROP CONSTRAINT follower_key IF EXISTS",
    "DROP CONSTRAINT engagement_key IF EXISTS",
    "DROP CONSTRAINT message_key IF EXISTS",
    "DROP INDEX interacted_period IF EXISTS",
    # Stores made before typed results kept (:Result {name, period, payload}): reports and schedule rules become
    # documents as they were; a job's JSON result stays listed as one of schema version 0, so that its readers
    # are told to run orgnet analyze for its snapshot (see orgnet.results).
    "MATCH (r:Result) WHERE r.name IN ['report', 'schedule'] "
    "MERGE (d:Document {kind: r.name, key: r.period}) SET d.payload = r.payload, d.created_at = r.created_at DELETE r",
    "MATCH (r:Result) MERGE (j:JobResult {job: r.name, snapshot: r.period, by: ''}) "
    "SET j.version = 0, j.fields = '{}', j.tables = '', j.created_at = r.created_at DELETE r",
    "DROP CONSTRAINT result_key IF EXISTS",
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
# would scan every person instead of using the two indexes. Only a manager some
# roster listed is linked, not a bare node a tie made (whichever came first).
_REPORTS_TO = """
UNWIND $ids AS id
MATCH (p:Person {person_id: id})
MATCH (m:Person {person_id: p.manager_id}) WHERE m.in_roster = true
MERGE (p)-[:REPORTS_TO]->(m)
"""
_REPORTED_BY = """
UNWIND $ids AS id
MATCH (p:Person {manager_id: id})
MATCH (m:Person {person_id: id})
MERGE (p)-[:REPORTS_TO]->(m)
"""
_IDENTITIES = "UNWIND $rows AS row MERGE (i:Identity {identity: row.identity}) SET i.person_id = row.person_id"
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

# -- the tagged batches of one ingest: columns as lists, every row created with $ingest ----------

# Tie endpoints are merged, not matched, so a tie to someone no roster listed
# is kept (as the embedded store keeps it); such people lack in_roster. Their
# element ids come back so that ties are created between nodes found by id:
# as one list in the order of $ids, since a record per person costs the
# driver more than the server's merge does.
_ENDPOINTS = "UNWIND $ids AS id MERGE (p:Person {person_id: id}) RETURN collect(elementId(p))"
# CREATE, not MERGE: the ingest's ties are merged by key beforehand, and the
# ties of other ingests stay apart (readers add them up). Finding the endpoints
# by element id is safe because orgnet never deletes a person.
_TIES = """
UNWIND range(0, size($source) - 1) AS i
MATCH (s) WHERE elementId(s) = $source[i]
MATCH (d) WHERE elementId(d) = $target[i]
CREATE (s)-[:INTERACTED {period: $period[i], channel: $channel[i], count: $count[i], weight: $weight[i],
                         first_seen: $first_seen[i], last_seen: $last_seen[i], ingest: $ingest}]->(d)
"""
_EXTERNAL_CONTACTS = """
UNWIND range(0, size($person_id) - 1) AS i
CREATE (:ExternalContact {person_id: $person_id[i], period: $period[i], channel: $channel[i], count: $count[i], ingest: $ingest})
"""
_FOLLOWERS = """
UNWIND range(0, size($owner) - 1) AS i
CREATE (:Follower {owner_type: $owner_type[i], owner: $owner[i], platform: $platform[i], follower_hash: $follower_hash[i], ingest: $ingest})
"""
_ENGAGEMENT = """
UNWIND range(0, size($person_id) - 1) AS i
CREATE (:Engagement {person_id: $person_id[i], date: $date[i], action: $action[i], content_id: $content_id[i],
                     platform: $platform[i], clicks: $clicks[i], impressions: $impressions[i], ingest: $ingest})
"""
_MESSAGE_KEYS = "UNWIND $key AS key CREATE (:MessageKey {key: key, ingest: $ingest})"
#: What each kind of tagged row is, for removing those of an ingest that did not commit.
_TAGGED = ("()-[n:INTERACTED]->()", "(n:ExternalContact)", "(n:Follower)", "(n:Engagement)", "(n:MessageKey)")

# -- the ledger --------------------------------------------------------------------------------

# CREATE, not MERGE: a second ledger line with the same id is a constraint
# violation that stops the ingest before it writes anything.
_BEGIN = "CREATE (:Ingest {ingest_id: $ingest_id, status: 'pending', started_at: $started_at})"
# Writing the pending line takes its write lock, held by the ingest's last
# transaction until it commits or the ingest's connection dies: the lock is
# how other processes tell a running ingest from an abandoned one.
_HOLD = "MATCH (i:Ingest {ingest_id: $ingest_id, status: 'pending'}) SET i.status = 'pending' RETURN count(i)"
_COMMIT = """
MATCH (i:Ingest {ingest_id: $ingest_id, status: 'pending'})
SET i.status = 'committed', i.source = $source, i.path = $path, i.content_hash = $content_hash,
    i.finished_at = $finished_at, i.report = $report
"""
_PENDING = "MATCH (i:Ingest {status: 'pending'}) RETURN i.ingest_id"
_STATUS = "MATCH (i:Ingest {ingest_id: $ingest_id}) RETURN i.status"
_FORGET = "MATCH (i:Ingest {ingest_id: $ingest_id, status: 'pending'}) DELETE i"
#: Ledger lines of committed ingests (a line without status comes from a store made before ingests had one).
_COMMITTED = "coalesce(i.status, 'committed') = 'committed'"
#: Binds ``visible``, the ids of the committed ingests, oldest first, for the tagged rows a read may show.
_VISIBLE = f"MATCH (i:Ingest) WHERE {_COMMITTED} WITH i ORDER BY i.finished_at, i.ingest_id WITH collect(i.ingest_id) AS visible "
#: A tagged row ``n`` that a read may show (untagged rows come from a store made before tags).
_SHOWN = "(n.ingest IS NULL OR n.ingest IN visible)"
#: An inclusive range on ``field`` whose open ends are null parameters.
_RANGE = "($start IS NULL OR {field} >= $start) AND ($end IS NULL OR {field} <= $end)"
#: The ties a read may show, of the periods ``$start`` to ``$end`` and the channels ``$channels`` (see
#: :func:`tie_parameters`): binds ``s``, ``n`` (one ingest's relationship of a tie) and ``d``. Each
#: ingest keeps its own relationship per key, so a tie is the sum of the rows of its key.
TIE_MATCH = (
    f"{_VISIBLE}MATCH (s:Person)-[n:INTERACTED]->(d:Person) "
    f"WHERE {_SHOWN} AND {_RANGE.format(field='n.period')} AND ($channels IS NULL OR n.channel IN $channels)"
)


#: The lists of a tie's own properties, in :data:`_LISTED` order after its two ends.
_PROPERTY_LISTS = "collect(n.count), collect(n.weight), collect(coalesce(n.first_seen, '')), collect(coalesce(n.last_seen, ''))"
#: Returns what :data:`TIE_MATCH` found as one record per period and channel, each other column one list
#: (:data:`_LISTED`): Bolt hands a record over at a time, and a list of 100,000 values decodes far faster
#: than as many records. ``collect`` leaves nulls out, so the timestamps calendar ties lack come as ``''``
#: (read back as missing).
_TIE_LISTS = f"RETURN n.period, n.channel, collect(s.person_id), collect(d.person_id), {_PROPERTY_LISTS}"
#: The lists of a tie-list record after its period and channel, in order; a neighbourhood's records add the
#: relationships' element ids, since one seen from both its ends comes back in two hops.
_LISTED = ("source", "target", "count", "weight", "first_seen", "last_seen", "element_id")
#: One hop of :meth:`Neo4jStore.neighbourhood`: the relationships of the people ``$people``, as tie lists.
_NEIGHBOURHOOD = (
    f"{_VISIBLE}MATCH (p:Person) WHERE p.person_id IN $people "
    f"MATCH (p)-[n:INTERACTED]-(:Person) WHERE {_SHOWN} AND {_RANGE.format(field='n.period')} "
    "WITH DISTINCT n "
    f"RETURN n.period, n.channel, collect(startNode(n).person_id), collect(endNode(n).person_id), {_PROPERTY_LISTS}, "
    "collect(elementId(n))"
)


def _gather_ties(records: list[list[Any]], columns: dict[str, list[Any]]) -> None:
    """Append the ties of tie-list records (``period, channel``, then lists in :data:`_LISTED` order) to ``columns``.

    ``columns`` holds a list for every column the records give. Raises :class:`~orgnet.errors.StoreError`
    when a relationship lacks its count or weight (``collect`` leaves nulls out, so the lists would no
    longer line up): only a store written by something other than orgnet can hold one.
    """
    for period, channel, *lists in records:
        if len({len(values) for values in lists}) != 1:
            raise StoreError(f"INTERACTED relationships of {period} {channel} in Neo4j lack a count or a weight")
        columns["period"] += [period] * len(lists[0])
        columns["channel"] += [channel] * len(lists[0])
        for name, values in zip(_LISTED, lists):
            columns[name] += values


def _summed_ties(ties: pd.DataFrame) -> pd.DataFrame:
    """Ties as stores return them, read as one relationship per ingest and key: each key's relationships summed,
    keys summing to no interaction left out."""
    if not ties.duplicated(TIE_KEY).any():
        return ties
    # Each ingest keeps its own relationship per key; the tie is their sum (keys stay object columns, as stores give them).
    # A calendar event replaced or cancelled later took its count back: a key whose count sums to nothing is no tie.
    merged = merge_ties(ties).astype(dict.fromkeys(TIE_KEY, object))
    return merged[merged["count"] > 0].reset_index(drop=True)


def tie_parameters(start: str | None = None, end: str | None = None, channels: Sequence[str] | None = None) -> dict[str, Any]:
    """The parameters of :data:`TIE_MATCH` for the periods ``start`` to ``end`` (inclusive, open when ``None``) and ``channels``."""
    return {"start": start, "end": end, "channels": list(channels) if channels else None}


#: The tagged tables :meth:`Neo4jStore.counts` counts: their label and the key that makes a row one.
_TAGGED_KEYS = {
    "external_contacts": ("ExternalContact", "n.person_id AS person_id, n.period AS period, n.channel AS channel"),
    "followers": ("Follower", "n.owner_type AS owner_type, n.owner AS owner, n.platform AS platform, n.follower_hash AS hash"),
    "engagement": (
        "Engagement",
        "n.person_id AS person_id, n.date AS date, n.action AS action, n.content_id AS content_id, n.platform AS platform",
    ),
}
#: How often a batch that a transient error (a deadlock with another ingest) rolled back is sent again.
_TRANSIENT_RETRIES = 3
#: How long :meth:`Neo4jStore.sweep` waits for the lock of a pending ingest before taking it as running.
_PROBE_S = 1.0
#: What a probe that ran out of time waiting for a lock fails with (the first on Neo4j 5.26).
_LOCK_HELD = frozenset(
    {
        "Neo.ClientError.Transaction.LockClientStopped",
        "Neo.ClientError.Transaction.TransactionTimedOut",
        "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    }
)
#: Rows per transaction when an unfinished ingest's rows are removed.
_REMOVE_BATCH = 10_000


def _endpoint_elements(tx: neo4j.ManagedTransaction, ids: list[str]) -> list[str]:
    """The element id of the person node of each of ``ids``, in their order, merged (:data:`_ENDPOINTS`)."""
    elements = [str(element) for element in tx.run(_ENDPOINTS, ids=ids).single(strict=True)[0]]
    if len(elements) != len(ids):
        raise StoreError(f"Neo4j returned {len(elements):,} person nodes for {len(ids):,} tie endpoints")
    return elements


class Neo4jStore:
    """The :class:`~orgnet.store.Store` on a Neo4j (Bolt) server.

    Parameters
    ----------
    uri : ``bolt://``, ``neo4j://``, ``neo4j+s://``... location of the server.
    user, password : credentials.
    database : the database to use; ``None`` for the server's default.
    batch_size : rows per ``UNWIND`` statement when writing.
    writers : sessions that send an ingest's tagged batches side by side.

    Notes
    -----
    Use :meth:`connect` to build one from the environment. The constructor
    checks that the server answers, the credentials hold and the database
    exists, creates constraints and indexes (idempotently), then removes what
    ingests whose process died left behind (:meth:`sweep`); each failure is a
    :class:`~orgnet.errors.StoreError` with one clear line.
    """

    def __init__(
        self,
        uri: str,
        user: str = "neo4j",
        password: str = "",
        database: str | None = None,
        batch_size: int = DEFAULT_NEO4J_BATCH_SIZE,
        writers: int = DEFAULT_WRITERS,
    ):
        if batch_size < 1:
            raise StoreError(f"the Neo4j batch size must be at least 1, not {batch_size}")
        self.location = uri
        self.database = database
        self.batch_size = batch_size
        self.writers = max(1, writers)
        self._user = user
        try:
            # Notifications (unknown labels in a new store, say) are for people writing Cypher, not for orgnet's users.
            self._driver = neo4j.GraphDatabase.driver(uri, auth=(user, password), notifications_min_severity="OFF")
        except (ConfigurationError, ValueError) as error:
            raise StoreError(f"cannot open the store {uri}: {error}") from None
        try:
            with self._errors():
                self._driver.verify_connectivity()
                for statement in SCHEMA:
                    self._driver.execute_query(statement, database_=database)
                self.sweep()
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

    @contextlib.contextmanager
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
        rows = [
            (
                *(properties.get(name) for name in CORE_PERSON_FIELDS),
                {k: v for k, v in properties.items() if k not in CORE_PERSON_FIELDS and k != _PERSON_MARK},
            )
            for (properties,) in self._read("MATCH (p:Person) WHERE p.in_roster = true RETURN properties(p)")
        ]
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
        columns: dict[str, list[Any]] = {name: [] for name in TIE_COLUMNS}
        _gather_ties(self._read(f"{TIE_MATCH} {_TIE_LISTS}", **tie_parameters(start, end, channels)), columns)
        return _summed_ties(ties_frame_of_columns(columns))

    def tie_columns(
        self,
        start: str | None = None,
        end: str | None = None,
        channels: Sequence[str] | None = None,
    ) -> TieColumns:
        return TieColumns.from_frame(self.ties(start, end, channels))

    def neighbourhood(self, person: str, hops: int, start: str | None = None, end: str | None = None) -> TieColumns:
        # Hop by hop from the person: the relationships of the people reached so far, found through the person_id
        # index, never the whole period. Relationships seen from both ends come back twice: kept once, by id.
        found: dict[str, list[Any]] = {name: [] for name in (*TIE_COLUMNS, "element_id")}
        seen, frontier = {person}, [person]
        for _ in range(hops + 1):
            if not frontier:
                break
            before = len(found["source"])
            _gather_ties(self._read(_NEIGHBOURHOOD, people=frontier, start=start, end=end), found)
            ends = set(found["source"][before:]) | set(found["target"][before:])
            frontier = sorted(ends - seen)
            seen |= ends
        listed = pd.DataFrame(found).drop_duplicates("element_id")
        # A tie whose relationships sum to no interaction is no hop: reachability is worked out again on the summed ties.
        ties = ties_frame_of_columns({name: listed[name].to_numpy() for name in TIE_COLUMNS})
        return TieColumns.from_frame(_summed_ties(ties)).touching([person], hops)

    def periods(self) -> list[str]:
        rows = self._read(
            f"{_VISIBLE}MATCH (s)-[n:INTERACTED]->(d) WHERE {_SHOWN} "
            "WITH s, d, n.period AS period, n.channel AS channel, sum(n.count) AS total WHERE total > 0 "
            "RETURN DISTINCT period ORDER BY period"
        )
        return [row[0] for row in rows]

    def external_contacts(self, start: str | None = None, end: str | None = None) -> pd.DataFrame:
        rows = self._read(
            f"{_VISIBLE}MATCH (n:ExternalContact) WHERE {_SHOWN} AND {_RANGE.format(field='n.period')} "
            "WITH n.person_id AS person_id, n.period AS period, n.channel AS channel, sum(n.count) AS count WHERE count > 0 "
            "RETURN person_id, period, channel, count",
            start=start,
            end=end,
        )
        return frame_from_rows("external_contacts", rows)

    def audiences(self) -> pd.DataFrame:
        rows = self._read("MATCH (a:Audience) RETURN a.owner_type, a.owner, a.platform, a.follower_count")
        return frame_from_rows("audiences", rows)

    def followers(self) -> pd.DataFrame:
        # One record per account with its hashes as a list, in order: Bolt decodes a list far faster than a record each.
        rows = self._read(
            f"{_VISIBLE}MATCH (n:Follower) WHERE {_SHOWN} "
            "WITH n.owner_type AS owner_type, n.owner AS owner, n.platform AS platform, n.follower_hash AS hash ORDER BY hash "
            "WITH owner_type, owner, platform, collect(DISTINCT hash) AS hashes "
            "RETURN owner_type, owner, platform, hashes ORDER BY owner_type, owner, platform"
        )
        return followers_frame([(owner_type, owner, platform, hashes) for owner_type, owner, platform, hashes in rows])

    def engagement(self, start: str | None = None, end: str | None = None) -> pd.DataFrame:
        # The first ingest to record an action wins its clicks and impressions, as INSERT OR IGNORE does:
        # among the copies of one action, the one of the earliest committed ingest (untagged ones first).
        rows = self._read(
            f"{_VISIBLE}MATCH (n:Engagement) WHERE {_SHOWN} AND {_RANGE.format(field='n.date')} "
            "OPTIONAL MATCH (i:Ingest {ingest_id: n.ingest}) "
            "WITH n ORDER BY i IS NOT NULL, i.finished_at, i.ingest_id "
            "WITH n.person_id AS person_id, n.date AS date, n.action AS action, n.content_id AS content_id, "
            "n.platform AS platform, collect(n)[0] AS first "
            "RETURN person_id, date, action, content_id, platform, first.clicks, first.impressions",
            start=period_dates(start)[0] if start else None,
            end=period_dates(end)[1] if end else None,
        )
        return frame_from_rows("engagement", rows)

    def known_message_keys(self, keys: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in chunks(list(keys), self.batch_size):
            rows = self._read(f"{_VISIBLE}UNWIND $keys AS key MATCH (n:MessageKey {{key: key}}) WHERE {_SHOWN} RETURN n.key", keys=chunk)
            found.update(row[0] for row in rows)
        return found

    def find_ingest(self, source: str, content_hash: str) -> IngestRecord | None:
        rows = self._read(
            f"MATCH (i:Ingest {{source: $source, content_hash: $content_hash}}) WHERE {_COMMITTED} "
            f"RETURN {_INGEST_FIELDS} ORDER BY i.finished_at LIMIT 1",
            source=source,
            content_hash=content_hash,
        )
        return _record(rows[0]) if rows else None

    def ingests(self) -> list[IngestRecord]:
        rows = self._read(f"MATCH (i:Ingest) WHERE {_COMMITTED} RETURN {_INGEST_FIELDS} ORDER BY i.finished_at, i.ingest_id")
        return [_record(row) for row in rows]

    def counts(self) -> dict[str, int]:
        labels = {"identities": "Identity", "audiences": "Audience", "results": "JobResult"}
        counts = {"people": self._read("MATCH (p:Person) WHERE p.in_roster = true RETURN count(p)")[0][0]}
        counts["ties"], counts["periods"] = self._read(
            f"{_VISIBLE}MATCH (s)-[n:INTERACTED]->(d) WHERE {_SHOWN} "
            "WITH s, d, n.period AS period, n.channel AS channel, sum(n.count) AS total WHERE total > 0 "
            "RETURN count(*), count(DISTINCT period)"
        )[0]
        for name, label in labels.items():
            # Labels cannot be parameters; these come from the fixed tables here.
            counts[name] = self._read(f"MATCH (n:{label}) RETURN count(n)")[0][0]
        for name, key in _TAGGED_KEYS.items():
            # Contacts sum their rows (a replaced calendar event took its count back); the others are sets of keys.
            kept = f"WITH {key[1]}, sum(n.count) AS total WHERE total > 0" if name == "external_contacts" else f"WITH DISTINCT {key[1]}"
            counts[name] = self._read(f"{_VISIBLE}MATCH (n:{key[0]}) WHERE {_SHOWN} {kept} RETURN count(*)")[0][0]
        counts["ingests"] = self._read(f"MATCH (i:Ingest) WHERE {_COMMITTED} RETURN count(i)")[0][0]
        return counts

    # -- writing -----------------------------------------------------------------

    def apply(self, batch: IngestBatch, record: IngestRecord) -> None:
        """Write one ingest so that it appears whole or not at all, in transactions of bounded size.

        The ledger line is created ``pending`` first (a duplicate ingest id
        stops here, before anything is written), then held by an open
        transaction while :meth:`_write` sends the tagged batches in
        transactions of their own, and the tables bounded by the organisation
        through the held one, which then marks the line ``committed``: readers
        see everything of the ingest from that commit on. On any failure the
        batches already written are removed.
        """
        ingest_id = record.ingest_id
        with self._errors():
            self._write_one(_BEGIN, ingest_id=ingest_id, started_at=_now())
        try:
            with self._errors(), self._driver.session(database=self.database) as session, session.begin_transaction() as held:
                if held.run(_HOLD, ingest_id=ingest_id).single(strict=True)[0] != 1:
                    raise StoreError(f"ingest {ingest_id} was removed as abandoned by another process before it began; run it again")
                self._write(held, batch, record)
                held.run(
                    _COMMIT,
                    ingest_id=ingest_id,
                    source=record.source,
                    path=record.path,
                    content_hash=record.content_hash,
                    finished_at=record.finished_at,
                    report=json.dumps(record.report, sort_keys=True),
                ).consume()
                held.commit()
        except BaseException:
            # Best effort: what this leaves (the server went away, say) the next sweep removes.
            with contextlib.suppress(StoreError):
                self._discard(ingest_id)
            raise

    def _write(self, held: neo4j.Transaction, batch: IngestBatch, record: IngestRecord) -> None:
        """Every write of one ingest but the ledger's: tagged batches in their own transactions, the rest in ``held``."""
        ingest_id = record.ingest_id
        ties = batch.ties
        if not ties.empty:
            ties = merge_ties(ties) if ties.duplicated(TIE_KEY).any() else ties
            # Each distinct endpoint is looked up once; the ties take their element ids by code.
            codes, ids = pd.factorize(pd.concat([ties["source"], ties["target"]], ignore_index=True))
            if (codes < 0).any():  # a missing end would take another person's element id below
                raise StoreError(f"{int((codes < 0).sum()):,} tie ends have no person id: every tie needs a source and a target")
            elements = np.asarray(self._endpoints([str(person) for person in ids]), dtype=object)
            columns = _columns(ties[["period", "channel", "count", "weight"]])
            columns["source"] = elements[codes[: len(ties)]].tolist()
            columns["target"] = elements[codes[len(ties) :]].tolist()
            for stamp in ("first_seen", "last_seen"):
                columns[stamp] = timestamps_to_seconds(ties[stamp])
            self._tagged(_TIES, columns, ingest_id)
        self._tagged(_EXTERNAL_CONTACTS, _columns(batch.external_contacts), ingest_id)
        self._tagged(_FOLLOWERS, _columns(batch.followers.drop_duplicates()), ingest_id)
        engagement = batch.engagement.drop_duplicates(ENGAGEMENT_COLUMNS[:5])
        self._tagged(_ENGAGEMENT, _columns(engagement), ingest_id)
        self._tagged(_MESSAGE_KEYS, {"key": sorted(set(batch.message_keys))}, ingest_id)

        # The tables bounded by the organisation, in the transaction that commits the ingest.
        self._unwind(held, _SETTINGS, [{"name": k, "value": v} for k, v in batch.settings.items()])
        people = [_person_parameters(row) for row in person_rows(batch.people)]
        self._unwind(held, _PEOPLE, people)
        for field, leave, join in (("department", _LEAVE_DEPARTMENT, _JOIN_DEPARTMENT), ("manager_id", _LEAVE_MANAGER, None)):
            # One row per person with the last value given, as sequential upserts would leave it.
            latest = {row["person_id"]: row[field] for row in people if row[field] is not None}
            rows = [{"person_id": k, "value": v} for k, v in latest.items()]
            self._unwind(held, leave, rows)
            if join:
                self._unwind(held, join, rows)
        for chunk in chunks(sorted({row["person_id"] for row in people}), self.batch_size):
            held.run(_REPORTS_TO, ids=chunk).consume()
            held.run(_REPORTED_BY, ids=chunk).consume()
        self._unwind(held, _IDENTITIES, _maps(batch.identities))
        audiences = _maps(batch.audiences)
        self._unwind(held, _AUDIENCES, audiences)
        self._unwind(held, _OWNS, [row for row in audiences if row["owner_type"] == "person"])
        self._write_calendar(held, batch, record)

    def _endpoints(self, ids: Sequence[str]) -> list[str]:
        """The element id of the person node of each of ``ids``, in their order, creating bare ones for ids no roster listed."""
        elements: list[str] = []
        with self._driver.session(database=self.database) as session:
            for chunk in chunks(list(ids), self.batch_size):
                elements.extend(session.execute_write(_endpoint_elements, chunk))
        return elements

    def _tagged(self, cypher: str, columns: dict[str, list[Any]], ingest_id: str) -> None:
        """Send the rows given as ``columns`` (lists of equal length) in batches of their own transactions.

        Columns, not one map per row: the driver encodes a list of strings several times faster than as
        many maps repeating their keys. :attr:`writers` sessions send batches side by side, so that the
        server works on one while this process encodes the next (Neo4j 5 locks no node to create a
        relationship, so they do not wait for each other). Each batch is its own explicit transaction,
        sent again only after a transient error (which rolled it back): a lost connection fails the
        ingest rather than risk writing a batch twice. The first failure stops every writer.
        """
        size = len(next(iter(columns.values()), []))
        offsets = list(range(0, size, self.batch_size))
        failed = threading.Event()

        def send(mine: list[int]) -> None:
            with self._driver.session(database=self.database) as session:
                for offset in mine:
                    if failed.is_set():
                        return
                    part = {name: values[offset : offset + self.batch_size] for name, values in columns.items()}
                    for attempt in range(_TRANSIENT_RETRIES + 1):
                        try:
                            with session.begin_transaction() as tx:
                                tx.run(cypher, part, ingest=ingest_id).consume()
                                tx.commit()
                            break
                        except TransientError:
                            if attempt == _TRANSIENT_RETRIES:
                                failed.set()
                                raise
                        except BaseException:
                            failed.set()
                            raise

        shares = [offsets[k :: self.writers] for k in range(min(self.writers, len(offsets)))]
        if len(shares) <= 1:
            for mine in shares:
                send(mine)
            return
        with ThreadPoolExecutor(len(shares)) as pool:
            futures = [pool.submit(send, mine) for mine in shares]
            try:
                for done in futures:
                    done.result()
            except BaseException:  # a writer's error, or Ctrl-C here: the others stop after their batch
                failed.set()
                raise

    def _unwind(self, tx: neo4j.ManagedTransaction | neo4j.Transaction, cypher: str, rows: list[dict[str, Any]]) -> None:
        for chunk in chunks(rows, self.batch_size):
            tx.run(cypher, rows=chunk).consume()

    def sweep(self) -> list[str]:
        """Remove what ingests whose process died left: their tagged rows and their pending ledger line.

        An ingest still running holds the write lock of its ledger line until
        it commits; a dead one's lock went with its connection. So a pending
        line whose lock this takes within a second belongs to an abandoned
        ingest. Runs when a store opens; returns the ids of the ingests removed.
        """
        removed = []
        for (ingest_id,) in self._read(_PENDING):
            try:
                with self._driver.session(database=self.database) as session, session.begin_transaction(timeout=_PROBE_S) as probe:
                    if probe.run(_HOLD, ingest_id=ingest_id).single(strict=True)[0] != 1:
                        continue
                    probe.commit()
            except TransientError:  # a deadlock with the running ingest
                continue
            except ClientError as error:
                if error.code not in _LOCK_HELD:
                    raise
                continue  # the lock is held, by a running ingest
            self._discard(ingest_id)
            removed.append(ingest_id)
        return removed

    def _discard(self, ingest_id: str) -> None:
        """Remove the tagged rows of an ingest that did not commit, then its pending ledger line.

        Each removal is a statement of batched transactions (``CALL ... IN
        TRANSACTIONS``), so it needs no more memory than the ingest's batches
        did; the line goes last, so a removal cut short is finished by the
        next :meth:`sweep`. A committed ingest is never touched.
        """
        with self._errors():
            status = self._read(_STATUS, ingest_id=ingest_id)
            if not status or status[0][0] != "pending":
                return
            with self._driver.session(database=self.database) as session:
                for pattern in _TAGGED:
                    session.run(
                        f"MATCH {pattern} WHERE n.ingest = $ingest_id CALL (n) {{ DELETE n }} IN TRANSACTIONS OF {_REMOVE_BATCH} ROWS",
                        ingest_id=ingest_id,
                    ).consume()
            self._write_one(_FORGET, ingest_id=ingest_id)

    # -- the calendar ledger (orgnet.store.calendar) -------------------------------

    def calendar_events(self, series: Sequence[str] | None = None) -> pd.DataFrame:
        if series is None:
            return events_frame(self._read(f"MATCH (e:CalendarEvent) RETURN {_CALENDAR_EVENT_FIELDS}"))
        rows: list[list[Any]] = []
        for chunk in chunks(sorted(set(series)), self.batch_size):
            rows += self._read(_CALENDAR_STORED, values=chunk)
        return events_frame(rows)

    def _calendar_read(self, tx: neo4j.ManagedTransaction | neo4j.Transaction, cypher: str, values: list[str]) -> list[list[Any]]:
        """Rows of a read inside the write transaction, ``$values`` sent in batches."""
        rows: list[list[Any]] = []
        for chunk in chunks(sorted(set(values)), self.batch_size):
            rows += [list(record.values()) for record in tx.run(cypher, values=chunk)]
        return rows

    def _write_calendar(self, tx: neo4j.Transaction, batch: IngestBatch, record: IngestRecord) -> None:
        """The calendar ledger's step of an ingest (:func:`orgnet.store.calendar.plan_calendar`), in the transaction that commits it.

        The ledger itself (events and their contributions) is small and lives
        in that transaction. What a newer version takes back from the ties and
        contacts stored earlier is written as rows of its own tagged with this
        ingest, negative counts and weights: readers sum a key's rows over
        committed ingests and leave out keys whose count sums to nothing, so
        the change shows exactly when the ingest commits.
        """
        if batch.calendar_events.empty:
            return
        stored = events_frame(self._calendar_read(tx, _CALENDAR_STORED, batch.calendar_events["series"].tolist()))
        unit = batch.settings.get(SETTING_PERIOD_UNIT) or next(
            (value for (value,) in tx.run(_SETTING_VALUE, name=SETTING_PERIOD_UNIT).values()), "month"
        )
        if unit not in ("month", "week"):
            raise StoreError(f"the store's period unit is {unit!r}, neither month nor week")

        def contributions(keys: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
            return contribution_frames(
                self._calendar_read(tx, _CALENDAR_TIES_OF, list(keys)), self._calendar_read(tx, _CALENDAR_CONTACTS_OF, list(keys))
            )

        plan = plan_calendar(batch, stored, contributions, cast(PeriodUnit, unit))
        cleared = [{"key": key} for key in plan.cleared]
        self._unwind(tx, _CALENDAR_CLEAR_TIES, cleared)
        self._unwind(tx, _CALENDAR_CLEAR_CONTACTS, cleared)
        self._unwind(tx, _CALENDAR_EVENTS, [dict(zip(CALENDAR_EVENT_COLUMNS, row)) for row in event_rows(plan.events)])
        ties, contacts = contribution_rows(plan)
        self._unwind(tx, _CALENDAR_TIES, [dict(zip(CALENDAR_TIE_COLUMNS, row)) for row in ties])
        self._unwind(tx, _CALENDAR_CONTACTS, [dict(zip(CALENDAR_CONTACT_COLUMNS, row)) for row in contacts])
        for cypher, changes in ((_TIE_CHANGES, plan.tie_changes), (_CONTACT_CHANGES, plan.contact_changes)):
            for chunk in chunks(_maps(changes), self.batch_size):
                tx.run(cypher, rows=chunk, ingest=record.ingest_id).consume()
        # Set, not added: a transaction the driver reruns must not count twice.
        record.report.setdefault("counts", {}).update(plan.counts)

    def _write_one(self, cypher: str, **parameters: Any) -> list[list[Any]]:
        """One statement in its own write transaction; returns its rows."""
        with self._errors():
            records = self._driver.execute_query(cypher, parameters, database_=self.database).records
        return [list(record.values()) for record in records]

    def put_results(self, results: Sequence[StoredResult]) -> None:
        rows = [
            {"job": r.job, "snapshot": r.snapshot, "by": r.by, "version": r.version, "fields": r.fields, "tables": r.tables}
            for r in results
        ]
        self._write_one(
            "UNWIND $rows AS row MERGE (r:JobResult {job: row.job, snapshot: row.snapshot, by: row.by}) "
            "SET r.version = row.version, r.fields = row.fields, r.tables = row.tables, r.created_at = $created_at",
            rows=rows,
            created_at=_now(),
        )

    def get_result(self, job: str, snapshot: str, by: str = "") -> StoredResult | None:
        rows = self._read(
            "MATCH (r:JobResult {job: $job, snapshot: $snapshot, by: $by}) RETURN r.version, r.fields, r.tables, r.created_at",
            job=job,
            snapshot=snapshot,
            by=by,
        )
        if not rows:
            return None
        version, fields, tables, created = rows[0]
        # A migrated version-0 marker holds an empty string where a written result holds bytes.
        return StoredResult(
            job, snapshot, by, int(version), fields, bytes(tables) if isinstance(tables, (bytes, bytearray)) else b"", created
        )

    def results(self) -> pd.DataFrame:
        rows = self._read("MATCH (r:JobResult) RETURN r.job, r.snapshot, r.by, r.version, r.created_at ORDER BY r.snapshot, r.job, r.by")
        return pd.DataFrame.from_records([tuple(row) for row in rows], columns=list(RESULT_INDEX_COLUMNS))

    def put_document(self, kind: str, key: str, payload: str) -> None:
        self._write_one(
            "MERGE (d:Document {kind: $kind, key: $key}) SET d.payload = $payload, d.created_at = $created_at",
            kind=kind,
            key=key,
            payload=payload,
            created_at=_now(),
        )

    def get_document(self, kind: str, key: str) -> str | None:
        rows = self._read("MATCH (d:Document {kind: $kind, key: $key}) RETURN d.payload", kind=kind, key=key)
        return rows[0][0] if rows else None

    def document_keys(self, kind: str) -> list[str]:
        return [row[0] for row in self._read("MATCH (d:Document {kind: $kind}) RETURN d.key ORDER BY d.key", kind=kind)]

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
# What a newer calendar version takes back: rows of their own, tagged with the ingest (see _write_calendar).
_TIE_CHANGES = """
UNWIND $rows AS row
MATCH (s:Person {person_id: row.source}), (d:Person {person_id: row.target})
CREATE (s)-[:INTERACTED {period: row.period, channel: row.channel, count: row.count, weight: row.weight, ingest: $ingest}]->(d)
"""
_CONTACT_CHANGES = """
UNWIND $rows AS row
CREATE (:ExternalContact {person_id: row.person_id, period: row.period, channel: row.channel, count: row.count, ingest: $ingest})
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


def _columns(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """The columns of ``frame`` as lists of plain Python values (``None`` for missing), vectorised."""
    return {name: frame[name].astype(object).where(frame[name].notna(), None).tolist() for name in frame.columns}


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _record(row: list[Any]) -> IngestRecord:
    ingest_id, source, path, content_hash, finished_at, report = row
    return IngestRecord(ingest_id, source, path, content_hash, finished_at, json.loads(report))


def _first_line(error: object) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
