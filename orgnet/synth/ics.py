"""The meetings of the sample organisation, as one iCalendar file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar

from orgnet.synth.activity import MEETING_CUTOFF, Event
from orgnet.synth.org import ORG_DOMAIN, Org

__all__ = ["write_calendar"]


def write_calendar(org: Org, found: list[Event], out: Path) -> dict[str, Any]:
    """Write ``calendar/meetings.ics`` with every meeting; the organiser is not repeated as an attendee.

    Returns
    -------
    The counts the calendar ingester must report: events, big meetings (over
    the attendee cutoff), declined attendees and attendee lines.
    """
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Acme//orgnet synthetic sample//EN")
    calendar.add("version", "2.0")
    stamp = datetime(2026, 11, 1, tzinfo=UTC)
    meetings = [e for e in found if e.channel == "meeting"]
    for n, meeting in enumerate(meetings, start=1):
        vevent = icalendar.Event()
        vevent.add("uid", f"mtg-{n:05d}@{ORG_DOMAIN}")
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", meeting.time)
        vevent.add("dtend", meeting.time + timedelta(hours=meeting.duration))
        vevent.add("summary", "SECRET-SUMMARY")
        organizer = icalendar.vCalAddress(f"mailto:{org.emails[meeting.sender]}")
        organizer.params["cn"] = org.names[meeting.sender]
        vevent.add("organizer", organizer)
        for k in meeting.recipients:
            attendee = icalendar.vCalAddress(f"mailto:{org.emails[k]}")
            attendee.params["partstat"] = "DECLINED" if k in meeting.declined else "ACCEPTED"
            vevent.add("attendee", attendee, encode=False)
        calendar.add_component(vevent)
    (out / "calendar").mkdir(parents=True, exist_ok=True)
    (out / "calendar" / "meetings.ics").write_bytes(calendar.to_ical())
    big = [m for m in meetings if len(m.recipients) + 1 > MEETING_CUTOFF]
    kept = [m for m in meetings if len(m.recipients) + 1 <= MEETING_CUTOFF]
    return {
        "events": len(meetings),
        "big_meetings": len(big),
        "big_meeting_attendees_min": min(len(m.recipients) + 1 for m in big),
        "kept_events": len(kept),
        "max_attendees_kept": max(len(m.recipients) + 1 for m in kept),
        "declined_attendees": sum(len(m.declined) for m in meetings),
        "declined_attendees_in_kept": sum(len(m.declined) for m in kept),
        "attendee_lines": sum(len(m.recipients) for m in meetings),
    }
