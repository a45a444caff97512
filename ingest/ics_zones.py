"""The time zones a calendar's ``TZID`` parameters name.

Producers name zones three ways: by their IANA name (Google, Apple:
``Europe/Paris``), by their Windows name (Outlook: ``W. Europe Standard
Time``), or by a name of their own with the zone's rules in a ``VTIMEZONE``
of the same file (Outlook's ``(UTC+01:00) Amsterdam, Berlin, ...``,
``Customized Time Zone``). A ``TZID`` is looked up in that order, after a
leading ``/vendor/`` prefix (libical, Evolution) is dropped: the IANA
database (:mod:`zoneinfo`) is the authority where it knows the zone; a
``VTIMEZONE`` is used only where it does not (its ``X-LIC-LOCATION`` first).
A ``TZID`` none of these explains (a blank one among them) is taken as UTC,
and :attr:`Zones.unknown` names it for the report.
"""

from __future__ import annotations

import bisect
import datetime as dt
import zoneinfo

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from orgnet.ingest.ics_parse import Component
from orgnet.ingest.ics_recurrence import Budget, expand
from orgnet.ingest.ics_time import ZoneOf, bare_moment, moments, offset

__all__ = ["DefinedZone", "Zones"]

#: Longest zone name looked up; IANA names are at most 30 characters.
_LONGEST_NAME = 120


class Zones:
    """Looks up the zone of each ``TZID`` of one file, once each.

    Parameters
    ----------
    timezones : the file's ``VTIMEZONE`` components.
    until : transitions of a ``VTIMEZONE`` are worked out up to this instant (UTC).
    budget : the time the expansion of a ``VTIMEZONE``'s rules may take.

    Notes
    -----
    Calling a :class:`Zones` with a ``TZID`` gives its zone, UTC when it is
    unknown; ``unknown`` holds those ``TZID`` values as written.
    """

    def __init__(self, timezones: list[Component], until: dt.datetime, budget: Budget):
        self._defined: dict[str, Component] = {}
        for component in timezones:
            name = component.first("TZID")
            if name is not None:
                self._defined.setdefault(name.value.strip(), component)
        self._until = until
        self._budget = budget
        self._found: dict[str, dt.tzinfo] = {}
        self.unknown: set[str] = set()

    def __call__(self, tzid: str) -> dt.tzinfo:
        if tzid not in self._found:
            zone = self._lookup(tzid)
            if zone is None:
                self.unknown.add(tzid)
            self._found[tzid] = zone or dt.UTC
        return self._found[tzid]

    def _lookup(self, tzid: str) -> dt.tzinfo | None:
        name = tzid.strip()
        cleaned = name.strip("/")
        candidates = [cleaned, WINDOWS_TO_OLSON.get(cleaned, "")]
        if name.startswith("/"):
            # "/freeassociation.sourceforge.net/Tzfile/Europe/Paris": the longest tail that is a zone.
            parts = cleaned.split("/")
            candidates += ["/".join(parts[first:]) for first in range(1, len(parts))]
        for candidate in candidates:
            zone = _iana(candidate)
            if zone is not None:
                return zone
        definition = self._defined.get(name)
        if definition is None:
            return None
        location = definition.first("X-LIC-LOCATION")
        if location is not None and _iana(location.value.strip()) is not None:
            return _iana(location.value.strip())
        try:
            return DefinedZone(name, definition, self._until, self._budget)
        except ValueError:
            return None


def _fixed(zone: dt.tzinfo) -> ZoneOf:
    return lambda tzid: zone


def _iana(name: str) -> dt.tzinfo | None:
    """The IANA zone called ``name``, or ``None`` (names that are not zone keys included)."""
    if not name or len(name) > _LONGEST_NAME or "\x00" in name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError, UnicodeError):
        return None


class DefinedZone(dt.tzinfo):
    """A zone defined by a ``VTIMEZONE``: its ``STANDARD`` and ``DAYLIGHT`` observances as a table of transitions.

    Each observance starts at its ``DTSTART`` (a local time in its
    ``TZOFFSETFROM``) and again at each ``RRULE`` or ``RDATE`` occurrence,
    from when ``TZOFFSETTO`` applies; occurrences are expanded up to
    ``until`` under ``budget``. A local time in a gap or an overlap gets the
    offset that applied before the change.

    Raises
    ------
    ValueError
        When an observance lacks its ``DTSTART`` or offsets, or none is given.
    """

    def __init__(self, name: str, definition: Component, until: dt.datetime, budget: Budget):
        changes: list[tuple[dt.datetime, dt.timedelta, dt.timedelta]] = []
        for observance in definition.children:
            start, before, after = (observance.first(key) for key in ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO"))
            if start is None or before is None or after is None:
                raise ValueError(f"{observance.name} of {name!r} lacks DTSTART, TZOFFSETFROM or TZOFFSETTO")
            old, new = offset("TZOFFSETFROM", before.value), offset("TZOFFSETTO", after.value)
            local = dt.timezone(old)
            onset = bare_moment("DTSTART", start.value, local)
            if not isinstance(onset, dt.datetime):
                onset = dt.datetime.combine(onset, dt.time(), tzinfo=local)
            # An observance's times are local, in the offset it starts from, whatever TZID they carry.
            added = [m for prop in observance.all("RDATE") for m in moments("RDATE", prop, _fixed(local))]
            onsets = expand(
                onset,
                [prop.value for prop in observance.all("RRULE")],
                [m for m in added if isinstance(m, dt.datetime)],
                [],
                until,
                set(),
                budget,
            ).starts
            changes += [(moment.replace(tzinfo=None), old, new) for moment in onsets]
        if not changes:
            raise ValueError(f"VTIMEZONE {name!r} has no observance")
        changes.sort(key=lambda change: change[0])
        self._name = name
        self._utc = [moment for moment, _, _ in changes]
        self._walls = [moment + old for moment, old, _ in changes]
        self._offsets = [new for _, _, new in changes]
        self._initial = changes[0][1]

    def utcoffset(self, moment: dt.datetime | None) -> dt.timedelta:
        if moment is None:
            return self._initial
        index = bisect.bisect_right(self._walls, moment.replace(tzinfo=None)) - 1
        return self._offsets[index] if index >= 0 else self._initial

    def fromutc(self, moment: dt.datetime) -> dt.datetime:
        index = bisect.bisect_right(self._utc, moment.replace(tzinfo=None)) - 1
        shift = self._offsets[index] if index >= 0 else self._initial
        return (moment.replace(tzinfo=None) + shift).replace(tzinfo=self)

    def dst(self, moment: dt.datetime | None) -> dt.timedelta | None:
        return None

    def tzname(self, moment: dt.datetime | None) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"DefinedZone({self._name!r})"
