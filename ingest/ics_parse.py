"""Reading an ICS file: its bytes decoded, its content lines unfolded, and the components orgnet reads, with their lines.

iCalendar (RFC 5545, section 3.1) is a text of *content lines*
``NAME;PARAM=VALUE;...:VALUE``, folded at 75 octets by a line break followed by
one space or tab, and nested in ``BEGIN:X`` ... ``END:X`` components. This
module reads that structure and nothing more; what the values mean is
:mod:`orgnet.ingest.ics_time` and :mod:`orgnet.ingest.ics_events`.

Only the properties in :data:`KEPT` are parsed and kept, each with the line
it starts on. Every other property (``SUMMARY``, ``DESCRIPTION`` and
``LOCATION`` among them) is passed over once its name is seen: its value is
never parsed nor kept, and neither is anything inside a component orgnet does
not read (``VALARM``, ``VTODO``...).

What real producers write is tolerated: ``LF`` or ``CRLF`` line ends, lines
that are not content lines at all (an unfolded line of a long description,
say), counted and passed over; a ``VEVENT`` cut short by the end of the file
is kept, marked unclosed, so that the event reader can name its line. A file
that is empty, binary or holds no ``VCALENDAR`` is :class:`Unreadable`. UTF-8
is expected; a file that is not UTF-8 is read as Windows-1252 (or, where that
fails, ISO-8859-1), the usual other encoding of calendar exports, and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from orgnet.errors import IngestError, OrgnetError
from orgnet.ingest.base import ProblemLog, read_bytes

__all__ = ["KEPT", "MAX_DEPTH", "CalendarFile", "Component", "Property", "Unreadable", "parse_calendar", "read_calendar"]

#: The properties orgnet reads, per component; everything else is passed over unread.
KEPT: dict[str, frozenset[str]] = {
    "VCALENDAR": frozenset({"METHOD"}),
    "VEVENT": frozenset(
        {
            "UID",
            "RECURRENCE-ID",
            "SEQUENCE",
            "DTSTAMP",
            "STATUS",
            "DTSTART",
            "DTEND",
            "DURATION",
            "RRULE",
            "RDATE",
            "EXDATE",
            "ORGANIZER",
            "ATTENDEE",
        }
    ),
    "VTIMEZONE": frozenset({"TZID", "X-LIC-LOCATION"}),
    "STANDARD": frozenset({"DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "RRULE", "RDATE"}),
    "DAYLIGHT": frozenset({"DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "RRULE", "RDATE"}),
}
#: Which components are kept inside which: anything else is walked through without being kept.
_CHILDREN = {"VCALENDAR": ("VEVENT", "VTIMEZONE"), "VTIMEZONE": ("STANDARD", "DAYLIGHT")}
#: Deeper nesting than any producer writes is a crafted file, refused before it costs anything.
MAX_DEPTH = 16

_NAME = re.compile(r"[A-Za-z0-9-]+")
#: The parameters after a property's name, up to the colon that starts its value; a quoted value may hold ; : and ,.
_PARAMETERS = re.compile(r'((?:;(?:[^";:]|"[^"]*")*)*):')
_PARAMETER = re.compile(r';((?:[^";]|"[^"]*")*)')


class Unreadable(Exception):
    """A whole file orgnet cannot read as a calendar; ``reason`` says why, ``line`` where (0: the whole file)."""

    def __init__(self, reason: str, line: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass
class Property:
    """One kept content line: upper-case parameter names to their values (quotes removed), the value, its line."""

    params: dict[str, str]
    value: str
    line: int


@dataclass
class Component:
    """One ``BEGIN:NAME`` ... ``END:NAME`` block: its first line, its kept properties and components.

    ``broken`` lists the kept properties whose line could not be split into
    name, parameters and value (name and line); ``closed`` is false when the
    file ended before its ``END``.
    """

    name: str
    line: int
    properties: dict[str, list[Property]] = field(default_factory=dict)
    children: list[Component] = field(default_factory=list)
    broken: list[tuple[str, int]] = field(default_factory=list)
    closed: bool = True

    def first(self, name: str) -> Property | None:
        """The first ``name`` property, or ``None``."""
        found = self.properties.get(name)
        return found[0] if found else None

    def all(self, name: str) -> list[Property]:
        """Every ``name`` property, in file order."""
        return self.properties.get(name, [])


@dataclass
class CalendarFile:
    """What one file holds: its ``VCALENDAR`` components, the encoding it was read in, the lines passed over."""

    calendars: list[Component]
    encoding: str
    lines_ignored: int


def read_calendar(path: Path) -> CalendarFile:
    """Read and parse one ICS file.

    Raises
    ------
    Unreadable
        When the file cannot be read, is empty or binary, or holds no
        calendar (see :func:`parse_calendar`).
    """
    try:
        # A log of its own: the one problem it can hold is this file's, and Unreadable carries it instead.
        data = read_bytes(path, ProblemLog())
    except IngestError as error:
        raise Unreadable(error.problems[0].reason) from None
    except OrgnetError as error:
        raise Unreadable(str(error)) from None
    text, encoding = _decode(data)
    return parse_calendar(text, encoding)


def _decode(data: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was read in: UTF-8 (a BOM allowed), else the first fallback that fits."""
    for encoding in ("utf-8-sig", "windows-1252"):
        try:
            return data.decode(encoding), encoding.removesuffix("-sig")
        except UnicodeDecodeError:
            continue
    # Windows-1252 leaves five bytes undefined; ISO-8859-1 decodes every byte.
    return data.decode("iso-8859-1"), "iso-8859-1"


def parse_calendar(text: str, encoding: str = "utf-8") -> CalendarFile:
    """The components of an iCalendar text, with the line each starts on.

    Parameters
    ----------
    text : the decoded file.
    encoding : how it was decoded (kept in the result for the report).

    Returns
    -------
    :class:`CalendarFile`. Lines are numbered from 1, as an editor shows them;
    a folded property has the line it starts on.

    Raises
    ------
    Unreadable
        When no ``BEGIN:VCALENDAR`` line is found, or components nest deeper
        than :data:`MAX_DEPTH`.

    Notes
    -----
    One pass over the physical lines, O(n). ``END:X`` closes the innermost
    open ``X``, and any component still open inside it (marked unclosed);
    an ``END`` without its ``BEGIN`` is a line passed over.
    """
    reader = _Reader()
    pieces: list[str] = []
    start = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        if raw[:1] in (" ", "\t") and pieces:
            pieces.append(raw[1:].rstrip("\r"))
            continue
        if pieces:
            reader.line("".join(pieces), start)
        pieces, start = [raw.rstrip("\r")], number
    if pieces:
        reader.line("".join(pieces), start)
    for component in reader.stack:
        if component is not None:
            component.closed = False
    if not reader.calendars:
        raise Unreadable("not an iCalendar file: no BEGIN:VCALENDAR line")
    return CalendarFile(reader.calendars, encoding, reader.ignored)


class _Reader:
    """The state of :func:`parse_calendar`: the open components and what has been read."""

    def __init__(self) -> None:
        self.calendars: list[Component] = []
        #: Open components, outermost first; ``None`` for one that is walked through without being kept.
        self.stack: list[Component | None] = []
        self.ignored = 0

    def line(self, line: str, number: int) -> None:
        """Take one unfolded content line, starting on line ``number``."""
        if not line.strip():
            return
        match = _NAME.match(line)
        if match is None or match.end() == len(line) or line[match.end()] not in ":;":
            self.ignored += 1
            return
        name = match.group().upper()
        if name in ("BEGIN", "END"):
            value = line[match.end() + 1 :].strip().upper() if line[match.end()] == ":" else ""
            if not value:
                self.ignored += 1
            elif name == "BEGIN":
                self._begin(value, number)
            else:
                self._end(value)
            return
        here = self.stack[-1] if self.stack else None
        if here is None or name not in KEPT.get(here.name, ()):
            return
        split = _split(line, match.end())
        if split is None:
            here.broken.append((name, number))
            return
        params, value = split
        here.properties.setdefault(name, []).append(Property(params, value, number))

    def _begin(self, name: str, number: int) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise Unreadable(f"components nest more than {MAX_DEPTH} deep", number)
        parent = self.stack[-1] if self.stack else None
        component: Component | None = None
        if name == "VCALENDAR" and not self.stack:
            component = Component(name, number)
            self.calendars.append(component)
        elif parent is not None and name in _CHILDREN.get(parent.name, ()):
            component = Component(name, number)
            parent.children.append(component)
        self.stack.append(component)

    def _end(self, name: str) -> None:
        names = [component.name if component is not None else None for component in self.stack]
        # A component that is walked through has no name kept, so its END matches the innermost unnamed one.
        for depth in range(len(names) - 1, -1, -1):
            if names[depth] == name or (names[depth] is None and name not in names):
                for left_open in self.stack[depth + 1 :]:
                    if left_open is not None:
                        left_open.closed = False
                del self.stack[depth:]
                return
        self.ignored += 1


def _split(line: str, start: int) -> tuple[dict[str, str], str] | None:
    """Parameters and value of a content line whose name ends at ``start``; ``None`` when it has no value.

    The value begins at the first colon outside a quoted parameter value.
    """
    match = _PARAMETERS.match(line, start)
    if match is None:
        return None
    params: dict[str, str] = {}
    for part in _PARAMETER.findall(match.group(1)):
        key, equals, value = part.partition("=")
        if not equals or not _NAME.fullmatch(key.strip()):
            return None
        params[key.strip().upper()] = value.replace('"', "")
    return params, line[match.end() :]
