"""Generic interactions table ingester: the fast path (CSV, TSV, JSON Lines, Parquet).

One row per interaction: a sender, one or more recipients (``;``-separated),
a timestamp and a channel (columns in ``docs/formats.md``). ``meeting`` rows
are meetings of the sender and the recipients. Everything is vectorised:
Arrow reads, dictionary-encodes, splits and parses the cells, NumPy works on
the integer codes, so large exports load at hundreds of thousands of rows per
second (``bench/ingest.py``).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from orgnet.ingest.base import IngestContext, TableColumns, cast_strings, clean_text, encode_text, map_columns, read_text_table
from orgnet.ingest.dates import utc_instants
from orgnet.ingest.edges import add_interactions
from orgnet.model import IngestBatch
from orgnet.periods import period_codes

__all__ = ["COLUMNS", "parse_timestamps", "read", "split_lists"]

COLUMNS = TableColumns(
    fields={
        "sender": ("sender", "from", "source"),
        "recipients": ("recipients", "recipient", "to", "target"),
        "timestamp": ("timestamp", "time", "date", "sent_at", "datetime"),
        "channel": ("channel", "type", "medium"),
        "duration_hours": ("duration_hours", "duration"),
    },
    required=("sender", "recipients", "timestamp"),
)


def parse_timestamps(values: pd.Series) -> pd.Series:
    """Parse ISO-8601 timestamps to UTC (naive ones are taken as UTC); unparsable ones become NaT."""
    return pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")


def split_lists(values: pd.Series | pa.Array[Any], separators: str = ";,") -> tuple[np.ndarray, np.ndarray]:
    """Split ``a;b;c`` cells into items.

    Returns
    -------
    (positions, items): for each item, the position (0-based) of the cell it
    came from, and the item itself, trimmed; empty items are dropped.
    """
    array = (
        values
        if isinstance(values, (pa.Array, pa.ChunkedArray))
        else pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    )
    pattern = "[" + "".join("\\" + s for s in separators) + "]"
    lists = pc.split_pattern_regex(array, pattern)
    items = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    positions = pc.list_parent_indices(lists)
    keep = pc.not_equal(items, pa.scalar(""))
    return (
        pc.filter(positions, keep).to_numpy(zero_copy_only=False).astype(np.int64),
        np.asarray(pc.filter(items, keep).to_numpy(zero_copy_only=False), dtype=object),
    )


def read(path: Path, context: IngestContext) -> IngestBatch:
    """Read an interactions table.

    Parameters
    ----------
    path : CSV, TSV, JSON Lines or Parquet file.
    context : the ingest context (``--channel`` supplies a missing channel column).

    Returns
    -------
    :class:`~orgnet.model.IngestBatch` with ``ties`` and ``external_contacts``.

    Notes
    -----
    A row is bad when its sender or recipients are missing, its timestamp
    does not parse, it has no channel, or its duration is not a number.

    The columns stay in Arrow and NumPy: senders, recipient lists, channels
    and durations are dictionary-encoded and cleaned, split or parsed once
    per distinct value. Rows that repeat a conversation (same sender,
    recipient list, channel and period; same duration for meetings) are then
    collapsed into one that counts them, which is what most of a real log
    is: the people, edges and ties after that are built once per
    conversation, not once per message. Participants reach
    :func:`~orgnet.ingest.edges.add_interactions` as categoricals, so no Python
    object is made per row. O(n) apart from the aggregation's sort.
    """
    interactions, participants = _conversations(path, context)
    batch = IngestBatch()
    add_interactions(interactions, participants, context, batch)
    return batch


def _conversations(path: Path, context: IngestContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read, check and collapse the rows: the two tables of :mod:`orgnet.ingest.edges`, one row per conversation.

    Bad rows go to ``context.problems``. Everything made per row dies with
    this function, before the edges are built.
    """
    table, lines = read_text_table(path, context.problems)
    columns = map_columns(table.column_names, COLUMNS, context.options, path, context.problems)
    problems = context.problems
    n_rows = table.num_rows
    # Arrow's kernels let go of the GIL: the two big columns are encoded on the other core meanwhile.
    with ThreadPoolExecutor(2) as pool:
        encoding = [pool.submit(encode_text, table[columns[name]]) for name in ("sender", "recipients")]
        stamped, timestamps = _parse_timestamps(table[columns["timestamp"]])
        outside = context.dates.outside(timestamps)
        refused = table[columns["timestamp"]].take(np.flatnonzero(outside)).to_pylist() if outside.any() else []
        channel, channels = _channels(table, columns, context.options.channel)
        (sender, senders), (recipients, recipient_lists) = (future.result() for future in encoding)
    if "duration_hours" in columns:
        duration, durations = encode_text(table[columns["duration_hours"]])
        hours_of = np.append(pd.to_numeric(pd.Series(durations, dtype=object), errors="coerce").to_numpy(dtype=float), np.nan)
        hours = hours_of[duration]
    else:
        duration, hours = np.full(n_rows, -1, dtype=np.int64), np.full(n_rows, np.nan)
    del table  # the columns are codes now; the text goes before the big arrays that follow

    checks = [
        (sender < 0, "missing sender"),
        (recipients < 0, "missing recipients"),
        (~stamped, "missing timestamp"),
        (np.isnat(timestamps) & stamped, "timestamp is not an ISO 8601 date and time"),
        (outside, None),
        (channel < 0, "missing channel (add a channel column or pass --channel)"),
    ]
    if "duration_hours" in columns:
        checks.append((np.isnan(hours) & (duration >= 0), "duration_hours is not a number"))
    bad = np.zeros(n_rows, dtype=bool)
    for mask, reason in checks:
        if reason is None:  # the dates out of range: few rows, each named with what it says
            for line, raw in zip(lines[mask & ~bad], refused):
                problems.add(path, line, context.dates.reason("timestamp", raw))
        else:
            problems.add_lines(path, lines[mask & ~bad], reason)
        bad |= mask
    context.report.add("rows", n_rows)
    context.dates.note_range(context.report, timestamps[~bad])
    timestamps = context.dates.nanoseconds(timestamps)

    if bad.any():
        keep = ~bad
        sender, recipients, timestamps, channel, duration, hours = (
            values[keep] for values in (sender, recipients, timestamps, channel, duration, hours)
        )

    # Repeats of one conversation in one period become one row that counts them (orgnet.ingest.edges' ``count``).
    meeting_channel = np.asarray(channels == "meeting", dtype=bool)
    period, _ = period_codes(timestamps, context.options.period_unit)
    # A duration weighs only meetings' ties, so it tells messages apart only on meetings.
    weighed = np.where(meeting_channel[channel], duration + 1, 0)
    group, n_groups = _group_rows([sender, recipients, channel, weighed, period])
    row = np.empty(n_groups, dtype=np.int64)
    row[group] = np.arange(len(group))  # any row of a group stands for it: they differ only in their timestamps
    nanoseconds = timestamps.view(np.int64)
    earliest = np.full(n_groups, np.iinfo(np.int64).max)
    np.minimum.at(earliest, group, nanoseconds)
    latest = np.full(n_groups, np.iinfo(np.int64).min)
    np.maximum.at(latest, group, nanoseconds)

    ids = np.arange(n_groups, dtype=np.int64)
    meeting = meeting_channel[channel[row]]
    interactions = pd.DataFrame(
        {
            "interaction": ids,
            "timestamp": earliest.view("datetime64[ns]"),
            "channel": _categorical(channel[row], channels),
            "kind": _categorical(meeting.astype(np.int64), np.array(["message", "meeting"], dtype=object)),
            "duration_hours": hours[row],
            "count": np.bincount(group, minlength=n_groups),
            "last_timestamp": latest.view("datetime64[ns]"),
        }
    )
    positions, item_codes, items = _recipient_items(recipients[row], recipient_lists)
    # One set of categories for senders and recipients, so a person has one code whatever their role.
    raw_codes, raw_values = pd.factorize(np.concatenate([senders, items]))
    participants = pd.DataFrame(
        {
            "interaction": np.concatenate([ids, positions]),
            "role": _categorical(
                np.concatenate([np.where(meeting, 2, 0), np.where(meeting[positions], 2, 1)]),
                np.array(["sender", "recipient", "attendee"], dtype=object),
            ),
            "raw": _categorical(
                np.concatenate([raw_codes[: len(senders)][sender[row]], raw_codes[len(senders) :][item_codes]]),
                np.asarray(raw_values, dtype=object),
            ),
        }
    )
    return interactions, participants


def _parse_timestamps(column: pa.ChunkedArray[Any]) -> tuple[np.ndarray, np.ndarray]:
    """(present, timestamps): whether each cell holds text, and its instant (NaT when unparsable).

    Instants are naive UTC ``datetime64``, in nanoseconds from Arrow's cast,
    else in pandas' microseconds (:func:`~orgnet.ingest.dates.utc_instants`),
    which hold any year, so a date beyond 2262 is judged, not wrapped.

    Exports write one format, ``2026-05-04T09:00:00Z``. When every cell is
    20 characters long, Arrow's ISO-8601 cast parses the column in C; the
    only such strings it accepts are that form and ``YYYY-MM-DDTHH:MM+HHMM``,
    which pandas reads the same way. Anything else, or any cell the cast
    rejects, sends the whole column through pandas (:func:`parse_timestamps`).
    """
    column = cast_strings(column)
    if column.null_count == 0 and len(column):
        lengths = pc.min_max(pc.utf8_length(column))
        if lengths["min"].as_py() == lengths["max"].as_py() == 20:
            # The cast also refuses instants beyond datetime64[ns] (before 1678, after 2261): pandas decides those.
            try:
                return np.ones(len(column), dtype=bool), pc.cast(column, pa.timestamp("ns", tz="UTC")).to_numpy()
            except pa.ArrowInvalid:
                pass
    text = clean_text(column).to_numpy(zero_copy_only=False)
    parsed = parse_timestamps(pd.Series(text, dtype=object))
    return pd.notna(text), utc_instants(parsed)


def _channels(table: pa.Table, columns: dict[str, str], default: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Each row's channel as a code into the distinct lower-case channels (-1 when missing and no default)."""
    if "channel" in columns:
        codes, values = encode_text(table[columns["channel"]])
        lowered = pc.utf8_lower(pa.array(values, type=pa.string())).to_numpy(zero_copy_only=False)
    else:
        codes, lowered = np.full(table.num_rows, -1, dtype=np.int64), np.zeros(0, dtype=object)
    if default:
        codes = np.where(codes < 0, len(lowered), codes)
        lowered = np.append(lowered, default)
    # Lower-casing can make two distinct values one ("Email", "email").
    remap, channels = pd.factorize(lowered)
    return np.where(codes < 0, -1, np.append(remap, -1)[codes]), np.asarray(channels, dtype=object)


def _recipient_items(cells: np.ndarray, lists: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split the distinct recipient lists once, then lay their items out row by row.

    Returns (positions, codes, items): for each item of each row, the row's
    position, the item's code into ``items``, and the distinct items.
    """
    owner, found = split_lists(pa.array(lists, type=pa.string()))
    item_codes, items = pd.factorize(found)
    per_list = np.bincount(owner, minlength=len(lists))
    first = np.cumsum(per_list) - per_list
    counts = per_list[cells]
    positions = np.repeat(np.arange(len(cells), dtype=np.int64), counts)
    within = np.arange(len(positions), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return positions, item_codes[np.repeat(first[cells], counts) + within], np.asarray(items, dtype=object)


def _group_rows(columns: list[np.ndarray]) -> tuple[np.ndarray, int]:
    """Number the distinct combinations of several columns of non-negative integer codes.

    Returns (group, n_groups): each row's group, numbered from 0 in order of
    first appearance. The codes are packed into one int64 key, renumbered
    first whenever the next column would overflow it; one hash pass, O(n).
    """
    key = np.array(columns[0], dtype=np.int64)
    size = int(key.max(initial=0)) + 1
    for codes in columns[1:]:
        width = int(codes.max(initial=0)) + 1
        if width == 1:
            continue
        if size * width >= 1 << 62:
            key, distinct = pd.factorize(key)
            size = len(distinct)
        key *= width
        key += codes
        size *= width
    group, distinct = pd.factorize(key)
    return group.astype(np.int64, copy=False), len(distinct)


def _categorical(codes: np.ndarray, categories: np.ndarray) -> pd.Categorical:
    # Object categories: pandas would otherwise convert them to its Arrow-backed str dtype.
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype=object))
