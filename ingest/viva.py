"""Viva Insights person-to-person query ingester: ties scored by Viva, and the HR attributes it exports.

Each row is a tie from ``PrimaryCollaborator_PersonId`` to
``SecondaryCollaborator_PersonId`` in the period of its ``MetricDate``, on
channel ``viva``, weighted by the tie score (``StrongTieScore`` unless
``--score`` names another column). Viva has already aggregated the
interactions, so rows go straight to :func:`orgnet.aggregate.aggregate_edges`
(several weekly rows of one month add up into that month's tie).

Columns ``PrimaryCollaborator_<Attribute>`` and
``SecondaryCollaborator_<Attribute>`` are HR attributes of the two people;
other columns (Viva's other metrics) are not read.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from orgnet.aggregate import aggregate_edges
from orgnet.ingest.base import IngestContext, TableColumns, map_columns, read_table
from orgnet.ingest.checks import flag_rows, resolve_people
from orgnet.ingest.dates import utc_instants
from orgnet.model import EDGE_COLUMNS, PERSON_COLUMNS, IngestBatch

__all__ = ["CHANNEL", "SIDES", "columns_for", "read"]

CHANNEL = "viva"
#: The column prefix of each end of a tie, source first.
SIDES = ("PrimaryCollaborator_", "SecondaryCollaborator_")
#: The Viva attribute that becomes a new person's department.
_DEPARTMENT = "organization"


def columns_for(score_column: str) -> TableColumns:
    """The columns of a person-to-person export whose tie score is ``score_column``."""
    return TableColumns(
        fields={
            "primary": (f"{SIDES[0]}PersonId",),
            "secondary": (f"{SIDES[1]}PersonId",),
            "score": (score_column.strip(),),
            "metric_date": ("MetricDate", "Date"),
        },
        required=("primary", "secondary", "score", "metric_date"),
        extra_allowed=True,
    )


def _metric_dates(values: pd.Series) -> pd.Series:
    """Parse MetricDate: ISO 8601, or the ``M/D/YYYY`` Viva's own exports use; bad ones become NaT."""
    iso = pd.to_datetime(values, errors="coerce", format="ISO8601", utc=True)
    us = pd.to_datetime(values, errors="coerce", format="%m/%d/%Y", utc=True)
    return iso.where(iso.notna(), us)


def read(path: Path, context: IngestContext) -> IngestBatch:
    """Read a Viva Insights person-to-person query export.

    Parameters
    ----------
    path : the CSV export.
    context : the ingest context (``score_column``, ``period_unit``).

    Returns
    -------
    :class:`~orgnet.model.IngestBatch` with ``ties`` (channel ``viva``,
    ``weight`` the summed score, ``count`` the rows) and ``people``: every
    person of the kept rows with the HR attributes of their latest
    ``MetricDate``.

    Notes
    -----
    ``MetricDate`` is required (``--map metric_date=COLUMN`` names another
    column): without it the ties would have no period. A Viva person id that
    is a roster identity (person id, e-mail, alias) is that roster person,
    whose ``Organization`` stays an attribute because the roster owns the
    department; any other id is a new person (pseudonymised when the store
    is), whose ``Organization`` becomes the department. A row is bad when an
    id or the date is missing or unparsable, or the score is not a
    non-negative number.
    """
    spec = columns_for(context.options.score_column)
    frame, lines = read_table(path, context.problems)
    columns = map_columns(list(frame.columns), spec, context.options, path, context.problems)
    primary, secondary = frame[columns["primary"]], frame[columns["secondary"]]
    raw_score, raw_date = frame[columns["score"]], frame[columns["metric_date"]]
    score = pd.to_numeric(raw_score, errors="coerce")
    dates = _metric_dates(raw_date)
    bad = flag_rows(
        [
            (primary.isna(), f"missing {columns['primary']}"),
            (secondary.isna(), f"missing {columns['secondary']}"),
            (raw_date.isna(), f"missing {columns['metric_date']}"),
            (dates.isna(), f"{columns['metric_date']} " + raw_date.map(repr) + " is not a date (YYYY-MM-DD or M/D/YYYY)"),
            (context.dates.outside(utc_instants(dates)), context.dates.reasons(columns["metric_date"], raw_date)),
            (raw_score.isna(), f"missing {columns['score']}"),
            (~(np.isfinite(score) & (score >= 0)), f"{columns['score']} " + raw_score.map(repr) + " is not a non-negative number"),
        ],
        lines,
        path,
        context.problems,
    )
    keep = ~bad
    context.report.add("rows", len(frame))
    frame, dates, score = frame[keep], dates[keep], score[keep]
    instants = utc_instants(dates)
    context.dates.note_range(context.report, instants)

    ends = [_people_of(frame[columns[side]], context) for side in ("primary", "secondary")]
    edges = pd.DataFrame(
        {
            "source": ends[0][0].to_numpy(),
            "target": ends[1][0].to_numpy(),
            "timestamp": context.dates.nanoseconds(instants),
            "channel": CHANNEL,
            "weight": score.to_numpy(dtype=float),
        }
    )
    batch = IngestBatch()
    batch.ties = aggregate_edges(edges[EDGE_COLUMNS], context.options.period_unit)
    batch.people = _people(frame, columns, dates, ends)
    new = set(batch.people["person_id"]) - context.known_people
    context.known_people.update(new)
    context.report.add("edges", len(edges))
    context.report.add("ties", len(batch.ties))
    context.report.add("people", len(batch.people))
    context.report.add("new_people", len(new))
    ignored = [c for c in frame.columns if c not in columns.values() and not _side_of(c)]
    if ignored:
        context.report.notes.append(f"columns not read: {', '.join(ignored)}")
    return batch


def _people_of(raw: pd.Series, context: IngestContext) -> tuple[pd.Series, pd.Series]:
    """(person ids, whether each is a roster person) of one side's Viva ids."""
    known = resolve_people(raw, context)
    matched = known.notna()
    return known.where(matched, context.person_ids(raw)), matched


def _side_of(column: str) -> str | None:
    """The side prefix ``column`` starts with (case-insensitive), if any."""
    return next((side for side in SIDES if column.lower().startswith(side.lower())), None)


def _people(frame: pd.DataFrame, columns: dict[str, str], dates: pd.Series, ends: list[tuple[pd.Series, pd.Series]]) -> pd.DataFrame:
    """One people row per person of the ties, with the attributes of their latest row."""
    id_columns = {columns["primary"], columns["secondary"]}
    parts = []
    for side, (person, matched) in zip(SIDES, ends):
        attribute_columns = [c for c in frame.columns if _side_of(c) == side and c not in id_columns]
        part = frame[attribute_columns].rename(columns=dict(zip(attribute_columns, (c[len(side) :] for c in attribute_columns))))
        parts.append(part.assign(person_id=person.to_numpy(), matched=matched.to_numpy(), date=dates.to_numpy()))
    rows = pd.concat(parts, ignore_index=True).sort_values("date", kind="stable")
    rows = rows.drop_duplicates("person_id", keep="last").sort_values("person_id", ignore_index=True)
    attributes = rows.drop(columns=["person_id", "matched", "date"])
    department_column = next((c for c in attributes.columns if c.lower() == _DEPARTMENT), None)
    department = pd.Series(None, index=rows.index, dtype=object)
    if department_column is not None:
        new = ~rows["matched"].to_numpy(dtype=bool)
        department = attributes[department_column].where(new, None)
        # A new person's Organization is their department, not an attribute as well.
        attributes.loc[new, department_column] = None
    people = pd.DataFrame({"person_id": rows["person_id"], "department": department})
    for name in PERSON_COLUMNS:
        if name not in people:
            people[name] = None
    # pandas-stubs refuse a list of dicts for a column; pandas keeps each dict as an object cell.
    people["attributes"] = attributes.astype(object).where(attributes.notna(), None).to_dict("records")  # type: ignore[assignment]
    return people[PERSON_COLUMNS]
