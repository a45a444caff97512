"""One ``VEVENT`` as a version of an event: who meets, when, for how long, and which version it is.

An event is identified by its ``UID``, plus its ``RECURRENCE-ID`` for an
occurrence of a series that has a ``VEVENT`` of its own (a moved or changed
occurrence); the same event reaches orgnet many times (each attendee's
export, each invite e-mail, each update), and :func:`newest` keeps one
version of each: the highest ``SEQUENCE``, then the latest ``DTSTAMP``, a
cancellation before anything else of the same version, else the first read.
The store keeps only keyed hashes of the identity (:func:`event_key`).

What each version is, is decided here (:attr:`EventVersion.kind`): a
``meeting``; ``cancelled`` (``STATUS:CANCELLED``, or sent with
``METHOD:CANCEL``); or personal time that is skipped, never a bad row:
``all_day`` (a ``DTSTART`` that is a date: holidays, leave, birthdays),
``no_attendees`` (neither ``ORGANIZER`` nor ``ATTENDEE``: focus time,
reminders), ``organiser_only`` (nobody but one person, rooms aside) and
``too_long`` (longer than ``--max-event-hours``: conferences, leave written
as one long event).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from orgnet.ingest.ics_parse import Component, Property
from orgnet.ingest.ics_time import ZoneOf, duration_hours, moment, moments
from orgnet.privacy import HashKey

__all__ = ["MAX_SEQUENCE", "SINGLE_VALUED", "EventVersion", "event_key", "newest", "read_event", "utc_text"]

#: Properties RFC 5545 allows once per event; when one is repeated the first is taken (and the report says so).
SINGLE_VALUED = ("UID", "RECURRENCE-ID", "SEQUENCE", "DTSTAMP", "STATUS", "DTSTART", "DTEND", "DURATION", "ORGANIZER")
#: Highest ``SEQUENCE`` taken; a larger one is a crafted value, not a count of updates.
MAX_SEQUENCE = 2**31 - 1
_NOT_PEOPLE = {"ROOM", "RESOURCE"}
_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)
_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


@dataclass
class EventVersion:
    """One version of an event, as one ``VEVENT`` gives it.

    ``start`` is the zoned ``DTSTART`` (a date for an all-day event),
    ``first`` the same instant in UTC (midnight UTC of an all-day date),
    ``recurrence`` the ``RECURRENCE-ID`` in UTC, ``stamp`` the ``DTSTAMP``
    in UTC; ``hours`` is NaN when neither ``DTEND`` nor ``DURATION`` is
    given; ``attendees`` are the addresses of the people taking part
    (organiser first, each once, declined ones and rooms left out);
    ``repeated`` names the single-valued properties given more than once.
    """

    file: str
    line: int
    uid: str | None
    recurrence: dt.datetime | None
    sequence: int
    stamp: dt.datetime | None
    kind: str
    start: dt.datetime | dt.date
    first: dt.datetime
    hours: float = math.nan
    attendees: list[str] = field(default_factory=list)
    declined: int = 0
    resources: int = 0
    rules: list[str] = field(default_factory=list)
    rdates: list[dt.datetime] = field(default_factory=list)
    exdates: list[dt.datetime] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)

    @property
    def version(self) -> tuple[int, dt.datetime, bool]:
        """What orders the versions of one event: ``SEQUENCE``, ``DTSTAMP`` (none is oldest), cancellation."""
        return self.sequence, self.stamp or _NEVER, self.kind == "cancelled"

    @property
    def recurring(self) -> bool:
        """Whether this version stands for a series to expand (a moved occurrence never does)."""
        return self.recurrence is None and bool(self.rules or self.rdates)


def event_key(uid: str, recurrence: dt.datetime | None, key: HashKey) -> str:
    """Keyed hash (HMAC-SHA256 with the hashing ``key``) of an event's identity, as the store keeps it.

    The master of a series (and a single event) has ``recurrence`` ``None``;
    its key is also the series key of its moved occurrences.
    """
    moved = "" if recurrence is None else utc_text(recurrence)
    return key.digest("calendar", f"{uid}\0{moved}")


def utc_text(moment: dt.datetime) -> str:
    """An instant as the stores write one: ``2026-05-04T09:00:00Z`` (UTC, to the second, years padded to four digits)."""
    utc = moment.astimezone(dt.UTC)
    return f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z"


def newest(versions: list[EventVersion]) -> EventVersion:
    """The version that stands for the event: the greatest :attr:`~EventVersion.version`, the first read on a tie."""
    return max(versions, key=lambda version: version.version)


def read_event(event: Component, method: str, path: str, zone_of: ZoneOf, max_hours: float) -> EventVersion | str:
    """Read one ``VEVENT``.

    Parameters
    ----------
    event : the component.
    method : its calendar's ``METHOD`` (upper case; ``""`` when none).
    path : the file, for the version's record.
    zone_of : looks up the zone of a ``TZID``.
    max_hours : longer events are ``too_long``.

    Returns
    -------
    The :class:`EventVersion`, or the reason it cannot be read (a bad row).
    """
    if not event.closed:
        return "END:VEVENT missing: the file ends inside this event"
    if event.broken:
        name, line = event.broken[0]
        return f"line {line}: the {name} line cannot be split into parameters and a value (an unclosed quote, or no ':')"
    start = event.first("DTSTART")
    if start is None:
        return "event without DTSTART"
    try:
        return _read(event, method, path, zone_of, max_hours, start)
    except ValueError as error:
        return str(error)
    except OverflowError:
        return "a date of the event is beyond what a date-time can hold"


def _read(event: Component, method: str, path: str, zone_of: ZoneOf, max_hours: float, start_property: Property) -> EventVersion:
    start = moment("DTSTART", start_property, zone_of)
    version = EventVersion(
        file=path,
        line=event.line,
        uid=_text(event.first("UID")) or None,
        recurrence=_utc(moment("RECURRENCE-ID", rid, zone_of)) if (rid := event.first("RECURRENCE-ID")) else None,
        sequence=_sequence(event.first("SEQUENCE")),
        stamp=_utc(moment("DTSTAMP", stamp, zone_of)) if (stamp := event.first("DTSTAMP")) else None,
        kind="meeting",
        start=start,
        first=_utc(start),
        repeated=[name for name in SINGLE_VALUED if len(event.all(name)) > 1],
    )
    if _text(event.first("STATUS")).upper() == "CANCELLED" or method == "CANCEL":
        version.kind = "cancelled"
    elif not isinstance(start, dt.datetime):
        version.kind = "all_day"
    if version.kind != "meeting":
        return version
    version.kind = _attendees(event, version) or _length(event, version, zone_of, max_hours) or "meeting"
    if version.kind == "meeting":
        version.rules = [prop.value for prop in event.all("RRULE")]
        version.rdates = [_zoned(m, start) for prop in event.all("RDATE") for m in moments("RDATE", prop, zone_of)]
        version.exdates = [_zoned(m, start) for prop in event.all("EXDATE") for m in moments("EXDATE", prop, zone_of)]
    return version


def _attendees(event: Component, version: EventVersion) -> str | None:
    """Fill the people of a meeting; the kind of personal time when it is one."""
    organiser = event.first("ORGANIZER")
    listed = event.all("ATTENDEE")
    if organiser is None and not listed:
        return "no_attendees"
    declined = {_address(a.value) for a in listed if a.params.get("PARTSTAT", "").strip().upper() == "DECLINED"}
    rooms = {_address(a.value) for a in listed if a.params.get("CUTYPE", "").strip().upper() in _NOT_PEOPLE}
    everyone = [
        a for a in dict.fromkeys(([] if organiser is None else [_address(organiser.value)]) + [_address(a.value) for a in listed]) if a
    ]
    if len([a for a in everyone if a not in rooms]) <= 1:
        return "organiser_only"
    version.declined = len(declined)
    version.resources = len(rooms - declined)
    version.attendees = [a for a in everyone if a not in declined and a not in rooms]
    return None


def _length(event: Component, version: EventVersion, zone_of: ZoneOf, max_hours: float) -> str | None:
    """Fill the meeting's length in hours; ``too_long`` when it is longer than ``max_hours``."""
    start = version.start
    assert isinstance(start, dt.datetime)
    if (end_property := event.first("DTEND")) is not None:
        end = moment("DTEND", end_property, zone_of)
        if not isinstance(end, dt.datetime):
            raise ValueError("DTEND is a date but DTSTART a date-time")
        hours = (end - start).total_seconds() / 3600
    elif (duration := event.first("DURATION")) is not None:
        hours = duration_hours(duration.value)
    else:
        return None
    if hours < 0:
        raise ValueError("the event ends before it starts")
    version.hours = hours
    return "too_long" if hours > max_hours else None


def _sequence(prop: Property | None) -> int:
    if prop is None:
        return 0
    text = prop.value.strip()
    if not text.isdigit() or int(text) > MAX_SEQUENCE:
        raise ValueError(f"SEQUENCE {text[:20]!r} is not a whole number from 0 to {MAX_SEQUENCE:,}")
    return int(text)


def _utc(value: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)


def _zoned(value: dt.datetime | dt.date, start: dt.datetime | dt.date) -> dt.datetime:
    """An ``RDATE``/``EXDATE`` as a zoned date-time: a date takes the time of day and the zone of ``DTSTART``."""
    if isinstance(value, dt.datetime):
        return value
    assert isinstance(start, dt.datetime)
    return dt.datetime.combine(value, start.timetz())


def _text(prop: Property | None) -> str:
    return "" if prop is None else prop.value.strip()


def _address(value: str) -> str:
    """``mailto:Ann@X`` -> ``ann@x``: the same person written twice in one event is one attendee."""
    return _MAILTO.sub("", value.strip()).strip().lower()
