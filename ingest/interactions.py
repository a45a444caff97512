"""Generic interactions table ingester: the fast path (CSV, TSV, JSON Lines, Parquet).

One row per interaction: a sender, one or more recipients (``;``-separated),
a timestamp and a channel (columns in ``docs/formats.md``). ``meeting`` rows
are meetings of the sender and the recipients. Everything is vectorised
(pyarrow for splitting recipient lists, pandas/NumPy for the rest), so large
exports load at hundreds of thousands of rows per second.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ingest.base import IngestContext, TableColumns, map_columns, read_table
from ingest.edges import add_interactions
from orgnet.model import IngestBatch

__all__ = ["COLUMNS", "read", "parse_timestamps", "split_lists"]

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


def split_lists(values: pd.Series, separators: str = ";,") -> tuple[np.ndarray, np.ndarray]:
    """Split ``a;b;c`` cells into items.

    Returns
    -------
    (positions, items): for each item, the position (0-based) of the cell it
    came from, and the item itself, trimmed; empty items are dropped.
    """
    array = pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    pattern = "[" + "".join("\\" + s for s in separators) + "]"
    lists = pc.split_pattern_regex(array, pattern)
    items = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    positions = pc.list_parent_indices(lists)
    keep = pc.not_equal(items, "")
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
    """
    frame, lines = read_table(path, context.problems)
    columns = map_columns(list(frame.columns), COLUMNS, context.options, path, context.problems)
    problems = context.problems
    sender = frame[columns["sender"]]
    recipients = frame[columns["recipients"]]
    timestamps = parse_timestamps(frame[columns["timestamp"]])
    if "channel" in columns:
        channel = frame[columns["channel"]].str.lower()
        if context.options.channel:
            channel = channel.fillna(context.options.channel)
    elif context.options.channel:
        channel = pd.Series(context.options.channel, index=frame.index, dtype=object)
    else:
        channel = pd.Series(None, index=frame.index, dtype=object)
    duration = pd.to_numeric(frame[columns["duration_hours"]], errors="coerce") if "duration_hours" in columns else pd.Series(np.nan, index=frame.index)

    checks = [
        (sender.isna(), "missing sender"),
        (recipients.isna(), "missing recipients"),
        (frame[columns["timestamp"]].isna(), "missing timestamp"),
        (timestamps.isna() & frame[columns["timestamp"]].notna(), "timestamp is not an ISO 8601 date and time"),
        (channel.isna(), "missing channel (add a channel column or pass --channel)"),
    ]
    if "duration_hours" in columns:
        checks.append((duration.isna() & frame[columns["duration_hours"]].notna(), "duration_hours is not a number"))
    bad = np.zeros(len(frame), dtype=bool)
    for mask, reason in checks:
        mask = mask.to_numpy(dtype=bool)
        problems.add_lines(path, lines[mask & ~bad], reason)
        bad |= mask
    context.report.add("rows", len(frame))

    keep = ~bad
    ids = np.arange(int(keep.sum()), dtype=np.int64)
    channel = channel[keep].to_numpy(dtype=object)
    interactions = pd.DataFrame(
        {
            "interaction": ids,
            "timestamp": timestamps[keep].to_numpy(),
            "channel": channel,
            "kind": np.where(channel == "meeting", "meeting", "message"),
            "duration_hours": duration[keep].to_numpy(dtype=float),
        }
    )
    interactions["timestamp"] = pd.to_datetime(interactions["timestamp"], utc=True)
    positions, items = split_lists(recipients[keep].reset_index(drop=True))
    meeting = interactions["kind"].to_numpy() == "meeting"
    participants = pd.DataFrame(
        {
            "interaction": np.concatenate([ids, positions]),
            "role": np.concatenate(
                [np.where(meeting, "attendee", "sender"), np.where(meeting[positions], "attendee", "recipient")]
            ).astype(object),
            "raw": np.concatenate([sender[keep].to_numpy(dtype=object), items]),
        }
    )
    batch = IngestBatch()
    add_interactions(interactions, participants, context, batch)
    return batch
