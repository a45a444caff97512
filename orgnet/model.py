"""orgnet's data model: the tables every part of the pipeline agrees on.

Data flows one way: ``ingest/`` turns a source file into an :class:`IngestBatch`
of these tables, a store keeps them, ``orgnet.graph`` builds NetworkX graphs
from them and the jobs turn graphs into results.

Tables are pandas DataFrames with fixed columns, so that ingesters, stores and
jobs can stay vectorised. The column lists below are the contract:

``people``
    One row per person. ``person_id`` is stable across sources; ``name`` is
    ``None`` when identities are pseudonymised; ``manager_id`` refers to
    another ``person_id``; ``hire_date`` is an ISO date string. Extra HR
    attributes (level, cost centre, a Viva ``Organization``...) live in
    ``attributes``, a dict of strings, and are flattened into their own
    columns by :meth:`orgnet.store.Store.people`.
``identities``
    Every address or handle that names a person: ``identity`` (normalised,
    lower case, or its keyed hash when pseudonymised) -> ``person_id``.
``ties``
    Interactions aggregated per (``source``, ``target``, ``period``,
    ``channel``): ``count`` interactions, their summed ``weight``, and the
    ``first_seen``/``last_seen`` timestamps (UTC). Self-ties never exist.
``external_contacts``
    Interactions with addresses outside the organisation's domains, kept only
    as counts per (``person_id``, ``period``, ``channel``).
``audiences``
    External social accounts: (``owner_type``, ``owner``, ``platform``) with a
    ``follower_count``. ``owner_type`` is ``person`` (``owner`` is a
    ``person_id``) or ``brand`` (``owner`` is the company account's name).
``followers``
    Follower identifiers of those accounts, only as hashes keyed with the
    hashing key (``follower_hash``, :class:`orgnet.privacy.HashKey`), when a
    source gives them.
``engagement``
    Advocacy actions: ``person_id``, ``date`` (ISO date), ``action``
    (``share``, ``post``, ``comment``, ``like``...), ``content_id``,
    ``platform`` and optional ``clicks``/``impressions``.
``calendar_events``
    The calendar ledger: one row per calendar event (``key``, a keyed hash
    of its ``UID`` and ``RECURRENCE-ID``; ``series``, that of its ``UID``
    alone), with the version kept (``sequence``, ``stamp`` the ``DTSTAMP``
    as ISO text or ``""``, ``cancelled``), ``recurrence`` (the
    ``RECURRENCE-ID`` as ISO text, ``None`` for a series or a single event)
    and ``occurrences`` (the list of ISO start times it counted).
``calendar_ties``, ``calendar_contacts``
    What each calendar event (``key``) added to the ties (``count`` and
    ``weight`` per tie key) and to the external contacts, so that a newer
    version can take it back.

Message bodies, subjects and file names never enter any of these tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Only annotations and empty_frame need pandas: the command line reads these names without paying for it.
    import pandas as pd

__all__ = [
    "AUDIENCE_COLUMNS",
    "CALENDAR_CONTACT_COLUMNS",
    "CALENDAR_EVENT_COLUMNS",
    "CALENDAR_TIE_COLUMNS",
    "CORE_PERSON_FIELDS",
    "EDGE_COLUMNS",
    "ENGAGEMENT_COLUMNS",
    "EXTERNAL_CONTACT_COLUMNS",
    "FOLLOWER_COLUMNS",
    "IDENTITY_COLUMNS",
    "PERSON_COLUMNS",
    "RESULT_INDEX_COLUMNS",
    "RUN_STATUSES",
    "TIE_COLUMNS",
    "TIE_KEY",
    "ApiKey",
    "AuditEntry",
    "IngestBatch",
    "IngestRecord",
    "IngestReport",
    "ScheduleRun",
    "StoredResult",
    "empty_frame",
    "person_names",
]

#: Person fields every source may fill; anything else is an HR attribute.
CORE_PERSON_FIELDS = (
    "person_id",
    "name",
    "email",
    "department",
    "title",
    "manager_id",
    "location",
    "hire_date",
)
PERSON_COLUMNS = [*CORE_PERSON_FIELDS, "attributes"]
IDENTITY_COLUMNS = ["identity", "person_id"]
#: One directed person-to-person contribution before aggregation.
EDGE_COLUMNS = ["source", "target", "timestamp", "channel", "weight"]
TIE_KEY = ["source", "target", "period", "channel"]
TIE_COLUMNS = [*TIE_KEY, "count", "weight", "first_seen", "last_seen"]
EXTERNAL_CONTACT_COLUMNS = ["person_id", "period", "channel", "count"]
AUDIENCE_COLUMNS = ["owner_type", "owner", "platform", "follower_count"]
FOLLOWER_COLUMNS = ["owner_type", "owner", "platform", "follower_hash"]
ENGAGEMENT_COLUMNS = [
    "person_id",
    "date",
    "action",
    "content_id",
    "platform",
    "clicks",
    "impressions",
]
CALENDAR_EVENT_COLUMNS = ["key", "series", "recurrence", "sequence", "stamp", "cancelled", "occurrences"]
CALENDAR_TIE_COLUMNS = ["key", *TIE_KEY, "count", "weight"]
CALENDAR_CONTACT_COLUMNS = ["key", *EXTERNAL_CONTACT_COLUMNS]


def empty_frame(columns: list[str]) -> pd.DataFrame:
    """Return an empty DataFrame with exactly ``columns``."""
    import pandas as pd

    return pd.DataFrame({column: pd.Series(dtype="object") for column in columns})


def person_names(people: pd.DataFrame) -> dict[str, str]:
    """``person_id`` -> ``name`` of the people a people table names (none in a pseudonymised store), to show names
    beside ids."""
    return {str(i): str(n) for i, n in zip(people["person_id"], people["name"]) if isinstance(n, str) and n}


@dataclass
class IngestReport:
    """What one ingest read, kept, dropped and could not place.

    ``counts`` holds named figures (``rows``, ``interactions``, ``ties``,
    ``broadcasts_dropped``, ``external_interactions``...);
    ``unknown_internal`` counts addresses inside the organisation's domains
    that no roster person carries; ``notes`` are sentences for the user;
    ``first_date``/``last_date`` (ISO 8601 UTC) span the instants accepted.
    """

    source: str
    path: str
    counts: dict[str, int] = field(default_factory=dict)
    unknown_internal: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    rejects: int = 0
    rejects_path: str | None = None
    skipped: bool = False
    ingest_id: str | None = None
    first_date: str | None = None
    last_date: str | None = None

    def add(self, name: str, value: int) -> None:
        """Add ``value`` to the figure ``name``."""
        self.counts[name] = self.counts.get(name, 0) + int(value)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "source": self.source,
            "path": self.path,
            "counts": dict(self.counts),
            "unknown_internal": dict(self.unknown_internal),
            "notes": list(self.notes),
            "rejects": self.rejects,
            "rejects_path": self.rejects_path,
            "skipped": self.skipped,
            "ingest_id": self.ingest_id,
            "first_date": self.first_date,
            "last_date": self.last_date,
        }


@dataclass
class IngestBatch:
    """Everything one source file adds to the store, applied in one transaction.

    Every table is optional (empty by default); ``message_keys`` are keyed
    hashes of e-mail Message-IDs, so that a message seen in several mailboxes
    counts once even across ingests. The calendar tables are the calendar
    ledger (see the module docstring): ``ties`` and ``external_contacts``
    already hold the sum of ``calendar_ties`` and ``calendar_contacts`` (and
    of the events without a ``UID``, which the ledger cannot hold), and the
    store takes back what a version it keeps instead had added.
    """

    people: pd.DataFrame = field(default_factory=lambda: empty_frame(PERSON_COLUMNS))
    identities: pd.DataFrame = field(default_factory=lambda: empty_frame(IDENTITY_COLUMNS))
    ties: pd.DataFrame = field(default_factory=lambda: empty_frame(TIE_COLUMNS))
    external_contacts: pd.DataFrame = field(default_factory=lambda: empty_frame(EXTERNAL_CONTACT_COLUMNS))
    audiences: pd.DataFrame = field(default_factory=lambda: empty_frame(AUDIENCE_COLUMNS))
    followers: pd.DataFrame = field(default_factory=lambda: empty_frame(FOLLOWER_COLUMNS))
    engagement: pd.DataFrame = field(default_factory=lambda: empty_frame(ENGAGEMENT_COLUMNS))
    message_keys: list[str] = field(default_factory=list)
    calendar_events: pd.DataFrame = field(default_factory=lambda: empty_frame(CALENDAR_EVENT_COLUMNS))
    calendar_ties: pd.DataFrame = field(default_factory=lambda: empty_frame(CALENDAR_TIE_COLUMNS))
    calendar_contacts: pd.DataFrame = field(default_factory=lambda: empty_frame(CALENDAR_CONTACT_COLUMNS))
    #: Store-wide settings this ingest fixes (period unit, organisation domains, pseudonym key fingerprint).
    settings: dict[str, str] = field(default_factory=dict)


@dataclass
class IngestRecord:
    """One line of the ingest ledger: which file (by content hash) went in, when, and its report."""

    ingest_id: str
    source: str
    path: str
    content_hash: str
    finished_at: str
    report: dict[str, Any] = field(default_factory=dict)


@dataclass
class ApiKey:
    """An API key as stored: only its SHA-256 ``key_hash``, never the key.

    ``role`` is ``admin``, ``analyst``, ``comms`` or ``viewer``; ``revoked_at``
    is set once the key is revoked.
    """

    key_id: str
    key_hash: str
    role: str
    name: str
    created_at: str
    revoked_at: str | None = None


@dataclass
class AuditEntry:
    """One read of person-level data: who (``key_id``, ``role``), what (``action``, ``target``) and when."""

    at: str
    key_id: str
    role: str
    action: str
    target: str


#: What a scheduled run can be: under way, done, failed (``detail`` says why), or refused because another run of its job was under way.
RUN_STATUSES = ("running", "succeeded", "failed", "skipped")


@dataclass
class ScheduleRun:
    """One run of a scheduled job (:mod:`orgnet.schedule`): when it was due, when it ran, and how it ended.

    ``status`` is one of :data:`RUN_STATUSES`; ``finished_at`` is ``None``
    while it runs; ``detail`` is the reason of a failure or a skip, or a
    short account of what a successful run did. Times are ISO-8601 UTC strings.
    """

    run_id: str
    job: str
    scheduled_for: str
    started_at: str
    status: str
    finished_at: str | None = None
    detail: str = ""


#: Columns of a store's index of stored results (:meth:`orgnet.store.Store.results`).
RESULT_INDEX_COLUMNS = ("job", "snapshot", "by", "version", "created_at")


@dataclass(frozen=True)
class StoredResult:
    """One job's result as a store keeps it, keyed by (``job``, ``snapshot``, ``by``).

    ``by`` is the grouping attribute of a job that depends on it, ``""`` for
    the others; ``version`` is the job's schema version when it was written
    (0 marks a result an older orgnet wrote in a layout this one cannot
    read). ``fields`` is the JSON object of the record's small fields and
    ``tables`` its tables as Arrow IPC streams, framed one after the other
    (:mod:`orgnet.results` writes and reads both); stores keep them as they are.
    """

    job: str
    snapshot: str
    by: str
    version: int
    fields: str
    tables: bytes
    created_at: str = ""
