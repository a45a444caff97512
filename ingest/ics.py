"""Calendar ingester: meetings from ICS files (one file or a folder of them), each meeting counted once.

Each meeting is a ``meeting`` interaction on channel ``meeting`` of its
``ORGANIZER`` and ``ATTENDEE`` addresses, ``duration_hours`` long
(``DTSTART`` to ``DTEND``, or ``DURATION``). The shared path
(:func:`orgnet.ingest.edges.add_interactions`) resolves the addresses
(``mailto:`` included), drops meetings above ``meeting_cutoff`` attendees and
gives each ordered pair of the ``n`` attendees ``duration_hours/(n-1)``.

The steps, each in its own module:

* :mod:`~orgnet.ingest.ics_parse` reads each file (UTF-8, else Windows-1252
  or ISO-8859-1, and says so) into the few properties orgnet uses: ``SUMMARY``,
  ``DESCRIPTION`` and ``LOCATION`` are never read. A file that cannot be read
  is one rejected item with ``--skip-bad-rows``, and the folder's other files
  go in; without it, that file is the error that stops the ingest.
* :mod:`~orgnet.ingest.ics_events` turns each ``VEVENT`` into a version of an
  event (its ``UID``, plus ``RECURRENCE-ID`` for a moved occurrence) and keeps
  the newest version of each across every file; personal time (all-day,
  without attendees, one person only, longer than ``--max-event-hours``) and
  cancelled events count for nothing and are counted by kind, never bad rows.
  Replies (``METHOD:REPLY``, ``COUNTER``...) are not versions and are skipped.
* :mod:`~orgnet.ingest.ics_recurrence` expands series up to the horizon
  (``--until``, else the end of the last period any meeting of the files
  starts in), within a budget of occurrences and of time per event;
  :mod:`~orgnet.ingest.ics_zones` gives each ``TZID`` its zone, UTC (and
  named in the report) when unknown.

The batch carries, beside the ties, a ledger entry per event (keyed hashes of
its identity, its version, its occurrences) and what it added to each tie, so
that the store keeps one version of each event across ingests too: a newer
version replaces what an older one added, an older or equal one adds nothing
(:mod:`orgnet.store.calendar`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from orgnet.aggregate import merge_ties
from orgnet.ingest.base import IngestContext
from orgnet.ingest.dates import utc_instants
from orgnet.ingest.edges import add_interactions
from orgnet.ingest.files import folder_files
from orgnet.ingest.ics_events import EventVersion, event_key, newest, read_event, utc_text
from orgnet.ingest.ics_parse import CalendarFile, Unreadable, read_calendar
from orgnet.ingest.ics_recurrence import Budget, expand
from orgnet.ingest.ics_zones import Zones
from orgnet.model import (
    CALENDAR_CONTACT_COLUMNS,
    CALENDAR_EVENT_COLUMNS,
    CALENDAR_TIE_COLUMNS,
    EXTERNAL_CONTACT_COLUMNS,
    IngestBatch,
    IngestReport,
)
from orgnet.periods import period_codes, period_dates
from orgnet.privacy import HashKey

__all__ = ["CHANNEL", "read"]

CHANNEL = "meeting"
#: Calendar methods whose events answer an invitation rather than being a version of the event (RFC 5546).
_NOT_VERSIONS = {"REPLY", "COUNTER", "DECLINECOUNTER", "REFRESH"}
#: The report figure of each kind of version that counts for nothing.
_SKIP_COUNTS = {
    "cancelled": "cancelled_skipped",
    "all_day": "all_day_skipped",
    "no_attendees": "no_attendees_skipped",
    "organiser_only": "organiser_only_skipped",
    "too_long": "long_events_dropped",
}
#: How many names a note lists before it says how many more.
_NAMED = 5


def read(path: Path, context: IngestContext) -> IngestBatch:
    """Read meetings from an ICS file or a folder of ``.ics`` files (searched recursively, links never followed).

    Parameters
    ----------
    path : the ``.ics`` file or the folder.
    context : the ingest context (``meeting_cutoff``, ``until``,
        ``max_event_hours``, period unit, resolver; ``hash_key`` keys the
        event hashes).

    Returns
    -------
    :class:`~orgnet.model.IngestBatch` with ``ties`` on channel ``meeting``,
    ``external_contacts`` and the calendar ledger (``calendar_events``,
    ``calendar_ties``, ``calendar_contacts``).

    Notes
    -----
    Bad rows name their file and the ``BEGIN:VEVENT`` line of the event: no
    ``DTSTART``, an unreadable value (``SEQUENCE``, a date, a rule), an end
    before the start, a meeting outside the accepted dates. Report counts:
    ``files`` (``files_rejected``), ``events`` (every ``VEVENT``),
    ``replies_skipped``, ``copies_merged`` (versions of an event beside the
    one kept), ``without_uid`` (cannot be matched: always count), the skips
    of :data:`_SKIP_COUNTS`, ``declined_dropped``, ``resources_dropped``,
    ``without_end`` (one hour), ``recurring`` series, ``occurrences``,
    ``occurrences_capped`` and ``expansions_timed_out`` (budget hits), then
    the shared path's ``interactions``, ``large_meetings_dropped``,
    ``ties``...; the store adds ``merged_with_store``, ``replaced_in_store``
    and ``occurrences_overridden``.
    """
    if path.is_dir():
        files = folder_files(path, (".ics",), context.report)
        if not files:
            raise context.problems.fatal(path, "no .ics file found in the folder")
    else:
        files = [path]
    budget = Budget()
    versions = _read_files(path, files, context, budget)
    kept = _newest_versions(versions, context.report)
    horizon = _horizon(kept, context)
    meetings, occurrences = _meetings(kept, horizon, budget, context)
    keys = _Keys(context.hash_key)
    batch = IngestBatch()
    _add_meetings(meetings, occurrences, keys, context, batch)
    batch.calendar_events = _ledger(kept, meetings, occurrences, keys)
    return batch


def _read_files(folder: Path, files: list[Path], context: IngestContext, budget: Budget) -> list[EventVersion]:
    """Every readable version of every file; unreadable files are rejected items (or stop the ingest)."""
    report, problems = context.report, context.problems
    latest = dt.datetime.combine(context.dates.latest, dt.time.max, tzinfo=dt.UTC)
    versions: list[EventVersion] = []
    rejected: list[Path] = []
    unknown: set[str] = set()
    other_encodings: list[str] = []
    repeated: Counter[str] = Counter()
    for file in files:
        try:
            calendar = read_calendar(file)
        except Unreadable as error:
            if not context.options.skip_bad_rows:
                raise problems.fatal(file, error.reason) from None
            problems.add(file, error.line, error.reason)
            rejected.append(file)
            continue
        zones = Zones([tz for cal in calendar.calendars for tz in cal.children if tz.name == "VTIMEZONE"], latest, budget)
        versions += _file_versions(file, calendar, zones, context)
        unknown |= zones.unknown
        report.add("lines_ignored", calendar.lines_ignored)
        if calendar.encoding != "utf-8":
            other_encodings.append(f"{file.name} ({calendar.encoding})")
    report.add("files", len(files))
    report.add("files_rejected", len(rejected))
    if rejected and len(rejected) == len(files):
        raise problems.fatal(folder, "no calendar file could be read")
    for version in versions:
        repeated.update(version.repeated)
    report.add("repeated_properties", sum(bool(version.repeated) for version in versions))
    _note(report, other_encodings, "not UTF-8, read in the encoding named")
    _note(report, [f"{tzid!r}" for tzid in sorted(unknown)], "unknown TZID, its times taken as UTC")
    _note(report, [f"{name} ({count})" for name, count in repeated.most_common()], "given more than once in one event, the first taken")
    report.add("unknown_tzids", len(unknown))
    return versions


def _file_versions(file: Path, calendar: CalendarFile, zones: Zones, context: IngestContext) -> list[EventVersion]:
    """The versions of one file's events; events that cannot be read are bad rows on their ``BEGIN:VEVENT`` line."""
    report, problems, dates = context.report, context.problems, context.dates
    versions = []
    for component in calendar.calendars:
        declared = component.first("METHOD")
        method = (declared.value if declared else "").strip().upper()
        events = [child for child in component.children if child.name == "VEVENT"]
        report.add("events", len(events))
        if method in _NOT_VERSIONS:
            report.add("replies_skipped", len(events))
            continue
        for event in events:
            version = read_event(event, method, str(file), zones, context.options.max_event_hours)
            if isinstance(version, str):
                problems.add(file, event.line, version)
            elif version.kind == "meeting" and dates.outside_seconds(version.first.timestamp()):
                problems.add(file, event.line, dates.reason("DTSTART", version.first.isoformat()))
            else:
                versions.append(version)
    return versions


def _newest_versions(versions: list[EventVersion], report: IngestReport) -> list[EventVersion]:
    """One version per event identity (the newest; first read on a tie), and every event without a ``UID``."""
    copies: dict[tuple[str, dt.datetime | None], list[EventVersion]] = {}
    without_uid = []
    for version in versions:
        if version.uid is None:
            without_uid.append(version)
        else:
            copies.setdefault((version.uid, version.recurrence), []).append(version)
    report.add("copies_merged", sum(len(found) - 1 for found in copies.values()))
    report.add("without_uid", len(without_uid))
    return [newest(found) for found in copies.values()] + without_uid


def _horizon(kept: list[EventVersion], context: IngestContext) -> dt.datetime:
    """The last instant (UTC) series expand to: the end of ``--until``, else of the last period a meeting starts in.

    Never after the last accepted date, so that no occurrence is refused.
    """
    latest = dt.datetime.combine(context.dates.latest, dt.time.max, tzinfo=dt.UTC)
    if context.options.until is not None:
        return min(dt.datetime.combine(context.options.until, dt.time.max, tzinfo=dt.UTC), latest)
    starts = [version.first for version in kept if version.kind == "meeting"]
    if not starts:
        return latest
    _, labels = period_codes(utc_instants([max(starts)]), context.options.period_unit)
    last_day = dt.date.fromisoformat(period_dates(str(labels[0]))[1])
    return min(dt.datetime.combine(last_day, dt.time.max, tzinfo=dt.UTC), latest)


def _meetings(
    kept: list[EventVersion], horizon: dt.datetime, budget: Budget, context: IngestContext
) -> tuple[list[EventVersion], list[list[dt.datetime]]]:
    """The versions that count as meetings, each with its occurrences (UTC); the others counted by kind."""
    report = context.report
    cancelled_series = {v.uid for v in kept if v.kind == "cancelled" and v.recurrence is None and v.uid is not None}
    overridden: dict[str, set[dt.datetime]] = {}
    for version in kept:
        if version.recurrence is not None and version.uid is not None:
            overridden.setdefault(version.uid, set()).add(version.recurrence)
    for name in (*_SKIP_COUNTS.values(), "declined_dropped", "resources_dropped", "without_end", "recurring", "occurrences"):
        report.add(name, 0)
    meetings, occurrences = [], []
    for version in kept:
        # Every occurrence of a cancelled series is cancelled, those moved to their own VEVENT too (RFC 5546).
        kind = "cancelled" if version.kind == "meeting" and version.uid in cancelled_series else version.kind
        if kind != "meeting":
            report.add(_SKIP_COUNTS[kind], 1)
            continue
        if version.recurring:
            try:
                expansion = expand(
                    version.start,  # type: ignore[arg-type]
                    version.rules,
                    version.rdates,
                    version.exdates,
                    horizon,
                    overridden.get(version.uid or "", set()),
                    budget,
                )
            except ValueError as error:
                context.problems.add(version.file, version.line, str(error))
                continue
            report.add("recurring", 1)
            report.add("occurrences", len(expansion.starts))
            report.add("occurrences_capped", int(expansion.capped))
            report.add("expansions_timed_out", int(expansion.timed_out))
            starts = expansion.starts
        else:
            starts = [version.first]
        report.add("declined_dropped", version.declined)
        report.add("resources_dropped", version.resources)
        report.add("without_end", int(math.isnan(version.hours)))
        meetings.append(version)
        occurrences.append(starts)
    return meetings, occurrences


def _add_meetings(
    meetings: list[EventVersion], occurrences: list[list[dt.datetime]], keys: _Keys, context: IngestContext, batch: IngestBatch
) -> None:
    """Ties of the meetings through the shared path, and what each event added to each tie (the ledger's share).

    The occurrences of one event in one period are one interaction row that
    stands for all of them (``count``, first and last start). Each event is
    its own channel in the shared path, so that the ties come out per event;
    they are then summed into the ties of channel ``meeting``.
    """
    row_event, first, last, count = _rows_per_period(occurrences, context)
    interactions = pd.DataFrame(
        {
            "interaction": np.arange(len(row_event), dtype=np.int64),
            "timestamp": first,
            "channel": pd.Categorical.from_codes(row_event, categories=pd.Index(np.arange(len(meetings)))),
            "kind": "meeting",
            "duration_hours": np.array([m.hours for m in meetings], dtype=float)[row_event],
            "count": count,
            "last_timestamp": last,
        }
    )
    # A meeting above the cutoff is dropped whoever its attendees are: one more than the cutoff is enough to tell.
    people = [m.attendees[: context.options.meeting_cutoff + 1] for m in meetings]
    lengths = np.array([len(attendees) for attendees in people], dtype=np.int64)
    flat = np.array([a for attendees in people for a in attendees], dtype=object)
    # Each row lists its event's attendees: positions into `flat`, gathered without a loop per row.
    sizes = lengths[row_event]
    offsets = np.cumsum(sizes) - sizes
    which = (
        np.arange(int(sizes.sum()), dtype=np.int64)
        - np.repeat(offsets, sizes)
        + np.repeat((np.cumsum(lengths) - lengths)[row_event], sizes)
    )
    participants = pd.DataFrame(
        {"interaction": np.repeat(interactions["interaction"].to_numpy(), sizes), "role": "attendee", "raw": flat[which]}
    )
    by_event = IngestBatch()
    add_interactions(interactions, participants, context, by_event)
    key_of = np.array([keys.key(m) for m in meetings], dtype=object)
    ties, contacts = by_event.ties, by_event.external_contacts
    tie_events = ties["channel"].to_numpy(dtype=np.int64) if len(ties) else np.zeros(0, dtype=np.int64)
    contact_events = contacts["channel"].to_numpy(dtype=np.int64) if len(contacts) else np.zeros(0, dtype=np.int64)
    ties = ties.assign(channel=CHANNEL)
    contacts = contacts.assign(channel=CHANNEL)
    batch.ties = merge_ties(ties)
    batch.external_contacts = (
        contacts.groupby(["person_id", "period", "channel"], sort=True).agg(count=("count", "sum")).reset_index()[EXTERNAL_CONTACT_COLUMNS]
    )
    # The shared path counted the ties of each event; those of the batch are fewer.
    context.report.counts["ties"] = len(batch.ties)
    batch.calendar_ties = ties.assign(key=key_of[tie_events]).dropna(subset=["key"])[CALENDAR_TIE_COLUMNS].reset_index(drop=True)
    batch.calendar_contacts = (
        contacts.assign(key=key_of[contact_events]).dropna(subset=["key"])[CALENDAR_CONTACT_COLUMNS].reset_index(drop=True)
    )


def _rows_per_period(occurrences: list[list[dt.datetime]], context: IngestContext) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The occurrences of each event grouped by period: (event, first start, last start, count) of each group, by event.

    The starts are judged already (inside the accepted dates); the report's
    date range is widened to them here.
    """
    instants = utc_instants([start for starts in occurrences for start in starts])
    context.dates.note_range(context.report, instants)
    nanoseconds = context.dates.nanoseconds(instants)
    if not len(nanoseconds):
        return np.zeros(0, dtype=np.int64), nanoseconds, nanoseconds, np.zeros(0, dtype=np.int64)
    event_of = np.repeat(np.arange(len(occurrences), dtype=np.int64), [len(starts) for starts in occurrences])
    period_of, labels = period_codes(nanoseconds, context.options.period_unit)
    group = event_of * len(labels) + period_of
    order = np.argsort(group, kind="stable")
    group, stamps = group[order], nanoseconds[order].view("int64")
    bounds = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    first = np.minimum.reduceat(stamps, bounds).view("datetime64[ns]")
    last = np.maximum.reduceat(stamps, bounds).view("datetime64[ns]")
    return event_of[order][bounds], first, last, np.diff(np.r_[bounds, len(order)]).astype(np.int64)


class _Keys:
    """The ledger keys of events (:func:`~orgnet.ingest.ics_events.event_key`), each worked out once."""

    def __init__(self, hash_key: Callable[[], HashKey]):
        self._hash_key = hash_key
        self._known: dict[tuple[str, dt.datetime | None], str] = {}

    def key(self, version: EventVersion) -> str | None:
        """The key of ``version``'s event; ``None`` without a ``UID``."""
        return None if version.uid is None else self._of(version.uid, version.recurrence)

    def series(self, version: EventVersion) -> str | None:
        """The key of the series ``version`` belongs to (its own, for a series or a single event)."""
        return None if version.uid is None else self._of(version.uid, None)

    def _of(self, uid: str, recurrence: dt.datetime | None) -> str:
        if (uid, recurrence) not in self._known:
            self._known[uid, recurrence] = event_key(uid, recurrence, self._hash_key())
        return self._known[uid, recurrence]


def _ledger(kept: list[EventVersion], meetings: list[EventVersion], occurrences: list[list[dt.datetime]], keys: _Keys) -> pd.DataFrame:
    """The ledger entry of every event kept that has a ``UID``: its identity (hashed), version and counted occurrences."""
    counted = {id(meeting): starts for meeting, starts in zip(meetings, occurrences)}
    rows = [
        {
            "key": keys.key(version),
            "series": keys.series(version),
            "recurrence": None if version.recurrence is None else utc_text(version.recurrence),
            "sequence": version.sequence,
            "stamp": "" if version.stamp is None else utc_text(version.stamp),
            "cancelled": version.kind == "cancelled",
            "occurrences": [utc_text(start) for start in counted.get(id(version), [])],
        }
        for version in kept
        if version.uid is not None
    ]
    return pd.DataFrame(rows, columns=CALENDAR_EVENT_COLUMNS).astype({"sequence": "int64", "cancelled": bool})


def _note(report: IngestReport, names: list[str], what: str) -> None:
    """A note naming up to :data:`_NAMED` things (and how many more), when there are any."""
    if names:
        more = f" and {len(names) - _NAMED} more" if len(names) > _NAMED else ""
        report.notes.append(f"{what}: {', '.join(names[:_NAMED])}{more}")
