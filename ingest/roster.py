"""HR roster ingester: people, their identities, departments and reporting lines (CSV or Excel).

Columns are matched by name (see ``docs/formats.md``); every column that is
not a core field becomes an HR attribute. A roster must be consistent on its
own: unique person ids, managers that exist (in this roster or the store)
and reporting lines without cycles, parseable hire dates.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from orgnet.identity import normalise_identities
from orgnet.ingest.base import IngestContext, TableColumns, map_columns, read_table
from orgnet.model import IDENTITY_COLUMNS, PERSON_COLUMNS, IngestBatch
from orgnet.store import SETTING_DOMAINS

__all__ = ["COLUMNS", "manager_cycles", "read"]

COLUMNS = TableColumns(
    fields={
        "person_id": ("person_id", "employee_id", "id", "emp_id", "personid"),
        "name": ("name", "display_name", "full_name"),
        "email": ("email", "mail", "work_email", "email_address"),
        "aliases": ("aliases", "alias", "handles"),
        "slack_id": ("slack_id", "slack_user_id"),
        "department": ("department", "dept"),
        "title": ("title", "job_title"),
        "manager_id": ("manager_id", "manager", "managerid"),
        "location": ("location", "office", "site"),
        "hire_date": ("hire_date", "start_date", "hired"),
    },
    required=("person_id",),
    extra_allowed=True,
)


def read(path: Path, context: IngestContext) -> IngestBatch:
    """Read an HR roster.

    Parameters
    ----------
    path : CSV, TSV or Excel file, one row per person.
    context : the ingest context.

    Returns
    -------
    :class:`~orgnet.model.IngestBatch` with ``people`` and ``identities``
    (each person's id, e-mail, Slack user id and aliases). When the roster sets the
    organisation's domains for the first time (from its e-mail addresses),
    ``settings`` records them.

    Notes
    -----
    Under pseudonymisation person and manager ids become keyed hashes, names
    and e-mail addresses are not kept, and identities are stored hashed.
    Manager links are checked by :func:`_check_managers` (cycles by
    :func:`manager_cycles`).
    """
    frame, lines = read_table(path, context.problems)
    columns = map_columns(list(frame.columns), COLUMNS, context.options, path, context.problems)
    problems = context.problems
    field = {name: frame[column] for name, column in columns.items()}
    person_id = field["person_id"]

    bad = person_id.isna().to_numpy(copy=True)
    problems.add_lines(path, lines[bad], "missing person_id")
    duplicated = person_id.duplicated(keep=False).to_numpy() & ~bad
    for line, value in zip(lines[duplicated], person_id[duplicated]):
        problems.add(path, line, f"duplicate person_id {value!r}")
    identified = ~(bad | duplicated)
    bad |= duplicated

    if "hire_date" in field:
        parsed = pd.to_datetime(field["hire_date"], errors="coerce", format="ISO8601")
        unparsable = (parsed.isna() & field["hire_date"].notna()).to_numpy()
        for line, value in zip(lines[unparsable], field["hire_date"][unparsable]):
            problems.add(path, line, f"hire_date {value!r} is not a date (use YYYY-MM-DD)")
        bad |= unparsable
        field["hire_date"] = parsed.dt.strftime("%Y-%m-%d").where(parsed.notna(), None)
    if "manager_id" in field:
        field["manager_id"], bad = _check_managers(person_id, field["manager_id"], identified, bad, lines, path, context)

    keep = ~bad
    frame, lines = frame[keep], lines[keep]
    field = {name: series[keep] for name, series in field.items()}
    context.report.add("rows", len(keep))
    context.report.add("people", int(keep.sum()))

    batch = IngestBatch()
    batch.people = _people(frame, columns, field, context)
    batch.identities = _identities(field, context)
    context.known_people.update(batch.people["person_id"])
    context.resolver.register(batch.identities)
    if not context.resolver.domains and "email" in field:
        domains = sorted(set(normalise_identities(field["email"]).dropna().str.rsplit("@", n=1).str[1].dropna()))
        if domains:
            batch.settings[SETTING_DOMAINS] = ",".join(domains)
            context.report.notes.append(f"organisation domains set from the roster: {', '.join(domains)}")
    return batch


def _check_managers(
    person_id: pd.Series,
    manager: pd.Series,
    identified: np.ndarray,
    bad: np.ndarray,
    lines: np.ndarray,
    path: Path,
    context: IngestContext,
) -> tuple[pd.Series, np.ndarray]:
    """Check the reporting lines: every manager exists, and nobody manages themselves, directly or through others.

    Parameters
    ----------
    person_id, manager : the rows' ids and manager ids, as read.
    identified : rows whose person id is present and unique (the people a manager id can name).
    bad : rows already refused.
    lines, path, context : where problems go.

    Returns
    -------
    (manager, bad): the manager ids to keep and the refused rows.

    Notes
    -----
    A manager id that is no person of this roster or the store refuses its
    row. A cycle (self-management, A manages B manages A, longer loops) is a
    problem on every row of it, listing the people in order. With
    ``--skip-bad-rows`` the people of a cycle are kept without a manager (no
    one of them is more the top than another), and so is anyone whose
    manager's own row was set aside: a stored manager id always names a
    stored person.
    """
    problems, skipping = context.problems, context.options.skip_bad_rows
    present = manager.notna().to_numpy()
    exists = ~present | manager.isin(person_id.dropna()).to_numpy() | context.person_ids(manager).isin(context.known_people).to_numpy()
    for line, value in zip(lines[~exists], manager[~exists]):
        problems.add(path, line, f"manager_id {value!r} is not a person in this roster or the store")
    bad = bad | ~exists

    dropped = np.zeros(len(manager), dtype=bool)
    ids = person_id.to_numpy(dtype=object)
    for cycle in manager_cycles(ids, manager.to_numpy(dtype=object), identified):
        reason = _cycle_reason([ids[row] for row in cycle]) + ("; kept without a manager" if skipping else "")
        problems.add_lines(path, lines[cycle], reason)
        dropped[cycle] = True
    if not skipping:
        return manager, bad | dropped

    # A manager whose row is set aside is not stored: the link would name nobody.
    stored = context.person_ids(manager).isin(context.known_people).to_numpy()
    orphaned = present & ~bad & ~dropped & ~stored & ~manager.isin(person_id[~bad]).to_numpy()
    for line, value in zip(lines[orphaned], manager[orphaned]):
        problems.add(path, line, f"manager_id {value!r} names a row set aside; kept without a manager")
    return manager.where(~(dropped | orphaned), None), bad


def manager_cycles(person_id: np.ndarray, manager_id: np.ndarray, identified: np.ndarray | None = None) -> list[np.ndarray]:
    """The cycles of a reporting structure.

    Parameters
    ----------
    person_id, manager_id : each row's id and its manager's id (missing as ``None``).
    identified : the rows whose id may be named (default: all; ids must be unique among them).

    Returns
    -------
    One array of row positions per cycle, starting at its first row in file
    order, each row's manager being the next row's person (the last's the
    first's); self-management is a cycle of one. Cycles come in the order of
    their first rows.

    Notes
    -----
    The manager links are a functional graph (one out-link per row). After
    ``n`` steps from any row, a walk is on a cycle or has left the roster, and
    ``n`` steps are taken for all rows at once by pointer doubling: squaring
    the step map ``ceil(log2(n + 1))`` times, O(n log n) in NumPy. Only the
    rows found on cycles are then walked one by one, to put each cycle in order.
    """
    rows = np.arange(len(person_id)) if identified is None else np.flatnonzero(identified)
    count = len(rows)
    manager_of = pd.Index(person_id[rows]).get_indexer(manager_id[rows])
    # Row ``count`` stands for "outside the roster": it steps to itself.
    step = np.append(np.where(manager_of < 0, count, manager_of), count)
    for _ in range(count.bit_length()):
        step = step[step]
    on_cycle = np.unique(step[:count])
    cycles, seen = [], np.zeros(count + 1, dtype=bool)
    for start in on_cycle[on_cycle < count]:
        if seen[start]:
            continue
        cycle = [start]
        while (following := manager_of[cycle[-1]]) != start:
            cycle.append(following)
        seen[cycle] = True
        cycles.append(rows[np.asarray(cycle)])
    return cycles


#: How many people a cycle's message names before it counts the rest.
_LISTED_IN_CYCLE = 10


def _cycle_reason(ids: list[str]) -> str:
    if len(ids) == 1:
        return f"person_id {ids[0]!r} is their own manager (manager_id)"
    shown = " -> ".join(repr(person) for person in ids[:_LISTED_IN_CYCLE])
    rest = f" -> ... ({len(ids):,} people)" if len(ids) > _LISTED_IN_CYCLE else f" -> {ids[0]!r}"
    return f"manager cycle: {shown}{rest}, each managed by the next"


def _people(frame: pd.DataFrame, columns: dict[str, str], field: dict[str, pd.Series], context: IngestContext) -> pd.DataFrame:
    people = pd.DataFrame(index=frame.index)
    people["person_id"] = context.person_ids(field["person_id"])
    for name in ("name", "email", "department", "title", "location", "hire_date"):
        people[name] = field.get(name)
    people["manager_id"] = context.person_ids(field["manager_id"]) if "manager_id" in field else None
    if context.pseudonymiser is not None:
        people["name"] = None
        people["email"] = None
    else:
        people["email"] = normalise_identities(people["email"]) if "email" in field else None
    extra = [c for c in frame.columns if c not in columns.values()]
    # pandas-stubs refuse a list of dicts for a column; pandas keeps each dict as an object cell.
    people["attributes"] = frame[extra].to_dict("records") if extra else [{} for _ in range(len(frame))]  # type: ignore[assignment]
    return people[PERSON_COLUMNS].reset_index(drop=True)


def _identities(field: dict[str, pd.Series], context: IngestContext) -> pd.DataFrame:
    person = context.person_ids(field["person_id"]).to_numpy()
    parts = [pd.DataFrame({"raw": field["person_id"].to_numpy(), "person_id": person})]
    if "email" in field:
        parts.append(pd.DataFrame({"raw": field["email"].to_numpy(), "person_id": person}))
    if "slack_id" in field:
        parts.append(pd.DataFrame({"raw": field["slack_id"].to_numpy(), "person_id": person}))
    if "aliases" in field:
        aliases = field["aliases"].fillna("").str.split(r"[;,]")
        # pandas-stubs give .str.len() to strings only; pandas measures lists as well.
        counts = aliases.str.len().to_numpy()  # type: ignore[misc]
        parts.append(
            pd.DataFrame({"raw": np.concatenate(aliases.to_numpy()) if len(aliases) else [], "person_id": np.repeat(person, counts)})
        )
    identities = pd.concat(parts, ignore_index=True)
    identities["identity"] = context.resolver.key(normalise_identities(identities["raw"]))
    identities = identities.dropna(subset=["identity"]).drop_duplicates("identity", keep="first")
    return identities[IDENTITY_COLUMNS].reset_index(drop=True)
