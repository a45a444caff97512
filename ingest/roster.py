"""HR roster ingester: people, their identities, departments and reporting lines (CSV or Excel).

Columns are matched by name (see ``docs/formats.md``); every column that is
not a core field becomes an HR attribute. A roster must be consistent on its
own: unique person ids, managers that exist (in this roster or the store),
parseable hire dates.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from orgnet.identity import normalise_identities
from orgnet.ingest.base import IngestContext, TableColumns, map_columns, read_table
from orgnet.model import IDENTITY_COLUMNS, PERSON_COLUMNS, IngestBatch
from orgnet.store import SETTING_DOMAINS

__all__ = ["COLUMNS", "read"]

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
    """
    frame, lines = read_table(path, context.problems)
    columns = map_columns(list(frame.columns), COLUMNS, context.options, path, context.problems)
    problems = context.problems
    field = {name: frame[column] if column else None for name, column in columns.items()}
    person_id = field["person_id"]

    bad = person_id.isna().to_numpy(copy=True)
    problems.add_lines(path, lines[bad], "missing person_id")
    duplicated = person_id.duplicated(keep=False).to_numpy() & ~bad
    for line, value in zip(lines[duplicated], person_id[duplicated]):
        problems.add(path, line, f"duplicate person_id {value!r}")
    bad |= duplicated

    roster_ids = set(person_id.dropna())
    if "manager_id" in field:
        manager = field["manager_id"]
        exists = manager.isna() | manager.isin(roster_ids) | context.person_ids(manager).isin(context.known_people)
        orphan = ~exists.to_numpy()
        for line, value in zip(lines[orphan], manager[orphan]):
            problems.add(path, line, f"manager_id {value!r} is not a person in this roster or the store")
        bad |= orphan
    if "hire_date" in field:
        parsed = pd.to_datetime(field["hire_date"], errors="coerce", format="ISO8601")
        unparsable = (parsed.isna() & field["hire_date"].notna()).to_numpy()
        for line, value in zip(lines[unparsable], field["hire_date"][unparsable]):
            problems.add(path, line, f"hire_date {value!r} is not a date (use YYYY-MM-DD)")
        bad |= unparsable
        field["hire_date"] = parsed.dt.strftime("%Y-%m-%d").where(parsed.notna(), None)

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
    people["attributes"] = frame[extra].to_dict("records") if extra else [{} for _ in range(len(frame))]
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
        counts = aliases.str.len().to_numpy()
        parts.append(
            pd.DataFrame({"raw": np.concatenate(aliases.to_numpy()) if len(aliases) else [], "person_id": np.repeat(person, counts)})
        )
    identities = pd.concat(parts, ignore_index=True)
    identities["identity"] = context.resolver.key(normalise_identities(identities["raw"]))
    identities = identities.dropna(subset=["identity"]).drop_duplicates("identity", keep="first")
    return identities[IDENTITY_COLUMNS].reset_index(drop=True)
