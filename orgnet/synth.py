"""Seeded synthetic organisations: the bundled sample data and benchmark-scale frames.

``python -m orgnet.synth samples --out data/samples`` writes a 300-person
organisation (Acme, ``acme.example``) in every source format of
``docs/formats.md``, over six months (2026-05 .. 2026-10), with
``truths.json``: the structures planted in it (two brokers between Finance and
Design, a one-person Finance-Legal bridge, a Legal-Marketing silo bridged in
2026-08, five advocates and three emerging ones, a vertical Operations
department, a growing network) and the exact counts each ingester should
report. Everything follows from one seed, so a fresh generation can be
compared byte for byte with the committed samples.

``benchmark_org`` builds store-shaped frames at benchmark scale (50k people,
800k ties) and ``write_interactions_csv``/``write_roster_csv`` write inputs for
the ingest benchmark; both are vectorised (NumPy, pyarrow), never a Python
loop per row.
"""

from __future__ import annotations

import argparse
import bisect
import io
import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from icalendar import Calendar, Event, vCalAddress

from orgnet.model import AUDIENCE_COLUMNS, ENGAGEMENT_COLUMNS, FOLLOWER_COLUMNS, TIE_COLUMNS

__all__ = [
    "DEPARTMENTS",
    "ORG_DOMAIN",
    "SAMPLE_PERIODS",
    "benchmark_org",
    "generate_samples",
    "main",
    "write_interactions_csv",
    "write_roster_csv",
]

ORG_DOMAIN = "acme.example"
#: The six calendar months of sample activity.
SAMPLE_PERIODS = ("2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10")
#: Sample departments and their head counts (the CEO counts in Sales); 300 people in all.
DEPARTMENTS = {
    "Engineering": 82,
    "Sales": 62,
    "Marketing": 32,
    "Finance": 26,
    "Legal": 14,
    "HR": 18,
    "Operations": 40,
    "Design": 26,
}
_TITLES = {  # (individual contributor, team lead, department head)
    "Engineering": ("Software Engineer", "Engineering Manager", "VP Engineering"),
    "Sales": ("Account Executive", "Sales Manager", "VP Sales"),
    "Marketing": ("Marketing Specialist", "Marketing Manager", "VP Marketing"),
    "Finance": ("Financial Analyst", "Finance Manager", "CFO"),
    "Legal": ("Legal Counsel", "Legal Manager", "General Counsel"),
    "HR": ("HR Business Partner", "HR Manager", "CHRO"),
    "Operations": ("Operations Associate", "Operations Supervisor", "COO"),
    "Design": ("Product Designer", "Design Manager", "Head of Design"),
}
_HOME_OFFICE = {
    "Engineering": "Berlin",
    "Sales": "New York",
    "Marketing": "London",
    "Finance": "London",
    "Legal": "London",
    "HR": "New York",
    "Operations": "Singapore",
    "Design": "Berlin",
}
_OFFICES = ("London", "New York", "Berlin", "Singapore")
_FIRST = [
    "Ada",
    "Alan",
    "Alice",
    "Amir",
    "Ana",
    "Anna",
    "Ben",
    "Carla",
    "Chen",
    "Chloe",
    "Dan",
    "David",
    "Dina",
    "Elena",
    "Emma",
    "Eric",
    "Eva",
    "Farah",
    "Felix",
    "Grace",
    "Hana",
    "Hugo",
    "Ian",
    "Ines",
    "Ivan",
    "Jack",
    "Jana",
    "Jin",
    "Joao",
    "Julia",
    "Kai",
    "Karen",
    "Kofi",
    "Lara",
    "Leo",
    "Lina",
    "Luca",
    "Maya",
    "Mei",
    "Mia",
    "Nadia",
    "Nina",
    "Noah",
    "Omar",
    "Paul",
    "Priya",
    "Rafael",
    "Rosa",
    "Sam",
    "Sara",
    "Sofia",
    "Tariq",
    "Tom",
    "Uma",
    "Victor",
    "Wei",
    "Yara",
    "Yusuf",
    "Zoe",
    "Zara",
]
_LAST = [
    "Abbott",
    "Adler",
    "Ahmed",
    "Alvarez",
    "Bauer",
    "Becker",
    "Brown",
    "Chen",
    "Costa",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Gupta",
    "Haddad",
    "Hansen",
    "Ito",
    "Jensen",
    "Kaur",
    "Keller",
    "Khan",
    "Kim",
    "Kowalski",
    "Larsen",
    "Lee",
    "Lopez",
    "Martin",
    "Meyer",
    "Moreau",
    "Muller",
    "Nakamura",
    "Nguyen",
    "Novak",
    "Okafor",
    "Olsen",
    "Patel",
    "Perez",
    "Petrov",
    "Quinn",
    "Rossi",
    "Sato",
    "Schmidt",
    "Silva",
    "Singh",
    "Smith",
    "Tanaka",
    "Taylor",
    "Thomas",
    "Torres",
    "Vogel",
    "Wagner",
    "Walsh",
    "Weber",
    "Wong",
    "Xu",
    "Yamada",
    "Young",
    "Zhang",
    "Ziegler",
    "Zimmer",
]
_EXTERNAL_ADDRESSES = (
    "anna.berg@partner.example",
    "deals@partner.example",
    "m.ortiz@partner.example",
    "support@partner.example",
    "j.wright@partner.example",
    "kim.lawson@gmail.com",
    "tom.baker.1980@gmail.com",
    "priya.n@gmail.com",
)
_UNKNOWN_INTERNAL = {"old.mailbox@acme.example": 5, "facilities-desk@acme.example": 3}
_BROADCAST_CUTOFF = 50
_MEETING_CUTOFF = 25
_CHANNEL_SHARES = {"email": 0.26, "slack": 0.26, "chat": 0.18, "meeting": 0.12, "call": 0.08, "collab": 0.10}
_UTC = UTC
_BERLIN_SUMMER = timezone(timedelta(hours=2))


# --------------------------------------------------------------------------- the organisation


@dataclass
class _Org:
    """People as parallel arrays indexed 0..n-1 (index 0 is the CEO), plus the planted roles."""

    ids: list[str]
    names: list[str]
    emails: list[str]
    aliases: list[list[str]]
    dept: np.ndarray
    manager: np.ndarray
    titles: list[str]
    locations: list[str]
    levels: list[str]
    hire: list[date]
    roles: dict[str, list[int]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.ids)

    def in_dept(self, name: str) -> np.ndarray:
        return np.flatnonzero(self.dept == list(DEPARTMENTS).index(name))

    def dept_name(self, person: int) -> str:
        return list(DEPARTMENTS)[self.dept[person]]

    def reports(self, person: int) -> np.ndarray:
        return np.flatnonzero(self.manager == person)


def _month_bounds(period: str) -> tuple[date, date]:
    year, month = (int(part) for part in period.split("-"))
    start = date(year, month, 1)
    end = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return start, end


def _month_of(day: date) -> int:
    """Index in SAMPLE_PERIODS of ``day``'s month; 0 for any day before the window."""
    key = f"{day.year:04d}-{day.month:02d}"
    return SAMPLE_PERIODS.index(key) if key in SAMPLE_PERIODS else 0


def _make_org(rng: np.random.Generator) -> _Org:
    """People, reporting lines, titles and the planted roles."""
    dept_names = list(DEPARTMENTS)
    dept: list[int] = [dept_names.index("Sales")]
    manager: list[int] = [-1]
    role: list[str] = ["ceo"]
    for d, name in enumerate(dept_names):
        size = DEPARTMENTS[name] - (1 if name == "Sales" else 0)
        head = len(dept)
        dept.append(d)
        manager.append(0)
        role.append("head")
        n_leads = max(1, round((size - 1) / 8))
        leads = list(range(head + 1, head + 1 + n_leads))
        for _ in leads:
            dept.append(d)
            manager.append(head)
            role.append("lead")
        for k in range(size - 1 - n_leads):
            dept.append(d)
            manager.append(leads[k % n_leads])
            role.append("ic")
    n = len(dept)

    pairs = [(first, last) for first in _FIRST for last in _LAST]
    chosen = rng.choice(len(pairs), size=n, replace=False)
    names = [f"{pairs[c][0]} {pairs[c][1]}" for c in chosen]
    emails, aliases, handles_seen = [], [], set()
    for c in chosen:
        first, last = pairs[c][0].lower(), pairs[c][1].lower()
        emails.append(f"{first}.{last}@{ORG_DOMAIN}")
        handle = f"@{first[0]}{last}"
        while handle in handles_seen:
            handle += "1"
        handles_seen.add(handle)
        person_aliases = [handle]
        if rng.random() < 0.15:  # a pre-rename address still in use in old threads
            person_aliases.append(f"{first[0]}{last}@{ORG_DOMAIN}")
        aliases.append(person_aliases)

    titles, levels, locations, hire = [], [], [], []
    for k in range(n):
        d_name = dept_names[dept[k]]
        ic, lead, head_title = _TITLES[d_name]
        if role[k] == "ceo":
            titles.append("Chief Executive Officer")
            levels.append("L7")
        elif role[k] == "head":
            titles.append(head_title)
            levels.append("L6")
        elif role[k] == "lead":
            titles.append(lead)
            levels.append("L5")
        else:
            level = rng.choice(["L2", "L3", "L4"], p=[0.4, 0.4, 0.2])
            titles.append(f"Senior {ic}" if level == "L4" else ic)
            levels.append(str(level))
        home = _HOME_OFFICE[d_name]
        locations.append(home if rng.random() < 0.65 else str(rng.choice(_OFFICES)))
        first_day = date(2012, 1, 2) if role[k] in ("ceo", "head") else date(2015, 1, 5)
        hire.append(first_day + timedelta(days=int(rng.integers(0, (date(2026, 4, 27) - first_day).days))))

    org = _Org(
        ids=[f"E{k + 1:04d}" for k in range(n)],
        names=names,
        emails=emails,
        aliases=aliases,
        dept=np.array(dept),
        manager=np.array(manager),
        titles=titles,
        locations=locations,
        levels=levels,
        hire=hire,
    )
    org.roles["leaders"] = [k for k in range(n) if role[k] != "ic"]

    ics = np.array([k for k in range(n) if role[k] == "ic"])
    taken: set[int] = set()

    def pick(dept_name: str, count: int) -> list[int]:
        pool = [int(k) for k in ics if org.dept_name(k) == dept_name and k not in taken]
        picked = sorted(int(k) for k in rng.choice(pool, size=count, replace=False))
        taken.update(picked)
        return picked

    org.roles["advocates"] = pick("Sales", 2) + pick("Engineering", 1) + pick("HR", 1) + pick("Marketing", 1)
    org.roles["emerging"] = pick("Engineering", 1) + pick("Sales", 1) + pick("Design", 1)
    org.roles["brokers"] = pick("Finance", 1) + pick("Design", 1)
    org.roles["bridge"] = pick("Legal", 1)
    org.roles["silo_legal"] = pick("Legal", 4)
    org.roles["silo_marketing"] = pick("Marketing", 4)
    hires = []
    for dept_name, count in (
        ("Engineering", 8),
        ("Sales", 5),
        ("Marketing", 3),
        ("HR", 2),
        ("Operations", 3),
        ("Design", 2),
        ("Finance", 1),
    ):
        hires += pick(dept_name, count)
    # Mondays from 11 May to 12 October: every hire has working days left in its first month.
    mondays = [date(2026, 5, 11) + timedelta(weeks=w) for w in range(23)]
    for k in hires:
        org.hire[k] = mondays[int(rng.integers(0, len(mondays)))]
    org.roles["new_hires"] = sorted(hires)
    for k in hires:  # a new hire starts at the bottom of the ladder
        org.levels[k] = "L2"
        org.titles[k] = _TITLES[org.dept_name(k)][0]
    for k in org.roles["advocates"]:
        org.levels[k] = "L4"
        org.titles[k] = "Senior " + _TITLES[org.dept_name(k)][0]
    return org


# --------------------------------------------------------------------------- who may talk to whom


def _allowed(org: _Org, a: int, b: int) -> bool:
    """Whether a tie between ``a`` and ``b`` respects every planted structure (Legal-Marketing excepted)."""
    da, db = org.dept_name(a), org.dept_name(b)
    vertical = org.manager[a] == b or org.manager[b] == a
    if "Operations" in (da, db):
        return bool(vertical)
    if da == db:
        return True
    pair = {da, db}
    if pair == {"Finance", "Design"}:
        return a in org.roles["brokers"] or b in org.roles["brokers"]
    if pair == {"Finance", "Legal"}:
        return org.roles["bridge"][0] in (a, b)
    # Legal and Marketing meet only through the planted pairs, added with their own start month.
    return pair != {"Legal", "Marketing"}


def _potential_ties(org: _Org, rng: np.random.Generator) -> dict[tuple[int, int], list[float]]:
    """Every pair that ever interacts: (a, b) with a < b -> [monthly rate, first month index].

    A pair, once active, interacts every later month, so the set of ties per
    month is nested and grows; hires add theirs from their first month.
    """
    ties: dict[tuple[int, int], list[float]] = {}

    def add(a: int, b: int, rate: float, start: int = 0, force: bool = False) -> None:
        if a == b or not (force or _allowed(org, a, b)):
            return
        key = (min(a, b), max(a, b))
        start = max(start, _month_of(org.hire[a]), _month_of(org.hire[b]))
        if key in ties:
            ties[key] = [max(ties[key][0], rate), min(ties[key][1], start)]
        else:
            ties[key] = [rate, start]

    n = org.size
    for k in range(1, n):
        add(k, int(org.manager[k]), 1.2)
    for boss in range(1, n):
        team = [int(k) for k in org.reports(boss)]
        for i, a in enumerate(team):
            for b in team[i + 1 :]:
                add(a, b, 0.8)
    exec_team = [0] + [_head(org, name) for name in ("Engineering", "Sales", "HR", "Marketing", "Finance")]
    for i, a in enumerate(exec_team):
        for b in exec_team[i + 1 :]:
            add(a, b, 0.8)

    def later() -> int:
        # Most pairs exist from the start; the rest appear month by month, so the network grows.
        return 0 if rng.random() < 0.6 else int(rng.integers(1, len(SAMPLE_PERIODS)))

    def veterans(people: np.ndarray, skip: list[int]) -> list[int]:
        return [int(k) for k in people if k not in skip and org.hire[k] < date(2026, 5, 1)]

    not_ops = np.flatnonzero(org.dept != list(DEPARTMENTS).index("Operations"))
    for a in not_ops:
        same = [int(k) for k in org.in_dept(org.dept_name(a))]
        for b in rng.choice(same, size=2, replace=False):
            add(int(a), int(b), 0.4, later())
        for b in rng.choice(not_ops, size=int(rng.poisson(1.5))):
            add(int(a), int(b), 0.4, later())
    for a in org.roles["advocates"]:
        for b in rng.choice(not_ops, size=45, replace=False):
            add(a, int(b), 1.0, 0 if rng.random() < 0.85 else 1)

    finance, design = org.in_dept("Finance"), org.in_dept("Design")
    broker_f, broker_d = org.roles["brokers"]
    for b in rng.choice(veterans(design, org.roles["brokers"]), size=5, replace=False):
        add(broker_f, int(b), 1.0)
    for b in rng.choice(veterans(finance, org.roles["brokers"]), size=5, replace=False):
        add(broker_d, int(b), 1.0)
    add(broker_f, broker_d, 1.0)
    bridge = org.roles["bridge"][0]
    for b in rng.choice(veterans(finance, org.roles["brokers"]), size=6, replace=False):
        add(bridge, int(b), 1.0)
    silo_start = SAMPLE_PERIODS.index("2026-08")
    for i, a in enumerate(org.roles["silo_legal"]):
        for b in (org.roles["silo_marketing"][i], org.roles["silo_marketing"][(i + 1) % 4]):
            add(a, b, 2.0, silo_start, force=True)
    assert not any(org.dept_name(a) == "Legal" and org.dept_name(b) == "Marketing" and s < silo_start for (a, b), (_, s) in ties.items())
    return ties


def _head(org: _Org, dept_name: str) -> int:
    return int(org.in_dept(dept_name)[0])


# --------------------------------------------------------------------------- interactions over time


@dataclass
class _Event:
    """One interaction before it is written in its source format."""

    channel: str
    time: datetime
    sender: int
    recipients: list[int]
    kind: str = ""  # slack: mention/reply/reaction; email: broadcast
    duration: float = 1.0
    declined: list[int] = field(default_factory=list)


class _Clock:
    """Working-hour timestamps inside a month, never before a given day."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.days = []
        for period in SAMPLE_PERIODS:
            start, end = _month_bounds(period)
            self.days.append([start + timedelta(d) for d in range((end - start).days + 1) if (start + timedelta(d)).weekday() < 5])

    def time(self, month: int, earliest: date, last_hour: int = 17) -> datetime:
        days = self.days[month]
        day = days[int(self.rng.integers(bisect.bisect_left(days, earliest), len(days)))]
        return datetime(
            day.year,
            day.month,
            day.day,
            int(self.rng.integers(8, last_hour + 1)),
            int(self.rng.integers(0, 60)),
            int(self.rng.integers(0, 60)),
            tzinfo=_UTC,
        )


def _events(org: _Org, ties: dict[tuple[int, int], list[float]], rng: np.random.Generator) -> list[_Event]:
    """Every interaction of the six months, in time order."""
    clock = _Clock(rng)
    channels, shares = list(_CHANNEL_SHARES), np.array(list(_CHANNEL_SHARES.values()))
    events: list[_Event] = []
    for month in range(len(SAMPLE_PERIODS)):
        active = sorted(key for key, (_, start) in ties.items() if start <= month)
        neighbours: dict[int, set[int]] = {}
        for a, b in active:
            neighbours.setdefault(a, set()).add(b)
            neighbours.setdefault(b, set()).add(a)
        # Busier every month, on top of the new pairs: ~3,000 interactions a month at the end.
        growth = 0.6 * (1 + 0.1 * month)
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
                event = _Event(channel, clock.time(month, earliest), sender, recipients)
                if channel == "slack":
                    event.kind = str(rng.choice(["mention", "reply", "reaction"]))
                elif channel == "meeting":
                    event.duration = float(rng.choice([0.5, 1.0]))
                    event.time = event.time.replace(minute=0 if rng.random() < 0.5 else 30, second=0)
                    event.declined = [k for k in recipients[1:] if rng.random() < 0.15]
                elif channel == "call":
                    event.duration = float(rng.choice([0.25, 0.5, 0.75, 1.0]))
                events.append(event)
        events += _team_meetings(org, clock, month, rng)
    events += _big_events(org, clock, rng)
    events.sort(key=lambda e: (e.time, e.channel, e.sender))
    return events


def _team_meetings(org: _Org, clock: _Clock, month: int, rng: np.random.Generator) -> list[_Event]:
    """Fortnightly team meetings of every manager whose team all talk together (not Operations, not the CEO)."""
    events = []
    ops = list(DEPARTMENTS).index("Operations")
    for boss in org.roles["leaders"]:
        if boss == 0 or org.dept[boss] == ops:
            continue
        for week_day in (1, 11):
            day = clock.days[month][week_day]
            team = [int(k) for k in org.reports(boss) if org.hire[k] <= day]
            if not team or org.hire[boss] > day:
                continue
            time = datetime(day.year, day.month, day.day, 10, 0, tzinfo=_UTC)
            declined = [k for k in team if rng.random() < 0.1]
            events.append(_Event("meeting", time, boss, team, kind="team", duration=1.0, declined=declined))
    return events


def _big_events(org: _Org, clock: _Clock, rng: np.random.Generator) -> list[_Event]:
    """Department all-hands (over the meeting cutoff) and department-wide e-mails (over the broadcast cutoff)."""
    events = []
    for name in ("Engineering", "Sales"):
        head = _head(org, name)
        for month in range(len(SAMPLE_PERIODS)):
            day = clock.days[month][3]
            members = [int(k) for k in org.in_dept(name) if k != head and org.hire[k] <= day]
            time = datetime(day.year, day.month, day.day, 15, 0, tzinfo=_UTC)
            declined = [k for k in members if rng.random() < 0.1]
            events.append(_Event("meeting", time, head, members, kind="allhands", duration=1.0, declined=declined))
    for name, month in (("Engineering", 0), ("Sales", 1), ("Engineering", 3), ("Sales", 4)):
        head = _head(org, name)
        day = clock.days[month][6]
        members = [int(k) for k in org.in_dept(name) if k != head and org.hire[k] <= day]
        assert len(members) > _BROADCAST_CUTOFF
        events.append(_Event("email", datetime(day.year, day.month, day.day, 8, 5, tzinfo=_UTC), head, members, kind="broadcast"))
    return events


# --------------------------------------------------------------------------- writers


def _write_roster(org: _Org, out: Path) -> pd.DataFrame:
    roster = pd.DataFrame(
        {
            "person_id": org.ids,
            "name": org.names,
            "email": org.emails,
            "aliases": [";".join(a) for a in org.aliases],
            "department": [org.dept_name(k) for k in range(org.size)],
            "title": org.titles,
            "manager_id": [org.ids[m] if m >= 0 else "" for m in org.manager],
            "location": org.locations,
            "hire_date": [d.isoformat() for d in org.hire],
            "level": org.levels,
        }
    )
    roster.to_csv(out / "roster.csv", index=False, lineterminator="\n")
    _write_xlsx(roster, out / "roster.xlsx")
    return roster


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """An Excel copy whose bytes depend only on ``frame`` (fixed document and zip timestamps)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "roster"
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append(list(row))
    fixed = datetime(2026, 11, 1)
    book.properties.created = fixed
    book.properties.modified = fixed
    raw = io.BytesIO()
    book.save(raw)
    # openpyxl stamps zip entries with the current time; rewrite them with a fixed one.
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _fix_modified(data)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=(2026, 11, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)


def _fix_modified(core_xml: bytes) -> bytes:
    """openpyxl rewrites ``dcterms:modified`` with the save time; pin it to the fixed date."""
    return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>2026-11-01T00:00:00Z\g<2>", core_xml)


def _iso(time: datetime) -> str:
    return time.astimezone(_UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _period(time: datetime) -> str:
    return time.astimezone(_UTC).strftime("%Y-%m")


def _write_interactions(org: _Org, events: list[_Event], rng: np.random.Generator, out: Path) -> dict:
    """chat, call and collab rows; people named by id, address, alias handle or ``Name <address>``."""
    forms = {"id": 0, "email": 0, "alias": 0, "angle": 0}

    def ref(person: int) -> str:
        form = str(rng.choice(["id", "email", "alias", "angle"], p=[0.35, 0.4, 0.17, 0.08]))
        forms[form] += 1
        if form == "id":
            return org.ids[person]
        if form == "alias":
            return str(rng.choice(org.aliases[person]))
        if form == "angle":
            return f"{org.names[person]} <{org.emails[person]}>"
        return org.emails[person]

    rows = []
    for event in events:
        if event.channel in ("chat", "call", "collab"):
            duration = f"{event.duration:g}" if event.channel == "call" else ""
            rows.append((ref(event.sender), ";".join(ref(k) for k in event.recipients), _iso(event.time), event.channel, duration))
    frame = pd.DataFrame(rows, columns=["sender", "recipients", "timestamp", "channel", "duration_hours"])
    frame.to_csv(out / "interactions.csv", index=False, lineterminator="\n")
    return {
        "rows": len(frame),
        "rows_by_channel": {k: int(v) for k, v in frame["channel"].value_counts().sort_index().items()},
        "references_by_form": forms,
    }


def _address(org: _Org, person: int, named: bool) -> str:
    return f"{org.names[person]} <{org.emails[person]}>" if named else org.emails[person]


def _fold(addresses: list[str]) -> str:
    """An address list folded every few entries, as mail clients do for long headers."""
    lines = [", ".join(addresses[i : i + 4]) for i in range(0, len(addresses), 4)]
    return ",\n ".join(lines)


def _write_email(org: _Org, events: list[_Event], rng: np.random.Generator, out: Path) -> dict:
    """An mbox and a Maildir; some messages in both, broadcasts and outside addresses only in the mbox."""
    mails = [e for e in events if e.channel == "email"]
    ordinary = [i for i, e in enumerate(mails) if e.kind != "broadcast"]
    unknown_at: dict[int, str] = {}
    picks = iter(rng.choice(ordinary, size=sum(_UNKNOWN_INTERNAL.values()), replace=False))
    for address, count in _UNKNOWN_INTERNAL.items():
        for _ in range(count):
            unknown_at[int(next(picks))] = address
    external_at = {i: str(rng.choice(_EXTERNAL_ADDRESSES)) for i in ordinary if i not in unknown_at and rng.random() < 0.05}

    (out / "email" / "maildir" / "tmp").mkdir(parents=True, exist_ok=True)
    (out / "email" / "maildir" / "cur").mkdir(exist_ok=True)
    (out / "email" / "maildir" / "new").mkdir(exist_ok=True)
    (out / "email" / "maildir" / "tmp" / ".gitkeep").write_text("")
    mbox_parts = []
    counts = {"mbox": 0, "maildir": 0, "both": 0}
    for n, event in enumerate(mails, start=1):
        to = [_address(org, k, rng.random() < 0.3) for k in event.recipients[:1] if event.kind != "broadcast"]
        cc = [_address(org, k, rng.random() < 0.3) for k in event.recipients[1:]]
        if event.kind == "broadcast":
            to = [org.emails[k] for k in event.recipients]
        if n - 1 in unknown_at:
            to.append(unknown_at[n - 1])
        if n - 1 in external_at:
            cc.append(external_at[n - 1])
        local = event.time.astimezone(_BERLIN_SUMMER) if org.locations[event.sender] == "Berlin" else event.time
        headers = [
            f"From: {_address(org, event.sender, True)}",
            f"To: {_fold(to)}",
            *([f"Cc: {_fold(cc)}"] if cc else []),
            f"Date: {format_datetime(local)}",
            f"Message-ID: <{event.time.strftime('%Y%m%d%H%M%S')}.{n:05d}@mail.{ORG_DOMAIN}>",
            f"Subject: SECRET-SUBJECT-{n}",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
        ]
        text = "\n".join(headers) + "\n\nSECRET-BODY: synthetic message body, never read by orgnet.\n"
        plain = event.kind != "broadcast" and n - 1 not in unknown_at and n - 1 not in external_at
        draw = rng.random()
        where = "both" if plain and draw < 0.12 else "maildir" if plain and draw < 0.3 else "mbox"
        counts[where] += 1
        if where in ("mbox", "both"):
            mbox_parts.append(f"From {org.emails[event.sender]} {event.time.strftime('%a %b %d %H:%M:%S %Y')}\n{text}\n")
        if where in ("maildir", "both"):
            stamp = int(event.time.timestamp())
            folder, suffix = ("new", "") if n % 5 == 0 else ("cur", ":2,S")
            (out / "email" / "maildir" / folder / f"{stamp}.M{n}P7.acme{suffix}").write_text(text, encoding="utf-8")
    (out / "email" / "archive.mbox").write_text("".join(mbox_parts), encoding="utf-8")

    broadcasts = [e for e in mails if e.kind == "broadcast"]
    unknown_counts = dict(_UNKNOWN_INTERNAL.items())
    kept_mails = [e for e in mails if e.kind != "broadcast"]
    summary = {
        "unique_messages": len(mails),
        "mbox_messages": counts["mbox"] + counts["both"],
        "maildir_messages": counts["maildir"] + counts["both"],
        "duplicates": counts["both"],
        "broadcasts": len(broadcasts),
        "broadcast_recipients_min": min(len(e.recipients) for e in broadcasts),
        "kept_messages": len(kept_mails),
        "max_recipients_kept": max(len(e.recipients) + 1 for e in kept_mails),
        "external_addresses": sorted(set(external_at.values())),
        "messages_with_external": len(external_at),
        "unknown_internal": unknown_counts,
        "messages_with_unknown_internal": len(unknown_at),
    }
    return summary


def _slack_id(prefix: str, k: int) -> str:
    # Multiplying by an odd constant modulo 2**32 is a bijection: distinct, scrambled-looking ids.
    return f"{prefix}{((k + 1) * 2654435761) % (1 << 32):08X}"


def _write_slack(org: _Org, events: list[_Event], rng: np.random.Generator, out: Path) -> dict:
    """An unpacked Slack export: users, channels and one JSON file per channel per day."""
    root = out / "slack"
    root.mkdir(parents=True, exist_ok=True)
    users = [
        {
            "id": _slack_id("U", k),
            "name": org.aliases[k][0].lstrip("@"),
            "real_name": org.names[k],
            "deleted": False,
            "is_bot": False,
            "profile": {"email": org.emails[k], "real_name": org.names[k], "title": org.titles[k]},
        }
        for k in range(org.size)
    ]
    users.append(
        {
            "id": "USLACKBOT",
            "name": "slackbot",
            "real_name": "Slackbot",
            "deleted": False,
            "is_bot": True,
            "profile": {"real_name": "Slackbot"},
        }
    )
    uid = [u["id"] for u in users]
    dept_channel = {name: name.lower()[:11] for name in DEPARTMENTS}
    channel_names = ["general", "random", *dept_channel.values(), "cross-team", "proj-brand-review"]

    messages: dict[tuple[str, str], list[dict]] = {}
    stamps: set[str] = set()

    def post(channel: str, time: datetime, message: dict) -> dict:
        seconds = int(time.timestamp())
        serial = 100
        while f"{seconds}.{serial:06d}" in stamps:  # ts is a message's unique key in Slack
            serial += 1
        message["ts"] = f"{seconds}.{serial:06d}"
        stamps.add(message["ts"])
        messages.setdefault((channel, time.strftime("%Y-%m-%d")), []).append(message)
        return message

    counts = {"mentions": 0, "thread_replies": 0, "reactions": 0, "other_messages": 0}
    silo = set(org.roles["silo_legal"]) | set(org.roles["silo_marketing"])
    for event in events:
        if event.channel != "slack":
            continue
        actor, other = event.sender, event.recipients[0]
        if org.dept[actor] == org.dept[other]:
            channel = dept_channel[org.dept_name(actor)]
        elif actor in silo and other in silo:
            channel = "proj-brand-review"
        else:
            channel = "cross-team"
        text = "SECRET-SLACK message text"
        if event.kind == "mention":
            post(channel, event.time, {"type": "message", "user": uid[actor], "text": f"<@{uid[other]}> {text}"})
            counts["mentions"] += 1
        elif event.kind == "reaction":
            reaction = {"name": str(rng.choice(["thumbsup", "eyes", "tada", "white_check_mark"])), "users": [uid[actor]], "count": 1}
            post(channel, event.time, {"type": "message", "user": uid[other], "text": text, "reactions": [reaction]})
            counts["reactions"] += 1
            counts["other_messages"] += 1
        else:
            parent = post(channel, event.time, {"type": "message", "user": uid[other], "text": text})
            parent.update({"thread_ts": parent["ts"], "reply_count": 1, "reply_users": [uid[actor]]})
            reply_time = event.time + timedelta(minutes=int(rng.integers(2, 50)))
            post(
                channel,
                reply_time,
                {"type": "message", "user": uid[actor], "text": text, "thread_ts": parent["ts"], "parent_user_id": uid[other]},
            )
            counts["thread_replies"] += 1
            counts["other_messages"] += 1
    # Announcements with no mention, reply or reaction: channel traffic that is no tie.
    clock = _Clock(rng)
    for _ in range(300):
        author = int(rng.integers(0, org.size))
        month = int(rng.integers(_month_of(org.hire[author]) if org.hire[author] >= date(2026, 5, 1) else 0, len(SAMPLE_PERIODS)))
        text = "<!here> SECRET-SLACK announcement" if rng.random() < 0.2 else "SECRET-SLACK update"
        post("general", clock.time(month, org.hire[author]), {"type": "message", "user": uid[author], "text": text})
        counts["other_messages"] += 1

    created = int(datetime(2020, 1, 6, tzinfo=_UTC).timestamp())
    channels = []
    for k, name in enumerate(channel_names):
        members = sorted({m["user"] for (c, _), day in messages.items() if c == name for m in day})
        channels.append({"id": _slack_id("C", k), "name": name, "created": created, "creator": uid[0], "members": members})
    _write_json(root / "users.json", users)
    _write_json(root / "channels.json", channels)
    for (channel, day), day_messages in sorted(messages.items()):
        (root / channel).mkdir(exist_ok=True)
        _write_json(root / channel / f"{day}.json", sorted(day_messages, key=lambda m: m["ts"]))
    return {
        "users": org.size,
        "bots": 1,
        "channels": len(channels),
        "day_files": len(messages),
        "messages": sum(len(v) for v in messages.values()),
        **counts,
    }


def _write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_calendar(org: _Org, events: list[_Event], out: Path) -> dict:
    """One ``meetings.ics`` with every meeting; the organiser is not repeated as an attendee."""
    calendar = Calendar()
    calendar.add("prodid", "-//Acme//orgnet synthetic sample//EN")
    calendar.add("version", "2.0")
    stamp = datetime(2026, 11, 1, tzinfo=_UTC)
    meetings = [e for e in events if e.channel == "meeting"]
    for n, meeting in enumerate(meetings, start=1):
        vevent = Event()
        vevent.add("uid", f"mtg-{n:05d}@{ORG_DOMAIN}")
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", meeting.time)
        vevent.add("dtend", meeting.time + timedelta(hours=meeting.duration))
        vevent.add("summary", "SECRET-SUMMARY")
        organizer = vCalAddress(f"mailto:{org.emails[meeting.sender]}")
        organizer.params["cn"] = org.names[meeting.sender]
        vevent.add("organizer", organizer)
        for k in meeting.recipients:
            attendee = vCalAddress(f"mailto:{org.emails[k]}")
            attendee.params["partstat"] = "DECLINED" if k in meeting.declined else "ACCEPTED"
            vevent.add("attendee", attendee, encode=0)
        calendar.add_component(vevent)
    (out / "calendar").mkdir(parents=True, exist_ok=True)
    (out / "calendar" / "meetings.ics").write_bytes(calendar.to_ical())
    big = [m for m in meetings if len(m.recipients) + 1 > _MEETING_CUTOFF]
    kept = [m for m in meetings if len(m.recipients) + 1 <= _MEETING_CUTOFF]
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


def _write_viva(
    org: _Org, ties: dict[tuple[int, int], list[float]], rng: np.random.Generator, out: Path
) -> tuple[dict, list[tuple[str, int, int]]]:
    """A monthly person-to-person export for a sixth of the pairs (people fully employed that month)."""
    rows, ties_out = [], []
    for month, period in enumerate(SAMPLE_PERIODS):
        start, _ = _month_bounds(period)
        for (a, b), (rate, first) in sorted(ties.items()):
            if first > month or max(org.hire[a], org.hire[b]) > start or (a * 7919 + b * 104729) % 6:
                continue
            primary, secondary = (a, b) if rng.random() < 0.5 else (b, a)
            rows.append(
                {
                    "PrimaryCollaborator_PersonId": org.ids[primary],
                    "SecondaryCollaborator_PersonId": org.ids[secondary],
                    "PrimaryCollaborator_Organization": org.dept_name(primary),
                    "SecondaryCollaborator_Organization": org.dept_name(secondary),
                    "PrimaryCollaborator_LevelDesignation": org.levels[primary],
                    "SecondaryCollaborator_LevelDesignation": org.levels[secondary],
                    "StrongTieScore": round(min(1.0, 0.2 + 0.35 * rate + 0.1 * rng.random()), 2),
                    "MetricDate": start.isoformat(),
                }
            )
            ties_out.append((period, primary, secondary))
    (out / "viva").mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(out / "viva" / "person_to_person.csv", index=False, lineterminator="\n")
    return {"rows": len(rows)}, ties_out


# --------------------------------------------------------------------------- audiences and engagement


def _audiences(org: _Org, rng: np.random.Generator, out: Path) -> dict:
    """Follower lists (with deliberate overlap), count-only accounts and the two brand accounts."""
    pools = {"linkedin": ("li", 80_000), "x": ("x", 30_000)}
    ids = {p: [f"{prefix}:{v}" for v in (rng.choice(900_000, size=n, replace=False) + 100_000)] for p, (prefix, n) in pools.items()}
    core, general = 2_500, 15_000  # ids[:core] are followed by advocates and the brand, ids[core:general] by everyone
    cursor = dict.fromkeys(pools, general)
    followers: dict[tuple[str, str, str], list[str]] = {}

    def account(owner_type: str, owner: str, platform: str, size: int, shared: float, region: tuple[int, int]) -> None:
        n_shared = int(size * shared)
        lo, hi = region
        chosen = list(rng.choice(ids[platform][lo:hi], size=n_shared, replace=False))
        own = ids[platform][cursor[platform] : cursor[platform] + size - n_shared]
        cursor[platform] += size - n_shared
        followers[(owner_type, owner, platform)] = sorted(set(chosen) | set(own))

    for k in org.roles["advocates"]:
        account("person", org.ids[k], "linkedin", int(rng.integers(1800, 2600)), 0.35, (0, core))
        account("person", org.ids[k], "x", int(rng.integers(600, 1000)), 0.35, (0, core))
    for k in org.roles["emerging"]:
        account("person", org.ids[k], "linkedin", int(rng.integers(300, 500)), 0.3, (0, general))
    heads = [k for k in org.roles["leaders"] if org.levels[k] in ("L6", "L7")]
    for k in heads:
        account("person", org.ids[k], "linkedin", 1200 if k == 0 else int(rng.integers(300, 800)), 0.3, (core, general))
    special = set(org.roles["advocates"]) | set(org.roles["emerging"]) | set(org.roles["leaders"])
    rest = [k for k in range(org.size) if k not in special]
    with_ids = sorted(int(k) for k in rng.choice(rest, size=30, replace=False))
    for k in with_ids:
        account("person", org.ids[k], "linkedin", int(rng.integers(80, 300)), 0.3, (core, general))
    account("brand", "Acme", "linkedin", 9000, 0.6, (0, general))
    account("brand", "Acme", "x", 4000, 0.6, (0, general))

    leads = [k for k in org.roles["leaders"] if org.levels[k] == "L5"]
    count_only_people = sorted(set(leads) | {int(k) for k in rng.choice([k for k in rest if k not in with_ids], size=40, replace=False)})
    count_only = {}
    for k in count_only_people:
        count_only[(org.ids[k], "linkedin")] = int(rng.integers(150, 600) if k in leads else rng.integers(20, 400))
        if rng.random() < 0.25:
            count_only[(org.ids[k], "instagram")] = int(rng.integers(50, 900))

    lines = ["person,owner_type,platform,follower_count,follower_id"]
    for (owner_type, owner, platform), follower_ids in sorted(followers.items()):
        lines += [f"{owner},{owner_type},{platform},{len(follower_ids)},{f}" for f in follower_ids]
    for (person, platform), count in sorted(count_only.items()):
        # Count-only people are named by address, as comms tools export them.
        lines.append(f"{org.emails[org.ids.index(person)]},person,{platform},{count},")
    (out / "audiences.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    people_ids = {p: set().union(*(set(v) for (t, _, q), v in followers.items() if t == "person" and q == p)) for p in pools}
    brand_ids = {p: set(followers[("brand", "Acme", p)]) for p in pools}
    advocate_ids = set().union(*(set(followers[("person", org.ids[k], "linkedin")]) for k in org.roles["advocates"]))
    return {
        "rows": len(lines) - 1,
        "accounts": len(followers) + len(count_only),
        "person_accounts": len(followers) - 2 + len(count_only),
        "brand_accounts": 2,
        "accounts_with_follower_ids": len(followers),
        "count_only_accounts": len(count_only),
        "follower_rows": sum(len(v) for v in followers.values()),
        "follower_count": {f"{t}:{o}:{p}": len(v) for (t, o, p), v in sorted(followers.items())}
        | {f"person:{o}:{p}": c for (o, p), c in sorted(count_only.items())},
        "unique_person_followers": {p: len(v) for p, v in people_ids.items()},
        "unique_brand_followers": {p: len(v) for p, v in brand_ids.items()},
        "unique_all_followers": {p: len(people_ids[p] | brand_ids[p]) for p in pools},
        "person_followers_not_following_brand": {p: len(people_ids[p] - brand_ids[p]) for p in pools},
        "advocates_unique_linkedin_followers": len(advocate_ids),
        "advocates_summed_linkedin_followers": sum(len(followers[("person", org.ids[k], "linkedin")]) for k in org.roles["advocates"]),
        "count_only_follower_sum": sum(count_only.values()),
    }


def _engagement(org: _Org, audience_sizes: dict[str, int], rng: np.random.Generator, out: Path) -> dict:
    """Campaign shares and own posts: advocates every month, emerging ones from 2026-08, leaders on leader-led campaigns."""
    clock = _Clock(rng)
    campaigns = []
    for month, period in enumerate(SAMPLE_PERIODS):
        for k in range(3):
            launch = clock.days[month][2 + 5 * k]
            campaigns.append({"content_id": f"acme-{period}-{'abc'[k]}", "month": month, "launch": launch, "leader_led": k == 0})
    rows: list[tuple] = []

    def act(person: int, month: int, action: str, content: str, platform: str, earliest: date) -> None:
        day = clock.time(month, max(earliest, org.hire[person])).date()
        impressions = clicks = None
        if action in ("share", "post"):
            reach = audience_sizes.get(org.ids[person], 60)
            impressions = int(reach * rng.uniform(0.15, 0.45)) + int(rng.integers(5, 40))
            clicks = int(impressions * rng.uniform(0.01, 0.04))
        rows.append((org.ids[person], day.isoformat(), action, content, platform, clicks, impressions))

    advocates, emerging = org.roles["advocates"], org.roles["emerging"]
    leaders = [k for k in org.roles["leaders"] if org.hire[k] < date(2026, 5, 1)]
    special = set(advocates) | set(emerging) | set(org.roles["leaders"])
    casual = sorted(int(k) for k in rng.choice([k for k in range(org.size) if k not in special], size=75, replace=False))
    leader_participants: dict[str, list[str]] = {}
    for month in range(len(SAMPLE_PERIODS)):
        start = clock.days[month][0]
        month_campaigns = [c for c in campaigns if c["month"] == month]
        for k in advocates:
            for c in month_campaigns:
                act(k, month, "share", c["content_id"], "linkedin", c["launch"])
                if rng.random() < 0.7:
                    act(k, month, "share", c["content_id"], "x", c["launch"])
            for n in range(int(rng.integers(2, 5))):
                act(k, month, "post", f"{org.ids[k].lower()}-{SAMPLE_PERIODS[month]}-{n}", "linkedin", start)
        for k in emerging:
            if month < 3:
                if month == 2 and rng.random() < 0.5:  # at most a stray like before the rise
                    act(k, month, "like", month_campaigns[0]["content_id"], "linkedin", month_campaigns[0]["launch"])
                continue
            for c in month_campaigns[: month - 2]:
                act(k, month, "share", c["content_id"], "linkedin", c["launch"])
            for n in range(2 * (month - 2)):
                act(k, month, "post", f"{org.ids[k].lower()}-{SAMPLE_PERIODS[month]}-{n}", "linkedin", start)
        for c in month_campaigns:
            if c["leader_led"]:
                sharing = sorted(int(k) for k in rng.choice(leaders, size=len(leaders) // 2, replace=False))
                leader_participants[c["content_id"]] = [org.ids[k] for k in sharing]
                for k in sharing:
                    act(k, month, "share", c["content_id"], "linkedin", c["launch"])
        for k in casual:
            if _month_of(org.hire[k]) > month and org.hire[k] >= date(2026, 5, 1):
                continue
            # At most one action per campaign, so no row repeats another.
            picked = rng.choice(len(month_campaigns), size=min(len(month_campaigns), int(rng.poisson(0.8))), replace=False)
            for c in (month_campaigns[int(i)] for i in sorted(picked)):
                action = str(rng.choice(["like", "comment", "share"], p=[0.6, 0.2, 0.2]))
                act(k, month, action, c["content_id"], "linkedin", c["launch"])
    frame = pd.DataFrame(rows, columns=["person", "date", "action", "content_id", "platform", "clicks", "impressions"])
    frame["clicks"] = frame["clicks"].astype("Int64")
    frame["impressions"] = frame["impressions"].astype("Int64")
    frame = frame.sort_values(["date", "person", "content_id", "platform", "action"], kind="stable", ignore_index=True)
    frame.to_csv(out / "engagement.csv", index=False, lineterminator="\n")
    return {
        "rows": len(frame),
        "rows_by_action": {k: int(v) for k, v in frame["action"].value_counts().sort_index().items()},
        "campaigns": [
            {
                "content_id": c["content_id"],
                "launch": c["launch"].isoformat(),
                "leader_led": c["leader_led"],
                "leaders": leader_participants.get(c["content_id"], []),
            }
            for c in campaigns
        ],
    }


# --------------------------------------------------------------------------- samples


def _realised_ties(events: list[_Event], viva: list[tuple[str, int, int]]) -> dict[str, set[tuple[int, int]]]:
    """Undirected person pairs per period that the ingesters keep (cutoffs and declines applied)."""
    pairs: dict[str, set[tuple[int, int]]] = {p: set() for p in SAMPLE_PERIODS}
    for event in events:
        period = _period(event.time)
        if event.channel == "meeting":
            attendees = [event.sender] + [k for k in event.recipients if k not in event.declined]
            if len(event.recipients) + 1 > _MEETING_CUTOFF:
                continue
            pairs[period].update((min(a, b), max(a, b)) for i, a in enumerate(attendees) for b in attendees[i + 1 :])
        elif event.kind != "broadcast":
            pairs[period].update((min(event.sender, k), max(event.sender, k)) for k in event.recipients)
    for period, a, b in viva:
        pairs[period].add((min(a, b), max(a, b)))
    return pairs


def generate_samples(out: Path | str, seed: int = 7) -> dict:
    """Write the sample organisation in every source format, with ``truths.json`` and a README.

    Parameters
    ----------
    out : folder to write into (created; files of an earlier run are overwritten).
    seed : random seed; the same seed gives byte-identical files.

    Returns
    -------
    The truths, as written to ``truths.json``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    org = _make_org(rng)
    ties = _potential_ties(org, rng)
    events = _events(org, ties, rng)
    _write_roster(org, out)
    interactions = _write_interactions(org, events, rng, out)
    email = _write_email(org, events, rng, out)
    slack = _write_slack(org, events, rng, out)
    calendar = _write_calendar(org, events, out)
    viva, viva_ties = _write_viva(org, ties, rng, out)
    audiences = _audiences(org, rng, out)
    audience_sizes: dict[str, int] = {}
    for key, count in audiences["follower_count"].items():
        owner_type, owner, _ = key.split(":")
        if owner_type == "person":
            audience_sizes[owner] = audience_sizes.get(owner, 0) + count
    engagement = _engagement(org, audience_sizes, rng, out)
    realised = _realised_ties(events, viva_ties)

    ids = org.ids
    legal_marketing = sorted((ids[a], ids[b]) for a, b in ties if {org.dept_name(a), org.dept_name(b)} == {"Legal", "Marketing"})
    truths = {
        "seed": seed,
        "domain": ORG_DOMAIN,
        "periods": list(SAMPLE_PERIODS),
        "counts": {
            "people": org.size,
            "departments": len(DEPARTMENTS),
            "locations": len(set(org.locations)),
            "leaders": len(org.roles["leaders"]),
            "hired_in_window": len(org.roles["new_hires"]),
            "identities": org.size * 2 + sum(len(a) for a in org.aliases),
        },
        "departments": {name: int(org.in_dept(name).size) for name in DEPARTMENTS},
        "ceo": ids[0],
        "brokers": {"departments": ["Finance", "Design"], "people": [ids[k] for k in org.roles["brokers"]]},
        "fragile_bridge": {"departments": ["Finance", "Legal"], "person": ids[org.roles["bridge"][0]]},
        "silo_bridged": {"departments": ["Legal", "Marketing"], "first_period": "2026-08", "pairs": [list(p) for p in legal_marketing]},
        "advocates": [ids[k] for k in org.roles["advocates"]],
        "emerging_advocates": [ids[k] for k in org.roles["emerging"]],
        "vertical_department": "Operations",
        "leaders": [ids[k] for k in org.roles["leaders"]],
        "new_hires": {ids[k]: org.hire[k].isoformat() for k in org.roles["new_hires"]},
        "ties_per_period": {p: len(v) for p, v in realised.items()},
        "interactions": interactions,
        "email": email,
        "slack": slack,
        "calendar": calendar,
        "viva": viva,
        "audiences": audiences,
        "engagement": engagement,
    }
    _write_json(out / "truths.json", truths)
    (out / "README.md").write_text(_readme(truths), encoding="utf-8")
    return truths


def _readme(truths: dict) -> str:
    brokers, bridge, silo = truths["brokers"], truths["fragile_bridge"], truths["silo_bridged"]
    return f"""# Sample organisation: Acme (`{truths["domain"]}`)

Synthetic, generated by `python -m orgnet.synth samples --out data/samples --seed {truths["seed"]}`
(do not edit by hand: `tests/test_synth.py` checks these files equal a fresh generation).
{truths["counts"]["people"]} people in {truths["counts"]["departments"]} departments, four offices, activity {truths["periods"][0]} .. {truths["periods"][-1]}.
Subjects, bodies, Slack texts and meeting titles are `SECRET-...` markers that must never reach a store.

| file | what |
|---|---|
| `roster.csv`, `roster.xlsx` | HR roster (same content); `aliases` holds chat handles and old addresses, `level` is an extra HR attribute |
| `interactions.csv` | chat, call and collab rows; people named by id, address, handle or `Name <address>` |
| `email/archive.mbox`, `email/maildir/` | e-mail; {truths["email"]["duplicates"]} messages are in both, {truths["email"]["unique_messages"]} unique; {truths["email"]["broadcasts"]} broadcasts over 50 recipients; external and unknown internal addresses |
| `slack/` | unpacked Slack export: mentions, thread replies, reactions |
| `calendar/meetings.ics` | meetings; {truths["calendar"]["big_meetings"]} all-hands over 25 attendees; declined attendees |
| `viva/person_to_person.csv` | Viva Insights person-to-person export, monthly `MetricDate` |
| `audiences.csv` | social audiences: follower ids (overlapping), count-only accounts, brand accounts `Acme` |
| `engagement.csv` | advocacy actions on campaigns `acme-YYYY-MM-[abc]` (`-a` are leader-led) and own posts |
| `truths.json` | the planted truths below and the exact counts each ingester should report |

Planted truths (person ids in `truths.json`):
- Finance and Design talk only through the brokers {", ".join(brokers["people"])}.
- Every Finance-Legal tie runs through {bridge["person"]} (a fragile bridge).
- Legal and Marketing never talk before {silo["first_period"]}, then through {len(silo["pairs"])} pairs.
- Advocates {", ".join(truths["advocates"])}: engagement every month, large overlapping audiences, central.
- Emerging advocates {", ".join(truths["emerging_advocates"])}: near-silent until 2026-08, then rising.
- Operations people talk only with their manager and direct reports.
- Ties per month grow every month; {truths["counts"]["hired_in_window"]} people are hired inside the window and have no activity before.
- Leaders (managers) act only on the leader-led campaigns (`acme-YYYY-MM-a`), so their reach can be compared.
"""


# --------------------------------------------------------------------------- benchmark scale


def _objects(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """A frame whose text columns are plain objects, as stores return them (pandas would infer its string dtype)."""
    return pd.DataFrame(
        {name: pd.Series(values, dtype=object) if values.dtype.kind in "OUS" else values for name, values in columns.items()}
    )


def _person_ids(n_people: int) -> np.ndarray:
    return np.char.add("P", np.char.zfill(np.arange(n_people).astype(str), 6)).astype(object)


def _benchmark_people(n_people: int, rng: np.random.Generator) -> pd.DataFrame:
    """People sorted by department, each department an 8-ary reporting tree under the CEO (person 0)."""
    names = np.array(list(DEPARTMENTS), dtype=object)
    weights = np.array(list(DEPARTMENTS.values()), dtype=float)
    sizes = np.floor(weights / weights.sum() * (n_people - 1)).astype(int)
    sizes[0] += n_people - 1 - sizes.sum()
    starts = 1 + np.concatenate([[0], np.cumsum(sizes)[:-1]])
    dept = np.concatenate([[0], np.repeat(np.arange(names.size), sizes)])
    offset = np.concatenate([[0], np.repeat(starts, sizes)])
    position = np.arange(n_people) - offset
    manager = np.where(position == 0, 0, offset + (position - 1) // 8)
    manager[0] = -1
    ids = _person_ids(n_people)
    level = np.where(position == 0, "L6", np.where(position < 9, "L5", "L3")).astype(object)
    level[0] = "L7"
    manager_id = ids[np.maximum(manager, 0)]
    manager_id[0] = None
    return _objects(
        {
            "person_id": ids,
            "name": np.char.add("Person ", np.arange(n_people).astype(str)),
            "email": np.char.add(np.char.lower(ids.astype(str)), "@" + ORG_DOMAIN),
            "department": names[dept],
            "title": np.where(level == "L3", "Specialist", "Manager"),
            "manager_id": manager_id,
            "location": np.array(_OFFICES, dtype=object)[rng.integers(0, len(_OFFICES), n_people)],
            "hire_date": (np.datetime64("2015-01-01") + rng.integers(0, 4000, n_people)).astype(str),
            "level": level,
        }
    )


def _weighted_pick(cumulative: np.ndarray, low: np.ndarray, high: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices drawn by weight, each from the index range whose cumulative weights span [low, high)."""
    return np.minimum(np.searchsorted(cumulative, low + rng.random(low.size) * (high - low), side="right"), cumulative.size - 1)


def benchmark_org(
    n_people: int = 50_000,
    n_ties: int = 800_000,
    periods: Sequence[str] = ("2026-10",),
    seed: int = 7,
) -> dict[str, pd.DataFrame]:
    """Store-shaped frames of a large synthetic organisation, for benchmarks.

    Parameters
    ----------
    n_people : number of people (8 departments, 8-ary reporting trees under one CEO).
    n_ties : exact number of tie rows (distinct source, target, period, channel).
    periods : periods the ties are spread over.
    seed : random seed.

    Returns
    -------
    ``people`` (core fields then ``level``, as stores return people),
    ``ties`` (:data:`~orgnet.model.TIE_COLUMNS`, timestamps datetime64[ns, UTC],
    sorted by key), ``audiences``, ``followers`` (hashed ids) and ``engagement``.

    Notes
    -----
    Activity is heavy tailed (Pareto weights) and 85% of ties stay inside a
    department, so community detection has structure to find. Fully vectorised.
    """
    channels = np.array(["chat", "email", "meeting", "slack"], dtype=object)
    periods = sorted(periods)
    if n_ties > n_people * (n_people - 1) * len(periods) * channels.size // 4:
        raise ValueError(f"{n_ties} ties is too many for {n_people} people")
    rng = np.random.default_rng(seed)
    people = _benchmark_people(n_people, rng)
    dept = pd.factorize(people["department"])[0]
    activity = rng.pareto(1.6, n_people) + 1.0
    cumulative = np.cumsum(activity)
    # People are sorted by department, so each department is one range of cumulative weight.
    dept_low = pd.Series(cumulative - activity).groupby(dept).min().to_numpy()
    dept_high = pd.Series(cumulative).groupby(dept).max().to_numpy()

    # One integer per tie key; zero-padded ids and sorted periods and channels make its order the key's text order.
    radix = np.array([n_people * len(periods) * channels.size, len(periods) * channels.size, channels.size, 1])
    codes = np.empty(0, dtype=np.int64)
    while codes.size < n_ties:
        m = int((n_ties - codes.size) * 1.3) + 1000
        source = _weighted_pick(cumulative, np.zeros(m), np.full(m, cumulative[-1]), rng)
        inside = rng.random(m) < 0.85
        target = _weighted_pick(
            cumulative, np.where(inside, dept_low[dept[source]], 0.0), np.where(inside, dept_high[dept[source]], cumulative[-1]), rng
        )
        drawn = np.column_stack([source, target, rng.integers(0, len(periods), m), rng.choice(channels.size, m, p=[0.3, 0.4, 0.15, 0.15])])
        codes = np.sort(np.concatenate([codes, drawn[source != target] @ radix]))
        codes = codes[np.concatenate([[True], codes[1:] != codes[:-1]])]
    codes = np.sort(rng.choice(codes, n_ties, replace=False))
    keys = np.column_stack([codes // radix[0], codes // radix[1] % n_people, codes // radix[2] % len(periods), codes % channels.size])
    ids = people["person_id"].to_numpy()
    count = rng.geometric(0.35, n_ties)
    starts = np.array([np.datetime64(f"{p}-01", "ns") for p in periods])[keys[:, 2]]
    span = rng.integers(0, 27 * 86_400, (2, n_ties)) * 1_000_000_000  # whole seconds, as stores keep them
    ties = _objects(
        {
            "source": ids[keys[:, 0]],
            "target": ids[keys[:, 1]],
            "period": np.array(periods, dtype=object)[keys[:, 2]],
            "channel": channels[keys[:, 3]],
            "count": count.astype("int64"),
            "weight": count * rng.uniform(0.2, 1.0, n_ties),
            "first_seen": starts + span.min(axis=0).astype("timedelta64[ns]"),
            "last_seen": starts + span.max(axis=0).astype("timedelta64[ns]"),
        }
    )
    for column in ("first_seen", "last_seen"):
        ties[column] = ties[column].dt.tz_localize("UTC")

    has_account = np.flatnonzero(rng.random(n_people) < 0.2)
    follower_count = np.maximum(1, rng.lognormal(5.0, 1.2, has_account.size).astype("int64"))
    audiences = _objects(
        {
            "owner_type": np.array(["person"] * has_account.size + ["brand"], dtype=object),
            "owner": np.concatenate([ids[has_account], ["Acme"]]).astype(object),
            "platform": np.full(has_account.size + 1, "linkedin", dtype=object),
            "follower_count": np.concatenate([follower_count, [50_000]]).astype("int64"),
        }
    )
    listed = has_account[: max(1, has_account.size // 4)]
    per_account = np.minimum(follower_count[: listed.size], 400)
    universe = max(10 * n_people, 1000)
    # A multiplicative hash spreads follower numbers over 64 bits, like the store's salted hashes.
    hashed = np.char.mod("%016x", rng.integers(0, universe, per_account.sum(), dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    followers = _objects(
        {
            "owner_type": np.full(hashed.size, "person", dtype=object),
            "owner": np.repeat(ids[listed], per_account),
            "platform": np.full(hashed.size, "linkedin", dtype=object),
            "follower_hash": hashed.astype(object),
        }
    ).drop_duplicates(ignore_index=True)

    n_actions = 2 * n_people
    actor = _weighted_pick(cumulative, np.zeros(n_actions), np.full(n_actions, cumulative[-1]), rng)
    action = np.array(["share", "post", "like", "comment"], dtype=object)[rng.choice(4, n_actions, p=[0.35, 0.15, 0.35, 0.15])]
    shared = np.isin(action, ["share", "post"])
    impressions = rng.integers(10, 5000, n_actions)
    engagement = _objects(
        {
            "person_id": ids[actor],
            "date": (np.datetime64(f"{periods[-1]}-01") + rng.integers(0, 28, n_actions)).astype(str),
            "action": action,
            "content_id": np.char.add("c", rng.integers(0, 500, n_actions).astype(str)),
            "platform": np.full(n_actions, "linkedin", dtype=object),
            "clicks": pd.array(np.where(shared, impressions // 50, 0), dtype="Int64"),
            "impressions": pd.array(impressions, dtype="Int64"),
        }
    )
    engagement.loc[~shared, ["clicks", "impressions"]] = pd.NA
    return {
        "people": people,
        "ties": ties[TIE_COLUMNS],
        "audiences": audiences[AUDIENCE_COLUMNS],
        "followers": followers[FOLLOWER_COLUMNS],
        "engagement": engagement[ENGAGEMENT_COLUMNS],
    }


def _write_csv(table: pa.Table, path: Path) -> None:
    """CSV without quotes (no benchmark value holds a comma), header included."""
    with path.open("wb") as sink:
        sink.write((",".join(table.column_names) + "\n").encode())
        pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False, quoting_style="none"))


def write_roster_csv(path: Path | str, n_people: int, seed: int = 7) -> Path:
    """Write the roster of :func:`benchmark_org`'s people (same ids and seed) to ``path``; returns the path."""
    path = Path(path)
    people = _benchmark_people(n_people, np.random.default_rng(seed))
    _write_csv(pa.Table.from_pandas(people, preserve_index=False), path)
    return path


def write_interactions_csv(
    path: Path | str,
    n_rows: int,
    n_people: int,
    seed: int = 7,
    *,
    threads: int | None = None,
    months: int = 6,
) -> Path:
    """Write an interactions table of ``n_rows`` rows among the people of :func:`write_roster_csv`.

    Rows repeat a pool of ``threads`` conversations (a sender and one to three
    recipients, default ``n_rows // 8``), as real logs do: most messages go
    to people one wrote to before. Senders and recipients are person ids or
    addresses (half each), timestamps spread over ``months`` months from
    2026-05, channels chat, email, call and meeting. The number of ties is
    about 1.4 x ``threads`` x ``months``, at most. Vectorised: millions of
    rows in seconds. Returns the path.
    """
    rng = np.random.default_rng(seed)
    threads = threads or max(n_rows // 8, 1)
    ids = _person_ids(n_people).astype(str)
    names = pa.array(np.concatenate([ids, np.char.add(np.char.lower(ids), "@" + ORG_DOMAIN)]))
    activity = np.cumsum(rng.pareto(1.6, n_people) + 1.0)

    def people(size: int) -> pa.Array:
        person = np.minimum(np.searchsorted(activity, rng.random(size) * activity[-1]), n_people - 1)
        return names.take(pa.array(person + n_people * rng.integers(0, 2, size)))

    n_recipients = rng.choice([1, 2, 3], threads, p=[0.7, 0.2, 0.1])
    second = pc.if_else(pa.array(n_recipients >= 2), people(threads), pa.nulls(threads, pa.string()))
    third = pc.if_else(pa.array(n_recipients >= 3), people(threads), pa.nulls(threads, pa.string()))
    pool_recipients = pc.binary_join_element_wise(people(threads), second, third, ";", null_handling="skip")
    pool_senders = people(threads)
    pool_channel = np.array(["chat", "email", "call", "meeting"], dtype=object)[rng.choice(4, threads, p=[0.5, 0.3, 0.1, 0.1])]
    thread = pa.array(rng.integers(0, threads, n_rows))
    channel = pool_channel[thread.to_numpy()]
    seconds = np.datetime64("2026-05-01T00:00:00", "s") + rng.integers(0, months * 30 * 86_400, n_rows)
    duration = np.where(np.isin(channel, ["call", "meeting"]), rng.choice([0.5, 1.0], n_rows), np.nan)
    table = pa.table(
        {
            "sender": pool_senders.take(thread),
            "recipients": pool_recipients.take(thread),
            "timestamp": pa.array(np.datetime_as_string(seconds, unit="s", timezone="UTC")),
            "channel": pa.array(channel),
            "duration_hours": pa.array(duration, from_pandas=True),
        }
    )
    path = Path(path)
    _write_csv(table, path)
    return path


# --------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m orgnet.synth samples|benchmark ...``: write sample or benchmark inputs."""
    parser = argparse.ArgumentParser(prog="python -m orgnet.synth", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    samples = commands.add_parser("samples", help="write the sample organisation in every source format")
    samples.add_argument("--out", type=Path, required=True)
    samples.add_argument("--seed", type=int, default=7)
    bench = commands.add_parser("benchmark", help="write roster.csv and interactions.csv for the ingest benchmark")
    bench.add_argument("--out", type=Path, required=True)
    bench.add_argument("--people", type=int, default=50_000)
    bench.add_argument("--rows", type=int, default=2_000_000)
    bench.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.command == "samples":
        truths = generate_samples(args.out, args.seed)
        print(f"wrote {truths['counts']['people']} people, {truths['email']['unique_messages']} e-mails to {args.out}")
    else:
        args.out.mkdir(parents=True, exist_ok=True)
        write_roster_csv(args.out / "roster.csv", args.people, args.seed)
        write_interactions_csv(args.out / "interactions.csv", args.rows, args.people, args.seed)
        print(f"wrote {args.people} people and {args.rows} interactions to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
