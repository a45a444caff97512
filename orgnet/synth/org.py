"""The sample organisation: its people, their planted roles, and which pairs of them ever talk.

Everything here is drawn from one :class:`numpy.random.Generator`, in a fixed
order, so one seed gives one organisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

__all__ = [
    "DEPARTMENTS",
    "OFFICES",
    "ORG_DOMAIN",
    "SAMPLE_PERIODS",
    "TITLES",
    "Org",
    "Ties",
    "head",
    "make_org",
    "month_bounds",
    "month_of",
    "potential_ties",
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
#: Job titles per department: (individual contributor, team lead, department head).
TITLES = {
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
OFFICES = ("London", "New York", "Berlin", "Singapore")
# Space-separated, so the 120 names fit in a few lines rather than one each.
_FIRST = (  # noqa: SIM905
    "Ada Alan Alice Amir Ana Anna Ben Carla Chen Chloe Dan David Dina Elena Emma Eric Eva Farah Felix Grace "
    "Hana Hugo Ian Ines Ivan Jack Jana Jin Joao Julia Kai Karen Kofi Lara Leo Lina Luca Maya Mei Mia "
    "Nadia Nina Noah Omar Paul Priya Rafael Rosa Sam Sara Sofia Tariq Tom Uma Victor Wei Yara Yusuf Zoe Zara"
).split()
_LAST = (  # noqa: SIM905
    "Abbott Adler Ahmed Alvarez Bauer Becker Brown Chen Costa Dubois Evans Fischer Garcia Gupta Haddad "
    "Hansen Ito Jensen Kaur Keller Khan Kim Kowalski Larsen Lee Lopez Martin Meyer Moreau Muller "
    "Nakamura Nguyen Novak Okafor Olsen Patel Perez Petrov Quinn Rossi Sato Schmidt Silva Singh Smith "
    "Tanaka Taylor Thomas Torres Vogel Wagner Walsh Weber Wong Xu Yamada Young Zhang Ziegler Zimmer"
).split()

#: Every pair that ever interacts, (a, b) with a < b, -> [monthly rate, index of its first month in SAMPLE_PERIODS].
Ties = dict[tuple[int, int], list[float]]


@dataclass
class Org:
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
        """Number of people."""
        return len(self.ids)

    def in_dept(self, name: str) -> np.ndarray:
        """Indices of the people of department ``name``, in order (the CEO first for Sales, then the head)."""
        return np.flatnonzero(self.dept == list(DEPARTMENTS).index(name))

    def dept_name(self, person: int) -> str:
        """Department of ``person``."""
        return list(DEPARTMENTS)[int(self.dept[person])]

    def reports(self, person: int) -> np.ndarray:
        """Indices of the direct reports of ``person``."""
        return np.flatnonzero(self.manager == person)


def month_bounds(period: str) -> tuple[date, date]:
    """First and last day of the calendar month ``period`` (``YYYY-MM``)."""
    year, month = (int(part) for part in period.split("-"))
    start = date(year, month, 1)
    end = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return start, end


def month_of(day: date) -> int:
    """Index in SAMPLE_PERIODS of ``day``'s month; 0 for any day before the window."""
    key = f"{day.year:04d}-{day.month:02d}"
    return SAMPLE_PERIODS.index(key) if key in SAMPLE_PERIODS else 0


def head(org: Org, dept_name: str) -> int:
    """The first person of department ``dept_name``: its head, or the CEO for Sales."""
    return int(org.in_dept(dept_name)[0])


def make_org(rng: np.random.Generator) -> Org:
    """People, reporting lines, titles and the planted roles.

    Each department is a head reporting to the CEO, team leads (one per eight
    people) reporting to the head and individual contributors spread over the
    leads. ``roles`` names the planted people: ``leaders`` (everyone with
    reports), ``advocates``, ``emerging``, ``brokers`` (Finance, Design),
    ``bridge`` (Legal), ``silo_legal``, ``silo_marketing`` and ``new_hires``
    (hired on a Monday inside the window).
    """
    dept_names = list(DEPARTMENTS)
    dept: list[int] = [dept_names.index("Sales")]
    manager: list[int] = [-1]
    role: list[str] = ["ceo"]
    for d, name in enumerate(dept_names):
        size = DEPARTMENTS[name] - (1 if name == "Sales" else 0)
        dept_head = len(dept)
        dept.append(d)
        manager.append(0)
        role.append("head")
        n_leads = max(1, round((size - 1) / 8))
        leads = list(range(dept_head + 1, dept_head + 1 + n_leads))
        for _ in leads:
            dept.append(d)
            manager.append(dept_head)
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
        ic, lead, head_title = TITLES[d_name]
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
        locations.append(home if rng.random() < 0.65 else str(rng.choice(OFFICES)))
        first_day = date(2012, 1, 2) if role[k] in ("ceo", "head") else date(2015, 1, 5)
        hire.append(first_day + timedelta(days=int(rng.integers(0, (date(2026, 4, 27) - first_day).days))))

    org = Org(
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
        org.titles[k] = TITLES[org.dept_name(k)][0]
    for k in org.roles["advocates"]:
        org.levels[k] = "L4"
        org.titles[k] = "Senior " + TITLES[org.dept_name(k)][0]
    return org


def _allowed(org: Org, a: int, b: int) -> bool:
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


def potential_ties(org: Org, rng: np.random.Generator) -> Ties:
    """Every pair that ever interacts: (a, b) with a < b -> [monthly rate, first month index].

    Everyone and their manager; the executive team; outside Operations, one
    colleague of the same department and Poisson(1) people anywhere (half
    from the first month, the others appearing month by month); 45 people per
    advocate; each broker with five veterans of the other department; the
    bridge with six of Finance; the Legal-Marketing pairs from 2026-08. Pairs
    that would break a planted structure are left out (:func:`_allowed`).

    A pair, once active, interacts every later month, so the set of ties per
    month is nested and grows; hires add theirs from their first month.
    """
    ties: Ties = {}

    def add(a: int, b: int, rate: float, start: int = 0, force: bool = False) -> None:
        if a == b or not (force or _allowed(org, a, b)):
            return
        key = (min(a, b), max(a, b))
        start = max(start, month_of(org.hire[a]), month_of(org.hire[b]))
        if key in ties:
            ties[key] = [max(ties[key][0], rate), min(ties[key][1], start)]
        else:
            ties[key] = [rate, start]

    n = org.size
    for k in range(1, n):
        add(k, int(org.manager[k]), 1.2)
    # Teammates meet in their fortnightly team meetings (orgnet.synth.activity), which need no pair of their own;
    # the CEO holds none, so the executive team gets its pairs here.
    exec_team = [0] + [head(org, name) for name in ("Engineering", "Sales", "HR", "Marketing", "Finance")]
    for i, a in enumerate(exec_team):
        for b in exec_team[i + 1 :]:
            add(a, b, 0.8)

    def later() -> int:
        # Most pairs exist from the start; the rest appear month by month, so the network grows.
        return 0 if rng.random() < 0.5 else int(rng.integers(1, len(SAMPLE_PERIODS)))

    def veterans(people: np.ndarray, skip: list[int]) -> list[int]:
        return [int(k) for k in people if k not in skip and org.hire[k] < date(2026, 5, 1)]

    not_ops = np.flatnonzero(org.dept != list(DEPARTMENTS).index("Operations"))
    for person in (int(k) for k in not_ops):
        add(person, int(rng.choice(org.in_dept(org.dept_name(person)))), 0.4, later())
        for other in rng.choice(not_ops, size=int(rng.poisson(1.0))):
            add(person, int(other), 0.4, later())
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
