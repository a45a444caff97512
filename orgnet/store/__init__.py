"""Stores: where orgnet keeps people, ties, audiences, engagement and results.

:class:`Store` is the protocol every store implements; it speaks orgnet's
data (tables of :mod:`orgnet.model`), never SQL or Cypher. Two stores exist:

* :class:`orgnet.store.sqlite.SQLiteStore`, the embedded default: one SQLite
  file in WAL mode, no server;
* a Neo4j store over Bolt, chosen by a ``bolt://`` or ``neo4j://`` location.

:func:`open_store` picks one from a location string, or the settings' store
(``ORGNET_STORE``, else ``./orgnet.db``; see :mod:`orgnet.settings`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, Self, runtime_checkable

from orgnet.errors import StoreError
from orgnet.model import ApiKey, AuditEntry, IngestBatch, IngestRecord, ScheduleRun, StoredResult

if TYPE_CHECKING:
    # Annotations only: the command line imports this module to name the store option without loading pandas.
    import pandas as pd

    from orgnet.settings import Settings
    from orgnet.store.columns import TieColumns

__all__ = ["BOLT_SCHEMES", "DEFAULT_STORE", "Store", "is_bolt_location", "open_store"]

DEFAULT_STORE = "orgnet.db"
BOLT_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")

#: Settings a store keeps (see :attr:`orgnet.model.IngestBatch.settings`).
SETTING_PERIOD_UNIT = "period_unit"
SETTING_DOMAINS = "domains"
SETTING_PSEUDONYM = "pseudonym_fingerprint"
#: The fingerprint of the hashing key (:class:`orgnet.privacy.HashKey`), never the key.
SETTING_HASH_KEY = "hash_key_fingerprint"
#: The salt an orgnet before the hashing key kept in the store, beside the hashes it salted.
SETTING_FOLLOWER_SALT = "follower_salt"


@runtime_checkable
class Store(Protocol):
    """What orgnet needs from a store.

    Reads return DataFrames with the columns of :mod:`orgnet.model`; writes of
    ingested data happen only through :meth:`apply`, one transaction per
    ingest, so a failed ingest leaves the store as it was.
    """

    location: str

    def close(self) -> None:
        """Release connections."""

    def __enter__(self) -> Self:
        """The store itself, so that ``with open_store(...) as store:`` closes it on the way out."""

    def __exit__(self, *exc: object) -> None:
        """Close the store (:meth:`close`), whether the block ended or raised."""

    def settings(self) -> dict[str, str]:
        """Store-wide settings (period unit, organisation domains, the fingerprints of the pseudonym and hashing keys)."""

    def people(self) -> pd.DataFrame:
        """People, one row each: :data:`~orgnet.model.CORE_PERSON_FIELDS` then one column per HR attribute."""

    def person_ids(self) -> set[str]:
        """The ids of every person (cheaper than :meth:`people` when only the ids matter)."""

    def identities(self) -> pd.DataFrame:
        """Identity -> person_id pairs (:data:`~orgnet.model.IDENTITY_COLUMNS`)."""

    def ties(
        self,
        start: str | None = None,
        end: str | None = None,
        channels: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Ties of the periods from ``start`` to ``end`` inclusive, sorted by key (:data:`~orgnet.model.TIE_COLUMNS`).

        The same ties as :meth:`tie_columns`, as a DataFrame (``tie_columns(...).frame()``).
        """

    def tie_columns(
        self,
        start: str | None = None,
        end: str | None = None,
        channels: Sequence[str] | None = None,
    ) -> TieColumns:
        """Ties of the periods from ``start`` to ``end`` inclusive as columns: person codes and a person-id dictionary,
        integer timestamps (:class:`~orgnet.store.columns.TieColumns`); what graphs are built from."""

    def neighbourhood(self, person: str, hops: int, start: str | None = None, end: str | None = None) -> TieColumns:
        """The ties of the periods ``start`` to ``end`` with an end within ``hops`` ties (either direction) of ``person``.

        Equal to ``tie_columns(start, end).touching([person], hops)``
        (:meth:`~orgnet.store.columns.TieColumns.touching`), read without
        handing every tie of the periods over where the store can search
        its ties by person. What an ego view of radius ``hops`` is built from.
        """

    def periods(self) -> list[str]:
        """Period labels that hold ties, sorted."""

    def external_contacts(self, start: str | None = None, end: str | None = None) -> pd.DataFrame:
        """Counts of interactions with external addresses per person, period and channel."""

    def audiences(self) -> pd.DataFrame:
        """External accounts and follower counts (:data:`~orgnet.model.AUDIENCE_COLUMNS`)."""

    def followers(self) -> pd.DataFrame:
        """Hashed follower identifiers per account (:data:`~orgnet.model.FOLLOWER_COLUMNS`)."""

    def engagement(self, start: str | None = None, end: str | None = None) -> pd.DataFrame:
        """Advocacy actions dated within the periods ``start`` to ``end`` inclusive."""

    def known_message_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of these hashed e-mail Message-IDs earlier ingests already counted."""

    def calendar_events(self, series: Sequence[str] | None = None) -> pd.DataFrame:
        """The calendar ledger's entries (:data:`~orgnet.model.CALENDAR_EVENT_COLUMNS`) of these series (hashed ``UID`` s), or all, sorted by key.

        :meth:`apply` keeps the ledger: per event the version kept and what
        it added to the ties, taken back when a newer version or a
        cancellation arrives (:mod:`orgnet.store.calendar`).
        """

    def find_ingest(self, source: str, content_hash: str) -> IngestRecord | None:
        """The ledger entry of an earlier ingest of the same content by the same ingester, if any."""

    def ingests(self) -> list[IngestRecord]:
        """The ingest ledger, oldest first."""

    def counts(self) -> dict[str, int]:
        """Row counts: people, identities, ties, periods, audiences, followers, engagement, ingests, results (stored job results)."""

    def apply(self, batch: IngestBatch, record: IngestRecord) -> None:
        """Write one ingest atomically: every table of ``batch`` and its ledger ``record``, or nothing.

        The counts of the calendar ledger's decisions (``merged_with_store``,
        ``replaced_in_store``, ``occurrences_overridden``) are set in
        ``record.report["counts"]`` before the record is written.
        """

    def put_results(self, results: Sequence[StoredResult]) -> None:
        """Store (or replace) these results, each keyed by (``job``, ``snapshot``, ``by``), all in one transaction or none.

        ``created_at`` is set by the store (each result's own is ignored).
        """

    def get_result(self, job: str, snapshot: str, by: str = "") -> StoredResult | None:
        """The result stored for (``job``, ``snapshot``, ``by``), or ``None``."""

    def results(self) -> pd.DataFrame:
        """The index of stored results: ``job``, ``snapshot``, ``by``, ``version``, ``created_at``."""

    def put_document(self, kind: str, key: str, payload: str) -> None:
        """Store (or replace) the JSON ``payload`` of the document ``key`` of ``kind`` (a registered report, a schedule rule)."""

    def get_document(self, kind: str, key: str) -> str | None:
        """The JSON payload of document ``key`` of ``kind``, or ``None``."""

    def document_keys(self, kind: str) -> list[str]:
        """The keys of every document of ``kind``, sorted."""

    def add_api_key(self, key: ApiKey) -> None:
        """Record a new API key (its hash only)."""

    def api_keys(self) -> list[ApiKey]:
        """Every API key, revoked ones included, oldest first."""

    def find_api_key(self, key_hash: str) -> ApiKey | None:
        """The key with this hash, revoked or not, or ``None``."""

    def revoke_api_key(self, key_id: str, revoked_at: str) -> bool:
        """Revoke a key; ``False`` when no live key has this id."""

    def append_audit(self, entries: Sequence[AuditEntry]) -> None:
        """Append reads of person-level data to the audit log, all or none.

        Safe to call from a thread of its own while other threads read and
        write: it must not make them wait (the service's audit writer calls it).
        Raises :class:`~orgnet.errors.StoreBusy` when another writer holds
        the store past the store's own wait, so the caller may try again.
        """

    def audit_log(self, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
        """Audit entries, newest first."""

    def claim_run(self, job: str, run_id: str, scheduled_for: str, started_at: str, stale_before: str) -> bool:
        """Start run ``run_id`` of ``job`` unless another run of it is under way, atomically.

        A ``running`` run that started before ``stale_before`` is taken as
        abandoned (its process died) and marked ``failed``. The run is
        recorded either way: ``running`` and ``True`` when claimed,
        ``skipped`` (naming the run under way) and ``False`` otherwise.
        """

    def finish_run(self, run_id: str, status: str, finished_at: str, detail: str = "") -> None:
        """Record how run ``run_id`` ended (``succeeded`` or ``failed``, with ``detail``)."""

    def runs(self, job: str | None = None, limit: int = 50) -> list[ScheduleRun]:
        """Scheduled runs (of ``job``, or of every job), newest first."""


def is_bolt_location(location: str) -> bool:
    """True when ``location`` names a Neo4j server rather than a file."""
    return location.lower().startswith(BOLT_SCHEMES)


def open_store(location: str | os.PathLike[str] | None = None, *, settings: Settings | None = None) -> Store:
    """Open the store at ``location`` (a file path or a Bolt URI).

    Parameters
    ----------
    location : path of an SQLite file, or ``bolt://``/``neo4j://`` URI. When
        ``None``, the settings' ``store`` (``ORGNET_STORE``, else ``./orgnet.db``).
    settings : the :class:`~orgnet.settings.Settings` to take the location and
        the Neo4j credentials from; read from the environment when ``None``.

    Returns
    -------
    An open :class:`Store`; the caller closes it, best with ``with open_store(...) as store:``.
    """
    from orgnet.settings import load_settings

    if location is None:
        settings = settings or load_settings()
        where = settings.store
    else:
        where = str(location)
    if is_bolt_location(where):
        try:
            from orgnet.store.neo4j import Neo4jStore
        except ImportError as error:  # the Neo4j store lands with its own issue
            raise StoreError(f"cannot open {where}: the Neo4j store is not available ({error})") from error
        return Neo4jStore.connect(where, settings or load_settings())
    from orgnet.store.sqlite import SQLiteStore

    return SQLiteStore(where)
