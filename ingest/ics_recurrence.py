"""Recurring events expanded into their occurrences, within a budget of occurrences and of time.

A recurring event (``RRULE``, ``RDATE``, minus ``EXDATE``; RFC 5545, section
3.8.5) is expanded with :mod:`dateutil.rrule` in the zone of its ``DTSTART``,
so that a weekly 09:00 meeting stays at 09:00 across a change of summer time.

dateutil looks for the next occurrence period by period, and only stops at
the rule's end when it finds an occurrence beyond it: a rule that can never
match (``FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30``) makes it search every year up
to 9999 (some 15 s), a ``FREQ=SECONDLY`` one far longer. So every expansion
runs under a deadline (:class:`Budget`): a trace function, set on this thread
only while dateutil runs, raises :class:`OverBudget` at the first call inside
dateutil after the deadline (dateutil calls a function for every period it
looks at, so the check runs even while nothing is found). An event gets
:data:`EVENT_SECONDS`, an ingest :data:`INGEST_SECONDS` in all, and a series
at most :data:`MAX_OCCURRENCES` occurrences; what it found within them counts.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from dateutil.rrule import rrule, rruleset, rrulestr

from orgnet.ingest.ics_time import bare_moment

if TYPE_CHECKING:
    from _typeshed import TraceFunction

__all__ = ["EVENT_SECONDS", "INGEST_SECONDS", "MAX_OCCURRENCES", "MAX_RULE_LENGTH", "Budget", "Expansion", "OverBudget", "expand"]

#: Most occurrences one recurring event expands to (a daily meeting for 27 years).
MAX_OCCURRENCES = 10_000
#: Seconds one event's expansion may take; a legitimate rule needs milliseconds.
EVENT_SECONDS = 0.5
#: Seconds every expansion of one ingest may take together.
INGEST_SECONDS = 20.0
#: Longest ``RRULE`` value read; real rules are a few dozen characters.
MAX_RULE_LENGTH = 1000

_FREQUENCIES = ("SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
T = TypeVar("T")
#: The events a trace function is called with (see :func:`sys.settrace`).
_TraceEvent = Literal["call", "line", "return", "exception", "opcode"]


class OverBudget(Exception):
    """Raised inside dateutil when an expansion has used up its time."""


@dataclass
class Budget:
    """The time expansions may take: ``event_seconds`` each, ``ingest_seconds`` in all (``spent`` so far).

    The defaults are the module's :data:`EVENT_SECONDS` and
    :data:`INGEST_SECONDS` as they stand when the budget is made.
    """

    event_seconds: float = field(default_factory=lambda: EVENT_SECONDS)
    ingest_seconds: float = field(default_factory=lambda: INGEST_SECONDS)
    spent: float = 0.0

    def run(self, work: Callable[[], T]) -> T:
        """``work()``, interrupted by :class:`OverBudget` once this event's share of the time is used.

        Notes
        -----
        The trace function only raises in frames of dateutil's modules, never
        in orgnet's own, so the interruption always lands inside the search;
        whatever trace function was set before (a debugger, coverage) keeps
        receiving its events and is set back afterwards.
        """
        began = time.monotonic()
        deadline = began + max(0.0, min(self.event_seconds, self.ingest_seconds - self.spent))
        previous = sys.gettrace()

        def tracer(frame: FrameType, event: _TraceEvent, arg: Any) -> TraceFunction | None:
            if time.monotonic() > deadline and frame.f_globals.get("__name__", "").startswith("dateutil"):
                raise OverBudget
            return previous(frame, event, arg) if previous is not None else None

        sys.settrace(tracer)
        try:
            return work()
        finally:
            sys.settrace(previous)
            self.spent += time.monotonic() - began


@dataclass
class Expansion:
    """The occurrences (UTC) a series expanded to, and whether a budget stopped it."""

    starts: list[dt.datetime]
    capped: bool = False
    timed_out: bool = False


def expand(
    start: dt.datetime,
    rules: list[str],
    rdates: list[dt.datetime],
    exdates: list[dt.datetime],
    horizon: dt.datetime,
    overridden: set[dt.datetime],
    budget: Budget,
) -> Expansion:
    """The start times (UTC) of a series' occurrences up to ``horizon``.

    Parameters
    ----------
    start : the zoned ``DTSTART``; it is the first occurrence, whatever the
        rules say, unless an ``EXDATE`` removes it.
    rules : the ``RRULE`` values, as written.
    rdates, exdates : zoned instants added to and removed from the series.
    horizon : the last instant (UTC) an occurrence may start at; the first
        occurrence counts even after it.
    overridden : original starts (UTC) of occurrences that have a
        ``VEVENT`` of their own (a ``RECURRENCE-ID``): left out here.
    budget : the time left; :data:`MAX_OCCURRENCES` bounds the count.

    Returns
    -------
    :class:`Expansion`, its ``starts`` in time order. When the time runs
    out before the first occurrence was found, the event as written counts.

    Raises
    ------
    ValueError
        When a rule cannot be read (its message names the rule).
    """
    zone = start.tzinfo or dt.UTC
    first = start.astimezone(dt.UTC)
    found: list[dt.datetime] = []
    expansion = Expansion(found)

    def search() -> None:
        series = rruleset()
        for rule in rules:
            series.rrule(_rule(rule, start, zone))
        for moment in rdates:
            series.rdate(moment)
        for moment in exdates:
            series.exdate(moment)
        series.rdate(start)
        for moment in series:
            try:
                utc = moment.astimezone(dt.UTC)
            except OverflowError:
                # Beyond year 9999 in UTC: later than any horizon, and so is every occurrence after it.
                return
            if utc > horizon and utc != first:
                return
            if utc in overridden:
                continue
            if len(found) == MAX_OCCURRENCES:
                expansion.capped = True
                return
            found.append(utc)

    try:
        budget.run(search)
    except OverBudget:
        expansion.timed_out = True
        removed = {moment.astimezone(dt.UTC) for moment in exdates} | overridden
        if not found and first not in removed:
            found.append(first)
    return expansion


def _rule(text: str, start: dt.datetime, zone: dt.tzinfo) -> rrule:
    """One ``RRULE`` for dateutil, its ``UNTIL`` in the zone of ``start``.

    ``UNTIL`` may be UTC, floating or a date whatever ``DTSTART`` is (RFC 5545
    wants UTC; producers differ): a floating one is read in the zone of
    ``DTSTART``, a date means the end of that day. A rule with both ``COUNT``
    and ``UNTIL`` (which RFC 5545 forbids and dateutil refuses) ends at its
    ``COUNT``.
    """
    value = text.strip()
    if len(value) > MAX_RULE_LENGTH:
        raise ValueError(f"RRULE is longer than {MAX_RULE_LENGTH} characters")
    parts = {}
    for part in value.split(";"):
        key, _, setting = part.partition("=")
        if key.strip():
            parts[key.strip().upper()] = setting.strip()
    if parts.get("FREQ", "").upper() not in _FREQUENCIES:
        raise ValueError(f"RRULE {value[:60]!r}: FREQ must be one of {', '.join(_FREQUENCIES)}")
    if "INTERVAL" in parts and not (parts["INTERVAL"].isdigit() and int(parts["INTERVAL"]) >= 1):
        raise ValueError(f"RRULE {value[:60]!r}: INTERVAL must be a whole number of at least 1")
    until = parts.pop("UNTIL", None)
    if "COUNT" in parts:
        until = None
    try:
        rule = rrulestr(";".join(f"{key}={setting}" for key, setting in parts.items()), dtstart=start)
    except (ValueError, TypeError, OverflowError, KeyError) as error:
        raise ValueError(f"RRULE {value[:60]!r} is not a recurrence rule ({error})") from None
    if until is None:
        return rule
    end = bare_moment("UNTIL", until, zone)
    if not isinstance(end, dt.datetime):
        end = dt.datetime.combine(end, dt.time(23, 59, 59), tzinfo=zone)
    return rule.replace(until=end)
