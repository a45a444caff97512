"""Stored results: analysis outputs kept per period as JSON, so readers never recompute.

A result is a name (``advocates``, ``silos``...) and a *snapshot label*: one
period (``2026-10``) or a range of periods (``2026-08..2026-10``). Tables are
stored as lists of records, everything else as plain JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import numpy as np
import pandas as pd

from orgnet.store import Store

__all__ = ["load_result", "load_table", "parse_snapshot_label", "save_result", "snapshot_label", "to_jsonable"]


def snapshot_label(start: str, end: str | None = None) -> str:
    """The label of the periods ``start`` to ``end``: ``start`` alone when they are the same."""
    return start if end is None or end == start else f"{start}..{end}"


def parse_snapshot_label(label: str) -> tuple[str, str]:
    """``(start, end)`` of a snapshot label."""
    start, _, end = label.partition("..")
    return start, end or start


def to_jsonable(value: Any) -> Any:
    """Plain JSON values for DataFrames (records), NumPy scalars, timestamps, sets and NaN (``None``)."""
    if isinstance(value, pd.DataFrame):
        return [to_jsonable(record) for record in value.to_dict("records")]
    if isinstance(value, pd.Series):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [to_jsonable(v) for v in items]
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "model_dump"):
        return to_jsonable(value.model_dump())
    return value


def save_result(store: Store, name: str, label: str, value: Any) -> None:
    """Store ``value`` (made JSON-ready by :func:`to_jsonable`) as result ``name`` of snapshot ``label``."""
    store.put_result(name, label, json.dumps(to_jsonable(value), separators=(",", ":"), allow_nan=False))


def load_result(store: Store, name: str, label: str) -> Any | None:
    """The stored result ``name`` of snapshot ``label``, or ``None`` when it was never computed."""
    payload = store.get_result(name, label)
    return None if payload is None else json.loads(payload)


def load_table(store: Store, name: str, label: str) -> pd.DataFrame | None:
    """A stored table as a DataFrame (``None`` when missing)."""
    records = load_result(store, name, label)
    return None if records is None else pd.DataFrame.from_records(records)
