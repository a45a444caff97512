"""Calendar ingester: meetings from ICS files (one file or a folder of them).

Each ``VEVENT`` is a ``meeting`` on channel ``meeting`` of its ``ORGANIZER``
and ``ATTENDEE`` addresses; ``duration_hours`` comes from ``DTSTART`` and
``DTEND`` (or ``DURATION``). Only those properties, ``STATUS``, ``DTSTAMP``,
``UID`` and the recurrence properties are read: ``SUMMARY``, ``DESCRIPTION``
and ``LOCATION`` never are. The shared path
(:func:`orgnet.ingest.edges.add_interactions`) resolves addresses (``mailto:``
included), drops meetings above ``meeting_cutoff`` attendees and gives each
ordered pair of the ``n`` attendees ``duration_hours/(n-1)``.

Choices, each counted in the ingest report:

* attendees with ``PARTSTAT=DECLINED`` are dropped (``declined_dropped``),
  the organiser too when their own attendee entry declines; rooms and
  resources (``CUTYPE=ROOM``/``RESOURCE``) are not people
  (``resources_dropped``);
* all-day events (a ``DTSTART`` that is a date) are holidays, leave and
  reminders rather than meetings: skipped (``all_day_skipped``); so are
  ``STATUS:CANCELLED`` events (``cancelled_skipped``);
* an event with neither ``DTEND`` nor ``DURATION`` gets the shared default of
  one hour (``without_end``); a floating time (no zone) is taken as UTC;
* a recurring event (``RRULE``/``RDATE``, minus ``EXDATE``) is expanded into
  its occurrences (``recurring`` series, ``occurrences`` meetings), up to the
  time the calendar was exported (the file's latest ``DTSTAMP``, else its
  latest ``DTSTART``) and at most :data:`MAX_OCCURRENCES` per series
  (``occurrences_capped``); an occurrence rescheduled by its own ``VEVENT``
  (same ``UID``, a ``RECURRENCE-ID``) is counted once, as that event.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from dateutil.rrule import rruleset, rrulestr
from icalendar import Calendar
from icalendar.cal import Component
from icalendar.prop import vRecur

from orgnet.ingest.base import IngestContext, decode_text, read_bytes
from orgnet.ingest.dates import utc_instants
from orgnet.ingest.edges import INTERACTION_COLUMNS, PARTICIPANT_COLUMNS, add_interactions
from orgnet.model import IngestBatch

__all__ = ["CHANNEL", "MAX_OCCURRENCES", "read"]

CHANNEL = "meeting"
#: Most occurrences one recurring event expands to (a daily meeting for about three years).
MAX_OCCURRENCES = 1000
_BEGIN_EVENT = re.compile(r"^BEGIN:VEVENT[ \t]*\r?$", re.MULTILINE | re.IGNORECASE)
_NOT_PEOPLE = {"ROOM", "RESOURCE"}


@dataclass
class _Meeting:
    """One meeting, or a series of them, as read from a ``VEVENT``: its start times (UTC) share the rest."""

    hours: float
    attendees: list[str]
    occurrences: list[dt.datetime]


def _address(value: object) -> str:
    """``mailto:Ann@X`` -> ``ann@x``: the same person written twice in one event is one attendee."""
    text = str(value).strip()
    return re.sub(r"^mailto:", "", text, flags=re.IGNORECASE).strip().lower()


def _as_list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _aware(moment: dt.datetime | dt.date, zone: dt.tzinfo) -> dt.datetime:
    """A date-time with a zone: floating times take ``zone``, dates their midnight in it."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time())
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _attendees(event: Component, context: IngestContext) -> list[str] | None:
    """Organiser and attendees who did not decline, each once; ``None`` when the event names nobody."""
    organiser = event.get("ORGANIZER")
    listed = _as_list(event.get("ATTENDEE"))
    if organiser is None and not listed:
        return None
    declined = {_address(a) for a in listed if str(a.params.get("PARTSTAT", "")).upper() == "DECLINED"}
    resources = {_address(a) for a in listed if str(a.params.get("CUTYPE", "")).upper() in _NOT_PEOPLE}
    context.report.add("declined_dropped", len(declined))
    context.report.add("resources_dropped", len(resources - declined))
    everyone = ([] if organiser is None else [_address(organiser)]) + [_address(a) for a in listed]
    return [a for a in dict.fromkeys(everyone) if a and a not in declined and a not in resources]


def _occurrences(
    event: Component, start: dt.datetime, horizon: dt.datetime, moved: set[dt.datetime], context: IngestContext
) -> list[dt.datetime]:
    """Start times (UTC) of a series' occurrences up to ``horizon``, without those in ``moved``."""
    zone = start.tzinfo or dt.UTC
    local_start = _aware(start, zone)
    series = rruleset()
    for rule in _as_list(event.get("RRULE")):
        without_until = vRecur({name: values for name, values in rule.items() if name != "UNTIL"})
        parsed = rrulestr(without_until.to_ical().decode("ascii"), dtstart=local_start)
        # UNTIL may be UTC, floating or a date whatever DTSTART is; dateutil wants it zoned like DTSTART.
        until = rule.get("UNTIL")
        series.rrule(parsed.replace(until=_aware(until[0], zone)) if until else parsed)
    for name, add in (("RDATE", series.rdate), ("EXDATE", series.exdate)):
        for listing in _as_list(event.get(name)):
            for value in listing.dts:
                # An RDATE may be a period (start, end); its start is the occurrence.
                moment = value.dt[0] if isinstance(value.dt, tuple) else value.dt
                add(_aware(moment, zone))
    series.rdate(local_start)
    first = local_start.astimezone(dt.UTC)
    found: list[dt.datetime] = []
    for moment in series:
        utc = moment.astimezone(dt.UTC)
        # The event as written always counts, even when exported before it took place.
        if utc > horizon and utc != first:
            break
        if len(found) == MAX_OCCURRENCES:
            context.report.add("occurrences_capped", 1)
            break
        if utc not in moved:
            found.append(utc)
    return found


def _meeting(event: Component, horizon: dt.datetime, moved: set[dt.datetime], context: IngestContext) -> _Meeting | str | None:
    """The meeting of one ``VEVENT``; a reason when it is malformed, ``None`` when it is skipped (and counted)."""
    report = context.report
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        report.add("cancelled_skipped", 1)
        return None
    if event.get("DTSTART") is None:
        return "event without DTSTART"
    start = event["DTSTART"].dt
    if not isinstance(start, dt.datetime):
        report.add("all_day_skipped", 1)
        return None
    attendees = _attendees(event, context)
    if attendees is None:
        return "event without organizer or attendees"
    if event.get("DTEND") is not None:
        end = event["DTEND"].dt
        if not isinstance(end, dt.datetime):
            return "DTEND is a date but DTSTART a date-time"
        length = _aware(end, start.tzinfo or dt.UTC) - _aware(start, dt.UTC)
    elif event.get("DURATION") is not None:
        length = event["DURATION"].dt
    else:
        report.add("without_end", 1)
        length = None
    if length is not None and length < dt.timedelta(0):
        return "the event ends before it starts"
    hours = np.nan if length is None else length.total_seconds() / 3600
    first = _aware(start, dt.UTC).astimezone(dt.UTC)
    recurring = event.get("RRULE") is not None or event.get("RDATE") is not None
    if recurring and event.get("RECURRENCE-ID") is None:
        report.add("recurring", 1)
        occurrences = _occurrences(event, start, horizon, moved, context)
        report.add("occurrences", len(occurrences))
    else:
        occurrences = [first]
    refused = context.dates.outside(utc_instants(occurrences))
    if refused.any():
        return context.dates.reason("DTSTART", occurrences[int(np.argmax(refused))].isoformat())
    return _Meeting(hours, attendees, occurrences)


def _horizon(events: list[Component]) -> dt.datetime:
    """When the calendar was exported: its latest ``DTSTAMP``, else its latest date-time ``DTSTART``."""
    for name in ("DTSTAMP", "DTSTART"):
        stamps = [
            _aware(event[name].dt, dt.UTC).astimezone(dt.UTC)
            for event in events
            if event.get(name) is not None and isinstance(event[name].dt, dt.datetime)
        ]
        if stamps:
            return max(stamps)
    return dt.datetime.min.replace(tzinfo=dt.UTC)


def _moved(events: list[Component]) -> dict[str, set[dt.datetime]]:
    """UID -> original start (UTC) of the occurrences that have their own ``VEVENT``."""
    moved: dict[str, set[dt.datetime]] = {}
    for event in events:
        if event.get("RECURRENCE-ID") is not None and event.get("UID") is not None:
            original = _aware(event["RECURRENCE-ID"].dt, dt.UTC).astimezone(dt.UTC)
            moved.setdefault(str(event["UID"]), set()).add(original)
    return moved


def _read_file(path: Path, context: IngestContext) -> list[_Meeting]:
    """The meetings of one ICS file; malformed events become problems on their ``BEGIN:VEVENT`` line."""
    text = decode_text(read_bytes(path, context.problems), path, context.problems)
    try:
        calendars = Calendar.from_ical(text, multiple=True)
    except ValueError as error:
        raise context.problems.fatal(path, f"not a valid iCalendar file: {error}") from None
    if not calendars:
        raise context.problems.fatal(path, "not an iCalendar file: no VCALENDAR found")
    events = [event for calendar in calendars for event in calendar.walk("VEVENT")]
    lines = [text.count("\n", 0, match.start()) + 1 for match in _BEGIN_EVENT.finditer(text)]
    # walk() visits events in document order, so the n-th event starts on the n-th BEGIN:VEVENT line.
    lines += [0] * (len(events) - len(lines))
    try:
        horizon, moved = _horizon(events), _moved(events)
    except ValueError as error:
        raise context.problems.fatal(path, f"unreadable DTSTAMP, DTSTART or RECURRENCE-ID: {error}") from None
    meetings = []
    for event, line in zip(events, lines):
        try:
            meeting = _meeting(event, horizon, moved.get(str(event.get("UID")), set()), context)
        except (ValueError, TypeError) as error:
            meeting = f"cannot read the event: {error}"
        if isinstance(meeting, str):
            context.problems.add(path, line, meeting)
        elif meeting is not None:
            meetings.append(meeting)
    context.report.add("events", len(events))
    return meetings


def read(path: Path, context: IngestContext) -> IngestBatch:
    """Read meetings from an ICS file or a folder of ``.ics`` files (searched recursively).

    Parameters
    ----------
    path : the ``.ics`` file or the folder.
    context : the ingest context (``meeting_cutoff``, period unit, resolver).

    Returns
    -------
    :class:`~orgnet.model.IngestBatch` with ``ties`` on channel ``meeting``
    and ``external_contacts``, through :func:`orgnet.ingest.edges.add_interactions`.

    Notes
    -----
    A file that is empty, binary, not UTF-8 or not iCalendar is a whole-file
    error naming it; an event without ``DTSTART``, without organiser and
    attendees, or with an unreadable time is a problem naming its file and
    its ``BEGIN:VEVENT`` line. Counts: ``files``, ``events``, the skips of the
    module docstring, then the shared path's ``interactions``,
    ``large_meetings_dropped``, ``ties``...
    """
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".ics")
        if not files:
            raise context.problems.fatal(path, "no .ics file found in the folder")
    else:
        files = [path]
    meetings = [meeting for file in files for meeting in _read_file(file, context)]
    context.report.add("files", len(files))

    starts = [start for meeting in meetings for start in meeting.occurrences]
    instants = utc_instants(starts)
    context.dates.note_range(context.report, instants)
    repeats = np.array([len(meeting.occurrences) for meeting in meetings], dtype=np.int64)
    ids = np.arange(len(starts), dtype=np.int64)
    interactions = pd.DataFrame(
        {
            "interaction": ids,
            "timestamp": context.dates.nanoseconds(instants),
            "channel": CHANNEL,
            "kind": "meeting",
            "duration_hours": np.repeat(np.array([m.hours for m in meetings], dtype=float), repeats),
        }
    )
    # Every occurrence of a series has the series' attendees.
    sizes = np.repeat(np.array([len(m.attendees) for m in meetings], dtype=np.int64), repeats)
    participants = pd.DataFrame(
        {
            "interaction": np.repeat(ids, sizes),
            "role": "attendee",
            "raw": np.array([a for m in meetings for _ in m.occurrences for a in m.attendees], dtype=object),
        }
    )
    batch = IngestBatch()
    add_interactions(interactions[INTERACTION_COLUMNS], participants[PARTICIPANT_COLUMNS], context, batch)
    return batch
