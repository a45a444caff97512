"""iCalendar values of time: dates, date-times, lists of them, durations and UTC offsets (RFC 5545, section 3.3).

A date-time is ``YYYYMMDDTHHMMSS``, followed by ``Z`` for UTC; otherwise its
``TZID`` parameter names its zone, and without one it is *floating* (the
local time of whoever reads it), which orgnet takes as UTC. A value may carry
spaces around it (some producers pad them): they are dropped. Zones are
looked up by the caller's ``zone_of`` (see :mod:`orgnet.ingest.ics_zones`),
so this module only parses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from orgnet.ingest.ics_parse import Property

__all__ = ["ZoneOf", "bare_moment", "duration_hours", "moment", "moments", "offset"]

#: Looks up the zone a ``TZID`` names.
ZoneOf = Callable[[str], dt.tzinfo]

_MOMENT = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?", re.IGNORECASE)
_DURATION = re.compile(r"([+-])?P(?:(\d{1,9})W)?(?:(\d{1,9})D)?(?:T(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9})S)?)?", re.IGNORECASE)
_OFFSET = re.compile(r"([+-])(\d{2})(\d{2})(\d{2})?")


def moment(name: str, prop: Property, zone_of: ZoneOf) -> dt.datetime | dt.date:
    """The date, or the zoned date-time, of a ``DTSTART``-like property.

    Parameters
    ----------
    name : the property's name, for the error message.
    prop : the property (its ``TZID`` and ``VALUE`` parameters are read).
    zone_of : looks up the zone of a ``TZID``.

    Returns
    -------
    A :class:`datetime.date`, or a time-zone-aware :class:`datetime.datetime`
    (UTC when written with ``Z`` or floating).

    Raises
    ------
    ValueError
        With a message naming the property and the value, when it is neither.
    """
    return _moment(name, prop.value, prop.params, zone_of)


def bare_moment(name: str, text: str, floating: dt.tzinfo) -> dt.datetime | dt.date:
    """A date or date-time written without parameters (a rule's ``UNTIL``); a floating one is in ``floating``."""
    return _moment(name, text, {}, lambda tzid: floating, floating)


def moments(name: str, prop: Property, zone_of: ZoneOf) -> list[dt.datetime | dt.date]:
    """Every value of a list property (``RDATE``, ``EXDATE``: comma-separated); a period gives its start."""
    return [_moment(name, _period_start(text), prop.params, zone_of) for text in prop.value.split(",") if text.strip()]


def _period_start(text: str) -> str:
    """``start/end`` or ``start/duration`` (an ``RDATE`` period) -> ``start``; anything else as it is."""
    return text.partition("/")[0]


def _moment(name: str, text: str, params: dict[str, str], zone_of: ZoneOf, floating: dt.tzinfo = dt.UTC) -> dt.datetime | dt.date:
    value = text.strip()
    match = _MOMENT.fullmatch(value)
    try:
        if match is None:
            raise ValueError
        year, month, day = (int(part) for part in match.group(1, 2, 3))
        if match.group(4) is None:
            return dt.date(year, month, day)
        # A leap second (:60) is the last second of its minute, as Python cannot hold it.
        hour, minute, second = int(match.group(4)), int(match.group(5)), min(int(match.group(6)), 59)
        zone: dt.tzinfo
        if match.group(7):
            zone = dt.UTC
        elif "TZID" in params:
            zone = zone_of(params["TZID"])
        else:
            zone = floating
        return dt.datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        raise ValueError(f"{name} {value[:40]!r} is not a date or a date-time") from None


def duration_hours(text: str) -> float:
    """The length of a ``DURATION`` (``P1DT2H``, ``PT30M``, ``-PT5M``...) in hours.

    Raises
    ------
    ValueError
        When the text is not an RFC 5545 duration.
    """
    value = text.strip()
    match = _DURATION.fullmatch(value)
    if match is None or not any(match.group(2, 3, 4, 5, 6)):
        raise ValueError(f"DURATION {value[:40]!r} is not a duration")
    weeks, days, hours, minutes, seconds = (int(part or 0) for part in match.group(2, 3, 4, 5, 6))
    total = weeks * 168 + days * 24 + hours + minutes / 60 + seconds / 3600
    return -total if match.group(1) == "-" else total


def offset(name: str, text: str) -> dt.timedelta:
    """A UTC offset (``+0100``, ``-053000``) as a timedelta.

    Raises
    ------
    ValueError
        When the text is not an offset of less than a day.
    """
    value = text.strip()
    match = _OFFSET.fullmatch(value)
    if match is None or int(match.group(2)) > 23 or int(match.group(3)) > 59:
        raise ValueError(f"{name} {value[:40]!r} is not a UTC offset")
    size = dt.timedelta(hours=int(match.group(2)), minutes=int(match.group(3)), seconds=int(match.group(4) or 0))
    return -size if match.group(1) == "-" else size
