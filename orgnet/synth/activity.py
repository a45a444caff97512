"""Six months of interactions of the sample organisation, before they are written in any source format."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np

from orgnet.synth.org import DEPARTMENTS, SAMPLE_PERIODS, Org, Ties, head, month_bounds

__all__ = ["BROADCAST_CUTOFF", "MEETING_CUTOFF", "Clock", "Event", "events", "iso", "period", "realised_ties"]

#: E-mails to more recipients than this are broadcasts, which the e-mail ingester leaves out.
BROADCAST_CUTOFF = 50
#: Meetings of more attendees than this are left out by the calendar ingester.
MEETING_CUTOFF = 25
# Half of it is chat, the most compact format (a CSV row), so that the samples stay small enough for a wheel.
_CHANNEL_SHARES = {"email": 0.12, "slack": 0.14, "chat": 0.49, "meeting": 0.03, "call": 0.10, "collab": 0.12}


@dataclass
class Event:
    """One interaction before it is written in its source format."""

    channel: str
    time: datetime
    sender: int
    recipients: list[int]
    kind: str = ""  # slack: mention/reply/reaction; email: broadcast
    duration: float = 1.0
    declined: list[int] = field(default_factory=list)


class Clock:
    """Working-hour timestamps inside a month, never before a given day."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.days = []
        for label in SAMPLE_PERIODS:
            start, end = month_bounds(label)
            self.days.append([start + timedelta(d) for d in range((end - start).days + 1) if (start + timedelta(d)).weekday() < 5])

    def time(self, month: int, earliest: date, last_hour: int = 17) -> datetime:
        """A random working day of month ``month`` (index in SAMPLE_PERIODS) from ``earliest`` on, 08:00 to ``last_hour``:59 UTC."""
        days = self.days[month]
        day = days[int(self.rng.integers(bisect.bisect_left(days, earliest), len(days)))]
        return datetime(
            day.year,
            day.month,
            day.day,
            int(self.rng.integers(8, last_hour + 1)),
            int(self.rng.integers(0, 60)),
            int(self.rng.integers(0, 60)),
            tzinfo=UTC,
        )


def iso(time: datetime) -> str:
    """``time`` as ISO 8601 in UTC, to the second, with a ``Z``."""
    return time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def period(time: datetime) -> str:
    """The calendar month (``YYYY-MM``, UTC) of ``time``."""
    return time.astimezone(UTC).strftime("%Y-%m")


def events(org: Org, ties: Ties, rng: np.random.Generator) -> list[Event]:
    """Every interaction of the six months, in time order.

    Each pair of ``ties`` active in a month interacts ``1 + Poisson(rate x growth)``
    times in it, on a channel drawn by share, with copies and group
    chats to people both already know; then come the team meetings, the
    department all-hands and the department-wide broadcasts.
    """
    clock = Clock(rng)
    channels, shares = list(_CHANNEL_SHARES), np.array(list(_CHANNEL_SHARES.values()))
    found: list[Event] = []
    for month in range(len(SAMPLE_PERIODS)):
        active = sorted(key for key, (_, start) in ties.items() if start <= month)
        neighbours: dict[int, set[int]] = {}
        for a, b in active:
            neighbours.setdefault(a, set()).add(b)
            neighbours.setdefault(b, set()).add(a)
        # Busier every month, on top of the new pairs: from ~800 interactions in the first month to ~1,300 in the last.
        growth = 0.1 * (1 + 0.25 * month)
        for a, b in active:
            rate = ties[(a, b)][0]
            earliest = max(org.hire[a], org.hire[b])
            for _ in range(1 + int(rng.poisson(rate * growth))):
                sender, recipient = (a, b) if rng.random() < 0.5 else (b, a)
                channel = str(channels[rng.choice(len(channels), p=shares)])
                recipients = [recipient]
                common = sorted(neighbours[a] & neighbours[b])
                # Copies, group chats and co-edits only add people both already work with.
                if channel in ("email", "collab", "meeting") and common and rng.random() < 0.3:
                    extra = rng.choice(common, size=min(len(common), int(rng.integers(1, 3))), replace=False)
                    recipients += sorted(int(k) for k in extra if org.hire[int(k)] <= earliest)
                event = Event(channel, clock.time(month, earliest), sender, recipients)
                if channel == "slack":
                    event.kind = str(rng.choice(["mention", "reply", "reaction"]))
                elif channel == "meeting":
                    event.duration = float(rng.choice([0.5, 1.0]))
                    event.time = event.time.replace(minute=0 if rng.random() < 0.5 else 30, second=0)
                    event.declined = [k for k in recipients[1:] if rng.random() < 0.15]
                elif channel == "call":
                    event.duration = float(rng.choice([0.25, 0.5, 0.75, 1.0]))
                found.append(event)
        found += _team_meetings(org, clock, month, rng)
    found += _big_events(org, clock, rng)
    found.sort(key=lambda e: (e.time, e.channel, e.sender))
    return found


def _team_meetings(org: Org, clock: Clock, month: int, rng: np.random.Generator) -> list[Event]:
    """Fortnightly team meetings of every manager with the direct reports (not in Operations, not the CEO).

    They are how teammates meet: teammates have no pair of their own in
    :func:`~orgnet.synth.org.potential_ties`. A twentieth of the invitations
    are declined, so that nearly every teammate pair meets every month and the
    network keeps growing.
    """
    found = []
    ops = list(DEPARTMENTS).index("Operations")
    for boss in org.roles["leaders"]:
        if boss == 0 or org.dept[boss] == ops:
            continue
        for week_day in (1, 11):
            day = clock.days[month][week_day]
            team = [int(k) for k in org.reports(boss) if org.hire[k] <= day]
            if not team or org.hire[boss] > day:
                continue
            time = datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)
            declined = [k for k in team if rng.random() < 0.05]
            found.append(Event("meeting", time, boss, team, kind="team", duration=1.0, declined=declined))
    return found


def _big_events(org: Org, clock: Clock, rng: np.random.Generator) -> list[Event]:
    """Department all-hands (over the meeting cutoff) and department-wide e-mails (over the broadcast cutoff)."""
    found = []
    for name in ("Engineering", "Sales"):
        host = head(org, name)
        for month in range(len(SAMPLE_PERIODS)):
            day = clock.days[month][3]
            members = [int(k) for k in org.in_dept(name) if k != host and org.hire[k] <= day]
            time = datetime(day.year, day.month, day.day, 15, 0, tzinfo=UTC)
            declined = [k for k in members if rng.random() < 0.1]
            found.append(Event("meeting", time, host, members, kind="allhands", duration=1.0, declined=declined))
    for name, month in (("Engineering", 0), ("Sales", 1), ("Engineering", 3), ("Sales", 4)):
        host = head(org, name)
        day = clock.days[month][6]
        members = [int(k) for k in org.in_dept(name) if k != host and org.hire[k] <= day]
        assert len(members) > BROADCAST_CUTOFF
        found.append(Event("email", datetime(day.year, day.month, day.day, 8, 5, tzinfo=UTC), host, members, kind="broadcast"))
    return found


def realised_ties(found: list[Event], viva: list[tuple[str, int, int]]) -> dict[str, set[tuple[int, int]]]:
    """Undirected person pairs per period that the ingesters keep (cutoffs and declines applied).

    Parameters
    ----------
    found : the interactions of :func:`events`.
    viva : (period, primary, secondary) of every Viva Insights row.
    """
    pairs: dict[str, set[tuple[int, int]]] = {p: set() for p in SAMPLE_PERIODS}
    for event in found:
        label = period(event.time)
        if event.channel == "meeting":
            attendees = [event.sender] + [k for k in event.recipients if k not in event.declined]
            if len(event.recipients) + 1 > MEETING_CUTOFF:
                continue
            pairs[label].update((min(a, b), max(a, b)) for i, a in enumerate(attendees) for b in attendees[i + 1 :])
        elif event.kind != "broadcast":
            pairs[label].update((min(event.sender, k), max(event.sender, k)) for k in event.recipients)
    for label, a, b in viva:
        pairs[label].add((min(a, b), max(a, b)))
    return pairs
