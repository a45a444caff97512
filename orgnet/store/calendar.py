"""The calendar ledger: one version of each calendar event in a store, whatever order its copies arrive in.

Every store keeps, per calendar event, its ledger entry
(:data:`~orgnet.model.CALENDAR_EVENT_COLUMNS`: keyed hashes of its identity,
the version kept, the occurrences it counted) and what it added to each tie
and external contact. :func:`plan_calendar` decides, inside the store's
write transaction, what one ingest's calendar events change; the stores only
read the rows it asks for and write the rows it returns, so the rules live
here once:

* an event the store holds in a version at least as new (``SEQUENCE``, then
  ``DTSTAMP``, then a cancellation before the rest) keeps it: the ingest's
  copy adds nothing, and what it brought to the ties is taken back
  (``merged_with_store``), unless it is the same version expanded to a later
  occurrence (a series read again by an ingest that reaches further), which
  then replaces the stored expansion;
* a newer version replaces the stored one: what the old one added is taken
  back, the new one's stays (``replaced_in_store``; a cancellation adds
  nothing);
* an occurrence of a series that has a ``VEVENT`` of its own (an override,
  by its ``RECURRENCE-ID``) counts only as that override, whichever of the
  two the store got first: the series gives back that occurrence's share
  (``occurrences_overridden``), and a cancelled series takes back its
  overrides too.

Taking back subtracts counts and weights exactly; ``first_seen`` and
``last_seen`` cannot be narrowed again (the tie does not remember which
interaction set them), so after a replacement they still span every
version seen. A tie whose count falls to zero is removed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from orgnet.model import (
    CALENDAR_CONTACT_COLUMNS,
    CALENDAR_EVENT_COLUMNS,
    CALENDAR_TIE_COLUMNS,
    EXTERNAL_CONTACT_COLUMNS,
    TIE_KEY,
    IngestBatch,
    empty_frame,
)
from orgnet.periods import PeriodUnit, period_codes
from orgnet.store.frames import StoredRow

__all__ = [
    "CONTACT_CHANGE_COLUMNS",
    "TIE_CHANGE_COLUMNS",
    "CalendarPlan",
    "contribution_frames",
    "contribution_rows",
    "decode_occurrences",
    "encode_occurrences",
    "event_rows",
    "events_frame",
    "plan_calendar",
]

#: What the ties gain (negative: lose) from one ingest's calendar events beside its ``ties``.
TIE_CHANGE_COLUMNS = [*TIE_KEY, "count", "weight"]
CONTACT_CHANGE_COLUMNS = EXTERNAL_CONTACT_COLUMNS
#: Reads the stored contributions (ties, contacts) of these ledger keys, inside the store's transaction.
StoredContributions = Callable[[Sequence[str]], tuple[pd.DataFrame, pd.DataFrame]]
#: A ledger entry as pandas gives a row of a frame (``to_dict("records")``): column -> value.
_Row = dict[Hashable, Any]


@dataclass
class CalendarPlan:
    """What the store writes for one ingest's calendar events, inside its transaction.

    ``events`` are ledger entries to insert or overwrite; ``cleared`` the
    keys whose stored contributions go (before ``ties`` and ``contacts``,
    the contributions to write, are added); ``tie_changes`` and
    ``contact_changes`` are added to the ties and contacts (rows reaching
    a count of zero are removed); ``counts`` go into the ingest report.
    """

    events: pd.DataFrame = field(default_factory=lambda: empty_frame(CALENDAR_EVENT_COLUMNS))
    cleared: list[str] = field(default_factory=list)
    ties: pd.DataFrame = field(default_factory=lambda: empty_frame(CALENDAR_TIE_COLUMNS))
    contacts: pd.DataFrame = field(default_factory=lambda: empty_frame(CALENDAR_CONTACT_COLUMNS))
    tie_changes: pd.DataFrame = field(default_factory=lambda: empty_frame(TIE_CHANGE_COLUMNS))
    contact_changes: pd.DataFrame = field(default_factory=lambda: empty_frame(CONTACT_CHANGE_COLUMNS))
    counts: dict[str, int] = field(default_factory=dict)


def encode_occurrences(occurrences: Sequence[str]) -> str:
    """The occurrences of a ledger entry as stores keep them: a JSON list of ISO instants."""
    return json.dumps(list(occurrences))


def decode_occurrences(text: str | None) -> list[str]:
    """:func:`encode_occurrences` read back."""
    return json.loads(text) if text else []


def plan_calendar(batch: IngestBatch, stored: pd.DataFrame, contributions: StoredContributions, unit: PeriodUnit) -> CalendarPlan:
    """What one ingest's calendar events change in a store.

    Parameters
    ----------
    batch : the ingest's batch; its ``ties`` and ``external_contacts``
        already include every contribution of ``calendar_ties`` and
        ``calendar_contacts`` (the store has added them when this runs).
    stored : the stored ledger entries of every series the batch touches
        (:data:`~orgnet.model.CALENDAR_EVENT_COLUMNS`).
    contributions : reads stored contributions by key.
    unit : the store's period unit (the period of an overridden occurrence).

    Returns
    -------
    :class:`CalendarPlan`.

    Notes
    -----
    O(E + C) for E events and C contribution rows, plus one small pass per
    series that has overrides.
    """
    events = batch.calendar_events
    plan = CalendarPlan(counts={"merged_with_store": 0, "replaced_in_store": 0, "occurrences_overridden": 0})
    if events.empty:
        return plan
    held: dict[str, _Row] = {row["key"]: row for row in stored.to_dict("records")}
    kept: dict[str, _Row] = {}
    merged: list[str] = []
    for row in events.to_dict("records"):
        old = held.get(row["key"])
        if old is not None and not _replaces(row, old):
            merged.append(row["key"])
        else:
            kept[row["key"]] = row
    replaced = [key for key in kept if key in held]
    ties, contacts = batch.calendar_ties, batch.calendar_contacts
    # What leaves the ties: the ingest's copies that lose to the store, and the stored versions that lose to the ingest.
    taken_ties, taken_contacts = [_rows(ties, merged)], [_rows(contacts, merged)]
    if replaced:
        old_ties, old_contacts = contributions(replaced)
        taken_ties.append(old_ties)
        taken_contacts.append(old_contacts)
    written_ties, written_contacts = _rows(ties, kept), _rows(contacts, kept)
    plan.cleared = list(replaced)

    rewritten: dict[str, _Row] = {}
    state = {**held, **kept}
    for series, members in _by_series(state, {row["series"] for row in kept.values()}).items():
        master = state.get(series)
        overrides = [member for member in members if member["recurrence"] is not None]
        if master is None or not overrides:
            continue
        moved = {override["recurrence"] for override in overrides}
        hits = [] if master["cancelled"] else [start for start in master["occurrences"] if start in moved]
        if master["cancelled"]:
            # A cancelled series takes its overrides with it (RFC 5546: a CANCEL without RECURRENCE-ID cancels every instance).
            gone = [override["key"] for override in overrides]
        elif hits:
            gone = [master["key"]]
            rewritten[master["key"]] = {**master, "occurrences": [start for start in master["occurrences"] if start not in moved]}
            plan.counts["occurrences_overridden"] += len(hits)
        else:
            continue
        # Their contributions as they stand: written by this ingest, or held by the store (then cleared, to be written again).
        held_only = [key for key in gone if key not in kept and key not in plan.cleared]
        stored_ties, stored_contacts = contributions(held_only) if held_only else (ties.iloc[:0], contacts.iloc[:0])
        now_ties = pd.concat([_rows(written_ties, gone), stored_ties], ignore_index=True)
        now_contacts = pd.concat([_rows(written_contacts, gone), stored_contacts], ignore_index=True)
        written_ties, written_contacts = (
            written_ties[~written_ties["key"].isin(gone)],
            written_contacts[~written_contacts["key"].isin(gone)],
        )
        plan.cleared += held_only
        if master["cancelled"]:
            taken_ties.append(now_ties)
            taken_contacts.append(now_contacts)
            continue
        share = _shares(master["occurrences"], hits, unit)
        tie_share, contact_share = _share_of(now_ties, share), _share_of(now_contacts, share)
        taken_ties.append(tie_share)
        taken_contacts.append(contact_share)
        written_ties = pd.concat([written_ties, _less(now_ties, tie_share)], ignore_index=True)
        written_contacts = pd.concat([written_contacts, _less(now_contacts, contact_share)], ignore_index=True)

    rows = [rewritten.get(key, row) for key, row in kept.items()] + [row for key, row in rewritten.items() if key not in kept]
    plan.events = pd.DataFrame(rows).reindex(columns=CALENDAR_EVENT_COLUMNS)
    plan.ties = written_ties[CALENDAR_TIE_COLUMNS].reset_index(drop=True)
    plan.contacts = written_contacts[CALENDAR_CONTACT_COLUMNS].reset_index(drop=True)
    plan.tie_changes = _negated(taken_ties, TIE_CHANGE_COLUMNS, ["count", "weight"])
    plan.contact_changes = _negated(taken_contacts, CONTACT_CHANGE_COLUMNS, ["count"])
    plan.counts["merged_with_store"] = len(merged)
    plan.counts["replaced_in_store"] = len(replaced)
    return plan


def _version(row: _Row) -> tuple[int, str, bool]:
    return int(row["sequence"]), row["stamp"] or "", bool(row["cancelled"])


def _replaces(row: _Row, old: _Row) -> bool:
    """Whether the ingest's version of an event replaces the stored one: a newer version, or the same one expanded further.

    A series is expanded up to its ingest's horizon, so the same version read
    again later (a newer export) may reach occurrences the stored expansion
    did not: its occurrences are then the better count.
    """
    if _version(row) != _version(old):
        return _version(row) > _version(old)
    return max(row["occurrences"], default="") > max(old["occurrences"], default="")


def _rows(frame: pd.DataFrame, keys: Iterable[str]) -> pd.DataFrame:
    return frame[frame["key"].isin(list(keys))]


def _by_series(state: dict[str, _Row], series: set[str]) -> dict[str, list[_Row]]:
    grouped: dict[str, list[_Row]] = {name: [] for name in sorted(series)}
    for row in state.values():
        if row["series"] in grouped:
            grouped[row["series"]].append(row)
    return grouped


def _shares(occurrences: list[str], hits: list[str], unit: PeriodUnit) -> dict[str, float]:
    """Period -> the fraction of a series' contribution there that the overridden occurrences (``hits``) made.

    Every occurrence of one version of a series adds the same to each of its
    ties (same attendees, same length), so that fraction is how many of the
    period's occurrences were overridden.
    """
    instants = pd.DatetimeIndex(pd.to_datetime(occurrences, utc=True, format="ISO8601")).tz_localize(None).to_numpy("datetime64[ns]")
    codes, labels = period_codes(instants, unit)
    hit = np.isin(np.asarray(occurrences, dtype=object), np.asarray(hits, dtype=object))
    total = np.bincount(codes, minlength=len(labels))
    overridden = np.bincount(codes[hit], minlength=len(labels))
    return {str(label): overridden[i] / total[i] for i, label in enumerate(labels) if overridden[i]}


def _share_of(rows: pd.DataFrame, share: dict[str, float]) -> pd.DataFrame:
    """The part of contribution ``rows`` that ``share`` (period -> fraction) takes: counts stay whole."""
    fraction = rows["period"].map(share).fillna(0.0).to_numpy(dtype=float)
    part = rows.assign(count=np.rint(rows["count"].to_numpy(dtype=float) * fraction).astype(np.int64))
    if "weight" in rows:
        part = part.assign(weight=rows["weight"].to_numpy(dtype=float) * fraction)
    return part[part["count"] > 0]


def _less(rows: pd.DataFrame, part: pd.DataFrame) -> pd.DataFrame:
    """``rows`` minus ``part`` (a subset of them, same index), rows left with nothing dropped."""
    left = rows.copy()
    left.loc[part.index, "count"] = left.loc[part.index, "count"] - part["count"]
    if "weight" in rows:
        left.loc[part.index, "weight"] = left.loc[part.index, "weight"] - part["weight"]
    return left[left["count"] > 0]


def _negated(frames: list[pd.DataFrame], columns: list[str], amounts: list[str]) -> pd.DataFrame:
    """The rows of ``frames`` summed per key and negated: what the store subtracts."""
    frames = [frame for frame in frames if len(frame)]
    if not frames:
        return empty_frame(columns)
    rows = pd.concat([frame[columns] for frame in frames], ignore_index=True)
    keys = [column for column in columns if column not in amounts]
    summed = rows.groupby(keys, sort=True).agg(dict.fromkeys(amounts, "sum")).reset_index()
    for amount in amounts:
        summed[amount] = -summed[amount]
    return summed[columns]


def event_rows(events: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Ledger entries as stores write them, in :data:`~orgnet.model.CALENDAR_EVENT_COLUMNS` order."""
    return [
        (
            row["key"],
            row["series"],
            row["recurrence"],
            int(row["sequence"]),
            row["stamp"],
            bool(row["cancelled"]),
            encode_occurrences(row["occurrences"]),
        )
        for row in events.to_dict("records")
    ]


def events_frame(rows: Sequence[StoredRow]) -> pd.DataFrame:
    """Ledger entries as stores return them, from rows in :data:`~orgnet.model.CALENDAR_EVENT_COLUMNS` order, sorted by key."""
    frame = pd.DataFrame.from_records(
        [
            (key, series, recurrence, int(sequence), stamp, bool(cancelled), decode_occurrences(occurrences))
            for key, series, recurrence, sequence, stamp, cancelled, occurrences in rows
        ],
        columns=CALENDAR_EVENT_COLUMNS,
    )
    frame = frame.astype({"sequence": "int64", "cancelled": bool, "recurrence": object}).sort_values("key", ignore_index=True)
    frame["recurrence"] = frame["recurrence"].where(frame["recurrence"].notna(), None)
    return frame


def contribution_frames(ties: Sequence[StoredRow], contacts: Sequence[StoredRow]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stored contributions as :func:`plan_calendar` takes them, from rows in the column orders of the model."""
    tie_frame = pd.DataFrame.from_records(list(ties), columns=CALENDAR_TIE_COLUMNS).astype({"count": "int64", "weight": float})
    contact_frame = pd.DataFrame.from_records(list(contacts), columns=CALENDAR_CONTACT_COLUMNS).astype({"count": "int64"})
    return tie_frame, contact_frame


def contribution_rows(plan: CalendarPlan) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The contributions a plan writes, as rows of plain values in the column orders of the model."""
    return _plain_rows(plan.ties, CALENDAR_TIE_COLUMNS), _plain_rows(plan.contacts, CALENDAR_CONTACT_COLUMNS)


def _plain_rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple[Any, ...]]:
    return list(zip(*(frame[column].tolist() for column in columns)))
