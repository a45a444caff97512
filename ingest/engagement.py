"""Advocacy engagement ingester: who shared, posted, commented on or liked which content, and when.

One row per action (``person``, ``date``, ``action``, ``content_id``,
``platform``, optional ``clicks`` and ``impressions``; columns in
``docs/formats.md``). The same action read twice (same person, date, action,
content and platform) is kept once.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from orgnet.ingest.base import IngestContext, TableColumns, map_columns, read_table
from orgnet.ingest.checks import flag_rows, parse_counts, resolve_people, unknown_person_reasons
from orgnet.ingest.dates import utc_instants
from orgnet.model import ENGAGEMENT_COLUMNS, IngestBatch

__all__ = ["COLUMNS", "read"]

COLUMNS = TableColumns(
    fields={
        "person": ("person", "person_id", "employee", "email"),
        "date": ("date", "day"),
        "action": ("action", "type"),
        "content_id": ("content_id", "content", "post_id"),
        "platform": ("platform", "network"),
        "clicks": ("clicks",),
        "impressions": ("impressions", "views"),
    },
    required=("person", "date", "action", "content_id", "platform"),
)

_ISO_DAY = r"^\d{4}-\d{2}-\d{2}"


def read(path: Path, context: IngestContext) -> IngestBatch:
    """Read an advocacy engagement table.

    Parameters
    ----------
    path : CSV, TSV, JSON Lines or Parquet file.
    context : the ingest context (resolver, known people).

    Returns
    -------
    :class:`~orgnet.model.IngestBatch` with ``engagement``: ``date`` as
    ``YYYY-MM-DD``, ``action`` and ``platform`` in lower case, ``clicks`` and
    ``impressions`` as integers or missing.

    Notes
    -----
    A row is bad when a required value is missing, its person is nobody in
    the roster or store, its date is not an ISO date, or a count is not a
    whole number. A date with a time keeps the calendar day as written (the
    day in the person's own time zone), not the UTC one.
    """
    frame, lines = read_table(path, context.problems)
    columns = map_columns(list(frame.columns), COLUMNS, context.options, path, context.problems)
    value = {name: frame[column] for name, column in columns.items()}
    person = resolve_people(value["person"], context)
    date = value["date"]
    instants = utc_instants(pd.to_datetime(date, errors="coerce", format="ISO8601", utc=True))
    valid_date = ~np.isnat(instants) & date.str.match(_ISO_DAY).fillna(False).to_numpy(dtype=bool)
    counts, count_checks = {}, []
    for name in ("clicks", "impressions"):
        if name in value:
            counts[name], check = parse_counts(value[name], name)
            count_checks.append(check)
        else:
            counts[name] = pd.Series(pd.NA, index=frame.index, dtype="Int64")

    missing = [(value[name].isna(), f"missing {name}") for name in COLUMNS.required]
    bad = flag_rows(
        [
            *missing,
            (person.isna(), unknown_person_reasons(value["person"], "person")),
            (~valid_date, "date " + date.map(repr) + " is not an ISO date (YYYY-MM-DD)"),
            (context.dates.outside(instants), context.dates.reasons("date", date)),
            *count_checks,
        ],
        lines,
        path,
        context.problems,
    )
    keep = ~bad
    context.dates.note_range(context.report, instants[keep])
    engagement = pd.DataFrame(
        {
            "person_id": person,
            "date": date.str.slice(0, 10),
            "action": value["action"].str.lower(),
            "content_id": value["content_id"],
            "platform": value["platform"].str.lower(),
            "clicks": counts["clicks"],
            "impressions": counts["impressions"],
        }
    )[keep]
    engagement = engagement.drop_duplicates(ENGAGEMENT_COLUMNS[:5])
    context.report.add("rows", len(frame))
    context.report.add("engagement", len(engagement))
    context.report.add("people", engagement["person_id"].nunique())
    batch = IngestBatch()
    batch.engagement = engagement[ENGAGEMENT_COLUMNS].reset_index(drop=True)
    return batch
